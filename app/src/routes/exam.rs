//! Exams: `/courses/<course>/exam` (rules, history, start),
//! `/exam/<attempt>/<n>` (one question per screen, answer card, time left)
//! and `/exam/<attempt>/result`. Pages work without JavaScript; every answer
//! is saved on the server as it is given, so an attempt resumes anywhere.
//! Nothing that reveals the key (right options, weights, feedback,
//! explanations, the options' stored order) leaves the server before the
//! attempt is closed.

use crate::components::IslandScripts;
use crate::components::errors::{ErrorView, FormError, form_error};
use crate::error::AppError;
use crate::islands::exam_autosave::ExamAutosave;
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PastAttempt {
    pub id: i64,
    pub started: String,
    /// None while open.
    pub score: Option<f64>,
    pub passed: Option<bool>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExamIntroData {
    pub course: String,
    pub course_title: String,
    pub questions: usize,
    pub minutes: u32,
    pub pass_mark: u32,
    pub attempts_per_day: u32,
    pub attempts_today: u32,
    pub open_attempt: Option<i64>,
    pub history: Vec<PastAttempt>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExamScreenData {
    pub attempt: i64,
    pub course_title: String,
    pub position: usize,
    pub total: usize,
    pub stem: String,
    /// "单选题", "多选题" or "判断题".
    pub kind: String,
    pub multiple: bool,
    /// Option texts in the order shown.
    pub options: Vec<String>,
    /// Shown indices chosen so far.
    pub chosen: Vec<usize>,
    /// Answered or not, by position (the answer card).
    pub answered: Vec<bool>,
    pub seconds_left: i64,
    pub deadline: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReviewItem {
    pub position: usize,
    pub stem: String,
    pub your_answer: String,
    pub right_answer: String,
    pub correct: bool,
    pub explanation: String,
    pub lesson_url: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExamResultData {
    pub course: String,
    pub course_title: String,
    pub score: f64,
    pub pass_mark: i64,
    pub passed: bool,
    /// The certificate this pass issued.
    pub certificate: Option<String>,
    pub items: Vec<ReviewItem>,
}

#[cfg(feature = "ssr")]
pub mod server {
    use crate::auth::CurrentUser;
    use crate::content::Library;
    use crate::db::{self, Db, exams::Attempt};
    use crate::error::AppError;
    use crate::quiz::exam::{Selection, percent, score};
    use crate::quiz::gift::{Kind, Question};

    pub fn shanghai_day_start(now: i64) -> i64 {
        // UTC+8 without daylight saving: the day starts at 16:00 UTC.
        let local = now + 8 * 3600;
        local - local.rem_euclid(86_400) - 8 * 3600
    }

    /// The attempt, if it is the caller's.
    pub async fn own_attempt(db: &Db, user: &CurrentUser, id: i64) -> Result<Attempt, AppError> {
        let attempt = db::exams::get(db, id).await?.ok_or(AppError::NotFound)?;
        if attempt.person_id != user.person_id {
            return Err(AppError::Forbidden);
        }
        Ok(attempt)
    }

    pub struct Stored {
        pub position: i64,
        pub question: Question,
        pub order: Vec<usize>,
        pub answer: Option<Selection>,
    }

    pub async fn stored(
        conn: &mut sqlx::AnyConnection,
        attempt_id: i64,
    ) -> Result<Vec<Stored>, AppError> {
        db::exams::questions(conn, attempt_id)
            .await?
            .into_iter()
            .map(|(position, q, order, answer)| {
                Ok(Stored {
                    position,
                    question: serde_json::from_str(&q).map_err(AppError::internal)?,
                    order: serde_json::from_str(&order).map_err(AppError::internal)?,
                    answer: answer
                        .map(|a| serde_json::from_str(&a))
                        .transpose()
                        .map_err(AppError::internal)?,
                })
            })
            .collect()
    }

    /// Grades the attempt and closes it in one transaction, issuing the
    /// certificate in the same one on a pass. `Ok(false)` when it had been
    /// closed already (a second submit changes nothing).
    pub async fn grade(
        db: &Db,
        library: &Library,
        attempt: &Attempt,
        now: i64,
    ) -> Result<bool, AppError> {
        let mut tx = crate::db::begin(db).await?;
        let items = stored(&mut tx, attempt.id).await?;
        let scores: Vec<f64> = items
            .iter()
            .map(|s| s.answer.as_ref().map_or(0.0, |a| score(&s.question, a)))
            .collect();
        let percent = percent(&scores);
        let passed = percent >= attempt.pass_mark as f64;
        let closed = db::exams::close(
            &mut tx,
            attempt.id,
            now,
            (percent * 10.0).round() as i64,
            passed,
        )
        .await?;
        if !closed {
            return Ok(false);
        }
        if passed {
            let course = library.course(&attempt.course);
            crate::certificates::issue(
                &mut tx,
                &crate::certificates::Issue {
                    person_id: attempt.person_id,
                    course_slug: &attempt.course,
                    course_title: course.map_or(attempt.course.as_str(), |c| c.title.as_str()),
                    validity_months: course.map_or(0, |c| c.validity_months),
                    attempt_id: Some(attempt.id),
                    issued_at: now,
                    is_demo: false,
                },
            )
            .await?;
        }
        tx.commit().await?;
        Ok(true)
    }

    /// Grades an attempt whose time ran out with the answers it has.
    pub async fn close_if_overdue(
        db: &Db,
        library: &Library,
        attempt: &mut Attempt,
        now: i64,
    ) -> Result<(), AppError> {
        if attempt.submitted_at.is_none() && now >= attempt.deadline_at {
            grade(db, library, attempt, attempt.deadline_at).await?;
            *attempt = db::exams::get(db, attempt.id)
                .await?
                .ok_or(AppError::NotFound)?;
        }
        Ok(())
    }

    /// Grades every attempt whose time ran out; returns how many. Run
    /// periodically, so results exist even if the learner never returns.
    pub async fn close_overdue_attempts(
        db: &Db,
        library: &Library,
        now: i64,
    ) -> Result<usize, AppError> {
        let ids: Vec<i64> = sqlx::query_scalar(
            "SELECT id FROM exam_attempts WHERE submitted_at IS NULL AND deadline_at <= $1",
        )
        .bind(now)
        .fetch_all(db)
        .await?;
        let mut closed = 0;
        for id in ids {
            if let Some(attempt) = db::exams::get(db, id).await?
                && grade(db, library, &attempt, attempt.deadline_at).await?
            {
                closed += 1;
            }
        }
        Ok(closed)
    }

    /// Option labels of a question in its own order.
    pub fn option_texts(q: &Question) -> Vec<String> {
        match &q.kind {
            Kind::Single(c) | Kind::Multiple(c) => c.iter().map(|c| c.text.clone()).collect(),
            Kind::TrueFalse { .. } => vec!["正确".to_string(), "错误".to_string()],
        }
    }

    pub fn right_options(q: &Question) -> Vec<usize> {
        match &q.kind {
            Kind::Single(c) | Kind::Multiple(c) => c
                .iter()
                .enumerate()
                .filter(|(_, c)| c.is_right())
                .map(|(i, _)| i)
                .collect(),
            Kind::TrueFalse { answer, .. } => vec![if *answer { 0 } else { 1 }],
        }
    }

    /// Shown order: index `i` on screen is option `order[i]` (true/false
    /// keeps 正确, 错误).
    pub fn shown_order(q: &Question, order: &[usize]) -> Vec<usize> {
        if order.is_empty() {
            (0..option_texts(q).len()).collect()
        } else {
            order.to_vec()
        }
    }
}

#[cfg(feature = "ssr")]
fn format_time(unix: i64) -> String {
    let format = time::macros::format_description!("[month]-[day] [hour]:[minute]");
    time::OffsetDateTime::from_unix_timestamp(unix)
        .map(|t| {
            t.to_offset(time::macros::offset!(+8))
                .format(&format)
                .unwrap_or_default()
        })
        .unwrap_or_default()
}

/// Signed-in learners, about their own attempts.
#[server(prefix = "/api", endpoint = "exam_intro")]
pub async fn exam_intro(course: String) -> Result<ExamIntroData, AppError> {
    async move {
        let state = crate::state::AppState::current()?;
        let user = crate::auth::session::require_user().await?;
        let library = state.site.library();
        let c = library.course(&course).ok_or(AppError::NotFound)?;
        let rules = c.exam.as_ref().ok_or(AppError::NotFound)?;
        let now = crate::actions::now();
        let mut attempts = crate::db::exams::for_person(&state.db, user.person_id, &c.slug).await?;
        for a in attempts.iter_mut() {
            server::close_if_overdue(&state.db, &state.site.library(), a, now).await?;
        }
        let day = server::shanghai_day_start(now);
        Ok(ExamIntroData {
            course: c.slug.clone(),
            course_title: c.title.clone(),
            questions: rules.question_count(),
            minutes: rules.minutes,
            pass_mark: rules.pass_mark,
            attempts_per_day: rules.attempts_per_day,
            attempts_today: attempts.iter().filter(|a| a.started_at >= day).count() as u32,
            open_attempt: attempts
                .iter()
                .find(|a| a.submitted_at.is_none())
                .map(|a| a.id),
            history: attempts
                .iter()
                .map(|a| PastAttempt {
                    id: a.id,
                    started: format_time(a.started_at),
                    score: a.score_tenths.map(|s| s as f64 / 10.0),
                    passed: a.passed,
                })
                .collect(),
        })
    }
    .await
    .map_err(AppError::with_status)
}

/// Signed-in learners. Resumes an open attempt instead of starting another.
#[server(prefix = "/api", endpoint = "start_exam")]
pub async fn start_exam(course: String) -> Result<(), AppError> {
    async move {
        let state = crate::state::AppState::current()?;
        let user = crate::auth::session::require_user().await?;
        let library = state.site.library();
        let c = library.course(&course).ok_or(AppError::NotFound)?;
        let rules = c.exam.as_ref().ok_or(AppError::NotFound)?;
        let now = crate::actions::now();
        let mut attempts = crate::db::exams::for_person(&state.db, user.person_id, &c.slug).await?;
        for a in attempts.iter_mut() {
            server::close_if_overdue(&state.db, &state.site.library(), a, now).await?;
        }
        if let Some(open) = attempts.iter().find(|a| a.submitted_at.is_none()) {
            leptos_axum::redirect(&format!("/exam/{}/1", open.id));
            return Ok(());
        }
        let today = attempts
            .iter()
            .filter(|a| a.started_at >= server::shanghai_day_start(now))
            .count() as u32;
        if today >= rules.attempts_per_day {
            return Err(AppError::bad_request(format!(
                "今天的 {} 次考试机会已用完，明天再来",
                rules.attempts_per_day
            )));
        }
        let mut random_below = |n: usize| {
            let mut bytes = [0u8; 8];
            getrandom::fill(&mut bytes)
                .map(|_| (u64::from_le_bytes(bytes) % n as u64) as usize)
                .unwrap_or(0)
        };
        let drawn = crate::quiz::exam::draw(&c.bank, rules, &mut random_below);
        let deadline = now + i64::from(rules.minutes) * 60;
        let mut tx = crate::db::begin(&state.db).await?;
        let id = crate::db::exams::insert(
            &mut tx,
            user.person_id,
            &c.slug,
            now,
            deadline,
            i64::from(rules.pass_mark),
        )
        .await?;
        let rows = drawn
            .iter()
            .map(|d| {
                Ok((
                    serde_json::to_string(&d.question)?,
                    serde_json::to_string(&d.order)?,
                ))
            })
            .collect::<Result<Vec<_>, serde_json::Error>>()
            .map_err(AppError::internal)?;
        crate::db::exams::insert_questions(&mut tx, id, &rows).await?;
        tx.commit().await?;
        leptos_axum::redirect(&format!("/exam/{id}/1"));
        Ok(())
    }
    .await
    .map_err(AppError::with_status)
}

/// The attempt's owner, while it is open.
#[server(prefix = "/api", endpoint = "exam_screen")]
pub async fn exam_screen(attempt: i64, position: usize) -> Result<ExamScreenData, AppError> {
    async move {
        let state = crate::state::AppState::current()?;
        let user = crate::auth::session::require_user().await?;
        let mut a = server::own_attempt(&state.db, &user, attempt).await?;
        let now = crate::actions::now();
        server::close_if_overdue(&state.db, &state.site.library(), &mut a, now).await?;
        if a.submitted_at.is_some() {
            return Err(AppError::bad_request("本次考试已结束，请查看成绩"));
        }
        let mut conn = state.db.acquire().await?;
        let items = server::stored(&mut conn, a.id).await?;
        let item = items
            .iter()
            .find(|s| s.position == position as i64)
            .ok_or(AppError::NotFound)?;
        let shown = server::shown_order(&item.question, &item.order);
        let texts = server::option_texts(&item.question);
        let chosen = item
            .answer
            .as_ref()
            .map(|ans| {
                shown
                    .iter()
                    .enumerate()
                    .filter(|(_, o)| ans.contains(o))
                    .map(|(i, _)| i)
                    .collect()
            })
            .unwrap_or_default();
        let library = state.site.library();
        Ok(ExamScreenData {
            attempt: a.id,
            course_title: library
                .course(&a.course)
                .map(|c| c.title.clone())
                .unwrap_or_default(),
            position,
            total: items.len(),
            stem: item.question.stem.clone(),
            kind: match item.question.type_code() {
                "single" => "单选题",
                "multiple" => "多选题",
                _ => "判断题",
            }
            .to_string(),
            multiple: item.question.type_code() == "multiple",
            options: shown.iter().map(|&o| texts[o].clone()).collect(),
            chosen,
            answered: items.iter().map(|s| s.answer.is_some()).collect(),
            seconds_left: (a.deadline_at - now).max(0),
            deadline: format_time(a.deadline_at),
        })
    }
    .await
    .map_err(AppError::with_status)
}

/// The attempt's owner, before the deadline. `pick` is the shown index of a
/// single-choice or true/false answer; `c0`…`c5` the ticked boxes of a
/// multiple-choice one. `go` is where to go next: "next", "prev", "submit"
/// or a question number.
#[server(prefix = "/api", endpoint = "save_answer")]
#[allow(clippy::too_many_arguments)]
pub async fn save_answer(
    attempt: i64,
    position: usize,
    pick: Option<usize>,
    c0: Option<String>,
    c1: Option<String>,
    c2: Option<String>,
    c3: Option<String>,
    c4: Option<String>,
    c5: Option<String>,
    go: Option<String>,
) -> Result<(), AppError> {
    async move {
        let state = crate::state::AppState::current()?;
        let user = crate::auth::session::require_user().await?;
        let a = server::own_attempt(&state.db, &user, attempt).await?;
        if a.submitted_at.is_some() {
            return Err(AppError::bad_request("本次考试已交卷，不能再修改答案"));
        }
        // Only the question answered: each tap of a 20-question exam saves.
        let (question, order, total) =
            crate::db::exams::question_at(&state.db, a.id, position as i64)
                .await?
                .ok_or_else(|| AppError::bad_request("这道题不在本次考试中"))?;
        let question: crate::quiz::gift::Question =
            serde_json::from_str(&question).map_err(AppError::internal)?;
        let order: Vec<usize> = serde_json::from_str(&order).map_err(AppError::internal)?;
        let shown = server::shown_order(&question, &order);
        let ticks: Vec<usize> = [c0, c1, c2, c3, c4, c5]
            .iter()
            .enumerate()
            .filter(|(_, c)| c.is_some())
            .map(|(i, _)| i)
            .collect();
        // A multiple-choice answer comes as ticked boxes, any other as one pick.
        let picked_shown: Vec<usize> = match (question.type_code() == "multiple", pick) {
            (true, None) => ticks,
            (false, _) if ticks.is_empty() => pick.into_iter().collect(),
            _ => return Err(AppError::bad_request("无效的选项")),
        };
        if picked_shown.iter().any(|&i| i >= shown.len()) {
            return Err(AppError::bad_request("无效的选项"));
        }
        let total = total as usize;
        if !picked_shown.is_empty() {
            let answer: Vec<usize> = picked_shown.iter().map(|&i| shown[i]).collect();
            let json = serde_json::to_string(&answer).map_err(AppError::internal)?;
            if !crate::db::exams::save_answer(
                &state.db,
                a.id,
                position as i64,
                &json,
                crate::actions::now(),
            )
            .await?
            {
                return Err(AppError::bad_request(
                    "考试时间已到，答案未能保存；已保存的答案会自动计分",
                ));
            }
        }
        // The exam page's script saves each tap with `go=stay`.
        if go.as_deref() == Some("stay") {
            return Ok(());
        }
        let target = match go.as_deref() {
            Some("submit") => format!("/exam/{}/submit", a.id),
            Some("prev") => format!("/exam/{}/{}", a.id, position.saturating_sub(1).max(1)),
            Some(n) if n.parse::<usize>().is_ok_and(|n| (1..=total).contains(&n)) => {
                format!("/exam/{}/{n}", a.id)
            }
            _ if position < total => format!("/exam/{}/{}", a.id, position + 1),
            _ => format!("/exam/{}/submit", a.id),
        };
        leptos_axum::redirect(&target);
        Ok(())
    }
    .await
    .map_err(AppError::with_status)
}

/// The attempt's owner. Grades and closes it in one transaction; a second
/// submit is refused and changes nothing.
#[server(prefix = "/api", endpoint = "submit_exam")]
pub async fn submit_exam(attempt: i64) -> Result<(), AppError> {
    async move {
        let state = crate::state::AppState::current()?;
        let user = crate::auth::session::require_user().await?;
        let a = server::own_attempt(&state.db, &user, attempt).await?;
        let now = crate::actions::now().min(a.deadline_at);
        if !server::grade(&state.db, &state.site.library(), &a, now).await? {
            return Err(AppError::bad_request("本次考试已经交卷"));
        }
        leptos_axum::redirect(&format!("/exam/{}/result", a.id));
        Ok(())
    }
    .await
    .map_err(AppError::with_status)
}

/// The attempt's owner, once it is closed.
#[server(prefix = "/api", endpoint = "exam_result")]
pub async fn exam_result(attempt: i64) -> Result<ExamResultData, AppError> {
    async move {
        let state = crate::state::AppState::current()?;
        let user = crate::auth::session::require_user().await?;
        let mut a = server::own_attempt(&state.db, &user, attempt).await?;
        server::close_if_overdue(
            &state.db,
            &state.site.library(),
            &mut a,
            crate::actions::now(),
        )
        .await?;
        if a.submitted_at.is_none() {
            return Err(AppError::bad_request("还没有交卷"));
        }
        let mut conn = state.db.acquire().await?;
        let items = server::stored(&mut conn, a.id).await?;
        let library = state.site.library();
        let course_title = library
            .course(&a.course)
            .map(|c| c.title.clone())
            .unwrap_or_default();
        let join = |q: &crate::quiz::gift::Question, picks: &[usize]| {
            let texts = server::option_texts(q);
            picks
                .iter()
                .filter_map(|&i| texts.get(i).cloned())
                .collect::<Vec<_>>()
                .join("；")
        };
        let review = items
            .iter()
            .map(|s| {
                let right = server::right_options(&s.question);
                let mine = s.answer.clone().unwrap_or_default();
                ReviewItem {
                    position: s.position as usize,
                    stem: s.question.stem.clone(),
                    your_answer: if mine.is_empty() {
                        "未作答".to_string()
                    } else {
                        join(&s.question, &mine)
                    },
                    right_answer: join(&s.question, &right),
                    correct: crate::quiz::exam::score(&s.question, &mine) >= 1.0,
                    explanation: s.question.explanation.clone(),
                    lesson_url: format!("/courses/{}/{}", a.course, s.question.category),
                }
            })
            .collect();
        let certificate = crate::db::certificates::by_attempt(&state.db, a.id)
            .await?
            .map(|c| c.serial);
        Ok(ExamResultData {
            certificate,
            course: a.course.clone(),
            course_title,
            score: a.score_tenths.unwrap_or_default() as f64 / 10.0,
            pass_mark: a.pass_mark,
            passed: a.passed.unwrap_or(false),
            items: review,
        })
    }
    .await
    .map_err(AppError::with_status)
}

#[component]
pub fn ExamIntroPage() -> impl IntoView {
    let course = use_params_map()
        .with_untracked(|p| p.get("course"))
        .unwrap_or_default();
    let start_error = form_error::<StartExam>();
    let data = Resource::new_blocking(move || course.clone(), exam_intro);
    view! {
        <Title text="考试" />
        <Suspense fallback=|| ()>
            {move || {
                let start_error = start_error.clone();
                Suspend::new(async move {
                    match data.await {
                        Ok(e) => view! {
                            <nav class="crumbs"><a href=format!("/courses/{}", e.course)>{e.course_title.clone()}</a></nav>
                            <h1>{format!("{} · 考试", e.course_title)}</h1>
                            <section class="card">
                                <p>{format!("共 {} 题，限时 {} 分钟，{} 分及格。每天可考 {} 次，今天已考 {} 次。", e.questions, e.minutes, e.pass_mark, e.attempts_per_day, e.attempts_today)}</p>
                                <p class="hint">"每答一题都会自动保存到服务器；网络断了或换了手机，重新登录后可以接着答。时间到了按已保存的答案计分。"</p>
                                <FormError error=start_error />
                                <form method="post" action=StartExam::url()>
                                    <input type="hidden" name="course" value=e.course.clone() />
                                    <button type="submit">{if e.open_attempt.is_some() { "继续考试" } else { "开始考试" }}</button>
                                </form>
                            </section>
                            {(!e.history.is_empty()).then(|| view! {
                                <section class="card">
                                    <h2>"考试记录"</h2>
                                    <ul class="plain">
                                        {e.history.into_iter().map(|h| view! {
                                            <li>
                                                {h.started} " · "
                                                {match (h.score, h.passed) {
                                                    (Some(s), Some(p)) => view! { <a href=format!("/exam/{}/result", h.id)>{format!("{s} 分 {}", if p { "合格" } else { "不合格" })}</a> }.into_any(),
                                                    _ => view! { <a href=format!("/exam/{}/1", h.id)>"进行中"</a> }.into_any(),
                                                }}
                                            </li>
                                        }).collect_view()}
                                    </ul>
                                </section>
                            })}
                        }.into_any(),
                        Err(error) => view! { <ErrorView error /> }.into_any(),
                    }
                })
            }}
        </Suspense>
    }
}

#[component]
pub fn ExamQuestionPage() -> impl IntoView {
    let (attempt, position) = use_params_map().with_untracked(|p| {
        (
            p.get("attempt")
                .and_then(|v| v.parse::<i64>().ok())
                .unwrap_or(0),
            p.get("n")
                .and_then(|v| v.parse::<usize>().ok())
                .unwrap_or(0),
        )
    });
    let save_error = form_error::<SaveAnswer>();
    let data = Resource::new_blocking(move || (attempt, position), |(a, n)| exam_screen(a, n));
    view! {
        <Title text="考试" />
        <Suspense fallback=|| ()>
            {move || {
                let save_error = save_error.clone();
                Suspend::new(async move {
                    match data.await {
                        Ok(s) => {
                            let minutes_left = (s.seconds_left + 59) / 60;
                            view! {
                                <div class="exam-head">
                                    <span>{format!("第 {} / {} 题 · {}", s.position, s.total, s.kind)}</span>
                                    <span class="time-left">{format!("剩余约 {minutes_left} 分钟（{} 截止）", s.deadline)}</span>
                                </div>
                                <FormError error=save_error />
                                <form method="post" action=SaveAnswer::url() class="question card">
                                    <input type="hidden" name="attempt" value=s.attempt />
                                    <input type="hidden" name="position" value=s.position />
                                    <ExamAutosave attempt=s.attempt position=s.position seconds_left=s.seconds_left>
                                    <fieldset>
                                        <legend class="stem">{s.stem.clone()}</legend>
                                        {s.options.iter().enumerate().map(|(i, text)| {
                                            let checked = s.chosen.contains(&i);
                                            let letter = char::from(b'A' + i as u8);
                                            if s.multiple {
                                                view! { <label class="option"><input type="checkbox" name=format!("c{i}") value="1" checked=checked /> <span>{format!("{letter}. {text}")}</span></label> }.into_any()
                                            } else {
                                                view! { <label class="option"><input type="radio" name="pick" value=i checked=checked /> <span>{format!("{letter}. {text}")}</span></label> }.into_any()
                                            }
                                        }).collect_view()}
                                    </fieldset>
                                    </ExamAutosave>
                                    <div class="exam-nav">
                                        {(s.position > 1).then(|| view! { <button type="submit" name="go" value="prev" class="secondary">"上一题"</button> })}
                                        {if s.position < s.total {
                                            view! { <button type="submit" name="go" value="next">"保存，下一题"</button> }.into_any()
                                        } else {
                                            view! { <button type="submit" name="go" value="submit">"保存，去交卷"</button> }.into_any()
                                        }}
                                    </div>
                                    <nav class="answer-card" aria-label="答题卡">
                                        <h2>"答题卡"</h2>
                                        {s.answered.iter().enumerate().map(|(i, done)| {
                                            let n = i + 1;
                                            view! {
                                                <button type="submit" name="go" value=n.to_string() class="card-cell" class:done=*done class:current=n == s.position
                                                    aria-label=format!("第 {n} 题{}", if *done { "，已答" } else { "，未答" })>{n}</button>
                                            }
                                        }).collect_view()}
                                    </nav>
                                </form>
                            }.into_any()
                        }
                        Err(error) => view! { <ClosedOrError attempt error /> }.into_any(),
                    }
                })
            }}
        </Suspense>
        <IslandScripts />
    }
}

/// A closed or timed-out attempt points to its result; other errors as usual.
#[component]
fn ClosedOrError(attempt: i64, error: AppError) -> impl IntoView {
    match error {
        AppError::BadRequest(message) => view! {
            <section class="card">
                <p>{message}</p>
                <p><a class="button" href=format!("/exam/{attempt}/result")>"查看成绩"</a></p>
            </section>
        }
        .into_any(),
        error => view! { <ErrorView error /> }.into_any(),
    }
}

#[component]
pub fn ExamSubmitPage() -> impl IntoView {
    let attempt = use_params_map().with_untracked(|p| {
        p.get("attempt")
            .and_then(|v| v.parse::<i64>().ok())
            .unwrap_or(0)
    });
    let submit_error = form_error::<SubmitExam>();
    let data = Resource::new_blocking(move || attempt, |a| exam_screen(a, 1));
    view! {
        <Title text="交卷" />
        <Suspense fallback=|| ()>
            {move || {
                let submit_error = submit_error.clone();
                Suspend::new(async move {
                    match data.await {
                        Ok(s) => {
                            let unanswered: Vec<usize> = s.answered.iter().enumerate().filter(|(_, d)| !**d).map(|(i, _)| i + 1).collect();
                            view! {
                                <section class="card">
                                    <h1>"确认交卷"</h1>
                                    {if unanswered.is_empty() {
                                        view! { <p>{format!("全部 {} 题都已作答。", s.total)}</p> }.into_any()
                                    } else {
                                        view! {
                                            <p class="notice">{format!("还有 {} 题未作答：", unanswered.len())}
                                                {unanswered.iter().map(|n| view! { <a href=format!("/exam/{}/{n}", s.attempt)>{format!(" 第{n}题")}</a> }).collect_view()}
                                            </p>
                                        }.into_any()
                                    }}
                                    <p class="hint">"交卷后不能再修改答案。"</p>
                                    <FormError error=submit_error />
                                    <form method="post" action=SubmitExam::url()>
                                        <input type="hidden" name="attempt" value=s.attempt />
                                        <button type="submit">"确认交卷"</button>
                                    </form>
                                </section>
                            }.into_any()
                        }
                        Err(error) => view! { <ClosedOrError attempt error /> }.into_any(),
                    }
                })
            }}
        </Suspense>
    }
}

#[component]
pub fn ExamResultPage() -> impl IntoView {
    let attempt = use_params_map().with_untracked(|p| {
        p.get("attempt")
            .and_then(|v| v.parse::<i64>().ok())
            .unwrap_or(0)
    });
    let data = Resource::new_blocking(move || attempt, exam_result);
    view! {
        <Title text="成绩" />
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(r) => {
                        let wrong: Vec<ReviewItem> = r.items.iter().filter(|i| !i.correct).cloned().collect();
                        view! {
                            <nav class="crumbs"><a href=format!("/courses/{}/exam", r.course)>{r.course_title.clone()}</a></nav>
                            <section class="card result" class:passed=r.passed>
                                <h1>{format!("{} 分", r.score)}</h1>
                                <p>{if r.passed { format!("合格（{} 分及格）", r.pass_mark) } else { format!("不合格（{} 分及格），复习后可以再考", r.pass_mark) }}</p>
                                {r.certificate.clone().map(|serial| view! {
                                    <p><a class="button" href=format!("/certificates/{serial}")>"查看培训合格证明"</a></p>
                                })}
                            </section>
                            {if wrong.is_empty() {
                                view! { <p class="ok">"全部答对！"</p> }.into_any()
                            } else {
                                view! {
                                    <h2>{format!("答错或未答的 {} 题", wrong.len())}</h2>
                                    <ol class="plain review">
                                        {wrong.into_iter().map(|i| view! {
                                            <li class="card">
                                                <p class="stem">{format!("{}. {}", i.position, i.stem)}</p>
                                                <p>"你的答案：" {i.your_answer}</p>
                                                <p class="right">"正确答案：" {i.right_answer}</p>
                                                <p class="muted">{i.explanation}</p>
                                                <p><a href=i.lesson_url>"复习这一课"</a></p>
                                            </li>
                                        }).collect_view()}
                                    </ol>
                                }.into_any()
                            }}
                        }.into_any()
                    }
                    Err(error) => view! { <ErrorView error /> }.into_any(),
                }
            })}
        </Suspense>
    }
}
