//! The contract over HTTP with the browser's own `fetch`; bodies are read and written by
//! `contract::wire` (no serde in the bundle: SPEC §9).

use super::{AdminCall, AdminReply, Backend, BackendError, Fut};
use crate::flow::parts::*;
use contract::api::{
    paths, Accrual, ApprovalList, ApprovalRequest, Balance, CreateAccrual, CreateRedemption,
    CustomerSearch, KioskIdentify, OtpSent, Override, Receipt, Redemption, RequestApproval,
    SendOtp, Session, SignIn, Verify, IDEMPOTENCY_HEADER, TERMINAL_HEADER,
};
use contract::api::{StaffList, TerminalList};
use contract::cards::CardTypeList;
use contract::outreach::MessageList;
use contract::reports;
use contract::wire::{self, FromJson, ToJson};
use contract::{Policy, Problem};
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

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
///
/// `P` is the surface's steps (`flow::parts`, default all): a call outside them answers
/// [`BackendError::Unexpected`] without a request, so its body writer and answer reader are not
/// in that surface's bundle (SPEC §9). The flow of that surface never makes such a call.
pub struct HttpBackend<const P: u16 = ALL> {
    config: HttpConfig,
    terminal_token: RefCell<Option<String>>,
    session_token: RefCell<Option<String>>,
}

/// What a call sends besides its path.
struct Call<'a> {
    method: &'static str,
    path: &'a str,
    body: Option<String>,
    idempotency_key: Option<&'a str>,
    timeout_ms: u32,
    content_type: &'static str,
}

/// The answer to a call a surface does not make.
fn not_here<'a, T: 'a>() -> Fut<'a, T> {
    Box::pin(std::future::ready(Err(BackendError::Unexpected {
        status: 0,
    })))
}

/// `only!(PART)` first in a call: outside this backend's parts, [`not_here`].
macro_rules! only {
    ($part:expr) => {
        if P & $part == 0 {
            return not_here();
        }
    };
}

impl<const P: u16> HttpBackend<P> {
    pub fn new(config: HttpConfig) -> Self {
        HttpBackend {
            config,
            terminal_token: RefCell::new(None),
            session_token: RefCell::new(None),
        }
    }

    fn call<'a>(&self, method: &'static str, path: &'a str, body: Option<String>) -> Call<'a> {
        Call {
            method,
            path,
            body,
            idempotency_key: None,
            timeout_ms: self.config.timeout_ms,
            content_type: "application/json",
        }
    }

    /// One HTTP exchange: status and body text. Deliberately not generic: the fetch, headers
    /// and timeout code exist once in the bundle; only `decode` is instantiated per type.
    async fn exchange(&self, call: Call<'_>) -> Result<(u16, String), BackendError> {
        // The time limit aborts the fetch itself (headers and body), so a late answer is
        // never half-read; the flag tells a timeout from any other network failure.
        let abort = web_sys::AbortController::new().map_err(|_| BackendError::Network)?;
        let timed_out = Rc::new(Cell::new(false));
        let timer = {
            let flag = timed_out.clone();
            let abort = abort.clone();
            gloo_timers::callback::Timeout::new(call.timeout_ms, move || {
                flag.set(true);
                abort.abort();
            })
        };
        let result = self.fetch(&call, &abort.signal()).await;
        drop(timer); // cancels the pending abort
        result.map_err(|_| {
            if timed_out.get() {
                BackendError::Timeout
            } else {
                BackendError::Network
            }
        })
    }

    async fn fetch(
        &self,
        call: &Call<'_>,
        signal: &web_sys::AbortSignal,
    ) -> Result<(u16, String), JsValue> {
        let headers = web_sys::Headers::new()?;
        headers.set("accept", "application/json")?;
        if let Some(t) = self.terminal_token.borrow().as_deref() {
            headers.set(TERMINAL_HEADER, t)?;
        }
        if let Some(s) = self.session_token.borrow().as_deref() {
            headers.set("authorization", &format!("Bearer {s}"))?;
        }
        if let Some(k) = call.idempotency_key {
            headers.set(IDEMPOTENCY_HEADER, k)?;
        }
        let init = web_sys::RequestInit::new();
        init.set_method(call.method);
        if let Some(b) = &call.body {
            headers.set("content-type", call.content_type)?;
            init.set_body(&JsValue::from_str(b));
        }
        init.set_headers(&headers);
        init.set_signal(Some(signal));
        let url = format!("{}{}", self.config.base_url, call.path);
        let request = web_sys::Request::new_with_str_and_init(&url, &init)?;
        let window = web_sys::window().ok_or(JsValue::NULL)?;
        let response: web_sys::Response = JsFuture::from(window.fetch_with_request(&request))
            .await?
            .dyn_into()?;
        let text = JsFuture::from(response.text()?).await?;
        Ok((response.status(), text.as_string().unwrap_or_default()))
    }

    async fn send<T: FromJson>(&self, call: Call<'_>) -> Result<T, BackendError> {
        let (status, text) = self.exchange(call).await?;
        decode(status, &text)
    }
}

/// A request body as the contract writes it.
fn body<B: ToJson>(b: &B) -> Option<String> {
    Some(wire::to_string(b))
}

/// 2xx bodies are the contract type; anything else should be a problem document.
fn decode<T: FromJson>(status: u16, text: &str) -> Result<T, BackendError> {
    if (200..300).contains(&status) {
        // An empty 204 reads as `()` via "null".
        let text = if text.trim().is_empty() { "null" } else { text };
        wire::from_str(text).map_err(|_| BackendError::Unexpected { status })
    } else {
        match wire::from_str::<Problem>(text) {
            Ok(p) => Err(BackendError::Problem(p)),
            Err(_) => Err(BackendError::Unexpected { status }),
        }
    }
}

/// Path segments come from the backend's own ids, but encode them anyway.
fn seg(id: &str) -> String {
    String::from(js_sys::encode_uri_component(id))
}

impl<const P: u16> Backend for HttpBackend<P> {
    fn sign_in(&self, terminal_token: String, b: SignIn) -> Fut<'_, Session> {
        Box::pin(async move {
            *self.terminal_token.borrow_mut() = Some(terminal_token);
            *self.session_token.borrow_mut() = None;
            let session: Session = self
                .send(self.call("POST", paths::SESSIONS, body(&b)))
                .await?;
            *self.session_token.borrow_mut() = Some(session.token.clone());
            Ok(session)
        })
    }

    fn sign_out(&self) -> Fut<'_, ()> {
        Box::pin(async move {
            let r = self
                .exchange(self.call("DELETE", paths::SESSION_CURRENT, None))
                .await;
            *self.session_token.borrow_mut() = None;
            match r? {
                (status, _) if (200..300).contains(&status) => Ok(()),
                (status, text) => decode(status, &text),
            }
        })
    }

    fn policy(&self) -> Fut<'_, Policy> {
        Box::pin(self.send(self.call("GET", paths::POLICY, None)))
    }

    fn save_policy(&self, policy: Policy) -> Fut<'_, Policy> {
        only!(MANAGE);
        Box::pin(self.send(self.call("PUT", paths::POLICY, body(&policy))))
    }

    fn search(&self, query: String) -> Fut<'_, CustomerSearch> {
        only!(SEARCH);
        Box::pin(async move {
            let path = format!("{}?q={}", paths::CUSTOMERS, seg(&query));
            self.send(self.call("GET", &path, None)).await
        })
    }

    fn balance(&self, customer_id: String) -> Fut<'_, Balance> {
        only!(SALE);
        Box::pin(async move {
            let path = paths::balance(&seg(&customer_id));
            self.send(self.call("GET", &path, None)).await
        })
    }

    fn create(&self, b: CreateRedemption) -> Fut<'_, Redemption> {
        only!(SALE);
        Box::pin(self.send(self.call("POST", paths::REDEMPTIONS, body(&b))))
    }

    fn get(&self, id: String) -> Fut<'_, Redemption> {
        only!(SALE);
        Box::pin(async move {
            let path = paths::redemption(&seg(&id));
            self.send(self.call("GET", &path, None)).await
        })
    }

    fn send_otp(&self, id: String, b: SendOtp) -> Fut<'_, OtpSent> {
        only!(SALE);
        Box::pin(async move {
            let path = paths::redemption_action(&seg(&id), "otp");
            self.send(self.call("POST", &path, body(&b))).await
        })
    }

    fn verify(&self, id: String, b: Verify) -> Fut<'_, Redemption> {
        only!(SALE);
        Box::pin(async move {
            let path = paths::redemption_action(&seg(&id), "verify");
            self.send(self.call("POST", &path, body(&b))).await
        })
    }

    fn override_(&self, id: String, b: Override) -> Fut<'_, Redemption> {
        only!(OVERRIDE);
        Box::pin(async move {
            let path = paths::redemption_action(&seg(&id), "override");
            self.send(self.call("POST", &path, body(&b))).await
        })
    }

    fn request_approval(&self, id: String, b: RequestApproval) -> Fut<'_, Redemption> {
        only!(OVERRIDE);
        Box::pin(async move {
            let path = paths::redemption_action(&seg(&id), paths::APPROVAL_REQUEST);
            self.send(self.call("POST", &path, body(&b))).await
        })
    }

    fn approvals(&self) -> Fut<'_, ApprovalList> {
        only!(MANAGE);
        Box::pin(self.send(self.call("GET", paths::APPROVALS, None)))
    }

    fn decide_approval(&self, id: String, approve: bool) -> Fut<'_, ApprovalRequest> {
        only!(MANAGE);
        Box::pin(async move {
            let action = if approve { "approve" } else { "decline" };
            let path = paths::approval_action(&seg(&id), action);
            self.send(self.call("POST", &path, Some("{}".into()))).await
        })
    }

    fn commit(&self, id: String, key: String) -> Fut<'_, Receipt> {
        only!(SALE);
        Box::pin(async move {
            let path = paths::redemption_action(&seg(&id), "commit");
            let call = Call {
                idempotency_key: Some(&key),
                timeout_ms: self.config.commit_timeout_ms,
                ..self.call("POST", &path, Some("{}".into()))
            };
            self.send(call).await
        })
    }

    fn cancel(&self, id: String) -> Fut<'_, Redemption> {
        only!(SALE);
        Box::pin(async move {
            let path = paths::redemption_action(&seg(&id), "cancel");
            self.send(self.call("POST", &path, Some("{}".into()))).await
        })
    }

    fn kiosk_identify(&self, b: KioskIdentify) -> Fut<'_, OtpSent> {
        only!(KIOSK);
        Box::pin(self.send(self.call("POST", paths::KIOSK_IDENTIFY, body(&b))))
    }

    fn kiosk_verify(&self, b: Verify) -> Fut<'_, Balance> {
        only!(KIOSK);
        Box::pin(self.send(self.call("POST", paths::KIOSK_VERIFY, body(&b))))
    }

    fn kiosk_forget(&self) -> Fut<'_, ()> {
        only!(KIOSK);
        Box::pin(self.send(self.call("POST", paths::KIOSK_FORGET, None)))
    }

    fn accrue(&self, b: CreateAccrual) -> Fut<'_, Accrual> {
        only!(EARN);
        Box::pin(self.send(self.call("POST", paths::ACCRUALS, body(&b))))
    }

    fn redeem_voucher(
        &self,
        b: contract::api::RedeemVoucher,
    ) -> Fut<'_, contract::api::VoucherRedeemed> {
        only!(EARN);
        Box::pin(self.send(self.call("POST", paths::VOUCHER_REDEEM, body(&b))))
    }

    fn admin(&self, call: AdminCall) -> Fut<'_, AdminReply> {
        let reads = matches!(
            call,
            AdminCall::Report { .. }
                | AdminCall::Liability { .. }
                | AdminCall::Cashiers { .. }
                | AdminCall::Audit { .. }
        );
        // The reports surface reads (and lists staff and tills for its filters); the back
        // office sets up. Each bundle carries only its own calls.
        match reads {
            true => {
                only!(REPORTS);
                Box::pin(self.report_call(call))
            }
            false if P & MANAGE == 0 && P & REPORTS != 0 => Box::pin(self.lists_call(call)),
            false => {
                only!(MANAGE | OUTREACH);
                Box::pin(self.admin_call(call))
            }
        }
    }
}

impl<const P: u16> HttpBackend<P> {
    async fn admin_call(&self, call: AdminCall) -> Result<AdminReply, BackendError> {
        use AdminCall as C;
        use AdminReply as R;
        let post = |path, b| self.call("POST", path, b);
        Ok(match call {
            C::Staff => R::Staff(
                self.send::<StaffList>(self.call("GET", paths::ADMIN_STAFF, None))
                    .await?
                    .staff,
            ),
            C::AddStaff(b) => R::Member(self.send(post(paths::ADMIN_STAFF, body(&b))).await?),
            C::DisableStaff(id) => {
                let path = paths::staff_action(&seg(&id), "disable");
                R::Member(self.send(post(&path, Some("{}".into()))).await?)
            }
            C::SetPin { id, body: b } => {
                let path = paths::staff_action(&seg(&id), "pin");
                R::Member(self.send(self.call("PUT", &path, body(&b))).await?)
            }
            C::Terminals => R::Terminals(
                self.send::<TerminalList>(self.call("GET", paths::ADMIN_TERMINALS, None))
                    .await?
                    .terminals,
            ),
            C::AddTerminal(b) => {
                R::TerminalAdded(self.send(post(paths::ADMIN_TERMINALS, body(&b))).await?)
            }
            C::RevokeTerminal(id) => {
                let path = paths::terminal_revoke(&seg(&id));
                R::TerminalRevoked(self.send(post(&path, Some("{}".into()))).await?)
            }
            C::SetOverrideCode(b) => {
                let call = self.call("PUT", paths::ADMIN_OVERRIDE_CODE, body(&b));
                self.send::<()>(call).await?;
                R::OverrideCodeSet
            }
            C::CardTypes => R::CardTypes(
                self.send::<CardTypeList>(self.call("GET", paths::ADMIN_CARD_TYPES, None))
                    .await?
                    .card_types,
            ),
            C::AddCardType(b) => {
                R::CardType(self.send(post(paths::ADMIN_CARD_TYPES, body(&b))).await?)
            }
            C::EditCardType { id, body: b } => {
                let path = paths::card_type(&seg(&id));
                R::CardType(self.send(self.call("PUT", &path, body(&b))).await?)
            }
            C::IssueCard(b) => R::CardIssued(self.send(post(paths::ADMIN_CARDS, body(&b))).await?),
            C::Import { csv, dry_run } => {
                let path = paths::import(dry_run);
                let call = Call {
                    content_type: "text/csv",
                    // A large customer master takes a while to check and write: wait longer
                    // than the server's own limit for it (300 s), so an import that ends is
                    // never reported as failed (and started again).
                    timeout_ms: 310_000,
                    ..post(&path, Some(csv.to_string()))
                };
                R::Imported(self.send(call).await?)
            }
            C::Messages => {
                let sent = self.send::<MessageList>(self.call("GET", paths::ADMIN_MESSAGES, None));
                let types =
                    self.send::<CardTypeList>(self.call("GET", paths::ADMIN_CARD_TYPES, None));
                R::Messages {
                    sent: sent.await?.messages,
                    card_types: types.await?.card_types,
                }
            }
            C::PreviewMessage(m) => {
                let preview = self
                    .send(post(paths::ADMIN_MESSAGES_PREVIEW, body(&m)))
                    .await?;
                R::Preview {
                    message: m,
                    preview,
                }
            }
            C::SendMessage(m) => {
                R::MessageSent(self.send(post(paths::ADMIN_MESSAGES, body(&m))).await?)
            }
            C::SetDailySummary { id, on } => {
                let path = paths::staff_action(&seg(&id), "daily-summary");
                let b = contract::api::DailySummary { daily_summary: on };
                R::Member(self.send(self.call("PUT", &path, body(&b))).await?)
            }
            C::SetConsent(c) => R::Consent(
                self.send(self.call("PUT", paths::ADMIN_CONSENT, body(&c)))
                    .await?,
            ),
            C::Report { .. } | C::Liability { .. } | C::Cashiers { .. } | C::Audit { .. } => {
                return Err(BackendError::Unexpected { status: 0 })
            }
        })
    }

    /// The reports surface's reads.
    async fn report_call(&self, call: AdminCall) -> Result<AdminReply, BackendError> {
        use AdminCall as C;
        use AdminReply as R;
        Ok(match call {
            C::Report { kind, filter, csv } => {
                let path = paths::report(kind, &filter, csv);
                match csv {
                    true => self.file(&path, kind.file_name(&filter)).await?,
                    false => R::Report(self.send(self.call("GET", &path, None)).await?),
                }
            }
            C::Liability { csv: false } => {
                R::Liability(self.send(self.call("GET", paths::LIABILITY, None)).await?)
            }
            C::Liability { csv: true } => {
                let name = reports::csv_file_name(reports::LIABILITY_TITLE, None, None);
                self.file(paths::LIABILITY_CSV, name).await?
            }
            C::Cashiers { filter, csv } => {
                let path = paths::cashiers(&filter, csv);
                match csv {
                    true => {
                        let (from, to) = (Some(filter.from), Some(filter.to));
                        let name = reports::csv_file_name(reports::CASHIERS_TITLE, from, to);
                        self.file(&path, name).await?
                    }
                    false => R::Cashiers(self.send(self.call("GET", &path, None)).await?),
                }
            }
            C::Audit { filter, csv } => {
                let path = paths::audit(&filter, csv);
                match csv {
                    true => {
                        let name =
                            reports::csv_file_name(reports::AUDIT_TITLE, filter.from, filter.to);
                        self.file(&path, name).await?
                    }
                    false => R::Audit(self.send(self.call("GET", &path, None)).await?),
                }
            }
            _ => return Err(BackendError::Unexpected { status: 0 }),
        })
    }

    /// The reports surface's filters: the store's staff and tills.
    async fn lists_call(&self, call: AdminCall) -> Result<AdminReply, BackendError> {
        Ok(match call {
            AdminCall::Staff => AdminReply::Staff(
                self.send::<StaffList>(self.call("GET", paths::ADMIN_STAFF, None))
                    .await?
                    .staff,
            ),
            AdminCall::Terminals => AdminReply::Terminals(
                self.send::<TerminalList>(self.call("GET", paths::ADMIN_TERMINALS, None))
                    .await?
                    .terminals,
            ),
            _ => return Err(BackendError::Unexpected { status: 0 }),
        })
    }

    /// A CSV file the backend writes: its text as it came (a refusal is a problem).
    async fn file(&self, path: &str, name: String) -> Result<AdminReply, BackendError> {
        let call = Call {
            // A year's detail can be large: give it time.
            timeout_ms: 120_000,
            ..self.call("GET", path, None)
        };
        match self.exchange(call).await? {
            (status, text) if (200..300).contains(&status) => Ok(AdminReply::File {
                name,
                text: text.into(),
            }),
            (status, text) => Err(decode::<()>(status, &text)
                .err()
                .unwrap_or(BackendError::Unexpected { status })),
        }
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
