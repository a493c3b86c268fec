//! Several instances: two `xuetang` servers on one PostgreSQL database
//! behind nginx (round robin, reliability/nginx.conf), as DESIGN.md's
//! scale-out.
//!
//! 1. Sessions: 20 learners log in on one server and take an exam on the
//!    other (answers alternate between the two, the result page is read on
//!    the first).
//! 2. Scan counts: 2000 poster scans through the proxy, 64 at a time; the
//!    counts stored must grow by exactly the scans answered.
//! 3. Certificate serials: `--learners` learners through the proxy save
//!    right answers, then all submit at once, twice; every pass issues a
//!    certificate whose serial comes from the counter row, so the new
//!    serials must be distinct and exactly the counter's new range.

use super::learners::{self, Learner, Reply, create_accounts, right_answer, send};
use super::report::Report;
use super::server::{FreshDb, Server, seed};
use super::{Backend, Common};
use anyhow::{Context, bail};
use futures::StreamExt;
use std::collections::{BTreeMap, HashMap};
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Barrier;

const SESSION_LEARNERS: usize = 20;
const SCANS: usize = 2000;

pub async fn run(common: &Common, count: usize, port: u16, conf: &Path) -> anyhow::Result<()> {
    let mut report = Report::new(
        "instances (2 servers, PostgreSQL, nginx)",
        common.results.clone(),
    );
    let fresh = FreshDb::create(common, Backend::Postgres, "reliability_instances").await?;
    seed(common, &fresh.url).await?;
    let proxy = format!("http://127.0.0.1:{port}");
    let (port_a, port_b) = (port + 1, port + 2);
    let mut servers = Vec::new();
    for (name, p) in [("a", port_a), ("b", port_b)] {
        let log = common
            .work_dir
            .join(format!("reliability_instances_{name}.log"));
        let _ = std::fs::remove_file(&log);
        servers.push(Server::start(common, &fresh.url, p, &log, Some(&proxy)).await?);
    }
    let nginx = Nginx::start(common, conf, port, port_a, port_b).await?;
    let db = fresh.open().await?;
    let (a, b) = (servers[0].base.clone(), servers[1].base.clone());

    // 1. A session from one instance, used on the other.
    let people = create_accounts(&db, 17_400_000_000, SESSION_LEARNERS + count).await?;
    let (session_people, serial_people) = people.split_at(SESSION_LEARNERS);
    let results: Vec<anyhow::Result<()>> =
        futures::stream::iter(session_people.iter().enumerate().map(|(i, (id, phone))| {
            let (first, other) = if i % 2 == 0 { (&a, &b) } else { (&b, &a) };
            let (db, course) = (db.clone(), common.course.clone());
            async move { across(first, other, *id, phone, &course, &db).await }
        }))
        .buffer_unordered(10)
        .collect()
        .await;
    let problems: Vec<String> = results
        .into_iter()
        .filter_map(|r| r.err().map(|e| e.to_string()))
        .collect();
    report.check(
        "a session started on one instance continues on the other",
        problems.is_empty(),
        format!(
            "{} of {SESSION_LEARNERS} learners logged in on one server, took and submitted an exam on the other, read the result on the first{}",
            SESSION_LEARNERS - problems.len(),
            problems
                .first()
                .map(|p| format!("; first problem: {p}"))
                .unwrap_or_default()
        ),
    );

    // 2. Poster scans through the proxy.
    let posters: Vec<(i64, String)> = sqlx::query_as("SELECT id, code FROM posters ORDER BY id")
        .fetch_all(&db)
        .await?;
    anyhow::ensure!(!posters.is_empty(), "the seed made no posters");
    let before = scan_totals(&db).await?;
    let client = learners::client();
    let replies: Vec<(i64, Reply)> = futures::stream::iter((0..SCANS).map(|i| {
        let (id, code) = &posters[i % posters.len()];
        let request = client.get(format!("{proxy}/p/{code}"));
        async move { (*id, send(request).await) }
    }))
    .buffer_unordered(64)
    .collect()
    .await;
    // Each instance writes its counted scans once a second.
    tokio::time::sleep(std::time::Duration::from_millis(2500)).await;
    let after = scan_totals(&db).await?;
    let mut answered: HashMap<i64, i64> = HashMap::new();
    for (id, reply) in &replies {
        if reply.is_success() {
            *answered.entry(*id).or_default() += 1;
        }
    }
    let mismatched = posters
        .iter()
        .filter(|(id, _)| {
            after.get(id).copied().unwrap_or(0) - before.get(id).copied().unwrap_or(0)
                != answered.get(id).copied().unwrap_or(0)
        })
        .count();
    let ok: i64 = answered.values().sum();
    report.check(
        "scan counts: every scan answered through either instance is counted once",
        mismatched == 0 && ok == SCANS as i64,
        format!(
            "{SCANS} scans of {} posters, {ok} answered 200 ({}), counts grew by {}; {mismatched} posters differ",
            posters.len(),
            by_upstream(replies.iter().map(|(_, r)| r)),
            after.values().sum::<i64>() - before.values().sum::<i64>()
        ),
    );

    // 3. Certificates issued at once on both instances.
    let learners: Vec<Arc<Learner>> =
        futures::stream::iter(serial_people.iter().map(|(id, phone)| {
            let proxy = proxy.clone();
            async move { Learner::log_in(&proxy, *id, phone).await.map(Arc::new) }
        }))
        .buffer_unordered(8)
        .collect::<Vec<_>>()
        .await
        .into_iter()
        .collect::<anyhow::Result<_>>()?;
    let counters_before = serial_counters(&db).await?;
    let last_certificate = max_id(&db, "certificates").await?;
    let last_attempt = max_id(&db, "exam_attempts").await?;
    let mut submits = Vec::new();
    for round in 1..=2 {
        let barrier = Arc::new(Barrier::new(learners.len()));
        let tasks: Vec<_> = learners
            .iter()
            .map(|learner| {
                let (learner, barrier, db) =
                    (Arc::clone(learner), Arc::clone(&barrier), db.clone());
                let (proxy, course) = (proxy.clone(), common.course.clone());
                tokio::spawn(async move {
                    let attempt = answer_all(&learner, &proxy, &course, &db).await;
                    // Everyone submits together, half on each instance.
                    barrier.wait().await;
                    match attempt {
                        Ok(attempt) => learner.submit(&proxy, attempt).await,
                        Err(err) => Reply::failed(err.to_string()),
                    }
                })
            })
            .collect();
        for task in tasks {
            submits.push((round, task.await?));
        }
    }
    let acknowledged = submits.iter().filter(|(_, r)| r.is_success()).count();
    report.check(
        "every concurrent submission succeeds",
        acknowledged == submits.len(),
        format!(
            "{acknowledged} of {} submissions in 2 rounds of {} at once ({}){}",
            submits.len(),
            learners.len(),
            by_upstream(submits.iter().map(|(_, r)| r)),
            submits
                .iter()
                .find(|(_, r)| !r.is_success())
                .map(|(round, r)| format!(
                    "; first failure in round {round}: {:?} {}",
                    r.status, r.body
                ))
                .unwrap_or_default()
        ),
    );
    let serials: Vec<String> =
        sqlx::query_scalar("SELECT serial FROM certificates WHERE id > $1 ORDER BY id")
            .bind(last_certificate)
            .fetch_all(&db)
            .await?;
    let passed: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM exam_attempts WHERE passed = 1 AND id > $1")
            .bind(last_attempt)
            .fetch_one(&db)
            .await?;
    let counters_after = serial_counters(&db).await?;
    let (distinct, contiguous) = serial_ranges(&serials, &counters_before, &counters_after);
    report.check(
        "certificate serials: no duplicates, exactly the counter's new range",
        distinct && contiguous && serials.len() as i64 == passed && passed > 0,
        format!(
            "{} certificates for {passed} passed attempts; serials distinct: {distinct}; numbers = counter range: {contiguous}; counters {:?} → {:?}",
            serials.len(),
            counters_before,
            counters_after
        ),
    );
    let panics: usize = servers.iter().map(Server::panics).sum();
    report.check(
        "no panic on either instance",
        panics == 0,
        format!("{panics} panics in the logs"),
    );
    nginx.stop().await?;
    for server in servers {
        server.stop().await?;
    }
    db.close().await;
    fresh.drop_it().await?;
    report.finish()
}

/// Logs in on `first`, takes the exam on `other` (answers alternating
/// between the two), reads the result on `first`.
async fn across(
    first: &str,
    other: &str,
    person_id: i64,
    phone: &str,
    course: &str,
    db: &app::db::Db,
) -> anyhow::Result<()> {
    let learner = Learner::log_in(first, person_id, phone).await?;
    let started = learner.start_exam(other, course).await;
    let attempt = started
        .attempt()
        .filter(|_| started.is_success())
        .with_context(|| format!("start_exam on {other}: {:?}", started.status))?;
    for q in learners::drawn(db, attempt).await? {
        let (here, there) = if q.position % 2 == 0 {
            (first, other)
        } else {
            (other, first)
        };
        let page = learner
            .get(&format!("{here}/exam/{attempt}/{}", q.position))
            .await;
        if !page.is_success() {
            bail!("question page on {here}: {:?}", page.status);
        }
        let saved = learner
            .save_answer(
                there,
                attempt,
                q.position,
                right_answer(&q.question, &q.order),
            )
            .await;
        if !saved.is_success() {
            bail!("save_answer on {there}: {:?}", saved.status);
        }
    }
    let submitted = learner.submit(other, attempt).await;
    if !submitted.is_success() {
        bail!("submit on {other}: {:?}", submitted.status);
    }
    let result = learner.get(&format!("{first}/exam/{attempt}/result")).await;
    if !result.is_success() {
        bail!("result page on {first}: {:?}", result.status);
    }
    Ok(())
}

/// Starts an exam and saves every right answer; the attempt id.
async fn answer_all(
    learner: &Learner,
    base: &str,
    course: &str,
    db: &app::db::Db,
) -> anyhow::Result<i64> {
    let started = learner.start_exam(base, course).await;
    let attempt = started
        .attempt()
        .filter(|_| started.is_success())
        .with_context(|| format!("start_exam: {:?} {}", started.status, started.body))?;
    for q in learners::drawn(db, attempt).await? {
        let saved = learner
            .save_answer(
                base,
                attempt,
                q.position,
                right_answer(&q.question, &q.order),
            )
            .await;
        if !saved.is_success() {
            bail!("save_answer: {:?} {}", saved.status, saved.body);
        }
    }
    Ok(attempt)
}

async fn max_id(db: &app::db::Db, table: &str) -> anyhow::Result<i64> {
    Ok(sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
        "SELECT CAST(COALESCE(MAX(id), 0) AS BIGINT) FROM {table}"
    )))
    .fetch_one(db)
    .await?)
}

async fn scan_totals(db: &app::db::Db) -> anyhow::Result<HashMap<i64, i64>> {
    let rows: Vec<(i64, i64)> = sqlx::query_as(
        "SELECT poster_id, CAST(SUM(count) AS BIGINT) FROM poster_scans GROUP BY poster_id",
    )
    .fetch_all(db)
    .await?;
    Ok(rows.into_iter().collect())
}

async fn serial_counters(db: &app::db::Db) -> anyhow::Result<BTreeMap<String, i64>> {
    let rows: Vec<(String, i64)> = sqlx::query_as("SELECT prefix, last_value FROM serial_counters")
        .fetch_all(db)
        .await?;
    Ok(rows.into_iter().collect())
}

/// (all distinct, the numbers per prefix are exactly `before+1..=after`).
fn serial_ranges(
    serials: &[String],
    before: &BTreeMap<String, i64>,
    after: &BTreeMap<String, i64>,
) -> (bool, bool) {
    let mut numbers: BTreeMap<&str, Vec<i64>> = BTreeMap::new();
    for serial in serials {
        if let Some((prefix, number)) = serial.rsplit_once('-')
            && let Ok(number) = number.parse()
        {
            numbers.entry(prefix).or_default().push(number);
        }
    }
    let mut distinct = true;
    let mut contiguous = numbers.values().map(Vec::len).sum::<usize>() == serials.len();
    for (prefix, list) in &mut numbers {
        list.sort_unstable();
        let unique = list.windows(2).all(|w| w[0] != w[1]);
        distinct &= unique;
        let from = before.get(*prefix).copied().unwrap_or(0) + 1;
        let to = after.get(*prefix).copied().unwrap_or(0);
        contiguous &= *list == (from..=to).collect::<Vec<i64>>();
    }
    (distinct, contiguous)
}

/// "127.0.0.1:3311 1000, 127.0.0.1:3312 1000" from the proxy's header.
fn by_upstream<'a>(replies: impl Iterator<Item = &'a Reply>) -> String {
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    for reply in replies {
        let upstream = reply.upstream.clone().unwrap_or_else(|| "none".to_string());
        *counts.entry(upstream).or_default() += 1;
    }
    counts
        .iter()
        .map(|(u, n)| format!("{u}: {n}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// nginx in the foreground with the scenario's config.
struct Nginx {
    child: tokio::process::Child,
}

impl Nginx {
    async fn start(
        common: &Common,
        template: &Path,
        port: u16,
        a: u16,
        b: u16,
    ) -> anyhow::Result<Nginx> {
        let prefix = std::path::absolute(common.work_dir.join("nginx"))?;
        std::fs::create_dir_all(prefix.join("tmp"))?;
        let conf = std::fs::read_to_string(template)
            .with_context(|| format!("reading {}", template.display()))?
            .replace("@PREFIX@", &prefix.display().to_string())
            .replace("@PORT@", &port.to_string())
            .replace("@A@", &a.to_string())
            .replace("@B@", &b.to_string());
        let conf_path = prefix.join("nginx.conf");
        std::fs::write(&conf_path, conf)?;
        let child = tokio::process::Command::new("nginx")
            .arg("-c")
            .arg(&conf_path)
            .arg("-p")
            .arg(&prefix)
            .kill_on_drop(true)
            .spawn()
            .context("starting nginx")?;
        let mut nginx = Nginx { child };
        let client = learners::client();
        for _ in 0..100 {
            if let Some(status) = nginx.child.try_wait()? {
                bail!(
                    "nginx exited: {status}; see {}",
                    prefix.join("error.log").display()
                );
            }
            if send(client.get(format!("http://127.0.0.1:{port}/healthz")))
                .await
                .is_success()
            {
                return Ok(nginx);
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        nginx.stop().await?;
        bail!("nginx did not answer on port {port}")
    }

    /// SIGQUIT: the master lets its workers finish and exits with them.
    async fn stop(mut self) -> anyhow::Result<()> {
        if let Some(pid) = self.child.id() {
            tokio::process::Command::new("kill")
                .args(["-QUIT", &pid.to_string()])
                .status()
                .await?;
            if tokio::time::timeout(Duration::from_secs(10), self.child.wait())
                .await
                .is_err()
            {
                self.child.kill().await?;
            }
        }
        Ok(())
    }
}
