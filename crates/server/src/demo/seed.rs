//! Seeding the demo data into an empty database.

use super::customers::{customer_type, customers, DemoCustomer, Holding, CARD_TYPES};
use super::{
    CASHIER, MANAGER, MANAGER_MOBILE, OTHER_TERMINAL_TOKEN, OVERRIDE_CODE, STORE_NAME,
    TERMINAL_TOKENS,
};
use crate::audit::{self, Actor};
use crate::crypto::{sha256_hex, slow_hash};
use crate::error::ApiResult;
use crate::model::*;
use crate::store::Tx;
use contract::api::{Role, TerminalMode};
use contract::instrument::Expiring;
use contract::{
    CallingCode, CardNumber, Channel, Currency, Email, InstrumentKind, Mobile, Money, Policy, Unit,
};

const DAY_MS: i64 = 86_400_000;

/// Slow hashes computed once per seeding (argon2 is deliberately slow).
struct Hashes {
    cashier_pin: String,
    manager_pin: String,
    override_code: String,
}

fn inr(minor: u64) -> Money {
    Money::new(minor, Currency::INR).expect("demo amounts are in range")
}

fn demo_policy() -> Policy {
    let mut p = Policy::default_for(Currency::INR, "en-IN", CallingCode::INDIA);
    p.channels = vec![Channel::Sms, Channel::Whatsapp, Channel::Email];
    p.override_enabled = true;
    p.override_daily_cap = 5;
    // The demo shows both ways: a manager approves on their own device (the back office), or
    // types the store code at the till (a merchant's option, off in a real store's defaults).
    p.override_store_code = true;
    p
}

fn instrument(customer_id: &str, n: usize, h: &Holding, now_ms: i64) -> InstrumentRow {
    let base = |kind: InstrumentKind, label: &str, unit: Unit, balance: u64, unit_value: u64| {
        InstrumentRow {
            id: format!("{customer_id}-{}-{n}", kind.as_str()),
            customer_id: customer_id.to_string(),
            kind,
            label: label.to_string(),
            unit,
            balance,
            held: 0,
            unit_value: inr(unit_value),
            earned: None,
            expiring: None,
            valid_until_ms: None,
        }
    };
    match *h {
        Holding::Points {
            balance,
            earned,
            expiring,
        } => InstrumentRow {
            earned: Some(earned),
            expiring: expiring.map(|(quantity, days)| Expiring {
                quantity,
                at_ms: now_ms + days * DAY_MS,
            }),
            ..base(
                InstrumentKind::Points,
                "Loyalty points",
                Unit::Points,
                balance,
                100,
            )
        },
        Holding::Package {
            label,
            sessions,
            session_value,
        } => base(
            InstrumentKind::Package,
            label,
            Unit::Sessions,
            sessions,
            session_value,
        ),
        Holding::Membership {
            label,
            credit,
            valid_days,
        } => InstrumentRow {
            valid_until_ms: Some(now_ms + valid_days * DAY_MS),
            ..base(InstrumentKind::Membership, label, Unit::Credit, credit, 1)
        },
        Holding::Campaign {
            label,
            uses,
            use_value,
            valid_days,
        } => InstrumentRow {
            valid_until_ms: Some(now_ms + valid_days * DAY_MS),
            ..base(InstrumentKind::Campaign, label, Unit::Uses, uses, use_value)
        },
        Holding::GiftCard { credit, valid_days } => InstrumentRow {
            valid_until_ms: Some(now_ms + valid_days * DAY_MS),
            ..base(
                InstrumentKind::GiftCard,
                "Gift card",
                Unit::Credit,
                credit,
                1,
            )
        },
    }
}

fn customer_row(merchant_id: &str, c: &DemoCustomer) -> ApiResult<CustomerRow> {
    Ok(CustomerRow {
        id: c.id.to_string(),
        merchant_id: merchant_id.to_string(),
        name: c.name.to_string(),
        mobile: c
            .mobile
            .map(|m| Mobile::parse(m, CallingCode::INDIA))
            .transpose()?,
        email: c.email.map(Email::parse).transpose()?,
        card: c.card.map(CardNumber::parse).transpose()?,
        whatsapp_opt_in: c.whatsapp,
        last_channel: None,
        customer_type: customer_type(c.id).map(str::to_string),
        // The demo's customers agreed to service messages; those with WhatsApp also to
        // offers, so a manager's preview shows some left out.
        consent: Consents {
            service: true,
            promotional: c.whatsapp,
        },
    })
}

/// The merchant's card types: `CARD_TYPES`, each point worth what the store's is.
fn seed_card_types(
    tx: &mut dyn Tx,
    now_ms: i64,
    merchant_id: &str,
    policy: &Policy,
    card_types: &[(&str, &str, &str, u32)],
) -> ApiResult<Vec<CardTypeRow>> {
    let mut made = Vec::new();
    for (id, name, customer_type, earn_points) in card_types {
        let row = CardTypeRow {
            id: id.to_string(),
            merchant_id: merchant_id.to_string(),
            name: name.to_string(),
            customer_type: customer_type.to_string(),
            earn_points: *earn_points,
            earn_per: policy.earn_per,
            point_value: policy.point_value,
            created_at_ms: now_ms,
            updated_at_ms: now_ms,
        };
        tx.insert_card_type(&row)?;
        made.push(row);
    }
    Ok(made)
}

fn seed_store(
    tx: &mut dyn Tx,
    ids: (&str, &str),
    names: (&str, &str),
    policy: Policy,
    hashes: &Hashes,
) -> ApiResult<()> {
    let (merchant_id, store_id) = ids;
    tx.insert_merchant(&MerchantRow {
        id: merchant_id.into(),
        name: names.0.into(),
    })?;
    tx.insert_store(&StoreRow {
        id: store_id.into(),
        merchant_id: merchant_id.into(),
        merchant_name: names.0.into(),
        name: names.1.into(),
        policy,
        override_hash: Some(hashes.override_code.clone()),
    })?;
    let manager_mobile = Mobile::try_from(MANAGER_MOBILE.to_string())
        .map_err(|e| crate::error::ApiError::internal(format!("demo manager's mobile: {e}")))?;
    for (code, hash, name, role, mobile) in [
        (
            CASHIER.0,
            &hashes.cashier_pin,
            CASHIER.2,
            Role::Cashier,
            None,
        ),
        (
            MANAGER.0,
            &hashes.manager_pin,
            MANAGER.2,
            Role::Manager,
            Some(manager_mobile),
        ),
    ] {
        tx.insert_staff(&StaffRow {
            id: format!("{store_id}-{}", code.to_lowercase()),
            store_id: store_id.into(),
            code: code.into(),
            name: name.into(),
            role,
            pin_hash: hash.clone(),
            mobile,
            daily_summary: false,
        })?;
    }
    Ok(())
}

fn policy_of(tx: &mut dyn Tx, store_id: &str) -> ApiResult<Policy> {
    tx.store(store_id)?
        .map(|s| s.policy)
        .ok_or_else(|| crate::error::ApiError::internal("the demo store was not seeded"))
}

/// Creates an instrument with its opening balance in the audit log (S7: every balance
/// recomputes from the log).
fn open_instrument(
    tx: &mut dyn Tx,
    now_ms: i64,
    store: &Actor,
    i: &InstrumentRow,
) -> ApiResult<()> {
    tx.insert_instrument(i)?;
    audit::opened(tx, now_ms, store, i, "seed")
}

/// Seeds the demo data into an empty database; an already seeded one is left alone.
/// Returns whether it seeded.
pub fn seed(
    tx: &mut dyn Tx,
    now_ms: i64,
    bench_terminals: u32,
    extra_merchant: bool,
) -> ApiResult<bool> {
    if !tx.stores()?.is_empty() {
        return Ok(false);
    }
    let hashes = Hashes {
        cashier_pin: slow_hash(CASHIER.1),
        manager_pin: slow_hash(MANAGER.1),
        override_code: slow_hash(OVERRIDE_CODE),
    };
    let mut policy = demo_policy();
    if bench_terminals > 0 {
        // The benchmark drives every terminal flat out: only the code rules stay as they are.
        policy.max_sends_per_customer = 1_000_000;
        policy.max_sends_per_terminal = 1_000_000;
        policy.max_sends_per_cashier = 1_000_000;
        policy.daily_message_budget = 1_000_000;
    }
    seed_store(
        tx,
        ("m-demo", "st-demo"),
        ("RedeemGuard Demo", STORE_NAME),
        policy,
        &hashes,
    )?;
    for (token, name, mode) in TERMINAL_TOKENS {
        tx.insert_terminal(&TerminalRow {
            id: format!("term-{token}"),
            store_id: "st-demo".into(),
            name: name.into(),
            mode,
            token_hash: sha256_hex(token.as_bytes()),
        })?;
    }
    let demo_store = Actor {
        store_id: "st-demo".into(),
        terminal_id: None,
        staff_id: None,
    };
    let policy = policy_of(tx, "st-demo")?;
    let card_types = seed_card_types(tx, now_ms, "m-demo", &policy, &CARD_TYPES)?;
    for c in customers() {
        let row = customer_row("m-demo", &c)?;
        let card = row
            .customer_type
            .as_deref()
            .and_then(|t| card_types.iter().find(|k| k.is_for(t)));
        tx.insert_customer(&row)?;
        for (n, h) in c.holdings.iter().enumerate() {
            let mut i = instrument(c.id, n, h, now_ms);
            if let (Some(card), InstrumentKind::Points) = (card, i.kind) {
                i.unit_value = card.point_value;
            }
            open_instrument(tx, now_ms, &demo_store, &i)?;
        }
    }
    for i in 1..=bench_terminals {
        let token = format!("bench-till-{i}");
        tx.insert_terminal(&TerminalRow {
            id: format!("term-{token}"),
            store_id: "st-demo".into(),
            name: format!("Bench till {i}"),
            mode: TerminalMode::Pos,
            token_hash: sha256_hex(token.as_bytes()),
        })?;
        let id = format!("bench-cust-{i}");
        tx.insert_customer(&CustomerRow {
            id: id.clone(),
            merchant_id: "m-demo".into(),
            name: format!("Bench Customer {i}"),
            mobile: Some(Mobile::parse(&format!("+9170{i:08}"), CallingCode::INDIA)?),
            email: None,
            card: None,
            whatsapp_opt_in: false,
            last_channel: None,
            customer_type: None,
            consent: Consents::default(),
        })?;
        let points = Holding::Points {
            balance: 1_000_000_000,
            earned: 1_000_000_000,
            expiring: None,
        };
        open_instrument(
            tx,
            now_ms,
            &demo_store,
            &instrument(&id, 0, &points, now_ms),
        )?;
    }
    if extra_merchant {
        seed_store(
            tx,
            ("m-other", "st-other"),
            ("Sunrise Pharmacy", "Sunrise Pharmacy, MG Road"),
            demo_policy(),
            &hashes,
        )?;
        // One card type, so a manager of the demo store can try to reach it (S9).
        let policy = policy_of(tx, "st-other")?;
        seed_card_types(
            tx,
            now_ms,
            "m-other",
            &policy,
            &[("ct-other-classic", "Classic", "Normal", 1)],
        )?;
        tx.insert_terminal(&TerminalRow {
            id: "term-other-till-1".into(),
            store_id: "st-other".into(),
            name: "Pharmacy till".into(),
            mode: TerminalMode::Pos,
            token_hash: sha256_hex(OTHER_TERMINAL_TOKEN.as_bytes()),
        })?;
        // The same mobile as Asha Rao, on purpose: a search must only ever see its own merchant.
        let other = DemoCustomer {
            id: "other-cust-1",
            name: "Asha Rao (pharmacy)",
            mobile: Some("+919876543210"),
            email: None,
            card: None,
            whatsapp: false,
            holdings: vec![Holding::Points {
                balance: 500,
                earned: 500,
                expiring: None,
            }],
        };
        tx.insert_customer(&customer_row("m-other", &other)?)?;
        let other_store = Actor {
            store_id: "st-other".into(),
            terminal_id: None,
            staff_id: None,
        };
        let held = instrument(other.id, 0, &other.holdings[0], now_ms);
        open_instrument(tx, now_ms, &other_store, &held)?;
    }
    Ok(true)
}
