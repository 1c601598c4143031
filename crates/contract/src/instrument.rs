//! What a customer can redeem (SPEC §2).

use crate::money::Money;
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum InstrumentKind {
    Points,
    Package,
    Membership,
    Campaign,
    GiftCard,
}

impl InstrumentKind {
    pub const ALL: [InstrumentKind; 5] = [
        InstrumentKind::Points,
        InstrumentKind::Package,
        InstrumentKind::Membership,
        InstrumentKind::Campaign,
        InstrumentKind::GiftCard,
    ];

    pub fn as_str(&self) -> &'static str {
        match self {
            InstrumentKind::Points => "points",
            InstrumentKind::Package => "package",
            InstrumentKind::Membership => "membership",
            InstrumentKind::Campaign => "campaign",
            InstrumentKind::GiftCard => "gift_card",
        }
    }

    pub fn label(&self) -> &'static str {
        match self {
            InstrumentKind::Points => "Loyalty points",
            InstrumentKind::Package => "Package",
            InstrumentKind::Membership => "Membership",
            InstrumentKind::Campaign => "Campaign benefit",
            InstrumentKind::GiftCard => "Gift card",
        }
    }
}

/// What one unit of an instrument is.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Unit {
    /// Loyalty points; one point is worth the policy's point value.
    Points,
    /// Service sessions of a package.
    Sessions,
    /// Uses of a benefit (membership or campaign).
    Uses,
    /// Stored value in minor currency units (membership credit, gift card).
    Credit,
}

impl Unit {
    /// The wire name (as serde writes it).
    pub fn as_str(&self) -> &'static str {
        match self {
            Unit::Points => "points",
            Unit::Sessions => "sessions",
            Unit::Uses => "uses",
            Unit::Credit => "credit",
        }
    }

    /// Singular and plural nouns for "500 points", "1 session".
    pub fn noun(&self, n: u64) -> &'static str {
        match (self, n == 1) {
            (Unit::Points, true) => "point",
            (Unit::Points, false) => "points",
            (Unit::Sessions, true) => "session",
            (Unit::Sessions, false) => "sessions",
            (Unit::Uses, true) => "use",
            (Unit::Uses, false) => "uses",
            (Unit::Credit, _) => "credit",
        }
    }
}

/// Units that lapse on a date (points expiring soon, a package running out).
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Expiring {
    pub quantity: u64,
    /// Unix time in milliseconds.
    pub at_ms: i64,
}

/// One instrument a customer holds, with its balance, as the backend reports it.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct InstrumentBalance {
    pub id: String,
    pub kind: InstrumentKind,
    /// e.g. "Hair spa × 6", "Gold membership".
    pub label: String,
    pub unit: Unit,
    /// Units available now (holds of pending redemptions already subtracted).
    pub available: u64,
    /// Value of one unit. For points it equals the policy's point value.
    pub unit_value: Money,
    /// Units ever earned (points) or bought (packages), for the balance screen.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub earned: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expiring_soon: Option<Expiring>,
    /// The whole instrument lapses at this time (a membership, a campaign).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub valid_until_ms: Option<i64>,
}
