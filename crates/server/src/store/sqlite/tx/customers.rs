//! Customers and their instruments.

use super::super::rows::*;
use super::SqliteTx;
use crate::error::{ApiError, ApiResult};
use crate::model::*;
use crate::store::*;
use contract::{CardNumber, Channel, Email, Mobile};
use rusqlite::params;

impl CustomerTx for SqliteTx<'_> {
    fn insert_customer(&mut self, c: &CustomerRow) -> ApiResult<()> {
        self.exec(
            "INSERT INTO customers (id, merchant_id, name, mobile, email, card, whatsapp_opt_in, \
             customer_type, consent_service, consent_promotional) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
            params![
                c.id,
                c.merchant_id,
                c.name,
                c.mobile.as_ref().map(Mobile::as_str),
                c.email.as_ref().map(Email::as_str),
                c.card.as_ref().map(CardNumber::as_str),
                c.whatsapp_opt_in,
                c.customer_type,
                c.consent.service,
                c.consent.promotional
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

    fn customer_by_email(
        &mut self,
        merchant_id: &str,
        email: &str,
    ) -> ApiResult<Option<CustomerRow>> {
        self.one(
            &format!("SELECT {CUSTOMER_COLS} WHERE merchant_id = ?1 AND lower(email) = lower(?2) LIMIT 1"),
            params![merchant_id, email],
            customer_row,
        )
    }

    fn customers_of(&mut self, merchant_id: &str) -> ApiResult<Vec<CustomerRow>> {
        self.all(
            &format!("SELECT {CUSTOMER_COLS} WHERE merchant_id = ?1 ORDER BY name, id"),
            params![merchant_id],
            customer_row,
        )
    }

    fn set_last_channel(&mut self, customer_id: &str, channel: Channel) -> ApiResult<()> {
        self.exec(
            "UPDATE customers SET last_channel = ?2 WHERE id = ?1 \
             AND last_channel IS NOT ?2",
            params![customer_id, channel.as_str()],
        )?;
        Ok(())
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
}
