//! Subcommands of the `xuetang` binary.

use crate::config::{DatabaseConfig, ServeConfig};
use anyhow::Context;
use clap::{Parser, Subcommand};
use std::path::PathBuf;

/// 消防学堂 Xuetang: fire-safety training and public education.
#[derive(Debug, Parser)]
#[command(name = "xuetang", version)]
pub struct Cli {
    #[command(flatten)]
    pub db: DatabaseConfig,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Migrate the database, then serve HTTP until SIGTERM or Ctrl-C.
    Serve(ServeConfig),
    /// Apply pending database migrations.
    Migrate,
    /// Load the demo town from seeds/ (idempotent: a second run adds nothing).
    Seed {
        /// Folder with regions.csv, units.csv and people.csv.
        #[arg(long, default_value = "seeds")]
        dir: PathBuf,
    },
}

impl Cli {
    pub async fn run(self) -> anyhow::Result<()> {
        match self.command {
            Command::Serve(serve) => {
                let app = crate::startup::Application::build(&self.db, &serve).await?;
                app.run_until_stopped(crate::startup::shutdown_signal())
                    .await?;
            }
            Command::Migrate => {
                let db = open(&self.db).await?;
                app::db::migrate(&db)
                    .await
                    .context("migrating the database")?;
                println!(
                    "migrations applied to {}",
                    app::db::redact(&self.db.database_url)
                );
            }
            Command::Seed { dir } => {
                let db = open(&self.db).await?;
                app::db::migrate(&db)
                    .await
                    .context("migrating the database")?;
                let seed = crate::seed::DemoSeed::load(&dir)?;
                let added = seed.apply(&db).await.context("writing the demo data")?;
                println!("{added}");
            }
        }
        Ok(())
    }
}

async fn open(config: &DatabaseConfig) -> anyhow::Result<app::db::Db> {
    app::db::connect(&config.database_url, config.db_max_connections)
        .await
        .with_context(|| format!("opening {}", app::db::redact(&config.database_url)))
}
