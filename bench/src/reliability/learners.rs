//! Simulated people over HTTP. A learner is an account made in the
//! database (one password hash for all: hashing is not what is tested)
//! that logs in over HTTP; its session cookie is sent explicitly with every
//! request, so the same learner can go through any server or proxy.

use crate::exams::PASSWORD;
use anyhow::Context;
use app::quiz::gift::{Kind, Question};
use app::routes::exam::server::{right_options, shown_order};
use reqwest::StatusCode;
use std::time::{Duration, Instant};

/// Longer than any request should take: a request still running after
/// this is reported as a hang.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// A client of one phone: its own connections, no redirects followed.
pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .pool_max_idle_per_host(1)
        .timeout(REQUEST_TIMEOUT)
        .build()
        .expect("a client without TLS settings builds")
}

/// What came back; `status` is None when no response arrived (refused,
/// reset, timed out).
#[derive(Debug)]
pub struct Reply {
    pub status: Option<StatusCode>,
    pub location: Option<String>,
    pub body: String,
    pub elapsed: Duration,
    /// The backend that answered, when a proxy names it.
    pub upstream: Option<String>,
    /// `xt_session=…` when the response started a session.
    pub session: Option<String>,
}

impl Reply {
    /// No response: the request could not even be made.
    pub fn failed(why: impl Into<String>) -> Reply {
        Reply {
            status: None,
            location: None,
            body: why.into(),
            elapsed: Duration::ZERO,
            upstream: None,
            session: None,
        }
    }

    pub fn is_success(&self) -> bool {
        self.status.is_some_and(|s| s.is_success())
    }

    /// The attempt id of an exam redirect (`/exam/<id>/…`).
    pub fn attempt(&self) -> Option<i64> {
        self.location
            .as_deref()?
            .strip_prefix("/exam/")?
            .split('/')
            .next()?
            .parse()
            .ok()
    }
}

/// Sends, reads the whole body, times it.
pub async fn send(request: reqwest::RequestBuilder) -> Reply {
    let started = Instant::now();
    let mut reply = Reply::failed("");
    if let Ok(response) = request.send().await {
        let header = |name: &str| {
            response
                .headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string)
        };
        let status = response.status();
        reply.location = header("location");
        reply.upstream = header("x-upstream");
        reply.session = response
            .headers()
            .get_all("set-cookie")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find(|v| v.starts_with("xt_session="))
            .and_then(|v| v.split(';').next())
            .map(str::to_string);
        if let Ok(body) = response.text().await {
            reply.status = Some(status);
            reply.body = body;
        }
    }
    reply.elapsed = started.elapsed();
    reply
}

/// Accounts for `count` new people with phones from `first_phone`:
/// (person id, phone).
pub async fn create_accounts(
    db: &app::db::Db,
    first_phone: u64,
    count: usize,
) -> anyhow::Result<Vec<(i64, String)>> {
    let hash = app::auth::password::hash(PASSWORD.to_string())
        .await
        .map_err(|e| anyhow::anyhow!("hashing: {e}"))?;
    let now = app::actions::now();
    let mut tx = db.begin().await?;
    let mut people = Vec::with_capacity(count);
    for i in 0..count {
        let phone = app::domain::Phone::parse(&(first_phone + i as u64).to_string())
            .map_err(|e| anyhow::anyhow!("learner phone: {e}"))?;
        let id = app::db::people::upsert_by_phone(&mut tx, &format!("学员{i}"), &phone, false, now)
            .await?;
        if !app::db::accounts::exists(&mut tx, id).await? {
            app::db::accounts::insert(&mut tx, id, &hash, true, false, now).await?;
        }
        people.push((id, phone.as_str().to_string()));
    }
    tx.commit().await?;
    Ok(people)
}

/// A signed-in person.
pub struct Learner {
    pub person_id: i64,
    client: reqwest::Client,
    cookie: String,
}

impl Learner {
    /// Logs in at `base` with the bench password.
    pub async fn log_in(base: &str, person_id: i64, phone: &str) -> anyhow::Result<Learner> {
        let (reply, learner) = Learner::sign_in(base, person_id, phone, PASSWORD).await;
        learner.with_context(|| format!("login at {base}: {:?} {}", reply.status, reply.body))
    }

    /// POST /api/login: the reply, and the learner when a session started.
    pub async fn sign_in(
        base: &str,
        person_id: i64,
        phone: &str,
        password: &str,
    ) -> (Reply, Option<Learner>) {
        let client = client();
        let reply = send(
            client
                .post(format!("{base}/api/login"))
                .form(&[("phone", phone), ("password", password)]),
        )
        .await;
        let learner = reply
            .session
            .clone()
            .filter(|_| reply.is_success())
            .map(|cookie| Learner {
                person_id,
                client,
                cookie,
            });
        (reply, learner)
    }

    pub async fn get(&self, url: &str) -> Reply {
        send(self.client.get(url).header("cookie", &self.cookie)).await
    }

    pub async fn post(&self, url: &str, form: &[(String, String)]) -> Reply {
        send(
            self.client
                .post(url)
                .header("cookie", &self.cookie)
                .form(form),
        )
        .await
    }

    /// POST /api/start_exam: a new attempt, or the open one resumed.
    pub async fn start_exam(&self, base: &str, course: &str) -> Reply {
        let form = [("course".to_string(), course.to_string())];
        self.post(&format!("{base}/api/start_exam"), &form).await
    }

    /// POST /api/save_answer with `go=stay`, as the exam page's script does.
    pub async fn save_answer(
        &self,
        base: &str,
        attempt: i64,
        position: i64,
        answer: Vec<(String, String)>,
    ) -> Reply {
        let mut form = vec![
            ("attempt".to_string(), attempt.to_string()),
            ("position".to_string(), position.to_string()),
            ("go".to_string(), "stay".to_string()),
        ];
        form.extend(answer);
        self.post(&format!("{base}/api/save_answer"), &form).await
    }

    pub async fn submit(&self, base: &str, attempt: i64) -> Reply {
        let form = [("attempt".to_string(), attempt.to_string())];
        self.post(&format!("{base}/api/submit_exam"), &form).await
    }
}

/// One drawn question of an attempt, as stored.
pub struct Drawn {
    pub position: i64,
    pub question: Question,
    pub order: Vec<usize>,
}

/// The attempt's questions, read from the database (the learner's eyes).
pub async fn drawn(db: &app::db::Db, attempt: i64) -> anyhow::Result<Vec<Drawn>> {
    let rows: Vec<(i64, String, String)> = sqlx::query_as(
        "SELECT position, question_json, option_order FROM attempt_questions WHERE attempt_id = $1 ORDER BY position",
    )
    .bind(attempt)
    .fetch_all(db)
    .await?;
    rows.into_iter()
        .map(|(position, q, order)| {
            Ok(Drawn {
                position,
                question: serde_json::from_str(&q)?,
                order: serde_json::from_str(&order)?,
            })
        })
        .collect()
}

/// The form fields of the right answer (a learner who passes).
pub fn right_answer(q: &Question, order: &[usize]) -> Vec<(String, String)> {
    let shown = shown_order(q, order);
    let right = right_options(q);
    let picks = (0..shown.len()).filter(|i| right.contains(&shown[*i]));
    if matches!(q.kind, Kind::Multiple(_)) {
        picks.map(|i| (format!("c{i}"), "1".to_string())).collect()
    } else {
        picks
            .map(|i| ("pick".to_string(), i.to_string()))
            .take(1)
            .collect()
    }
}
