//! Send counts (10-second buckets per customer, terminal and cashier; a count per store and
//! store day, keyed by the day's start in the store's time zone), override uses, and guesses
//! of slow-hashed secrets.

use super::SqliteTx;
use crate::error::ApiResult;
use crate::model::*;
use crate::store::*;
use rusqlite::params;

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

impl LimitTx for SqliteTx<'_> {
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
            params![s.store_id, s.store_day_ms],
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
            params![s.store_id, s.store_day_ms],
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
                params![id_of(scope), since_ms],
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
            params![before_ms - DAY_MS],
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

    fn insert_guess(
        &mut self,
        attempt: &str,
        scope: &str,
        at_ms: i64,
        pending: bool,
    ) -> ApiResult<()> {
        self.exec(
            "INSERT INTO guesses (attempt, scope, at_ms, pending) VALUES (?1, ?2, ?3, ?4)",
            params![attempt, scope, at_ms, pending],
        )?;
        Ok(())
    }

    fn settle_guess(&mut self, attempt: &str) -> ApiResult<()> {
        self.exec(
            "UPDATE guesses SET pending = 0 WHERE attempt = ?1",
            params![attempt],
        )?;
        Ok(())
    }

    fn count_settled_guesses_since(
        &mut self,
        scope: &str,
        since_ms: i64,
        stale_before_ms: i64,
    ) -> ApiResult<u64> {
        self.count(
            "SELECT COUNT(*) FROM guesses WHERE scope = ?1 AND at_ms >= ?2 \
             AND (pending = 0 OR at_ms < ?3)",
            params![scope, since_ms, stale_before_ms],
        )
    }

    fn forget_guess(&mut self, attempt: &str) -> ApiResult<()> {
        self.exec("DELETE FROM guesses WHERE attempt = ?1", params![attempt])?;
        Ok(())
    }

    fn count_guesses_since(&mut self, scope: &str, since_ms: i64) -> ApiResult<u64> {
        self.count(
            "SELECT COUNT(*) FROM guesses WHERE scope = ?1 AND at_ms >= ?2",
            params![scope, since_ms],
        )
    }

    fn oldest_guess_since(&mut self, scope: &str, since_ms: i64) -> ApiResult<Option<i64>> {
        Ok(self
            .one(
                "SELECT MIN(at_ms) FROM guesses WHERE scope = ?1 AND at_ms >= ?2",
                params![scope, since_ms],
                |r| r.get::<_, Option<i64>>(0),
            )?
            .flatten())
    }

    fn prune_guesses(&mut self, before_ms: i64) -> ApiResult<usize> {
        self.exec("DELETE FROM guesses WHERE at_ms < ?1", params![before_ms])
    }
}
