//! The cashier's till (`/`): the redemption on a typed bill, or points as a voucher.
use redeemguard::flow::Mode;
use redeemguard::ui::surfaces;

fn main() {
    redeemguard::mount_surface(Mode::Pos, surfaces::TILL);
}
