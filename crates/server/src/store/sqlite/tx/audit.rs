//! The append-only audit log.

use super::super::rows::*;
use super::SqliteTx;
use crate::error::ApiResult;
use crate::model::*;
use crate::store::*;
use contract::api::AuditEntry;
use rusqlite::params;

impl AuditTx for SqliteTx<'_> {
    fn audit_key(&self) -> &crate::crypto::AuditKey {
        self.audit_key
    }

    fn meta(&mut self, key: &str) -> ApiResult<Option<String>> {
        self.one("SELECT value FROM meta WHERE key = ?1", params![key], |r| {
            r.get(0)
        })
    }

    fn set_meta(&mut self, key: &str, value: &str) -> ApiResult<()> {
        self.exec(
            "INSERT INTO meta (key, value) VALUES (?1, ?2) \
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            params![key, value],
        )?;
        Ok(())
    }

    fn posted_redemptions(&mut self) -> ApiResult<Vec<RedemptionRow>> {
        self.all(
            "SELECT data FROM redemptions WHERE status IN ('committed', 'reversed') ORDER BY id",
            [],
            redemption_row,
        )
    }

    fn all_accruals(&mut self) -> ApiResult<Vec<AccrualRow>> {
        self.all(
            "SELECT id, store_id, customer_id, bill_id, points, balance_after, at_ms FROM accruals \
             ORDER BY id",
            [],
            accrual_row,
        )
    }

    fn all_instruments(&mut self) -> ApiResult<Vec<(InstrumentRow, String)>> {
        let with_merchant = INSTRUMENT_COLS.replace(
            " FROM instruments",
            ", (SELECT merchant_id FROM customers c WHERE c.id = instruments.customer_id) \
             FROM instruments",
        );
        self.all(&format!("SELECT {with_merchant} ORDER BY rowid"), [], |r| {
            Ok((
                instrument_row(r)?,
                r.get::<_, Option<String>>(13)?.unwrap_or_default(),
            ))
        })
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
             prev_hash, hash, store_hash) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
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
                e.hash,
                e.store_hash
            ],
        )?;
        Ok(())
    }

    fn audit_search(
        &mut self,
        store_id: &str,
        search: &AuditSearch,
        limit: u32,
    ) -> ApiResult<Vec<AuditEntry>> {
        use rusqlite::types::Value;
        let mut sql = format!("SELECT {AUDIT_COLS} WHERE store_id = ?1 AND seq > ?2");
        let mut values = vec![
            Value::Text(store_id.to_string()),
            Value::Integer(i(search.after)),
        ];
        let mut and = |clause: &str, v: Value| {
            values.push(v);
            sql.push_str(&format!(" AND {clause} ?{}", values.len()));
        };
        if let Some(a) = search.action {
            and("action =", Value::Text(a.to_string()));
        }
        if let Some(s) = &search.staff_id {
            and("staff_id =", Value::Text(s.clone()));
        }
        if let Some(from) = search.from_ms {
            and("at_ms >=", Value::Integer(from));
        }
        if let Some(to) = search.to_ms {
            and("at_ms <", Value::Integer(to));
        }
        values.push(Value::Integer(i64::from(limit)));
        sql.push_str(&format!(" ORDER BY seq LIMIT ?{}", values.len()));
        self.all(&sql, rusqlite::params_from_iter(values), audit_row)
    }

    fn store_audit_head(&mut self, store_id: &str) -> ApiResult<Option<String>> {
        self.one(
            "SELECT store_hash FROM audit WHERE store_id = ?1 AND store_hash IS NOT NULL \
             ORDER BY seq DESC LIMIT 1",
            params![store_id],
            |r| r.get(0),
        )
    }

    fn store_audit_heads(&mut self) -> ApiResult<Vec<StoreHead>> {
        // SQLite: the bare columns are those of the row holding MAX(seq).
        self.all(
            "SELECT store_id, MAX(seq), store_hash FROM audit WHERE store_hash IS NOT NULL \
             GROUP BY store_id ORDER BY store_id",
            [],
            |r| {
                Ok(StoreHead {
                    store_id: r.get(0)?,
                    seq: u(r.get(1)?),
                    link: r.get(2)?,
                })
            },
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
