//! Wire shapes of the /v1 contract (SPEC §5). The reference server implements them, the app
//! calls them, and the OpenAPI document is generated from them.
//!
//! Authentication: every call but sign-in carries the terminal's token in
//! [`TERMINAL_HEADER`] and, after sign-in, the staff session as `Authorization: Bearer`.
//! Times are Unix milliseconds.

use crate::contact::Channel;
use crate::instrument::{InstrumentBalance, InstrumentKind, Unit};
use crate::money::Money;
use crate::otp::OtpCode;
use crate::quantity::Quantity;
use crate::rules::Purpose;
use serde::{Deserialize, Serialize};

/// Header carrying the per-terminal token.
pub const TERMINAL_HEADER: &str = "x-terminal-token";
/// Header carrying the commit's retry key.
pub const IDEMPOTENCY_HEADER: &str = "idempotency-key";

/// Paths, relative to the backend's base URL.
pub mod paths {
    pub const SESSIONS: &str = "/v1/sessions";
    pub const SESSION_CURRENT: &str = "/v1/sessions/current";
    pub const POLICY: &str = "/v1/policy";
    pub const CUSTOMERS: &str = "/v1/customers";
    pub const REDEMPTIONS: &str = "/v1/redemptions";
    pub const ACCRUALS: &str = "/v1/accruals";
    pub const REPORT: &str = "/v1/reports/redemptions";
    pub const AUDIT: &str = "/v1/audit";
    /// The audit entries of [`AUDIT`]'s filter as CSV, with names.
    pub const AUDIT_EXPORT: &str = "/v1/audit/export";
    /// A loyalty report (`reports::ReportKind` as `report`, `reports::ReportFilter`).
    pub const REPORTS: &str = "/v1/reports/loyalty";
    /// The same report as CSV.
    pub const REPORTS_CSV: &str = "/v1/reports/loyalty.csv";
    /// Loyalty owed to customers now.
    pub const LIABILITY: &str = "/v1/reports/liability";
    pub const LIABILITY_CSV: &str = "/v1/reports/liability.csv";
    /// Cashiers ranked by fraud signals over store days.
    pub const CASHIERS: &str = "/v1/reports/cashiers";
    pub const CASHIERS_CSV: &str = "/v1/reports/cashiers.csv";
    pub const OPENAPI: &str = "/v1/openapi.json";
    /// Self-service kiosk: the customer proves the number or card is theirs.
    pub const KIOSK_IDENTIFY: &str = "/v1/kiosk/identify";
    pub const KIOSK_VERIFY: &str = "/v1/kiosk/verify";
    /// Self-service kiosk: forget the customer (done, or idle); open holds are released.
    pub const KIOSK_FORGET: &str = "/v1/kiosk/forget";
    /// A manager's list of the store's pending approval requests (S8).
    pub const APPROVALS: &str = "/v1/approvals";
    /// The `action` of [`redemption_action`] a cashier asks a manager's approval with.
    pub const APPROVAL_REQUEST: &str = "approval-request";
    /// A manager's set-up of their store: staff, terminals, the override code.
    pub const ADMIN_STAFF: &str = "/v1/admin/staff";
    pub const ADMIN_TERMINALS: &str = "/v1/admin/terminals";
    pub const ADMIN_OVERRIDE_CODE: &str = "/v1/admin/override-code";
    /// Loyalty card types (seed 004), and a card number issued to a customer.
    pub const ADMIN_CARD_TYPES: &str = "/v1/admin/card-types";
    pub const ADMIN_CARDS: &str = "/v1/admin/cards";
    /// A customer master as CSV (`text/csv` body); `?dry_run=true` checks without writing.
    pub const ADMIN_IMPORT: &str = "/v1/admin/customers/import";
    /// Messages a manager sends to customers (seed 004): the list and sending one, what one
    /// would do, and a customer's consent to them.
    pub const ADMIN_MESSAGES: &str = "/v1/admin/messages";
    pub const ADMIN_MESSAGES_PREVIEW: &str = "/v1/admin/messages/preview";
    pub const ADMIN_CONSENT: &str = "/v1/admin/customers/consent";
    /// A printed loyalty voucher presented at the till, applied to a bill once.
    pub const VOUCHER_REDEEM: &str = "/v1/vouchers/redeem";
    /// A provider's delivery reports on the messages its gateway took (issue 16); not the
    /// app's: the provider calls it, proving itself with the gateway's secret.
    pub const DELIVERY_REPORTS: &str = "/v1/delivery-reports/{channel}";
    /// Customers' replies to a code's message ("I did not ask for this"), passed on by the
    /// provider (issue 16); proven like delivery reports.
    pub const REPLIES: &str = "/v1/replies/{channel}";

    pub fn balance(customer_id: &str) -> String {
        format!("{CUSTOMERS}/{customer_id}/balance")
    }
    pub fn redemption(id: &str) -> String {
        format!("{REDEMPTIONS}/{id}")
    }
    /// `action` is one of `otp`, `verify`, `override`, `approval-request`, `commit`,
    /// `cancel`, `reverse`.
    pub fn redemption_action(id: &str, action: &str) -> String {
        format!("{REDEMPTIONS}/{id}/{action}")
    }
    /// `action` is `approve` or `decline`.
    pub fn approval_action(id: &str, action: &str) -> String {
        format!("{APPROVALS}/{id}/{action}")
    }
    /// `action` is `disable` or `pin`.
    pub fn staff_action(id: &str, action: &str) -> String {
        format!("{ADMIN_STAFF}/{id}/{action}")
    }
    pub fn terminal_revoke(id: &str) -> String {
        format!("{ADMIN_TERMINALS}/{id}/revoke")
    }
    pub fn card_type(id: &str) -> String {
        format!("{ADMIN_CARD_TYPES}/{id}")
    }
    pub fn import(dry_run: bool) -> String {
        format!("{ADMIN_IMPORT}?dry_run={dry_run}")
    }
    /// A report, as JSON or (`csv`) as a CSV file.
    pub fn report(
        kind: crate::reports::ReportKind,
        filter: &crate::reports::ReportFilter,
        csv: bool,
    ) -> String {
        let path = if csv { REPORTS_CSV } else { REPORTS };
        format!("{path}?report={}&{}", kind.as_str(), filter.query())
    }
    /// Cashiers' signals over the filter's days (its other fields are ignored).
    pub fn cashiers(filter: &crate::reports::ReportFilter, csv: bool) -> String {
        let path = if csv { CASHIERS_CSV } else { CASHIERS };
        format!("{path}?from={}&to={}", filter.from, filter.to)
    }
    /// The audit log, filtered; as CSV with `export`.
    pub fn audit(filter: &super::AuditFilter, export: bool) -> String {
        let path = if export { AUDIT_EXPORT } else { AUDIT };
        match filter.query() {
            q if q.is_empty() => path.to_string(),
            q => format!("{path}?{q}"),
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Role {
    Cashier,
    Manager,
}

/// How a terminal is used; a kiosk's session belongs to no staff member.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum TerminalMode {
    Pos,
    Kiosk,
}

#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SignIn {
    /// The staff member's code, e.g. "C001".
    pub staff_code: String,
    pub pin: String,
}

#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StaffInfo {
    pub id: String,
    pub name: String,
    pub role: Role,
}

#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TerminalInfo {
    pub id: String,
    pub name: String,
    pub mode: TerminalMode,
}

#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StoreInfo {
    pub id: String,
    pub name: String,
    pub merchant_name: String,
}

/// A signed-in staff member on a terminal.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Session {
    /// Bearer token for later calls. Kept in memory by the app, never in browser storage.
    pub token: String,
    pub expires_at_ms: i64,
    pub staff: StaffInfo,
    pub terminal: TerminalInfo,
    pub store: StoreInfo,
}

#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CustomerSummary {
    pub id: String,
    pub name: String,
    /// `+91 ••••••3210`
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub masked_mobile: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub masked_email: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub masked_card: Option<String>,
    /// Channels the store may send this customer a code through (enabled and reachable), in
    /// the order to offer them: the one the customer last read a code on first (the app
    /// preselects the first), then the store's order.
    pub channels: Vec<Channel>,
}

#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CustomerSearch {
    pub customers: Vec<CustomerSummary>,
}

#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Balance {
    pub customer: CustomerSummary,
    pub instruments: Vec<InstrumentBalance>,
    pub as_of_ms: i64,
}

/// `POST /v1/kiosk/identify`, in a self-service kiosk session: the customer typed their own
/// mobile number or card number. A code goes to their registered contact (answer: [`OtpSent`]);
/// nothing about them is shown until `POST /v1/kiosk/verify` ([`Verify`]) accepts it and
/// answers with their [`Balance`]. From then on the session may read and redeem for that
/// customer only, until `POST /v1/kiosk/forget` or the policy's kiosk idle time passes.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct KioskIdentify {
    /// A mobile number or a loyalty card number (no names: a kiosk cannot browse customers).
    pub query: String,
    /// Where to send the code; the customer's first reachable channel when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channel: Option<Channel>,
}

/// `POST /v1/redemptions`: hold `quantity` of an instrument for a bill or a voucher.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CreateRedemption {
    pub customer_id: String,
    pub instrument_id: String,
    pub quantity: Quantity,
    pub purpose: Purpose,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum RedemptionStatus {
    /// Held; waiting for the customer's code (or an override).
    AwaitingOtp,
    /// Code verified, override accepted, or no code needed: ready to commit.
    Approved,
    Committed,
    Cancelled,
    /// The hold lapsed without a commit.
    Expired,
    /// Too many wrong codes.
    Locked,
    Reversed,
}

impl RedemptionStatus {
    /// Whether the redemption can still change (the hold is live).
    pub fn is_open(&self) -> bool {
        matches!(
            self,
            RedemptionStatus::AwaitingOtp | RedemptionStatus::Approved
        )
    }
}

/// Where the last code went and what the cashier may do next.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OtpSent {
    pub channel: Channel,
    /// Masked destination, e.g. `+91 ••••••3210`.
    pub destination: String,
    pub expires_at_ms: i64,
    pub resend_after_ms: i64,
    pub attempts_left: u8,
    /// `true` when the amount and the store went first in a message of their own, because
    /// the code goes by a template that cannot state them (WhatsApp's authentication
    /// templates); absent otherwise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amount_first: Option<bool>,
    /// What the provider has reported of the message since, when the channel's gateway sends
    /// delivery reports; absent otherwise ("sent" is then all anyone knows).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delivery: Option<Delivery>,
}

/// A provider's report on one message (issue 16): the gateway took it, the phone got it, or
/// the operator could not deliver it.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Delivery {
    pub status: DeliveryStatus,
    /// Why it failed, in the provider's words (e.g. "DND number", "absent subscriber"): at
    /// most [`Delivery::REASON_CHARS`] printable characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// When the provider's report arrived (or the message was handed over, while `sent`).
    pub at_ms: i64,
}

impl Delivery {
    pub const REASON_CHARS: usize = 120;

    /// A provider's reason as it may be shown and stored: control characters become spaces,
    /// runs of white space one space, cut to [`Delivery::REASON_CHARS`]; `None` when nothing
    /// printable is left. A reason may quote the message itself (an SMPP delivery receipt's
    /// `text:` holds its first characters), so every run of 4 or more digits is hidden (S1),
    /// unless the reason is that number alone (a provider's error code, e.g. `30003`).
    pub fn clean_reason(raw: &str) -> Option<String> {
        let printable: String = raw
            .chars()
            .map(|c| if c.is_control() { ' ' } else { c })
            .collect();
        let words: Vec<&str> = printable.split_whitespace().collect();
        let mut joined = words.join(" ");
        if !joined.chars().all(|c| c.is_ascii_digit()) {
            let mut hidden = String::with_capacity(joined.len());
            let mut run = String::new();
            let flush = |run: &mut String, out: &mut String| {
                if run.len() >= 4 {
                    out.push('•');
                } else {
                    out.push_str(run);
                }
                run.clear();
            };
            for c in joined.chars() {
                if c.is_ascii_digit() {
                    run.push(c);
                } else {
                    flush(&mut run, &mut hidden);
                    hidden.push(c);
                }
            }
            flush(&mut run, &mut hidden);
            joined = hidden;
        }
        let cut: String = joined.chars().take(Self::REASON_CHARS).collect();
        Some(cut).filter(|r| !r.is_empty())
    }

    /// A final report (delivered or failed) is never replaced by a later one: providers send
    /// reports out of order, and a "sent" arriving after "delivered" says nothing new.
    pub fn is_final(&self) -> bool {
        self.status != DeliveryStatus::Sent
    }
}

#[derive(Clone, Copy, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum DeliveryStatus {
    /// The gateway took the message; no report yet.
    Sent,
    /// The provider reports it reached the phone (or the mailbox).
    Delivered,
    /// The provider reports the operator could not deliver it: the code will not arrive.
    Failed,
    /// The customer replied that they did not ask for it (issue 16): the code is void and
    /// no code may go to them for the policy's `disowned_block_hours`.
    Disowned,
}

impl DeliveryStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            DeliveryStatus::Sent => "sent",
            DeliveryStatus::Delivered => "delivered",
            DeliveryStatus::Failed => "failed",
            DeliveryStatus::Disowned => "disowned",
        }
    }
}

/// A redemption intent as the backend holds it.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Redemption {
    pub id: String,
    pub status: RedemptionStatus,
    pub customer_id: String,
    pub customer_name: String,
    pub instrument_id: String,
    pub instrument_kind: InstrumentKind,
    pub instrument_label: String,
    pub unit: Unit,
    pub quantity: Quantity,
    /// quantity × unit value at the time of the intent; a commit cannot change it.
    pub value: Money,
    pub purpose: Purpose,
    pub otp_required: bool,
    /// The hold is released if not committed by then.
    pub expires_at_ms: i64,
    /// The code last sent, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub otp: Option<OtpSent>,
    pub created_at_ms: i64,
    /// The last request for a manager's approval, if the cashier made one (S8).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub approval_request: Option<ApprovalRequest>,
}

#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SendOtp {
    pub channel: Channel,
}

#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Verify {
    pub code: OtpCode,
}

/// "Customer did not get the code": a manager approves with the store's override code.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Override {
    pub manager_code: String,
    pub manager_pin: String,
    pub override_code: String,
    pub reason: String,
}

/// `POST /v1/redemptions/{id}/approval-request`: the customer did not get the code, so the
/// cashier asks a manager to approve on the manager's own signed-in device. Nothing secret
/// is typed at the till (S8).
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RequestApproval {
    /// e.g. "SMS not delivered".
    pub reason: String,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum ApprovalStatus {
    /// Waiting for a manager.
    Pending,
    /// A manager approved: the redemption is `approved`.
    Approved,
    /// A manager declined: the redemption still waits for the customer's code.
    Declined,
}

/// A cashier's request for a manager's approval of one redemption, as the manager sees it.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ApprovalRequest {
    pub id: String,
    pub status: ApprovalStatus,
    pub redemption_id: String,
    pub customer_name: String,
    pub instrument_kind: InstrumentKind,
    pub instrument_label: String,
    pub unit: Unit,
    pub quantity: Quantity,
    pub value: Money,
    /// The bill's number; absent for a printed voucher.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bill_id: Option<String>,
    /// Who asked, and at which terminal.
    pub cashier_name: String,
    pub terminal_name: String,
    pub reason: String,
    pub requested_at_ms: i64,
    /// The redemption's hold lapses then: approve before.
    pub expires_at_ms: i64,
    /// The manager who approved or declined it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decided_by: Option<String>,
}

/// `GET /v1/approvals`: the store's pending requests, oldest first.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ApprovalList {
    pub requests: Vec<ApprovalRequest>,
}

/// How a committed redemption was approved.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(tag = "by", rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Approval {
    Otp {
        channel: Channel,
    },
    Override {
        manager_name: String,
        reason: String,
    },
    NotRequired,
}

/// A printed loyalty voucher (points turned into a voucher, seed 004).
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Voucher {
    pub code: String,
    pub value: Money,
    pub valid_until_ms: i64,
    /// Where the voucher's code was sent as well (masked), so losing the paper loses
    /// nothing; absent when it was not sent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sent_to: Option<String>,
}

#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Receipt {
    pub redemption_id: String,
    pub customer_name: String,
    pub instrument_kind: InstrumentKind,
    pub instrument_label: String,
    pub unit: Unit,
    pub quantity: Quantity,
    pub value: Money,
    pub balance_before: u64,
    pub balance_after: u64,
    pub purpose: Purpose,
    pub approval: Approval,
    pub cashier_name: String,
    pub terminal_name: String,
    pub store_name: String,
    pub committed_at_ms: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub voucher: Option<Voucher>,
    /// For a bill: the value loyalty has taken from it so far, this redemption and every
    /// other open hold and posted redemption on the same bill included (S12). What is left
    /// to pay is the bill's total less this.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bill_redeemed: Option<Money>,
}

#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Reverse {
    /// e.g. "bill voided", "goods returned".
    pub reason: String,
}

#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Reversal {
    pub redemption_id: String,
    pub quantity_restored: Quantity,
    pub balance_after: u64,
    pub reason: String,
    pub reversed_at_ms: i64,
}

/// `POST /v1/accruals`: points earned on a sale. The backend computes the points from the
/// bill's total and the store's earn rate (`rules::points_earned`, S12); a request that
/// names its own `points` is refused.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CreateAccrual {
    pub customer_id: String,
    pub bill: crate::bill::Bill,
}

#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Accrual {
    pub id: String,
    pub customer_id: String,
    pub bill_id: String,
    pub points: Quantity,
    pub balance_after: u64,
    pub at_ms: i64,
}

/// One row of the append-only, hash-chained audit log (S7). Never holds a code.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AuditEntry {
    pub seq: u64,
    pub at_ms: i64,
    /// e.g. `otp_sent`, `otp_verified`, `otp_rejected`, `approval_requested`, `override`,
    /// `approval_declined`, `commit`, `cancel`, `reverse`, `policy_changed`, `accrual`,
    /// `sign_in`.
    pub action: String,
    pub store_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub terminal_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub staff_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub redemption_id: Option<String>,
    /// Action-specific facts as a JSON object.
    pub detail: String,
    /// Hex SHA-256 of the previous entry (all zeros for the first).
    pub prev_hash: String,
    /// Hex SHA-256 over this entry's fields and `prev_hash`.
    pub hash: String,
    /// Its link in its store's own chain ([`crate::audit::store_link`]); absent on entries
    /// written before the store chain began.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub store_hash: Option<String>,
}

/// A staff member's or terminal's name, for ids an answer mentions.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NameOf {
    pub id: String,
    pub name: String,
}

/// Which audit entries a manager reads: an action, a staff member, store days (all optional).
#[derive(Clone, PartialEq, Eq, Debug, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
pub struct AuditFilter {
    /// Only entries after this seq (paging).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub after: Option<u64>,
    /// At most this many (default 100, max 1000).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<u32>,
    /// e.g. `override`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub action: Option<String>,
    /// A staff member's id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub staff: Option<String>,
    /// First store day.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<crate::reports::StoreDate>,
    /// Last store day (included).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<crate::reports::StoreDate>,
}

impl AuditFilter {
    /// As a query string (without `?`), empty when nothing is set.
    pub fn query(&self) -> String {
        let enc = crate::reports::percent_encode;
        let parts = [
            ("after", self.after.map(|v| v.to_string())),
            ("limit", self.limit.map(|v| v.to_string())),
            ("action", self.action.as_deref().map(enc)),
            ("staff", self.staff.as_deref().map(enc)),
            ("from", self.from.map(|d| d.to_string())),
            ("to", self.to.map(|d| d.to_string())),
        ];
        parts
            .into_iter()
            .filter_map(|(k, v)| v.map(|v| format!("{k}={v}")))
            .collect::<Vec<_>>()
            .join("&")
    }

    /// Whether only some of the store's entries are asked for (then they cannot be
    /// checked as a chain).
    pub fn is_filtered(&self) -> bool {
        self.action.is_some() || self.staff.is_some() || self.from.is_some() || self.to.is_some()
    }
}

#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AuditPage {
    pub entries: Vec<AuditEntry>,
    /// Pass as `after` to read on; absent at the end.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_after: Option<u64>,
    /// The store chain's newest link when this page was read (absent before it began).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub store_head: Option<String>,
    /// Names of the staff and terminals these entries mention.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub names: Vec<NameOf>,
}

#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReportLine {
    pub instrument_kind: InstrumentKind,
    pub count: u64,
    pub quantity: u64,
    pub value: Money,
}

/// Redemptions committed in a period, for the manager.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RedemptionReport {
    pub from_ms: i64,
    pub to_ms: i64,
    pub lines: Vec<ReportLine>,
    pub total_value: Money,
    pub overrides: u64,
    pub reversals: u64,
    pub failed_verifications: u64,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bill::Bill;
    use crate::money::Currency;

    #[test]
    fn create_redemption_wire_shape() {
        let body = CreateRedemption {
            customer_id: "c1".into(),
            instrument_id: "pts".into(),
            quantity: Quantity::new(500).unwrap(),
            purpose: Purpose::Bill {
                bill: Bill::new(
                    crate::BillId::parse("123").unwrap(),
                    Money::new(120_000, Currency::INR).unwrap(),
                )
                .unwrap(),
            },
        };
        let v = serde_json::to_value(&body).unwrap();
        assert_eq!(v["quantity"], 500);
        assert_eq!(v["purpose"]["kind"], "bill");
        assert_eq!(v["purpose"]["bill"]["total"]["minor"], 120_000);
        assert_eq!(serde_json::from_value::<CreateRedemption>(v).unwrap(), body);
        let bad =
            r#"{"customer_id":"c1","instrument_id":"p","quantity":0,"purpose":{"kind":"voucher"}}"#;
        assert!(
            serde_json::from_str::<CreateRedemption>(bad).is_err(),
            "zero quantity is refused on the wire"
        );
    }

    #[test]
    fn verify_refuses_malformed_codes_on_the_wire() {
        assert!(serde_json::from_str::<Verify>(r#"{"code":"12 456"}"#).is_err());
        assert!(serde_json::from_str::<Verify>(r#"{"code":"123456"}"#).is_ok());
    }

    #[test]
    fn paths() {
        assert_eq!(paths::balance("c9"), "/v1/customers/c9/balance");
        assert_eq!(
            paths::redemption_action("r1", "commit"),
            "/v1/redemptions/r1/commit"
        );
        assert_eq!(
            paths::redemption_action("r1", paths::APPROVAL_REQUEST),
            "/v1/redemptions/r1/approval-request"
        );
        assert_eq!(
            paths::approval_action("apr-1", "approve"),
            "/v1/approvals/apr-1/approve"
        );
        assert!(RedemptionStatus::Approved.is_open());
        assert!(!RedemptionStatus::Committed.is_open());
    }
}

/// A staff member as a manager sees them (never their PIN).
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StaffMember {
    pub id: String,
    /// What they type at the till.
    pub code: String,
    pub name: String,
    pub role: Role,
    /// Their mobile (E.164), where alerts for a manager go and against which customers'
    /// contacts are compared (a cashier's own number on a customer is a fraud signal).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mobile: Option<String>,
    /// They get the store's daily sales summary by SMS at closing time (seed 004); needs a
    /// mobile.
    #[serde(default)]
    pub daily_summary: bool,
}

/// Whether a member gets the daily sales summary (`PUT …/staff/{id}/daily-summary`).
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DailySummary {
    pub daily_summary: bool,
}

#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StaffList {
    pub staff: Vec<StaffMember>,
}

/// A new staff member: 1 to 16 letters or digits as their code; a PIN of 4 to 12 digits,
/// not a repeated digit or a run like 1234.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NewStaff {
    pub code: String,
    pub name: String,
    pub role: Role,
    pub pin: String,
    /// Their mobile, as typed (the store's country unless it starts with `+`); optional.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mobile: Option<String>,
}

/// A new PIN (the member's sessions end).
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NewPin {
    pub pin: String,
}

#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TerminalList {
    pub terminals: Vec<TerminalInfo>,
}

#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NewTerminal {
    pub name: String,
    pub mode: TerminalMode,
}

/// A terminal just added, with its token: shown this once, never again (only its hash is kept).
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TerminalAdded {
    pub terminal: TerminalInfo,
    pub token: String,
}

/// The store's new override code: 8 to 12 digits, not a repeated digit or a run.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NewOverrideCode {
    pub code: String,
}

/// One problem of an imported file: where (row 1 is the header) and what to fix.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ImportProblem {
    pub row: u32,
    /// The column's header name, when the problem is one cell.
    pub column: Option<String>,
    pub message: String,
}

/// The columns a customer file may have (`POST /v1/admin/customers/import`): header names, in
/// any order; only `name` is required.
pub const IMPORT_COLUMNS: [&str; 24] = [
    "name",
    "mobile",
    "email",
    "card",
    "whatsapp",
    "points",
    "points_earned",
    "points_expiring",
    "points_expire_on",
    "package",
    "package_sessions",
    "package_session_value",
    "membership",
    "membership_credit",
    "membership_valid_until",
    "campaign",
    "campaign_uses",
    "campaign_use_value",
    "campaign_valid_until",
    "gift_card_balance",
    "customer_type",
    "card_type",
    "consent_service",
    "consent_promotional",
];

/// What an import did or, as a dry run, would do. With any `errors`, nothing was written.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ImportResult {
    /// Data rows read (the header not counted).
    pub rows: u32,
    /// Customers added (a dry run: that would be added).
    pub added: u32,
    /// Already there (the same mobile, card or e-mail): left exactly as they are.
    pub unchanged: u32,
    pub balances_opened: u32,
    pub errors: Vec<ImportProblem>,
    pub dry_run: bool,
}

/// A printed voucher presented at the till (`POST /v1/vouchers/redeem`): its code as typed or
/// scanned (`RGV-XXXX-XXXX-XXXX`; case, spaces and dashes do not matter) and the bill it pays
/// towards.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RedeemVoucher {
    pub code: String,
    pub bill: crate::bill::Bill,
}

/// A voucher applied to a bill: its value is taken off the bill, once.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct VoucherRedeemed {
    /// The code, as printed.
    pub code: String,
    pub value: Money,
    pub customer_name: String,
    pub bill_id: String,
    pub redeemed_at_ms: i64,
    /// Everything loyalty has taken from this bill now, this voucher included (S12).
    pub bill_redeemed: Money,
}

#[cfg(test)]
mod delivery_tests {
    use super::*;

    /// A provider's words reach a cashier's screen: no control characters, no runs of
    /// blanks, never longer than the screen allows; nothing printable is no reason.
    #[test]
    fn a_providers_reason_is_cleaned_before_it_is_kept_or_shown() {
        assert_eq!(
            Delivery::clean_reason("  Absent\tsubscriber\u{7}\r\n(err 34) ").as_deref(),
            Some("Absent subscriber (err 34)")
        );
        assert_eq!(Delivery::clean_reason(" \u{0}\n "), None);
        // The message quoted in a receipt never reaches a screen; an error code alone does.
        assert_eq!(
            Delivery::clean_reason("stat:UNDELIV err:034 text:Your code 482913 for 500 points")
                .as_deref(),
            Some("stat:UNDELIV err:034 text:Your code • for 500 points")
        );
        assert_eq!(Delivery::clean_reason(" 30003 ").as_deref(), Some("30003"));
        let long = "é".repeat(500);
        assert_eq!(
            Delivery::clean_reason(&long).unwrap().chars().count(),
            Delivery::REASON_CHARS
        );
        let report = |status| Delivery {
            status,
            reason: None,
            at_ms: 0,
        };
        assert!(!report(DeliveryStatus::Sent).is_final());
        assert!(report(DeliveryStatus::Delivered).is_final());
        assert!(report(DeliveryStatus::Failed).is_final());
    }
}
