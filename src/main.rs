//! Thin entry point: the app lives in the library (so tests and host pages can mount it).
fn main() {
    console_error_panic_hook::set_once();
    redeemguard::mount_app();
}
