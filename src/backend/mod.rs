//! The backend contract as the app sees it: one async trait over the /v1 API (SPEC §5), so
//! tests, kiosks and host pages can plug in their own implementation.
//!
//! Futures are local (`?Send`): browser fetch futures cannot cross threads, and wasm has one.

mod admin;
#[cfg(feature = "fake-backend")]
mod fake;
mod http;

pub use admin::{AdminCall, AdminReply};
#[cfg(feature = "fake-backend")]
pub use fake::{asha, FakeBackend, FAKE_CODE, FAKE_VOUCHER};
pub use http::{HttpBackend, HttpConfig};

use contract::api::{
    Accrual, ApprovalList, ApprovalRequest, Balance, CreateAccrual, CreateRedemption,
    CustomerSearch, KioskIdentify, OtpSent, Override, Receipt, Redemption, RequestApproval,
    SendOtp, Session, SignIn, Verify,
};
use contract::{ErrorCode, Policy, Problem};
use std::future::Future;
use std::pin::Pin;

/// A boxed local future answering one backend call.
pub type Fut<'a, T> = Pin<Box<dyn Future<Output = Result<T, BackendError>> + 'a>>;

/// Why a call failed. `Problem` is the backend's own answer; the others mean the answer never
/// arrived (or was not the contract), which for a commit means the outcome is *unknown*.
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum BackendError {
    /// An RFC 9457 problem document from the backend: it received the call and refused it.
    Problem(Problem),
    /// The request never completed: offline, DNS, connection refused or reset, CORS.
    Network,
    /// No answer within the time limit.
    Timeout,
    /// An answer that is not the contract (e.g. a proxy's HTML error page).
    Unexpected { status: u16 },
}

impl BackendError {
    pub fn code(&self) -> Option<ErrorCode> {
        match self {
            BackendError::Problem(p) => Some(p.code),
            _ => None,
        }
    }

    /// Whether the backend may or may not have acted on the call. A commit failing this way
    /// is retried with the same idempotency key until the truth is known.
    /// The session is over (ended, expired, or never was): only signing in again helps.
    pub fn ends_session(&self) -> bool {
        matches!(
            self.code(),
            Some(ErrorCode::SessionExpired | ErrorCode::Unauthenticated)
        )
    }

    pub fn outcome_unknown(&self) -> bool {
        match self {
            BackendError::Network | BackendError::Timeout => true,
            BackendError::Unexpected { status } => *status >= 500,
            BackendError::Problem(p) => p.code == ErrorCode::IdempotencyInFlight,
        }
    }
}

impl From<Problem> for BackendError {
    fn from(p: Problem) -> Self {
        BackendError::Problem(p)
    }
}

/// The /v1 contract. Implementations keep the staff session in memory only; the app never
/// stores the session token, and the OTP exists only inside a `Verify` the cashier typed.
///
/// Response bodies: `sign_in` → `Session`; `policy`/`save_policy` → `Policy`;
/// `search` → `CustomerSearch`; `balance` → `Balance`; `create`, `get`, `verify`,
/// `override_`, `cancel` → the `Redemption` as it now stands; `send_otp` → `OtpSent`;
/// `commit` → `Receipt` (the same receipt again for a replayed idempotency key).
pub trait Backend {
    /// `POST /v1/sessions` with the terminal token; remembers the returned session.
    fn sign_in(&self, terminal_token: String, body: SignIn) -> Fut<'_, Session>;
    /// `DELETE /v1/sessions/current`; forgets the session even if the call fails.
    fn sign_out(&self) -> Fut<'_, ()>;
    fn policy(&self) -> Fut<'_, Policy>;
    /// `PUT /v1/policy` (manager only); `policy_invalid` lists every bad field in `errors`.
    fn save_policy(&self, policy: Policy) -> Fut<'_, Policy>;
    /// `GET /v1/customers?q=` by mobile (E.164), card number or name.
    fn search(&self, query: String) -> Fut<'_, CustomerSearch>;
    fn balance(&self, customer_id: String) -> Fut<'_, Balance>;
    fn create(&self, body: CreateRedemption) -> Fut<'_, Redemption>;
    fn get(&self, redemption_id: String) -> Fut<'_, Redemption>;
    fn send_otp(&self, redemption_id: String, body: SendOtp) -> Fut<'_, OtpSent>;
    fn verify(&self, redemption_id: String, body: Verify) -> Fut<'_, Redemption>;
    fn override_(&self, redemption_id: String, body: Override) -> Fut<'_, Redemption>;
    /// `POST …/approval-request`: ask a manager to approve on their own device (S8).
    fn request_approval(&self, redemption_id: String, body: RequestApproval)
        -> Fut<'_, Redemption>;
    /// `GET /v1/approvals` (managers): requests waiting for a manager.
    fn approvals(&self) -> Fut<'_, ApprovalList>;
    /// `POST /v1/approvals/{id}/approve` or `/decline` (managers).
    fn decide_approval(&self, approval_id: String, approve: bool) -> Fut<'_, ApprovalRequest>;
    /// `POST …/commit` with `Idempotency-Key: key`. One attempt; the flow retries with the
    /// same key when the outcome is unknown.
    fn commit(&self, redemption_id: String, key: String) -> Fut<'_, Receipt>;
    fn cancel(&self, redemption_id: String) -> Fut<'_, Redemption>;
    /// Kiosk: `POST /v1/kiosk/identify`: a code to the customer's own contact.
    fn kiosk_identify(&self, body: KioskIdentify) -> Fut<'_, OtpSent>;
    /// Kiosk: `POST /v1/kiosk/verify`: the code proves the number is theirs; their balances.
    fn kiosk_verify(&self, body: Verify) -> Fut<'_, Balance>;
    /// Kiosk: `POST /v1/kiosk/forget`: the session forgets the customer, holds are released.
    fn kiosk_forget(&self) -> Fut<'_, ()>;
    /// `POST /v1/accruals`: the points a sale earns, computed by the backend from the bill and
    /// the customer's card type (never a number the till chooses).
    fn accrue(&self, body: CreateAccrual) -> Fut<'_, Accrual>;
    /// `POST /v1/vouchers/redeem`: a printed voucher handed in at the till, taken off the bill
    /// once.
    fn redeem_voucher(
        &self,
        body: contract::api::RedeemVoucher,
    ) -> Fut<'_, contract::api::VoucherRedeemed>;
    /// A manager's `/v1/admin/…` call (the back office).
    fn admin(&self, call: AdminCall) -> Fut<'_, AdminReply>;
}
