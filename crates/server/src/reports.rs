//! What a manager reads about their store (issue 15): the loyalty reports of seed 000 and
//! their breakdowns (JSON, and CSV with every row), the loyalty still owed (liability), and
//! each cashier's fraud signals. Reports count posted redemptions by the store day they were
//! posted on (the store's time zone); thresholds and ranking are the contract's
//! (`FraudThresholds::crossed`, `CashierSignals::rank`).

use crate::days;
use crate::error::{ApiError, ApiResult};
use crate::model::*;
use crate::store::Tx;
use contract::reports::{
    ApprovedBy, CashierSignals, FilterError, Liability, LiabilityLine, LoyaltyReport, ReportFilter,
    ReportKind, ReportRow, StoreDate, VoucherTotals,
};
use contract::{Currency, ErrorCode, InstrumentKind, Money};
use std::collections::{BTreeMap, HashMap, VecDeque};

fn money(minor: u64, currency: Currency) -> ApiResult<Money> {
    Money::new(minor, currency).map_err(ApiError::internal)
}

/// A report's query string, read field by field: each wrong value is refused naming its field.
pub fn parse_query(
    q: &HashMap<String, String>,
    with_kind: bool,
) -> ApiResult<(ReportKind, ReportFilter)> {
    let bad = |field: &str, detail: String| {
        ApiError::new(ErrorCode::InvalidRequest)
            .detail(detail)
            .field(field)
    };
    let given = |name: &str| q.get(name).map(|v| v.trim()).filter(|v| !v.is_empty());
    let kind = match (with_kind, given("report")) {
        (false, _) => ReportKind::DateCustomer,
        (true, None) => return Err(bad("report", "Choose a report".into())),
        (true, Some(k)) => ReportKind::parse(k).ok_or_else(|| {
            let known: Vec<_> = ReportKind::ALL.iter().map(|k| k.as_str()).collect();
            bad("report", format!("One of {}", known.join(", ")))
        })?,
    };
    let date = |field: &str| -> ApiResult<StoreDate> {
        let text = given(field).ok_or_else(|| bad(field, format!("{}", FilterError::NotADate)))?;
        StoreDate::parse(text).map_err(|e| bad(field, e.to_string()))
    };
    let id = |field: &str| given(field).map(str::to_string);
    let instrument = match given("instrument") {
        None => None,
        Some(k) => Some(
            InstrumentKind::ALL
                .into_iter()
                .find(|i| i.as_str() == k)
                .ok_or_else(|| bad("instrument", "Not a kind of loyalty".into()))?,
        ),
    };
    let approved_by = match given("approved_by") {
        None => None,
        Some(a) => Some(
            ApprovedBy::parse(a)
                .ok_or_else(|| bad("approved_by", "One of code, override, no_code".into()))?,
        ),
    };
    let filter = ReportFilter {
        from: date("from")?,
        to: date("to")?,
        cashier: id("cashier"),
        terminal: id("terminal"),
        customer: id("customer"),
        instrument,
        approved_by,
    };
    filter.check().map_err(|e| {
        let field = match e {
            FilterError::TooLong(_) | FilterError::ToBeforeFrom => "to",
            FilterError::NotADate => "from",
        };
        bad(field, e.to_string())
    })?;
    if !with_kind {
        // Cashiers' signals: a month at most.
        ReportFilter::signal_days(filter.from, filter.to).map_err(|e| bad("to", e.to_string()))?;
    }
    Ok((kind, filter))
}

/// A loyalty report of the store: its rows (at most `max_rows`, `None`: all, for the CSV)
/// and its totals over everything it matched.
pub fn loyalty(
    tx: &mut dyn Tx,
    store: &StoreRow,
    kind: ReportKind,
    filter: &ReportFilter,
    max_rows: Option<usize>,
    now_ms: i64,
) -> ApiResult<LoyaltyReport> {
    let policy = &store.policy;
    let currency = policy.currency;
    let q = ReportQuery::new(&store.id, filter);
    let names = tx.names_of(&store.id)?;
    let staff_name = |id: &Option<String>| {
        id.as_ref()
            .map(|i| names.staff.get(i).cloned().unwrap_or_else(|| i.clone()))
    };
    let terminal_name = |id: &Option<String>| {
        id.as_ref()
            .map(|i| names.terminals.get(i).cloned().unwrap_or_else(|| i.clone()))
    };
    let fetch = max_rows.map(|n| n + 1);
    let mut rows: Vec<ReportRow> = Vec::new();
    // The totals, when every group was read: their sum (no second pass over the rows).
    let mut summed: Option<ReportSums> = None;
    let add_up = |groups: &[ReportGroup]| {
        groups.iter().fold(ReportSums::default(), |mut t, g| {
            t.add(&g.sums);
            t
        })
    };
    let blank = |s: &ReportSums| -> ApiResult<ReportRow> {
        Ok(ReportRow {
            count: s.count,
            points: s.points,
            value: money(s.value_minor, currency)?,
            reversed: s.reversed,
            ..ReportRow::empty(Money::zero(currency))
        })
    };
    match kind {
        ReportKind::CustomerDetail => {
            for r in tx.report_redemptions(&q, fetch)? {
                let reversed = r.reversal.is_some();
                let cashier = r.cashier_id().map(str::to_string);
                rows.push(ReportRow {
                    date: r.committed_day.clone(),
                    at_ms: r.committed_at_ms,
                    time: r
                        .committed_at_ms
                        .map(|at| days::clock_time(&store.policy, at)),
                    customer_id: Some(r.customer_id.clone()),
                    customer_name: Some(r.customer_name.clone()),
                    cashier_name: staff_name(&cashier),
                    cashier_id: cashier,
                    terminal_name: terminal_name(&Some(r.terminal_id.clone())),
                    terminal_id: Some(r.terminal_id.clone()),
                    instrument_kind: Some(r.instrument_kind),
                    instrument_label: Some(r.instrument_label.clone()),
                    unit: Some(r.unit),
                    quantity: Some(r.quantity.get()),
                    bill_id: r.purpose.bill().map(|b| b.id().as_str().to_string()),
                    approved_by: r.approved_by(),
                    redemption_id: Some(r.id.clone()),
                    count: u64::from(!reversed),
                    points: match r.instrument_kind {
                        InstrumentKind::Points => r.quantity.get(),
                        _ => 0,
                    },
                    value: r.value,
                    reversed: u64::from(reversed),
                    vouchers_taken: None,
                    vouchers_value: None,
                });
            }
        }
        ReportKind::DateCustomer => {
            let groups = tx.report_by_customer(&q, fetch)?;
            if fetch.is_none() {
                summed = Some(add_up(&groups));
            }
            for g in groups {
                rows.push(ReportRow {
                    date: g.day.clone(),
                    customer_id: g.customer_id.clone(),
                    customer_name: g.customer_name.clone(),
                    ..blank(&g.sums)?
                });
            }
        }
        ReportKind::Cashier | ReportKind::Terminal | ReportKind::Instrument => {
            let groups = cube_by(tx, &q, kind)?;
            summed = Some(add_up(&groups));
            for g in groups {
                rows.push(ReportRow {
                    cashier_name: staff_name(&g.staff_id),
                    cashier_id: g.staff_id.clone(),
                    terminal_name: terminal_name(&g.terminal_id),
                    terminal_id: g.terminal_id.clone(),
                    instrument_kind: g.kind,
                    unit: g.unit,
                    quantity: g.kind.map(|_| g.sums.quantity),
                    ..blank(&g.sums)?
                });
            }
            rows.sort_by(|a, b| {
                (
                    &a.cashier_name,
                    &a.terminal_name,
                    a.instrument_kind.map(|k| k.as_str()),
                )
                    .cmp(&(
                        &b.cashier_name,
                        &b.terminal_name,
                        b.instrument_kind.map(|k| k.as_str()),
                    ))
            });
        }
        ReportKind::EndOfDay => {
            // Loyalty posted at each till each day, and vouchers taken off bills there.
            let mut days: BTreeMap<(String, String), ReportRow> = BTreeMap::new();
            let groups = cube_by(tx, &q, kind)?;
            summed = Some(add_up(&groups));
            for g in groups {
                let key = (
                    g.day.clone().unwrap_or_default(),
                    g.terminal_id.clone().unwrap_or_default(),
                );
                days.insert(
                    key,
                    ReportRow {
                        date: g.day.clone(),
                        terminal_name: terminal_name(&g.terminal_id),
                        terminal_id: g.terminal_id.clone(),
                        vouchers_taken: Some(0),
                        vouchers_value: Some(Money::zero(currency)),
                        ..blank(&g.sums)?
                    },
                );
            }
            let taken = tx.vouchers_taken(&store.id, &q.from_day, &q.to_day, q.terminal)?;
            for (day, terminal, n, minor) in taken {
                let key = (day.clone(), terminal.clone());
                let row = match days.entry(key) {
                    std::collections::btree_map::Entry::Occupied(o) => o.into_mut(),
                    std::collections::btree_map::Entry::Vacant(v) => v.insert(ReportRow {
                        date: Some(day),
                        terminal_name: terminal_name(&Some(terminal.clone())),
                        terminal_id: Some(terminal),
                        ..blank(&ReportSums::default())?
                    }),
                };
                row.vouchers_taken = Some(n);
                row.vouchers_value = Some(money(minor, currency)?);
            }
            rows = days.into_values().collect();
            rows.sort_by(|a, b| (&a.date, &a.terminal_name).cmp(&(&b.date, &b.terminal_name)));
        }
    }
    let more = max_rows.is_some_and(|n| rows.len() > n);
    if let Some(n) = max_rows {
        rows.truncate(n);
    }
    let totals = match summed {
        Some(t) => t,
        None => tx.report_totals(&q)?,
    };
    let (from_ms, to_ms) = days::bounds(policy, filter.from, filter.to);
    let v = tx.voucher_sums(&store.id, from_ms, to_ms, now_ms)?;
    let messages = tx.delivery_sums(&store.id, from_ms, to_ms)?;
    Ok(LoyaltyReport {
        report: kind,
        filter: filter.clone(),
        rows,
        more,
        count: totals.count,
        points: totals.points,
        value: money(totals.value_minor, currency)?,
        reversed: totals.reversed,
        vouchers: VoucherTotals {
            issued: v.issued,
            issued_value: money(v.issued_minor, currency)?,
            redeemed: v.redeemed,
            redeemed_value: money(v.redeemed_minor, currency)?,
            expired: v.expired,
            expired_value: money(v.expired_minor, currency)?,
        },
        messages,
    })
}

/// The breakdown `kind` asks for (by cashier, till, kind and unit, or day and till), added
/// up from the store's groups per day, till, cashier, kind and unit.
fn cube_by(tx: &mut dyn Tx, q: &ReportQuery<'_>, kind: ReportKind) -> ApiResult<Vec<ReportGroup>> {
    type Key = (
        Option<String>,
        Option<String>,
        Option<String>,
        Option<InstrumentKind>,
        Option<contract::Unit>,
    );
    let mut merged: HashMap<Key, ReportGroup> = HashMap::new();
    for g in tx.report_cube(q)? {
        let key: Key = match kind {
            ReportKind::Cashier => (None, g.staff_id, None, None, None),
            ReportKind::Terminal => (None, None, g.terminal_id, None, None),
            ReportKind::Instrument => (None, None, None, g.kind, g.unit),
            _ => (g.day, None, g.terminal_id, None, None),
        };
        let (day, staff_id, terminal_id, k, unit) = key.clone();
        merged
            .entry(key)
            .or_insert_with(|| ReportGroup {
                day,
                staff_id,
                terminal_id,
                kind: k,
                unit,
                ..ReportGroup::default()
            })
            .sums
            .add(&g.sums);
    }
    Ok(merged.into_values().collect())
}

/// The report as a CSV file: a header row of column names, then every row; money as plain
/// decimals in the store's currency, dates as store days, names (not ids), people's text inert.
pub fn csv(report: &LoyaltyReport) -> ApiResult<String> {
    let columns = report.report.columns();
    let mut sheet =
        crate::csv::Sheet::new(columns.iter().map(|c| c.title())).map_err(ApiError::internal)?;
    for row in &report.rows {
        // Names and labels are people's text: written inert (numbers and dates are ours).
        let cells = columns.iter().map(|c| crate::csv::inert(&c.text(row)));
        sheet.record(cells).map_err(ApiError::internal)?;
    }
    sheet.finish().map_err(ApiError::internal)
}

/// Loyalty owed as a CSV file: a row per kind and unit (quantities and plain amounts), then
/// the printed vouchers not yet used, then the total.
pub fn liability_csv(l: &Liability) -> ApiResult<String> {
    let mut sheet = crate::csv::Sheet::new([
        "Kind",
        "Unit",
        "Customers",
        "Outstanding",
        "Value",
        "Expiring in 30 days",
        "Value expiring in 30 days",
        "Expiring in 60 days",
        "Value expiring in 60 days",
        "Expiring in 90 days",
        "Value expiring in 90 days",
    ])
    .map_err(ApiError::internal)?;
    let m = |v: Money| v.to_decimal_string();
    for x in &l.lines {
        sheet
            .record([
                contract::reports::kind_name(x.instrument_kind).to_string(),
                x.unit.as_str().to_string(),
                x.customers.to_string(),
                x.quantity.to_string(),
                m(x.value),
                x.expiring_30.to_string(),
                m(x.expiring_30_value),
                x.expiring_60.to_string(),
                m(x.expiring_60_value),
                x.expiring_90.to_string(),
                m(x.expiring_90_value),
            ])
            .map_err(ApiError::internal)?;
    }
    let blank = || String::new();
    let tail = |label: &str, count: String, value: Money| {
        let mut r = vec![label.to_string(), blank(), blank(), count, m(value)];
        r.resize(11, blank());
        r
    };
    let vouchers = tail(
        "Printed vouchers",
        l.vouchers_outstanding.to_string(),
        l.vouchers_value,
    );
    sheet.record(vouchers).map_err(ApiError::internal)?;
    sheet
        .record(tail("Total", blank(), l.total_value))
        .map_err(ApiError::internal)?;
    sheet.finish().map_err(ApiError::internal)
}

/// Cashiers' signals as a CSV file, in the ranking's order; flags by their names.
pub fn cashiers_csv(list: &[contract::reports::CashierSignals]) -> ApiResult<String> {
    let mut sheet = crate::csv::Sheet::new([
        "Cashier",
        "Redemptions",
        "Value",
        "Overrides",
        "Wrong codes",
        "No sale",
        "Reversals",
        "After hours",
        "Shared contacts",
        "Bursts",
        "Flagged",
    ])
    .map_err(ApiError::internal)?;
    for c in list {
        let flags: Vec<&str> = c.flagged.iter().map(|s| s.label()).collect();
        sheet
            .record([
                crate::csv::inert(&c.staff_name),
                c.redemptions.to_string(),
                c.value.to_decimal_string(),
                c.overrides.to_string(),
                c.failed_codes.to_string(),
                c.no_sale.to_string(),
                c.reversals.to_string(),
                c.after_hours.to_string(),
                c.shared_contacts.to_string(),
                c.bursts.to_string(),
                flags.join("; "),
            ])
            .map_err(ApiError::internal)?;
    }
    sheet.finish().map_err(ApiError::internal)
}

/// What the merchant owes its customers now: per kind and unit, and its printed vouchers.
pub fn liability(tx: &mut dyn Tx, store: &StoreRow, now_ms: i64) -> ApiResult<Liability> {
    let currency = store.policy.currency;
    let mut total = 0u64;
    let mut lines = Vec::new();
    for l in tx.liability(&store.merchant_id, currency.code(), now_ms)? {
        total = total.saturating_add(l.value_minor);
        let [d30, d60, d90] = l.expiring;
        lines.push(LiabilityLine {
            instrument_kind: l.kind,
            unit: l.unit,
            customers: l.customers,
            quantity: l.quantity,
            value: money(l.value_minor, currency)?,
            expiring_30: d30.0,
            expiring_60: d60.0,
            expiring_90: d90.0,
            expiring_30_value: money(d30.1, currency)?,
            expiring_60_value: money(d60.1, currency)?,
            expiring_90_value: money(d90.1, currency)?,
        });
    }
    let (vouchers, vouchers_minor) = tx.vouchers_outstanding(&store.merchant_id, now_ms)?;
    total = total.saturating_add(vouchers_minor);
    Ok(Liability {
        as_of_ms: now_ms,
        lines,
        vouchers_outstanding: vouchers,
        vouchers_value: money(vouchers_minor, currency)?,
        total_value: money(total, currency)?,
    })
}

/// Each cashier's signals over store days `from` through `to` (one cashier's only with
/// `staff`): everyone who posted a redemption or typed a wrong code then, flagged by the
/// store's thresholds and ranked.
pub fn cashiers(
    tx: &mut dyn Tx,
    store: &StoreRow,
    from: StoreDate,
    to: StoreDate,
    staff: Option<&str>,
) -> ApiResult<Vec<CashierSignals>> {
    let policy = &store.policy;
    let fraud = &policy.fraud;
    let (from_day, to_day) = (from.to_string(), to.to_string());
    let (from_ms, to_ms) = days::bounds(policy, from, to);
    let mut events = tx.cashier_events(&store.id, &from_day, &to_day, staff)?;
    // By cashier, then in time order (sorted here: cheaper than the database's sorter).
    events.sort_unstable_by(|a, b| a.staff_id.cmp(&b.staff_id).then(a.at_ms.cmp(&b.at_ms)));
    let failed: HashMap<String, u64> = tx
        .failed_codes_by_staff(&store.id, from_ms, to_ms)?
        .into_iter()
        .filter(|(s, _)| staff.is_none_or(|only| only == s))
        .collect();
    // Customers sharing a contact: few, read once for the merchant; who served them, below.
    let sharing: std::collections::HashSet<String> = tx
        .customers_sharing_a_contact(&store.merchant_id)?
        .into_iter()
        .collect();
    let names = tx.names_of(&store.id)?;
    let mut by_staff: BTreeMap<&str, Vec<&CashierEvent>> = BTreeMap::new();
    for e in &events {
        by_staff.entry(e.staff_id.as_str()).or_default().push(e);
    }
    for s in failed.keys() {
        by_staff.entry(s.as_str()).or_default();
    }
    let day_count = (to.ordinal() + 1).saturating_sub(from.ordinal());
    let mut out = Vec::new();
    for (staff_id, mine) in by_staff {
        let count = |f: &dyn Fn(&CashierEvent) -> bool| mine.iter().filter(|e| f(e)).count() as u64;
        let value: u64 = mine.iter().map(|e| e.value_minor).sum();
        let times: Vec<(i64, &str)> = mine
            .iter()
            .map(|e| (e.at_ms, e.customer_id.as_str()))
            .collect();
        let mut s = CashierSignals {
            staff_id: staff_id.to_string(),
            staff_name: names
                .staff
                .get(staff_id)
                .cloned()
                .unwrap_or_else(|| staff_id.to_string()),
            redemptions: mine.len() as u64,
            value: money(value, policy.currency)?,
            overrides: count(&|e| e.approved_by == Some(ApprovedBy::Override)),
            failed_codes: failed.get(staff_id).copied().unwrap_or(0),
            no_sale: count(&|e| e.no_sale),
            reversals: count(&|e| e.reversed),
            after_hours: count(&|e| fraud.is_after_hours(days::minute_of_day(policy, e.at_ms))),
            shared_contacts: mine
                .iter()
                .filter(|e| sharing.contains(&e.customer_id))
                .map(|e| e.customer_id.as_str())
                .collect::<std::collections::HashSet<_>>()
                .len() as u64,
            bursts: bursts(&times, fraud.burst_customers, fraud.burst_minutes),
            flagged: Vec::new(),
        };
        s.flagged = fraud.crossed(&s, day_count);
        out.push(s);
    }
    CashierSignals::rank(&mut out);
    Ok(out)
}

/// How many times `customers` different customers were served within `minutes`, from
/// redemptions in time order: once a burst is counted, the next one needs as many customers
/// again, all served after it.
pub fn bursts(served: &[(i64, &str)], customers: u32, minutes: u32) -> u64 {
    let span = i64::from(minutes) * 60_000;
    let need = customers.max(1) as usize;
    let mut window: VecDeque<(i64, &str)> = VecDeque::new();
    let mut seen: HashMap<&str, u32> = HashMap::new();
    let mut found = 0;
    for &(at, customer) in served {
        while let Some(&(first, c)) = window.front() {
            if at - first < span {
                break;
            }
            window.pop_front();
            if let Some(n) = seen.get_mut(c) {
                *n -= 1;
                if *n == 0 {
                    seen.remove(c);
                }
            }
        }
        window.push_back((at, customer));
        *seen.entry(customer).or_insert(0) += 1;
        if seen.len() >= need {
            found += 1;
            window.clear();
            seen.clear();
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    const MIN: i64 = 60_000;

    #[test]
    fn a_burst_is_enough_different_customers_within_the_minutes_counted_once() {
        let at = |m: i64| m * MIN;
        // Three customers within 10 minutes: one burst; the same customer again is not new.
        let served = [(at(0), "a"), (at(1), "a"), (at(2), "b"), (at(9), "c")];
        assert_eq!(bursts(&served, 3, 10), 1);
        // Spread over more than 10 minutes: none.
        let slow = [(at(0), "a"), (at(6), "b"), (at(12), "c")];
        assert_eq!(bursts(&slow, 3, 10), 0);
        // Six customers in a row in a minute each: two bursts of three, not four overlapping.
        let six: Vec<(i64, &str)> = ["a", "b", "c", "d", "e", "f"]
            .iter()
            .enumerate()
            .map(|(i, c)| (at(i as i64), *c))
            .collect();
        assert_eq!(bursts(&six, 3, 10), 2);
        assert_eq!(bursts(&[], 3, 10), 0);
    }

    #[test]
    fn a_bad_field_of_a_report_s_query_is_named() {
        let q = |pairs: &[(&str, &str)]| -> HashMap<String, String> {
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect()
        };
        let field = |e: ApiError| e.problem.field.clone().unwrap_or_default();
        let ok = parse_query(
            &q(&[
                ("report", "cashier"),
                ("from", "2027-03-01"),
                ("to", "2027-03-02"),
                ("approved_by", "override"),
            ]),
            true,
        )
        .unwrap();
        assert_eq!(ok.0, ReportKind::Cashier);
        assert_eq!(ok.1.approved_by, Some(ApprovedBy::Override));
        for (pairs, expected) in [
            (
                vec![
                    ("report", "weekly"),
                    ("from", "2027-03-01"),
                    ("to", "2027-03-01"),
                ],
                "report",
            ),
            (
                vec![
                    ("report", "cashier"),
                    ("from", "2027-02-30"),
                    ("to", "2027-03-01"),
                ],
                "from",
            ),
            (vec![("report", "cashier"), ("from", "2027-03-01")], "to"),
            (
                vec![
                    ("report", "cashier"),
                    ("from", "2027-03-02"),
                    ("to", "2027-03-01"),
                ],
                "to",
            ),
            (
                vec![
                    ("report", "cashier"),
                    ("from", "2027-01-01"),
                    ("to", "2028-01-02"),
                ],
                "to",
            ),
            (
                vec![
                    ("report", "cashier"),
                    ("from", "2027-03-01"),
                    ("to", "2027-03-01"),
                    ("instrument", "cash"),
                ],
                "instrument",
            ),
        ] {
            let e = parse_query(&q(&pairs), true).unwrap_err();
            assert_eq!(field(e), expected, "{pairs:?}");
        }
    }
}
