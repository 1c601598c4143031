//! What a manager reads about their store (issue 15): the loyalty reports of seed 000 and their
//! breakdowns, the end-of-day cash-up per till, the loyalty still owed (liability), the signals
//! that point at a cashier redeeming for themselves, and the rules both sides share: which
//! store days a report covers, when a signal crosses its threshold, and how cashiers rank.
//!
//! Reports count posted redemptions by the store day (the store's time zone) they were posted
//! on; a redemption reversed later is counted under `reversed`, not in the value redeemed.

use crate::instrument::{InstrumentKind, Unit};
use crate::money::Money;
use serde::{Deserialize, Serialize};
use std::fmt;

/// Which report. The first two are the reports seed 000 names.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum ReportKind {
    /// One row per store day and customer: "Loyalty – Date/Customer Wise Summary".
    DateCustomer,
    /// One row per redemption, by customer: "Customer Wise Detailed".
    CustomerDetail,
    /// One row per cashier who posted.
    Cashier,
    /// One row per till or kiosk.
    Terminal,
    /// One row per kind of loyalty and its unit.
    Instrument,
    /// One row per store day and till: loyalty value taken off bills, for the cash-up.
    EndOfDay,
}

impl ReportKind {
    pub const ALL: [ReportKind; 6] = [
        ReportKind::DateCustomer,
        ReportKind::CustomerDetail,
        ReportKind::Cashier,
        ReportKind::Terminal,
        ReportKind::Instrument,
        ReportKind::EndOfDay,
    ];

    pub const fn as_str(self) -> &'static str {
        match self {
            ReportKind::DateCustomer => "date_customer",
            ReportKind::CustomerDetail => "customer_detail",
            ReportKind::Cashier => "cashier",
            ReportKind::Terminal => "terminal",
            ReportKind::Instrument => "instrument",
            ReportKind::EndOfDay => "end_of_day",
        }
    }

    pub fn parse(s: &str) -> Option<ReportKind> {
        ReportKind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// The report's title, as a manager knows it (and as its CSV file is named).
    pub const fn title(self) -> &'static str {
        match self {
            ReportKind::DateCustomer => "Loyalty – Date/Customer Wise Summary",
            ReportKind::CustomerDetail => "Customer Wise Detailed",
            ReportKind::Cashier => "Loyalty by cashier",
            ReportKind::Terminal => "Loyalty by till",
            ReportKind::Instrument => "Loyalty by kind",
            ReportKind::EndOfDay => "End of day per till",
        }
    }

    /// The report's columns, screen and file alike.
    pub const fn columns(self) -> &'static [Column] {
        use Column::*;
        match self {
            ReportKind::DateCustomer => &[Date, Customer, Redemptions, Points, Value, Reversed],
            ReportKind::CustomerDetail => &[
                Customer, Date, Time, Bill, Kind, Item, Quantity, Unit, Value, ApprovedBy, Cashier,
                Till, Reversed,
            ],
            ReportKind::Cashier => &[Cashier, Redemptions, Points, Value, Reversed],
            ReportKind::Terminal => &[Till, Redemptions, Points, Value, Reversed],
            ReportKind::Instrument => &[Kind, Unit, Quantity, Redemptions, Value, Reversed],
            ReportKind::EndOfDay => &[
                Date,
                Till,
                Redemptions,
                Points,
                Value,
                VouchersTaken,
                VouchersValue,
                Reversed,
            ],
        }
    }

    /// The CSV file's name: the title and the days, nothing a file system refuses.
    pub fn file_name(self, filter: &ReportFilter) -> String {
        csv_file_name(self.title(), Some(filter.from), Some(filter.to))
    }
}

/// A CSV file's name: a title and the days it covers ("Audit log 2027-03-01 to 2027-03-31.csv").
pub fn csv_file_name(title: &str, from: Option<StoreDate>, to: Option<StoreDate>) -> String {
    let days = match (from, to) {
        (Some(f), Some(t)) if f == t => format!(" {f}"),
        (Some(f), Some(t)) => format!(" {f} to {t}"),
        (Some(f), None) => format!(" from {f}"),
        (None, Some(t)) => format!(" to {t}"),
        (None, None) => String::new(),
    };
    safe_file_name(&format!("{title}{days}.csv"))
}

/// The title of the cashiers' signals (screen and file).
pub const CASHIERS_TITLE: &str = "Cashier signals";
/// The title of the loyalty owed (screen and file).
pub const LIABILITY_TITLE: &str = "Loyalty owed";
/// The title of the audit log's export.
pub const AUDIT_TITLE: &str = "Audit log";

/// A file name in ASCII letters, digits, spaces and `-_.()` (safe in a `Content-Disposition`
/// header and on any file system): anything else becomes `-`.
pub fn safe_file_name(name: &str) -> String {
    name.chars()
        .map(|c| match c {
            c if c.is_ascii_alphanumeric() => c,
            ' ' | '-' | '_' | '.' | '(' | ')' => c,
            _ => '-',
        })
        .collect()
}

/// A column of a report, in the order the screen and the CSV file show them: one list per
/// report ([`ReportKind::columns`]) for both.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum Column {
    Date,
    Time,
    Customer,
    Cashier,
    Till,
    Kind,
    Item,
    Quantity,
    Unit,
    Bill,
    ApprovedBy,
    Redemptions,
    Points,
    Value,
    Reversed,
    VouchersTaken,
    VouchersValue,
}

impl Column {
    pub const fn title(self) -> &'static str {
        match self {
            Column::Date => "Date",
            Column::Time => "Time",
            Column::Customer => "Customer",
            Column::Cashier => "Cashier",
            Column::Till => "Till",
            Column::Kind => "Kind",
            Column::Item => "Item",
            Column::Quantity => "Quantity",
            Column::Unit => "Unit",
            Column::Bill => "Bill",
            Column::ApprovedBy => "Approved by",
            Column::Redemptions => "Redemptions",
            Column::Points => "Points",
            Column::Value => "Value",
            Column::Reversed => "Reversed",
            Column::VouchersTaken => "Vouchers taken",
            Column::VouchersValue => "Vouchers value",
        }
    }

    /// Whether the column holds a number (right-aligned on screen).
    pub const fn numeric(self) -> bool {
        matches!(
            self,
            Column::Quantity
                | Column::Redemptions
                | Column::Points
                | Column::Value
                | Column::Reversed
                | Column::VouchersTaken
                | Column::VouchersValue
        )
    }

    /// The cell as a file writes it: store days, plain decimals (no currency sign or
    /// grouping), names; empty where the row has nothing for the column.
    pub fn text(self, row: &ReportRow) -> String {
        let opt = |v: &Option<String>| v.clone().unwrap_or_default();
        match self {
            Column::Date => opt(&row.date),
            Column::Time => opt(&row.time),
            Column::Customer => opt(&row.customer_name),
            Column::Cashier => opt(&row.cashier_name),
            Column::Till => opt(&row.terminal_name),
            Column::Kind => row
                .instrument_kind
                .map(kind_name)
                .unwrap_or_default()
                .into(),
            Column::Item => opt(&row.instrument_label),
            Column::Quantity => row.quantity.map(|q| q.to_string()).unwrap_or_default(),
            Column::Unit => row.unit.map(|u| u.as_str()).unwrap_or_default().into(),
            Column::Bill => opt(&row.bill_id),
            Column::ApprovedBy => row
                .approved_by
                .map(|a| a.label())
                .unwrap_or_default()
                .into(),
            Column::Redemptions => row.count.to_string(),
            Column::Points => row.points.to_string(),
            Column::Value => row.value.to_decimal_string(),
            Column::Reversed => row.reversed.to_string(),
            Column::VouchersTaken => row.vouchers_taken.unwrap_or(0).to_string(),
            Column::VouchersValue => row
                .vouchers_value
                .map(|m| m.to_decimal_string())
                .unwrap_or_default(),
        }
    }
}

/// A kind of loyalty as a report names it.
pub const fn kind_name(k: InstrumentKind) -> &'static str {
    match k {
        InstrumentKind::Points => "Points",
        InstrumentKind::Package => "Package",
        InstrumentKind::Membership => "Membership",
        InstrumentKind::Campaign => "Campaign",
        InstrumentKind::GiftCard => "Gift card",
    }
}

/// How a posted redemption was approved.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum ApprovedBy {
    /// The customer read back the code sent to them.
    Code,
    /// A manager approved without the customer's code (S8).
    Override,
    /// Below the store's `otp_min_value`, or an instrument that needs no code.
    NoCode,
}

impl ApprovedBy {
    pub const ALL: [ApprovedBy; 3] = [ApprovedBy::Code, ApprovedBy::Override, ApprovedBy::NoCode];

    pub const fn as_str(self) -> &'static str {
        match self {
            ApprovedBy::Code => "code",
            ApprovedBy::Override => "override",
            ApprovedBy::NoCode => "no_code",
        }
    }

    pub fn parse(s: &str) -> Option<ApprovedBy> {
        ApprovedBy::ALL.into_iter().find(|k| k.as_str() == s)
    }

    pub const fn label(self) -> &'static str {
        match self {
            ApprovedBy::Code => "Customer's code",
            ApprovedBy::Override => "Manager override",
            ApprovedBy::NoCode => "No code needed",
        }
    }
}

/// A store day as `YYYY-MM-DD`: a real calendar date (no 31 April), years 2000–2999.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug)]
pub struct StoreDate {
    year: u16,
    month: u8,
    day: u8,
}

/// What is wrong with a date or a report's filter, in words a manager understands.
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum FilterError {
    NotADate,
    ToBeforeFrom,
    /// Longer than a report may cover (its most days).
    TooLong(u32),
}

impl fmt::Display for FilterError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            FilterError::NotADate => "a date like 2027-03-31",
            FilterError::ToBeforeFrom => "the last day is before the first day",
            FilterError::TooLong(max) => return write!(f, "at most {max} days at a time"),
        })
    }
}
impl std::error::Error for FilterError {}

impl StoreDate {
    pub fn new(year: u16, month: u8, day: u8) -> Result<StoreDate, FilterError> {
        let ok = (2000..=2999).contains(&year)
            && (1..=12).contains(&month)
            && day >= 1
            && day <= days_in_month(year, month);
        match ok {
            true => Ok(StoreDate { year, month, day }),
            false => Err(FilterError::NotADate),
        }
    }

    pub fn parse(text: &str) -> Result<StoreDate, FilterError> {
        let t = text.trim();
        let b = t.as_bytes();
        let digits = |r: std::ops::Range<usize>| -> Option<u16> {
            t.get(r)
                .filter(|s| s.bytes().all(|c| c.is_ascii_digit()))
                .and_then(|s| s.parse().ok())
        };
        if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
            return Err(FilterError::NotADate);
        }
        match (digits(0..4), digits(5..7), digits(8..10)) {
            (Some(y), Some(m), Some(d)) => StoreDate::new(y, m as u8, d as u8),
            _ => Err(FilterError::NotADate),
        }
    }

    pub const fn year(self) -> u16 {
        self.year
    }
    pub const fn month(self) -> u8 {
        self.month
    }
    pub const fn day(self) -> u8 {
        self.day
    }

    /// Days since 2000-01-01 (for spans).
    pub fn ordinal(self) -> u32 {
        let mut n = 0u32;
        for y in 2000..self.year {
            n += if leap(y) { 366 } else { 365 };
        }
        for m in 1..self.month {
            n += u32::from(days_in_month(self.year, m));
        }
        n + u32::from(self.day) - 1
    }

    /// The date `days` after 2000-01-01 (the inverse of [`StoreDate::ordinal`]).
    pub fn from_ordinal(mut days: u32) -> Option<StoreDate> {
        let mut year = 2000u16;
        loop {
            let len = if leap(year) { 366 } else { 365 };
            if days < len {
                break;
            }
            days -= len;
            year += 1;
            if year > 2999 {
                return None;
            }
        }
        let mut month = 1u8;
        while days >= u32::from(days_in_month(year, month)) {
            days -= u32::from(days_in_month(year, month));
            month += 1;
        }
        StoreDate::new(year, month, days as u8 + 1).ok()
    }

    /// The day after (None past 2999-12-31).
    pub fn next(self) -> Option<StoreDate> {
        StoreDate::from_ordinal(self.ordinal() + 1)
    }
}

fn leap(y: u16) -> bool {
    (y.is_multiple_of(4) && !y.is_multiple_of(100)) || y.is_multiple_of(400)
}

fn days_in_month(y: u16, m: u8) -> u8 {
    match m {
        2 if leap(y) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

impl fmt::Display for StoreDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

impl Serialize for StoreDate {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for StoreDate {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        StoreDate::parse(&s).map_err(serde::de::Error::custom)
    }
}

#[cfg(feature = "openapi")]
impl utoipa::PartialSchema for StoreDate {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .format(Some(utoipa::openapi::SchemaFormat::KnownFormat(
                utoipa::openapi::KnownFormat::Date,
            )))
            .description(Some("A store day (the store's time zone), YYYY-MM-DD"))
            .into()
    }
}
#[cfg(feature = "openapi")]
impl utoipa::ToSchema for StoreDate {}

/// What a report covers: store days `from` through `to` (both included), and optionally one
/// cashier, till, customer, kind of loyalty or way of approval. Sent as a query string.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema, utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
pub struct ReportFilter {
    /// First store day.
    pub from: StoreDate,
    /// Last store day (included).
    pub to: StoreDate,
    /// A staff member's id: only what they posted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cashier: Option<String>,
    /// A terminal's id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub terminal: Option<String>,
    /// A customer's id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customer: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub instrument: Option<InstrumentKind>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub approved_by: Option<ApprovedBy>,
}

impl ReportFilter {
    /// The longest period one report covers.
    pub const MAX_DAYS: u32 = 366;

    /// Store days `from` through `to`, nothing else filtered.
    pub fn days(from: StoreDate, to: StoreDate) -> Result<ReportFilter, FilterError> {
        let f = ReportFilter {
            from,
            to,
            cashier: None,
            terminal: None,
            customer: None,
            instrument: None,
            approved_by: None,
        };
        f.check().map(|()| f)
    }

    /// The period is at least a day and at most [`ReportFilter::MAX_DAYS`].
    pub fn check(&self) -> Result<(), FilterError> {
        if self.to < self.from {
            return Err(FilterError::ToBeforeFrom);
        }
        if self.day_count() > ReportFilter::MAX_DAYS {
            return Err(FilterError::TooLong(ReportFilter::MAX_DAYS));
        }
        Ok(())
    }

    /// Store days `from` through `to` for cashiers' signals: at most
    /// [`CashierReport::MAX_DAYS`] (thresholds are per day; a month shows a pattern, and each
    /// redemption of the period is read one by one).
    pub fn signal_days(from: StoreDate, to: StoreDate) -> Result<ReportFilter, FilterError> {
        let f = ReportFilter::days(from, to)?;
        match f.day_count() > CashierReport::MAX_DAYS {
            true => Err(FilterError::TooLong(CashierReport::MAX_DAYS)),
            false => Ok(f),
        }
    }

    /// How many store days the period covers.
    pub fn day_count(&self) -> u32 {
        (self.to.ordinal() + 1).saturating_sub(self.from.ordinal())
    }

    /// The filter as a query string (without `?`), in a fixed order, ids percent-encoded.
    pub fn query(&self) -> String {
        let mut q = format!("from={}&to={}", self.from, self.to);
        let mut add = |name: &str, value: Option<&str>| {
            if let Some(v) = value {
                q.push('&');
                q.push_str(name);
                q.push('=');
                q.push_str(&percent_encode(v));
            }
        };
        add("cashier", self.cashier.as_deref());
        add("terminal", self.terminal.as_deref());
        add("customer", self.customer.as_deref());
        add("instrument", self.instrument.map(|k| k.as_str()));
        add("approved_by", self.approved_by.map(|a| a.as_str()));
        q
    }
}

/// Percent-encodes everything but unreserved characters (RFC 3986).
pub fn percent_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// One row of a report. Which fields are present depends on the report: a date/customer row
/// has `date` and the customer; a detailed row is one redemption with every field; a cashier,
/// till or kind row names only that.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReportRow {
    /// The store day, `YYYY-MM-DD`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
    /// When it was posted (detailed rows).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at_ms: Option<i64>,
    /// The time it was posted, `HH:MM` in the store's time zone (detailed rows).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customer_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customer_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cashier_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cashier_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub terminal_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub terminal_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub instrument_kind: Option<InstrumentKind>,
    /// The instrument's name (detailed rows), e.g. "Hair spa × 6".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub instrument_label: Option<String>,
    /// The unit of `quantity` (detailed and kind rows).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<Unit>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quantity: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bill_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub approved_by: Option<ApprovedBy>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub redemption_id: Option<String>,
    /// Redemptions posted and still standing (a detailed row: 1, or 0 once reversed).
    pub count: u64,
    /// Points redeemed by them (points only; other kinds are in `value`).
    pub points: u64,
    /// Their value (a detailed row: the redemption's value, even if reversed since).
    pub value: Money,
    /// Redemptions posted in the period and reversed since.
    pub reversed: u64,
    /// End of day: printed vouchers taken off bills at this till that day, and their value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vouchers_taken: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vouchers_value: Option<Money>,
}

impl ReportRow {
    /// A row of nothing yet: no keys, no redemptions, `value` zero in its currency. Reports
    /// fill in the keys their kind groups by.
    pub fn empty(zero: Money) -> ReportRow {
        ReportRow {
            date: None,
            at_ms: None,
            time: None,
            customer_id: None,
            customer_name: None,
            cashier_id: None,
            cashier_name: None,
            terminal_id: None,
            terminal_name: None,
            instrument_kind: None,
            instrument_label: None,
            unit: None,
            quantity: None,
            bill_id: None,
            approved_by: None,
            redemption_id: None,
            count: 0,
            points: 0,
            value: zero,
            reversed: 0,
            vouchers_taken: None,
            vouchers_value: None,
        }
    }
}

/// Printed vouchers (seed 004) issued, redeemed at a till, and expired unused in the period.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct VoucherTotals {
    pub issued: u64,
    pub issued_value: Money,
    pub redeemed: u64,
    pub redeemed_value: Money,
    pub expired: u64,
    pub expired_value: Money,
}

/// Codes sent through a gateway whose provider reports deliveries (issue 16), on one channel
/// over a report's days: delivered to the phone, failed at the operator, no report yet.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DeliveryTotals {
    pub channel: crate::contact::Channel,
    pub delivered: u64,
    pub failed: u64,
    pub awaiting: u64,
    /// Codes the customer replied they did not ask for.
    pub disowned: u64,
}

/// A report: its rows and its totals over everything it matched.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LoyaltyReport {
    pub report: ReportKind,
    pub filter: ReportFilter,
    pub rows: Vec<ReportRow>,
    /// More rows matched than are listed ([`LoyaltyReport::MAX_ROWS`]); the CSV has them all.
    pub more: bool,
    /// Standing redemptions, their points and value, and those reversed.
    pub count: u64,
    pub points: u64,
    pub value: Money,
    pub reversed: u64,
    pub vouchers: VoucherTotals,
    /// Per channel whose provider reports deliveries; empty where none does.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub messages: Vec<DeliveryTotals>,
}

impl LoyaltyReport {
    /// Rows a report lists on screen; the CSV export has every row.
    pub const MAX_ROWS: usize = 500;
}

/// Loyalty still owed to customers, for one kind of loyalty and unit.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LiabilityLine {
    pub instrument_kind: InstrumentKind,
    pub unit: Unit,
    /// Customers holding some.
    pub customers: u64,
    /// Outstanding quantity (held for open redemptions included) and its value.
    pub quantity: u64,
    pub value: Money,
    /// Of it, what expires within 30, 60 and 90 days (quantities, then values).
    pub expiring_30: u64,
    pub expiring_60: u64,
    pub expiring_90: u64,
    pub expiring_30_value: Money,
    pub expiring_60_value: Money,
    pub expiring_90_value: Money,
}

/// What the merchant owes its customers in loyalty now.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Liability {
    pub as_of_ms: i64,
    pub lines: Vec<LiabilityLine>,
    /// Printed vouchers issued and not yet redeemed or expired.
    pub vouchers_outstanding: u64,
    pub vouchers_value: Money,
    /// Everything above in value.
    pub total_value: Money,
}

/// A sign that a cashier may be redeeming customers' loyalty for themselves (seed 000).
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Signal {
    /// A large share of their redemptions were approved by override, not the customer's code.
    Overrides,
    /// Many wrong codes typed at their till.
    FailedCodes,
    /// A large share of their redemptions were on bills with no sale recorded (no points
    /// earned on the bill) or on no bill at all.
    NoSale,
    /// Many of their redemptions were reversed.
    Reversals,
    /// Redemptions posted outside the store's opening hours.
    AfterHours,
    /// Customers they served share a mobile or e-mail with staff or with another customer.
    SharedContact,
    /// Many different customers served within a few minutes.
    Burst,
}

impl Signal {
    pub const ALL: [Signal; 7] = [
        Signal::Overrides,
        Signal::FailedCodes,
        Signal::NoSale,
        Signal::Reversals,
        Signal::AfterHours,
        Signal::SharedContact,
        Signal::Burst,
    ];

    pub const fn as_str(self) -> &'static str {
        match self {
            Signal::Overrides => "overrides",
            Signal::FailedCodes => "failed_codes",
            Signal::NoSale => "no_sale",
            Signal::Reversals => "reversals",
            Signal::AfterHours => "after_hours",
            Signal::SharedContact => "shared_contact",
            Signal::Burst => "burst",
        }
    }

    pub fn parse(s: &str) -> Option<Signal> {
        Signal::ALL.into_iter().find(|k| k.as_str() == s)
    }

    pub const fn label(self) -> &'static str {
        match self {
            Signal::Overrides => "Overrides",
            Signal::FailedCodes => "Wrong codes",
            Signal::NoSale => "Bills with no sale",
            Signal::Reversals => "Reversals",
            Signal::AfterHours => "After hours",
            Signal::SharedContact => "Shared contacts",
            Signal::Burst => "Many customers quickly",
        }
    }

    /// The audit log's action that shows the entries behind the signal (drill-down).
    pub const fn audit_action(self) -> &'static str {
        match self {
            Signal::Overrides => "override",
            Signal::FailedCodes => "otp_rejected",
            Signal::Reversals => "reverse",
            Signal::NoSale | Signal::AfterHours | Signal::SharedContact | Signal::Burst => "commit",
        }
    }
}

/// A time of day, `HH:MM` (00:00–23:59), in the store's time zone.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug)]
pub struct ClockTime(u16);

impl ClockTime {
    pub fn new(hour: u8, minute: u8) -> Option<ClockTime> {
        (hour < 24 && minute < 60).then(|| ClockTime(u16::from(hour) * 60 + u16::from(minute)))
    }
    pub fn parse(text: &str) -> Option<ClockTime> {
        let (h, m) = text.trim().split_once(':')?;
        if h.is_empty() || h.len() > 2 || m.len() != 2 {
            return None;
        }
        if !h.bytes().chain(m.bytes()).all(|c| c.is_ascii_digit()) {
            return None;
        }
        ClockTime::new(h.parse().ok()?, m.parse().ok()?)
    }
    /// Minutes since midnight.
    pub const fn minutes(self) -> u16 {
        self.0
    }
}

impl fmt::Display for ClockTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:02}:{:02}", self.0 / 60, self.0 % 60)
    }
}

impl Serialize for ClockTime {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for ClockTime {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        ClockTime::parse(&s).ok_or_else(|| serde::de::Error::custom("a time like 09:30"))
    }
}

#[cfg(feature = "openapi")]
impl utoipa::PartialSchema for ClockTime {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .pattern(Some("^[0-2]?[0-9]:[0-5][0-9]$"))
            .description(Some("A time of day in the store's time zone, HH:MM"))
            .into()
    }
}
#[cfg(feature = "openapi")]
impl utoipa::ToSchema for ClockTime {}

/// When a cashier's signal is worth a manager's look: part of the store's policy. Counts are
/// per store day (a week's report allows seven times as many); shares are of the cashier's
/// posted redemptions and apply once they posted at least `min_redemptions`.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FraudThresholds {
    /// Share of redemptions approved by override (percent).
    pub override_share_pct: u8,
    /// Share of redemptions on bills with no sale recorded (percent).
    pub no_sale_share_pct: u8,
    /// Shares are judged once a cashier posted at least this many redemptions.
    pub min_redemptions: u32,
    /// Wrong codes typed in one store day.
    pub failed_codes: u32,
    /// Redemptions of theirs reversed in one store day.
    pub reversals: u32,
    /// Redemptions posted outside opening hours in one store day.
    pub after_hours: u32,
    /// Customers served who share a contact with staff or another customer.
    pub shared_contacts: u32,
    /// `burst_customers` different customers within `burst_minutes` is a burst.
    pub burst_customers: u32,
    pub burst_minutes: u32,
    /// The store's opening hours (its time zone): redemptions outside are "after hours".
    /// Closing before opening means open past midnight.
    pub opens_at: ClockTime,
    pub closes_at: ClockTime,
}

impl Default for FraudThresholds {
    fn default() -> Self {
        FraudThresholds {
            override_share_pct: 20,
            no_sale_share_pct: 30,
            min_redemptions: 5,
            failed_codes: 10,
            reversals: 3,
            after_hours: 1,
            shared_contacts: 1,
            burst_customers: 6,
            burst_minutes: 10,
            opens_at: ClockTime(9 * 60),
            closes_at: ClockTime(22 * 60),
        }
    }
}

impl FraudThresholds {
    pub const PERCENT: std::ops::RangeInclusive<u8> = 1..=100;
    pub const COUNT: std::ops::RangeInclusive<u32> = 1..=10_000;
    pub const BURST_MINUTES: std::ops::RangeInclusive<u32> = 1..=240;
    pub const BURST_CUSTOMERS: std::ops::RangeInclusive<u32> = 2..=1_000;

    /// Every setting out of its bounds, as `(field, message)`, field names under `fraud.`.
    pub fn problems(&self) -> Vec<(&'static str, String)> {
        let mut out = Vec::new();
        let pct = |v: u8| FraudThresholds::PERCENT.contains(&v);
        let count = |v: u32| FraudThresholds::COUNT.contains(&v);
        let between = |a: u32, b: u32, unit: &str| format!("must be between {a} and {b}{unit}");
        let percent = between(1, 100, " %");
        let counts = between(1, 10_000, "");
        if !pct(self.override_share_pct) {
            out.push(("fraud.override_share_pct", percent.clone()));
        }
        if !pct(self.no_sale_share_pct) {
            out.push(("fraud.no_sale_share_pct", percent));
        }
        for (field, v) in [
            ("fraud.min_redemptions", self.min_redemptions),
            ("fraud.failed_codes", self.failed_codes),
            ("fraud.reversals", self.reversals),
            ("fraud.after_hours", self.after_hours),
            ("fraud.shared_contacts", self.shared_contacts),
        ] {
            if !count(v) {
                out.push((field, counts.clone()));
            }
        }
        if !FraudThresholds::BURST_CUSTOMERS.contains(&self.burst_customers) {
            out.push(("fraud.burst_customers", between(2, 1_000, " customers")));
        }
        if !FraudThresholds::BURST_MINUTES.contains(&self.burst_minutes) {
            out.push(("fraud.burst_minutes", between(1, 240, " minutes")));
        }
        if self.opens_at == self.closes_at {
            out.push((
                "fraud.closes_at",
                "must differ from the opening time".to_string(),
            ));
        }
        out
    }

    /// Whether a time of day (minutes since the store's midnight) is outside opening hours.
    pub fn is_after_hours(&self, minute_of_day: u16) -> bool {
        let (o, c) = (self.opens_at.minutes(), self.closes_at.minutes());
        let open = match o < c {
            true => minute_of_day >= o && minute_of_day < c,
            false => minute_of_day >= o || minute_of_day < c,
        };
        !open
    }

    /// The signals `s` crosses over a period of `days` store days: the one rule for the
    /// ranking screen, the report and the manager's alert.
    pub fn crossed(&self, s: &CashierSignals, days: u32) -> Vec<Signal> {
        let days = u64::from(days.max(1));
        let share_over = |part: u64, pct: u8| {
            s.redemptions >= u64::from(self.min_redemptions)
                && part * 100 >= u64::from(pct) * s.redemptions
        };
        let count_over = |n: u64, per_day: u32| n >= u64::from(per_day) * days;
        let mut out = Vec::new();
        if s.overrides > 0 && share_over(s.overrides, self.override_share_pct) {
            out.push(Signal::Overrides);
        }
        if s.failed_codes > 0 && count_over(s.failed_codes, self.failed_codes) {
            out.push(Signal::FailedCodes);
        }
        if s.no_sale > 0 && share_over(s.no_sale, self.no_sale_share_pct) {
            out.push(Signal::NoSale);
        }
        if s.reversals > 0 && count_over(s.reversals, self.reversals) {
            out.push(Signal::Reversals);
        }
        if s.after_hours > 0 && count_over(s.after_hours, self.after_hours) {
            out.push(Signal::AfterHours);
        }
        if s.shared_contacts > 0 && s.shared_contacts >= u64::from(self.shared_contacts) {
            out.push(Signal::SharedContact);
        }
        if s.bursts > 0 {
            out.push(Signal::Burst);
        }
        out
    }
}

/// One cashier's signals over a period.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CashierSignals {
    pub staff_id: String,
    pub staff_name: String,
    /// Redemptions they posted, and their value.
    pub redemptions: u64,
    pub value: Money,
    /// Of them, approved by a manager's override.
    pub overrides: u64,
    /// Wrong codes typed in their sessions.
    pub failed_codes: u64,
    /// Of them, on a bill with no sale recorded, or on no bill.
    pub no_sale: u64,
    /// Of them, reversed since.
    pub reversals: u64,
    /// Of them, posted outside opening hours.
    pub after_hours: u64,
    /// Customers they served who share a mobile or e-mail with staff or another customer.
    pub shared_contacts: u64,
    /// Times they served `burst_customers` different customers within `burst_minutes`.
    pub bursts: u64,
    /// The signals crossing the store's thresholds ([`FraudThresholds::crossed`]).
    pub flagged: Vec<Signal>,
}

impl CashierSignals {
    /// Ranking: most signals crossed first, then the highest share of overrides, then the
    /// most value redeemed; the order the screen lists cashiers in.
    pub fn rank(list: &mut [CashierSignals]) {
        list.sort_by(|a, b| {
            let share = |s: &CashierSignals| match s.redemptions {
                0 => 0,
                n => s.overrides * 10_000 / n,
            };
            b.flagged
                .len()
                .cmp(&a.flagged.len())
                .then(share(b).cmp(&share(a)))
                .then(b.value.minor().cmp(&a.value.minor()))
                .then(a.staff_name.cmp(&b.staff_name))
        });
    }
}

impl CashierReport {
    /// The most store days one ranking covers.
    pub const MAX_DAYS: u32 = 31;
}

/// Cashiers ranked by their signals over a period.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CashierReport {
    pub from: StoreDate,
    pub to: StoreDate,
    pub thresholds: FraudThresholds,
    pub cashiers: Vec<CashierSignals>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::money::Currency;

    fn d(s: &str) -> StoreDate {
        StoreDate::parse(s).unwrap()
    }

    #[test]
    fn store_dates_are_real_calendar_days() {
        assert_eq!(d("2028-02-29").to_string(), "2028-02-29");
        for bad in [
            "2027-02-29",
            "2027-04-31",
            "2027-13-01",
            "2027-1-01",
            "27-01-01",
            "2027/01/01",
            "",
            "2027-01-0x",
            "1999-12-31",
        ] {
            assert_eq!(StoreDate::parse(bad), Err(FilterError::NotADate), "{bad}");
        }
        assert_eq!(d("2000-01-01").ordinal(), 0);
        assert_eq!(d("2001-01-01").ordinal(), 366);
        for s in ["2027-03-01", "2028-12-31", "2000-02-29", "2999-12-31"] {
            assert_eq!(StoreDate::from_ordinal(d(s).ordinal()), Some(d(s)));
        }
        assert_eq!(d("2027-02-28").next(), Some(d("2027-03-01")));
        assert_eq!(d("2999-12-31").next(), None);
    }

    #[test]
    fn a_filter_covers_one_to_366_days_and_reads_as_a_query() {
        let f = ReportFilter::days(d("2027-03-01"), d("2027-03-31")).unwrap();
        assert_eq!(f.day_count(), 31);
        assert_eq!(
            ReportFilter::days(d("2027-03-02"), d("2027-03-01")),
            Err(FilterError::ToBeforeFrom)
        );
        assert_eq!(
            ReportFilter::days(d("2027-01-01"), d("2028-01-02")),
            Err(FilterError::TooLong(366))
        );
        assert_eq!(
            ReportFilter::signal_days(d("2027-03-01"), d("2027-04-01")),
            Err(FilterError::TooLong(31))
        );
        assert_eq!(
            FilterError::TooLong(31).to_string(),
            "at most 31 days at a time"
        );
        assert!(ReportFilter::signal_days(d("2027-03-01"), d("2027-03-31")).is_ok());
        let mut f = ReportFilter::days(d("2027-03-01"), d("2027-03-01")).unwrap();
        f.cashier = Some("st&aff 1".into());
        f.approved_by = Some(ApprovedBy::Override);
        f.instrument = Some(InstrumentKind::GiftCard);
        assert_eq!(
            f.query(),
            "from=2027-03-01&to=2027-03-01&cashier=st%26aff%201&instrument=gift_card&approved_by=override"
        );
    }

    #[test]
    fn columns_write_plain_cells_and_file_names_are_safe() {
        let f = ReportFilter::days(d("2027-03-01"), d("2027-03-31")).unwrap();
        assert_eq!(
            ReportKind::DateCustomer.file_name(&f),
            "Loyalty - Date-Customer Wise Summary 2027-03-01 to 2027-03-31.csv"
        );
        let row = ReportRow {
            date: Some("2027-03-02".into()),
            at_ms: None,
            time: Some("14:05".into()),
            customer_id: None,
            customer_name: Some("Asha".into()),
            cashier_id: None,
            cashier_name: None,
            terminal_id: None,
            terminal_name: None,
            instrument_kind: Some(InstrumentKind::GiftCard),
            instrument_label: None,
            unit: Some(Unit::Credit),
            quantity: Some(25_000),
            bill_id: None,
            approved_by: Some(ApprovedBy::NoCode),
            redemption_id: None,
            count: 1,
            points: 0,
            value: Money::new(25_000, Currency::INR).unwrap(),
            reversed: 0,
            vouchers_taken: None,
            vouchers_value: None,
        };
        let cells: Vec<String> = ReportKind::CustomerDetail
            .columns()
            .iter()
            .map(|c| c.text(&row))
            .collect();
        assert_eq!(
            cells,
            [
                "Asha",
                "2027-03-02",
                "14:05",
                "",
                "Gift card",
                "",
                "25000",
                "credit",
                "250.00",
                "No code needed",
                "",
                "",
                "0"
            ]
        );
        for k in ReportKind::ALL {
            assert!(k.columns().len() >= 5, "{k:?}");
        }
    }

    #[test]
    fn opening_hours_may_run_past_midnight() {
        let mut t = FraudThresholds::default();
        assert!(t.is_after_hours(8 * 60 + 59));
        assert!(!t.is_after_hours(9 * 60));
        assert!(!t.is_after_hours(21 * 60 + 59));
        assert!(t.is_after_hours(22 * 60));
        t.opens_at = ClockTime::parse("18:00").unwrap();
        t.closes_at = ClockTime::parse("02:00").unwrap();
        assert!(!t.is_after_hours(60));
        assert!(t.is_after_hours(3 * 60));
        assert!(!t.is_after_hours(23 * 60));
        assert_eq!(ClockTime::parse("7:05").unwrap().to_string(), "07:05");
        for bad in ["24:00", "12:60", "1200", "12:5", "ab:cd", ""] {
            assert_eq!(ClockTime::parse(bad), None, "{bad}");
        }
    }

    fn cashier(name: &str) -> CashierSignals {
        CashierSignals {
            staff_id: name.to_lowercase(),
            staff_name: name.into(),
            redemptions: 10,
            value: Money::new(10_000, Currency::INR).unwrap(),
            overrides: 0,
            failed_codes: 0,
            no_sale: 0,
            reversals: 0,
            after_hours: 0,
            shared_contacts: 0,
            bursts: 0,
            flagged: vec![],
        }
    }

    #[test]
    fn thresholds_decide_the_flags_counts_per_day_shares_over_enough_redemptions() {
        let t = FraudThresholds::default();
        let mut s = cashier("Ravi");
        s.overrides = 2; // 20 % of 10
        s.reversals = 3;
        s.failed_codes = 9;
        assert_eq!(t.crossed(&s, 1), vec![Signal::Overrides, Signal::Reversals]);
        // The same counts over a week are ordinary.
        assert_eq!(t.crossed(&s, 7), vec![Signal::Overrides]);
        // A share over too few redemptions says nothing.
        s.redemptions = 4;
        s.overrides = 4;
        assert_eq!(t.crossed(&s, 7), vec![]);
        let mut quiet = cashier("Meena");
        quiet.shared_contacts = 1;
        quiet.bursts = 1;
        quiet.after_hours = 1;
        assert_eq!(
            t.crossed(&quiet, 1),
            vec![Signal::AfterHours, Signal::SharedContact, Signal::Burst]
        );
    }

    #[test]
    fn cashiers_rank_by_flags_then_override_share_then_value() {
        let mut a = cashier("Asha");
        let mut b = cashier("Bala");
        let mut c = cashier("Chitra");
        b.flagged = vec![Signal::Overrides, Signal::Burst];
        c.flagged = vec![Signal::Burst];
        c.overrides = 1;
        a.flagged = vec![Signal::Reversals];
        let mut list = vec![a.clone(), b.clone(), c.clone()];
        CashierSignals::rank(&mut list);
        let names: Vec<_> = list.iter().map(|s| s.staff_name.as_str()).collect();
        assert_eq!(names, ["Bala", "Chitra", "Asha"]);
        a.flagged.clear();
        assert!(FraudThresholds::default().problems().is_empty());
    }

    #[test]
    fn out_of_bounds_thresholds_are_named_by_field() {
        let mut t = FraudThresholds::default();
        t.override_share_pct = 0;
        t.burst_minutes = 0;
        t.closes_at = t.opens_at;
        let fields: Vec<_> = t.problems().into_iter().map(|(f, _)| f).collect();
        assert_eq!(
            fields,
            [
                "fraud.override_share_pct",
                "fraud.burst_minutes",
                "fraud.closes_at"
            ]
        );
    }
}
