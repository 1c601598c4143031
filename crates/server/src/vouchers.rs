//! Printed loyalty vouchers at the till (seed 004, issue 15): a voucher printed at a commit is
//! kept by its code's hash (`crypto::voucher_code_hash`); presented at a till, its value is applied to a
//! bill once. A copy presented again is refused and audited; so is an expired one. Codes
//! that are nobody's voucher count as guesses on the terminal (S11). The value counts among
//! what loyalty took from the bill, and fixes the bill's total (S12).

use crate::audit::{self, Action};
use crate::auth::Caller;
use crate::crypto;
use crate::error::{ApiError, ApiResult};
use crate::guesses;
use crate::model::VoucherRow;
use crate::store::Tx;
use contract::api::{RedeemVoucher, VoucherRedeemed};
use contract::vouchers::canonical;
use contract::{ErrorCode, Money};
use serde_json::json;

/// Applies a voucher to a bill, once. The same voucher presented again for the same bill at
/// the same store answers as the first time (a retried request); anywhere else it is
/// `voucher_used`, audited.
pub fn redeem(
    tx: &mut dyn Tx,
    caller: &Caller,
    req: &RedeemVoucher,
    now_ms: i64,
) -> ApiResult<VoucherRedeemed> {
    let guesses = [guesses::Scope::terminal(&caller.terminal.id)];
    guesses::check(tx, &guesses, now_ms)?;
    let Some(code) = canonical(&req.code) else {
        return Err(ApiError::new(ErrorCode::VoucherNotFound)
            .detail("A voucher code is RGV and 12 letters or digits, e.g. RGV-ABCD-EFGH-JKLM: check it against the printed voucher")
            .field("code"));
    };
    let Some(mut v) =
        tx.voucher_by_code(&caller.store.merchant_id, &crypto::voucher_code_hash(&code))?
    else {
        guesses::count(tx, &guesses, now_ms)?;
        return Err(ApiError::new(ErrorCode::VoucherNotFound)
            .field("code")
            .keep()); // the guess stays counted
    };
    let bill = &req.bill;
    let refuse =
        |tx: &mut dyn Tx, v: &VoucherRow, why: &str, e: ApiError| -> ApiResult<VoucherRedeemed> {
            audit::record(
                tx,
                now_ms,
                &caller.actor(),
                Action::VoucherRefused,
                None,
                json!({ "voucher_id": v.id, "why": why, "bill_id": bill.id().as_str(),
                    "redeemed_at_ms": v.redeemed_at_ms, "redeemed_bill_id": v.redeemed_bill_id }),
            )?;
            Err(e.keep())
        };
    if let Some(at) = v.redeemed_at_ms {
        let same = v.redeemed_store_id.as_deref() == Some(caller.store.id.as_str())
            && v.redeemed_bill_id.as_deref() == Some(bill.id().as_str())
            && v.redeemed_bill_total_minor == Some(bill.total().minor());
        if same {
            return answer(tx, caller, &v, &code, at);
        }
        let e = ApiError::new(ErrorCode::VoucherUsed).field("code").detail(format!(
            "This voucher ({}) was already redeemed on bill {}: a copy cannot be used again. Do not accept it.",
            crate::messages::display_money(v.value),
            v.redeemed_bill_id.clone().unwrap_or_default()
        ));
        return refuse(tx, &v, "used", e);
    }
    if v.valid_until_ms <= now_ms {
        let e = ApiError::new(ErrorCode::VoucherExpired).field("code");
        return refuse(tx, &v, "expired", e);
    }
    if v.value.currency() != bill.total().currency() {
        return Err(ApiError::new(ErrorCode::CurrencyMismatch).field("bill.total"));
    }
    // What loyalty took from this bill already; the voucher must fit in what is left.
    let usage = crate::ledger::bill_usage_checked(tx, caller, bill, now_ms)?;
    let left = bill.total().minor().saturating_sub(usage.redeemed_minor);
    if v.value.minor() > left {
        return Err(ApiError::new(ErrorCode::ExceedsBill)
            .detail(format!(
                "This voucher is worth {}, more than is left to pay on bill {} ({}): use it on a larger bill",
                crate::messages::display_money(v.value),
                bill.id(),
                crate::messages::display_money(Money::new(left, bill.total().currency()).unwrap_or(bill.total())),
            ))
            .field("bill.total"));
    }
    v.redeemed_at_ms = Some(now_ms);
    v.redeemed_store_id = Some(caller.store.id.clone());
    v.redeemed_bill_id = Some(bill.id().to_string());
    v.redeemed_bill_total_minor = Some(bill.total().minor());
    v.redeemed_by = caller.staff.as_ref().map(|s| s.id.clone());
    v.redeemed_terminal_id = Some(caller.terminal.id.clone());
    v.redeemed_day = Some(crate::days::iso_date(&caller.store.policy, now_ms));
    if !tx.mark_voucher_redeemed(&v)? {
        // Another till redeemed it between the read and now (one writer: not in practice).
        return Err(ApiError::new(ErrorCode::VoucherUsed).field("code"));
    }
    audit::record(
        tx,
        now_ms,
        &caller.actor(),
        Action::VoucherRedeemed,
        Some(&v.redemption_id),
        json!({ "voucher_id": v.id, "customer_id": v.customer_id, "value_minor": v.value.minor(),
                "currency": v.value.currency().code(), "bill_id": bill.id().as_str(),
                "bill_total_minor": bill.total().minor() }),
    )?;
    answer(tx, caller, &v, &code, now_ms)
}

fn answer(
    tx: &mut dyn Tx,
    caller: &Caller,
    v: &VoucherRow,
    code: &str,
    at_ms: i64,
) -> ApiResult<VoucherRedeemed> {
    let bill_id = v.redeemed_bill_id.clone().unwrap_or_default();
    let total = v.redeemed_bill_total_minor.unwrap_or(0);
    let usage = tx.bill_usage(&caller.store.id, &bill_id, total, at_ms)?;
    Ok(VoucherRedeemed {
        code: code.to_string(),
        value: v.value,
        customer_name: v.customer_name.clone(),
        bill_id,
        redeemed_at_ms: at_ms,
        bill_redeemed: Money::new(usage.redeemed_minor, v.value.currency())
            .map_err(|e| ApiError::internal(e.to_string()))?,
    })
}
