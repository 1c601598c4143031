//! The fake's reports and audit log, computed from the redemptions it posted (its receipts),
//! with the contract's own rules: thresholds and ranking (`contract::reports`), the store
//! chain's links (`contract::audit`), so the back office's screens run offline and in tests.

use super::State;
use crate::backend::{AdminCall, AdminReply, BackendError};
use contract::api::{Approval, AuditEntry, AuditPage, NameOf, Receipt};
use contract::audit::{store_link, STORE_GENESIS};
use contract::reports::*;
use contract::{Money, Unit};
use std::collections::BTreeMap;

const STORE: &str = "demo-store";

fn day(ms: i64) -> StoreDate {
    const Y2000: i64 = 946_684_800_000;
    let days = (ms - Y2000).div_euclid(86_400_000).max(0) as u32;
    StoreDate::from_ordinal(days).unwrap_or_else(|| StoreDate::new(2000, 1, 1).expect("a date"))
}

fn approved_by(a: &Approval) -> ApprovedBy {
    match a {
        Approval::Otp { .. } => ApprovedBy::Code,
        Approval::Override { .. } => ApprovedBy::Override,
        Approval::NotRequired => ApprovedBy::NoCode,
    }
}

/// The posted redemptions, oldest first.
fn posted(s: &State) -> Vec<Receipt> {
    let mut list: Vec<Receipt> = s.receipts.values().map(|(_, r)| r.clone()).collect();
    list.sort_by_key(|r| (r.committed_at_ms, r.redemption_id.clone()));
    list
}

fn keep(r: &Receipt, f: &ReportFilter) -> bool {
    let d = day(r.committed_at_ms);
    d >= f.from
        && d <= f.to
        && f.instrument.is_none_or(|k| k == r.instrument_kind)
        && f.approved_by.is_none_or(|a| a == approved_by(&r.approval))
        && f.cashier.as_ref().is_none_or(|c| *c == r.cashier_name)
        && f.terminal.as_ref().is_none_or(|t| *t == r.terminal_name)
        && f.customer.as_ref().is_none_or(|c| *c == r.customer_name)
}

fn add(row: &mut ReportRow, r: &Receipt) -> Result<(), BackendError> {
    row.count += 1;
    if r.unit == Unit::Points {
        row.points += r.quantity.get();
    }
    row.value = row
        .value
        .checked_add(r.value)
        .map_err(|_| super::internal())?;
    Ok(())
}

fn report(s: &State, kind: ReportKind, filter: ReportFilter) -> Result<AdminReply, BackendError> {
    let zero = Money::zero(s.policy.currency);
    let mut groups: BTreeMap<String, ReportRow> = BTreeMap::new();
    let mut total = ReportRow::empty(zero);
    for r in posted(s).iter().filter(|r| keep(r, &filter)) {
        add(&mut total, r)?;
        let date = day(r.committed_at_ms).to_string();
        let key = match kind {
            ReportKind::DateCustomer => format!("{date}|{}", r.customer_name),
            ReportKind::CustomerDetail => {
                format!(
                    "{}|{}|{}",
                    r.customer_name, r.committed_at_ms, r.redemption_id
                )
            }
            ReportKind::Cashier => r.cashier_name.clone(),
            ReportKind::Terminal => r.terminal_name.clone(),
            ReportKind::Instrument => format!("{}|{}", r.instrument_kind.as_str(), r.unit.as_str()),
            ReportKind::EndOfDay => format!("{date}|{}", r.terminal_name),
        };
        let row = groups.entry(key).or_insert_with(|| ReportRow::empty(zero));
        add(row, r)?;
        let detail = kind == ReportKind::CustomerDetail;
        let by_day = matches!(kind, ReportKind::DateCustomer | ReportKind::EndOfDay);
        if by_day || detail {
            row.date = Some(date);
        }
        if matches!(kind, ReportKind::DateCustomer) || detail {
            row.customer_id = Some(r.customer_name.clone());
            row.customer_name = Some(r.customer_name.clone());
        }
        if matches!(kind, ReportKind::Cashier) || detail {
            row.cashier_id = Some(r.cashier_name.clone());
            row.cashier_name = Some(r.cashier_name.clone());
        }
        if matches!(kind, ReportKind::Terminal | ReportKind::EndOfDay) || detail {
            row.terminal_id = Some(r.terminal_name.clone());
            row.terminal_name = Some(r.terminal_name.clone());
        }
        if matches!(kind, ReportKind::Instrument) || detail {
            row.instrument_kind = Some(r.instrument_kind);
            row.unit = Some(r.unit);
            row.quantity = Some(row.quantity.unwrap_or(0) + r.quantity.get());
        }
        if kind == ReportKind::EndOfDay {
            row.vouchers_taken = Some(0);
            row.vouchers_value = Some(zero);
        }
        if detail {
            row.at_ms = Some(r.committed_at_ms);
            row.instrument_label = Some(r.instrument_label.clone());
            row.bill_id = r.purpose.bill().map(|b| b.id().as_str().to_string());
            row.approved_by = Some(approved_by(&r.approval));
            row.redemption_id = Some(r.redemption_id.clone());
        }
    }
    let more = groups.len() > LoyaltyReport::MAX_ROWS;
    let rows: Vec<ReportRow> = groups.into_values().take(LoyaltyReport::MAX_ROWS).collect();
    Ok(AdminReply::Report(LoyaltyReport {
        report: kind,
        filter,
        rows,
        more,
        count: total.count,
        points: total.points,
        value: total.value,
        reversed: 0,
        vouchers: VoucherTotals {
            issued: 0,
            issued_value: zero,
            redeemed: 0,
            redeemed_value: zero,
            expired: 0,
            expired_value: zero,
        },
        messages: vec![],
    }))
}

fn liability(s: &State, now_ms: i64) -> Result<AdminReply, BackendError> {
    let zero = Money::zero(s.policy.currency);
    let mut lines: BTreeMap<(&'static str, &'static str), LiabilityLine> = BTreeMap::new();
    let mut total = zero;
    for c in &s.customers {
        for i in c.instruments.iter().filter(|i| i.available > 0) {
            let value = i
                .unit_value
                .times(i.available)
                .map_err(|_| super::internal())?;
            total = total.checked_add(value).map_err(|_| super::internal())?;
            let line = lines
                .entry((i.kind.as_str(), i.unit.as_str()))
                .or_insert(LiabilityLine {
                    instrument_kind: i.kind,
                    unit: i.unit,
                    customers: 0,
                    quantity: 0,
                    value: zero,
                    expiring_30: 0,
                    expiring_60: 0,
                    expiring_90: 0,
                    expiring_30_value: zero,
                    expiring_60_value: zero,
                    expiring_90_value: zero,
                });
            line.customers += 1;
            line.quantity += i.available;
            line.value = line
                .value
                .checked_add(value)
                .map_err(|_| super::internal())?;
        }
    }
    Ok(AdminReply::Liability(Liability {
        as_of_ms: now_ms,
        lines: lines.into_values().collect(),
        vouchers_outstanding: 0,
        vouchers_value: zero,
        total_value: total,
    }))
}

fn cashiers(s: &State, filter: ReportFilter) -> Result<AdminReply, BackendError> {
    let zero = Money::zero(s.policy.currency);
    let thresholds = s.policy.fraud.clone();
    let mut by: BTreeMap<String, CashierSignals> = BTreeMap::new();
    for r in posted(s).iter().filter(|r| keep(r, &filter)) {
        let c = by
            .entry(r.cashier_name.clone())
            .or_insert_with(|| CashierSignals {
                staff_id: r.cashier_name.clone(),
                staff_name: r.cashier_name.clone(),
                redemptions: 0,
                value: zero,
                overrides: 0,
                failed_codes: 0,
                no_sale: 0,
                reversals: 0,
                after_hours: 0,
                shared_contacts: 0,
                bursts: 0,
                flagged: vec![],
            });
        c.redemptions += 1;
        c.value = c
            .value
            .checked_add(r.value)
            .map_err(|_| super::internal())?;
        if approved_by(&r.approval) == ApprovedBy::Override {
            c.overrides += 1;
        }
        if r.purpose.bill().is_none() {
            c.no_sale += 1;
        }
    }
    let mut list: Vec<CashierSignals> = by.into_values().collect();
    for c in &mut list {
        c.flagged = thresholds.crossed(c, filter.day_count());
    }
    CashierSignals::rank(&mut list);
    Ok(AdminReply::Cashiers(CashierReport {
        from: filter.from,
        to: filter.to,
        thresholds,
        cashiers: list,
    }))
}

/// The audit log: one `commit` entry per posted redemption, linked by the store chain.
pub(super) fn audit_log(s: &State) -> Vec<AuditEntry> {
    let mut prev = STORE_GENESIS.to_string();
    posted(s)
        .into_iter()
        .enumerate()
        .map(|(i, r)| {
            let mut e = AuditEntry {
                seq: i as u64 + 1,
                at_ms: r.committed_at_ms,
                action: "commit".into(),
                store_id: STORE.into(),
                terminal_id: Some("demo-till-1".into()),
                staff_id: Some("C001".into()),
                redemption_id: Some(r.redemption_id.clone()),
                detail: format!("{{\"quantity\":{}}}", r.quantity.get()),
                prev_hash: String::new(),
                hash: format!("{:064x}", i + 1),
                store_hash: None,
            };
            let link = store_link(&prev, &e);
            e.store_hash = Some(link.clone());
            prev = link;
            e
        })
        .collect()
}

pub(super) fn answer(
    s: &mut State,
    call: AdminCall,
    now_ms: i64,
) -> Result<AdminReply, BackendError> {
    match call {
        AdminCall::Report { kind, filter, csv } => match csv {
            false => report(s, kind, filter),
            true => {
                let AdminReply::Report(r) = report(s, kind, filter.clone())? else {
                    return Err(super::internal());
                };
                let mut text = kind
                    .columns()
                    .iter()
                    .map(|c| c.title())
                    .collect::<Vec<_>>()
                    .join(",");
                for row in &r.rows {
                    text.push('\n');
                    let cells: Vec<String> = kind.columns().iter().map(|c| c.text(row)).collect();
                    text.push_str(&cells.join(","));
                }
                Ok(AdminReply::File {
                    name: kind.file_name(&filter),
                    text: text.into(),
                })
            }
        },
        AdminCall::Liability { .. } => liability(s, now_ms),
        AdminCall::Cashiers { filter, .. } => cashiers(s, filter),
        AdminCall::Audit { filter, csv: false } => {
            let log = audit_log(s);
            let head = log.last().and_then(|e| e.store_hash.clone());
            let after = filter.after.unwrap_or(0);
            let limit = filter.limit.unwrap_or(100).clamp(1, 1000) as usize;
            let entries: Vec<AuditEntry> = log
                .into_iter()
                .filter(|e| e.seq > after)
                .filter(|e| filter.action.as_ref().is_none_or(|a| *a == e.action))
                .filter(|e| {
                    filter
                        .staff
                        .as_ref()
                        .is_none_or(|x| e.staff_id.as_ref() == Some(x))
                })
                .take(limit)
                .collect();
            let next_after = (entries.len() == limit)
                .then(|| entries.last().map(|e| e.seq))
                .flatten();
            let names = match entries.is_empty() {
                true => vec![],
                false => vec![
                    NameOf {
                        id: "C001".into(),
                        name: "Ravi Kumar".into(),
                    },
                    NameOf {
                        id: "demo-till-1".into(),
                        name: "Till 1".into(),
                    },
                ],
            };
            Ok(AdminReply::Audit(AuditPage {
                entries,
                next_after,
                store_head: head,
                names,
            }))
        }
        AdminCall::Audit { filter, csv: true } => {
            let mut text = String::from("Seq,Action,Staff,Store link");
            for e in audit_log(s) {
                text.push_str(&format!(
                    "\n{},{},Ravi Kumar,{}",
                    e.seq,
                    e.action,
                    e.store_hash.unwrap_or_default()
                ));
            }
            Ok(AdminReply::File {
                name: csv_file_name(AUDIT_TITLE, filter.from, filter.to),
                text: text.into(),
            })
        }
        _ => Err(super::internal()),
    }
}
