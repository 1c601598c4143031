//! The real server binary on an ephemeral port with a temporary database, its output
//! captured, and the demo phone read for the codes it was sent.

use super::client::Api;
use serde_json::Value;
use std::io::{BufRead, BufReader, Read};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

pub const BIN: &str = env!("CARGO_BIN_EXE_redeemguard-server");

/// What a production server is started with: its secrets from the environment.
pub const PRODUCTION_ENV: &[(&str, &str)] = &[
    (
        "REDEEMGUARD_OTP_SECRET",
        "a-production-secret-of-enough-length",
    ),
    ("REDEEMGUARD_AUDIT_KEY", "a-production-audit-key-of-its-own"),
];

pub struct Server {
    child: Child,
    pub base: String,
    /// The widget host page's URL (`host page on …`), when the server serves one.
    pub host_page: Option<String>,
    pub db: PathBuf,
    pub dir: Arc<tempfile::TempDir>,
    pub output: Arc<Mutex<String>>,
    /// The threads copying the process's output; they end when it has exited and every
    /// line is in `output`.
    readers: Vec<std::thread::JoinHandle<()>>,
}

fn capture(
    stream: impl Read + Send + 'static,
    output: Arc<Mutex<String>>,
    ready: Option<std::sync::mpsc::Sender<String>>,
) -> std::thread::JoinHandle<()> {
    std::thread::spawn(move || {
        let reader = BufReader::new(stream);
        for line in reader.lines().map_while(Result::ok) {
            if let (Some(tx), Some(addr)) = (&ready, line.strip_prefix("listening on ")) {
                let _ = tx.send(addr.to_string());
            }
            let mut out = output.lock().unwrap();
            out.push_str(&line);
            out.push('\n');
        }
    })
}

impl Server {
    /// A demo server with the testing clock, plus `extra` flags.
    pub fn demo(extra: &[&str]) -> Server {
        let dir = Arc::new(tempfile::tempdir().unwrap());
        let db = dir.path().join("test.sqlite");
        let mut args = vec!["--demo", "--testing-clock", "--sweep-interval-secs", "1"];
        args.extend_from_slice(extra);
        Server::spawn(dir, db, &args, &[])
    }

    /// A demo server whose code secret is `secret` (from a file), plus `extra` flags.
    pub fn demo_with_secret(secret: &str, extra: &[&str]) -> Server {
        let dir = Arc::new(tempfile::tempdir().unwrap());
        let secret_file = dir.path().join("otp.secret");
        std::fs::write(&secret_file, secret).unwrap();
        let db = dir.path().join("test.sqlite");
        let mut args = vec!["--demo", "--secret-file", secret_file.to_str().unwrap()];
        args.extend_from_slice(extra);
        Server::spawn(dir.clone(), db, &args, &[])
    }

    /// A database seeded in demo mode, then served as production would serve it: no demo
    /// phone, no gateway configured, a secret from the environment.
    pub fn production_seeded() -> Server {
        let seeded = Server::demo(&[]);
        let (dir, db) = (seeded.dir.clone(), seeded.db.clone());
        drop(seeded);
        // The chain goes on with the key the demo created for it.
        let key = db.with_file_name("test.sqlite.audit-key");
        Server::spawn(
            dir,
            db,
            &["--audit-key-file", key.to_str().unwrap()],
            &PRODUCTION_ENV[..1],
        )
    }

    /// A database created by a production server (not a demo): empty, no demo mark.
    pub fn production_seeded_fresh() -> Server {
        let dir = Arc::new(tempfile::tempdir().unwrap());
        let db = dir.path().join("real.sqlite");
        Server::spawn(dir, db, &[], PRODUCTION_ENV)
    }

    /// Starts the binary on `db` with `args` (plus an ephemeral port).
    pub fn spawn(
        dir: Arc<tempfile::TempDir>,
        db: PathBuf,
        args: &[&str],
        env: &[(&str, &str)],
    ) -> Server {
        // The tests' own HTTP client uses the server's TLS stack, which needs its provider.
        redeemguard_server::gateways::install_tls_provider();
        let mut cmd = Command::new(BIN);
        cmd.args(["--listen", "127.0.0.1:0", "--db"])
            .arg(&db)
            .args(args);
        cmd.env("RUST_LOG", "info")
            .env_remove("REDEEMGUARD_OTP_SECRET")
            .env_remove("REDEEMGUARD_AUDIT_KEY");
        for (k, v) in env {
            cmd.env(k, v);
        }
        let mut child = cmd
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("server binary starts");
        let output = Arc::new(Mutex::new(String::new()));
        let (tx, rx) = std::sync::mpsc::channel();
        let readers = vec![
            capture(child.stdout.take().unwrap(), output.clone(), Some(tx)),
            capture(child.stderr.take().unwrap(), output.clone(), None),
        ];
        let base = rx
            .recv_timeout(Duration::from_secs(60))
            .unwrap_or_else(|_| panic!("server did not start: {}", output.lock().unwrap()));
        // Printed before `listening on`, so it is in the output by now.
        let host_page = output
            .lock()
            .unwrap()
            .lines()
            .find_map(|l| l.strip_prefix("host page on "))
            .map(|url| url.trim_end_matches('/').to_string());
        Server {
            child,
            base,
            host_page,
            db,
            dir,
            output,
            readers,
        }
    }

    pub fn logs(&self) -> String {
        self.output.lock().unwrap().clone()
    }

    /// SIGTERM, then the exit status (None if it did not exit within `secs`).
    pub fn terminate(&mut self, secs: u64) -> Option<std::process::ExitStatus> {
        let pid = self.child.id().to_string();
        Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .expect("kill runs");
        let end = Instant::now() + Duration::from_secs(secs);
        while Instant::now() < end {
            if let Ok(Some(status)) = self.child.try_wait() {
                // Its last lines (the shutdown checkpoint, say) may still be in the pipes:
                // the readers end once they have them all.
                for reader in self.readers.drain(..) {
                    let _ = reader.join();
                }
                return Some(status);
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        None
    }

    /// SIGKILL: no chance to flush or shut down cleanly.
    pub fn kill9(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    pub fn api(&self, terminal: &str) -> Api {
        Api::new(&self.base, terminal)
    }

    pub async fn advance_clock(&self, secs: i64) {
        let res = reqwest::Client::new()
            .post(format!("{}/testing/clock?advance_secs={secs}", self.base))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200);
    }

    /// Messages on the demo phone, newest first.
    pub async fn outbox(&self, customer: &str) -> Vec<Value> {
        let url = format!("{}/demo/outbox.json?customer={customer}", self.base);
        reqwest::get(url)
            .await
            .unwrap()
            .json::<Vec<Value>>()
            .await
            .unwrap()
    }

    /// The code sent for one redemption (the newest, after a resend).
    pub async fn code_for(&self, redemption_id: &str) -> String {
        let url = format!("{}/demo/outbox.json?redemption={redemption_id}", self.base);
        let messages = reqwest::get(url)
            .await
            .unwrap()
            .json::<Vec<Value>>()
            .await
            .unwrap();
        newest_code(&messages)
    }

    /// The code in the newest code message to `customer` (confirmations carry none).
    pub async fn latest_code(&self, customer: &str) -> String {
        newest_code(&self.outbox(customer).await)
    }
}

fn newest_code(messages: &[Value]) -> String {
    let text = messages
        .iter()
        .find(|m| m["kind"] == "otp" || m["kind"] == "identify")
        .expect("a code was delivered")["text"]
        .as_str()
        .unwrap()
        .to_string();
    code_in(&text).expect("the message holds a code")
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Whether `code` occurs in `hay` as a whole run of digits (not inside a longer number).
pub fn contains_code(hay: &str, code: &str) -> bool {
    hay.match_indices(code).any(|(at, _)| {
        let before = hay[..at].chars().next_back();
        let after = hay[at + code.len()..].chars().next();
        !before.is_some_and(|c| c.is_ascii_digit()) && !after.is_some_and(|c| c.is_ascii_digit())
    })
}

/// The first run of 6–10 digits that is not part of an amount.
pub fn code_in(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i].is_ascii_digit() {
            let start = i;
            while i < bytes.len() && bytes[i].is_ascii_digit() {
                i += 1;
            }
            let decimal =
                bytes.get(i) == Some(&b'.') && bytes.get(i + 1).is_some_and(u8::is_ascii_digit);
            if (6..=10).contains(&(i - start)) && !decimal {
                return Some(text[start..i].to_string());
            }
        } else {
            i += 1;
        }
    }
    None
}
