//! Start-up time to the first 200 of /healthz, and idle memory.

use crate::rows::{self, Row};
use anyhow::{Context, bail};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The release server binary.
    #[arg(long, default_value = "target/release/xuetang")]
    bin: PathBuf,
    /// A migrated and seeded database (start-up includes opening it and
    /// loading the content, as `make run` does).
    #[arg(long)]
    database_url: String,
    #[arg(long, default_value = "127.0.0.1:3190")]
    addr: String,
    /// Start-ups measured; the median is reported.
    #[arg(long, default_value_t = 5)]
    runs: usize,
}

/// The resident set (VmRSS) or its peak (VmHWM) of a process, in MB.
pub fn memory_mb(pid: u32, field: &str) -> anyhow::Result<f64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
    let kb: f64 = status
        .lines()
        .find_map(|l| l.strip_prefix(field)?.strip_prefix(':'))
        .context("no such field in /proc/PID/status")?
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()?;
    Ok(kb / 1024.0)
}

pub async fn run(args: Args, rows_path: &Path) -> anyhow::Result<()> {
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(2))
        .build()?;
    let health = format!("http://{}/healthz", args.addr);
    let mut times = Vec::new();
    let mut idle_rss = 0.0;
    for run in 0..args.runs {
        let started = Instant::now();
        let mut child = Command::new(&args.bin)
            .args([
                "--database-url",
                &args.database_url,
                "serve",
                "--addr",
                &args.addr,
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .with_context(|| format!("starting {}", args.bin.display()))?;
        let ready = loop {
            if let Ok(r) = client.get(&health).send().await
                && r.status() == 200
            {
                break started.elapsed();
            }
            if started.elapsed() > Duration::from_secs(30) {
                let _ = child.kill();
                bail!("no 200 from {health} within 30 s");
            }
            if let Some(status) = child.try_wait()? {
                bail!("the server exited during start-up: {status}");
            }
            tokio::time::sleep(Duration::from_millis(2)).await;
        };
        times.push(ready);
        if run == 0 {
            // Idle: started, answered its health check, nothing else.
            tokio::time::sleep(Duration::from_secs(2)).await;
            idle_rss = memory_mb(child.id(), "VmRSS")?;
        }
        let _ = child.kill();
        let _ = child.wait();
    }
    times.sort();
    let median = times[times.len() / 2].as_secs_f64() * 1000.0;
    println!(
        "start-up {median:.0} ms (median of {}), idle RSS {idle_rss:.1} MB",
        args.runs
    );
    rows::append(
        rows_path,
        &[
            Row::new(
                "resources",
                "start-up to the first 200 of /healthz (median)",
                median,
                "ms",
            )
            .budget("< 1000 ms"),
            Row::new("resources", "idle RSS after start-up", idle_rss, "MB").budget("≤ 60 MB"),
        ],
    )
}
