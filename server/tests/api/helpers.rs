use app::db::Db;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU32, Ordering};
use xuetang::config::{DatabaseConfig, ServeConfig};
use xuetang::startup::Application;

pub struct TestApp {
    pub base: String,
    /// The test's own pool on the database, for arranging and reading rows.
    pub db: Db,
    pub client: reqwest::Client,
    /// Declared before `database`: the server stops before its database goes.
    pub server: Server,
    pub database: TestDatabase,
}

/// The server under test, on a runtime and threads of its own as if in its
/// own process. Dropping it stops that runtime at once, which closes every
/// connection the server held. (With the server on the test's runtime, a
/// connection it was still opening stalled halfway through PostgreSQL's
/// handshake while `TestDatabase::drop` blocked that runtime, and held
/// `DROP DATABASE … WITH (FORCE)` for PostgreSQL's 60 s authentication
/// timeout.)
pub struct Server {
    pub base: String,
    /// The server's own pool: closing it takes the database away from the
    /// server.
    pub db: Db,
    pub scans: std::sync::Arc<app::scan_tally::ScanTally>,
    stop: Option<tokio::sync::watch::Sender<Stop>>,
    thread: Option<std::thread::JoinHandle<std::io::Result<()>>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stop {
    Running,
    /// As on SIGTERM: finish the requests under way, write what is kept.
    Graceful,
    Now,
}

impl Server {
    pub async fn start(db_config: DatabaseConfig, serve: ServeConfig) -> Server {
        xuetang::telemetry::init();
        let (ready, started) = tokio::sync::oneshot::channel();
        let (stop, stopping) = tokio::sync::watch::channel(Stop::Running);
        let thread = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
                .expect("the server's runtime");
            let served = runtime.block_on(async move {
                let app = Application::build(&db_config, &serve)
                    .await
                    .expect("app builds");
                let state = app.state();
                let _ = ready.send((
                    format!("http://{}", app.local_addr()),
                    state.db.clone(),
                    std::sync::Arc::clone(&state.scans),
                ));
                let (mut graceful, mut now) = (stopping.clone(), stopping);
                let run = app.run_until_stopped(async move {
                    let _ = graceful.wait_for(|s| *s != Stop::Running).await;
                });
                tokio::select! {
                    served = run => served,
                    _ = now.wait_for(|s| *s == Stop::Now) => Ok(()),
                }
            });
            // Whatever the server left running (a coverage load, a pool
            // opening a connection) is dropped with its connections.
            runtime.shutdown_timeout(std::time::Duration::from_secs(5));
            served
        });
        let (base, db, scans) = started.await.expect("the server started");
        Server {
            base,
            db,
            scans,
            stop: Some(stop),
            thread: Some(thread),
        }
    }

    /// Stops the server as SIGTERM does and waits until it has.
    #[allow(
        dead_code,
        reason = "the backup tests stop servers; the API tests drop them"
    )]
    pub async fn stop(&mut self) -> std::io::Result<()> {
        let (Some(stop), Some(thread)) = (self.stop.take(), self.thread.take()) else {
            return Ok(());
        };
        let _ = stop.send(Stop::Graceful);
        tokio::task::spawn_blocking(move || thread.join())
            .await
            .expect("joining the server's thread")
            .expect("the server's thread did not panic")
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(Stop::Now);
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

pub struct Page {
    pub status: u16,
    pub headers: reqwest::header::HeaderMap,
    pub body: String,
}

impl TestApp {
    pub async fn get(&self, path: &str) -> Page {
        let response = self
            .client
            .get(format!("{}{path}", self.base))
            .send()
            .await
            .expect("request failed");
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let body = response.text().await.expect("body");
        Page {
            status,
            headers,
            body,
        }
    }

    /// Bytes on the wire for `path` when the client accepts gzip.
    pub async fn gzipped_len(&self, path: &str) -> usize {
        let response = self
            .client
            .get(format!("{}{path}", self.base))
            .header("accept-encoding", "gzip")
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200, "{path}");
        response.bytes().await.unwrap().len()
    }

    /// Writes the poster scans the server has counted so far, as it does
    /// every second on its own.
    pub async fn flush_scans(&self) {
        self.server
            .scans
            .flush(&self.db)
            .await
            .expect("scans written");
    }

    /// Loads the shipped demo town into this app's database.
    pub async fn seed_demo(&self) -> xuetang::seed::Added {
        let seed =
            xuetang::seed::DemoSeed::load(&workspace().join("seeds")).expect("demo seed parses");
        seed.apply(&self.db).await.expect("demo seed applies")
    }
}

/// A compressed answer, as a phone's browser receives it.
pub struct Encoded {
    pub status: u16,
    /// The Content-Encoding header ("" when the body came as is).
    pub encoding: String,
    /// The body, decoded.
    pub body: String,
}

/// GETs `url` with `client`, asking for `accept_encoding`, and decodes the
/// body as its Content-Encoding says.
pub async fn get_encoded(
    client: &reqwest::Client,
    url: &str,
    accept_encoding: &str,
    headers: &[(&str, &str)],
) -> Encoded {
    use std::io::Read;
    let mut request = client.get(url).header("accept-encoding", accept_encoding);
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let response = request.send().await.expect("request failed");
    let status = response.status().as_u16();
    let encoding = response
        .headers()
        .get("content-encoding")
        .map_or("", |v| v.to_str().unwrap())
        .to_string();
    let bytes = response.bytes().await.unwrap();
    let mut body = String::new();
    match encoding.as_str() {
        "gzip" => {
            flate2::read::GzDecoder::new(&bytes[..])
                .read_to_string(&mut body)
                .expect("valid gzip");
        }
        "br" => {
            brotli::Decompressor::new(&bytes[..], 4096)
                .read_to_string(&mut body)
                .expect("valid brotli");
        }
        "" => body = String::from_utf8(bytes.to_vec()).unwrap(),
        other => panic!("unexpected content-encoding {other}"),
    }
    Encoded {
        status,
        encoding,
        body,
    }
}

/// Demo logins from seeds/accounts.csv.
pub const PASSWORD: &str = "xuetang2026";
pub const TOWN_ADMIN: &str = "13900000001";
pub const DOUZHUANG_ADMIN: &str = "13900000002";
/// Unit admin of 嘉峰宾馆 (in 嘉峰村).
pub const HOTEL_ADMIN: &str = "15749877963";
pub const HOTEL_OPERATOR: &str = "18651377531";

/// A browser-like client with its own cookie jar.
pub struct Session {
    pub base: String,
    pub client: reqwest::Client,
}

/// A server function's answer.
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub location: Option<String>,
    pub body: String,
}

impl Reply {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }
}

impl Session {
    pub fn new(base: &str) -> Session {
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .cookie_store(true)
            .build()
            .unwrap();
        Session {
            base: base.to_string(),
            client,
        }
    }

    async fn reply(response: reqwest::Response) -> Reply {
        let status = response.status().as_u16();
        let location = response
            .headers()
            .get("location")
            .map(|v| v.to_str().unwrap().to_string());
        let body = response.text().await.unwrap();
        Reply {
            status,
            location,
            body,
        }
    }

    /// Calls a server function as JavaScript would (form-encoded, JSON back).
    pub async fn call(&self, endpoint: &str, form: &[(&str, &str)]) -> Reply {
        let response = self
            .client
            .post(format!("{}/api/{endpoint}", self.base))
            .form(form)
            .send()
            .await
            .unwrap();
        Self::reply(response).await
    }

    /// Posts a form as a browser without JavaScript would.
    pub async fn post_form(&self, endpoint: &str, form: &[(&str, &str)], referer: &str) -> Reply {
        let response = self
            .client
            .post(format!("{}/api/{endpoint}", self.base))
            .header("accept", "text/html")
            .header("referer", format!("{}{referer}", self.base))
            .form(form)
            .send()
            .await
            .unwrap();
        Self::reply(response).await
    }

    pub async fn get(&self, path: &str) -> Reply {
        Self::reply(
            self.client
                .get(format!("{}{path}", self.base))
                .send()
                .await
                .unwrap(),
        )
        .await
    }

    pub async fn upload(&self, unit_id: i64, filename: &str, bytes: Vec<u8>) -> Reply {
        let form = reqwest::multipart::Form::new()
            .text("unit_id", unit_id.to_string())
            .part(
                "file",
                reqwest::multipart::Part::bytes(bytes).file_name(filename.to_string()),
            );
        let response = self
            .client
            .post(format!("{}/api/upload_roster", self.base))
            .multipart(form)
            .send()
            .await
            .unwrap();
        Self::reply(response).await
    }

    /// Posts a multipart form (text fields and an optional file part).
    pub async fn multipart(
        &self,
        endpoint: &str,
        fields: &[(&str, &str)],
        file: Option<(&str, &str, Vec<u8>)>,
    ) -> Reply {
        let mut form = reqwest::multipart::Form::new();
        for (k, v) in fields {
            form = form.text(k.to_string(), v.to_string());
        }
        if let Some((field, name, bytes)) = file {
            form = form.part(
                field.to_string(),
                reqwest::multipart::Part::bytes(bytes).file_name(name.to_string()),
            );
        }
        let response = self
            .client
            .post(format!("{}/api/{endpoint}", self.base))
            .multipart(form)
            .send()
            .await
            .unwrap();
        Self::reply(response).await
    }

    /// The raw bytes and content type of a GET.
    pub async fn bytes(&self, path: &str) -> (u16, String, Vec<u8>) {
        let response = self
            .client
            .get(format!("{}{path}", self.base))
            .send()
            .await
            .unwrap();
        let status = response.status().as_u16();
        let content_type = response
            .headers()
            .get("content-type")
            .map(|v| v.to_str().unwrap().to_string())
            .unwrap_or_default();
        (
            status,
            content_type,
            response.bytes().await.unwrap().to_vec(),
        )
    }

    /// Starts an exam of `course` and answers every question right, reading
    /// the key from the database as only a test can; returns the attempt.
    pub async fn pass_exam(&self, app: &TestApp, course: &str) -> i64 {
        let started = self.call("start_exam", &[("course", course)]).await;
        assert_eq!(started.status, 200, "{started:?}");
        let attempt: i64 = started
            .location
            .unwrap()
            .trim_start_matches("/exam/")
            .trim_end_matches("/1")
            .parse()
            .unwrap();
        let rows: Vec<(i64, String, String)> = sqlx::query_as(
            "SELECT position, question_json, option_order FROM attempt_questions WHERE attempt_id = $1 ORDER BY position",
        )
        .bind(attempt)
        .fetch_all(&app.db)
        .await
        .unwrap();
        for (position, json, order) in rows {
            let q: app::quiz::gift::Question = serde_json::from_str(&json).unwrap();
            let order: Vec<usize> = serde_json::from_str(&order).unwrap();
            let shown = app::routes::exam::server::shown_order(&q, &order);
            let right = app::routes::exam::server::right_options(&q);
            let picks: Vec<usize> = (0..shown.len())
                .filter(|i| right.contains(&shown[*i]))
                .collect();
            let attempt_text = attempt.to_string();
            let position_text = position.to_string();
            let mut form: Vec<(String, String)> = vec![
                ("attempt".into(), attempt_text),
                ("position".into(), position_text),
            ];
            if matches!(q.kind, app::quiz::gift::Kind::Multiple(_)) {
                form.extend(picks.iter().map(|i| (format!("c{i}"), "1".to_string())));
            } else {
                form.push(("pick".into(), picks[0].to_string()));
            }
            let form: Vec<(&str, &str)> =
                form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
            let saved = self.call("save_answer", &form).await;
            assert_eq!(saved.status, 200, "{saved:?}");
        }
        let submitted = self
            .call("submit_exam", &[("attempt", &attempt.to_string())])
            .await;
        assert_eq!(submitted.status, 200, "{submitted:?}");
        attempt
    }

    pub async fn login(&self, phone: &str, password: &str) -> Reply {
        self.call("login", &[("phone", phone), ("password", password)])
            .await
    }
}

impl TestApp {
    pub fn session(&self) -> Session {
        Session::new(&self.base)
    }

    /// A session logged in with a demo account (the demo town must be seeded).
    pub async fn logged_in(&self, phone: &str) -> Session {
        let session = self.session();
        let reply = session.login(phone, PASSWORD).await;
        assert_eq!(reply.status, 200, "login as {phone}: {reply:?}");
        assert!(
            reply.location.is_some(),
            "login as {phone} redirects: {reply:?}"
        );
        session
    }

    pub async fn unit_id(&self, name: &str) -> i64 {
        sqlx::query_scalar("SELECT id FROM units WHERE name = $1")
            .bind(name)
            .fetch_one(&self.db)
            .await
            .unwrap()
    }

    pub async fn region_id(&self, code: &str) -> i64 {
        sqlx::query_scalar("SELECT id FROM regions WHERE code = $1")
            .bind(code)
            .fetch_one(&self.db)
            .await
            .unwrap()
    }

    pub async fn count(&self, sql: &str) -> i64 {
        sqlx::query_scalar(sqlx::AssertSqlSafe(sql.to_string()))
            .fetch_one(&self.db)
            .await
            .unwrap()
    }
}

/// The text of the one QR code in a PNG, read by an independent decoder.
pub fn decode_qr(png: &[u8]) -> String {
    let image = image::load_from_memory(png).expect("a PNG").to_luma8();
    let (width, height) = image.dimensions();
    let mut prepared =
        rqrr::PreparedImage::prepare_from_greyscale(width as usize, height as usize, |x, y| {
            image.get_pixel(x as u32, y as u32).0[0]
        });
    let grids = prepared.detect_grids();
    assert_eq!(grids.len(), 1, "one QR code in the image");
    grids[0].decode().expect("the QR decodes").1
}

pub fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(workspace().join("server/tests/fixtures/rosters").join(name)).unwrap()
}

pub fn workspace() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(|_| {}).await
}

/// Copies a folder tree (for tests that change content).
pub fn copy_dir(from: &std::path::Path, to: &std::path::Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// Spawns the app after `configure` adjusts its settings.
pub async fn spawn_app_with(configure: impl FnOnce(&mut ServeConfig)) -> TestApp {
    let database = TestDatabase::create().await;
    let mut serve = serve_config();
    configure(&mut serve);
    TestApp::start(database, serve).await
}

/// Serving on a free port with the shipped site and content.
pub fn serve_config() -> ServeConfig {
    ServeConfig {
        addr: "127.0.0.1:0".parse().unwrap(),
        base_url: None,
        site_root: workspace().join("target/site"),
        content_dir: workspace().join("content"),
        watch_content: false,
        issuer: "嘉峰镇消防学堂".to_string(),
        scan_flush_ms: 1000,
    }
}

impl TestApp {
    /// A server on `database` (migrated by the server as it starts).
    pub async fn start(database: TestDatabase, serve: ServeConfig) -> TestApp {
        let server = Server::start(
            DatabaseConfig {
                database_url: database.url.clone(),
                db_max_connections: 5,
            },
            serve,
        )
        .await;
        let db = app::db::connect(&database.url, 5)
            .await
            .expect("the test's pool on the database");
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .cookie_store(true)
            .build()
            .unwrap();
        TestApp {
            base: server.base.clone(),
            db,
            client,
            server,
            database,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// A database of its own for one test.
pub struct TestDatabase {
    pub backend: Backend,
    pub url: String,
    /// For PostgreSQL: the server URL to run `DROP DATABASE` from, and the name.
    pub admin: Option<(String, String)>,
}

static COUNTER: AtomicU32 = AtomicU32::new(0);

fn unique_name() -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .subsec_nanos();
    format!(
        "xuetang_t_{}_{}_{nanos}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::SeqCst)
    )
}

pub fn backend() -> Backend {
    match std::env::var("XUETANG_TEST_BACKEND").as_deref() {
        Ok("postgres") => Backend::Postgres,
        Ok("sqlite") | Err(_) => Backend::Sqlite,
        Ok(other) => panic!("XUETANG_TEST_BACKEND must be sqlite or postgres, not {other:?}"),
    }
}

impl TestDatabase {
    pub async fn create() -> TestDatabase {
        let name = unique_name();
        match backend() {
            Backend::Sqlite => {
                let path = std::env::temp_dir().join(format!("{name}.db"));
                TestDatabase {
                    backend: Backend::Sqlite,
                    url: format!("sqlite://{}", path.display()),
                    admin: None,
                }
            }
            Backend::Postgres => {
                let server = std::env::var("TEST_POSTGRES_URL")
                    .expect("XUETANG_TEST_BACKEND=postgres needs TEST_POSTGRES_URL=postgres://user:pass@host:port/db");
                admin_sql(&server, &format!("CREATE DATABASE {name}")).await;
                let (prefix, _) = server
                    .rsplit_once('/')
                    .expect("TEST_POSTGRES_URL ends in /DATABASE");
                TestDatabase {
                    backend: Backend::Postgres,
                    url: format!("{prefix}/{name}"),
                    admin: Some((server, name)),
                }
            }
        }
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        match &self.admin {
            None => {
                let path = self.url.trim_start_matches("sqlite://");
                for suffix in ["", "-wal", "-shm"] {
                    let _ = std::fs::remove_file(format!("{path}{suffix}"));
                }
            }
            // Drop runs outside any async context we could borrow, so the
            // cleanup gets a small runtime of its own on another thread.
            Some((server, name)) => {
                let (server, sql) = (
                    server.clone(),
                    format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"),
                );
                let _ = std::thread::spawn(move || {
                    tokio::runtime::Builder::new_current_thread()
                        .enable_all()
                        .build()
                        .unwrap()
                        .block_on(admin_sql(&server, &sql))
                })
                .join();
            }
        }
    }
}

pub async fn admin_sql(server_url: &str, sql: &str) {
    use sqlx::Connection;
    sqlx::any::install_default_drivers();
    let mut conn = sqlx::AnyConnection::connect(server_url)
        .await
        .expect("connect to TEST_POSTGRES_URL");
    sqlx::raw_sql(sqlx::AssertSqlSafe(sql.to_string()))
        .execute(&mut conn)
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"));
    conn.close().await.ok();
}
