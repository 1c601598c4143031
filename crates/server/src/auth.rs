//! Who is calling: the terminal (per-terminal token) and the signed-in staff member
//! (session bearer token). Tokens are looked up by their SHA-256; the tokens themselves are
//! never stored. Resolution happens inside the request's own transaction, so a request is one
//! trip to the store.

use crate::audit::Actor;
use crate::crypto::sha256_hex;
use crate::error::{ApiError, ApiResult};
use crate::model::{SessionRow, StaffRow, StoreRow, TerminalRow};
use crate::store::Tx;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use contract::api::{Role, StaffInfo, StoreInfo, TerminalInfo, TerminalMode, TERMINAL_HEADER};
use contract::ErrorCode;
use std::convert::Infallible;

/// The raw credentials of a request, hashed at once so the tokens go no further.
#[derive(Clone, Debug)]
pub struct Credentials {
    pub terminal_hash: Option<String>,
    pub session_hash: Option<String>,
}

impl<S: Send + Sync> FromRequestParts<S> for Credentials {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let terminal_hash = parts
            .headers
            .get(TERMINAL_HEADER)
            .and_then(|v| v.to_str().ok())
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .map(|t| sha256_hex(t.as_bytes()));
        let session_hash = parts
            .headers
            .get(axum::http::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| {
                v.strip_prefix("Bearer ")
                    .or_else(|| v.strip_prefix("bearer "))
            })
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .map(|t| sha256_hex(t.as_bytes()));
        Ok(Credentials {
            terminal_hash,
            session_hash,
        })
    }
}

/// A recognised terminal and its store.
#[derive(Clone, Debug)]
pub struct TerminalCaller {
    pub terminal: TerminalRow,
    pub store: StoreRow,
}

/// A signed-in caller. `staff` is `None` for a kiosk's self-service session.
#[derive(Clone, Debug)]
pub struct Caller {
    pub terminal: TerminalRow,
    pub store: StoreRow,
    pub staff: Option<StaffRow>,
    pub session_hash: String,
}

pub fn resolve_terminal(tx: &mut dyn Tx, creds: &Credentials) -> ApiResult<TerminalCaller> {
    let hash = creds.terminal_hash.as_deref().ok_or_else(|| {
        ApiError::new(ErrorCode::Unauthenticated)
            .detail(format!("Send the terminal's token in {TERMINAL_HEADER}"))
    })?;
    let terminal = tx
        .terminal_by_token_hash(hash)?
        .ok_or_else(|| ApiError::new(ErrorCode::Unauthenticated))?;
    let store = tx
        .store(&terminal.store_id)?
        .ok_or_else(|| ApiError::internal(format!("terminal {} has no store", terminal.id)))?;
    Ok(TerminalCaller { terminal, store })
}

pub fn resolve(tx: &mut dyn Tx, creds: &Credentials, now_ms: i64) -> ApiResult<Caller> {
    let TerminalCaller { terminal, store } = resolve_terminal(tx, creds)?;
    let session_hash = creds
        .session_hash
        .clone()
        .ok_or_else(|| ApiError::new(ErrorCode::Unauthenticated).detail("Sign in first"))?;
    let session: SessionRow = tx
        .session(&session_hash)?
        .filter(|s| s.terminal_id == terminal.id)
        .ok_or_else(|| ApiError::new(ErrorCode::SessionExpired))?;
    if session.expires_at_ms <= now_ms {
        return Err(ApiError::new(ErrorCode::SessionExpired));
    }
    let staff = match &session.staff_id {
        Some(id) => Some(
            tx.staff_by_id(&store.id, id)?
                .ok_or_else(|| ApiError::new(ErrorCode::SessionExpired))?,
        ),
        None => None,
    };
    Ok(Caller {
        terminal,
        store,
        staff,
        session_hash,
    })
}

impl Caller {
    pub fn actor(&self) -> Actor {
        Actor {
            store_id: self.store.id.clone(),
            terminal_id: Some(self.terminal.id.clone()),
            staff_id: self.staff.as_ref().map(|s| s.id.clone()),
        }
    }

    /// A customer's own session at a kiosk (no staff member signed in). Such a session cannot
    /// browse customers; it reads and redeems only for the customer it identified (`kiosk`).
    pub fn is_self_service(&self) -> bool {
        self.terminal.mode == TerminalMode::Kiosk && self.staff.is_none()
    }

    /// Refuses a self-service kiosk session what only staff may do, e.g. "browse customers".
    pub fn require_staff(&self, what: &str) -> ApiResult<()> {
        if self.is_self_service() {
            return Err(ApiError::new(ErrorCode::Forbidden)
                .detail(format!("A self-service kiosk cannot {what}")));
        }
        Ok(())
    }

    /// A kiosk is customer-facing: whoever opened its session, it acts with cashier rights.
    pub fn role(&self) -> Role {
        match (&self.staff, self.terminal.mode) {
            (Some(s), TerminalMode::Pos) => s.role,
            _ => Role::Cashier,
        }
    }

    /// Policy changes, reports and the audit log are for managers only (S9).
    pub fn require_manager(&self) -> ApiResult<()> {
        match self.role() {
            Role::Manager => Ok(()),
            Role::Cashier => Err(ApiError::new(ErrorCode::Forbidden)),
        }
    }

    pub fn staff_name(&self) -> String {
        match &self.staff {
            Some(s) => s.name.clone(),
            None => format!("Self-service ({})", self.terminal.name),
        }
    }

    pub fn staff_info(&self) -> StaffInfo {
        match &self.staff {
            Some(s) => StaffInfo {
                id: s.id.clone(),
                name: s.name.clone(),
                role: self.role(),
            },
            None => StaffInfo {
                id: format!("kiosk:{}", self.terminal.id),
                name: self.staff_name(),
                role: Role::Cashier,
            },
        }
    }
}

pub fn terminal_info(t: &TerminalRow) -> TerminalInfo {
    TerminalInfo {
        id: t.id.clone(),
        name: t.name.clone(),
        mode: t.mode,
    }
}

pub fn store_info(s: &StoreRow) -> StoreInfo {
    StoreInfo {
        id: s.id.clone(),
        name: s.name.clone(),
        merchant_name: s.merchant_name.clone(),
    }
}

pub fn is_kiosk(t: &TerminalRow) -> bool {
    t.mode == TerminalMode::Kiosk
}
