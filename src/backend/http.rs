//! The contract over HTTP with gloo-net (browser fetch).

use super::{Backend, BackendError, Fut};
use contract::api::{
    paths, Balance, CreateRedemption, CustomerSearch, KioskIdentify, OtpSent, Override, Receipt,
    Redemption, SendOtp, Session, SignIn, Verify, IDEMPOTENCY_HEADER, TERMINAL_HEADER,
};
use contract::{Policy, Problem};
use gloo_net::http::{Method, RequestBuilder};
use serde::de::DeserializeOwned;
use serde::Serialize;
use std::cell::{Cell, RefCell};
use std::rc::Rc;

/// Where the backend is and how long to wait for it.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct HttpConfig {
    /// Base URL without a trailing slash; empty means the page's own origin.
    pub base_url: String,
    /// Per-call time limit.
    pub timeout_ms: u32,
    /// Commits may wait on a busy ledger a little longer before we call the outcome unknown.
    pub commit_timeout_ms: u32,
}

impl Default for HttpConfig {
    fn default() -> Self {
        HttpConfig {
            base_url: String::new(),
            timeout_ms: 10_000,
            commit_timeout_ms: 15_000,
        }
    }
}

impl HttpConfig {
    pub fn with_base_url(base_url: &str) -> Self {
        HttpConfig {
            base_url: base_url.trim_end_matches('/').to_string(),
            ..HttpConfig::default()
        }
    }
}

/// Holds the terminal token and the staff session token in memory only (never in storage).
pub struct HttpBackend {
    config: HttpConfig,
    terminal_token: RefCell<Option<String>>,
    session_token: RefCell<Option<String>>,
}

impl HttpBackend {
    pub fn new(config: HttpConfig) -> Self {
        HttpBackend {
            config,
            terminal_token: RefCell::new(None),
            session_token: RefCell::new(None),
        }
    }

    /// One HTTP exchange. Deliberately not generic: the fetch, headers and timeout code exist
    /// once in the bundle, and only the small `decode` is instantiated per response type.
    async fn exchange(
        &self,
        method: Method,
        path: &str,
        body: Option<String>,
        idempotency_key: Option<&str>,
        timeout_ms: u32,
    ) -> Result<(u16, String), BackendError> {
        let url = format!("{}{}", self.config.base_url, path);
        let mut rb = RequestBuilder::new(&url)
            .method(method)
            .header("accept", "application/json");
        if let Some(t) = self.terminal_token.borrow().as_deref() {
            rb = rb.header(TERMINAL_HEADER, t);
        }
        if let Some(s) = self.session_token.borrow().as_deref() {
            rb = rb.header("authorization", &format!("Bearer {s}"));
        }
        if let Some(k) = idempotency_key {
            rb = rb.header(IDEMPOTENCY_HEADER, k);
        }
        // The time limit aborts the fetch itself (headers and body), so a late answer is
        // never half-read; the flag tells a timeout from any other network failure.
        let abort = web_sys::AbortController::new().map_err(|_| BackendError::Network)?;
        rb = rb.abort_signal(Some(&abort.signal()));
        let request = match body {
            Some(b) => rb.header("content-type", "application/json").body(b),
            None => rb.build(),
        }
        .map_err(|_| BackendError::Network)?;
        let timed_out = Rc::new(Cell::new(false));
        let timer = {
            let flag = timed_out.clone();
            gloo_timers::callback::Timeout::new(timeout_ms, move || {
                flag.set(true);
                abort.abort();
            })
        };
        let result = async {
            let resp = request.send().await?;
            let text = resp.text().await?;
            Ok::<_, gloo_net::Error>((resp.status(), text))
        }
        .await;
        drop(timer); // cancels the pending abort
        result.map_err(|_| {
            if timed_out.get() {
                BackendError::Timeout
            } else {
                BackendError::Network
            }
        })
    }

    async fn call<T: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        body: Option<String>,
    ) -> Result<T, BackendError> {
        let (status, text) = self
            .exchange(method, path, body, None, self.config.timeout_ms)
            .await?;
        decode(status, &text)
    }

    async fn json<T: DeserializeOwned, B: Serialize>(
        &self,
        method: Method,
        path: &str,
        body: &B,
    ) -> Result<T, BackendError> {
        let body =
            serde_json::to_string(body).map_err(|_| BackendError::Unexpected { status: 0 })?;
        self.call(method, path, Some(body)).await
    }

    async fn get_json<T: DeserializeOwned>(&self, path: &str) -> Result<T, BackendError> {
        self.call(Method::GET, path, None).await
    }
}

/// 2xx bodies are the contract type; anything else should be a problem document.
fn decode<T: DeserializeOwned>(status: u16, text: &str) -> Result<T, BackendError> {
    if (200..300).contains(&status) {
        // An empty 204 decodes as `()` via "null".
        let text = if text.trim().is_empty() { "null" } else { text };
        serde_json::from_str(text).map_err(|_| BackendError::Unexpected { status })
    } else {
        match serde_json::from_str::<Problem>(text) {
            Ok(p) => Err(BackendError::Problem(p)),
            Err(_) => Err(BackendError::Unexpected { status }),
        }
    }
}

/// Path segments come from the backend's own ids, but encode them anyway.
fn seg(id: &str) -> String {
    String::from(js_sys::encode_uri_component(id))
}

impl Backend for HttpBackend {
    fn sign_in(&self, terminal_token: String, body: SignIn) -> Fut<'_, Session> {
        Box::pin(async move {
            *self.terminal_token.borrow_mut() = Some(terminal_token);
            *self.session_token.borrow_mut() = None;
            let session: Session = self.json(Method::POST, paths::SESSIONS, &body).await?;
            *self.session_token.borrow_mut() = Some(session.token.clone());
            Ok(session)
        })
    }

    fn sign_out(&self) -> Fut<'_, ()> {
        Box::pin(async move {
            let r = self
                .exchange(
                    Method::DELETE,
                    paths::SESSION_CURRENT,
                    None,
                    None,
                    self.config.timeout_ms,
                )
                .await;
            *self.session_token.borrow_mut() = None;
            match r? {
                (status, _) if (200..300).contains(&status) => Ok(()),
                (status, text) => decode::<()>(status, &text),
            }
        })
    }

    fn policy(&self) -> Fut<'_, Policy> {
        Box::pin(self.get_json(paths::POLICY))
    }

    fn save_policy(&self, policy: Policy) -> Fut<'_, Policy> {
        Box::pin(async move { self.json(Method::PUT, paths::POLICY, &policy).await })
    }

    fn search(&self, query: String) -> Fut<'_, CustomerSearch> {
        Box::pin(async move {
            self.get_json(&format!("{}?q={}", paths::CUSTOMERS, seg(&query)))
                .await
        })
    }

    fn balance(&self, customer_id: String) -> Fut<'_, Balance> {
        Box::pin(async move { self.get_json(&paths::balance(&seg(&customer_id))).await })
    }

    fn create(&self, body: CreateRedemption) -> Fut<'_, Redemption> {
        Box::pin(async move { self.json(Method::POST, paths::REDEMPTIONS, &body).await })
    }

    fn get(&self, id: String) -> Fut<'_, Redemption> {
        Box::pin(async move { self.get_json(&paths::redemption(&seg(&id))).await })
    }

    fn send_otp(&self, id: String, body: SendOtp) -> Fut<'_, OtpSent> {
        Box::pin(async move {
            self.json(
                Method::POST,
                &paths::redemption_action(&seg(&id), "otp"),
                &body,
            )
            .await
        })
    }

    fn verify(&self, id: String, body: Verify) -> Fut<'_, Redemption> {
        Box::pin(async move {
            self.json(
                Method::POST,
                &paths::redemption_action(&seg(&id), "verify"),
                &body,
            )
            .await
        })
    }

    fn override_(&self, id: String, body: Override) -> Fut<'_, Redemption> {
        Box::pin(async move {
            self.json(
                Method::POST,
                &paths::redemption_action(&seg(&id), "override"),
                &body,
            )
            .await
        })
    }

    fn commit(&self, id: String, key: String) -> Fut<'_, Receipt> {
        Box::pin(async move {
            let path = paths::redemption_action(&seg(&id), "commit");
            let timeout = self.config.commit_timeout_ms;
            let (status, text) = self
                .exchange(Method::POST, &path, Some("{}".into()), Some(&key), timeout)
                .await?;
            decode(status, &text)
        })
    }

    fn cancel(&self, id: String) -> Fut<'_, Redemption> {
        Box::pin(async move {
            let path = paths::redemption_action(&seg(&id), "cancel");
            self.call(Method::POST, &path, Some("{}".into())).await
        })
    }

    fn kiosk_identify(&self, body: KioskIdentify) -> Fut<'_, OtpSent> {
        Box::pin(async move { self.json(Method::POST, paths::KIOSK_IDENTIFY, &body).await })
    }

    fn kiosk_verify(&self, body: Verify) -> Fut<'_, Balance> {
        Box::pin(async move { self.json(Method::POST, paths::KIOSK_VERIFY, &body).await })
    }

    fn kiosk_forget(&self) -> Fut<'_, ()> {
        Box::pin(self.call(Method::POST, paths::KIOSK_FORGET, None))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use contract::ErrorCode;

    #[test]
    fn problem_bodies_become_problems_and_junk_is_unexpected() {
        let p = Problem::new(ErrorCode::OtpInvalid).attempts_left(2);
        let body = serde_json::to_string(&p).unwrap();
        assert_eq!(
            decode::<Redemption>(422, &body),
            Err(BackendError::Problem(p))
        );
        assert_eq!(
            decode::<Redemption>(502, "<html>Bad gateway</html>"),
            Err(BackendError::Unexpected { status: 502 })
        );
        assert_eq!(
            decode::<Redemption>(200, "{\"nope\":1}"),
            Err(BackendError::Unexpected { status: 200 })
        );
        assert_eq!(decode::<()>(204, ""), Ok(()));
    }
}
