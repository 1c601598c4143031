//! Stable error codes and the RFC 9457 problem document every backend answers with.

use crate::bill::BillError;
use crate::contact::{Channel, ContactError};
use crate::lookup::LookupError;
use crate::money::MoneyError;
use crate::otp::OtpError;
use crate::policy::PolicyError;
use crate::quantity::QuantityError;
use crate::rules::{AllowedRange, Limit, RuleError};
use crate::template::TemplateError;
use serde::{Deserialize, Serialize};
use std::fmt;

macro_rules! error_codes {
    ($($variant:ident = $code:literal, $status:literal, $title:literal;)*) => {
        /// A machine-readable reason. The string form is part of the contract: never rename one.
        #[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
        pub enum ErrorCode { $($variant,)* }

        impl ErrorCode {
            pub const ALL: &'static [ErrorCode] = &[$(ErrorCode::$variant,)*];
            pub fn as_str(&self) -> &'static str { match self { $(ErrorCode::$variant => $code,)* } }
            pub fn status(&self) -> u16 { match self { $(ErrorCode::$variant => $status,)* } }
            /// A short sentence a cashier understands.
            pub fn title(&self) -> &'static str { match self { $(ErrorCode::$variant => $title,)* } }
        }
    };
}

error_codes! {
    InvalidRequest = "invalid_request", 400, "The request is malformed";
    InvalidOtpFormat = "invalid_otp_format", 422, "That is not a valid code";
    InvalidQuantity = "invalid_quantity", 422, "That is not a valid quantity";
    InvalidAmount = "invalid_amount", 422, "That is not a valid amount";
    InvalidMobile = "invalid_mobile", 422, "That is not a valid mobile number";
    InvalidBill = "invalid_bill", 422, "The bill number or total is not valid";
    BelowMinimum = "below_minimum", 422, "Below the minimum to redeem";
    InsufficientBalance = "insufficient_balance", 422, "Not enough balance";
    ExceedsBill = "exceeds_bill", 422, "More than the bill total";
    ExceedsBillCap = "exceeds_bill_cap", 422, "More than a bill may take from loyalty";
    BillMismatch = "bill_mismatch", 409, "This bill number was already used with another total: check the bill number and total";
    NothingEarned = "nothing_earned", 422, "This bill earns no points";
    NothingAvailable = "nothing_available", 422, "Nothing left to redeem";
    CurrencyMismatch = "currency_mismatch", 422, "The bill is in another currency";
    ChannelUnavailable = "channel_unavailable", 422, "The customer cannot be reached on that channel";
    OtpInvalid = "otp_invalid", 422, "Wrong code";
    OtpExpired = "otp_expired", 410, "The code has expired";
    OtpLocked = "otp_locked", 423, "Too many wrong codes: this redemption is locked";
    OtpNotSent = "otp_not_sent", 409, "No code has been sent yet";
    OtpRequired = "otp_required", 409, "The customer's code is needed first";
    IntentExpired = "intent_expired", 410, "This redemption has expired";
    IntentClosed = "intent_closed", 409, "This redemption is already finished";
    RateLimited = "rate_limited", 429, "Too many codes sent: wait before sending another";
    ResendCooldown = "resend_cooldown", 429, "Wait a moment before resending";
    MessageBudgetExhausted = "message_budget_exhausted", 429, "The store's daily message budget is used up";
    CodesBlocked = "codes_blocked", 423, "The customer replied that they did not ask for a code: none can be sent to them for now";
    DeliveryFailed = "delivery_failed", 502, "The code could not be sent";
    IdempotencyConflict = "idempotency_conflict", 422, "That retry key was used for a different request";
    IdempotencyInFlight = "idempotency_in_flight", 409, "The same request is still being processed";
    IdempotencyKeyMissing = "idempotency_key_missing", 400, "The request needs an Idempotency-Key";
    OverrideDisabled = "override_disabled", 403, "Override is turned off for this store";
    OverrideInvalid = "override_invalid", 403, "Wrong manager credentials or override code";
    OverrideCapReached = "override_cap_reached", 429, "Today's overrides are used up";
    ApprovalPending = "approval_pending", 409, "A manager has already been asked to approve this redemption";
    ApprovalClosed = "approval_closed", 409, "This request was already answered";
    ApprovalOwnRequest = "approval_own_request", 403, "Another manager must approve a request you made yourself";
    ReasonRequired = "reason_required", 422, "Give a reason";
    NotCommitted = "not_committed", 409, "Only a completed redemption can be reversed";
    AlreadyReversed = "already_reversed", 409, "This redemption was already reversed";
    PolicyInvalid = "policy_invalid", 422, "The policy has invalid settings";
    Unauthenticated = "unauthenticated", 401, "This terminal is not recognised";
    SignInFailed = "sign_in_failed", 401, "Wrong staff code or PIN";
    SessionExpired = "session_expired", 401, "Your session has ended: sign in again";
    Forbidden = "forbidden", 403, "Only a manager can do that";
    CustomerNotFound = "customer_not_found", 404, "No such customer";
    VoucherNotFound = "voucher_not_found", 404, "No voucher has this code";
    VoucherUsed = "voucher_used", 409, "This voucher was already redeemed";
    VoucherExpired = "voucher_expired", 410, "This voucher has expired";
    NotFound = "not_found", 404, "Not found";
    PayloadTooLarge = "payload_too_large", 413, "The request is too large";
    Internal = "internal", 500, "Something went wrong on the server";
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why a message did not go out, in classes a cashier can act on (`delivery_failed`).
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum DeliveryFailureReason {
    /// No gateway is set up for the channel.
    NotConfigured,
    /// The gateway could not be reached (connection refused, DNS, TLS).
    Unreachable,
    /// The gateway did not answer in time. It may still deliver, but the code is void.
    Timeout,
    /// The gateway refused the message (HTTP 4xx, SMTP 5xx): a wrong number or address, or
    /// the store's gateway account needs attention.
    Rejected,
    /// The gateway failed on its side (HTTP 5xx, SMTP 4xx) on every attempt.
    GatewayError,
}

/// The `delivery_failure` extension of a `delivery_failed` problem.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DeliveryFailure {
    pub channel: Channel,
    pub reason: DeliveryFailureReason,
}

/// An RFC 9457 problem document (`application/problem+json`) with RedeemGuard's extensions.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Problem {
    /// `urn:redeemguard:problem:<code>`
    #[serde(rename = "type")]
    pub problem_type: String,
    pub title: String,
    pub status: u16,
    /// What happened in this case, for a person.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    pub code: ErrorCode,
    /// The request field at fault, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// Wrong codes still allowed before the redemption locks.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attempts_left: Option<u8>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_after_secs: Option<u32>,
    /// The quantities that would have been accepted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub allowed: Option<AllowedRange>,
    /// Every invalid policy field, for `policy_invalid`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<PolicyError>,
    /// Why the message was not sent, for `delivery_failed`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delivery_failure: Option<DeliveryFailure>,
}

impl Problem {
    pub const CONTENT_TYPE: &'static str = "application/problem+json";

    pub fn new(code: ErrorCode) -> Self {
        Problem {
            problem_type: format!("urn:redeemguard:problem:{}", code.as_str()),
            title: code.title().to_string(),
            status: code.status(),
            detail: None,
            code,
            field: None,
            attempts_left: None,
            retry_after_secs: None,
            allowed: None,
            errors: Vec::new(),
            delivery_failure: None,
        }
    }

    pub fn detail(mut self, detail: impl Into<String>) -> Self {
        self.detail = Some(detail.into());
        self
    }
    pub fn field(mut self, field: impl Into<String>) -> Self {
        self.field = Some(field.into());
        self
    }
    pub fn attempts_left(mut self, n: u8) -> Self {
        self.attempts_left = Some(n);
        self
    }
    pub fn retry_after(mut self, secs: u32) -> Self {
        self.retry_after_secs = Some(secs);
        self
    }
    pub fn allowed(mut self, range: AllowedRange) -> Self {
        self.allowed = Some(range);
        self
    }
    pub fn delivery_failure(mut self, failure: DeliveryFailure) -> Self {
        self.delivery_failure = Some(failure);
        self
    }

    /// The most helpful line for the cashier: the detail if there is one, else the title.
    pub fn message(&self) -> &str {
        self.detail.as_deref().unwrap_or(&self.title)
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.message(), self.code)
    }
}
impl std::error::Error for Problem {}

impl From<RuleError> for Problem {
    fn from(e: RuleError) -> Self {
        let code = match e {
            RuleError::NothingAvailable => ErrorCode::NothingAvailable,
            RuleError::NotEnoughToRedeem { .. } | RuleError::BelowMinimum { .. } => {
                ErrorCode::BelowMinimum
            }
            RuleError::InsufficientBalance { .. } => ErrorCode::InsufficientBalance,
            RuleError::ExceedsBill { .. }
            | RuleError::BillCovered {
                limited_by: Limit::Bill | Limit::Balance,
                ..
            } => ErrorCode::ExceedsBill,
            RuleError::ExceedsBillCap { .. }
            | RuleError::BillCovered {
                limited_by: Limit::BillCap,
                ..
            } => ErrorCode::ExceedsBillCap,
            RuleError::CurrencyMismatch => ErrorCode::CurrencyMismatch,
            RuleError::NotForVoucher => ErrorCode::InvalidRequest,
            RuleError::TooLarge => ErrorCode::InvalidQuantity,
        };
        let field = match e {
            RuleError::NotForVoucher => "purpose",
            _ => "quantity",
        };
        Problem::new(code).detail(e.to_string()).field(field)
    }
}

impl From<BillError> for Problem {
    /// The field is the bill's part (`id` or `total`); prefix it with where the bill was.
    fn from(e: BillError) -> Self {
        let code = match &e {
            BillError::Total(MoneyError::CurrencyMismatch { .. }) => ErrorCode::CurrencyMismatch,
            _ => ErrorCode::InvalidBill,
        };
        Problem::new(code).detail(e.to_string()).field(e.part())
    }
}

impl From<LookupError> for Problem {
    fn from(e: LookupError) -> Self {
        match e {
            LookupError::Mobile(e) => e.into(),
            e => Problem::new(ErrorCode::InvalidRequest)
                .detail(e.to_string())
                .field("q"),
        }
    }
}

impl From<QuantityError> for Problem {
    fn from(e: QuantityError) -> Self {
        Problem::new(ErrorCode::InvalidQuantity)
            .detail(e.to_string())
            .field("quantity")
    }
}

impl From<OtpError> for Problem {
    fn from(e: OtpError) -> Self {
        Problem::new(ErrorCode::InvalidOtpFormat)
            .detail(e.to_string())
            .field("code")
    }
}

impl From<ContactError> for Problem {
    fn from(e: ContactError) -> Self {
        Problem::new(ErrorCode::InvalidMobile)
            .detail(e.to_string())
            .field("q")
    }
}

impl From<MoneyError> for Problem {
    fn from(e: MoneyError) -> Self {
        let code = match e {
            MoneyError::CurrencyMismatch { .. } => ErrorCode::CurrencyMismatch,
            _ => ErrorCode::InvalidAmount,
        };
        Problem::new(code).detail(e.to_string())
    }
}

impl From<TemplateError> for Problem {
    fn from(e: TemplateError) -> Self {
        Problem::new(ErrorCode::PolicyInvalid)
            .detail(e.to_string())
            .field("templates")
    }
}

impl From<crate::policy::PolicyErrors> for Problem {
    fn from(e: crate::policy::PolicyErrors) -> Self {
        let mut p = Problem::new(ErrorCode::PolicyInvalid).detail(e.to_string());
        p.errors = e.0;
        p
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_stable_snake_case() {
        let mut seen = std::collections::HashSet::new();
        for c in ErrorCode::ALL {
            assert!(seen.insert(c.as_str()), "duplicate {c}");
            assert!(c
                .as_str()
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b == b'_'));
            assert_eq!(serde_json::to_value(c).unwrap(), c.as_str());
            assert!((400..600).contains(&c.status()));
            assert!(!c.title().is_empty());
        }
        for named in [
            "otp_invalid",
            "otp_expired",
            "otp_locked",
            "insufficient_balance",
            "below_minimum",
            "exceeds_bill",
            "rate_limited",
            "idempotency_conflict",
        ] {
            assert!(
                ErrorCode::ALL.iter().any(|c| c.as_str() == named),
                "SPEC §5 names {named}"
            );
        }
    }

    #[test]
    fn problem_is_rfc9457_shaped() {
        let p = Problem::new(ErrorCode::OtpInvalid)
            .detail("Wrong code: 3 tries left")
            .attempts_left(3);
        let v = serde_json::to_value(&p).unwrap();
        assert_eq!(v["type"], "urn:redeemguard:problem:otp_invalid");
        assert_eq!(v["status"], 422);
        assert_eq!(v["code"], "otp_invalid");
        assert_eq!(v["attempts_left"], 3);
        assert!(v.get("allowed").is_none(), "absent extensions are omitted");
        assert_eq!(serde_json::from_value::<Problem>(v).unwrap(), p);

        let p = Problem::new(ErrorCode::DeliveryFailed).delivery_failure(DeliveryFailure {
            channel: Channel::Sms,
            reason: DeliveryFailureReason::GatewayError,
        });
        let v = serde_json::to_value(&p).unwrap();
        assert_eq!(
            v["delivery_failure"],
            serde_json::json!({ "channel": "sms", "reason": "gateway_error" })
        );
        assert_eq!(serde_json::from_value::<Problem>(v).unwrap(), p);
    }

    #[test]
    fn domain_errors_map_to_codes_with_human_detail() {
        let p: Problem = RuleError::InsufficientBalance { available: 120 }.into();
        assert_eq!(p.code, ErrorCode::InsufficientBalance);
        assert_eq!(p.message(), "Only 120 available: enter 120 or less");
        let p: Problem = OtpError::NotDigits.into();
        assert_eq!(
            (p.code, p.field.as_deref()),
            (ErrorCode::InvalidOtpFormat, Some("code"))
        );
        let p: Problem = QuantityError::Fractional.into();
        assert_eq!(p.code, ErrorCode::InvalidQuantity);
    }
}
