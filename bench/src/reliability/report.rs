//! The result lines of a scenario: printed as they are decided and appended
//! to the results file as Markdown table rows
//! `| scenario | check | result | measured |`.

use anyhow::bail;
use std::io::Write;
use std::path::PathBuf;

pub struct Report {
    scenario: String,
    path: PathBuf,
    failed: Vec<String>,
}

impl Report {
    pub fn new(scenario: impl Into<String>, path: PathBuf) -> Report {
        let scenario = scenario.into();
        println!("\n== {scenario}");
        Report {
            scenario,
            path,
            failed: Vec::new(),
        }
    }

    /// One claim, with what was measured to decide it.
    pub fn check(&mut self, claim: &str, passed: bool, measured: impl std::fmt::Display) {
        let verdict = if passed { "PASS" } else { "FAIL" };
        self.write(claim, verdict, &measured.to_string());
        if !passed {
            self.failed.push(claim.to_string());
        }
    }

    /// A figure that describes the run without deciding anything.
    pub fn figure(&mut self, what: &str, measured: impl std::fmt::Display) {
        self.write(what, "—", &measured.to_string());
    }

    fn write(&self, claim: &str, verdict: &str, measured: &str) {
        println!("{verdict:<4}  {}  {claim}: {measured}", self.scenario);
        let row = format!(
            "| {} | {} | {} | {} |\n",
            cell(&self.scenario),
            cell(claim),
            verdict,
            cell(measured)
        );
        let appended = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.path)
            .and_then(|mut f| f.write_all(row.as_bytes()));
        if let Err(err) = appended {
            eprintln!("cannot append to {}: {err}", self.path.display());
        }
    }

    /// Err naming the failed checks, if any.
    pub fn finish(self) -> anyhow::Result<()> {
        if self.failed.is_empty() {
            println!("{}: every check passed", self.scenario);
            Ok(())
        } else {
            bail!(
                "{}: {} check(s) failed: {}",
                self.scenario,
                self.failed.len(),
                self.failed.join("; ")
            )
        }
    }
}

fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', " ")
}
