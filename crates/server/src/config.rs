//! Command line and optional TOML file. A flag beats the file, the file beats the default.
//! The OTP secret comes only from the environment or a file, and is never printed; so do
//! the gateways' secrets (the file names environment variables, never values).
//!
//! Gateways (`[gateways.sms]`, `[gateways.whatsapp]`, `[gateways.email]`) and message texts
//! (`[messages."<locale>".<channel>]`) exist only in the file; both are checked here, at
//! start-up, so a mistake stops the server with its place named instead of failing a send.

use crate::channels::{EnvLookup, Gateways, GatewaysFile};
use crate::crypto::Secret;
use crate::messages::{MessageCatalog, MessagesFile};
use clap::{Args, Parser, Subcommand};
use serde::Deserialize;
use std::net::SocketAddr;
use std::path::PathBuf;

#[derive(Parser, Debug)]
#[command(
    name = "redeemguard-server",
    version,
    about = "RedeemGuard reference backend (the /v1 contract on SQLite)"
)]
#[command(args_conflicts_with_subcommands = true)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    #[command(flatten)]
    pub serve: ServeArgs,
}

#[derive(Subcommand, Debug)]
#[allow(clippy::large_enum_variant)] // parsed once at start-up
pub enum Command {
    /// Serve the API (the default when no subcommand is given).
    Serve(ServeArgs),
    /// Check the whole audit hash chain; exits non-zero naming the first broken link.
    VerifyAudit {
        #[arg(long)]
        db: PathBuf,
    },
    /// Print the OpenAPI document (regenerate the committed copy with
    /// `redeemguard-server openapi > crates/server/openapi.json`).
    Openapi,
}

#[derive(Args, Debug, Default, Clone)]
pub struct ServeArgs {
    /// TOML file with any of the settings below (flags win).
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// Address to listen on [default: 127.0.0.1:8080]; port 0 picks a free one.
    #[arg(long)]
    pub listen: Option<SocketAddr>,
    /// SQLite file [default: redeemguard.sqlite; with --demo a fresh temporary file].
    #[arg(long)]
    pub db: Option<PathBuf>,
    /// Serve the built app from this directory at `/` (index.html for unknown paths).
    #[arg(long)]
    pub static_dir: Option<PathBuf>,
    /// Origin allowed to call the API from a browser (repeatable), e.g. https://salon.example.
    #[arg(long = "cors-origin")]
    pub cors_origins: Vec<String>,
    /// File holding the OTP secret (else env REDEEMGUARD_OTP_SECRET; demo: random per start).
    #[arg(long)]
    pub secret_file: Option<PathBuf>,
    /// Demo mode: seed a demo store and serve the customer's phone at /demo/phone.
    #[arg(long)]
    pub demo: bool,
    /// Demo: also seed this many benchmark terminals (bench-till-N) with their own customers.
    #[arg(long)]
    pub demo_bench_terminals: Option<u32>,
    /// Demo: also seed a second, unrelated merchant (terminal token `other-till-1`), for isolation tests.
    #[arg(long)]
    pub demo_extra_merchant: bool,
    /// Staff session lifetime in seconds [default: 43200].
    #[arg(long)]
    pub session_ttl_secs: Option<u32>,
    /// How long a hold outlives the code's lifetime before the sweeper releases it [default: 600].
    #[arg(long)]
    pub hold_grace_secs: Option<u32>,
    /// Seconds between sweeps of abandoned holds [default: 5].
    #[arg(long)]
    pub sweep_interval_secs: Option<u32>,
    /// Longest time a request may take [default: 15].
    #[arg(long)]
    pub request_timeout_secs: Option<u32>,
    /// Largest request body in bytes [default: 65536].
    #[arg(long)]
    pub body_limit_bytes: Option<usize>,
    /// Log format: text or json [default: text].
    #[arg(long)]
    pub log_format: Option<String>,
    /// Tests only: expose POST /testing/clock?advance_secs=N to move the server clock forward.
    #[arg(long, hide = true)]
    pub testing_clock: bool,
}

/// The TOML file's shape: the same settings, all optional.
#[derive(Deserialize, Debug, Default)]
#[serde(deny_unknown_fields)]
pub struct FileConfig {
    pub listen: Option<SocketAddr>,
    pub db: Option<PathBuf>,
    pub static_dir: Option<PathBuf>,
    #[serde(default)]
    pub cors_origins: Vec<String>,
    pub secret_file: Option<PathBuf>,
    pub demo: Option<bool>,
    pub session_ttl_secs: Option<u32>,
    pub hold_grace_secs: Option<u32>,
    pub sweep_interval_secs: Option<u32>,
    pub request_timeout_secs: Option<u32>,
    pub body_limit_bytes: Option<usize>,
    pub log_format: Option<String>,
    /// Message after a commit and after an accrual [default: true].
    pub send_confirmations: Option<bool>,
    #[serde(default)]
    pub gateways: GatewaysFile,
    #[serde(default)]
    pub messages: MessagesFile,
}

#[derive(Debug, Clone)]
pub struct Config {
    pub listen: SocketAddr,
    pub db: PathBuf,
    pub static_dir: Option<PathBuf>,
    pub cors_origins: Vec<String>,
    pub secret: Secret,
    pub demo: bool,
    pub demo_bench_terminals: u32,
    pub demo_extra_merchant: bool,
    pub session_ttl_secs: u32,
    pub hold_grace_secs: u32,
    pub sweep_interval_secs: u32,
    pub request_timeout_secs: u32,
    pub body_limit_bytes: usize,
    pub json_logs: bool,
    pub testing_clock: bool,
    pub gateways: Gateways,
    pub messages: std::sync::Arc<MessageCatalog>,
    pub send_confirmations: bool,
}

/// Time kept back from the request timeout for the database work around a send.
const SEND_MARGIN: std::time::Duration = std::time::Duration::from_secs(2);

impl Config {
    pub fn resolve(args: ServeArgs) -> Result<Config, String> {
        Config::resolve_with(args, &|var| std::env::var(var).ok())
    }

    /// The same, with the gateways' secrets looked up through `env`.
    pub fn resolve_with(args: ServeArgs, env: EnvLookup<'_>) -> Result<Config, String> {
        let file = match &args.config {
            Some(path) => {
                let text = std::fs::read_to_string(path)
                    .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
                toml::from_str::<FileConfig>(&text)
                    .map_err(|e| format!("{}: {e}", path.display()))?
            }
            None => FileConfig::default(),
        };
        let demo = args.demo || file.demo.unwrap_or(false);
        let secret_file = args.secret_file.or(file.secret_file);
        let secret = load_secret(secret_file.as_deref(), demo)?;
        let db = match args.db.or(file.db) {
            Some(db) => db,
            None if demo => std::env::temp_dir().join(format!(
                "redeemguard-demo-{}.sqlite",
                crate::crypto::new_token()
            )),
            None => PathBuf::from("redeemguard.sqlite"),
        };
        let mut cors_origins = args.cors_origins;
        cors_origins.extend(file.cors_origins);
        let log_format = args
            .log_format
            .or(file.log_format)
            .unwrap_or_else(|| "text".into());
        if log_format != "text" && log_format != "json" {
            return Err(format!(
                "--log-format must be text or json, not {log_format}"
            ));
        }
        let request_timeout_secs = args
            .request_timeout_secs
            .or(file.request_timeout_secs)
            .unwrap_or(15)
            .max(1);
        let budget = std::time::Duration::from_secs(u64::from(request_timeout_secs))
            .saturating_sub(SEND_MARGIN);
        let gateways = Gateways::from_file(&file.gateways, env, budget)?;
        let messages = MessageCatalog::from_file(&file.messages)?;
        Ok(Config {
            listen: args
                .listen
                .or(file.listen)
                .unwrap_or_else(|| SocketAddr::from(([127, 0, 0, 1], 8080))),
            db,
            static_dir: args.static_dir.or(file.static_dir),
            cors_origins,
            secret,
            demo,
            demo_bench_terminals: args.demo_bench_terminals.unwrap_or(0),
            demo_extra_merchant: args.demo_extra_merchant,
            session_ttl_secs: args
                .session_ttl_secs
                .or(file.session_ttl_secs)
                .unwrap_or(43_200),
            hold_grace_secs: args.hold_grace_secs.or(file.hold_grace_secs).unwrap_or(600),
            sweep_interval_secs: args
                .sweep_interval_secs
                .or(file.sweep_interval_secs)
                .unwrap_or(5)
                .max(1),
            request_timeout_secs,
            body_limit_bytes: args
                .body_limit_bytes
                .or(file.body_limit_bytes)
                .unwrap_or(65_536),
            json_logs: log_format == "json",
            testing_clock: args.testing_clock,
            gateways,
            messages: std::sync::Arc::new(messages),
            send_confirmations: file.send_confirmations.unwrap_or(true),
        })
    }
}

fn load_secret(file: Option<&std::path::Path>, demo: bool) -> Result<Secret, String> {
    if let Some(path) = file {
        let bytes = std::fs::read(path)
            .map_err(|e| format!("cannot read the secret file {}: {e}", path.display()))?;
        let trimmed = String::from_utf8_lossy(&bytes).trim().as_bytes().to_vec();
        return Secret::new(trimmed);
    }
    match std::env::var("REDEEMGUARD_OTP_SECRET") {
        Ok(s) if !s.trim().is_empty() => Secret::new(s.trim().as_bytes().to_vec()),
        _ if demo => Ok(Secret::random()),
        _ => Err("set REDEEMGUARD_OTP_SECRET or --secret-file (at least 16 bytes)".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The shipped examples are real configurations: each loads, builds its gateways and
    /// checks its texts, so they cannot rot.
    #[tokio::test]
    async fn the_shipped_gateway_examples_load() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/gateways");
        let mut seen = Vec::new();
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_none_or(|e| e != "toml") {
                continue;
            }
            let args = ServeArgs {
                config: Some(path.clone()),
                demo: true,
                ..Default::default()
            };
            let config = Config::resolve_with(args, &|_| Some("from-the-environment".into()))
                .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            seen.push((
                path.file_name().unwrap().to_string_lossy().to_string(),
                config.gateways.summary.clone(),
            ));
        }
        seen.sort();
        assert_eq!(
            seen,
            vec![
                (
                    "form-basic-auth.toml".to_string(),
                    vec![
                        "sms: http api.twilio.com".to_string(),
                        "email: smtp smtp.example.com".to_string()
                    ]
                ),
                (
                    "json-bearer.toml".to_string(),
                    vec![
                        "sms: http sms.example.in".to_string(),
                        "whatsapp: http graph.facebook.com".to_string()
                    ]
                ),
            ]
        );
        // Without the environment, the first missing secret is named.
        let args = ServeArgs {
            config: Some(dir.join("form-basic-auth.toml")),
            demo: true,
            ..Default::default()
        };
        let e = Config::resolve_with(args, &|_| None).unwrap_err();
        assert!(e.contains("SMS_ACCOUNT_SID is not set"), "{e}");
    }
}
