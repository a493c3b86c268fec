//! The schema migrations (`migrations/sqlite`, `migrations/postgres`),
//! embedded in the binary. They are listed here instead of read by sqlx's
//! `migrate!` macro because that macro lives in sqlx's proc-macro crate,
//! which compiles sqlx, both database drivers and SQLite's C source a
//! second time for the build host: about a minute of every clean build.
//! A test checks the lists against the directories, so a migration file
//! cannot be forgotten.

use sqlx::migrate::{Migration, MigrationType, Migrator};
use sqlx::{AssertSqlSafe, SqlSafeStr};
use std::sync::LazyLock;

/// `SQLITE` and `POSTGRES`: `(file name, SQL)` for each file, in order.
/// Both directories hold the same files, one schema in each dialect.
macro_rules! embed {
    ($($file:literal),+ $(,)?) => {
        const SQLITE: &[(&str, &str)] =
            &[$(($file, include_str!(concat!("../../../migrations/sqlite/", $file)))),+];
        const POSTGRES: &[(&str, &str)] =
            &[$(($file, include_str!(concat!("../../../migrations/postgres/", $file)))),+];
    };
}

embed!(
    "0001_organisations.sql",
    "0002_accounts.sql",
    "0003_progress.sql",
    "0004_exams.sql",
    "0005_certificates_coverage.sql",
    "0006_posters.sql",
    "0007_coverage_version.sql",
);

pub fn sqlite() -> &'static Migrator {
    static MIGRATOR: LazyLock<Migrator> = LazyLock::new(|| migrator(SQLITE));
    &MIGRATOR
}

pub fn postgres() -> &'static Migrator {
    static MIGRATOR: LazyLock<Migrator> = LazyLock::new(|| migrator(POSTGRES));
    &MIGRATOR
}

fn migrator(files: &'static [(&'static str, &'static str)]) -> Migrator {
    Migrator::with_migrations(
        files
            .iter()
            .map(|&(file, sql)| migration(file, sql))
            .collect(),
    )
}

/// A file named `<version>_<description>.sql`, read the way sqlx's
/// `migrate!` reads it (same description and checksum), so databases
/// migrated by earlier builds match.
fn migration(file: &str, sql: &'static str) -> Migration {
    let (version, rest) = file
        .split_once('_')
        .unwrap_or_else(|| panic!("migration {file} is not named <version>_<description>.sql"));
    let version = version
        .parse()
        .unwrap_or_else(|_| panic!("migration {file} does not start with a version number"));
    let description = rest.trim_end_matches(".sql").replace('_', " ");
    Migration::new(
        version,
        description.into(),
        MigrationType::Simple,
        AssertSqlSafe(sql).into_sql_str(),
        sql.starts_with("-- no-transaction"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    /// What sqlx itself reads from the directory: every file, its
    /// description, checksum and transaction mode.
    fn on_disk(dir: &str) -> Vec<(i64, String, Vec<u8>, bool)> {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../migrations")
            .join(dir);
        sqlx::migrate::resolve_blocking(&dir)
            .expect("migrations directory readable")
            .into_iter()
            .map(|(m, _)| {
                (
                    m.version,
                    m.description.into_owned(),
                    m.checksum.into_owned(),
                    m.no_tx,
                )
            })
            .collect()
    }

    fn embedded(migrator: &Migrator) -> Vec<(i64, String, Vec<u8>, bool)> {
        migrator
            .iter()
            .map(|m| {
                (
                    m.version,
                    m.description.to_string(),
                    m.checksum.to_vec(),
                    m.no_tx,
                )
            })
            .collect()
    }

    #[test]
    fn every_sqlite_migration_file_is_embedded_unchanged() {
        assert_eq!(embedded(sqlite()), on_disk("sqlite"));
    }

    #[test]
    fn every_postgres_migration_file_is_embedded_unchanged() {
        assert_eq!(embedded(postgres()), on_disk("postgres"));
    }
}
