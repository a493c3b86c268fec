//! Structured logs with tracing. `RUST_LOG` filters (default `info`);
//! `XUETANG_LOG_FORMAT=json` switches to one JSON object per line.

use std::io::IsTerminal;
use tracing_subscriber::{EnvFilter, fmt};

pub fn init() {
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,tower_http=info"));
    let json = std::env::var("XUETANG_LOG_FORMAT").is_ok_and(|v| v == "json");
    let builder = fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal());
    // Ignore the error from a second init (tests start many apps in one process).
    let _ = if json {
        builder.json().try_init()
    } else {
        builder.try_init()
    };
}
