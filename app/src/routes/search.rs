//! `/search?q=`: find lessons by their words.

use crate::components::errors::ErrorView;
use crate::error::AppError;
use crate::model::Hit;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

/// Public: visitors search public courses, signed-in readers every course.
#[server(prefix = "/api", endpoint = "search_lessons")]
pub async fn search_lessons(q: String) -> Result<Vec<Hit>, AppError> {
    async move {
        let state = crate::state::AppState::current()?;
        let signed_in = crate::auth::session::current_user()
            .await?
            .is_some_and(|u| !u.must_change_password);
        let library = state.site.library();
        let allowed: Vec<&str> = library
            .courses
            .iter()
            .filter(|c| signed_in || c.audience == crate::model::Audience::Public)
            .map(|c| c.slug.as_str())
            .collect();
        let q: String = q.chars().take(50).collect();
        Ok(library.search.search(&q, &allowed, 30))
    }
    .await
    .map_err(AppError::with_status)
}

#[component]
pub fn SearchPage() -> impl IntoView {
    let q = use_query_map()
        .with_untracked(|m| m.get("q"))
        .unwrap_or_default();
    let data = Resource::new_blocking(
        {
            let q = q.clone();
            move || q.clone()
        },
        search_lessons,
    );
    view! {
        <Title text="搜索" />
        <h1>"搜索课程"</h1>
        <form method="get" action="/search" class="search" role="search">
            <input type="search" name="q" value=q.clone() placeholder="如：电动车、液化气、逃生" aria-label="搜索课程内容" />
            <button type="submit">"搜索"</button>
        </form>
        <Suspense fallback=|| ()>
            {move || {
                let q = q.clone();
                Suspend::new(async move {
                    match data.await {
                        Ok(hits) if q.trim().is_empty() => { let _ = hits; view! { <p class="muted">"输入想了解的内容，例如“电动车”“煤炉”“119”。"</p> }.into_any() }
                        Ok(hits) if hits.is_empty() => view! { <p class="empty">{format!("没有找到与“{q}”相关的课程内容。换个说法试试，比如少写几个字。")}</p> }.into_any(),
                        Ok(hits) => view! {
                            <p class="muted">{format!("找到 {} 课", hits.len())}</p>
                            <ul class="plain hits">
                                {hits.into_iter().map(|h| view! {
                                    <li class="card">
                                        <h2><a href=format!("/courses/{}/{}", h.course, h.lesson)>{h.title}</a></h2>
                                        <p class="muted">{h.course_title}</p>
                                        <p>{h.snippet}</p>
                                    </li>
                                }).collect_view()}
                            </ul>
                        }.into_any(),
                        Err(error) => view! { <ErrorView error /> }.into_any(),
                    }
                })
            }}
        </Suspense>
    }
}
