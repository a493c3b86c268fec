//! `/t/<course>`: the villagers' tip page a poster's QR code opens. No login,
//! no script, large type; 119 and 96119 always on it.

use crate::components::errors::ErrorView;
use crate::components::reading::TextSizeToggle;
use crate::error::AppError;
use leptos::prelude::*;
use leptos_meta::{Meta, Title};
use leptos_router::hooks::use_params_map;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TipData {
    pub course: String,
    pub title: String,
    pub summary: String,
    pub html: String,
}

/// Public: authored content.
#[server(prefix = "/api", endpoint = "tip_page")]
pub async fn tip_page(course: String) -> Result<TipData, AppError> {
    async move {
        let state = crate::state::AppState::current()?;
        let library = state.site.library();
        let c = library.course(&course).ok_or(AppError::NotFound)?;
        let tip = c.tip.as_ref().ok_or(AppError::NotFound)?;
        Ok(TipData {
            course: c.slug.clone(),
            title: tip.title.clone(),
            summary: tip.summary.clone(),
            html: tip.html.clone(),
        })
    }
    .await
    .map_err(AppError::with_status)
}

#[component]
pub fn TipPage() -> impl IntoView {
    let slug = use_params_map()
        .with_untracked(|p| p.get("slug"))
        .unwrap_or_default();
    let data = Resource::new_blocking(move || slug.clone(), tip_page);
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(t) => view! { <TipView t /> }.into_any(),
                    Err(AppError::NotFound) => view! { <TipNotFound /> }.into_any(),
                    Err(error) => view! { <ErrorView error /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// A tip as villagers read it; also what a poster's QR code opens.
#[component]
pub fn TipView(t: TipData) -> impl IntoView {
    view! {
        <Title text=t.title.clone() />
        <Meta name="description" content=t.summary.clone() />
        <article class="tip prose">
            <div class="toolbar"><TextSizeToggle /></div>
            <h1>{t.title.clone()}</h1>
            <p class="lead">{t.summary.clone()}</p>
            <div class="tip-points" inner_html=t.html.clone()></div>
            <section class="emergency" aria-label="紧急电话">
                <a class="emergency-call" href="tel:119"><span class="number">"119"</span><span>"火警电话"</span></a>
                <a class="emergency-call secondary" href="tel:96119"><span class="number">"96119"</span><span>"隐患举报投诉"</span></a>
            </section>
            <p class="more"><a class="button" href=format!("/courses/{}", t.course)>"学习完整课程"</a></p>
            <p><a href="/t">"更多安全小贴士"</a></p>
        </article>
    }
}

/// An unknown tip or poster code: 404, and the way to every tip.
#[component]
pub fn TipNotFound() -> impl IntoView {
    view! {
        <section class="card">
            <h1>"没有找到这条小贴士"</h1>
            <p>"二维码可能已过期。请看看下面的安全小贴士。"</p>
            <p><a class="button" href="/t">"全部安全小贴士"</a></p>
        </section>
        <NotFoundStatus />
    }
}

#[component]
fn NotFoundStatus() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(http::StatusCode::NOT_FOUND);
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TipLink {
    pub course: String,
    pub title: String,
    pub summary: String,
}

/// Public: the list of tip pages.
#[server(prefix = "/api", endpoint = "tip_list")]
pub async fn tip_list() -> Result<Vec<TipLink>, AppError> {
    async move {
        let state = crate::state::AppState::current()?;
        let library = state.site.library();
        Ok(library
            .courses
            .iter()
            .filter_map(|c| {
                c.tip.as_ref().map(|t| TipLink {
                    course: c.slug.clone(),
                    title: t.title.clone(),
                    summary: t.summary.clone(),
                })
            })
            .collect())
    }
    .await
    .map_err(AppError::with_status)
}

#[component]
pub fn TipListPage() -> impl IntoView {
    let data = Resource::new_blocking(|| (), |_| tip_list());
    view! {
        <Title text="安全小贴士" />
        <h1>"安全小贴士"</h1>
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(tips) => view! {
                        <ul class="plain tips">
                            {tips.into_iter().map(|t| view! {
                                <li class="card"><h2><a href=format!("/t/{}", t.course)>{t.title}</a></h2><p>{t.summary}</p></li>
                            }).collect_view()}
                        </ul>
                    }.into_any(),
                    Err(error) => view! { <ErrorView error /> }.into_any(),
                }
            })}
        </Suspense>
    }
}
