//! A manager's messages to customers (`/messages`): write, preview and send them, follow their
//! delivery, and set a customer's consent. A surface apart from the back office's set-up.
use redeemguard::flow::Mode;
use redeemguard::ui::surfaces;

fn main() {
    redeemguard::mount_surface(Mode::BackOffice, surfaces::MESSAGES);
}
