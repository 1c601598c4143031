//! `redeemguard-server`: serve the API, verify the audit chain, or print the OpenAPI document.

use clap::Parser;
use redeemguard_server::app;
use redeemguard_server::audit::{self, ChainCheck};
use redeemguard_server::config::{
    self, AdminArgs, AdminCommand, Cli, Command, Config, HostPage, ServeArgs,
};
use redeemguard_server::state::AppState;
use redeemguard_server::store::sqlite::SqliteStore;
use redeemguard_server::store::Db;
use redeemguard_server::{admin, demo, import, openapi};
use std::process::ExitCode;
use std::sync::Arc;

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let result = match cli.command {
        Some(Command::Openapi) => {
            print!("{}", openapi::document_json());
            Ok(ExitCode::SUCCESS)
        }
        Some(Command::VerifyAudit {
            db,
            audit_key_file,
            audit_checkpoint_file,
        }) => runtime.block_on(verify_audit(db, audit_key_file, audit_checkpoint_file)),
        Some(Command::Admin(args)) => runtime.block_on(admin(args)),
        Some(Command::CheckConfig(args)) => check_config(args),
        Some(Command::BenchSeedReports {
            db,
            redemptions,
            days,
        }) => bench_seed_reports(&db, redemptions, days),
        Some(Command::Serve(args)) => runtime.block_on(serve(args)),
        None => runtime.block_on(serve(cli.serve)),
    };
    result.unwrap_or_else(|e| {
        eprintln!("redeemguard-server: {e}");
        ExitCode::FAILURE
    })
}

fn bench_seed_reports(
    db: &std::path::Path,
    redemptions: u64,
    days: u32,
) -> Result<ExitCode, String> {
    use redeemguard_server::bench_reports::{seed, Plan};
    let plan = Plan {
        redemptions,
        days,
        cashiers: 20,
        tills: 10,
        customers: 50_000,
    };
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0);
    let started = std::time::Instant::now();
    let (from, to) = seed(db, &plan, now)?;
    println!(
        "seeded {redemptions} redemptions over store days {from} to {to} in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    println!("days {from} {to}");
    Ok(ExitCode::SUCCESS)
}

async fn verify_audit(
    db: std::path::PathBuf,
    key_file: Option<std::path::PathBuf>,
    checkpoint_file: Option<std::path::PathBuf>,
) -> Result<ExitCode, String> {
    if !db.exists() {
        return Err(format!("{} does not exist", db.display()));
    }
    // The key: as given, else the environment, else a demo's key beside the database.
    let demo_key = config::beside(&db, "audit-key");
    let key =
        config::load_audit_key(key_file.as_deref(), None).or_else(|e| match demo_key.exists() {
            true => config::load_audit_key(Some(&demo_key), None),
            false => Err(e),
        })?;
    let checkpoint_file =
        checkpoint_file.unwrap_or_else(|| config::beside(&db, "audit-checkpoints"));
    let text = match std::fs::read_to_string(&checkpoint_file) {
        Ok(text) => text,
        Err(e) => {
            println!(
                "audit log NOT VERIFIED: no checkpoint file at {} ({e}): nothing outside the \
                 database anchors the chain's head (give it with --audit-checkpoint-file)",
                checkpoint_file.display()
            );
            return Ok(ExitCode::from(2));
        }
    };
    let mut checkpoints = Vec::new();
    for parsed in audit::read_checkpoints(&text) {
        match parsed {
            Ok(cp) => checkpoints.push(cp),
            Err(line) => {
                println!(
                    "audit log BROKEN: line {line} of {} is not a checkpoint",
                    checkpoint_file.display()
                );
                return Ok(ExitCode::from(2));
            }
        }
    }
    let store = SqliteStore::open(&db, key, Default::default())?;
    let db = Db::new(Arc::new(store));
    match db
        .run(move |tx| audit::verify(tx, &checkpoints))
        .await
        .map_err(|e| e.problem.to_string())?
    {
        ChainCheck::Intact {
            entries,
            head,
            checkpoints,
            anchored_to,
            store_chains,
            redemptions,
            accruals,
            balances,
        } => {
            println!(
                "audit chain intact: {entries} entries, head {head}; {checkpoints} signed \
                 checkpoints, the last at entry {anchored_to}; ledger cross-checked: \
                 {redemptions} posted redemptions, {accruals} accruals, {balances} balances \
                 recomputed; {store_chains} stores' own chains intact"
            );
            Ok(ExitCode::SUCCESS)
        }
        ChainCheck::Broken { seq, reason } => {
            println!("audit chain BROKEN at entry {seq}: {reason}");
            Ok(ExitCode::from(2))
        }
    }
}

/// Resolves the settings as `serve` does (every check included) and says so.
fn check_config(args: ServeArgs) -> Result<ExitCode, String> {
    let config = Config::resolve(args)?;
    let gateways = &config.gateways.summary;
    println!(
        "configuration OK: listen {}, database {}, audit checkpoints {}, gateways: {}",
        config.listen,
        config.db.display(),
        config.audit_checkpoint_file.display(),
        if gateways.is_empty() {
            "none (codes cannot be sent: add [gateways.sms] and others to the file)".to_string()
        } else {
            gateways.join("; ")
        }
    );
    Ok(ExitCode::SUCCESS)
}

/// A secret (PIN, override code) read from standard input, one line: never a flag, so it
/// stays out of shell history and the process list.
fn read_secret(what: &str) -> Result<String, String> {
    if std::io::IsTerminal::is_terminal(&std::io::stdin()) {
        eprintln!("{what}:");
    }
    let mut line = String::new();
    std::io::stdin()
        .read_line(&mut line)
        .map_err(|e| format!("cannot read the {what} from standard input: {e}"))?;
    let secret = line.trim().to_string();
    if secret.is_empty() {
        return Err(format!(
            "give the {what} on standard input, e.g. `printf '%s\\n' \"$PIN\" | redeemguard-server admin …`"
        ));
    }
    Ok(secret)
}

async fn admin(args: AdminArgs) -> Result<ExitCode, String> {
    // A copy of the file needs no key and no transaction of the server's.
    if let AdminCommand::Backup { to } = &args.command {
        return backup(&args.db, to, args.audit_checkpoint_file.as_deref());
    }
    // Only a new store may start a new database file: any other command on a missing file
    // is a mistyped path.
    let creates = matches!(args.command, AdminCommand::CreateStore(_));
    if !args.db.exists() && !creates {
        return Err(format!(
            "{} does not exist: check the path (the server's --db), or start with `admin create-store`",
            args.db.display()
        ));
    }
    let demo_key = config::beside(&args.db, "audit-key");
    let key =
        config::load_audit_key(args.audit_key_file.as_deref(), None).or_else(|e| match demo_key
            .exists()
        {
            true => config::load_audit_key(Some(&demo_key), None),
            false => Err(e),
        })?;
    // Secrets are read before the database is touched.
    let secret = match &args.command {
        AdminCommand::AddStaff { .. } | AdminCommand::SetPin { .. } => Some(read_secret("PIN")?),
        AdminCommand::SetOverrideCode { .. } => Some(read_secret("override code")?),
        _ => None,
    }
    .unwrap_or_default();
    // A file to import is read before the database is touched.
    let file = match &args.command {
        AdminCommand::ImportCustomers { file, .. } => std::fs::read_to_string(file)
            .map_err(|e| format!("cannot read {}: {e}", file.display()))?,
        _ => String::new(),
    };
    // What the command reads: the secret from standard input, or the file's text.
    let input = if file.is_empty() { secret } else { file };
    let store = SqliteStore::open(&args.db, key, Default::default())?;
    let db = Db::new(Arc::new(store));
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or_default();
    let started = std::time::Instant::now();
    let changes = !matches!(
        args.command,
        AdminCommand::List
            | AdminCommand::ExportCustomers { .. }
            | AdminCommand::ImportCustomers { dry_run: true, .. }
    );
    let checkpoints = args
        .audit_checkpoint_file
        .clone()
        .unwrap_or_else(|| config::beside(&args.db, "audit-checkpoints"));
    // Entries written with another key than the server's would break its chain.
    let fits = db
        .run(audit::key_fits)
        .await
        .map_err(|e| format!("cannot read the audit log: {}", e.problem))?;
    if !fits {
        return Err(
            "this is not the audit key of the server on this database (REDEEMGUARD_AUDIT_KEY or \
             --audit-key-file): give the server's key; nothing was changed"
                .into(),
        );
    }
    if let AdminCommand::ImportCustomers { store, dry_run, .. } = args.command {
        let out = import_customers(&db, now, &store, &input, dry_run).await?;
        if !dry_run {
            anchor(&db, now, &checkpoints).await?;
        }
        println!(
            "{out} ({:.1} s{})",
            started.elapsed().as_secs_f64(),
            peak_memory()
        );
        return Ok(ExitCode::SUCCESS);
    }
    let out = db
        .run_durable(move |tx| admin_change(tx, now, args.command, &input))
        .await
        .map_err(|e| {
            e.problem
                .detail
                .clone()
                .unwrap_or_else(|| e.problem.title.clone())
        })?;
    if changes {
        anchor(&db, now, &checkpoints).await?;
    }
    println!("{out}");
    Ok(ExitCode::SUCCESS)
}

/// The change is anchored outside the database at once, as the server's own are (S7).
async fn anchor(db: &Db, now: i64, checkpoints: &std::path::Path) -> Result<(), String> {
    let cp = db
        .run_durable(move |tx| audit::Checkpoint::take(tx, now))
        .await
        .map_err(|e| {
            format!(
                "the change is made, but no audit checkpoint was taken: {}",
                e.problem
            )
        })?;
    audit::append_checkpoint(checkpoints, &cp).map_err(|e| {
        format!(
            "the change is made, but the audit checkpoint could not be written to {}: {e}",
            checkpoints.display()
        )
    })
}

/// An import (`import::run`): every row checked outside any transaction, then (unless
/// `dry_run`) written in batches, each its own transaction, so a running server keeps serving.
async fn import_customers(
    db: &Db,
    now: i64,
    store_id: &str,
    text: &str,
    dry_run: bool,
) -> Result<String, String> {
    let problem = |e: redeemguard_server::error::ApiError| e.problem.message().to_string();
    let id = store_id.to_string();
    let store = db
        .run(move |tx| admin::existing_store(tx, &id))
        .await
        .map_err(problem)?;
    // The operator, at the admin command.
    let actor = audit::Actor {
        store_id: store.id.clone(),
        terminal_id: None,
        staff_id: None,
    };
    let report = import::run(db, now, store, text.to_string(), dry_run, actor)
        .await
        .map_err(problem)?;
    match report.errors.is_empty() {
        true => Ok(report.to_string()),
        false => Err(report.to_string()),
    }
}

/// The checkpoints written so far, then `VACUUM INTO` (one read transaction, so the copy is
/// consistent while the server writes). In that order: every copied checkpoint names an
/// entry the copy holds, so the copy's chain verifies.
fn backup(
    db: &std::path::Path,
    to: &std::path::Path,
    checkpoints: Option<&std::path::Path>,
) -> Result<ExitCode, String> {
    if !db.exists() {
        return Err(format!("{} does not exist: check the path", db.display()));
    }
    if to.exists() {
        return Err(format!("{} exists: back up to a new file", to.display()));
    }
    let from = checkpoints
        .map(std::path::Path::to_path_buf)
        .unwrap_or_else(|| config::beside(db, "audit-checkpoints"));
    let dest = config::beside(to, "audit-checkpoints");
    let copied = from.exists();
    if copied {
        std::fs::copy(&from, &dest)
            .map_err(|e| format!("cannot copy {} to {}: {e}", from.display(), dest.display()))?;
    }
    let conn =
        rusqlite::Connection::open_with_flags(db, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
            .map_err(|e| format!("cannot open {}: {e}", db.display()))?;
    conn.busy_timeout(std::time::Duration::from_secs(30))
        .map_err(|e| e.to_string())?;
    conn.execute("VACUUM INTO ?1", [to.to_string_lossy()])
        .map_err(|e| format!("cannot write {}: {e}", to.display()))?;
    let with = match copied {
        true => format!(" and its audit checkpoints ({})", dest.display()),
        false => String::new(),
    };
    println!(
        "backed up {} to {}{with}. Check it with `redeemguard-server verify-audit --db {}`.",
        db.display(),
        to.display(),
        to.display()
    );
    Ok(ExitCode::SUCCESS)
}

/// ", peak memory 248 MB" where the OS says (Linux), else nothing.
fn peak_memory() -> String {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("VmHWM:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        })
        .map(|kb| format!(", peak memory {} MB", kb / 1024))
        .unwrap_or_default()
}

/// One admin change in one transaction; what to print. `input` is what the command read
/// (a PIN or code from standard input, or the file to import).
fn admin_change(
    tx: &mut dyn redeemguard_server::store::Tx,
    now: i64,
    command: AdminCommand,
    input: &str,
) -> redeemguard_server::error::ApiResult<String> {
    use contract::api::{Role, TerminalMode};
    let bad = |what: String| {
        redeemguard_server::error::ApiError::new(contract::ErrorCode::InvalidRequest).detail(what)
    };
    Ok(match command {
        AdminCommand::CreateStore(req) => {
            let made = admin::create_store(tx, now, &req)?;
            format!(
                "store {} created ({} merchant {}). Next: add a till with `admin add-terminal --store {} --name …` and a manager with `admin add-staff --store {} --code … --name … --role manager`.",
                made.store_id,
                if made.merchant_is_new { "new" } else { "existing" },
                made.merchant_id,
                made.store_id,
                made.store_id
            )
        }
        AdminCommand::AddTerminal { store, name, mode } => {
            let mode = match mode.trim() {
                "till" | "pos" => TerminalMode::Pos,
                "kiosk" => TerminalMode::Kiosk,
                other => return Err(bad(format!("--mode {other:?}: use till or kiosk"))),
            };
            let made = admin::add_terminal(tx, now, &store, &name, mode, None)?;
            format!(
                "terminal {} \"{}\" ({}) added.
token: {}
Type this token into the terminal once; it is not shown again (revoke the terminal and add another if it is lost).",
                made.terminal.id,
                made.terminal.name,
                admin::mode_name(mode),
                made.token
            )
        }
        AdminCommand::RevokeTerminal { terminal } => {
            let t = admin::revoke_terminal(tx, now, &terminal, None)?;
            format!(
                "terminal {} \"{}\" revoked: its token no longer works.",
                t.id, t.name
            )
        }
        AdminCommand::AddStaff {
            store,
            code,
            name,
            role,
            mobile,
        } => {
            let role = match role.trim() {
                "cashier" => Role::Cashier,
                "manager" => Role::Manager,
                other => return Err(bad(format!("--role {other:?}: use cashier or manager"))),
            };
            let s = admin::add_staff(
                tx,
                now,
                &store,
                &contract::api::NewStaff {
                    code,
                    name,
                    role,
                    pin: input.to_string(),
                    mobile,
                },
                None,
            )?;
            format!(
                "{} \"{}\" added as {}: they sign in with code {} and their PIN.",
                s.id,
                s.name,
                admin::role_name(s.role),
                s.code
            )
        }
        AdminCommand::DisableStaff { store, code } => {
            let s = admin::disable_staff(tx, now, &store, &code, None)?;
            format!(
                "{} ({}) disabled: they can no longer sign in.",
                s.name, s.code
            )
        }
        AdminCommand::SetPin { store, code } => {
            let s = admin::set_pin(tx, now, &store, &code, input, None)?;
            format!(
                "new PIN set for {} ({}); their sessions ended.",
                s.name, s.code
            )
        }
        AdminCommand::SetOverrideCode { store } => {
            let s = admin::set_override_code(tx, now, &store, input, None)?;
            format!(
                "override code of {} set; any earlier one no longer works.",
                s.name
            )
        }
        AdminCommand::AddCardType { store, card } => {
            let new = card.read(tx, &store)?;
            let c = admin::add_card_type(tx, now, &store, &new, None)?;
            format!(
                "{} added: customers of type {} earn and redeem at it (give them the type with `admin issue-card … --customer-type {}` or the import's customer_type column).",
                admin::describe_card_type(&c),
                c.customer_type,
                c.customer_type
            )
        }
        AdminCommand::ChangeCardType {
            store,
            card_type,
            card,
        } => {
            let new = card.read(tx, &store)?;
            let c = admin::update_card_type(tx, now, &store, &card_type, &new, None)?;
            format!(
                "{} now; its customers' points are worth that from now on (points held by open redemptions keep their value).",
                admin::describe_card_type(&c)
            )
        }
        AdminCommand::IssueCard {
            store,
            customer,
            card,
            customer_type,
        } => {
            let req = contract::cards::IssueCard {
                customer,
                card,
                customer_type,
            };
            let issued = admin::issue_card(tx, now, &store, &req, None)?;
            format!(
                "card {} issued to {} ({}); {}.",
                issued.card,
                issued.customer_name,
                issued.customer_id,
                match (&issued.customer_type, &issued.card_type) {
                    (Some(t), Some(c)) => format!("customer type {t}: the {c} card's rates"),
                    (Some(t), None) =>
                        format!("customer type {t}, no card type: the store's rates"),
                    (None, _) => "no customer type: the store's rates".to_string(),
                }
            )
        }
        AdminCommand::ImportCustomers { .. } => {
            unreachable!("an import checks outside a transaction and writes in batches")
        }
        AdminCommand::ExportCustomers { store } => {
            let store = admin::existing_store(tx, &store)?;
            import::export(tx, &store, now)?.trim_end().to_string()
        }
        AdminCommand::List => admin::overview(tx)?.to_string(),
        AdminCommand::Backup { .. } => {
            unreachable!("a backup copies the file, outside a transaction")
        }
    })
}

fn init_logging(json: bool) {
    let filter = tracing_subscriber::EnvFilter::try_from_env("RUST_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let ansi = std::io::IsTerminal::is_terminal(&std::io::stderr());
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(ansi)
        .with_writer(std::io::stderr);
    if json {
        builder.json().init();
    } else {
        builder.init();
    }
}

/// Binds the host page's listener. A default address that is taken (another demo running)
/// falls back to a free port, so a second demo still starts; an address asked for must bind.
async fn bind_host_page(host: &HostPage) -> Result<tokio::net::TcpListener, String> {
    match tokio::net::TcpListener::bind(host.listen).await {
        Ok(l) => Ok(l),
        Err(e) if !host.listen_explicit => {
            tracing::warn!(addr = %host.listen, error = %e, "host page address taken; using a free port");
            let any = std::net::SocketAddr::new(host.listen.ip(), 0);
            tokio::net::TcpListener::bind(any)
                .await
                .map_err(|e| format!("cannot listen on {any} for the host page: {e}"))
        }
        Err(e) => Err(format!(
            "cannot listen on {} for the host page: {e}",
            host.listen
        )),
    }
}

async fn serve(args: ServeArgs) -> Result<ExitCode, String> {
    let mut config = Config::resolve(args)?;
    init_logging(config.json_logs);
    let store = SqliteStore::open(&config.db, config.audit_key.clone(), config.durability)?;
    let db = Db::new(Arc::new(store));
    let listener = tokio::net::TcpListener::bind(config.listen)
        .await
        .map_err(|e| format!("cannot listen on {}: {e}", config.listen))?;
    let local = listener.local_addr().map_err(|e| e.to_string())?;
    let host_page = match config.host_page.clone() {
        Some(host) => {
            let host_listener = bind_host_page(&host).await?;
            let addr = host_listener.local_addr().map_err(|e| e.to_string())?;
            // The page embeds the app from the main listener: its origin must pass CORS.
            config.cors_origins.extend(config::origins_of(addr));
            Some((host, host_listener, addr))
        }
        None => None,
    };
    let host_url = host_page
        .as_ref()
        .map(|(_, _, addr)| format!("http://{addr}/"));
    let state = AppState::new(db, config, openapi::document_json());
    // Opening balances for a database from before the ledger cross-check (once, before any
    // seeding, which records its own).
    let now = state.clock.now_ms();
    let baseline = state
        .db
        .run(move |tx| audit::record_baseline(tx, now))
        .await
        .map_err(|e| format!("cannot record the opening balances: {}", e.problem))?;
    if baseline > 0 {
        tracing::info!(
            instruments = baseline,
            "recorded the ledger's opening balances in the audit log"
        );
    }
    if state.config.demo {
        let (now, bench, extra) = (
            state.clock.now_ms(),
            state.config.demo_bench_terminals,
            state.config.demo_extra_merchant,
        );
        let seeded = state
            .db
            .run(move |tx| demo::seed(tx, now, bench, extra))
            .await
            .map_err(|e| format!("cannot seed the demo: {}", e.problem))?;
        println!(
            "{}",
            demo::banner(&local.to_string(), host_url.as_deref(), bench, extra)
        );
        tracing::info!(seeded, db = %state.config.db.display(), "demo mode");
    }
    // A database that cannot serve anyone yet says what to do next.
    if !state.config.demo {
        match state.db.run(admin::next_step).await {
            Ok(Some(step)) => {
                tracing::warn!("{step}");
                println!("next step: {step}");
            }
            Ok(None) => {}
            Err(e) => tracing::warn!(code = %e.code(), "cannot look at the set-up"),
        }
    }
    // A merchant's own gateways under an id no store has: most likely a typing mistake.
    if !state.config.merchants.is_empty() {
        match state.db.run(|tx| tx.stores()).await {
            Ok(stores) => {
                for id in state.config.merchants.keys() {
                    if !stores.iter().any(|s| &s.merchant_id == id) {
                        let line = format!(
                            "[merchants.\"{id}\"]: no store of this database belongs to a merchant {id}: its gateways and texts are used once one does (`admin list` shows the merchants)"
                        );
                        tracing::warn!("{line}");
                        println!("warning: {line}");
                    }
                }
            }
            Err(e) => tracing::warn!(code = %e.code(), "cannot look at the merchants"),
        }
    }
    // The first checkpoint of this run (S7).
    let first = app::write_audit_checkpoint(&state).await.ok_or_else(|| {
        format!(
            "cannot write the audit checkpoint file {}",
            state.config.audit_checkpoint_file.display()
        )
    })?;
    app::spawn_audit_checkpoints(state.clone(), first.seq);
    app::spawn_sweeper(state.clone());
    let router = app::router(state.clone());
    if let Some((host, host_listener, addr)) = host_page {
        let router = app::host_page_router(&host.dir);
        tracing::info!(%addr, dir = %host.dir.display(), "serving the host page");
        tokio::spawn(async move {
            if let Err(e) = axum::serve(host_listener, router).await {
                tracing::error!(error = %e, "the host page listener stopped");
            }
        });
    }
    // The lines tests and scripts wait for; they name the real ports when port 0 was asked
    // for. The host page's comes first, so it is known once `listening on` is seen.
    if let Some(url) = &host_url {
        println!("host page on {url}");
    }
    println!("listening on http://{local}");
    tracing::info!(%local, db = %state.config.db.display(), "serving");
    if !state.config.gateways.is_empty() {
        tracing::info!(gateways = ?state.config.gateways, "message gateways");
    }
    for (merchant, own) in &state.config.merchants {
        tracing::info!(merchant = %merchant, gateways = ?own.gateways, "a merchant's own message gateways");
    }
    axum::serve(listener, router)
        .with_graceful_shutdown(shutdown_signal())
        .await
        .map_err(|e| e.to_string())?;
    // The last word on the log's head, after the requests in flight.
    app::write_final_audit_checkpoint(&state).await;
    Ok(ExitCode::SUCCESS)
}

/// Ctrl-C or SIGTERM (what service managers and containers send) stop the server after the
/// requests in flight; every committed transaction is already durable.
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {}
        _ = terminate => {}
    }
    tracing::info!("shutting down");
}
