//! The append-only, hash-chained audit log (S7). Each entry's hash is
//! SHA-256(prev_hash ‖ canonical fields), so editing, removing or reordering any entry breaks
//! every link after it. The log never holds a code: callers pass facts, not messages.

use crate::crypto::sha256_hex;
use crate::error::ApiResult;
use crate::store::Tx;
use contract::api::AuditEntry;
use serde_json::{json, Value};

pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// What an audit entry records. The string forms are stored in the log (and hashed into the
/// chain) and answered by `GET /v1/audit`: they never change.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Action {
    SignIn,
    /// A wrong staff code or PIN (also counted for the sign-in limit).
    SignInFailed,
    SignOut,
    PolicyChanged,
    /// Ledger: an intent holds its quantity.
    Hold,
    /// Ledger: the hold is posted (the API's commit).
    Post,
    /// Ledger: an open intent is released because it was cancelled (also when a kiosk
    /// customer is forgotten).
    Cancel,
    /// Ledger: an open intent is released because it outlived its hold.
    Expired,
    /// Ledger: a posted redemption is reversed.
    Reverse,
    Accrual,
    PointsExpired,
    /// A redemption code went to the gateway.
    OtpSent,
    OtpDeliveryFailed,
    OtpVerified,
    OtpRejected,
    /// Ledger: the last wrong code locked the intent and released its hold.
    OtpLocked,
    Override,
    OverrideRejected,
    /// A kiosk identification code went to the gateway.
    KioskIdentifySent,
    KioskIdentifyDeliveryFailed,
    KioskIdentified,
    KioskIdentifyRejected,
    KioskForgotten,
    ConfirmationFailed,
}

impl Action {
    pub const ALL: [Action; 24] = [
        Action::SignIn,
        Action::SignInFailed,
        Action::SignOut,
        Action::PolicyChanged,
        Action::Hold,
        Action::Post,
        Action::Cancel,
        Action::Expired,
        Action::Reverse,
        Action::Accrual,
        Action::PointsExpired,
        Action::OtpSent,
        Action::OtpDeliveryFailed,
        Action::OtpVerified,
        Action::OtpRejected,
        Action::OtpLocked,
        Action::Override,
        Action::OverrideRejected,
        Action::KioskIdentifySent,
        Action::KioskIdentifyDeliveryFailed,
        Action::KioskIdentified,
        Action::KioskIdentifyRejected,
        Action::KioskForgotten,
        Action::ConfirmationFailed,
    ];

    /// The stored form.
    pub const fn as_str(self) -> &'static str {
        match self {
            Action::SignIn => "sign_in",
            Action::SignInFailed => "sign_in_failed",
            Action::SignOut => "sign_out",
            Action::PolicyChanged => "policy_changed",
            Action::Hold => "hold",
            Action::Post => "commit",
            Action::Cancel => "cancel",
            Action::Expired => "expired",
            Action::Reverse => "reverse",
            Action::Accrual => "accrual",
            Action::PointsExpired => "points_expired",
            Action::OtpSent => "otp_sent",
            Action::OtpDeliveryFailed => "otp_delivery_failed",
            Action::OtpVerified => "otp_verified",
            Action::OtpRejected => "otp_rejected",
            Action::OtpLocked => "otp_locked",
            Action::Override => "override",
            Action::OverrideRejected => "override_rejected",
            Action::KioskIdentifySent => "kiosk_identify_sent",
            Action::KioskIdentifyDeliveryFailed => "kiosk_identify_delivery_failed",
            Action::KioskIdentified => "kiosk_identified",
            Action::KioskIdentifyRejected => "kiosk_identify_rejected",
            Action::KioskForgotten => "kiosk_forgotten",
            Action::ConfirmationFailed => "confirmation_failed",
        }
    }
}

impl std::fmt::Display for Action {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Who did it and where.
#[derive(Clone, Debug)]
pub struct Actor {
    pub store_id: String,
    pub terminal_id: Option<String>,
    pub staff_id: Option<String>,
}

impl Actor {
    /// A terminal's own doing, no staff member's (expiry, an idle kiosk).
    pub fn terminal(store_id: &str, terminal_id: &str) -> Actor {
        Actor {
            store_id: store_id.to_string(),
            terminal_id: Some(terminal_id.to_string()),
            staff_id: None,
        }
    }
}

/// The canonical bytes hashed for an entry: a JSON array with a fixed field order.
fn canonical(e: &AuditEntry) -> String {
    json!([
        e.seq,
        e.at_ms,
        e.action,
        e.store_id,
        e.terminal_id,
        e.staff_id,
        e.redemption_id,
        e.detail
    ])
    .to_string()
}

pub fn entry_hash(prev_hash: &str, e: &AuditEntry) -> String {
    let mut bytes = prev_hash.as_bytes().to_vec();
    bytes.push(b'\n');
    bytes.extend_from_slice(canonical(e).as_bytes());
    sha256_hex(&bytes)
}

/// Appends one entry in the caller's transaction, so the fact and its record commit together.
pub fn record(
    tx: &mut dyn Tx,
    at_ms: i64,
    actor: &Actor,
    action: Action,
    redemption_id: Option<&str>,
    detail: Value,
) -> ApiResult<()> {
    let (last_seq, prev_hash) = tx.last_audit()?.unwrap_or((0, GENESIS.to_string()));
    let mut e = AuditEntry {
        seq: last_seq + 1,
        at_ms,
        action: action.as_str().to_string(),
        store_id: actor.store_id.clone(),
        terminal_id: actor.terminal_id.clone(),
        staff_id: actor.staff_id.clone(),
        redemption_id: redemption_id.map(str::to_string),
        detail: detail.to_string(),
        prev_hash,
        hash: String::new(),
    };
    e.hash = entry_hash(&e.prev_hash, &e);
    tx.append_audit(&e)
}

/// What a full check of the chain found.
#[derive(Debug, PartialEq, Eq)]
pub enum ChainCheck {
    Intact { entries: u64, head: String },
    Broken { seq: u64, reason: String },
}

/// Walks the whole chain from the first entry.
pub fn verify_chain(tx: &mut dyn Tx) -> ApiResult<ChainCheck> {
    let mut prev = GENESIS.to_string();
    let mut expected_seq = 1u64;
    loop {
        let page = tx.audit_chain(expected_seq - 1, 5_000)?;
        if page.is_empty() {
            return Ok(ChainCheck::Intact {
                entries: expected_seq - 1,
                head: prev,
            });
        }
        for e in page {
            if e.seq != expected_seq {
                return Ok(ChainCheck::Broken {
                    seq: expected_seq,
                    reason: format!("entry {expected_seq} is missing (next is {})", e.seq),
                });
            }
            if e.prev_hash != prev {
                return Ok(ChainCheck::Broken {
                    seq: e.seq,
                    reason: "prev_hash does not match the previous entry's hash".into(),
                });
            }
            if entry_hash(&prev, &e) != e.hash {
                return Ok(ChainCheck::Broken {
                    seq: e.seq,
                    reason: "its contents do not match its hash (edited)".into(),
                });
            }
            prev = e.hash;
            expected_seq += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Action;

    #[test]
    fn action_strings_are_stable_and_distinct() {
        let stored: Vec<&str> = Action::ALL.iter().map(|a| a.as_str()).collect();
        assert_eq!(
            stored,
            [
                "sign_in",
                "sign_in_failed",
                "sign_out",
                "policy_changed",
                "hold",
                "commit",
                "cancel",
                "expired",
                "reverse",
                "accrual",
                "points_expired",
                "otp_sent",
                "otp_delivery_failed",
                "otp_verified",
                "otp_rejected",
                "otp_locked",
                "override",
                "override_rejected",
                "kiosk_identify_sent",
                "kiosk_identify_delivery_failed",
                "kiosk_identified",
                "kiosk_identify_rejected",
                "kiosk_forgotten",
                "confirmation_failed",
            ]
        );
        let distinct: std::collections::HashSet<&str> = stored.iter().copied().collect();
        assert_eq!(distinct.len(), Action::ALL.len());
    }
}
