//! Request extractors whose failures are problems (problem+json with a stable code), so a
//! handler never sees axum's plain-text rejections.

use crate::error::ApiError;
use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::StatusCode;
use contract::ErrorCode;
use serde::de::DeserializeOwned;

/// A JSON body whose failures are problems: too large → `payload_too_large`, anything
/// malformed or mistyped → `invalid_request` with serde's explanation. The extractor itself
/// never refuses: a handler authenticates first and only then [`takes`](JsonBody::take) the
/// body, so a caller who is not signed in hears `401`, never what was wrong with the body.
pub struct JsonBody<T>(Result<T, ApiError>);

impl<T> JsonBody<T> {
    /// The parsed body, or the problem with it. Call after authentication.
    pub fn take(self) -> Result<T, ApiError> {
        self.0
    }
}

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for JsonBody<T> {
    type Rejection = std::convert::Infallible;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let parsed = match RawBody::from_request(req, state).await {
            Ok(RawBody(bytes)) => serde_json::from_slice(&bytes).map_err(|e| {
                ApiError::new(ErrorCode::InvalidRequest)
                    .detail(format!("The body is not valid: {e}"))
            }),
            Err(e) => Err(e),
        };
        Ok(JsonBody(parsed))
    }
}

/// The request body as bytes, with the size limit reported as a problem.
pub struct RawBody(pub Bytes);

impl<S: Send + Sync> FromRequest<S> for RawBody {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        Bytes::from_request(req, state)
            .await
            .map(RawBody)
            .map_err(|e| {
                if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
                    ApiError::new(ErrorCode::PayloadTooLarge)
                } else {
                    ApiError::new(ErrorCode::InvalidRequest).detail(e.body_text())
                }
            })
    }
}

/// Query parameters whose failures are `invalid_request` problems.
pub struct QueryParams<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned + Send> FromRequestParts<S> for QueryParams<T> {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &S,
    ) -> Result<Self, Self::Rejection> {
        axum::extract::Query::<T>::from_request_parts(parts, state)
            .await
            .map(|q| QueryParams(q.0))
            .map_err(|e| ApiError::new(ErrorCode::InvalidRequest).detail(e.body_text()))
    }
}

/// A path segment whose failures are `not_found` problems.
pub struct IdPath(pub String);

impl<S: Send + Sync> FromRequestParts<S> for IdPath {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &S,
    ) -> Result<Self, Self::Rejection> {
        axum::extract::Path::<String>::from_request_parts(parts, state)
            .await
            .map(|p| IdPath(p.0))
            .map_err(|_| ApiError::new(ErrorCode::NotFound))
    }
}
