//! Failure limits for the secrets checked by a slow hash: staff PINs and the store's override
//! code (S11). A guess is *counted before it is checked* ([`reserve`]): the transaction that
//! reads the counts also inserts this attempt, pending, into every scope it belongs to, so
//! however many requests arrive at once, wrong and pending guesses together never pass the
//! limit and no more than the limit are ever handed to argon2. A guess that proves right is
//! taken back ([`settle`]); a wrong one stays counted for the window. While a scope is full
//! but some of its guesses are still pending, a new guess waits for a place (they may prove
//! right) instead of being refused; once the wrong ones fill it, every guess is refused. A
//! guess whose check never finished (a crash) counts as wrong after a minute.
//!
//! Scopes: the terminal (any secret guessed there), the staff member by staff code (across all
//! terminals; an unknown code is limited like a known one, so the limit reveals nothing), and
//! the store's override code. The same counts limit what a self-service kiosk may probe:
//! numbers that are nobody's, and self-service sessions opened.

use crate::crypto;
use crate::error::{ApiError, ApiResult};
use crate::state::Clock;
use crate::store::{Db, Tx};
use contract::{ErrorCode, Problem};

/// Guesses counted per scope within [`WINDOW_MS`].
pub const MAX_FAILURES: u64 = 10;
/// The window of the limit: a quarter hour.
pub const WINDOW_MS: i64 = 15 * 60_000;

/// One scope a guess counts in, its limit, and how its refusal reads.
#[derive(Clone, Debug)]
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

fn limited(tx: &mut dyn Tx, scope: &Scope, now_ms: i64) -> ApiResult<ApiError> {
    let since = now_ms - scope.window_ms;
    let oldest = tx.oldest_guess_since(&scope.key, since)?.unwrap_or(now_ms);
    let wait_ms = (oldest + scope.window_ms - now_ms).max(1_000);
    Ok(Problem::new(ErrorCode::RateLimited)
        .detail(format!(
            "Too many attempts {}: wait a few minutes",
            scope.who
        ))
        .retry_after(u32::try_from((wait_ms + 999) / 1000).unwrap_or(u32::MAX))
        .into())
}

/// Refuses when any scope has reached its limit (`429 rate_limited` with `retry_after_secs`).
pub fn check(tx: &mut dyn Tx, scopes: &[Scope], now_ms: i64) -> ApiResult<()> {
    for scope in scopes {
        if tx.count_guesses_since(&scope.key, now_ms - scope.window_ms)? >= scope.max {
            return Err(limited(tx, scope, now_ms)?);
        }
    }
    Ok(())
}

/// Counts an event that needs no slow check (a kiosk's miss, a session opened): refused
/// when a scope is full.
pub fn count(tx: &mut dyn Tx, scopes: &[Scope], now_ms: i64) -> ApiResult<()> {
    check(tx, scopes, now_ms)?;
    let attempt = crypto::new_id("count");
    for scope in scopes {
        tx.insert_guess(&attempt, &scope.key, now_ms, false)?;
    }
    Ok(())
}

/// A guess still pending this long is taken as wrong (its check never finished: a crash);
/// longer than any request may take.
const STALE_MS: i64 = 60_000;

/// Counts a guess before its slow check, in the transaction that reads the counts.
/// `Err(rate_limited)` when a scope holds its limit of wrong guesses; `Ok(None)` when a scope
/// is full but some of its guesses are still being checked: the caller waits and asks again
/// (they may prove right and be taken back), so a burst of right PINs is served in turn while
/// wrong and pending guesses together never pass the limit.
pub fn reserve(tx: &mut dyn Tx, scopes: &[Scope], now_ms: i64) -> ApiResult<Option<Counted>> {
    for scope in scopes {
        let since = now_ms - scope.window_ms;
        if tx.count_settled_guesses_since(&scope.key, since, now_ms - STALE_MS)? >= scope.max {
            return Err(limited(tx, scope, now_ms)?);
        }
    }
    for scope in scopes {
        if tx.count_guesses_since(&scope.key, now_ms - scope.window_ms)? >= scope.max {
            return Ok(None);
        }
    }
    let attempt = crypto::new_id("guess");
    for scope in scopes {
        tx.insert_guess(&attempt, &scope.key, now_ms, true)?;
    }
    Ok(Some(Counted { attempt }))
}

/// How long a guess waits for a place before it is refused, and how often it asks.
pub const WAIT_FOR_PLACE: std::time::Duration = std::time::Duration::from_secs(8);
pub const ASK_EVERY: std::time::Duration = std::time::Duration::from_millis(40);

/// [`reserve`] in a transaction of its own, asked again every [`ASK_EVERY`] while the scopes
/// are full of pending guesses, for up to [`WAIT_FOR_PLACE`].
pub async fn reserve_waiting(db: &Db, clock: &Clock, scopes: Vec<Scope>) -> ApiResult<Counted> {
    let started = std::time::Instant::now();
    loop {
        let (now, asked) = (clock.now_ms(), scopes.clone());
        if let Some(counted) = db.run(move |tx| reserve(tx, &asked, now)).await? {
            return Ok(counted);
        }
        if started.elapsed() > WAIT_FOR_PLACE {
            return Err(busy());
        }
        tokio::time::sleep(ASK_EVERY).await;
    }
}

/// The refusal when no place came free in time.
pub fn busy() -> ApiError {
    Problem::new(ErrorCode::RateLimited)
        .detail("Too many attempts at once: try again in a moment")
        .retry_after(2)
        .into()
}

/// After the check: a right guess is taken back, a wrong one stays counted.
pub fn settle(tx: &mut dyn Tx, counted: &Counted, right: bool) -> ApiResult<()> {
    match right {
        true => tx.forget_guess(&counted.attempt),
        false => tx.settle_guess(&counted.attempt),
    }
}

/// Forgets guesses older than the window (the sweeper).
pub fn prune(tx: &mut dyn Tx, now_ms: i64) -> ApiResult<usize> {
    tx.prune_guesses(now_ms - WINDOW_MS)
}
