//! Rows as the store keeps them. They carry what the contract's wire shapes leave out
//! (hashes, holds, scoping ids) and convert to those shapes for responses.

use contract::api::{
    Approval, ApprovalRequest, ApprovalStatus, CustomerSummary, OtpSent, Receipt, Redemption,
    RedemptionStatus, Reversal, Role, TerminalMode,
};
use contract::instrument::Expiring;
use contract::reports::ApprovedBy;
use contract::{
    CardNumber, Channel, Email, InstrumentBalance, InstrumentKind, Mobile, Money, Policy, Purpose,
    Quantity, Unit,
};
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug)]
pub struct MerchantRow {
    pub id: String,
    pub name: String,
}

#[derive(Clone, Debug)]
pub struct StoreRow {
    pub id: String,
    pub merchant_id: String,
    pub merchant_name: String,
    pub name: String,
    pub policy: Policy,
    /// Argon2 PHC string of the store's override code, if one is set.
    pub override_hash: Option<String>,
}

#[derive(Clone, Debug)]
pub struct TerminalRow {
    pub id: String,
    pub store_id: String,
    pub name: String,
    pub mode: TerminalMode,
    /// Hex SHA-256 of the terminal token; the token itself is never stored.
    pub token_hash: String,
}

#[derive(Clone, Debug)]
pub struct StaffRow {
    pub id: String,
    pub store_id: String,
    pub code: String,
    pub name: String,
    pub role: Role,
    /// Argon2 PHC string of the PIN.
    pub pin_hash: String,
    /// Their mobile, if given: where a manager's alerts go.
    pub mobile: Option<contract::Mobile>,
    /// They get the daily sales summary by SMS (seed 004).
    pub daily_summary: bool,
}

#[derive(Clone, Debug)]
pub struct SessionRow {
    /// Hex SHA-256 of the bearer token.
    pub token_hash: String,
    pub terminal_id: String,
    /// `None` for a kiosk's self-service session.
    pub staff_id: Option<String>,
    pub expires_at_ms: i64,
}

#[derive(Clone, Debug)]
pub struct CustomerRow {
    pub id: String,
    pub merchant_id: String,
    pub name: String,
    pub mobile: Option<Mobile>,
    pub email: Option<Email>,
    pub card: Option<CardNumber>,
    /// WhatsApp needs the customer's opt-in on top of a mobile number.
    pub whatsapp_opt_in: bool,
    /// The channel the customer last read a code on: offered first.
    pub last_channel: Option<Channel>,
    /// Their customer type (GST, Normal, Institutional…; seed 004), as given: the merchant's
    /// card type of this type (compared without regard to case) sets their earn rate and
    /// point value. `None`: the store's own.
    pub customer_type: Option<String>,
    /// Which messages to customers they agreed to (seed 004), apart by category.
    pub consent: Consents,
}

/// A customer's agreement to messages from the store, by category.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Consents {
    pub service: bool,
    pub promotional: bool,
}

impl Consents {
    pub fn agreed(self, category: contract::outreach::Category) -> bool {
        match category {
            contract::outreach::Category::Service => self.service,
            contract::outreach::Category::Promotional => self.promotional,
        }
    }
}

impl CustomerRow {
    /// The wire shape: contacts masked, and the channels the store may reach them on.
    pub fn summary(&self, policy: &Policy) -> CustomerSummary {
        CustomerSummary {
            id: self.id.clone(),
            name: self.name.clone(),
            masked_mobile: self.mobile.as_ref().map(Mobile::masked),
            masked_email: self.email.as_ref().map(|e| e.masked()),
            masked_card: self.card.as_ref().map(CardNumber::masked),
            channels: self.channels(policy),
        }
    }

    /// The store's channels this customer can be reached on: the one they last read a code
    /// on first (the till preselects it), then the store's order.
    pub fn channels(&self, policy: &Policy) -> Vec<Channel> {
        let mut channels: Vec<Channel> = policy
            .channels
            .iter()
            .copied()
            .filter(|ch| self.reachable_on(*ch))
            .collect();
        if let Some(at) = channels.iter().position(|c| Some(*c) == self.last_channel) {
            channels[..=at].rotate_right(1);
        }
        channels
    }

    /// The channel a message after the fact (a confirmation, a voucher's code) goes by: the
    /// one the customer read the code on, else the store's first channel the customer can be
    /// reached on.
    pub fn message_channel(
        &self,
        channels: &[Channel],
        preferred: Option<Channel>,
    ) -> Option<Channel> {
        preferred
            .filter(|c| self.reachable_on(*c))
            .or_else(|| channels.iter().copied().find(|c| self.reachable_on(*c)))
    }

    pub fn reachable_on(&self, channel: Channel) -> bool {
        match channel {
            Channel::Sms => self.mobile.is_some(),
            Channel::Whatsapp => self.mobile.is_some() && self.whatsapp_opt_in,
            Channel::Email => self.email.is_some(),
        }
    }

    /// The masked destination for a channel, as the cashier may see it.
    pub fn masked_destination(&self, channel: Channel) -> Option<String> {
        if !self.reachable_on(channel) {
            return None;
        }
        match channel {
            Channel::Sms | Channel::Whatsapp => self.mobile.as_ref().map(Mobile::masked),
            Channel::Email => self.email.as_ref().map(Email::masked),
        }
    }

    /// The real destination, for delivery only.
    pub fn destination(&self, channel: Channel) -> Option<String> {
        if !self.reachable_on(channel) {
            return None;
        }
        match channel {
            Channel::Sms | Channel::Whatsapp => {
                self.mobile.as_ref().map(|m| m.as_str().to_string())
            }
            Channel::Email => self.email.as_ref().map(|e| e.as_str().to_string()),
        }
    }
}

/// A merchant's loyalty card type (seed 004): the earn rate and point value of the customers
/// of one customer type.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CardTypeRow {
    pub id: String,
    pub merchant_id: String,
    pub name: String,
    pub customer_type: String,
    pub earn_points: u32,
    pub earn_per: Money,
    pub point_value: Money,
    pub created_at_ms: i64,
    pub updated_at_ms: i64,
}

impl CardTypeRow {
    /// The wire shape.
    pub fn to_contract(&self) -> contract::CardType {
        contract::CardType {
            id: self.id.clone(),
            name: self.name.clone(),
            customer_type: self.customer_type.clone(),
            earn_points: self.earn_points,
            earn_per: self.earn_per,
            point_value: self.point_value,
        }
    }

    /// Whether it is for customers of this type.
    pub fn is_for(&self, customer_type: &str) -> bool {
        contract::cards::same_customer_type(&self.customer_type, customer_type)
    }
}

#[derive(Clone, Debug)]
pub struct InstrumentRow {
    pub id: String,
    pub customer_id: String,
    pub kind: InstrumentKind,
    pub label: String,
    pub unit: Unit,
    /// What the customer owns, holds included.
    pub balance: u64,
    /// Reserved by open redemption intents (S6).
    pub held: u64,
    pub unit_value: Money,
    pub earned: Option<u64>,
    pub expiring: Option<Expiring>,
    pub valid_until_ms: Option<i64>,
}

impl InstrumentRow {
    pub fn available(&self) -> u64 {
        self.balance.saturating_sub(self.held)
    }

    /// The wire shape; points take their value from the policy.
    pub fn to_balance(&self, policy: &Policy, now_ms: i64) -> InstrumentBalance {
        let unit_value = contract::rules::unit_value(policy, self.kind, self.unit_value);
        InstrumentBalance {
            id: self.id.clone(),
            kind: self.kind,
            label: self.label.clone(),
            unit: self.unit,
            available: self.available(),
            unit_value,
            earned: self.earned,
            expiring_soon: self
                .expiring
                .clone()
                .filter(|e| e.at_ms > now_ms && e.quantity > 0),
            valid_until_ms: self.valid_until_ms,
        }
    }
}

/// The live one-time password of an intent. Only the MAC of the code is kept (S2).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct OtpState {
    pub channel: Channel,
    pub destination_masked: String,
    /// Hex HMAC-SHA256(secret, redemption id ‖ code); `None` once used or voided.
    pub code_mac: Option<String>,
    /// Digits in the code when it was sent (the policy may change meanwhile).
    pub length: u8,
    pub sent_at_ms: i64,
    pub expires_at_ms: i64,
    pub resend_after_ms: i64,
    /// The provider's id of the message that carried the code, when its gateway sends
    /// delivery reports: the report that names it updates `delivery`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provider_id: Option<String>,
    /// What the provider reported of that message (issue 16).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delivery: Option<contract::api::Delivery>,
}

impl OtpState {
    /// The code never arrived (or arrives too late to use): it is void, and a new one may be
    /// sent at once. One rule for redemption and kiosk codes.
    pub fn void_undelivered(&mut self, now_ms: i64) {
        self.code_mac = None;
        self.resend_after_ms = now_ms;
    }

    /// What the cashier or kiosk may know about the code.
    pub fn sent(&self, attempts_left: u8) -> OtpSent {
        OtpSent {
            channel: self.channel,
            destination: self.destination_masked.clone(),
            expires_at_ms: self.expires_at_ms,
            resend_after_ms: self.resend_after_ms,
            attempts_left,
            amount_first: None,
            delivery: self.delivery.clone(),
        }
    }
}

/// A redemption intent with everything the backend needs to enforce S3–S6.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct RedemptionRow {
    pub id: String,
    pub store_id: String,
    pub terminal_id: String,
    pub staff_id: Option<String>,
    pub customer_id: String,
    pub customer_name: String,
    pub instrument_id: String,
    pub instrument_kind: InstrumentKind,
    pub instrument_label: String,
    pub unit: Unit,
    pub quantity: Quantity,
    pub value: Money,
    pub purpose: Purpose,
    pub otp_required: bool,
    pub max_verify_attempts: u8,
    pub status: RedemptionStatus,
    pub created_at_ms: i64,
    pub expires_at_ms: i64,
    pub otp: Option<OtpState>,
    pub failed_attempts: u8,
    pub approval: Option<Approval>,
    pub committed_at_ms: Option<i64>,
    pub reversal: Option<Reversal>,
    /// Set when a self-service kiosk created the intent for the customer it identified; the
    /// intent is cancelled when that identification ends.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub identification_id: Option<String>,
    /// Approved without a code only because its value was below `otp_min_value`: it counts
    /// towards the customer's no-code total per bill and per store day (S12).
    #[serde(default)]
    pub no_code: bool,
    /// The staff member who posted (committed) it: within the policy's reversal window they
    /// may reverse it themselves.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub posted_by: Option<String>,
    /// The cashier's last request for a manager's approval (S8), if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub approval_request: Option<ApprovalRequestRow>,
    /// The store day (YYYY-MM-DD, the store's time zone) it was posted on: reports count it
    /// under that day.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub committed_day: Option<String>,
}

impl RedemptionRow {
    /// How it was approved, once posted: the customer's code, a manager's override (at the
    /// till or on the manager's device), or no code needed.
    pub fn approved_by(&self) -> Option<ApprovedBy> {
        self.committed_at_ms?;
        Some(match &self.approval {
            Some(Approval::Otp { .. }) => ApprovedBy::Code,
            Some(Approval::Override { .. }) => ApprovedBy::Override,
            Some(Approval::NotRequired) | None => ApprovedBy::NoCode,
        })
    }

    /// Who a report counts it for: the staff member who posted it, else the one who began it.
    pub fn cashier_id(&self) -> Option<&str> {
        self.posted_by.as_deref().or(self.staff_id.as_deref())
    }

    /// The channel the customer read this redemption's code on, once it was verified.
    pub fn code_channel(&self) -> Option<Channel> {
        match &self.approval {
            Some(Approval::Otp { channel }) => Some(*channel),
            _ => None,
        }
    }
}

/// A cashier's request that a manager approve the redemption on the manager's own device.
/// Kept with the intent (the store indexes its id, and whether it is pending).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct ApprovalRequestRow {
    pub id: String,
    pub status: ApprovalStatus,
    pub reason: String,
    /// The staff member who asked (no manager may approve their own request).
    pub requested_by: Option<String>,
    pub cashier_name: String,
    pub terminal_name: String,
    pub requested_at_ms: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decided_by: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decided_by_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decided_at_ms: Option<i64>,
}

impl RedemptionRow {
    pub fn attempts_left(&self) -> u8 {
        self.max_verify_attempts
            .saturating_sub(self.failed_attempts)
    }

    pub fn to_api(&self) -> Redemption {
        Redemption {
            id: self.id.clone(),
            status: self.status,
            customer_id: self.customer_id.clone(),
            customer_name: self.customer_name.clone(),
            instrument_id: self.instrument_id.clone(),
            instrument_kind: self.instrument_kind,
            instrument_label: self.instrument_label.clone(),
            unit: self.unit,
            quantity: self.quantity,
            value: self.value,
            purpose: self.purpose.clone(),
            otp_required: self.otp_required,
            expires_at_ms: self.expires_at_ms,
            otp: self.otp.as_ref().map(|o| o.sent(self.attempts_left())),
            created_at_ms: self.created_at_ms,
            approval_request: self.approval_request_api(),
        }
    }

    /// The request for a manager's approval as the wire shows it (manager and till alike).
    pub fn approval_request_api(&self) -> Option<ApprovalRequest> {
        let a = self.approval_request.as_ref()?;
        Some(ApprovalRequest {
            id: a.id.clone(),
            status: a.status,
            redemption_id: self.id.clone(),
            customer_name: self.customer_name.clone(),
            instrument_kind: self.instrument_kind,
            instrument_label: self.instrument_label.clone(),
            unit: self.unit,
            quantity: self.quantity,
            value: self.value,
            bill_id: self.purpose.bill().map(|b| b.id().as_str().to_string()),
            cashier_name: a.cashier_name.clone(),
            terminal_name: a.terminal_name.clone(),
            reason: a.reason.clone(),
            requested_at_ms: a.requested_at_ms,
            expires_at_ms: self.expires_at_ms,
            decided_by: a.decided_by_name.clone(),
        })
    }

    /// Waiting for a manager: a pending request on an intent still waiting for its code.
    pub fn approval_pending(&self) -> bool {
        self.status == RedemptionStatus::AwaitingOtp
            && self
                .approval_request
                .as_ref()
                .is_some_and(|a| a.status == ApprovalStatus::Pending)
    }
}

/// Where a kiosk identification stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IdentificationStatus {
    /// A code went out; the customer has not typed it yet.
    AwaitingCode,
    /// Too many wrong codes: only a new identification helps.
    Locked,
    /// The code was right: the session may read and redeem for this customer.
    Bound,
    /// Forgotten (done, idle, signed out or replaced by a new identification).
    Ended,
}

/// A self-service kiosk customer proving a mobile or card number is theirs (S1–S5 apply to
/// its code exactly as to a redemption's).
#[derive(Clone, Debug)]
pub struct IdentificationRow {
    pub id: String,
    /// Hex SHA-256 of the kiosk session's bearer token: the identification is that session's.
    pub session_hash: String,
    pub store_id: String,
    pub terminal_id: String,
    pub customer_id: String,
    pub status: IdentificationStatus,
    /// The code last sent; its MAC binds it to this identification's id.
    pub otp: OtpState,
    pub max_attempts: u8,
    pub failed_attempts: u8,
    pub bound_at_ms: Option<i64>,
    /// The last call that used the binding.
    pub last_used_ms: Option<i64>,
    /// The binding lapses at this time unless a call uses it first.
    pub idle_until_ms: Option<i64>,
    pub created_at_ms: i64,
    pub ended_at_ms: Option<i64>,
}

impl IdentificationRow {
    pub fn attempts_left(&self) -> u8 {
        self.max_attempts.saturating_sub(self.failed_attempts)
    }
}

/// A committed receipt exactly as first sent, so a retry replays it byte for byte.
#[derive(Clone, Debug)]
pub struct StoredReceipt {
    pub receipt: Receipt,
    pub bytes: Vec<u8>,
}

#[derive(Clone, Debug)]
pub struct IdempotencyRow {
    pub store_id: String,
    pub key: String,
    /// Hex SHA-256 of what was asked (redemption id and body).
    pub fingerprint: String,
    pub redemption_id: String,
    pub response: Vec<u8>,
    pub created_at_ms: i64,
}

#[derive(Clone, Copy, Debug)]
pub enum SendScope<'a> {
    Customer(&'a str),
    Terminal(&'a str),
    Staff(&'a str),
    Store(&'a str),
}

#[derive(Clone, Debug)]
pub struct SendRow {
    pub store_id: String,
    pub customer_id: String,
    pub terminal_id: String,
    pub staff_id: Option<String>,
    pub at_ms: i64,
    /// When the store day the send counts in began (midnight in the store's time zone): the
    /// key of the store's daily message budget.
    pub store_day_ms: i64,
}

/// A printed voucher, by its code's hash; redeemed once, at a till, towards a bill.
#[derive(Clone, Debug)]
pub struct VoucherRow {
    pub id: String,
    pub code_hash: String,
    pub merchant_id: String,
    pub store_id: String,
    pub redemption_id: String,
    pub customer_id: String,
    pub customer_name: String,
    pub value: Money,
    pub issued_at_ms: i64,
    pub valid_until_ms: i64,
    pub redeemed_at_ms: Option<i64>,
    pub redeemed_store_id: Option<String>,
    pub redeemed_bill_id: Option<String>,
    pub redeemed_bill_total_minor: Option<u64>,
    pub redeemed_by: Option<String>,
    /// The till it was taken at, and that store day (YYYY-MM-DD, the store's time zone).
    pub redeemed_terminal_id: Option<String>,
    pub redeemed_day: Option<String>,
}

#[derive(Clone, Debug)]
pub struct AccrualRow {
    pub id: String,
    pub store_id: String,
    pub customer_id: String,
    pub bill_id: String,
    pub points: Quantity,
    pub balance_after: u64,
    pub at_ms: i64,
}

/// What earlier redemptions took from one bill (S12): open holds (not yet lapsed) and
/// posted redemptions, and a total this bill number was used with that differs from the one
/// asked about, if any.
#[derive(Clone, Debug, Default)]
pub struct BillUsage {
    pub redeemed_minor: u64,
    pub other_total_minor: Option<u64>,
}

/// Which of a customer's no-code redemptions to add up.
#[derive(Clone, Copy, Debug)]
pub enum NoCodeScope<'a> {
    Bill(&'a str),
    Since(i64),
}

/// Committed redemptions of one kind in a period.
#[derive(Clone, Debug)]
pub struct ReportRow {
    pub kind: InstrumentKind,
    pub count: u64,
    pub quantity: u64,
    pub value_minor: u64,
}

/// Which posted redemptions a report reads: a store's days (YYYY-MM-DD, both included) and
/// optional filters (ids; the kind and approval in their stored form).
#[derive(Clone, Debug)]
pub struct ReportQuery<'a> {
    pub store_id: &'a str,
    pub from_day: String,
    pub to_day: String,
    pub cashier: Option<&'a str>,
    pub terminal: Option<&'a str>,
    pub customer: Option<&'a str>,
    pub instrument: Option<&'static str>,
    pub approved_by: Option<&'static str>,
}

impl<'a> ReportQuery<'a> {
    pub fn new(store_id: &'a str, f: &'a contract::reports::ReportFilter) -> ReportQuery<'a> {
        ReportQuery {
            store_id,
            from_day: f.from.to_string(),
            to_day: f.to.to_string(),
            cashier: f.cashier.as_deref(),
            terminal: f.terminal.as_deref(),
            customer: f.customer.as_deref(),
            instrument: f.instrument.map(|k| k.as_str()),
            approved_by: f.approved_by.map(|a| a.as_str()),
        }
    }
}

/// Standing redemptions (count, points, value in minor units, quantity) and reversed ones.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ReportSums {
    pub count: u64,
    pub points: u64,
    pub value_minor: u64,
    pub quantity: u64,
    pub reversed: u64,
}

impl ReportSums {
    /// Both together (a report's groups add up to its totals).
    pub fn add(&mut self, other: &ReportSums) {
        self.count += other.count;
        self.points += other.points;
        self.value_minor += other.value_minor;
        self.quantity += other.quantity;
        self.reversed += other.reversed;
    }
}

/// One group of a report: the keys its kind groups by, and its sums.
#[derive(Clone, Debug, Default)]
pub struct ReportGroup {
    pub day: Option<String>,
    pub customer_id: Option<String>,
    pub customer_name: Option<String>,
    pub staff_id: Option<String>,
    pub terminal_id: Option<String>,
    pub kind: Option<InstrumentKind>,
    pub unit: Option<Unit>,
    pub sums: ReportSums,
}

#[derive(Clone, Debug, Default)]
pub struct VoucherSums {
    pub issued: u64,
    pub issued_minor: u64,
    pub redeemed: u64,
    pub redeemed_minor: u64,
    pub expired: u64,
    pub expired_minor: u64,
}

/// The names of a store's staff and terminals by id, disabled staff and revoked terminals
/// included (the audit log still mentions them).
#[derive(Clone, Debug, Default)]
pub struct StoreNames {
    pub staff: std::collections::HashMap<String, String>,
    pub terminals: std::collections::HashMap<String, String>,
}

/// Which of a store's audit entries to read: after a seq, and optionally of one action, one
/// staff member, and at or after `from_ms` and before `to_ms`.
#[derive(Clone, Debug, Default)]
pub struct AuditSearch {
    pub after: u64,
    /// An action's stored name (`audit::Action::as_str`).
    pub action: Option<&'static str>,
    pub staff_id: Option<String>,
    pub from_ms: Option<i64>,
    pub to_ms: Option<i64>,
}

/// A store's newest link in its own audit chain, at the entry that carries it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoreHead {
    pub store_id: String,
    pub seq: u64,
    pub link: String,
}

/// Loyalty held now of one kind and unit: customers, quantity and value, and what of it
/// expires within 30, 60 and 90 days (quantities, values).
#[derive(Clone, Debug)]
pub struct LiabilitySums {
    pub kind: InstrumentKind,
    pub unit: Unit,
    pub customers: u64,
    pub quantity: u64,
    pub value_minor: u64,
    pub expiring: [(u64, u64); 3],
}

/// A redemption posted by a staff member, as the cashiers' signals read it.
#[derive(Clone, Debug)]
pub struct CashierEvent {
    pub staff_id: String,
    pub at_ms: i64,
    pub customer_id: String,
    pub approved_by: Option<ApprovedBy>,
    pub reversed: bool,
    pub value_minor: u64,
    /// On no bill, or on a bill with no sale (accrual) recorded at the store.
    pub no_sale: bool,
}

/// A message a provider took, and what it reported of it since (issue 16). A report that
/// arrives before the send is recorded has no redemption yet.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeliveryRow {
    pub channel: Channel,
    pub provider_id: String,
    /// The store and redemption whose code (or notice) it carried; `None` for other
    /// messages, and for a report that came before its send was recorded.
    pub store_id: Option<String>,
    pub redemption_id: Option<String>,
    /// `otp`, `identify`, `redeemed`, … (`None` until the send is recorded).
    pub kind: Option<String>,
    pub status: contract::api::DeliveryStatus,
    pub reason: Option<String>,
    pub sent_at_ms: Option<i64>,
    pub reported_at_ms: Option<i64>,
}

impl DeliveryRow {
    /// What the till may know of it.
    pub fn delivery(&self) -> contract::api::Delivery {
        contract::api::Delivery {
            status: self.status,
            reason: self.reason.clone(),
            at_ms: self.reported_at_ms.or(self.sent_at_ms).unwrap_or_default(),
        }
    }
}

/// A message a manager sent to customers (seed 004).
#[derive(Clone, Debug)]
pub struct OutreachRow {
    pub id: String,
    pub store_id: String,
    pub staff_id: String,
    pub category: contract::outreach::Category,
    pub channel: Channel,
    /// Who it was for, as a manager reads it.
    pub audience: String,
    /// As written, placeholders not filled in.
    pub text: String,
    pub at_ms: i64,
    pub recipients: u32,
}

/// A message with how its sends went (a provider's reports, where it sends them).
#[derive(Clone, Debug)]
pub struct OutreachSummary {
    pub row: OutreachRow,
    pub staff_name: String,
    pub queued: u32,
    pub sent: u32,
    pub delivered: u32,
    pub failed: u32,
}
