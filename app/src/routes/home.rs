//! `/`: what the platform is for, the emergency numbers, and the town at a
//! glance.

use crate::error::AppError;
use leptos::prelude::*;
use leptos_meta::Title;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TownOverview {
    pub name: String,
    pub is_demo: bool,
    /// Distinct people in post anywhere in the town (someone in two units
    /// counts once here, once in each region's row).
    pub people: i64,
    pub regions: Vec<RegionSummary>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RegionSummary {
    pub name: String,
    pub units: i64,
    pub people: i64,
}

/// Public: aggregate counts only, no names or numbers of people.
#[server(prefix = "/api", endpoint = "town_overview")]
pub async fn get_town_overview() -> Result<Option<TownOverview>, AppError> {
    let state = crate::state::AppState::current()?;
    let today = crate::domain::date::today_in_shanghai().to_string();
    Ok(crate::db::overview::town_overview(&state.db, &today).await?)
}

#[component]
pub fn HomePage() -> impl IntoView {
    let overview = Resource::new_blocking(|| (), |_| get_town_overview());
    view! {
        <Title text="" />
        <section class="hero">
            <h1>"消防学堂"</h1>
            <p class="lead">"学消防知识，考培训证明，守一方平安。"</p>
            <p>"面向企业员工、消防控制室值班员、单位管理员和村镇干部的消防安全培训与宣传平台。"</p>
            <p class="actions">
                <a class="button" href="/courses">"学习课程"</a>
                " "
                <a class="button secondary" href="/t">"安全小贴士"</a>
            </p>
        </section>
        <section class="emergency" aria-label="紧急电话">
            <a class="emergency-call" href="tel:119">
                <span class="number">"119"</span>
                <span>"火警电话"</span>
            </a>
            <a class="emergency-call secondary" href="tel:96119">
                <span class="number">"96119"</span>
                <span>"火灾隐患举报投诉"</span>
            </a>
        </section>
        <section class="card">
            <h2>"三年行动目标"</h2>
            <p>"消防控制室值班员持证上岗率：2024 年底达到 85%，2026 年底达到 100%。"</p>
            <p>"新员工先培训后上岗；重点单位每年全员培训，人员密集场所每半年一次。"</p>
        </section>
        <Suspense fallback=|| view! { <p>"正在加载…"</p> }>
            {move || Suspend::new(async move {
                match overview.await {
                    Ok(Some(town)) => view! { <TownOverviewCard town /> }.into_any(),
                    Ok(None) => view! {
                        <section class="card empty">
                            <h2>"还没有辖区数据"</h2>
                            <p>"运行 " <code>"xuetang seed"</code> " 载入示例镇村数据。"</p>
                        </section>
                    }.into_any(),
                    Err(err) => view! {
                        <section class="card error" role="alert">
                            <p>{err.to_string()}</p>
                        </section>
                    }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn TownOverviewCard(town: TownOverview) -> impl IntoView {
    let total_units: i64 = town.regions.iter().map(|r| r.units).sum();
    view! {
        <section class="card">
            <h2>
                {format!("{}概况", town.name)}
                {town.is_demo.then(|| view! { <span class="badge demo">"示例数据"</span> })}
            </h2>
            <p class="totals">
                <strong>{total_units}</strong> " 家单位 · "
                <strong>{town.people}</strong> " 名在岗人员"
            </p>
            <table class="overview">
                <thead>
                    <tr><th scope="col">"村 / 镇直"</th><th scope="col">"单位"</th><th scope="col">"在岗人员"</th></tr>
                </thead>
                <tbody>
                    {town.regions.into_iter().map(|r| view! {
                        <tr><td>{r.name}</td><td>{r.units}</td><td>{r.people}</td></tr>
                    }).collect_view()}
                </tbody>
            </table>
        </section>
    }
}
