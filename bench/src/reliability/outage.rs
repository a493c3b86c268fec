//! Database outage: PostgreSQL stopped under load, then started again.
//!
//! Half the users are visitors opening public pages (home, tips, courses,
//! poster short URLs), half are logged-in learners taking exams (question
//! page, then the answer saved), retrying a failed step after 300 ms as a
//! person tapping again would. After 10 s of load the cluster is stopped
//! (`pg_ctlcluster … stop -m fast`) for `--seconds`, then started; the load
//! runs on for 20 s. `/healthz` is polled every 250 ms throughout.

use super::audit;
use super::learners::{self, Learner, create_accounts, send};
use super::report::Report;
use super::server::{FreshDb, Server, seed};
use super::traffic::{Pages, Recorder, Sample, max_ms, percentile_ms, think};
use super::{Backend, Common};
use crate::exams::{Rng, answer_form};
use anyhow::{Context, bail};
use futures::StreamExt;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

const WARM_UP: Duration = Duration::from_secs(10);
const AFTER: Duration = Duration::from_secs(20);
/// A request must fail within this while the database is gone: the pool
/// gives up acquiring after 3 s; the rest is margin for a loaded machine.
const FAIL_FAST: Duration = Duration::from_secs(5);
/// Back to normal within this after the database is up again.
const RECOVERY: Duration = Duration::from_secs(10);

pub async fn run(
    common: &Common,
    cluster: &str,
    seconds: u64,
    users: usize,
    port: u16,
) -> anyhow::Result<()> {
    let mut report = Report::new("outage (PostgreSQL)", common.results.clone());
    let (version, name) = cluster
        .split_once('/')
        .context("--cluster is VERSION/NAME, e.g. 15/reliability")?;
    let fresh = FreshDb::create(common, Backend::Postgres, "reliability_outage").await?;
    seed(common, &fresh.url).await?;
    let log = common.work_dir.join("reliability_outage.log");
    let _ = std::fs::remove_file(&log);
    let mut server = Server::start(common, &fresh.url, port, &log, None).await?;
    let base = server.base.clone();
    let db = fresh.open().await?;
    let library =
        app::content::load(&common.content_dir).map_err(|p| anyhow::anyhow!("content: {p}"))?;
    let pages = Arc::new(Pages::discover(&library, &db).await?);
    let learner_count = users / 2;
    let people = create_accounts(&db, 17_500_000_000, learner_count).await?;
    let learners: Vec<Learner> = futures::stream::iter(
        people
            .iter()
            .map(|(id, phone)| Learner::log_in(&base, *id, phone)),
    )
    .buffer_unordered(8)
    .collect::<Vec<_>>()
    .await
    .into_iter()
    .collect::<anyhow::Result<_>>()?;
    report.figure(
        "load",
        format!(
            "{} visitors on {} public pages, {learner_count} learners taking exams",
            users - learner_count,
            pages.len()
        ),
    );

    let recorder = Arc::new(Recorder::new());
    let stop = Arc::new(AtomicBool::new(false));
    let mut tasks = Vec::new();
    for (i, learner) in learners.into_iter().enumerate() {
        let (recorder, stop, db) = (Arc::clone(&recorder), Arc::clone(&stop), db.clone());
        let (base, course) = (base.clone(), common.course.clone());
        tasks.push(tokio::spawn(async move {
            let mut rng = Rng(0x0C7A ^ (i as u64) << 12);
            // Two exams at most (three a day are allowed), then their
            // course list until the load stops.
            for _ in 0..2 {
                if !exam(&learner, &base, &course, &db, &mut rng, &recorder, &stop).await {
                    break;
                }
            }
            while !stop.load(Ordering::Relaxed) {
                let sent = Instant::now();
                let reply = learner.get(&format!("{base}/courses")).await;
                recorder.record(sent, "/courses", &reply);
                think(&mut rng, 200, 600).await;
            }
        }));
    }
    for i in 0..users - learner_count {
        let (recorder, stop, pages) =
            (Arc::clone(&recorder), Arc::clone(&stop), Arc::clone(&pages));
        let base = base.clone();
        tasks.push(tokio::spawn(async move {
            let client = learners::client();
            let mut rng = Rng(0x915 ^ (i as u64) << 12);
            while !stop.load(Ordering::Relaxed) {
                let path = pages.pick(&mut rng).to_string();
                let sent = Instant::now();
                let reply = send(client.get(format!("{base}{path}"))).await;
                recorder.record(sent, &path, &reply);
                think(&mut rng, 100, 500).await;
            }
        }));
    }
    let health = tokio::spawn(poll_health(
        base.clone(),
        Arc::clone(&recorder),
        Arc::clone(&stop),
    ));

    tokio::time::sleep(WARM_UP).await;
    let down_from = recorder.elapsed();
    pg_ctlcluster(version, name, "stop").await?;
    let down = recorder.elapsed();
    tokio::time::sleep(Duration::from_secs(seconds)).await;
    let up_from = recorder.elapsed();
    pg_ctlcluster(version, name, "start").await?;
    let up = recorder.elapsed();
    tokio::time::sleep(AFTER).await;
    stop.store(true, Ordering::Relaxed);
    for task in tasks {
        task.await?;
    }
    let health = health.await?;
    let samples = recorder.take();
    report.figure(
        "PostgreSQL down",
        format!(
            "stop at {:.1} s (took {:.1} s), start at {:.1} s (took {:.1} s); {} requests in all",
            down_from.as_secs_f64(),
            (down - down_from).as_secs_f64(),
            up_from.as_secs_f64(),
            (up - up_from).as_secs_f64(),
            samples.len()
        ),
    );

    // While the database was gone (from the stop command to the start
    // command's completion).
    let during: Vec<&Sample> = samples
        .iter()
        .filter(|s| s.at >= down_from && s.at < up)
        .collect();
    let failed_during = during.iter().filter(|s| !s.ok()).count();
    report.check(
        "requests fail fast while PostgreSQL is down",
        !during.is_empty() && max_ms(&during) <= FAIL_FAST.as_secs_f64() * 1000.0,
        format!(
            "{} requests, {failed_during} failed; p50 {:.0} ms, p99 {:.0} ms, max {:.0} ms (limit {} s)",
            during.len(),
            percentile_ms(&during, 50.0),
            percentile_ms(&during, 99.0),
            max_ms(&during),
            FAIL_FAST.as_secs()
        ),
    );
    let unfriendly: Vec<&Sample> = samples.iter().filter(|s| !s.ok() && !s.friendly).collect();
    let friendly = samples.iter().filter(|s| s.friendly).count();
    report.check(
        "every failure is a friendly 503 (page or server-function error)",
        unfriendly.is_empty() && failed_during > 0,
        format!(
            "{friendly} friendly 503s, {} other failures{}",
            unfriendly.len(),
            unfriendly
                .first()
                .map(|s| format!(" (first: {} → {:?})", s.path, s.status))
                .unwrap_or_default()
        ),
    );
    let tips_during: Vec<&&Sample> = during.iter().filter(|s| !s.needs_db).collect();
    report.check(
        "tip pages (no database needed) keep working during the outage",
        tips_during.iter().all(|s| s.ok()),
        format!(
            "{} of {} answered 200",
            tips_during.iter().filter(|s| s.ok()).count(),
            tips_during.len()
        ),
    );

    // /healthz polls sent once the cluster was down and answered before
    // the start command.
    let health_down: Vec<&(Duration, Duration, Option<u16>)> = health
        .iter()
        .filter(|(at, elapsed, _)| *at >= down && *at + *elapsed < up_from)
        .collect();
    let health_503 = health_down.iter().filter(|h| h.2 == Some(503)).count();
    let health_slowest = health_down
        .iter()
        .map(|h| h.1.as_secs_f64() * 1000.0)
        .fold(0.0, f64::max);
    report.check(
        "/healthz is 503 while PostgreSQL is down",
        !health_down.is_empty() && health_503 == health_down.len(),
        format!(
            "{health_503} of {} polls answered 503, slowest {health_slowest:.0} ms{}",
            health_down.len(),
            health_down
                .iter()
                .find(|h| h.2 != Some(503))
                .map(|h| format!(" (one at {:.1} s answered {:?})", h.0.as_secs_f64(), h.2))
                .unwrap_or_default()
        ),
    );

    // Recovery.
    let healthy_again = health
        .iter()
        .find(|(at, _, status)| *at >= up && *status == Some(200))
        .map(|(at, elapsed, _)| *at + *elapsed - up);
    let served_again = samples
        .iter()
        .filter(|s| s.at >= up && s.needs_db && s.ok())
        .map(|s| s.at + s.elapsed - up)
        .min();
    let recovered = healthy_again.zip(served_again).map(|(a, b)| a.max(b));
    let settled = up + recovered.unwrap_or(RECOVERY) + Duration::from_secs(1);
    let after: Vec<&Sample> = samples.iter().filter(|s| s.at >= settled).collect();
    let failed_after = after.iter().filter(|s| !s.ok()).count();
    report.check(
        "the server recovers by itself when PostgreSQL is back",
        recovered.is_some_and(|r| r <= RECOVERY) && failed_after == 0 && !after.is_empty(),
        format!(
            "/healthz 200 after {}, first page from the database after {}; then {failed_after} of {} requests failed (p99 {:.0} ms)",
            seconds_or_never(healthy_again),
            seconds_or_never(served_again),
            after.len(),
            percentile_ms(&after, 99.0)
        ),
    );
    report.check(
        "no panic, no restart",
        server.panics() == 0 && server.is_running(),
        format!(
            "{} panics in the log, process {}",
            server.panics(),
            if server.is_running() {
                "running"
            } else {
                "gone"
            }
        ),
    );
    let rules = library
        .course(&common.course)
        .and_then(|c| c.exam.clone())
        .context("course without exam")?;
    let per_exam = rules.draw.iter().map(|d| d.count).sum();
    let attempts = audit::attempts(&db, &common.course, per_exam).await?;
    report.check("no attempt is half-written", attempts.is_sound(), &attempts);
    server.stop().await?;
    db.close().await;
    fresh.drop_it().await?;
    report.finish()
}

fn seconds_or_never(d: Option<Duration>) -> String {
    d.map_or("never".to_string(), |d| format!("{:.1} s", d.as_secs_f64()))
}

/// Stops or starts the scenario's own cluster.
async fn pg_ctlcluster(version: &str, name: &str, action: &str) -> anyhow::Result<()> {
    let mut command = tokio::process::Command::new("pg_ctlcluster");
    command.args([version, name, action]);
    if action == "stop" {
        command.args(["-m", "fast"]);
    }
    let status = command.status().await?;
    if !status.success() {
        bail!("pg_ctlcluster {version} {name} {action} failed: {status}");
    }
    Ok(())
}

/// (sent at, latency, status) of `/healthz` every 250 ms until stopped;
/// each poll on its own, so a slow answer does not delay the next.
async fn poll_health(
    base: String,
    recorder: Arc<Recorder>,
    stop: Arc<AtomicBool>,
) -> Vec<(Duration, Duration, Option<u16>)> {
    let client = learners::client();
    let mut polls = Vec::new();
    let mut every = tokio::time::interval(Duration::from_millis(250));
    while !stop.load(Ordering::Relaxed) {
        every.tick().await;
        let at = recorder.elapsed();
        let request = client.get(format!("{base}/healthz"));
        polls.push(tokio::spawn(async move {
            let reply = send(request).await;
            (at, reply.elapsed, reply.status.map(|s| s.as_u16()))
        }));
    }
    let mut answers = Vec::with_capacity(polls.len());
    for poll in polls {
        if let Ok(answer) = poll.await {
            answers.push(answer);
        }
    }
    answers
}

/// One exam, each step retried until it succeeds (or the load stops):
/// the question page, then the answer saved; finally the submission.
/// false when the load stopped or no exam could be started.
async fn exam(
    learner: &Learner,
    base: &str,
    course: &str,
    db: &app::db::Db,
    rng: &mut Rng,
    recorder: &Recorder,
    stop: &AtomicBool,
) -> bool {
    let attempt = loop {
        if stop.load(Ordering::Relaxed) {
            return false;
        }
        let sent = Instant::now();
        let reply = learner.start_exam(base, course).await;
        recorder.record(sent, "/api/start_exam", &reply);
        match (reply.is_success(), reply.attempt()) {
            (true, Some(attempt)) => break attempt,
            // Out of attempts for today: nothing more to do.
            _ if reply.status.is_some_and(|s| s.is_client_error()) => return false,
            _ => think(rng, 300, 300).await,
        }
    };
    // The bench reads the drawn questions itself; that read waits for the
    // database too, but is not one of the server's requests.
    let questions = loop {
        if stop.load(Ordering::Relaxed) {
            return false;
        }
        match learners::drawn(db, attempt).await {
            Ok(q) => break q,
            Err(_) => think(rng, 300, 300).await,
        }
    };
    for q in questions {
        let page = format!("/exam/{attempt}/{}", q.position);
        let form = answer_form(&q.question, &q.order, rng);
        for step in [Step::Page, Step::Save] {
            loop {
                if stop.load(Ordering::Relaxed) {
                    return false;
                }
                think(rng, 200, 600).await;
                let sent = Instant::now();
                let (path, reply) = match step {
                    Step::Page => (page.as_str(), learner.get(&format!("{base}{page}")).await),
                    Step::Save => (
                        "/api/save_answer",
                        learner
                            .save_answer(base, attempt, q.position, form.clone())
                            .await,
                    ),
                };
                recorder.record(sent, path, &reply);
                if reply.is_success() {
                    break;
                }
            }
        }
    }
    loop {
        if stop.load(Ordering::Relaxed) {
            return false;
        }
        let sent = Instant::now();
        let reply = learner.submit(base, attempt).await;
        recorder.record(sent, "/api/submit_exam", &reply);
        if reply.is_success() {
            return true;
        }
        // Submitted already: a reply lost while the database went away.
        if reply.status.is_some_and(|s| s.as_u16() == 400) {
            return true;
        }
        think(rng, 300, 300).await;
    }
}

#[derive(Clone, Copy)]
enum Step {
    Page,
    Save,
}
