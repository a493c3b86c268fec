//! `/admin/regions/<id>`: a region's sub-regions and units, and adding a unit.

use crate::components::errors::{ErrorView, FormError, form_error};
use crate::components::flash::Flash;
use crate::components::pager::{Pager, page_number};
use crate::domain::INDUSTRIES;
use crate::error::AppError;
use crate::model::Region;
use crate::model::Unit;
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RegionData {
    pub region: Region,
    /// The parent, when the caller administers it too.
    pub parent: Option<Region>,
    pub children: Vec<Region>,
    pub units: Vec<Unit>,
    pub total: i64,
}

#[server(prefix = "/api", endpoint = "region_view")]
pub async fn region_view(
    region_id: i64,
    search: String,
    page: i64,
) -> Result<RegionData, AppError> {
    async move {
        let (state, access) = super::super::guard::region(region_id).await?;
        let db = &state.db;
        let region = crate::db::regions::get(db, access.region_id())
            .await?
            .ok_or(AppError::NotFound)?;
        let parent = match region.parent_id {
            Some(parent_id) => {
                let user = crate::auth::session::require_user().await?;
                match crate::auth::scope::authorize_region(db, &user, parent_id).await {
                    Ok(_) => crate::db::regions::get(db, parent_id).await?,
                    Err(_) => None,
                }
            }
            None => None,
        };
        let children = crate::db::regions::children(db, access.region_id()).await?;
        let offset = (page.max(1) - 1) * crate::components::pager::PER_PAGE;
        let (units, total) = crate::db::units::search_in_region(
            db,
            access.region_id(),
            &search,
            &crate::actions::today(),
            crate::components::pager::PER_PAGE,
            offset,
        )
        .await?;
        Ok(RegionData {
            region,
            parent,
            children,
            units,
            total,
        })
    }
    .await
    .map_err(AppError::with_status)
}

#[server(prefix = "/api", endpoint = "create_unit")]
#[allow(clippy::too_many_arguments)]
pub async fn create_unit(
    region_id: i64,
    name: String,
    credit_code: String,
    industry: String,
    key_unit: Option<String>,
    public_gathering: Option<String>,
    control_room: Option<String>,
    linkage: Option<String>,
) -> Result<(), AppError> {
    async move {
        let (state, access) = super::super::guard::region(region_id).await?;
        let form = crate::actions::units::UnitForm::parse(
            &name,
            &credit_code,
            &industry,
            [key_unit, public_gathering, control_room, linkage],
        )?;
        let unit_id = crate::actions::units::create(&state.db, &access, &form).await?;
        crate::components::flash::set(&format!("已新增单位：{}", form.name));
        leptos_axum::redirect(&format!("/admin/units/{unit_id}"));
        Ok(())
    }
    .await
    .map_err(AppError::with_status)
}

#[component]
pub fn RegionPage() -> impl IntoView {
    let id = use_params_map()
        .with_untracked(|p| p.get("id"))
        .and_then(|v| v.parse::<i64>().ok())
        .unwrap_or(0);
    let (search, page) = use_query_map()
        .with_untracked(|q| (q.get("q").unwrap_or_default(), page_number(q.get("page"))));
    let create_error = form_error::<CreateUnit>();
    let view_data = Resource::new_blocking(
        {
            let search = search.clone();
            move || (id, search.clone(), page)
        },
        |(id, search, page)| region_view(id, search, page),
    );
    view! {
        <Title text="辖区管理" />
        <Flash />
        <Suspense fallback=|| ()>
            {move || {
                let search = search.clone();
                let create_error = create_error.clone();
                Suspend::new(async move {
                    match view_data.await {
                        Ok(v) => view! {
                            <nav class="crumbs">
                                <a href="/admin">"管理"</a>
                                {v.parent.map(|p| view! { " › " <a href=format!("/admin/regions/{}", p.id)>{p.name}</a> })}
                            </nav>
                            <h1>{v.region.name.clone()}</h1>
                            <p class="actions">
                                <a class="button" href=format!("/admin/regions/{id}/coverage")>"覆盖情况与报表"</a>
                                <a class="button secondary" href=format!("/admin/regions/{id}/posters")>"宣传海报"</a>
                                <a class="button secondary" href=format!("/admin/regions/{id}/audit")>"操作记录"</a>
                            </p>
                            {(!v.children.is_empty()).then(|| view! {
                                <section class="card">
                                    <h2>"下级辖区"</h2>
                                    <ul class="links inline">
                                        {v.children.into_iter().map(|c| view! {
                                            <li><a href=format!("/admin/regions/{}", c.id)>{c.name}</a></li>
                                        }).collect_view()}
                                    </ul>
                                </section>
                            })}
                            <section class="card">
                                <h2>"单位"</h2>
                                <form method="get" class="search">
                                    <input type="search" name="q" value=search.clone() placeholder="按单位名称搜索" aria-label="按单位名称搜索" />
                                    <button type="submit">"搜索"</button>
                                </form>
                                {if v.units.is_empty() {
                                    view! { <p class="empty">{if search.is_empty() { "本辖区还没有单位。用下方表单新增第一个单位。" } else { "没有找到符合条件的单位。" }}</p> }.into_any()
                                } else {
                                    view! {
                                        <div class="table-wrap">
                                            <table>
                                                <thead><tr><th scope="col">"单位"</th><th scope="col">"所在村"</th><th scope="col">"行业"</th><th scope="col">"在岗"</th></tr></thead>
                                                <tbody>
                                                    {v.units.into_iter().map(|u| view! {
                                                        <tr>
                                                            <td><a href=format!("/admin/units/{}", u.id)>{u.name}</a>{u.is_key_unit.then(|| view! { <span class="badge">"重点"</span> })}</td>
                                                            <td>{u.region_name}</td>
                                                            <td>{u.industry}</td>
                                                            <td>{u.people}</td>
                                                        </tr>
                                                    }).collect_view()}
                                                </tbody>
                                            </table>
                                        </div>
                                    }.into_any()
                                }}
                                <Pager base=format!("/admin/regions/{id}") search=search.clone() page total=v.total />
                            </section>
                            <section class="card">
                                <h2>"新增单位"</h2>
                                <FormError error=create_error />
                                <form method="post" action=CreateUnit::url() class="stack">
                                    <input type="hidden" name="region_id" value=id />
                                    <UnitFields unit=None />
                                    <button type="submit">"新增单位"</button>
                                </form>
                            </section>
                        }.into_any(),
                        Err(error) => view! { <ErrorView error /> }.into_any(),
                    }
                })
            }}
        </Suspense>
    }
}

/// The fields of a unit, empty or filled in; shared by "add" and "edit".
#[component]
pub fn UnitFields(unit: Option<Unit>) -> impl IntoView {
    let u = unit.clone();
    let flag = move |f: fn(&Unit) -> bool| u.as_ref().is_some_and(f);
    let industry = unit
        .as_ref()
        .map(|u| u.industry.clone())
        .unwrap_or_default();
    view! {
        <label>"单位名称" <input type="text" name="name" required maxlength="60" value=unit.as_ref().map(|u| u.name.clone()) /></label>
        <label>"统一社会信用代码（选填）"
            <input type="text" name="credit_code" maxlength="18" autocapitalize="characters" value=unit.as_ref().and_then(|u| u.credit_code.clone()) />
        </label>
        <label>"行业"
            <select name="industry" required>
                {INDUSTRIES.into_iter().map(|i| view! { <option value=i selected=industry == i>{i}</option> }).collect_view()}
            </select>
        </label>
        <fieldset>
            <legend>"单位属性"</legend>
            <label class="check"><input type="checkbox" name="key_unit" value="1" checked=flag(|u| u.is_key_unit) /> "消防安全重点单位"</label>
            <label class="check"><input type="checkbox" name="public_gathering" value="1" checked=flag(|u| u.is_public_gathering) /> "人员密集场所"</label>
            <label class="check"><input type="checkbox" name="control_room" value="1" checked=flag(|u| u.has_control_room) /> "设有消防控制室"</label>
            <label class="check"><input type="checkbox" name="linkage" value="1" checked=flag(|u| u.control_room_linkage) /> "消防控制室具有联动控制功能"</label>
        </fieldset>
    }
}
