//! Coverage: the four rates officials report (持证上岗率, 岗前培训率,
//! 年度培训覆盖率, 演练达标率), computed as of any calendar day from
//! validity intervals, so history can be replayed and a monthly series drawn.
//!
//! Pure arithmetic: no I/O, no database. The caller loads [`Facts`] for a
//! scope, calls [`Facts::index`] once, then asks for as many dates as it
//! needs ([`unit_counts`], [`totals`], the action lists), compares a rate
//! with the county's milestones ([`status`]) and draws the trend
//! ([`trend_svg`]).
//!
//! Every count is per unit: a person on two units' rosters counts in both,
//! because each unit's roster is what that unit reports. Villages, towns and
//! industries are sums of their units' [`Counts`] (see [`roll_up`]), never
//! averages of percentages.
//!
//! `docs/COVERAGE.md` states the definitions exactly as implemented here.

pub mod chart;
pub mod engine;
pub mod targets;

pub use chart::trend_svg;
pub use engine::{
    Counts, Credential, Drill, Facts, Indexed, Membership, Metric, Post, Ratio, Training,
    UnitFacts, add_months, credentials_expiring, month_ends, operators_without_credential, roll_up,
    totals, unit_counts, units_overdue_drill, units_overdue_training,
};
pub use targets::{Target, TargetStatus, required_at, status};
