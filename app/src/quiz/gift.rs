//! Moodle's GIFT format, the subset question banks use: single choice,
//! multiple choice with percentage weights, true/false, per-answer and
//! general feedback, `$CATEGORY:`, comments and backslash escapes.
//! `parse` reports problems as (line, message); `write` produces text that
//! parses back to the same bank.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Question {
    /// `::name::`, unique within a bank.
    pub id: String,
    /// The `$CATEGORY` in force: the slug of the lesson it tests.
    pub category: String,
    pub stem: String,
    pub kind: Kind,
    /// The `####` text: the explanation shown after the exam.
    pub explanation: String,
    /// Line of the question's first line, for messages.
    #[serde(skip)]
    pub line: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Kind {
    /// Exactly one right option.
    Single(Vec<Choice>),
    /// Weighted options; the right ones have positive weights summing to 100.
    Multiple(Vec<Choice>),
    TrueFalse {
        answer: bool,
        feedback_right: String,
        feedback_wrong: String,
    },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Choice {
    pub text: String,
    /// Percent: 100 for the right single-choice option, 0 for wrong ones;
    /// the GIFT weight for multiple choice.
    pub weight: f64,
    pub feedback: String,
}

impl Choice {
    pub fn is_right(&self) -> bool {
        self.weight > 0.0
    }
}

impl Question {
    pub fn type_code(&self) -> &'static str {
        match self.kind {
            Kind::Single(_) => "single",
            Kind::Multiple(_) => "multiple",
            Kind::TrueFalse { .. } => "truefalse",
        }
    }
}

/// Splits on an unescaped `sep`, keeping escapes in place.
fn find_unescaped(s: &str, targets: &[char]) -> Option<(usize, char)> {
    let mut escaped = false;
    for (i, c) in s.char_indices() {
        if escaped {
            escaped = false;
        } else if c == '\\' {
            escaped = true;
        } else if targets.contains(&c) {
            return Some((i, c));
        }
    }
    None
}

fn unescape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next() {
                Some('n') => out.push('\n'),
                Some(next) => out.push(next),
                None => out.push('\\'),
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// The inverse of `clean`: escapes what GIFT gives a meaning to, a newline
/// as `\n`, a `%` that would start a weight, and the spaces that collapsing
/// whitespace would drop (a leading one, and each after another).
fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut previous = None;
    for c in s.chars() {
        let leading = previous.is_none();
        match c {
            '\n' => out.push_str("\\n"),
            '~' | '=' | '#' | '{' | '}' | ':' | '\\' => {
                out.push('\\');
                out.push(c);
            }
            '%' if leading => out.push_str("\\%"),
            ' ' if leading || previous == Some(' ') => out.push_str("\\ "),
            _ => out.push(c),
        }
        previous = Some(c);
    }
    out
}

/// Normalises whitespace: GIFT lets text wrap over lines.
fn clean(s: &str) -> String {
    unescape(&s.split_whitespace().collect::<Vec<_>>().join(" "))
}

/// Parses a whole bank. Every problem comes back as (line, message).
pub fn parse(text: &str) -> Result<Vec<Question>, Vec<(usize, String)>> {
    let mut problems = Vec::new();
    let mut questions = Vec::new();
    let mut category = String::new();
    // Gather blocks separated by blank lines, skipping comments.
    let mut block = String::new();
    let mut block_line = 0;
    let lines: Vec<&str> = text.lines().collect();
    let flush = |block: &mut String,
                 line: usize,
                 category: &str,
                 questions: &mut Vec<Question>,
                 problems: &mut Vec<(usize, String)>| {
        if block.trim().is_empty() {
            block.clear();
            return;
        }
        match parse_question(block, category) {
            Ok(mut q) => {
                q.line = line;
                questions.push(q);
            }
            Err(message) => problems.push((line, message)),
        }
        block.clear();
    };
    let mut depth = 0i32;
    for (i, raw) in lines.iter().enumerate() {
        let line_no = i + 1;
        let trimmed = raw.trim();
        if depth == 0 && trimmed.starts_with("//") {
            continue;
        }
        if depth == 0 && trimmed.starts_with("$CATEGORY:") {
            flush(
                &mut block,
                block_line,
                &category,
                &mut questions,
                &mut problems,
            );
            category = trimmed["$CATEGORY:".len()..].trim().to_string();
            if category.is_empty() {
                problems.push((line_no, "empty $CATEGORY".to_string()));
            }
            continue;
        }
        if depth == 0 && trimmed.is_empty() {
            flush(
                &mut block,
                block_line,
                &category,
                &mut questions,
                &mut problems,
            );
            continue;
        }
        if block.is_empty() {
            block_line = line_no;
        }
        block.push_str(raw);
        block.push('\n');
        let mut escaped = false;
        for c in raw.chars() {
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == '{' {
                depth += 1;
            } else if c == '}' {
                depth -= 1;
            }
        }
        if depth < 0 {
            problems.push((line_no, "unmatched }".to_string()));
            depth = 0;
        }
    }
    if depth != 0 {
        problems.push((block_line, "answer block not closed with }".to_string()));
        block.clear();
    }
    flush(
        &mut block,
        block_line,
        &category,
        &mut questions,
        &mut problems,
    );

    let mut seen = std::collections::HashMap::new();
    for q in &questions {
        if let Some(first) = seen.insert(q.id.clone(), q.line) {
            problems.push((
                q.line,
                format!("duplicate question id {:?} (first on line {first})", q.id),
            ));
        }
    }
    if problems.is_empty() {
        Ok(questions)
    } else {
        Err(problems)
    }
}

fn parse_question(block: &str, category: &str) -> Result<Question, String> {
    let block = block.trim();
    let (id, rest) = match block.strip_prefix("::") {
        Some(after) => {
            let end = after.find("::").ok_or("question name not closed with ::")?;
            (after[..end].trim().to_string(), &after[end + 2..])
        }
        None => return Err("every question needs a ::name::".to_string()),
    };
    if id.is_empty() {
        return Err("empty question name".to_string());
    }
    // Names are not unescaped, so these could not be written back.
    if id.contains(['{', '}']) || id.ends_with(':') {
        return Err(format!(
            "question name {id:?} must not contain {{ or }} or end with :"
        ));
    }
    if category.is_empty() {
        return Err(format!("question {id} comes before any $CATEGORY"));
    }
    let (open, _) = find_unescaped(rest, &['{'])
        .ok_or_else(|| format!("question {id} has no answer block {{…}}"))?;
    let close = rest
        .rfind('}')
        .filter(|&c| c > open)
        .ok_or_else(|| format!("question {id}: answer block not closed"))?;
    let stem = clean(&rest[..open]);
    if !rest[close + 1..].trim().is_empty() {
        return Err(format!(
            "question {id}: text after the answer block is not supported"
        ));
    }
    if stem.is_empty() {
        return Err(format!("question {id} has an empty stem"));
    }
    let body = &rest[open + 1..close];
    let (answers, explanation) = match body.find("####") {
        Some(i) => (&body[..i], clean(&body[i + 4..])),
        None => (body, String::new()),
    };
    if explanation.is_empty() {
        return Err(format!("question {id} has no explanation (####…)"));
    }
    let kind = parse_answers(answers.trim(), &id)?;
    Ok(Question {
        id,
        category: category.to_string(),
        stem,
        kind,
        explanation,
        line: 0,
    })
}

fn parse_answers(answers: &str, id: &str) -> Result<Kind, String> {
    let upper = answers.split('#').next().unwrap_or("").trim();
    if matches!(upper, "T" | "TRUE" | "F" | "FALSE")
        && !answers.starts_with('=')
        && !answers.starts_with('~')
    {
        let answer = matches!(upper, "T" | "TRUE");
        let mut feedback = answers[upper.len()..].trim().splitn(3, '#').skip(1);
        let feedback_wrong = feedback.next().map(clean).unwrap_or_default();
        let feedback_right = feedback.next().map(clean).unwrap_or_default();
        return Ok(Kind::TrueFalse {
            answer,
            feedback_right,
            feedback_wrong,
        });
    }
    let mut choices = Vec::new();
    let mut rest = answers;
    let mut marker = match rest.chars().next() {
        Some(c @ ('=' | '~')) => c,
        _ => {
            return Err(format!(
                "question {id}: answers must start with = or ~, or be TRUE/FALSE"
            ));
        }
    };
    rest = &rest[1..];
    let mut weighted = 0;
    loop {
        let (text, next) = match find_unescaped(rest, &['=', '~']) {
            Some((i, c)) => (&rest[..i], Some((i, c))),
            None => (rest, None),
        };
        let (mut answer, feedback) = match find_unescaped(text, &['#']) {
            Some((i, _)) => (text[..i].trim(), clean(&text[i + 1..])),
            None => (text.trim(), String::new()),
        };
        let mut weight = if marker == '=' { 100.0 } else { 0.0 };
        if let Some(after) = answer.strip_prefix('%') {
            let end = after
                .find('%')
                .ok_or_else(|| format!("question {id}: weight not closed with %"))?;
            weight = after[..end]
                .trim()
                .parse::<f64>()
                .ok()
                .filter(|w| w.is_finite())
                .ok_or_else(|| format!("question {id}: bad weight {:?}", &after[..end]))?;
            answer = after[end + 1..].trim();
            weighted += 1;
        }
        let answer = clean(answer);
        if answer.is_empty() {
            return Err(format!("question {id} has an empty answer"));
        }
        choices.push(Choice {
            text: answer,
            weight,
            feedback,
        });
        match next {
            Some((i, c)) => {
                marker = c;
                rest = &rest[i + 1..];
            }
            None => break,
        }
    }
    if choices.len() < 2 {
        return Err(format!("question {id} needs at least two options"));
    }
    if weighted > 0 {
        let right: f64 = choices
            .iter()
            .filter(|c| c.weight > 0.0)
            .map(|c| c.weight)
            .sum();
        if (right - 100.0).abs() > 0.05 {
            return Err(format!(
                "question {id}: right options' weights sum to {right}, not 100"
            ));
        }
        if choices.iter().filter(|c| c.is_right()).count() < 2 {
            return Err(format!(
                "question {id}: a weighted question needs at least two right options"
            ));
        }
        return Ok(Kind::Multiple(choices));
    }
    match choices.iter().filter(|c| c.is_right()).count() {
        1 => Ok(Kind::Single(choices)),
        0 => Err(format!("question {id} has no right answer (=)")),
        n => Err(format!(
            "question {id} has {n} right answers; use ~%weight% for multiple choice"
        )),
    }
}

/// Writes a bank back out as GIFT (categories in the order met).
pub fn write(questions: &[Question]) -> String {
    let mut out = String::new();
    let mut category = None;
    for q in questions {
        if category != Some(&q.category) {
            if !out.is_empty() {
                out.push('\n');
            }
            out.push_str(&format!("$CATEGORY: {}\n\n", q.category));
            category = Some(&q.category);
        }
        out.push_str(&format!("::{}:: {} {{", q.id, escape(&q.stem)));
        let feedback = |f: &str| {
            if f.is_empty() {
                String::new()
            } else {
                format!(" #{}", escape(f))
            }
        };
        match &q.kind {
            Kind::TrueFalse {
                answer,
                feedback_right,
                feedback_wrong,
            } => {
                out.push_str(if *answer { "TRUE" } else { "FALSE" });
                if !feedback_wrong.is_empty() || !feedback_right.is_empty() {
                    out.push_str(&format!("#{}", escape(feedback_wrong)));
                    if !feedback_right.is_empty() {
                        out.push_str(&format!("#{}", escape(feedback_right)));
                    }
                }
            }
            Kind::Single(choices) => {
                for c in choices {
                    let mark = if c.is_right() { '=' } else { '~' };
                    out.push_str(&format!(
                        "\n  {mark}{}{}",
                        escape(&c.text),
                        feedback(&c.feedback)
                    ));
                }
            }
            Kind::Multiple(choices) => {
                for c in choices {
                    out.push_str(&format!(
                        "\n  ~%{}%{}{}",
                        c.weight,
                        escape(&c.text),
                        feedback(&c.feedback)
                    ));
                }
            }
        }
        out.push_str(&format!("\n  ####{}\n}}\n\n", escape(&q.explanation)));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const BANK: &str = r#"// 示例题库
$CATEGORY: sanqing

::sanqing-01:: 离家出门前，“三关”指的是关掉哪三样？ {
  =燃气、电源、火源 #对。
  ~门、窗、灯 #门窗要关好，但“三关”说的是燃气、电源和火源。
  ~电视、空调、热水器
  ####出门、睡前关燃气、关电源、关火源。
}

::sanqing-02:: 电动自行车可以推进楼道里充电。 {FALSE #楼道是逃生通道。 ####楼道、楼梯间不能停放、充电。}

$CATEGORY: youguo

::youguo-01:: 哪些东西不要放在灶台边？（多选） {
  ~%50%油壶、纸、布 #对。
  ~%50%塑料袋、纸箱
  ~%-100%锅铲
  ####灶台边只放做饭要用的东西。
}

::youguo-02:: 火警电话是多少？比例 50\% 的人答对\: {=119 ~120 ~110 ####火警电话是 119。}
"#;

    #[test]
    fn parses_every_kind_with_feedback_categories_and_escapes() {
        let qs = parse(BANK).unwrap();
        assert_eq!(qs.len(), 4);
        assert_eq!(qs[0].category, "sanqing");
        assert_eq!(qs[0].line, 4);
        let Kind::Single(c) = &qs[0].kind else {
            panic!()
        };
        assert_eq!(c.len(), 3);
        assert!(c[0].is_right() && !c[1].is_right());
        assert_eq!(
            c[1].feedback,
            "门窗要关好，但“三关”说的是燃气、电源和火源。"
        );
        assert_eq!(qs[0].explanation, "出门、睡前关燃气、关电源、关火源。");
        assert!(
            matches!(&qs[1].kind, Kind::TrueFalse { answer: false, feedback_wrong, .. } if feedback_wrong == "楼道是逃生通道。")
        );
        assert_eq!(qs[2].category, "youguo");
        let Kind::Multiple(m) = &qs[2].kind else {
            panic!()
        };
        assert_eq!(m.iter().filter(|c| c.is_right()).count(), 2);
        assert_eq!(qs[3].stem, "火警电话是多少？比例 50% 的人答对:");
    }

    #[test]
    fn write_then_parse_gives_the_same_bank() {
        let qs = parse(BANK).unwrap();
        let again = parse(&write(&qs)).unwrap();
        assert_eq!(
            qs,
            again
                .into_iter()
                .zip(&qs)
                .map(|(mut a, b)| {
                    a.line = b.line;
                    a
                })
                .collect::<Vec<_>>()
        );
    }

    #[test]
    fn reports_faults_with_their_lines() {
        let bad = "$CATEGORY: a\n\n::a-01:: 没有解释 {=对 ~错}\n\n::a-02:: 两个正确 {=对 =也对 ####x}\n\n::a-03:: 权重不对（多选） {~%50%甲 ~%20%乙 ~%-100%丙 ####x}\n\n::a-01:: 重复 {TRUE ####x}\n\n::a-05:: 没关上 {=对 ~错 ####x\n";
        let problems = parse(bad).unwrap_err();
        let lines: Vec<usize> = problems.iter().map(|(l, _)| *l).collect();
        assert!(
            problems
                .iter()
                .any(|(l, m)| *l == 3 && m.contains("no explanation")),
            "{problems:?}"
        );
        assert!(
            problems
                .iter()
                .any(|(l, m)| *l == 5 && m.contains("2 right answers")),
            "{problems:?}"
        );
        assert!(
            problems
                .iter()
                .any(|(l, m)| *l == 7 && m.contains("sum to 70")),
            "{problems:?}"
        );
        assert!(
            problems
                .iter()
                .any(|(l, m)| *l == 11 && m.contains("not closed")),
            "{problems:?}"
        );
        assert!(lines.contains(&3) && lines.contains(&5));
    }

    #[test]
    fn duplicate_ids_and_missing_category_are_refused() {
        let problems = parse("::x:: 题 {TRUE ####解}\n").unwrap_err();
        assert!(problems[0].1.contains("before any $CATEGORY"));
        let problems = parse("$CATEGORY: a\n\n::x:: 题 {TRUE ####解}\n\n::x:: 题 {FALSE ####解}\n")
            .unwrap_err();
        assert_eq!(problems[0].0, 5);
        assert!(problems[0].1.contains("duplicate question id"));
    }

    fn round_trip(bank: &str) -> Vec<Question> {
        let qs = parse(bank).unwrap();
        let again = parse(&write(&qs)).unwrap();
        assert_eq!(again.len(), qs.len());
        for (a, b) in again.iter().zip(&qs) {
            assert_eq!(
                &Question {
                    line: b.line,
                    ..a.clone()
                },
                b
            );
        }
        qs
    }

    // Found by the `gift` fuzz target (fuzz/README.md): each bank parsed,
    // but its export (`xuetang export gift`) parsed to something else.

    #[test]
    fn fuzz_escaped_newline_in_an_explanation_survives_export() {
        let qs = round_trip("$CATEGORY: a\n\n::a-1:: 题 {TRUE ####第一行\\n第二行}\n");
        assert_eq!(qs[0].explanation, "第一行\n第二行");
    }

    #[test]
    fn fuzz_leading_and_repeated_spaces_survive_export() {
        let qs = round_trip("$CATEGORY: a\n\n::a-1:: \\ 两个\\ \\ 空格 {=\\ 甲 ~乙 ####解}\n");
        assert_eq!(qs[0].stem, " 两个  空格");
    }

    #[test]
    fn fuzz_weights_are_written_exactly() {
        round_trip("$CATEGORY: a\n\n::a-1:: 题 {~%50.000001%甲 ~%49.999999%乙 ~%-100%丙 ####解}\n");
    }

    #[test]
    fn fuzz_an_answer_starting_with_percent_is_not_a_weight() {
        let qs = round_trip("$CATEGORY: a\n\n::a-1:: 题 {=\\%50%甲 ~乙 ####解}\n");
        assert!(matches!(&qs[0].kind, Kind::Single(c) if c[0].text == "%50%甲"));
    }

    #[test]
    fn fuzz_non_finite_weights_are_refused() {
        for weight in ["NaN", "inf", "-inf", "1e999"] {
            let bank =
                format!("$CATEGORY: a\n\n::a-1:: 题 {{~%{weight}%甲 ~%50%乙 ~%50%丙 ####解}}\n");
            let problems = parse(&bank).unwrap_err();
            assert!(
                problems[0].1.contains("bad weight"),
                "{weight}: {problems:?}"
            );
        }
    }

    #[test]
    fn fuzz_names_are_written_as_they_were_read() {
        let qs = round_trip("$CATEGORY: a\n\n::a-1#:: 题 {TRUE ####解}\n");
        assert_eq!(qs[0].id, "a-1#");
    }

    #[test]
    fn fuzz_names_that_cannot_be_written_back_are_refused() {
        for bank in [
            "$CATEGORY: a\n\n::a{:: 题 {TRUE ####解}}\n",
            "$CATEGORY: a\n\n::a: :: 题 {TRUE ####解}\n",
        ] {
            let problems = parse(bank).unwrap_err();
            assert!(problems[0].1.contains("question name"), "{problems:?}");
        }
    }
}
