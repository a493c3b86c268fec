//! Coverage figures at province scale, against a database seeded with
//! `xuetang seed --synthetic`: the four headline figures at a day and the
//! 36-month series for a town, a county and the province, the first time
//! (cold: load + index) and warm (median of several). In-process, through
//! the functions the dashboard calls (`app::coverage_cache`, the same
//! snapshot `actions::coverage::build` uses); with `--base-url` also the
//! whole dashboard page over HTTP, logged in as the synthetic province admin.

use crate::rows::{self, Row};
use anyhow::Context;
use app::actions::coverage::{SERIES_FROM, ScopeInfo, build, figure};
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

/// The four headline figures as the dashboard computes them.
async fn figures(db: &Db, level: &Level, as_of: Date) -> anyhow::Result<Counts> {
    let snapshot = coverage_cache::snapshot(db, Scope::Region(level.region_id)).await?;
    let targets = db::coverage::targets(db, level.region_id).await?;
    let total: Counts = snapshot.unit_counts(as_of).values().copied().sum();
    for m in Metric::ALL {
        std::hint::black_box(figure(&targets, m, as_of, total.get(m)));
    }
    Ok(total)
}

async fn series(db: &Db, level: &Level, as_of: Date) -> anyhow::Result<usize> {
    let snapshot = coverage_cache::snapshot(db, Scope::Region(level.region_id)).await?;
    let ends = month_ends(SERIES_FROM, as_of);
    Ok(snapshot.totals(&ends).len())
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
        let (cold, total) = time(async || figures(&db, level, as_of).await).await?;
        let (series_cold, points) = time(async || series(&db, level, as_of).await).await?;
        let figures_warm = warm(args.warm, async || figures(&db, level, as_of).await).await?;
        let series_warm = warm(args.warm, async || series(&db, level, as_of).await).await?;
        let (build_first, _) = time(async || Ok(build(&db, &scope, as_of).await?)).await?;
        let build_warm = warm(args.warm, async || Ok(build(&db, &scope, as_of).await?)).await?;
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
        let get = async || -> anyhow::Result<usize> {
            let response = client.get(&url).send().await?;
            anyhow::ensure!(
                response.status().is_success(),
                "{url}: {}",
                response.status()
            );
            Ok(response.bytes().await?.len())
        };
        let (first, bytes) = time(get).await?;
        let warm = warm(n, get).await?;
        let name = level.name;
        out.extend([
            Row::new(
                GROUP,
                format!("{label}: {name} dashboard page over HTTP · first request"),
                first,
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
