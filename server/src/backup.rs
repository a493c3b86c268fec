//! `xuetang backup` and `xuetang restore`.
//!
//! SQLite: `VACUUM INTO` on a connection of its own reads one transaction
//! snapshot (WAL mode lets the server keep writing meanwhile) into a
//! temporary file beside the output, which is checked (`integrity_check`,
//! the migrations table) and then renamed into place. Restoring checks the
//! file the same way, refuses while another process has the target open,
//! renames a checked copy over the target and migrates it.
//!
//! PostgreSQL: backups run `pg_dump --format=custom` when it is on PATH
//! (otherwise the exact command is printed and the backup fails); restores
//! are left to `pg_restore`, whose exact command is printed.

use anyhow::{Context, bail};
use sqlx::sqlite::{SqliteConnectOptions, SqliteConnection};
use sqlx::{ConnectOptions, Connection};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// Tables whose row counts are printed after a backup or restore.
const KEY_TABLES: &[&str] = &[
    "regions",
    "units",
    "people",
    "memberships",
    "accounts",
    "lesson_progress",
    "exam_attempts",
    "attempt_questions",
    "certificates",
    "credentials",
    "training_sessions",
    "posters",
    "audit_log",
];

enum Target {
    Sqlite(PathBuf),
    Postgres(String),
}

fn target(database_url: &str) -> anyhow::Result<Target> {
    match app::db::Backend::of_url(database_url) {
        Some(app::db::Backend::Sqlite) => {
            let rest = database_url
                .trim_start_matches("sqlite:")
                .trim_start_matches("//");
            let path = rest.split_once('?').map_or(rest, |(path, _)| path);
            if path.is_empty() || path == ":memory:" {
                bail!("DATABASE_URL names no database file: {database_url}");
            }
            Ok(Target::Sqlite(PathBuf::from(path)))
        }
        Some(app::db::Backend::Postgres) => Ok(Target::Postgres(database_url.to_string())),
        None => bail!(
            "unsupported DATABASE_URL (expected sqlite:… or postgres://…): {}",
            app::db::redact(database_url)
        ),
    }
}

/// `xuetang backup --out FILE [--force]`.
pub async fn backup(database_url: &str, out: &Path, force: bool) -> anyhow::Result<()> {
    if out.exists() && !force {
        bail!(
            "{} already exists; give --force to replace it",
            out.display()
        );
    }
    match target(database_url)? {
        Target::Sqlite(db) => backup_sqlite(&db, out).await,
        Target::Postgres(url) => backup_postgres(&url, out),
    }
}

async fn backup_sqlite(db: &Path, out: &Path) -> anyhow::Result<()> {
    if !db.is_file() {
        bail!("no SQLite database at {}", db.display());
    }
    if same_file(db, out) {
        bail!(
            "--out {} is the database itself; choose another file",
            out.display()
        );
    }
    let started = Instant::now();
    let partial = Partial::beside(out, "partial")?;
    let mut conn = SqliteConnectOptions::new()
        .filename(db)
        .busy_timeout(Duration::from_secs(30))
        .connect()
        .await
        .with_context(|| format!("opening {}", db.display()))?;
    sqlx::query("VACUUM INTO $1")
        .bind(partial.path.to_string_lossy().to_string())
        .execute(&mut conn)
        .await
        .with_context(|| format!("copying {} (VACUUM INTO)", db.display()))?;
    conn.close().await?;
    let report = inspect(&partial.path)
        .await
        .context("checking the new backup")?;
    report.check_migrations()?;
    partial.sync()?;
    partial.install(out)?;
    let size = std::fs::metadata(out)?.len();
    println!(
        "backup of {} written to {} ({}, {} ms)",
        db.display(),
        out.display(),
        human_size(size),
        started.elapsed().as_millis()
    );
    println!("{report}");
    Ok(())
}

fn backup_postgres(url: &str, out: &Path) -> anyhow::Result<()> {
    let (url_without_password, password) = split_password(url);
    let command = format!(
        "pg_dump --format=custom --file={} '{url_without_password}'",
        shell_quote(&out.to_string_lossy())
    );
    let started = Instant::now();
    let partial = Partial::beside(out, "partial")?;
    let mut pg_dump = std::process::Command::new("pg_dump");
    pg_dump
        .arg("--format=custom")
        .arg(format!("--file={}", partial.path.display()))
        .arg(format!("--dbname={url_without_password}"));
    if let Some(password) = password {
        pg_dump.env("PGPASSWORD", password);
    }
    let status = match pg_dump.status() {
        Ok(status) => status,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => bail!(
            "a PostgreSQL database is backed up with pg_dump, which is not on PATH.\n\
             Install the PostgreSQL client tools of the server's version and run:\n  {command}\n\
             (pg_dump asks for the password, or reads PGPASSWORD)"
        ),
        Err(err) => return Err(err).context("starting pg_dump"),
    };
    if !status.success() {
        bail!("pg_dump failed ({status}); the command was:\n  {command}");
    }
    let list = std::process::Command::new("pg_restore")
        .arg("--list")
        .arg(&partial.path)
        .output()
        .context("starting pg_restore --list to check the dump")?;
    if !list.status.success() {
        bail!(
            "pg_restore --list cannot read the dump: {}",
            String::from_utf8_lossy(&list.stderr).trim()
        );
    }
    let tables = String::from_utf8_lossy(&list.stdout)
        .lines()
        .filter(|line| line.contains(" TABLE DATA "))
        .count();
    partial.sync()?;
    partial.install(out)?;
    let size = std::fs::metadata(out)?.len();
    println!(
        "pg_dump of {} written to {} ({}, {} ms; {tables} tables' data, custom format)",
        app::db::redact(url),
        out.display(),
        human_size(size),
        started.elapsed().as_millis()
    );
    println!("restore it with:\n  {}", pg_restore_command(url, out));
    Ok(())
}

/// `xuetang restore FILE [--force]`.
pub async fn restore(database_url: &str, file: &Path, force: bool) -> anyhow::Result<()> {
    let db = match target(database_url)? {
        Target::Sqlite(db) => db,
        Target::Postgres(url) => bail!(
            "a PostgreSQL database is restored with pg_restore, not by xuetang.\n\
             Stop every `xuetang serve` using it, create an empty database \
             (createdb, or DROP DATABASE and CREATE DATABASE), then run:\n  {}\n\
             and `xuetang migrate` with DATABASE_URL pointing at it.",
            pg_restore_command(&url, file)
        ),
    };
    if !file.is_file() {
        bail!("{}: no such file", file.display());
    }
    let file_wal = sidecar(file, "-wal");
    if std::fs::metadata(&file_wal).is_ok_and(|m| m.len() > 0) {
        bail!(
            "{} has a {} beside it: it looks like a database in use, not a backup; \
             make a backup of it with `xuetang backup` and restore that",
            file.display(),
            file_wal.display()
        );
    }
    if same_file(file, &db) {
        bail!("{} is the database itself", file.display());
    }
    let existed = db.exists();
    if existed && !force {
        bail!(
            "{} already exists; give --force to replace it (keep a copy first: `xuetang backup --out …`)",
            db.display()
        );
    }
    if let Some(dir) = db.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    }
    let started = Instant::now();
    let partial = Partial::beside(&db, "restore")?;
    std::fs::copy(file, &partial.path)
        .with_context(|| format!("copying {} beside {}", file.display(), db.display()))?;
    let checked = inspect(&partial.path)
        .await
        .and_then(|report| report.check_migrations().map(|()| report))
        .with_context(|| {
            format!(
                "{} is not a healthy Xuetang database; {} was not changed",
                file.display(),
                db.display()
            )
        })?;
    partial.sync()?;
    if existed {
        refuse_if_in_use(&db).await?;
    }
    for suffix in ["-wal", "-shm", "-journal"] {
        remove_if_present(&sidecar(&db, suffix))?;
    }
    partial.install(&db)?;

    let url = format!("sqlite://{}", db.display());
    let pool = app::db::connect(&url, 1)
        .await
        .with_context(|| format!("opening the restored {}", db.display()))?;
    app::db::migrate(&pool)
        .await
        .context("migrating the restored database")?;
    pool.close().await;
    let migrated = inspect(&db).await?;
    println!(
        "restored {} from {} ({} ms); migrations {} → {}",
        db.display(),
        file.display(),
        started.elapsed().as_millis(),
        checked.latest_migration(),
        migrated.latest_migration()
    );
    println!("{migrated}");
    Ok(())
}

/// What a SQLite file holds, as far as backups care.
struct Report {
    /// (version, checksum, success) from `_sqlx_migrations`.
    migrations: Vec<(i64, Vec<u8>, bool)>,
    counts: Vec<(&'static str, i64)>,
    foreign_key_problems: usize,
}

/// Opens a SQLite file (never creating one) and checks it.
async fn inspect(path: &Path) -> anyhow::Result<Report> {
    let mut conn = SqliteConnectOptions::new()
        .filename(path)
        .connect()
        .await
        .context("not a SQLite database")?;
    let report = inspect_on(&mut conn).await;
    conn.close().await?;
    report
}

async fn inspect_on(conn: &mut SqliteConnection) -> anyhow::Result<Report> {
    let integrity: Vec<String> = sqlx::query_scalar("PRAGMA integrity_check")
        .fetch_all(&mut *conn)
        .await
        .context("not a SQLite database, or a damaged one")?;
    if integrity != ["ok"] {
        let shown: Vec<&str> = integrity.iter().take(5).map(String::as_str).collect();
        bail!("integrity_check failed: {}", shown.join("; "));
    }
    let has_migrations: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = '_sqlx_migrations'",
    )
    .fetch_one(&mut *conn)
    .await?;
    if has_migrations == 0 {
        bail!("no _sqlx_migrations table: not a Xuetang database");
    }
    let migrations =
        sqlx::query_as("SELECT version, checksum, success FROM _sqlx_migrations ORDER BY version")
            .fetch_all(&mut *conn)
            .await?;
    let mut counts = Vec::new();
    for table in KEY_TABLES {
        let exists: i64 = sqlx::query_scalar(
            "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = $1",
        )
        .bind(table)
        .fetch_one(&mut *conn)
        .await?;
        if exists == 1 {
            let count: i64 =
                sqlx::query_scalar(sqlx::AssertSqlSafe(format!("SELECT count(*) FROM {table}")))
                    .fetch_one(&mut *conn)
                    .await?;
            counts.push((*table, count));
        }
    }
    let foreign_key_problems = sqlx::query("PRAGMA foreign_key_check")
        .fetch_all(&mut *conn)
        .await?
        .len();
    Ok(Report {
        migrations,
        counts,
        foreign_key_problems,
    })
}

impl Report {
    fn latest_migration(&self) -> i64 {
        self.migrations.last().map_or(0, |(version, _, _)| *version)
    }

    /// Every applied migration must be one of this binary's, unchanged.
    fn check_migrations(&self) -> anyhow::Result<()> {
        let known = || {
            app::db::migrations::sqlite()
                .iter()
                .filter(|m| !m.migration_type.is_down_migration())
        };
        let newest = known().map(|m| m.version).max().unwrap_or(0);
        if self.migrations.is_empty() {
            bail!("_sqlx_migrations is empty: not a Xuetang database");
        }
        for (version, checksum, success) in &self.migrations {
            match known().find(|m| m.version == *version) {
                _ if !success => bail!("migration {version} did not finish in this database"),
                None if *version > newest => bail!(
                    "made by a newer Xuetang (migration {version}; this binary knows up to {newest}); \
                     restore it with that version"
                ),
                None => bail!("unknown migration {version}: not a Xuetang database"),
                Some(m) if m.checksum.as_ref() != checksum.as_slice() => {
                    bail!("migration {version} differs from this binary's: not a Xuetang database")
                }
                Some(_) => {}
            }
        }
        Ok(())
    }
}

impl std::fmt::Display for Report {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(
            f,
            "integrity_check: ok; migrations: {} applied, latest {}",
            self.migrations.len(),
            self.latest_migration()
        )?;
        if self.foreign_key_problems > 0 {
            writeln!(
                f,
                "warning: foreign_key_check lists {} row(s)",
                self.foreign_key_problems
            )?;
        }
        let counts: Vec<String> = self
            .counts
            .iter()
            .map(|(table, count)| format!("{table} {count}"))
            .collect();
        write!(f, "rows: {}", counts.join(", "))
    }
}

/// Refuses when another connection has the database open. Every SQLite
/// connection to a WAL database holds a shared lock on the file for as long
/// as it is open (that is how the last one knows to checkpoint), and leaving
/// WAL mode needs the exclusive lock, so `journal_mode = DELETE` without a
/// busy timeout fails exactly while a server (or anyone else) has it open.
/// On success it has checkpointed and removed the target's WAL, which is
/// about to be replaced anyway.
async fn refuse_if_in_use(db: &Path) -> anyhow::Result<()> {
    let in_use = || {
        anyhow::anyhow!(
            "{} is in use by another process (a running `xuetang serve`?); stop it, then restore",
            db.display()
        )
    };
    let mut conn = match SqliteConnectOptions::new()
        .filename(db)
        .busy_timeout(Duration::ZERO)
        .connect()
        .await
    {
        Ok(conn) => conn,
        Err(err) if is_busy(&err) => return Err(in_use()),
        // Not a database at all: nobody serves it, and --force replaces it.
        Err(_) => return Ok(()),
    };
    let mode = sqlx::query_scalar::<_, String>("PRAGMA journal_mode = DELETE")
        .fetch_one(&mut conn)
        .await;
    conn.close().await.ok();
    match mode {
        Ok(mode) if mode.eq_ignore_ascii_case("delete") => Ok(()),
        Ok(_) => Err(in_use()),
        Err(err) if is_busy(&err) => Err(in_use()),
        Err(_) => Ok(()),
    }
}

/// SQLITE_BUSY or SQLITE_LOCKED, with or without an extended code.
fn is_busy(err: &sqlx::Error) -> bool {
    err.as_database_error()
        .and_then(|e| e.code())
        .and_then(|code| code.parse::<i32>().ok())
        .is_some_and(|code| matches!(code & 0xff, 5 | 6))
}

/// A file being written beside its final name; removed unless installed.
struct Partial {
    path: PathBuf,
    installed: bool,
}

impl Partial {
    fn beside(target: &Path, what: &str) -> anyhow::Result<Partial> {
        let name = target
            .file_name()
            .with_context(|| format!("{} is not a file name", target.display()))?;
        let path = target.with_file_name(format!(
            ".{}.{what}-{}",
            name.to_string_lossy(),
            std::process::id()
        ));
        remove_if_present(&path)?;
        Ok(Partial {
            path,
            installed: false,
        })
    }

    fn sync(&self) -> anyhow::Result<()> {
        std::fs::File::open(&self.path)
            .and_then(|f| f.sync_all())
            .with_context(|| format!("syncing {}", self.path.display()))
    }

    /// Renames over `target` (atomic on one file system), then syncs the
    /// directory so the rename itself survives a crash.
    fn install(mut self, target: &Path) -> anyhow::Result<()> {
        std::fs::rename(&self.path, target)
            .with_context(|| format!("renaming into {}", target.display()))?;
        self.installed = true;
        let dir = target
            .parent()
            .filter(|d| !d.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        std::fs::File::open(dir)
            .and_then(|d| d.sync_all())
            .with_context(|| format!("syncing {}", dir.display()))
    }
}

impl Drop for Partial {
    fn drop(&mut self) {
        if !self.installed {
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

fn sidecar(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

fn remove_if_present(path: &Path) -> anyhow::Result<()> {
    match std::fs::remove_file(path) {
        Err(err) if err.kind() != std::io::ErrorKind::NotFound => {
            Err(err).with_context(|| format!("removing {}", path.display()))
        }
        _ => Ok(()),
    }
}

fn same_file(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    }
}

/// The URL without its password, and the password percent-decoded, so that
/// it reaches pg_dump through the environment rather than its arguments.
fn split_password(url: &str) -> (String, Option<String>) {
    let (Some(scheme_end), Some(at)) = (url.find("://"), url.rfind('@')) else {
        return (url.to_string(), None);
    };
    if at < scheme_end {
        return (url.to_string(), None);
    }
    match url[scheme_end + 3..at].split_once(':') {
        Some((user, password)) => (
            format!("{}://{user}@{}", &url[..scheme_end], &url[at + 1..]),
            Some(percent_decode(password)),
        ),
        None => (url.to_string(), None),
    }
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], hex) {
            (b'%', Some(byte)) => {
                out.push(byte);
                i += 3;
            }
            (byte, _) => {
                out.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn pg_restore_command(url: &str, file: &Path) -> String {
    format!(
        "pg_restore --no-owner --exit-on-error --dbname='{}' {}",
        split_password(url).0,
        shell_quote(&file.to_string_lossy())
    )
}

fn shell_quote(text: &str) -> String {
    if text
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || "/._-+".contains(c))
    {
        text.to_string()
    } else {
        format!("'{}'", text.replace('\'', r"'\''"))
    }
}

fn human_size(bytes: u64) -> String {
    if bytes >= 1 << 20 {
        format!("{:.1} MB", bytes as f64 / f64::from(1 << 20))
    } else {
        format!("{:.0} KB", (bytes as f64 / 1024.0).ceil())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_leave_the_url_decoded() {
        assert_eq!(
            split_password("postgres://app:s%40cret@db:5432/x"),
            (
                "postgres://app@db:5432/x".to_string(),
                Some("s@cret".to_string())
            )
        );
        assert_eq!(
            split_password("postgres://db/x"),
            ("postgres://db/x".to_string(), None)
        );
    }

    #[test]
    fn sqlite_urls_name_their_file() {
        let Ok(Target::Sqlite(path)) = target("sqlite://data/x.db?mode=rwc") else {
            panic!("a SQLite target");
        };
        assert_eq!(path, PathBuf::from("data/x.db"));
        assert!(target("sqlite::memory:").is_err());
        assert!(target("mysql://x").is_err());
    }

    #[test]
    fn paths_are_quoted_for_the_shell_only_when_needed() {
        assert_eq!(shell_quote("backups/x-1.dump"), "backups/x-1.dump");
        assert_eq!(shell_quote("my dump's.db"), r"'my dump'\''s.db'");
    }
}
