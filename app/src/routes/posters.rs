//! `/p/<code>`: where a poster's QR code lands. It counts the scan (one
//! more in the poster's total for the day; nothing about the visitor is
//! kept) and shows the poster's tip page right there, without a redirect
//! that would cost a second round trip on a weak signal.

use super::tips::{TipData, TipNotFound, TipView};
use crate::components::errors::ErrorView;
use crate::error::AppError;
use leptos::prelude::*;
use leptos_meta::Meta;
use leptos_router::hooks::use_params_map;

/// Public. Counts a scan of the poster and returns its tip; unknown codes
/// (and topics whose tip is gone) are `NotFound` and count nothing. The
/// Referer is only compared with this page's address, never kept.
#[server(prefix = "/api", endpoint = "poster_landing")]
pub async fn poster_landing(code: String) -> Result<TipData, AppError> {
    async move {
        let state = crate::state::AppState::current()?;
        let code = crate::actions::posters::normalise_code(&code).ok_or(AppError::NotFound)?;
        let poster = crate::db::posters::by_code(&state.db, &code)
            .await?
            .ok_or(AppError::NotFound)?;
        let library = state.site.library();
        let course = library
            .course(&poster.course_slug)
            .ok_or(AppError::NotFound)?;
        let tip = course.tip.as_ref().ok_or(AppError::NotFound)?;
        // Coming back from this very page (the 大字 switch returns here) is
        // not another scan.
        let again = leptos::prelude::use_context::<http::request::Parts>()
            .and_then(|parts| {
                parts
                    .headers
                    .get(http::header::REFERER)?
                    .to_str()
                    .ok()
                    .map(str::to_owned)
            })
            .is_some_and(|referer| crate::actions::posters::refers_to(&referer, &code));
        if !again {
            state.scans.add(poster.id, crate::actions::today());
        }
        Ok(TipData {
            course: course.slug.clone(),
            title: tip.title.clone(),
            summary: tip.summary.clone(),
            html: tip.html.clone(),
        })
    }
    .await
    .map_err(AppError::with_status)
}

#[component]
pub fn PosterLandingPage() -> impl IntoView {
    let code = use_params_map()
        .with_untracked(|p| p.get("code"))
        .unwrap_or_default();
    let data = Resource::new_blocking(move || code.clone(), poster_landing);
    view! {
        // The tip's own address is /t/<course>; poster codes stay out of search engines.
        <Meta name="robots" content="noindex" />
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
