//! The reports benchmark's data (SPEC §9: reports over 1,000,000 redemptions answer in ≤ 1 s):
//! `redeemguard-server bench-seed-reports --db F` adds, to a database a demo server created,
//! cashiers, tills, customers with points, and posted redemptions spread over the last days
//! (some reversed, overridden or without a code; most bills with their sale recorded), plus
//! printed vouchers, written straight to the tables in one transaction. Not for a real store.

use crate::crypto::sha256_hex;
use crate::days;
use crate::model::RedemptionRow;
use contract::api::{Approval, RedemptionStatus, Reversal};
use contract::{
    Bill, BillId, Channel, Currency, InstrumentKind, Money, Policy, Purpose, Quantity, Unit,
};
use rusqlite::params;
use std::path::Path;

/// How much to generate.
pub struct Plan {
    pub redemptions: u64,
    pub days: u32,
    pub cashiers: u32,
    pub tills: u32,
    pub customers: u32,
}

/// A tiny deterministic generator (xorshift): the same data on every run.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

/// Seeds the demo store (`st-demo`) of `db`; returns the first and last store day covered.
pub fn seed(db: &Path, plan: &Plan, now_ms: i64) -> Result<(String, String), String> {
    let mut conn = crate::store::sqlite::open_connection(db)?;
    let fail = |e: rusqlite::Error| e.to_string();
    let txn = conn.transaction().map_err(fail)?;
    let (policy, pin_hash): (String, String) = txn
        .query_row(
            "SELECT s.policy, st.pin_hash FROM stores s JOIN staff st ON st.store_id = s.id \
             WHERE s.id = 'st-demo' LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .map_err(|e| {
            format!(
                "no demo store in {} (start a demo server on it first): {e}",
                db.display()
            )
        })?;
    let policy: Policy = serde_json::from_str(&policy).map_err(|e| e.to_string())?;
    let inr = |minor: u64| Money::new(minor, Currency::INR).map_err(|e| e.to_string());
    for i in 1..=plan.cashiers {
        txn.execute(
            "INSERT OR IGNORE INTO staff (id, store_id, code, name, role, pin_hash) \
             VALUES (?1, 'st-demo', ?2, ?3, 'cashier', ?4)",
            params![
                format!("bench-staff-{i}"),
                format!("B{i:03}"),
                format!("Bench Cashier {i:02}"),
                pin_hash
            ],
        )
        .map_err(fail)?;
    }
    for i in 1..=plan.tills {
        txn.execute(
            "INSERT OR IGNORE INTO terminals (id, store_id, name, mode, token_hash) \
             VALUES (?1, 'st-demo', ?2, 'pos', ?3)",
            params![
                format!("bench-report-till-{i}"),
                format!("Report till {i:02}"),
                sha256_hex(format!("bench-report-till-{i}").as_bytes())
            ],
        )
        .map_err(fail)?;
    }
    for i in 0..plan.customers {
        txn.execute(
            "INSERT OR IGNORE INTO customers (id, merchant_id, name, mobile, email) \
             VALUES (?1, 'm-demo', ?2, ?3, ?4)",
            params![
                format!("bench-rc-{i}"),
                format!("Customer {i:05}"),
                format!("+9171{i:08}"),
                format!("rc{i}@example.com")
            ],
        )
        .map_err(fail)?;
        txn.execute(
            "INSERT OR IGNORE INTO instruments (id, customer_id, kind, label, unit, balance, held, \
             unit_value_minor, currency, earned, expiring_qty, expiring_at_ms) \
             VALUES (?1, ?2, 'points', 'Loyalty points', 'points', ?3, 0, 100, 'INR', ?3, ?4, ?5)",
            params![format!("bench-rc-{i}-points"), format!("bench-rc-{i}"), 10_000 + i64::from(i % 5_000), 500, now_ms + i64::from(i % 120) * 86_400_000],
        )
        .map_err(fail)?;
    }
    let day_ms = 86_400_000i64;
    let start = now_ms - i64::from(plan.days) * day_ms;
    let step = (i64::from(plan.days) * day_ms) / (plan.redemptions.max(1) as i64);
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut insert = txn
        .prepare(
            "INSERT INTO redemptions (id, store_id, customer_id, status, kind, quantity, value_minor, \
             created_at_ms, expires_at_ms, committed_at_ms, reversed_at_ms, by_override, data, bill_id, \
             bill_total_minor, terminal_id, staff_id, approved_by, committed_day, customer_name, unit) \
             VALUES (?1, 'st-demo', ?2, ?3, ?4, ?5, ?6, ?7, ?7, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18)",
        )
        .map_err(fail)?;
    let mut accrue = txn
        .prepare(
            "INSERT INTO accruals (id, store_id, customer_id, bill_id, points, balance_after, at_ms, bill_total_minor) \
             VALUES (?1, 'st-demo', ?2, ?3, ?4, 0, ?5, ?6)",
        )
        .map_err(fail)?;
    for n in 0..plan.redemptions {
        let at = start + (n as i64) * step + rng.below(step.max(1) as u64) as i64;
        let customer = rng.below(u64::from(plan.customers));
        let staff = 1 + rng.below(u64::from(plan.cashiers));
        let till = 1 + rng.below(u64::from(plan.tills));
        let (kind, unit, label, quantity, unit_value) = match rng.below(10) {
            0 => (
                InstrumentKind::Package,
                Unit::Sessions,
                "Hair spa × 6",
                1,
                150_000,
            ),
            1 => (
                InstrumentKind::Membership,
                Unit::Credit,
                "Gold membership",
                1 + rng.below(50_000),
                1,
            ),
            _ => (
                InstrumentKind::Points,
                Unit::Points,
                "Loyalty points",
                50 + rng.below(450),
                100,
            ),
        };
        let value = quantity * unit_value;
        let approval = match rng.below(20) {
            0 => Approval::Override {
                manager_name: "Rahul Mehta".into(),
                reason: "no signal".into(),
            },
            1 | 2 => Approval::NotRequired,
            _ => Approval::Otp {
                channel: Channel::Sms,
            },
        };
        let reversed = rng.below(50) == 0;
        let bill_id = format!("BR-{n}");
        let total = value + 10_000;
        let id = format!("bench-red-{n:07}");
        let customer_id = format!("bench-rc-{customer}");
        let customer_name = format!("Customer {customer:05}");
        let staff_id = format!("bench-staff-{staff}");
        let day = days::iso_date(&policy, at);
        let row = RedemptionRow {
            id: id.clone(),
            store_id: "st-demo".into(),
            terminal_id: format!("bench-report-till-{till}"),
            staff_id: Some(staff_id.clone()),
            customer_id: customer_id.clone(),
            customer_name: customer_name.clone(),
            instrument_id: format!("{customer_id}-points"),
            instrument_kind: kind,
            instrument_label: label.into(),
            unit,
            quantity: Quantity::new(quantity).map_err(|e| e.to_string())?,
            value: inr(value)?,
            purpose: Purpose::Bill {
                bill: Bill::new(
                    BillId::parse(&bill_id).map_err(|e| e.to_string())?,
                    inr(total)?,
                )
                .map_err(|e| e.to_string())?,
            },
            otp_required: true,
            max_verify_attempts: 5,
            status: if reversed {
                RedemptionStatus::Reversed
            } else {
                RedemptionStatus::Committed
            },
            created_at_ms: at,
            expires_at_ms: at,
            otp: None,
            failed_attempts: 0,
            approval: Some(approval),
            committed_at_ms: Some(at),
            reversal: reversed.then(|| Reversal {
                redemption_id: id.clone(),
                quantity_restored: Quantity::new(quantity).expect("a quantity"),
                balance_after: 0,
                reason: "returned".into(),
                reversed_at_ms: at + 60_000,
            }),
            identification_id: None,
            no_code: false,
            posted_by: Some(staff_id.clone()),
            approval_request: None,
            committed_day: Some(day.clone()),
        };
        let data = serde_json::to_string(&row).map_err(|e| e.to_string())?;
        insert
            .execute(params![
                id,
                customer_id,
                if reversed { "reversed" } else { "committed" },
                kind.as_str(),
                quantity as i64,
                value as i64,
                at,
                reversed.then_some(at + 60_000),
                matches!(row.approval, Some(Approval::Override { .. })),
                data,
                bill_id,
                total as i64,
                row.terminal_id,
                staff_id,
                row.approved_by().map(|a| a.as_str()),
                day,
                customer_name,
                unit.as_str(),
            ])
            .map_err(fail)?;
        // Most bills had their sale recorded (points earned on them).
        if rng.below(10) < 8 {
            accrue
                .execute(params![
                    format!("bench-acc-{n}"),
                    customer_id,
                    bill_id,
                    10,
                    at,
                    total as i64
                ])
                .map_err(fail)?;
        }
        if n % 50 == 0 {
            let redeemed = rng.below(2) == 0;
            let valid_until = at + 30 * day_ms;
            txn.execute(
                "INSERT INTO vouchers (id, code_hash, merchant_id, store_id, redemption_id, customer_id, \
                 customer_name, value_minor, currency, issued_at_ms, valid_until_ms, redeemed_at_ms, \
                 redeemed_store_id, redeemed_bill_id, redeemed_bill_total_minor, redeemed_by, \
                 redeemed_terminal_id, redeemed_day) \
                 VALUES (?1, ?2, 'm-demo', 'st-demo', ?3, ?4, ?5, 50000, 'INR', ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
                params![
                    format!("bench-vch-{n}"),
                    sha256_hex(format!("bench-vch-{n}").as_bytes()),
                    row.id,
                    row.customer_id,
                    row.customer_name,
                    at,
                    valid_until,
                    redeemed.then_some(at + 3_600_000),
                    redeemed.then_some("st-demo"),
                    redeemed.then(|| format!("BV-{n}")),
                    redeemed.then_some(100_000),
                    redeemed.then_some(staff_id.as_str()),
                    redeemed.then(|| row.terminal_id.clone()),
                    redeemed.then(|| days::iso_date(&policy, at + 3_600_000)),
                ],
            )
            .map_err(fail)?;
        }
    }
    drop(insert);
    drop(accrue);
    txn.commit().map_err(fail)?;
    Ok((
        days::iso_date(&policy, start),
        days::iso_date(&policy, now_ms),
    ))
}
