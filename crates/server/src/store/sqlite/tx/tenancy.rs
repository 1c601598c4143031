//! Merchants, stores, terminals, staff and sessions (the last four cached by the writer).

use super::super::rows::*;
use super::SqliteTx;
use crate::error::ApiResult;
use crate::model::*;
use crate::store::*;
use contract::Policy;
use rusqlite::params;

impl TenancyTx for SqliteTx<'_> {
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
            &format!("SELECT {TERMINAL_COLS} WHERE token_hash = ?1 AND revoked_at_ms IS NULL"),
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
            "INSERT INTO staff (id, store_id, code, name, role, pin_hash, mobile, daily_summary) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            params![
                s.id,
                s.store_id,
                s.code,
                s.name,
                text(&s.role),
                s.pin_hash,
                s.mobile.as_ref().map(|m| m.as_str()),
                s.daily_summary
            ],
        )?;
        Ok(())
    }

    fn staff_by_code(&mut self, store_id: &str, code: &str) -> ApiResult<Option<StaffRow>> {
        self.one(
            &format!(
                "SELECT {STAFF_COLS} WHERE store_id = ?1 AND code = ?2 AND disabled_at_ms IS NULL"
            ),
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
            &format!(
                "SELECT {STAFF_COLS} WHERE store_id = ?1 AND id = ?2 AND disabled_at_ms IS NULL"
            ),
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

    fn terminals_of(&mut self, store_id: &str) -> ApiResult<Vec<TerminalRow>> {
        self.all(
            &format!("SELECT {TERMINAL_COLS} WHERE store_id = ?1 AND revoked_at_ms IS NULL ORDER BY name, id"),
            params![store_id],
            terminal_row,
        )
    }

    fn staff_of(&mut self, store_id: &str) -> ApiResult<Vec<StaffRow>> {
        self.all(
            &format!(
                "SELECT {STAFF_COLS} WHERE store_id = ?1 AND disabled_at_ms IS NULL ORDER BY code"
            ),
            params![store_id],
            staff_row,
        )
    }

    fn names_of(&mut self, store_id: &str) -> ApiResult<StoreNames> {
        let staff = self.all(
            "SELECT id, name FROM staff WHERE store_id = ?1",
            params![store_id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        let terminals = self.all(
            "SELECT id, name FROM terminals WHERE store_id = ?1",
            params![store_id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        Ok(StoreNames {
            staff: staff.into_iter().collect(),
            terminals: terminals.into_iter().collect(),
        })
    }

    fn revoke_terminal(&mut self, id: &str, now_ms: i64) -> ApiResult<Option<TerminalRow>> {
        let row = self.one(
            &format!("SELECT {TERMINAL_COLS} WHERE id = ?1 AND revoked_at_ms IS NULL"),
            params![id],
            terminal_row,
        )?;
        if let Some(t) = &row {
            self.exec(
                "UPDATE terminals SET revoked_at_ms = ?2 WHERE id = ?1",
                params![id, now_ms],
            )?;
            self.exec("DELETE FROM sessions WHERE terminal_id = ?1", params![id])?;
            self.cache.terminals.remove(&t.token_hash);
            self.cache.sessions.clear();
        }
        Ok(row)
    }

    fn staff_code_taken(&mut self, store_id: &str, code: &str) -> ApiResult<bool> {
        let n: Option<i64> = self.one(
            "SELECT 1 FROM staff WHERE store_id = ?1 AND code = ?2",
            params![store_id, code],
            |r| r.get(0),
        )?;
        Ok(n.is_some())
    }

    fn disable_staff(&mut self, store_id: &str, id: &str, now_ms: i64) -> ApiResult<()> {
        self.exec(
            "UPDATE staff SET disabled_at_ms = ?3 WHERE store_id = ?1 AND id = ?2",
            params![store_id, id, now_ms],
        )?;
        self.end_staff_sessions(store_id, id)
    }

    fn set_pin_hash(&mut self, store_id: &str, id: &str, pin_hash: &str) -> ApiResult<()> {
        self.exec(
            "UPDATE staff SET pin_hash = ?3 WHERE store_id = ?1 AND id = ?2",
            params![store_id, id, pin_hash],
        )?;
        self.end_staff_sessions(store_id, id)
    }

    fn delete_expired_sessions(&mut self, now_ms: i64) -> ApiResult<usize> {
        // Kept a day past expiry so a late request still hears "session expired".
        self.cache.sessions.clear();
        self.exec(
            "DELETE FROM sessions WHERE expires_at_ms < ?1",
            params![now_ms - 86_400_000],
        )
    }
}

impl SqliteTx<'_> {
    /// A staff member's row changed (a new PIN, disabled): their sessions end, and what the
    /// cache holds of them goes.
    fn end_staff_sessions(&mut self, store_id: &str, id: &str) -> ApiResult<()> {
        self.exec("DELETE FROM sessions WHERE staff_id = ?1", params![id])?;
        self.cache
            .staff
            .remove(&(store_id.to_string(), id.to_string()));
        self.cache.sessions.clear();
        Ok(())
    }
}
