//! What managers read: loyalty reports over a store's days (the covering index
//! `redemptions_by_day` of migration 16 answers them), the liability, cashiers' signals, and
//! the once-a-day record of an alert.

use super::super::rows::*;
use super::SqliteTx;
use crate::error::ApiResult;
use crate::model::*;
use crate::store::*;
use contract::reports::ApprovedBy;
use contract::{InstrumentKind, Unit};
use rusqlite::{params, Row};

/// The redemptions a [`ReportQuery`] matches (parameters ?1 to ?8).
const MATCHES: &str = "store_id = ?1 AND committed_day IS NOT NULL \
     AND committed_day >= ?2 AND committed_day <= ?3 \
     AND (?4 IS NULL OR staff_id = ?4) AND (?5 IS NULL OR terminal_id = ?5) \
     AND (?6 IS NULL OR customer_id = ?6) AND (?7 IS NULL OR kind = ?7) \
     AND (?8 IS NULL OR approved_by = ?8)";

/// Standing (count, points, value, quantity) and reversed, as the report counts them.
const SUMS: &str = "COALESCE(SUM(status = 'committed'), 0), \
     COALESCE(SUM(CASE WHEN status = 'committed' AND kind = 'points' THEN quantity ELSE 0 END), 0), \
     COALESCE(SUM(CASE WHEN status = 'committed' THEN value_minor ELSE 0 END), 0), \
     COALESCE(SUM(CASE WHEN status = 'committed' THEN quantity ELSE 0 END), 0), \
     COALESCE(SUM(status = 'reversed'), 0)";

fn sums(r: &Row<'_>, at: usize) -> rusqlite::Result<ReportSums> {
    Ok(ReportSums {
        count: u(r.get(at)?),
        points: u(r.get(at + 1)?),
        value_minor: u(r.get(at + 2)?),
        quantity: u(r.get(at + 3)?),
        reversed: u(r.get(at + 4)?),
    })
}

/// SQLite's LIMIT: -1 is none.
fn limit(n: Option<usize>) -> i64 {
    n.map_or(-1, |n| i64::try_from(n).unwrap_or(i64::MAX))
}

fn store_day(column: &str) -> String {
    format!("{column} IS NOT NULL AND {column} >= ?2 AND {column} <= ?3")
}

impl ReportTx for SqliteTx<'_> {
    fn report_totals(&mut self, q: &ReportQuery<'_>) -> ApiResult<ReportSums> {
        Ok(self
            .one(
                &format!("SELECT {SUMS} FROM redemptions WHERE {MATCHES}"),
                params![
                    q.store_id,
                    q.from_day,
                    q.to_day,
                    q.cashier,
                    q.terminal,
                    q.customer,
                    q.instrument,
                    q.approved_by
                ],
                |r| sums(r, 0),
            )?
            .unwrap_or_default())
    }

    fn report_by_customer(
        &mut self,
        q: &ReportQuery<'_>,
        n: Option<usize>,
    ) -> ApiResult<Vec<ReportGroup>> {
        // In the order of `redemptions_by_day`: no sorting, and a limit stops the scan.
        self.all(
            &format!(
                "SELECT committed_day, customer_id, customer_name, {SUMS} FROM redemptions \
                 WHERE {MATCHES} GROUP BY committed_day, customer_name, customer_id \
                 ORDER BY committed_day, customer_name, customer_id LIMIT ?9"
            ),
            params![
                q.store_id,
                q.from_day,
                q.to_day,
                q.cashier,
                q.terminal,
                q.customer,
                q.instrument,
                q.approved_by,
                limit(n)
            ],
            |r| {
                Ok(ReportGroup {
                    day: r.get(0)?,
                    customer_id: r.get(1)?,
                    customer_name: r.get(2)?,
                    sums: sums(r, 3)?,
                    ..ReportGroup::default()
                })
            },
        )
    }

    fn report_cube(&mut self, q: &ReportQuery<'_>) -> ApiResult<Vec<ReportGroup>> {
        // In the order of `redemptions_by_till`: no sorting.
        const KEYS: &str = "committed_day, terminal_id, staff_id, kind, unit";
        self.all(
            &format!(
                "SELECT {KEYS}, {SUMS} FROM redemptions WHERE {MATCHES} \
                 GROUP BY {KEYS} ORDER BY {KEYS}"
            ),
            params![
                q.store_id,
                q.from_day,
                q.to_day,
                q.cashier,
                q.terminal,
                q.customer,
                q.instrument,
                q.approved_by
            ],
            |r| {
                Ok(ReportGroup {
                    day: r.get(0)?,
                    terminal_id: r.get(1)?,
                    staff_id: r.get(2)?,
                    kind: r
                        .get::<_, Option<String>>(3)?
                        .map(|k| parse_text::<InstrumentKind>(&k))
                        .transpose()?,
                    unit: r
                        .get::<_, Option<String>>(4)?
                        .map(|k| parse_text::<Unit>(&k))
                        .transpose()?,
                    sums: sums(r, 5)?,
                    ..ReportGroup::default()
                })
            },
        )
    }

    fn report_redemptions(
        &mut self,
        q: &ReportQuery<'_>,
        n: Option<usize>,
    ) -> ApiResult<Vec<RedemptionRow>> {
        // The order from the covering index alone; then each row by its rowid.
        let rowids = self.all(
            &format!(
                "SELECT rowid FROM redemptions WHERE {MATCHES} \
                 ORDER BY customer_name, customer_id, committed_at_ms, rowid LIMIT ?9"
            ),
            params![
                q.store_id,
                q.from_day,
                q.to_day,
                q.cashier,
                q.terminal,
                q.customer,
                q.instrument,
                q.approved_by,
                limit(n)
            ],
            |r| r.get::<_, i64>(0),
        )?;
        let mut out = Vec::with_capacity(rowids.len());
        for rowid in rowids {
            if let Some(row) = self.one(
                "SELECT data FROM redemptions WHERE rowid = ?1",
                params![rowid],
                redemption_row,
            )? {
                out.push(row);
            }
        }
        Ok(out)
    }

    fn voucher_sums(
        &mut self,
        store_id: &str,
        from_ms: i64,
        to_ms: i64,
        now_ms: i64,
    ) -> ApiResult<VoucherSums> {
        let pair = |tx: &SqliteTx<'_>, sql: &str, p: &[&dyn rusqlite::ToSql]| {
            tx.one(sql, p, |r| Ok((u(r.get(0)?), u(r.get(1)?))))
                .map(Option::unwrap_or_default)
        };
        let issued = pair(
            self,
            "SELECT COUNT(*), COALESCE(SUM(value_minor), 0) FROM vouchers \
             WHERE store_id = ?1 AND issued_at_ms >= ?2 AND issued_at_ms < ?3",
            &[&store_id, &from_ms, &to_ms],
        )?;
        let redeemed = pair(
            self,
            "SELECT COUNT(*), COALESCE(SUM(value_minor), 0) FROM vouchers \
             WHERE redeemed_store_id = ?1 AND redeemed_at_ms IS NOT NULL \
             AND redeemed_at_ms >= ?2 AND redeemed_at_ms < ?3",
            &[&store_id, &from_ms, &to_ms],
        )?;
        let expired = pair(
            self,
            "SELECT COUNT(*), COALESCE(SUM(value_minor), 0) FROM vouchers \
             WHERE store_id = ?1 AND redeemed_at_ms IS NULL \
             AND valid_until_ms >= ?2 AND valid_until_ms < ?3 AND valid_until_ms <= ?4",
            &[&store_id, &from_ms, &to_ms, &now_ms],
        )?;
        Ok(VoucherSums {
            issued: issued.0,
            issued_minor: issued.1,
            redeemed: redeemed.0,
            redeemed_minor: redeemed.1,
            expired: expired.0,
            expired_minor: expired.1,
        })
    }

    fn vouchers_taken(
        &mut self,
        store_id: &str,
        from_day: &str,
        to_day: &str,
        terminal_id: Option<&str>,
    ) -> ApiResult<Vec<(String, String, u64, u64)>> {
        self.all(
            &format!(
                "SELECT redeemed_day, redeemed_terminal_id, COUNT(*), COALESCE(SUM(value_minor), 0) \
                 FROM vouchers WHERE redeemed_store_id = ?1 AND redeemed_at_ms IS NOT NULL \
                 AND {} AND redeemed_terminal_id IS NOT NULL \
                 AND (?4 IS NULL OR redeemed_terminal_id = ?4) \
                 GROUP BY redeemed_day, redeemed_terminal_id",
                store_day("redeemed_day")
            ),
            params![store_id, from_day, to_day, terminal_id],
            |r| Ok((r.get(0)?, r.get(1)?, u(r.get(2)?), u(r.get(3)?))),
        )
    }

    fn liability(
        &mut self,
        merchant_id: &str,
        currency: &str,
        now_ms: i64,
    ) -> ApiResult<Vec<LiabilitySums>> {
        const DAY: i64 = 86_400_000;
        // What of an instrument expires by ?N: all of it when it is valid until then, else
        // its expiring points when they are due by then.
        let due = |n: u8| {
            format!(
                "CASE WHEN i.valid_until_ms IS NOT NULL AND i.valid_until_ms <= ?{n} THEN i.balance \
                 WHEN i.expiring_qty > 0 AND i.expiring_at_ms > ?3 AND i.expiring_at_ms <= ?{n} \
                 THEN MIN(i.expiring_qty, i.balance) ELSE 0 END"
            )
        };
        let (d30, d60, d90) = (due(4), due(5), due(6));
        let sql = format!(
            "SELECT i.kind, i.unit, COUNT(DISTINCT i.customer_id), SUM(i.balance), \
             SUM(i.balance * i.unit_value_minor), \
             SUM({d30}), SUM(({d30}) * i.unit_value_minor), \
             SUM({d60}), SUM(({d60}) * i.unit_value_minor), \
             SUM({d90}), SUM(({d90}) * i.unit_value_minor) \
             FROM instruments i JOIN customers c ON c.id = i.customer_id \
             WHERE c.merchant_id = ?1 AND i.currency = ?2 AND i.balance > 0 \
             AND (i.valid_until_ms IS NULL OR i.valid_until_ms > ?3) \
             GROUP BY i.kind, i.unit ORDER BY i.kind, i.unit"
        );
        self.all(
            &sql,
            params![
                merchant_id,
                currency,
                now_ms,
                now_ms + 30 * DAY,
                now_ms + 60 * DAY,
                now_ms + 90 * DAY
            ],
            |r| {
                Ok(LiabilitySums {
                    kind: parse_text::<InstrumentKind>(&r.get::<_, String>(0)?)?,
                    unit: parse_text::<Unit>(&r.get::<_, String>(1)?)?,
                    customers: u(r.get(2)?),
                    quantity: u(r.get(3)?),
                    value_minor: u(r.get(4)?),
                    expiring: [
                        (u(r.get(5)?), u(r.get(6)?)),
                        (u(r.get(7)?), u(r.get(8)?)),
                        (u(r.get(9)?), u(r.get(10)?)),
                    ],
                })
            },
        )
    }

    fn vouchers_outstanding(&mut self, merchant_id: &str, now_ms: i64) -> ApiResult<(u64, u64)> {
        Ok(self
            .one(
                "SELECT COUNT(*), COALESCE(SUM(value_minor), 0) FROM vouchers \
                 WHERE merchant_id = ?1 AND redeemed_at_ms IS NULL AND valid_until_ms > ?2",
                params![merchant_id, now_ms],
                |r| Ok((u(r.get(0)?), u(r.get(1)?))),
            )?
            .unwrap_or_default())
    }

    fn cashier_events(
        &mut self,
        store_id: &str,
        from_day: &str,
        to_day: &str,
        staff_id: Option<&str>,
    ) -> ApiResult<Vec<CashierEvent>> {
        self.all(
            &format!(
                "SELECT r.staff_id, r.committed_at_ms, r.customer_id, r.approved_by, r.status, r.value_minor, \
                 r.bill_id IS NULL OR NOT EXISTS (SELECT 1 FROM accruals a \
                     WHERE a.store_id = r.store_id AND a.bill_id = r.bill_id) \
                 FROM redemptions r WHERE r.store_id = ?1 AND {} \
                 AND r.staff_id IS NOT NULL AND (?4 IS NULL OR r.staff_id = ?4)",
                store_day("r.committed_day")
            ),
            params![store_id, from_day, to_day, staff_id],
            |r| {
                Ok(CashierEvent {
                    staff_id: r.get(0)?,
                    at_ms: r.get::<_, Option<i64>>(1)?.unwrap_or(0),
                    customer_id: r.get(2)?,
                    approved_by: r
                        .get::<_, Option<String>>(3)?
                        .and_then(|a| ApprovedBy::parse(&a)),
                    reversed: r.get::<_, String>(4)? == "reversed",
                    value_minor: u(r.get(5)?),
                    no_sale: r.get(6)?,
                })
            },
        )
    }

    fn failed_codes_by_staff(
        &mut self,
        store_id: &str,
        from_ms: i64,
        to_ms: i64,
    ) -> ApiResult<Vec<(String, u64)>> {
        self.all(
            "SELECT staff_id, COUNT(*) FROM audit WHERE store_id = ?1 AND action = 'otp_rejected' \
             AND at_ms >= ?2 AND at_ms < ?3 AND staff_id IS NOT NULL GROUP BY staff_id",
            params![store_id, from_ms, to_ms],
            |r| Ok((r.get(0)?, u(r.get(1)?))),
        )
    }

    fn customers_sharing_a_contact(&mut self, merchant_id: &str) -> ApiResult<Vec<String>> {
        self.all(
            "SELECT c.id FROM customers c WHERE c.merchant_id = ?1 AND ( \
             (c.mobile IS NOT NULL AND EXISTS (SELECT 1 FROM customers o \
                 WHERE o.merchant_id = c.merchant_id AND o.mobile = c.mobile AND o.id != c.id)) \
             OR (c.email IS NOT NULL AND EXISTS (SELECT 1 FROM customers o \
                 WHERE o.merchant_id = c.merchant_id AND lower(o.email) = lower(c.email) AND o.id != c.id)) \
             OR (c.mobile IS NOT NULL AND EXISTS (SELECT 1 FROM staff s JOIN stores st \
                 ON st.id = s.store_id WHERE st.merchant_id = c.merchant_id AND s.mobile = c.mobile)))",
            params![merchant_id],
            |r| r.get(0),
        )
    }

    fn record_fraud_alert(
        &mut self,
        store_id: &str,
        staff_id: &str,
        day: &str,
        signal: &str,
        at_ms: i64,
    ) -> ApiResult<bool> {
        Ok(self.exec(
            "INSERT OR IGNORE INTO fraud_alerts (store_id, staff_id, day, signal, at_ms) \
             VALUES (?1, ?2, ?3, ?4, ?5)",
            params![store_id, staff_id, day, signal, at_ms],
        )? == 1)
    }

    fn fraud_alerts_told(
        &mut self,
        store_id: &str,
        staff_id: &str,
        day: &str,
    ) -> ApiResult<Vec<String>> {
        self.all(
            "SELECT signal FROM fraud_alerts WHERE store_id = ?1 AND staff_id = ?2 AND day = ?3",
            params![store_id, staff_id, day],
            |r| r.get(0),
        )
    }

    fn manager_mobiles(&mut self, store_id: &str) -> ApiResult<Vec<(String, String, String)>> {
        self.all(
            "SELECT id, name, mobile FROM staff WHERE store_id = ?1 AND role = 'manager' \
             AND disabled_at_ms IS NULL AND mobile IS NOT NULL AND mobile != '' ORDER BY code",
            params![store_id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
    }
}
