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
    /// Load the demo town from seeds/ (idempotent: a second run adds nothing),
    /// or with --synthetic a reproducible province for benchmarks.
    Seed {
        /// Folder with regions.csv, units.csv, people.csv and accounts.csv.
        #[arg(long, default_value = "seeds")]
        dir: PathBuf,
        /// Generate a synthetic province instead (empty database only).
        #[arg(long)]
        synthetic: bool,
        #[command(flatten)]
        size: crate::synthetic::SyntheticArgs,
    },
    /// Check the courseware in content/ and list every problem.
    #[command(subcommand)]
    Content(ContentCommand),
    /// Export data.
    #[command(subcommand)]
    Export(ExportCommand),
    /// Import data from files.
    #[command(subcommand)]
    Import(ImportCommand),
    /// Make a person an admin of a unit or a region.
    Grant {
        /// The person's mobile number (they must exist, e.g. from a roster).
        #[arg(long)]
        phone: String,
        /// Unit id, credit code or exact name.
        #[arg(long, conflicts_with = "region", required_unless_present = "region")]
        unit: Option<String>,
        /// Region code (as in seeds/regions.csv).
        #[arg(long)]
        region: Option<String>,
    },
    /// Copy the database to FILE while it serves (SQLite: a consistent
    /// snapshot, checked; PostgreSQL: pg_dump). See docs/BACKUP.md.
    Backup {
        #[arg(long)]
        out: PathBuf,
        /// Replace FILE if it exists.
        #[arg(long)]
        force: bool,
    },
    /// Replace the SQLite database with a checked backup, then migrate it.
    Restore {
        file: PathBuf,
        /// Replace the database if it exists.
        #[arg(long)]
        force: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum ContentCommand {
    /// Validate content/ (front matter, links, images, lengths); exit 1 on problems.
    Check {
        #[arg(long, env = "XUETANG_CONTENT_DIR", default_value = "content")]
        dir: PathBuf,
    },
}

#[derive(Debug, Subcommand)]
pub enum ExportCommand {
    /// Write a course's question bank as GIFT (for Moodle) to stdout.
    Gift {
        /// The course slug (its folder name under content/).
        course: String,
        #[arg(long, env = "XUETANG_CONTENT_DIR", default_value = "content")]
        dir: PathBuf,
    },
    /// Write a region's monthly progress report (--month 2026-10) or yearly
    /// summary (--year 2026): the dashboard's figures, as CSV or Excel.
    Report {
        /// Region code (e.g. JF) or id.
        #[arg(long)]
        region: String,
        #[arg(long, conflicts_with = "year", required_unless_present = "year")]
        month: Option<String>,
        #[arg(long)]
        year: Option<String>,
        #[arg(long, value_enum, default_value = "csv")]
        format: ReportFormat,
        /// Output file (default: standard output).
        #[arg(long)]
        out: Option<PathBuf>,
    },
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum ReportFormat {
    Csv,
    Xlsx,
}

#[derive(Debug, Subcommand)]
pub enum ImportCommand {
    /// Import a staff roster (.xlsx or .csv) into a unit: all rows or none.
    Roster {
        /// Unit id, credit code or exact name.
        #[arg(long)]
        unit: String,
        file: PathBuf,
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
            Command::Seed {
                synthetic: true,
                size,
                ..
            } => {
                let config = size.config()?;
                let db = open(&self.db).await?;
                app::db::migrate(&db)
                    .await
                    .context("migrating the database")?;
                let started = std::time::Instant::now();
                let written = crate::synthetic::apply(&db, &config).await?;
                println!(
                    "{written} (seed {}, until {}) in {:.1} s",
                    config.seed,
                    config.until,
                    started.elapsed().as_secs_f64()
                );
                println!(
                    "province admin: phone {} password {} (示例数据)",
                    crate::synthetic::ADMIN_PHONE,
                    crate::synthetic::ADMIN_PASSWORD
                );
            }
            Command::Seed { dir, .. } => {
                let db = open(&self.db).await?;
                app::db::migrate(&db)
                    .await
                    .context("migrating the database")?;
                let seed = crate::seed::DemoSeed::load(&dir)?;
                let added = seed.apply(&db).await.context("writing the demo data")?;
                println!("{added}");
            }
            Command::Content(ContentCommand::Check { dir }) => match app::content::load(&dir) {
                Ok(library) => {
                    let lessons: usize = library.courses.iter().map(|c| c.lessons.len()).sum();
                    println!(
                        "content ok: {} courses, {lessons} lessons",
                        library.courses.len()
                    );
                }
                Err(problems) => {
                    eprintln!("{problems}");
                    anyhow::bail!("{} problem(s) in {}", problems.0.len(), dir.display());
                }
            },
            Command::Export(ExportCommand::Gift { course, dir }) => {
                let library = app::content::load(&dir)
                    .map_err(|problems| anyhow::anyhow!("invalid content:\n{problems}"))?;
                let course = library
                    .course(&course)
                    .ok_or_else(|| anyhow::anyhow!("no course {course:?} in {}", dir.display()))?;
                print!("{}", app::quiz::gift::write(&course.bank));
            }
            Command::Export(ExportCommand::Report {
                region,
                month,
                year,
                format,
                out,
            }) => {
                let db = open(&self.db).await?;
                app::db::migrate(&db)
                    .await
                    .context("migrating the database")?;
                let region_id = find_region(&db, &region).await?;
                let access = app::auth::scope::command_line_region(&db, region_id)
                    .await
                    .map_err(app_error)?;
                let (month, year) = (month.unwrap_or_default(), year.unwrap_or_default());
                let report =
                    app::routes::admin::coverage::server::report(&db, &access, &month, &year)
                        .await
                        .map_err(app_error)?;
                let title =
                    app::routes::admin::coverage::report_title(&report.scope_name, &month, &year);
                let bytes = match format {
                    ReportFormat::Csv => crate::reports::csv(&report, &title),
                    ReportFormat::Xlsx => {
                        crate::reports::xlsx(&report, &title).context("writing the workbook")?
                    }
                };
                match out {
                    Some(path) => {
                        std::fs::write(&path, bytes)
                            .with_context(|| format!("writing {}", path.display()))?;
                        eprintln!("{title}: written to {}", path.display());
                    }
                    None => {
                        use std::io::Write;
                        std::io::stdout().write_all(&bytes)?;
                    }
                }
            }
            Command::Import(ImportCommand::Roster { unit, file }) => {
                let db = open(&self.db).await?;
                app::db::migrate(&db)
                    .await
                    .context("migrating the database")?;
                let unit_id = find_unit(&db, &unit).await?;
                let access = app::auth::scope::command_line_unit(&db, unit_id)
                    .await
                    .map_err(app_error)?;
                let bytes =
                    std::fs::read(&file).with_context(|| format!("reading {}", file.display()))?;
                let name = file
                    .file_name()
                    .map(|n| n.to_string_lossy().to_string())
                    .unwrap_or_default();
                match app::actions::roster::import_now(&db, &access, &name, &bytes)
                    .await
                    .map_err(app_error)?
                {
                    Ok(applied) => println!(
                        "imported {}: {} new people, {} new posts, {} unchanged",
                        file.display(),
                        applied.new_people,
                        applied.new_posts,
                        applied.unchanged
                    ),
                    Err(parsed) => {
                        for row in parsed.rows.iter().filter(|r| !r.problems.is_empty()) {
                            for problem in &row.problems {
                                eprintln!(
                                    "{}:{}: {:?}: {}",
                                    file.display(),
                                    row.row,
                                    problem.field,
                                    problem.message
                                );
                            }
                        }
                        anyhow::bail!(
                            "{} problem(s) in {}; nothing was imported",
                            parsed.problem_count(),
                            file.display()
                        );
                    }
                }
            }
            Command::Grant {
                phone,
                unit,
                region,
            } => {
                let db = open(&self.db).await?;
                app::db::migrate(&db)
                    .await
                    .context("migrating the database")?;
                let phone = app::domain::Phone::parse(&phone)
                    .map_err(|e| anyhow::anyhow!("--phone: {e}"))?;
                let person_id: i64 = sqlx::query_scalar("SELECT id FROM people WHERE phone = $1")
                    .bind(phone.as_str())
                    .fetch_optional(&db)
                    .await?
                    .ok_or_else(|| anyhow::anyhow!("no person with phone {}", phone.masked()))?;
                let grant = match (unit, region) {
                    (Some(unit), _) => app::auth::Grant::UnitAdmin {
                        unit_id: find_unit(&db, &unit).await?,
                    },
                    (None, Some(code)) => app::auth::Grant::RegionAdmin {
                        region_id: app::db::regions::by_code(&db, &code)
                            .await?
                            .ok_or_else(|| anyhow::anyhow!("no region with code {code:?}"))?
                            .id,
                    },
                    (None, None) => anyhow::bail!("give --unit or --region"),
                };
                let mut tx = app::db::begin(&db).await?;
                let new =
                    app::db::grants::grant(&mut tx, person_id, grant, app::actions::now()).await?;
                tx.commit().await?;
                println!("{}", if new { "granted" } else { "already granted" });
            }
            Command::Backup { out, force } => {
                crate::backup::backup(&self.db.database_url, &out, force).await?
            }
            Command::Restore { file, force } => {
                crate::backup::restore(&self.db.database_url, &file, force).await?
            }
        }
        Ok(())
    }
}

/// A unit by id, credit code or exact name.
async fn find_unit(db: &app::db::Db, key: &str) -> anyhow::Result<i64> {
    let by_id = key.parse::<i64>().ok();
    let ids: Vec<i64> =
        sqlx::query_scalar("SELECT id FROM units WHERE id = $1 OR credit_code = $2 OR name = $2")
            .bind(by_id.unwrap_or(-1))
            .bind(key)
            .fetch_all(db)
            .await?;
    match ids.as_slice() {
        [id] => Ok(*id),
        [] => anyhow::bail!("no unit with id, credit code or name {key:?}"),
        _ => anyhow::bail!("{key:?} matches several units; give the unit's id"),
    }
}

/// A region by code or id.
async fn find_region(db: &app::db::Db, key: &str) -> anyhow::Result<i64> {
    let by_id = key.parse::<i64>().ok();
    let id: Option<i64> = sqlx::query_scalar("SELECT id FROM regions WHERE id = $1 OR code = $2")
        .bind(by_id.unwrap_or(-1))
        .bind(key)
        .fetch_optional(db)
        .await?;
    id.ok_or_else(|| anyhow::anyhow!("no region with code or id {key:?}"))
}

fn app_error(err: app::error::AppError) -> anyhow::Error {
    anyhow::anyhow!("{err}")
}

async fn open(config: &DatabaseConfig) -> anyhow::Result<app::db::Db> {
    app::db::connect(&config.database_url, config.db_max_connections)
        .await
        .with_context(|| format!("opening {}", app::db::redact(&config.database_url)))
}
