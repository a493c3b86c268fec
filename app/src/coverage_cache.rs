//! Coverage facts kept in memory between dashboard requests.
//!
//! Loading and indexing a province's facts takes seconds, so a scope's
//! [`Snapshot`] (indexed facts, names, and every figure computed from them
//! so far) is kept per database and scope and reused while the database's
//! coverage version (migration 0007: triggers on every table coverage reads)
//! is unchanged. Each request reads the version with one small query, so a
//! write from this process or any other shows on the next request.
//!
//! The version is read *before* the facts are loaded: a write that lands
//! during the load at worst makes the next request load again, never leaves
//! a stale snapshot in place.

use crate::coverage::{Counts, Facts, Indexed, Post, unit_counts};
use crate::db::Db;
use crate::db::coverage::{Names, Scope};
use crate::model::CoverageReport;
use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, LazyLock, Mutex, PoisonError};
use time::Date;

/// Snapshots kept at once, across databases and scopes (the least recently
/// used goes first); a province's is hundreds of megabytes.
const MAX_ENTRIES: usize = 16;

/// The database's coverage version: `epoch` is random per database (a
/// database recreated under the same URL starts over), `version` grows with
/// every committed write to a table coverage reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Version {
    pub epoch: i64,
    pub version: i64,
}

pub async fn version(db: &Db) -> Result<Version, sqlx::Error> {
    let (version, epoch): (i64, i64) = sqlx::query_as(
        "SELECT CAST(SUM(version) AS BIGINT), CAST(MAX(epoch) AS BIGINT) FROM coverage_version",
    )
    .fetch_one(db)
    .await?;
    Ok(Version { epoch, version })
}

/// What the report for one day is keyed by besides the scope: the name and
/// the region whose targets apply are part of the caller's request.
pub type ReportKey = (Date, i64, String);

/// One scope's facts at one version, and what has been computed from them.
pub struct Snapshot {
    pub version: Version,
    pub idx: Indexed,
    pub names: Names,
    /// Units each person holds an operator post in, for the expiry list.
    pub operator_units: HashMap<i64, Vec<i64>>,
    per_unit: Mutex<HashMap<Date, Arc<BTreeMap<i64, Counts>>>>,
    totals: Mutex<HashMap<Date, Counts>>,
    reports: Mutex<HashMap<ReportKey, Arc<CoverageReport>>>,
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Snapshot {
    pub fn new(version: Version, facts: Facts, names: Names) -> Snapshot {
        let mut operator_units: HashMap<i64, Vec<i64>> = HashMap::new();
        for m in facts
            .memberships
            .iter()
            .filter(|m| m.post == Post::Operator)
        {
            let units = operator_units.entry(m.person_id).or_default();
            if !units.contains(&m.unit_id) {
                units.push(m.unit_id);
            }
        }
        Snapshot {
            version,
            idx: facts.index(),
            names,
            operator_units,
            per_unit: Mutex::default(),
            totals: Mutex::default(),
            reports: Mutex::default(),
        }
    }

    /// Every unit's counts at `d`, computed once per snapshot. CPU-bound:
    /// call from a blocking thread for large scopes.
    pub fn unit_counts(&self, d: Date) -> Arc<BTreeMap<i64, Counts>> {
        if let Some(done) = lock(&self.per_unit).get(&d) {
            return Arc::clone(done);
        }
        let counts = Arc::new(unit_counts(&self.idx, d));
        lock(&self.totals).insert(d, counts.values().copied().sum());
        lock(&self.per_unit).insert(d, Arc::clone(&counts));
        counts
    }

    /// The scope's totals at each day, those not yet known computed on all
    /// cores (a province's 36 months are 36 passes over millions of people).
    pub fn totals(&self, days: &[Date]) -> Vec<Counts> {
        let missing: Vec<Date> = {
            let known = lock(&self.totals);
            let mut missing: Vec<Date> = days
                .iter()
                .copied()
                .filter(|d| !known.contains_key(d))
                .collect();
            missing.sort();
            missing.dedup();
            missing
        };
        if !missing.is_empty() {
            let threads = std::thread::available_parallelism()
                .map_or(1, |n| n.get())
                .min(missing.len());
            let chunk = missing.len().div_ceil(threads);
            let computed: Vec<(Date, Counts)> = std::thread::scope(|s| {
                let workers: Vec<_> = missing
                    .chunks(chunk)
                    .map(|days| {
                        s.spawn(move || {
                            days.iter()
                                .map(|d| (*d, unit_counts(&self.idx, *d).values().copied().sum()))
                                .collect::<Vec<_>>()
                        })
                    })
                    .collect();
                workers
                    .into_iter()
                    .flat_map(|w| w.join().unwrap_or_default())
                    .collect()
            });
            lock(&self.totals).extend(computed);
        }
        let known = lock(&self.totals);
        days.iter()
            .map(|d| known.get(d).copied().unwrap_or_default())
            .collect()
    }

    pub fn report(&self, key: &ReportKey) -> Option<Arc<CoverageReport>> {
        lock(&self.reports).get(key).cloned()
    }

    pub fn keep_report(&self, key: ReportKey, report: Arc<CoverageReport>) {
        lock(&self.reports).insert(key, report);
    }
}

/// Snapshots per database URL and scope. Keyed by URL rather than pool, so
/// every pool on one database (the server, the command line, a benchmark)
/// shares them; the version check makes that safe.
type Key = (String, Scope);

struct Slot {
    /// One loader at a time per scope: concurrent requests wait for it
    /// instead of loading the same province twice.
    current: tokio::sync::Mutex<Option<Arc<Snapshot>>>,
    last_used: Mutex<u64>,
}

#[derive(Default)]
struct Cache {
    slots: HashMap<Key, Arc<Slot>>,
    clock: u64,
}

static CACHE: LazyLock<Mutex<Cache>> = LazyLock::new(Mutex::default);

impl Cache {
    fn slot(&mut self, key: Key) -> Arc<Slot> {
        self.clock += 1;
        let now = self.clock;
        if !self.slots.contains_key(&key) && self.slots.len() >= MAX_ENTRIES {
            let oldest = self
                .slots
                .iter()
                .min_by_key(|(_, s)| *lock(&s.last_used))
                .map(|(k, _)| k.clone());
            if let Some(oldest) = oldest {
                self.slots.remove(&oldest);
            }
        }
        let slot = self.slots.entry(key).or_insert_with(|| {
            Arc::new(Slot {
                current: tokio::sync::Mutex::new(None),
                last_used: Mutex::new(now),
            })
        });
        *lock(&slot.last_used) = now;
        Arc::clone(slot)
    }
}

/// The scope's snapshot at the database's current version: the kept one
/// when nothing changed since it was loaded, else freshly loaded.
pub async fn snapshot(db: &Db, scope: Scope) -> Result<Arc<Snapshot>, sqlx::Error> {
    let key = (db.connect_options().database_url.to_string(), scope);
    let slot = lock(&CACHE).slot(key);
    let mut current = slot.current.lock().await;
    let now = version(db).await?;
    if let Some(kept) = current.as_ref().filter(|s| s.version == now) {
        return Ok(Arc::clone(kept));
    }
    // Drop the old one first: two provinces at once may not fit.
    *current = None;
    let (facts, names) = crate::db::coverage::load(db, scope).await?;
    let fresh = tokio::task::spawn_blocking(move || Arc::new(Snapshot::new(now, facts, names)))
        .await
        .map_err(|e| sqlx::Error::Protocol(format!("indexing coverage facts: {e}")))?;
    *current = Some(Arc::clone(&fresh));
    Ok(fresh)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::coverage::{Membership, Training, UnitFacts};
    use time::macros::date;

    fn facts(trained: bool) -> Facts {
        Facts {
            units: vec![UnitFacts {
                id: 1,
                region_id: 1,
                industry: "其他".into(),
                is_key_unit: false,
                is_public_gathering: false,
                has_control_room: false,
                linkage: false,
            }],
            memberships: vec![Membership {
                person_id: 7,
                unit_id: 1,
                post: Post::Other,
                start: date!(2024 - 01 - 01),
                end: None,
            }],
            credentials: vec![],
            trainings: if trained {
                vec![Training {
                    person_id: 7,
                    date: date!(2025 - 05 - 01),
                }]
            } else {
                vec![]
            },
            drills: vec![],
        }
    }

    const V1: Version = Version {
        epoch: 1,
        version: 1,
    };

    #[test]
    fn totals_match_the_engine_and_are_computed_once() {
        let s = Snapshot::new(V1, facts(true), Names::default());
        let days = [date!(2025 - 04 - 30), date!(2025 - 05 - 31)];
        let totals = s.totals(&days);
        assert_eq!(totals[0].annual.num, 0);
        assert_eq!(totals[1].annual.num, 1);
        assert_eq!(totals[1].annual.den, 1);
        // Asked again (and once more within the list): the same answers.
        assert_eq!(
            s.totals(&[days[1], days[0], days[1]]),
            vec![totals[1], totals[0], totals[1]]
        );
        let per_unit = s.unit_counts(days[1]);
        assert_eq!(per_unit[&1], totals[1]);
        assert!(Arc::ptr_eq(&per_unit, &s.unit_counts(days[1])));
    }

    #[test]
    fn a_new_version_is_a_new_snapshot_with_nothing_carried_over() {
        let old = Snapshot::new(V1, facts(false), Names::default());
        let d = date!(2025 - 05 - 31);
        assert_eq!(old.totals(&[d])[0].annual.num, 0);
        let key = (d, 1, "镇".to_string());
        old.keep_report(key.clone(), Arc::new(report()));
        let new = Snapshot::new(
            Version {
                epoch: 1,
                version: 2,
            },
            facts(true),
            Names::default(),
        );
        assert_ne!(old.version, new.version);
        assert_eq!(new.totals(&[d])[0].annual.num, 1);
        assert!(new.report(&key).is_none());
        assert!(old.report(&key).is_some());
    }

    fn report() -> CoverageReport {
        CoverageReport {
            scope_name: "镇".into(),
            as_of: "2025-05-31".into(),
            headlines: vec![],
            by_region: vec![],
            by_unit: vec![],
            by_industry: vec![],
            monthly: vec![],
            actions: Default::default(),
            charts: vec![],
        }
    }

    #[test]
    fn the_least_recently_used_slot_goes_first() {
        let mut cache = Cache::default();
        let key = |i: i64| ("sqlite://x".to_string(), Scope::Region(i));
        for i in 0..MAX_ENTRIES as i64 {
            cache.slot(key(i));
        }
        cache.slot(key(0));
        cache.slot(key(100));
        assert_eq!(cache.slots.len(), MAX_ENTRIES);
        assert!(cache.slots.contains_key(&key(0)));
        assert!(!cache.slots.contains_key(&key(1)));
        assert!(cache.slots.contains_key(&key(100)));
    }
}
