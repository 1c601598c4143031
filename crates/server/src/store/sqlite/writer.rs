//! The single writer thread: every job runs here, so check-and-hold is serialised without
//! locks (S6). Jobs that queue up while one runs are grouped into one transaction, each inside
//! its own savepoint (a failing job rolls back alone); replies go out only after the group
//! commits, so a client never hears of a change that a crash could still undo. A second
//! connection checkpoints the WAL in the background.

use super::tx::{Cache, SqliteTx};
use crate::error::ApiError;
use crate::store::{Job, Reply};
use rusqlite::{Connection, TransactionBehavior};
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::mpsc;
use std::sync::Arc;

/// Jobs gathered into one transaction at most.
const MAX_GROUP: usize = 256;

/// Copies the WAL into the database file in the background, often, so little is left to
/// copy when the writer finishes a checkpoint (a passive checkpoint never takes the lock).
pub(super) fn checkpoint_forever(conn: Connection, wal_frames: Arc<AtomicI64>) {
    let busy = std::time::Duration::from_millis(20);
    let (mut pause, mut last_frames) = (busy, -1i64);
    loop {
        std::thread::sleep(pause);
        // Returns (busy, frames in the WAL, frames copied). While the WAL is changing, keep
        // up every 20 ms; on an idle server, back off to twice a second.
        match conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |r| r.get::<_, i64>(1)) {
            Ok(frames) if frames != last_frames => {
                wal_frames.store(frames, Ordering::Relaxed);
                pause = busy;
                last_frames = frames;
            }
            Ok(_) => pause = (pause * 2).min(std::time::Duration::from_millis(500)),
            Err(e) => tracing::warn!(error = %e, "checkpoint failed"),
        }
    }
}

/// A busy writer never leaves the background checkpoint a quiet moment to finish, and the
/// WAL only starts over after a finished one. So when the WAL holds many frames (about
/// 256 MiB), the writer finishes the (mostly done) checkpoint itself between transactions:
/// a few milliseconds, every few seconds under full load.
const WAL_RESET_FRAMES: i64 = 65_536;

fn finish_checkpoint_if_large(conn: &Connection, wal_frames: &AtomicI64) {
    if wal_frames.load(Ordering::Relaxed) > WAL_RESET_FRAMES {
        let _ = conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(()));
        wal_frames.store(0, Ordering::Relaxed);
    }
}

pub(super) fn run(
    mut conn: Connection,
    rx: mpsc::Receiver<Job>,
    wal_frames: Arc<AtomicI64>,
    audit_key: crate::crypto::AuditKey,
) {
    let mut cache = Cache::default();
    let mut seen = DataVersion::default();
    let mut last_wal_check = std::time::Instant::now();
    while let Ok(first) = rx.recv() {
        if last_wal_check.elapsed() > std::time::Duration::from_millis(500) {
            let started = std::time::Instant::now();
            finish_checkpoint_if_large(&conn, &wal_frames);
            if started.elapsed() > std::time::Duration::from_millis(5) {
                tracing::debug!(
                    took_ms = started.elapsed().as_millis() as u64,
                    "writer finished a checkpoint"
                );
            }
            last_wal_check = std::time::Instant::now();
        }
        let mut group = vec![first];
        while group.len() < MAX_GROUP {
            match rx.try_recv() {
                Ok(job) => group.push(job),
                Err(_) => break,
            }
        }
        let mut replies: Vec<(tokio::sync::oneshot::Sender<Reply>, Reply)> =
            Vec::with_capacity(group.len());
        let started = std::time::Instant::now();
        let jobs = group.len();
        let outcome = run_group(
            &mut conn,
            &mut cache,
            &mut seen,
            &audit_key,
            group,
            &mut replies,
        );
        let took = started.elapsed();
        if took > std::time::Duration::from_millis(20) {
            tracing::warn!(
                jobs,
                took_ms = took.as_millis() as u64,
                "slow transaction group"
            );
        }
        match outcome {
            Ok(()) => {
                for (to, reply) in replies {
                    let _ = to.send(reply);
                }
            }
            Err(e) => {
                cache.clear();
                tracing::error!(error = %e, "transaction group failed; every job in it is refused");
                for (to, _) in replies {
                    let _ = to.send(Err(ApiError::new(contract::ErrorCode::Internal)));
                }
            }
        }
    }
}

/// `PRAGMA data_version` as this connection last read it. It changes when *another*
/// connection (another process on the same file, an operator's `sqlite3`) committed since the
/// last read; this connection's own commits leave it alone.
#[derive(Default)]
struct DataVersion(Option<i64>);

impl DataVersion {
    /// Whether another connection committed since the last call. Read inside the group's
    /// transaction, so it covers exactly the snapshot the group's jobs will see.
    fn changed(&mut self, conn: &Connection) -> rusqlite::Result<bool> {
        let now: i64 = conn.query_row("PRAGMA data_version", [], |r| r.get(0))?;
        Ok(self.0.replace(now).is_some_and(|before| before != now))
    }
}

fn run_group(
    conn: &mut Connection,
    cache: &mut Cache,
    seen: &mut DataVersion,
    audit_key: &crate::crypto::AuditKey,
    group: Vec<Job>,
    replies: &mut Vec<(tokio::sync::oneshot::Sender<Reply>, Reply)>,
) -> rusqlite::Result<()> {
    let mut txn = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    // A change committed by another process (a revoked terminal, a signed-out session, a new
    // policy) is seen by the next request: the cached rows are dropped when it happened.
    if seen.changed(&txn)? {
        cache.clear();
    }
    for job in group {
        let sp = txn.savepoint()?;
        let work = job.work;
        let out = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            let mut tx = SqliteTx {
                conn: &sp,
                cache: &mut *cache,
                audit_key,
            };
            work(&mut tx)
        }))
        .unwrap_or_else(|_| Err(ApiError::internal("a store job panicked")));
        let keep = match &out {
            Ok(_) => true,
            Err(e) => e.keep_changes,
        };
        if keep {
            sp.commit()?;
        } else {
            drop(sp); // rolls back to the savepoint and releases it
            cache.clear();
        }
        replies.push((job.reply, out));
    }
    txn.commit()
}
