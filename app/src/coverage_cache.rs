//! Coverage facts kept in memory between dashboard requests.
//!
//! Loading and indexing a province's facts takes seconds (about 11 s for 2 M
//! people on SQLite), so a scope's [`Snapshot`] (indexed facts, names, and
//! every figure computed from them so far) is kept per database and scope
//! and reused while the database's coverage version (migration 0007:
//! triggers on every table coverage reads) is unchanged. Each request reads
//! the version with one small query, so a write from this process or any
//! other is noticed on the next request.
//!
//! **Stale while revalidating.** One version covers the whole database, so
//! any write anywhere outdates every scope. When the kept snapshot is
//! outdated, the request starts one background reload for the scope (later
//! requests join it, never start a second) and waits for it at most
//! [`RELOAD_WAIT`]: a town reloads within that and is always served fresh;
//! a province is served its kept snapshot, marked outdated with the time it
//! was loaded, until the reload lands. A scope whose last load took ten
//! times the wait is not waited for at all: the wait could only add to the
//! answer's time, never make it fresh. With nothing kept (the first request
//! after a start) the request waits for the load. A failed reload is logged
//! and leaves the kept snapshot in place; the next request tries again.
//!
//! **Memory.** While a scope reloads, its old and new snapshots coexist: for
//! a province that is twice its hundreds of megabytes. Only those two are
//! held per scope (the kept one and the one loading), plus whatever
//! requests still computing on an older one hold until they finish.
//!
//! The version is read *before* the facts are loaded: a write that lands
//! during the load at worst makes the next request load again, never leaves
//! an outdated snapshot taken for current.

use crate::coverage::{Counts, Facts, Indexed, Post, unit_counts};
use crate::db::Db;
use crate::db::coverage::{Names, Scope};
use crate::model::CoverageReport;
use std::collections::{BTreeMap, HashMap};
use std::future::Future;
use std::sync::{Arc, LazyLock, Mutex, PoisonError};
use std::time::Duration;
use time::{Date, OffsetDateTime};
use tokio::sync::watch;

/// Snapshots kept at once, across databases and scopes (the least recently
/// used goes first); a province's is hundreds of megabytes.
const MAX_ENTRIES: usize = 16;

/// How long a request with an outdated snapshot waits for the reload before
/// it is served the outdated one: long enough for a town or a county, well
/// inside the dashboard's 200 ms budget.
pub const RELOAD_WAIT: Duration = Duration::from_millis(100);

/// A scope whose last load took this many times the wait is not waited for
/// (a province: seconds). Well above one, so a town whose load once ran a
/// little over the wait on a busy machine is still waited for.
const NOT_WORTH_WAITING: u32 = 10;

/// The database's coverage version: `epoch` is random per database (a
/// database recreated under the same URL starts over), `version` grows with
/// every committed write to a table coverage reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Version {
    pub epoch: i64,
    pub version: i64,
}

impl Version {
    /// Facts read at `self` include every write counted in `other`.
    fn covers(self, other: Version) -> bool {
        self.epoch == other.epoch && self.version >= other.version
    }
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
    /// When the facts were read (UTC).
    pub loaded_at: OffsetDateTime,
    pub idx: Indexed,
    pub names: Names,
    /// Units each person holds an operator post in, for the expiry list.
    pub operator_units: HashMap<i64, Vec<i64>>,
    per_unit: Mutex<HashMap<Date, Arc<BTreeMap<i64, Counts>>>>,
    totals: Mutex<HashMap<Date, Counts>>,
    reports: Mutex<HashMap<ReportKey, Arc<tokio::sync::OnceCell<Arc<CoverageReport>>>>>,
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
            loaded_at: OffsetDateTime::now_utc(),
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

    /// The report for `key` if it has been computed.
    pub fn report(&self, key: &ReportKey) -> Option<Arc<CoverageReport>> {
        lock(&self.reports).get(key)?.get().cloned()
    }

    /// The report for `key`, computed by `compute` unless it is known. One
    /// computation per key at a time: a visitor arriving while the
    /// background preparation (or another visitor) computes a province's
    /// report waits for that one instead of computing a second copy.
    pub async fn report_or_compute<E, F>(
        &self,
        key: ReportKey,
        compute: impl FnOnce() -> F,
    ) -> Result<Arc<CoverageReport>, E>
    where
        F: Future<Output = Result<CoverageReport, E>>,
    {
        let cell = Arc::clone(lock(&self.reports).entry(key).or_default());
        cell.get_or_try_init(|| async { compute().await.map(Arc::new) })
            .await
            .cloned()
    }
}

/// Snapshots per database URL and scope. Keyed by URL rather than pool, so
/// every pool on one database (the server, the command line, a benchmark)
/// shares them; the version check makes that safe.
type Key = (String, Scope);

/// What a finished load hands to the requests waiting for it.
type Outcome = Result<Arc<Snapshot>, Arc<sqlx::Error>>;

#[derive(Default)]
struct Held {
    kept: Option<Arc<Snapshot>>,
    /// The load under way (at most one per scope) and its number, so a
    /// finished load clears only itself.
    loading: Option<(u64, watch::Receiver<Option<Outcome>>)>,
    loads: u64,
    /// How long the last successful load took.
    last_load: Option<Duration>,
}

#[derive(Default)]
struct Slot {
    held: Mutex<Held>,
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
        let slot = self.slots.entry(key).or_default();
        *lock(&slot.last_used) = now;
        Arc::clone(slot)
    }
}

/// What a request gets: a snapshot, and whether it includes every write
/// the request could see.
pub struct Served {
    pub snapshot: Arc<Snapshot>,
    /// False: a newer version is loading in the background and this is the
    /// kept snapshot, as of `snapshot.loaded_at`.
    pub current: bool,
}

/// The scope's snapshot: the kept one when nothing changed since it was
/// loaded, else the reload if it lands within [`RELOAD_WAIT`], else the
/// kept one marked outdated (see the module comment).
pub async fn snapshot(db: &Db, scope: Scope) -> Result<Served, sqlx::Error> {
    snapshot_then(db, scope, |_| async {}).await
}

/// [`snapshot`], and a load this request starts that no request waits for
/// (the scope is slow; the kept snapshot is served meanwhile) then runs
/// `prepare` on the new snapshot in the background, to compute what the
/// next request will ask of it. A request that waits for the load computes
/// that itself.
pub async fn snapshot_then<P, F>(db: &Db, scope: Scope, prepare: P) -> Result<Served, sqlx::Error>
where
    P: Fn(Arc<Snapshot>) -> F + Clone + Send + 'static,
    F: Future<Output = ()> + Send + 'static,
{
    let key = (db.connect_options().database_url.to_string(), scope);
    let slot = lock(&CACHE).slot(key);
    let now = version(db).await?;
    let db = db.clone();
    serve(&slot, now, RELOAD_WAIT, move |unattended| {
        prepared(load(db.clone(), scope, now), prepare.clone(), unattended)
    })
    .await
}

/// `load`, then, if `unattended`, `prepare` started on what it loaded. The
/// facts are served at once, not after `prepare`: whoever asks before it is
/// done computes for themselves.
async fn prepared<P, F>(
    load: impl Future<Output = Result<Snapshot, sqlx::Error>>,
    prepare: P,
    unattended: bool,
) -> Result<Arc<Snapshot>, sqlx::Error>
where
    P: Fn(Arc<Snapshot>) -> F,
    F: Future<Output = ()> + Send + 'static,
{
    let fresh = Arc::new(load.await?);
    if unattended {
        tokio::spawn(prepare(Arc::clone(&fresh)));
    }
    Ok(fresh)
}

async fn load(db: Db, scope: Scope, version: Version) -> Result<Snapshot, sqlx::Error> {
    let started = std::time::Instant::now();
    let (facts, names) = crate::db::coverage::load(&db, scope).await?;
    // Already on a blocking-pool thread (`start`): index in place.
    let fresh = Snapshot::new(version, facts, names);
    tracing::info!(
        ?scope,
        ms = started.elapsed().as_millis() as u64,
        "coverage facts loaded"
    );
    Ok(fresh)
}

/// [`snapshot`] for one slot, with the wait and the loader as parameters.
/// `load` is called only to start a load, never while one is under way,
/// and told whether no request will wait for it.
async fn serve<F>(
    slot: &Arc<Slot>,
    now: Version,
    wait: Duration,
    load: impl Fn(bool) -> F,
) -> Result<Served, sqlx::Error>
where
    F: Future<Output = Result<Arc<Snapshot>, sqlx::Error>> + Send + 'static,
{
    let deadline = tokio::time::Instant::now() + wait;
    loop {
        let (kept, mut done) = {
            let mut held = lock(&slot.held);
            if let Some(kept) = held.kept.as_ref().filter(|s| s.version.covers(now)) {
                return Ok(Served {
                    snapshot: Arc::clone(kept),
                    current: true,
                });
            }
            let unattended = held.kept.is_some()
                && held
                    .last_load
                    .is_some_and(|took| took > wait * NOT_WORTH_WAITING);
            let done = match &held.loading {
                Some((_, done)) => done.clone(),
                None => start(slot, &mut held, load(unattended)),
            };
            if unattended && let Some(kept) = &held.kept {
                return Ok(Served {
                    snapshot: Arc::clone(kept),
                    current: false,
                });
            }
            (held.kept.clone(), done)
        };
        let Some(kept) = kept else {
            // Nothing to show meanwhile: wait for the load, however long.
            match outcome(&mut done).await? {
                fresh if fresh.version.covers(now) => {
                    return Ok(Served {
                        snapshot: fresh,
                        current: true,
                    });
                }
                // Loaded before this request's version: it is kept now, so
                // the next round serves it or a newer one within the wait.
                _ => continue,
            }
        };
        match tokio::time::timeout_at(deadline, outcome(&mut done)).await {
            Ok(Ok(fresh)) if fresh.version.covers(now) => {
                return Ok(Served {
                    snapshot: fresh,
                    current: true,
                });
            }
            Ok(Ok(_)) => continue,
            // Still loading, or failed (logged; the next request tries again).
            Ok(Err(_)) | Err(_) => {
                return Ok(Served {
                    snapshot: kept,
                    current: false,
                });
            }
        }
    }
}

/// Starts `load` in the background as the slot's one load under way.
fn start<F>(slot: &Arc<Slot>, held: &mut Held, load: F) -> watch::Receiver<Option<Outcome>>
where
    F: Future<Output = Result<Arc<Snapshot>, sqlx::Error>> + Send + 'static,
{
    held.loads += 1;
    let (done, waiting) = watch::channel(None);
    held.loading = Some((held.loads, waiting.clone()));
    let reload = Reload {
        slot: Arc::clone(slot),
        number: held.loads,
        done,
    };
    // On a blocking-pool thread, not an async worker: a load turns
    // hundreds of thousands of rows into facts between its awaits, and on
    // a worker that stalls the tasks queued behind it — a request waiting
    // 100 ms for this very load was answered after 220–350 ms (PostgreSQL,
    // 100 k province).
    let runtime = tokio::runtime::Handle::current();
    tokio::task::spawn_blocking(move || {
        let started = std::time::Instant::now();
        let outcome = runtime.block_on(load).map_err(Arc::new);
        reload.finish(outcome, started.elapsed());
    });
    waiting
}

/// What a load ends with, as its waiters see it.
async fn outcome(
    done: &mut watch::Receiver<Option<Outcome>>,
) -> Result<Arc<Snapshot>, sqlx::Error> {
    let stopped = || sqlx::Error::Protocol("loading coverage facts stopped".into());
    let seen = done
        .wait_for(Option::is_some)
        .await
        .map_err(|_| stopped())?;
    match &*seen {
        Some(Ok(fresh)) => Ok(Arc::clone(fresh)),
        Some(Err(e)) => Err(sqlx::Error::Protocol(format!(
            "loading coverage facts: {e}"
        ))),
        None => Err(stopped()),
    }
}

/// A load under way. Dropped without finishing (the loader panicked, the
/// runtime shut down) it still frees the slot, so the next request loads
/// again instead of waiting for nothing.
struct Reload {
    slot: Arc<Slot>,
    number: u64,
    done: watch::Sender<Option<Outcome>>,
}

impl Reload {
    fn release(&self, held: &mut Held) {
        if held
            .loading
            .as_ref()
            .is_some_and(|(n, _)| *n == self.number)
        {
            held.loading = None;
        }
    }

    fn finish(self, outcome: Outcome, took: Duration) {
        {
            let mut held = lock(&self.slot.held);
            match &outcome {
                Ok(fresh) => {
                    held.kept = Some(Arc::clone(fresh));
                    held.last_load = Some(took);
                }
                Err(e) => tracing::warn!(
                    error = %e,
                    "loading coverage facts failed; the kept snapshot stays"
                ),
            }
            // Before waking the waiters, so they find the slot settled.
            self.release(&mut held);
        }
        self.done.send_replace(Some(outcome));
    }
}

impl Drop for Reload {
    fn drop(&mut self) {
        self.release(&mut lock(&self.slot.held));
    }
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

    #[tokio::test]
    async fn a_new_version_is_a_new_snapshot_with_nothing_carried_over() {
        let old = Snapshot::new(V1, facts(false), Names::default());
        let d = date!(2025 - 05 - 31);
        assert_eq!(old.totals(&[d])[0].annual.num, 0);
        let key = (d, 1, "镇".to_string());
        keep_report(&old, key.clone()).await;
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

    async fn keep_report(snapshot: &Snapshot, key: ReportKey) {
        let kept = snapshot
            .report_or_compute(key, || async { Ok::<_, ()>(report()) })
            .await;
        assert!(kept.is_ok());
    }

    #[tokio::test]
    async fn a_report_being_computed_is_waited_for_not_computed_again() {
        let s = Snapshot::new(V1, facts(false), Names::default());
        let key = (date!(2025 - 05 - 31), 1, "镇".to_string());
        let computed = counter();
        let compute = |release: Option<tokio::sync::oneshot::Receiver<()>>| {
            let computed = Arc::clone(&computed);
            move || async move {
                computed.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                if let Some(release) = release {
                    release.await.ok();
                }
                Ok::<_, ()>(report())
            }
        };
        let (release, held) = tokio::sync::oneshot::channel();
        // The first computation holds until both callers are in.
        let (first, second, ()) = tokio::join!(
            s.report_or_compute(key.clone(), compute(Some(held))),
            s.report_or_compute(key.clone(), compute(None)),
            async {
                tokio::task::yield_now().await;
                release.send(()).unwrap();
            }
        );
        assert_eq!(calls(&computed), 1, "the second caller waited");
        assert!(Arc::ptr_eq(&first.unwrap(), &second.unwrap()));
        assert!(s.report(&key).is_some());
    }

    #[tokio::test]
    async fn a_failed_report_is_not_kept_and_the_next_caller_computes_it() {
        let s = Snapshot::new(V1, facts(false), Names::default());
        let key = (date!(2025 - 05 - 31), 1, "镇".to_string());
        let failed = s
            .report_or_compute(key.clone(), || async {
                Err::<CoverageReport, _>("database")
            })
            .await;
        assert_eq!(failed.unwrap_err(), "database");
        assert!(s.report(&key).is_none());
        keep_report(&s, key.clone()).await;
        assert!(s.report(&key).is_some());
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
            loaded_at: 0,
            outdated: false,
        }
    }

    const V2: Version = Version {
        epoch: 1,
        version: 2,
    };

    fn kept(version: Version) -> Arc<Slot> {
        let slot = Arc::new(Slot::default());
        lock(&slot.held).kept = Some(Arc::new(Snapshot::new(
            version,
            facts(false),
            Names::default(),
        )));
        slot
    }

    /// A loader that counts its calls and, unless `fail` says otherwise for
    /// that call, loads V2 once `gate` lets it.
    fn loader(
        gate: &Arc<tokio::sync::Semaphore>,
        calls: &Arc<std::sync::atomic::AtomicUsize>,
        fail: fn(usize) -> bool,
    ) -> impl Fn(
        bool,
    ) -> std::pin::Pin<
        Box<dyn Future<Output = Result<Arc<Snapshot>, sqlx::Error>> + Send + 'static>,
    > + use<> {
        let (gate, calls) = (Arc::clone(gate), Arc::clone(calls));
        move |_| {
            let call = calls.fetch_add(1, std::sync::atomic::Ordering::SeqCst) + 1;
            let gate = Arc::clone(&gate);
            Box::pin(async move {
                gate.acquire().await.expect("gate open").forget();
                if fail(call) {
                    return Err(sqlx::Error::Protocol("database gone".into()));
                }
                Ok(Arc::new(Snapshot::new(V2, facts(true), Names::default())))
            })
        }
    }

    fn open() -> Arc<tokio::sync::Semaphore> {
        Arc::new(tokio::sync::Semaphore::new(1000))
    }

    fn closed() -> Arc<tokio::sync::Semaphore> {
        Arc::new(tokio::sync::Semaphore::new(0))
    }

    fn counter() -> Arc<std::sync::atomic::AtomicUsize> {
        Arc::default()
    }

    fn calls(c: &Arc<std::sync::atomic::AtomicUsize>) -> usize {
        c.load(std::sync::atomic::Ordering::SeqCst)
    }

    const NO_WAIT: Duration = Duration::ZERO;
    const LONG: Duration = Duration::from_secs(30);

    #[tokio::test]
    async fn a_current_snapshot_is_served_without_loading() {
        let slot = kept(V2);
        let n = counter();
        let served = serve(&slot, V1, NO_WAIT, loader(&open(), &n, |_| false))
            .await
            .unwrap();
        assert!(served.current, "V2 includes every write V1 counts");
        assert_eq!(served.snapshot.version, V2);
        assert_eq!(calls(&n), 0);
    }

    #[tokio::test]
    async fn the_first_request_waits_for_the_load_however_long() {
        let slot = Arc::new(Slot::default());
        let (gate, n) = (closed(), counter());
        let release = {
            let gate = Arc::clone(&gate);
            tokio::spawn(async move {
                tokio::time::sleep(Duration::from_millis(50)).await;
                gate.add_permits(1);
            })
        };
        let served = serve(&slot, V2, NO_WAIT, loader(&gate, &n, |_| false))
            .await
            .unwrap();
        assert!(served.current);
        assert_eq!(served.snapshot.version, V2);
        assert_eq!(calls(&n), 1);
        release.await.unwrap();
    }

    #[tokio::test]
    async fn a_reload_within_the_wait_is_served_fresh() {
        let slot = kept(V1);
        let n = counter();
        let served = serve(&slot, V2, LONG, loader(&open(), &n, |_| false))
            .await
            .unwrap();
        assert!(served.current);
        assert_eq!(served.snapshot.version, V2);
        assert_eq!(
            served.snapshot.totals(&[date!(2025 - 05 - 31)])[0]
                .annual
                .num,
            1
        );
    }

    #[tokio::test]
    async fn a_slow_reload_serves_the_kept_snapshot_and_runs_once() {
        let slot = kept(V1);
        let loaded_at = lock(&slot.held).kept.as_ref().unwrap().loaded_at;
        let (gate, n) = (closed(), counter());
        let load = loader(&gate, &n, |_| false);
        for _ in 0..3 {
            let served = serve(&slot, V2, NO_WAIT, &load).await.unwrap();
            assert!(!served.current);
            assert_eq!(served.snapshot.version, V1);
            assert_eq!(served.snapshot.loaded_at, loaded_at);
        }
        assert_eq!(calls(&n), 1, "later requests join the reload under way");
        gate.add_permits(1);
        let served = serve(&slot, V2, LONG, &load).await.unwrap();
        assert!(served.current);
        assert_eq!(served.snapshot.version, V2);
        assert_eq!(calls(&n), 1);
        // And from now on it is the kept one.
        let again = serve(&slot, V2, NO_WAIT, &load).await.unwrap();
        assert!(again.current && Arc::ptr_eq(&again.snapshot, &served.snapshot));
        assert!(lock(&slot.held).loading.is_none());
    }

    #[tokio::test]
    async fn a_scope_that_loads_slower_than_the_wait_is_not_waited_for() {
        let slot = kept(V1);
        lock(&slot.held).last_load = Some(LONG * NOT_WORTH_WAITING + Duration::from_secs(1));
        let (gate, n) = (closed(), counter());
        let load = loader(&gate, &n, |_| false);
        // Within a wait of LONG the reload could land (the gate opens after
        // 50 ms), but the last load took longer than LONG: served at once.
        let release = {
            let gate = Arc::clone(&gate);
            tokio::spawn(async move {
                tokio::time::sleep(Duration::from_millis(50)).await;
                gate.add_permits(1);
            })
        };
        let served = serve(&slot, V2, LONG, &load).await.unwrap();
        assert!(
            !served.current,
            "had it waited, the reload would have landed"
        );
        assert_eq!(served.snapshot.version, V1);
        assert_eq!(calls(&n), 1, "the reload started all the same");
        release.await.unwrap();
        // Once it lands it is served fresh, and this load was quick: the
        // next outdated request waits for its reload again.
        let mut done = lock(&slot.held).loading.as_ref().map(|(_, d)| d.clone());
        if let Some(done) = done.as_mut() {
            outcome(done).await.unwrap();
        }
        let served = serve(&slot, V2, NO_WAIT, &load).await.unwrap();
        assert!(served.current);
        assert!(lock(&slot.held).last_load.is_some_and(|took| took < LONG));
    }

    #[tokio::test]
    async fn only_a_reload_no_one_waits_for_is_prepared_in_the_background() {
        let key = (date!(2025 - 05 - 31), 1, "镇".to_string());
        let prepares = counter();
        let done = Arc::new(tokio::sync::Notify::new());
        let load = {
            let (key, prepares, done) = (key.clone(), Arc::clone(&prepares), Arc::clone(&done));
            move |unattended| {
                let (key, prepares, done) = (key.clone(), Arc::clone(&prepares), Arc::clone(&done));
                prepared(
                    async { Ok(Snapshot::new(V2, facts(true), Names::default())) },
                    move |fresh: Arc<Snapshot>| {
                        let (key, prepares, done) =
                            (key.clone(), Arc::clone(&prepares), Arc::clone(&done));
                        async move {
                            prepares.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                            keep_report(&fresh, key).await;
                            done.notify_one();
                        }
                    },
                    unattended,
                )
            }
        };
        // A quick scope: the request waits for the reload and computes its
        // own report; nothing is prepared.
        let quick = kept(V1);
        let served = serve(&quick, V2, LONG, &load).await.unwrap();
        assert!(served.current);
        tokio::task::yield_now().await;
        assert_eq!(calls(&prepares), 0);
        // A slow one: served the kept snapshot; the reload prepares.
        let slow = kept(V1);
        lock(&slow.held).last_load = Some(LONG * NOT_WORTH_WAITING + Duration::from_secs(1));
        let served = serve(&slow, V2, LONG, &load).await.unwrap();
        assert!(!served.current);
        done.notified().await;
        assert_eq!(calls(&prepares), 1);
        // The preparation starts as soon as the facts are loaded, so it can
        // end before the reload has put them in the slot.
        let loading = lock(&slow.held).loading.as_ref().map(|(_, d)| d.clone());
        if let Some(mut loading) = loading {
            outcome(&mut loading).await.unwrap();
        }
        let fresh = lock(&slow.held).kept.clone().unwrap();
        assert_eq!(fresh.version, V2);
        assert!(
            fresh.report(&key).is_some(),
            "prepared without anyone asking"
        );
    }

    #[tokio::test]
    async fn a_failed_reload_keeps_the_old_snapshot_and_the_next_request_retries() {
        let slot = kept(V1);
        let n = counter();
        let load = loader(&open(), &n, |call| call == 1);
        let served = serve(&slot, V2, LONG, &load).await.unwrap();
        assert!(!served.current, "the reload failed: the kept one, outdated");
        assert_eq!(served.snapshot.version, V1);
        assert_eq!(calls(&n), 1);
        assert!(lock(&slot.held).loading.is_none(), "the slot is free again");
        let served = serve(&slot, V2, LONG, &load).await.unwrap();
        assert!(served.current);
        assert_eq!(served.snapshot.version, V2);
        assert_eq!(calls(&n), 2);
    }

    #[tokio::test]
    async fn a_failed_first_load_is_an_error_and_the_next_request_retries() {
        let slot = Arc::new(Slot::default());
        let n = counter();
        let load = loader(&open(), &n, |call| call == 1);
        assert!(serve(&slot, V2, NO_WAIT, &load).await.is_err());
        let served = serve(&slot, V2, NO_WAIT, &load).await.unwrap();
        assert!(served.current);
        assert_eq!(calls(&n), 2);
    }

    #[tokio::test]
    async fn a_panicking_loader_does_not_wedge_the_slot() {
        let slot = kept(V1);
        let n = counter();
        let panicking = |_| async {
            assert!(std::hint::black_box(false), "the loader panicked");
            Ok::<_, sqlx::Error>(Arc::new(Snapshot::new(V2, facts(true), Names::default())))
        };
        let served = serve(&slot, V2, LONG, panicking).await.unwrap();
        assert!(!served.current);
        assert!(lock(&slot.held).loading.is_none());
        let served = serve(&slot, V2, LONG, loader(&open(), &n, |_| false))
            .await
            .unwrap();
        assert!(served.current);
        assert_eq!(calls(&n), 1);
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
