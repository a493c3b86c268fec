//! One measured figure beside its anchor, as written to `bench/results.json`.

use serde::{Deserialize, Serialize};
use std::path::Path;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Row {
    /// Which section of the table (e.g. "read path", "write path").
    pub group: String,
    pub figure: String,
    pub value: f64,
    pub unit: String,
    /// What the figure is compared with, when anything.
    #[serde(default)]
    pub anchor: Option<String>,
    #[serde(default)]
    pub anchor_value: Option<f64>,
    /// value / anchor_value (or the inverse for times, so that 1.0 = as
    /// good as the anchor and higher is better); see docs/BENCHMARKS.md.
    #[serde(default)]
    pub ratio: Option<f64>,
    /// The budget from DESIGN.md this figure is checked against, if any.
    #[serde(default)]
    pub budget: Option<String>,
}

impl Row {
    pub fn new(group: &str, figure: impl Into<String>, value: f64, unit: &str) -> Row {
        Row {
            group: group.to_string(),
            figure: figure.into(),
            value,
            unit: unit.to_string(),
            anchor: None,
            anchor_value: None,
            ratio: None,
            budget: None,
        }
    }

    /// Compares with an anchor where more is better (throughput).
    pub fn against(mut self, anchor: &str, anchor_value: f64) -> Row {
        self.anchor = Some(anchor.to_string());
        self.anchor_value = Some(anchor_value);
        self.ratio = (anchor_value > 0.0).then(|| self.value / anchor_value);
        self
    }

    /// Compares with an anchor where less is better (latency): the ratio is
    /// anchor / value, so it still reads "fraction of the anchor's speed".
    pub fn against_time(mut self, anchor: &str, anchor_value: f64) -> Row {
        self.anchor = Some(anchor.to_string());
        self.anchor_value = Some(anchor_value);
        self.ratio = (self.value > 0.0).then(|| anchor_value / self.value);
        self
    }

    pub fn budget(mut self, budget: &str) -> Row {
        self.budget = Some(budget.to_string());
        self
    }
}

/// Appends rows to a JSON-lines file (one step of `make bench` writes one).
pub fn append(path: &Path, rows: &[Row]) -> anyhow::Result<()> {
    use std::io::Write;
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)?;
    for row in rows {
        println!("  {:<58} {:>12.2} {}", row.figure, row.value, row.unit);
        writeln!(file, "{}", serde_json::to_string(row)?)?;
    }
    Ok(())
}

/// `xuetang-bench row`: one figure measured by a shell step (wrk, curl).
#[derive(Debug, clap::Args)]
pub struct RowArgs {
    #[arg(long)]
    group: String,
    #[arg(long)]
    figure: String,
    #[arg(long)]
    value: f64,
    #[arg(long)]
    unit: String,
    #[arg(long, requires = "anchor_value")]
    anchor: Option<String>,
    #[arg(long)]
    anchor_value: Option<f64>,
    /// The figure is a time or a size: smaller is better.
    #[arg(long)]
    smaller_is_better: bool,
    #[arg(long)]
    budget: Option<String>,
}

pub fn run(args: RowArgs, path: &Path) -> anyhow::Result<()> {
    let mut row = Row::new(&args.group, args.figure, args.value, &args.unit);
    if let (Some(anchor), Some(value)) = (args.anchor, args.anchor_value) {
        row = if args.smaller_is_better {
            row.against_time(&anchor, value)
        } else {
            row.against(&anchor, value)
        };
    }
    if let Some(budget) = args.budget {
        row = row.budget(&budget);
    }
    append(path, &[row])
}
