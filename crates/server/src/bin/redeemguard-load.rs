//! `redeemguard-load`: drives complete redemptions (intent, send, verify, commit) against a
//! server started with `--demo --demo-bench-terminals N`, from N concurrent terminals, and
//! prints one JSON line with throughput and the latency of a whole redemption. The time spent
//! reading the code from the demo phone (`/demo/outbox.json`) is the customer's part and is
//! excluded from the latency.

use clap::Parser;
use serde_json::{json, Value};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

#[derive(Parser, Debug)]
#[command(
    name = "redeemguard-load",
    about = "Benchmark complete redemptions against a demo-mode RedeemGuard server"
)]
struct Args {
    /// Base URL of a server started with `--demo --demo-bench-terminals N`.
    #[arg(long, default_value = "http://127.0.0.1:8080")]
    url: String,
    /// Concurrent terminals (bench-till-1..N, each redeeming for bench-cust-1..N).
    #[arg(long, default_value_t = 200)]
    terminals: u32,
    /// Offered load in redemptions per second, spread evenly over the terminals; each
    /// redemption's latency counts from its scheduled start, so falling behind shows.
    /// 0 = every terminal flat out (a saturation test; latency is then mostly queueing).
    #[arg(long, default_value_t = 1000.0)]
    rate: f64,
    /// Stop after this many complete redemptions (in all)…
    #[arg(long, default_value_t = 1_000_000)]
    count: u64,
    /// …or after this many seconds, whichever comes first.
    #[arg(long, default_value_t = 10)]
    duration_secs: u64,
    /// Redemptions per terminal before measuring (warms connections and caches).
    #[arg(long, default_value_t = 2)]
    warmup: u32,
    /// Staff code and PIN every terminal signs in with.
    #[arg(long, default_value = "C001")]
    staff: String,
    #[arg(long, default_value = "1234")]
    pin: String,
    /// Points per redemption (at least the policy minimum).
    #[arg(long, default_value_t = 50)]
    quantity: u64,
}

struct Terminal {
    http: reqwest::Client,
    url: String,
    token: String,
    session: String,
    customer: String,
    instrument: String,
}

#[derive(Debug)]
struct Failure(String);

impl Terminal {
    fn req(&self, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        self.http
            .request(method, format!("{}{path}", self.url))
            .header("x-terminal-token", &self.token)
            .bearer_auth(&self.session)
    }

    async fn call(&self, req: reqwest::RequestBuilder, want: u16) -> Result<Value, Failure> {
        let res = req
            .send()
            .await
            .map_err(|e| Failure(format!("transport: {e}")))?;
        let status = res.status().as_u16();
        let body = res
            .bytes()
            .await
            .map_err(|e| Failure(format!("body: {e}")))?;
        if status != want {
            return Err(Failure(format!(
                "HTTP {status}: {}",
                String::from_utf8_lossy(&body)
            )));
        }
        serde_json::from_slice(&body).map_err(|e| Failure(format!("json: {e}")))
    }

    /// One complete redemption; returns its latency from `start` without the customer's code read.
    async fn redeem(&self, n: u64, quantity: u64, start: Instant) -> Result<Duration, Failure> {
        let body = json!({
            "customer_id": self.customer, "instrument_id": self.instrument, "quantity": quantity,
            "purpose": { "kind": "bill", "bill": { "id": format!("LOAD-{n}"), "total": { "minor": 100_000_000u64, "currency": "INR" } } }
        });
        let intent = self
            .call(
                self.req(reqwest::Method::POST, "/v1/redemptions")
                    .json(&body),
                201,
            )
            .await?;
        let id = intent["id"]
            .as_str()
            .ok_or_else(|| Failure("no id".into()))?
            .to_string();
        let mut customer_time = Duration::ZERO;
        if intent["status"] == "awaiting_otp" {
            self.call(
                self.req(reqwest::Method::POST, &format!("/v1/redemptions/{id}/otp"))
                    .json(&json!({ "channel": "sms" })),
                200,
            )
            .await?;
            let read = Instant::now();
            let code = self.read_code(&id).await?;
            customer_time = read.elapsed();
            let verify = self
                .req(
                    reqwest::Method::POST,
                    &format!("/v1/redemptions/{id}/verify"),
                )
                .json(&json!({ "code": code }));
            self.call(verify, 200).await?;
        }
        let commit = self
            .req(
                reqwest::Method::POST,
                &format!("/v1/redemptions/{id}/commit"),
            )
            .header("idempotency-key", format!("load-{id}"));
        self.call(commit, 200).await?;
        Ok(start.elapsed().saturating_sub(customer_time))
    }

    async fn read_code(&self, id: &str) -> Result<String, Failure> {
        let url = format!("{}/demo/outbox.json?redemption={id}&limit=1", self.url);
        let res = self
            .http
            .get(url)
            .send()
            .await
            .map_err(|e| Failure(format!("outbox: {e}")))?;
        let messages: Value = res
            .json()
            .await
            .map_err(|e| Failure(format!("outbox json: {e}")))?;
        let text = messages[0]["text"]
            .as_str()
            .ok_or_else(|| Failure("no message on the demo phone".into()))?;
        first_code(text).ok_or_else(|| Failure("no code in the message".into()))
    }
}

/// The first run of 6–10 digits that is not part of an amount.
fn first_code(text: &str) -> Option<String> {
    let b = text.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i].is_ascii_digit() {
            let start = i;
            while i < b.len() && b[i].is_ascii_digit() {
                i += 1;
            }
            let decimal = b.get(i) == Some(&b'.') && b.get(i + 1).is_some_and(u8::is_ascii_digit);
            if (6..=10).contains(&(i - start)) && !decimal {
                return Some(text[start..i].to_string());
            }
        } else {
            i += 1;
        }
    }
    None
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let idx = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[idx].as_secs_f64() * 1000.0
}

async fn sign_in(http: &reqwest::Client, args: &Args, i: u32) -> Result<Terminal, Failure> {
    let token = format!("bench-till-{i}");
    let res = http
        .post(format!("{}/v1/sessions", args.url))
        .header("x-terminal-token", &token)
        .json(&json!({ "staff_code": args.staff, "pin": args.pin }))
        .send()
        .await
        .map_err(|e| Failure(format!("sign-in: {e}")))?;
    if res.status() != 201 {
        return Err(Failure(format!(
            "sign-in of {token}: HTTP {}",
            res.status()
        )));
    }
    let session: Value = res
        .json()
        .await
        .map_err(|e| Failure(format!("sign-in json: {e}")))?;
    Ok(Terminal {
        http: http.clone(),
        url: args.url.clone(),
        token,
        session: session["token"].as_str().unwrap_or_default().to_string(),
        customer: format!("bench-cust-{i}"),
        instrument: format!("bench-cust-{i}-points-0"),
    })
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let args = Arc::new(Args::parse());
    redeemguard_server::gateways::install_tls_provider();
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(args.terminals as usize * 2)
        .tcp_nodelay(true)
        .build()
        .expect("an HTTP client");

    // Sign-ins run argon2 on the server: do them a few at a time, before measuring.
    let mut terminals = Vec::new();
    for chunk in (1..=args.terminals).collect::<Vec<_>>().chunks(8) {
        let batch: Vec<_> = chunk
            .iter()
            .map(|&i| {
                let (http, args) = (http.clone(), args.clone());
                tokio::spawn(async move { sign_in(&http, &args, i).await })
            })
            .collect();
        for b in batch {
            match b.await.expect("sign-in task") {
                Ok(t) => terminals.push(Arc::new(t)),
                Err(Failure(e)) => {
                    eprintln!("redeemguard-load: {e} (start the server with --demo --demo-bench-terminals {})", args.terminals);
                    return std::process::ExitCode::FAILURE;
                }
            }
        }
    }

    let sequence = Arc::new(AtomicU64::new(0));
    // Warm-up: connections, statement caches, page cache.
    let warm: Vec<_> = terminals
        .iter()
        .map(|t| {
            let (t, seq, args) = (t.clone(), sequence.clone(), args.clone());
            tokio::spawn(async move {
                for _ in 0..args.warmup {
                    let _ = t
                        .redeem(
                            seq.fetch_add(1, Ordering::Relaxed),
                            args.quantity,
                            Instant::now(),
                        )
                        .await;
                }
            })
        })
        .collect();
    for w in warm {
        let _ = w.await;
    }

    let done = Arc::new(AtomicU64::new(0));
    let errors = Arc::new(AtomicU64::new(0));
    let deadline = Instant::now() + Duration::from_secs(args.duration_secs);
    let started = Instant::now();
    let interval = if args.rate > 0.0 {
        Duration::from_secs_f64(f64::from(args.terminals) / args.rate)
    } else {
        Duration::ZERO
    };
    let workers: Vec<_> = terminals
        .iter()
        .enumerate()
        .map(|(i, t)| {
            let (t, seq, done, errors, args) = (
                t.clone(),
                sequence.clone(),
                done.clone(),
                errors.clone(),
                args.clone(),
            );
            // Terminals start staggered so the offered load is even, not in bursts.
            let mut next = started + interval.mul_f64(i as f64 / f64::from(args.terminals));
            tokio::spawn(async move {
                let mut latencies = Vec::new();
                let mut first_error = None;
                loop {
                    let scheduled = if interval.is_zero() {
                        Instant::now()
                    } else {
                        next
                    };
                    if scheduled >= deadline || done.fetch_add(1, Ordering::Relaxed) >= args.count {
                        break;
                    }
                    tokio::time::sleep_until(scheduled.into()).await;
                    next += interval;
                    match t
                        .redeem(
                            seq.fetch_add(1, Ordering::Relaxed),
                            args.quantity,
                            scheduled,
                        )
                        .await
                    {
                        Ok(l) => latencies.push(l),
                        Err(Failure(e)) => {
                            errors.fetch_add(1, Ordering::Relaxed);
                            first_error.get_or_insert(e);
                        }
                    }
                }
                (latencies, first_error)
            })
        })
        .collect();
    let mut latencies = Vec::new();
    let mut first_error = None;
    for w in workers {
        let (l, e) = w.await.expect("worker");
        latencies.extend(l);
        if first_error.is_none() {
            first_error = e;
        }
    }
    let elapsed = started.elapsed().as_secs_f64();
    latencies.sort();
    let completed = latencies.len() as u64;
    let line = json!({
        "terminals": args.terminals,
        "target_rate": args.rate,
        "redemptions": completed,
        "errors": errors.load(Ordering::Relaxed),
        "elapsed_secs": (elapsed * 1000.0).round() / 1000.0,
        "redemptions_per_sec": ((completed as f64 / elapsed) * 10.0).round() / 10.0,
        "p50_ms": (percentile(&latencies, 0.50) * 100.0).round() / 100.0,
        "p99_ms": (percentile(&latencies, 0.99) * 100.0).round() / 100.0,
        "max_ms": (percentile(&latencies, 1.0) * 100.0).round() / 100.0,
        "first_error": first_error,
    });
    println!("{line}");
    if completed == 0 {
        return std::process::ExitCode::FAILURE;
    }
    std::process::ExitCode::SUCCESS
}
