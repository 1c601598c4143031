//! The RedeemGuard contract: what the browser app and every backend agree on.
//!
//! Everything here is pure (no I/O, no clock, no randomness) so the same rules run in
//! the cashier's browser (wasm32) and in the backend, which stays authoritative (SPEC S10).

pub mod api;
pub mod audit;
pub mod bill;
pub mod cards;
pub mod contact;
pub mod credentials;
pub mod error;
pub mod instrument;
pub mod lookup;
pub mod money;
pub mod otp;
pub mod outreach;
pub mod policy;
pub mod quantity;
pub mod reports;
pub mod rules;
pub mod template;
pub mod vouchers;
pub mod wire;

pub use bill::{Bill, BillError, BillErrors, BillId};
pub use cards::{CardType, EarnRate};
pub use contact::{CallingCode, CardNumber, Channel, ContactError, Email, Mobile};
pub use error::{DeliveryFailure, DeliveryFailureReason, ErrorCode, Problem};
pub use instrument::{InstrumentBalance, InstrumentKind, Unit};
pub use lookup::{Lookup, LookupError, Searcher};
pub use money::{Currency, Money, MoneyError};
pub use otp::{OtpCode, OtpError, OtpLength};
pub use policy::{BillCap, Policy, PolicyError};
pub use quantity::{Quantity, QuantityError};
pub use rules::{AllowedRange, Checked, Limit, Purpose, RuleError};
pub use template::{
    MessageTemplate, Misfit, Registered, Template, TemplateError, TemplateKind, TemplateValues,
    Templates,
};
