//! Running steps: print what runs, time it, and name the command when it fails.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

pub struct Failure(pub String);

pub struct Runner {
    root: PathBuf,
    path: OsString,
    done: Vec<(String, Duration, bool)>,
}

impl Runner {
    pub fn new(root: PathBuf) -> Self {
        // Tools installed by `setup` must be found even on a fresh shell.
        let mut dirs = vec![root.join("tools/node_modules/.bin")];
        if let Some(home) = std::env::var_os("HOME") {
            dirs.push(PathBuf::from(home).join(".cargo/bin"));
        }
        dirs.extend(std::env::split_paths(
            &std::env::var_os("PATH").unwrap_or_default(),
        ));
        let path = std::env::join_paths(dirs).expect("PATH entries are valid");
        Runner {
            root,
            path,
            done: Vec::new(),
        }
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// A command run from the workspace root with the tool directories on PATH.
    pub fn command(&self, program: &str) -> Command {
        let mut c = Command::new(program);
        c.current_dir(&self.root).env("PATH", &self.path);
        c
    }

    pub fn cargo(&self, args: &[&str]) -> Command {
        let mut c = self.command("cargo");
        c.args(args);
        c
    }

    /// Runs one step to completion; a non-zero exit is a failure naming the command.
    pub fn step(&mut self, title: &str, mut cmd: Command) -> Result<(), Failure> {
        let line = describe(&cmd);
        println!("\n==> {title}\n    $ {line}");
        let start = Instant::now();
        let status = cmd.status();
        let elapsed = start.elapsed();
        let ok = matches!(&status, Ok(s) if s.success());
        self.done.push((title.to_string(), elapsed, ok));
        match status {
            Ok(s) if s.success() => {
                println!("    ok in {}", fmt_duration(elapsed));
                Ok(())
            }
            Ok(s) => Err(Failure(format!("`{line}` ({title}) exited with {s}"))),
            Err(e) => Err(Failure(format!("`{line}` ({title}) could not start: {e}"))),
        }
    }

    /// Runs a command quietly and returns its stdout, or None if it is missing or fails.
    pub fn output(&self, program: &str, args: &[&str]) -> Option<String> {
        let out = self.command(program).args(args).output().ok()?;
        out.status
            .success()
            .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
    }

    pub fn print_summary(&mut self) {
        if self.done.is_empty() {
            return;
        }
        println!("\nstep durations:");
        let mut total = Duration::ZERO;
        for (title, d, ok) in &self.done {
            total += *d;
            println!(
                "  {:>8}  {}{}",
                fmt_duration(*d),
                title,
                if *ok { "" } else { "  (FAILED)" }
            );
        }
        println!("  {:>8}  total", fmt_duration(total));
        self.done.clear();
    }
}

fn describe(cmd: &Command) -> String {
    let mut parts = vec![cmd.get_program().to_string_lossy().into_owned()];
    parts.extend(cmd.get_args().map(|a| a.to_string_lossy().into_owned()));
    parts.join(" ")
}

fn fmt_duration(d: Duration) -> String {
    let s = d.as_secs_f64();
    if s >= 60.0 {
        format!("{}m{:02}s", (s / 60.0) as u64, (s % 60.0) as u64)
    } else {
        format!("{s:.1}s")
    }
}
