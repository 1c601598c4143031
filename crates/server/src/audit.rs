//! The append-only, keyed hash-chained audit log (S7). Each entry's hash is
//! HMAC-SHA256(audit key, prev_hash ‖ canonical fields), so editing, removing or reordering any
//! entry breaks every link after it, and re-hashing the chain after an edit needs the key
//! (which the database file does not hold; it is separate from the code secret). Entries
//! written before the chain was keyed (`meta.audit_keyed_from`) keep their SHA-256 links.
//! The chain's head is anchored outside the database by signed checkpoints (`Checkpoint`:
//! an append-only file beside it, and the log), so cutting the tail is detected too, and
//! [`verify`] cross-checks the ledger tables against the log. Each entry also carries its link
//! in its store's own chain (`contract::audit::store_link`, the one rule the browser checks
//! too); [`verify`] checks every store's chain, against each store's head as the last signed
//! checkpoint named it. The log never holds a code: callers pass facts, not messages.
use crate::crypto::{sha256_hex, AuditKey};
use crate::error::{ApiError, ApiResult};
use crate::model::InstrumentRow;
use crate::model::StoreHead;
use crate::store::Tx;
use contract::api::AuditEntry;
use contract::api::RedemptionStatus;
use contract::audit::{store_link, BreakReason, ChainBreak, StoreChain, STORE_GENESIS};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use std::collections::HashMap;

pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// What an audit entry records. The string forms are stored in the log (and hashed into the
/// chain) and answered by `GET /v1/audit`: they never change.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Action {
    SignIn,
    /// A wrong staff code or PIN (also counted for the sign-in limit).
    SignInFailed,
    SignOut,
    PolicyChanged,
    /// Ledger: an intent holds its quantity.
    Hold,
    /// Ledger: the hold is posted (the API's commit).
    Post,
    /// Ledger: an open intent is released because it was cancelled (also when a kiosk
    /// customer is forgotten).
    Cancel,
    /// Ledger: an open intent is released because it outlived its hold.
    Expired,
    /// Ledger: a posted redemption is reversed.
    Reverse,
    Accrual,
    PointsExpired,
    /// A redemption code went to the gateway.
    OtpSent,
    OtpDeliveryFailed,
    OtpVerified,
    OtpRejected,
    /// Ledger: the last wrong code locked the intent and released its hold.
    OtpLocked,
    Override,
    OverrideRejected,
    /// A kiosk identification code went to the gateway.
    KioskIdentifySent,
    KioskIdentifyDeliveryFailed,
    KioskIdentified,
    KioskIdentifyRejected,
    KioskForgotten,
    ConfirmationFailed,
    /// Ledger: an instrument's opening balance (seeded, imported, or the baseline taken when
    /// the ledger cross-check began), so every balance recomputes from the log.
    BalanceOpened,
    /// A cashier asked a manager to approve a redemption on the manager's own device.
    ApprovalRequested,
    /// A manager declined such a request (an approval is recorded as `Override`).
    ApprovalDeclined,
    /// Set-up by the operator (`redeemguard-server admin`): a store was created.
    StoreCreated,
    /// A terminal was added (its token is printed once, never stored) or revoked.
    TerminalAdded,
    TerminalRevoked,
    /// A staff member was added, disabled, or given a new PIN.
    StaffAdded,
    StaffDisabled,
    PinSet,
    /// The store's override code was set or rotated.
    OverrideCodeSet,
    /// A loyalty card type was added or changed (seed 004).
    CardTypeAdded,
    CardTypeChanged,
    /// A card number (and maybe a customer type) was issued to a customer.
    CardIssued,
    /// A customer file was imported: which file (its SHA-256), how many rows, customers and
    /// opening balances (each balance also has its own `balance_opened` entry).
    CustomersImported,
    /// A printed voucher was applied to a bill at a till.
    VoucherRedeemed,
    /// A voucher presented again (a copy) or after it expired was refused.
    VoucherRefused,
    /// A cashier's fraud signal crossed its threshold for the first time in a store day: the
    /// managers were told (issue 15). The entry's staff is the cashier.
    FraudAlert,
    /// The customer replied to a code's message that they did not ask for it (issue 16): the
    /// code is void, no code may go to them for a while, the managers were told.
    CodeDisowned,
    /// A manager sent a message to customers (seed 004): category, channel, who it was for,
    /// how many, and the text as written.
    CustomersMessaged,
    /// A manager changed which messages a customer agreed to.
    ConsentChanged,
    /// A manager turned a member's daily sales summary on or off.
    DailySummarySet,
}

impl Action {
    pub const ALL: [Action; 45] = [
        Action::SignIn,
        Action::SignInFailed,
        Action::SignOut,
        Action::PolicyChanged,
        Action::Hold,
        Action::Post,
        Action::Cancel,
        Action::Expired,
        Action::Reverse,
        Action::Accrual,
        Action::PointsExpired,
        Action::OtpSent,
        Action::OtpDeliveryFailed,
        Action::OtpVerified,
        Action::OtpRejected,
        Action::OtpLocked,
        Action::Override,
        Action::OverrideRejected,
        Action::KioskIdentifySent,
        Action::KioskIdentifyDeliveryFailed,
        Action::KioskIdentified,
        Action::KioskIdentifyRejected,
        Action::KioskForgotten,
        Action::ConfirmationFailed,
        Action::BalanceOpened,
        Action::ApprovalRequested,
        Action::ApprovalDeclined,
        Action::StoreCreated,
        Action::TerminalAdded,
        Action::TerminalRevoked,
        Action::StaffAdded,
        Action::StaffDisabled,
        Action::PinSet,
        Action::OverrideCodeSet,
        Action::CardTypeAdded,
        Action::CardTypeChanged,
        Action::CardIssued,
        Action::CustomersImported,
        Action::VoucherRedeemed,
        Action::VoucherRefused,
        Action::FraudAlert,
        Action::CodeDisowned,
        Action::CustomersMessaged,
        Action::ConsentChanged,
        Action::DailySummarySet,
    ];

    /// The action of a stored (or asked for) name, if there is one.
    pub fn parse(name: &str) -> Option<Action> {
        Action::ALL.into_iter().find(|a| a.as_str() == name)
    }

    /// The stored form.
    pub const fn as_str(self) -> &'static str {
        match self {
            Action::SignIn => "sign_in",
            Action::SignInFailed => "sign_in_failed",
            Action::SignOut => "sign_out",
            Action::PolicyChanged => "policy_changed",
            Action::Hold => "hold",
            Action::Post => "commit",
            Action::Cancel => "cancel",
            Action::Expired => "expired",
            Action::Reverse => "reverse",
            Action::Accrual => "accrual",
            Action::PointsExpired => "points_expired",
            Action::OtpSent => "otp_sent",
            Action::OtpDeliveryFailed => "otp_delivery_failed",
            Action::OtpVerified => "otp_verified",
            Action::OtpRejected => "otp_rejected",
            Action::OtpLocked => "otp_locked",
            Action::Override => "override",
            Action::OverrideRejected => "override_rejected",
            Action::KioskIdentifySent => "kiosk_identify_sent",
            Action::KioskIdentifyDeliveryFailed => "kiosk_identify_delivery_failed",
            Action::KioskIdentified => "kiosk_identified",
            Action::KioskIdentifyRejected => "kiosk_identify_rejected",
            Action::KioskForgotten => "kiosk_forgotten",
            Action::ConfirmationFailed => "confirmation_failed",
            Action::BalanceOpened => "balance_opened",
            Action::ApprovalRequested => "approval_requested",
            Action::ApprovalDeclined => "approval_declined",
            Action::StoreCreated => "store_created",
            Action::TerminalAdded => "terminal_added",
            Action::TerminalRevoked => "terminal_revoked",
            Action::StaffAdded => "staff_added",
            Action::StaffDisabled => "staff_disabled",
            Action::PinSet => "pin_set",
            Action::OverrideCodeSet => "override_code_set",
            Action::CardTypeAdded => "card_type_added",
            Action::CardTypeChanged => "card_type_changed",
            Action::CardIssued => "card_issued",
            Action::CustomersImported => "customers_imported",
            Action::VoucherRedeemed => "voucher_redeemed",
            Action::VoucherRefused => "voucher_refused",
            Action::FraudAlert => "fraud_alert",
            Action::CodeDisowned => "code_disowned",
            Action::CustomersMessaged => "customers_messaged",
            Action::ConsentChanged => "consent_changed",
            Action::DailySummarySet => "daily_summary_set",
        }
    }
}

impl std::fmt::Display for Action {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Who did it and where.
#[derive(Clone, Debug)]
pub struct Actor {
    pub store_id: String,
    pub terminal_id: Option<String>,
    pub staff_id: Option<String>,
}

impl Actor {
    /// A terminal's own doing, no staff member's (expiry, an idle kiosk).
    pub fn terminal(store_id: &str, terminal_id: &str) -> Actor {
        Actor {
            store_id: store_id.to_string(),
            terminal_id: Some(terminal_id.to_string()),
            staff_id: None,
        }
    }
}

/// The canonical bytes hashed for an entry: a JSON array with a fixed field order.
fn canonical(e: &AuditEntry) -> String {
    json!([
        e.seq,
        e.at_ms,
        e.action,
        e.store_id,
        e.terminal_id,
        e.staff_id,
        e.redemption_id,
        e.detail
    ])
    .to_string()
}

/// An entry's hash before the chain was keyed: SHA-256(prev_hash ‖ "\n" ‖ canonical).
pub fn legacy_entry_hash(prev_hash: &str, e: &AuditEntry) -> String {
    let mut bytes = prev_hash.as_bytes().to_vec();
    bytes.push(b'\n');
    bytes.extend_from_slice(canonical(e).as_bytes());
    sha256_hex(&bytes)
}

/// An entry's hash: HMAC-SHA256(key, "redeemguard-audit-v2" ‖ prev_hash ‖ canonical), each
/// part newline-terminated.
pub fn entry_hash(key: &AuditKey, prev_hash: &str, e: &AuditEntry) -> String {
    key.mac_hex(&[
        b"redeemguard-audit-v2",
        prev_hash.as_bytes(),
        canonical(e).as_bytes(),
    ])
}

/// Appends one entry in the caller's transaction, so the fact and its record commit together.
pub fn record(
    tx: &mut dyn Tx,
    at_ms: i64,
    actor: &Actor,
    action: Action,
    redemption_id: Option<&str>,
    detail: Value,
) -> ApiResult<()> {
    let (last_seq, prev_hash) = tx.last_audit()?.unwrap_or((0, GENESIS.to_string()));
    let mut e = AuditEntry {
        seq: last_seq + 1,
        at_ms,
        action: action.as_str().to_string(),
        store_id: actor.store_id.clone(),
        terminal_id: actor.terminal_id.clone(),
        staff_id: actor.staff_id.clone(),
        redemption_id: redemption_id.map(str::to_string),
        detail: detail.to_string(),
        prev_hash,
        hash: String::new(),
        store_hash: None,
    };
    e.hash = entry_hash(tx.audit_key(), &e.prev_hash, &e);
    let prev_link = tx
        .store_audit_head(&e.store_id)?
        .unwrap_or_else(|| STORE_GENESIS.to_string());
    e.store_hash = Some(store_link(&prev_link, &e));
    tx.append_audit(&e)
}

/// Whether `tx`'s audit key is the one the chain was written with: the newest keyed entry's
/// link recomputes with it (true for an empty or not yet keyed log). A tool writing to the
/// server's database (`admin`) checks this first, so its entries never break the chain.
pub fn key_fits(tx: &mut dyn Tx) -> ApiResult<bool> {
    let Some((last, _)) = tx.last_audit()? else {
        return Ok(true);
    };
    if last < keyed_from(tx)? {
        return Ok(true);
    }
    let Some(e) = tx.audit_chain(last - 1, 1)?.into_iter().next() else {
        return Ok(true);
    };
    Ok(entry_hash(tx.audit_key(), &e.prev_hash, &e) == e.hash)
}

/// The first entry written with a keyed link (entries before it are SHA-256 linked).
pub fn keyed_from(tx: &mut dyn Tx) -> ApiResult<u64> {
    Ok(tx
        .meta(KEYED_FROM)?
        .and_then(|v| v.parse().ok())
        .unwrap_or(1))
}

const KEYED_FROM: &str = "audit_keyed_from";
const BASELINE: &str = "ledger_baseline_seq";

/// A signed statement of the chain's head at a moment, kept outside the database (an
/// append-only file, one JSON line each, and the log). Deleting or truncating the log, or
/// rewriting it from an earlier entry on, no longer matches the last checkpoint.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Checkpoint {
    /// The last entry covered (0: the log was empty).
    pub seq: u64,
    /// Its hash (the genesis value for an empty log).
    pub head: String,
    pub at_ms: i64,
    /// The first keyed entry, as the database said when this was signed.
    pub keyed_from: u64,
    /// Every store's newest link in its own chain (absent from checkpoints written before
    /// store chains), so cutting one store's entries off the end is found by its chain too.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub stores: Vec<StoreHead>,
    /// HMAC-SHA256(audit key, the fields above), hex.
    pub mac: String,
}

impl Checkpoint {
    fn mac_of(
        key: &AuditKey,
        seq: u64,
        head: &str,
        at_ms: i64,
        keyed_from: u64,
        stores: &[StoreHead],
    ) -> String {
        let (seq, at_ms, keyed_from) = (seq.to_string(), at_ms.to_string(), keyed_from.to_string());
        let mut parts: Vec<&[u8]> = vec![
            b"redeemguard-audit-checkpoint-v1",
            seq.as_bytes(),
            head.as_bytes(),
            at_ms.as_bytes(),
            keyed_from.as_bytes(),
        ];
        // Checkpoints without store heads keep the first form's MAC.
        let heads: Vec<String> = stores
            .iter()
            .map(|h| format!("{} {} {}", h.store_id, h.seq, h.link))
            .collect();
        if !heads.is_empty() {
            parts.push(b"stores");
            parts.extend(heads.iter().map(|h| h.as_bytes()));
        }
        key.mac_hex(&parts)
    }

    /// Signs the log's current head.
    pub fn take(tx: &mut dyn Tx, at_ms: i64) -> ApiResult<Checkpoint> {
        let (seq, head) = tx.last_audit()?.unwrap_or((0, GENESIS.to_string()));
        let keyed_from = keyed_from(tx)?;
        let stores = tx.store_audit_heads()?;
        let mac = Checkpoint::mac_of(tx.audit_key(), seq, &head, at_ms, keyed_from, &stores);
        Ok(Checkpoint {
            seq,
            head,
            at_ms,
            keyed_from,
            stores,
            mac,
        })
    }

    pub fn is_signed_by(&self, key: &AuditKey) -> bool {
        let expected = Checkpoint::mac_of(
            key,
            self.seq,
            &self.head,
            self.at_ms,
            self.keyed_from,
            &self.stores,
        );
        subtle::ConstantTimeEq::ct_eq(expected.as_bytes(), self.mac.as_bytes()).into()
    }

    pub fn to_line(&self) -> String {
        serde_json::to_string(self).expect("a checkpoint serialises")
    }
}

/// Appends a checkpoint to the file and makes it durable (blocking: call off the runtime).
pub fn append_checkpoint(path: &std::path::Path, cp: &Checkpoint) -> std::io::Result<()> {
    use std::io::Write;
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)?;
    file.write_all(format!("{}\n", cp.to_line()).as_bytes())?;
    file.sync_data()
}

/// The checkpoints of a file, each line parsed (`Err` names a line that is not one).
pub fn read_checkpoints(text: &str) -> Vec<Result<Checkpoint, usize>> {
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, l)| serde_json::from_str(l).map_err(|_| i + 1))
        .collect()
}

/// Records every instrument's balance as its opening balance, once per database: the
/// starting point from which [`verify`] recomputes balances. A new database records nothing
/// here (its instruments get `balance_opened` when they are created); one from before the
/// cross-check gets its baseline at its first start.
pub fn record_baseline(tx: &mut dyn Tx, now_ms: i64) -> ApiResult<usize> {
    if tx.meta(BASELINE)?.is_some() {
        return Ok(0);
    }
    let stores = tx.stores()?;
    let instruments = tx.all_instruments()?;
    let n = instruments.len();
    for (instrument, merchant_id) in instruments {
        let Some(store) = stores.iter().find(|s| s.merchant_id == merchant_id) else {
            continue;
        };
        let actor = Actor {
            store_id: store.id.clone(),
            terminal_id: None,
            staff_id: None,
        };
        opened(tx, now_ms, &actor, &instrument, "baseline")?;
    }
    let seq = tx.last_audit()?.map_or(0, |(seq, _)| seq);
    tx.set_meta(BASELINE, &seq.to_string())?;
    Ok(n)
}

/// Audits an instrument's opening balance (`how`: seed, import, baseline).
pub fn opened(
    tx: &mut dyn Tx,
    now_ms: i64,
    actor: &Actor,
    instrument: &InstrumentRow,
    how: &str,
) -> ApiResult<()> {
    record(
        tx,
        now_ms,
        actor,
        Action::BalanceOpened,
        None,
        json!({
            "customer_id": instrument.customer_id, "instrument_id": instrument.id,
            "quantity": instrument.balance, "how": how,
        }),
    )
}

/// What a full check found.
#[derive(Debug, PartialEq, Eq)]
pub enum ChainCheck {
    Intact {
        entries: u64,
        head: String,
        checkpoints: usize,
        /// The last checkpoint's entry.
        anchored_to: u64,
        /// Stores whose own chain was checked.
        store_chains: usize,
        redemptions: usize,
        accruals: usize,
        balances: usize,
    },
    Broken {
        seq: u64,
        reason: String,
    },
}

fn broken(seq: u64, reason: impl Into<String>) -> ChainCheck {
    ChainCheck::Broken {
        seq,
        reason: reason.into(),
    }
}

/// What the log says about the ledger, gathered while walking the chain.
#[derive(Default)]
struct LedgerSeen {
    /// redemption id → its hold's instrument.
    held_on: HashMap<String, String>,
    /// redemption id → (store, quantity) of its commit entry.
    commits: HashMap<String, (String, u64)>,
    reversals: HashMap<String, u64>,
    /// (store, bill) → (customer, points).
    accruals: HashMap<(String, String), (String, u64)>,
    /// instrument id → balance as the log accounts for it.
    balances: HashMap<String, i128>,
    /// customer id → accrual points not naming their instrument (entries from before it did).
    unplaced_accruals: HashMap<String, i128>,
}

fn num(d: &Value, field: &str) -> u64 {
    d[field].as_u64().unwrap_or(0)
}

fn text(d: &Value, field: &str) -> String {
    d[field].as_str().unwrap_or_default().to_string()
}

impl LedgerSeen {
    fn see(&mut self, e: &AuditEntry) {
        let d: Value = serde_json::from_str(&e.detail).unwrap_or(Value::Null);
        let rid = e.redemption_id.clone().unwrap_or_default();
        let action = e.action.as_str();
        if action == Action::BalanceOpened.as_str() {
            self.balances
                .insert(text(&d, "instrument_id"), i128::from(num(&d, "quantity")));
        } else if action == Action::Hold.as_str() {
            self.held_on.insert(rid, text(&d, "instrument_id"));
        } else if action == Action::Post.as_str() {
            let q = num(&d, "quantity");
            if let Some(i) = self.held_on.get(&rid) {
                *self.balances.entry(i.clone()).or_default() -= i128::from(q);
            }
            self.commits.insert(rid, (e.store_id.clone(), q));
        } else if action == Action::Reverse.as_str() {
            let q = num(&d, "quantity");
            if let Some(i) = self.held_on.get(&rid) {
                *self.balances.entry(i.clone()).or_default() += i128::from(q);
            }
            self.reversals.insert(rid, q);
        } else if action == Action::Accrual.as_str() {
            let points = num(&d, "points");
            match d["instrument_id"].as_str() {
                Some(i) => *self.balances.entry(i.to_string()).or_default() += i128::from(points),
                None => {
                    *self
                        .unplaced_accruals
                        .entry(text(&d, "customer_id"))
                        .or_default() += i128::from(points)
                }
            }
            self.accruals.insert(
                (e.store_id.clone(), text(&d, "bill_id")),
                (text(&d, "customer_id"), points),
            );
        } else if action == Action::PointsExpired.as_str() {
            *self.balances.entry(text(&d, "instrument_id")).or_default() -=
                i128::from(num(&d, "quantity"));
        }
    }
}

/// Checks the whole log: every link from the first entry (keyed ones with the key), every
/// checkpoint (signed with the key, and naming an entry the log still has, with that hash),
/// and the ledger against the log: every committed, reversed and accrued movement has its
/// entry, and every instrument's balance is what the log's movements add up to.
pub fn verify(tx: &mut dyn Tx, checkpoints: &[Checkpoint]) -> ApiResult<ChainCheck> {
    let key = tx.audit_key().clone();
    let keyed_from = keyed_from(tx)?;
    let wanted: HashMap<u64, &Checkpoint> = checkpoints.iter().map(|c| (c.seq, c)).collect();
    for cp in checkpoints {
        if !cp.is_signed_by(&key) {
            return Ok(broken(
                cp.seq,
                "a checkpoint is not signed by the audit key (forged, or another key)",
            ));
        }
        if cp.keyed_from != keyed_from {
            return Ok(broken(
                keyed_from,
                format!(
                    "the database says the keyed chain starts at entry {keyed_from}, its \
                     checkpoints say {}",
                    cp.keyed_from
                ),
            ));
        }
    }
    let mut ledger = LedgerSeen::default();
    let mut stores = StoreChains::new(checkpoints);
    let mut prev = GENESIS.to_string();
    let mut expected_seq = 1u64;
    let mut keyed_break: Option<(u64, String)> = None;
    let mut after = 0u64;
    loop {
        let page = tx.audit_chain(after, 5_000)?;
        if page.is_empty() {
            break;
        }
        for e in page {
            after = e.seq;
            // Each store's own chain is walked to its end, whatever the keyed chain says.
            stores.see(&e);
            if keyed_break.is_some() {
                continue;
            }
            if let Some(b) = keyed_link_break(&key, keyed_from, &wanted, expected_seq, &prev, &e) {
                keyed_break = Some(b);
                continue;
            }
            ledger.see(&e);
            prev = e.hash;
            expected_seq += 1;
        }
    }
    let entries = expected_seq - 1;
    let last = checkpoints.iter().map(|c| c.seq).max().unwrap_or(0);
    if keyed_break.is_none() && last > entries {
        keyed_break = Some((
            entries + 1,
            format!(
                "the log ends at entry {entries} but a signed checkpoint names entry {last}: \
                 entries were deleted or the log was truncated"
            ),
        ));
    }
    match (keyed_break, stores.first_break()) {
        (Some((seq, reason)), Some((_, store))) => {
            return Ok(broken(seq, format!("{reason}; and {store}")))
        }
        (Some((seq, reason)), None) | (None, Some((seq, reason))) => {
            return Ok(broken(seq, reason))
        }
        (None, None) => {}
    }
    if let Some(problem) = cross_check(tx, &mut ledger)? {
        return Ok(broken(entries, problem));
    }
    Ok(ChainCheck::Intact {
        entries,
        head: prev,
        checkpoints: checkpoints.len(),
        anchored_to: last,
        store_chains: stores.chains.len(),
        redemptions: ledger.commits.len(),
        accruals: ledger.accruals.len(),
        balances: ledger.balances.len(),
    })
}

/// What is wrong with an entry's place in the keyed chain, if anything: its seq, its link to
/// the one before, its hash, and the signed checkpoint of it.
fn keyed_link_break(
    key: &AuditKey,
    keyed_from: u64,
    wanted: &HashMap<u64, &Checkpoint>,
    expected_seq: u64,
    prev: &str,
    e: &AuditEntry,
) -> Option<(u64, String)> {
    if e.seq != expected_seq {
        return Some((
            expected_seq,
            format!("entry {expected_seq} is missing (next is {})", e.seq),
        ));
    }
    if e.prev_hash != prev {
        return Some((
            e.seq,
            "prev_hash does not match the previous entry's hash".into(),
        ));
    }
    let hash = match e.seq < keyed_from {
        true => legacy_entry_hash(prev, e),
        false => entry_hash(key, prev, e),
    };
    if hash != e.hash {
        return Some((
            e.seq,
            "its contents do not match its hash (edited, or re-hashed without the key)".into(),
        ));
    }
    match wanted.get(&e.seq) {
        Some(cp) if cp.head != e.hash => Some((
            e.seq,
            "it differs from the signed checkpoint of this entry (the log was rewritten)".into(),
        )),
        _ => None,
    }
}

/// Every store's own chain (`contract::audit::StoreChain`), fed its entries in order as the
/// log is walked, and held to the store's head as the newest signed checkpoint naming the
/// store recorded it: so an edited or removed entry of a store, or its newest entries cut
/// off, break the store's chain even where the keyed chain was rewritten around them.
struct StoreChains {
    chains: HashMap<String, StoreChain>,
    /// store → its head as the newest checkpoint naming it (seq, link), and whether that
    /// entry was seen with that link.
    anchors: HashMap<String, (StoreHead, bool)>,
    /// Stores whose chain broke, in the order found, each with its first break.
    breaks: Vec<(String, ChainBreak)>,
}

impl StoreChains {
    fn new(checkpoints: &[Checkpoint]) -> StoreChains {
        let mut anchors: HashMap<String, (StoreHead, bool)> = HashMap::new();
        for h in checkpoints.iter().flat_map(|c| &c.stores) {
            let newer = anchors
                .get(&h.store_id)
                .is_none_or(|(known, _)| h.seq > known.seq);
            if newer {
                anchors.insert(h.store_id.clone(), (h.clone(), false));
            }
        }
        StoreChains {
            chains: HashMap::new(),
            anchors,
            breaks: Vec::new(),
        }
    }

    fn is_broken(&self, store_id: &str) -> bool {
        self.breaks.iter().any(|(s, _)| s == store_id)
    }

    fn see(&mut self, e: &AuditEntry) {
        if self.is_broken(&e.store_id) {
            return;
        }
        let chain = self.chains.entry(e.store_id.clone()).or_default();
        if let Err(b) = chain.see(e) {
            self.breaks.push((e.store_id.clone(), b));
            return;
        }
        if let Some((anchor, seen)) = self.anchors.get_mut(&e.store_id) {
            if anchor.seq == e.seq {
                match chain.head() == anchor.link {
                    true => *seen = true,
                    false => self.breaks.push((
                        e.store_id.clone(),
                        ChainBreak {
                            seq: e.seq,
                            reason: BreakReason::Mismatch,
                        },
                    )),
                }
            }
        }
    }

    /// The first break of any store's chain (its seq, and what broke), the heads the
    /// checkpoints named included; after the last entry was seen.
    fn first_break(&self) -> Option<(u64, String)> {
        let said = |store: &str, b: &ChainBreak| format!("store {store}'s own chain breaks: {b}");
        if let Some((store, b)) = self.breaks.first() {
            return Some((b.seq, said(store, b)));
        }
        let mut cut: Vec<&(StoreHead, bool)> =
            self.anchors.values().filter(|(_, seen)| !seen).collect();
        cut.sort_by_key(|(h, _)| h.seq);
        cut.first().map(|(h, _)| {
            let b = ChainBreak {
                seq: 0,
                reason: BreakReason::Truncated,
            };
            (
                h.seq,
                format!(
                    "{} (a signed checkpoint names its entry {})",
                    said(&h.store_id, &b),
                    h.seq
                ),
            )
        })
    }
}

/// The ledger tables against what the log says; the first disagreement, if any.
fn cross_check(tx: &mut dyn Tx, ledger: &mut LedgerSeen) -> ApiResult<Option<String>> {
    let posted = tx.posted_redemptions()?;
    let mut posted_ids = std::collections::HashSet::new();
    for r in &posted {
        posted_ids.insert(r.id.as_str());
        match ledger.commits.get(&r.id) {
            None => {
                return Ok(Some(format!(
                    "redemption {} is committed in the ledger but the audit log has no commit \
                     entry for it (entries were deleted)",
                    r.id
                )))
            }
            Some((store, q)) if *store != r.store_id || *q != r.quantity.get() => {
                return Ok(Some(format!(
                    "redemption {}'s commit entry does not match the ledger",
                    r.id
                )))
            }
            Some(_) => {}
        }
        if r.status == RedemptionStatus::Reversed && !ledger.reversals.contains_key(&r.id) {
            return Ok(Some(format!(
                "redemption {} is reversed in the ledger but the audit log has no reverse entry",
                r.id
            )));
        }
    }
    if let Some(id) = ledger
        .commits
        .keys()
        .find(|id| !posted_ids.contains(id.as_str()))
    {
        return Ok(Some(format!(
            "the audit log commits redemption {id}, which the ledger does not hold as committed"
        )));
    }
    let accruals = tx.all_accruals()?;
    for a in &accruals {
        let key = (a.store_id.clone(), a.bill_id.clone());
        match ledger.accruals.get(&key) {
            Some((customer, points)) if *customer == a.customer_id && *points == a.points.get() => {
            }
            _ => {
                return Ok(Some(format!(
                    "accrual {} (bill {}) has no matching accrual entry in the audit log",
                    a.id, a.bill_id
                )))
            }
        }
    }
    if accruals.len() != ledger.accruals.len() {
        return Ok(Some(
            "the audit log records accruals the ledger does not hold".to_string(),
        ));
    }
    for (i, _) in tx.all_instruments()? {
        let mut expected = ledger.balances.get(&i.id).copied().unwrap_or(0);
        if i.kind == contract::InstrumentKind::Points {
            expected += ledger.unplaced_accruals.remove(&i.customer_id).unwrap_or(0);
        }
        if expected != i128::from(i.balance) {
            return Ok(Some(format!(
                "instrument {} holds a balance of {} but the audit log's movements add up to \
                 {expected}",
                i.id, i.balance
            )));
        }
    }
    Ok(None)
}

impl From<std::io::Error> for ApiError {
    fn from(e: std::io::Error) -> Self {
        ApiError::internal(format!("io: {e}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::AuditSearch;
    use crate::store::sqlite::SqliteStore;
    use crate::store::Db;
    use std::sync::Arc;

    fn the_log_of(tx: &mut dyn Tx, store: &str) -> Vec<AuditEntry> {
        tx.audit_search(store, &AuditSearch::default(), 1000)
            .unwrap()
    }

    /// Appending in one store changes nothing of another's chain: each store's chain starts
    /// at the genesis link and links only its own entries, and verifies on its own.
    #[tokio::test]
    async fn two_stores_chains_are_independent() {
        let dir = tempfile::tempdir().unwrap();
        let key = AuditKey::new(vec![7; 32]).unwrap();
        let store =
            SqliteStore::open(&dir.path().join("a.sqlite"), key, Default::default()).unwrap();
        let db = Db::new(Arc::new(store));
        let checked = db
            .run(|tx| {
                let actor = |s: &str| Actor {
                    store_id: s.into(),
                    terminal_id: None,
                    staff_id: None,
                };
                let note = |tx: &mut dyn Tx, s: &str, n: u64| {
                    record(
                        tx,
                        1_000 + n as i64,
                        &actor(s),
                        Action::SignIn,
                        None,
                        json!({ "n": n }),
                    )
                };
                note(tx, "st-a", 1)?;
                note(tx, "st-a", 2)?;
                let a_before = the_log_of(tx, "st-a");
                let a_head = tx.store_audit_head("st-a")?;
                note(tx, "st-b", 3)?;
                note(tx, "st-b", 4)?;
                // Store B's appends left store A's links and head as they were.
                assert_eq!(the_log_of(tx, "st-a"), a_before);
                assert_eq!(tx.store_audit_head("st-a")?, a_head);
                let b = the_log_of(tx, "st-b");
                assert_eq!(
                    b[0].store_hash.as_deref(),
                    Some(store_link(STORE_GENESIS, &b[0]).as_str()),
                    "a store's chain starts at the genesis link, whatever other stores hold"
                );
                note(tx, "st-a", 5)?;
                let a = the_log_of(tx, "st-a");
                assert_eq!(a.len(), 3);
                assert_eq!(a[2].seq, 5);
                for (store, entries) in [("st-a", &a), ("st-b", &b)] {
                    let mut chain = StoreChain::new();
                    for e in entries {
                        chain.see(e).unwrap();
                    }
                    chain
                        .finish(tx.store_audit_head(store)?.as_deref())
                        .unwrap();
                    assert_eq!(chain.linked(), entries.len() as u64);
                }
                // Each store's newest link is what a checkpoint signs.
                let heads = tx.store_audit_heads()?;
                assert_eq!(
                    heads,
                    vec![
                        StoreHead {
                            store_id: "st-a".into(),
                            seq: 5,
                            link: a[2].store_hash.clone().unwrap()
                        },
                        StoreHead {
                            store_id: "st-b".into(),
                            seq: 4,
                            link: b[1].store_hash.clone().unwrap()
                        },
                    ]
                );
                let checkpoint = Checkpoint::take(tx, 2_000)?;
                assert_eq!(checkpoint.stores, heads);
                assert!(checkpoint.is_signed_by(tx.audit_key()));
                verify(tx, &[checkpoint])
            })
            .await
            .unwrap();
        assert!(
            matches!(
                checked,
                ChainCheck::Intact {
                    entries: 5,
                    store_chains: 2,
                    ..
                }
            ),
            "{checked:?}"
        );
    }

    /// The back office filters and names actions by the contract's list: it is this list.
    #[test]
    fn the_contracts_action_names_are_the_logs_own() {
        let ours: std::collections::BTreeSet<&str> =
            Action::ALL.iter().map(|a| a.as_str()).collect();
        let theirs: std::collections::BTreeSet<&str> =
            contract::audit::ACTIONS.iter().map(|(n, _)| *n).collect();
        assert_eq!(ours, theirs);
        assert_eq!(
            theirs.len(),
            contract::audit::ACTIONS.len(),
            "each named once"
        );
    }

    #[test]
    fn action_strings_are_stable_and_distinct() {
        let stored: Vec<&str> = Action::ALL.iter().map(|a| a.as_str()).collect();
        assert_eq!(
            stored,
            [
                "sign_in",
                "sign_in_failed",
                "sign_out",
                "policy_changed",
                "hold",
                "commit",
                "cancel",
                "expired",
                "reverse",
                "accrual",
                "points_expired",
                "otp_sent",
                "otp_delivery_failed",
                "otp_verified",
                "otp_rejected",
                "otp_locked",
                "override",
                "override_rejected",
                "kiosk_identify_sent",
                "kiosk_identify_delivery_failed",
                "kiosk_identified",
                "kiosk_identify_rejected",
                "kiosk_forgotten",
                "confirmation_failed",
                "balance_opened",
                "approval_requested",
                "approval_declined",
                "store_created",
                "terminal_added",
                "terminal_revoked",
                "staff_added",
                "staff_disabled",
                "pin_set",
                "override_code_set",
                "card_type_added",
                "card_type_changed",
                "card_issued",
                "customers_imported",
                "voucher_redeemed",
                "voucher_refused",
                "fraud_alert",
                "code_disowned",
                "customers_messaged",
                "consent_changed",
                "daily_summary_set",
            ]
        );
        let distinct: std::collections::HashSet<&str> = stored.iter().copied().collect();
        assert_eq!(distinct.len(), Action::ALL.len());
    }
}
