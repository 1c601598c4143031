//! Numbers, money and times for people, in the store's locale (the policy's currency and
//! locale) through the browser's Intl; a plain fallback off the browser.

use contract::api::{ApprovalRequest, CustomerSummary, Receipt, Redemption};
use contract::rules::{Limit, Purpose};
use contract::InstrumentBalance;
use contract::{Money, Quantity, Unit};

#[cfg(target_arch = "wasm32")]
mod imp {
    use contract::Money;
    use js_sys::{Array, Intl, Object, Reflect};
    use std::cell::RefCell;
    use wasm_bindgen::JsValue;

    thread_local! {
        // Building an Intl.NumberFormat is costly; the locale and currency rarely change.
        static CACHE: RefCell<Option<(String, String, Intl::NumberFormat)>> = const { RefCell::new(None) };
    }

    fn options(pairs: &[(&str, &str)]) -> Object {
        let o = Object::new();
        for (k, v) in pairs {
            let _ = Reflect::set(&o, &(*k).into(), &(*v).into());
        }
        o
    }

    pub fn money(m: Money, locale: &str) -> String {
        let code = m.currency().code().to_string();
        let digits = m.currency().minor_digits();
        let value = m.minor() as f64 / 10f64.powi(digits as i32);
        CACHE.with(|c| {
            let mut c = c.borrow_mut();
            let fresh = !matches!(&*c, Some((l, cur, _)) if l == locale && *cur == code);
            if fresh {
                let opts = options(&[("style", "currency"), ("currency", &code)]);
                let digits_js = JsValue::from(digits);
                let _ = Reflect::set(&opts, &"minimumFractionDigits".into(), &digits_js);
                let _ = Reflect::set(&opts, &"maximumFractionDigits".into(), &digits_js);
                let locales = Array::of1(&locale.into());
                *c = Some((
                    locale.to_string(),
                    code.clone(),
                    Intl::NumberFormat::new(&locales, &opts),
                ));
            }
            let nf = &c.as_ref().expect("set above").2;
            nf.format()
                .call1(&JsValue::NULL, &value.into())
                .ok()
                .and_then(|s| s.as_string())
                .unwrap_or_else(|| m.to_string())
        })
    }

    pub fn number(n: u64, locale: &str) -> String {
        let nf = Intl::NumberFormat::new(&Array::of1(&locale.into()), &Object::new());
        nf.format()
            .call1(&JsValue::NULL, &(n as f64).into())
            .ok()
            .and_then(|s| s.as_string())
            .unwrap_or_else(|| n.to_string())
    }

    pub fn date_time(ms: i64, locale: &str) -> String {
        let d = js_sys::Date::new(&JsValue::from_f64(ms as f64));
        let opts = options(&[("dateStyle", "medium"), ("timeStyle", "short")]);
        String::from(d.to_locale_string(locale, &opts))
    }

    pub fn date(ms: i64, locale: &str) -> String {
        let d = js_sys::Date::new(&JsValue::from_f64(ms as f64));
        String::from(d.to_locale_date_string(locale, &options(&[("dateStyle", "medium")])))
    }

    /// The store's date at `ms` in its time zone, `YYYY-MM-DD` (Canadian English writes ISO
    /// dates); UTC if the browser does not know the zone.
    pub fn store_date(ms: i64, time_zone: &str) -> String {
        let d = js_sys::Date::new(&JsValue::from_f64(ms as f64));
        let zoned = Intl::DateTimeFormat::new(
            &Array::of1(&"en-CA".into()),
            &options(&[
                ("timeZone", time_zone),
                ("year", "numeric"),
                ("month", "2-digit"),
                ("day", "2-digit"),
            ]),
        );
        zoned
            .format()
            .call1(&JsValue::NULL, &d)
            .ok()
            .and_then(|s| s.as_string())
            .filter(|s| contract::reports::StoreDate::parse(s).is_ok())
            .unwrap_or_else(|| super::utc_date(ms))
    }

    /// The time of day at `ms` in the store's time zone, e.g. "14:05".
    pub fn store_time(ms: i64, time_zone: &str, locale: &str) -> String {
        let d = js_sys::Date::new(&JsValue::from_f64(ms as f64));
        let opts = options(&[("timeZone", time_zone), ("timeStyle", "short")]);
        String::from(d.to_locale_time_string_with_options(locale, &opts))
    }
}

#[cfg(not(target_arch = "wasm32"))]
mod imp {
    use contract::Money;

    pub fn money(m: Money, _locale: &str) -> String {
        m.to_string()
    }
    pub fn number(n: u64, _locale: &str) -> String {
        n.to_string()
    }
    pub fn date_time(ms: i64, _locale: &str) -> String {
        format!("@{ms}")
    }
    pub fn date(ms: i64, _locale: &str) -> String {
        format!("@{ms}")
    }
    pub fn store_date(ms: i64, _time_zone: &str) -> String {
        super::utc_date(ms)
    }
    pub fn store_time(ms: i64, _time_zone: &str, _locale: &str) -> String {
        format!("@{ms}")
    }
}

pub use imp::{date, date_time, money, number, store_date, store_time};

/// The UTC date at `ms`, `YYYY-MM-DD` (off the browser, and where a zone is unknown).
fn utc_date(ms: i64) -> String {
    const Y2000: i64 = 946_684_800_000;
    let days = (ms - Y2000).div_euclid(86_400_000).max(0) as u32;
    contract::reports::StoreDate::from_ordinal(days)
        .map(|d| d.to_string())
        .unwrap_or_default()
}

/// "500 points", "1 session", or for credit instruments the amount ("₹250.00").
pub fn quantity(unit: Unit, q: u64, unit_value: Money, locale: &str) -> String {
    match unit {
        Unit::Credit => Money::new(q, unit_value.currency())
            .map(|m| money(m, locale))
            .unwrap_or_else(|_| q.to_string()),
        _ => format!("{} {}", number(q, locale), unit.noun(q)),
    }
}

/// Money and quantities of one instrument as the cashier reads them, for the contract's rule
/// messages (`contract::rules::Words`).
pub struct InUnits {
    pub unit: Unit,
    pub unit_value: Money,
    pub locale: String,
}

impl contract::rules::Words for InUnits {
    fn money(&self, m: Money) -> String {
        money(m, &self.locale)
    }
    fn quantity(&self, q: u64) -> String {
        quantity(self.unit, q, self.unit_value, &self.locale)
    }
}

/// A quantity of an instrument in its own unit: "1,200 points", "₹2,500.00".
pub fn units(i: &InstrumentBalance, q: u64, locale: &str) -> String {
    quantity(i.unit, q, i.unit_value, locale)
}

/// What limits a range, for "limited by …".
pub fn limit(l: Limit) -> &'static str {
    match l {
        Limit::Balance => "the balance",
        Limit::Bill => "the bill total",
        Limit::BillCap => "the store's per-bill limit",
    }
}

/// A customer's masked contacts: "+91 ••••••3210 · •••• 2345 · a•••@example.com".
pub fn contacts(c: &CustomerSummary) -> String {
    [&c.masked_mobile, &c.masked_card, &c.masked_email]
        .into_iter()
        .flatten()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .join(" · ")
}

/// What is redeemed and its value: "500 points (₹500.00)"; for credit instruments just the
/// amount ("₹250.00").
pub fn redeemed(unit: Unit, q: Quantity, value: Money, locale: &str) -> String {
    let unit_value = Money::new(1, value.currency()).unwrap_or(value);
    let what = quantity(unit, q.get(), unit_value, locale);
    if unit == Unit::Credit {
        what
    } else {
        format!("{what} ({})", money(value, locale))
    }
}

/// Where it goes: "on bill #123", or "as a printed voucher".
pub fn on_bill(bill: Option<&str>) -> String {
    match bill {
        Some(b) => format!("on bill #{b}"),
        None => "as a printed voucher".to_string(),
    }
}

/// The bill number a purpose carries, if any.
pub fn bill_id(purpose: &Purpose) -> Option<String> {
    purpose.bill().map(|b| b.id().to_string())
}

/// "500 points (₹500.00) of Loyalty points for Asha Rao on bill #123".
pub fn redemption_line(r: &Redemption, locale: &str) -> String {
    format!(
        "{} of {} for {} {}",
        redeemed(r.unit, r.quantity, r.value, locale),
        r.instrument_label,
        r.customer_name,
        on_bill(bill_id(&r.purpose).as_deref())
    )
}

/// A request for a manager's approval: "200 points (₹200.00) of Loyalty points for Asha Rao
/// on bill #123".
pub fn approval_line(a: &ApprovalRequest, locale: &str) -> String {
    format!(
        "{} of {} for {} {}",
        redeemed(a.unit, a.quantity, a.value, locale),
        a.instrument_label,
        a.customer_name,
        on_bill(a.bill_id.as_deref())
    )
}

/// SPEC §4 step 7: "Redeem 500 points (₹500.00) on bill #123?"
pub fn confirm_question(
    unit: Unit,
    q: Quantity,
    value: Money,
    bill: Option<&str>,
    locale: &str,
) -> String {
    format!(
        "Redeem {} {}?",
        redeemed(unit, q, value, locale),
        on_bill(bill)
    )
}

/// The receipt's headline, e.g. "500 points (₹500.00)".
pub fn receipt_line(r: &Receipt, locale: &str) -> String {
    redeemed(r.unit, r.quantity, r.value, locale)
}

#[cfg(test)]
mod tests {
    use super::*;
    use contract::Currency;

    #[test]
    fn confirm_question_states_amount_value_and_bill() {
        let inr = |m| Money::new(m, Currency::INR).unwrap();
        let q = Quantity::new(500).unwrap();
        assert_eq!(
            confirm_question(Unit::Points, q, inr(50_000), Some("123"), "en-IN"),
            "Redeem 500 points (500.00 INR) on bill #123?"
        );
        let one = Quantity::new(1).unwrap();
        assert_eq!(
            confirm_question(Unit::Sessions, one, inr(150_000), None, "en-IN"),
            "Redeem 1 session (1500.00 INR) as a printed voucher?"
        );
        assert_eq!(
            confirm_question(
                Unit::Credit,
                Quantity::new(25_000).unwrap(),
                inr(25_000),
                Some("9"),
                "en-IN"
            ),
            "Redeem 250.00 INR on bill #9?"
        );
    }
}
