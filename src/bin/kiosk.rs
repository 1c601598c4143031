//! The self-service kiosk (`/kiosk`).
use redeemguard::flow::Mode;
use redeemguard::ui::surfaces;

fn main() {
    redeemguard::mount_surface(Mode::Kiosk, surfaces::KIOSK);
}
