//! The results table: rows from every step, the previous run's ratios
//! beside this run's, written to bench/results.json.

use crate::rows::Row;
use anyhow::Context;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Where the merged results go (the committed copy of the last run).
    #[arg(long, default_value = "bench/results.json")]
    out: PathBuf,
    /// A markdown copy of the table (docs/BENCHMARKS.md includes it).
    #[arg(long, default_value = "bench/results.md")]
    markdown: PathBuf,
    /// Free text describing the machine and run, stored with the results.
    #[arg(long, default_value = "")]
    machine: String,
    /// Wall time of the whole run, seconds.
    #[arg(long)]
    seconds: Option<f64>,
}

#[derive(Debug, Serialize, Deserialize)]
struct Results {
    generated_at: String,
    machine: String,
    #[serde(default)]
    seconds: Option<f64>,
    rows: Vec<Row>,
}

fn read_rows(path: &Path) -> anyhow::Result<Vec<Row>> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .enumerate()
        .map(|(i, l)| {
            serde_json::from_str(l).with_context(|| format!("{} line {}", path.display(), i + 1))
        })
        .collect()
}

fn number(v: f64) -> String {
    if v.abs() >= 100.0 {
        format!("{v:.0}")
    } else if v.abs() >= 10.0 {
        format!("{v:.1}")
    } else {
        format!("{v:.2}")
    }
}

pub fn run(args: Args, rows_path: &Path) -> anyhow::Result<()> {
    let rows = read_rows(rows_path)?;
    let previous: Option<Results> = std::fs::read_to_string(&args.out)
        .ok()
        .and_then(|t| serde_json::from_str(&t).ok());
    let previous_ratio = |figure: &str| {
        previous
            .as_ref()?
            .rows
            .iter()
            .find(|r| r.figure == figure)?
            .ratio
    };

    let mut md = String::from(
        "| group | figure | value | unit | anchor | anchor value | ratio | previous ratio | budget |\n|---|---|---:|---|---|---:|---:|---:|---|\n",
    );
    let mut group = "";
    for row in &rows {
        if row.group != group {
            group = &row.group;
            println!("\n{group}");
        }
        let ratio = row.ratio.map(|r| format!("{r:.2}")).unwrap_or_default();
        let before = previous_ratio(&row.figure)
            .map(|r| format!("{r:.2}"))
            .unwrap_or_default();
        println!(
            "  {:<62} {:>10} {:<8} {:>10} {:>6} {:>6} {}",
            row.figure,
            number(row.value),
            row.unit,
            row.anchor_value.map(number).unwrap_or_default(),
            ratio,
            before,
            row.budget.as_deref().unwrap_or("")
        );
        md.push_str(&format!(
            "| {} | {} | {} | {} | {} | {} | {} | {} | {} |\n",
            row.group,
            row.figure,
            number(row.value),
            row.unit,
            row.anchor.as_deref().unwrap_or(""),
            row.anchor_value.map(number).unwrap_or_default(),
            ratio,
            before,
            row.budget.as_deref().unwrap_or("")
        ));
    }
    let generated_at =
        time::OffsetDateTime::now_utc().format(&time::format_description::well_known::Rfc3339)?;
    let results = Results {
        generated_at,
        machine: args.machine,
        seconds: args.seconds,
        rows,
    };
    std::fs::write(&args.out, serde_json::to_string_pretty(&results)? + "\n")?;
    std::fs::write(&args.markdown, md)?;
    println!(
        "\nwritten: {} and {}",
        args.out.display(),
        args.markdown.display()
    );
    Ok(())
}
