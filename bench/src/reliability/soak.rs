//! Soak: mixed traffic of `--users` people for `--minutes` on SQLite.
//!
//! - 60 % visitors open public pages (home, tips, catalogue, public courses
//!   and lessons, search, poster short URLs), 1–4 s apart;
//! - 40 % learners log in, open the exam intro, take the exam as a phone
//!   without JavaScript would (question page, answer saved, 1–3 s apart),
//!   submit, read the result and their certificates, log out after three
//!   exams (the daily limit) and continue as the next learner;
//! - one town admin opens the coverage dashboard every 20–40 s.
//!
//! The server's RSS is sampled every 5 s. Claims: no 5xx, every request
//! answered as expected, RSS at the end within 20 % of minute 2.

use super::audit;
use super::learners::{self, Learner, create_accounts, send};
use super::report::Report;
use super::server::{FreshDb, Server, seed};
use super::traffic::{Pages, Recorder, Sample, max_ms, percentile_ms, think};
use super::{Backend, Common};
use crate::exams::{PASSWORD, Rng, answer_form};
use anyhow::Context;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// The demo town admin (seeds/people.csv).
const ADMIN_PHONE: &str = "13900000001";
const ADMIN_PASSWORD: &str = "xuetang2026";
/// Memory may grow this much from minute 2 to the end.
const RSS_GROWTH_LIMIT: f64 = 1.20;

/// What the learners share: accounts not yet used, exams completed.
struct Pool {
    accounts: Vec<(i64, String)>,
    next: AtomicUsize,
    exams: AtomicUsize,
}

pub async fn run(common: &Common, minutes: u64, users: usize, port: u16) -> anyhow::Result<()> {
    let mut report = Report::new(
        format!("soak (SQLite, {users} users, {minutes} min)"),
        common.results.clone(),
    );
    let fresh = FreshDb::create(common, Backend::Sqlite, "soak").await?;
    seed(common, &fresh.url).await?;
    let log = common.work_dir.join("soak.log");
    let _ = std::fs::remove_file(&log);
    let mut server = Server::start(common, &fresh.url, port, &log, None).await?;
    let base = server.base.clone();
    let db = fresh.open().await?;
    let library =
        app::content::load(&common.content_dir).map_err(|p| anyhow::anyhow!("content: {p}"))?;
    let pages = Arc::new(Pages::discover(&library, &db).await?);
    let town: i64 =
        sqlx::query_scalar("SELECT id FROM regions WHERE parent_id IS NULL ORDER BY id LIMIT 1")
            .fetch_one(&db)
            .await
            .context("the seed made no town")?;
    let learner_users = users * 2 / 5;
    let visitors = users - learner_users - 1;
    // About one exam a minute and a half per learner, three per account.
    let accounts = learner_users * (minutes as usize / 4 + 2);
    let pool = Arc::new(Pool {
        accounts: create_accounts(&db, 17_300_000_000, accounts).await?,
        next: AtomicUsize::new(0),
        exams: AtomicUsize::new(0),
    });
    report.figure(
        "users",
        format!(
            "{visitors} visitors on {} public pages, {learner_users} learners taking exams, 1 admin on the coverage dashboard",
            pages.len()
        ),
    );

    let recorder = Arc::new(Recorder::new());
    let stop = Arc::new(AtomicBool::new(false));
    let mut tasks = Vec::new();
    for i in 0..visitors {
        let (recorder, stop, pages) =
            (Arc::clone(&recorder), Arc::clone(&stop), Arc::clone(&pages));
        let base = base.clone();
        tasks.push(tokio::spawn(async move {
            let client = learners::client();
            let mut rng = Rng(0x50A4 ^ (i as u64) << 12);
            think(&mut rng, 0, 4000).await;
            while !stop.load(Ordering::Relaxed) {
                let path = pages.pick(&mut rng).to_string();
                let sent = Instant::now();
                let reply = send(client.get(format!("{base}{path}"))).await;
                recorder.record(sent, &path, &reply);
                think(&mut rng, 1000, 4000).await;
            }
        }));
    }
    for i in 0..learner_users {
        let (recorder, stop, pool, db) = (
            Arc::clone(&recorder),
            Arc::clone(&stop),
            Arc::clone(&pool),
            db.clone(),
        );
        let (base, course) = (base.clone(), common.course.clone());
        tasks.push(tokio::spawn(async move {
            let mut rng = Rng(0x1EA4 ^ (i as u64) << 12);
            think(&mut rng, 0, 10_000).await;
            learner(&base, &course, &db, &pool, &recorder, &stop, &mut rng).await;
        }));
    }
    {
        let (recorder, stop) = (Arc::clone(&recorder), Arc::clone(&stop));
        let base = base.clone();
        tasks.push(tokio::spawn(async move {
            admin(&base, town, &recorder, &stop).await;
        }));
    }

    // Memory every 5 s, progress every minute.
    let mut rss: Vec<(Duration, f64)> = Vec::new();
    let run_for = Duration::from_secs(minutes * 60);
    let mut next_progress = Duration::from_secs(60);
    while recorder.elapsed() < run_for {
        tokio::time::sleep(Duration::from_secs(5)).await;
        if let Some(mb) = server.rss_mb() {
            rss.push((recorder.elapsed(), mb));
        }
        if recorder.elapsed() >= next_progress {
            println!(
                "      {:>2} min: RSS {:.1} MB, {} exams completed",
                next_progress.as_secs() / 60,
                rss.last().map_or(0.0, |r| r.1),
                pool.exams.load(Ordering::Relaxed)
            );
            next_progress += Duration::from_secs(60);
        }
    }
    stop.store(true, Ordering::Relaxed);
    for task in tasks {
        task.await?;
    }
    let samples = recorder.take();
    let all: Vec<&Sample> = samples.iter().collect();
    let seconds = run_for.as_secs_f64();
    report.figure(
        "traffic",
        format!(
            "{} requests ({:.0}/s), {} exams completed; p50 {:.1} ms, p99 {:.1} ms, max {:.0} ms",
            samples.len(),
            samples.len() as f64 / seconds,
            pool.exams.load(Ordering::Relaxed),
            percentile_ms(&all, 50.0),
            percentile_ms(&all, 99.0),
            max_ms(&all)
        ),
    );
    let coverage: Vec<&Sample> = samples
        .iter()
        .filter(|s| s.path.ends_with("/coverage"))
        .collect();
    report.figure(
        "coverage dashboard (admin)",
        format!(
            "{} opens, p50 {:.0} ms, max {:.0} ms",
            coverage.len(),
            percentile_ms(&coverage, 50.0),
            max_ms(&coverage)
        ),
    );
    let server_errors: Vec<&Sample> = samples
        .iter()
        .filter(|s| s.status.is_some_and(|s| s >= 500))
        .collect();
    report.check(
        "zero 5xx",
        server_errors.is_empty(),
        format!(
            "{} of {} responses{}",
            server_errors.len(),
            samples.len(),
            server_errors
                .first()
                .map(|s| format!(" (first: {} → {:?})", s.path, s.status))
                .unwrap_or_default()
        ),
    );
    let unanswered: Vec<&Sample> = samples.iter().filter(|s| !s.ok()).collect();
    report.check(
        "every request answered as expected (no timeouts, no 4xx)",
        unanswered.is_empty(),
        format!(
            "{} failed{}",
            unanswered.len(),
            unanswered
                .first()
                .map(|s| format!(" (first: {} → {:?})", s.path, s.status))
                .unwrap_or_default()
        ),
    );
    let at_minute_2 = rss
        .iter()
        .find(|(t, _)| *t >= Duration::from_secs(120))
        .map(|r| r.1);
    let at_end = rss.last().map(|r| r.1);
    let peak = rss.iter().map(|r| r.1).fold(0.0, f64::max);
    let flat = at_minute_2
        .zip(at_end)
        .is_some_and(|(m2, end)| end <= m2 * RSS_GROWTH_LIMIT);
    report.check(
        "memory flat: RSS at the end within 20 % of minute 2",
        flat,
        format!(
            "minute 2: {:.1} MB, end: {:.1} MB ({:+.1} %), peak {peak:.1} MB",
            at_minute_2.unwrap_or(0.0),
            at_end.unwrap_or(0.0),
            at_minute_2
                .zip(at_end)
                .map_or(0.0, |(m2, end)| (end / m2 - 1.0) * 100.0)
        ),
    );
    report.check(
        "no panic, the server still running",
        server.panics() == 0 && server.is_running(),
        format!("{} panics in the log", server.panics()),
    );
    server.stop().await?;
    let rules = library
        .course(&common.course)
        .and_then(|c| c.exam.clone())
        .context("course without exam")?;
    let attempts = audit::attempts(
        &db,
        &common.course,
        rules.draw.iter().map(|d| d.count).sum(),
    )
    .await?;
    report.check("no attempt is half-written", attempts.is_sound(), &attempts);
    match audit::storage(&db, Backend::Sqlite).await {
        Ok((sound, said)) => report.check("the database is sound at the end", sound, said),
        Err(err) => report.check("the database is sound at the end", false, err),
    }
    db.close().await;
    fresh.drop_it().await?;
    report.finish()
}

/// Learner after learner from the pool: log in, three exams, log out.
async fn learner(
    base: &str,
    course: &str,
    db: &app::db::Db,
    pool: &Pool,
    recorder: &Recorder,
    stop: &AtomicBool,
    rng: &mut Rng,
) {
    while !stop.load(Ordering::Relaxed) {
        let Some((id, phone)) = pool.accounts.get(pool.next.fetch_add(1, Ordering::Relaxed)) else {
            return;
        };
        let sent = Instant::now();
        let (reply, learner) = Learner::sign_in(base, *id, phone, PASSWORD).await;
        recorder.record(sent, "/api/login", &reply);
        let Some(learner) = learner else {
            think(rng, 1000, 3000).await;
            continue;
        };
        for _ in 0..3 {
            if stop.load(Ordering::Relaxed) {
                return;
            }
            if exam(&learner, base, course, db, rng, recorder, stop).await {
                pool.exams.fetch_add(1, Ordering::Relaxed);
            }
        }
        let logout = Instant::now();
        let reply = learner.post(&format!("{base}/api/logout"), &[]).await;
        recorder.record(logout, "/api/logout", &reply);
    }
}

/// The exam as a phone without JavaScript: intro, start, each question
/// page then its answer, the submit page, submit, result, certificates.
/// true when submitted.
async fn exam(
    learner: &Learner,
    base: &str,
    course: &str,
    db: &app::db::Db,
    rng: &mut Rng,
    recorder: &Recorder,
    stop: &AtomicBool,
) -> bool {
    let get = |path: String| async move {
        let sent = Instant::now();
        let reply = learner.get(&format!("{base}{path}")).await;
        recorder.record(sent, &path, &reply);
        reply.is_success()
    };
    if !get(format!("/courses/{course}/exam")).await {
        return false;
    }
    think(rng, 1000, 3000).await;
    let sent = Instant::now();
    let started = learner.start_exam(base, course).await;
    recorder.record(sent, "/api/start_exam", &started);
    let Some(attempt) = started.attempt().filter(|_| started.is_success()) else {
        return false;
    };
    let Ok(questions) = learners::drawn(db, attempt).await else {
        return false;
    };
    for q in questions {
        if stop.load(Ordering::Relaxed) {
            return false;
        }
        if !get(format!("/exam/{attempt}/{}", q.position)).await {
            return false;
        }
        think(rng, 1000, 3000).await;
        let form = answer_form(&q.question, &q.order, rng);
        let sent = Instant::now();
        let saved = learner.save_answer(base, attempt, q.position, form).await;
        recorder.record(sent, "/api/save_answer", &saved);
        if !saved.is_success() {
            return false;
        }
    }
    if !get(format!("/exam/{attempt}/submit")).await {
        return false;
    }
    think(rng, 1000, 3000).await;
    let sent = Instant::now();
    let submitted = learner.submit(base, attempt).await;
    recorder.record(sent, "/api/submit_exam", &submitted);
    if !submitted.is_success() {
        return false;
    }
    get(format!("/exam/{attempt}/result")).await;
    think(rng, 1000, 3000).await;
    get("/certificates".to_string()).await;
    true
}

/// The town admin: the coverage dashboard every 20–40 s, the admin home
/// in between.
async fn admin(base: &str, town: i64, recorder: &Recorder, stop: &AtomicBool) {
    let mut rng = Rng(0xAD);
    let sent = Instant::now();
    let (reply, admin) = Learner::sign_in(base, 0, ADMIN_PHONE, ADMIN_PASSWORD).await;
    recorder.record(sent, "/api/login", &reply);
    let Some(admin) = admin else {
        return;
    };
    while !stop.load(Ordering::Relaxed) {
        for path in [
            format!("/admin/regions/{town}/coverage"),
            "/admin".to_string(),
        ] {
            let sent = Instant::now();
            let reply = admin.get(&format!("{base}{path}")).await;
            recorder.record(sent, &path, &reply);
            think(&mut rng, 10_000, 20_000).await;
            if stop.load(Ordering::Relaxed) {
                return;
            }
        }
    }
}
