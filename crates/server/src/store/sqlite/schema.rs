//! The schema: migrations applied in order, `PRAGMA user_version` recording how far a file got.

use rusqlite::Connection;

/// Schema versions, applied in order; `PRAGMA user_version` records how far a file got.
pub(super) const MIGRATIONS: &[&str] = &[
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
    // 5: guesses of secrets checked by a slow hash (staff PINs, the store's override code),
    // one row per attempt and scope, inserted before the hash is computed (S11).
    r#"
CREATE TABLE guesses (
    attempt TEXT NOT NULL, scope TEXT NOT NULL, at_ms INTEGER NOT NULL,
    PRIMARY KEY (attempt, scope)) WITHOUT ROWID;
CREATE INDEX guesses_by_scope ON guesses (scope, at_ms);
CREATE INDEX guesses_by_age ON guesses (at_ms);
"#,
    // 6: facts about the file itself (who created it: `created_by = demo` for a demo's file).
    r#"
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
"#,
    // 7: the audit chain is keyed (HMAC) from the next entry on; entries before it keep their
    // SHA-256 links. Recorded once, and repeated in every signed checkpoint (S7).
    r#"
INSERT OR IGNORE INTO meta (key, value)
    SELECT 'audit_keyed_from', CAST(COALESCE(MAX(seq), 0) + 1 AS TEXT) FROM audit;
"#,
    // 8: a guess still being checked (pending) is told apart from one found wrong, so a burst
    // of right PINs waits for a free place instead of being refused (S11).
    r#"
ALTER TABLE guesses ADD COLUMN pending INTEGER NOT NULL DEFAULT 0;
"#,
    // 9: limits that belong to a bill or a day hold across redemptions (S12): each intent
    // names its bill (number and total) and whether it was approved without a code because
    // its value was below `otp_min_value`, so the hold's transaction can add up the bill's
    // and the customer's earlier redemptions. (From this version on, `send_days.day` holds
    // the start of the store's day in its time zone, Unix ms, instead of the UTC day number;
    // rows of the old kind are pruned by the sweeper.)
    r#"
ALTER TABLE redemptions ADD COLUMN bill_id TEXT;
ALTER TABLE redemptions ADD COLUMN bill_total_minor INTEGER;
ALTER TABLE redemptions ADD COLUMN no_code INTEGER NOT NULL DEFAULT 0;
UPDATE redemptions SET bill_id = json_extract(data, '$.purpose.bill.id'),
    bill_total_minor = json_extract(data, '$.purpose.bill.total.minor')
    WHERE json_extract(data, '$.purpose.kind') = 'bill';
CREATE INDEX redemptions_by_bill ON redemptions (store_id, bill_id) WHERE bill_id IS NOT NULL;
CREATE INDEX redemptions_no_code ON redemptions (customer_id, created_at_ms) WHERE no_code = 1;
"#,
    // 10: a cashier asks a manager to approve an intent on the manager's own device (S8): the
    // request is kept with the intent; its id is looked up, and pending ones are listed.
    r#"
ALTER TABLE redemptions ADD COLUMN approval_request_id TEXT;
ALTER TABLE redemptions ADD COLUMN approval_pending INTEGER NOT NULL DEFAULT 0;
CREATE UNIQUE INDEX redemptions_by_approval_request ON redemptions (approval_request_id)
    WHERE approval_request_id IS NOT NULL;
CREATE INDEX redemptions_approval_pending ON redemptions (store_id, created_at_ms)
    WHERE approval_pending = 1;
"#,
    // 11: the channel a customer last read a code on (offered first next time); code messages
    // name the quantity with its unit and instrument: a store's text that wrote "{points}
    // points ({value})" now writes "{quantity} ({value})" ("1 session of Hair spa × 6").
    r#"
ALTER TABLE customers ADD COLUMN last_channel TEXT;
UPDATE stores SET policy = replace(policy, '{points} points ({value})', '{quantity} ({value})');
"#,
    // 12: set-up outside demo mode (`redeemguard-server admin`): a terminal can be revoked and
    // a staff member disabled; neither is deleted, so the audit log still names them.
    r#"
ALTER TABLE terminals ADD COLUMN revoked_at_ms INTEGER;
ALTER TABLE staff ADD COLUMN disabled_at_ms INTEGER;
-- An import finds a customer already there by e-mail too (whatever its case).
CREATE INDEX customers_by_email ON customers (merchant_id, lower(email));
"#,
    // 13: loyalty card types (seed 004): each with its own earn rate and point value, for the
    // customers of one customer type (GST, Normal, Institutional…). A name and a customer type
    // are each used once per merchant, whatever their case; a customer has a type (or none).
    r#"
CREATE TABLE card_types (
    id TEXT PRIMARY KEY, merchant_id TEXT NOT NULL REFERENCES merchants(id),
    name TEXT NOT NULL, customer_type TEXT NOT NULL,
    earn_points INTEGER NOT NULL CHECK (earn_points >= 0),
    earn_per_minor INTEGER NOT NULL CHECK (earn_per_minor > 0),
    point_value_minor INTEGER NOT NULL CHECK (point_value_minor > 0),
    currency TEXT NOT NULL,
    created_at_ms INTEGER NOT NULL, updated_at_ms INTEGER NOT NULL);
CREATE UNIQUE INDEX card_types_by_name ON card_types (merchant_id, lower(name));
CREATE UNIQUE INDEX card_types_by_customer_type ON card_types (merchant_id, lower(customer_type));
ALTER TABLE customers ADD COLUMN customer_type TEXT;
CREATE INDEX customers_by_type ON customers (merchant_id, lower(customer_type))
    WHERE customer_type IS NOT NULL;
"#,
    // 14: an accrual keeps the bill's total it earned on, so the bill is one bill (S12): a
    // redemption on it with another total is refused, as one after a redemption already is.
    r#"
ALTER TABLE accruals ADD COLUMN bill_total_minor INTEGER;
"#,
    // 15: printed loyalty vouchers (seed 004), kept by their code's hash so a voucher can be
    // redeemed at a till once; what it paid towards (store, bill and its total) once it is.
    r#"
CREATE TABLE vouchers (
    id TEXT PRIMARY KEY, code_hash TEXT NOT NULL, merchant_id TEXT NOT NULL,
    store_id TEXT NOT NULL, redemption_id TEXT NOT NULL, customer_id TEXT NOT NULL,
    customer_name TEXT NOT NULL, value_minor INTEGER NOT NULL CHECK (value_minor > 0),
    currency TEXT NOT NULL, issued_at_ms INTEGER NOT NULL, valid_until_ms INTEGER NOT NULL,
    redeemed_at_ms INTEGER, redeemed_store_id TEXT, redeemed_bill_id TEXT,
    redeemed_bill_total_minor INTEGER, redeemed_by TEXT);
CREATE UNIQUE INDEX vouchers_by_code ON vouchers (merchant_id, code_hash);
CREATE INDEX vouchers_by_bill ON vouchers (redeemed_store_id, redeemed_bill_id)
    WHERE redeemed_bill_id IS NOT NULL;
"#,
    // 16: reports (issue 15) read columns, not the JSON: who posted a redemption (`staff_id`:
    // the poster, else the intent's cashier), where (`terminal_id`), how it was approved
    // (`approved_by`: code, override or no_code), the store day it was posted on
    // (`committed_day`, YYYY-MM-DD in the store's time zone) and the customer's name and unit;
    // two covering indexes answer every report of a store's days. A voucher keeps the till and
    // store day it was taken at. A cashier's signal is told to the managers once a day
    // (`fraud_alerts`). `committed_day` and `redeemed_day` need the store's time zone: they are
    // filled in by `backfill_days` after this migration.
    r#"
ALTER TABLE redemptions ADD COLUMN terminal_id TEXT;
ALTER TABLE redemptions ADD COLUMN staff_id TEXT;
ALTER TABLE redemptions ADD COLUMN approved_by TEXT;
ALTER TABLE redemptions ADD COLUMN committed_day TEXT;
ALTER TABLE redemptions ADD COLUMN customer_name TEXT;
ALTER TABLE redemptions ADD COLUMN unit TEXT;
UPDATE redemptions SET terminal_id = json_extract(data, '$.terminal_id'),
    customer_name = json_extract(data, '$.customer_name'), unit = json_extract(data, '$.unit'),
    staff_id = COALESCE(json_extract(data, '$.posted_by'), json_extract(data, '$.staff_id'));
UPDATE redemptions SET approved_by = CASE json_extract(data, '$.approval.by')
        WHEN 'otp' THEN 'code' WHEN 'override' THEN 'override' ELSE 'no_code' END
    WHERE committed_at_ms IS NOT NULL;
CREATE INDEX redemptions_by_day ON redemptions (store_id, committed_day, customer_name,
    customer_id, staff_id, terminal_id, kind, unit, approved_by, status, quantity, value_minor,
    committed_at_ms, bill_id) WHERE committed_day IS NOT NULL;
-- Per day, till, cashier and kind in index order: the breakdowns add up without sorting.
CREATE INDEX redemptions_by_till ON redemptions (store_id, committed_day, terminal_id, staff_id,
    kind, unit, status, approved_by, customer_id, quantity, value_minor)
    WHERE committed_day IS NOT NULL;
ALTER TABLE vouchers ADD COLUMN redeemed_terminal_id TEXT;
ALTER TABLE vouchers ADD COLUMN redeemed_day TEXT;
UPDATE vouchers SET redeemed_terminal_id = (SELECT a.terminal_id FROM audit a
    WHERE a.action = 'voucher_redeemed' AND json_extract(a.detail, '$.voucher_id') = vouchers.id)
    WHERE redeemed_at_ms IS NOT NULL;
CREATE INDEX vouchers_issued ON vouchers (store_id, issued_at_ms);
CREATE INDEX vouchers_redeemed ON vouchers (redeemed_store_id, redeemed_day, redeemed_terminal_id)
    WHERE redeemed_at_ms IS NOT NULL;
CREATE INDEX vouchers_unredeemed ON vouchers (store_id, valid_until_ms) WHERE redeemed_at_ms IS NULL;
CREATE INDEX vouchers_outstanding ON vouchers (merchant_id, valid_until_ms) WHERE redeemed_at_ms IS NULL;
CREATE TABLE fraud_alerts (
    store_id TEXT NOT NULL, staff_id TEXT NOT NULL, day TEXT NOT NULL, signal TEXT NOT NULL,
    at_ms INTEGER NOT NULL, PRIMARY KEY (store_id, staff_id, day, signal)) WITHOUT ROWID;
"#,
    // 17: each store's own audit chain
    // (`contract::audit::store_link`), so a manager's browser can check its store's log
    // without the server's key. The audit table refuses UPDATE: entries written before this
    // keep no link, and a store's chain begins at its first entry written after. A staff
    // member may have a mobile (E.164): where a manager's alerts go.
    r#"
ALTER TABLE audit ADD COLUMN store_hash TEXT;
CREATE INDEX audit_store_links ON audit (store_id, seq) WHERE store_hash IS NOT NULL;
-- A manager reads the log of one staff member (the viewer's filter).
CREATE INDEX audit_by_staff ON audit (store_id, staff_id, seq) WHERE staff_id IS NOT NULL;
ALTER TABLE staff ADD COLUMN mobile TEXT;
"#,
    // 18: messages a provider took, by its id, and what its delivery reports said (issue 16).
    r#"
CREATE TABLE deliveries (
    channel TEXT NOT NULL, provider_id TEXT NOT NULL, store_id TEXT, redemption_id TEXT, kind TEXT,
    status TEXT NOT NULL, reason TEXT, sent_at_ms INTEGER, reported_at_ms INTEGER,
    PRIMARY KEY (channel, provider_id)) WITHOUT ROWID;
-- A store's codes over a report's days.
CREATE INDEX deliveries_by_store ON deliveries (store_id, sent_at_ms);
-- Customers who replied to a code that they did not ask for it: no code to them until then.
CREATE TABLE code_blocks (
    customer_id TEXT PRIMARY KEY, until_ms INTEGER NOT NULL, at_ms INTEGER NOT NULL
) WITHOUT ROWID;
"#,
    // 19: messages a manager sends to customers (seed 004, issue 16), each customer's consent
    // to them by category, and each recipient's send.
    r#"
ALTER TABLE customers ADD COLUMN consent_service INTEGER NOT NULL DEFAULT 0;
ALTER TABLE customers ADD COLUMN consent_promotional INTEGER NOT NULL DEFAULT 0;
CREATE TABLE outreach (
    id TEXT PRIMARY KEY, store_id TEXT NOT NULL, staff_id TEXT NOT NULL,
    category TEXT NOT NULL, channel TEXT NOT NULL, audience TEXT NOT NULL, text TEXT NOT NULL,
    at_ms INTEGER NOT NULL, recipients INTEGER NOT NULL);
CREATE INDEX outreach_by_store ON outreach (store_id, at_ms);
CREATE TABLE outreach_sends (
    outreach_id TEXT NOT NULL, customer_id TEXT NOT NULL, status TEXT NOT NULL,
    provider_id TEXT, reason TEXT, at_ms INTEGER,
    PRIMARY KEY (outreach_id, customer_id)) WITHOUT ROWID;
-- Staff who get the store's daily sales summary, and the days it went.
ALTER TABLE staff ADD COLUMN daily_summary INTEGER NOT NULL DEFAULT 0;
CREATE TABLE daily_summaries (
    store_id TEXT NOT NULL, day TEXT NOT NULL, at_ms INTEGER NOT NULL,
    PRIMARY KEY (store_id, day)) WITHOUT ROWID;
"#,
];

pub(super) fn migrate(conn: &mut Connection) -> Result<(), String> {
    let version: i64 = conn
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .map_err(|e| e.to_string())?;
    let known = MIGRATIONS.len() as i64;
    if version > known {
        // Never serve (or "migrate") a file a newer server has changed in ways this one does
        // not know: it would misread it, or write rows the newer one does not expect.
        return Err(format!(
            "its schema is version {version}, newer than this server knows (up to {known}): \
             it was used by a newer RedeemGuard. Run that version (or newer), or restore a \
             backup made for this one"
        ));
    }
    let run = |conn: &mut Connection, i: usize, sql: &str| -> rusqlite::Result<()> {
        let txn = conn.transaction()?;
        txn.execute_batch(sql)?;
        txn.pragma_update(None, "user_version", i as i64 + 1)?;
        txn.commit()
    };
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(version.max(0) as usize) {
        run(conn, i, sql).map_err(|e| format!("migration {} failed: {e}", i + 1))?;
        if i + 1 == DAYS_MIGRATION {
            backfill_days(conn).map_err(|e| format!("migration {} failed: {e}", i + 1))?;
        }
    }
    Ok(())
}

/// The migration that added `redemptions.committed_day` and `vouchers.redeemed_day`.
const DAYS_MIGRATION: usize = 16;

/// Fills in the store day (the store's time zone, `days::iso_date`) of redemptions posted and
/// vouchers taken before migration 16, in one transaction.
fn backfill_days(conn: &mut Connection) -> rusqlite::Result<()> {
    let txn = conn.transaction()?;
    let stores: Vec<(String, String)> = txn
        .prepare("SELECT id, policy FROM stores")?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<_, _>>()?;
    for (store_id, policy) in stores {
        let policy: contract::Policy = match serde_json::from_str(&policy) {
            Ok(p) => p,
            Err(_) => continue,
        };
        for (select, update) in [
            (
                "SELECT id, committed_at_ms FROM redemptions WHERE store_id = ?1 \
                 AND committed_at_ms IS NOT NULL AND committed_day IS NULL",
                "UPDATE redemptions SET committed_day = ?2 WHERE id = ?1",
            ),
            (
                "SELECT id, redeemed_at_ms FROM vouchers WHERE redeemed_store_id = ?1 \
                 AND redeemed_at_ms IS NOT NULL AND redeemed_day IS NULL",
                "UPDATE vouchers SET redeemed_day = ?2 WHERE id = ?1",
            ),
        ] {
            let due: Vec<(String, i64)> = txn
                .prepare(select)?
                .query_map([&store_id], |r| Ok((r.get(0)?, r.get(1)?)))?
                .collect::<Result<_, _>>()?;
            let mut set = txn.prepare(update)?;
            for (id, at_ms) in due {
                set.execute(rusqlite::params![id, crate::days::iso_date(&policy, at_ms)])?;
            }
        }
    }
    txn.commit()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::sqlite::open_connection;

    fn tables(conn: &Connection) -> Vec<String> {
        let mut stmt = conn
            .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
            .unwrap();
        stmt.query_map([], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap()
    }

    /// Issue 12: a statement whose plan weighed a bound value (a partial index's condition,
    /// a LIMIT) was compiled again at every new binding; the audit's store-link lookup, run
    /// for every audit entry, cost the writer 6% of its time that way. The server's
    /// connections keep plans stable, so a cached statement runs as compiled.
    #[test]
    fn cached_statements_are_not_compiled_again_for_each_binding() {
        let dir = tempfile::tempdir().unwrap();
        let conn = open_connection(&dir.path().join("s.sqlite")).unwrap();
        for sql in [
            "SELECT store_hash FROM audit WHERE store_id = ?1 AND store_hash IS NOT NULL \
             ORDER BY seq DESC LIMIT 1",
            "SELECT seq FROM audit WHERE store_id = ?1 ORDER BY seq LIMIT ?2",
        ] {
            let mut stmt = conn.prepare_cached(sql).unwrap();
            for n in 0..5i64 {
                let store = format!("st-{n}");
                let params: Vec<&dyn rusqlite::ToSql> = if sql.contains("?2") {
                    vec![&store, &n]
                } else {
                    vec![&store]
                };
                let _ = stmt.query(params.as_slice()).unwrap().next().unwrap();
            }
            assert_eq!(
                stmt.get_status(rusqlite::StatementStatus::RePrepare),
                0,
                "{sql}"
            );
        }
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
        assert!(names.contains(&"card_types".to_string()));
        let typed: i64 = conn
            .query_row(
                "SELECT COUNT(*) FROM pragma_table_info('customers') WHERE name = 'customer_type'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(typed, 1, "customers have a customer type (migration 13)");
        let linked: i64 = conn
            .query_row(
                "SELECT COUNT(*) FROM pragma_table_info('redemptions') WHERE name = 'identification_id'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(linked, 1, "intents can name the kiosk identification");
        for (table, column) in [("audit", "store_hash"), ("staff", "mobile")] {
            let n: i64 = conn
                .query_row(
                    &format!("SELECT COUNT(*) FROM pragma_table_info('{table}') WHERE name = ?1"),
                    [column],
                    |r| r.get(0),
                )
                .unwrap();
            assert_eq!(n, 1, "{table}.{column} (migration 17)");
        }
        // Opening again changes nothing.
        drop(conn);
        assert!(open_connection(&path).is_ok());
    }

    #[test]
    fn code_texts_of_an_older_file_name_the_quantity_in_its_unit() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("v10.sqlite");
        let old = contract::Policy::default_for(
            contract::Currency::INR,
            "en-IN",
            contract::CallingCode::INDIA,
        );
        let mut json = serde_json::to_string(&old).unwrap();
        json = json.replace("{quantity} ({value})", "{points} points ({value})");
        assert!(json.contains("{points} points ({value})"));
        {
            let conn = Connection::open(&path).unwrap();
            for sql in &MIGRATIONS[..10] {
                conn.execute_batch(sql).unwrap();
            }
            conn.pragma_update(None, "user_version", 10).unwrap();
            conn.execute("INSERT INTO merchants VALUES ('m', 'M')", [])
                .unwrap();
            conn.execute(
                "INSERT INTO stores (id, merchant_id, name, policy) VALUES ('s', 'm', 'S', ?1)",
                [&json],
            )
            .unwrap();
        }
        let conn = open_connection(&path).unwrap();
        let policy: String = conn
            .query_row("SELECT policy FROM stores", [], |r| r.get(0))
            .unwrap();
        let policy: contract::Policy = serde_json::from_str(&policy).unwrap();
        assert_eq!(policy, old, "the old default texts are the new defaults");
    }

    /// Redemptions posted and vouchers taken before migration 16 are in the reports: their
    /// cashier, till, approval and store day (the store's time zone) are filled in.
    #[test]
    fn redemptions_posted_before_the_reports_are_counted_under_their_store_day() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("v15.sqlite");
        let policy = serde_json::to_string(&contract::Policy::default_for(
            contract::Currency::INR,
            "en-IN",
            contract::CallingCode::INDIA,
        ))
        .unwrap();
        // 2027-03-01 20:00 UTC: already 2 March in India.
        let at = 1_803_931_200_000i64;
        {
            let conn = Connection::open(&path).unwrap();
            for sql in &MIGRATIONS[..15] {
                conn.execute_batch(sql).unwrap();
            }
            conn.pragma_update(None, "user_version", 15).unwrap();
            conn.execute("INSERT INTO merchants VALUES ('m', 'M')", [])
                .unwrap();
            conn.execute(
                "INSERT INTO stores (id, merchant_id, name, policy) VALUES ('s', 'm', 'S', ?1)",
                [&policy],
            )
            .unwrap();
            let data = serde_json::json!({
                "terminal_id": "t1", "staff_id": "cashier", "posted_by": "poster",
                "customer_name": "Asha Rao", "unit": "points",
                "approval": { "by": "override", "manager_name": "M", "reason": "r" },
            });
            for (id, status, committed) in
                [("r1", "committed", Some(at)), ("r2", "cancelled", None)]
            {
                conn.execute(
                    "INSERT INTO redemptions (id, store_id, customer_id, status, kind, quantity, \
                     value_minor, created_at_ms, expires_at_ms, committed_at_ms, data) \
                     VALUES (?1, 's', 'c', ?2, 'points', 5, 500, ?3, ?3, ?4, ?5)",
                    rusqlite::params![id, status, at, committed, data.to_string()],
                )
                .unwrap();
            }
            conn.execute(
                "INSERT INTO vouchers (id, code_hash, merchant_id, store_id, redemption_id, \
                 customer_id, customer_name, value_minor, currency, issued_at_ms, valid_until_ms, \
                 redeemed_at_ms, redeemed_store_id) \
                 VALUES ('v1', 'h', 'm', 's', 'r1', 'c', 'Asha Rao', 500, 'INR', ?1, ?2, ?1, 's')",
                rusqlite::params![at, at + 86_400_000],
            )
            .unwrap();
            conn.execute(
                "INSERT INTO audit (at_ms, action, store_id, terminal_id, detail, prev_hash, hash) \
                 VALUES (?1, 'voucher_redeemed', 's', 't2', '{\"voucher_id\":\"v1\"}', '', '')",
                [at],
            )
            .unwrap();
        }
        let conn = open_connection(&path).unwrap();
        type Columns = [Option<String>; 5];
        let row = |id: &str| -> Columns {
            conn.query_row(
                "SELECT terminal_id, staff_id, approved_by, committed_day, unit FROM redemptions WHERE id = ?1",
                [id],
                |r| Ok([r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?]),
            )
            .unwrap()
        };
        let s = |v: &str| Some(v.to_string());
        let r1 = [
            s("t1"),
            s("poster"),
            s("override"),
            s("2027-03-02"),
            s("points"),
        ];
        assert_eq!(row("r1"), r1);
        assert_eq!(row("r2"), [s("t1"), s("poster"), None, None, s("points")]);
        let voucher: (Option<String>, Option<String>) = conn
            .query_row(
                "SELECT redeemed_terminal_id, redeemed_day FROM vouchers WHERE id = 'v1'",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .unwrap();
        assert_eq!(voucher, (s("t2"), s("2027-03-02")));
    }

    #[test]
    fn a_file_of_a_newer_schema_is_refused_and_left_alone() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("newer.sqlite");
        drop(open_connection(&path).unwrap());
        let newer = MIGRATIONS.len() as i64 + 1;
        Connection::open(&path)
            .unwrap()
            .pragma_update(None, "user_version", newer)
            .unwrap();
        let e = open_connection(&path).unwrap_err();
        assert!(
            e.contains(&format!(
                "schema is version {newer}, newer than this server knows"
            )),
            "{e}"
        );
        let version: i64 = Connection::open(&path)
            .unwrap()
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .unwrap();
        assert_eq!(version, newer);
    }
}
