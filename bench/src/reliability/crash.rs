//! Crash: `kill -9` the server while learners submit exams, restart it.
//!
//! Every learner starts after a random delay of up to 2 s and takes up to
//! two exams back to back (short random pauses), noting every answer and
//! submission the server acknowledged with a 2xx. When half the learners
//! have had a submission acknowledged — the rest are mid-exam, many with a
//! submission in flight — the server gets SIGKILL. Then, before the
//! restart: every acknowledged submission must be stored and graded, every
//! acknowledged answer stored, no attempt half-written (all its questions,
//! graded wholly or not at all, grade = its stored answers, certificate iff
//! passed), the storage sound. After the restart every learner asks for
//! its exam again: an open attempt must come back (the same id, with its
//! answers), and every learner must be able to finish.

use super::audit;
use super::learners::{self, Learner, create_accounts};
use super::report::Report;
use super::server::{FreshDb, Server, seed};
use super::{Backend, Common};
use crate::exams::{Rng, answer_form};
use anyhow::{Context, bail};
use futures::StreamExt;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// What the learners were told succeeded.
#[derive(Default)]
struct Ledger {
    submissions: Vec<i64>,
    answers: Vec<(i64, i64)>,
    /// Learners whose submission got no answer because of the kill.
    submits_cut: Vec<i64>,
}

pub async fn run(common: &Common, backend: Backend, count: usize, port: u16) -> anyhow::Result<()> {
    let mut report = Report::new(
        format!("crash ({})", backend.label()),
        common.results.clone(),
    );
    let name = match backend {
        Backend::Sqlite => "crash_sqlite",
        Backend::Postgres => "reliability_crash",
    };
    let fresh = FreshDb::create(common, backend, name).await?;
    seed(common, &fresh.url).await?;
    let log = common.work_dir.join(format!("{name}.log"));
    let _ = std::fs::remove_file(&log);
    let server = Server::start(common, &fresh.url, port, &log, None).await?;
    let base = server.base.clone();
    let db = fresh.open().await?;
    let library =
        app::content::load(&common.content_dir).map_err(|p| anyhow::anyhow!("content: {p}"))?;
    let rules = library
        .course(&common.course)
        .and_then(|c| c.exam.clone())
        .with_context(|| format!("course {} has no exam", common.course))?;
    let per_exam: usize = rules.draw.iter().map(|d| d.count).sum();

    let people = create_accounts(&db, 17_600_000_000, count).await?;
    let learners: Vec<Arc<Learner>> = futures::stream::iter(people.iter().map(|(id, phone)| {
        let base = base.clone();
        async move { Learner::log_in(&base, *id, phone).await.map(Arc::new) }
    }))
    .buffer_unordered(8)
    .collect::<Vec<_>>()
    .await
    .into_iter()
    .collect::<anyhow::Result<_>>()?;
    report.figure("learners (each logged in over HTTP)", learners.len());

    // Until the kill.
    let ledger = Arc::new(Mutex::new(Ledger::default()));
    let submitted = Arc::new(AtomicUsize::new(0));
    let tasks: Vec<_> = learners
        .iter()
        .enumerate()
        .map(|(i, learner)| {
            let (learner, db, base) = (Arc::clone(learner), db.clone(), base.clone());
            let (ledger, submitted) = (Arc::clone(&ledger), Arc::clone(&submitted));
            let course = common.course.clone();
            tokio::spawn(async move {
                let mut rng = Rng(0xC4A5 ^ (i as u64) << 16);
                pause(&mut rng, 2000).await;
                for _ in 0..2 {
                    let done =
                        take_exam(&learner, &base, &course, &db, &mut rng, &ledger, &submitted)
                            .await;
                    if !done {
                        break;
                    }
                }
            })
        })
        .collect();
    let started = Instant::now();
    while submitted.load(Ordering::SeqCst) < count / 2 {
        if started.elapsed() > Duration::from_secs(300) || tasks.iter().all(|t| t.is_finished()) {
            bail!(
                "only {} submissions acknowledged before the learners stopped (failed requests; see {})",
                submitted.load(Ordering::SeqCst),
                log.display()
            );
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    server.kill9().await?;
    let killed_after = started.elapsed();
    for task in tasks {
        task.await?;
    }
    let ledger = std::mem::take(&mut *ledger.lock().expect("no learner panicked"));
    report.figure(
        "killed (SIGKILL) after",
        format!(
            "{:.1} s, {} submissions and {} answers acknowledged, {} submissions cut off in flight",
            killed_after.as_secs_f64(),
            ledger.submissions.len(),
            ledger.answers.len(),
            ledger.submits_cut.len()
        ),
    );

    // The database as the crash left it.
    let graded = audit::graded(&db, &ledger.submissions).await?;
    report.check(
        "every acknowledged submission is stored and graded",
        graded == ledger.submissions.len(),
        format!("{graded} of {}", ledger.submissions.len()),
    );
    let stored = audit::stored_answers(&db, &ledger.answers).await?;
    report.check(
        "every acknowledged answer is stored",
        stored == ledger.answers.len(),
        format!("{stored} of {}", ledger.answers.len()),
    );
    let cut_committed = audit::graded(&db, &ledger.submits_cut).await?;
    report.figure(
        "submissions cut off by the kill",
        format!(
            "{} committed whole, {} not at all (attempt still open)",
            cut_committed,
            ledger.submits_cut.len() - cut_committed
        ),
    );
    let attempts = audit::attempts(&db, &common.course, per_exam).await?;
    report.check("no attempt is half-written", attempts.is_sound(), &attempts);
    match audit::storage(&db, backend).await {
        Ok((sound, said)) => report.check("the database is sound after the kill", sound, said),
        Err(err) => report.check("the database is sound after the kill", false, err),
    }

    // Restart and resume.
    let restart = Instant::now();
    let server = Server::start(common, &fresh.url, port, &log, None).await?;
    report.figure(
        "restart to /healthz 200",
        format!("{:.2} s", restart.elapsed().as_secs_f64()),
    );
    let outcomes: Vec<anyhow::Result<Resumed>> = futures::stream::iter(learners.iter().map(|l| {
        let (db, base, course) = (db.clone(), base.clone(), common.course.clone());
        async move { resume(l, &base, &course, &db).await }
    }))
    .buffer_unordered(32)
    .collect()
    .await;
    let (mut open, mut resumed, mut finished, mut problems) = (0, 0, 0, Vec::new());
    for outcome in outcomes {
        match outcome {
            Ok(r) => {
                open += usize::from(r.had_open);
                resumed += usize::from(r.had_open && r.same_attempt);
                finished += usize::from(r.finished);
            }
            Err(err) => problems.push(err.to_string()),
        }
    }
    report.check(
        "learners resume their open attempts after the restart",
        resumed == open && problems.is_empty(),
        format!(
            "{resumed} of {open} open attempts came back with their answers{}",
            first_problem(&problems)
        ),
    );
    report.check(
        "every learner finishes an exam after the restart",
        finished == learners.len(),
        format!("{finished} of {}", learners.len()),
    );
    let attempts = audit::attempts(&db, &common.course, per_exam).await?;
    report.check(
        "no attempt is half-written after the resumed exams",
        attempts.is_sound(),
        &attempts,
    );
    let mut server = server;
    report.check(
        "no panic, the server still running",
        server.panics() == 0 && server.is_running(),
        format!("{} panics in the log", server.panics()),
    );
    server.stop().await?;
    match audit::storage(&db, backend).await {
        Ok((sound, said)) => report.check("the database is sound at the end", sound, said),
        Err(err) => report.check("the database is sound at the end", false, err),
    }
    db.close().await;
    fresh.drop_it().await?;
    report.finish()
}

async fn pause(rng: &mut Rng, max_ms: usize) {
    tokio::time::sleep(Duration::from_millis(rng.below(max_ms + 1) as u64)).await;
}

/// One exam, noting what was acknowledged; false at the first failure.
async fn take_exam(
    learner: &Learner,
    base: &str,
    course: &str,
    db: &app::db::Db,
    rng: &mut Rng,
    ledger: &Mutex<Ledger>,
    submitted: &AtomicUsize,
) -> bool {
    let started = learner.start_exam(base, course).await;
    let Some(attempt) = started.attempt().filter(|_| started.is_success()) else {
        return false;
    };
    let Ok(questions) = learners::drawn(db, attempt).await else {
        return false;
    };
    for q in questions {
        pause(rng, 20).await;
        let form = answer_form(&q.question, &q.order, rng);
        if !learner
            .save_answer(base, attempt, q.position, form)
            .await
            .is_success()
        {
            return false;
        }
        lock(ledger).answers.push((attempt, q.position));
    }
    pause(rng, 20).await;
    let reply = learner.submit(base, attempt).await;
    if reply.is_success() {
        lock(ledger).submissions.push(attempt);
        submitted.fetch_add(1, Ordering::SeqCst);
        true
    } else {
        if reply.status.is_none() {
            lock(ledger).submits_cut.push(attempt);
        }
        false
    }
}

fn lock(ledger: &Mutex<Ledger>) -> std::sync::MutexGuard<'_, Ledger> {
    ledger.lock().expect("no learner panicked")
}

struct Resumed {
    had_open: bool,
    same_attempt: bool,
    finished: bool,
}

/// After the restart: asks for the exam (its open attempt must come back
/// with the answers stored so far), answers what is left, submits.
async fn resume(
    learner: &Learner,
    base: &str,
    course: &str,
    db: &app::db::Db,
) -> anyhow::Result<Resumed> {
    let open: Option<i64> = sqlx::query_scalar(
        "SELECT id FROM exam_attempts WHERE person_id = $1 AND course_slug = $2 AND submitted_at IS NULL",
    )
    .bind(learner.person_id)
    .bind(course)
    .fetch_optional(db)
    .await?;
    let reply = learner.start_exam(base, course).await;
    let attempt = reply
        .attempt()
        .filter(|_| reply.is_success())
        .with_context(|| format!("start_exam after the restart: {:?}", reply.status))?;
    let answered: Vec<(i64,)> = sqlx::query_as(
        "SELECT position FROM attempt_questions WHERE attempt_id = $1 AND answer IS NOT NULL",
    )
    .bind(attempt)
    .fetch_all(db)
    .await?;
    let answered: Vec<i64> = answered.into_iter().map(|(p,)| p).collect();
    // The question page shows the stored answer as chosen.
    if let Some(&position) = answered.first() {
        let page = learner
            .get(&format!("{base}/exam/{attempt}/{position}"))
            .await;
        if !page.is_success() || !page.body.contains("checked") {
            bail!("the resumed question page does not show the saved answer");
        }
    }
    let mut rng = Rng(0x2E5 ^ learner.person_id as u64);
    for q in learners::drawn(db, attempt).await? {
        if answered.contains(&q.position) {
            continue;
        }
        let form = answer_form(&q.question, &q.order, &mut rng);
        let saved = learner.save_answer(base, attempt, q.position, form).await;
        if !saved.is_success() {
            bail!("save_answer after the restart: {:?}", saved.status);
        }
    }
    let submitted = learner.submit(base, attempt).await;
    Ok(Resumed {
        had_open: open.is_some(),
        same_attempt: open == Some(attempt),
        finished: submitted.is_success(),
    })
}

fn first_problem(problems: &[String]) -> String {
    match problems.first() {
        Some(p) => format!("; {} problems, first: {p}", problems.len()),
        None => String::new(),
    }
}
