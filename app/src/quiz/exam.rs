//! Exam rules, drawing an attempt from a bank, and grading. Pure functions:
//! randomness comes in as a function so tests can fix it.

use super::gift::{Kind, Question};
use serde::{Deserialize, Serialize};

/// `[exam]` in course.toml.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExamRules {
    /// Percent needed to pass.
    pub pass_mark: u32,
    pub minutes: u32,
    pub attempts_per_day: u32,
    pub draw: Vec<DrawRule>,
}

/// Draw `count` questions of `type` ("single", "multiple", "truefalse"),
/// from one lesson's category or from all.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DrawRule {
    #[serde(rename = "type")]
    pub kind: String,
    pub count: usize,
    #[serde(default)]
    pub category: Option<String>,
}

impl ExamRules {
    /// Problems with the rules against the bank, as messages.
    pub fn check(&self, bank: &[Question]) -> Vec<String> {
        let mut problems = Vec::new();
        if !(1..=100).contains(&self.pass_mark) {
            problems.push("exam.pass_mark must be 1–100".to_string());
        }
        if !(1..=180).contains(&self.minutes) {
            problems.push("exam.minutes must be 1–180".to_string());
        }
        if self.attempts_per_day == 0 {
            problems.push("exam.attempts_per_day must be at least 1".to_string());
        }
        if self.draw.is_empty() {
            problems.push("exam.draw needs at least one rule".to_string());
        }
        for rule in &self.draw {
            if !["single", "multiple", "truefalse"].contains(&rule.kind.as_str()) {
                problems.push(format!("exam.draw: unknown type {:?}", rule.kind));
                continue;
            }
            let available = bank.iter().filter(|q| rule.matches(q)).count();
            // Rules may overlap (a category rule and an all-category rule);
            // the draw takes distinct questions, so check the demand on each pool.
            let demanded: usize = self
                .draw
                .iter()
                .filter(|r| {
                    r.kind == rule.kind && (r.category.is_none() || r.category == rule.category)
                })
                .map(|r| r.count)
                .sum();
            if available < rule.count || (rule.category.is_none() && available < demanded) {
                problems.push(format!(
                    "exam.draw asks for {} {} question(s){} but the bank has {available}",
                    rule.count,
                    rule.kind,
                    rule.category
                        .as_ref()
                        .map(|c| format!(" in {c}"))
                        .unwrap_or_default()
                ));
            }
        }
        problems
    }

    pub fn question_count(&self) -> usize {
        self.draw.iter().map(|r| r.count).sum()
    }
}

impl DrawRule {
    fn matches(&self, q: &Question) -> bool {
        q.type_code() == self.kind && self.category.as_ref().is_none_or(|c| *c == q.category)
    }
}

/// One drawn question: the question and the order its options are shown in
/// (indices into its options; empty for true/false).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Drawn {
    pub question: Question,
    pub order: Vec<usize>,
}

fn options(q: &Question) -> usize {
    match &q.kind {
        Kind::Single(c) | Kind::Multiple(c) => c.len(),
        Kind::TrueFalse { .. } => 0,
    }
}

fn shuffle<T>(items: &mut [T], random_below: &mut impl FnMut(usize) -> usize) {
    for i in (1..items.len()).rev() {
        items.swap(i, random_below(i + 1));
    }
}

/// Draws an attempt: category rules first, then the rest, no question twice,
/// the whole set shuffled and every question's options shuffled.
pub fn draw(
    bank: &[Question],
    rules: &ExamRules,
    random_below: &mut impl FnMut(usize) -> usize,
) -> Vec<Drawn> {
    let mut taken = vec![false; bank.len()];
    let mut picked = Vec::new();
    let mut ordered: Vec<&DrawRule> = rules.draw.iter().filter(|r| r.category.is_some()).collect();
    ordered.extend(rules.draw.iter().filter(|r| r.category.is_none()));
    for rule in ordered {
        let mut pool: Vec<usize> = (0..bank.len())
            .filter(|&i| !taken[i] && rule.matches(&bank[i]))
            .collect();
        shuffle(&mut pool, random_below);
        for &i in pool.iter().take(rule.count) {
            taken[i] = true;
            picked.push(i);
        }
    }
    shuffle(&mut picked, random_below);
    picked
        .into_iter()
        .map(|i| {
            let mut order: Vec<usize> = (0..options(&bank[i])).collect();
            shuffle(&mut order, random_below);
            Drawn {
                question: bank[i].clone(),
                order,
            }
        })
        .collect()
}

/// What the learner chose, in the question's own option indices (for
/// true/false: index 0 = TRUE, 1 = FALSE).
pub type Selection = Vec<usize>;

/// The share of the question's points earned, 0.0–1.0. Single choice and
/// true/false are right or wrong; multiple choice adds the GIFT weights of
/// the chosen options (wrong ones are negative) and clamps at 0.
pub fn score(question: &Question, selected: &Selection) -> f64 {
    match &question.kind {
        Kind::Single(choices) => match selected.as_slice() {
            [one] => choices
                .get(*one)
                .map_or(0.0, |c| if c.is_right() { 1.0 } else { 0.0 }),
            _ => 0.0,
        },
        Kind::TrueFalse { answer, .. } => match selected.as_slice() {
            [0] if *answer => 1.0,
            [1] if !*answer => 1.0,
            _ => 0.0,
        },
        Kind::Multiple(choices) => {
            let mut seen = std::collections::HashSet::new();
            let total: f64 = selected
                .iter()
                .filter(|i| seen.insert(**i))
                .filter_map(|i| choices.get(*i))
                .map(|c| c.weight)
                .sum();
            // GIFT thirds are written 33.33333; round so three of them are whole.
            ((total / 100.0).clamp(0.0, 1.0) * 10_000.0).round() / 10_000.0
        }
    }
}

/// Percent score (rounded to one decimal) over all drawn questions;
/// unanswered questions score 0.
pub fn percent(scores: &[f64]) -> f64 {
    if scores.is_empty() {
        return 0.0;
    }
    (scores.iter().sum::<f64>() / scores.len() as f64 * 1000.0).round() / 10.0
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::quiz::gift::parse;

    const BANK: &str = "$CATEGORY: a\n\n::a-1:: 一 {=对 ~错 ~也错 ####x}\n\n::a-2:: 二 {TRUE ####x}\n\n::a-3:: 三（多选） {~%50%甲 ~%50%乙 ~%-100%丙 ####x}\n\n$CATEGORY: b\n\n::b-1:: 四 {=对 ~错 ####x}\n\n::b-2:: 五 {FALSE ####x}\n";

    fn rules(draw: Vec<DrawRule>) -> ExamRules {
        ExamRules {
            pass_mark: 80,
            minutes: 20,
            attempts_per_day: 3,
            draw,
        }
    }

    fn rule(kind: &str, count: usize, category: Option<&str>) -> DrawRule {
        DrawRule {
            kind: kind.into(),
            count,
            category: category.map(Into::into),
        }
    }

    #[test]
    fn draws_the_asked_mix_without_repeats_and_shuffles_options() {
        let bank = parse(BANK).unwrap();
        let rules = rules(vec![
            rule("single", 1, Some("b")),
            rule("single", 1, None),
            rule("truefalse", 2, None),
        ]);
        assert!(rules.check(&bank).is_empty(), "{:?}", rules.check(&bank));
        let mut seed = 7u64;
        let mut random_below = |n: usize| {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (seed >> 33) as usize % n
        };
        for _ in 0..20 {
            let drawn = draw(&bank, &rules, &mut random_below);
            let ids: Vec<&str> = drawn.iter().map(|d| d.question.id.as_str()).collect();
            assert_eq!(ids.len(), 4, "{ids:?}");
            assert!(ids.contains(&"b-1") && ids.contains(&"a-1"), "{ids:?}");
            let unique: std::collections::HashSet<_> = ids.iter().collect();
            assert_eq!(unique.len(), 4);
            for d in &drawn {
                let mut sorted = d.order.clone();
                sorted.sort();
                assert_eq!(sorted, (0..sorted.len()).collect::<Vec<_>>());
            }
        }
    }

    #[test]
    fn rules_asking_for_more_than_the_bank_has_are_reported() {
        let bank = parse(BANK).unwrap();
        let problems = rules(vec![rule("multiple", 2, None), rule("essay", 1, None)]).check(&bank);
        assert!(
            problems
                .iter()
                .any(|p| p.contains("2 multiple question(s) but the bank has 1")),
            "{problems:?}"
        );
        assert!(
            problems.iter().any(|p| p.contains("unknown type")),
            "{problems:?}"
        );
    }

    #[test]
    fn grading_follows_gift_semantics() {
        let bank = parse(BANK).unwrap();
        assert_eq!(score(&bank[0], &vec![0]), 1.0);
        assert_eq!(score(&bank[0], &vec![1]), 0.0);
        assert_eq!(
            score(&bank[0], &vec![0, 1]),
            0.0,
            "two picks on a single choice"
        );
        assert_eq!(score(&bank[1], &vec![0]), 1.0, "TRUE");
        assert_eq!(score(&bank[1], &vec![1]), 0.0);
        assert_eq!(score(&bank[2], &vec![0, 1]), 1.0);
        assert_eq!(score(&bank[2], &vec![0]), 0.5);
        assert_eq!(
            score(&bank[2], &vec![0, 0]),
            0.5,
            "a repeated pick counts once"
        );
        assert_eq!(score(&bank[2], &vec![0, 1, 2]), 0.0, "a wrong pick costs");
        assert_eq!(score(&bank[2], &vec![]), 0.0);
        assert_eq!(score(&bank[4], &vec![1]), 1.0, "FALSE");
        let thirds = parse("$CATEGORY: a\n\n::t:: 三项（多选） {~%33.33333%甲 ~%33.33333%乙 ~%33.33333%丙 ~%-100%丁 ####x}\n").unwrap();
        assert_eq!(
            score(&thirds[0], &vec![0, 1, 2]),
            1.0,
            "three thirds are a whole"
        );
        assert_eq!(percent(&[1.0, 0.5, 0.0]), 50.0);
        assert_eq!(percent(&[1.0, 1.0, 0.0]), 66.7);
    }
}
