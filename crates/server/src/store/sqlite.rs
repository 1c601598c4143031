//! The SQLite store: WAL, embedded migrations, and one writer thread.
//!
//! Every job runs on that thread, so check-and-hold is serialised without locks (S6).
//! Jobs that queue up while one runs are grouped into one transaction, each inside its own
//! savepoint (a failing job rolls back alone); replies go out only after the group commits,
//! so a client never hears of a change that a crash could still undo.

use super::{Job, Reply, Store, Tx};
use crate::error::{ApiError, ApiResult};
use crate::model::*;
use contract::api::{AuditEntry, Role, TerminalMode};
use contract::instrument::Expiring;
use contract::{CardNumber, Currency, Email, InstrumentKind, Mobile, Money, Policy, Unit};
use rusqlite::{params, Connection, OptionalExtension, Row, TransactionBehavior};
use serde::de::DeserializeOwned;
use serde::Serialize;
use std::collections::HashMap;
use std::path::Path;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::mpsc;
use std::sync::Arc;
use std::sync::Mutex;

/// Schema versions, applied in order; `PRAGMA user_version` records how far a file got.
const MIGRATIONS: &[&str] = &[
    // 1: the first schema.
    r#"
CREATE TABLE merchants (id TEXT PRIMARY KEY, name TEXT NOT NULL);
CREATE TABLE stores (
    id TEXT PRIMARY KEY, merchant_id TEXT NOT NULL REFERENCES merchants(id),
    name TEXT NOT NULL, policy TEXT NOT NULL, override_hash TEXT);
CREATE TABLE terminals (
    id TEXT PRIMARY KEY, store_id TEXT NOT NULL REFERENCES stores(id), name TEXT NOT NULL,
    mode TEXT NOT NULL, token_hash TEXT NOT NULL UNIQUE);
CREATE TABLE staff (
    id TEXT PRIMARY KEY, store_id TEXT NOT NULL REFERENCES stores(id), code TEXT NOT NULL,
    name TEXT NOT NULL, role TEXT NOT NULL, pin_hash TEXT NOT NULL, UNIQUE (store_id, code));
CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY, terminal_id TEXT NOT NULL REFERENCES terminals(id),
    staff_id TEXT, expires_at_ms INTEGER NOT NULL);
CREATE TABLE customers (
    id TEXT PRIMARY KEY, merchant_id TEXT NOT NULL REFERENCES merchants(id), name TEXT NOT NULL,
    mobile TEXT, email TEXT, card TEXT, whatsapp_opt_in INTEGER NOT NULL DEFAULT 0);
CREATE INDEX customers_by_mobile ON customers (merchant_id, mobile);
CREATE INDEX customers_by_card ON customers (merchant_id, card);
CREATE TABLE instruments (
    id TEXT PRIMARY KEY, customer_id TEXT NOT NULL REFERENCES customers(id),
    kind TEXT NOT NULL, label TEXT NOT NULL, unit TEXT NOT NULL,
    balance INTEGER NOT NULL CHECK (balance >= 0),
    held INTEGER NOT NULL DEFAULT 0 CHECK (held >= 0 AND held <= balance),
    unit_value_minor INTEGER NOT NULL, currency TEXT NOT NULL, earned INTEGER,
    expiring_qty INTEGER, expiring_at_ms INTEGER, valid_until_ms INTEGER);
CREATE INDEX instruments_by_customer ON instruments (customer_id);
CREATE TABLE redemptions (
    id TEXT PRIMARY KEY, store_id TEXT NOT NULL REFERENCES stores(id),
    customer_id TEXT NOT NULL, status TEXT NOT NULL, kind TEXT NOT NULL,
    quantity INTEGER NOT NULL, value_minor INTEGER NOT NULL,
    created_at_ms INTEGER NOT NULL, expires_at_ms INTEGER NOT NULL,
    committed_at_ms INTEGER, reversed_at_ms INTEGER, by_override INTEGER NOT NULL DEFAULT 0,
    data TEXT NOT NULL, receipt BLOB);
CREATE INDEX redemptions_open ON redemptions (expires_at_ms)
    WHERE status IN ('awaiting_otp', 'approved');
CREATE INDEX redemptions_committed ON redemptions (store_id, committed_at_ms);
CREATE TABLE otp_sends (
    id INTEGER PRIMARY KEY, store_id TEXT NOT NULL, customer_id TEXT NOT NULL,
    terminal_id TEXT NOT NULL, staff_id TEXT, at_ms INTEGER NOT NULL);
CREATE INDEX otp_sends_customer ON otp_sends (customer_id, at_ms);
CREATE INDEX otp_sends_terminal ON otp_sends (terminal_id, at_ms);
CREATE INDEX otp_sends_staff ON otp_sends (staff_id, at_ms);
CREATE INDEX otp_sends_store ON otp_sends (store_id, at_ms);
CREATE TABLE override_uses (
    id INTEGER PRIMARY KEY, store_id TEXT NOT NULL, redemption_id TEXT NOT NULL,
    at_ms INTEGER NOT NULL);
CREATE INDEX override_uses_store ON override_uses (store_id, at_ms);
CREATE TABLE idempotency (
    store_id TEXT NOT NULL, key TEXT NOT NULL, fingerprint TEXT NOT NULL,
    redemption_id TEXT NOT NULL, response BLOB NOT NULL, created_at_ms INTEGER NOT NULL,
    PRIMARY KEY (store_id, key));
CREATE TABLE accruals (
    id TEXT PRIMARY KEY, store_id TEXT NOT NULL, customer_id TEXT NOT NULL,
    bill_id TEXT NOT NULL, points INTEGER NOT NULL, balance_after INTEGER NOT NULL,
    at_ms INTEGER NOT NULL, UNIQUE (store_id, bill_id));
CREATE TABLE audit (
    seq INTEGER PRIMARY KEY, at_ms INTEGER NOT NULL, action TEXT NOT NULL,
    store_id TEXT NOT NULL, terminal_id TEXT, staff_id TEXT, redemption_id TEXT,
    detail TEXT NOT NULL, prev_hash TEXT NOT NULL, hash TEXT NOT NULL);
CREATE INDEX audit_by_store ON audit (store_id, seq);
CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
    BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
    BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
"#,
    // 2: send limits from bucketed counters instead of one row per send; an index for
    // counting actions (failed sign-ins, failed verifications). IF [NOT] EXISTS keeps files
    // made by development builds of this version working.
    r#"
DROP TABLE IF EXISTS otp_sends;
-- Codes sent, counted per 10-second bucket (customer, terminal and staff windows) and per
-- day (the store's budget), so a limit check reads a handful of rows, not every send.
CREATE TABLE IF NOT EXISTS send_windows (
    scope TEXT NOT NULL, bucket INTEGER NOT NULL, n INTEGER NOT NULL,
    PRIMARY KEY (scope, bucket)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS send_windows_by_age ON send_windows (bucket);
CREATE TABLE IF NOT EXISTS send_days (
    store_id TEXT NOT NULL, day INTEGER NOT NULL, n INTEGER NOT NULL,
    PRIMARY KEY (store_id, day)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS audit_by_action ON audit (store_id, action, at_ms);
"#,
    // 3: finding points whose expiry date has come.
    r#"
CREATE INDEX instruments_expiring ON instruments (expiring_at_ms) WHERE expiring_qty > 0;
"#,
    // 4: self-service kiosk identifications (a customer proves the number or card is theirs),
    // and the link from a kiosk's intents to the identification that allowed them.
    r#"
CREATE TABLE kiosk_identifications (
    id TEXT PRIMARY KEY, session_hash TEXT NOT NULL,
    store_id TEXT NOT NULL REFERENCES stores(id),
    terminal_id TEXT NOT NULL REFERENCES terminals(id),
    customer_id TEXT NOT NULL REFERENCES customers(id),
    status TEXT NOT NULL CHECK (status IN ('awaiting_code', 'locked', 'bound', 'ended')),
    channel TEXT NOT NULL, destination_masked TEXT NOT NULL,
    -- Hex HMAC-SHA256(secret, id || code); NULL once used or voided. Never the code (S2).
    code_mac TEXT, code_length INTEGER NOT NULL,
    sent_at_ms INTEGER NOT NULL, expires_at_ms INTEGER NOT NULL, resend_after_ms INTEGER NOT NULL,
    max_attempts INTEGER NOT NULL,
    failed_attempts INTEGER NOT NULL CHECK (failed_attempts >= 0),
    bound_at_ms INTEGER, last_used_ms INTEGER, idle_until_ms INTEGER,
    created_at_ms INTEGER NOT NULL, ended_at_ms INTEGER);
CREATE INDEX kiosk_identifications_by_session ON kiosk_identifications (session_hash, created_at_ms);
CREATE INDEX kiosk_identifications_idle ON kiosk_identifications (idle_until_ms)
    WHERE status = 'bound';
-- The sweeper prunes by age on every pass.
CREATE INDEX kiosk_identifications_by_age ON kiosk_identifications (created_at_ms);
ALTER TABLE redemptions ADD COLUMN identification_id TEXT;
CREATE INDEX redemptions_by_identification ON redemptions (identification_id)
    WHERE identification_id IS NOT NULL;
"#,
];

/// Jobs gathered into one transaction at most.
const MAX_GROUP: usize = 256;

pub struct SqliteStore {
    jobs: Mutex<mpsc::Sender<Job>>,
}

impl SqliteStore {
    /// Opens (creating and migrating) the database and starts the writer thread.
    pub fn open(path: &Path) -> anyhow_like::Result<SqliteStore> {
        let conn = open_connection(path)?;
        // The writer never checkpoints (that would fsync the database file in the middle of
        // a request); a second connection does it in the background.
        conn.pragma_update(None, "wal_autocheckpoint", 0)
            .map_err(|e| format!("cannot configure {}: {e}", path.display()))?;
        let checkpointer = open_connection(path)?;
        let wal_frames = Arc::new(AtomicI64::new(0));
        let frames_seen = wal_frames.clone();
        let (tx, rx) = mpsc::channel::<Job>();
        std::thread::Builder::new()
            .name("sqlite-writer".into())
            .spawn(move || writer(conn, rx, wal_frames))
            .map_err(|e| format!("cannot start the writer thread: {e}"))?;
        std::thread::Builder::new()
            .name("sqlite-checkpoint".into())
            .spawn(move || checkpoint_forever(checkpointer, frames_seen))
            .map_err(|e| format!("cannot start the checkpoint thread: {e}"))?;
        Ok(SqliteStore {
            jobs: Mutex::new(tx),
        })
    }
}

/// A tiny string error for start-up failures, so main can print them plainly.
pub mod anyhow_like {
    pub type Result<T> = std::result::Result<T, String>;
}

pub fn open_connection(path: &Path) -> anyhow_like::Result<Connection> {
    let mut conn =
        Connection::open(path).map_err(|e| format!("cannot open {}: {e}", path.display()))?;
    let setup = || -> rusqlite::Result<()> {
        conn.pragma_update(None, "journal_mode", "WAL")?;
        // NORMAL in WAL mode survives a process crash (kill -9); only an OS crash could
        // lose the last commits, never corrupt the file.
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        // Keep the working set in memory: 64 MiB of page cache and memory-mapped reads
        // spare the writer thread a system call per page.
        conn.pragma_update(None, "cache_size", -65_536)?;
        conn.pragma_update(None, "mmap_size", 268_435_456)?;
        conn.pragma_update(None, "temp_store", "MEMORY")?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        // Every statement the server runs stays prepared.
        conn.set_prepared_statement_cache_capacity(128);
        Ok(())
    };
    setup().map_err(|e| format!("cannot configure {}: {e}", path.display()))?;
    migrate(&mut conn).map_err(|e| format!("cannot migrate {}: {e}", path.display()))?;
    Ok(conn)
}

fn migrate(conn: &mut Connection) -> rusqlite::Result<()> {
    let version: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(version.max(0) as usize) {
        let txn = conn.transaction()?;
        txn.execute_batch(sql)?;
        txn.pragma_update(None, "user_version", i as i64 + 1)?;
        txn.commit()?;
    }
    Ok(())
}

impl Store for SqliteStore {
    fn submit(&self, job: Job) -> Result<(), ApiError> {
        let jobs = self
            .jobs
            .lock()
            .map_err(|_| ApiError::internal("store lock poisoned"))?;
        jobs.send(job)
            .map_err(|_| ApiError::internal("store worker stopped"))
    }
}

/// Copies the WAL into the database file in the background, often, so little is left to
/// copy when the writer finishes a checkpoint (a passive checkpoint never takes the lock).
fn checkpoint_forever(conn: Connection, wal_frames: Arc<AtomicI64>) {
    let busy = std::time::Duration::from_millis(20);
    let (mut pause, mut last_frames) = (busy, -1i64);
    loop {
        std::thread::sleep(pause);
        // Returns (busy, frames in the WAL, frames copied). While the WAL is changing, keep
        // up every 20 ms; on an idle server, back off to twice a second.
        match conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |r| r.get::<_, i64>(1)) {
            Ok(frames) if frames != last_frames => {
                wal_frames.store(frames, Ordering::Relaxed);
                pause = busy;
                last_frames = frames;
            }
            Ok(_) => pause = (pause * 2).min(std::time::Duration::from_millis(500)),
            Err(e) => tracing::warn!(error = %e, "checkpoint failed"),
        }
    }
}

/// A busy writer never leaves the background checkpoint a quiet moment to finish, and the
/// WAL only starts over after a finished one. So when the WAL holds many frames (about
/// 256 MiB), the writer finishes the (mostly done) checkpoint itself between transactions:
/// a few milliseconds, every few seconds under full load.
const WAL_RESET_FRAMES: i64 = 65_536;

fn finish_checkpoint_if_large(conn: &Connection, wal_frames: &AtomicI64) {
    if wal_frames.load(Ordering::Relaxed) > WAL_RESET_FRAMES {
        let _ = conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(()));
        wal_frames.store(0, Ordering::Relaxed);
    }
}

/// Rows every request reads to authenticate, kept by the writer thread (the only writer,
/// so it sees every change). Entries are dropped when their rows change, and the whole cache
/// is dropped when a job rolls back, so it never holds what the database does not.
#[derive(Default)]
struct Cache {
    stores: HashMap<String, StoreRow>,
    terminals: HashMap<String, TerminalRow>,
    staff: HashMap<(String, String), StaffRow>,
    sessions: HashMap<String, SessionRow>,
}

impl Cache {
    fn clear(&mut self) {
        *self = Cache::default();
    }
}

fn writer(mut conn: Connection, rx: mpsc::Receiver<Job>, wal_frames: Arc<AtomicI64>) {
    let mut cache = Cache::default();
    let mut last_wal_check = std::time::Instant::now();
    while let Ok(first) = rx.recv() {
        if last_wal_check.elapsed() > std::time::Duration::from_millis(500) {
            let started = std::time::Instant::now();
            finish_checkpoint_if_large(&conn, &wal_frames);
            if started.elapsed() > std::time::Duration::from_millis(5) {
                tracing::debug!(
                    took_ms = started.elapsed().as_millis() as u64,
                    "writer finished a checkpoint"
                );
            }
            last_wal_check = std::time::Instant::now();
        }
        let mut group = vec![first];
        while group.len() < MAX_GROUP {
            match rx.try_recv() {
                Ok(job) => group.push(job),
                Err(_) => break,
            }
        }
        let mut replies: Vec<(tokio::sync::oneshot::Sender<Reply>, Reply)> =
            Vec::with_capacity(group.len());
        let started = std::time::Instant::now();
        let jobs = group.len();
        let outcome = run_group(&mut conn, &mut cache, group, &mut replies);
        let took = started.elapsed();
        if took > std::time::Duration::from_millis(20) {
            tracing::warn!(
                jobs,
                took_ms = took.as_millis() as u64,
                "slow transaction group"
            );
        }
        match outcome {
            Ok(()) => {
                for (to, reply) in replies {
                    let _ = to.send(reply);
                }
            }
            Err(e) => {
                cache.clear();
                tracing::error!(error = %e, "transaction group failed; every job in it is refused");
                for (to, _) in replies {
                    let _ = to.send(Err(ApiError::new(contract::ErrorCode::Internal)));
                }
            }
        }
    }
}

fn run_group(
    conn: &mut Connection,
    cache: &mut Cache,
    group: Vec<Job>,
    replies: &mut Vec<(tokio::sync::oneshot::Sender<Reply>, Reply)>,
) -> rusqlite::Result<()> {
    let mut txn = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    for job in group {
        let sp = txn.savepoint()?;
        let work = job.work;
        let out = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            let mut tx = SqliteTx {
                conn: &sp,
                cache: &mut *cache,
            };
            work(&mut tx)
        }))
        .unwrap_or_else(|_| Err(ApiError::internal("a store job panicked")));
        let keep = match &out {
            Ok(_) => true,
            Err(e) => e.keep_changes,
        };
        if keep {
            sp.commit()?;
        } else {
            drop(sp); // rolls back to the savepoint and releases it
            cache.clear();
        }
        replies.push((job.reply, out));
    }
    txn.commit()
}

struct SqliteTx<'c> {
    conn: &'c Connection,
    cache: &'c mut Cache,
}

fn text<T: Serialize>(v: &T) -> String {
    match serde_json::to_value(v) {
        Ok(serde_json::Value::String(s)) => s,
        Ok(other) => other.to_string(),
        Err(_) => String::new(),
    }
}

fn parse_text<T: DeserializeOwned>(s: &str) -> rusqlite::Result<T> {
    serde_json::from_value(serde_json::Value::String(s.to_string())).map_err(|e| {
        rusqlite::Error::FromSqlConversionFailure(0, rusqlite::types::Type::Text, Box::new(e))
    })
}

fn conv<T, E: std::error::Error + Send + Sync + 'static>(r: Result<T, E>) -> rusqlite::Result<T> {
    r.map_err(|e| {
        rusqlite::Error::FromSqlConversionFailure(0, rusqlite::types::Type::Text, Box::new(e))
    })
}

fn u(v: i64) -> u64 {
    v.max(0) as u64
}

const STORE_COLS: &str =
    "s.id, s.merchant_id, m.name, s.name, s.policy, s.override_hash FROM stores s JOIN merchants m ON m.id = s.merchant_id";

fn store_row(r: &Row) -> rusqlite::Result<StoreRow> {
    let policy: String = r.get(4)?;
    Ok(StoreRow {
        id: r.get(0)?,
        merchant_id: r.get(1)?,
        merchant_name: r.get(2)?,
        name: r.get(3)?,
        policy: conv(serde_json::from_str::<Policy>(&policy))?,
        override_hash: r.get(5)?,
    })
}

fn terminal_row(r: &Row) -> rusqlite::Result<TerminalRow> {
    Ok(TerminalRow {
        id: r.get(0)?,
        store_id: r.get(1)?,
        name: r.get(2)?,
        mode: parse_text::<TerminalMode>(&r.get::<_, String>(3)?)?,
        token_hash: r.get(4)?,
    })
}

fn staff_row(r: &Row) -> rusqlite::Result<StaffRow> {
    Ok(StaffRow {
        id: r.get(0)?,
        store_id: r.get(1)?,
        code: r.get(2)?,
        name: r.get(3)?,
        role: parse_text::<Role>(&r.get::<_, String>(4)?)?,
        pin_hash: r.get(5)?,
    })
}

const CUSTOMER_COLS: &str =
    "id, merchant_id, name, mobile, email, card, whatsapp_opt_in FROM customers";

fn customer_row(r: &Row) -> rusqlite::Result<CustomerRow> {
    let mobile: Option<String> = r.get(3)?;
    let email: Option<String> = r.get(4)?;
    let card: Option<String> = r.get(5)?;
    Ok(CustomerRow {
        id: r.get(0)?,
        merchant_id: r.get(1)?,
        name: r.get(2)?,
        mobile: conv(mobile.map(Mobile::try_from).transpose())?,
        email: conv(email.map(|e| Email::parse(&e)).transpose())?,
        card: conv(card.map(|c| CardNumber::parse(&c)).transpose())?,
        whatsapp_opt_in: r.get(6)?,
    })
}

const INSTRUMENT_COLS: &str =
    "id, customer_id, kind, label, unit, balance, held, unit_value_minor, currency, \
     earned, expiring_qty, expiring_at_ms, valid_until_ms FROM instruments";

fn instrument_row(r: &Row) -> rusqlite::Result<InstrumentRow> {
    let currency = conv(Currency::parse(&r.get::<_, String>(8)?))?;
    let expiring_qty: Option<i64> = r.get(10)?;
    let expiring_at: Option<i64> = r.get(11)?;
    Ok(InstrumentRow {
        id: r.get(0)?,
        customer_id: r.get(1)?,
        kind: parse_text::<InstrumentKind>(&r.get::<_, String>(2)?)?,
        label: r.get(3)?,
        unit: parse_text::<Unit>(&r.get::<_, String>(4)?)?,
        balance: u(r.get(5)?),
        held: u(r.get(6)?),
        unit_value: conv(Money::new(u(r.get(7)?), currency))?,
        earned: r.get::<_, Option<i64>>(9)?.map(u),
        expiring: match (expiring_qty, expiring_at) {
            (Some(q), Some(at)) => Some(Expiring {
                quantity: u(q),
                at_ms: at,
            }),
            _ => None,
        },
        valid_until_ms: r.get(12)?,
    })
}

const IDENTIFICATION_COLS: &str =
    "id, session_hash, store_id, terminal_id, customer_id, status, channel, destination_masked, \
     code_mac, code_length, sent_at_ms, expires_at_ms, resend_after_ms, max_attempts, failed_attempts, \
     bound_at_ms, last_used_ms, idle_until_ms, created_at_ms, ended_at_ms FROM kiosk_identifications";

fn identification_row(r: &Row) -> rusqlite::Result<IdentificationRow> {
    let small = |v: i64| u8::try_from(v.clamp(0, 255)).unwrap_or(u8::MAX);
    Ok(IdentificationRow {
        id: r.get(0)?,
        session_hash: r.get(1)?,
        store_id: r.get(2)?,
        terminal_id: r.get(3)?,
        customer_id: r.get(4)?,
        status: parse_text::<IdentificationStatus>(&r.get::<_, String>(5)?)?,
        otp: OtpState {
            channel: parse_text::<contract::Channel>(&r.get::<_, String>(6)?)?,
            destination_masked: r.get(7)?,
            code_mac: r.get(8)?,
            length: small(r.get(9)?),
            sent_at_ms: r.get(10)?,
            expires_at_ms: r.get(11)?,
            resend_after_ms: r.get(12)?,
        },
        max_attempts: small(r.get(13)?),
        failed_attempts: small(r.get(14)?),
        bound_at_ms: r.get(15)?,
        last_used_ms: r.get(16)?,
        idle_until_ms: r.get(17)?,
        created_at_ms: r.get(18)?,
        ended_at_ms: r.get(19)?,
    })
}

fn redemption_row(r: &Row) -> rusqlite::Result<RedemptionRow> {
    let data: String = r.get(0)?;
    conv(serde_json::from_str(&data))
}

const AUDIT_COLS: &str =
    "seq, at_ms, action, store_id, terminal_id, staff_id, redemption_id, detail, prev_hash, hash FROM audit";

fn audit_row(r: &Row) -> rusqlite::Result<AuditEntry> {
    Ok(AuditEntry {
        seq: u(r.get(0)?),
        at_ms: r.get(1)?,
        action: r.get(2)?,
        store_id: r.get(3)?,
        terminal_id: r.get(4)?,
        staff_id: r.get(5)?,
        redemption_id: r.get(6)?,
        detail: r.get(7)?,
        prev_hash: r.get(8)?,
        hash: r.get(9)?,
    })
}

fn accrual_row(r: &Row) -> rusqlite::Result<AccrualRow> {
    Ok(AccrualRow {
        id: r.get(0)?,
        store_id: r.get(1)?,
        customer_id: r.get(2)?,
        bill_id: r.get(3)?,
        points: conv(contract::Quantity::new(u(r.get(4)?)))?,
        balance_after: u(r.get(5)?),
        at_ms: r.get(6)?,
    })
}

fn i(v: u64) -> i64 {
    i64::try_from(v).unwrap_or(i64::MAX)
}

impl SqliteTx<'_> {
    fn all<T>(
        &self,
        sql: &str,
        params: impl rusqlite::Params,
        f: impl FnMut(&Row) -> rusqlite::Result<T>,
    ) -> ApiResult<Vec<T>> {
        let mut stmt = self.conn.prepare_cached(sql)?;
        let rows = stmt.query_map(params, f)?;
        Ok(rows.collect::<rusqlite::Result<Vec<T>>>()?)
    }

    fn one<T>(
        &self,
        sql: &str,
        params: impl rusqlite::Params,
        f: impl FnOnce(&Row) -> rusqlite::Result<T>,
    ) -> ApiResult<Option<T>> {
        let mut stmt = self.conn.prepare_cached(sql)?;
        Ok(stmt.query_row(params, f).optional()?)
    }

    fn exec(&self, sql: &str, params: impl rusqlite::Params) -> ApiResult<usize> {
        let mut stmt = self.conn.prepare_cached(sql)?;
        Ok(stmt.execute(params)?)
    }

    fn count(&self, sql: &str, params: impl rusqlite::Params) -> ApiResult<u64> {
        Ok(self
            .one(sql, params, |r| r.get::<_, i64>(0))?
            .map(u)
            .unwrap_or(0))
    }
}

/// Width of a send-window bucket. A window check counts whole buckets, so it may count up
/// to one bucket of older sends: it errs on the strict side.
const BUCKET_MS: i64 = 10_000;
const DAY_MS: i64 = 86_400_000;

fn id_of(scope: SendScope<'_>) -> &str {
    match scope {
        SendScope::Customer(id)
        | SendScope::Terminal(id)
        | SendScope::Staff(id)
        | SendScope::Store(id) => id,
    }
}

fn window_scope(scope: SendScope<'_>) -> Option<String> {
    match scope {
        SendScope::Customer(id) => Some(format!("c:{id}")),
        SendScope::Terminal(id) => Some(format!("t:{id}")),
        SendScope::Staff(id) => Some(format!("s:{id}")),
        SendScope::Store(_) => None,
    }
}

impl Tx for SqliteTx<'_> {
    fn insert_merchant(&mut self, m: &MerchantRow) -> ApiResult<()> {
        self.exec(
            "INSERT INTO merchants (id, name) VALUES (?1, ?2)",
            params![m.id, m.name],
        )?;
        Ok(())
    }

    fn insert_store(&mut self, s: &StoreRow) -> ApiResult<()> {
        self.exec(
            "INSERT INTO stores (id, merchant_id, name, policy, override_hash) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![s.id, s.merchant_id, s.name, serde_json::to_string(&s.policy)?, s.override_hash],
        )?;
        Ok(())
    }

    fn store(&mut self, store_id: &str) -> ApiResult<Option<StoreRow>> {
        if let Some(hit) = self.cache.stores.get(store_id) {
            return Ok(Some(hit.clone()));
        }
        let row = self.one(
            &format!("SELECT {STORE_COLS} WHERE s.id = ?1"),
            params![store_id],
            store_row,
        )?;
        if let Some(r) = &row {
            self.cache.stores.insert(store_id.to_string(), r.clone());
        }
        Ok(row)
    }

    fn stores(&mut self) -> ApiResult<Vec<StoreRow>> {
        self.all(&format!("SELECT {STORE_COLS} ORDER BY s.id"), [], store_row)
    }

    fn set_policy(&mut self, store_id: &str, policy: &Policy) -> ApiResult<()> {
        self.cache.stores.remove(store_id);
        self.exec(
            "UPDATE stores SET policy = ?2 WHERE id = ?1",
            params![store_id, serde_json::to_string(policy)?],
        )?;
        Ok(())
    }

    fn set_override_hash(&mut self, store_id: &str, hash: &str) -> ApiResult<()> {
        self.cache.stores.remove(store_id);
        self.exec(
            "UPDATE stores SET override_hash = ?2 WHERE id = ?1",
            params![store_id, hash],
        )?;
        Ok(())
    }

    fn insert_terminal(&mut self, t: &TerminalRow) -> ApiResult<()> {
        self.exec(
            "INSERT INTO terminals (id, store_id, name, mode, token_hash) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![t.id, t.store_id, t.name, text(&t.mode), t.token_hash],
        )?;
        Ok(())
    }

    fn terminal_by_token_hash(&mut self, token_hash: &str) -> ApiResult<Option<TerminalRow>> {
        if let Some(hit) = self.cache.terminals.get(token_hash) {
            return Ok(Some(hit.clone()));
        }
        let row = self.one(
            "SELECT id, store_id, name, mode, token_hash FROM terminals WHERE token_hash = ?1",
            params![token_hash],
            terminal_row,
        )?;
        if let Some(r) = &row {
            self.cache
                .terminals
                .insert(token_hash.to_string(), r.clone());
        }
        Ok(row)
    }

    fn insert_staff(&mut self, s: &StaffRow) -> ApiResult<()> {
        self.exec(
            "INSERT INTO staff (id, store_id, code, name, role, pin_hash) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![s.id, s.store_id, s.code, s.name, text(&s.role), s.pin_hash],
        )?;
        Ok(())
    }

    fn staff_by_code(&mut self, store_id: &str, code: &str) -> ApiResult<Option<StaffRow>> {
        self.one(
            "SELECT id, store_id, code, name, role, pin_hash FROM staff WHERE store_id = ?1 AND code = ?2",
            params![store_id, code],
            staff_row,
        )
    }

    fn staff_by_id(&mut self, store_id: &str, id: &str) -> ApiResult<Option<StaffRow>> {
        let key = (store_id.to_string(), id.to_string());
        if let Some(hit) = self.cache.staff.get(&key) {
            return Ok(Some(hit.clone()));
        }
        let row = self.one(
            "SELECT id, store_id, code, name, role, pin_hash FROM staff WHERE store_id = ?1 AND id = ?2",
            params![store_id, id],
            staff_row,
        )?;
        if let Some(r) = &row {
            self.cache.staff.insert(key, r.clone());
        }
        Ok(row)
    }

    fn insert_session(&mut self, s: &SessionRow) -> ApiResult<()> {
        self.exec(
            "INSERT INTO sessions (token_hash, terminal_id, staff_id, expires_at_ms) VALUES (?1, ?2, ?3, ?4)",
            params![s.token_hash, s.terminal_id, s.staff_id, s.expires_at_ms],
        )?;
        Ok(())
    }

    fn session(&mut self, token_hash: &str) -> ApiResult<Option<SessionRow>> {
        if let Some(hit) = self.cache.sessions.get(token_hash) {
            return Ok(Some(hit.clone()));
        }
        let row = self.one(
            "SELECT token_hash, terminal_id, staff_id, expires_at_ms FROM sessions WHERE token_hash = ?1",
            params![token_hash],
            |r| {
                Ok(SessionRow {
                    token_hash: r.get(0)?,
                    terminal_id: r.get(1)?,
                    staff_id: r.get(2)?,
                    expires_at_ms: r.get(3)?,
                })
            },
        )?;
        if let Some(r) = &row {
            self.cache
                .sessions
                .insert(token_hash.to_string(), r.clone());
        }
        Ok(row)
    }

    fn delete_session(&mut self, token_hash: &str) -> ApiResult<()> {
        self.cache.sessions.remove(token_hash);
        self.exec(
            "DELETE FROM sessions WHERE token_hash = ?1",
            params![token_hash],
        )?;
        Ok(())
    }

    fn delete_expired_sessions(&mut self, now_ms: i64) -> ApiResult<usize> {
        // Kept a day past expiry so a late request still hears "session expired".
        self.cache.sessions.clear();
        self.exec(
            "DELETE FROM sessions WHERE expires_at_ms < ?1",
            params![now_ms - 86_400_000],
        )
    }

    fn insert_customer(&mut self, c: &CustomerRow) -> ApiResult<()> {
        self.exec(
            "INSERT INTO customers (id, merchant_id, name, mobile, email, card, whatsapp_opt_in) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![
                c.id,
                c.merchant_id,
                c.name,
                c.mobile.as_ref().map(Mobile::as_str),
                c.email.as_ref().map(Email::as_str),
                c.card.as_ref().map(CardNumber::as_str),
                c.whatsapp_opt_in
            ],
        )?;
        Ok(())
    }

    fn customer(&mut self, merchant_id: &str, id: &str) -> ApiResult<Option<CustomerRow>> {
        self.one(
            &format!("SELECT {CUSTOMER_COLS} WHERE merchant_id = ?1 AND id = ?2"),
            params![merchant_id, id],
            customer_row,
        )
    }

    fn customers_by_mobile(
        &mut self,
        merchant_id: &str,
        e164: &str,
    ) -> ApiResult<Vec<CustomerRow>> {
        self.all(
            &format!("SELECT {CUSTOMER_COLS} WHERE merchant_id = ?1 AND mobile = ?2 ORDER BY name LIMIT 20"),
            params![merchant_id, e164],
            customer_row,
        )
    }

    fn customers_by_card(&mut self, merchant_id: &str, card: &str) -> ApiResult<Vec<CustomerRow>> {
        self.all(
            &format!("SELECT {CUSTOMER_COLS} WHERE merchant_id = ?1 AND card = ?2 ORDER BY name LIMIT 20"),
            params![merchant_id, card],
            customer_row,
        )
    }

    fn customers_by_name(
        &mut self,
        merchant_id: &str,
        part: &str,
        limit: u32,
    ) -> ApiResult<Vec<CustomerRow>> {
        // LIKE wildcards typed by the cashier are matched literally.
        let escaped = part
            .replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_");
        self.all(
            &format!(
                "SELECT {CUSTOMER_COLS} WHERE merchant_id = ?1 AND name LIKE '%' || ?2 || '%' ESCAPE '\\' \
                 ORDER BY name LIMIT ?3"
            ),
            params![merchant_id, escaped, limit],
            customer_row,
        )
    }

    fn insert_instrument(&mut self, x: &InstrumentRow) -> ApiResult<()> {
        self.exec(
            "INSERT INTO instruments (id, customer_id, kind, label, unit, balance, held, unit_value_minor, \
             currency, earned, expiring_qty, expiring_at_ms, valid_until_ms) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
            params![
                x.id,
                x.customer_id,
                x.kind.as_str(),
                x.label,
                text(&x.unit),
                i(x.balance),
                i(x.held),
                i(x.unit_value.minor()),
                x.unit_value.currency().code(),
                x.earned.map(i),
                x.expiring.as_ref().map(|e| i(e.quantity)),
                x.expiring.as_ref().map(|e| e.at_ms),
                x.valid_until_ms
            ],
        )?;
        Ok(())
    }

    fn instruments(&mut self, customer_id: &str) -> ApiResult<Vec<InstrumentRow>> {
        self.all(
            &format!("SELECT {INSTRUMENT_COLS} WHERE customer_id = ?1 ORDER BY rowid"),
            params![customer_id],
            instrument_row,
        )
    }

    fn instrument(&mut self, customer_id: &str, id: &str) -> ApiResult<Option<InstrumentRow>> {
        self.one(
            &format!("SELECT {INSTRUMENT_COLS} WHERE customer_id = ?1 AND id = ?2"),
            params![customer_id, id],
            instrument_row,
        )
    }

    fn update_instrument(&mut self, x: &InstrumentRow) -> ApiResult<()> {
        let n = self.exec(
            "UPDATE instruments SET balance = ?2, held = ?3, earned = ?4, expiring_qty = ?5, expiring_at_ms = ?6 \
             WHERE id = ?1",
            params![
                x.id,
                i(x.balance),
                i(x.held),
                x.earned.map(i),
                x.expiring.as_ref().map(|e| i(e.quantity)),
                x.expiring.as_ref().map(|e| e.at_ms)
            ],
        )?;
        if n != 1 {
            return Err(ApiError::internal(format!("instrument {} vanished", x.id)));
        }
        Ok(())
    }

    fn insert_redemption(&mut self, r: &RedemptionRow) -> ApiResult<()> {
        self.exec(
            "INSERT INTO redemptions (id, store_id, customer_id, status, kind, quantity, value_minor, \
             created_at_ms, expires_at_ms, data, identification_id) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
            params![
                r.id,
                r.store_id,
                r.customer_id,
                text(&r.status),
                r.instrument_kind.as_str(),
                i(r.quantity.get()),
                i(r.value.minor()),
                r.created_at_ms,
                r.expires_at_ms,
                serde_json::to_string(r)?,
                r.identification_id
            ],
        )?;
        Ok(())
    }

    fn update_redemption(&mut self, r: &RedemptionRow) -> ApiResult<()> {
        let by_override = matches!(r.approval, Some(contract::api::Approval::Override { .. }));
        let n = self.exec(
            "UPDATE redemptions SET status = ?2, expires_at_ms = ?3, committed_at_ms = ?4, reversed_at_ms = ?5, \
             by_override = ?6, data = ?7 WHERE id = ?1",
            params![
                r.id,
                text(&r.status),
                r.expires_at_ms,
                r.committed_at_ms,
                r.reversal.as_ref().map(|x| x.reversed_at_ms),
                by_override,
                serde_json::to_string(r)?
            ],
        )?;
        if n != 1 {
            return Err(ApiError::internal(format!("redemption {} vanished", r.id)));
        }
        Ok(())
    }

    fn redemption(&mut self, store_id: &str, id: &str) -> ApiResult<Option<RedemptionRow>> {
        self.one(
            "SELECT data FROM redemptions WHERE store_id = ?1 AND id = ?2",
            params![store_id, id],
            redemption_row,
        )
    }

    fn instruments_expiring_by(
        &mut self,
        now_ms: i64,
        limit: u32,
    ) -> ApiResult<Vec<(InstrumentRow, String)>> {
        let due = self.all(
            "SELECT id, customer_id FROM instruments WHERE expiring_qty > 0 AND expiring_at_ms <= ?1 LIMIT ?2",
            params![now_ms, limit],
            |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)),
        )?;
        let mut out = Vec::with_capacity(due.len());
        for (id, customer_id) in due {
            let merchant: Option<String> = self.one(
                "SELECT merchant_id FROM customers WHERE id = ?1",
                params![customer_id],
                |r| r.get(0),
            )?;
            if let (Some(instrument), Some(merchant)) =
                (self.instrument(&customer_id, &id)?, merchant)
            {
                out.push((instrument, merchant));
            }
        }
        Ok(out)
    }

    fn open_redemptions_expired_by(
        &mut self,
        now_ms: i64,
        limit: u32,
    ) -> ApiResult<Vec<RedemptionRow>> {
        self.all(
            "SELECT data FROM redemptions WHERE status IN ('awaiting_otp', 'approved') AND expires_at_ms <= ?1 \
             ORDER BY expires_at_ms LIMIT ?2",
            params![now_ms, limit],
            redemption_row,
        )
    }

    fn save_receipt(&mut self, redemption_id: &str, bytes: &[u8]) -> ApiResult<()> {
        self.exec(
            "UPDATE redemptions SET receipt = ?2 WHERE id = ?1",
            params![redemption_id, bytes],
        )?;
        Ok(())
    }

    fn receipt_bytes(&mut self, redemption_id: &str) -> ApiResult<Option<Vec<u8>>> {
        Ok(self
            .one(
                "SELECT receipt FROM redemptions WHERE id = ?1",
                params![redemption_id],
                |r| r.get::<_, Option<Vec<u8>>>(0),
            )?
            .flatten())
    }

    fn idempotency(&mut self, store_id: &str, key: &str) -> ApiResult<Option<IdempotencyRow>> {
        self.one(
            "SELECT store_id, key, fingerprint, redemption_id, response, created_at_ms FROM idempotency \
             WHERE store_id = ?1 AND key = ?2",
            params![store_id, key],
            |r| {
                Ok(IdempotencyRow {
                    store_id: r.get(0)?,
                    key: r.get(1)?,
                    fingerprint: r.get(2)?,
                    redemption_id: r.get(3)?,
                    response: r.get(4)?,
                    created_at_ms: r.get(5)?,
                })
            },
        )
    }

    fn insert_idempotency(&mut self, x: &IdempotencyRow) -> ApiResult<()> {
        self.exec(
            "INSERT INTO idempotency (store_id, key, fingerprint, redemption_id, response, created_at_ms) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![x.store_id, x.key, x.fingerprint, x.redemption_id, x.response, x.created_at_ms],
        )?;
        Ok(())
    }

    fn report(&mut self, store_id: &str, from_ms: i64, to_ms: i64) -> ApiResult<Vec<ReportRow>> {
        self.all(
            "SELECT kind, COUNT(*), SUM(quantity), SUM(value_minor) FROM redemptions \
             WHERE store_id = ?1 AND committed_at_ms >= ?2 AND committed_at_ms < ?3 \
             GROUP BY kind ORDER BY kind",
            params![store_id, from_ms, to_ms],
            |r| {
                Ok(ReportRow {
                    kind: parse_text::<InstrumentKind>(&r.get::<_, String>(0)?)?,
                    count: u(r.get(1)?),
                    quantity: u(r.get(2)?),
                    value_minor: u(r.get(3)?),
                })
            },
        )
    }

    fn count_overrides_committed(
        &mut self,
        store_id: &str,
        from_ms: i64,
        to_ms: i64,
    ) -> ApiResult<u64> {
        self.count(
            "SELECT COUNT(*) FROM redemptions WHERE store_id = ?1 AND by_override = 1 \
             AND committed_at_ms >= ?2 AND committed_at_ms < ?3",
            params![store_id, from_ms, to_ms],
        )
    }

    fn count_reversals(&mut self, store_id: &str, from_ms: i64, to_ms: i64) -> ApiResult<u64> {
        self.count(
            "SELECT COUNT(*) FROM redemptions WHERE store_id = ?1 AND reversed_at_ms >= ?2 AND reversed_at_ms < ?3",
            params![store_id, from_ms, to_ms],
        )
    }

    fn insert_send(&mut self, s: &SendRow) -> ApiResult<()> {
        let bucket = s.at_ms.div_euclid(BUCKET_MS);
        let scopes = [
            Some(SendScope::Customer(&s.customer_id)),
            Some(SendScope::Terminal(&s.terminal_id)),
            s.staff_id.as_deref().map(SendScope::Staff),
        ];
        for scope in scopes.into_iter().flatten().filter_map(window_scope) {
            self.exec(
                "INSERT INTO send_windows (scope, bucket, n) VALUES (?1, ?2, 1) \
                 ON CONFLICT (scope, bucket) DO UPDATE SET n = n + 1",
                params![scope, bucket],
            )?;
        }
        self.exec(
            "INSERT INTO send_days (store_id, day, n) VALUES (?1, ?2, 1) \
             ON CONFLICT (store_id, day) DO UPDATE SET n = n + 1",
            params![s.store_id, s.at_ms.div_euclid(DAY_MS)],
        )?;
        Ok(())
    }

    fn uncount_send(&mut self, s: &SendRow) -> ApiResult<()> {
        let bucket = s.at_ms.div_euclid(BUCKET_MS);
        let scopes = [
            Some(SendScope::Customer(&s.customer_id)),
            Some(SendScope::Terminal(&s.terminal_id)),
            s.staff_id.as_deref().map(SendScope::Staff),
        ];
        for scope in scopes.into_iter().flatten().filter_map(window_scope) {
            self.exec(
                "UPDATE send_windows SET n = n - 1 WHERE scope = ?1 AND bucket = ?2 AND n > 0",
                params![scope, bucket],
            )?;
        }
        self.exec(
            "UPDATE send_days SET n = n - 1 WHERE store_id = ?1 AND day = ?2 AND n > 0",
            params![s.store_id, s.at_ms.div_euclid(DAY_MS)],
        )?;
        Ok(())
    }

    fn count_sends_since(&mut self, scope: SendScope<'_>, since_ms: i64) -> ApiResult<u64> {
        match (scope, window_scope(scope)) {
            (_, Some(key)) => self.count(
                "SELECT COALESCE(SUM(n), 0) FROM send_windows WHERE scope = ?1 AND bucket >= ?2",
                params![key, since_ms.div_euclid(BUCKET_MS)],
            ),
            (_, None) => self.count(
                "SELECT COALESCE(SUM(n), 0) FROM send_days WHERE store_id = ?1 AND day >= ?2",
                params![id_of(scope), since_ms.div_euclid(DAY_MS)],
            ),
        }
    }

    fn oldest_send_since(&mut self, scope: SendScope<'_>, since_ms: i64) -> ApiResult<Option<i64>> {
        let Some(key) = window_scope(scope) else {
            return Ok(None);
        };
        let bucket = self.one(
            "SELECT MIN(bucket) FROM send_windows WHERE scope = ?1 AND bucket >= ?2",
            params![key, since_ms.div_euclid(BUCKET_MS)],
            |r| r.get::<_, Option<i64>>(0),
        )?;
        Ok(bucket.flatten().map(|b| (b + 1) * BUCKET_MS))
    }

    fn prune_sends(&mut self, before_ms: i64) -> ApiResult<usize> {
        let windows = self.exec(
            "DELETE FROM send_windows WHERE bucket < ?1",
            params![before_ms.div_euclid(BUCKET_MS)],
        )?;
        let days = self.exec(
            "DELETE FROM send_days WHERE day < ?1",
            params![before_ms.div_euclid(DAY_MS) - 1],
        )?;
        Ok(windows + days)
    }

    fn insert_override_use(
        &mut self,
        store_id: &str,
        redemption_id: &str,
        at_ms: i64,
    ) -> ApiResult<()> {
        self.exec(
            "INSERT INTO override_uses (store_id, redemption_id, at_ms) VALUES (?1, ?2, ?3)",
            params![store_id, redemption_id, at_ms],
        )?;
        Ok(())
    }

    fn count_override_uses_since(&mut self, store_id: &str, since_ms: i64) -> ApiResult<u64> {
        self.count(
            "SELECT COUNT(*) FROM override_uses WHERE store_id = ?1 AND at_ms >= ?2",
            params![store_id, since_ms],
        )
    }

    fn insert_identification(&mut self, x: &IdentificationRow) -> ApiResult<()> {
        self.exec(
            "INSERT INTO kiosk_identifications (id, session_hash, store_id, terminal_id, customer_id, status, \
             channel, destination_masked, code_mac, code_length, sent_at_ms, expires_at_ms, resend_after_ms, \
             max_attempts, failed_attempts, bound_at_ms, last_used_ms, idle_until_ms, created_at_ms, ended_at_ms) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20)",
            params![
                x.id,
                x.session_hash,
                x.store_id,
                x.terminal_id,
                x.customer_id,
                text(&x.status),
                x.otp.channel.as_str(),
                x.otp.destination_masked,
                x.otp.code_mac,
                x.otp.length,
                x.otp.sent_at_ms,
                x.otp.expires_at_ms,
                x.otp.resend_after_ms,
                x.max_attempts,
                x.failed_attempts,
                x.bound_at_ms,
                x.last_used_ms,
                x.idle_until_ms,
                x.created_at_ms,
                x.ended_at_ms
            ],
        )?;
        Ok(())
    }

    fn update_identification(&mut self, x: &IdentificationRow) -> ApiResult<()> {
        let n = self.exec(
            "UPDATE kiosk_identifications SET status = ?2, channel = ?3, destination_masked = ?4, code_mac = ?5, \
             code_length = ?6, sent_at_ms = ?7, expires_at_ms = ?8, resend_after_ms = ?9, failed_attempts = ?10, \
             bound_at_ms = ?11, last_used_ms = ?12, idle_until_ms = ?13, ended_at_ms = ?14 WHERE id = ?1",
            params![
                x.id,
                text(&x.status),
                x.otp.channel.as_str(),
                x.otp.destination_masked,
                x.otp.code_mac,
                x.otp.length,
                x.otp.sent_at_ms,
                x.otp.expires_at_ms,
                x.otp.resend_after_ms,
                x.failed_attempts,
                x.bound_at_ms,
                x.last_used_ms,
                x.idle_until_ms,
                x.ended_at_ms
            ],
        )?;
        if n != 1 {
            return Err(ApiError::internal(format!(
                "identification {} vanished",
                x.id
            )));
        }
        Ok(())
    }

    fn latest_identification(
        &mut self,
        session_hash: &str,
    ) -> ApiResult<Option<IdentificationRow>> {
        self.one(
            &format!(
                "SELECT {IDENTIFICATION_COLS} WHERE session_hash = ?1 \
                 ORDER BY created_at_ms DESC, rowid DESC LIMIT 1"
            ),
            params![session_hash],
            identification_row,
        )
    }

    fn identifications_idle_by(
        &mut self,
        now_ms: i64,
        limit: u32,
    ) -> ApiResult<Vec<IdentificationRow>> {
        self.all(
            &format!(
                "SELECT {IDENTIFICATION_COLS} WHERE status = 'bound' AND idle_until_ms <= ?1 \
                 ORDER BY idle_until_ms LIMIT ?2"
            ),
            params![now_ms, limit],
            identification_row,
        )
    }

    fn prune_identifications(&mut self, before_ms: i64) -> ApiResult<usize> {
        self.exec(
            "DELETE FROM kiosk_identifications WHERE status != 'bound' AND created_at_ms < ?1",
            params![before_ms],
        )
    }

    fn open_redemptions_of_identification(
        &mut self,
        store_id: &str,
        identification_id: &str,
    ) -> ApiResult<Vec<RedemptionRow>> {
        self.all(
            "SELECT data FROM redemptions WHERE identification_id = ?1 AND store_id = ?2 \
             AND status IN ('awaiting_otp', 'approved') ORDER BY created_at_ms",
            params![identification_id, store_id],
            redemption_row,
        )
    }

    fn insert_accrual(&mut self, a: &AccrualRow) -> ApiResult<()> {
        self.exec(
            "INSERT INTO accruals (id, store_id, customer_id, bill_id, points, balance_after, at_ms) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![a.id, a.store_id, a.customer_id, a.bill_id, i(a.points.get()), i(a.balance_after), a.at_ms],
        )?;
        Ok(())
    }

    fn accrual_for_bill(&mut self, store_id: &str, bill_id: &str) -> ApiResult<Option<AccrualRow>> {
        self.one(
            "SELECT id, store_id, customer_id, bill_id, points, balance_after, at_ms FROM accruals \
             WHERE store_id = ?1 AND bill_id = ?2",
            params![store_id, bill_id],
            accrual_row,
        )
    }

    fn last_audit(&mut self) -> ApiResult<Option<(u64, String)>> {
        self.one(
            "SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1",
            [],
            |r| Ok((u(r.get(0)?), r.get(1)?)),
        )
    }

    fn append_audit(&mut self, e: &AuditEntry) -> ApiResult<()> {
        self.exec(
            "INSERT INTO audit (seq, at_ms, action, store_id, terminal_id, staff_id, redemption_id, detail, \
             prev_hash, hash) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
            params![
                i(e.seq),
                e.at_ms,
                e.action,
                e.store_id,
                e.terminal_id,
                e.staff_id,
                e.redemption_id,
                e.detail,
                e.prev_hash,
                e.hash
            ],
        )?;
        Ok(())
    }

    fn audit_page(&mut self, store_id: &str, after: u64, limit: u32) -> ApiResult<Vec<AuditEntry>> {
        self.all(
            &format!("SELECT {AUDIT_COLS} WHERE store_id = ?1 AND seq > ?2 ORDER BY seq LIMIT ?3"),
            params![store_id, i(after), limit],
            audit_row,
        )
    }

    fn audit_chain(&mut self, after: u64, limit: u32) -> ApiResult<Vec<AuditEntry>> {
        self.all(
            &format!("SELECT {AUDIT_COLS} WHERE seq > ?1 ORDER BY seq LIMIT ?2"),
            params![i(after), limit],
            audit_row,
        )
    }

    fn count_audit_actions(
        &mut self,
        store_id: &str,
        action: &str,
        from_ms: i64,
        to_ms: i64,
    ) -> ApiResult<u64> {
        self.count(
            "SELECT COUNT(*) FROM audit WHERE store_id = ?1 AND action = ?2 AND at_ms >= ?3 AND at_ms < ?4",
            params![store_id, action, from_ms, to_ms],
        )
    }

    fn count_terminal_audit_actions(
        &mut self,
        store_id: &str,
        terminal_id: &str,
        action: &str,
        since_ms: i64,
    ) -> ApiResult<u64> {
        self.count(
            "SELECT COUNT(*) FROM audit WHERE store_id = ?1 AND action = ?2 AND at_ms >= ?3 AND terminal_id = ?4",
            params![store_id, action, since_ms, terminal_id],
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tables(conn: &Connection) -> Vec<String> {
        let mut stmt = conn
            .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
            .unwrap();
        stmt.query_map([], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap()
    }

    #[test]
    fn a_file_of_the_first_schema_is_migrated_forward() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("old.sqlite");
        {
            let conn = Connection::open(&path).unwrap();
            conn.execute_batch(MIGRATIONS[0]).unwrap();
            conn.pragma_update(None, "user_version", 1).unwrap();
            assert!(tables(&conn).contains(&"otp_sends".to_string()));
        }
        let conn = open_connection(&path).unwrap();
        let version: i64 = conn
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .unwrap();
        assert_eq!(version, MIGRATIONS.len() as i64);
        let names = tables(&conn);
        assert!(
            names.contains(&"send_windows".to_string()) && names.contains(&"send_days".to_string())
        );
        assert!(!names.contains(&"otp_sends".to_string()));
        assert!(names.contains(&"kiosk_identifications".to_string()));
        let linked: i64 = conn
            .query_row(
                "SELECT COUNT(*) FROM pragma_table_info('redemptions') WHERE name = 'identification_id'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(linked, 1, "intents can name the kiosk identification");
        // Opening again changes nothing.
        drop(conn);
        assert!(open_connection(&path).is_ok());
    }
}
