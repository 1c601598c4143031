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
pub(super) const MAX_GROUP: usize = 256;

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
/// 32 MiB), the writer finishes the (mostly done) checkpoint itself between transactions:
/// a few milliseconds, every few seconds under full load. With `journal_size_limit`, the WAL
/// file stays near that size instead of growing while the load lasts (issue 12: 380–490 MB
/// within a minute, and zeroing its new pages cost about 5% of the server's CPU).
const WAL_RESET_FRAMES: i64 = 8_192;

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
    window: std::time::Duration,
    syncer: Option<mpsc::Sender<Replies>>,
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
        // Group commit: what is queued, plus what arrives within the window, shares one
        // transaction and so one disk sync (FULL).
        let mut group = vec![first];
        let until = std::time::Instant::now() + window;
        while group.len() < MAX_GROUP {
            match rx.try_recv() {
                Ok(job) => group.push(job),
                Err(mpsc::TryRecvError::Disconnected) => break,
                Err(mpsc::TryRecvError::Empty) => {
                    let left = until.saturating_duration_since(std::time::Instant::now());
                    if left.is_zero() {
                        break;
                    }
                    match rx.recv_timeout(left) {
                        Ok(job) => group.push(job),
                        Err(_) => break,
                    }
                }
            }
        }
        let mut replies = Answers::default();
        let started = std::time::Instant::now();
        let jobs = group.len();
        let metrics = crate::metrics::get();
        for job in &group {
            metrics.job(started.saturating_duration_since(job.queued));
        }
        let outcome = run_group(
            &mut conn,
            &mut cache,
            &mut seen,
            &audit_key,
            group,
            &mut replies,
        );
        let took = started.elapsed();
        metrics.transaction(took);
        if took > std::time::Duration::from_millis(20) {
            tracing::warn!(
                jobs,
                took_ms = took.as_millis() as u64,
                "slow transaction group"
            );
        }
        match outcome {
            // Committed: answered once it is on disk (the syncer), or at once (FULL synced it
            // inside the commit; NORMAL does not wait for the disk).
            Ok(()) => {
                answer(replies.at_commit);
                match &syncer {
                    Some(syncer) if !replies.on_disk.is_empty() => {
                        if let Err(mpsc::SendError(on_disk)) = syncer.send(replies.on_disk) {
                            tracing::error!("the WAL syncer stopped; answering without it");
                            answer(on_disk);
                        }
                    }
                    _ => answer(replies.on_disk),
                }
            }
            Err(e) => {
                cache.clear();
                tracing::error!(error = %e, "transaction group failed; every job in it is refused");
                for (to, _) in replies.at_commit.into_iter().chain(replies.on_disk) {
                    let _ = to.send(Err(ApiError::new(contract::ErrorCode::Internal)));
                }
            }
        }
    }
}

/// The reader thread: each job runs in a read transaction of its own (one snapshot of what
/// was committed) on a `query_only` connection, so a long report never holds up the writer.
pub(super) fn read_forever(
    conn: Connection,
    rx: mpsc::Receiver<Job>,
    audit_key: crate::crypto::AuditKey,
) {
    while let Ok(job) = rx.recv() {
        crate::metrics::get().job(job.queued.elapsed());
        let mut cache = Cache::default();
        let out = match conn.execute_batch("BEGIN") {
            Err(e) => Err(ApiError::internal(format!("cannot begin a read: {e}"))),
            Ok(()) => {
                let work = job.work;
                let out = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                    let mut tx = SqliteTx {
                        conn: &conn,
                        cache: &mut cache,
                        audit_key: &audit_key,
                    };
                    work(&mut tx)
                }))
                .unwrap_or_else(|_| Err(ApiError::internal("a store job panicked")));
                let _ = conn.execute_batch("ROLLBACK");
                out
            }
        };
        let _ = job.reply.send(out);
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

/// Answers waiting to be sent.
pub(super) type Replies = Vec<(tokio::sync::oneshot::Sender<Reply>, Reply)>;

/// A group's answers: those sent once it commits, and those sent once it is on disk
/// ([`Job::durable`](crate::store::Job::durable)).
#[derive(Default)]
struct Answers {
    at_commit: Replies,
    on_disk: Replies,
}

fn answer(replies: Replies) {
    for (to, reply) in replies {
        let _ = to.send(reply);
    }
}

/// Pipelined group commit (the default durability): the writer commits with
/// `synchronous=NORMAL` (its commit writes the WAL frames but does not wait for the disk) and
/// hands the group's answers here; this thread syncs the WAL file (`fdatasync`) and only then
/// sends them. One sync covers every group committed before it began, and the writer runs the
/// next group while the disk works. The guarantee is FULL's: no answer leaves before the WAL
/// frames of its commit are on disk. (Checkpoints stay safe on their own: with NORMAL, SQLite
/// syncs the WAL before copying it into the database and the database before the WAL starts
/// over.)
pub(super) fn sync_forever(wal: std::path::PathBuf, rx: mpsc::Receiver<Replies>) {
    let open = |wal: &std::path::Path| std::fs::File::open(wal);
    let mut file = open(&wal).ok();
    sync_then_answer(rx, move || {
        let synced = match &file {
            Some(f) => f.sync_data(),
            None => Err(std::io::Error::other("the WAL file is not open")),
        };
        if let Err(e) = synced {
            // The WAL file may have been replaced (deleted and created again): reopen it.
            file = open(&wal).ok();
            let again = file
                .as_ref()
                .map(|f| f.sync_data())
                .unwrap_or_else(|| Err(std::io::Error::other("cannot open the WAL file")));
            if let Err(e2) = again {
                tracing::error!(error = %e, retry = %e2, wal = %wal.display(), "cannot sync the WAL: answering commits that may not survive a power loss");
            }
        }
    });
}

/// Waits for answers, takes every batch queued meanwhile, runs one `sync` for all of them,
/// and only then sends them.
fn sync_then_answer(rx: mpsc::Receiver<Replies>, mut sync: impl FnMut()) {
    while let Ok(first) = rx.recv() {
        let mut waiting = first;
        while let Ok(more) = rx.try_recv() {
            waiting.extend(more);
        }
        sync();
        answer(waiting);
    }
}

fn run_group(
    conn: &mut Connection,
    cache: &mut Cache,
    seen: &mut DataVersion,
    audit_key: &crate::crypto::AuditKey,
    group: Vec<Job>,
    replies: &mut Answers,
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
        match job.durable {
            true => replies.on_disk.push((job.reply, out)),
            false => replies.at_commit.push((job.reply, out)),
        }
    }
    txn.commit()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::AtomicUsize;

    /// S6 (durability): an answer that must survive a power loss leaves only after the sync
    /// that covers its commit, and one sync covers every batch queued while the last ran.
    #[test]
    fn s6_a_durable_answer_waits_for_the_wal_sync_and_one_sync_covers_a_queue() {
        let (to_sync, synced) = mpsc::channel::<Replies>();
        let (gate_tx, gate) = mpsc::channel::<()>();
        let syncs = Arc::new(AtomicUsize::new(0));
        let counted = syncs.clone();
        let syncer = std::thread::spawn(move || {
            sync_then_answer(synced, move || {
                gate.recv().unwrap(); // the disk is slow until the test says so
                counted.fetch_add(1, Ordering::SeqCst);
            })
        });
        let batch = || {
            let (tx, rx) = tokio::sync::oneshot::channel::<Reply>();
            (
                vec![(tx, Ok(Box::new(7u8) as Box<dyn std::any::Any + Send>))],
                rx,
            )
        };
        let (first, mut first_rx) = batch();
        to_sync.send(first).unwrap();
        std::thread::sleep(std::time::Duration::from_millis(50));
        assert!(
            first_rx.try_recv().is_err(),
            "answered before the sync finished"
        );
        // Two more commits while the first sync is under way: one sync for both.
        let (second, mut second_rx) = batch();
        let (third, mut third_rx) = batch();
        to_sync.send(second).unwrap();
        to_sync.send(third).unwrap();
        gate_tx.send(()).unwrap();
        let wait = |rx: &mut tokio::sync::oneshot::Receiver<Reply>| loop {
            match rx.try_recv() {
                Ok(reply) => return reply,
                Err(_) => std::thread::sleep(std::time::Duration::from_millis(5)),
            }
        };
        assert!(wait(&mut first_rx).is_ok());
        std::thread::sleep(std::time::Duration::from_millis(50));
        assert!(second_rx.try_recv().is_err() && third_rx.try_recv().is_err());
        gate_tx.send(()).unwrap();
        assert!(wait(&mut second_rx).is_ok() && wait(&mut third_rx).is_ok());
        assert_eq!(syncs.load(Ordering::SeqCst), 2);
        drop(to_sync);
        syncer.join().unwrap();
    }
}
