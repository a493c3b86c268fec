//! Settings, from flags or the environment (flags win).

use clap::Args;
use std::net::SocketAddr;
use std::path::PathBuf;

pub const DEFAULT_DATABASE_URL: &str = "sqlite://data/xuetang.db";

#[derive(Debug, Clone, Args)]
pub struct DatabaseConfig {
    /// sqlite://PATH or postgres://USER:PASS@HOST/DB
    #[arg(long, env = "DATABASE_URL", default_value = DEFAULT_DATABASE_URL, global = true)]
    pub database_url: String,
    /// Connections in the pool of this process.
    #[arg(
        long,
        env = "XUETANG_DB_MAX_CONNECTIONS",
        default_value_t = 10,
        global = true
    )]
    pub db_max_connections: u32,
}

#[derive(Debug, Clone, Args)]
pub struct ServeConfig {
    /// Address to listen on.
    #[arg(long, env = "XUETANG_ADDR", default_value = "127.0.0.1:3000")]
    pub addr: SocketAddr,
    /// Public base URL printed into QR codes (default: http://ADDR).
    #[arg(long, env = "XUETANG_BASE_URL")]
    pub base_url: Option<String>,
    /// Built front-end files (CSS, WebAssembly, icons).
    #[arg(long, env = "XUETANG_SITE_ROOT", default_value = "target/site")]
    pub site_root: PathBuf,
    /// Authored content (pages, courses).
    #[arg(long, env = "XUETANG_CONTENT_DIR", default_value = "content")]
    pub content_dir: PathBuf,
    /// Who issues the platform's certificates, as printed on them.
    #[arg(long, env = "XUETANG_ISSUER", default_value = "嘉峰镇消防学堂")]
    pub issuer: String,
    /// Reload content when its files change (for authors; off in production).
    #[arg(long, env = "XUETANG_WATCH_CONTENT")]
    pub watch_content: bool,
    /// How often counted poster scans are written to the database, in
    /// milliseconds (and once more on shutdown).
    #[arg(long, env = "XUETANG_SCAN_FLUSH_MS", default_value_t = 1000)]
    pub scan_flush_ms: u64,
}

impl ServeConfig {
    /// The base URL without a trailing slash, for a given bound address
    /// (which differs from `addr` when port 0 was asked for).
    pub fn base_url_for(&self, bound: SocketAddr) -> String {
        match &self.base_url {
            Some(url) => url.trim_end_matches('/').to_string(),
            None => format!("http://{bound}"),
        }
    }
}
