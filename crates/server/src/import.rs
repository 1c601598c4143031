//! Bringing in a customer master with opening balances (`admin import-customers`, and a
//! manager's `POST /v1/admin/customers/import`, both through [`run`]), and writing it out
//! again (`admin export-customers`), as CSV with a header row. Customers may come with their
//! customer type (`customer_type`, or `card_type`: a card type's name).
//!
//! Every row is checked first, outside any transaction: if any is wrong (or its mobile, card
//! and e-mail belong to different customers already) nothing is written and the report names
//! each bad row and column. The rows are then written in batches of [`BATCH`] customers, each
//! its own transaction, so a running server keeps serving; should the import be cut off, the
//! customers written stay, and running it again adds the rest. A customer already there (the same
//! mobile number, card number or e-mail in the merchant) is left exactly as it is, so running
//! the same file again changes nothing. No message is sent to anyone. Each opening balance is
//! written to the audit log as such (`balance_opened`, how: `import`), so every balance still
//! recomputes from the log.

use crate::audit::{self, Actor};
use crate::crypto;
use crate::csv::{as_written, inert};
use crate::days;
use crate::error::{ApiError, ApiResult};
use crate::model::{CardTypeRow, Consents, CustomerRow, InstrumentRow, StoreRow};
use crate::store::{Db, Tx};
use contract::instrument::Expiring;
use contract::{CardNumber, Email, InstrumentKind, Mobile, Money, Policy, Unit};
use std::collections::HashSet;
use std::sync::Arc;

/// The columns a file may have (header names; any order; only `name` is required): the
/// contract's, which the back office lists too.
pub const COLUMNS: [&str; 24] = contract::api::IMPORT_COLUMNS;

/// The most customers one file may bring (a larger master is imported in several files).
pub const MAX_ROWS: usize = 200_000;
/// A file is checked until this many problems are found; the report lists them.
pub const MAX_ERRORS: usize = 1_000;

/// One problem of a file: where (row 1 is the header) and what to fix.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RowError {
    pub row: usize,
    pub column: Option<String>,
    pub message: String,
}

impl std::fmt::Display for RowError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.column {
            Some(c) => write!(f, "row {}, column {c}: {}", self.row, self.message),
            None => write!(f, "row {}: {}", self.row, self.message),
        }
    }
}

/// What an import did (or, with `--dry-run`, would do).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ImportReport {
    pub rows: usize,
    pub added: usize,
    /// Already there (same mobile, card or e-mail): left as they are.
    pub unchanged: usize,
    pub balances_opened: usize,
    pub errors: Vec<RowError>,
    pub dry_run: bool,
}

impl std::fmt::Display for ImportReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if !self.errors.is_empty() {
            let rows: HashSet<usize> = self.errors.iter().map(|e| e.row).collect();
            writeln!(
                f,
                "nothing imported: {} problem(s) in {} of {} row(s); fix them and run again:",
                self.errors.len(),
                rows.len(),
                self.rows
            )?;
            for e in &self.errors {
                writeln!(f, "  {e}")?;
            }
            return Ok(());
        }
        let verb = if self.dry_run { "would add" } else { "added" };
        write!(
            f,
            "{} rows: {verb} {} customers with {} opening balances; {} already there, left unchanged; no messages sent{}",
            self.rows,
            self.added,
            self.balances_opened,
            self.unchanged,
            if self.dry_run { " (dry run: nothing written)" } else { "" }
        )
    }
}

/// A row read and checked: the customer and their opening balances.
pub struct Parsed {
    /// Its row in the file (1 is the header).
    row: usize,
    customer: CustomerRow,
    instruments: Vec<InstrumentRow>,
}

/// Reads a row's cells by column name, collecting what is wrong with it.
struct Cells<'a> {
    header: &'a [String],
    record: &'a csv::StringRecord,
    row: usize,
    errors: Vec<RowError>,
}

impl Cells<'_> {
    fn get(&self, column: &str) -> Option<&str> {
        let i = self.header.iter().position(|h| h == column)?;
        self.record.get(i).map(str::trim).filter(|v| !v.is_empty())
    }

    fn bad(&mut self, column: &str, message: impl Into<String>) {
        self.errors.push(RowError {
            row: self.row,
            column: Some(column.to_string()),
            message: message.into(),
        });
    }

    fn count(&mut self, column: &str) -> Option<u64> {
        let v = self.get(column)?.replace(',', "");
        match v.parse::<u64>() {
            Ok(n) if n <= 1_000_000_000_000 => Some(n),
            _ => {
                self.bad(column, format!("{v:?} is not a whole number"));
                None
            }
        }
    }

    fn money(&mut self, column: &str, policy: &Policy) -> Option<Money> {
        let v = self.get(column)?.to_string();
        match Money::parse(&v, policy.currency) {
            Ok(m) => Some(m),
            Err(e) => {
                self.bad(column, format!("{v:?}: {e}"));
                None
            }
        }
    }

    fn date(&mut self, column: &str, policy: &Policy) -> Option<i64> {
        let v = self.get(column)?.to_string();
        let at = days::end_of_date(policy, &v);
        if at.is_none() {
            self.bad(
                column,
                format!("{v:?} is not a date: write it as 2027-03-31"),
            );
        }
        at
    }

    /// A label (what the customer calls it), needed once its quantity is given.
    fn label(&mut self, column: &str, quantity_column: &str) -> Option<String> {
        let label = self.get(column).map(|l| as_written(l).to_string());
        if label.is_none() {
            self.bad(
                column,
                format!("name the {column} that {quantity_column} is of, e.g. \"Hair spa × 6\""),
            );
        }
        match label {
            Some(l) if l.chars().count() > 80 => {
                self.bad(column, "longer than 80 characters: shorten it");
                None
            }
            Some(l) if l.chars().any(char::is_control) => {
                self.bad(column, "has a line break or control character");
                None
            }
            l => l,
        }
    }
}

/// The row's customer type, from `customer_type` or `card_type` (a card type's name: its
/// customer type), spelt as the merchant's card type of that type spells it, if there is one.
fn customer_type_of(cells: &mut Cells<'_>, card_types: &[CardTypeRow]) -> Option<String> {
    let typed = cells
        .get("customer_type")
        .map(|v| as_written(v).to_string())
        .and_then(|v| {
            contract::cards::customer_type(&v)
                .map_err(|e| cells.bad("customer_type", format!("{v:?}: {e}")))
                .ok()
        });
    let card = match cells.get("card_type").map(|v| as_written(v).to_string()) {
        None => None,
        Some(name) => {
            let wanted = name.to_lowercase();
            let found = card_types.iter().find(|c| c.name.to_lowercase() == wanted);
            if found.is_none() {
                let names: Vec<&str> = card_types.iter().map(|c| c.name.as_str()).collect();
                cells.bad(
                    "card_type",
                    match names.is_empty() {
                        true => format!(
                            "{name:?}: there are no card types yet (add them in the back office), so leave card_type empty"
                        ),
                        false => format!(
                            "{name:?} is not a card type; the card types are {}",
                            names.join(", ")
                        ),
                    },
                );
            }
            found
        }
    };
    match (typed, card) {
        (Some(t), Some(c)) if !c.is_for(&t) => {
            cells.bad(
                "card_type",
                format!(
                    "{} is the card of customer type {}, not {t}: correct customer_type or card_type (or give only one)",
                    c.name, c.customer_type
                ),
            );
            None
        }
        (_, Some(c)) => Some(c.customer_type.clone()),
        (Some(t), None) => Some(
            card_types
                .iter()
                .find(|c| c.is_for(&t))
                .map_or(t, |c| c.customer_type.clone()),
        ),
        (None, None) => None,
    }
}

fn row_of(
    cells: &mut Cells<'_>,
    merchant_id: &str,
    policy: &Policy,
    card_types: &[CardTypeRow],
    now_ms: i64,
) -> Option<Parsed> {
    let name = cells.get("name").map(|n| as_written(n).to_string());
    if name.is_none() {
        cells.bad("name", "every customer needs a name");
    }
    let mobile = cells.get("mobile").map(str::to_string).and_then(|v| {
        Mobile::parse(&v, policy.country_calling_code)
            .map_err(|e| cells.bad("mobile", format!("{v:?}: {e}")))
            .ok()
    });
    let email = cells.get("email").map(str::to_string).and_then(|v| {
        Email::parse(&v)
            .map_err(|e| cells.bad("email", format!("{v:?}: {e}")))
            .ok()
    });
    let card = cells.get("card").map(str::to_string).and_then(|v| {
        CardNumber::parse(&v)
            .map_err(|e| cells.bad("card", format!("{v:?}: {e}")))
            .ok()
    });
    let mut yes_no = |column: &str| match cells.get(column).map(str::to_ascii_lowercase).as_deref()
    {
        None | Some("no" | "n" | "false" | "0") => false,
        Some("yes" | "y" | "true" | "1") => true,
        Some(other) => {
            let other = other.to_string();
            cells.bad(column, format!("{other:?}: write yes or no"));
            false
        }
    };
    let whatsapp = yes_no("whatsapp");
    // Their agreement to the store's messages (seed 004), each category apart.
    let consent = Consents {
        service: yes_no("consent_service"),
        promotional: yes_no("consent_promotional"),
    };
    let customer_type = customer_type_of(cells, card_types);
    // Their points are worth their card type's point value, else the store's.
    let point_value = customer_type
        .as_deref()
        .and_then(|t| card_types.iter().find(|c| c.is_for(t)))
        .map(|c| c.point_value)
        .filter(|v| v.currency() == policy.currency)
        .unwrap_or(policy.point_value);
    let errors_before = cells.errors.len();
    let reachable = cells.get("mobile").is_some()
        || cells.get("card").is_some()
        || cells.get("email").is_some();
    if !reachable {
        cells.errors.push(RowError {
            row: cells.row,
            column: None,
            message:
                "give a mobile number, a card number or an e-mail: the till finds customers by them"
                    .into(),
        });
    }
    if whatsapp && cells.get("mobile").is_none() {
        cells.bad("whatsapp", "WhatsApp needs a mobile number");
    }
    let id = crypto::new_id("cust");
    let mut instruments = Vec::new();
    let instrument = |n: usize,
                      kind: InstrumentKind,
                      label: &str,
                      unit: Unit,
                      balance: u64,
                      unit_value: Money| InstrumentRow {
        id: format!("{id}-{}-{n}", kind.as_str()),
        customer_id: id.clone(),
        kind,
        label: label.to_string(),
        unit,
        balance,
        held: 0,
        unit_value,
        earned: None,
        expiring: None,
        valid_until_ms: None,
    };
    let one = Money::new(1, policy.currency).ok()?;
    // Points.
    if let Some(points) = cells.count("points") {
        let earned = cells.count("points_earned");
        let expiring = match (
            cells.count("points_expiring"),
            cells.date("points_expire_on", policy),
        ) {
            (Some(q), Some(at)) if q <= points && at > now_ms => Some(Expiring {
                quantity: q,
                at_ms: at,
            }),
            (Some(q), Some(_)) if q > points => {
                cells.bad(
                    "points_expiring",
                    format!("{q} is more than the {points} points"),
                );
                None
            }
            (Some(_), Some(_)) => {
                cells.bad("points_expire_on", "that date has passed");
                None
            }
            (Some(_), None) => {
                // A date that was there but is not one was named already.
                if cells.get("points_expire_on").is_none() {
                    cells.bad(
                        "points_expire_on",
                        "give the date the expiring points expire on",
                    );
                }
                None
            }
            (None, Some(_)) => {
                cells.bad(
                    "points_expiring",
                    "give how many points expire on that date",
                );
                None
            }
            (None, None) => None,
        };
        instruments.push(InstrumentRow {
            earned: Some(earned.unwrap_or(points).max(points)),
            expiring,
            ..instrument(
                0,
                InstrumentKind::Points,
                "Loyalty points",
                Unit::Points,
                points,
                point_value,
            )
        });
    }
    // A package of sessions.
    if let Some(sessions) = cells.count("package_sessions") {
        let label = cells.label("package", "package_sessions");
        let value = cells.money("package_session_value", policy);
        if value.is_none() && cells.get("package_session_value").is_none() {
            cells.bad(
                "package_session_value",
                "give what one session is worth, e.g. 1500.00",
            );
        }
        if let (Some(label), Some(value)) = (label, value) {
            instruments.push(instrument(
                1,
                InstrumentKind::Package,
                &label,
                Unit::Sessions,
                sessions,
                value,
            ));
        }
    }
    // Membership credit.
    if let Some(credit) = cells.money("membership_credit", policy) {
        let label = cells.label("membership", "membership_credit");
        let until = cells.date("membership_valid_until", policy);
        if let Some(label) = label {
            instruments.push(InstrumentRow {
                valid_until_ms: until,
                ..instrument(
                    2,
                    InstrumentKind::Membership,
                    &label,
                    Unit::Credit,
                    credit.minor(),
                    one,
                )
            });
        }
    }
    // A campaign benefit.
    if let Some(uses) = cells.count("campaign_uses") {
        let label = cells.label("campaign", "campaign_uses");
        let value = cells.money("campaign_use_value", policy);
        if value.is_none() && cells.get("campaign_use_value").is_none() {
            cells.bad(
                "campaign_use_value",
                "give what one use is worth, e.g. 300.00",
            );
        }
        let until = cells.date("campaign_valid_until", policy);
        if let (Some(label), Some(value)) = (label, value) {
            instruments.push(InstrumentRow {
                valid_until_ms: until,
                ..instrument(3, InstrumentKind::Campaign, &label, Unit::Uses, uses, value)
            });
        }
    }
    // A gift card.
    if let Some(balance) = cells.money("gift_card_balance", policy) {
        instruments.push(instrument(
            4,
            InstrumentKind::GiftCard,
            "Gift card",
            Unit::Credit,
            balance.minor(),
            one,
        ));
    }
    if cells.errors.len() > errors_before || name.is_none() || !reachable {
        return None;
    }
    Some(Parsed {
        row: cells.row,
        customer: CustomerRow {
            id,
            merchant_id: merchant_id.to_string(),
            name: name?,
            mobile,
            email,
            card,
            whatsapp_opt_in: whatsapp,
            last_channel: None,
            customer_type,
            consent,
        },
        instruments,
    })
}

/// What identifies a customer in the merchant: their mobile, card, or e-mail.
fn keys(c: &CustomerRow) -> Vec<String> {
    let mut k = Vec::new();
    if let Some(m) = &c.mobile {
        k.push(format!("m:{}", m.as_str()));
    }
    if let Some(card) = &c.card {
        k.push(format!("c:{}", card.as_str()));
    }
    if let Some(e) = &c.email {
        k.push(format!("e:{}", e.as_str().to_ascii_lowercase()));
    }
    k
}

/// Reads and checks a whole file, outside any transaction (the server keeps serving): the
/// customers to add, or the report naming every bad row and column. `card_types` are the
/// merchant's (the `card_type` column names one).
pub fn parse(
    store: &StoreRow,
    card_types: &[CardTypeRow],
    csv_text: &str,
    now_ms: i64,
) -> Result<Vec<Parsed>, ImportReport> {
    let mut report = ImportReport::default();
    // A spreadsheet's "CSV UTF-8" starts with a byte-order mark.
    let csv_text = csv_text.strip_prefix('\u{feff}').unwrap_or(csv_text);
    let mut reader = csv::ReaderBuilder::new()
        .flexible(false)
        .trim(csv::Trim::All)
        .from_reader(csv_text.as_bytes());
    let header: Vec<String> = match reader.headers() {
        Ok(h) => h.iter().map(|c| c.trim().to_ascii_lowercase()).collect(),
        Err(e) => {
            report.errors.push(RowError {
                row: 1,
                column: None,
                message: format!("cannot read the header row: {e}"),
            });
            return Err(report);
        }
    };
    for h in &header {
        if !COLUMNS.contains(&h.as_str()) {
            report.errors.push(RowError {
                row: 1,
                column: Some(h.clone()),
                message: format!("unknown column; the columns are {}", COLUMNS.join(", ")),
            });
        }
    }
    if !header.iter().any(|h| h == "name") {
        report.errors.push(RowError {
            row: 1,
            column: Some("name".into()),
            message: "the header needs a name column".into(),
        });
    }
    if !report.errors.is_empty() {
        return Err(report);
    }
    let policy = &store.policy;
    let mut parsed = Vec::new();
    let mut seen: HashSet<String> = HashSet::new();
    for (i, record) in reader.records().enumerate() {
        let row = i + 2;
        if report.rows == MAX_ROWS {
            report.errors.push(RowError {
                row,
                column: None,
                message: format!(
                    "the file has more than {MAX_ROWS} customers: split it into files of at most {MAX_ROWS} rows"
                ),
            });
            break;
        }
        if report.errors.len() >= MAX_ERRORS {
            report.errors.push(RowError {
                row,
                column: None,
                message: format!(
                    "more than {MAX_ERRORS} problems: the check stopped here; fix these and check the file again"
                ),
            });
            break;
        }
        report.rows += 1;
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                report.errors.push(RowError {
                    row,
                    column: None,
                    message: format!("cannot read this row: {e}"),
                });
                continue;
            }
        };
        let mut cells = Cells {
            header: &header,
            record: &record,
            row,
            errors: Vec::new(),
        };
        let p = row_of(&mut cells, &store.merchant_id, policy, card_types, now_ms);
        report.errors.extend(cells.errors);
        if let Some(p) = p {
            let ks = keys(&p.customer);
            if let Some(dup) = ks.iter().find(|k| seen.contains(*k)) {
                let what = match &dup[..2] {
                    "m:" => "mobile",
                    "c:" => "card",
                    _ => "email",
                };
                report.errors.push(RowError {
                    row,
                    column: Some(what.into()),
                    message: format!("the same {what} as an earlier row of this file"),
                });
                continue;
            }
            seen.extend(ks);
            parsed.push(p);
        }
    }
    match report.errors.is_empty() {
        true => Ok(parsed),
        false => Err(report),
    }
}

/// Who a row is in the merchant already: nobody, one customer (all its keys agree), or a
/// conflict (its keys belong to different customers).
enum Match {
    New,
    Existing,
    Conflict(String),
}

fn match_of(tx: &mut dyn Tx, c: &CustomerRow) -> ApiResult<Match> {
    let mut found: Vec<(&str, String)> = Vec::new();
    if let Some(m) = &c.mobile {
        for x in tx.customers_by_mobile(&c.merchant_id, m.as_str())? {
            found.push(("mobile", x.id));
        }
    }
    if let Some(card) = &c.card {
        for x in tx.customers_by_card(&c.merchant_id, card.as_str())? {
            found.push(("card", x.id));
        }
    }
    if let Some(e) = &c.email {
        if let Some(x) = tx.customer_by_email(&c.merchant_id, e.as_str())? {
            found.push(("email", x.id));
        }
    }
    let Some((_, first)) = found.first() else {
        return Ok(Match::New);
    };
    match found.iter().find(|(_, id)| id != first) {
        None => Ok(Match::Existing),
        Some((what, _)) => Ok(Match::Conflict(format!(
            "its {} and {what} belong to two different customers already: correct the row",
            found[0].0
        ))),
    }
}

/// What a checked file would do now: how many rows are new and already there, and the rows
/// whose keys belong to different customers (then nothing may be written).
pub fn plan(tx: &mut dyn Tx, rows: &[Parsed]) -> ApiResult<ImportReport> {
    let mut report = ImportReport {
        rows: rows.len(),
        dry_run: true,
        ..ImportReport::default()
    };
    for p in rows {
        match match_of(tx, &p.customer)? {
            Match::New => {
                report.added += 1;
                report.balances_opened += p.instruments.len();
            }
            Match::Existing => report.unchanged += 1,
            Match::Conflict(why) => report.errors.push(RowError {
                row: p.row,
                column: None,
                message: why,
            }),
        }
    }
    Ok(report)
}

/// Writes one batch of checked rows (its own transaction, so the server's requests go in
/// between). A row already there by now (the server added them meanwhile, or a re-run) is
/// left as it is. `actor`: the operator (the admin command) or the manager (the back office).
pub fn write(
    tx: &mut dyn Tx,
    now_ms: i64,
    actor: &Actor,
    rows: &[Parsed],
) -> ApiResult<ImportReport> {
    let mut report = ImportReport::default();
    for p in rows {
        if !matches!(match_of(tx, &p.customer)?, Match::New) {
            report.unchanged += 1;
            continue;
        }
        report.added += 1;
        report.balances_opened += p.instruments.len();
        tx.insert_customer(&p.customer)?;
        for i in &p.instruments {
            tx.insert_instrument(i)?;
            audit::opened(tx, now_ms, actor, i, "import")?;
        }
    }
    Ok(report)
}

/// Customers written per transaction: small enough that the server's requests wait for a
/// batch no longer than a few tens of milliseconds.
pub const BATCH: usize = 500;

/// Rows looked up per read transaction when planning (reads are cheaper than writes).
pub const PLAN_BATCH: usize = 2_000;

/// A whole import, as the admin command and `POST /v1/admin/customers/import` run it into
/// `store`, with `actor` in the audit log: the file is checked on a blocking thread, outside
/// any transaction; what it would do is looked up in read batches of [`PLAN_BATCH`] rows;
/// then, unless `dry_run` or any row is wrong, the customers are written in batches of
/// [`BATCH`], each its own durable transaction. Between batches the server serves other
/// requests. With any `errors` in the report nothing was written.
pub async fn run(
    db: &Db,
    now_ms: i64,
    store: StoreRow,
    text: String,
    dry_run: bool,
    actor: Actor,
) -> ApiResult<ImportReport> {
    let merchant = store.merchant_id.clone();
    let store_id = store.id.clone();
    let file_sha256 = crypto::sha256_hex(text.as_bytes());
    let card_types = db.run(move |tx| tx.card_types_of(&merchant)).await?;
    let parsed = tokio::task::spawn_blocking(move || parse(&store, &card_types, &text, now_ms))
        .await
        .map_err(|e| ApiError::internal(format!("the import's check stopped: {e}")))?;
    let rows = match parsed {
        Ok(rows) => Arc::new(rows),
        Err(mut report) => {
            report.dry_run = dry_run;
            return Ok(report);
        }
    };
    let mut report = ImportReport {
        rows: rows.len(),
        dry_run,
        ..ImportReport::default()
    };
    for from in (0..rows.len()).step_by(PLAN_BATCH) {
        let all = rows.clone();
        let part = db
            .run(move |tx| plan(tx, &all[from..(from + PLAN_BATCH).min(all.len())]))
            .await?;
        report.added += part.added;
        report.unchanged += part.unchanged;
        report.balances_opened += part.balances_opened;
        report.errors.extend(part.errors);
    }
    if dry_run || !report.errors.is_empty() {
        return Ok(report);
    }
    (report.added, report.unchanged, report.balances_opened) = (0, 0, 0);
    let actor = Arc::new(actor);
    for from in (0..rows.len()).step_by(BATCH) {
        let (rows, actor) = (rows.clone(), actor.clone());
        let done = db
            .run_durable(move |tx| {
                let to = (from + BATCH).min(rows.len());
                write(tx, now_ms, &actor, &rows[from..to])
            })
            .await
            .map_err(|e| {
                let said = e.problem.message().to_string();
                e.detail(format!(
                    "{said} (customers written before this stay; run the import again to add the rest)"
                ))
            })?;
        report.added += done.added;
        report.unchanged += done.unchanged;
        report.balances_opened += done.balances_opened;
    }
    // The import as a whole, beside each opening balance's own entry.
    let detail = serde_json::json!({
        "store_id": store_id, "file_sha256": file_sha256, "rows": report.rows,
        "added": report.added, "unchanged": report.unchanged,
        "balances_opened": report.balances_opened,
    });
    db.run_durable(move |tx| {
        audit::record(
            tx,
            now_ms,
            &actor,
            audit::Action::CustomersImported,
            None,
            detail,
        )
    })
    .await?;
    Ok(report)
}

/// The merchant's customers and their balances now, as a file `import` reads back (a
/// re-import changes nothing).
pub fn export(tx: &mut dyn Tx, store: &StoreRow, now_ms: i64) -> ApiResult<String> {
    let policy = &store.policy;
    let mut w = crate::csv::Sheet::new(COLUMNS).map_err(ApiError::internal)?;
    for c in tx.customers_of(&store.merchant_id)? {
        let mut row: Vec<String> = vec![String::new(); COLUMNS.len()];
        let mut set = |col: &str, v: String| {
            if let Some(i) = COLUMNS.iter().position(|c| *c == col) {
                row[i] = v;
            }
        };
        set("name", inert(&c.name));
        set(
            "mobile",
            c.mobile
                .as_ref()
                .map(|m| m.as_str().to_string())
                .unwrap_or_default(),
        );
        set(
            "email",
            c.email
                .as_ref()
                .map(|e| e.as_str().to_string())
                .unwrap_or_default(),
        );
        set(
            "card",
            c.card
                .as_ref()
                .map(|k| k.as_str().to_string())
                .unwrap_or_default(),
        );
        set(
            "whatsapp",
            if c.whatsapp_opt_in { "yes" } else { "no" }.into(),
        );
        set(
            "customer_type",
            c.customer_type.as_deref().map(inert).unwrap_or_default(),
        );
        let yes = |b: bool| if b { "yes" } else { "no" }.to_string();
        set("consent_service", yes(c.consent.service));
        set("consent_promotional", yes(c.consent.promotional));
        let money = |m: u64| {
            Money::new(m, policy.currency)
                .map(|m| m.to_decimal_string())
                .unwrap_or_default()
        };
        for i in tx.instruments(&c.id)? {
            let date = |ms: Option<i64>| {
                ms.map(|at| days::iso_date(policy, at - 1))
                    .unwrap_or_default()
            };
            match i.kind {
                InstrumentKind::Points => {
                    set("points", i.available().to_string());
                    set(
                        "points_earned",
                        i.earned.map(|e| e.to_string()).unwrap_or_default(),
                    );
                    // Points whose date has passed are the sweeper's to expire, not to carry.
                    if let Some(x) = i.expiring.as_ref().filter(|x| x.at_ms > now_ms) {
                        set("points_expiring", x.quantity.to_string());
                        set("points_expire_on", date(Some(x.at_ms)));
                    }
                }
                InstrumentKind::Package => {
                    set("package", inert(&i.label));
                    set("package_sessions", i.available().to_string());
                    set("package_session_value", i.unit_value.to_decimal_string());
                }
                InstrumentKind::Membership => {
                    set("membership", inert(&i.label));
                    set("membership_credit", money(i.available()));
                    set("membership_valid_until", date(i.valid_until_ms));
                }
                InstrumentKind::Campaign => {
                    set("campaign", inert(&i.label));
                    set("campaign_uses", i.available().to_string());
                    set("campaign_use_value", i.unit_value.to_decimal_string());
                    set("campaign_valid_until", date(i.valid_until_ms));
                }
                InstrumentKind::GiftCard => set("gift_card_balance", money(i.available())),
            }
        }
        w.record(&row).map_err(ApiError::internal)?;
    }
    w.finish().map_err(ApiError::internal)
}
