//! A history for the demo town (示例数据) since 2024-01-01, so the coverage
//! dashboards tell a story on a fresh install: operators gaining credentials
//! (持证上岗率 about 40 % in early 2024, past 85 % by the end of 2024, about
//! 90 % now, with villages far apart), offline training and drills with a
//! few units lapsing, platform certificates, and people leaving and taking
//! up posts.
//!
//! [`plan`] is a pure function of the seeded town and `today`: a fixed-seed
//! PRNG, fixed calendar dates except the few that must be relative to today
//! (credentials expiring soon, "last 12 months"), and nothing dated after
//! today. [`apply`] writes the plan once, in one transaction, every row
//! marked `is_demo = 1`; it does nothing when demo sessions exist already.

use anyhow::Context;
use app::db::Db;
use app::domain::Post;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::path::{Path, PathBuf};
use time::macros::date;
use time::{Date, Duration};

/// Fixes every random choice: the same town and day give the same history.
const SEED: u64 = 0x7875_6574_616e_6721;

/// Days the story is measured on (besides today).
const EARLY_2024: Date = date!(2024 - 03 - 31);
const END_2024: Date = date!(2024 - 12 - 31);
/// The first day a platform certificate can carry.
const PLATFORM_LIVE: Date = date!(2024 - 01 - 15);
/// When units began registering their operators' credentials.
const REGISTRATION_OPENS: Date = date!(2024 - 01 - 08);

/// Share of operators qualified on [`EARLY_2024`] and [`END_2024`], in
/// percent of those in post that day.
const EARLY_2024_PERCENT: usize = 40;
const END_2024_PERCENT: usize = 87;
/// Share of operators without a qualifying credential today in the
/// villages that lag behind.
const LAGGING_PERCENT: usize = 30;

const ISSUERS: [&str; 2] = ["晋城市人力资源和社会保障局", "山西省人力资源和社会保障厅"];

const INDUCTION: &str = "employee-induction";
const OPERATOR_COURSE: &str = "control-room-operator";
const MANAGER_COURSE: &str = "safety-manager";
const ONE_OFF_COURSES: [&str; 2] = ["sanqing-sanguan", "escape-and-119"];

/// splitmix64: tiny, fast and good enough to scatter demo dates.
#[derive(Clone, Debug)]
struct Rng(u64);

/// One stream per part of the plan, so changing how one part draws does not
/// reshuffle the others.
#[derive(Clone, Copy)]
enum Stream {
    Posts = 1,
    Credentials = 2,
    Sessions = 3,
    Certificates = 4,
}

impl Rng {
    fn new(stream: Stream) -> Rng {
        Rng(SEED ^ (stream as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15))
    }

    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// `0..n` (0 when `n` is 0); the modulo bias is irrelevant at these sizes.
    fn below(&mut self, n: u64) -> u64 {
        if n == 0 { 0 } else { self.next_u64() % n }
    }

    fn percent(&mut self, p: u64) -> bool {
        self.below(100) < p
    }

    /// A day in `from..=to`; `from` when the range is empty.
    fn day_in(&mut self, from: Date, to: Date) -> Date {
        let span = (to - from).whole_days();
        if span <= 0 {
            return from;
        }
        from + Duration::days(self.below(span as u64 + 1) as i64)
    }

    fn days(&mut self, from: i64, to: i64) -> Duration {
        Duration::days(from + self.below((to - from).max(0) as u64 + 1) as i64)
    }

    fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            let j = self.below(i as u64 + 1) as usize;
            items.swap(i, j);
        }
    }
}

/// A unit as the plan needs it.
#[derive(Clone, Debug)]
pub struct Unit {
    pub id: i64,
    pub region_id: i64,
    /// In a village rather than hanging on the town itself (镇直单位).
    pub in_village: bool,
    pub industry: String,
    pub key_unit: bool,
    pub public_gathering: bool,
    pub control_room: bool,
    pub linkage: bool,
    /// The person holding a unit-admin grant for it, if any.
    pub admin: Option<i64>,
}

/// A post held from `start` through `end` (inclusive).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Member {
    /// `None` for a post this history adds.
    pub id: Option<i64>,
    pub person_id: i64,
    pub unit_id: i64,
    pub post: Post,
    pub start: Date,
    pub end: Option<Date>,
}

impl Member {
    fn active_on(&self, d: Date) -> bool {
        self.start <= d && self.end.is_none_or(|e| d <= e)
    }
}

/// The seeded town the history is planned for.
#[derive(Clone, Debug, Default)]
pub struct Town {
    pub units: Vec<Unit>,
    pub members: Vec<Member>,
    /// People with a login. Their posts stay as seeded and they earn their
    /// own platform certificates, so the demo walkthrough starts clean.
    pub protected: BTreeSet<i64>,
    /// Who checks credentials: the town's region admin, if any.
    pub checker: Option<i64>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PlannedCredential {
    pub person_id: i64,
    pub unit_id: i64,
    /// 5 = 五级 … 1 = 一级.
    pub level: u8,
    pub number: String,
    pub issuer: &'static str,
    pub issued: Date,
    pub expires: Option<Date>,
    pub registered: Date,
    /// `None` while it awaits an official's check.
    pub checked: Option<Date>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Training,
    Drill,
}

impl Kind {
    pub fn code(self) -> &'static str {
        match self {
            Kind::Training => "training",
            Kind::Drill => "drill",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PlannedSession {
    pub unit_id: i64,
    pub kind: Kind,
    pub held_on: Date,
    pub topic: &'static str,
    /// Ascending person ids.
    pub attendees: Vec<i64>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PlannedCertificate {
    pub person_id: i64,
    /// A course slug; title and validity come from the content library.
    pub course: &'static str,
    pub issued: Date,
}

/// Everything the history adds, in the order it is written.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Plan {
    /// Seeded posts that end: (membership id, last day in post).
    pub ended: Vec<(i64, Date)>,
    pub added: Vec<Member>,
    pub credentials: Vec<PlannedCredential>,
    pub sessions: Vec<PlannedSession>,
    /// Ordered by issue day, so serials and supersession follow the calendar.
    pub certificates: Vec<PlannedCertificate>,
}

/// What [`apply`] wrote, for the `seed` command's output.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct HistoryAdded {
    pub credentials: u64,
    pub trainings: u64,
    pub drills: u64,
    pub attendances: u64,
    pub certificates: u64,
    pub posts_ended: u64,
    pub posts_added: u64,
}

impl fmt::Display for HistoryAdded {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "demo history: added {} credentials, {} training sessions, {} drills, {} attendances, \
             {} certificates, {} posts started, {} posts ended",
            self.credentials,
            self.trainings,
            self.drills,
            self.attendances,
            self.certificates,
            self.posts_added,
            self.posts_ended
        )
    }
}

/// A course's title and validity as the content library has them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CourseInfo {
    pub slug: String,
    pub title: String,
    pub validity_months: i64,
}

/// Where the seed reads course titles: `XUETANG_CONTENT_DIR` as for the
/// other subcommands, else the `content` folder next to the seeds folder.
pub fn content_dir(seeds_dir: &Path) -> PathBuf {
    std::env::var_os("XUETANG_CONTENT_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| seeds_dir.join("..").join("content"))
}

/// Titles and validity of every course in `dir`.
pub fn courses(dir: &Path) -> anyhow::Result<Vec<CourseInfo>> {
    let library = app::content::load(dir).map_err(|problems| {
        anyhow::anyhow!(
            "reading course titles for the demo history from {}:\n{problems}",
            dir.display()
        )
    })?;
    Ok(library
        .courses
        .iter()
        .map(|c| CourseInfo {
            slug: c.slug.clone(),
            title: c.title.clone(),
            validity_months: c.validity_months,
        })
        .collect())
}

// ---------------------------------------------------------------------------
// Planning
// ---------------------------------------------------------------------------

/// What the posts step decided, for the later steps.
#[derive(Debug, Default)]
struct Story {
    /// Regions whose operators are all qualified today.
    leading: Vec<i64>,
    /// Regions that lag behind, smallest first.
    lagging: Vec<i64>,
    /// Operators who handed the control room over in 2025 and stayed on as
    /// staff; the first never held a credential.
    rotated: Vec<i64>,
    /// An employee who became an operator in a leading region, credential
    /// in hand and trained on the platform first (岗前培训).
    promoted_ready: Option<i64>,
    /// One who became an operator in a lagging region; the credential is
    /// registered but not yet checked, and no training came first.
    promoted_pending: Option<i64>,
    /// Moved to another unit: the first trained before starting, the
    /// second did not.
    transferred: Vec<i64>,
}

/// The history for `town`, as of `today`. Pure and deterministic.
pub fn plan(town: &Town, today: Date) -> Plan {
    let mut members = town.members.clone();
    let mut ended = Vec::new();
    let story = plan_posts(town, &mut members, &mut ended, today);
    let added: Vec<Member> = members.iter().filter(|m| m.id.is_none()).cloned().collect();
    let credentials = plan_credentials(town, &members, &story, today);
    let sessions = plan_sessions(town, &members, today);
    let certificates = plan_certificates(town, &members, &story, today);
    Plan {
        ended,
        added,
        credentials,
        sessions,
        certificates,
    }
}

fn units_by_id(town: &Town) -> BTreeMap<i64, &Unit> {
    town.units.iter().map(|u| (u.id, u)).collect()
}

fn posts_of(members: &[Member]) -> BTreeMap<i64, usize> {
    let mut n = BTreeMap::new();
    for m in members {
        *n.entry(m.person_id).or_insert(0) += 1;
    }
    n
}

/// Ranks regions by operators in post today: the two largest lead (every
/// operator qualified), the rest lag. The largest must lead for the town's
/// rate to reach about 90 % while two groups stay at 60–80 %.
fn rank_regions(town: &Town, members: &[Member], today: Date) -> (Vec<i64>, Vec<i64>) {
    let units = units_by_id(town);
    let mut operators: BTreeMap<i64, BTreeSet<(i64, i64)>> = BTreeMap::new();
    for m in members {
        if m.post == Post::ControlRoomOperator
            && m.active_on(today)
            && let Some(u) = units.get(&m.unit_id)
        {
            operators
                .entry(u.region_id)
                .or_default()
                .insert((m.person_id, m.unit_id));
        }
    }
    let mut ranked: Vec<(i64, usize)> = operators.into_iter().map(|(r, s)| (r, s.len())).collect();
    ranked.sort_by_key(|&(region, n)| (std::cmp::Reverse(n), region));
    let leading = if ranked.len() >= 3 {
        2
    } else {
        ranked.len().min(1)
    };
    let mut lagging: Vec<(i64, usize)> = ranked.split_off(leading);
    lagging.sort_by_key(|&(region, n)| (n, region));
    (
        ranked.into_iter().map(|(r, _)| r).collect(),
        lagging.into_iter().map(|(r, _)| r).collect(),
    )
}

/// Ends and adds posts. Only village units without a unit admin change:
/// the town-level units and the hotel keep the rosters the README and the
/// demo logins show.
fn plan_posts(
    town: &Town,
    members: &mut Vec<Member>,
    ended: &mut Vec<(i64, Date)>,
    today: Date,
) -> Story {
    let mut rng = Rng::new(Stream::Posts);
    let units = units_by_id(town);
    let (leading, lagging) = rank_regions(town, members, today);
    let mut story = Story {
        leading,
        lagging,
        ..Story::default()
    };
    let posts = posts_of(members);
    let mut used: BTreeSet<i64> = BTreeSet::new();

    // Indices of seeded employees who may change post, by a filter.
    let candidates =
        |members: &[Member], used: &BTreeSet<i64>, ok: &dyn Fn(&Member, &Unit) -> bool| {
            members
                .iter()
                .enumerate()
                .filter(|(_, m)| {
                    m.id.is_some()
                        && m.post == Post::Employee
                        && m.end.is_none()
                        && m.start < today
                        && !town.protected.contains(&m.person_id)
                        && posts.get(&m.person_id) == Some(&1)
                        && !used.contains(&m.person_id)
                })
                .filter(|(_, m)| {
                    units
                        .get(&m.unit_id)
                        .is_some_and(|u| u.in_village && u.admin.is_none() && ok(m, u))
                })
                .map(|(i, _)| i)
                .collect::<Vec<usize>>()
        };

    // Two long-serving employees who also kept the control room until 2025,
    // in different units where possible.
    let mut rotated = candidates(members, &used, &|m, u| {
        u.control_room && m.start <= date!(2021 - 12 - 31)
    });
    rng.shuffle(&mut rotated);
    let mut rotated_units = BTreeSet::new();
    let mut picked = Vec::new();
    for &i in &rotated {
        if picked.len() < 2 && rotated_units.insert(members[i].unit_id) {
            picked.push(i);
        }
    }
    for &i in &rotated {
        if picked.len() < 2 && !picked.contains(&i) {
            picked.push(i);
        }
    }
    for i in picked {
        let seat = &members[i];
        let start = rng.day_in(seat.start.max(date!(2019 - 03 - 01)), date!(2022 - 06 - 30));
        let end = rng.day_in(date!(2025 - 01 - 20), date!(2025 - 08 - 31));
        if end >= today {
            continue;
        }
        let person = seat.person_id;
        members.push(Member {
            id: None,
            person_id: person,
            unit_id: seat.unit_id,
            post: Post::ControlRoomOperator,
            start: start.max(seat.start),
            end: Some(end),
        });
        used.insert(person);
        story.rotated.push(person);
    }

    // Promotions from employee to operator: the old post ends the day before.
    let mut promote = |members: &mut Vec<Member>,
                       used: &mut BTreeSet<i64>,
                       ended: &mut Vec<(i64, Date)>,
                       regions: &[i64],
                       hired_by: Date,
                       from: Date,
                       to: Date|
     -> Option<i64> {
        for region in regions {
            let mut pool = candidates(members, used, &|m, u| {
                u.control_room && u.region_id == *region && m.start <= hired_by
            });
            rng.shuffle(&mut pool);
            let Some(&i) = pool.first() else { continue };
            let start = rng.day_in(from, to.min(today));
            if start <= members[i].start || start > today {
                continue;
            }
            let old = &mut members[i];
            old.end = Some(start - Duration::days(1));
            ended.push((old.id.unwrap_or_default(), start - Duration::days(1)));
            let promoted = Member {
                id: None,
                person_id: old.person_id,
                unit_id: old.unit_id,
                post: Post::ControlRoomOperator,
                start,
                end: None,
            };
            used.insert(promoted.person_id);
            members.push(promoted);
            return members.last().map(|m| m.person_id);
        }
        None
    };
    let leading = story.leading.clone();
    let lagging = story.lagging.clone();
    story.promoted_ready = promote(
        members,
        &mut used,
        ended,
        &leading,
        date!(2024 - 06 - 30),
        date!(2025 - 03 - 01),
        date!(2025 - 10 - 31),
    );
    story.promoted_pending = promote(
        members,
        &mut used,
        ended,
        &lagging,
        date!(2025 - 06 - 30),
        date!(2026 - 02 - 01),
        date!(2026 - 06 - 30),
    );

    // Transfers: leave one village unit, join another as an employee.
    let targets: Vec<i64> = town
        .units
        .iter()
        .filter(|u| u.in_village && u.admin.is_none())
        .map(|u| u.id)
        .collect();
    let mut movers = candidates(members, &used, &|m, _| m.start <= date!(2023 - 12 - 31));
    rng.shuffle(&mut movers);
    for i in movers.into_iter().take(2) {
        let left = rng.day_in(date!(2024 - 11 - 01), date!(2026 - 05 - 31));
        let start = left + rng.days(10, 60);
        let others: Vec<i64> = targets
            .iter()
            .copied()
            .filter(|&u| u != members[i].unit_id)
            .collect();
        if start > today || others.is_empty() {
            continue;
        }
        let unit_id = others[rng.below(others.len() as u64) as usize];
        let old = &mut members[i];
        old.end = Some(left);
        ended.push((old.id.unwrap_or_default(), left));
        let person = old.person_id;
        members.push(Member {
            id: None,
            person_id: person,
            unit_id,
            post: Post::Employee,
            start,
            end: None,
        });
        used.insert(person);
        story.transferred.push(person);
    }

    // Two who simply leave.
    let mut leavers = candidates(members, &used, &|m, _| m.start <= date!(2023 - 06 - 30));
    rng.shuffle(&mut leavers);
    for i in leavers.into_iter().take(2) {
        let left = rng.day_in(date!(2024 - 03 - 01), date!(2026 - 09 - 30));
        if left >= today {
            continue;
        }
        members[i].end = Some(left);
        ended.push((members[i].id.unwrap_or_default(), left));
        used.insert(members[i].person_id);
    }
    story
}

/// When an operator's qualifying credential arrives, relative to the days
/// the story is measured on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Arrival {
    /// Before [`EARLY_2024`].
    Early,
    /// After [`EARLY_2024`], by [`END_2024`].
    During2024,
    Later,
}

/// One person's operator posts.
struct Operator<'a> {
    person_id: i64,
    posts: Vec<&'a Member>,
    /// The unit of the latest operator post: it registers the credential.
    unit: &'a Unit,
    /// Any of the person's control rooms has linkage control (then only
    /// 四级 and above qualify).
    linkage: bool,
}

impl Operator<'_> {
    fn in_post(&self, d: Date) -> bool {
        self.posts.iter().any(|m| m.active_on(d))
    }

    fn first_start(&self) -> Date {
        self.posts
            .iter()
            .map(|m| m.start)
            .min()
            .unwrap_or(EARLY_2024)
    }
}

fn operators<'a>(units: &BTreeMap<i64, &'a Unit>, members: &'a [Member]) -> Vec<Operator<'a>> {
    let mut by_person: BTreeMap<i64, Vec<&Member>> = BTreeMap::new();
    for m in members
        .iter()
        .filter(|m| m.post == Post::ControlRoomOperator)
    {
        if units.contains_key(&m.unit_id) {
            by_person.entry(m.person_id).or_default().push(m);
        }
    }
    by_person
        .into_iter()
        .filter_map(|(person_id, posts)| {
            let latest = posts.iter().max_by_key(|m| (m.start, m.id))?;
            let unit = *units.get(&latest.unit_id)?;
            let linkage = posts
                .iter()
                .any(|m| units.get(&m.unit_id).is_some_and(|u| u.linkage));
            Some(Operator {
                person_id,
                posts,
                unit,
                linkage,
            })
        })
        .collect()
}

/// `percent` of `n`, rounded half up.
fn share(n: usize, percent: usize) -> usize {
    (n * percent + 50) / 100
}

fn plan_credentials(
    town: &Town,
    members: &[Member],
    story: &Story,
    today: Date,
) -> Vec<PlannedCredential> {
    let mut rng = Rng::new(Stream::Credentials);
    let units = units_by_id(town);
    let ops = operators(&units, members);

    // Who lacks a qualifying credential today: in each lagging region about
    // 30 % of its operators, the newly promoted first, then the latest to
    // start; people with a login last.
    let mut pending: BTreeSet<i64> = BTreeSet::new();
    let mut without: BTreeSet<i64> = BTreeSet::new();
    for region in &story.lagging {
        let mut here: Vec<&Operator> = ops
            .iter()
            .filter(|o| o.unit.region_id == *region && o.in_post(today))
            .collect();
        let n = here.len();
        let lacking = if n >= 2 {
            share(n, LAGGING_PERCENT).clamp(1, n - 1)
        } else {
            0
        };
        here.sort_by_key(|o| {
            (
                Some(o.person_id) != story.promoted_pending,
                town.protected.contains(&o.person_id),
                std::cmp::Reverse(o.posts.iter().map(|m| m.start).max()),
                o.person_id,
            )
        });
        for o in here.into_iter().take(lacking) {
            if Some(o.person_id) == story.promoted_pending {
                pending.insert(o.person_id);
            } else {
                without.insert(o.person_id);
            }
        }
    }
    if let Some(&first) = story.rotated.first() {
        without.insert(first);
    }
    let qualified: Vec<&Operator> = ops
        .iter()
        .filter(|o| !pending.contains(&o.person_id) && !without.contains(&o.person_id))
        .collect();

    // About 40 % qualified early in 2024 and 87 % at its end, among everyone
    // in post those days (those lacking one count against the rate).
    let in_post_on = |d: Date| ops.iter().filter(|o| o.in_post(d)).count();
    let mut arrival: BTreeMap<i64, Arrival> = qualified
        .iter()
        .map(|o| (o.person_id, Arrival::Later))
        .collect();
    let mut early: Vec<i64> = qualified
        .iter()
        .filter(|o| o.in_post(EARLY_2024))
        .map(|o| o.person_id)
        .collect();
    rng.shuffle(&mut early);
    early.truncate(share(in_post_on(EARLY_2024), EARLY_2024_PERCENT));
    for p in &early {
        arrival.insert(*p, Arrival::Early);
    }
    let early_at_end = qualified
        .iter()
        .filter(|o| arrival[&o.person_id] == Arrival::Early && o.in_post(END_2024))
        .count();
    let mut during: Vec<i64> = qualified
        .iter()
        .filter(|o| arrival[&o.person_id] == Arrival::Later && o.in_post(END_2024))
        .map(|o| o.person_id)
        .collect();
    rng.shuffle(&mut during);
    during.truncate(share(in_post_on(END_2024), END_2024_PERCENT).saturating_sub(early_at_end));
    for p in &during {
        arrival.insert(*p, Arrival::During2024);
    }

    // The day each qualified operator's credential was issued.
    let mut qualifies_on: BTreeMap<i64, Date> = BTreeMap::new();
    for o in &qualified {
        let start = o.first_start();
        let day = match arrival[&o.person_id] {
            Arrival::Early => rng.day_in(date!(2019 - 03 - 01), date!(2023 - 12 - 20)),
            Arrival::During2024 => rng.day_in(date!(2024 - 04 - 01), date!(2024 - 12 - 20)),
            Arrival::Later if o.in_post(END_2024) => {
                rng.day_in(date!(2025 - 01 - 06), today.min(date!(2025 - 12 - 31)))
            }
            Arrival::Later => {
                let after = start + Duration::days(15);
                if Some(o.person_id) == story.promoted_ready || after > today || rng.percent(65) {
                    rng.day_in(start - Duration::days(700), start - Duration::days(10))
                } else {
                    rng.day_in(after, today.min(start + Duration::days(120)))
                }
            }
        };
        qualifies_on.insert(o.person_id, day.min(today));
    }

    // Special cases, each drawn from its own shuffled pool.
    let current: Vec<i64> = qualified
        .iter()
        .filter(|o| o.in_post(today))
        .map(|o| o.person_id)
        .collect();
    // Expired during 2025 and renewed after a gap.
    let mut renewed: Vec<i64> = current
        .iter()
        .copied()
        .filter(|p| arrival[p] == Arrival::Early)
        .collect();
    rng.shuffle(&mut renewed);
    renewed.truncate(if renewed.len() >= 6 {
        3
    } else {
        renewed.len().min(2)
    });
    // Expiring within the next 60 days.
    let mut expiring: Vec<i64> = current
        .iter()
        .copied()
        .filter(|p| !renewed.contains(p))
        .collect();
    rng.shuffle(&mut expiring);
    expiring.truncate(4);
    // Held 五级 first, which does not qualify in a linkage control room.
    let mut upgraded: Vec<i64> = qualified
        .iter()
        .filter(|o| o.linkage && arrival[&o.person_id] != Arrival::Early)
        .map(|o| o.person_id)
        .collect();
    rng.shuffle(&mut upgraded);
    upgraded.truncate(2);

    let mut out = Vec::new();
    let mut draw = |rng: &mut Rng,
                    o: &Operator,
                    level: u8,
                    issued: Date,
                    expires: Option<Date>,
                    checked: bool| {
        let registered =
            (issued.max(REGISTRATION_OPENS + rng.days(0, 45)) + rng.days(1, 20)).min(today);
        let checked = checked.then(|| (registered + rng.days(1, 7)).min(today));
        let issuer_index = usize::from(if level <= 3 {
            rng.percent(70)
        } else {
            rng.percent(30)
        });
        out.push(PlannedCredential {
            person_id: o.person_id,
            unit_id: o.unit.id,
            level,
            number: format!("S1405{}{:06}", issued.year(), rng.below(1_000_000)),
            issuer: ISSUERS[issuer_index],
            issued,
            expires,
            registered,
            checked,
        });
    };
    for o in &ops {
        let p = o.person_id;
        let level = if o.linkage {
            if rng.percent(75) { 4 } else { 3 }
        } else {
            match rng.below(100) {
                0..50 => 5,
                50..85 => 4,
                _ => 3,
            }
        };
        if pending.contains(&p) {
            let start = o.first_start();
            let issued = rng.day_in(
                start - Duration::days(90),
                today.min(start + Duration::days(40)),
            );
            let level = if o.linkage { 4 } else { 5 };
            draw(&mut rng, o, level, issued, None, false);
            continue;
        }
        let Some(&issued) = qualifies_on.get(&p) else {
            continue;
        };
        if upgraded.contains(&p) {
            let latest = date!(2023 - 06 - 30).min(issued - Duration::days(200));
            let first = rng.day_in(date!(2018 - 06 - 01), latest);
            draw(&mut rng, o, 5, first, None, true);
        }
        if renewed.contains(&p) {
            let lapsed = rng.day_in(date!(2025 - 02 - 01), date!(2025 - 09 - 30));
            let again = lapsed + rng.days(10, 80);
            if again <= today {
                draw(&mut rng, o, level, issued, Some(lapsed), true);
                let until = again
                    .replace_year(again.year() + 5)
                    .ok()
                    .and_then(|d| d.previous_day());
                draw(&mut rng, o, level, again, until, true);
                continue;
            }
        }
        let expires = if let Some(slot) = expiring.iter().position(|&e| e == p) {
            // Spread over the next 60 days: 8–15, 20–30, 33–45, 48–59.
            let (from, to) = [(8, 15), (20, 30), (33, 45), (48, 59)][slot];
            Some(today + rng.days(from, to))
        } else if rng.percent(30) {
            issued
                .replace_year(issued.year() + 6)
                .ok()
                .and_then(|d| d.previous_day())
                .filter(|&d| d > today + Duration::days(120))
        } else {
            None
        };
        draw(&mut rng, o, level, issued, expires, true);
    }

    // Two upgrades registered recently and still awaiting their check.
    let mut awaiting: Vec<&PlannedCredential> = out
        .iter()
        .filter(|c| {
            c.level >= 4
                && c.checked.is_some()
                && c.expires.is_none()
                && current.contains(&c.person_id)
                && !upgraded.contains(&c.person_id)
        })
        .collect();
    awaiting.sort_by_key(|c| c.person_id);
    awaiting.dedup_by_key(|c| c.person_id);
    let mut awaiting: Vec<(i64, i64, u8)> = awaiting
        .iter()
        .map(|c| (c.person_id, c.unit_id, c.level))
        .collect();
    rng.shuffle(&mut awaiting);
    for (person_id, unit_id, level) in awaiting.into_iter().take(2) {
        let issued = rng.day_in(today - Duration::days(150), today - Duration::days(20));
        out.push(PlannedCredential {
            person_id,
            unit_id,
            level: level - 1,
            number: format!("S1405{}{:06}", issued.year(), rng.below(1_000_000)),
            issuer: ISSUERS[1],
            issued,
            expires: None,
            registered: (issued + rng.days(3, 12)).min(today),
            checked: None,
        });
    }
    out.sort_by_key(|c| (c.registered, c.person_id, c.issued));
    out
}

const TRAINING_TOPICS: [&str; 7] = [
    "消防安全知识培训",
    "灭火器和消火栓使用",
    "疏散逃生演练讲解",
    "电动自行车安全",
    "燃气安全",
    "安全用电与电气火灾预防",
    "初起火灾扑救与报警",
];

const DRILL_TOPICS: [&str; 4] = [
    "灭火和应急疏散预案演练",
    "初起火灾扑救演练",
    "消防应急疏散演练",
    "夜间疏散演练",
];

/// A topic that belongs to the unit's trade, taught and drilled in turn
/// with the general ones.
fn trade_topics(unit: &Unit, kind: Kind) -> Vec<&'static str> {
    let trade = match (kind, unit.industry.as_str()) {
        (Kind::Training, "学校") => Some("校园消防安全与疏散引导"),
        (Kind::Training, "养老院") => Some("养老机构夜间火灾应对"),
        (Kind::Training, "医疗机构") => Some("病区疏散与行动不便人员转移"),
        (Kind::Training, "宾馆饭店") => Some("厨房用火用气安全"),
        (Kind::Training, "旅游景区" | "文物保护单位") => Some("文物建筑防火与用火管理"),
        (Kind::Training, "商业综合体") => Some("人员密集场所疏散引导"),
        (Kind::Training, "矿山企业") => Some("矿山地面设施防火"),
        (Kind::Training, "危化企业") => Some("液化气泄漏应急处置"),
        (Kind::Training, "家庭作坊" | "经营性自建房") => Some("“三清三关”与住人场所防火"),
        (Kind::Drill, "学校") => Some("师生应急疏散演练"),
        (Kind::Drill, "养老院" | "医疗机构") => Some("行动不便人员转移演练"),
        (Kind::Drill, "矿山企业") => Some("矿山火灾应急救援演练"),
        (Kind::Drill, "危化企业") => Some("液化气泄漏着火处置演练"),
        _ => None,
    };
    let control_room =
        (unit.control_room && kind == Kind::Training).then_some("消防控制室值班与应急处置");
    let general: &[&'static str] = match kind {
        Kind::Training => &TRAINING_TOPICS,
        Kind::Drill => &DRILL_TOPICS,
    };
    trade
        .into_iter()
        .chain(control_room)
        .chain(general.iter().copied())
        .collect()
}

/// Offline training every 3–9 months (3–6 where the public gathers) and
/// drills every ~6 months in key units, yearly elsewhere. Two ordinary
/// village units stop both more than a year before today; one key unit
/// last drilled more than six months ago.
fn plan_sessions(town: &Town, members: &[Member], today: Date) -> Vec<PlannedSession> {
    let mut rng = Rng::new(Stream::Sessions);
    let staffed_today = |u: &Unit| {
        members
            .iter()
            .filter(|m| m.unit_id == u.id && m.active_on(today))
            .count()
    };
    let mut lapsed: Vec<i64> = town
        .units
        .iter()
        .filter(|u| u.in_village && u.admin.is_none() && !u.key_unit && staffed_today(u) >= 2)
        .map(|u| u.id)
        .collect();
    rng.shuffle(&mut lapsed);
    lapsed.truncate(2);
    let mut late_drill: Vec<i64> = town
        .units
        .iter()
        .filter(|u| u.in_village && u.admin.is_none() && u.key_unit && staffed_today(u) >= 2)
        .map(|u| u.id)
        .collect();
    rng.shuffle(&mut late_drill);
    late_drill.truncate(1);

    let mut out = Vec::new();
    for unit in &town.units {
        let lapse = lapsed
            .contains(&unit.id)
            .then(|| today - Duration::days(365) - rng.days(30, 120));
        let training_stop = lapse.unwrap_or(today);
        let drill_stop = if late_drill.contains(&unit.id) {
            today - Duration::days(182) - rng.days(30, 90)
        } else {
            training_stop
        };
        for kind in [Kind::Training, Kind::Drill] {
            let (mut day, gap, stop, turnout) = match kind {
                // Units start one by one as the campaign gets going.
                Kind::Training => (
                    rng.day_in(date!(2024 - 01 - 10), date!(2024 - 08 - 31)),
                    if unit.public_gathering {
                        (92, 170)
                    } else {
                        (92, 270)
                    },
                    training_stop,
                    if unit.key_unit { 90 } else { 85 },
                ),
                Kind::Drill => (
                    rng.day_in(date!(2024 - 03 - 01), date!(2024 - 10 - 31)),
                    if unit.key_unit {
                        (150, 178)
                    } else {
                        (320, 355)
                    },
                    drill_stop,
                    75,
                ),
            };
            let topics = trade_topics(unit, kind);
            let mut turn = rng.below(topics.len() as u64) as usize;
            while day <= stop {
                let mut attendees: Vec<i64> = members
                    .iter()
                    .filter(|m| m.unit_id == unit.id && m.active_on(day))
                    .map(|m| m.person_id)
                    .collect::<BTreeSet<i64>>()
                    .into_iter()
                    // Fewer turn up in the campaign's first year.
                    .filter(|_| {
                        rng.percent(if day.year() == 2024 {
                            turnout - 20
                        } else {
                            turnout
                        })
                    })
                    .collect();
                attendees.sort_unstable();
                if !attendees.is_empty() {
                    out.push(PlannedSession {
                        unit_id: unit.id,
                        kind,
                        held_on: day,
                        topic: topics[turn % topics.len()],
                        attendees,
                    });
                    turn += 1;
                }
                day += rng.days(gap.0, gap.1);
            }
        }
    }
    out.sort_by_key(|s| (s.held_on, s.unit_id, s.kind.code()));
    out
}

/// Platform certificates: the course for the post a few days before
/// starting it (about half of those who joined), yearly renewals for some
/// operators and managers, and a few public courses. People with a login
/// are left to earn their own.
fn plan_certificates(
    town: &Town,
    members: &[Member],
    story: &Story,
    today: Date,
) -> Vec<PlannedCertificate> {
    let mut rng = Rng::new(Stream::Certificates);
    let course_for = |post: Post| match post {
        Post::ControlRoomOperator => OPERATOR_COURSE,
        Post::SafetyManager | Post::SafetyPrincipal => MANAGER_COURSE,
        Post::Employee | Post::FireStationMember => INDUCTION,
    };
    let mut out = Vec::new();
    let mut ordered: Vec<&Member> = members
        .iter()
        .filter(|m| !town.protected.contains(&m.person_id))
        .collect();
    ordered.sort_by_key(|m| (m.start, m.person_id, m.unit_id));

    // Before starting a post (岗前培训).
    for m in &ordered {
        if m.start < PLATFORM_LIVE + Duration::days(21) || m.start > today {
            continue;
        }
        let p = Some(m.person_id);
        let trained = if m.id.is_none() && p == story.promoted_ready {
            true
        } else if m.id.is_none() && p == story.promoted_pending {
            false
        } else if m.id.is_none()
            && let Some(i) = story.transferred.iter().position(|&t| Some(t) == p)
        {
            i == 0
        } else {
            rng.percent(55)
        };
        if trained {
            out.push(PlannedCertificate {
                person_id: m.person_id,
                course: course_for(m.post),
                issued: m.start - rng.days(2, 20),
            });
        }
    }

    // Yearly renewals while in post.
    for m in &ordered {
        let course = match m.post {
            Post::ControlRoomOperator => OPERATOR_COURSE,
            Post::SafetyManager => MANAGER_COURSE,
            _ => continue,
        };
        if !rng.percent(50) {
            continue;
        }
        let from = m.start.max(date!(2024 - 03 - 01));
        let mut day = rng.day_in(from, from + Duration::days(240));
        while day <= today && m.active_on(day) {
            out.push(PlannedCertificate {
                person_id: m.person_id,
                course,
                issued: day,
            });
            day += rng.days(330, 364);
        }
    }

    // Public courses, once each.
    let people: BTreeSet<i64> = ordered
        .iter()
        .filter(|m| m.end.is_none_or(|e| e >= date!(2024 - 04 - 01)))
        .map(|m| m.person_id)
        .collect();
    for p in people {
        for course in ONE_OFF_COURSES {
            if rng.percent(12) {
                out.push(PlannedCertificate {
                    person_id: p,
                    course,
                    issued: rng.day_in(date!(2024 - 04 - 01), today),
                });
            }
        }
    }
    out.retain(|c| PLATFORM_LIVE <= c.issued && c.issued <= today);
    out.sort_by_key(|c| (c.issued, c.person_id, c.course));
    out.dedup();
    out
}

// ---------------------------------------------------------------------------
// Reading the town and writing the plan
// ---------------------------------------------------------------------------

fn parse_date(text: &str) -> anyhow::Result<Date> {
    Date::parse(
        text,
        time::macros::format_description!("[year]-[month]-[day]"),
    )
    .with_context(|| format!("not a date: {text:?}"))
}

/// Unix seconds of `hour`:00 in Asia/Shanghai on `day`.
fn shanghai(day: Date, hour: i64) -> i64 {
    day.midnight().assume_utc().unix_timestamp() + (hour - 8) * 3600
}

/// The demo town as seeded: demo units, their posts, who may log in.
pub async fn load_town(db: &Db) -> anyhow::Result<Town> {
    type UnitRow = (i64, i64, String, String, i64, i64, i64, i64, Option<i64>);
    let units: Vec<UnitRow> = sqlx::query_as(
        "SELECT u.id, u.region_id, r.level, u.industry, u.is_key_unit, u.is_public_gathering, \
         u.has_control_room, u.control_room_linkage, \
         (SELECT MIN(g.person_id) FROM role_grants g WHERE g.role = 'unit_admin' AND g.unit_id = u.id) \
         FROM units u JOIN regions r ON r.id = u.region_id WHERE u.is_demo = 1 ORDER BY u.id",
    )
    .fetch_all(db)
    .await?;
    let members: Vec<(i64, i64, i64, String, String, Option<String>)> = sqlx::query_as(
        "SELECT m.id, m.person_id, m.unit_id, m.post, m.start_date, m.end_date FROM memberships m \
         JOIN units u ON u.id = m.unit_id JOIN people p ON p.id = m.person_id \
         WHERE u.is_demo = 1 AND p.is_demo = 1 ORDER BY m.id",
    )
    .fetch_all(db)
    .await?;
    let protected: Vec<i64> = sqlx::query_scalar(
        "SELECT person_id FROM accounts UNION SELECT person_id FROM role_grants",
    )
    .fetch_all(db)
    .await?;
    let checker: Option<i64> = sqlx::query_scalar(
        "SELECT g.person_id FROM role_grants g JOIN regions r ON r.id = g.region_id \
         WHERE g.role = 'region_admin' AND r.parent_id IS NULL ORDER BY g.id LIMIT 1",
    )
    .fetch_optional(db)
    .await?;
    let mut town = Town {
        protected: protected.into_iter().collect(),
        checker,
        ..Town::default()
    };
    for (id, region_id, level, industry, key, gathering, room, linkage, admin) in units {
        town.units.push(Unit {
            id,
            region_id,
            in_village: level == "village",
            industry,
            key_unit: key == 1,
            public_gathering: gathering == 1,
            control_room: room == 1,
            linkage: linkage == 1,
            admin,
        });
    }
    for (id, person_id, unit_id, post, start, end) in members {
        town.members.push(Member {
            id: Some(id),
            person_id,
            unit_id,
            post: Post::parse(&post).map_err(|e| anyhow::anyhow!("membership {id}: {e}"))?,
            start: parse_date(&start)?,
            end: end.as_deref().map(parse_date).transpose()?,
        });
    }
    Ok(town)
}

/// Adds the history once: nothing when demo sessions exist already or there
/// is no demo town. `courses` supplies certificate titles and validity;
/// certificates of a course missing from it are left out.
pub async fn apply(db: &Db, today: Date, courses: &[CourseInfo]) -> anyhow::Result<HistoryAdded> {
    let present: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM training_sessions WHERE is_demo = 1")
            .fetch_one(db)
            .await?;
    if present > 0 {
        return Ok(HistoryAdded::default());
    }
    let town = load_town(db).await?;
    if town.units.is_empty() {
        return Ok(HistoryAdded::default());
    }
    let plan = plan(&town, today);
    let admins: BTreeMap<i64, Option<i64>> = town.units.iter().map(|u| (u.id, u.admin)).collect();
    let mut added = HistoryAdded::default();
    let mut tx = app::db::begin(db).await?;

    for (id, end) in &plan.ended {
        let done =
            sqlx::query("UPDATE memberships SET end_date = $1 WHERE id = $2 AND end_date IS NULL")
                .bind(end.to_string())
                .bind(id)
                .execute(&mut *tx)
                .await?;
        added.posts_ended += done.rows_affected();
    }
    for m in &plan.added {
        sqlx::query(
            "INSERT INTO memberships (person_id, unit_id, post, start_date, end_date) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(m.person_id)
        .bind(m.unit_id)
        .bind(m.post.code())
        .bind(m.start.to_string())
        .bind(m.end.map(|d| d.to_string()))
        .execute(&mut *tx)
        .await?;
        added.posts_added += 1;
    }

    for c in &plan.credentials {
        sqlx::query(
            "INSERT INTO credentials (person_id, unit_id, level, number, issuer, issued_on, expires_on, \
             created_at, created_by, checked_at, checked_by, is_demo) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 1)",
        )
        .bind(c.person_id)
        .bind(c.unit_id)
        .bind(i64::from(c.level))
        .bind(&c.number)
        .bind(c.issuer)
        .bind(c.issued.to_string())
        .bind(c.expires.map(|d| d.to_string()))
        .bind(shanghai(c.registered, 9))
        .bind(admins.get(&c.unit_id).copied().flatten())
        .bind(c.checked.map(|d| shanghai(d, 15)))
        .bind(c.checked.and(town.checker))
        .execute(&mut *tx)
        .await?;
        added.credentials += 1;
    }

    for s in &plan.sessions {
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO training_sessions (unit_id, kind, held_on, topic, created_at, created_by, is_demo) \
             VALUES ($1, $2, $3, $4, $5, $6, 1) RETURNING id",
        )
        .bind(s.unit_id)
        .bind(s.kind.code())
        .bind(s.held_on.to_string())
        .bind(s.topic)
        .bind(shanghai(s.held_on, 17))
        .bind(admins.get(&s.unit_id).copied().flatten())
        .fetch_one(&mut *tx)
        .await?;
        // One statement per session: a few thousand rows stay quick on PostgreSQL.
        let values: Vec<String> = (0..s.attendees.len())
            .map(|i| format!("($1, ${})", i + 2))
            .collect();
        let sql = format!(
            "INSERT INTO session_attendees (session_id, person_id) VALUES {}",
            values.join(", ")
        );
        let mut insert = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(id);
        for p in &s.attendees {
            insert = insert.bind(*p);
        }
        insert.execute(&mut *tx).await?;
        match s.kind {
            Kind::Training => added.trainings += 1,
            Kind::Drill => added.drills += 1,
        }
        added.attendances += s.attendees.len() as u64;
    }

    let courses: BTreeMap<&str, &CourseInfo> =
        courses.iter().map(|c| (c.slug.as_str(), c)).collect();
    for c in &plan.certificates {
        let Some(course) = courses.get(c.course) else {
            continue;
        };
        app::certificates::issue(
            &mut tx,
            &app::certificates::Issue {
                person_id: c.person_id,
                course_slug: &course.slug,
                course_title: &course.title,
                validity_months: course.validity_months,
                attempt_id: None,
                issued_at: shanghai(c.issued, 10),
                is_demo: true,
            },
        )
        .await
        .map_err(|e| anyhow::anyhow!("issuing a demo certificate: {e}"))?;
        added.certificates += 1;
    }
    tx.commit().await?;
    Ok(added)
}

#[cfg(test)]
mod tests {
    use super::*;
    use app::coverage::{self, Facts};

    const TODAY: Date = date!(2026 - 11 - 28);

    #[test]
    fn splitmix64_matches_the_reference_and_repeats() {
        // First outputs of splitmix64 from state 0 (Vigna's reference code).
        let mut rng = Rng(0);
        assert_eq!(rng.next_u64(), 0xE220_A839_7B1D_CDAF);
        assert_eq!(rng.next_u64(), 0x6E78_9E6A_A1B9_65F4);
        let a: Vec<u64> = (0..5)
            .map(|_| Rng::new(Stream::Credentials).next_u64())
            .collect();
        assert!(
            a.windows(2).all(|w| w[0] == w[1]),
            "same stream, same numbers"
        );
        assert_ne!(
            Rng::new(Stream::Posts).next_u64(),
            Rng::new(Stream::Sessions).next_u64()
        );
    }

    #[test]
    fn days_stay_in_their_range() {
        let mut rng = Rng::new(Stream::Posts);
        let (from, to) = (date!(2024 - 02 - 27), date!(2024 - 03 - 02));
        let days: BTreeSet<Date> = (0..200).map(|_| rng.day_in(from, to)).collect();
        assert_eq!(days.len(), 5, "every day of the range, leap day included");
        assert_eq!(rng.day_in(to, from), to, "an empty range gives its start");
        assert_eq!(share(12, 40), 5);
        assert_eq!(share(14, 87), 12);
    }

    #[test]
    fn instants_are_shanghai_wall_clock() {
        // 2024-06-01 10:00 +08:00 = 02:00 UTC.
        assert_eq!(shanghai(date!(2024 - 06 - 01), 10), 1_717_207_200);
    }

    /// The shipped seeds as the database would hold them, ids in file order.
    fn shipped_town() -> Town {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../seeds");
        let seed = crate::seed::DemoSeed::load(&dir).unwrap();
        let regions: BTreeMap<&str, (i64, &str)> = seed
            .regions
            .iter()
            .enumerate()
            .map(|(i, r)| (r.code.as_str(), (i as i64 + 1, r.level.as_str())))
            .collect();
        let mut people: BTreeMap<String, i64> = BTreeMap::new();
        for p in &seed.people {
            let next = people.len() as i64 + 1;
            people.entry(p.phone.to_string()).or_insert(next);
        }
        let admin = |unit: &str| {
            seed.accounts
                .iter()
                .find(|a| a.role == "unit_admin" && a.scope == unit)
                .map(|a| people[&a.phone.to_string()])
        };
        let units: Vec<Unit> = seed
            .units
            .iter()
            .enumerate()
            .map(|(i, u)| Unit {
                id: i as i64 + 1,
                region_id: regions[u.region.as_str()].0,
                in_village: regions[u.region.as_str()].1 == "village",
                industry: u.industry.clone(),
                key_unit: u.key_unit,
                public_gathering: u.public_gathering,
                control_room: u.control_room,
                linkage: u.linkage,
                admin: admin(&u.name),
            })
            .collect();
        let unit_id =
            |name: &str| seed.units.iter().position(|u| u.name == name).unwrap() as i64 + 1;
        let members = seed
            .people
            .iter()
            .enumerate()
            .map(|(i, p)| Member {
                id: Some(i as i64 + 1),
                person_id: people[&p.phone.to_string()],
                unit_id: unit_id(&p.unit),
                post: p.post,
                start: parse_date(&p.start_date).unwrap(),
                end: None,
            })
            .collect();
        let protected = seed
            .accounts
            .iter()
            .filter_map(|a| people.get(&a.phone.to_string()).copied())
            .collect();
        Town {
            units,
            members,
            protected,
            checker: None,
        }
    }

    /// The rosters after the plan.
    fn roster_after(town: &Town, plan: &Plan) -> Vec<Member> {
        let ends: BTreeMap<i64, Date> = plan.ended.iter().copied().collect();
        let mut out: Vec<Member> = town
            .members
            .iter()
            .cloned()
            .map(|mut m| {
                if let Some(end) = m.id.and_then(|id| ends.get(&id)) {
                    m.end = Some(*end);
                }
                m
            })
            .collect();
        out.extend(plan.added.iter().cloned());
        out
    }

    /// Coverage facts for the planned town, read as `db::coverage` reads
    /// the database: training is attendance at a training session or a
    /// platform certificate.
    fn facts(town: &Town, plan: &Plan) -> Facts {
        Facts {
            units: town
                .units
                .iter()
                .map(|u| coverage::UnitFacts {
                    id: u.id,
                    region_id: u.region_id,
                    industry: u.industry.clone(),
                    is_key_unit: u.key_unit,
                    is_public_gathering: u.public_gathering,
                    has_control_room: u.control_room,
                    linkage: u.linkage,
                })
                .collect(),
            memberships: roster_after(town, plan)
                .into_iter()
                .map(|m| coverage::Membership {
                    person_id: m.person_id,
                    unit_id: m.unit_id,
                    post: if m.post == Post::ControlRoomOperator {
                        coverage::Post::Operator
                    } else {
                        coverage::Post::Other
                    },
                    start: m.start,
                    end: m.end,
                })
                .collect(),
            credentials: plan
                .credentials
                .iter()
                .map(|c| coverage::Credential {
                    person_id: c.person_id,
                    level: c.level,
                    issued: c.issued,
                    expires: c.expires,
                    checked: c.checked.is_some(),
                })
                .collect(),
            trainings: plan
                .sessions
                .iter()
                .filter(|s| s.kind == Kind::Training)
                .flat_map(|s| {
                    s.attendees.iter().map(|&p| coverage::Training {
                        person_id: p,
                        date: s.held_on,
                    })
                })
                .chain(plan.certificates.iter().map(|c| coverage::Training {
                    person_id: c.person_id,
                    date: c.issued,
                }))
                .collect(),
            drills: plan
                .sessions
                .iter()
                .filter(|s| s.kind == Kind::Drill)
                .map(|s| coverage::Drill {
                    unit_id: s.unit_id,
                    date: s.held_on,
                })
                .collect(),
        }
    }

    #[test]
    fn the_plan_is_reproducible() {
        let town = shipped_town();
        assert_eq!(plan(&town, TODAY), plan(&town, TODAY));
    }

    #[test]
    fn the_shipped_town_tells_the_story() {
        let town = shipped_town();
        let plan = plan(&town, TODAY);
        let idx = facts(&town, &plan).index();
        let town_rate = |d: Date| {
            coverage::totals(&idx, d, |_| true)
                .certified
                .percent()
                .unwrap()
        };
        let early = town_rate(EARLY_2024);
        let end = town_rate(END_2024);
        let now = town_rate(TODAY);
        assert!((35.0..=45.0).contains(&early), "early 2024: {early}");
        assert!((85.0..=90.0).contains(&end), "end of 2024: {end}");
        assert!((90.0..=95.0).contains(&now), "today: {now}");

        let by_region =
            coverage::roll_up(&idx, &coverage::unit_counts(&idx, TODAY), |u| u.region_id);
        let rates: Vec<f64> = by_region
            .values()
            .filter_map(|c| c.certified.percent())
            .collect();
        assert!(
            rates.iter().filter(|&&r| r >= 99.9).count() >= 2,
            "{rates:?}"
        );
        assert!(
            rates
                .iter()
                .filter(|&&r| (60.0..=80.0).contains(&r))
                .count()
                >= 2,
            "{rates:?}"
        );

        assert!(!coverage::operators_without_credential(&idx, TODAY).is_empty());
        let expiring = coverage::credentials_expiring(&idx, TODAY, 60).len();
        assert!((3..=5).contains(&expiring), "{expiring} expiring");
        let unchecked = plan
            .credentials
            .iter()
            .filter(|c| c.checked.is_none())
            .count();
        assert!((2..=3).contains(&unchecked), "{unchecked} unchecked");
        let renewed = plan
            .credentials
            .iter()
            .filter(|c| c.expires.is_some_and(|e| e.year() == 2025))
            .filter(|c| {
                plan.credentials
                    .iter()
                    .any(|r| r.person_id == c.person_id && r.issued > c.expires.unwrap())
            })
            .count();
        assert!(
            (2..=3).contains(&renewed),
            "{renewed} renewed after expiring in 2025"
        );
        assert!(
            plan.credentials
                .iter()
                .any(|c| c.level == 5 && town.units.iter().any(|u| u.id == c.unit_id && u.linkage)),
            "someone held 五级 in a linkage control room"
        );
        assert!(!coverage::units_overdue_training(&idx, TODAY).is_empty());
        assert!(!coverage::units_overdue_drill(&idx, TODAY).is_empty());
        let lapsed = town.units.iter().filter(|u| {
            !plan
                .sessions
                .iter()
                .any(|s| s.unit_id == u.id && s.held_on > TODAY - Duration::days(365))
        });
        assert!(
            lapsed.count() >= 1,
            "a unit with no session in the last 12 months"
        );

        // Joiners and leavers, none of them with a login.
        assert!((4..=8).contains(&plan.ended.len()), "{:?}", plan.ended);
        let joined = plan.added.iter().filter(|m| m.start.year() >= 2025).count();
        assert!((3..=6).contains(&joined), "{:?}", plan.added);
        let touched: BTreeSet<i64> = plan
            .added
            .iter()
            .map(|m| m.person_id)
            .chain(plan.ended.iter().map(|(id, _)| {
                town.members
                    .iter()
                    .find(|m| m.id == Some(*id))
                    .unwrap()
                    .person_id
            }))
            .collect();
        assert!(touched.is_disjoint(&town.protected));
        let induction = coverage::totals(&idx, TODAY, |_| true).induction;
        assert!(
            0 < induction.num && induction.num < induction.den,
            "{induction:?}"
        );
    }

    #[test]
    fn nothing_is_dated_after_today_and_sessions_have_people() {
        let town = shipped_town();
        for today in [date!(2025 - 07 - 01), TODAY, date!(2027 - 05 - 20)] {
            let plan = plan(&town, today);
            assert!(plan.ended.iter().all(|&(_, d)| d <= today));
            assert!(plan.added.iter().all(|m| m.start <= today));
            assert!(
                plan.credentials
                    .iter()
                    .all(|c| c.issued <= today && c.registered <= today)
            );
            assert!(
                plan.credentials
                    .iter()
                    .all(|c| c.checked.is_none_or(|d| d <= today))
            );
            assert!(
                plan.credentials
                    .iter()
                    .all(|c| c.expires.is_none_or(|e| e > c.issued))
            );
            assert!(
                plan.credentials
                    .iter()
                    .all(|c| c.number.len() == 15 && c.number.starts_with("S1405"))
            );
            assert!(
                plan.sessions
                    .iter()
                    .all(|s| s.held_on <= today && !s.attendees.is_empty())
            );
            assert!(
                plan.certificates
                    .iter()
                    .all(|c| PLATFORM_LIVE <= c.issued && c.issued <= today)
            );
        }
    }

    #[test]
    fn certificate_courses_exist_in_the_shipped_content() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../content");
        let slugs: BTreeSet<String> = courses(&dir).unwrap().into_iter().map(|c| c.slug).collect();
        for course in [INDUCTION, OPERATOR_COURSE, MANAGER_COURSE]
            .into_iter()
            .chain(ONE_OFF_COURSES)
        {
            assert!(slugs.contains(course), "{course}");
        }
    }
}
