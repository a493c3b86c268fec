//! `make reliability`: what happens to acknowledged work when things fail.
//! Each scenario starts the release server itself on a fresh, seeded
//! database, drives it over HTTP, checks its claims, prints one line per
//! check and appends it as a Markdown table row to `--results`; any failed
//! check makes the command exit non-zero. Method and latest figures:
//! docs/RELIABILITY.md.
//!
//! - `crash`: `kill -9` while learners submit exams; restart; nothing
//!   acknowledged is lost, nothing is half-written, open attempts resume.
//! - `outage`: PostgreSQL stopped for 10 s under load; fast, friendly
//!   failures, `/healthz` 503, recovery without a restart.
//! - `instances`: two servers on one PostgreSQL behind nginx; sessions,
//!   scan counts and certificate serials stay consistent.
//! - `soak`: mixed traffic of 200 users for 10 minutes; no 5xx, flat memory.

mod audit;
mod crash;
mod instances;
mod learners;
mod outage;
mod report;
mod server;
mod soak;
mod traffic;

use clap::{Subcommand, ValueEnum};
use std::path::{Path, PathBuf};

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    scenario: Scenario,
    #[command(flatten)]
    common: Common,
}

/// Settings every scenario shares.
#[derive(Debug, Clone, clap::Args)]
pub struct Common {
    /// The release server binary.
    #[arg(long, global = true, default_value = "target/release/xuetang")]
    bin: PathBuf,
    /// Databases and server logs of the run.
    #[arg(long, global = true, default_value = "target/reliability")]
    work_dir: PathBuf,
    /// Markdown file the result rows are appended to.
    #[arg(long, global = true, default_value = "target/reliability/results.md")]
    results: PathBuf,
    /// PostgreSQL to create the scenarios' databases on: an admin URL of a
    /// cluster of their own (reliability/cluster.sh), never a shared one.
    #[arg(long, global = true, env = "RELIABILITY_POSTGRES_URL")]
    postgres: Option<String>,
    #[arg(long, global = true, default_value = "content")]
    content_dir: PathBuf,
    /// The course whose exam the learners take.
    #[arg(long, global = true, default_value = "employee-induction")]
    course: String,
}

#[derive(Debug, Subcommand)]
enum Scenario {
    /// kill -9 the server while learners submit exams, restart it, check.
    Crash {
        #[arg(long, value_enum)]
        backend: Backend,
        #[arg(long, default_value_t = 300)]
        learners: usize,
        #[arg(long, default_value_t = 3301)]
        port: u16,
    },
    /// Stop PostgreSQL under load for a while, start it again, check.
    Outage {
        /// The cluster to stop and start, as pg_ctlcluster names it.
        #[arg(long, default_value = "15/reliability")]
        cluster: String,
        #[arg(long, default_value_t = 10)]
        seconds: u64,
        #[arg(long, default_value_t = 60)]
        users: usize,
        #[arg(long, default_value_t = 3302)]
        port: u16,
    },
    /// Two servers on one PostgreSQL behind nginx.
    Instances {
        #[arg(long, default_value_t = 150)]
        learners: usize,
        /// nginx listens here; the servers on the next two ports.
        #[arg(long, default_value_t = 3310)]
        port: u16,
        #[arg(long, default_value = "reliability/nginx.conf")]
        nginx_conf: PathBuf,
    },
    /// Mixed traffic for a while; no 5xx, flat memory (SQLite).
    Soak {
        #[arg(long, default_value_t = 10)]
        minutes: u64,
        #[arg(long, default_value_t = 200)]
        users: usize,
        #[arg(long, default_value_t = 3320)]
        port: u16,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn label(self) -> &'static str {
        match self {
            Backend::Sqlite => "SQLite",
            Backend::Postgres => "PostgreSQL",
        }
    }
}

/// The bench's JSON rows are not used: these results are pass/fail checks
/// with their figures, written to `--results` for docs/RELIABILITY.md.
pub async fn run(args: Args, _rows: &Path) -> anyhow::Result<()> {
    let common = args.common;
    std::fs::create_dir_all(&common.work_dir)?;
    match args.scenario {
        Scenario::Crash {
            backend,
            learners,
            port,
        } => crash::run(&common, backend, learners, port).await,
        Scenario::Outage {
            cluster,
            seconds,
            users,
            port,
        } => outage::run(&common, &cluster, seconds, users, port).await,
        Scenario::Instances {
            learners,
            port,
            nginx_conf,
        } => instances::run(&common, learners, port, &nginx_conf).await,
        Scenario::Soak {
            minutes,
            users,
            port,
        } => soak::run(&common, minutes, users, port).await,
    }
}
