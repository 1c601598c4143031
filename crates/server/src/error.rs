//! The one error type every handler returns: a contract [`Problem`] rendered as RFC 9457
//! `application/problem+json`, plus whether the state changes made before it must stick.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use contract::{ErrorCode, Problem};

#[derive(Debug)]
pub struct ApiError {
    /// Boxed so `Result<_, ApiError>` stays small on the happy path.
    pub problem: Box<Problem>,
    /// A failed verify must still count the attempt, an expired intent must still release
    /// its hold: such errors commit the transaction instead of rolling it back.
    pub keep_changes: bool,
}

pub type ApiResult<T> = Result<T, ApiError>;

impl ApiError {
    pub fn new(code: ErrorCode) -> Self {
        ApiError {
            problem: Box::new(Problem::new(code)),
            keep_changes: false,
        }
    }
    pub fn detail(mut self, detail: impl Into<String>) -> Self {
        *self.problem = self.problem.clone().detail(detail);
        self
    }
    pub fn field(mut self, field: impl Into<String>) -> Self {
        *self.problem = self.problem.clone().field(field);
        self
    }
    pub fn keep(mut self) -> Self {
        self.keep_changes = true;
        self
    }
    pub fn code(&self) -> ErrorCode {
        self.problem.code
    }
    /// A storage or programming fault: logged with its cause, answered without it.
    pub fn internal(cause: impl std::fmt::Display) -> Self {
        tracing::error!(%cause, "internal error");
        ApiError::new(ErrorCode::Internal)
    }
}

impl From<Problem> for ApiError {
    fn from(problem: Problem) -> Self {
        ApiError {
            problem: Box::new(problem),
            keep_changes: false,
        }
    }
}

impl From<ErrorCode> for ApiError {
    fn from(code: ErrorCode) -> Self {
        ApiError::new(code)
    }
}

impl From<rusqlite::Error> for ApiError {
    fn from(e: rusqlite::Error) -> Self {
        ApiError::internal(format!("sqlite: {e}"))
    }
}

impl From<serde_json::Error> for ApiError {
    fn from(e: serde_json::Error) -> Self {
        ApiError::internal(format!("json: {e}"))
    }
}

macro_rules! from_domain_error {
    ($($t:ty),*) => {$(
        impl From<$t> for ApiError {
            fn from(e: $t) -> Self {
                ApiError::from(Problem::from(e))
            }
        }
    )*};
}
from_domain_error!(
    contract::RuleError,
    contract::QuantityError,
    contract::OtpError,
    contract::ContactError,
    contract::MoneyError,
    contract::TemplateError,
    contract::policy::PolicyErrors
);

pub fn problem_response(problem: &Problem) -> Response {
    let status = StatusCode::from_u16(problem.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let body = serde_json::to_vec(problem).unwrap_or_default();
    let mut res = (status, body).into_response();
    res.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(Problem::CONTENT_TYPE),
    );
    if let Some(secs) = problem.retry_after_secs {
        if let Ok(v) = HeaderValue::from_str(&secs.to_string()) {
            res.headers_mut().insert(header::RETRY_AFTER, v);
        }
    }
    res
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        problem_response(&self.problem)
    }
}
