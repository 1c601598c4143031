//! What a manager reads of their store's audit log (issue 15): the filter of `GET /v1/audit`
//! and its CSV export (`contract::api::AuditFilter`) as a search of the log, the names of
//! the staff and terminals the entries mention, and the export's lines.

use crate::audit::Action;
use crate::days;
use crate::error::{ApiError, ApiResult};
use crate::model::{AuditSearch, StoreNames};
use contract::api::{AuditEntry, AuditFilter, NameOf};
use contract::reports::FilterError;
use contract::{ErrorCode, Policy};
use std::collections::BTreeMap;

/// The most entries one export holds.
pub const EXPORT_MAX_ROWS: u64 = 1_000_000;

/// The export's header line.
pub const CSV_HEADER: [&str; 9] = [
    "Seq",
    "When (store time)",
    "Action",
    "Staff",
    "Terminal",
    "Redemption",
    "Detail",
    "Hash",
    "Store link",
];

fn refuse(field: &str, detail: impl Into<String>) -> ApiError {
    ApiError::new(ErrorCode::InvalidRequest)
        .detail(detail.into())
        .field(field)
}

/// The filter as a search of the store's log (its days in the store's time zone); an action
/// no entry can have, or a last day before the first, is refused naming the field.
pub fn search_of(policy: &Policy, filter: &AuditFilter) -> ApiResult<AuditSearch> {
    let action = match filter.action.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(name) => Some(Action::parse(name).map(Action::as_str).ok_or_else(|| {
            let known: Vec<&str> = Action::ALL.iter().map(|a| a.as_str()).collect();
            refuse(
                "action",
                format!(
                    "no audit entry has action {name:?}: use one of {}",
                    known.join(", ")
                ),
            )
        })?),
    };
    if let (Some(from), Some(to)) = (filter.from, filter.to) {
        if to < from {
            return Err(refuse("to", FilterError::ToBeforeFrom.to_string()));
        }
    }
    Ok(AuditSearch {
        after: filter.after.unwrap_or(0),
        action,
        staff_id: filter
            .staff
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string),
        from_ms: filter.from.map(|d| days::start_of(policy, d)),
        to_ms: filter
            .to
            .map(|d| days::day_end(policy, days::start_of(policy, d))),
    })
}

/// The staff and terminal ids the entries mention (their own, and a `staff_id` or
/// `terminal_id` their detail names), with their names, by id.
pub fn names_in(all: &StoreNames, entries: &[AuditEntry]) -> Vec<NameOf> {
    let mut found = BTreeMap::new();
    for e in entries {
        let detail: serde_json::Value = serde_json::from_str(&e.detail).unwrap_or_default();
        let staff = [e.staff_id.as_deref(), detail["staff_id"].as_str()];
        let terminals = [e.terminal_id.as_deref(), detail["terminal_id"].as_str()];
        for id in staff.into_iter().flatten() {
            if let Some(name) = all.staff.get(id) {
                found.insert(id.to_string(), name.clone());
            }
        }
        for id in terminals.into_iter().flatten() {
            if let Some(name) = all.terminals.get(id) {
                found.insert(id.to_string(), name.clone());
            }
        }
    }
    found
        .into_iter()
        .map(|(id, name)| NameOf { id, name })
        .collect()
}

/// The export's header line.
pub fn csv_header() -> String {
    crate::csv::line(&CSV_HEADER.map(crate::csv::cell))
}

/// One entry as a line of the export: names, not ids (the id where no name is known), the
/// time in the store's zone, every cell formula-guarded.
pub fn csv_line(policy: &Policy, names: &StoreNames, e: &AuditEntry) -> String {
    let named = |id: Option<&String>, of: &std::collections::HashMap<String, String>| match id {
        None => String::new(),
        Some(id) => match of.get(id) {
            Some(name) => name.clone(),
            None => format!("{id} (no name on record)"),
        },
    };
    let cells = [
        e.seq.to_string(),
        days::local_time(policy, e.at_ms),
        e.action.clone(),
        named(e.staff_id.as_ref(), &names.staff),
        named(e.terminal_id.as_ref(), &names.terminals),
        e.redemption_id.clone().unwrap_or_default(),
        e.detail.clone(),
        e.hash.clone(),
        e.store_hash.clone().unwrap_or_default(),
    ];
    crate::csv::line(&cells.map(|c| crate::csv::cell(&c)))
}

/// The export's file name: "Audit log <store name> <from> to <to>.csv", made safe for a
/// header and a file system by the contract's one rule for file names.
pub fn file_name(store_name: &str, from: &str, to: &str) -> String {
    contract::reports::safe_file_name(&format!(
        "{} {store_name} {from} to {to}.csv",
        contract::reports::AUDIT_TITLE
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(detail: &str) -> AuditEntry {
        AuditEntry {
            seq: 42,
            at_ms: 1_803_839_400_000 + 3_723_000,
            action: "staff_added".into(),
            store_id: "st-1".into(),
            terminal_id: Some("term-1".into()),
            staff_id: Some("staff-gone".into()),
            redemption_id: None,
            detail: detail.into(),
            prev_hash: "p".into(),
            hash: "h".into(),
            store_hash: Some("s".into()),
        }
    }

    fn names() -> StoreNames {
        let mut n = StoreNames::default();
        n.terminals.insert("term-1".into(), "Till 1".into());
        n.staff.insert("staff-2".into(), "=Evil".into());
        n
    }

    #[test]
    fn an_export_line_names_who_in_store_time_and_keeps_formulas_inert() {
        let policy = Policy::default();
        assert_eq!(policy.time_zone, "Asia/Kolkata");
        let line = csv_line(&policy, &names(), &entry("=cmd|' /C calc'!A0"));
        assert_eq!(
            line,
            "42,2027-03-01 01:02:03,staff_added,staff-gone (no name on record),Till 1,,'=cmd|' /C calc'!A0,h,s\r\n"
        );
        let json = csv_line(&policy, &names(), &entry(r#"{"name":"a,b"}"#));
        assert!(json.contains(r#","{""name"":""a,b""}","#), "{json}");
        assert_eq!(
            csv_header(),
            "Seq,When (store time),Action,Staff,Terminal,Redemption,Detail,Hash,Store link\r\n"
        );
    }

    #[test]
    fn names_cover_the_entries_and_their_detail_only() {
        let mut e = entry(r#"{"staff_id":"staff-2"}"#);
        e.staff_id = None;
        let got = names_in(&names(), &[e]);
        assert_eq!(
            got,
            vec![
                NameOf {
                    id: "staff-2".into(),
                    name: "=Evil".into()
                },
                NameOf {
                    id: "term-1".into(),
                    name: "Till 1".into()
                }
            ]
        );
    }

    #[test]
    fn an_unknown_action_or_days_backwards_are_refused_by_field() {
        let policy = Policy::default();
        let bad = AuditFilter {
            action: Some("delete_everything".into()),
            ..AuditFilter::default()
        };
        let e = search_of(&policy, &bad).unwrap_err();
        assert_eq!(e.problem.field.as_deref(), Some("action"));
        let date = |s| Some(contract::reports::StoreDate::parse(s).unwrap());
        let backwards = AuditFilter {
            from: date("2027-03-02"),
            to: date("2027-03-01"),
            ..AuditFilter::default()
        };
        let e = search_of(&policy, &backwards).unwrap_err();
        assert_eq!(e.problem.field.as_deref(), Some("to"));
        let day = AuditFilter {
            action: Some("override".into()),
            from: date("2027-03-01"),
            to: date("2027-03-01"),
            ..AuditFilter::default()
        };
        let s = search_of(&policy, &day).unwrap();
        assert_eq!(s.action, Some(Action::Override.as_str()));
        assert_eq!(s.from_ms, Some(1_803_839_400_000));
        assert_eq!(s.to_ms, Some(1_803_839_400_000 + 86_400_000));
    }

    #[test]
    fn a_file_name_carries_no_path_or_quote() {
        assert_eq!(
            file_name("Café \"Best\"/Main", "2027-03-01", "2027-03-31"),
            "Audit log Caf- -Best--Main 2027-03-01 to 2027-03-31.csv"
        );
    }
}
