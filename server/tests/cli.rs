//! The `xuetang` binary itself: subcommands, idempotent seeding, serving
//! and stopping on SIGTERM. Runs against SQLite, or PostgreSQL when
//! XUETANG_TEST_BACKEND=postgres.

#[path = "api/helpers.rs"]
#[allow(dead_code)]
mod helpers;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn xuetang(database_url: &str) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_xuetang"));
    cmd.current_dir(helpers::workspace())
        .env("DATABASE_URL", database_url)
        .env("RUST_LOG", "info");
    cmd
}

#[test]
fn help_lists_the_subcommands() {
    let out = Command::new(env!("CARGO_BIN_EXE_xuetang"))
        .arg("--help")
        .output()
        .unwrap();
    assert!(out.status.success());
    let help = String::from_utf8(out.stdout).unwrap();
    for sub in ["serve", "migrate", "seed"] {
        assert!(help.contains(sub), "{help}");
    }
}

#[tokio::test]
async fn migrate_then_seed_twice_adds_the_town_once() {
    let db = helpers::TestDatabase::create().await;
    let migrate = xuetang(&db.url).arg("migrate").output().unwrap();
    assert!(
        migrate.status.success(),
        "{}",
        String::from_utf8_lossy(&migrate.stderr)
    );

    let first = xuetang(&db.url).arg("seed").output().unwrap();
    assert!(
        first.status.success(),
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );
    let first = String::from_utf8(first.stdout).unwrap();
    assert!(first.contains("added 11 regions"), "{first}");

    let second = xuetang(&db.url).arg("seed").output().unwrap();
    assert!(second.status.success());
    let second = String::from_utf8(second.stdout).unwrap();
    assert!(
        second.contains("added 0 regions, 0 units, 0 people, 0 posts"),
        "{second}"
    );
}

#[tokio::test]
async fn a_bad_database_url_is_a_clear_error() {
    let out = xuetang("mysql://nope").arg("migrate").output().unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains("unsupported DATABASE_URL"), "{err}");
}

#[tokio::test]
async fn serve_answers_then_stops_cleanly_on_sigterm() {
    let db = helpers::TestDatabase::create().await;
    let mut child = xuetang(&db.url)
        .args(["serve", "--addr", "127.0.0.1:0"])
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let addr = listening_address(&mut lines);

    let health = reqwest::get(format!("http://{addr}/healthz"))
        .await
        .unwrap();
    assert_eq!(health.status(), 200);

    let started = Instant::now();
    terminate(&child);
    let rest: Vec<String> = lines.map_while(Result::ok).collect();
    let status = child.wait().unwrap();
    assert!(status.success(), "exit status {status:?}; log: {rest:?}");
    assert!(started.elapsed() < Duration::from_secs(10));
    assert!(
        rest.iter().any(|l| l.contains("xuetang stopped")),
        "{rest:?}"
    );
}

/// Sends SIGTERM to a `xuetang serve` child, as a service manager does.
fn terminate(child: &std::process::Child) {
    assert!(
        Command::new("kill")
            .args(["-TERM", &child.id().to_string()])
            .status()
            .unwrap()
            .success()
    );
}

/// The address a `xuetang serve` child logs once it listens.
fn listening_address(lines: &mut impl Iterator<Item = std::io::Result<String>>) -> String {
    lines
        .map_while(Result::ok)
        .find_map(|line| {
            line.split("addr=")
                .nth(1)
                .map(|a| a.split_whitespace().next().unwrap().to_string())
        })
        .expect("the server logs its address")
}

#[tokio::test]
async fn scans_counted_before_sigterm_are_written_on_the_way_out() {
    let db = helpers::TestDatabase::create().await;
    assert!(xuetang(&db.url).arg("seed").status().unwrap().success());
    let pool = app::db::connect(&db.url, 1).await.unwrap();
    let (poster, code): (i64, String) =
        sqlx::query_as("SELECT id, code FROM posters ORDER BY id LIMIT 1")
            .fetch_one(&pool)
            .await
            .expect("the demo town has posters");
    let stored = || async {
        sqlx::query_scalar::<_, i64>(
            "SELECT CAST(COALESCE(SUM(count), 0) AS BIGINT) FROM poster_scans WHERE poster_id = $1",
        )
        .bind(poster)
        .fetch_one(&pool)
        .await
        .unwrap()
    };
    let before = stored().await;
    // Written once an hour: only the shutdown can write these scans.
    let mut child = xuetang(&db.url)
        .args([
            "serve",
            "--addr",
            "127.0.0.1:0",
            "--scan-flush-ms",
            "3600000",
        ])
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let addr = listening_address(&mut lines);
    for _ in 0..3 {
        let page = reqwest::get(format!("http://{addr}/p/{code}"))
            .await
            .unwrap();
        assert_eq!(page.status(), 200);
    }
    assert_eq!(stored().await, before, "not written before the hour is up");
    terminate(&child);
    let rest: Vec<String> = lines.map_while(Result::ok).collect();
    assert!(child.wait().unwrap().success(), "{rest:?}");
    assert_eq!(stored().await, before + 3, "{rest:?}");
}

#[tokio::test]
async fn import_roster_from_the_command_line_is_all_or_nothing() {
    let db = helpers::TestDatabase::create().await;
    assert!(
        xuetang(&db.url)
            .arg("seed")
            .output()
            .unwrap()
            .status
            .success()
    );
    let fixtures = helpers::workspace().join("server/tests/fixtures/rosters");

    let bad = xuetang(&db.url)
        .args(["import", "roster", "--unit", "嘉峰宾馆"])
        .arg(fixtures.join("gbk_with_errors.csv"))
        .output()
        .unwrap();
    assert!(!bad.status.success());
    let err = String::from_utf8(bad.stderr).unwrap();
    assert!(
        err.contains("gbk_with_errors.csv:3: Phone: 手机号应为 11 位"),
        "{err}"
    );
    assert!(
        err.contains("gbk_with_errors.csv:4: Post: 未知岗位"),
        "{err}"
    );
    assert!(
        err.contains("3 problem(s)") && err.contains("nothing was imported"),
        "{err}"
    );

    let good = |path: std::path::PathBuf| {
        let out = xuetang(&db.url)
            .args(["import", "roster", "--unit", "嘉峰宾馆"])
            .arg(path)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    };
    let first = good(fixtures.join("good_utf8.csv"));
    assert!(
        first.contains("6 new people, 6 new posts, 0 unchanged"),
        "{first}"
    );
    let second = good(fixtures.join("good_utf8.csv"));
    assert!(
        second.contains("0 new people, 0 new posts, 6 unchanged"),
        "{second}"
    );

    let unknown = xuetang(&db.url)
        .args(["import", "roster", "--unit", "不存在的单位"])
        .arg(fixtures.join("good_utf8.csv"))
        .output()
        .unwrap();
    assert!(
        String::from_utf8(unknown.stderr)
            .unwrap()
            .contains("no unit with id, credit code or name")
    );
}

#[tokio::test]
async fn grant_makes_an_existing_person_an_admin_once() {
    let db = helpers::TestDatabase::create().await;
    assert!(
        xuetang(&db.url)
            .arg("seed")
            .output()
            .unwrap()
            .status
            .success()
    );
    let grant = || {
        let out = xuetang(&db.url)
            .args(["grant", "--phone", "186 5137 7531", "--region", "JF-DZ"])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    };
    assert_eq!(grant().trim(), "granted");
    assert_eq!(grant().trim(), "already granted");
    let nobody = xuetang(&db.url)
        .args(["grant", "--phone", "13711112222", "--unit", "嘉峰宾馆"])
        .output()
        .unwrap();
    assert!(!nobody.status.success());
    assert!(
        String::from_utf8(nobody.stderr)
            .unwrap()
            .contains("no person with phone 137****2222")
    );
}

/// The line number (1-based) of the first line containing `needle`.
fn line_of(text: &str, needle: &str) -> usize {
    text.lines().position(|l| l.contains(needle)).unwrap() + 1
}

#[test]
fn content_check_lists_every_planted_fault_with_path_and_line() {
    let ok = Command::new(env!("CARGO_BIN_EXE_xuetang"))
        .current_dir(helpers::workspace())
        .args(["content", "check"])
        .output()
        .unwrap();
    assert!(
        ok.status.success(),
        "the shipped content is valid: {}",
        String::from_utf8_lossy(&ok.stderr)
    );
    assert!(
        String::from_utf8(ok.stdout)
            .unwrap()
            .starts_with("content ok: 8 courses")
    );

    let dir = std::env::temp_dir().join(format!("xuetang_content_{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    helpers::copy_dir(&helpers::workspace().join("content"), &dir);
    let course = dir.join("sanqing-sanguan");

    // 1. missing field: drop `minutes` from lesson 1.
    let l1 = course.join("01-sanqing.md");
    let text = std::fs::read_to_string(&l1).unwrap();
    std::fs::write(
        &l1,
        text.lines()
            .filter(|l| !l.starts_with("minutes"))
            .collect::<Vec<_>>()
            .join("\n"),
    )
    .unwrap();
    // 2. duplicate slug: lesson 3 copied as 09-sanqing.md.
    std::fs::copy(
        course.join("03-jiating-fanghuo.md"),
        course.join("09-sanqing.md"),
    )
    .unwrap();
    // 3.–5. broken link, image without alt, missing asset at the end of lesson 2.
    let l2 = course.join("02-sanguan.md");
    let mut text = std::fs::read_to_string(&l2).unwrap();
    let image = std::fs::read_dir(course.join("images"))
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .file_name()
        .into_string()
        .unwrap();
    text.push_str(&format!(
        "\n\n[坏链接](99-none.md)\n\n![](images/{image})\n\n![缺失的图](images/missing.svg)\n"
    ));
    std::fs::write(&l2, &text).unwrap();
    // 7. a bank question without its explanation.
    let bank = course.join("bank.gift");
    let mut bank_text = std::fs::read_to_string(&bank).unwrap();
    bank_text.push_str("\n::broken-01:: 没有解释的题 {=对 ~错}\n");
    std::fs::write(&bank, &bank_text).unwrap();
    // 6. unknown audience in another course.
    let toml = dir.join("gas-and-co/course.toml");
    let meta = std::fs::read_to_string(&toml)
        .unwrap()
        .replace("audience = \"public\"", "audience = \"everyone\"");
    std::fs::write(&toml, &meta).unwrap();

    let out = Command::new(env!("CARGO_BIN_EXE_xuetang"))
        .args(["content", "check", "--dir"])
        .arg(&dir)
        .output()
        .unwrap();
    assert!(!out.status.success());
    let report = String::from_utf8(out.stderr).unwrap();
    let p = |path: &std::path::Path| path.display().to_string();
    let expected = [
        format!("{}:1: missing field `minutes`", p(&l1)),
        format!(
            "{}:1: duplicate slug \"sanqing\" in course sanqing-sanguan",
            p(&course.join("09-sanqing.md"))
        ),
        format!(
            "{}:{}: broken internal link 99-none.md",
            p(&l2),
            line_of(&text, "99-none.md")
        ),
        format!(
            "{}:{}: image without alt text",
            p(&l2),
            line_of(&text, "![](images/")
        ),
        format!(
            "{}:{}: missing asset images/missing.svg",
            p(&l2),
            line_of(&text, "missing.svg")
        ),
        format!(
            "{}:{}: unknown audience \"everyone\"",
            p(&toml),
            line_of(&meta, "audience")
        ),
        format!(
            "{}:{}: question broken-01 has no explanation (####…)",
            p(&bank),
            line_of(&bank_text, "::broken-01::")
        ),
    ];
    for line in &expected {
        assert!(
            report.contains(line.as_str()),
            "missing {line:?} in:\n{report}"
        );
    }

    // The server refuses to start on it.
    let db = std::env::temp_dir().join(format!("xuetang_content_{}.db", std::process::id()));
    let serve = Command::new(env!("CARGO_BIN_EXE_xuetang"))
        .env("DATABASE_URL", format!("sqlite://{}", db.display()))
        .args(["serve", "--addr", "127.0.0.1:0", "--content-dir"])
        .arg(&dir)
        .output()
        .unwrap();
    assert!(!serve.status.success());
    assert!(
        String::from_utf8(serve.stderr)
            .unwrap()
            .contains("invalid content, refusing to start")
    );
    let _ = std::fs::remove_dir_all(&dir);
    let _ = std::fs::remove_file(&db);
}

#[test]
fn every_bank_round_trips_through_export() {
    let library =
        app::content::load(&helpers::workspace().join("content")).expect("content is valid");
    for course in library.courses.iter().filter(|c| !c.bank.is_empty()) {
        let out = Command::new(env!("CARGO_BIN_EXE_xuetang"))
            .current_dir(helpers::workspace())
            .args(["export", "gift", &course.slug])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let exported = String::from_utf8(out.stdout).unwrap();
        let mut again =
            app::quiz::gift::parse(&exported).unwrap_or_else(|p| panic!("{}: {p:?}", course.slug));
        for (a, b) in again.iter_mut().zip(&course.bank) {
            a.line = b.line;
        }
        assert_eq!(
            again, course.bank,
            "{}: parse → write → parse changed the bank",
            course.slug
        );
    }
}

#[tokio::test]
async fn export_report_writes_the_same_figures_as_the_download() {
    let app = helpers::spawn_app().await;
    app.seed_demo().await;
    let town = app.logged_in(helpers::TOWN_ADMIN).await;
    let region = app.region_id("JF").await;
    let (status, _, http_csv) = town
        .bytes(&format!("/admin/regions/{region}/report.csv?month=2026-10"))
        .await;
    assert_eq!(status, 200);
    let out = xuetang(&app.database.url)
        .args(["export", "report", "--region", "JF", "--month", "2026-10"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(http_csv).unwrap(),
        "the command line and the download agree"
    );

    let dir = tempfile_dir();
    let path = dir.join("summary.xlsx");
    let out = xuetang(&app.database.url)
        .args([
            "export", "report", "--region", "JF", "--year", "2025", "--format", "xlsx", "--out",
        ])
        .arg(&path)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(&std::fs::read(&path).unwrap()[..2], b"PK");

    let bad = xuetang(&app.database.url)
        .args(["export", "report", "--region", "JF", "--month", "2026/10"])
        .output()
        .unwrap();
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("月份格式"));
    let unknown = xuetang(&app.database.url)
        .args(["export", "report", "--region", "XX", "--month", "2026-10"])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("no region"));
}

fn tempfile_dir() -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("xuetang-report-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}
