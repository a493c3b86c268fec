//! `xuetang-bench`: the measuring parts of `make bench` (bench/run.sh drives
//! them and the external tools; see docs/BENCHMARKS.md).

mod coverage;
mod exams;
mod reliability;
mod report;
mod rows;
mod startup;

use clap::{Parser, Subcommand};
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(name = "xuetang-bench")]
struct Cli {
    /// JSON-lines file the measured rows are appended to.
    #[arg(long, default_value = "target/bench/rows.jsonl", global = true)]
    rows: PathBuf,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Simulated learners taking exams over HTTP, and the bare-sqlx anchor.
    Exams(exams::Args),
    /// Coverage dashboard figures on a synthetic data set.
    Coverage(coverage::Args),
    /// Reliability scenarios (make reliability).
    Reliability(reliability::Args),
    /// Start-up time and idle memory of the server.
    Startup(startup::Args),
    /// Appends one figure measured by a shell step.
    Row(rows::RowArgs),
    /// Merges the rows into bench/results.json and prints the table.
    Report(report::Args),
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    match cli.command {
        Command::Exams(args) => exams::run(args, &cli.rows).await,
        Command::Coverage(args) => coverage::run(args, &cli.rows).await,
        Command::Reliability(args) => reliability::run(args, &cli.rows).await,
        Command::Startup(args) => startup::run(args, &cli.rows).await,
        Command::Row(args) => rows::run(args, &cli.rows),
        Command::Report(args) => report::run(args, &cli.rows),
    }
}
