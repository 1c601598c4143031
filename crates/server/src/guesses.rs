//! Failure limits for the secrets checked by a slow hash: staff PINs and the store's override
//! code (S11). A guess is *counted before it is checked*: the transaction that reads the
//! counts also inserts this attempt into every scope it belongs to, so however many requests
//! arrive at once, no more than the limit are ever handed to argon2. A guess that proves right
//! is taken back ([`settle`]); a wrong one stays counted for the window. A guess whose check
//! never finished (a crash, a timeout) stays counted too: the limit errs on the strict side.
//!
//! Scopes: the terminal (any secret guessed there), the staff member by staff code (across all
//! terminals; an unknown code is limited like a known one, so the limit reveals nothing), and
//! the store's override code. The same counts limit what a self-service kiosk may probe:
//! numbers that are nobody's, and self-service sessions opened.

use crate::crypto;
use crate::error::ApiResult;
use crate::store::Tx;
use contract::{ErrorCode, Problem};

/// Guesses counted per scope within [`WINDOW_MS`].
pub const MAX_FAILURES: u64 = 10;
/// The window of the limit: a quarter hour.
pub const WINDOW_MS: i64 = 15 * 60_000;

/// One scope a guess counts in, its limit, and how its refusal reads.
pub struct Scope {
    key: String,
    who: &'static str,
    max: u64,
    window_ms: i64,
}

impl Scope {
    fn new(key: String, who: &'static str) -> Scope {
        Scope {
            key,
            who,
            max: MAX_FAILURES,
            window_ms: WINDOW_MS,
        }
    }
    /// Every secret guessed on one terminal.
    pub fn terminal(terminal_id: &str) -> Scope {
        Scope::new(format!("terminal:{terminal_id}"), "on this terminal")
    }
    /// One staff member's PIN, on any terminal (sign-in and override alike).
    pub fn staff(store_id: &str, staff_code: &str) -> Scope {
        Scope::new(
            format!("staff:{store_id}:{staff_code}"),
            "for this staff member",
        )
    }
    /// The store's override code.
    pub fn override_code(store_id: &str) -> Scope {
        Scope::new(format!("override:{store_id}"), "for the override code")
    }
    /// Numbers a self-service kiosk looked up that are nobody's: each miss tells the person at
    /// the kiosk that a number is *not* a customer's, so misses are few per kiosk and window.
    pub fn kiosk_miss(terminal_id: &str) -> Scope {
        Scope {
            max: KIOSK_MISSES,
            ..Scope::new(
                format!("kiosk-miss:{terminal_id}"),
                "of numbers that are not a customer's at this kiosk",
            )
        }
    }
    /// Self-service sessions opened on one kiosk (each is a fresh set of per-session limits).
    pub fn self_service_session(terminal_id: &str) -> Scope {
        Scope {
            max: SELF_SERVICE_SESSIONS,
            ..Scope::new(
                format!("kiosk-session:{terminal_id}"),
                "of self-service sessions opened on this kiosk",
            )
        }
    }
}

/// Lookups of numbers that are nobody's, per kiosk and window.
pub const KIOSK_MISSES: u64 = 5;
/// Self-service sessions a kiosk may open per window (the kiosk app keeps one session and
/// forgets each customer; a new session comes with a reload or a restart).
pub const SELF_SERVICE_SESSIONS: u64 = 20;

/// A guess counted in its scopes, until [`settle`] takes it back (right) or keeps it (wrong).
#[must_use = "a counted guess is settled once its check is done"]
#[derive(Debug, Clone)]
pub struct Counted {
    attempt: String,
}

/// Refuses when any scope has reached its limit (`429 rate_limited` with `retry_after_secs`).
pub fn check(tx: &mut dyn Tx, scopes: &[Scope], now_ms: i64) -> ApiResult<()> {
    for scope in scopes {
        let since = now_ms - scope.window_ms;
        if tx.count_guesses_since(&scope.key, since)? >= scope.max {
            let oldest = tx.oldest_guess_since(&scope.key, since)?.unwrap_or(now_ms);
            let wait_ms = (oldest + scope.window_ms - now_ms).max(1_000);
            return Err(Problem::new(ErrorCode::RateLimited)
                .detail(format!(
                    "Too many attempts {}: wait a few minutes",
                    scope.who
                ))
                .retry_after(u32::try_from((wait_ms + 999) / 1000).unwrap_or(u32::MAX))
                .into());
        }
    }
    Ok(())
}

/// Refuses the guess when any scope has reached the limit; otherwise counts it in every scope.
/// Call inside the transaction that precedes the slow check.
pub fn count(tx: &mut dyn Tx, scopes: &[Scope], now_ms: i64) -> ApiResult<Counted> {
    check(tx, scopes, now_ms)?;
    let attempt = crypto::new_id("guess");
    for scope in scopes {
        tx.insert_guess(&attempt, &scope.key, now_ms)?;
    }
    Ok(Counted { attempt })
}

/// After the check: a right guess is taken back, a wrong one stays counted.
pub fn settle(tx: &mut dyn Tx, counted: &Counted, right: bool) -> ApiResult<()> {
    if right {
        tx.forget_guess(&counted.attempt)?;
    }
    Ok(())
}

/// Forgets guesses older than the window (the sweeper).
pub fn prune(tx: &mut dyn Tx, now_ms: i64) -> ApiResult<usize> {
    tx.prune_guesses(now_ms - WINDOW_MS)
}
