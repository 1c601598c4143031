//! The [`Tx`](crate::store::Tx) implementation: one SQLite transaction (a savepoint of the
//! writer's group), one file per area of the trait.

mod audit;
mod cards;
mod customers;
mod deliveries;
mod kiosk;
mod limits;
mod outreach;
mod redemptions;
mod reports;
mod tenancy;
mod vouchers;

use super::rows::u;
use crate::error::ApiResult;
use crate::model::{SessionRow, StaffRow, StoreRow, TerminalRow};
use rusqlite::{Connection, OptionalExtension, Row};
use std::collections::HashMap;

/// Rows every request reads to authenticate, kept by the writer thread (the process's only
/// writer, so it sees every change it makes). Entries are dropped when their rows change, the
/// whole cache when a job rolls back, and when another connection (another process) committed
/// since the writer last looked (`PRAGMA data_version`, checked at the start of every group):
/// it never holds what the database does not.
#[derive(Default)]
pub(super) struct Cache {
    stores: HashMap<String, StoreRow>,
    terminals: HashMap<String, TerminalRow>,
    staff: HashMap<(String, String), StaffRow>,
    sessions: HashMap<String, SessionRow>,
}

impl Cache {
    pub(super) fn clear(&mut self) {
        *self = Cache::default();
    }
}

pub(super) struct SqliteTx<'c> {
    pub(super) conn: &'c Connection,
    pub(super) cache: &'c mut Cache,
    pub(super) audit_key: &'c crate::crypto::AuditKey,
}

impl SqliteTx<'_> {
    fn all<T>(
        &self,
        sql: &str,
        params: impl rusqlite::Params,
        f: impl FnMut(&Row) -> rusqlite::Result<T>,
    ) -> ApiResult<Vec<T>> {
        let mut stmt = self.conn.prepare_cached(sql)?;
        let rows = stmt.query_map(params, f)?;
        Ok(rows.collect::<rusqlite::Result<Vec<T>>>()?)
    }

    fn one<T>(
        &self,
        sql: &str,
        params: impl rusqlite::Params,
        f: impl FnOnce(&Row) -> rusqlite::Result<T>,
    ) -> ApiResult<Option<T>> {
        let mut stmt = self.conn.prepare_cached(sql)?;
        Ok(stmt.query_row(params, f).optional()?)
    }

    fn exec(&self, sql: &str, params: impl rusqlite::Params) -> ApiResult<usize> {
        let mut stmt = self.conn.prepare_cached(sql)?;
        Ok(stmt.execute(params)?)
    }

    fn count(&self, sql: &str, params: impl rusqlite::Params) -> ApiResult<u64> {
        Ok(self
            .one(sql, params, |r| r.get::<_, i64>(0))?
            .map(u)
            .unwrap_or(0))
    }
}
