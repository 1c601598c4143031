//! The store's own audit chain: every audit entry of a store links to the store's previous
//! entry by SHA-256, so a manager's browser can check an export of their store's log without
//! the server's audit key (issue 15). The server's keyed chain over every store (S7,
//! `verify-audit`) stays what no one without the key can rewrite; this chain is the same rule
//! for one store that anyone holding the entries can recompute, and `verify-audit` checks it
//! too. One rule, here: the server writes `store_hash` with it, the browser and
//! `verify-audit` recompute it.

use crate::api::AuditEntry;
use sha2::{Digest, Sha256};
use std::fmt;

/// Every action the audit log records: its stored name and what a manager reads. The server's
/// own list (`audit::Action`) is held to this one by a test; the back office filters by it.
pub const ACTIONS: &[(&str, &str)] = &[
    ("commit", "Redeemed (posted)"),
    ("override", "Manager override"),
    ("otp_rejected", "Wrong code"),
    ("reverse", "Reversed"),
    ("fraud_alert", "Fraud alert sent"),
    ("code_disowned", "Customer did not ask for the code"),
    ("otp_sent", "Code sent"),
    ("otp_verified", "Code verified"),
    ("otp_locked", "Locked: too many wrong codes"),
    ("otp_delivery_failed", "Code not delivered"),
    ("override_rejected", "Override refused"),
    ("approval_requested", "Approval asked"),
    ("approval_declined", "Approval declined"),
    ("hold", "Held"),
    ("cancel", "Cancelled"),
    ("expired", "Hold expired"),
    ("accrual", "Points earned"),
    ("points_expired", "Points expired"),
    ("voucher_redeemed", "Voucher taken"),
    ("voucher_refused", "Voucher refused"),
    ("confirmation_failed", "Confirmation not sent"),
    ("balance_opened", "Opening balance"),
    ("kiosk_identify_sent", "Kiosk: code sent"),
    (
        "kiosk_identify_delivery_failed",
        "Kiosk: code not delivered",
    ),
    ("kiosk_identified", "Kiosk: customer identified"),
    ("kiosk_identify_rejected", "Kiosk: wrong code"),
    ("kiosk_forgotten", "Kiosk: customer forgotten"),
    ("sign_in", "Signed in"),
    ("sign_in_failed", "Sign-in failed"),
    ("sign_out", "Signed out"),
    ("policy_changed", "Policy changed"),
    ("store_created", "Store created"),
    ("terminal_added", "Terminal added"),
    ("terminal_revoked", "Terminal revoked"),
    ("staff_added", "Staff added"),
    ("staff_disabled", "Staff disabled"),
    ("pin_set", "PIN set"),
    ("override_code_set", "Override code changed"),
    ("card_type_added", "Card type added"),
    ("card_type_changed", "Card type changed"),
    ("card_issued", "Card issued"),
    ("customers_imported", "Customers imported"),
    ("customers_messaged", "Message to customers"),
    ("consent_changed", "Customer consent changed"),
    ("daily_summary_set", "Daily summary changed"),
];

/// What a manager reads for an action's stored name (the name itself if unknown).
pub fn action_label(name: &str) -> &str {
    ACTIONS
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, l)| *l)
        .unwrap_or(name)
}

/// `prev` of a store's first linked entry.
pub const STORE_GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// An entry's link in its store's chain: SHA-256 over a fixed label, the store's previous link
/// and every field of the entry (its keyed `hash` included), each length-prefixed so no two
/// different entries read the same. Lower-case hex.
pub fn store_link(prev: &str, e: &AuditEntry) -> String {
    let mut h = Sha256::new();
    h.update(b"redeemguard-store-chain-v1\n");
    let mut part = |bytes: &[u8]| {
        h.update(bytes.len().to_string().as_bytes());
        h.update(b":");
        h.update(bytes);
        h.update(b"\n");
    };
    part(prev.as_bytes());
    part(e.seq.to_string().as_bytes());
    part(e.at_ms.to_string().as_bytes());
    part(e.action.as_bytes());
    part(e.store_id.as_bytes());
    for opt in [&e.terminal_id, &e.staff_id, &e.redemption_id] {
        match opt {
            None => part(b"-"),
            Some(v) => part(format!("+{v}").as_bytes()),
        }
    }
    part(e.detail.as_bytes());
    part(e.hash.as_bytes());
    hex(&h.finalize())
}

fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(DIGITS[usize::from(b >> 4)] as char);
        s.push(DIGITS[usize::from(b & 15)] as char);
    }
    s
}

/// Where a store's chain breaks, and why.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct ChainBreak {
    /// The entry at which it breaks (0: at the end).
    pub seq: u64,
    pub reason: BreakReason,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum BreakReason {
    /// An entry of another store is among them.
    OtherStore,
    /// Entries are not in order.
    OutOfOrder,
    /// An entry after the chain began carries no link.
    Unlinked,
    /// An entry does not match its link: it was edited, or one before it was removed.
    Mismatch,
    /// The last entry is not the store's newest: entries at the end are missing.
    Truncated,
}

impl fmt::Display for ChainBreak {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.reason {
            BreakReason::OtherStore => write!(f, "entry {} belongs to another store", self.seq),
            BreakReason::OutOfOrder => write!(f, "entry {} is out of order", self.seq),
            BreakReason::Unlinked => write!(f, "entry {} has no link to the one before", self.seq),
            BreakReason::Mismatch => write!(
                f,
                "entry {} does not match its link: it was changed, or an entry before it was removed",
                self.seq
            ),
            BreakReason::Truncated => {
                f.write_str("the log ends early: its newest entries are missing")
            }
        }
    }
}

/// Checks a store's entries in order, one at a time (pages can be fed as they arrive).
/// Entries written before the store chain began carry no link and are counted, not checked.
#[derive(Clone, Debug)]
pub struct StoreChain {
    store_id: Option<String>,
    prev: String,
    last_seq: u64,
    linked: u64,
    before: u64,
}

impl Default for StoreChain {
    fn default() -> Self {
        StoreChain {
            store_id: None,
            prev: STORE_GENESIS.to_string(),
            last_seq: 0,
            linked: 0,
            before: 0,
        }
    }
}

impl StoreChain {
    pub fn new() -> StoreChain {
        StoreChain::default()
    }

    /// The next entry; the first break found.
    pub fn see(&mut self, e: &AuditEntry) -> Result<(), ChainBreak> {
        let broken = |reason| Err(ChainBreak { seq: e.seq, reason });
        match &self.store_id {
            Some(s) if *s != e.store_id => return broken(BreakReason::OtherStore),
            Some(_) => {}
            None => self.store_id = Some(e.store_id.clone()),
        }
        if e.seq <= self.last_seq {
            return broken(BreakReason::OutOfOrder);
        }
        self.last_seq = e.seq;
        match &e.store_hash {
            None if self.linked == 0 => {
                self.before += 1;
                Ok(())
            }
            None => broken(BreakReason::Unlinked),
            Some(h) => {
                if *h != store_link(&self.prev, e) {
                    return broken(BreakReason::Mismatch);
                }
                self.prev = h.clone();
                self.linked += 1;
                Ok(())
            }
        }
    }

    /// After the last entry: it must be the head the server named for the store.
    pub fn finish(&self, head: Option<&str>) -> Result<(), ChainBreak> {
        let end = |reason| Err(ChainBreak { seq: 0, reason });
        match head {
            Some(h) if h != self.prev => end(BreakReason::Truncated),
            None if self.linked > 0 => end(BreakReason::Truncated),
            _ => Ok(()),
        }
    }

    /// Entries checked by their link.
    pub fn linked(&self) -> u64 {
        self.linked
    }
    /// Entries from before the store chain began (not checkable by it).
    pub fn before(&self) -> u64 {
        self.before
    }
    /// The last link (the store's head once every entry was seen).
    pub fn head(&self) -> &str {
        &self.prev
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(seq: u64, store: &str) -> AuditEntry {
        AuditEntry {
            seq,
            at_ms: 1_800_000_000_000 + seq as i64,
            action: "commit".into(),
            store_id: store.into(),
            terminal_id: Some("t1".into()),
            staff_id: None,
            redemption_id: Some(format!("r{seq}")),
            detail: r#"{"quantity":500}"#.into(),
            prev_hash: String::new(),
            hash: format!("{seq:064x}"),
            store_hash: None,
        }
    }

    fn chain(n: u64) -> Vec<AuditEntry> {
        let mut prev = STORE_GENESIS.to_string();
        (1..=n)
            .map(|i| {
                let mut e = entry(i * 3, "s1");
                let h = store_link(&prev, &e);
                e.store_hash = Some(h.clone());
                prev = h;
                e
            })
            .collect()
    }

    fn check(entries: &[AuditEntry], head: Option<&str>) -> Result<u64, ChainBreak> {
        let mut c = StoreChain::new();
        for e in entries {
            c.see(e)?;
        }
        c.finish(head)?;
        Ok(c.linked())
    }

    #[test]
    fn a_stores_chain_verifies_and_any_change_breaks_it() {
        let entries = chain(5);
        let head = entries[4].store_hash.clone();
        assert_eq!(check(&entries, head.as_deref()), Ok(5));
        assert_eq!(
            store_link(STORE_GENESIS, &entries[0]).len(),
            64,
            "hex SHA-256"
        );

        let mut edited = entries.clone();
        edited[2].detail = r#"{"quantity":5000}"#.into();
        assert_eq!(
            check(&edited, head.as_deref()),
            Err(ChainBreak {
                seq: 9,
                reason: BreakReason::Mismatch
            })
        );
        let mut removed = entries.clone();
        removed.remove(1);
        assert_eq!(check(&removed, head.as_deref()).unwrap_err().seq, 9);
        let cut = &entries[..4];
        assert_eq!(
            check(cut, head.as_deref()).unwrap_err().reason,
            BreakReason::Truncated
        );
        let mut absent = entries.clone();
        absent[1].terminal_id = None;
        assert_eq!(check(&absent, head.as_deref()).unwrap_err().seq, 6);
        let mut other = entries.clone();
        other[3].store_id = "s2".into();
        assert_eq!(
            check(&other, head.as_deref()).unwrap_err().reason,
            BreakReason::OtherStore
        );
    }

    #[test]
    fn entries_from_before_the_store_chain_are_counted_not_checked() {
        let mut old = vec![entry(1, "s1"), entry(2, "s1")];
        let mut prev = STORE_GENESIS.to_string();
        let mut linked = entry(3, "s1");
        prev = {
            let h = store_link(&prev, &linked);
            linked.store_hash = Some(h.clone());
            h
        };
        old.push(linked);
        let mut c = StoreChain::new();
        for e in &old {
            c.see(e).unwrap();
        }
        assert_eq!((c.before(), c.linked()), (2, 1));
        assert_eq!(c.finish(Some(&prev)), Ok(()));
        // After the chain began, an entry without a link is a break.
        assert_eq!(
            c.see(&entry(4, "s1")).unwrap_err().reason,
            BreakReason::Unlinked
        );
    }
}
