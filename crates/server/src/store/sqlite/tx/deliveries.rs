//! Messages a provider took and its delivery reports (issue 16).

use super::super::rows::*;
use super::SqliteTx;
use crate::error::ApiResult;
use crate::gateways::reports::Report;
use crate::model::*;
use crate::store::*;
use contract::api::DeliveryStatus;
use contract::reports::DeliveryTotals;
use contract::Channel;
use rusqlite::{params, Row};

const COLS: &str = "channel, provider_id, store_id, redemption_id, kind, status, reason, \
     sent_at_ms, reported_at_ms FROM deliveries";

fn delivery_row(r: &Row<'_>) -> rusqlite::Result<DeliveryRow> {
    Ok(DeliveryRow {
        channel: parse_text::<Channel>(&r.get::<_, String>(0)?)?,
        provider_id: r.get(1)?,
        store_id: r.get(2)?,
        redemption_id: r.get(3)?,
        kind: r.get(4)?,
        status: parse_text::<DeliveryStatus>(&r.get::<_, String>(5)?)?,
        reason: r.get(6)?,
        sent_at_ms: r.get(7)?,
        reported_at_ms: r.get(8)?,
    })
}

impl SqliteTx<'_> {
    fn delivery(&mut self, channel: Channel, provider_id: &str) -> ApiResult<Option<DeliveryRow>> {
        self.one(
            &format!("SELECT {COLS} WHERE channel = ?1 AND provider_id = ?2"),
            params![channel.as_str(), provider_id],
            delivery_row,
        )
    }
}

impl DeliveryTx for SqliteTx<'_> {
    fn record_delivery(&mut self, d: &DeliveryRow) -> ApiResult<DeliveryRow> {
        // A report that came first keeps its status; the send adds what it was about. A row
        // of an earlier send (a provider that reuses its ids) starts over.
        self.exec(
            "INSERT INTO deliveries (channel, provider_id, store_id, redemption_id, kind, status, \
             sent_at_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) \
             ON CONFLICT (channel, provider_id) DO UPDATE SET store_id = excluded.store_id, \
             redemption_id = excluded.redemption_id, kind = excluded.kind, \
             sent_at_ms = excluded.sent_at_ms, \
             status = CASE WHEN deliveries.sent_at_ms IS NULL THEN deliveries.status \
                 ELSE excluded.status END, \
             reason = CASE WHEN deliveries.sent_at_ms IS NULL THEN deliveries.reason END, \
             reported_at_ms = CASE WHEN deliveries.sent_at_ms IS NULL \
                 THEN deliveries.reported_at_ms END",
            params![
                d.channel.as_str(),
                d.provider_id,
                d.store_id,
                d.redemption_id,
                d.kind,
                d.status.as_str(),
                d.sent_at_ms
            ],
        )?;
        Ok(self
            .delivery(d.channel, &d.provider_id)?
            .unwrap_or_else(|| d.clone()))
    }

    fn report_delivery(
        &mut self,
        channel: Channel,
        report: &Report,
        at_ms: i64,
    ) -> ApiResult<(DeliveryRow, bool)> {
        let changed = self.exec(
            "INSERT INTO deliveries (channel, provider_id, status, reason, reported_at_ms) \
             VALUES (?1, ?2, ?3, ?4, ?5) \
             ON CONFLICT (channel, provider_id) DO UPDATE SET status = excluded.status, \
             reason = excluded.reason, reported_at_ms = excluded.reported_at_ms \
             WHERE deliveries.status = 'sent'",
            params![
                channel.as_str(),
                report.provider_id,
                report.status.as_str(),
                report.reason,
                at_ms
            ],
        )? > 0;
        let row = self
            .delivery(channel, &report.provider_id)?
            .ok_or_else(|| crate::error::ApiError::internal("a delivery just written is gone"))?;
        Ok((row, changed))
    }

    fn disown_delivery(
        &mut self,
        channel: Channel,
        provider_id: &str,
        at_ms: i64,
    ) -> ApiResult<()> {
        self.exec(
            "UPDATE deliveries SET status = 'disowned', reported_at_ms = ?3 \
             WHERE channel = ?1 AND provider_id = ?2",
            params![channel.as_str(), provider_id, at_ms],
        )?;
        Ok(())
    }

    fn block_codes(&mut self, customer_id: &str, until_ms: i64, at_ms: i64) -> ApiResult<()> {
        self.exec(
            "INSERT INTO code_blocks (customer_id, until_ms, at_ms) VALUES (?1, ?2, ?3) \
             ON CONFLICT (customer_id) DO UPDATE SET until_ms = MAX(until_ms, excluded.until_ms), \
             at_ms = excluded.at_ms",
            params![customer_id, until_ms, at_ms],
        )?;
        Ok(())
    }

    fn codes_blocked_until(&mut self, customer_id: &str, now_ms: i64) -> ApiResult<Option<i64>> {
        self.one(
            "SELECT until_ms FROM code_blocks WHERE customer_id = ?1 AND until_ms > ?2",
            params![customer_id, now_ms],
            |r| r.get(0),
        )
    }

    fn open_redemptions_of_mobile(
        &mut self,
        mobile: &str,
        now_ms: i64,
    ) -> ApiResult<Vec<RedemptionRow>> {
        self.all(
            "SELECT data FROM redemptions WHERE status IN ('awaiting_otp', 'approved') \
             AND expires_at_ms > ?2 AND customer_id IN (SELECT id FROM customers \
             WHERE merchant_id IN (SELECT id FROM merchants) AND mobile = ?1) ORDER BY created_at_ms",
            params![mobile, now_ms],
            redemption_row,
        )
    }

    fn delivery_sums(
        &mut self,
        store_id: &str,
        from_ms: i64,
        to_ms: i64,
    ) -> ApiResult<Vec<DeliveryTotals>> {
        let counts = self.all(
            "SELECT channel, status, COUNT(*) FROM deliveries WHERE store_id = ?1 \
             AND sent_at_ms >= ?2 AND sent_at_ms < ?3 AND kind = 'otp' GROUP BY channel, status",
            params![store_id, from_ms, to_ms],
            |r| {
                Ok((
                    parse_text::<Channel>(&r.get::<_, String>(0)?)?,
                    parse_text::<DeliveryStatus>(&r.get::<_, String>(1)?)?,
                    u(r.get(2)?),
                ))
            },
        )?;
        let mut out: Vec<DeliveryTotals> = Vec::new();
        for channel in Channel::ALL {
            let mut t = DeliveryTotals {
                channel,
                delivered: 0,
                failed: 0,
                awaiting: 0,
                disowned: 0,
            };
            for (c, status, n) in &counts {
                if *c == channel {
                    match status {
                        DeliveryStatus::Sent => t.awaiting += n,
                        DeliveryStatus::Delivered => t.delivered += n,
                        DeliveryStatus::Failed => t.failed += n,
                        DeliveryStatus::Disowned => t.disowned += n,
                    }
                }
            }
            if t.delivered + t.failed + t.awaiting + t.disowned > 0 {
                out.push(t);
            }
        }
        Ok(out)
    }
}
