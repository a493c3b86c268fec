//! Traffic shared by the outage and soak scenarios: the public pages people
//! browse, every request recorded with when it was sent and what came back.

use super::learners::Reply;
use crate::exams::Rng;
use app::model::Audience;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// The message of `AppError::Unavailable`, as pages show it.
pub const UNAVAILABLE: &str = "服务暂时不可用，请稍后再试";

/// Public pages: what visitors and villagers open.
pub struct Pages {
    paths: Vec<String>,
}

impl Pages {
    /// Home, catalogue, tips, public courses and lessons, search, and the
    /// demo posters' short URLs (each a counted scan).
    pub async fn discover(
        library: &app::content::Library,
        db: &app::db::Db,
    ) -> anyhow::Result<Pages> {
        let mut paths: Vec<String> = ["/", "/t", "/courses", "/about", "/search?q=电动车"]
            .iter()
            .map(|p| p.to_string())
            .collect();
        for course in &library.courses {
            if course.tip.is_some() {
                paths.push(format!("/t/{}", course.slug));
            }
            if course.audience == Audience::Public {
                paths.push(format!("/courses/{}", course.slug));
                if let Some(lesson) = course.lessons.first() {
                    paths.push(format!("/courses/{}/{}", course.slug, lesson.slug));
                }
            }
        }
        let codes: Vec<String> = sqlx::query_scalar("SELECT code FROM posters ORDER BY id")
            .fetch_all(db)
            .await?;
        anyhow::ensure!(!codes.is_empty(), "the seed made no posters");
        paths.extend(codes.iter().map(|c| format!("/p/{c}")));
        Ok(Pages { paths })
    }

    pub fn pick(&self, rng: &mut Rng) -> &str {
        &self.paths[rng.below(self.paths.len())]
    }

    pub fn len(&self) -> usize {
        self.paths.len()
    }
}

/// One request as seen by the client.
#[derive(Debug, Clone)]
pub struct Sample {
    /// When it was sent, from the start of the traffic.
    pub at: Duration,
    pub elapsed: Duration,
    /// None: no response (refused, reset, timed out).
    pub status: Option<u16>,
    /// A failure the visitor can read: a 503 page with the message, or a
    /// server function's `Unavailable` error.
    pub friendly: bool,
    /// Needs the database to succeed (everything but tip pages).
    pub needs_db: bool,
    pub path: String,
}

impl Sample {
    pub fn ok(&self) -> bool {
        self.status.is_some_and(|s| (200..400).contains(&s))
    }
}

pub struct Recorder {
    pub start: Instant,
    samples: Mutex<Vec<Sample>>,
}

impl Recorder {
    pub fn new() -> Recorder {
        Recorder {
            start: Instant::now(),
            samples: Mutex::new(Vec::new()),
        }
    }

    /// Records the reply to a request sent at `sent`; `path` is what was
    /// asked for (pages are HTML, `/api/…` server functions).
    pub fn record(&self, sent: Instant, path: &str, reply: &Reply) {
        let needs_db = !path.starts_with("/t/") && path != "/t";
        let sample = Sample {
            at: sent.duration_since(self.start),
            elapsed: reply.elapsed,
            status: reply.status.map(|s| s.as_u16()),
            friendly: friendly(path, reply),
            needs_db,
            path: path.to_string(),
        };
        self.samples
            .lock()
            .expect("no recorder panicked")
            .push(sample);
    }

    pub fn elapsed(&self) -> Duration {
        self.start.elapsed()
    }

    pub fn take(&self) -> Vec<Sample> {
        std::mem::take(&mut *self.samples.lock().expect("no recorder panicked"))
    }
}

/// A 503 a person can read and nothing of the internals leaks.
fn friendly(path: &str, reply: &Reply) -> bool {
    if reply.status.map(|s| s.as_u16()) != Some(503) {
        return false;
    }
    let leaks = [
        "sqlx",
        "panicked",
        "error returned",
        "PoolTimedOut",
        "backtrace",
    ]
    .iter()
    .any(|word| reply.body.contains(word));
    let readable = if path.starts_with("/api/") {
        serde_json::from_str::<app::error::AppError>(&reply.body)
            .is_ok_and(|e| e == app::error::AppError::Unavailable)
    } else {
        reply.body.contains("<html") && reply.body.contains(UNAVAILABLE)
    };
    readable && !leaks
}

/// Nearest-rank percentile of the latencies, in ms.
pub fn percentile_ms(samples: &[&Sample], p: f64) -> f64 {
    let latencies: Vec<Duration> = samples.iter().map(|s| s.elapsed).collect();
    crate::exams::percentile(&latencies, p)
}

pub fn max_ms(samples: &[&Sample]) -> f64 {
    samples
        .iter()
        .map(|s| s.elapsed.as_secs_f64() * 1000.0)
        .fold(0.0, f64::max)
}

/// Sleeps a random time in `min..=max` ms.
pub async fn think(rng: &mut Rng, min: u64, max: u64) {
    let ms = min + rng.below((max - min) as usize + 1) as u64;
    tokio::time::sleep(Duration::from_millis(ms)).await;
}
