//! `redeemguard-report-bench`: times every report (SPEC §9: ≤ 1 s over 1,000,000 redemptions)
//! against a demo server whose database `redeemguard-server bench-seed-reports` filled: each
//! report kind over 1, 31 and 90 store days, the detailed CSV of a day, the liability, and the
//! cashiers' signals over 1, 7 and 31 days (the most it covers); 5 runs each, as the manager on a till, over HTTP.
//! Prints the median and the spread of each; exits 1 if a median is over the budget.

use clap::Parser;
use contract::reports::{ReportFilter, ReportKind, StoreDate};
use std::time::{Duration, Instant};

#[derive(Parser, Debug)]
#[command(
    name = "redeemguard-report-bench",
    about = "Time RedeemGuard's reports"
)]
struct Args {
    #[arg(long, default_value = "http://127.0.0.1:8080")]
    url: String,
    /// The last store day of the data (YYYY-MM-DD).
    #[arg(long)]
    to: String,
    #[arg(long, default_value_t = 5)]
    runs: u32,
    #[arg(long, default_value_t = 1000)]
    budget_ms: u64,
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let args = Args::parse();
    match run(&args).await {
        Ok(true) => std::process::ExitCode::SUCCESS,
        Ok(false) => std::process::ExitCode::FAILURE,
        Err(e) => {
            eprintln!("redeemguard-report-bench: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}

async fn run(args: &Args) -> Result<bool, String> {
    redeemguard_server::gateways::install_tls_provider();
    let http = reqwest::Client::new();
    let session: serde_json::Value = http
        .post(format!("{}/v1/sessions", args.url))
        .header("x-terminal-token", "demo-till-1")
        .json(&serde_json::json!({ "staff_code": "M001", "pin": "9999" }))
        .send()
        .await
        .map_err(|e| e.to_string())?
        .json()
        .await
        .map_err(|e| e.to_string())?;
    let token = session["token"]
        .as_str()
        .ok_or("sign-in failed")?
        .to_string();
    let to = StoreDate::parse(&args.to).map_err(|e| e.to_string())?;
    let back = |days: u32| StoreDate::from_ordinal(to.ordinal() + 1 - days).expect("a date");
    let period = |days: u32| ReportFilter::days(back(days), to).expect("a period");
    let mut paths: Vec<(String, String)> = Vec::new();
    for kind in ReportKind::ALL {
        for days in [1, 31, 90] {
            paths.push((
                format!("{} over {days} day(s)", kind.as_str()),
                contract::api::paths::report(kind, &period(days), false),
            ));
        }
    }
    paths.push((
        "customer_detail CSV of 1 day".into(),
        contract::api::paths::report(ReportKind::CustomerDetail, &period(1), true),
    ));
    paths.push(("liability".into(), contract::api::paths::LIABILITY.into()));
    // At most a month (`CashierReport::MAX_DAYS`): a longer ranking is refused.
    for days in [1, 7, 31] {
        paths.push((
            format!("cashiers over {days} day(s)"),
            contract::api::paths::cashiers(&period(days), false),
        ));
    }
    let budget = Duration::from_millis(args.budget_ms);
    let mut within = true;
    println!(
        "reports over the benchmark's redemptions ({} runs each, budget {} ms):",
        args.runs, args.budget_ms
    );
    for (title, path) in paths {
        let mut times = Vec::new();
        let mut bytes = 0;
        for _ in 0..args.runs {
            let started = Instant::now();
            let res = http
                .get(format!("{}{path}", args.url))
                .header("x-terminal-token", "demo-till-1")
                .bearer_auth(&token)
                .send()
                .await
                .map_err(|e| e.to_string())?;
            let status = res.status();
            let body = res.bytes().await.map_err(|e| e.to_string())?;
            times.push(started.elapsed());
            if !status.is_success() {
                return Err(format!(
                    "{path}: {status} {}",
                    String::from_utf8_lossy(&body)
                ));
            }
            bytes = body.len();
        }
        times.sort();
        let median = times[times.len() / 2];
        let verdict = if median <= budget { "within" } else { "OVER" };
        within &= median <= budget;
        println!(
            "  {title:<34} median {:>7.1} ms  (min {:>7.1}, max {:>7.1})  {:>9} bytes  {verdict}",
            ms(median),
            ms(times[0]),
            ms(times[times.len() - 1]),
            bytes
        );
    }
    Ok(within)
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}
