//! The fake's data: the demo store's staff and its one customer, as the demo server seeds
//! them.

use crate::platform;
use contract::api::{Balance, CustomerSummary, Role, StaffInfo};
use contract::instrument::Expiring;
use contract::lookup::Key;
use contract::{Channel, Currency, InstrumentBalance, InstrumentKind, Money, Unit};

pub(super) struct Staff {
    pub code: &'static str,
    pub pin: &'static str,
    pub info: StaffInfo,
}

/// Whether a search key finds this customer: Asha by her mobile or card, anyone by name.
pub(super) fn is_asha(key: Key<'_>, c: &CustomerSummary) -> bool {
    match key {
        Key::Mobile(m) => m.as_str() == "+919876543210" && c.id == "cus-asha",
        Key::Card(card) => card.as_str() == "RG00012345" && c.id == "cus-asha",
        Key::Name(n) => c.name.to_lowercase().contains(&n.to_lowercase()),
    }
}

fn inr(minor: u64) -> Money {
    Money::new(minor, Currency::INR).expect("in range")
}

pub(super) fn staff() -> Vec<Staff> {
    vec![
        Staff {
            code: "C001",
            pin: "1234",
            info: StaffInfo {
                id: "C001".into(),
                name: "Ravi Kumar".into(),
                role: Role::Cashier,
            },
        },
        Staff {
            code: "M001",
            pin: "9999",
            info: StaffInfo {
                id: "M001".into(),
                name: "Meera Shah".into(),
                role: Role::Manager,
            },
        },
    ]
}

/// Asha Rao: points, a package, a membership, a campaign benefit and a gift card.
pub fn asha() -> Balance {
    let day = 86_400_000;
    let now = platform::now_ms();
    let inst = |id: &str, kind, label: &str, unit, available, unit_value| InstrumentBalance {
        id: id.into(),
        kind,
        label: label.into(),
        unit,
        available,
        unit_value,
        earned: None,
        expiring_soon: None,
        valid_until_ms: None,
    };
    let mut points = inst(
        "pts-asha",
        InstrumentKind::Points,
        "Loyalty points",
        Unit::Points,
        1_200,
        inr(100),
    );
    points.earned = Some(3_450);
    points.expiring_soon = Some(Expiring {
        quantity: 200,
        at_ms: now + 20 * day,
    });
    let mut spa = inst(
        "pkg-spa",
        InstrumentKind::Package,
        "Hair spa × 6",
        Unit::Sessions,
        4,
        inr(150_000),
    );
    spa.earned = Some(6);
    let mut gold = inst(
        "mem-gold",
        InstrumentKind::Membership,
        "Gold membership: free haircut",
        Unit::Uses,
        2,
        inr(60_000),
    );
    gold.valid_until_ms = Some(now + 200 * day);
    let mut diwali = inst(
        "cmp-diwali",
        InstrumentKind::Campaign,
        "Diwali: free manicure",
        Unit::Uses,
        1,
        inr(40_000),
    );
    diwali.valid_until_ms = Some(now + 10 * day);
    let gift = inst(
        "gc-asha",
        InstrumentKind::GiftCard,
        "Gift card •••• 7788",
        Unit::Credit,
        250_000,
        inr(1),
    );
    Balance {
        customer: CustomerSummary {
            id: "cus-asha".into(),
            name: "Asha Rao".into(),
            masked_mobile: Some("+91 ••••••3210".into()),
            masked_email: Some("a•••@example.com".into()),
            masked_card: Some("•••• 2345".into()),
            channels: vec![Channel::Sms, Channel::Email],
        },
        instruments: vec![points, spa, gold, diwali, gift],
        as_of_ms: now,
    }
}
