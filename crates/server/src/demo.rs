//! Demo mode: a seeded store with well-known credentials, and the "customer's phone" —
//! the only place a code is ever visible, and only when the server runs with `--demo`.

use crate::app::{QueryParams, Shared};
use crate::crypto::{sha256_hex, slow_hash};
use crate::error::{ApiError, ApiResult};
use crate::model::*;
use crate::store::Tx;
use axum::extract::State;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use contract::api::{Role, TerminalMode};
use contract::instrument::Expiring;
use contract::{
    CallingCode, CardNumber, Channel, Currency, Email, ErrorCode, InstrumentKind, Mobile, Money,
    Policy, Unit,
};
use serde::Deserialize;

pub const STORE_NAME: &str = "RedeemGuard Demo Salon & Store";
pub const OVERRIDE_CODE: &str = "24681357";
pub const TERMINAL_TOKENS: [(&str, &str, TerminalMode); 3] = [
    ("demo-till-1", "Till 1", TerminalMode::Pos),
    ("demo-till-2", "Till 2", TerminalMode::Pos),
    ("demo-kiosk-1", "Kiosk 1", TerminalMode::Kiosk),
];
pub const CASHIER: (&str, &str, &str) = ("C001", "1234", "Priya Sharma");
pub const MANAGER: (&str, &str, &str) = ("M001", "9999", "Rahul Mehta");
/// The second merchant of `--demo-extra-merchant`, for isolation tests (S9).
pub const OTHER_TERMINAL_TOKEN: &str = "other-till-1";

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
    p
}

/// What one demo customer holds.
enum Holding {
    Points {
        balance: u64,
        earned: u64,
        expiring: Option<(u64, i64)>,
    },
    Package {
        label: &'static str,
        sessions: u64,
        session_value: u64,
    },
    Membership {
        label: &'static str,
        credit: u64,
        valid_days: i64,
    },
    Campaign {
        label: &'static str,
        uses: u64,
        use_value: u64,
        valid_days: i64,
    },
    GiftCard {
        credit: u64,
        valid_days: i64,
    },
}

struct DemoCustomer {
    id: &'static str,
    name: &'static str,
    mobile: Option<&'static str>,
    email: Option<&'static str>,
    card: Option<&'static str>,
    whatsapp: bool,
    holdings: Vec<Holding>,
}

fn customers() -> Vec<DemoCustomer> {
    use Holding::*;
    let pts = |balance, earned| Points {
        balance,
        earned,
        expiring: None,
    };
    let c = |id, name, mobile, email, card, whatsapp, holdings| DemoCustomer {
        id,
        name,
        mobile,
        email,
        card,
        whatsapp,
        holdings,
    };
    vec![
        c(
            "cust-asha",
            "Asha Rao",
            Some("+919876543210"),
            Some("asha@example.com"),
            Some("RG00012345"),
            true,
            vec![
                Points {
                    balance: 1_200,
                    earned: 3_400,
                    expiring: Some((200, 10)),
                },
                Package {
                    label: "Hair spa × 6",
                    sessions: 4,
                    session_value: 150_000,
                },
            ],
        ),
        c(
            "cust-vikram",
            "Vikram Singh",
            Some("+919812345678"),
            None,
            Some("RG00012346"),
            false,
            vec![pts(640, 1_100)],
        ),
        c(
            "cust-priya",
            "Priya Nair",
            Some("+919845012345"),
            Some("priya.nair@example.com"),
            Some("RG00012347"),
            true,
            vec![
                Points {
                    balance: 2_450,
                    earned: 5_000,
                    expiring: Some((450, 5)),
                },
                Membership {
                    label: "Gold membership credit",
                    credit: 500_000,
                    valid_days: 200,
                },
            ],
        ),
        c(
            "cust-arjun",
            "Arjun Patel",
            Some("+919900112233"),
            None,
            None,
            false,
            vec![pts(30, 30)],
        ),
        c(
            "cust-kavya",
            "Kavya Iyer",
            Some("+919811122233"),
            Some("kavya@example.com"),
            Some("RG00012349"),
            true,
            vec![
                pts(880, 1_900),
                Campaign {
                    label: "Diwali free haircut",
                    uses: 1,
                    use_value: 40_000,
                    valid_days: 20,
                },
            ],
        ),
        c(
            "cust-rohan",
            "Rohan Gupta",
            Some("+917012345678"),
            None,
            Some("RG00012350"),
            false,
            vec![
                pts(150, 150),
                GiftCard {
                    credit: 250_000,
                    valid_days: 365,
                },
            ],
        ),
        c(
            "cust-ananya",
            "Ananya Reddy",
            Some("+919700011122"),
            Some("ananya@example.com"),
            None,
            true,
            vec![
                pts(5_000, 12_000),
                Package {
                    label: "Facial × 5",
                    sessions: 5,
                    session_value: 120_000,
                },
            ],
        ),
        c(
            "cust-siddharth",
            "Siddharth Joshi",
            Some("+918800123456"),
            None,
            Some("RG00012352"),
            false,
            vec![pts(0, 800)],
        ),
        c(
            "cust-meera",
            "Meera Krishnan",
            None,
            Some("meera@example.com"),
            Some("RG00012353"),
            false,
            vec![Points {
                balance: 720,
                earned: 720,
                expiring: Some((120, 3)),
            }],
        ),
        c(
            "cust-aditya",
            "Aditya Kulkarni",
            Some("+919822334455"),
            Some("aditya@example.com"),
            None,
            true,
            vec![
                Membership {
                    label: "Platinum membership credit",
                    credit: 1_000_000,
                    valid_days: 300,
                },
                pts(310, 900),
            ],
        ),
        c(
            "cust-ishita",
            "Ishita Banerjee",
            Some("+919830011223"),
            None,
            Some("RG00012355"),
            true,
            vec![
                pts(95, 400),
                Campaign {
                    label: "Birthday manicure",
                    uses: 1,
                    use_value: 60_000,
                    valid_days: 25,
                },
            ],
        ),
        c(
            "cust-karan",
            "Karan Malhotra",
            Some("+919811998877"),
            Some("karan@example.com"),
            Some("RG00012356"),
            false,
            vec![pts(12_000, 20_000)],
        ),
        c(
            "cust-neha",
            "Neha Deshpande",
            Some("+919922113344"),
            None,
            None,
            false,
            vec![
                Package {
                    label: "Hair spa × 6",
                    sessions: 6,
                    session_value: 150_000,
                },
                pts(55, 55),
            ],
        ),
        c(
            "cust-rahul",
            "Rahul Verma",
            Some("+919711223344"),
            Some("rahul.v@example.com"),
            Some("RG00012358"),
            true,
            vec![
                pts(430, 1_430),
                GiftCard {
                    credit: 100_000,
                    valid_days: 180,
                },
            ],
        ),
        c(
            "cust-pooja",
            "Pooja Menon",
            Some("+919847001122"),
            None,
            Some("RG00012359"),
            false,
            vec![Points {
                balance: 600,
                earned: 600,
                expiring: Some((600, 7)),
            }],
        ),
        c(
            "cust-farhan",
            "Farhan Qureshi",
            Some("+919820098765"),
            Some("farhan@example.com"),
            None,
            true,
            vec![pts(1_999, 2_500)],
        ),
        c(
            "cust-lakshmi",
            "Lakshmi Subramanian",
            Some("+919444012345"),
            None,
            Some("RG00012361"),
            true,
            vec![
                Membership {
                    label: "Silver membership credit",
                    credit: 200_000,
                    valid_days: 90,
                },
                Package {
                    label: "Pedicure × 4",
                    sessions: 2,
                    session_value: 80_000,
                },
            ],
        ),
        c(
            "cust-deepak",
            "Deepak Chauhan",
            Some("+919810012399"),
            None,
            None,
            false,
            vec![pts(75, 75)],
        ),
        c(
            "cust-sneha",
            "Sneha Pillai",
            Some("+919895012345"),
            Some("sneha@example.com"),
            Some("RG00012363"),
            false,
            vec![
                pts(3_200, 6_000),
                Campaign {
                    label: "Monsoon hair-care kit",
                    uses: 2,
                    use_value: 25_000,
                    valid_days: 15,
                },
            ],
        ),
        c(
            "cust-zoya",
            "Zoya Khan",
            Some("+919867012345"),
            Some("zoya@example.com"),
            Some("RG00012364"),
            true,
            vec![
                pts(540, 540),
                GiftCard {
                    credit: 50_000,
                    valid_days: 60,
                },
            ],
        ),
    ]
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
    })
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
    for (code, hash, name, role) in [
        (CASHIER.0, &hashes.cashier_pin, CASHIER.2, Role::Cashier),
        (MANAGER.0, &hashes.manager_pin, MANAGER.2, Role::Manager),
    ] {
        tx.insert_staff(&StaffRow {
            id: format!("{store_id}-{}", code.to_lowercase()),
            store_id: store_id.into(),
            code: code.into(),
            name: name.into(),
            role,
            pin_hash: hash.clone(),
        })?;
    }
    Ok(())
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
    for c in customers() {
        tx.insert_customer(&customer_row("m-demo", &c)?)?;
        for (n, h) in c.holdings.iter().enumerate() {
            tx.insert_instrument(&instrument(c.id, n, h, now_ms))?;
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
        })?;
        let points = Holding::Points {
            balance: 1_000_000_000,
            earned: 1_000_000_000,
            expiring: None,
        };
        tx.insert_instrument(&instrument(&id, 0, &points, now_ms))?;
    }
    if extra_merchant {
        seed_store(
            tx,
            ("m-other", "st-other"),
            ("Sunrise Pharmacy", "Sunrise Pharmacy, MG Road"),
            demo_policy(),
            &hashes,
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
        tx.insert_instrument(&instrument(other.id, 0, &other.holdings[0], now_ms))?;
    }
    Ok(true)
}

/// The start-up banner: everything a person needs to try the demo.
pub fn banner(
    listen: &str,
    host_page: Option<&str>,
    bench_terminals: u32,
    extra_merchant: bool,
) -> String {
    let mut s = format!(
        "RedeemGuard DEMO MODE — {STORE_NAME} (INR, en-IN, +91)\n\
         \x20 app/API:         http://{listen}/\n\
         \x20 customer phone:  http://{listen}/demo/phone   (the only place codes are shown)\n\
         \x20 terminal tokens: demo-till-1, demo-till-2 (POS), demo-kiosk-1 (kiosk)\n\
         \x20 cashier:         {} PIN {} ({})\n\
         \x20 manager:         {} PIN {} ({})\n\
         \x20 override code:   {OVERRIDE_CODE}\n\
         \x20 try customer:    Asha Rao, mobile 9876543210, card RG00012345\n",
        CASHIER.0, CASHIER.1, CASHIER.2, MANAGER.0, MANAGER.1, MANAGER.2
    );
    if let Some(url) = host_page {
        s.push_str(&format!(
            "  widget host page: {url}   (another origin, embedding the app from http://{listen}/)\n"
        ));
    }
    if bench_terminals > 0 {
        s.push_str(&format!("  bench:           terminals bench-till-1..{bench_terminals}, customers bench-cust-N\n"));
    }
    if extra_merchant {
        s.push_str(&format!(
            "  other merchant:  terminal token {OTHER_TERMINAL_TOKEN} (same staff codes)\n"
        ));
    }
    s
}

#[derive(Deserialize)]
pub struct OutboxQuery {
    customer: Option<String>,
    redemption: Option<String>,
    limit: Option<usize>,
}

pub fn routes() -> Router<Shared> {
    Router::new()
        .route("/demo/phone", get(phone))
        .route("/demo/outbox.json", get(outbox_json))
}

fn outbox(app: &Shared) -> ApiResult<&crate::channels::DemoOutbox> {
    app.outbox
        .as_deref()
        .ok_or_else(|| ApiError::new(ErrorCode::NotFound))
}

async fn outbox_json(
    State(app): State<Shared>,
    QueryParams(q): QueryParams<OutboxQuery>,
) -> ApiResult<Response> {
    let messages = outbox(&app)?.list(
        q.customer.as_deref(),
        q.redemption.as_deref(),
        q.limit.unwrap_or(200).min(5_000),
    );
    Ok(Json(messages).into_response())
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

async fn phone(
    State(app): State<Shared>,
    QueryParams(q): QueryParams<OutboxQuery>,
) -> ApiResult<Html<String>> {
    let messages = outbox(&app)?.list(
        q.customer.as_deref(),
        q.redemption.as_deref(),
        q.limit.unwrap_or(200).min(5_000),
    );
    let mut items = String::new();
    for m in &messages {
        items.push_str(&format!(
            "<li class=\"message\" data-customer-id=\"{}\" data-channel=\"{}\" data-redemption-id=\"{}\" data-at-ms=\"{}\">\
             <div class=\"meta\"><b>{}</b> · {} · {} · <time>{}</time></div><pre class=\"text\">{}</pre></li>\n",
            escape(&m.customer_id),
            m.channel.as_str(),
            escape(m.redemption_id.as_deref().unwrap_or_default()),
            m.at_ms,
            escape(&m.customer_name),
            m.channel.label(),
            escape(&m.destination),
            m.at_ms,
            escape(&m.text),
        ));
    }
    if messages.is_empty() {
        items.push_str("<li class=\"empty\">No messages yet. Send a code from the app.</li>");
    }
    let filter = q
        .customer
        .as_deref()
        .map(|c| format!(" for customer {}", escape(c)))
        .unwrap_or_default();
    Ok(Html(format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <meta http-equiv=\"refresh\" content=\"3\"><title>DEMO — customer's phone</title>\
         <style>body{{font-family:system-ui,sans-serif;max-width:32rem;margin:1rem auto;padding:0 1rem;background:#f4f4f6}}\
         .banner{{background:#b00020;color:#fff;padding:.75rem;border-radius:.5rem;font-weight:bold}}\
         ul{{list-style:none;padding:0}}li.message{{background:#fff;border-radius:.75rem;padding:.75rem;margin:.75rem 0;box-shadow:0 1px 3px #0002}}\
         .meta{{font-size:.8rem;color:#555}}pre.text{{white-space:pre-wrap;font:inherit;margin:.5rem 0 0}}</style></head>\
         <body><h1>DEMO — customer's phone</h1>\
         <p class=\"banner\">Demo mode only. In a real store the code goes to the customer's own phone or inbox \
         and is never shown anywhere else.</p><p>Messages{filter}, newest first.</p><ul>{items}</ul></body></html>"
    )))
}
