//! Printed vouchers: issued at a commit, redeemed once at a till.

use super::super::rows::*;
use super::SqliteTx;
use crate::error::ApiResult;
use crate::model::*;
use crate::store::*;
use contract::{Currency, Money};
use rusqlite::{params, Row};

const VOUCHER_COLS: &str = "id, code_hash, merchant_id, store_id, redemption_id, customer_id, \
     customer_name, value_minor, currency, issued_at_ms, valid_until_ms, redeemed_at_ms, \
     redeemed_store_id, redeemed_bill_id, redeemed_bill_total_minor, redeemed_by, redeemed_terminal_id, redeemed_day FROM vouchers";

fn voucher_row(r: &Row<'_>) -> rusqlite::Result<VoucherRow> {
    Ok(VoucherRow {
        id: r.get(0)?,
        code_hash: r.get(1)?,
        merchant_id: r.get(2)?,
        store_id: r.get(3)?,
        redemption_id: r.get(4)?,
        customer_id: r.get(5)?,
        customer_name: r.get(6)?,
        value: conv(Money::new(
            u(r.get(7)?),
            conv(Currency::parse(&r.get::<_, String>(8)?))?,
        ))?,
        issued_at_ms: r.get(9)?,
        valid_until_ms: r.get(10)?,
        redeemed_at_ms: r.get(11)?,
        redeemed_store_id: r.get(12)?,
        redeemed_bill_id: r.get(13)?,
        redeemed_bill_total_minor: r.get::<_, Option<i64>>(14)?.map(u),
        redeemed_by: r.get(15)?,
        redeemed_terminal_id: r.get(16)?,
        redeemed_day: r.get(17)?,
    })
}

impl VoucherTx for SqliteTx<'_> {
    fn insert_voucher(&mut self, v: &VoucherRow) -> ApiResult<()> {
        self.exec(
            "INSERT INTO vouchers (id, code_hash, merchant_id, store_id, redemption_id, customer_id, \
             customer_name, value_minor, currency, issued_at_ms, valid_until_ms) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
            params![
                v.id, v.code_hash, v.merchant_id, v.store_id, v.redemption_id, v.customer_id,
                v.customer_name, i(v.value.minor()), v.value.currency().code(), v.issued_at_ms,
                v.valid_until_ms
            ],
        )?;
        Ok(())
    }

    fn voucher_by_code(
        &mut self,
        merchant_id: &str,
        code_hash: &str,
    ) -> ApiResult<Option<VoucherRow>> {
        self.one(
            &format!("SELECT {VOUCHER_COLS} WHERE merchant_id = ?1 AND code_hash = ?2"),
            params![merchant_id, code_hash],
            voucher_row,
        )
    }

    fn mark_voucher_redeemed(&mut self, v: &VoucherRow) -> ApiResult<bool> {
        let changed = self.exec(
            "UPDATE vouchers SET redeemed_at_ms = ?2, redeemed_store_id = ?3, redeemed_bill_id = ?4, \
             redeemed_bill_total_minor = ?5, redeemed_by = ?6, redeemed_terminal_id = ?7, redeemed_day = ?8 \
             WHERE id = ?1 AND redeemed_at_ms IS NULL",
            params![
                v.id,
                v.redeemed_at_ms,
                v.redeemed_store_id,
                v.redeemed_bill_id,
                v.redeemed_bill_total_minor.map(i),
                v.redeemed_by,
                v.redeemed_terminal_id,
                v.redeemed_day
            ],
        )?;
        Ok(changed == 1)
    }
}
