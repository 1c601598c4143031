//! What an operator graphs and alerts on, at `GET /metrics` in Prometheus' text format: codes
//! sent by channel and outcome, verify outcomes, overrides, holds and posts, the writer's queue
//! wait and transaction time, and gateway latency. Process-wide counters (one server process
//! is one scrape target); nothing here names a customer, a code or a token.

use contract::Channel;
use std::fmt::Write;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// Upper bounds of the latency buckets, in milliseconds.
const BUCKETS_MS: [u64; 12] = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1_000, 2_000, 5_000];

/// A latency histogram (cumulative buckets, as Prometheus reads them).
pub struct Histogram {
    buckets: [AtomicU64; BUCKETS_MS.len()],
    count: AtomicU64,
    sum_us: AtomicU64,
}

impl Histogram {
    const fn new() -> Self {
        Histogram {
            buckets: [const { AtomicU64::new(0) }; BUCKETS_MS.len()],
            count: AtomicU64::new(0),
            sum_us: AtomicU64::new(0),
        }
    }

    pub fn observe(&self, d: Duration) {
        let us = d.as_micros().min(u128::from(u64::MAX)) as u64;
        for (bound, n) in BUCKETS_MS.iter().zip(&self.buckets) {
            if us <= bound * 1000 {
                n.fetch_add(1, Ordering::Relaxed);
            }
        }
        self.count.fetch_add(1, Ordering::Relaxed);
        self.sum_us.fetch_add(us, Ordering::Relaxed);
    }

    fn render(&self, out: &mut String, name: &str, help: &str, labels: &str) {
        let sep = if labels.is_empty() { "" } else { "," };
        if !out.contains(&format!("# TYPE {name} ")) {
            let _ = writeln!(out, "# HELP {name} {help}");
            let _ = writeln!(out, "# TYPE {name} histogram");
        }
        for (bound, n) in BUCKETS_MS.iter().zip(&self.buckets) {
            let le = *bound as f64 / 1000.0;
            let _ = writeln!(
                out,
                "{name}_bucket{{{labels}{sep}le=\"{le}\"}} {}",
                n.load(Ordering::Relaxed)
            );
        }
        let count = self.count.load(Ordering::Relaxed);
        let _ = writeln!(out, "{name}_bucket{{{labels}{sep}le=\"+Inf\"}} {count}");
        let braces = |s: &str| {
            if s.is_empty() {
                String::new()
            } else {
                format!("{{{s}}}")
            }
        };
        let sum = self.sum_us.load(Ordering::Relaxed) as f64 / 1e6;
        let _ = writeln!(out, "{name}_sum{} {sum}", braces(labels));
        let _ = writeln!(out, "{name}_count{} {count}", braces(labels));
    }
}

/// How a code's delivery ended.
#[derive(Clone, Copy)]
pub enum SendOutcome {
    Delivered,
    Failed,
}

/// How a typed code was judged.
#[derive(Clone, Copy)]
pub enum VerifyOutcome {
    Approved,
    Wrong,
    Locked,
    Expired,
}

const VERIFY: [&str; 4] = ["approved", "wrong", "locked", "expired"];

pub struct Metrics {
    /// [channel][delivered, failed]
    sends: [[AtomicU64; 2]; 3],
    /// [channel][delivered, failed]: what providers' delivery reports said (issue 16).
    reports: [[AtomicU64; 2]; 3],
    verifies: [AtomicU64; 4],
    overrides: AtomicU64,
    holds: AtomicU64,
    posts: AtomicU64,
    gateway: [Histogram; 3],
    queue_wait: Histogram,
    transaction: Histogram,
}

static METRICS: Metrics = Metrics {
    sends: [const { [const { AtomicU64::new(0) }; 2] }; 3],
    reports: [const { [const { AtomicU64::new(0) }; 2] }; 3],
    verifies: [const { AtomicU64::new(0) }; 4],
    overrides: AtomicU64::new(0),
    holds: AtomicU64::new(0),
    posts: AtomicU64::new(0),
    gateway: [const { Histogram::new() }; 3],
    queue_wait: Histogram::new(),
    transaction: Histogram::new(),
};

/// The process's metrics.
pub fn get() -> &'static Metrics {
    &METRICS
}

fn channel_index(c: Channel) -> usize {
    match c {
        Channel::Sms => 0,
        Channel::Whatsapp => 1,
        Channel::Email => 2,
    }
}

impl Metrics {
    /// A code handed to a gateway: how it ended and how long the gateway took.
    pub fn sent(&self, channel: Channel, outcome: SendOutcome, took: Duration) {
        let i = channel_index(channel);
        self.sends[i][outcome as usize].fetch_add(1, Ordering::Relaxed);
        self.gateway[i].observe(took);
    }

    /// A provider's delivery report that changed what is known of a message.
    pub fn reported(&self, channel: Channel, delivered: bool) {
        let i = channel_index(channel);
        self.reports[i][usize::from(!delivered)].fetch_add(1, Ordering::Relaxed);
    }

    pub fn verified(&self, outcome: VerifyOutcome) {
        self.verifies[outcome as usize].fetch_add(1, Ordering::Relaxed);
    }

    pub fn overridden(&self) {
        self.overrides.fetch_add(1, Ordering::Relaxed);
    }

    pub fn held(&self) {
        self.holds.fetch_add(1, Ordering::Relaxed);
    }

    pub fn posted(&self) {
        self.posts.fetch_add(1, Ordering::Relaxed);
    }

    /// A job waited `wait` in the writer's queue; its group's transaction took `took`.
    pub fn job(&self, wait: Duration) {
        self.queue_wait.observe(wait);
    }

    pub fn transaction(&self, took: Duration) {
        self.transaction.observe(took);
    }

    /// Prometheus' text exposition format.
    pub fn render(&self) -> String {
        let mut out = String::with_capacity(8 * 1024);
        let counter = |out: &mut String, name: &str, help: &str| {
            let _ = writeln!(out, "# HELP {name} {help}");
            let _ = writeln!(out, "# TYPE {name} counter");
        };
        counter(
            &mut out,
            "redeemguard_codes_sent_total",
            "One-time codes handed to a gateway, by channel and outcome.",
        );
        for c in Channel::ALL {
            for (o, name) in ["delivered", "failed"].iter().enumerate() {
                let _ = writeln!(
                    out,
                    "redeemguard_codes_sent_total{{channel=\"{}\",outcome=\"{name}\"}} {}",
                    c.as_str(),
                    self.sends[channel_index(c)][o].load(Ordering::Relaxed)
                );
            }
        }
        counter(
            &mut out,
            "redeemguard_delivery_reports_total",
            "Providers' delivery reports on messages, by channel and status (delivered to the phone, failed at the operator).",
        );
        for c in Channel::ALL {
            for (o, name) in ["delivered", "failed"].iter().enumerate() {
                let _ = writeln!(
                    out,
                    "redeemguard_delivery_reports_total{{channel=\"{}\",status=\"{name}\"}} {}",
                    c.as_str(),
                    self.reports[channel_index(c)][o].load(Ordering::Relaxed)
                );
            }
        }
        counter(
            &mut out,
            "redeemguard_code_verifications_total",
            "Codes typed and judged, by outcome.",
        );
        for (i, name) in VERIFY.iter().enumerate() {
            let _ = writeln!(
                out,
                "redeemguard_code_verifications_total{{outcome=\"{name}\"}} {}",
                self.verifies[i].load(Ordering::Relaxed)
            );
        }
        for (name, help, v) in [
            (
                "redeemguard_overrides_total",
                "Redemptions approved by a manager instead of a code.",
                &self.overrides,
            ),
            (
                "redeemguard_holds_total",
                "Redemption intents created (quantities held).",
                &self.holds,
            ),
            (
                "redeemguard_posts_total",
                "Commits answered with a receipt (replays included).",
                &self.posts,
            ),
        ] {
            counter(&mut out, name, help);
            let _ = writeln!(out, "{name} {}", v.load(Ordering::Relaxed));
        }
        for c in Channel::ALL {
            self.gateway[channel_index(c)].render(
                &mut out,
                "redeemguard_gateway_seconds",
                "Time a gateway took to take (or refuse) a code, by channel.",
                &format!("channel=\"{}\"", c.as_str()),
            );
        }
        self.queue_wait.render(
            &mut out,
            "redeemguard_writer_queue_wait_seconds",
            "Time a database job waited for the single writer.",
            "",
        );
        self.transaction.render(
            &mut out,
            "redeemguard_writer_transaction_seconds",
            "Time a group of jobs took as one transaction.",
            "",
        );
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn histograms_count_into_cumulative_buckets() {
        let h = Histogram::new();
        h.observe(Duration::from_micros(500));
        h.observe(Duration::from_millis(7));
        h.observe(Duration::from_secs(9));
        let mut out = String::new();
        h.render(&mut out, "x_seconds", "test", "");
        assert!(out.contains("x_seconds_bucket{le=\"0.001\"} 1\n"), "{out}");
        assert!(out.contains("x_seconds_bucket{le=\"0.01\"} 2\n"), "{out}");
        assert!(out.contains("x_seconds_bucket{le=\"5\"} 2\n"), "{out}");
        assert!(out.contains("x_seconds_bucket{le=\"+Inf\"} 3\n"), "{out}");
        assert!(out.contains("x_seconds_count 3\n"), "{out}");
        assert!(out.contains("x_seconds_sum 9.0075\n"), "{out}");
    }
}
