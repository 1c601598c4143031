//! Reading the contract's shapes from parsed JSON, through the same constructors serde's
//! derives use (`Money::new`, `Policy::try_from`, …), so a value read here holds every
//! invariant. Struct readers are struct literals: a field added to a shape and not read here
//! does not compile.

use super::json::Value;
use crate::api::*;
use crate::bill::{Bill, BillId};
use crate::cards::*;
use crate::contact::{CallingCode, Channel};
use crate::error::{DeliveryFailure, DeliveryFailureReason, ErrorCode, Problem};
use crate::instrument::{Expiring, InstrumentBalance, InstrumentKind, Unit};
use crate::money::{Currency, Money};
use crate::outreach::*;
use crate::policy::{BillCap, Policy, PolicyDraft, PolicyError, TemplatesDraft};
use crate::quantity::Quantity;
use crate::reports::*;
use crate::rules::{AllowedRange, Limit, Purpose};
use std::fmt;

/// Where an answer does not follow the contract: the innermost field and what is wrong with
/// it. Small and `Copy` on purpose: every reader returns it, and a field path built up as a
/// list cost the browser bundle several KB (SPEC §9) for a message nobody but a developer reads.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct WireError {
    /// The field that is wrong, e.g. `total` (empty: the whole answer).
    pub field: &'static str,
    pub problem: &'static str,
}

impl WireError {
    pub fn new(problem: &'static str) -> Self {
        WireError { field: "", problem }
    }

    fn at(self, field: &'static str) -> Self {
        if self.field.is_empty() {
            WireError { field, ..self }
        } else {
            self
        }
    }
}

impl fmt::Display for WireError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field, self.problem)
    }
}
impl std::error::Error for WireError {}

pub type Read<T> = Result<T, WireError>;

/// A contract shape read from JSON.
pub trait FromJson: Sized {
    fn from_json(v: &Value) -> Read<Self>;

    /// The value of an absent (or null) member: an error, except for optional members.
    fn absent() -> Read<Self> {
        Err(WireError::new("missing"))
    }
}

/// Reads member `name` of object `v`.
pub fn field<T: FromJson>(v: &Value, name: &'static str) -> Read<T> {
    match v.get(name) {
        None | Some(Value::Null) => T::absent(),
        Some(x) => T::from_json(x),
    }
    .map_err(|e| e.at(name))
}

fn object(v: &Value) -> Read<&Value> {
    match v {
        Value::Object(_) => Ok(v),
        _ => Err(WireError::new("not an object")),
    }
}

fn string(v: &Value) -> Read<&str> {
    match v {
        Value::Str(s) => Ok(s),
        _ => Err(WireError::new("not a string")),
    }
}

fn int<T: TryFrom<i128>>(v: &Value) -> Read<T> {
    match v {
        Value::Int(n) => T::try_from(*n).map_err(|_| WireError::new("out of range")),
        _ => Err(WireError::new("not an integer")),
    }
}

fn valid<T, E>(r: Result<T, E>) -> Read<T> {
    r.map_err(|_| WireError::new("not valid"))
}

/// An answer with no content (`204`, or `null`).
impl FromJson for () {
    fn from_json(v: &Value) -> Read<Self> {
        match v {
            Value::Null => Ok(()),
            _ => Err(WireError::new("not empty")),
        }
    }
}

impl FromJson for String {
    fn from_json(v: &Value) -> Read<Self> {
        string(v).map(str::to_string)
    }
}

impl FromJson for bool {
    fn from_json(v: &Value) -> Read<Self> {
        match v {
            Value::Bool(b) => Ok(*b),
            _ => Err(WireError::new("not true or false")),
        }
    }
}

macro_rules! integers {
    ($($t:ty),*) => {$(
        impl FromJson for $t {
            fn from_json(v: &Value) -> Read<Self> {
                int(v)
            }
        }
    )*};
}
integers!(u8, u16, u32, u64, i64);

impl<T: FromJson> FromJson for Option<T> {
    fn from_json(v: &Value) -> Read<Self> {
        match v {
            Value::Null => Ok(None),
            v => T::from_json(v).map(Some),
        }
    }
    fn absent() -> Read<Self> {
        Ok(None)
    }
}

impl<T: FromJson> FromJson for Vec<T> {
    fn from_json(v: &Value) -> Read<Self> {
        match v {
            Value::Array(items) => items.iter().map(T::from_json).collect(),
            _ => Err(WireError::new("not a list")),
        }
    }
}

/// A list that may be left out (`#[serde(default)]`): absent is empty.
struct OrEmpty<T>(Vec<T>);
impl<T: FromJson> FromJson for OrEmpty<T> {
    fn from_json(v: &Value) -> Read<Self> {
        Vec::from_json(v).map(OrEmpty)
    }
    fn absent() -> Read<Self> {
        Ok(OrEmpty(Vec::new()))
    }
}

/// Objects read member by member; the literal names every field of the shape.
macro_rules! structs {
    ($($ty:ident { $($f:ident),* $(,)? })*) => {$(
        impl FromJson for $ty {
            fn from_json(v: &Value) -> Read<Self> {
                let v = object(v)?;
                Ok($ty { $($f: field(v, stringify!($f))?,)* })
            }
        }
    )*};
}

structs! {
    StaffInfo { id, name, role }
    TerminalInfo { id, name, mode }
    StoreInfo { id, name, merchant_name }
    Session { token, expires_at_ms, staff, terminal, store }
    CustomerSummary { id, name, masked_mobile, masked_email, masked_card, channels }
    CustomerSearch { customers }
    Balance { customer, instruments, as_of_ms }
    Expiring { quantity, at_ms }
    InstrumentBalance {
        id, kind, label, unit, available, unit_value, earned, expiring_soon, valid_until_ms,
    }
    OtpSent {
        channel, destination, expires_at_ms, resend_after_ms, attempts_left, amount_first,
        delivery,
    }
    Delivery { status, reason, at_ms }
    Redemption {
        id, status, customer_id, customer_name, instrument_id, instrument_kind,
        instrument_label, unit, quantity, value, purpose, otp_required, expires_at_ms, otp,
        created_at_ms, approval_request,
    }
    ApprovalRequest {
        id, status, redemption_id, customer_name, instrument_kind, instrument_label, unit,
        quantity, value, bill_id, cashier_name, terminal_name, reason, requested_at_ms,
        expires_at_ms, decided_by,
    }
    ApprovalList { requests }
    Voucher { code, value, valid_until_ms, sent_to }
    Receipt {
        redemption_id, customer_name, instrument_kind, instrument_label, unit, quantity, value,
        balance_before, balance_after, purpose, approval, cashier_name, terminal_name,
        store_name, committed_at_ms, voucher, bill_redeemed,
    }
    Reversal { redemption_id, quantity_restored, balance_after, reason, reversed_at_ms }
    Accrual { id, customer_id, bill_id, points, balance_after, at_ms }
    AuditEntry {
        seq, at_ms, action, store_id, terminal_id, staff_id, redemption_id, detail, prev_hash,
        hash, store_hash,
    }
    ReportLine { instrument_kind, count, quantity, value }
    RedemptionReport {
        from_ms, to_ms, lines, total_value, overrides, reversals, failed_verifications,
    }
    AllowedRange { min, max, limited_by, unit_value }
    PolicyError { field, message }
    DeliveryFailure { channel, reason }
    StaffMember { id, code, name, role, mobile, daily_summary }
    StaffList { staff }
    TerminalList { terminals }
    TerminalAdded { terminal, token }
    CardType { id, name, customer_type, earn_points, earn_per, point_value }
    CardTypeList { card_types }
    CardIssued { customer_id, customer_name, card, customer_type, card_type, welcome }
    ImportProblem { row, column, message }
    ImportResult { rows, added, unchanged, balances_opened, errors, dry_run }
    VoucherRedeemed { code, value, customer_name, bill_id, redeemed_at_ms, bill_redeemed }
    TemplatesDraft { sms, whatsapp, email }
    PolicyDraft {
        otp_required, otp_min_value, point_value, min_redeem_points, max_redeem_per_bill,
        otp_length, otp_ttl_secs, max_verify_attempts, resend_cooldown_secs,
        max_sends_per_customer, max_sends_per_terminal, max_sends_per_cashier,
        send_window_secs, daily_message_budget, channels, otp_instruments, override_enabled,
        override_daily_cap, templates, currency, locale, country_calling_code, kiosk_idle_secs,
        earn_points, earn_per, earn_cap_per_bill, reversal_window_secs, time_zone,
        override_store_code, voucher_valid_days, disowned_block_hours,
        customer_messages_per_day, fraud,
    }
    FraudThresholds {
        override_share_pct, no_sale_share_pct, min_redemptions, failed_codes, reversals,
        after_hours, shared_contacts, burst_customers, burst_minutes, opens_at, closes_at,
    }
    NameOf { id, name }
    ReportRow {
        date, at_ms, time, customer_id, customer_name, cashier_id, cashier_name, terminal_id,
        terminal_name, instrument_kind, instrument_label, unit, quantity, bill_id, approved_by,
        redemption_id, count, points, value, reversed, vouchers_taken, vouchers_value,
    }
    VoucherTotals { issued, issued_value, redeemed, redeemed_value, expired, expired_value }
    DeliveryTotals { channel, delivered, failed, awaiting, disowned }
    ReportFilter { from, to, cashier, terminal, customer, instrument, approved_by }
    LiabilityLine {
        instrument_kind, unit, customers, quantity, value, expiring_30, expiring_60,
        expiring_90, expiring_30_value, expiring_60_value, expiring_90_value,
    }
    Liability { lines, as_of_ms, vouchers_outstanding, vouchers_value, total_value }
    CashierSignals {
        staff_id, staff_name, redemptions, value, overrides, failed_codes, no_sale, reversals,
        after_hours, shared_contacts, bursts, flagged,
    }
    CashierReport { from, to, thresholds, cashiers }
    MessagePreview {
        recipients, without_consent, unreachable, not_found, budget_left, text, parts,
    }
    SentMessage {
        id, at_ms, category, channel, audience, text, sent_by, recipients, queued, sent,
        delivered, failed,
    }
    MessageList { messages }
    Consent { customer_id, customer_name, service, promotional }
}

/// Enums written as their snake_case names.
macro_rules! names {
    ($($ty:ident { $($v:ident = $s:literal),* $(,)? })*) => {$(
        impl FromJson for $ty {
            fn from_json(v: &Value) -> Read<Self> {
                match string(v)? {
                    $($s => Ok($ty::$v),)*
                    _ => Err(WireError::new("not a known name")),
                }
            }
        }
    )*};
}

names! {
    Role { Cashier = "cashier", Manager = "manager" }
    TerminalMode { Pos = "pos", Kiosk = "kiosk" }
    Channel { Sms = "sms", Whatsapp = "whatsapp", Email = "email" }
    InstrumentKind {
        Points = "points", Package = "package", Membership = "membership",
        Campaign = "campaign", GiftCard = "gift_card",
    }
    Unit { Points = "points", Sessions = "sessions", Uses = "uses", Credit = "credit" }
    RedemptionStatus {
        AwaitingOtp = "awaiting_otp", Approved = "approved", Committed = "committed",
        Cancelled = "cancelled", Expired = "expired", Locked = "locked", Reversed = "reversed",
    }
    ApprovalStatus { Pending = "pending", Approved = "approved", Declined = "declined" }
    DeliveryStatus {
        Sent = "sent", Delivered = "delivered", Failed = "failed", Disowned = "disowned",
    }
    ReportKind {
        DateCustomer = "date_customer", CustomerDetail = "customer_detail", Cashier = "cashier",
        Terminal = "terminal", Instrument = "instrument", EndOfDay = "end_of_day",
    }
    ApprovedBy { Code = "code", Override = "override", NoCode = "no_code" }
    Category { Service = "service", Promotional = "promotional" }
    Signal {
        Overrides = "overrides", FailedCodes = "failed_codes", NoSale = "no_sale",
        Reversals = "reversals", AfterHours = "after_hours", SharedContact = "shared_contact",
        Burst = "burst",
    }
    Limit { Balance = "balance", Bill = "bill", BillCap = "bill_cap" }
    DeliveryFailureReason {
        NotConfigured = "not_configured", Unreachable = "unreachable", Timeout = "timeout",
        Rejected = "rejected", GatewayError = "gateway_error",
    }
}

impl FromJson for ErrorCode {
    fn from_json(v: &Value) -> Read<Self> {
        let s = string(v)?;
        ErrorCode::ALL
            .iter()
            .find(|c| c.as_str() == s)
            .copied()
            .ok_or(WireError::new("not a known code"))
    }
}

impl FromJson for Currency {
    fn from_json(v: &Value) -> Read<Self> {
        valid(Currency::parse(string(v)?))
    }
}

impl FromJson for CallingCode {
    fn from_json(v: &Value) -> Read<Self> {
        valid(CallingCode::parse(string(v)?))
    }
}

impl FromJson for Money {
    fn from_json(v: &Value) -> Read<Self> {
        valid(Money::new(field(v, "minor")?, field(v, "currency")?))
    }
}

impl FromJson for Quantity {
    fn from_json(v: &Value) -> Read<Self> {
        valid(Quantity::new(int(v)?))
    }
}

impl FromJson for BillId {
    fn from_json(v: &Value) -> Read<Self> {
        valid(BillId::parse(string(v)?))
    }
}

impl FromJson for Bill {
    fn from_json(v: &Value) -> Read<Self> {
        valid(Bill::new(field(v, "id")?, field(v, "total")?))
    }
}

/// The tag of an internally tagged enum.
fn tag<'a>(v: &'a Value, name: &'static str) -> Read<&'a str> {
    object(v)?;
    v.get(name)
        .ok_or_else(|| WireError::new("missing").at(name))
        .and_then(string)
}

impl FromJson for Purpose {
    fn from_json(v: &Value) -> Read<Self> {
        match tag(v, "kind")? {
            "bill" => Ok(Purpose::Bill {
                bill: field(v, "bill")?,
            }),
            "voucher" => Ok(Purpose::Voucher),
            _ => Err(WireError::new("not a known purpose").at("kind")),
        }
    }
}

impl FromJson for Approval {
    fn from_json(v: &Value) -> Read<Self> {
        match tag(v, "by")? {
            "otp" => Ok(Approval::Otp {
                channel: field(v, "channel")?,
            }),
            "override" => Ok(Approval::Override {
                manager_name: field(v, "manager_name")?,
                reason: field(v, "reason")?,
            }),
            "not_required" => Ok(Approval::NotRequired),
            _ => Err(WireError::new("not a known approval").at("by")),
        }
    }
}

impl FromJson for BillCap {
    fn from_json(v: &Value) -> Read<Self> {
        match tag(v, "kind")? {
            "absolute" => Ok(BillCap::Absolute {
                value: field(v, "value")?,
            }),
            "percent" => Ok(BillCap::Percent {
                percent: field(v, "percent")?,
            }),
            _ => Err(WireError::new("not a known cap").at("kind")),
        }
    }
}

impl FromJson for LoyaltyReport {
    fn from_json(v: &Value) -> Read<Self> {
        let v = object(v)?;
        Ok(LoyaltyReport {
            report: field(v, "report")?,
            filter: field(v, "filter")?,
            rows: field(v, "rows")?,
            more: field(v, "more")?,
            count: field(v, "count")?,
            points: field(v, "points")?,
            value: field(v, "value")?,
            reversed: field(v, "reversed")?,
            vouchers: field(v, "vouchers")?,
            messages: field::<OrEmpty<DeliveryTotals>>(v, "messages")?.0,
        })
    }
}

impl FromJson for AuditPage {
    fn from_json(v: &Value) -> Read<Self> {
        let v = object(v)?;
        Ok(AuditPage {
            entries: field(v, "entries")?,
            next_after: field(v, "next_after")?,
            store_head: field(v, "store_head")?,
            names: field::<OrEmpty<NameOf>>(v, "names")?.0,
        })
    }
}

impl FromJson for StoreDate {
    fn from_json(v: &Value) -> Read<Self> {
        valid(StoreDate::parse(string(v)?))
    }
}

impl FromJson for ClockTime {
    fn from_json(v: &Value) -> Read<Self> {
        ClockTime::parse(string(v)?).ok_or(WireError::new("not valid"))
    }
}

impl FromJson for Policy {
    fn from_json(v: &Value) -> Read<Self> {
        valid(Policy::try_from(PolicyDraft::from_json(v)?))
    }
}

impl FromJson for Problem {
    fn from_json(v: &Value) -> Read<Self> {
        let v = object(v)?;
        Ok(Problem {
            problem_type: field(v, "type")?,
            title: field(v, "title")?,
            status: field(v, "status")?,
            detail: field(v, "detail")?,
            code: field(v, "code")?,
            field: field(v, "field")?,
            attempts_left: field(v, "attempts_left")?,
            retry_after_secs: field(v, "retry_after_secs")?,
            allowed: field(v, "allowed")?,
            errors: field::<OrEmpty<PolicyError>>(v, "errors")?.0,
            delivery_failure: field(v, "delivery_failure")?,
        })
    }
}

/// Parses an answer's body and reads it as `T`.
pub fn from_str<T: FromJson>(text: &str) -> Read<T> {
    let v = super::json::parse(text).map_err(|_| WireError::new("not JSON"))?;
    T::from_json(&v)
}
