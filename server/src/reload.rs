//! Reloading `content/` while authors edit it (`--watch-content`). Polls the
//! newest modification time every two seconds; a valid new version replaces
//! the old one whole, an invalid one is reported and the old one kept.

use app::state::Site;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

pub fn newest_change(dir: &Path) -> Option<SystemTime> {
    let mut newest = std::fs::metadata(dir).and_then(|m| m.modified()).ok();
    for entry in std::fs::read_dir(dir).ok()?.filter_map(Result::ok) {
        let path = entry.path();
        let modified = if path.is_dir() {
            newest_change(&path)
        } else {
            entry.metadata().and_then(|m| m.modified()).ok()
        };
        newest = newest.max(modified);
    }
    newest
}

/// `seen` is the newest change at start-up, taken before the task is
/// spawned so that an edit made right after start-up is not missed.
pub async fn watch_content(dir: PathBuf, site: Arc<Site>, mut seen: Option<SystemTime>) {
    loop {
        tokio::time::sleep(Duration::from_secs(2)).await;
        let now = newest_change(&dir);
        if now == seen {
            continue;
        }
        seen = now;
        match app::content::load(&dir) {
            Ok(library) => {
                if let Ok(mut current) = site.library.write() {
                    *current = Arc::new(library);
                }
                tracing::info!("content reloaded");
            }
            Err(problems) => tracing::warn!("content not reloaded:\n{problems}"),
        }
    }
}
