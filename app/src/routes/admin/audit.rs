//! `/admin/regions/<id>/audit`: what admins did in a region, newest first.

use crate::components::errors::ErrorView;
use crate::components::pager::{Pager, page_number};
use crate::error::AppError;
use crate::model::AuditLine;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditData {
    pub region_name: String,
    /// (local time "YYYY-MM-DD HH:MM", line)
    pub lines: Vec<(String, AuditLine)>,
    pub total: i64,
}

/// Region admins only.
#[server(prefix = "/api", endpoint = "audit_view")]
pub async fn audit_view(region_id: i64, page: i64) -> Result<AuditData, AppError> {
    async move {
        let (state, access) = super::super::guard::region(region_id).await?;
        let region = crate::db::regions::get(&state.db, access.region_id())
            .await?
            .ok_or(AppError::NotFound)?;
        let offset = (page.max(1) - 1) * crate::components::pager::PER_PAGE;
        let (lines, total) = crate::db::audit::for_region(
            &state.db,
            access.region_id(),
            crate::components::pager::PER_PAGE,
            offset,
        )
        .await?;
        let format = time::macros::format_description!("[year]-[month]-[day] [hour]:[minute]");
        let lines = lines
            .into_iter()
            .map(|l| {
                let at = time::OffsetDateTime::from_unix_timestamp(l.at)
                    .map(|t| {
                        t.to_offset(time::macros::offset!(+8))
                            .format(&format)
                            .unwrap_or_default()
                    })
                    .unwrap_or_default();
                (at, l)
            })
            .collect();
        Ok(AuditData {
            region_name: region.name,
            lines,
            total,
        })
    }
    .await
    .map_err(AppError::with_status)
}

#[component]
pub fn AuditPage() -> impl IntoView {
    let id = use_params_map()
        .with_untracked(|p| p.get("id"))
        .and_then(|v| v.parse::<i64>().ok())
        .unwrap_or(0);
    let page = use_query_map().with_untracked(|q| page_number(q.get("page")));
    let data = Resource::new_blocking(move || (id, page), |(id, page)| audit_view(id, page));
    view! {
        <Title text="操作记录" />
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(v) => view! {
                        <nav class="crumbs"><a href=format!("/admin/regions/{id}")>{v.region_name.clone()}</a></nav>
                        <h1>"操作记录"</h1>
                        {if v.lines.is_empty() {
                            view! { <p class="card empty">"还没有管理操作记录。"</p> }.into_any()
                        } else {
                            view! {
                                <div class="table-wrap card">
                                    <table>
                                        <thead><tr><th scope="col">"时间"</th><th scope="col">"操作人"</th><th scope="col">"单位"</th><th scope="col">"内容"</th></tr></thead>
                                        <tbody>
                                            {v.lines.into_iter().map(|(at, l)| view! {
                                                <tr><td>{at}</td><td>{l.actor}</td><td>{l.unit.unwrap_or_default()}</td><td>{l.detail}</td></tr>
                                            }).collect_view()}
                                        </tbody>
                                    </table>
                                </div>
                            }.into_any()
                        }}
                        <Pager base=format!("/admin/regions/{id}/audit") search=String::new() page total=v.total />
                    }.into_any(),
                    Err(error) => view! { <ErrorView error /> }.into_any(),
                }
            })}
        </Suspense>
    }
}
