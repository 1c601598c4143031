//! The SQLite store: WAL, embedded migrations (`schema`), one writer thread (`writer`), the
//! row mapping (`rows`) and the [`Tx`](super::Tx) implementation (`tx`).

mod rows;
mod schema;
mod tx;
mod writer;

use super::{Job, Store};
use crate::error::ApiError;
use rusqlite::Connection;
use std::path::Path;
use std::sync::atomic::AtomicI64;
use std::sync::mpsc;
use std::sync::{Arc, Mutex};

/// How a commit is made durable before it is answered.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Sync {
    /// The default: commits write the WAL without waiting for the disk
    /// (`synchronous=NORMAL`); a thread of its own syncs the WAL and only then answers every
    /// commit written before the sync began (`writer::sync_forever`). FULL's guarantee, with
    /// the disk's latency off the writer's path.
    Pipelined,
    /// `synchronous=FULL`: the commit itself syncs the WAL, on the writer thread.
    Full,
    /// `synchronous=NORMAL` and no sync: survives a process crash, not a power loss. For
    /// comparison in benchmarks only.
    Normal,
}

/// How the writer makes a commit durable.
#[derive(Clone, Copy, Debug)]
pub struct Durability {
    pub sync: Sync,
    /// After the first job of a group arrives, the writer gathers jobs for this long (or up
    /// to 256 jobs) into one transaction.
    pub group_window: std::time::Duration,
}

impl Default for Durability {
    fn default() -> Self {
        Durability {
            sync: Sync::Pipelined,
            group_window: std::time::Duration::ZERO,
        }
    }
}

/// The WAL is truncated to this size when it starts over (after a complete checkpoint).
const WAL_SIZE_LIMIT: i64 = 64 * 1024 * 1024;

pub struct SqliteStore {
    jobs: Mutex<mpsc::Sender<Job>>,
    /// Jobs that only read (reports), run by a reader thread on a connection of its own.
    reads: Mutex<mpsc::Sender<Job>>,
}

impl SqliteStore {
    /// Opens (creating and migrating) the database and starts the writer thread, whose
    /// transactions chain audit entries with `audit_key`.
    pub fn open(
        path: &Path,
        audit_key: crate::crypto::AuditKey,
        durability: Durability,
    ) -> anyhow_like::Result<SqliteStore> {
        let conn = open_connection(path)?;
        // The writer never checkpoints on commit (that would sync the database file in the
        // middle of a request); a second connection does it in the background.
        let setup = || -> rusqlite::Result<()> {
            conn.pragma_update(None, "wal_autocheckpoint", 0)?;
            let sync = match durability.sync {
                Sync::Full => "FULL",
                Sync::Pipelined | Sync::Normal => "NORMAL",
            };
            conn.pragma_update(None, "synchronous", sync)?;
            conn.pragma_update(None, "journal_size_limit", WAL_SIZE_LIMIT)?;
            Ok(())
        };
        setup().map_err(|e| format!("cannot configure {}: {e}", path.display()))?;
        let checkpointer = open_connection(path)?;
        let wal_frames = Arc::new(AtomicI64::new(0));
        let frames_seen = wal_frames.clone();
        let syncer = match durability.sync {
            Sync::Pipelined => {
                let wal = path.with_file_name(format!(
                    "{}-wal",
                    path.file_name().unwrap_or_default().to_string_lossy()
                ));
                sync_directory_of(path);
                let (to_sync, synced) = mpsc::channel();
                std::thread::Builder::new()
                    .name("sqlite-wal-sync".into())
                    .spawn(move || writer::sync_forever(wal, synced))
                    .map_err(|e| format!("cannot start the WAL sync thread: {e}"))?;
                Some(to_sync)
            }
            Sync::Full | Sync::Normal => None,
        };
        let reader = open_connection(path)?;
        reader
            .pragma_update(None, "query_only", true)
            .map_err(|e| format!("cannot configure {}: {e}", path.display()))?;
        let (reads, read_jobs) = mpsc::channel::<Job>();
        let reader_key = audit_key.clone();
        std::thread::Builder::new()
            .name("sqlite-reader".into())
            .spawn(move || writer::read_forever(reader, read_jobs, reader_key))
            .map_err(|e| format!("cannot start the reader thread: {e}"))?;
        let (tx, rx) = mpsc::channel::<Job>();
        let window = durability.group_window;
        std::thread::Builder::new()
            .name("sqlite-writer".into())
            .spawn(move || writer::run(conn, rx, wal_frames, audit_key, window, syncer))
            .map_err(|e| format!("cannot start the writer thread: {e}"))?;
        std::thread::Builder::new()
            .name("sqlite-checkpoint".into())
            .spawn(move || writer::checkpoint_forever(checkpointer, frames_seen))
            .map_err(|e| format!("cannot start the checkpoint thread: {e}"))?;
        Ok(SqliteStore {
            jobs: Mutex::new(tx),
            reads: Mutex::new(reads),
        })
    }
}

/// A tiny string error for start-up failures, so main can print them plainly.
pub mod anyhow_like {
    pub type Result<T> = std::result::Result<T, String>;
}

pub fn open_connection(path: &Path) -> anyhow_like::Result<Connection> {
    let mut conn =
        Connection::open(path).map_err(|e| format!("cannot open {}: {e}", path.display()))?;
    let setup = || -> rusqlite::Result<()> {
        conn.pragma_update(None, "journal_mode", "WAL")?;
        // NORMAL in WAL mode survives a process crash (kill -9); only an OS crash could lose
        // the last commits, never corrupt the file. The writer's connection raises it to FULL
        // (`Durability`): a commit it answers is on disk.
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        // Keep the working set in memory: 64 MiB of page cache and memory-mapped reads
        // spare the writer thread a system call per page.
        conn.pragma_update(None, "cache_size", -65_536)?;
        conn.pragma_update(None, "mmap_size", 268_435_456)?;
        conn.pragma_update(None, "temp_store", "MEMORY")?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        // Every statement the server runs stays prepared, and stays compiled: without the
        // query planner stability guarantee, a statement whose plan weighed a bound value
        // (a partial index's condition, a LIMIT) is compiled again at every new binding. The
        // audit's store link lookup was, on every audit entry: 6% of the writer's time
        // (issue 12's p99). Every partial index's condition is written literally in the
        // queries that use it, so the plans are the same.
        conn.set_db_config(
            rusqlite::config::DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG,
            true,
        )?;
        conn.set_prepared_statement_cache_capacity(128);
        Ok(())
    };
    setup().map_err(|e| format!("cannot configure {}: {e}", path.display()))?;
    schema::migrate(&mut conn).map_err(|e| format!("cannot open {}: {e}", path.display()))?;
    Ok(conn)
}

/// Makes the database's directory entries (the file, its WAL) durable, once at start: a
/// sync of the WAL file's data covers its contents, not its name.
fn sync_directory_of(path: &Path) {
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    if let Err(e) = std::fs::File::open(dir).and_then(|d| d.sync_all()) {
        tracing::warn!(error = %e, dir = %dir.display(), "cannot sync the database's directory");
    }
}

/// Demo mode publishes every code it sends at `/demo/outbox.json`, so it runs only on a file
/// it created itself: a missing or empty file is created and marked (`meta.created_by =
/// demo`); an existing file without the mark (a real store's database) is refused.
pub fn claim_for_demo(path: &Path) -> anyhow_like::Result<()> {
    let fresh = std::fs::metadata(path).map_or(true, |m| m.len() == 0);
    let conn = match fresh {
        true => open_connection(path)?,
        false => {
            Connection::open(path).map_err(|e| format!("cannot open {}: {e}", path.display()))?
        }
    };
    if fresh {
        conn.execute(
            "INSERT OR REPLACE INTO meta (key, value) VALUES ('created_by', 'demo')",
            [],
        )
        .map_err(|e| format!("cannot mark {} as a demo's: {e}", path.display()))?;
        return Ok(());
    }
    let created_by: Option<String> = conn
        .query_row("SELECT value FROM meta WHERE key = 'created_by'", [], |r| {
            r.get(0)
        })
        .ok();
    match created_by.as_deref() {
        Some("demo") => Ok(()),
        _ => Err(format!(
            "--demo refuses {}: demo mode did not create this database, and it would publish the \
             codes of its customers at /demo/outbox.json. Start the demo on a new file (or \
             without --db), or serve this one without --demo.",
            path.display()
        )),
    }
}

impl Store for SqliteStore {
    fn submit(&self, job: Job) -> Result<(), ApiError> {
        let jobs = self
            .jobs
            .lock()
            .map_err(|_| ApiError::internal("store lock poisoned"))?;
        jobs.send(job)
            .map_err(|_| ApiError::internal("store worker stopped"))
    }

    fn submit_read(&self, job: Job) -> Result<(), ApiError> {
        let reads = self
            .reads
            .lock()
            .map_err(|_| ApiError::internal("store lock poisoned"))?;
        reads
            .send(job)
            .map_err(|_| ApiError::internal("store reader stopped"))
    }
}
