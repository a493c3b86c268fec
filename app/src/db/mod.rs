//! Database access. One module per table, free functions taking the pool or
//! a connection first. Every query runs unchanged on SQLite and PostgreSQL
//! through `sqlx::Any`: `$n` placeholders, BIGINT ids, flags as 0/1 BIGINT
//! (Any cannot decode SQLite booleans), dates as `YYYY-MM-DD` text, instants
//! as Unix seconds.

pub mod accounts;
pub mod audit;
pub mod certificates;
pub mod coverage;
pub mod credentials;
pub mod exams;
pub mod grants;
pub mod join;
pub mod login_failures;
pub mod memberships;
pub mod migrations;
pub mod overview;
pub mod people;
pub mod posters;
pub mod progress;
pub mod regions;
pub mod roster_imports;
pub mod sessions;
pub mod training;
pub mod units;

use sqlx::any::AnyPoolOptions;
use std::time::Duration;

pub type Db = sqlx::AnyPool;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn of_url(url: &str) -> Option<Backend> {
        if url.starts_with("sqlite:") {
            Some(Backend::Sqlite)
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            Some(Backend::Postgres)
        } else {
            None
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("unsupported DATABASE_URL (expected sqlite:… or postgres://…): {0}")]
    UnsupportedUrl(String),
    #[error("cannot create the directory for the SQLite database {path}")]
    CreateDir {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot connect to the database")]
    Connect(#[source] sqlx::Error),
    #[error("migration failed")]
    Migrate(#[from] sqlx::migrate::MigrateError),
}

/// Opens a pool. For SQLite the file (and its directory) is created when
/// missing and every connection runs in WAL mode with a busy timeout.
pub async fn connect(url: &str, max_connections: u32) -> Result<Db, DbError> {
    sqlx::any::install_default_drivers();
    let backend = Backend::of_url(url).ok_or_else(|| DbError::UnsupportedUrl(redact(url)))?;
    let url = match backend {
        Backend::Sqlite => prepare_sqlite_url(url)?,
        Backend::Postgres => url.to_string(),
    };
    AnyPoolOptions::new()
        .max_connections(max_connections)
        // Fail fast when the database is gone: a friendly error beats a hang.
        .acquire_timeout(Duration::from_secs(3))
        // A ping before every query is a round trip to SQLite's worker
        // thread for a file that cannot go away; PostgreSQL keeps it, so a
        // connection broken by a restart is replaced before it is used.
        .test_before_acquire(backend == Backend::Postgres)
        .after_connect(move |conn, _meta| {
            Box::pin(async move {
                if backend == Backend::Sqlite {
                    sqlx::raw_sql(
                        "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; \
                         PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000;",
                    )
                    .execute(conn)
                    .await?;
                }
                Ok(())
            })
        })
        .connect(&url)
        .await
        .map_err(DbError::Connect)
}

fn prepare_sqlite_url(url: &str) -> Result<String, DbError> {
    let rest = url.trim_start_matches("sqlite:").trim_start_matches("//");
    let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
    if path != ":memory:"
        && let Some(dir) = std::path::Path::new(path)
            .parent()
            .filter(|d| !d.as_os_str().is_empty())
    {
        std::fs::create_dir_all(dir).map_err(|source| DbError::CreateDir {
            path: path.to_string(),
            source,
        })?;
    }
    let query = if query.contains("mode=") {
        query.to_string()
    } else if query.is_empty() {
        "mode=rwc".to_string()
    } else {
        format!("{query}&mode=rwc")
    };
    Ok(format!("sqlite://{path}?{query}"))
}

/// Starts a write transaction. On SQLite it first takes this process's
/// turn to write ([`WriteTx`]), then `BEGIN IMMEDIATE`: a deferred
/// transaction that reads and then writes fails at once with "database is
/// locked" when another connection committed in between.
pub async fn begin(db: &Db) -> Result<WriteTx, sqlx::Error> {
    match backend(db) {
        Backend::Sqlite => {
            let turn = sqlite_turn(db).await?;
            Ok(WriteTx {
                tx: db.begin_with("BEGIN IMMEDIATE").await?,
                _turn: Some(turn),
            })
        }
        Backend::Postgres => Ok(WriteTx {
            tx: db.begin().await?,
            _turn: None,
        }),
    }
}

/// A connection for one write statement outside a transaction, holding the
/// turn to write on SQLite (see [`WriteTx`]).
pub async fn write_conn(db: &Db) -> Result<WriteConn, sqlx::Error> {
    let turn = match backend(db) {
        Backend::Sqlite => Some(sqlite_turn(db).await?),
        Backend::Postgres => None,
    };
    Ok(WriteConn {
        conn: db.acquire().await?,
        _turn: turn,
    })
}

/// A write transaction; derefs to its connection.
///
/// SQLite lets one connection write at a time. Writers of this process
/// take turns on an in-process queue, first come first served, instead of
/// meeting in SQLite's busy handler, which retries after sleeps of up to
/// 100 ms: under 500 learners that made the slowest saves wait for many of
/// those sleeps (docs/BENCHMARKS.md). The turn is taken before a pool
/// connection, so writers waiting their turn hold none that readers (or the
/// writer whose turn it is) need; code must therefore not hold a pool
/// connection while it waits to write. Writers in other processes still
/// meet SQLite's busy timeout.
pub struct WriteTx {
    // Declared first so the transaction ends before the turn is released.
    tx: sqlx::Transaction<'static, sqlx::Any>,
    _turn: Option<tokio::sync::OwnedMutexGuard<()>>,
}

impl WriteTx {
    pub async fn commit(self) -> Result<(), sqlx::Error> {
        self.tx.commit().await
    }
}

impl std::ops::Deref for WriteTx {
    type Target = sqlx::AnyConnection;
    fn deref(&self) -> &sqlx::AnyConnection {
        &self.tx
    }
}

impl std::ops::DerefMut for WriteTx {
    fn deref_mut(&mut self) -> &mut sqlx::AnyConnection {
        &mut self.tx
    }
}

/// See [`write_conn`].
pub struct WriteConn {
    conn: sqlx::pool::PoolConnection<sqlx::Any>,
    _turn: Option<tokio::sync::OwnedMutexGuard<()>>,
}

impl std::ops::Deref for WriteConn {
    type Target = sqlx::AnyConnection;
    fn deref(&self) -> &sqlx::AnyConnection {
        &self.conn
    }
}

impl std::ops::DerefMut for WriteConn {
    fn deref_mut(&mut self) -> &mut sqlx::AnyConnection {
        &mut self.conn
    }
}

/// Waits for this process's turn to write to the SQLite database `db` (one
/// queue per database file). Gives up after the busy timeout SQLite itself
/// would wait (5 s), as a pool timeout.
async fn sqlite_turn(db: &Db) -> Result<tokio::sync::OwnedMutexGuard<()>, sqlx::Error> {
    type Turns = std::collections::HashMap<String, std::sync::Arc<tokio::sync::Mutex<()>>>;
    static TURNS: std::sync::LazyLock<std::sync::Mutex<Turns>> =
        std::sync::LazyLock::new(Default::default);
    let queue = TURNS
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .entry(db.connect_options().database_url.to_string())
        .or_default()
        .clone();
    tokio::time::timeout(Duration::from_secs(5), queue.lock_owned())
        .await
        .map_err(|_| sqlx::Error::PoolTimedOut)
}

pub fn backend(db: &Db) -> Backend {
    match db.connect_options().database_url.scheme() {
        "sqlite" => Backend::Sqlite,
        _ => Backend::Postgres,
    }
}

pub async fn migrate(db: &Db) -> Result<(), DbError> {
    match backend(db) {
        Backend::Sqlite => migrations::sqlite().run(db).await?,
        Backend::Postgres => migrations::postgres().run(db).await?,
    }
    Ok(())
}

/// `%search%` for LIKE, with the wildcards in `search` taken literally
/// (queries say `ESCAPE '\\'`).
pub fn like_pattern(search: &str) -> String {
    let mut pattern = String::with_capacity(search.len() + 2);
    pattern.push('%');
    for c in search.trim().chars() {
        if matches!(c, '%' | '_' | '\\') {
            pattern.push('\\');
        }
        pattern.push(c);
    }
    pattern.push('%');
    pattern
}

/// A round trip to the database, for `/healthz`.
pub async fn ping(db: &Db) -> Result<(), sqlx::Error> {
    sqlx::query("SELECT 1").execute(db).await.map(|_| ())
}

/// The URL without its password, for messages and logs.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            let userinfo = &url[scheme_end + 3..at];
            let user = userinfo.split(':').next().unwrap_or("");
            format!("{}://{}:***@{}", &url[..scheme_end], user, &url[at + 1..])
        }
        _ => url.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlite_urls_get_create_mode() {
        let dir = std::env::temp_dir().join(format!("xuetang-url-{}", std::process::id()));
        let file = dir.join("x.db");
        let url = prepare_sqlite_url(&format!("sqlite://{}", file.display())).unwrap();
        assert_eq!(url, format!("sqlite://{}?mode=rwc", file.display()));
        assert!(dir.is_dir());
        assert_eq!(
            prepare_sqlite_url("sqlite:data/a.db?mode=ro").unwrap(),
            "sqlite://data/a.db?mode=ro"
        );
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn like_patterns_escape_wildcards() {
        assert_eq!(like_pattern(" 张 "), "%张%");
        assert_eq!(like_pattern("50%_a\\"), "%50\\%\\_a\\\\%");
        assert_eq!(like_pattern(""), "%%");
    }

    #[test]
    fn passwords_are_redacted() {
        assert_eq!(
            redact("postgres://app:secret@localhost/x"),
            "postgres://app:***@localhost/x"
        );
        assert_eq!(redact("sqlite://data/x.db"), "sqlite://data/x.db");
    }
}
