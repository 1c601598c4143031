//! Thin entry point: the app, the kiosk and the widget's `mount` live in the library.
fn main() {
    redeemguard::start();
}
