//! The manager's back office (`/back-office`): the store's policy.
use redeemguard::flow::Mode;
use redeemguard::ui::surfaces;

fn main() {
    redeemguard::mount_surface(Mode::BackOffice, surfaces::BACK_OFFICE);
}
