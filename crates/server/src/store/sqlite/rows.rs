//! Mapping between rows and the model: the columns each query selects and how a row becomes
//! a model type (enums and JSON columns as text, counts as integers).

use crate::model::*;
use contract::api::{AuditEntry, Role, TerminalMode};
use contract::instrument::Expiring;
use contract::{CardNumber, Channel, Currency, Email, InstrumentKind, Mobile, Money, Policy, Unit};
use rusqlite::Row;
use serde::de::DeserializeOwned;
use serde::Serialize;

pub(crate) fn text<T: Serialize>(v: &T) -> String {
    match serde_json::to_value(v) {
        Ok(serde_json::Value::String(s)) => s,
        Ok(other) => other.to_string(),
        Err(_) => String::new(),
    }
}

pub(crate) fn parse_text<T: DeserializeOwned>(s: &str) -> rusqlite::Result<T> {
    serde_json::from_value(serde_json::Value::String(s.to_string())).map_err(|e| {
        rusqlite::Error::FromSqlConversionFailure(0, rusqlite::types::Type::Text, Box::new(e))
    })
}

pub(crate) fn conv<T, E: std::error::Error + Send + Sync + 'static>(
    r: Result<T, E>,
) -> rusqlite::Result<T> {
    r.map_err(|e| {
        rusqlite::Error::FromSqlConversionFailure(0, rusqlite::types::Type::Text, Box::new(e))
    })
}

pub(crate) fn u(v: i64) -> u64 {
    v.max(0) as u64
}

pub(crate) const STORE_COLS: &str =
    "s.id, s.merchant_id, m.name, s.name, s.policy, s.override_hash FROM stores s JOIN merchants m ON m.id = s.merchant_id";

pub(crate) fn store_row(r: &Row) -> rusqlite::Result<StoreRow> {
    let policy: String = r.get(4)?;
    Ok(StoreRow {
        id: r.get(0)?,
        merchant_id: r.get(1)?,
        merchant_name: r.get(2)?,
        name: r.get(3)?,
        policy: conv(serde_json::from_str::<Policy>(&policy))?,
        override_hash: r.get(5)?,
    })
}

/// The columns `terminal_row` reads, with their table.
pub(crate) const TERMINAL_COLS: &str = "id, store_id, name, mode, token_hash FROM terminals";

pub(crate) fn terminal_row(r: &Row) -> rusqlite::Result<TerminalRow> {
    Ok(TerminalRow {
        id: r.get(0)?,
        store_id: r.get(1)?,
        name: r.get(2)?,
        mode: parse_text::<TerminalMode>(&r.get::<_, String>(3)?)?,
        token_hash: r.get(4)?,
    })
}

/// The columns `staff_row` reads, with their table.
pub(crate) const STAFF_COLS: &str =
    "id, store_id, code, name, role, pin_hash, mobile, daily_summary FROM staff";

pub(crate) fn staff_row(r: &Row) -> rusqlite::Result<StaffRow> {
    Ok(StaffRow {
        id: r.get(0)?,
        store_id: r.get(1)?,
        code: r.get(2)?,
        name: r.get(3)?,
        role: parse_text::<Role>(&r.get::<_, String>(4)?)?,
        pin_hash: r.get(5)?,
        mobile: conv(
            r.get::<_, Option<String>>(6)?
                .map(Mobile::try_from)
                .transpose(),
        )?,
        daily_summary: r.get(7)?,
    })
}

pub(crate) const CUSTOMER_COLS: &str =
    "id, merchant_id, name, mobile, email, card, whatsapp_opt_in, last_channel, customer_type, \
     consent_service, consent_promotional FROM customers";

pub(crate) fn customer_row(r: &Row) -> rusqlite::Result<CustomerRow> {
    let mobile: Option<String> = r.get(3)?;
    let email: Option<String> = r.get(4)?;
    let card: Option<String> = r.get(5)?;
    Ok(CustomerRow {
        id: r.get(0)?,
        merchant_id: r.get(1)?,
        name: r.get(2)?,
        mobile: conv(mobile.map(Mobile::try_from).transpose())?,
        email: conv(email.map(|e| Email::parse(&e)).transpose())?,
        card: conv(card.map(|c| CardNumber::parse(&c)).transpose())?,
        whatsapp_opt_in: r.get(6)?,
        // A name this server does not know (written by a newer one) is no preference.
        last_channel: r
            .get::<_, Option<String>>(7)?
            .and_then(|c| Channel::ALL.into_iter().find(|k| k.as_str() == c)),
        customer_type: r.get(8)?,
        consent: Consents {
            service: r.get(9)?,
            promotional: r.get(10)?,
        },
    })
}

/// The columns `card_type_row` reads, with their table.
pub(crate) const CARD_TYPE_COLS: &str =
    "id, merchant_id, name, customer_type, earn_points, earn_per_minor, point_value_minor, \
     currency, created_at_ms, updated_at_ms FROM card_types";

pub(crate) fn card_type_row(r: &Row) -> rusqlite::Result<CardTypeRow> {
    let currency = conv(Currency::parse(&r.get::<_, String>(7)?))?;
    Ok(CardTypeRow {
        id: r.get(0)?,
        merchant_id: r.get(1)?,
        name: r.get(2)?,
        customer_type: r.get(3)?,
        earn_points: u32::try_from(u(r.get(4)?)).unwrap_or(u32::MAX),
        earn_per: conv(Money::new(u(r.get(5)?), currency))?,
        point_value: conv(Money::new(u(r.get(6)?), currency))?,
        created_at_ms: r.get(8)?,
        updated_at_ms: r.get(9)?,
    })
}

pub(crate) const INSTRUMENT_COLS: &str =
    "id, customer_id, kind, label, unit, balance, held, unit_value_minor, currency, \
     earned, expiring_qty, expiring_at_ms, valid_until_ms FROM instruments";

pub(crate) fn instrument_row(r: &Row) -> rusqlite::Result<InstrumentRow> {
    let currency = conv(Currency::parse(&r.get::<_, String>(8)?))?;
    let expiring_qty: Option<i64> = r.get(10)?;
    let expiring_at: Option<i64> = r.get(11)?;
    Ok(InstrumentRow {
        id: r.get(0)?,
        customer_id: r.get(1)?,
        kind: parse_text::<InstrumentKind>(&r.get::<_, String>(2)?)?,
        label: r.get(3)?,
        unit: parse_text::<Unit>(&r.get::<_, String>(4)?)?,
        balance: u(r.get(5)?),
        held: u(r.get(6)?),
        unit_value: conv(Money::new(u(r.get(7)?), currency))?,
        earned: r.get::<_, Option<i64>>(9)?.map(u),
        expiring: match (expiring_qty, expiring_at) {
            (Some(q), Some(at)) => Some(Expiring {
                quantity: u(q),
                at_ms: at,
            }),
            _ => None,
        },
        valid_until_ms: r.get(12)?,
    })
}

pub(crate) const IDENTIFICATION_COLS: &str =
    "id, session_hash, store_id, terminal_id, customer_id, status, channel, destination_masked, \
     code_mac, code_length, sent_at_ms, expires_at_ms, resend_after_ms, max_attempts, failed_attempts, \
     bound_at_ms, last_used_ms, idle_until_ms, created_at_ms, ended_at_ms FROM kiosk_identifications";

pub(crate) fn identification_row(r: &Row) -> rusqlite::Result<IdentificationRow> {
    let small = |v: i64| u8::try_from(v.clamp(0, 255)).unwrap_or(u8::MAX);
    Ok(IdentificationRow {
        id: r.get(0)?,
        session_hash: r.get(1)?,
        store_id: r.get(2)?,
        terminal_id: r.get(3)?,
        customer_id: r.get(4)?,
        status: parse_text::<IdentificationStatus>(&r.get::<_, String>(5)?)?,
        otp: OtpState {
            channel: parse_text::<contract::Channel>(&r.get::<_, String>(6)?)?,
            destination_masked: r.get(7)?,
            code_mac: r.get(8)?,
            length: small(r.get(9)?),
            sent_at_ms: r.get(10)?,
            expires_at_ms: r.get(11)?,
            resend_after_ms: r.get(12)?,
            // Kiosk codes' delivery reports are counted, not kept per identification.
            provider_id: None,
            delivery: None,
        },
        max_attempts: small(r.get(13)?),
        failed_attempts: small(r.get(14)?),
        bound_at_ms: r.get(15)?,
        last_used_ms: r.get(16)?,
        idle_until_ms: r.get(17)?,
        created_at_ms: r.get(18)?,
        ended_at_ms: r.get(19)?,
    })
}

pub(crate) fn redemption_row(r: &Row) -> rusqlite::Result<RedemptionRow> {
    let data: String = r.get(0)?;
    conv(serde_json::from_str(&data))
}

pub(crate) const AUDIT_COLS: &str =
    "seq, at_ms, action, store_id, terminal_id, staff_id, redemption_id, detail, prev_hash, hash, store_hash FROM audit";

pub(crate) fn audit_row(r: &Row) -> rusqlite::Result<AuditEntry> {
    Ok(AuditEntry {
        seq: u(r.get(0)?),
        at_ms: r.get(1)?,
        action: r.get(2)?,
        store_id: r.get(3)?,
        terminal_id: r.get(4)?,
        staff_id: r.get(5)?,
        redemption_id: r.get(6)?,
        detail: r.get(7)?,
        prev_hash: r.get(8)?,
        hash: r.get(9)?,
        store_hash: r.get(10)?,
    })
}

pub(crate) fn accrual_row(r: &Row) -> rusqlite::Result<AccrualRow> {
    Ok(AccrualRow {
        id: r.get(0)?,
        store_id: r.get(1)?,
        customer_id: r.get(2)?,
        bill_id: r.get(3)?,
        points: conv(contract::Quantity::new(u(r.get(4)?)))?,
        balance_after: u(r.get(5)?),
        at_ms: r.get(6)?,
    })
}

pub(crate) fn i(v: u64) -> i64 {
    i64::try_from(v).unwrap_or(i64::MAX)
}
