//! Command line and optional TOML file. A flag beats the file, the file beats the default.
//! The OTP secret comes only from the environment or a file, and is never printed; so do
//! the gateways' secrets (the file names environment variables, never values).
//!
//! Gateways (`[gateways.sms]`, `[gateways.whatsapp]`, `[gateways.email]`) and message texts
//! (`[messages."<locale>".<channel>]`) exist only in the file; both are checked here, at
//! start-up, so a mistake stops the server with its place named instead of failing a send.

use crate::crypto::{AuditKey, Secret};
use crate::gateways::{EnvLookup, Gateways, GatewaysFile, Router};
use crate::messages::{MessageCatalog, MessagesFile};
use clap::{Args, Parser, Subcommand};
use serde::Deserialize;
use std::collections::BTreeMap;
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
    /// Check the whole audit log: the keyed chain, the signed checkpoints, and the ledger
    /// against the log; exits 2 naming the first problem.
    VerifyAudit {
        #[arg(long)]
        db: PathBuf,
        /// The audit key [default: env REDEEMGUARD_AUDIT_KEY, else a demo's <db>.audit-key].
        #[arg(long)]
        audit_key_file: Option<PathBuf>,
        /// The checkpoint file [default: <db>.audit-checkpoints].
        #[arg(long)]
        audit_checkpoint_file: Option<PathBuf>,
    },
    /// Print the OpenAPI document (regenerate the committed copy with
    /// `redeemguard-server openapi > crates/server/openapi.json`).
    Openapi,
    /// Check the settings (flags, environment, file: gateways, message texts, secrets) as
    /// `serve` would, and say what is wrong or that all is well, without serving.
    CheckConfig(ServeArgs),
    /// Set up and run a real store on the server's database (safe while it runs): stores,
    /// terminals, staff, the override code, card types and cards, the customer master. Every
    /// change is audited.
    Admin(AdminArgs),
    /// Benchmark data for the reports (`cargo xtask bench`): adds posted redemptions, cashiers,
    /// tills and customers to a database a demo server created. Never on a real store's file.
    #[command(hide = true)]
    BenchSeedReports {
        #[arg(long)]
        db: PathBuf,
        #[arg(long, default_value_t = 1_000_000)]
        redemptions: u64,
        /// Spread over this many days up to now.
        #[arg(long, default_value_t = 90)]
        days: u32,
    },
}

#[derive(Args, Debug)]
pub struct AdminArgs {
    /// The server's SQLite file.
    #[arg(long)]
    pub db: PathBuf,
    /// The audit key [default: env REDEEMGUARD_AUDIT_KEY, else a demo's <db>.audit-key].
    #[arg(long)]
    pub audit_key_file: Option<PathBuf>,
    /// The signed checkpoints of the audit chain, the server's [default: <db>.audit-checkpoints].
    #[arg(long)]
    pub audit_checkpoint_file: Option<PathBuf>,
    #[command(subcommand)]
    pub command: AdminCommand,
}

#[derive(Subcommand, Debug)]
pub enum AdminCommand {
    /// Create a store with the default policy for its currency, locale and time zone, for a
    /// new merchant or (`--merchant-id`) another store of an existing one.
    CreateStore(crate::admin::NewStore),
    /// Add a till or a kiosk; its token is printed once (only its hash is kept).
    AddTerminal {
        #[arg(long)]
        store: String,
        #[arg(long)]
        name: String,
        /// till or kiosk.
        #[arg(long, default_value = "till")]
        mode: String,
    },
    /// Revoke a terminal: its token stops working and its sessions end at once.
    RevokeTerminal {
        #[arg(long)]
        terminal: String,
    },
    /// Add a staff member; the PIN is read from standard input (one line).
    AddStaff {
        #[arg(long)]
        store: String,
        /// What they type at the till, e.g. C002.
        #[arg(long)]
        code: String,
        #[arg(long)]
        name: String,
        /// cashier or manager.
        #[arg(long)]
        role: String,
        /// Their mobile, as typed (the store's country unless it starts with +): where a
        /// manager's alerts go.
        #[arg(long)]
        mobile: Option<String>,
    },
    /// Disable a staff member: no sign-in, and their sessions end at once.
    DisableStaff {
        #[arg(long)]
        store: String,
        #[arg(long)]
        code: String,
    },
    /// Set or reset a staff member's PIN, read from standard input; their sessions end.
    SetPin {
        #[arg(long)]
        store: String,
        #[arg(long)]
        code: String,
    },
    /// Set or rotate the store's override code, read from standard input.
    SetOverrideCode {
        #[arg(long)]
        store: String,
    },
    /// Add a loyalty card type to the store's merchant: the earn rate and point value of the
    /// customers of one customer type (seed 004).
    AddCardType {
        #[arg(long)]
        store: String,
        #[command(flatten)]
        card: crate::admin::CardTypeFlags,
    },
    /// Change a card type of the store's merchant (its id as `admin list` shows it); a new
    /// point value re-values its customers' points at once.
    ChangeCardType {
        #[arg(long)]
        store: String,
        /// The card type's id, e.g. ct_….
        #[arg(long)]
        card_type: String,
        #[command(flatten)]
        card: crate::admin::CardTypeFlags,
    },
    /// Issue a loyalty card number to a customer of the store's merchant (replacing theirs),
    /// and set their customer type if given.
    IssueCard {
        #[arg(long)]
        store: String,
        /// Their mobile number, e-mail or current card number.
        #[arg(long)]
        customer: String,
        /// The card number (6 to 20 letters or digits).
        #[arg(long)]
        card: String,
        /// Their customer type, e.g. GST (absent: the one they have).
        #[arg(long)]
        customer_type: Option<String>,
    },
    /// Import customers with their opening balances from a CSV file (header row; see the
    /// README for the columns). All or nothing; a customer already there is left unchanged;
    /// no messages are sent.
    ImportCustomers {
        #[arg(long)]
        store: String,
        /// The CSV file.
        #[arg(long)]
        file: PathBuf,
        /// Check the file and say what would be imported, writing nothing.
        #[arg(long)]
        dry_run: bool,
    },
    /// Write the merchant's customers and their balances as CSV to standard output.
    ExportCustomers {
        #[arg(long)]
        store: String,
    },
    /// Show the stores, their terminals and staff (no secrets).
    List,
    /// A consistent copy of the database (safe while the server runs), with the audit
    /// checkpoints beside it; restore by putting both back with the server stopped, and check
    /// with `verify-audit`.
    Backup {
        /// The copy to write (must not exist).
        #[arg(long)]
        to: PathBuf,
    },
}

#[derive(Args, Debug, Default, Clone)]
pub struct ServeArgs {
    /// TOML file with any of the settings below (flags win).
    #[arg(long, env = "REDEEMGUARD_CONFIG")]
    pub config: Option<PathBuf>,
    /// Address to listen on [default: 127.0.0.1:8080]; port 0 picks a free one.
    #[arg(long, env = "REDEEMGUARD_LISTEN")]
    pub listen: Option<SocketAddr>,
    /// SQLite file [default: redeemguard.sqlite; with --demo a fresh temporary file].
    #[arg(long, env = "REDEEMGUARD_DB")]
    pub db: Option<PathBuf>,
    /// Serve the built app from this directory at `/` (index.html for unknown paths).
    #[arg(long, env = "REDEEMGUARD_STATIC_DIR")]
    pub static_dir: Option<PathBuf>,
    /// Origin allowed to call the API from a browser (repeatable), e.g. https://salon.example.
    #[arg(
        long = "cors-origin",
        env = "REDEEMGUARD_CORS_ORIGINS",
        value_delimiter = ','
    )]
    pub cors_origins: Vec<String>,
    /// Serve this directory (the widget's sample host page) on a second listener, whose origin
    /// is allowed by CORS [demo default: <static-dir>/../www/host, else ./www/host, if present].
    #[arg(long, env = "REDEEMGUARD_HOST_PAGE_DIR")]
    pub host_page_dir: Option<PathBuf>,
    /// Address of the host page's listener [default: 127.0.0.1:8081]; port 0 picks a free one.
    #[arg(long, env = "REDEEMGUARD_HOST_PAGE_LISTEN")]
    pub host_page_listen: Option<SocketAddr>,
    /// File holding the OTP secret (else env REDEEMGUARD_OTP_SECRET; demo: random per start).
    #[arg(long, env = "REDEEMGUARD_SECRET_FILE")]
    pub secret_file: Option<PathBuf>,
    /// File holding the audit chain's key (else env REDEEMGUARD_AUDIT_KEY; demo: <db>.audit-key,
    /// created if missing). At least 16 bytes, not the OTP secret.
    #[arg(long, env = "REDEEMGUARD_AUDIT_KEY_FILE")]
    pub audit_key_file: Option<PathBuf>,
    /// Append-only file of signed audit checkpoints [default: <db>.audit-checkpoints].
    #[arg(long, env = "REDEEMGUARD_AUDIT_CHECKPOINT_FILE")]
    pub audit_checkpoint_file: Option<PathBuf>,
    /// Seconds between audit checkpoints (also written at start and at shutdown) [default: 60].
    #[arg(long, env = "REDEEMGUARD_AUDIT_CHECKPOINT_SECS")]
    pub audit_checkpoint_secs: Option<u32>,
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
    #[arg(long, env = "REDEEMGUARD_SESSION_TTL_SECS")]
    pub session_ttl_secs: Option<u32>,
    /// How long a hold outlives the code's lifetime before the sweeper releases it [default: 600].
    #[arg(long, env = "REDEEMGUARD_HOLD_GRACE_SECS")]
    pub hold_grace_secs: Option<u32>,
    /// Seconds between sweeps of abandoned holds [default: 5].
    #[arg(long, env = "REDEEMGUARD_SWEEP_INTERVAL_SECS")]
    pub sweep_interval_secs: Option<u32>,
    /// Longest time a request may take [default: 15].
    #[arg(long, env = "REDEEMGUARD_REQUEST_TIMEOUT_SECS")]
    pub request_timeout_secs: Option<u32>,
    /// Largest request body in bytes [default: 65536].
    #[arg(long, env = "REDEEMGUARD_BODY_LIMIT_BYTES")]
    pub body_limit_bytes: Option<usize>,
    /// Log format: text or json [default: text].
    #[arg(long, env = "REDEEMGUARD_LOG_FORMAT")]
    pub log_format: Option<String>,
    /// How long the writer waits for more jobs to join a transaction after the first arrives,
    /// in microseconds (at most 20000) [default: 0: what queued meanwhile joins anyway].
    #[arg(long, env = "REDEEMGUARD_GROUP_COMMIT_US")]
    pub group_commit_us: Option<u64>,
    /// Benchmarks only: `full` syncs inside each commit on the writer thread, `normal` never
    /// waits for the disk (a power loss may lose receipts already shown) [default: pipelined].
    #[arg(long, hide = true)]
    pub sqlite_synchronous: Option<String>,
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
    pub host_page_dir: Option<PathBuf>,
    pub host_page_listen: Option<SocketAddr>,
    pub secret_file: Option<PathBuf>,
    pub audit_key_file: Option<PathBuf>,
    pub audit_checkpoint_file: Option<PathBuf>,
    pub audit_checkpoint_secs: Option<u32>,
    pub group_commit_us: Option<u64>,
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
    /// A merchant's own gateways and texts (their sender ids and accounts, their words):
    /// `[merchants."<merchant id>".gateways.sms]`, `[merchants."<id>".messages."en-IN".sms]`.
    /// A channel or text a merchant leaves out is the server's.
    #[serde(default)]
    pub merchants: BTreeMap<String, MerchantFile>,
}

/// One merchant's own gateways and texts.
#[derive(Deserialize, Debug, Default)]
#[serde(deny_unknown_fields)]
pub struct MerchantFile {
    #[serde(default)]
    pub gateways: GatewaysFile,
    #[serde(default)]
    pub messages: MessagesFile,
}

/// A merchant's gateways and texts, built and checked like the server's.
#[derive(Debug, Clone)]
pub struct Messaging {
    pub gateways: Gateways,
    pub messages: std::sync::Arc<MessageCatalog>,
}

/// The widget's sample host page, served on a listener of its own (a second origin).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostPage {
    pub dir: PathBuf,
    pub listen: SocketAddr,
    /// Whether the address was asked for: if not and it is busy, any free port will do.
    pub listen_explicit: bool,
}

impl HostPage {
    pub const DEFAULT_LISTEN: SocketAddr =
        SocketAddr::new(std::net::IpAddr::V4(std::net::Ipv4Addr::LOCALHOST), 8081);

    /// Where the host page comes from when none is named: with `--demo` only, the repository's
    /// `www/host` beside the built app (`<static-dir>/../www/host`), else under the working
    /// directory. `None` when neither exists (the demo then runs without it).
    fn demo_default_dir(static_dir: Option<&std::path::Path>) -> Option<PathBuf> {
        let beside_app = static_dir.map(|d| d.join("..").join("www").join("host"));
        beside_app
            .into_iter()
            .chain(std::iter::once(PathBuf::from("www").join("host")))
            .find(|d| d.is_dir())
    }

    fn resolve(
        dir: Option<PathBuf>,
        listen: Option<SocketAddr>,
        demo: bool,
        static_dir: Option<&std::path::Path>,
    ) -> Result<Option<HostPage>, String> {
        let dir = match (dir, demo) {
            (Some(dir), _) if !dir.is_dir() => {
                return Err(format!(
                    "--host-page-dir {} is not a directory",
                    dir.display()
                ))
            }
            (Some(dir), _) => dir,
            (None, true) => match Self::demo_default_dir(static_dir) {
                Some(dir) => dir,
                None if listen.is_some() => {
                    return Err(
                        "--host-page-listen needs --host-page-dir (no www/host was found)".into(),
                    )
                }
                None => return Ok(None),
            },
            (None, false) if listen.is_some() => {
                return Err("--host-page-listen needs --host-page-dir".into())
            }
            (None, false) => return Ok(None),
        };
        Ok(Some(HostPage {
            dir,
            listen: listen.unwrap_or(Self::DEFAULT_LISTEN),
            listen_explicit: listen.is_some(),
        }))
    }
}

/// The origins a browser may name for a page served on `addr`. A loopback or unspecified
/// address is reached as `localhost` too; an unspecified one also as 127.0.0.1.
pub fn origins_of(addr: SocketAddr) -> Vec<String> {
    let port = addr.port();
    let ip = addr.ip();
    let mut origins = Vec::new();
    if ip.is_unspecified() {
        origins.push(format!("http://127.0.0.1:{port}"));
    } else {
        origins.push(format!("http://{addr}"));
    }
    if ip.is_loopback() || ip.is_unspecified() {
        origins.push(format!("http://localhost:{port}"));
    }
    origins
}

#[derive(Debug, Clone)]
pub struct Config {
    pub listen: SocketAddr,
    pub db: PathBuf,
    pub static_dir: Option<PathBuf>,
    pub cors_origins: Vec<String>,
    pub host_page: Option<HostPage>,
    pub secret: Secret,
    pub audit_key: AuditKey,
    pub audit_checkpoint_file: PathBuf,
    pub audit_checkpoint_secs: u32,
    /// How the SQLite store commits.
    pub durability: crate::store::sqlite::Durability,
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
    /// Merchants with gateways or texts of their own, by merchant id.
    pub merchants: std::collections::HashMap<String, Messaging>,
    pub send_confirmations: bool,
}

/// Time kept back from the request timeout for the database work around a send.
const SEND_MARGIN: std::time::Duration = std::time::Duration::from_secs(2);

impl Config {
    /// The gateways a merchant's messages go by: its own where it has them, else the
    /// server's.
    pub fn gateways_for(&self, merchant_id: &str) -> &Gateways {
        self.merchants
            .get(merchant_id)
            .map_or(&self.gateways, |m| &m.gateways)
    }

    /// The texts a merchant's messages use: its own where it has them, else the server's.
    pub fn messages_for(&self, merchant_id: &str) -> std::sync::Arc<MessageCatalog> {
        self.merchants
            .get(merchant_id)
            .map_or(&self.messages, |m| &m.messages)
            .clone()
    }

    /// Routes each message by its merchant's gateways; `fallback` takes the channels none
    /// is configured for.
    pub fn router(&self, fallback: std::sync::Arc<dyn crate::gateways::Gateway>) -> Router {
        let merchants = self
            .merchants
            .iter()
            .map(|(id, m)| (id.clone(), m.gateways.clone()))
            .collect();
        Router::new(&self.gateways, &merchants, fallback)
    }

    pub fn resolve(args: ServeArgs) -> Result<Config, String> {
        Config::resolve_with(args, &|var| std::env::var(var).ok())
    }

    /// The same, with the gateways' secrets looked up through `env`.
    pub fn resolve_with(args: ServeArgs, env: EnvLookup<'_>) -> Result<Config, String> {
        let file = match &args.config {
            Some(path) => {
                let text = std::fs::read_to_string(path)
                    .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
                refuse_demo_setting(path, &text)?;
                toml::from_str::<FileConfig>(&text)
                    .map_err(|e| format!("{}: {e}", path.display()))?
            }
            None => FileConfig::default(),
        };
        let demo = args.demo;
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
        let audit_checkpoint_file = args
            .audit_checkpoint_file
            .or(file.audit_checkpoint_file)
            .unwrap_or_else(|| beside(&db, "audit-checkpoints"));
        let mut cors_origins = args.cors_origins;
        cors_origins.extend(file.cors_origins);
        let static_dir = args.static_dir.or(file.static_dir);
        let host_page = HostPage::resolve(
            args.host_page_dir.or(file.host_page_dir),
            args.host_page_listen.or(file.host_page_listen),
            demo,
            static_dir.as_deref(),
        )?;
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
        let messages = MessageCatalog::from_file(&file.messages)?;
        let gateways = Gateways::from_file(&file.gateways, env, budget, &messages)?;
        let mut merchants = std::collections::HashMap::new();
        for (id, own) in &file.merchants {
            let at = format!("[merchants.\"{id}\"]");
            let texts = crate::messages::merged(&file.messages, &own.messages);
            let catalog = MessageCatalog::from_file(&texts).map_err(|e| format!("{at} {e}"))?;
            let theirs = GatewaysFile {
                sms: own
                    .gateways
                    .sms
                    .clone()
                    .or_else(|| file.gateways.sms.clone()),
                whatsapp: own
                    .gateways
                    .whatsapp
                    .clone()
                    .or_else(|| file.gateways.whatsapp.clone()),
                email: own
                    .gateways
                    .email
                    .clone()
                    .or_else(|| file.gateways.email.clone()),
            };
            let gateways = Gateways::from_file(&theirs, env, budget, &catalog)
                .map_err(|e| format!("{at} {e}"))?;
            merchants.insert(
                id.clone(),
                Messaging {
                    gateways,
                    messages: std::sync::Arc::new(catalog),
                },
            );
        }
        let listen = args
            .listen
            .or(file.listen)
            .unwrap_or_else(|| SocketAddr::from(([127, 0, 0, 1], 8080)));
        if demo {
            let host_listen = host_page.as_ref().map(|h| h.listen);
            if let Some(addr) = std::iter::once(listen)
                .chain(host_listen)
                .find(|a| !a.ip().is_loopback())
            {
                return Err(format!(
                    "--demo listens on a loopback address only (127.0.0.1 or [::1]), not {addr}: \
                     the demo shows every code it sends at /demo/outbox.json, to anyone who can \
                     reach it"
                ));
            }
            // Before a demo's key is created beside it: the file must be the demo's own.
            crate::store::sqlite::claim_for_demo(&db)?;
        }
        let durability = crate::store::sqlite::Durability {
            sync: match args.sqlite_synchronous.as_deref() {
                None | Some("pipelined") => crate::store::sqlite::Sync::Pipelined,
                Some("full") => crate::store::sqlite::Sync::Full,
                Some("normal") => crate::store::sqlite::Sync::Normal,
                Some(other) => {
                    return Err(format!(
                        "--sqlite-synchronous must be pipelined, full or normal, not {other}"
                    ))
                }
            },
            group_window: std::time::Duration::from_micros(
                args.group_commit_us
                    .or(file.group_commit_us)
                    .unwrap_or(0)
                    .min(20_000),
            ),
        };
        let audit_key = load_audit_key(
            args.audit_key_file.or(file.audit_key_file).as_deref(),
            demo.then_some(db.as_path()),
        )?;
        if audit_key.same_as(&secret) {
            return Err("the audit key must not be the OTP secret: use a key of its own".into());
        }
        Ok(Config {
            listen,
            db,
            static_dir,
            cors_origins,
            host_page,
            secret,
            audit_key,
            audit_checkpoint_file,
            audit_checkpoint_secs: args
                .audit_checkpoint_secs
                .or(file.audit_checkpoint_secs)
                .unwrap_or(60)
                .max(1),
            durability,
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
            merchants,
            send_confirmations: file.send_confirmations.unwrap_or(true),
        })
    }
}

/// `<db>.<suffix>`: a file kept beside the database (the demo's audit key, checkpoints).
pub fn beside(db: &std::path::Path, suffix: &str) -> PathBuf {
    let mut name = db.file_name().unwrap_or_default().to_os_string();
    name.push(format!(".{suffix}"));
    db.with_file_name(name)
}

fn read_key_file(path: &std::path::Path) -> Result<AuditKey, String> {
    let bytes = std::fs::read(path)
        .map_err(|e| format!("cannot read the audit key file {}: {e}", path.display()))?;
    AuditKey::new(String::from_utf8_lossy(&bytes).trim().as_bytes().to_vec())
}

/// The audit chain's key: a file, else the environment; a demo (`demo_db`) keeps one beside
/// its database, created on first start. A real store must set one: the chain is only as
/// strong as the key is kept away from whoever can write the database.
pub fn load_audit_key(
    file: Option<&std::path::Path>,
    demo_db: Option<&std::path::Path>,
) -> Result<AuditKey, String> {
    if let Some(path) = file {
        return read_key_file(path);
    }
    match std::env::var("REDEEMGUARD_AUDIT_KEY") {
        Ok(k) if !k.trim().is_empty() => return AuditKey::new(k.trim().as_bytes().to_vec()),
        _ => {}
    }
    let Some(db) = demo_db else {
        return Err(
            "set REDEEMGUARD_AUDIT_KEY or --audit-key-file: the key of the audit chain \
                    (at least 16 bytes, not the OTP secret), kept away from the database"
                .into(),
        );
    };
    let path = beside(db, "audit-key");
    if path.exists() {
        return read_key_file(&path);
    }
    let key = hex::encode(crate::crypto::random_bytes::<32>());
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    std::io::Write::write_all(
        &mut options
            .open(&path)
            .map_err(|e| format!("cannot create {}: {e}", path.display()))?,
        key.as_bytes(),
    )
    .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    AuditKey::new(key.into_bytes())
}

/// Demo mode is a command-line flag only, never a file setting: a file that can be edited or
/// copied beside a real database must not be able to turn its codes public.
fn refuse_demo_setting(path: &std::path::Path, text: &str) -> Result<(), String> {
    let Ok(table) = text.parse::<toml::Table>() else {
        return Ok(()); // the typed parse names the syntax error
    };
    match table.keys().find(|k| k.starts_with("demo")) {
        Some(key) => Err(format!(
            "{}: `{key}` is not a configuration file setting: demo mode is a command-line flag \
             only (--demo), so no file can turn a real database into a demo. Remove it.",
            path.display()
        )),
        None => Ok(()),
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
        let scratch = tempfile::tempdir().unwrap();
        let mut seen = Vec::new();
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_none_or(|e| e != "toml") {
                continue;
            }
            let args = ServeArgs {
                config: Some(path.clone()),
                demo: true,
                db: Some(
                    scratch
                        .path()
                        .join(format!("{seen_n}.sqlite", seen_n = seen.len())),
                ),
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
                    "dlt-sms.toml".to_string(),
                    vec!["sms: http api.dlt-sms.example.in".to_string()]
                ),
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
                (
                    "whatsapp-cloud-templates.toml".to_string(),
                    vec!["whatsapp: http graph.facebook.com".to_string()]
                ),
            ]
        );
        // Without the environment, the first missing secret is named.
        let args = ServeArgs {
            config: Some(dir.join("form-basic-auth.toml")),
            demo: true,
            db: Some(scratch.path().join("missing-secret.sqlite")),
            ..Default::default()
        };
        let e = Config::resolve_with(args, &|_| None).unwrap_err();
        assert!(e.contains("SMS_ACCOUNT_SID is not set"), "{e}");
    }

    #[test]
    fn host_page_origins_name_what_a_browser_sends() {
        let at = |s: &str| origins_of(s.parse().unwrap());
        assert_eq!(
            at("127.0.0.1:8081"),
            vec!["http://127.0.0.1:8081", "http://localhost:8081"]
        );
        assert_eq!(
            at("0.0.0.0:9000"),
            vec!["http://127.0.0.1:9000", "http://localhost:9000"]
        );
        assert_eq!(at("192.168.1.5:80"), vec!["http://192.168.1.5:80"]);
        assert_eq!(
            at("[::1]:8081"),
            vec!["http://[::1]:8081", "http://localhost:8081"]
        );
    }

    #[test]
    fn the_host_page_is_opt_in_outside_the_demo() {
        let dir = tempfile::tempdir().unwrap();
        let host = dir.path().join("www").join("host");
        std::fs::create_dir_all(&host).unwrap();
        let dist = dir.path().join("dist");
        std::fs::create_dir_all(&dist).unwrap(); // `dist/..` resolves only if dist exists
        assert_eq!(HostPage::resolve(None, None, false, Some(&dist)), Ok(None));
        assert!(HostPage::resolve(None, Some(HostPage::DEFAULT_LISTEN), false, None).is_err());
        let demo = HostPage::resolve(None, None, true, Some(&dist))
            .unwrap()
            .unwrap();
        assert!(demo.dir.ends_with("dist/../www/host"));
        assert_eq!(
            (demo.listen, demo.listen_explicit),
            (HostPage::DEFAULT_LISTEN, false)
        );
        let port0: SocketAddr = "127.0.0.1:0".parse().unwrap();
        let named = HostPage::resolve(Some(host.clone()), Some(port0), false, None)
            .unwrap()
            .unwrap();
        assert_eq!(
            (named.dir, named.listen, named.listen_explicit),
            (host, port0, true)
        );
        let missing = dir.path().join("nope");
        assert!(HostPage::resolve(Some(missing), None, true, None)
            .unwrap_err()
            .contains("not a directory"));
    }
}
