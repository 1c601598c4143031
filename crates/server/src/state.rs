//! What every request shares: the store, the clock, the code secret, the message gateways,
//! the configuration, and the few in-memory guards (commit keys in flight, argon2 permits).
//! The router (`app`) is assembled around it; nothing here knows about routes.

use crate::config::Config;
use crate::crypto::Secret;
use crate::error::ApiError;
use crate::gateways::{DemoOutbox, Gateway, Unconfigured};
use crate::store::Db;
use std::collections::HashSet;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex};

/// The server's clock. Tests may move it forward (only with `--testing-clock`) so expiry
/// can be checked without waiting minutes.
#[derive(Default)]
pub struct Clock {
    offset_ms: AtomicI64,
}

impl Clock {
    pub fn now_ms(&self) -> i64 {
        let system = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_millis() as i64)
            .unwrap_or(0);
        system + self.offset_ms.load(Ordering::Relaxed)
    }
    pub fn advance(&self, secs: i64) {
        self.offset_ms.fetch_add(secs * 1000, Ordering::Relaxed);
    }
}

pub struct AppState {
    pub db: Db,
    pub clock: Clock,
    pub secret: Secret,
    /// Every channel's gateway (configured ones, else the demo phone or "not configured").
    pub gateway: Arc<dyn Gateway>,
    /// Present only in demo mode: the one place codes are visible.
    pub outbox: Option<Arc<DemoOutbox>>,
    pub config: Config,
    /// Post (commit) keys being processed right now, for `idempotency_in_flight`.
    pub posts_in_flight: Mutex<HashSet<String>>,
    /// Cashiers whose signals are about to be evaluated (`alerts::after`), as store and staff.
    pub alerts_pending: Mutex<HashSet<String>>,
    /// One audit checkpoint at a time, from taking it to logging it; `true` once the last
    /// one (at shutdown) is written, so a periodic one can no longer follow it half-done.
    pub checkpoints_closed: tokio::sync::Mutex<bool>,
    /// The OpenAPI document served at `/v1/openapi.json`.
    pub openapi_json: String,
    /// Argon2 checks running at once: one per core, so a burst of sign-ins cannot take
    /// every thread (and tens of MiB each) from redemptions.
    slow_hash_permits: tokio::sync::Semaphore,
}

pub type Shared = Arc<AppState>;

impl AppState {
    /// `openapi_json` is the document this server serves (see `openapi::document_json`).
    pub fn new(db: Db, config: Config, openapi_json: String) -> Shared {
        let outbox = config.demo.then(|| Arc::new(DemoOutbox::new()));
        // Configured gateways win; the other channels go to the demo phone in demo mode.
        let fallback: Arc<dyn Gateway> = match &outbox {
            Some(o) => o.clone(),
            None => Arc::new(Unconfigured),
        };
        let gateway: Arc<dyn Gateway> = Arc::new(config.router(fallback));
        Arc::new(AppState {
            db,
            clock: Clock::default(),
            secret: config.secret.clone(),
            gateway,
            outbox,
            posts_in_flight: Mutex::new(HashSet::new()),
            alerts_pending: Mutex::new(HashSet::new()),
            checkpoints_closed: tokio::sync::Mutex::new(false),
            openapi_json,
            slow_hash_permits: tokio::sync::Semaphore::new(
                std::thread::available_parallelism()
                    .map(usize::from)
                    .unwrap_or(1),
            ),
            config,
        })
    }

    /// Runs a slow (argon2) check off the async runtime, a bounded number at a time.
    pub async fn slow_check(
        &self,
        check: impl FnOnce() -> bool + Send + 'static,
    ) -> Result<bool, ApiError> {
        let _permit = self
            .slow_hash_permits
            .acquire()
            .await
            .map_err(ApiError::internal)?;
        tokio::task::spawn_blocking(check)
            .await
            .map_err(ApiError::internal)
    }
}

/// Marks a post (commit) key as in flight until dropped (also when the request times out).
pub struct InFlight<'a> {
    set: &'a Mutex<HashSet<String>>,
    key: String,
}

impl<'a> InFlight<'a> {
    pub fn acquire(set: &'a Mutex<HashSet<String>>, key: String) -> Option<InFlight<'a>> {
        let mut keys = set.lock().unwrap_or_else(|p| p.into_inner());
        keys.insert(key.clone()).then(|| InFlight { set, key })
    }
}

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        self.set
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(&self.key);
    }
}
