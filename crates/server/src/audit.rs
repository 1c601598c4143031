//! The append-only, hash-chained audit log (S7). Each entry's hash is
//! SHA-256(prev_hash ‖ canonical fields), so editing, removing or reordering any entry breaks
//! every link after it. The log never holds a code: callers pass facts, not messages.

use crate::crypto::sha256_hex;
use crate::error::ApiResult;
use crate::store::Tx;
use contract::api::AuditEntry;
use serde_json::{json, Value};

pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// Who did it and where.
#[derive(Clone, Debug)]
pub struct Actor {
    pub store_id: String,
    pub terminal_id: Option<String>,
    pub staff_id: Option<String>,
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
    action: &str,
    redemption_id: Option<&str>,
    detail: Value,
) -> ApiResult<()> {
    let (last_seq, prev_hash) = tx.last_audit()?.unwrap_or((0, GENESIS.to_string()));
    let mut e = AuditEntry {
        seq: last_seq + 1,
        at_ms,
        action: action.to_string(),
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
