//! The redemption's screens, one a file, in the order the cashier meets them.

mod balance;
mod bill;
mod closed;
mod confirm;
mod customer;
mod manager_override;
mod otp;
mod receipt;
mod redeem;
mod resume;
mod sign_in;

pub use balance::BalanceScreen;
pub use bill::BillScreen;
pub use closed::ClosedScreen;
pub use confirm::ConfirmScreen;
pub use customer::CustomerScreen;
pub use manager_override::{AwaitingApprovalScreen, OverrideScreen};
pub use otp::OtpScreen;
pub use receipt::ReceiptScreen;
pub use redeem::RedeemScreen;
pub use resume::ResumeScreen;
pub use sign_in::SignInScreen;
