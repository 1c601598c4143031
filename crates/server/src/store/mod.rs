//! Persistence behind two traits so another database (PostgreSQL for chains, planned) can
//! follow: [`Tx`] is what business logic may do inside one transaction, [`Store`] runs units
//! of work as transactions, and [`Db::run`] is the seam the rest of the server calls. The
//! logic modules (ledger, challenge engine, audit) only ever see `&mut dyn Tx`.

pub mod sqlite;

use crate::error::{ApiError, ApiResult};
use crate::model::*;
use contract::api::AuditEntry;
use contract::{Channel, Policy};
use std::any::Any;
use tokio::sync::oneshot;

/// Row-level operations inside one transaction, grouped by area (each area is a trait of its
/// own, so an implementation can keep each in a file of its own). Every read is scoped by
/// the caller (merchant or store id) so one merchant can never see another's rows (S9).
/// Logic only ever sees `&mut dyn Tx`.
pub trait Tx:
    TenancyTx
    + CustomerTx
    + CardTx
    + RedemptionTx
    + VoucherTx
    + LimitTx
    + KioskTx
    + AuditTx
    + ReportTx
    + DeliveryTx
    + OutreachTx
{
}

impl<
        T: TenancyTx
            + CustomerTx
            + CardTx
            + RedemptionTx
            + VoucherTx
            + LimitTx
            + KioskTx
            + AuditTx
            + ReportTx
            + DeliveryTx
            + OutreachTx
            + ?Sized,
    > Tx for T
{
}

/// Merchants, stores, terminals, staff and sessions.
pub trait TenancyTx {
    fn insert_merchant(&mut self, m: &MerchantRow) -> ApiResult<()>;
    fn insert_store(&mut self, s: &StoreRow) -> ApiResult<()>;
    fn store(&mut self, store_id: &str) -> ApiResult<Option<StoreRow>>;
    fn stores(&mut self) -> ApiResult<Vec<StoreRow>>;
    fn set_policy(&mut self, store_id: &str, policy: &Policy) -> ApiResult<()>;
    fn set_override_hash(&mut self, store_id: &str, hash: &str) -> ApiResult<()>;
    fn insert_terminal(&mut self, t: &TerminalRow) -> ApiResult<()>;
    fn terminal_by_token_hash(&mut self, token_hash: &str) -> ApiResult<Option<TerminalRow>>;
    fn insert_staff(&mut self, s: &StaffRow) -> ApiResult<()>;
    fn staff_by_code(&mut self, store_id: &str, code: &str) -> ApiResult<Option<StaffRow>>;
    fn staff_by_id(&mut self, store_id: &str, id: &str) -> ApiResult<Option<StaffRow>>;
    fn insert_session(&mut self, s: &SessionRow) -> ApiResult<()>;
    fn session(&mut self, token_hash: &str) -> ApiResult<Option<SessionRow>>;
    fn delete_session(&mut self, token_hash: &str) -> ApiResult<()>;
    fn delete_expired_sessions(&mut self, now_ms: i64) -> ApiResult<usize>;
    /// A store's terminals still in use, and its staff not disabled.
    fn terminals_of(&mut self, store_id: &str) -> ApiResult<Vec<TerminalRow>>;
    fn staff_of(&mut self, store_id: &str) -> ApiResult<Vec<StaffRow>>;
    /// Revokes a terminal in use and ends its sessions; `None` when there is none such.
    fn revoke_terminal(&mut self, id: &str, now_ms: i64) -> ApiResult<Option<TerminalRow>>;
    /// Whether a staff code was ever given in the store (a disabled member's too).
    fn staff_code_taken(&mut self, store_id: &str, code: &str) -> ApiResult<bool>;
    /// Every staff member's and terminal's name in the store, disabled or revoked ones too.
    fn names_of(&mut self, store_id: &str) -> ApiResult<StoreNames>;
    /// Disables a staff member and ends their sessions.
    fn disable_staff(&mut self, store_id: &str, id: &str, now_ms: i64) -> ApiResult<()>;
    /// A new PIN; the member's sessions end.
    fn set_pin_hash(&mut self, store_id: &str, id: &str, pin_hash: &str) -> ApiResult<()>;
}

/// Customers and their instruments.
pub trait CustomerTx {
    fn insert_customer(&mut self, c: &CustomerRow) -> ApiResult<()>;
    fn customer(&mut self, merchant_id: &str, id: &str) -> ApiResult<Option<CustomerRow>>;
    /// The customer with this e-mail in the merchant, if any.
    fn customer_by_email(
        &mut self,
        merchant_id: &str,
        email: &str,
    ) -> ApiResult<Option<CustomerRow>>;
    /// Every customer of the merchant, by name (an export).
    fn customers_of(&mut self, merchant_id: &str) -> ApiResult<Vec<CustomerRow>>;
    /// The customer read a code sent by `channel`: offer it first next time.
    fn set_last_channel(&mut self, customer_id: &str, channel: Channel) -> ApiResult<()>;
    fn customers_by_mobile(&mut self, merchant_id: &str, e164: &str)
        -> ApiResult<Vec<CustomerRow>>;
    fn customers_by_card(&mut self, merchant_id: &str, card: &str) -> ApiResult<Vec<CustomerRow>>;
    fn customers_by_name(
        &mut self,
        merchant_id: &str,
        part: &str,
        limit: u32,
    ) -> ApiResult<Vec<CustomerRow>>;
    fn insert_instrument(&mut self, i: &InstrumentRow) -> ApiResult<()>;
    fn instruments(&mut self, customer_id: &str) -> ApiResult<Vec<InstrumentRow>>;
    fn instrument(&mut self, customer_id: &str, id: &str) -> ApiResult<Option<InstrumentRow>>;
    /// Writes balance, held, earned and expiring back; the schema refuses a negative
    /// balance or a hold larger than the balance.
    fn update_instrument(&mut self, i: &InstrumentRow) -> ApiResult<()>;
    /// Instruments whose expiring quantity is due, with their customer's merchant.
    fn instruments_expiring_by(
        &mut self,
        now_ms: i64,
        limit: u32,
    ) -> ApiResult<Vec<(InstrumentRow, String)>>;
}

/// Loyalty card types (seed 004), and the card number and customer type of a customer.
pub trait CardTx {
    /// The merchant's card types, by name.
    fn card_types_of(&mut self, merchant_id: &str) -> ApiResult<Vec<CardTypeRow>>;
    fn card_type_by_id(&mut self, merchant_id: &str, id: &str) -> ApiResult<Option<CardTypeRow>>;
    /// The merchant's card type for customers of this type (compared without regard to case).
    fn card_type_for(
        &mut self,
        merchant_id: &str,
        customer_type: &str,
    ) -> ApiResult<Option<CardTypeRow>>;
    /// The schema refuses a second card type of the same name or customer type in a merchant.
    fn insert_card_type(&mut self, c: &CardTypeRow) -> ApiResult<()>;
    fn update_card_type(&mut self, c: &CardTypeRow) -> ApiResult<()>;
    /// Gives a customer of the merchant a card number and a customer type (`None`: none).
    fn set_customer_card(
        &mut self,
        merchant_id: &str,
        customer_id: &str,
        card: Option<&str>,
        customer_type: Option<&str>,
    ) -> ApiResult<()>;
    /// Sets what one point of a customer's points instruments is worth; how many changed.
    fn set_points_value(&mut self, customer_id: &str, value: contract::Money) -> ApiResult<usize>;
    /// The same for every customer of a customer type (without regard to ASCII case) in the
    /// merchant; how many instruments changed.
    fn set_points_value_of_type(
        &mut self,
        merchant_id: &str,
        customer_type: &str,
        value: contract::Money,
    ) -> ApiResult<usize>;
}

/// Redemptions (intents, receipts, idempotency keys, reports) and accruals.
pub trait RedemptionTx {
    fn insert_redemption(&mut self, r: &RedemptionRow) -> ApiResult<()>;
    fn update_redemption(&mut self, r: &RedemptionRow) -> ApiResult<()>;
    fn redemption(&mut self, store_id: &str, id: &str) -> ApiResult<Option<RedemptionRow>>;
    /// The intent whose (latest) request for a manager's approval has this id.
    fn redemption_by_approval_request(
        &mut self,
        store_id: &str,
        approval_id: &str,
    ) -> ApiResult<Option<RedemptionRow>>;
    /// Intents of a store waiting for a manager's approval, oldest first (their holds may
    /// have lapsed meanwhile: the caller checks).
    fn approvals_pending(&mut self, store_id: &str, limit: u32) -> ApiResult<Vec<RedemptionRow>>;
    fn open_redemptions_expired_by(
        &mut self,
        now_ms: i64,
        limit: u32,
    ) -> ApiResult<Vec<RedemptionRow>>;
    fn save_receipt(&mut self, redemption_id: &str, bytes: &[u8]) -> ApiResult<()>;
    fn receipt_bytes(&mut self, redemption_id: &str) -> ApiResult<Option<Vec<u8>>>;
    fn idempotency(&mut self, store_id: &str, key: &str) -> ApiResult<Option<IdempotencyRow>>;
    fn insert_idempotency(&mut self, row: &IdempotencyRow) -> ApiResult<()>;
    fn report(&mut self, store_id: &str, from_ms: i64, to_ms: i64) -> ApiResult<Vec<ReportRow>>;
    fn count_overrides_posted(
        &mut self,
        store_id: &str,
        from_ms: i64,
        to_ms: i64,
    ) -> ApiResult<u64>;
    fn count_reversals(&mut self, store_id: &str, from_ms: i64, to_ms: i64) -> ApiResult<u64>;
    /// What open holds (not lapsed by `now_ms`) and posted redemptions took from one bill,
    /// and another total the bill number is used with by any of them (S12).
    fn bill_usage(
        &mut self,
        store_id: &str,
        bill_id: &str,
        total_minor: u64,
        now_ms: i64,
    ) -> ApiResult<BillUsage>;
    /// The value a customer redeemed without a code (`no_code`) in a store, open holds (not
    /// lapsed by `now_ms`) and posted ones: on one bill, or since `since_ms`.
    fn no_code_total(
        &mut self,
        store_id: &str,
        customer_id: &str,
        scope: NoCodeScope<'_>,
        now_ms: i64,
    ) -> ApiResult<u64>;

    // Accruals.
    /// An accrual, with the total of the bill it was earned on.
    fn insert_accrual(&mut self, a: &AccrualRow, bill_total_minor: u64) -> ApiResult<()>;
    fn accrual_for_bill(&mut self, store_id: &str, bill_id: &str) -> ApiResult<Option<AccrualRow>>;
}

/// Counts for the send limits, the override cap and the limits on guessing secrets.
/// Printed vouchers: issued at a commit, redeemed once at a till.
pub trait VoucherTx {
    fn insert_voucher(&mut self, v: &VoucherRow) -> ApiResult<()>;
    fn voucher_by_code(
        &mut self,
        merchant_id: &str,
        code_hash: &str,
    ) -> ApiResult<Option<VoucherRow>>;
    /// Marks it redeemed if it is not yet; whether it was (a concurrent redemption lost).
    fn mark_voucher_redeemed(&mut self, v: &VoucherRow) -> ApiResult<bool>;
}

/// Messages a provider took, and what its delivery reports said of them (issue 16).
pub trait DeliveryTx {
    /// Records a message the provider took under `provider_id`. A report may have come first
    /// (providers are fast, the record is written after their answer): the row as it stands
    /// after, with any such report's status, is returned.
    fn record_delivery(&mut self, d: &DeliveryRow) -> ApiResult<DeliveryRow>;
    /// Records a provider's report unless the message already has a final one; the row as it
    /// stands after, and whether the report changed it.
    fn report_delivery(
        &mut self,
        channel: contract::Channel,
        report: &crate::gateways::reports::Report,
        at_ms: i64,
    ) -> ApiResult<(DeliveryRow, bool)>;
    /// The message that carried a code was disowned by the customer (issue 16).
    fn disown_delivery(
        &mut self,
        channel: contract::Channel,
        provider_id: &str,
        at_ms: i64,
    ) -> ApiResult<()>;
    /// No code may go to `customer_id` before `until_ms` (a later block is kept).
    fn block_codes(&mut self, customer_id: &str, until_ms: i64, at_ms: i64) -> ApiResult<()>;
    /// Until when no code may go to the customer, if a block is still on at `now_ms`.
    fn codes_blocked_until(&mut self, customer_id: &str, now_ms: i64) -> ApiResult<Option<i64>>;
    /// Open redemptions of the customers with this mobile (E.164), across merchants.
    fn open_redemptions_of_mobile(
        &mut self,
        mobile: &str,
        now_ms: i64,
    ) -> ApiResult<Vec<RedemptionRow>>;
    /// A store's codes sent in [from_ms, to_ms) through gateways that report deliveries, per
    /// channel: delivered, failed, no report yet.
    fn delivery_sums(
        &mut self,
        store_id: &str,
        from_ms: i64,
        to_ms: i64,
    ) -> ApiResult<Vec<contract::reports::DeliveryTotals>>;
}

/// Messages a manager sends to customers (seed 004, issue 16).
pub trait OutreachTx {
    /// Sets a customer's consent (the customer is the caller's merchant's: looked up first).
    fn set_consent(&mut self, customer_id: &str, consent: Consents) -> ApiResult<()>;
    /// The merchant's customers of a customer type (compared without regard to case).
    fn customers_of_type(
        &mut self,
        merchant_id: &str,
        customer_type: &str,
    ) -> ApiResult<Vec<CustomerRow>>;
    /// A message and its recipients, each queued.
    fn insert_outreach(&mut self, o: &OutreachRow, customer_ids: &[String]) -> ApiResult<()>;
    /// Recipients of the store's messages since `since_ms` (its daily budget).
    fn outreach_recipients_since(&mut self, store_id: &str, since_ms: i64) -> ApiResult<u64>;
    /// How one recipient's send went: taken by the provider under its id, or refused.
    fn outreach_sent(
        &mut self,
        outreach_id: &str,
        customer_id: &str,
        sent: Result<Option<&str>, &str>,
        at_ms: i64,
    ) -> ApiResult<()>;
    /// The store's latest messages, newest first, with how their sends went.
    fn outreach_of(&mut self, store_id: &str, limit: u32) -> ApiResult<Vec<OutreachSummary>>;
    /// Whether a member of the store gets the daily sales summary.
    fn set_daily_summary(&mut self, store_id: &str, staff_id: &str, on: bool) -> ApiResult<()>;
    /// Takes the store's summary of `day` to send: false if it was taken already (by this
    /// process or another).
    fn claim_daily_summary(&mut self, store_id: &str, day: &str, at_ms: i64) -> ApiResult<bool>;
}

pub trait LimitTx {
    fn insert_send(&mut self, s: &SendRow) -> ApiResult<()>;
    /// Takes back a send counted by [`Tx::insert_send`] (the gateway never took the message).
    fn uncount_send(&mut self, s: &SendRow) -> ApiResult<()>;
    fn count_sends_since(&mut self, scope: SendScope<'_>, since_ms: i64) -> ApiResult<u64>;
    /// When the oldest send still counted in the window stops counting, if known.
    fn oldest_send_since(&mut self, scope: SendScope<'_>, since_ms: i64) -> ApiResult<Option<i64>>;
    /// Forgets send counts older than any window.
    fn prune_sends(&mut self, before_ms: i64) -> ApiResult<usize>;
    fn insert_override_use(
        &mut self,
        store_id: &str,
        redemption_id: &str,
        at_ms: i64,
    ) -> ApiResult<()>;
    fn count_override_uses_since(&mut self, store_id: &str, since_ms: i64) -> ApiResult<u64>;
    /// Counts one guess of a secret in `scope` (see `guesses`): `pending` while it is being
    /// checked.
    fn insert_guess(
        &mut self,
        attempt: &str,
        scope: &str,
        at_ms: i64,
        pending: bool,
    ) -> ApiResult<()>;
    /// Takes back every scope's count of a guess that proved right.
    fn forget_guess(&mut self, attempt: &str) -> ApiResult<()>;
    /// A guess found wrong: no longer pending, still counted.
    fn settle_guess(&mut self, attempt: &str) -> ApiResult<()>;
    /// Guesses counted in the window, pending or not.
    fn count_guesses_since(&mut self, scope: &str, since_ms: i64) -> ApiResult<u64>;
    /// Guesses counted in the window that are no longer being checked: found wrong, or
    /// pending since before `stale_before_ms` (their check never finished).
    fn count_settled_guesses_since(
        &mut self,
        scope: &str,
        since_ms: i64,
        stale_before_ms: i64,
    ) -> ApiResult<u64>;
    /// When the oldest guess still counted in the window was made.
    fn oldest_guess_since(&mut self, scope: &str, since_ms: i64) -> ApiResult<Option<i64>>;
    /// Forgets guesses older than any window.
    fn prune_guesses(&mut self, before_ms: i64) -> ApiResult<usize>;
}

/// Self-service kiosk identifications.
pub trait KioskTx {
    fn insert_identification(&mut self, x: &IdentificationRow) -> ApiResult<()>;
    fn update_identification(&mut self, x: &IdentificationRow) -> ApiResult<()>;
    /// The session's newest identification, whatever its status.
    fn latest_identification(&mut self, session_hash: &str)
        -> ApiResult<Option<IdentificationRow>>;
    /// Bindings whose idle time has passed.
    fn identifications_idle_by(
        &mut self,
        now_ms: i64,
        limit: u32,
    ) -> ApiResult<Vec<IdentificationRow>>;
    /// Forgets identifications that ended (or never bound) before `before_ms`.
    fn prune_identifications(&mut self, before_ms: i64) -> ApiResult<usize>;
    /// Open intents a kiosk created for one identification.
    fn open_redemptions_of_identification(
        &mut self,
        store_id: &str,
        identification_id: &str,
    ) -> ApiResult<Vec<RedemptionRow>>;
}

/// The audit log (append-only), its key, and what `verify-audit` reads to cross-check the
/// ledger against it.
pub trait AuditTx {
    /// The key of the chain (S7).
    fn audit_key(&self) -> &crate::crypto::AuditKey;
    /// A fact about the database file (table `meta`).
    fn meta(&mut self, key: &str) -> ApiResult<Option<String>>;
    fn set_meta(&mut self, key: &str, value: &str) -> ApiResult<()>;
    /// Every committed or reversed redemption.
    fn posted_redemptions(&mut self) -> ApiResult<Vec<RedemptionRow>>;
    fn all_accruals(&mut self) -> ApiResult<Vec<AccrualRow>>;
    /// Every instrument, with its customer's merchant.
    fn all_instruments(&mut self) -> ApiResult<Vec<(InstrumentRow, String)>>;
    fn last_audit(&mut self) -> ApiResult<Option<(u64, String)>>;
    fn append_audit(&mut self, e: &AuditEntry) -> ApiResult<()>;
    /// A store's entries matching `search`, oldest first, at most `limit`.
    fn audit_search(
        &mut self,
        store_id: &str,
        search: &AuditSearch,
        limit: u32,
    ) -> ApiResult<Vec<AuditEntry>>;
    /// The store's newest link in its own chain (`None` before its chain began).
    fn store_audit_head(&mut self, store_id: &str) -> ApiResult<Option<String>>;
    /// Every store's newest link (for a checkpoint).
    fn store_audit_heads(&mut self) -> ApiResult<Vec<StoreHead>>;
    fn audit_chain(&mut self, after: u64, limit: u32) -> ApiResult<Vec<AuditEntry>>;
    fn count_audit_actions(
        &mut self,
        store_id: &str,
        action: &str,
        from_ms: i64,
        to_ms: i64,
    ) -> ApiResult<u64>;
    /// The same, for one terminal only.
    fn count_terminal_audit_actions(
        &mut self,
        store_id: &str,
        terminal_id: &str,
        action: &str,
        since_ms: i64,
    ) -> ApiResult<u64>;
}

/// What managers read (issue 15): loyalty reports over a store's days, the liability, the
/// cashiers' signals, and the once-a-day record of an alert. Posted redemptions are read by
/// their store day (`committed_day`, the store's time zone, written at the post).
pub trait ReportTx {
    /// Standing redemptions (count, points, value) and reversed ones matching `q`.
    fn report_totals(&mut self, q: &ReportQuery<'_>) -> ApiResult<ReportSums>;
    /// `q`'s redemptions per store day and customer, by day then customer name, at most
    /// `limit` groups.
    fn report_by_customer(
        &mut self,
        q: &ReportQuery<'_>,
        limit: Option<usize>,
    ) -> ApiResult<Vec<ReportGroup>>;
    /// `q`'s redemptions per store day, till, cashier, kind and unit (every group): what the
    /// breakdowns by cashier, till, kind and day add up.
    fn report_cube(&mut self, q: &ReportQuery<'_>) -> ApiResult<Vec<ReportGroup>>;
    /// `q`'s redemptions one by one, by customer name then time, at most `limit`.
    fn report_redemptions(
        &mut self,
        q: &ReportQuery<'_>,
        limit: Option<usize>,
    ) -> ApiResult<Vec<RedemptionRow>>;
    /// Printed vouchers of a store issued, taken at its tills, and expired unused in
    /// [from_ms, to_ms) (expired: by `now_ms`).
    fn voucher_sums(
        &mut self,
        store_id: &str,
        from_ms: i64,
        to_ms: i64,
        now_ms: i64,
    ) -> ApiResult<VoucherSums>;
    /// Vouchers taken at the store's tills per store day and till: (day, terminal, count, value).
    fn vouchers_taken(
        &mut self,
        store_id: &str,
        from_day: &str,
        to_day: &str,
        terminal_id: Option<&str>,
    ) -> ApiResult<Vec<(String, String, u64, u64)>>;
    /// Loyalty the merchant's customers hold now, per kind and unit, in `currency`.
    fn liability(
        &mut self,
        merchant_id: &str,
        currency: &str,
        now_ms: i64,
    ) -> ApiResult<Vec<LiabilitySums>>;
    /// The merchant's vouchers neither redeemed nor expired by `now_ms`: (count, value).
    fn vouchers_outstanding(&mut self, merchant_id: &str, now_ms: i64) -> ApiResult<(u64, u64)>;
    /// Redemptions posted by staff on the store's days, by staff then time.
    fn cashier_events(
        &mut self,
        store_id: &str,
        from_day: &str,
        to_day: &str,
        staff_id: Option<&str>,
    ) -> ApiResult<Vec<CashierEvent>>;
    /// Wrong codes typed (`otp_rejected`) per staff member in [from_ms, to_ms).
    fn failed_codes_by_staff(
        &mut self,
        store_id: &str,
        from_ms: i64,
        to_ms: i64,
    ) -> ApiResult<Vec<(String, u64)>>;
    /// The merchant's customers whose mobile or e-mail is another customer's, or whose mobile
    /// is a staff member's (of any of the merchant's stores).
    fn customers_sharing_a_contact(&mut self, merchant_id: &str) -> ApiResult<Vec<String>>;
    /// Records that the managers were told of `signal` for this cashier and store day;
    /// false when they already were.
    fn record_fraud_alert(
        &mut self,
        store_id: &str,
        staff_id: &str,
        day: &str,
        signal: &str,
        at_ms: i64,
    ) -> ApiResult<bool>;
    /// The signals the managers were told of for this cashier and store day.
    fn fraud_alerts_told(
        &mut self,
        store_id: &str,
        staff_id: &str,
        day: &str,
    ) -> ApiResult<Vec<String>>;
    /// The store's managers (not disabled) with a mobile: (staff id, name, E.164 mobile).
    fn manager_mobiles(&mut self, store_id: &str) -> ApiResult<Vec<(String, String, String)>>;
}

pub type Reply = Result<Box<dyn Any + Send>, ApiError>;
pub type Work = Box<dyn FnOnce(&mut dyn Tx) -> Reply + Send>;

/// One unit of work: run in a transaction, answered after it committed.
pub struct Job {
    pub work: Work,
    pub reply: oneshot::Sender<Reply>,
    /// Answered only once the commit is on disk (survives a power loss): whatever the caller
    /// treats as final (a receipt, a reversal, an accrual, a policy, a sign-out). Other jobs
    /// are answered as soon as they commit; a power loss can then take them back, only ever
    /// with everything after them (the log is a prefix), and a durable job's sync covers
    /// every job committed before it.
    pub durable: bool,
    /// When it was queued (the writer's queue wait, a metric).
    pub queued: std::time::Instant,
}

/// Runs jobs as transactions. Changes commit when the job succeeds or its error asks to
/// keep them, and are rolled back otherwise.
pub trait Store: Send + Sync {
    fn submit(&self, job: Job) -> Result<(), ApiError>;
    /// Runs a job that only reads (a report) where it does not hold up the writer, on a
    /// snapshot of what was committed; a store without such a place runs it as any job.
    fn submit_read(&self, job: Job) -> Result<(), ApiError> {
        self.submit(job)
    }
}

/// The handle the rest of the server uses.
#[derive(Clone)]
pub struct Db {
    store: std::sync::Arc<dyn Store>,
}

impl Db {
    pub fn new(store: std::sync::Arc<dyn Store>) -> Self {
        Db { store }
    }

    /// Runs `f` in one write transaction and returns its result once it committed.
    pub async fn run<R, F>(&self, f: F) -> ApiResult<R>
    where
        R: Send + 'static,
        F: FnOnce(&mut dyn Tx) -> ApiResult<R> + Send + 'static,
    {
        self.submit(f, false).await
    }

    /// The same, returning only once the commit is on disk (see [`Job::durable`]): for what
    /// the caller treats as final.
    pub async fn run_durable<R, F>(&self, f: F) -> ApiResult<R>
    where
        R: Send + 'static,
        F: FnOnce(&mut dyn Tx) -> ApiResult<R> + Send + 'static,
    {
        self.submit(f, true).await
    }

    /// Runs `f`, which only reads, on a snapshot of what was committed, without holding up
    /// the writer (reports over many rows). A write in `f` fails.
    pub async fn read<R, F>(&self, f: F) -> ApiResult<R>
    where
        R: Send + 'static,
        F: FnOnce(&mut dyn Tx) -> ApiResult<R> + Send + 'static,
    {
        self.submit_as(f, false, true).await
    }

    async fn submit<R, F>(&self, f: F, durable: bool) -> ApiResult<R>
    where
        R: Send + 'static,
        F: FnOnce(&mut dyn Tx) -> ApiResult<R> + Send + 'static,
    {
        self.submit_as(f, durable, false).await
    }

    async fn submit_as<R, F>(&self, f: F, durable: bool, read: bool) -> ApiResult<R>
    where
        R: Send + 'static,
        F: FnOnce(&mut dyn Tx) -> ApiResult<R> + Send + 'static,
    {
        let (reply, rx) = oneshot::channel();
        let work: Work = Box::new(move |tx| f(tx).map(|r| Box::new(r) as Box<dyn Any + Send>));
        let job = Job {
            work,
            reply,
            durable,
            queued: std::time::Instant::now(),
        };
        match read {
            true => self.store.submit_read(job)?,
            false => self.store.submit(job)?,
        }
        let out = rx
            .await
            .map_err(|_| ApiError::internal("store worker stopped"))??;
        out.downcast::<R>()
            .map(|b| *b)
            .map_err(|_| ApiError::internal("store reply of the wrong type"))
    }
}
