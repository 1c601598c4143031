//! What a manager reads (`/reports`): the loyalty reports, cashiers' fraud signals and the
//! audit log, checked in the browser. A surface apart from the back office's set-up.
use redeemguard::flow::Mode;
use redeemguard::ui::surfaces;

fn main() {
    redeemguard::mount_surface(Mode::BackOffice, surfaces::REPORTS);
}
