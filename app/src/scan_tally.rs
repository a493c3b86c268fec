//! Poster scans counted in memory and written to `poster_scans` in one
//! transaction at a time (once a second by default, and on shutdown).
//!
//! One SQLite commit per scan held the poster URL to ~4,500 scans/s, a
//! fifteenth of the same page served statically (docs/BENCHMARKS.md). The
//! totals are statistics for officials, so a crash may lose the scans of
//! the last period; a failed write keeps them for the next one.

use crate::db::{self, Db};
use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

/// Scans not yet written, by poster and day (`YYYY-MM-DD`, Beijing time).
#[derive(Default)]
pub struct ScanTally {
    pending: Mutex<HashMap<(i64, String), i64>>,
    /// Held for a whole write, so a flush that returns has seen every scan
    /// counted before it began written, even those another flush took.
    writing: tokio::sync::Mutex<()>,
}

impl ScanTally {
    /// One more scan of `poster_id` on `day`.
    pub fn add(&self, poster_id: i64, day: String) {
        *self
            .pending
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .entry((poster_id, day))
            .or_default() += 1;
    }

    fn take(&self) -> HashMap<(i64, String), i64> {
        std::mem::take(&mut *self.pending.lock().unwrap_or_else(PoisonError::into_inner))
    }

    /// Puts back scans whose write failed, beside any counted since.
    fn restore(&self, scans: HashMap<(i64, String), i64>) {
        let mut pending = self.pending.lock().unwrap_or_else(PoisonError::into_inner);
        for (key, n) in scans {
            *pending.entry(key).or_default() += n;
        }
    }

    /// Writes every scan counted so far in one transaction; returns how
    /// many. On failure nothing is written and the scans stay pending.
    pub async fn flush(&self, db: &Db) -> Result<i64, sqlx::Error> {
        let _writing = self.writing.lock().await;
        let scans = self.take();
        if scans.is_empty() {
            return Ok(0);
        }
        match write(db, &scans).await {
            Ok(()) => Ok(scans.values().sum()),
            Err(error) => {
                self.restore(scans);
                Err(error)
            }
        }
    }

    /// Flushes every `period` until the process ends (the server flushes
    /// once more after its last request).
    pub async fn flush_every(&self, db: &Db, period: Duration) {
        let mut every = tokio::time::interval(period);
        every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            every.tick().await;
            if let Err(error) = self.flush(db).await {
                tracing::warn!(error = %error, "poster scans not written; kept for the next try");
            }
        }
    }
}

async fn write(db: &Db, scans: &HashMap<(i64, String), i64>) -> Result<(), sqlx::Error> {
    let mut tx = db::begin(db).await?;
    for ((poster_id, day), n) in scans {
        db::posters::add_scans(&mut tx, *poster_id, day, *n).await?;
    }
    tx.commit().await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scans_add_up_per_poster_and_day_and_survive_a_failed_write() {
        let tally = ScanTally::default();
        tally.add(1, "2026-11-29".into());
        tally.add(1, "2026-11-29".into());
        tally.add(2, "2026-11-29".into());
        tally.add(1, "2026-11-30".into());
        let taken = tally.take();
        assert_eq!(taken[&(1, "2026-11-29".into())], 2);
        assert_eq!(taken[&(2, "2026-11-29".into())], 1);
        assert_eq!(taken[&(1, "2026-11-30".into())], 1);
        assert!(tally.take().is_empty(), "taken scans are gone");
        // A scan arrives while the write fails; both are kept.
        tally.add(1, "2026-11-29".into());
        tally.restore(taken);
        let again = tally.take();
        assert_eq!(again[&(1, "2026-11-29".into())], 3);
        assert_eq!(again.values().sum::<i64>(), 5);
    }
}
