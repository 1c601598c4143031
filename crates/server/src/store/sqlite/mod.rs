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

pub struct SqliteStore {
    jobs: Mutex<mpsc::Sender<Job>>,
}

impl SqliteStore {
    /// Opens (creating and migrating) the database and starts the writer thread, whose
    /// transactions chain audit entries with `audit_key`.
    pub fn open(
        path: &Path,
        audit_key: crate::crypto::AuditKey,
    ) -> anyhow_like::Result<SqliteStore> {
        let conn = open_connection(path)?;
        // The writer never checkpoints (that would fsync the database file in the middle of
        // a request); a second connection does it in the background.
        conn.pragma_update(None, "wal_autocheckpoint", 0)
            .map_err(|e| format!("cannot configure {}: {e}", path.display()))?;
        let checkpointer = open_connection(path)?;
        let wal_frames = Arc::new(AtomicI64::new(0));
        let frames_seen = wal_frames.clone();
        let (tx, rx) = mpsc::channel::<Job>();
        std::thread::Builder::new()
            .name("sqlite-writer".into())
            .spawn(move || writer::run(conn, rx, wal_frames, audit_key))
            .map_err(|e| format!("cannot start the writer thread: {e}"))?;
        std::thread::Builder::new()
            .name("sqlite-checkpoint".into())
            .spawn(move || writer::checkpoint_forever(checkpointer, frames_seen))
            .map_err(|e| format!("cannot start the checkpoint thread: {e}"))?;
        Ok(SqliteStore {
            jobs: Mutex::new(tx),
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
        // NORMAL in WAL mode survives a process crash (kill -9); only an OS crash could
        // lose the last commits, never corrupt the file.
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        // Keep the working set in memory: 64 MiB of page cache and memory-mapped reads
        // spare the writer thread a system call per page.
        conn.pragma_update(None, "cache_size", -65_536)?;
        conn.pragma_update(None, "mmap_size", 268_435_456)?;
        conn.pragma_update(None, "temp_store", "MEMORY")?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        // Every statement the server runs stays prepared.
        conn.set_prepared_statement_cache_capacity(128);
        Ok(())
    };
    setup().map_err(|e| format!("cannot configure {}: {e}", path.display()))?;
    schema::migrate(&mut conn).map_err(|e| format!("cannot open {}: {e}", path.display()))?;
    Ok(conn)
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
}
