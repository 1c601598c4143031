//! Redemptions, receipts, idempotency keys, reports and accruals.

use super::super::rows::*;
use super::SqliteTx;
use crate::error::{ApiError, ApiResult};
use crate::model::*;
use crate::store::*;
use contract::InstrumentKind;
use rusqlite::params;

impl RedemptionTx for SqliteTx<'_> {
    fn insert_redemption(&mut self, r: &RedemptionRow) -> ApiResult<()> {
        self.exec(
            "INSERT INTO redemptions (id, store_id, customer_id, status, kind, quantity, value_minor, \
             created_at_ms, expires_at_ms, data, identification_id, bill_id, bill_total_minor, no_code, \
             terminal_id, staff_id, customer_name, unit) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18)",
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
                r.identification_id,
                r.purpose.bill().map(|b| b.id().as_str()),
                r.purpose.bill().map(|b| i(b.total().minor())),
                r.no_code,
                r.terminal_id,
                r.cashier_id(),
                r.customer_name,
                r.unit.as_str()
            ],
        )?;
        Ok(())
    }

    fn update_redemption(&mut self, r: &RedemptionRow) -> ApiResult<()> {
        let by_override = matches!(r.approval, Some(contract::api::Approval::Override { .. }));
        let n = self.exec(
            "UPDATE redemptions SET status = ?2, expires_at_ms = ?3, committed_at_ms = ?4, reversed_at_ms = ?5, \
             by_override = ?6, data = ?7, approval_request_id = ?8, approval_pending = ?9, \
             staff_id = ?10, approved_by = ?11, committed_day = ?12 WHERE id = ?1",
            params![
                r.id,
                text(&r.status),
                r.expires_at_ms,
                r.committed_at_ms,
                r.reversal.as_ref().map(|x| x.reversed_at_ms),
                by_override,
                serde_json::to_string(r)?,
                r.approval_request.as_ref().map(|a| a.id.as_str()),
                r.approval_pending(),
                r.cashier_id(),
                r.approved_by().map(|a| a.as_str()),
                r.committed_day
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

    fn redemption_by_approval_request(
        &mut self,
        store_id: &str,
        approval_id: &str,
    ) -> ApiResult<Option<RedemptionRow>> {
        self.one(
            "SELECT data FROM redemptions WHERE store_id = ?1 AND approval_request_id = ?2",
            params![store_id, approval_id],
            redemption_row,
        )
    }

    fn approvals_pending(&mut self, store_id: &str, limit: u32) -> ApiResult<Vec<RedemptionRow>> {
        self.all(
            "SELECT data FROM redemptions WHERE store_id = ?1 AND approval_pending = 1 \
             ORDER BY created_at_ms LIMIT ?2",
            params![store_id, limit],
            redemption_row,
        )
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

    fn count_overrides_posted(
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

    fn bill_usage(
        &mut self,
        store_id: &str,
        bill_id: &str,
        total_minor: u64,
        now_ms: i64,
    ) -> ApiResult<BillUsage> {
        const LIVE: &str = "store_id = ?1 AND bill_id = ?2 AND (status = 'committed' \
             OR (status IN ('awaiting_otp', 'approved') AND expires_at_ms > ?3))";
        let redeemed = self.count(
            &format!("SELECT COALESCE(SUM(value_minor), 0) FROM redemptions WHERE {LIVE}"),
            params![store_id, bill_id, now_ms],
        )?;
        // Printed vouchers applied to the bill at a till are loyalty on it too.
        let vouchers = self.count(
            "SELECT COALESCE(SUM(value_minor), 0) FROM vouchers \
             WHERE redeemed_store_id = ?1 AND redeemed_bill_id = ?2",
            params![store_id, bill_id],
        )?;
        let redeemed = redeemed + vouchers;
        let other = self
            .one(
                &format!(
                    "SELECT bill_total_minor FROM redemptions WHERE {LIVE} \
                     AND bill_total_minor != ?4 LIMIT 1"
                ),
                params![store_id, bill_id, now_ms, i(total_minor)],
                |r| r.get::<_, i64>(0),
            )?
            .map(u);
        // The bill's points were earned, or a voucher applied, on its total: the same bill
        // has the same total.
        let other = match other {
            Some(o) => Some(o),
            None => self
                .one(
                    "SELECT bill_total_minor FROM accruals WHERE store_id = ?1 AND bill_id = ?2 \
                     AND bill_total_minor IS NOT NULL AND bill_total_minor != ?3 \
                     UNION ALL SELECT redeemed_bill_total_minor FROM vouchers \
                     WHERE redeemed_store_id = ?1 AND redeemed_bill_id = ?2 \
                     AND redeemed_bill_total_minor != ?3 LIMIT 1",
                    params![store_id, bill_id, i(total_minor)],
                    |r| r.get::<_, i64>(0),
                )?
                .map(u),
        };
        Ok(BillUsage {
            redeemed_minor: redeemed,
            other_total_minor: other,
        })
    }

    fn no_code_total(
        &mut self,
        store_id: &str,
        customer_id: &str,
        scope: NoCodeScope<'_>,
        now_ms: i64,
    ) -> ApiResult<u64> {
        const LIVE: &str = "customer_id = ?1 AND store_id = ?2 AND no_code = 1 \
             AND (status = 'committed' OR (status IN ('awaiting_otp', 'approved') AND expires_at_ms > ?3))";
        match scope {
            NoCodeScope::Bill(bill_id) => self.count(
                &format!(
                    "SELECT COALESCE(SUM(value_minor), 0) FROM redemptions WHERE {LIVE} AND bill_id = ?4"
                ),
                params![customer_id, store_id, now_ms, bill_id],
            ),
            NoCodeScope::Since(since_ms) => self.count(
                &format!(
                    "SELECT COALESCE(SUM(value_minor), 0) FROM redemptions WHERE {LIVE} AND created_at_ms >= ?4"
                ),
                params![customer_id, store_id, now_ms, since_ms],
            ),
        }
    }

    fn insert_accrual(&mut self, a: &AccrualRow, bill_total_minor: u64) -> ApiResult<()> {
        self.exec(
            "INSERT INTO accruals (id, store_id, customer_id, bill_id, points, balance_after, at_ms, \
             bill_total_minor) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            params![a.id, a.store_id, a.customer_id, a.bill_id, i(a.points.get()), i(a.balance_after), a.at_ms, i(bill_total_minor)],
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
}
