//! Messages a manager sends to customers, and customers' consent to them (issue 16).

use super::super::rows::*;
use super::SqliteTx;
use crate::error::ApiResult;
use crate::model::*;
use crate::store::*;
use contract::outreach::Category;
use contract::Channel;
use rusqlite::params;

impl OutreachTx for SqliteTx<'_> {
    fn set_consent(&mut self, customer_id: &str, consent: Consents) -> ApiResult<()> {
        self.exec(
            "UPDATE customers SET consent_service = ?2, consent_promotional = ?3 WHERE id = ?1",
            params![customer_id, consent.service, consent.promotional],
        )?;
        Ok(())
    }

    fn customers_of_type(
        &mut self,
        merchant_id: &str,
        customer_type: &str,
    ) -> ApiResult<Vec<CustomerRow>> {
        self.all(
            &format!(
                "SELECT {CUSTOMER_COLS} WHERE merchant_id = ?1 \
                 AND lower(customer_type) = lower(?2) ORDER BY name, id"
            ),
            params![merchant_id, customer_type],
            customer_row,
        )
    }

    fn insert_outreach(&mut self, o: &OutreachRow, customer_ids: &[String]) -> ApiResult<()> {
        self.exec(
            "INSERT INTO outreach (id, store_id, staff_id, category, channel, audience, text, \
             at_ms, recipients) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            params![
                o.id,
                o.store_id,
                o.staff_id,
                o.category.as_str(),
                o.channel.as_str(),
                o.audience,
                o.text,
                o.at_ms,
                o.recipients
            ],
        )?;
        for customer_id in customer_ids {
            self.exec(
                "INSERT INTO outreach_sends (outreach_id, customer_id, status) \
                 VALUES (?1, ?2, 'queued')",
                params![o.id, customer_id],
            )?;
        }
        Ok(())
    }

    fn outreach_recipients_since(&mut self, store_id: &str, since_ms: i64) -> ApiResult<u64> {
        self.count(
            "SELECT COALESCE(SUM(recipients), 0) FROM outreach WHERE store_id = ?1 \
             AND at_ms >= ?2",
            params![store_id, since_ms],
        )
    }

    fn outreach_sent(
        &mut self,
        outreach_id: &str,
        customer_id: &str,
        sent: Result<Option<&str>, &str>,
        at_ms: i64,
    ) -> ApiResult<()> {
        let (status, provider_id, reason) = match sent {
            Ok(id) => ("sent", id, None),
            Err(reason) => ("failed", None, Some(reason)),
        };
        self.exec(
            "UPDATE outreach_sends SET status = ?3, provider_id = ?4, reason = ?5, at_ms = ?6 \
             WHERE outreach_id = ?1 AND customer_id = ?2",
            params![outreach_id, customer_id, status, provider_id, reason, at_ms],
        )?;
        Ok(())
    }

    fn set_daily_summary(&mut self, store_id: &str, staff_id: &str, on: bool) -> ApiResult<()> {
        self.exec(
            "UPDATE staff SET daily_summary = ?3 WHERE store_id = ?1 AND id = ?2",
            params![store_id, staff_id, on],
        )?;
        self.cache
            .staff
            .remove(&(store_id.to_string(), staff_id.to_string()));
        Ok(())
    }

    fn claim_daily_summary(&mut self, store_id: &str, day: &str, at_ms: i64) -> ApiResult<bool> {
        let taken = self.exec(
            "INSERT INTO daily_summaries (store_id, day, at_ms) VALUES (?1, ?2, ?3) \
             ON CONFLICT (store_id, day) DO NOTHING",
            params![store_id, day, at_ms],
        )?;
        Ok(taken == 1)
    }

    fn outreach_of(&mut self, store_id: &str, limit: u32) -> ApiResult<Vec<OutreachSummary>> {
        // A provider's report (where it sends them) says delivered or failed; without one a
        // message the provider took stays "sent".
        self.all(
            "SELECT o.id, o.store_id, o.staff_id, o.category, o.channel, o.audience, o.text, \
             o.at_ms, o.recipients, COALESCE(s.name, o.staff_id), \
             SUM(x.status = 'queued'), \
             SUM(x.status = 'sent' AND COALESCE(d.status, '') NOT IN ('delivered', 'failed')), \
             SUM(x.status = 'sent' AND COALESCE(d.status, '') = 'delivered'), \
             SUM(x.status = 'failed' OR (x.status = 'sent' AND COALESCE(d.status, '') = 'failed')) \
             FROM outreach o JOIN outreach_sends x ON x.outreach_id = o.id \
             LEFT JOIN deliveries d ON d.channel = o.channel AND d.provider_id = x.provider_id \
             LEFT JOIN staff s ON s.id = o.staff_id \
             WHERE o.store_id = ?1 GROUP BY o.id ORDER BY o.at_ms DESC, o.id DESC LIMIT ?2",
            params![store_id, limit],
            |r| {
                let n = |i: usize| -> rusqlite::Result<u32> {
                    Ok(u32::try_from(r.get::<_, i64>(i)?).unwrap_or(0))
                };
                Ok(OutreachSummary {
                    row: OutreachRow {
                        id: r.get(0)?,
                        store_id: r.get(1)?,
                        staff_id: r.get(2)?,
                        category: Category::parse(&r.get::<_, String>(3)?)
                            .unwrap_or(Category::Service),
                        channel: parse_text::<Channel>(&r.get::<_, String>(4)?)?,
                        audience: r.get(5)?,
                        text: r.get(6)?,
                        at_ms: r.get(7)?,
                        recipients: n(8)?,
                    },
                    staff_name: r.get(9)?,
                    queued: n(10)?,
                    sent: n(11)?,
                    delivered: n(12)?,
                    failed: n(13)?,
                })
            },
        )
    }
}
