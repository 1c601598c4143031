//! Turning request JSON into contract types with the most specific problem for each mistake:
//! a zero, negative or fractional quantity is `invalid_quantity`, not a generic
//! `invalid_request`; a malformed code is `invalid_otp_format`; a bad policy lists every field.

use crate::error::{ApiError, ApiResult};
use contract::api::{CreateAccrual, CreateRedemption};
use contract::money::MAX_MINOR;
use contract::policy::{PolicyError, PolicyErrors};
use contract::{
    BillCap, CallingCode, Channel, Currency, ErrorCode, InstrumentKind, MessageTemplate, Money,
    MoneyError, OtpLength, Policy, Problem, Quantity, QuantityError, Templates,
};
use serde::de::DeserializeOwned;
use serde::Deserialize;
use serde_json::Value;

fn invalid(detail: impl Into<String>) -> ApiError {
    ApiError::new(ErrorCode::InvalidRequest).detail(detail)
}

fn from_value<T: DeserializeOwned>(v: Value) -> ApiResult<T> {
    serde_json::from_value(v).map_err(|e| invalid(format!("The body is not valid: {e}")))
}

/// A quantity as JSON: a whole number from 1 to 10^12.
pub fn quantity(v: Option<&Value>, field: &str) -> ApiResult<Quantity> {
    let err = |e: QuantityError| ApiError::from(Problem::from(e).field(field));
    match v {
        None | Some(Value::Null) => Err(err(QuantityError::Empty)),
        Some(Value::Number(n)) => {
            if let Some(u) = n.as_u64() {
                Quantity::new(u).map_err(err)
            } else if n.as_i64().is_some() {
                Err(err(QuantityError::Negative))
            } else {
                let f = n.as_f64().unwrap_or(f64::NAN);
                Err(err(if f < 0.0 {
                    QuantityError::Negative
                } else if f.fract() != 0.0 {
                    QuantityError::Fractional
                } else {
                    QuantityError::TooLarge
                }))
            }
        }
        Some(_) => Err(err(QuantityError::NotANumber)),
    }
}

/// A money object `{minor, currency}` with the problem naming the field.
fn money(v: Option<&Value>, field: &str) -> ApiResult<()> {
    let bad = |e: MoneyError| ApiError::from(Problem::from(e).field(field));
    let Some(Value::Object(m)) = v else {
        return Err(ApiError::new(ErrorCode::InvalidAmount)
            .detail("Give the amount as {minor, currency}")
            .field(field));
    };
    match m.get("minor") {
        Some(Value::Number(n)) if n.as_u64().is_some_and(|u| u <= MAX_MINOR) => {}
        Some(Value::Number(n)) if n.as_u64().is_some() => return Err(bad(MoneyError::TooLarge)),
        Some(Value::Number(n))
            if n.as_i64().is_some_and(|i| i < 0) || n.as_f64().is_some_and(|f| f < 0.0) =>
        {
            return Err(bad(MoneyError::Negative))
        }
        Some(Value::Number(_)) => {
            return Err(ApiError::new(ErrorCode::InvalidAmount)
                .detail("Give the amount in whole minor units")
                .field(field))
        }
        _ => return Err(bad(MoneyError::NotANumber)),
    }
    match m.get("currency") {
        Some(Value::String(c)) => Currency::parse(c).map(|_| ()).map_err(bad),
        _ => Err(bad(MoneyError::BadCurrency(String::new()))),
    }
}

fn bill(v: Option<&Value>, field: &str) -> ApiResult<()> {
    let Some(Value::Object(b)) = v else {
        return Err(ApiError::new(ErrorCode::InvalidBill)
            .detail("Give the bill number and total")
            .field(field));
    };
    if !matches!(b.get("id"), Some(Value::String(_))) {
        return Err(ApiError::new(ErrorCode::InvalidBill)
            .detail("Give the bill number")
            .field(format!("{field}.id")));
    }
    money(b.get("total"), &format!("{field}.total"))
}

pub fn create_redemption(body: Value) -> ApiResult<CreateRedemption> {
    quantity(body.get("quantity"), "quantity")?;
    if let Some(purpose) = body.get("purpose") {
        if purpose.get("kind") == Some(&Value::String("bill".into())) {
            bill(purpose.get("bill"), "purpose.bill")?;
        }
    }
    from_value(body)
}

pub fn create_accrual(body: Value) -> ApiResult<CreateAccrual> {
    quantity(body.get("points"), "points")?;
    bill(body.get("bill"), "bill")?;
    from_value(body)
}

/// The typed code as a string; its format is checked against the intent's code length later,
/// still before anything changes.
pub fn typed_code(body: &Value) -> ApiResult<String> {
    match body.get("code") {
        Some(Value::String(s)) => Ok(s.clone()),
        Some(Value::Number(n)) => Ok(n.to_string()),
        _ => Err(ApiError::from(Problem::from(contract::OtpError::Empty))),
    }
}

#[derive(Deserialize)]
struct TemplatesDraft {
    sms: String,
    whatsapp: String,
    email: String,
}

/// Mirrors the policy's fields with the checked ones loosened, so every mistake can be
/// reported at once instead of the first one serde meets.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PolicyDraft {
    otp_required: bool,
    otp_min_value: Money,
    point_value: Money,
    min_redeem_points: u64,
    max_redeem_per_bill: Option<BillCap>,
    otp_length: u8,
    otp_ttl_secs: u32,
    max_verify_attempts: u8,
    resend_cooldown_secs: u32,
    max_sends_per_customer: u32,
    max_sends_per_terminal: u32,
    max_sends_per_cashier: u32,
    send_window_secs: u32,
    daily_message_budget: u32,
    channels: Vec<Channel>,
    otp_instruments: Vec<InstrumentKind>,
    override_enabled: bool,
    override_daily_cap: u32,
    templates: TemplatesDraft,
    currency: Currency,
    locale: String,
    country_calling_code: CallingCode,
    kiosk_idle_secs: u32,
}

/// A manager's policy: shape errors are `invalid_request`; every bound or rule broken is
/// listed in one `policy_invalid` problem.
pub fn policy(body: Value) -> ApiResult<Policy> {
    let d: PolicyDraft = from_value(body)?;
    let mut errors = Vec::new();
    let otp_length = OtpLength::new(d.otp_length).unwrap_or_else(|e| {
        errors.push(PolicyError {
            field: "otp_length".into(),
            message: e.to_string(),
        });
        OtpLength::DEFAULT
    });
    let defaults = Templates::default();
    let mut template = |field: &str, text: &str, fallback: &MessageTemplate| {
        MessageTemplate::parse(text).unwrap_or_else(|e| {
            errors.push(PolicyError {
                field: format!("templates.{field}"),
                message: e.to_string(),
            });
            fallback.clone()
        })
    };
    let templates = Templates {
        sms: template("sms", &d.templates.sms, &defaults.sms),
        whatsapp: template("whatsapp", &d.templates.whatsapp, &defaults.whatsapp),
        email: template("email", &d.templates.email, &defaults.email),
    };
    let p = Policy {
        otp_required: d.otp_required,
        otp_min_value: d.otp_min_value,
        point_value: d.point_value,
        min_redeem_points: d.min_redeem_points,
        max_redeem_per_bill: d.max_redeem_per_bill,
        otp_length,
        otp_ttl_secs: d.otp_ttl_secs,
        max_verify_attempts: d.max_verify_attempts,
        resend_cooldown_secs: d.resend_cooldown_secs,
        max_sends_per_customer: d.max_sends_per_customer,
        max_sends_per_terminal: d.max_sends_per_terminal,
        max_sends_per_cashier: d.max_sends_per_cashier,
        send_window_secs: d.send_window_secs,
        daily_message_budget: d.daily_message_budget,
        channels: d.channels,
        otp_instruments: d.otp_instruments,
        override_enabled: d.override_enabled,
        override_daily_cap: d.override_daily_cap,
        templates,
        currency: d.currency,
        locale: d.locale,
        country_calling_code: d.country_calling_code,
        kiosk_idle_secs: d.kiosk_idle_secs,
    };
    if let Err(PolicyErrors(more)) = p.validate() {
        errors.extend(more);
    }
    if errors.is_empty() {
        Ok(p)
    } else {
        Err(PolicyErrors(errors).into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn quantities_get_specific_problems() {
        let code = |v: Value| quantity(Some(&v), "quantity").unwrap_err().problem.detail;
        assert_eq!(code(json!(0)).as_deref(), Some("Redeem at least 1"));
        assert_eq!(
            code(json!(-5)).as_deref(),
            Some("The quantity cannot be negative")
        );
        assert_eq!(code(json!(2.5)).as_deref(), Some("Use whole numbers only"));
        assert_eq!(
            code(json!("12")).as_deref(),
            Some("Use digits only, e.g. 500")
        );
        assert_eq!(
            code(json!(1e30)).as_deref(),
            Some("That number is far too large")
        );
        assert_eq!(quantity(Some(&json!(500)), "q").unwrap().get(), 500);
    }

    #[test]
    fn a_policy_lists_every_error() {
        let mut v = serde_json::to_value(Policy::default()).unwrap();
        v["otp_length"] = json!(4);
        v["otp_ttl_secs"] = json!(5000);
        v["templates"]["sms"] = json!("no code here {store} {value}");
        let err = policy(v).unwrap_err().problem;
        assert_eq!(err.code, ErrorCode::PolicyInvalid);
        let fields: Vec<&str> = err.errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, vec!["otp_length", "templates.sms", "otp_ttl_secs"]);
        assert_eq!(
            policy(serde_json::to_value(Policy::default()).unwrap()).unwrap(),
            Policy::default()
        );
    }
}
