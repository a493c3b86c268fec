//! `/courses`, `/courses/<course>`, `/courses/<course>/<lesson>`: the
//! catalogue (filtered by the learner's posts), course pages with progress,
//! lessons with "mark as read".

use crate::components::IslandScripts;
use crate::components::errors::{ErrorView, FormError, form_error};
use crate::components::flash::Flash;
use crate::components::reading::TextSizeToggle;
use crate::error::AppError;
use crate::islands::read_aloud::ReadAloud;
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CourseCard {
    pub slug: String,
    pub title: String,
    pub summary: String,
    pub audience: String,
    pub lessons: usize,
    pub read: usize,
    /// The first unread lesson: (slug, title).
    pub next: Option<(String, String)>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CatalogueData {
    pub signed_in: bool,
    pub courses: Vec<CourseCard>,
    /// Where the learner left off: (course, lesson, lesson title).
    pub resume: Option<(String, String, String)>,
}

#[cfg(feature = "ssr")]
mod server {
    use crate::content::{Course, Library};
    use crate::model::Audience;
    use std::collections::HashSet;

    /// Lessons read, by (course, lesson), and the most recent one.
    pub struct Reading {
        pub read: HashSet<(String, String)>,
        pub last: Option<(String, String)>,
    }

    pub async fn reading(
        db: &crate::db::Db,
        person_id: Option<i64>,
    ) -> Result<Reading, crate::error::AppError> {
        let rows = match person_id {
            Some(id) => crate::db::progress::for_person(db, id).await?,
            None => Vec::new(),
        };
        let last = rows
            .iter()
            .max_by_key(|(_, _, at)| *at)
            .map(|(c, l, _)| (c.clone(), l.clone()));
        Ok(Reading {
            read: rows.into_iter().map(|(c, l, _)| (c, l)).collect(),
            last,
        })
    }

    /// Audiences a person should see, from their posts today.
    pub async fn audiences(
        db: &crate::db::Db,
        person_id: Option<i64>,
    ) -> Result<Vec<Audience>, crate::error::AppError> {
        let mut audiences = vec![Audience::Public];
        if let Some(id) = person_id {
            for code in crate::db::progress::current_posts(db, id, &crate::actions::today()).await?
            {
                if let Ok(post) = crate::domain::Post::parse(&code) {
                    for a in Audience::for_post(post) {
                        if !audiences.contains(a) {
                            audiences.push(*a);
                        }
                    }
                }
            }
        }
        Ok(audiences)
    }

    /// Visitors read public courses; anyone signed in may open any course.
    pub fn readable<'a>(
        library: &'a Library,
        slug: &str,
        signed_in: bool,
    ) -> Result<&'a Course, crate::error::AppError> {
        let course = library
            .course(slug)
            .ok_or(crate::error::AppError::NotFound)?;
        if course.audience != Audience::Public && !signed_in {
            return Err(crate::error::AppError::Unauthenticated);
        }
        Ok(course)
    }
}

/// Public: visitors see the public courses; signed-in learners the courses
/// for their posts, with their progress.
#[server(prefix = "/api", endpoint = "catalogue")]
pub async fn catalogue() -> Result<CatalogueData, AppError> {
    async move {
        let state = crate::state::AppState::current()?;
        let user = crate::auth::session::current_user()
            .await?
            .filter(|u| !u.must_change_password);
        let person = user.as_ref().map(|u| u.person_id);
        let library = state.site.library();
        let audiences = server::audiences(&state.db, person).await?;
        let reading = server::reading(&state.db, person).await?;
        let courses = library
            .courses
            .iter()
            .filter(|c| audiences.contains(&c.audience))
            .map(|c| {
                let read = c
                    .lessons
                    .iter()
                    .filter(|l| reading.read.contains(&(c.slug.clone(), l.slug.clone())))
                    .count();
                let next = c
                    .lessons
                    .iter()
                    .find(|l| !reading.read.contains(&(c.slug.clone(), l.slug.clone())))
                    .map(|l| (l.slug.clone(), l.title.clone()));
                CourseCard {
                    slug: c.slug.clone(),
                    title: c.title.clone(),
                    summary: c.summary.clone(),
                    audience: c.audience.label().to_string(),
                    lessons: c.lessons.len(),
                    read,
                    next,
                }
            })
            .collect::<Vec<_>>();
        // Resume: the next unread lesson of the course read most recently.
        let resume = reading.last.and_then(|(course, _)| {
            let card = courses.iter().find(|c| c.slug == course)?;
            card.next
                .as_ref()
                .map(|(slug, title)| (course.clone(), slug.clone(), title.clone()))
        });
        Ok(CatalogueData {
            signed_in: user.is_some(),
            courses,
            resume,
        })
    }
    .await
    .map_err(AppError::with_status)
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LessonItem {
    pub slug: String,
    pub title: String,
    pub minutes: i64,
    pub read: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CourseData {
    pub slug: String,
    pub title: String,
    pub summary: String,
    pub audience: String,
    pub lessons: Vec<LessonItem>,
    pub signed_in: bool,
    pub has_tip: bool,
}

/// Public for public courses; other courses need a signed-in reader.
#[server(prefix = "/api", endpoint = "course_page")]
pub async fn course_page(course: String) -> Result<CourseData, AppError> {
    async move {
        let state = crate::state::AppState::current()?;
        let user = crate::auth::session::current_user()
            .await?
            .filter(|u| !u.must_change_password);
        let library = state.site.library();
        let c = server::readable(&library, &course, user.is_some())?;
        let reading = server::reading(&state.db, user.as_ref().map(|u| u.person_id)).await?;
        Ok(CourseData {
            slug: c.slug.clone(),
            title: c.title.clone(),
            summary: c.summary.clone(),
            audience: c.audience.label().to_string(),
            lessons: c
                .lessons
                .iter()
                .map(|l| LessonItem {
                    slug: l.slug.clone(),
                    title: l.title.clone(),
                    minutes: l.minutes,
                    read: reading.read.contains(&(c.slug.clone(), l.slug.clone())),
                })
                .collect(),
            signed_in: user.is_some(),
            has_tip: c.tip.is_some(),
        })
    }
    .await
    .map_err(AppError::with_status)
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LessonData {
    pub course: String,
    pub course_title: String,
    pub slug: String,
    pub title: String,
    pub minutes: i64,
    pub sources: Vec<String>,
    pub html: String,
    pub position: usize,
    pub total: usize,
    pub prev: Option<(String, String)>,
    pub next: Option<(String, String)>,
    pub signed_in: bool,
    pub read: bool,
}

/// Same access as the course.
#[server(prefix = "/api", endpoint = "lesson_page")]
pub async fn lesson_page(course: String, lesson: String) -> Result<LessonData, AppError> {
    async move {
        let state = crate::state::AppState::current()?;
        let user = crate::auth::session::current_user()
            .await?
            .filter(|u| !u.must_change_password);
        let library = state.site.library();
        let c = server::readable(&library, &course, user.is_some())?;
        let index = c
            .lessons
            .iter()
            .position(|l| l.slug == lesson)
            .ok_or(AppError::NotFound)?;
        let l = &c.lessons[index];
        let reading = server::reading(&state.db, user.as_ref().map(|u| u.person_id)).await?;
        let pair = |i: usize| c.lessons.get(i).map(|l| (l.slug.clone(), l.title.clone()));
        Ok(LessonData {
            course: c.slug.clone(),
            course_title: c.title.clone(),
            slug: l.slug.clone(),
            title: l.title.clone(),
            minutes: l.minutes,
            sources: l.sources.clone(),
            html: l.html.clone(),
            position: index + 1,
            total: c.lessons.len(),
            prev: index.checked_sub(1).and_then(pair),
            next: pair(index + 1),
            signed_in: user.is_some(),
            read: reading.read.contains(&(c.slug.clone(), l.slug.clone())),
        })
    }
    .await
    .map_err(AppError::with_status)
}

/// Signed-in readers, for their own progress only.
#[server(prefix = "/api", endpoint = "mark_read")]
pub async fn mark_read(course: String, lesson: String) -> Result<(), AppError> {
    async move {
        let state = crate::state::AppState::current()?;
        let user = crate::auth::session::require_user().await?;
        let library = state.site.library();
        let c = server::readable(&library, &course, true)?;
        let index = c
            .lessons
            .iter()
            .position(|l| l.slug == lesson)
            .ok_or(AppError::NotFound)?;
        crate::db::progress::mark_read(
            &state.db,
            user.person_id,
            &c.slug,
            &lesson,
            crate::actions::now(),
        )
        .await?;
        match c.lessons.get(index + 1) {
            Some(next) => {
                crate::components::flash::set("已学完上一课，继续下一课");
                leptos_axum::redirect(&format!("/courses/{}/{}", c.slug, next.slug));
            }
            None => {
                crate::components::flash::set("恭喜，本课程已全部学完");
                leptos_axum::redirect(&format!("/courses/{}", c.slug));
            }
        }
        Ok(())
    }
    .await
    .map_err(AppError::with_status)
}

#[component]
fn ProgressBar(read: usize, total: usize) -> impl IntoView {
    let percent = (read * 100).checked_div(total).unwrap_or(0);
    view! {
        <div class="progress" role="progressbar" aria-valuemin="0" aria-valuemax=total aria-valuenow=read aria-label="学习进度">
            <div class="progress-bar" style=format!("width: {percent}%")></div>
        </div>
        <p class="muted">{format!("已学 {read} / {total} 课")}</p>
    }
}

#[component]
pub fn CataloguePage() -> impl IntoView {
    let data = Resource::new_blocking(|| (), |_| catalogue());
    view! {
        <Title text="课程" />
        <h1>"课程"</h1>
        <form method="get" action="/search" class="search" role="search">
            <input type="search" name="q" placeholder="搜索课程内容，如：电动车" aria-label="搜索课程内容" />
            <button type="submit">"搜索"</button>
        </form>
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(c) => view! {
                        {c.resume.map(|(course, lesson, title)| view! {
                            <p class="card resume"><a class="button" href=format!("/courses/{course}/{lesson}")>{format!("继续学习：{title}")}</a></p>
                        })}
                        {(!c.signed_in).then(|| view! {
                            <p class="notice">"以下是面向公众的课程。" <a href="/login?next=/courses">"登录"</a> "后可看到本岗位的培训课程并记录学习进度。"</p>
                        })}
                        <ul class="plain courses">
                            {c.courses.into_iter().map(|course| view! {
                                <li class="card">
                                    <h2><a href=format!("/courses/{}", course.slug)>{course.title}</a></h2>
                                    <p class="muted">{format!("{} · {} 课", course.audience, course.lessons)}</p>
                                    <p>{course.summary}</p>
                                    {c.signed_in.then(|| view! { <ProgressBar read=course.read total=course.lessons /> })}
                                </li>
                            }).collect_view()}
                        </ul>
                    }.into_any(),
                    Err(error) => view! { <ErrorView error /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
pub fn CoursePage() -> impl IntoView {
    let slug = use_params_map()
        .with_untracked(|p| p.get("course"))
        .unwrap_or_default();
    let data = Resource::new_blocking(move || slug.clone(), course_page);
    view! {
        <Title text="课程" />
        <Flash />
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(c) => {
                        let read = c.lessons.iter().filter(|l| l.read).count();
                        let total = c.lessons.len();
                        let next = c.lessons.iter().find(|l| !l.read).or(c.lessons.first()).map(|l| l.slug.clone());
                        view! {
                            <Title text=c.title.clone() />
                            <nav class="crumbs"><a href="/courses">"课程"</a></nav>
                            <h1>{c.title.clone()}</h1>
                            <p class="muted">{format!("适用：{}", c.audience)}</p>
                            <p>{c.summary.clone()}</p>
                            {c.signed_in.then(|| view! { <ProgressBar read total /> })}
                            {next.map(|n| view! {
                                <p><a class="button" href=format!("/courses/{}/{n}", c.slug)>{if read == 0 { "开始学习" } else if read == total { "重新阅读" } else { "继续学习" }}</a></p>
                            })}
                            <ol class="lessons card">
                                {c.lessons.iter().map(|l| view! {
                                    <li class:read=l.read>
                                        <a href=format!("/courses/{}/{}", c.slug, l.slug)>{l.title.clone()}</a>
                                        <span class="muted">{format!(" · 约 {} 分钟", l.minutes)}</span>
                                        {l.read.then(|| view! { <span class="badge done">"已学"</span> })}
                                    </li>
                                }).collect_view()}
                            </ol>
                            {c.signed_in.then(|| view! { <p><a class="button secondary" href=format!("/courses/{}/exam", c.slug)>"参加考试"</a></p> })}
                            {c.has_tip.then(|| view! { <p><a href=format!("/t/{}", c.slug)>"查看要点速览（适合转发给家人）"</a></p> })}
                        }.into_any()
                    }
                    Err(error) => view! { <ErrorView error /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
pub fn LessonPage() -> impl IntoView {
    let (course, lesson) = use_params_map().with_untracked(|p| {
        (
            p.get("course").unwrap_or_default(),
            p.get("lesson").unwrap_or_default(),
        )
    });
    let mark_error = form_error::<MarkRead>();
    let data = Resource::new_blocking(
        move || (course.clone(), lesson.clone()),
        |(c, l)| lesson_page(c, l),
    );
    view! {
        <Flash />
        <Suspense fallback=|| ()>
            {move || {
                let mark_error = mark_error.clone();
                Suspend::new(async move {
                    match data.await {
                        Ok(l) => view! {
                            <Title text=l.title.clone() />
                            <nav class="crumbs"><a href=format!("/courses/{}", l.course)>{l.course_title.clone()}</a>{format!(" · 第 {} / {} 课", l.position, l.total)}</nav>
                            <div class="toolbar">
                                <TextSizeToggle />
                                <ReadAloud target="#reading".to_string() />
                            </div>
                            <article id="reading" class="prose lesson">
                                <h1>{l.title.clone()}</h1>
                                <p class="muted">{format!("阅读约 {} 分钟", l.minutes)}</p>
                                <div inner_html=l.html.clone()></div>
                            </article>
                            <details class="sources">
                                <summary>"依据"</summary>
                                <ul>{l.sources.iter().map(|s| view! { <li>{s.clone()}</li> }).collect_view()}</ul>
                            </details>
                            <FormError error=mark_error />
                            {if !l.signed_in {
                                view! { <p class="notice"><a href=format!("/login?next=/courses/{}/{}", l.course, l.slug)>"登录"</a>"后可记录学习进度。"</p> }.into_any()
                            } else if l.read {
                                view! { <p class="ok">"本课已学完。"</p> }.into_any()
                            } else {
                                view! {
                                    <form method="post" action=MarkRead::url() class="mark-read">
                                        <input type="hidden" name="course" value=l.course.clone() />
                                        <input type="hidden" name="lesson" value=l.slug.clone() />
                                        <button type="submit">"我已学完本课"</button>
                                    </form>
                                }.into_any()
                            }}
                            <nav class="lesson-nav">
                                {l.prev.map(|(slug, title)| view! { <a class="button secondary" href=format!("/courses/{}/{slug}", l.course)>{format!("‹ {title}")}</a> })}
                                {l.next.map(|(slug, title)| view! { <a class="button secondary" href=format!("/courses/{}/{slug}", l.course)>{format!("{title} ›")}</a> })}
                            </nav>
                        }.into_any(),
                        Err(error) => view! { <ErrorView error /> }.into_any(),
                    }
                })
            }}
        </Suspense>
        <IslandScripts />
    }
}
