//! `/admin/…`: screens for unit and region admins. Every server function
//! here authorises against the caller's scope first (see `guard`).

pub mod audit;
pub mod coverage;
pub mod credentials;
pub mod import;
pub mod member;
pub mod posters;
pub mod region;
pub mod training;
pub mod unit;

use crate::components::errors::ErrorView;
use crate::error::AppError;
use leptos::prelude::*;
use leptos_meta::Title;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AdminHomeData {
    pub regions: Vec<(i64, String)>,
    pub units: Vec<(i64, String)>,
}

/// What the caller administers; `Forbidden` for non-admins.
#[server(prefix = "/api", endpoint = "admin_home")]
pub async fn admin_home() -> Result<AdminHomeData, AppError> {
    async move {
        let state = crate::state::AppState::current()?;
        let user = crate::auth::session::require_user().await?;
        if !user.is_admin() {
            return Err(AppError::Forbidden);
        }
        let mut regions = Vec::new();
        for grant in &user.grants {
            if let crate::auth::Grant::RegionAdmin { region_id } = grant
                && let Some(r) = crate::db::regions::get(&state.db, *region_id).await?
            {
                regions.push((r.id, r.name));
            }
        }
        let units =
            crate::db::units::administered_by(&state.db, user.person_id, &crate::actions::today())
                .await?
                .into_iter()
                .map(|u| (u.id, u.name))
                .collect();
        Ok(AdminHomeData { regions, units })
    }
    .await
    .map_err(AppError::with_status)
}

#[component]
pub fn AdminHomePage() -> impl IntoView {
    let home = Resource::new_blocking(|| (), |_| admin_home());
    view! {
        <Title text="管理" />
        <h1>"管理"</h1>
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                match home.await {
                    Ok(home) => view! {
                        {(!home.regions.is_empty()).then(|| view! {
                            <section class="card">
                                <h2>"我管理的辖区"</h2>
                                <ul class="links">
                                    {home.regions.into_iter().map(|(id, name)| view! {
                                        <li><a href=format!("/admin/regions/{id}")>{name}</a></li>
                                    }).collect_view()}
                                </ul>
                            </section>
                        })}
                        {(!home.units.is_empty()).then(|| view! {
                            <section class="card">
                                <h2>"我管理的单位"</h2>
                                <ul class="links">
                                    {home.units.into_iter().map(|(id, name)| view! {
                                        <li><a href=format!("/admin/units/{id}")>{name}</a></li>
                                    }).collect_view()}
                                </ul>
                            </section>
                        })}
                    }.into_any(),
                    Err(error) => view! { <ErrorView error /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// "是" / "否" for a flag in a table.
pub fn yes_no(flag: bool) -> &'static str {
    if flag { "是" } else { "否" }
}
