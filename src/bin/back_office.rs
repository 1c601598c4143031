//! The manager's back office (`/back-office`): the store's policy, approvals, staff,
//! terminals, override code, loyalty cards and the customer import (the reports are
//! `/reports`).
use redeemguard::flow::Mode;
use redeemguard::ui::surfaces;

fn main() {
    redeemguard::mount_surface(Mode::BackOffice, surfaces::BACK_OFFICE);
}
