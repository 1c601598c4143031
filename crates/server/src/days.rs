//! The store's day (SPEC §3 time zone): daily caps and the customer's no-code total per day
//! count from midnight in the store's IANA time zone (policy `time_zone`), not from UTC
//! midnight. The contract checks a zone name's shape only (it carries no time zone database:
//! it is in the browser bundle); the server knows which zones exist.

use chrono::{DateTime, NaiveTime, TimeZone, Timelike, Utc};
use chrono_tz::Tz;
use contract::reports::StoreDate;
use contract::Policy;

const DAY_MS: i64 = 86_400_000;

/// The zone of a name, if it exists.
pub fn zone(name: &str) -> Option<Tz> {
    name.parse::<Tz>().ok()
}

/// The store's zone. A stored policy's zone was checked when it was saved; should it ever be
/// unknown (a zone withdrawn from a newer database), the SPEC default is used.
fn store_zone(policy: &Policy) -> Tz {
    zone(&policy.time_zone).unwrap_or(chrono_tz::Asia::Kolkata)
}

/// A date as a customer's message writes it, in the store's time zone: "29 Feb 2027".
pub fn date(policy: &Policy, at_ms: i64) -> String {
    match DateTime::<Utc>::from_timestamp_millis(at_ms) {
        Some(t) => t
            .with_timezone(&store_zone(policy))
            .format("%-d %b %Y")
            .to_string(),
        None => String::new(),
    }
}

/// A date as a file writes it (ISO 8601, the store's time zone): "2027-02-28".
pub fn iso_date(policy: &Policy, at_ms: i64) -> String {
    match DateTime::<Utc>::from_timestamp_millis(at_ms) {
        Some(t) => t
            .with_timezone(&store_zone(policy))
            .format("%Y-%m-%d")
            .to_string(),
        None => String::new(),
    }
}

/// A time of day as a report writes it (the store's time zone): "18:05".
pub fn clock_time(policy: &Policy, at_ms: i64) -> String {
    match DateTime::<Utc>::from_timestamp_millis(at_ms) {
        Some(t) => t
            .with_timezone(&store_zone(policy))
            .format("%H:%M")
            .to_string(),
        None => String::new(),
    }
}

/// Minutes since midnight in the store's time zone (opening hours are in them).
pub fn minute_of_day(policy: &Policy, at_ms: i64) -> u16 {
    match DateTime::<Utc>::from_timestamp_millis(at_ms) {
        Some(t) => {
            let local = t.with_timezone(&store_zone(policy));
            (local.hour() * 60 + local.minute()) as u16
        }
        None => 0,
    }
}

/// The store day an instant falls on.
pub fn store_date(policy: &Policy, at_ms: i64) -> Option<StoreDate> {
    StoreDate::parse(&iso_date(policy, at_ms)).ok()
}

/// Store days `from` through `to` as instants: [their first midnight, the midnight after
/// the last), in the store's time zone.
pub fn bounds(policy: &Policy, from: StoreDate, to: StoreDate) -> (i64, i64) {
    let end = end_of_date(policy, &to.to_string()).unwrap_or(i64::MAX);
    let start = StoreDate::from_ordinal(from.ordinal().saturating_sub(1))
        .filter(|_| from.ordinal() > 0)
        .and_then(|before| end_of_date(policy, &before.to_string()))
        .unwrap_or(i64::MIN);
    (start, end)
}

/// The end of a date typed as `YYYY-MM-DD` (the next midnight in the store's zone): what is
/// "valid until" or "expires on" that date is usable through it. `None` if not such a date.
pub fn end_of_date(policy: &Policy, text: &str) -> Option<i64> {
    let date = chrono::NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d").ok()?;
    let next = date.succ_opt()?.and_time(NaiveTime::MIN);
    let tz = store_zone(policy);
    let at = tz.from_local_datetime(&next).earliest().or_else(|| {
        tz.from_local_datetime(&(next + chrono::Duration::hours(1)))
            .earliest()
    })?;
    Some(at.timestamp_millis())
}

/// When the store day that contains `now_ms` began (Unix ms): midnight in the store's zone.
/// Where a zone skips midnight (a daylight-saving change at 00:00), the day begins at the
/// first instant after the gap.
pub fn day_start(policy: &Policy, now_ms: i64) -> i64 {
    let tz = store_zone(policy);
    let Some(utc) = DateTime::<Utc>::from_timestamp_millis(now_ms) else {
        return now_ms - now_ms.rem_euclid(DAY_MS);
    };
    let local = utc.with_timezone(&tz);
    let midnight = local.date_naive().and_time(NaiveTime::MIN);
    match tz.from_local_datetime(&midnight).earliest() {
        Some(start) => start.timestamp_millis(),
        // In a gap: count back the local time of day as it reads now.
        None => {
            let since = i64::from(local.num_seconds_from_midnight()) * 1000
                + i64::from(local.timestamp_subsec_millis());
            now_ms - since
        }
    }
}

/// When a store day begins (Unix ms): midnight of `date` in the store's zone, by the rule of
/// [`day_start`] (where the zone skips midnight, the first instant after the gap).
pub fn start_of(policy: &Policy, date: contract::reports::StoreDate) -> i64 {
    let noon = chrono::NaiveDate::from_ymd_opt(
        i32::from(date.year()),
        u32::from(date.month()),
        u32::from(date.day()),
    )
    .and_then(|d| d.and_hms_opt(12, 0, 0));
    let tz = store_zone(policy);
    match noon.and_then(|n| tz.from_local_datetime(&n).earliest()) {
        Some(t) => day_start(policy, t.timestamp_millis()),
        // A StoreDate is always a real date, and no zone skips noon.
        None => 0,
    }
}

/// A moment as a file writes it, in the store's time zone: "2027-02-28 18:05:09".
pub fn local_time(policy: &Policy, at_ms: i64) -> String {
    match DateTime::<Utc>::from_timestamp_millis(at_ms) {
        Some(t) => t
            .with_timezone(&store_zone(policy))
            .format("%Y-%m-%d %H:%M:%S")
            .to_string(),
        None => String::new(),
    }
}

/// When the store day that contains `now_ms` ends (the next day's start).
pub fn day_end(policy: &Policy, now_ms: i64) -> i64 {
    let start = day_start(policy, now_ms);
    // A store day lasts 23 to 25 hours; 26 h after its start is always in the next one.
    day_start(policy, start + 26 * 3_600_000)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(policy_zone: &str) -> Policy {
        Policy {
            time_zone: policy_zone.into(),
            ..Policy::default()
        }
    }

    /// 2024-03-10 18:00:00 UTC = 23:30 IST on the 10th.
    const EVENING_UTC_MS: i64 = 1_710_093_600_000;

    #[test]
    fn a_typed_date_lasts_to_its_end_in_the_store_zone() {
        let india = at("Asia/Kolkata");
        // 2027-03-01 ends at 2027-03-02 00:00 IST = 2027-03-01 18:30 UTC.
        let end = end_of_date(&india, "2027-03-01").unwrap();
        assert_eq!(end, 1_803_925_800_000);
        assert_eq!(iso_date(&india, end - 1), "2027-03-01");
        assert_eq!(end_of_date(&india, "2027-02-30"), None);
        assert_eq!(end_of_date(&india, "1 March"), None);
    }

    #[test]
    fn a_store_date_starts_at_midnight_in_the_store_zone_and_reads_back_in_local_time() {
        let d = contract::reports::StoreDate::parse("2027-03-01").unwrap();
        // 2027-03-01 00:00 IST = 2027-02-28 18:30 UTC; 00:00 EST = 05:00 UTC.
        let india = start_of(&at("Asia/Kolkata"), d);
        assert_eq!(india, 1_803_839_400_000);
        assert_eq!(
            local_time(&at("Asia/Kolkata"), india),
            "2027-03-01 00:00:00"
        );
        assert_eq!(
            local_time(&at("Asia/Kolkata"), india - 1),
            "2027-02-28 23:59:59"
        );
        let ny = start_of(&at("America/New_York"), d);
        assert_eq!(ny - india, 10 * 3_600_000 + 30 * 60_000);
        assert_eq!(day_end(&at("Asia/Kolkata"), india) - india, 86_400_000);
    }

    #[test]
    fn dates_in_messages_are_the_store_s_dates() {
        // 2027-03-01 20:00 UTC is already 2 March in India, still 1 March in New York.
        let t = 1_803_931_200_000;
        assert_eq!(date(&at("Asia/Kolkata"), t), "2 Mar 2027");
        assert_eq!(date(&at("America/New_York"), t), "1 Mar 2027");
    }

    #[test]
    fn a_report_s_days_are_the_store_s_days() {
        let ist = at("Asia/Kolkata");
        let d = |s: &str| StoreDate::parse(s).unwrap();
        let (start, end) = bounds(&ist, d("2027-03-01"), d("2027-03-02"));
        // 2027-03-01 00:00 IST = 2027-02-28 18:30 UTC; two days later.
        assert_eq!(start, 1_803_925_800_000 - 86_400_000);
        assert_eq!(end, 1_803_925_800_000 + 86_400_000);
        assert_eq!(store_date(&ist, start), Some(d("2027-03-01")));
        assert_eq!(store_date(&ist, start - 1), Some(d("2027-02-28")));
        assert_eq!(minute_of_day(&ist, start + 61 * 60_000), 61);
        assert_eq!(clock_time(&ist, start + 61 * 60_000), "01:01");
    }

    #[test]
    fn store_days_begin_at_midnight_in_the_store_zone() {
        let ist = at("Asia/Kolkata");
        // 23:30 IST and 00:30 IST the next day are one UTC day but two store days.
        let late = EVENING_UTC_MS;
        let after_midnight = late + 3_600_000;
        assert_eq!(late.div_euclid(DAY_MS), after_midnight.div_euclid(DAY_MS));
        assert_ne!(day_start(&ist, late), day_start(&ist, after_midnight));
        // Midnight IST is 18:30 UTC the day before.
        assert_eq!(day_start(&ist, after_midnight), late + 1_800_000);
        assert_eq!(day_end(&ist, late), late + 1_800_000);
        let utc = at("UTC");
        assert_eq!(day_start(&utc, late), late - 18 * 3_600_000);
    }

    #[test]
    fn a_day_with_a_daylight_saving_change_still_begins_at_midnight() {
        // 2024-03-10 in New York: 02:00 → 03:00; the day starts at 05:00 UTC, ends 04:00 UTC.
        let ny = at("America/New_York");
        let noon = 1_710_086_400_000; // 2024-03-10 16:00 UTC = 12:00 EDT
        assert_eq!(day_start(&ny, noon), 1_710_046_800_000);
        assert_eq!(day_end(&ny, noon) - day_start(&ny, noon), 23 * 3_600_000);
        assert!(zone("Asia/Kolkata").is_some() && zone("Mars/Olympus_Mons").is_none());
    }
}
