//! Targets are data (a county sets its own milestones); this turns them into
//! "what is required today" and "how many more are needed".

use time::Date;

use super::engine::{Metric, Ratio};

/// Slack for comparing rates that are ratios of small integers, so float
/// rounding (0.07 × 100 = 7.000000000000001) never asks for one more person.
const EPSILON: f64 = 1e-9;

/// A milestone: `percent` of the metric by the end of `due`.
#[derive(Clone, Debug, PartialEq)]
pub struct Target {
    pub metric: Metric,
    pub due: Date,
    pub percent: f64,
}

#[derive(Clone, Debug, PartialEq)]
pub struct TargetStatus {
    /// The milestone shown: the next one due on or after the day, or the
    /// last one once all are past.
    pub target_percent: f64,
    pub due: Date,
    /// People (units for 演练达标率) still needed to reach `target_percent`
    /// with today's denominator.
    pub gap: u32,
    /// The rate required today to be on course for the milestones.
    pub required_now: f64,
    pub on_track: bool,
}

/// The metric's milestones in due order (ties keep their input order).
fn milestones(targets: &[Target], metric: Metric) -> Vec<&Target> {
    let mut out: Vec<&Target> = targets.iter().filter(|t| t.metric == metric).collect();
    out.sort_by_key(|t| t.due);
    out
}

/// Index of the first milestone due on or after `d`.
fn next_index(sorted: &[&Target], d: Date) -> usize {
    sorted.partition_point(|t| t.due < d)
}

/// Required rate at `d` among milestones sorted by due: the first
/// milestone's percent up to its due day (it must already be met: no
/// starting level is assumed), a straight line by days between milestones,
/// the last percent after the last.
fn required_in(sorted: &[&Target], d: Date) -> Option<f64> {
    let i = next_index(sorted, d);
    let next = sorted.get(i);
    match (i.checked_sub(1).map(|p| sorted[p]), next) {
        (None, next) => next.map(|t| t.percent),
        (Some(last), None) => Some(last.percent),
        (Some(prev), Some(next)) => {
            // prev.due < d <= next.due, so the span is at least one day.
            let span = (next.due - prev.due).whole_days() as f64;
            let gone = (d - prev.due).whole_days() as f64;
            Some(prev.percent + (next.percent - prev.percent) * gone / span)
        }
    }
}

/// The rate of `metric` required at `d`, or `None` without milestones.
pub fn required_at(targets: &[Target], metric: Metric, d: Date) -> Option<f64> {
    required_in(&milestones(targets, metric), d)
}

/// Treats every target given as a milestone of the same metric (the chart
/// receives the charted metric's targets only).
pub(super) fn required_among(targets: &[Target], d: Date) -> Option<f64> {
    let mut sorted: Vec<&Target> = targets.iter().collect();
    sorted.sort_by_key(|t| t.due);
    required_in(&sorted, d)
}

/// How `ratio` (the metric's value at `d`) stands against the milestones.
/// `None` when the metric has no milestones or the denominator is 0.
pub fn status(targets: &[Target], metric: Metric, d: Date, ratio: Ratio) -> Option<TargetStatus> {
    let achieved = ratio.percent()?;
    let sorted = milestones(targets, metric);
    let shown = sorted.get(next_index(&sorted, d)).or(sorted.last())?;
    let required_now = required_in(&sorted, d)?;
    // Float to int saturates, so a target above 100 % cannot wrap.
    let needed = (shown.percent / 100.0 * f64::from(ratio.den) - EPSILON)
        .ceil()
        .max(0.0) as u32;
    Some(TargetStatus {
        target_percent: shown.percent,
        due: shown.due,
        gap: needed.saturating_sub(ratio.num),
        required_now,
        on_track: achieved + EPSILON >= required_now,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    /// The seed: 持证上岗率 85 % by 2024-12-31, 100 % by 2026-12-31, given
    /// out of order and mixed with another metric's milestone to prove both
    /// are handled.
    fn seed() -> Vec<Target> {
        vec![
            Target {
                metric: Metric::Certified,
                due: date!(2026 - 12 - 31),
                percent: 100.0,
            },
            Target {
                metric: Metric::Drills,
                due: date!(2025 - 06 - 30),
                percent: 50.0,
            },
            Target {
                metric: Metric::Certified,
                due: date!(2024 - 12 - 31),
                percent: 85.0,
            },
        ]
    }

    fn r(num: u32, den: u32) -> Ratio {
        Ratio { num, den }
    }

    fn certified(d: Date, ratio: Ratio) -> TargetStatus {
        status(&seed(), Metric::Certified, d, ratio).expect("milestones and a denominator")
    }

    #[test]
    fn before_the_first_milestone_it_must_already_be_met() {
        // 2024-06-30: shown 85 % by 2024-12-31, required now 85.
        // 17/20 = 85 % -> on track; need ceil(0.85 × 20) = 17 -> gap 0.
        // 16/20 = 80 % -> behind; gap 17 - 16 = 1.
        let s = certified(date!(2024 - 06 - 30), r(17, 20));
        assert_eq!((s.target_percent, s.due), (85.0, date!(2024 - 12 - 31)));
        assert_eq!((s.required_now, s.gap, s.on_track), (85.0, 0, true));
        let s = certified(date!(2024 - 06 - 30), r(16, 20));
        assert_eq!((s.gap, s.on_track), (1, false));
    }

    #[test]
    fn on_a_due_day_that_milestone_is_still_shown() {
        let s = certified(date!(2024 - 12 - 31), r(16, 20));
        assert_eq!(
            (s.target_percent, s.due, s.required_now),
            (85.0, date!(2024 - 12 - 31), 85.0)
        );
    }

    #[test]
    fn between_milestones_the_requirement_rises_by_days() {
        // 2025-12-31 is 365 of the 730 days from 2024-12-31 to 2026-12-31:
        // required = 85 + (100 - 85) × 365 / 730 = 92.5; shown 100 % by
        // 2026-12-31.
        //   37/40 = 92.5 % -> on track, gap 40 - 37 = 3
        //   18/20 = 90 %   -> behind,  gap 20 - 18 = 2
        let s = certified(date!(2025 - 12 - 31), r(37, 40));
        assert_eq!((s.target_percent, s.due), (100.0, date!(2026 - 12 - 31)));
        assert!((s.required_now - 92.5).abs() < 1e-9);
        assert_eq!((s.gap, s.on_track), (3, true));
        let s = certified(date!(2025 - 12 - 31), r(18, 20));
        assert_eq!((s.gap, s.on_track), (2, false));
        // One day after the first milestone: 85 + 15 × 1/730 ≈ 85.0205.
        let s = certified(date!(2025 - 01 - 01), r(17, 20));
        assert!((s.required_now - (85.0 + 15.0 / 730.0)).abs() < 1e-9);
        assert!(!s.on_track);
    }

    #[test]
    fn after_the_last_milestone_it_stays() {
        // 2027-06-30: shown 100 % by 2026-12-31. 7/7 on track, 6/7 gap 1.
        let s = certified(date!(2027 - 06 - 30), r(7, 7));
        assert_eq!(
            (s.target_percent, s.due, s.required_now),
            (100.0, date!(2026 - 12 - 31), 100.0)
        );
        assert_eq!((s.gap, s.on_track), (0, true));
        let s = certified(date!(2027 - 06 - 30), r(6, 7));
        assert_eq!((s.gap, s.on_track), (1, false));
    }

    #[test]
    fn gap_rounds_up_but_not_for_float_noise() {
        // 85 % of 7 = 5.95 -> 6 people needed; with 5 the gap is 1.
        assert_eq!(certified(date!(2024 - 06 - 30), r(5, 7)).gap, 1);
        // 7 % of 100 is 7.000000000000001 in floats; 7 people suffice.
        let targets = [Target {
            metric: Metric::Drills,
            due: date!(2025 - 12 - 31),
            percent: 7.0,
        }];
        let s = status(&targets, Metric::Drills, date!(2025 - 01 - 01), r(7, 100)).unwrap();
        assert_eq!((s.gap, s.on_track), (0, true));
    }

    #[test]
    fn no_status_without_milestones_or_denominator() {
        assert_eq!(
            status(&seed(), Metric::Certified, date!(2025 - 01 - 01), r(0, 0)),
            None
        );
        assert_eq!(
            status(&seed(), Metric::Annual, date!(2025 - 01 - 01), r(3, 4)),
            None
        );
        assert_eq!(
            required_at(&seed(), Metric::Annual, date!(2025 - 01 - 01)),
            None
        );
    }

    #[test]
    fn required_at_uses_only_the_metrics_milestones() {
        // Drills has one milestone, 50 % by 2025-06-30: 50 before and after.
        assert_eq!(
            required_at(&seed(), Metric::Drills, date!(2025 - 01 - 01)),
            Some(50.0)
        );
        assert_eq!(
            required_at(&seed(), Metric::Drills, date!(2026 - 01 - 01)),
            Some(50.0)
        );
        // Without the filter the Drills milestone would bend the line.
        let certified_only: Vec<Target> = seed()
            .into_iter()
            .filter(|t| t.metric == Metric::Certified)
            .collect();
        let d = date!(2025 - 12 - 31);
        assert_eq!(
            required_among(&certified_only, d),
            required_at(&seed(), Metric::Certified, d)
        );
    }
}
