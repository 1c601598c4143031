//! Loyalty card types, and a customer's card number and customer type.

use super::super::rows::*;
use super::SqliteTx;
use crate::error::{ApiError, ApiResult};
use crate::model::*;
use crate::store::*;
use contract::Money;
use rusqlite::params;

impl CardTx for SqliteTx<'_> {
    fn card_types_of(&mut self, merchant_id: &str) -> ApiResult<Vec<CardTypeRow>> {
        self.all(
            &format!("SELECT {CARD_TYPE_COLS} WHERE merchant_id = ?1 ORDER BY lower(name), id"),
            params![merchant_id],
            card_type_row,
        )
    }

    fn card_type_by_id(&mut self, merchant_id: &str, id: &str) -> ApiResult<Option<CardTypeRow>> {
        self.one(
            &format!("SELECT {CARD_TYPE_COLS} WHERE merchant_id = ?1 AND id = ?2"),
            params![merchant_id, id],
            card_type_row,
        )
    }

    fn card_type_for(
        &mut self,
        merchant_id: &str,
        customer_type: &str,
    ) -> ApiResult<Option<CardTypeRow>> {
        // A merchant has a handful of card types: compared here with the contract's rule
        // (any letter's case), not SQLite's lower() (ASCII only).
        Ok(self
            .card_types_of(merchant_id)?
            .into_iter()
            .find(|c| c.is_for(customer_type)))
    }

    fn insert_card_type(&mut self, c: &CardTypeRow) -> ApiResult<()> {
        self.exec(
            "INSERT INTO card_types (id, merchant_id, name, customer_type, earn_points, \
             earn_per_minor, point_value_minor, currency, created_at_ms, updated_at_ms) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
            params![
                c.id,
                c.merchant_id,
                c.name,
                c.customer_type,
                c.earn_points,
                i(c.earn_per.minor()),
                i(c.point_value.minor()),
                c.point_value.currency().code(),
                c.created_at_ms,
                c.updated_at_ms
            ],
        )?;
        Ok(())
    }

    fn update_card_type(&mut self, c: &CardTypeRow) -> ApiResult<()> {
        let n = self.exec(
            "UPDATE card_types SET name = ?3, customer_type = ?4, earn_points = ?5, \
             earn_per_minor = ?6, point_value_minor = ?7, currency = ?8, updated_at_ms = ?9 \
             WHERE merchant_id = ?1 AND id = ?2",
            params![
                c.merchant_id,
                c.id,
                c.name,
                c.customer_type,
                c.earn_points,
                i(c.earn_per.minor()),
                i(c.point_value.minor()),
                c.point_value.currency().code(),
                c.updated_at_ms
            ],
        )?;
        if n != 1 {
            return Err(ApiError::internal(format!("card type {} vanished", c.id)));
        }
        Ok(())
    }

    fn set_customer_card(
        &mut self,
        merchant_id: &str,
        customer_id: &str,
        card: Option<&str>,
        customer_type: Option<&str>,
    ) -> ApiResult<()> {
        let n = self.exec(
            "UPDATE customers SET card = ?3, customer_type = ?4 WHERE merchant_id = ?1 AND id = ?2",
            params![merchant_id, customer_id, card, customer_type],
        )?;
        if n != 1 {
            return Err(ApiError::internal(format!(
                "customer {customer_id} vanished"
            )));
        }
        Ok(())
    }

    fn set_points_value(&mut self, customer_id: &str, value: Money) -> ApiResult<usize> {
        self.exec(
            "UPDATE instruments SET unit_value_minor = ?2 WHERE customer_id = ?1 \
             AND kind = 'points' AND currency = ?3 AND unit_value_minor != ?2",
            params![customer_id, i(value.minor()), value.currency().code()],
        )
    }

    fn set_points_value_of_type(
        &mut self,
        merchant_id: &str,
        customer_type: &str,
        value: Money,
    ) -> ApiResult<usize> {
        self.exec(
            "UPDATE instruments SET unit_value_minor = ?3 WHERE kind = 'points' \
             AND currency = ?4 AND unit_value_minor != ?3 AND customer_id IN \
             (SELECT id FROM customers WHERE merchant_id = ?1 \
              AND lower(customer_type) = lower(?2))",
            params![
                merchant_id,
                customer_type.trim(),
                i(value.minor()),
                value.currency().code()
            ],
        )
    }
}
