//! Release servers as child processes, and the scenarios' fresh databases.

use super::{Backend, Common};
use anyhow::{Context, bail};
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};
use tokio::process::{Child, Command};

/// A running `xuetang serve`; killed when dropped.
pub struct Server {
    child: Child,
    pub base: String,
    log: PathBuf,
}

impl Server {
    /// Starts the server and waits until `/healthz` answers 200 (at most
    /// 30 s). `public_url` is its base URL when it sits behind a proxy.
    pub async fn start(
        common: &Common,
        database_url: &str,
        port: u16,
        log: &Path,
        public_url: Option<&str>,
    ) -> anyhow::Result<Server> {
        let base = format!("http://127.0.0.1:{port}");
        let log_file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(log)
            .with_context(|| format!("opening {}", log.display()))?;
        let child = Command::new(&common.bin)
            .args(["--database-url", database_url, "serve", "--addr"])
            .arg(format!("127.0.0.1:{port}"))
            .env("XUETANG_BASE_URL", public_url.unwrap_or(&base))
            .env("XUETANG_CONTENT_DIR", &common.content_dir)
            .stdin(Stdio::null())
            .stdout(log_file.try_clone()?)
            .stderr(log_file)
            .kill_on_drop(true)
            .spawn()
            .with_context(|| format!("starting {}", common.bin.display()))?;
        let mut server = Server {
            child,
            base,
            log: log.to_path_buf(),
        };
        server.wait_healthy(Duration::from_secs(30)).await?;
        Ok(server)
    }

    /// Waits for `/healthz` 200; how long it took.
    pub async fn wait_healthy(&mut self, limit: Duration) -> anyhow::Result<Duration> {
        let started = Instant::now();
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(3))
            .build()?;
        while started.elapsed() < limit {
            if let Ok(Some(status)) = self.child.try_wait() {
                bail!(
                    "the server exited ({status}) before it was healthy; log {}",
                    self.log.display()
                );
            }
            if let Ok(reply) = client.get(format!("{}/healthz", self.base)).send().await
                && reply.status().is_success()
            {
                return Ok(started.elapsed());
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        bail!(
            "{} not healthy within {limit:?}; log {}",
            self.base,
            self.log.display()
        )
    }

    pub fn pid(&self) -> Option<u32> {
        self.child.id()
    }

    /// SIGKILL: no graceful shutdown, no flushing, as a power cut to the
    /// process (the operating system's page cache survives).
    pub async fn kill9(mut self) -> anyhow::Result<()> {
        self.child.kill().await?;
        Ok(())
    }

    /// SIGTERM, then waits (SIGKILL after 15 s).
    pub async fn stop(mut self) -> anyhow::Result<()> {
        if let Some(pid) = self.child.id() {
            Command::new("kill")
                .args(["-TERM", &pid.to_string()])
                .status()
                .await?;
            if tokio::time::timeout(Duration::from_secs(15), self.child.wait())
                .await
                .is_err()
            {
                self.child.kill().await?;
                bail!("{} ignored SIGTERM for 15 s", self.base);
            }
        }
        Ok(())
    }

    pub fn is_running(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }

    /// Resident memory in MB, from /proc.
    pub fn rss_mb(&self) -> Option<f64> {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.pid()?)).ok()?;
        let kb: f64 = status
            .lines()
            .find_map(|l| l.strip_prefix("VmRSS:"))?
            .split_whitespace()
            .next()?
            .parse()
            .ok()?;
        Some(kb / 1024.0)
    }

    /// Lines of the server's log that report a panic.
    pub fn panics(&self) -> usize {
        panics_in(&self.log)
    }
}

pub fn panics_in(log: &Path) -> usize {
    std::fs::read_to_string(log)
        .map(|text| text.lines().filter(|l| l.contains("panicked")).count())
        .unwrap_or(0)
}

/// `xuetang seed`: the demo town, its posters and accounts.
pub async fn seed(common: &Common, database_url: &str) -> anyhow::Result<()> {
    let out = Command::new(&common.bin)
        .args(["--database-url", database_url, "seed"])
        .env("XUETANG_CONTENT_DIR", &common.content_dir)
        .output()
        .await?;
    if !out.status.success() {
        bail!("seed failed: {}", String::from_utf8_lossy(&out.stderr));
    }
    Ok(())
}

/// A database of the scenario's own, empty.
pub struct FreshDb {
    pub url: String,
    /// The SQLite file, or the PostgreSQL admin URL and database name.
    place: Place,
}

enum Place {
    File(PathBuf),
    Postgres { admin: String, name: String },
}

impl FreshDb {
    pub async fn create(common: &Common, backend: Backend, name: &str) -> anyhow::Result<FreshDb> {
        let place = match backend {
            Backend::Sqlite => {
                let path = common.work_dir.join(format!("{name}.db"));
                remove_sqlite(&path);
                Place::File(path)
            }
            Backend::Postgres => {
                let admin = common
                    .postgres
                    .clone()
                    .context("--postgres (or RELIABILITY_POSTGRES_URL) is required")?;
                admin_sql(
                    &admin,
                    &format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"),
                )
                .await?;
                admin_sql(&admin, &format!("CREATE DATABASE {name}")).await?;
                Place::Postgres {
                    admin,
                    name: name.to_string(),
                }
            }
        };
        let url = match &place {
            Place::File(path) => format!("sqlite://{}", path.display()),
            Place::Postgres { admin, name } => {
                let (base, _) = admin
                    .rsplit_once('/')
                    .context("the PostgreSQL URL has no database name")?;
                format!("{base}/{name}")
            }
        };
        Ok(FreshDb { url, place })
    }

    pub async fn open(&self) -> anyhow::Result<app::db::Db> {
        Ok(app::db::connect(&self.url, 4).await?)
    }

    /// Deletes the database (after a run; the logs stay).
    pub async fn drop_it(self) -> anyhow::Result<()> {
        match self.place {
            Place::File(path) => remove_sqlite(&path),
            Place::Postgres { admin, name } => {
                admin_sql(
                    &admin,
                    &format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"),
                )
                .await?
            }
        }
        Ok(())
    }
}

fn remove_sqlite(path: &Path) {
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
    }
}

async fn admin_sql(admin_url: &str, sql: &str) -> anyhow::Result<()> {
    let db = app::db::connect(admin_url, 1)
        .await
        .with_context(|| format!("connecting to {}", app::db::redact(admin_url)))?;
    sqlx::raw_sql(sqlx::AssertSqlSafe(sql.to_string()))
        .execute(&db)
        .await
        .with_context(|| sql.to_string())?;
    db.close().await;
    Ok(())
}
