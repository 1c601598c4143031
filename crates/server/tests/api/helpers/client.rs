//! A small HTTP client for the API that remembers every response body (for S1), with a
//! method for each call the tests make often.

use super::{detail, id_of, redemption_body};
use serde_json::{json, Value};
use std::sync::{Arc, Mutex};

#[derive(Debug, Clone)]
pub struct Resp {
    pub status: u16,
    pub body: String,
    pub content_type: String,
    pub headers: reqwest::header::HeaderMap,
}

impl Resp {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or(Value::Null)
    }
    /// The problem code, asserting the RFC 9457 shape on the way.
    pub fn code(&self) -> String {
        let v = self.json();
        if self.status >= 400 {
            assert_eq!(
                self.content_type, "application/problem+json",
                "{}",
                self.body
            );
            assert_eq!(
                v["status"].as_u64(),
                Some(u64::from(self.status)),
                "{}",
                self.body
            );
            let code = v["code"].as_str().unwrap_or_default();
            assert_eq!(
                v["type"].as_str(),
                Some(format!("urn:redeemguard:problem:{code}").as_str())
            );
        }
        v["code"].as_str().unwrap_or_default().to_string()
    }
    #[track_caller]
    pub fn expect(&self, status: u16) -> Value {
        assert_eq!(self.status, status, "{}", self.body);
        self.json()
    }
    #[track_caller]
    pub fn expect_problem(&self, code: &str) -> Value {
        assert_eq!(self.code(), code, "{}", self.body);
        self.json()
    }
}

/// Every response body any client saw, for the S1 scan.
pub type Seen = Arc<Mutex<Vec<String>>>;

#[derive(Clone)]
pub struct Api {
    http: reqwest::Client,
    pub base: String,
    pub terminal: String,
    pub token: Option<String>,
    pub seen: Seen,
}

impl Api {
    pub fn new(base: &str, terminal: &str) -> Api {
        redeemguard_server::gateways::install_tls_provider();
        Api {
            http: reqwest::Client::builder()
                .pool_max_idle_per_host(64)
                .build()
                .unwrap(),
            base: base.to_string(),
            terminal: terminal.to_string(),
            token: None,
            seen: Arc::new(Mutex::new(Vec::new())),
        }
    }

    pub fn with_seen(mut self, seen: &Seen) -> Api {
        self.seen = seen.clone();
        self
    }

    pub async fn sign_in(mut self, staff: &str, pin: &str) -> Api {
        let r = self
            .post("/v1/sessions", json!({ "staff_code": staff, "pin": pin }))
            .await;
        let v = r.expect(201);
        self.token = Some(v["token"].as_str().unwrap().to_string());
        self
    }

    pub async fn send(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<Vec<u8>>,
        headers: &[(&str, &str)],
    ) -> Resp {
        let body = body.map(|b| ("application/json", b));
        self.send_as(method, path, body, headers).await
    }

    /// Posts `body` as `content_type` (e.g. a CSV file).
    pub async fn post_as(&self, path: &str, content_type: &str, body: &str) -> Resp {
        let body = Some((content_type, body.as_bytes().to_vec()));
        self.send_as(reqwest::Method::POST, path, body, &[]).await
    }

    async fn send_as(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<(&str, Vec<u8>)>,
        headers: &[(&str, &str)],
    ) -> Resp {
        let mut req = self
            .http
            .request(method, format!("{}{path}", self.base))
            .header("x-terminal-token", &self.terminal);
        if let Some(t) = &self.token {
            req = req.bearer_auth(t);
        }
        if let Some((content_type, b)) = body {
            req = req.header("content-type", content_type).body(b);
        }
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        let res = req.send().await.expect("request reaches the server");
        let status = res.status().as_u16();
        let headers = res.headers().clone();
        let content_type = headers
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string();
        let body = res.text().await.unwrap_or_default();
        self.seen.lock().unwrap().push(body.clone());
        Resp {
            status,
            body,
            content_type,
            headers,
        }
    }

    pub async fn get(&self, path: &str) -> Resp {
        self.send(reqwest::Method::GET, path, None, &[]).await
    }
    pub async fn post(&self, path: &str, body: Value) -> Resp {
        self.send(
            reqwest::Method::POST,
            path,
            Some(body.to_string().into_bytes()),
            &[],
        )
        .await
    }
    pub async fn put(&self, path: &str, body: Value) -> Resp {
        self.send(
            reqwest::Method::PUT,
            path,
            Some(body.to_string().into_bytes()),
            &[],
        )
        .await
    }
    pub async fn delete(&self, path: &str) -> Resp {
        self.send(reqwest::Method::DELETE, path, None, &[]).await
    }
    pub async fn commit(&self, id: &str, key: &str) -> Resp {
        self.send(
            reqwest::Method::POST,
            &format!("/v1/redemptions/{id}/commit"),
            None,
            &[("idempotency-key", key)],
        )
        .await
    }

    pub async fn create(
        &self,
        customer: &str,
        instrument: &str,
        quantity: u64,
        bill_minor: u64,
    ) -> Resp {
        self.post(
            "/v1/redemptions",
            redemption_body(customer, instrument, quantity, bill_minor),
        )
        .await
    }

    pub async fn balance(&self, customer: &str) -> Value {
        self.get(&format!("/v1/customers/{customer}/balance"))
            .await
            .expect(200)
    }

    /// Creates an intent (see [`Api::create`]) and returns its id.
    pub async fn create_id(
        &self,
        customer: &str,
        instrument: &str,
        quantity: u64,
        bill_minor: u64,
    ) -> String {
        let r = self
            .create(customer, instrument, quantity, bill_minor)
            .await;
        id_of(&r.expect(201))
    }

    pub async fn available(&self, customer: &str, instrument: &str) -> u64 {
        let b = self.balance(customer).await;
        b["instruments"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["id"] == instrument)
            .unwrap_or_else(|| panic!("{instrument} in {b}"))["available"]
            .as_u64()
            .unwrap()
    }

    pub async fn policy(&self) -> Value {
        self.get("/v1/policy").await.expect(200)
    }

    /// Sends a redemption's code on `channel`.
    pub async fn send_otp(&self, id: &str, channel: &str) -> Resp {
        self.post(
            &format!("/v1/redemptions/{id}/otp"),
            json!({ "channel": channel }),
        )
        .await
    }

    /// Types a redemption's code.
    pub async fn verify(&self, id: &str, code: &str) -> Resp {
        self.post(
            &format!("/v1/redemptions/{id}/verify"),
            json!({ "code": code }),
        )
        .await
    }

    /// A self-service kiosk session: the customer types their mobile or card number.
    pub async fn identify(&self, query: &str) -> Resp {
        self.post("/v1/kiosk/identify", json!({ "query": query }))
            .await
    }

    /// A self-service kiosk session: the customer types their identification code.
    pub async fn kiosk_verify(&self, code: &str) -> Resp {
        self.post("/v1/kiosk/verify", json!({ "code": code })).await
    }

    pub async fn forget(&self) -> Resp {
        self.post("/v1/kiosk/forget", json!({})).await
    }

    /// This store's audit entries, oldest first (as a manager).
    pub async fn audit_entries(&self) -> Vec<Value> {
        self.get("/v1/audit?limit=1000").await.expect(200)["entries"]
            .as_array()
            .unwrap()
            .clone()
    }

    /// The details of the audit entries of one action, oldest first (as a manager).
    pub async fn audit_details(&self, action: &str) -> Vec<Value> {
        self.audit_entries()
            .await
            .iter()
            .filter(|e| e["action"] == action)
            .map(detail)
            .collect()
    }

    /// Changes some policy fields (as a manager).
    pub async fn set_policy(&self, changes: Value) -> Value {
        let mut p = self.policy().await;
        for (k, v) in changes.as_object().unwrap() {
            p[k] = v.clone();
        }
        self.put("/v1/policy", p).await.expect(200)
    }
}
