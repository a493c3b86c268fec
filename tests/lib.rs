//! Browser test harness: the real app on port 0 with a fresh SQLite
//! database and the demo town, driven through chromedriver by Debian's
//! headless Chromium emulating a 360×800 phone.

use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use xuetang::config::{DatabaseConfig, ServeConfig};
use xuetang::startup::Application;

pub const PHONE_WIDTH: u32 = 360;
pub const PHONE_HEIGHT: u32 = 800;

/// The texts of the QR codes an independent decoder (rqrr) finds in an image.
pub fn qr_codes(image: &image::GrayImage) -> Vec<String> {
    let mut prepared = rqrr::PreparedImage::prepare_from_greyscale(
        image.width() as usize,
        image.height() as usize,
        |x, y| image.get_pixel(x as u32, y as u32).0[0],
    );
    prepared
        .detect_grids()
        .iter()
        .map(|grid| grid.decode().expect("the QR decodes").1)
        .collect()
}

pub fn workspace() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

pub struct SeededApp {
    pub base: String,
    pub db: app::db::Db,
    scans: std::sync::Arc<app::scan_tally::ScanTally>,
}

impl SeededApp {
    /// Writes the poster scans the server has counted so far, as it does
    /// every second on its own.
    pub async fn flush_scans(&self) {
        self.scans.flush(&self.db).await.expect("scans written");
    }

    pub async fn unit_id(&self, name: &str) -> i64 {
        sqlx::query_scalar("SELECT id FROM units WHERE name = $1")
            .bind(name)
            .fetch_one(&self.db)
            .await
            .unwrap()
    }
}

/// Demo logins (seeds/accounts.csv).
pub const PASSWORD: &str = "xuetang2026";
pub const HOTEL_ADMIN: &str = "15749877963";
pub const HOTEL_OPERATOR: &str = "18651377531";
/// Region admin of the whole town.
pub const TOWN_ADMIN: &str = "13900000001";

/// Starts the app with the demo town loaded.
pub async fn spawn_seeded_app() -> SeededApp {
    xuetang::telemetry::init();
    let site_root = workspace().join("target/site");
    assert!(
        site_root.join("pkg/xuetang_bg.wasm").is_file(),
        "{} has no WebAssembly: run `make site` first (make test does)",
        site_root.display()
    );
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    let db_path =
        std::env::temp_dir().join(format!("xuetang_browser_{}_{nanos}.db", std::process::id()));
    let db_config = DatabaseConfig {
        database_url: format!("sqlite://{}", db_path.display()),
        db_max_connections: 5,
    };
    let serve = ServeConfig {
        addr: "127.0.0.1:0".parse().unwrap(),
        base_url: None,
        site_root,
        content_dir: workspace().join("content"),
        watch_content: false,
        issuer: "嘉峰镇消防学堂".to_string(),
        scan_flush_ms: 1000,
    };
    let app = Application::build(&db_config, &serve)
        .await
        .expect("app builds");
    xuetang::seed::DemoSeed::load(&workspace().join("seeds"))
        .expect("demo seed parses")
        .apply(&app.state().db)
        .await
        .expect("demo seed applies");
    let base = format!("http://{}", app.local_addr());
    let db = app.state().db.clone();
    let scans = std::sync::Arc::clone(&app.state().scans);
    tokio::spawn(app.run_until_stopped(std::future::pending()));
    SeededApp { base, db, scans }
}

/// A chromedriver process and a session in it; both end when dropped.
pub struct Phone {
    pub client: Client,
    driver: Child,
}

impl Drop for Phone {
    fn drop(&mut self) {
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

impl Phone {
    pub async fn open() -> Phone {
        let port = free_port();
        let driver = Command::new("chromedriver")
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect(
                "chromedriver not found: `make browser-tools` installs Debian's chromium-driver",
            );
        let url = format!("http://127.0.0.1:{port}");
        let profile = std::env::temp_dir().join(format!("xuetang_chromium_{port}"));
        let caps = serde_json::json!({
            "goog:chromeOptions": {
                "binary": "/usr/bin/chromium",
                "args": [
                    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                    "--disable-background-networking", "--disable-component-update", "--disable-sync",
                    "--disable-dev-shm-usage",
                    format!("--user-data-dir={}", profile.display()),
                    format!("--window-size={PHONE_WIDTH},{PHONE_HEIGHT}"),
                ],
                "mobileEmulation": {
                    "deviceMetrics": { "width": PHONE_WIDTH, "height": PHONE_HEIGHT, "pixelRatio": 3.0, "touch": true },
                    "userAgent": "Mozilla/5.0 (Linux; Android 13; Phone) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0 Mobile Safari/537.36"
                }
            }
        });
        let caps = caps.as_object().unwrap().clone();
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            match ClientBuilder::new(HttpConnector::new())
                .capabilities(caps.clone())
                .connect(&url)
                .await
            {
                Ok(client) => return Phone { client, driver },
                Err(err) if Instant::now() > deadline => {
                    panic!("cannot start a Chromium session: {err}")
                }
                Err(_) => tokio::time::sleep(Duration::from_millis(200)).await,
            }
        }
    }

    /// Runs a script in the page and returns its value.
    pub async fn eval(&self, script: &str) -> serde_json::Value {
        self.client
            .execute(script, vec![])
            .await
            .expect("script runs")
    }

    /// Logs in and waits for the account page.
    pub async fn sign_in(&self, base: &str, phone: &str, password: &str) {
        self.log_in(base, phone, password).await;
        self.wait_for_text("我的岗位").await;
    }

    /// Fills the login form and submits it.
    pub async fn log_in(&self, base: &str, phone: &str, password: &str) {
        self.client.goto(&format!("{base}/login")).await.unwrap();
        self.fill("input[name=phone]", phone).await;
        self.fill("input[name=password]", password).await;
        self.click("form button[type=submit]").await;
    }

    pub async fn fill(&self, css: &str, text: &str) {
        let field = self
            .client
            .find(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("{css}: {e}"));
        field.clear().await.unwrap();
        field.send_keys(text).await.unwrap();
    }

    pub async fn click(&self, css: &str) {
        self.client
            .find(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("{css}: {e}"))
            .click()
            .await
            .unwrap();
    }

    /// Waits until the visible text contains `needle` (pages load after a
    /// form's redirect).
    pub async fn wait_for_text(&self, needle: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let text = self.visible_text().await;
            if text.contains(needle) {
                return text;
            }
            if Instant::now() > deadline {
                panic!("{needle:?} never appeared; page shows:\n{text}");
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Waits until the browser is on `path` (after a form's redirect).
    pub async fn wait_for_path(&self, path: &str) {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let url = self.client.current_url().await.expect("the current URL");
            if url.path() == path {
                return;
            }
            if Instant::now() > deadline {
                panic!("never reached {path}; still at {url}");
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// The text a person sees on the page.
    pub async fn visible_text(&self) -> String {
        self.eval("return document.body.innerText")
            .await
            .as_str()
            .unwrap_or_default()
            .to_string()
    }
}
