//! The arithmetic: facts indexed once, then counts per unit for any day.
//!
//! Dates are local calendar days. Every interval is inclusive of its last
//! day (a membership's `end`, a credential's `expires`); look-back windows
//! are `(D - W, D]` with month arithmetic that clamps the day (see
//! [`add_months`]).

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::hash::{BuildHasherDefault, Hasher};
use std::iter::Sum;
use std::ops::{Add, AddAssign};

pub use crate::domain::date::add_months;
use serde::{Deserialize, Serialize};
use time::{Date, Duration};

/// Look-back of annual training and drills for ordinary units, in months.
const LONG_WINDOW_MONTHS: i32 = 12;
/// Look-back for public gathering places (training) and key units (drills).
const SHORT_WINDOW_MONTHS: i32 = 6;
/// How far before the first day induction training may lie, in months.
const INDUCTION_LOOKBACK_MONTHS: i32 = 12;
/// Joiners in the 12 months ending at D make up the induction denominator.
const INDUCTION_PERIOD_MONTHS: i32 = 12;
/// Lowest credential that qualifies where the room has linkage control
/// (levels count down: 5 = 五级 … 1 = 一级, so 四级 and above is `<= 4`).
const LINKAGE_MIN_LEVEL: u8 = 4;

/// The four rates on the dashboard.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Metric {
    Certified,
    Induction,
    Annual,
    Drills,
}

impl Metric {
    pub const ALL: [Metric; 4] = [
        Metric::Certified,
        Metric::Induction,
        Metric::Annual,
        Metric::Drills,
    ];

    /// The stable code stored in the database (targets) and used in URLs.
    pub fn code(self) -> &'static str {
        match self {
            Metric::Certified => "certified",
            Metric::Induction => "induction",
            Metric::Annual => "annual",
            Metric::Drills => "drills",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Metric::Certified => "持证上岗率",
            Metric::Induction => "岗前培训率",
            Metric::Annual => "年度培训覆盖率",
            Metric::Drills => "演练达标率",
        }
    }

    pub fn parse(code: &str) -> Option<Metric> {
        let code = code.trim();
        Metric::ALL.into_iter().find(|m| m.code() == code)
    }
}

/// Only the control-room operator post matters to the arithmetic; the caller
/// maps the database post code `operator` to `Operator`, everything else to
/// `Other`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Post {
    Operator,
    Other,
}

#[derive(Clone, Debug)]
pub struct UnitFacts {
    pub id: i64,
    pub region_id: i64,
    pub industry: String,
    pub is_key_unit: bool,
    pub is_public_gathering: bool,
    pub has_control_room: bool,
    pub linkage: bool,
}

/// A person holding a post in a unit from `start` through `end` (inclusive;
/// `None` while still in post).
#[derive(Clone, Debug)]
pub struct Membership {
    pub person_id: i64,
    pub unit_id: i64,
    pub post: Post,
    pub start: Date,
    pub end: Option<Date>,
}

/// `from` through `to`, both days included; `None` has no last day.
fn within(from: Date, to: Option<Date>, d: Date) -> bool {
    from <= d && to.is_none_or(|e| d <= e)
}

impl Membership {
    pub fn active_on(&self, d: Date) -> bool {
        within(self.start, self.end, d)
    }
}

/// A 消防设施操作员 credential. `checked` is false while it awaits an
/// official's check; such credentials never count.
#[derive(Clone, Debug)]
pub struct Credential {
    pub person_id: i64,
    /// 5 = 五级 (lowest) … 1 = 一级 (highest).
    pub level: u8,
    pub issued: Date,
    /// Last valid day; `None` never expires.
    pub expires: Option<Date>,
    pub checked: bool,
}

impl Credential {
    pub fn valid_on(&self, d: Date) -> bool {
        within(self.issued, self.expires, d)
    }
}

/// A platform certificate's issue date or attendance at an offline session.
/// Training belongs to the person, so it counts in every unit they are in.
#[derive(Clone, Debug)]
pub struct Training {
    pub person_id: i64,
    pub date: Date,
}

#[derive(Clone, Debug)]
pub struct Drill {
    pub unit_id: i64,
    pub date: Date,
}

/// Everything the caller loads for a scope. Units not listed in `units` are
/// outside the scope: their memberships and drills are ignored, and so are
/// the credentials and trainings of people on no roster in scope. Unit ids
/// are unique (on a duplicate the first listed wins).
#[derive(Clone, Debug, Default)]
pub struct Facts {
    pub units: Vec<UnitFacts>,
    pub memberships: Vec<Membership>,
    pub credentials: Vec<Credential>,
    pub trainings: Vec<Training>,
    pub drills: Vec<Drill>,
}

/// `num` of `den` qualify. Rolled up by adding numerators and denominators,
/// so a town's rate weighs every person equally, not every unit.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ratio {
    pub num: u32,
    pub den: u32,
}

impl Ratio {
    /// `None` when nobody (or no unit) is in the denominator: "no data",
    /// which is not the same as 0 %.
    pub fn percent(self) -> Option<f64> {
        (self.den > 0).then(|| f64::from(self.num) * 100.0 / f64::from(self.den))
    }

    fn count(&mut self, qualifies: bool) {
        self.den += 1;
        self.num += u32::from(qualifies);
    }
}

impl Add for Ratio {
    type Output = Ratio;
    fn add(self, other: Ratio) -> Ratio {
        Ratio {
            num: self.num + other.num,
            den: self.den + other.den,
        }
    }
}

impl AddAssign for Ratio {
    fn add_assign(&mut self, other: Ratio) {
        *self = *self + other;
    }
}

impl Sum for Ratio {
    fn sum<I: Iterator<Item = Ratio>>(iter: I) -> Ratio {
        iter.fold(Ratio::default(), Add::add)
    }
}

impl<'a> Sum<&'a Ratio> for Ratio {
    fn sum<I: Iterator<Item = &'a Ratio>>(iter: I) -> Ratio {
        iter.copied().sum()
    }
}

/// The four ratios of one unit (or, summed, of any set of units).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counts {
    pub certified: Ratio,
    pub induction: Ratio,
    pub annual: Ratio,
    pub drills: Ratio,
}

impl Counts {
    pub fn get(&self, metric: Metric) -> Ratio {
        match metric {
            Metric::Certified => self.certified,
            Metric::Induction => self.induction,
            Metric::Annual => self.annual,
            Metric::Drills => self.drills,
        }
    }
}

impl Add for Counts {
    type Output = Counts;
    fn add(self, other: Counts) -> Counts {
        Counts {
            certified: self.certified + other.certified,
            induction: self.induction + other.induction,
            annual: self.annual + other.annual,
            drills: self.drills + other.drills,
        }
    }
}

impl AddAssign for Counts {
    fn add_assign(&mut self, other: Counts) {
        *self = *self + other;
    }
}

impl Sum for Counts {
    fn sum<I: Iterator<Item = Counts>>(iter: I) -> Counts {
        iter.fold(Counts::default(), Add::add)
    }
}

impl<'a> Sum<&'a Counts> for Counts {
    fn sum<I: Iterator<Item = &'a Counts>>(iter: I) -> Counts {
        iter.copied().sum()
    }
}

/// [`Facts`] arranged for repeated queries: rosters grouped by unit and
/// person, trainings and drills sorted so "the latest on or before D" is a
/// binary search. People get dense indices in roster order and their
/// credentials and trainings sit in flat arrays, so counting a unit reads
/// memory mostly in sequence (a province is millions of people).
#[derive(Clone, Debug)]
pub struct Indexed {
    units: BTreeMap<i64, UnitIndex>,
    /// Person id of each dense index.
    person_ids: Vec<i64>,
    /// Checked credentials (unchecked ones never count), grouped by dense
    /// index: person `p`'s are `credentials[credential_at[p]..credential_at[p + 1]]`.
    credentials: Vec<Credential>,
    credential_at: Vec<usize>,
    /// Training dates grouped the same way, each group sorted and deduplicated.
    trainings: Vec<Date>,
    training_at: Vec<usize>,
}

#[derive(Clone, Debug)]
struct UnitIndex {
    facts: UnitFacts,
    /// Ordered by person id, so one person's memberships are adjacent and
    /// count once per unit however many posts or stints they have.
    spans: Vec<Span>,
    /// Sorted, without duplicates.
    drills: Vec<Date>,
}

/// A membership with the person as a dense index.
#[derive(Clone, Copy, Debug)]
struct Span {
    person: u32,
    post: Post,
    start: Date,
    end: Option<Date>,
}

impl Span {
    fn active_on(&self, d: Date) -> bool {
        within(self.start, self.end, d)
    }

    fn operating_on(&self, d: Date) -> bool {
        self.post == Post::Operator && self.active_on(d)
    }
}

/// Hashes database ids with a rotate and a multiply: they are not attacker
/// input, and SipHash dominated building the index for millions of people.
#[derive(Default)]
struct IdHasher(u64);

impl Hasher for IdHasher {
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.write_u64(u64::from(b));
        }
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = (self.0.rotate_left(5) ^ n).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    }

    fn write_i64(&mut self, n: i64) {
        self.write_u64(n as u64);
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

/// One person's spans in one unit.
fn tenures(spans: &[Span]) -> impl Iterator<Item = &[Span]> {
    spans.chunk_by(|a, b| a.person == b.person)
}

/// Groups `items` by a dense key below `groups` in one counting pass
/// (millions of rows, so no comparison sort); returns the items in key order
/// and the offsets of each key's group.
fn group_by_key<T>(groups: usize, items: Vec<(u32, T)>) -> (Vec<T>, Vec<usize>) {
    let mut at = vec![0; groups + 1];
    for (k, _) in &items {
        at[*k as usize + 1] += 1;
    }
    for i in 0..groups {
        at[i + 1] += at[i];
    }
    let mut next = at.clone();
    let mut slots: Vec<Option<T>> = std::iter::repeat_with(|| None).take(items.len()).collect();
    for (k, item) in items {
        let slot = &mut next[k as usize];
        slots[*slot] = Some(item);
        *slot += 1;
    }
    (slots.into_iter().flatten().collect(), at)
}

fn dense_index(i: usize) -> u32 {
    u32::try_from(i).expect("fewer than 2^32 units and people")
}

type IdMap = HashMap<i64, u32, BuildHasherDefault<IdHasher>>;

impl Facts {
    pub fn index(self) -> Indexed {
        let mut units: Vec<UnitIndex> = self
            .units
            .into_iter()
            .map(|facts| UnitIndex {
                facts,
                spans: Vec::new(),
                drills: Vec::new(),
            })
            .collect();
        units.sort_by_key(|u| u.facts.id);
        units.dedup_by_key(|u| u.facts.id);
        let unit_at: IdMap = units
            .iter()
            .enumerate()
            .map(|(i, u)| (u.facts.id, dense_index(i)))
            .collect();

        let in_scope = self
            .memberships
            .into_iter()
            // A membership that ends before it starts was never held.
            .filter(|m| m.end.is_none_or(|e| e >= m.start))
            .filter_map(|m| Some((*unit_at.get(&m.unit_id)?, m)))
            .collect();
        let (mut rosters, roster_at) = group_by_key(units.len(), in_scope);
        let mut person_at = IdMap::default();
        let mut person_ids: Vec<i64> = Vec::new();
        for (i, unit) in units.iter_mut().enumerate() {
            let roster = &mut rosters[roster_at[i]..roster_at[i + 1]];
            roster.sort_unstable_by_key(|m| (m.person_id, m.start));
            unit.spans = roster
                .iter()
                .map(|m| Span {
                    person: *person_at.entry(m.person_id).or_insert_with(|| {
                        person_ids.push(m.person_id);
                        dense_index(person_ids.len() - 1)
                    }),
                    post: m.post,
                    start: m.start,
                    end: m.end,
                })
                .collect();
        }

        for drill in self.drills {
            if let Some(&i) = unit_at.get(&drill.unit_id) {
                units[i as usize].drills.push(drill.date);
            }
        }
        for unit in &mut units {
            unit.drills.sort_unstable();
            unit.drills.dedup();
        }

        // People on no roster in scope count nowhere, so their credentials
        // and trainings are dropped here.
        let people = person_ids.len();
        let checked = self
            .credentials
            .into_iter()
            .filter(|c| c.checked)
            .filter_map(|c| Some((*person_at.get(&c.person_id)?, c)))
            .collect();
        let (credentials, credential_at) = group_by_key(people, checked);

        let dated = self
            .trainings
            .into_iter()
            .filter_map(|t| Some((*person_at.get(&t.person_id)?, t.date)))
            .collect();
        let (mut grouped, grouped_at) = group_by_key(people, dated);
        let mut trainings = Vec::with_capacity(grouped.len());
        let mut training_at = Vec::with_capacity(people + 1);
        training_at.push(0);
        for p in 0..people {
            let group = &mut grouped[grouped_at[p]..grouped_at[p + 1]];
            group.sort_unstable();
            for &date in group.iter() {
                if trainings.len() == training_at[p] || trainings.last() != Some(&date) {
                    trainings.push(date);
                }
            }
            training_at.push(trainings.len());
        }

        Indexed {
            units: units.into_iter().map(|u| (u.facts.id, u)).collect(),
            person_ids,
            credentials,
            credential_at,
            trainings,
            training_at,
        }
    }
}

/// The window starts of one day, computed once for all units.
struct Day {
    d: Date,
    short_start: Date,
    long_start: Date,
    induction_start: Date,
}

impl Day {
    fn new(d: Date) -> Day {
        Day {
            d,
            short_start: add_months(d, -SHORT_WINDOW_MONTHS),
            long_start: add_months(d, -LONG_WINDOW_MONTHS),
            induction_start: add_months(d, -INDUCTION_PERIOD_MONTHS),
        }
    }

    /// Exclusive start of the `(D - W, D]` window.
    fn window_start(&self, short: bool) -> Date {
        if short {
            self.short_start
        } else {
            self.long_start
        }
    }
}

fn latest_on_or_before(sorted: &[Date], d: Date) -> Option<Date> {
    let after = sorted.partition_point(|&x| x <= d);
    after.checked_sub(1).map(|i| sorted[i])
}

impl Indexed {
    pub fn units(&self) -> impl Iterator<Item = &UnitFacts> {
        self.units.values().map(|u| &u.facts)
    }

    pub fn unit(&self, id: i64) -> Option<&UnitFacts> {
        self.units.get(&id).map(|u| &u.facts)
    }

    /// The unit's latest drill on or before `d`.
    pub fn last_drill(&self, unit_id: i64, d: Date) -> Option<Date> {
        latest_on_or_before(&self.units.get(&unit_id)?.drills, d)
    }

    fn credentials_of(&self, person: u32) -> &[Credential] {
        let p = person as usize;
        &self.credentials[self.credential_at[p]..self.credential_at[p + 1]]
    }

    fn latest_training(&self, person: u32, d: Date) -> Option<Date> {
        let p = person as usize;
        latest_on_or_before(
            &self.trainings[self.training_at[p]..self.training_at[p + 1]],
            d,
        )
    }

    fn qualified(&self, person: u32, linkage: bool, d: Date) -> bool {
        self.credentials_of(person)
            .iter()
            .any(|c| c.valid_on(d) && (!linkage || c.level <= LINKAGE_MIN_LEVEL))
    }

    fn count_unit(&self, unit: &UnitIndex, day: &Day) -> Counts {
        let mut counts = Counts::default();
        let d = day.d;
        let training_start = day.window_start(unit.facts.is_public_gathering);
        let mut staffed = false;
        for tenure in tenures(&unit.spans) {
            let person = tenure[0].person;
            if tenure.iter().any(|m| m.active_on(d)) {
                staffed = true;
                let trained = self
                    .latest_training(person, d)
                    .is_some_and(|t| t > training_start);
                counts.annual.count(trained);
            }
            if tenure.iter().any(|m| m.operating_on(d)) {
                counts
                    .certified
                    .count(self.qualified(person, unit.facts.linkage, d));
            }
            // Per membership, not per person: taking up a new post is a new
            // start that needs its own induction.
            for m in tenure {
                if day.induction_start < m.start && m.start <= d {
                    let earliest = add_months(m.start, -INDUCTION_LOOKBACK_MONTHS);
                    let trained = self
                        .latest_training(person, m.start)
                        .is_some_and(|t| t >= earliest);
                    counts.induction.count(trained);
                }
            }
        }
        if staffed {
            let drill_start = day.window_start(unit.facts.is_key_unit);
            let drilled = latest_on_or_before(&unit.drills, d).is_some_and(|t| t > drill_start);
            counts.drills.count(drilled);
        }
        counts
    }
}

/// Counts of every unit in the index at day `d`; units with nobody on the
/// roster get zeros, so the map always lists the whole scope.
pub fn unit_counts(idx: &Indexed, d: Date) -> BTreeMap<i64, Counts> {
    let day = Day::new(d);
    idx.units
        .iter()
        .map(|(&id, unit)| (id, idx.count_unit(unit, &day)))
        .collect()
}

/// The sum over the units the filter accepts.
pub fn totals(idx: &Indexed, d: Date, units: impl Fn(&UnitFacts) -> bool) -> Counts {
    let day = Day::new(d);
    idx.units
        .values()
        .filter(|u| units(&u.facts))
        .map(|u| idx.count_unit(u, &day))
        .sum()
}

/// Sums per-unit counts by any key of the unit (region, industry, …).
/// Units missing from the index are skipped.
pub fn roll_up<K: Ord>(
    idx: &Indexed,
    counts: &BTreeMap<i64, Counts>,
    key: impl Fn(&UnitFacts) -> K,
) -> BTreeMap<K, Counts> {
    let mut out: BTreeMap<K, Counts> = BTreeMap::new();
    for (id, c) in counts {
        if let Some(unit) = idx.unit(*id) {
            *out.entry(key(unit)).or_default() += *c;
        }
    }
    out
}

/// `(person_id, unit_id)` of operators in post at `d` without a qualifying
/// credential there, the longest in post first (by the start of their
/// current operator membership), then by unit and person.
pub fn operators_without_credential(idx: &Indexed, d: Date) -> Vec<(i64, i64)> {
    let mut out = Vec::new();
    for (&unit_id, unit) in &idx.units {
        for tenure in tenures(&unit.spans) {
            let person = tenure[0].person;
            let since = tenure
                .iter()
                .filter(|m| m.operating_on(d))
                .map(|m| m.start)
                .min();
            if let Some(since) = since
                && !idx.qualified(person, unit.facts.linkage, d)
            {
                out.push((since, unit_id, idx.person_ids[person as usize]));
            }
        }
    }
    out.sort_unstable();
    out.into_iter()
        .map(|(_, unit, person)| (person, unit))
        .collect()
}

/// Checked credentials valid at `d` whose last day falls in
/// `(d, d + days]`, held by someone in an operator post at `d` (anyone else's
/// expiry moves no rate). Ordered by expiry, then person.
pub fn credentials_expiring(idx: &Indexed, d: Date, days: u32) -> Vec<&Credential> {
    let limit = d.saturating_add(Duration::days(i64::from(days)));
    let operators: BTreeSet<u32> = idx
        .units
        .values()
        .flat_map(|u| &u.spans)
        .filter(|m| m.operating_on(d))
        .map(|m| m.person)
        .collect();
    let mut out: Vec<&Credential> = operators
        .iter()
        .flat_map(|&p| idx.credentials_of(p))
        .filter(|c| c.valid_on(d) && c.expires.is_some_and(|e| d < e && e <= limit))
        .collect();
    out.sort_by_key(|c| (c.expires, c.person_id, c.level));
    out
}

/// Units with someone in post at `d` not trained within their window
/// (the units whose 年度培训覆盖率 is below 100 %).
pub fn units_overdue_training(idx: &Indexed, d: Date) -> Vec<i64> {
    let day = Day::new(d);
    idx.units
        .iter()
        .filter(|(_, u)| {
            let annual = idx.count_unit(u, &day).annual;
            annual.num < annual.den
        })
        .map(|(&id, _)| id)
        .collect()
}

/// Staffed units at `d` without a drill within their window.
pub fn units_overdue_drill(idx: &Indexed, d: Date) -> Vec<i64> {
    let day = Day::new(d);
    idx.units
        .iter()
        .filter(|(_, u)| {
            let drills = idx.count_unit(u, &day).drills;
            drills.num < drills.den
        })
        .map(|(&id, _)| id)
        .collect()
}

fn month_end(d: Date) -> Date {
    d.replace_day(d.month().length(d.year()))
        .expect("a month's length is a day of that month")
}

/// The last day of each month from `from`'s month through `to`'s month, the
/// final one being `to` itself (so a series can end today). Empty when
/// `from`'s month is after `to`'s.
pub fn month_ends(from: Date, to: Date) -> Vec<Date> {
    if (from.year(), from.month() as u8) > (to.year(), to.month() as u8) {
        return Vec::new();
    }
    let mut out = Vec::new();
    let mut end = month_end(from);
    while end < to {
        out.push(end);
        match end.next_day() {
            Some(next) => end = month_end(next),
            None => break,
        }
    }
    out.push(to);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn unit(id: i64) -> UnitFacts {
        UnitFacts {
            id,
            region_id: 10,
            industry: "其他".to_string(),
            is_key_unit: false,
            is_public_gathering: false,
            has_control_room: true,
            linkage: false,
        }
    }

    fn member(
        person_id: i64,
        unit_id: i64,
        post: Post,
        start: Date,
        end: Option<Date>,
    ) -> Membership {
        Membership {
            person_id,
            unit_id,
            post,
            start,
            end,
        }
    }

    fn cred(person_id: i64, level: u8, issued: Date, expires: Option<Date>) -> Credential {
        Credential {
            person_id,
            level,
            issued,
            expires,
            checked: true,
        }
    }

    fn trained(person_id: i64, date: Date) -> Training {
        Training { person_id, date }
    }

    fn r(num: u32, den: u32) -> Ratio {
        Ratio { num, den }
    }

    fn at(idx: &Indexed, unit_id: i64, d: Date) -> Counts {
        unit_counts(idx, d)[&unit_id]
    }

    #[test]
    fn joining_and_leaving_move_the_denominator_on_the_right_days() {
        // Unit 1: person 1 operator 2025-03-10 ..= 2025-06-20 with a valid
        // credential; person 2 operator since 2025-01-01, no credential.
        //   03-09: only 2 in post        -> 0/1
        //   03-10: 1 joins (first day)   -> 1/2
        //   06-20: 1's last day (incl.)  -> 1/2
        //   06-21: 1 gone                -> 0/1
        let idx = Facts {
            units: vec![unit(1)],
            memberships: vec![
                member(
                    1,
                    1,
                    Post::Operator,
                    date!(2025 - 03 - 10),
                    Some(date!(2025 - 06 - 20)),
                ),
                member(2, 1, Post::Operator, date!(2025 - 01 - 01), None),
            ],
            credentials: vec![cred(1, 5, date!(2020 - 01 - 01), None)],
            ..Facts::default()
        }
        .index();
        assert_eq!(at(&idx, 1, date!(2025 - 03 - 09)).certified, r(0, 1));
        assert_eq!(at(&idx, 1, date!(2025 - 03 - 10)).certified, r(1, 2));
        assert_eq!(at(&idx, 1, date!(2025 - 06 - 20)).certified, r(1, 2));
        assert_eq!(at(&idx, 1, date!(2025 - 06 - 21)).certified, r(0, 1));
        // Annual coverage has the same denominator (anyone in post).
        assert_eq!(at(&idx, 1, date!(2025 - 06 - 20)).annual.den, 2);
        assert_eq!(at(&idx, 1, date!(2025 - 06 - 21)).annual.den, 1);
    }

    #[test]
    fn credential_counts_from_issue_through_expiry_day() {
        // Issued 2024-06-01, last valid day 2025-05-31.
        //   2024-05-31 -> 0/1, 2024-06-01 -> 1/1, 2025-05-31 -> 1/1, 2025-06-01 -> 0/1
        let idx = Facts {
            units: vec![unit(1)],
            memberships: vec![member(1, 1, Post::Operator, date!(2024 - 01 - 01), None)],
            credentials: vec![cred(
                1,
                4,
                date!(2024 - 06 - 01),
                Some(date!(2025 - 05 - 31)),
            )],
            ..Facts::default()
        }
        .index();
        assert_eq!(at(&idx, 1, date!(2024 - 05 - 31)).certified, r(0, 1));
        assert_eq!(at(&idx, 1, date!(2024 - 06 - 01)).certified, r(1, 1));
        assert_eq!(at(&idx, 1, date!(2025 - 05 - 31)).certified, r(1, 1));
        assert_eq!(at(&idx, 1, date!(2025 - 06 - 01)).certified, r(0, 1));
    }

    #[test]
    fn unchecked_credential_does_not_count() {
        // Person 1 checked, person 2 same credential awaiting check -> 1/2.
        let mut pending = cred(2, 3, date!(2024 - 01 - 01), None);
        pending.checked = false;
        let idx = Facts {
            units: vec![unit(1)],
            memberships: vec![
                member(1, 1, Post::Operator, date!(2024 - 01 - 01), None),
                member(2, 1, Post::Operator, date!(2024 - 01 - 01), None),
            ],
            credentials: vec![cred(1, 3, date!(2024 - 01 - 01), None), pending],
            ..Facts::default()
        }
        .index();
        let d = date!(2025 - 01 - 01);
        assert_eq!(at(&idx, 1, d).certified, r(1, 2));
        assert_eq!(operators_without_credential(&idx, d), vec![(2, 1)]);
    }

    #[test]
    fn level_five_qualifies_only_without_linkage() {
        // Person 1 holds 五级 and operates in unit 1 (no linkage) and unit 2
        // (linkage); person 2 holds 四级 in unit 2.
        //   unit 1: 1 qualifies                  -> 1/1
        //   unit 2: 1 does not (5 > 4), 2 does   -> 1/2
        let mut linked = unit(2);
        linked.linkage = true;
        let idx = Facts {
            units: vec![unit(1), linked],
            memberships: vec![
                member(1, 1, Post::Operator, date!(2024 - 01 - 01), None),
                member(1, 2, Post::Operator, date!(2024 - 01 - 01), None),
                member(2, 2, Post::Operator, date!(2024 - 01 - 01), None),
            ],
            credentials: vec![
                cred(1, 5, date!(2024 - 01 - 01), None),
                cred(2, 4, date!(2024 - 01 - 01), None),
            ],
            ..Facts::default()
        }
        .index();
        let d = date!(2025 - 01 - 01);
        assert_eq!(at(&idx, 1, d).certified, r(1, 1));
        assert_eq!(at(&idx, 2, d).certified, r(1, 2));
        assert_eq!(operators_without_credential(&idx, d), vec![(1, 2)]);
    }

    #[test]
    fn person_in_two_units_counts_in_each_and_training_counts_in_both() {
        // Person 1 is in unit 1 (region 10) and unit 2 (region 20), trained
        // 2025-01-15; person 2 only in unit 2, never trained. At 2025-06-30:
        //   unit 1 annual 1/1, unit 2 annual 1/2, town 2/3
        //   region 10 -> 1/1, region 20 -> 1/2
        let mut other_region = unit(2);
        other_region.region_id = 20;
        let idx = Facts {
            units: vec![unit(1), other_region],
            memberships: vec![
                member(1, 1, Post::Other, date!(2024 - 01 - 01), None),
                member(1, 2, Post::Other, date!(2024 - 01 - 01), None),
                member(2, 2, Post::Other, date!(2024 - 01 - 01), None),
            ],
            trainings: vec![trained(1, date!(2025 - 01 - 15))],
            ..Facts::default()
        }
        .index();
        let d = date!(2025 - 06 - 30);
        let counts = unit_counts(&idx, d);
        assert_eq!(counts[&1].annual, r(1, 1));
        assert_eq!(counts[&2].annual, r(1, 2));
        assert_eq!(totals(&idx, d, |_| true).annual, r(2, 3));
        assert_eq!(totals(&idx, d, |u| u.region_id == 20).annual, r(1, 2));
        let by_region = roll_up(&idx, &counts, |u| u.region_id);
        assert_eq!(by_region[&10].annual, r(1, 1));
        assert_eq!(by_region[&20].annual, r(1, 2));
        assert_eq!(units_overdue_training(&idx, d), vec![2]);
    }

    #[test]
    fn several_memberships_in_one_unit_count_once_for_rosters() {
        // Person 1 is both Other (since 2024-01-01) and Operator (since
        // 2025-03-01) in unit 1: one pair for certified and annual, but two
        // joins for induction at 2025-06-30 (window 2024-06-30 < start):
        // only the 2025-03-01 start is in it -> induction 0/1.
        let idx = Facts {
            units: vec![unit(1)],
            memberships: vec![
                member(1, 1, Post::Other, date!(2024 - 01 - 01), None),
                member(1, 1, Post::Operator, date!(2025 - 03 - 01), None),
            ],
            ..Facts::default()
        }
        .index();
        let c = at(&idx, 1, date!(2025 - 06 - 30));
        assert_eq!(c.certified, r(0, 1));
        assert_eq!(c.annual, r(0, 1));
        assert_eq!(c.induction, r(0, 1));
    }

    #[test]
    fn public_gathering_window_is_six_months() {
        // D = 2025-06-30. Six months back is 2024-12-30, twelve 2024-06-30,
        // both exclusive.
        //   person 1 trained 2024-12-31 -> in both windows
        //   person 2 trained 2024-12-30 -> outside 6, inside 12
        //   person 3 trained 2024-07-01 -> outside 6, inside 12
        //   person 4 trained 2024-06-30 -> outside both
        // unit 1 (public gathering): 1/4; unit 2 (ordinary): 3/4.
        let mut gathering = unit(1);
        gathering.is_public_gathering = true;
        let mut memberships = Vec::new();
        for p in 1..=4 {
            memberships.push(member(p, 1, Post::Other, date!(2024 - 01 - 01), None));
            memberships.push(member(p, 2, Post::Other, date!(2024 - 01 - 01), None));
        }
        let idx = Facts {
            units: vec![gathering, unit(2)],
            memberships,
            trainings: vec![
                trained(1, date!(2024 - 12 - 31)),
                trained(2, date!(2024 - 12 - 30)),
                trained(3, date!(2024 - 07 - 01)),
                trained(4, date!(2024 - 06 - 30)),
            ],
            ..Facts::default()
        }
        .index();
        let d = date!(2025 - 06 - 30);
        assert_eq!(at(&idx, 1, d).annual, r(1, 4));
        assert_eq!(at(&idx, 2, d).annual, r(3, 4));
    }

    #[test]
    fn training_after_the_day_does_not_count_yet() {
        // Trained 2025-07-01; at 2025-06-30 that has not happened -> 0/1.
        let idx = Facts {
            units: vec![unit(1)],
            memberships: vec![member(1, 1, Post::Other, date!(2024 - 01 - 01), None)],
            trainings: vec![trained(1, date!(2025 - 07 - 01))],
            ..Facts::default()
        }
        .index();
        assert_eq!(at(&idx, 1, date!(2025 - 06 - 30)).annual, r(0, 1));
        assert_eq!(at(&idx, 1, date!(2025 - 07 - 01)).annual, r(1, 1));
    }

    #[test]
    fn key_unit_drill_window_is_six_months() {
        // D = 2025-06-30; all units staffed except unit 5.
        //   unit 1 key, drill 2024-12-31      -> in (2024-12-30, D]  -> 1/1
        //   unit 2 key, drill 2024-12-30      -> out                 -> 0/1
        //   unit 3 ordinary, drill 2024-07-01 -> in (2024-06-30, D]  -> 1/1
        //   unit 4 ordinary, drill 2024-06-30 -> out                 -> 0/1
        //   unit 5 nobody in post, drilled    -> not counted         -> 0/0
        // town: 2/4
        let mut units: Vec<UnitFacts> = (1..=5).map(unit).collect();
        units[0].is_key_unit = true;
        units[1].is_key_unit = true;
        let memberships = (1..=4)
            .map(|u| member(u, u, Post::Other, date!(2024 - 01 - 01), None))
            .collect();
        let drills = [
            (1, date!(2024 - 12 - 31)),
            (2, date!(2024 - 12 - 30)),
            (3, date!(2024 - 07 - 01)),
            (4, date!(2024 - 06 - 30)),
            (5, date!(2025 - 06 - 01)),
        ]
        .into_iter()
        .map(|(unit_id, date)| Drill { unit_id, date })
        .collect();
        let idx = Facts {
            units,
            memberships,
            drills,
            ..Facts::default()
        }
        .index();
        let d = date!(2025 - 06 - 30);
        let counts = unit_counts(&idx, d);
        let drills: Vec<Ratio> = counts.values().map(|c| c.drills).collect();
        assert_eq!(drills, vec![r(1, 1), r(0, 1), r(1, 1), r(0, 1), r(0, 0)]);
        assert_eq!(totals(&idx, d, |_| true).drills, r(2, 4));
        assert_eq!(units_overdue_drill(&idx, d), vec![2, 4]);
        assert_eq!(idx.last_drill(4, d), Some(date!(2024 - 06 - 30)));
        assert_eq!(
            idx.last_drill(5, date!(2025 - 05 - 31)),
            None,
            "a later drill is not yet held"
        );
        assert_eq!(idx.last_drill(99, d), None, "not in the scope");
    }

    #[test]
    fn operators_without_a_credential_longest_in_post_first() {
        // Unit 1: person 1 operator since 2025-03-01, person 2 since
        // 2024-02-01 (an earlier stint in 2023 does not count), person 3
        // since 2024-02-01 but qualified. Unit 2: person 4 since 2024-02-01.
        let idx = Facts {
            units: vec![unit(1), unit(2)],
            memberships: vec![
                member(1, 1, Post::Operator, date!(2025 - 03 - 01), None),
                member(
                    2,
                    1,
                    Post::Operator,
                    date!(2023 - 01 - 01),
                    Some(date!(2023 - 06 - 30)),
                ),
                member(2, 1, Post::Operator, date!(2024 - 02 - 01), None),
                member(3, 1, Post::Operator, date!(2024 - 02 - 01), None),
                member(4, 2, Post::Operator, date!(2024 - 02 - 01), None),
            ],
            credentials: vec![cred(3, 4, date!(2024 - 01 - 01), None)],
            ..Facts::default()
        }
        .index();
        assert_eq!(
            operators_without_credential(&idx, date!(2025 - 06 - 30)),
            vec![(2, 1), (4, 2), (1, 1)]
        );
    }

    #[test]
    fn induction_needs_training_on_or_before_the_first_day() {
        // Persons 1-5 start 2025-03-10; start - 12 months = 2024-03-10.
        //   1 trained 2025-03-09 (day before)         -> counts
        //   2 trained 2025-03-10 (first day)          -> counts
        //   3 trained 2025-03-11 (day after)          -> no
        //   4 trained 2024-02-09 (13 months before)   -> no
        //   5 trained 2024-03-10 (exactly 12 months)  -> counts
        // Joins in (2024-06-30, 2025-06-30]: persons 1-5 plus person 7
        // (2024-07-01, untrained); person 6 (2024-06-30) and person 8
        // (2025-07-01) are outside. -> 3/6
        let start = date!(2025 - 03 - 10);
        let mut memberships: Vec<Membership> = (1..=5)
            .map(|p| member(p, 1, Post::Other, start, None))
            .collect();
        memberships.push(member(6, 1, Post::Other, date!(2024 - 06 - 30), None));
        memberships.push(member(7, 1, Post::Other, date!(2024 - 07 - 01), None));
        memberships.push(member(8, 1, Post::Other, date!(2025 - 07 - 01), None));
        let idx = Facts {
            units: vec![unit(1)],
            memberships,
            trainings: vec![
                trained(1, date!(2025 - 03 - 09)),
                trained(2, date!(2025 - 03 - 10)),
                trained(3, date!(2025 - 03 - 11)),
                trained(4, date!(2024 - 02 - 09)),
                trained(5, date!(2024 - 03 - 10)),
                trained(6, date!(2024 - 06 - 01)),
            ],
            ..Facts::default()
        }
        .index();
        assert_eq!(at(&idx, 1, date!(2025 - 06 - 30)).induction, r(3, 6));
        // At 2025-07-01 the period is (2024-07-01, 2025-07-01]: person 7
        // drops out, person 8 (untrained) comes in -> still 3/6.
        assert_eq!(at(&idx, 1, date!(2025 - 07 - 01)).induction, r(3, 6));
    }

    #[test]
    fn month_arithmetic_clamps_the_day() {
        assert_eq!(
            add_months(date!(2025 - 02 - 28), -12),
            date!(2024 - 02 - 28)
        );
        assert_eq!(
            add_months(date!(2024 - 02 - 29), -12),
            date!(2023 - 02 - 28)
        );
        assert_eq!(add_months(date!(2025 - 03 - 31), -1), date!(2025 - 02 - 28));
        assert_eq!(add_months(date!(2024 - 03 - 31), -1), date!(2024 - 02 - 29));
        assert_eq!(add_months(date!(2025 - 08 - 31), -6), date!(2025 - 02 - 28));
        assert_eq!(
            add_months(date!(2025 - 01 - 15), -13),
            date!(2023 - 12 - 15)
        );
        assert_eq!(add_months(date!(2024 - 01 - 31), 1), date!(2024 - 02 - 29));
        assert_eq!(add_months(date!(2024 - 11 - 30), 3), date!(2025 - 02 - 28));
    }

    #[test]
    fn windows_at_29_february() {
        // Unit 1 ordinary, D = 2025-02-28: 12 months back is 2024-02-28
        // (exclusive), so person 1 (trained 2024-02-29) counts and person 2
        // (trained 2024-02-28) does not -> 1/2. At 2025-03-01 the window
        // starts after 2024-03-01 -> 0/2.
        // Unit 2 public gathering, person 1 only: 2024-08-28 - 6 months =
        // 2024-02-28, so 2024-02-29 is inside -> 1/1; 2024-08-29 - 6 months
        // = 2024-02-29 (exclusive) -> 0/1.
        let mut gathering = unit(2);
        gathering.is_public_gathering = true;
        let idx = Facts {
            units: vec![unit(1), gathering],
            memberships: vec![
                member(1, 1, Post::Other, date!(2023 - 01 - 01), None),
                member(2, 1, Post::Other, date!(2023 - 01 - 01), None),
                member(1, 2, Post::Other, date!(2023 - 01 - 01), None),
            ],
            trainings: vec![
                trained(1, date!(2024 - 02 - 29)),
                trained(2, date!(2024 - 02 - 28)),
            ],
            ..Facts::default()
        }
        .index();
        assert_eq!(at(&idx, 1, date!(2025 - 02 - 28)).annual, r(1, 2));
        assert_eq!(at(&idx, 1, date!(2025 - 03 - 01)).annual, r(0, 2));
        assert_eq!(at(&idx, 2, date!(2024 - 08 - 28)).annual, r(1, 1));
        assert_eq!(at(&idx, 2, date!(2024 - 08 - 29)).annual, r(0, 1));
    }

    #[test]
    fn empty_scope_has_no_percent() {
        // No units: every denominator is 0. A unit nobody works at is listed
        // with zeros.
        let empty = Facts::default().index();
        let c = totals(&empty, date!(2025 - 01 - 01), |_| true);
        assert_eq!(c, Counts::default());
        for m in Metric::ALL {
            assert_eq!(c.get(m).percent(), None);
        }
        let idx = Facts {
            units: vec![unit(7)],
            ..Facts::default()
        }
        .index();
        let counts = unit_counts(&idx, date!(2025 - 01 - 01));
        assert_eq!(counts.len(), 1);
        assert_eq!(counts[&7], Counts::default());
        // A filter that matches nothing is an empty scope too.
        let none = totals(&idx, date!(2025 - 01 - 01), |u| u.id == 8);
        assert_eq!(none.annual.percent(), None);
    }

    #[test]
    fn percent_and_sums() {
        // 1/3 + 2/5 = 3/8 = 37.5 %
        assert!((r(1, 3).percent().unwrap() - 100.0 / 3.0).abs() < 1e-9);
        let total: Ratio = [r(1, 3), r(2, 5)].iter().sum();
        assert_eq!(total, r(3, 8));
        assert_eq!(total.percent(), Some(37.5));
        let mut c = Counts::default();
        c += Counts {
            drills: r(1, 2),
            ..Counts::default()
        };
        c += Counts {
            drills: r(1, 1),
            certified: r(0, 4),
            ..Counts::default()
        };
        assert_eq!(c.drills, r(2, 3));
        assert_eq!(c.get(Metric::Certified), r(0, 4));
    }

    #[test]
    fn metric_codes_round_trip() {
        for m in Metric::ALL {
            assert_eq!(Metric::parse(m.code()), Some(m));
        }
        assert_eq!(Metric::parse("drills"), Some(Metric::Drills));
        assert_eq!(Metric::Certified.label(), "持证上岗率");
        assert_eq!(Metric::Induction.label(), "岗前培训率");
        assert_eq!(Metric::Annual.label(), "年度培训覆盖率");
        assert_eq!(Metric::Drills.label(), "演练达标率");
        assert_eq!(Metric::parse("coverage"), None);
    }

    #[test]
    fn month_ends_cover_each_month_and_end_at_to() {
        assert_eq!(
            month_ends(date!(2025 - 01 - 15), date!(2025 - 04 - 10)),
            vec![
                date!(2025 - 01 - 31),
                date!(2025 - 02 - 28),
                date!(2025 - 03 - 31),
                date!(2025 - 04 - 10)
            ]
        );
        assert_eq!(
            month_ends(date!(2024 - 01 - 31), date!(2024 - 03 - 31)),
            vec![
                date!(2024 - 01 - 31),
                date!(2024 - 02 - 29),
                date!(2024 - 03 - 31)
            ]
        );
        assert_eq!(
            month_ends(date!(2025 - 03 - 20), date!(2025 - 03 - 05)),
            vec![date!(2025 - 03 - 05)]
        );
        assert_eq!(
            month_ends(date!(2025 - 04 - 01), date!(2025 - 03 - 31)),
            Vec::<Date>::new()
        );
        assert_eq!(
            month_ends(date!(2023 - 01 - 01), date!(2025 - 12 - 31)).len(),
            36
        );
    }

    #[test]
    fn monthly_series_over_month_ends() {
        // Person 1 operator from 2025-02-01, credential issued 2025-03-15.
        // Person 2 operator 2025-01-01 ..= 2025-03-31, no credential.
        //   01-31: 2 only                 -> 0/1
        //   02-28: 1 and 2, no credential -> 0/2
        //   03-31: 2's last day; 1 holds  -> 1/2
        //   04-10: 1 only                 -> 1/1
        let idx = Facts {
            units: vec![unit(1)],
            memberships: vec![
                member(1, 1, Post::Operator, date!(2025 - 02 - 01), None),
                member(
                    2,
                    1,
                    Post::Operator,
                    date!(2025 - 01 - 01),
                    Some(date!(2025 - 03 - 31)),
                ),
            ],
            credentials: vec![cred(1, 5, date!(2025 - 03 - 15), None)],
            ..Facts::default()
        }
        .index();
        let series: Vec<Ratio> = month_ends(date!(2025 - 01 - 01), date!(2025 - 04 - 10))
            .into_iter()
            .map(|d| totals(&idx, d, |_| true).certified)
            .collect();
        assert_eq!(series, vec![r(0, 1), r(0, 2), r(1, 2), r(1, 1)]);
    }

    #[test]
    fn expiring_credentials_are_those_of_operators_within_the_window() {
        // d = 2025-06-01, 30 days -> expiry in (06-01, 07-01].
        //   person 1: expires 06-01 (today, still valid, not "expiring") -> no
        //   person 2: expires 07-01                                     -> yes
        //   person 3: expires 07-02                                     -> no
        //   person 4: expires 06-15 but not an operator                 -> no
        //   person 5: expires 06-10, unchecked                          -> no
        //   person 6: expires 06-05                                     -> yes (first)
        let mut memberships: Vec<Membership> = [1, 2, 3, 5, 6]
            .into_iter()
            .map(|p| member(p, 1, Post::Operator, date!(2024 - 01 - 01), None))
            .collect();
        memberships.push(member(4, 1, Post::Other, date!(2024 - 01 - 01), None));
        let issued = date!(2024 - 01 - 01);
        let mut unchecked = cred(5, 4, issued, Some(date!(2025 - 06 - 10)));
        unchecked.checked = false;
        let idx = Facts {
            units: vec![unit(1)],
            memberships,
            credentials: vec![
                cred(1, 4, issued, Some(date!(2025 - 06 - 01))),
                cred(2, 4, issued, Some(date!(2025 - 07 - 01))),
                cred(3, 4, issued, Some(date!(2025 - 07 - 02))),
                cred(4, 4, issued, Some(date!(2025 - 06 - 15))),
                unchecked,
                cred(6, 4, issued, Some(date!(2025 - 06 - 05))),
            ],
            ..Facts::default()
        }
        .index();
        let people: Vec<i64> = credentials_expiring(&idx, date!(2025 - 06 - 01), 30)
            .iter()
            .map(|c| c.person_id)
            .collect();
        assert_eq!(people, vec![6, 2]);
    }

    #[test]
    fn several_credentials_and_trainings_per_person_given_in_any_order() {
        // Unit 1 has linkage. Person 3: 三级 expired 2024-12-31 and a valid
        // 五级 -> not qualified at 2025-06-30. Person 1: 五级 and a 四级 from
        // 2025-01-01 -> qualified. Person 2 holds nothing. -> 1/3
        // Person 1 trainings (unordered, one duplicate): 2025-01-01,
        // 2024-06-01, 2023-01-01, 2025-01-01. Person 2: 2025-01-01 (the
        // same day as person 1's last).
        //   2024-05-31: 1's latest 2023-01-01, not after 2023-05-31 -> 0/3
        //   2024-12-31: 1's latest 2024-06-01, after 2023-12-31     -> 1/3
        //   2025-06-30: both trained 2025-01-01                     -> 2/3
        let mut linked = unit(1);
        linked.linkage = true;
        let idx = Facts {
            units: vec![linked],
            memberships: [3, 1, 2]
                .into_iter()
                .map(|p| member(p, 1, Post::Operator, date!(2023 - 01 - 01), None))
                .collect(),
            credentials: vec![
                cred(3, 3, date!(2022 - 01 - 01), Some(date!(2024 - 12 - 31))),
                cred(1, 5, date!(2022 - 01 - 01), None),
                cred(3, 5, date!(2022 - 01 - 01), None),
                cred(1, 4, date!(2025 - 01 - 01), None),
            ],
            trainings: vec![
                trained(1, date!(2025 - 01 - 01)),
                trained(1, date!(2024 - 06 - 01)),
                trained(1, date!(2023 - 01 - 01)),
                trained(2, date!(2025 - 01 - 01)),
                trained(1, date!(2025 - 01 - 01)),
            ],
            ..Facts::default()
        }
        .index();
        assert_eq!(at(&idx, 1, date!(2025 - 06 - 30)).certified, r(1, 3));
        assert_eq!(
            operators_without_credential(&idx, date!(2025 - 06 - 30)),
            vec![(2, 1), (3, 1)]
        );
        assert_eq!(at(&idx, 1, date!(2024 - 05 - 31)).annual, r(0, 3));
        assert_eq!(at(&idx, 1, date!(2024 - 12 - 31)).annual, r(1, 3));
        assert_eq!(at(&idx, 1, date!(2025 - 06 - 30)).annual, r(2, 3));
    }

    /// The worked example of docs/COVERAGE.md, number for number.
    #[test]
    fn worked_example_in_coverage_md() {
        use super::super::targets::{Target, status};
        // Unit 1: hotel, public gathering, key unit, linkage, village 1.
        // Unit 2: workshop, ordinary, no linkage, village 2.
        let mut hotel = unit(1);
        hotel.region_id = 1;
        hotel.is_public_gathering = true;
        hotel.is_key_unit = true;
        hotel.linkage = true;
        let mut workshop = unit(2);
        workshop.region_id = 2;
        let mut pending = cred(6, 4, date!(2025 - 05 - 20), None);
        pending.checked = false;
        let idx = Facts {
            units: vec![hotel, workshop],
            memberships: vec![
                member(1, 1, Post::Operator, date!(2024 - 03 - 01), None),
                member(2, 1, Post::Operator, date!(2025 - 04 - 01), None),
                member(3, 2, Post::Operator, date!(2023 - 01 - 01), None),
                member(3, 1, Post::Other, date!(2025 - 05 - 10), None),
                member(4, 2, Post::Other, date!(2025 - 01 - 05), None),
                member(
                    5,
                    2,
                    Post::Other,
                    date!(2022 - 03 - 01),
                    Some(date!(2025 - 06 - 15)),
                ),
                member(6, 2, Post::Operator, date!(2025 - 06 - 01), None),
            ],
            credentials: vec![
                cred(1, 5, date!(2024 - 01 - 10), Some(date!(2027 - 01 - 09))),
                cred(2, 4, date!(2022 - 07 - 16), Some(date!(2025 - 07 - 15))),
                cred(3, 5, date!(2023 - 05 - 01), None),
                pending,
            ],
            trainings: vec![
                trained(1, date!(2025 - 02 - 10)),
                trained(2, date!(2025 - 03 - 25)),
                trained(3, date!(2024 - 10 - 08)),
                trained(4, date!(2025 - 01 - 20)),
            ],
            drills: vec![
                Drill {
                    unit_id: 1,
                    date: date!(2024 - 11 - 20),
                },
                Drill {
                    unit_id: 2,
                    date: date!(2024 - 09 - 01),
                },
            ],
        }
        .index();
        let d = date!(2025 - 06 - 30);
        let counts = unit_counts(&idx, d);
        let hotel = Counts {
            certified: r(1, 2),
            induction: r(2, 2),
            annual: r(2, 3),
            drills: r(0, 1),
        };
        let workshop = Counts {
            certified: r(1, 2),
            induction: r(0, 2),
            annual: r(2, 3),
            drills: r(1, 1),
        };
        assert_eq!(counts[&1], hotel);
        assert_eq!(counts[&2], workshop);
        let town = totals(&idx, d, |_| true);
        assert_eq!(
            town,
            Counts {
                certified: r(2, 4),
                induction: r(2, 4),
                annual: r(4, 6),
                drills: r(1, 2),
            }
        );
        assert_eq!(roll_up(&idx, &counts, |u| u.region_id)[&1], hotel);

        assert_eq!(operators_without_credential(&idx, d), vec![(1, 1), (6, 2)]);
        let expiring: Vec<i64> = credentials_expiring(&idx, d, 30)
            .iter()
            .map(|c| c.person_id)
            .collect();
        assert_eq!(expiring, vec![2]);
        assert_eq!(units_overdue_training(&idx, d), vec![1, 2]);
        assert_eq!(units_overdue_drill(&idx, d), vec![1]);

        let seed = [
            Target {
                metric: Metric::Certified,
                due: date!(2024 - 12 - 31),
                percent: 85.0,
            },
            Target {
                metric: Metric::Certified,
                due: date!(2026 - 12 - 31),
                percent: 100.0,
            },
        ];
        let s = status(&seed, Metric::Certified, d, town.certified).unwrap();
        assert_eq!(
            (s.target_percent, s.due, s.gap),
            (100.0, date!(2026 - 12 - 31), 2)
        );
        assert!((s.required_now - (85.0 + 15.0 * 181.0 / 730.0)).abs() < 1e-9);
        assert!(!s.on_track);
    }

    #[test]
    fn memberships_outside_the_scope_or_never_held_are_ignored() {
        // Unit 9 is not in the scope; person 2's membership ends before it
        // starts. Only person 1 counts -> annual 0/1, no entry for unit 9.
        let idx = Facts {
            units: vec![unit(1)],
            memberships: vec![
                member(1, 1, Post::Other, date!(2024 - 01 - 01), None),
                member(
                    2,
                    1,
                    Post::Other,
                    date!(2024 - 05 - 01),
                    Some(date!(2024 - 04 - 01)),
                ),
                member(3, 9, Post::Other, date!(2024 - 01 - 01), None),
            ],
            ..Facts::default()
        }
        .index();
        let counts = unit_counts(&idx, date!(2024 - 06 - 01));
        assert_eq!(counts.keys().copied().collect::<Vec<_>>(), vec![1]);
        assert_eq!(counts[&1].annual, r(0, 1));
        assert_eq!(counts[&1].induction, r(0, 1));
    }
}
