//! `xuetang backup` and `xuetang restore`, run as the built binary against
//! a server that keeps serving: a SQLite backup taken while learners sit
//! exams is a consistent snapshot, restores and serves; restore refuses
//! what it must; and, with XUETANG_TEST_BACKEND=postgres, the PostgreSQL
//! route (pg_dump, pg_restore) once.

#[path = "api/helpers.rs"]
#[allow(dead_code)]
mod helpers;

use app::db::Db;
use helpers::{Backend, HOTEL_OPERATOR, TestApp, TestDatabase};
use sqlx::sqlite::{SqliteConnectOptions, SqliteConnection};
use sqlx::{ConnectOptions, Connection};
use std::path::{Path, PathBuf};
use std::process::Output;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};
use std::time::Instant;

fn xuetang(database_url: &str) -> tokio::process::Command {
    let mut cmd = tokio::process::Command::new(env!("CARGO_BIN_EXE_xuetang"));
    cmd.current_dir(helpers::workspace())
        .env("DATABASE_URL", database_url)
        .env("RUST_LOG", "warn");
    cmd
}

async fn run(cmd: &mut tokio::process::Command) -> Output {
    cmd.output().await.expect("xuetang runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn succeeded(out: &Output) -> String {
    assert!(
        out.status.success(),
        "stdout: {}\nstderr: {}",
        text(&out.stdout),
        text(&out.stderr)
    );
    text(&out.stdout)
}

fn failed(out: &Output) -> String {
    assert!(
        !out.status.success(),
        "expected a refusal; stdout: {}",
        text(&out.stdout)
    );
    text(&out.stderr)
}

/// A folder of its own, removed at the end.
struct Scratch(PathBuf);

impl Scratch {
    fn new(name: &str) -> Scratch {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .subsec_nanos();
        let dir = std::env::temp_dir().join(format!(
            "xuetang_backup_{name}_{}_{nanos}",
            std::process::id()
        ));
        std::fs::create_dir_all(&dir).unwrap();
        Scratch(dir)
    }

    fn path(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }

    /// Every file in the folder, to show nothing was left behind.
    fn files(&self) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(&self.0)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn sqlite_url(path: &Path) -> String {
    format!("sqlite://{}", path.display())
}

/// A database file the server does not know about, removed when dropped.
fn sqlite_database(path: &Path) -> TestDatabase {
    TestDatabase {
        backend: Backend::Sqlite,
        url: sqlite_url(path),
        admin: None,
    }
}

async fn open_sqlite(path: &Path) -> SqliteConnection {
    SqliteConnectOptions::new()
        .filename(path)
        .read_only(true)
        .connect()
        .await
        .unwrap()
}

async fn scalar(conn: &mut SqliteConnection, sql: &str) -> i64 {
    sqlx::query_scalar(sqlx::AssertSqlSafe(sql.to_string()))
        .fetch_one(conn)
        .await
        .unwrap()
}

async fn live_scalar(db: &Db, sql: &str) -> i64 {
    sqlx::query_scalar(sqlx::AssertSqlSafe(sql.to_string()))
        .fetch_one(db)
        .await
        .unwrap()
}

/// A server on an existing database, stopped by `stop`.
struct Served {
    app: TestApp,
}

async fn serve(database: TestDatabase) -> Served {
    Served {
        app: TestApp::start(database, helpers::serve_config()).await,
    }
}

impl Served {
    async fn stop(mut self) -> TestApp {
        self.app.server.stop().await.unwrap();
        self.app
    }
}

fn skip_unless_sqlite() -> bool {
    if helpers::backend() == Backend::Postgres {
        eprintln!("SQLite backup tests are skipped under XUETANG_TEST_BACKEND=postgres");
        return true;
    }
    false
}

/// Exam cycles (start, answer every question, submit) begun and finished.
#[derive(Default)]
struct Progress {
    begun: AtomicI64,
    finished: AtomicI64,
}

/// A learner who sits every course's exam, three times each (the daily
/// limit), until told to stop: each start writes an attempt and its
/// questions in one transaction, each answer is a write, each submit grades
/// and issues or supersedes a certificate in one transaction. The learners
/// take `turn` for each request, so the server handles one write at a time:
/// on SQLite the grading transaction (deferred: it reads, then writes) fails
/// with "database is locked" when another write commits meanwhile, which is
/// the app's own concurrency and not what this test is about.
async fn sit_exams(
    app: Arc<TestApp>,
    phone: &'static str,
    courses: Vec<String>,
    progress: Arc<Progress>,
    turn: Arc<futures::lock::Mutex<()>>,
    stop: Arc<AtomicBool>,
) {
    let learner = app.logged_in(phone).await;
    for course in &courses {
        for _ in 0..3 {
            if stop.load(Ordering::SeqCst) {
                return;
            }
            progress.begun.fetch_add(1, Ordering::SeqCst);
            let started = {
                let _turn = turn.lock().await;
                learner.call("start_exam", &[("course", course)]).await
            };
            assert_eq!(started.status, 200, "{started:?}");
            let attempt = started
                .location
                .unwrap()
                .trim_start_matches("/exam/")
                .trim_end_matches("/1")
                .to_string();
            let rows: Vec<(i64, String, String)> = sqlx::query_as(
                "SELECT position, question_json, option_order FROM attempt_questions \
                 WHERE attempt_id = $1 ORDER BY position",
            )
            .bind(attempt.parse::<i64>().unwrap())
            .fetch_all(&app.db)
            .await
            .unwrap();
            for (position, json, order) in rows {
                let q: app::quiz::gift::Question = serde_json::from_str(&json).unwrap();
                let order: Vec<usize> = serde_json::from_str(&order).unwrap();
                let shown = app::routes::exam::server::shown_order(&q, &order);
                let right = app::routes::exam::server::right_options(&q);
                let picks = (0..shown.len()).filter(|i| right.contains(&shown[*i]));
                let mut form = vec![
                    ("attempt".to_string(), attempt.clone()),
                    ("position".to_string(), position.to_string()),
                ];
                if matches!(q.kind, app::quiz::gift::Kind::Multiple(_)) {
                    form.extend(picks.map(|i| (format!("c{i}"), "1".to_string())));
                } else {
                    form.extend(picks.take(1).map(|i| ("pick".to_string(), i.to_string())));
                }
                let form: Vec<(&str, &str)> =
                    form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
                let saved = {
                    let _turn = turn.lock().await;
                    learner.call("save_answer", &form).await
                };
                assert_eq!(saved.status, 200, "{saved:?}");
            }
            let submitted = {
                let _turn = turn.lock().await;
                learner.call("submit_exam", &[("attempt", &attempt)]).await
            };
            assert_eq!(submitted.status, 200, "{submitted:?}");
            progress.finished.fetch_add(1, Ordering::SeqCst);
        }
    }
}

const ANSWERED: &str = "SELECT count(*) FROM attempt_questions WHERE answer IS NOT NULL";

/// What one backup saw, against what the server acknowledged around it.
struct Taken {
    file: PathBuf,
    /// Exam cycles finished before the backup started / begun before it ended.
    finished_before: i64,
    begun_by_end: i64,
    /// Answers stored by the server before the backup started / after it ended.
    answered_before: i64,
    answered_after: i64,
    millis: u128,
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_backup_taken_while_learners_write_is_consistent_and_restores() {
    if skip_unless_sqlite() {
        return;
    }
    let scratch = Scratch::new("live");
    let app = Arc::new(helpers::spawn_app().await);
    app.seed_demo().await;
    let courses: Vec<String> = app::content::load(&helpers::workspace().join("content"))
        .unwrap()
        .courses
        .iter()
        .filter(|c| c.exam.is_some())
        .map(|c| c.slug.clone())
        .collect();
    let demo_attempts = live_scalar(&app.db, "SELECT count(*) FROM exam_attempts").await;
    assert_eq!(demo_attempts, 0, "the demo town has no exam attempts");

    let progress = Arc::new(Progress::default());
    let turn = Arc::new(futures::lock::Mutex::new(()));
    let stop = Arc::new(AtomicBool::new(false));
    let writers: Vec<_> = [
        helpers::TOWN_ADMIN,
        helpers::DOUZHUANG_ADMIN,
        helpers::HOTEL_ADMIN,
        HOTEL_OPERATOR,
        "19950470114",
    ]
    .into_iter()
    .map(|phone| {
        tokio::spawn(sit_exams(
            Arc::clone(&app),
            phone,
            courses.clone(),
            Arc::clone(&progress),
            Arc::clone(&turn),
            Arc::clone(&stop),
        ))
    })
    .collect();
    // Let the writers get going before the first backup.
    while live_scalar(&app.db, ANSWERED).await < 20 {
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }

    let mut taken = Vec::new();
    for i in 0..3 {
        // By the last backup some learners have certificates to look for.
        while progress.finished.load(Ordering::SeqCst) < i {
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
        let file = scratch.path(&format!("backup-{i}.db"));
        let finished_before = progress.finished.load(Ordering::SeqCst);
        let answered_before = live_scalar(&app.db, ANSWERED).await;
        let started = Instant::now();
        let out = run(xuetang(&app.database.url)
            .args(["backup", "--out"])
            .arg(&file))
        .await;
        let millis = started.elapsed().as_millis();
        let begun_by_end = progress.begun.load(Ordering::SeqCst);
        let answered_after = live_scalar(&app.db, ANSWERED).await;
        let stdout = succeeded(&out);
        assert!(stdout.contains("integrity_check: ok"), "{stdout}");
        assert!(stdout.contains("rows: regions 11"), "{stdout}");
        taken.push(Taken {
            file,
            finished_before,
            begun_by_end,
            answered_before,
            answered_after,
            millis,
        });
    }

    // An existing --out is kept unless --force; the live database cannot
    // be restored over while the server has it open.
    let again = run(xuetang(&app.database.url)
        .args(["backup", "--out"])
        .arg(&taken[0].file))
    .await;
    assert!(failed(&again).contains("already exists; give --force"));
    let over_live = run(xuetang(&app.database.url)
        .arg("restore")
        .arg(&taken[0].file)
        .arg("--force"))
    .await;
    let refusal = failed(&over_live);
    assert!(
        refusal.contains("is in use by another process"),
        "{refusal}"
    );

    stop.store(true, Ordering::SeqCst);
    for writer in writers {
        writer.await.unwrap();
    }
    let written_during: i64 = taken
        .iter()
        .map(|t| t.answered_after - t.answered_before)
        .sum();
    assert!(
        written_during > 0,
        "the server stored answers while the backups ran"
    );

    // Each attempt's question count as the server finally has it.
    let live_questions: std::collections::HashMap<i64, i64> =
        sqlx::query_as("SELECT attempt_id, count(*) FROM attempt_questions GROUP BY attempt_id")
            .fetch_all(&app.db)
            .await
            .unwrap()
            .into_iter()
            .collect();

    for t in &taken {
        let mut backup = open_sqlite(&t.file).await;
        let integrity: String = sqlx::query_scalar("PRAGMA integrity_check")
            .fetch_one(&mut backup)
            .await
            .unwrap();
        assert_eq!(integrity, "ok");
        let dangling = sqlx::query("PRAGMA foreign_key_check")
            .fetch_all(&mut backup)
            .await
            .unwrap();
        assert!(dangling.is_empty(), "no row points at a missing row");

        // Counts lie within what the server acknowledged around the backup.
        let attempts = scalar(&mut backup, "SELECT count(*) FROM exam_attempts").await;
        let submitted = scalar(
            &mut backup,
            "SELECT count(*) FROM exam_attempts WHERE submitted_at IS NOT NULL",
        )
        .await;
        assert!(
            (t.finished_before..=t.begun_by_end).contains(&attempts),
            "{attempts} attempts, expected {}..={}",
            t.finished_before,
            t.begun_by_end
        );
        assert!((t.finished_before..=t.begun_by_end).contains(&submitted));
        let answered = scalar(&mut backup, ANSWERED).await;
        assert!(
            (t.answered_before..=t.answered_after).contains(&answered),
            "{answered} answers, expected {}..={}",
            t.answered_before,
            t.answered_after
        );

        // Every attempt has all of its questions (written in one transaction).
        let in_backup: Vec<(i64, i64)> = sqlx::query_as(
            "SELECT a.id, (SELECT count(*) FROM attempt_questions q WHERE q.attempt_id = a.id) \
             FROM exam_attempts a",
        )
        .fetch_all(&mut backup)
        .await
        .unwrap();
        for (attempt, questions) in in_backup {
            assert!(questions > 0, "attempt {attempt} has questions");
            assert_eq!(
                Some(&questions),
                live_questions.get(&attempt),
                "attempt {attempt} has all its questions"
            );
        }
        // Answers are saved before a submit is sent, so a submitted attempt
        // in a snapshot has every answer; grading and the certificate are
        // one transaction, so every pass has its certificate.
        assert_eq!(
            scalar(
                &mut backup,
                "SELECT count(*) FROM attempt_questions q JOIN exam_attempts a ON a.id = q.attempt_id \
                 WHERE a.submitted_at IS NOT NULL AND q.answer IS NULL",
            )
            .await,
            0
        );
        assert_eq!(
            scalar(
                &mut backup,
                "SELECT count(*) FROM exam_attempts a WHERE a.passed = 1 \
                 AND NOT EXISTS (SELECT 1 FROM certificates c WHERE c.attempt_id = a.id)",
            )
            .await,
            0
        );
        assert_eq!(
            scalar(
                &mut backup,
                "SELECT count(*) FROM certificates c JOIN exam_attempts a ON a.id = c.attempt_id \
                 WHERE a.passed IS NULL OR a.passed = 0",
            )
            .await,
            0
        );
        backup.close().await.unwrap();
        eprintln!(
            "backup {}: {attempts} attempts ({}..={} acknowledged), {} bytes, {} ms",
            t.file.display(),
            t.finished_before,
            t.begun_by_end,
            std::fs::metadata(&t.file).unwrap().len(),
            t.millis
        );
    }

    // Restore the last backup into a new path and serve it: the learner's
    // certificates from the backup are on their page.
    let last = &taken.last().unwrap().file;
    let restored_path = scratch.path("restored/xuetang.db");
    let out = run(xuetang(&sqlite_url(&restored_path))
        .arg("restore")
        .arg(last))
    .await;
    let stdout = succeeded(&out);
    assert!(stdout.contains("restored"), "{stdout}");
    assert!(stdout.contains("integrity_check: ok"), "{stdout}");
    let mut backup = open_sqlite(last).await;
    // A learner with a certificate from an exam passed before the backup.
    let phone: String = sqlx::query_scalar(
        "SELECT p.phone FROM certificates c JOIN people p ON p.id = c.person_id \
         WHERE c.attempt_id IS NOT NULL ORDER BY c.id LIMIT 1",
    )
    .fetch_one(&mut backup)
    .await
    .unwrap();
    let serials: Vec<String> = sqlx::query_scalar(
        "SELECT c.serial FROM certificates c JOIN people p ON p.id = c.person_id WHERE p.phone = $1",
    )
    .bind(&phone)
    .fetch_all(&mut backup)
    .await
    .unwrap();
    let backup_attempts = scalar(&mut backup, "SELECT count(*) FROM exam_attempts").await;
    backup.close().await.unwrap();

    let served = serve(sqlite_database(&restored_path)).await;
    assert_eq!(
        live_scalar(&served.app.db, "SELECT count(*) FROM exam_attempts").await,
        backup_attempts
    );
    let learner = served.app.logged_in(&phone).await;
    let page = learner.get("/certificates").await;
    assert_eq!(page.status, 200);
    for serial in &serials {
        assert!(page.body.contains(serial.as_str()), "{serial} is listed");
    }
    let busy = run(xuetang(&served.app.database.url)
        .arg("restore")
        .arg(last)
        .arg("--force"))
    .await;
    assert!(failed(&busy).contains("is in use by another process"));
    drop(served.stop().await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn restore_refuses_bad_files_and_existing_targets_and_touches_nothing() {
    if skip_unless_sqlite() {
        return;
    }
    let scratch = Scratch::new("refuse");
    let source = scratch.path("source.db");
    succeeded(&run(xuetang(&sqlite_url(&source)).arg("seed")).await);
    let good = scratch.path("good.db");
    succeeded(
        &run(xuetang(&sqlite_url(&source))
            .args(["backup", "--out"])
            .arg(&good))
        .await,
    );
    let target_dir = Scratch::new("target");
    let target = target_dir.path("xuetang.db");
    succeeded(&run(xuetang(&sqlite_url(&target)).arg("restore").arg(&good)).await);
    let before = std::fs::read(&target).unwrap();
    let restore = |file: PathBuf, force: bool| {
        let mut cmd = xuetang(&sqlite_url(&target));
        cmd.arg("restore").arg(file);
        if force {
            cmd.arg("--force");
        }
        cmd
    };

    // Random bytes.
    let junk = scratch.path("junk.db");
    std::fs::write(
        &junk,
        (0..20_000u32)
            .map(|i| (i * 7919 % 251) as u8)
            .collect::<Vec<_>>(),
    )
    .unwrap();
    let err = failed(&run(&mut restore(junk, true)).await);
    assert!(err.contains("not a healthy Xuetang database"), "{err}");
    assert!(err.contains("not a database"), "{err}");

    // A good backup with pages overwritten.
    let corrupt = scratch.path("corrupt.db");
    let mut bytes = std::fs::read(&good).unwrap();
    assert!(bytes.len() > 8 * 4096);
    bytes[4096..6 * 4096].fill(0x5a);
    std::fs::write(&corrupt, bytes).unwrap();
    let err = failed(&run(&mut restore(corrupt, true)).await);
    assert!(err.contains("not a healthy Xuetang database"), "{err}");
    assert!(
        err.contains("integrity_check failed") || err.contains("malformed"),
        "{err}"
    );

    // A healthy SQLite database of something else.
    let other = scratch.path("other.db");
    let mut conn = SqliteConnectOptions::new()
        .filename(&other)
        .create_if_missing(true)
        .connect()
        .await
        .unwrap();
    sqlx::raw_sql("CREATE TABLE notes (body TEXT); INSERT INTO notes VALUES ('hello');")
        .execute(&mut conn)
        .await
        .unwrap();
    conn.close().await.unwrap();
    let err = failed(&run(&mut restore(other, true)).await);
    assert!(
        err.contains("no _sqlx_migrations table: not a Xuetang database"),
        "{err}"
    );

    // A backup made by a newer Xuetang.
    let newer = scratch.path("newer.db");
    std::fs::copy(&good, &newer).unwrap();
    let mut conn = SqliteConnectOptions::new()
        .filename(&newer)
        .connect()
        .await
        .unwrap();
    sqlx::query(
        "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time) \
         VALUES (99990101, 'from the future', 1, x'00', 0)",
    )
    .execute(&mut conn)
    .await
    .unwrap();
    conn.close().await.unwrap();
    let err = failed(&run(&mut restore(newer, true)).await);
    assert!(err.contains("made by a newer Xuetang"), "{err}");

    // A good backup over an existing database without --force.
    let err = failed(&run(&mut restore(good.clone(), false)).await);
    assert!(err.contains("already exists; give --force"), "{err}");

    // A missing file.
    let err = failed(&run(&mut restore(scratch.path("missing.db"), true)).await);
    assert!(err.contains("no such file"), "{err}");

    assert_eq!(
        std::fs::read(&target).unwrap(),
        before,
        "the target is untouched"
    );
    assert_eq!(
        target_dir.files(),
        ["xuetang.db"],
        "no temporary files are left"
    );

    // With --force a good backup replaces it.
    let out = succeeded(&run(&mut restore(good, true)).await);
    assert!(out.contains("rows: regions 11"), "{out}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn restore_migrates_a_backup_from_an_older_version() {
    if skip_unless_sqlite() {
        return;
    }
    let scratch = Scratch::new("older");
    let migrator = sqlx::migrate::Migrator::new(helpers::workspace().join("migrations/sqlite"))
        .await
        .unwrap();
    let latest = migrator.iter().map(|m| m.version).max().unwrap();
    let old = scratch.path("old.db");
    let mut conn = SqliteConnectOptions::new()
        .filename(&old)
        .create_if_missing(true)
        .connect()
        .await
        .unwrap();
    migrator.run_to(latest - 1, &mut conn).await.unwrap();
    conn.close().await.unwrap();

    let target = scratch.path("xuetang.db");
    let out = succeeded(&run(xuetang(&sqlite_url(&target)).arg("restore").arg(&old)).await);
    assert!(
        out.contains(&format!("migrations {} → {latest}", latest - 1)),
        "{out}"
    );
}

#[tokio::test]
async fn backup_of_postgres_without_pg_dump_prints_the_command_and_fails() {
    let scratch = Scratch::new("nopgdump");
    let out = run(xuetang("postgres://app:secret@127.0.0.1:1/xuetang")
        .env("PATH", scratch.path("empty"))
        .args(["backup", "--out"])
        .arg(scratch.path("x.dump")))
    .await;
    let err = failed(&out);
    assert!(err.contains("pg_dump, which is not on PATH"), "{err}");
    assert!(
        err.contains(&format!(
            "pg_dump --format=custom --file={} 'postgres://app@127.0.0.1:1/xuetang'",
            scratch.path("x.dump").display()
        )),
        "{err}"
    );
    assert!(!err.contains("secret"), "no password in messages");
    assert!(scratch.files().is_empty());
}

/// PostgreSQL once: a seeded database with an exam passed through the
/// server, `xuetang backup` (pg_dump custom format), `pg_restore` into a
/// fresh database, a server on it shows the learner's certificate.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_backup_is_a_pg_dump_that_pg_restore_brings_back() {
    if helpers::backend() != Backend::Postgres {
        eprintln!("PostgreSQL backup test skipped: XUETANG_TEST_BACKEND is not postgres");
        return;
    }
    let scratch = Scratch::new("pg");
    let source = serve(TestDatabase::create().await).await;
    source.app.seed_demo().await;
    let learner = source.app.logged_in(HOTEL_OPERATOR).await;
    let attempt = learner.pass_exam(&source.app, "sanqing-sanguan").await;
    let serial: String =
        sqlx::query_scalar("SELECT serial FROM certificates WHERE attempt_id = $1")
            .bind(attempt)
            .fetch_one(&source.app.db)
            .await
            .unwrap();
    let people = live_scalar(&source.app.db, "SELECT count(*) FROM people").await;

    let dump = scratch.path("xuetang.dump");
    let started = Instant::now();
    let out = succeeded(
        &run(xuetang(&source.app.database.url)
            .args(["backup", "--out"])
            .arg(&dump))
        .await,
    );
    eprintln!(
        "pg_dump: {} bytes in {} ms",
        std::fs::metadata(&dump).unwrap().len(),
        started.elapsed().as_millis()
    );
    assert!(out.contains("custom format"), "{out}");
    assert!(
        out.contains("pg_restore --no-owner --exit-on-error"),
        "{out}"
    );
    let source = source.stop().await;

    let fresh = TestDatabase::create().await;
    let refused = failed(&run(xuetang(&fresh.url).arg("restore").arg(&dump)).await);
    assert!(refused.contains("pg_restore --no-owner --exit-on-error --dbname="));
    let restored = run(tokio::process::Command::new("pg_restore")
        .args(["--no-owner", "--exit-on-error"])
        .arg(format!("--dbname={}", fresh.url))
        .arg(&dump))
    .await;
    succeeded(&restored);
    drop(source);

    let served = serve(fresh).await;
    assert_eq!(
        live_scalar(&served.app.db, "SELECT count(*) FROM people").await,
        people
    );
    let learner = served.app.logged_in(HOTEL_OPERATOR).await;
    let page = learner.get("/certificates").await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains(&serial), "{serial} is listed");
    drop(served.stop().await);
}
