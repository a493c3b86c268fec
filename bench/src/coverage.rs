//! Coverage figures at province scale, against a database seeded with
//! `xuetang seed --synthetic`: the four headline figures at a day and the
//! 36-month series for a town, a county and the province, the first time
//! (cold: load + index) and warm (median of several), and after a write:
//! the first request (served from the kept snapshot unless the reload lands
//! within `coverage_cache::RELOAD_WAIT`) and the time until the reload is
//! done and the figures are fresh. In-process, through the functions the
//! dashboard calls (`app::coverage_cache`, the same snapshot
//! `actions::coverage::dashboard` uses); with `--base-url` also the
//! dashboard page over HTTP, logged in as the synthetic province admin.

use crate::rows::{self, Row};
use anyhow::Context;
use app::actions::coverage::{SERIES_FROM, ScopeInfo, dashboard, figure};
use app::coverage::{Counts, Metric, month_ends};
use app::coverage_cache;
use app::db::{self, Db, coverage::Scope};
use std::path::Path;
use std::time::{Duration, Instant};
use time::Date;

const GROUP: &str = "scale — coverage";
const BUDGET: &str = "< 200 ms";

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The seeded database.
    #[arg(long)]
    database_url: String,
    /// A server running on the same database: also time the dashboard page.
    #[arg(long)]
    base_url: Option<String>,
    /// Names the data set in the table, e.g. "sqlite-2M".
    #[arg(long)]
    label: String,
    /// The day the figures are taken (YYYY-MM-DD); default today.
    #[arg(long)]
    as_of: Option<String>,
    /// Warm repetitions (the median is recorded).
    #[arg(long, default_value_t = 5)]
    warm: usize,
    /// Seconds `xuetang seed --synthetic` took, recorded beside the figures.
    #[arg(long)]
    seed_seconds: Option<f64>,
}

struct Level {
    name: &'static str,
    region_id: i64,
    region_name: String,
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn median(mut samples: Vec<f64>) -> f64 {
    samples.sort_by(f64::total_cmp);
    samples.get(samples.len() / 2).copied().unwrap_or(f64::NAN)
}

async fn levels(db: &Db) -> anyhow::Result<Vec<Level>> {
    let mut out = Vec::new();
    for (name, filter) in [
        ("town", "level = 'town'"),
        ("county", "level = 'county'"),
        ("province", "parent_id IS NULL"),
    ] {
        let (region_id, region_name): (i64, String) = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT id, name FROM regions WHERE {filter} ORDER BY id LIMIT 1"
        )))
        .fetch_one(db)
        .await
        .with_context(|| format!("no {name} in the database; seed it with --synthetic"))?;
        out.push(Level {
            name,
            region_id,
            region_name,
        });
    }
    Ok(out)
}

/// The four headline figures as the dashboard computes them, and whether
/// they are current (false: from the kept snapshot while a reload runs).
async fn figures(db: &Db, level: &Level, as_of: Date) -> anyhow::Result<(Counts, bool)> {
    let served = coverage_cache::snapshot(db, Scope::Region(level.region_id)).await?;
    let targets = db::coverage::targets(db, level.region_id).await?;
    let total: Counts = served.snapshot.unit_counts(as_of).values().copied().sum();
    for m in Metric::ALL {
        std::hint::black_box(figure(&targets, m, as_of, total.get(m)));
    }
    Ok((total, served.current))
}

async fn series(db: &Db, level: &Level, as_of: Date) -> anyhow::Result<usize> {
    let snapshot = coverage_cache::snapshot(db, Scope::Region(level.region_id))
        .await?
        .snapshot;
    let ends = month_ends(SERIES_FROM, as_of);
    Ok(snapshot.totals(&ends).len())
}

/// A write to a table coverage reads (a no-op update; the triggers of
/// migration 0007 count it all the same), then the figures until they are
/// current again.
struct AfterWrite {
    /// The first request after the write.
    first: f64,
    /// From the write until a request is served current figures: the
    /// background reload's cost, which the kept snapshot hides from visitors.
    fresh: f64,
}

async fn after_write(db: &Db, level: &Level, as_of: Date) -> anyhow::Result<AfterWrite> {
    sqlx::query("UPDATE regions SET name = name WHERE id = $1")
        .bind(level.region_id)
        .execute(db)
        .await
        .context("touching a region to outdate the kept coverage facts")?;
    let written = Instant::now();
    let (_, first_current) = figures(db, level, as_of).await?;
    let first = ms(written.elapsed());
    println!(
        "  {} after a write: first request {}",
        level.name,
        if first_current {
            "fresh (reloaded within the wait)"
        } else {
            "served the kept snapshot, marked outdated"
        }
    );
    // Each request waits up to RELOAD_WAIT for the reload under way, so
    // this polls without starting a second one.
    let mut current = first_current;
    while !current {
        current = figures(db, level, as_of).await?.1;
    }
    Ok(AfterWrite {
        first,
        fresh: ms(written.elapsed()),
    })
}

async fn time<T>(f: impl AsyncFnOnce() -> anyhow::Result<T>) -> anyhow::Result<(f64, T)> {
    let started = Instant::now();
    let out = f().await?;
    Ok((ms(started.elapsed()), out))
}

async fn warm<T>(n: usize, mut f: impl AsyncFnMut() -> anyhow::Result<T>) -> anyhow::Result<f64> {
    let mut samples = Vec::with_capacity(n);
    for _ in 0..n.max(1) {
        let started = Instant::now();
        f().await?;
        samples.push(ms(started.elapsed()));
    }
    Ok(median(samples))
}

pub async fn run(args: Args, rows_path: &Path) -> anyhow::Result<()> {
    let db = db::connect(&args.database_url, 4)
        .await
        .context("opening the seeded database")?;
    let today = app::domain::date::today_in_shanghai();
    let as_of = match &args.as_of {
        Some(text) => Date::parse(
            text,
            time::macros::format_description!("[year]-[month]-[day]"),
        )
        .context("--as-of: expected YYYY-MM-DD")?,
        None => today,
    };
    let label = &args.label;
    let mut out = Vec::new();
    if let Some(seconds) = args.seed_seconds {
        out.push(Row::new(
            GROUP,
            format!("{label}: xuetang seed --synthetic"),
            seconds,
            "s",
        ));
    }
    let levels = levels(&db).await?;
    for level in &levels {
        let scope = ScopeInfo {
            scope: Scope::Region(level.region_id),
            name: level.region_name.clone(),
            region_id: level.region_id,
        };
        let (cold, (total, _)) = time(async || figures(&db, level, as_of).await).await?;
        let (series_cold, points) = time(async || series(&db, level, as_of).await).await?;
        let figures_warm = warm(args.warm, async || figures(&db, level, as_of).await).await?;
        let series_warm = warm(args.warm, async || series(&db, level, as_of).await).await?;
        let build = async || Ok(dashboard(&db, &scope, as_of, 1).await?);
        let (build_first, _) = time(build).await?;
        let build_warm = warm(args.warm, build).await?;
        let written = after_write(&db, level, as_of).await?;
        println!(
            "  {label} {}: {} people in post, {} operators, {} staffed units; {points} months",
            level.name, total.annual.den, total.certified.den, total.drills.den
        );
        let name = level.name;
        out.extend([
            Row::new(
                GROUP,
                format!("{label}: {name} figures · first request (load + index)"),
                cold,
                "ms",
            ),
            Row::new(
                GROUP,
                format!("{label}: {name} figures · warm"),
                figures_warm,
                "ms",
            )
            .budget(BUDGET),
            Row::new(
                GROUP,
                format!("{label}: {name} 36-month series · first (index in memory)"),
                series_cold,
                "ms",
            ),
            Row::new(
                GROUP,
                format!("{label}: {name} 36-month series · warm"),
                series_warm,
                "ms",
            )
            .budget(BUDGET),
            Row::new(
                GROUP,
                format!("{label}: {name} whole dashboard data · first (index in memory)"),
                build_first,
                "ms",
            ),
            Row::new(
                GROUP,
                format!("{label}: {name} whole dashboard data · warm"),
                build_warm,
                "ms",
            )
            .budget(BUDGET),
            Row::new(
                GROUP,
                format!("{label}: {name} figures · first request after a write"),
                written.first,
                "ms",
            )
            .budget(BUDGET),
            Row::new(
                GROUP,
                format!("{label}: {name} fresh figures after a write · until the reload is done"),
                written.fresh,
                "ms",
            ),
        ]);
    }
    if let Some(base) = &args.base_url {
        out.extend(over_http(base, label, &levels, as_of, args.warm).await?);
    }
    rows::append(rows_path, &out)
}

/// The dashboard page as the province admin opens it.
async fn over_http(
    base: &str,
    label: &str,
    levels: &[Level],
    as_of: Date,
    n: usize,
) -> anyhow::Result<Vec<Row>> {
    let client = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(600))
        .build()?;
    let login = client
        .post(format!("{base}/api/login"))
        .form(&[
            ("phone", xuetang::synthetic::ADMIN_PHONE),
            ("password", xuetang::synthetic::ADMIN_PASSWORD),
        ])
        .send()
        .await?;
    anyhow::ensure!(
        login.status().is_success() || login.status().is_redirection(),
        "logging in as the synthetic province admin: {}",
        login.status()
    );
    let mut out = Vec::new();
    for level in levels {
        let url = format!(
            "{base}/admin/regions/{}/coverage?date={as_of}",
            level.region_id
        );
        // The page's size, and whether it says its figures are outdated.
        let get = async || -> anyhow::Result<(usize, bool)> {
            let response = client.get(&url).send().await?;
            anyhow::ensure!(
                response.status().is_success(),
                "{url}: {}",
                response.status()
            );
            let body = response.bytes().await?;
            let outdated = String::from_utf8_lossy(&body).contains("data-outdated=\"true\"");
            Ok((body.len(), outdated))
        };
        let name = level.name;
        let (first, (bytes, outdated)) = time(get).await?;
        // The server noticed the writes above at this request; once the
        // page is fresh again, the warm timings are not sharing the CPU
        // with its reload.
        let reloading = Instant::now();
        let mut still = outdated;
        while still {
            tokio::time::sleep(Duration::from_millis(500)).await;
            still = get().await?.1;
        }
        let fresh = if outdated {
            ms(reloading.elapsed()) + first
        } else {
            first
        };
        println!(
            "  {label} {name} page: first request {}",
            if outdated {
                "served the kept snapshot, marked outdated"
            } else {
                "fresh"
            }
        );
        let warm = warm(n, get).await?;
        out.extend([
            Row::new(
                GROUP,
                format!("{label}: {name} dashboard page over HTTP · first request"),
                first,
                "ms",
            ),
            Row::new(
                GROUP,
                format!("{label}: {name} dashboard page over HTTP · until it shows fresh figures"),
                fresh,
                "ms",
            ),
            Row::new(
                GROUP,
                format!("{label}: {name} dashboard page over HTTP · warm"),
                warm,
                "ms",
            )
            .budget(BUDGET),
            Row::new(
                GROUP,
                format!("{label}: {name} dashboard page size"),
                bytes as f64 / 1024.0,
                "KB",
            ),
        ]);
    }
    Ok(out)
}
