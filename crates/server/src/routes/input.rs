//! Turning request JSON into contract types with the most specific problem for each mistake:
//! a zero, negative or fractional quantity is `invalid_quantity`, not a generic
//! `invalid_request`; a malformed code is `invalid_otp_format`; a bad policy lists every field.

use crate::error::{ApiError, ApiResult};
use contract::api::{CreateAccrual, CreateRedemption};
use contract::cards::{IssueCard, NewCardType};
use contract::lookup::{classify, Lookup, Searcher};
use contract::money::MAX_MINOR;
use contract::policy::PolicyDraft;
use contract::{
    BillError, BillId, Currency, ErrorCode, MoneyError, Policy, Problem, Quantity, QuantityError,
};
use serde::de::DeserializeOwned;
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

/// A bill `{id, total}`, with the contract's problem naming the part at fault.
fn bill(v: Option<&Value>, field: &str) -> ApiResult<()> {
    let at = |e: BillError| {
        let part = e.part();
        ApiError::from(Problem::from(e).field(format!("{field}.{part}")))
    };
    let Some(Value::Object(b)) = v else {
        return Err(ApiError::new(ErrorCode::InvalidBill)
            .detail("Give the bill number and total")
            .field(field));
    };
    match b.get("id") {
        Some(Value::String(id)) => drop(BillId::parse(id).map_err(at)?),
        _ => return Err(at(BillError::MissingId)),
    }
    money(b.get("total"), &format!("{field}.total"))?;
    if b.get("total")
        .and_then(|t| t.get("minor"))
        .and_then(Value::as_u64)
        == Some(0)
    {
        return Err(at(BillError::ZeroTotal));
    }
    Ok(())
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

/// An accrual names the customer and the bill; the points are the server's to compute
/// (S12). A request that names its own `points` is refused rather than silently recomputed,
/// so a caller that believes it chooses them learns that it does not.
pub fn create_accrual(body: Value) -> ApiResult<CreateAccrual> {
    if body.get("points").is_some() {
        return Err(invalid(
            "Points are computed from the bill total and the store's earn rate: leave out points",
        )
        .field("points"));
    }
    bill(body.get("bill"), "bill")?;
    from_value(body)
}

/// Refuses a field the shape does not have, naming it (a misspelt field would otherwise look
/// saved while nothing changed).
fn only_fields(body: &serde_json::Map<String, Value>, known: &[&str], what: &str) -> ApiResult<()> {
    match body.keys().find(|k| !known.contains(&k.as_str())) {
        Some(k) => Err(invalid(format!(
            "{what} has no field {k:?}; its fields are {}",
            known.join(", ")
        ))
        .field(k.clone())),
        None => Ok(()),
    }
}

/// Text in `field` (`optional`: it may be absent or null).
fn text_field(body: &serde_json::Map<String, Value>, field: &str, optional: bool) -> ApiResult<()> {
    match body.get(field) {
        Some(Value::String(_)) => Ok(()),
        None | Some(Value::Null) if optional => Ok(()),
        _ => Err(invalid(format!("Give {field} as text")).field(field)),
    }
}

/// A card type's settings (`POST`/`PUT …/card-types`), each field's shape checked naming it;
/// what the values may be is `NewCardType::validate`'s, for the store's currency (`admin`).
pub fn new_card_type(body: Value) -> ApiResult<NewCardType> {
    const FIELDS: [&str; 5] = [
        "name",
        "customer_type",
        "earn_points",
        "earn_per",
        "point_value",
    ];
    let Value::Object(b) = &body else {
        return Err(invalid(format!(
            "Give the card type as an object with {}",
            FIELDS.join(", ")
        )));
    };
    only_fields(b, &FIELDS, "A card type")?;
    text_field(b, "name", false)?;
    text_field(b, "customer_type", false)?;
    match b.get("earn_points") {
        Some(Value::Number(n)) if n.as_u64().is_some_and(|v| v <= u64::from(u32::MAX)) => {}
        _ => {
            return Err(
                invalid("Give earn_points as a whole number of points, e.g. 2")
                    .field("earn_points"),
            )
        }
    }
    money(b.get("earn_per"), "earn_per")?;
    money(b.get("point_value"), "point_value")?;
    from_value(body)
}

/// A card to issue (`POST …/cards`), each field's shape checked naming it.
pub fn issue_card(body: Value) -> ApiResult<IssueCard> {
    const FIELDS: [&str; 3] = ["customer", "card", "customer_type"];
    let Value::Object(b) = &body else {
        return Err(invalid(
            "Give the customer (mobile, e-mail or card number), the card and, if it changes, their customer_type",
        ));
    };
    only_fields(b, &FIELDS, "A card to issue")?;
    text_field(b, "customer", false)?;
    text_field(b, "card", false)?;
    text_field(b, "customer_type", true)?;
    from_value(body)
}

/// A message to customers (`POST …/messages` and its preview), each field's shape checked
/// naming it; the contract's rules come after.
pub fn new_message(body: Value) -> ApiResult<contract::outreach::NewMessage> {
    const FIELDS: [&str; 5] = ["category", "channel", "customers", "card_type", "text"];
    let Value::Object(b) = &body else {
        return Err(invalid(
            "Give the category, the channel, the text, and customers (a list) or a card_type",
        ));
    };
    only_fields(b, &FIELDS, "A message to customers")?;
    text_field(b, "text", false)?;
    text_field(b, "card_type", true)?;
    match b.get("customers") {
        None | Some(Value::Null) => {}
        Some(Value::Array(items)) if items.iter().all(Value::is_string) => {}
        Some(_) => {
            return Err(
                invalid("customers: a list of texts (mobile, e-mail or card)").field("customers"),
            )
        }
    }
    for (field, known) in [
        ("category", &["service", "promotional"][..]),
        ("channel", &["sms", "whatsapp", "email"][..]),
    ] {
        match b.get(field) {
            Some(Value::String(s)) if known.contains(&s.as_str()) => {}
            _ => return Err(invalid(format!("{field}: one of {}", known.join(", "))).field(field)),
        }
    }
    from_value(body)
}

/// A customer's consent (`PUT …/customers/consent`).
pub fn set_consent(body: Value) -> ApiResult<contract::outreach::SetConsent> {
    const FIELDS: [&str; 3] = ["customer", "service", "promotional"];
    let Value::Object(b) = &body else {
        return Err(invalid(
            "Give the customer (mobile, e-mail or card number), service and promotional",
        ));
    };
    only_fields(b, &FIELDS, "A customer's consent")?;
    text_field(b, "customer", false)?;
    for field in ["service", "promotional"] {
        if !matches!(b.get(field), Some(Value::Bool(_))) {
            return Err(invalid(format!("{field}: true or false")).field(field));
        }
    }
    from_value(body)
}

/// Reads a customer query (in request field `field`) with the contract's classifier, the
/// same one the till and the kiosk use.
pub fn lookup(q: &str, policy: &Policy, who: Searcher, field: &str) -> ApiResult<Lookup> {
    // A NUL or other control character is no part of a number, card or name (and `%00%00`
    // must not match every name).
    if q.chars().any(char::is_control) {
        return Err(invalid("A search cannot contain control characters").field(field));
    }
    classify(q, policy.country_calling_code, who)
        .map_err(|e| ApiError::from(Problem::from(e).field(field)))
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

/// A manager's policy: shape errors are `invalid_request`; every bound or rule broken is
/// listed in one `policy_invalid` problem (the contract collects them all).
pub fn policy(body: Value) -> ApiResult<Policy> {
    unknown_policy_fields(&body)?;
    let draft: PolicyDraft = from_value(body)?;
    let policy = Policy::try_from(draft).map_err(|e| ApiError::from(Problem::from(e)))?;
    // The contract checks a zone name's shape; whether the zone exists is the server's to say.
    if crate::days::zone(&policy.time_zone).is_none() {
        return Err(Problem::from(contract::policy::PolicyErrors(vec![
            contract::policy::PolicyError {
                field: "time_zone".into(),
                message: format!(
                    "\"{}\" is not a known time zone: use a name such as Asia/Kolkata",
                    policy.time_zone
                ),
            },
        ]))
        .into());
    }
    Ok(policy)
}

/// A setting the policy does not have is refused, not ignored: a misspelt field would
/// otherwise look saved while nothing changed. Every one is listed (`policy_invalid`).
fn unknown_policy_fields(body: &Value) -> ApiResult<()> {
    let Value::Object(given) = body else {
        return Ok(()); // the typed parse says what is wrong
    };
    let known = serde_json::to_value(Policy::default())?;
    let mut unknown = Vec::new();
    for (key, value) in given {
        match known.get(key) {
            None => unknown.push(key.clone()),
            Some(Value::Object(inner)) if key == "templates" => {
                if let Value::Object(v) = value {
                    unknown.extend(
                        v.keys()
                            .filter(|k| !inner.contains_key(*k))
                            .map(|k| format!("templates.{k}")),
                    );
                }
            }
            Some(_) => {}
        }
    }
    if unknown.is_empty() {
        return Ok(());
    }
    Err(Problem::from(contract::policy::PolicyErrors(
        unknown
            .into_iter()
            .map(|field| contract::policy::PolicyError {
                message: format!("The policy has no setting called {field}"),
                field,
            })
            .collect(),
    ))
    .into())
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
