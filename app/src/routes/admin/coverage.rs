//! Coverage dashboards: `/admin/regions/<id>/coverage` and
//! `/admin/units/<id>/coverage` (headline rates against the target line,
//! monthly trends, tables, the most urgent items of each action list), each
//! action list whole and paged at `<dashboard>/<list code>`, and the report
//! print page
//! `/admin/regions/<id>/report?month=2026-10` (or `?year=2026`). The Excel
//! and CSV exports are built from the same `CoverageReport`.

use crate::components::errors::{ErrorView, encode};
use crate::components::pager::{page_links, page_number};
use crate::error::AppError;
use crate::model::{
    ActionItem, ActionList, ActionLists, ActionPage, CoverageDashboard, CoverageReport,
    CoverageRow, Figure,
};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

/// The four column heads of every table, in `Metric::ALL` order.
pub const COLUMNS: [&str; 4] = ["持证上岗率", "岗前培训率", "年度培训覆盖率", "演练达标率"];

#[cfg(feature = "ssr")]
pub mod server {
    use crate::actions::coverage::{ScopeInfo, month_as_of};
    use crate::auth::scope::{RegionAccess, UnitAccess};
    use crate::db::coverage::Scope;
    use crate::error::AppError;
    use time::Date;

    /// `?date=`, `?month=` or `?year=`; today when none is given.
    pub fn as_of(
        date: Option<&str>,
        month: Option<&str>,
        year: Option<&str>,
        today: Date,
    ) -> Result<Date, AppError> {
        let format = time::macros::format_description!("[year]-[month]-[day]");
        if let Some(d) = date.filter(|d| !d.trim().is_empty()) {
            let d = Date::parse(d.trim(), &format)
                .map_err(|_| AppError::bad_request("日期格式应为 年-月-日"))?;
            return Ok(d.min(today));
        }
        if let Some(m) = month.filter(|m| !m.trim().is_empty()) {
            return month_as_of(m, today);
        }
        if let Some(y) = year.filter(|y| !y.trim().is_empty()) {
            return month_as_of(&format!("{}-12", y.trim()), today)
                .or_else(|_| month_as_of(&format!("{}-01", y.trim()), today).map(|_| today));
        }
        Ok(today)
    }

    /// A region's report for a month (`2026-10`) or a year (`2026`): the
    /// figures as of the period's last day (or today), the monthly rows of
    /// the year for a yearly summary. Pages, downloads and the command line
    /// all come here, so their numbers agree.
    pub async fn report(
        db: &crate::db::Db,
        access: &RegionAccess,
        month: &str,
        year: &str,
    ) -> Result<crate::model::CoverageReport, AppError> {
        let today = crate::domain::date::today_in_shanghai();
        let as_of = as_of(None, Some(month), Some(year), today)?;
        let info = region_info(db, access).await?;
        let mut report = crate::actions::coverage::build(db, &info, as_of).await?;
        if !year.trim().is_empty() {
            let prefix = format!("{}-", year.trim());
            report.monthly.retain(|m| m.month.starts_with(&prefix));
        }
        Ok(report)
    }

    pub async fn region_info(
        db: &crate::db::Db,
        access: &RegionAccess,
    ) -> Result<ScopeInfo, AppError> {
        let region = crate::db::regions::get(db, access.region_id())
            .await?
            .ok_or(AppError::NotFound)?;
        Ok(ScopeInfo::region(region))
    }

    pub async fn unit_info(
        db: &crate::db::Db,
        access: &UnitAccess,
        today: Date,
    ) -> Result<ScopeInfo, AppError> {
        let unit = crate::db::units::get(db, access.unit_id(), &today.to_string())
            .await?
            .ok_or(AppError::NotFound)?;
        Ok(ScopeInfo {
            scope: Scope::Unit(access.unit_id()),
            name: unit.name,
            region_id: access.region_id(),
        })
    }

    /// The caller's region scope (checked) and the day asked for.
    pub async fn region_scope(
        region_id: i64,
        date: &str,
    ) -> Result<(crate::state::AppState, ScopeInfo, Date), AppError> {
        let (state, access) = crate::routes::guard::region(region_id).await?;
        let today = crate::domain::date::today_in_shanghai();
        let as_of = as_of(Some(date), None, None, today)?;
        let info = region_info(&state.db, &access).await?;
        Ok((state, info, as_of))
    }

    /// The caller's unit scope (checked) and the day asked for.
    pub async fn unit_scope(
        unit_id: i64,
        date: &str,
    ) -> Result<(crate::state::AppState, ScopeInfo, Date), AppError> {
        let (state, access) = crate::routes::guard::unit(unit_id).await?;
        let today = crate::domain::date::today_in_shanghai();
        let as_of = as_of(Some(date), None, None, today)?;
        let info = unit_info(&state.db, &access, today).await?;
        Ok((state, info, as_of))
    }
}

/// "月度进展报告" or "年度总结", as titles and file names say.
pub fn report_title(scope: &str, month: &str, year: &str) -> String {
    if year.trim().is_empty() {
        let month = month.trim();
        let readable = match month.split_once('-') {
            Some((y, m)) => format!("{y}年{}月", m.trim_start_matches('0')),
            None => month.to_string(),
        };
        format!("{scope}消防安全治本攻坚{readable}进展报告")
    } else {
        format!("{scope}消防安全治本攻坚{}年度工作总结", year.trim())
    }
}

/// Region admins of the region or above. `date` is `YYYY-MM-DD`, or empty
/// for today; `page` is the page of the unit table (the first if absent).
#[server(prefix = "/api", endpoint = "region_coverage")]
pub async fn region_coverage(
    region_id: i64,
    date: String,
    page: Option<i64>,
) -> Result<CoverageDashboard, AppError> {
    async move {
        let (state, info, as_of) = server::region_scope(region_id, &date).await?;
        crate::actions::coverage::dashboard(&state.db, &info, as_of, page.unwrap_or(1)).await
    }
    .await
    .map_err(AppError::with_status)
}

/// Unit admins of the unit and region admins above it.
#[server(prefix = "/api", endpoint = "unit_coverage")]
pub async fn unit_coverage(
    unit_id: i64,
    date: String,
    page: Option<i64>,
) -> Result<CoverageDashboard, AppError> {
    async move {
        let (state, info, as_of) = server::unit_scope(unit_id, &date).await?;
        crate::actions::coverage::dashboard(&state.db, &info, as_of, page.unwrap_or(1)).await
    }
    .await
    .map_err(AppError::with_status)
}

/// One page of a region's action list `list` (an `ActionList::code`), for
/// those who may see the region's dashboard.
#[server(prefix = "/api", endpoint = "region_coverage_actions")]
pub async fn region_coverage_actions(
    region_id: i64,
    date: String,
    list: String,
    page: Option<i64>,
) -> Result<ActionPage, AppError> {
    async move {
        let (state, info, as_of) = server::region_scope(region_id, &date).await?;
        crate::actions::coverage::action_page(&state.db, &info, as_of, &list, page.unwrap_or(1))
            .await
    }
    .await
    .map_err(AppError::with_status)
}

/// One page of a unit's action list, for those who may see its dashboard.
#[server(prefix = "/api", endpoint = "unit_coverage_actions")]
pub async fn unit_coverage_actions(
    unit_id: i64,
    date: String,
    list: String,
    page: Option<i64>,
) -> Result<ActionPage, AppError> {
    async move {
        let (state, info, as_of) = server::unit_scope(unit_id, &date).await?;
        crate::actions::coverage::action_page(&state.db, &info, as_of, &list, page.unwrap_or(1))
            .await
    }
    .await
    .map_err(AppError::with_status)
}

/// A report for a month (`month` = `2026-10`) or a year (`year` = `2026`).
#[server(prefix = "/api", endpoint = "region_report")]
pub async fn region_report(
    region_id: i64,
    month: String,
    year: String,
) -> Result<CoverageReport, AppError> {
    async move {
        let (state, access) = super::super::guard::region(region_id).await?;
        server::report(&state.db, &access, &month, &year).await
    }
    .await
    .map_err(AppError::with_status)
}

fn monthly_rows(months: &[crate::model::MonthRow]) -> Vec<CoverageRow> {
    months
        .iter()
        .map(|m| CoverageRow {
            name: m.month.clone(),
            link: None,
            cells: m.cells.clone(),
        })
        .collect()
}

fn percent(value: f64) -> String {
    format!("{value:.1}%")
}

#[component]
fn Headline(f: Figure) -> impl IntoView {
    let status = match f.on_track {
        Some(true) => ("达标进度正常", "on-track"),
        Some(false) => ("落后于进度", "off-track"),
        None => ("暂无数据", "no-data"),
    };
    view! {
        <div class=format!("figure {}", status.1) data-metric=f.metric.clone()>
            <h3>{f.label.clone()}</h3>
            <p class="value">{f.cell.percent_text()}</p>
            <p class="count">{format!("{} / {} {}", f.cell.num, f.cell.den, f.counted)}</p>
            {f.target_percent.map(|t| view! {
                <p class="target">
                    {format!("目标 {}（{}前）", percent(t), f.due.clone().unwrap_or_default())}
                    {(f.gap > 0).then(|| format!("，还差 {} {}", f.gap, f.counted))}
                </p>
                <p class="status">{status.0}
                    {f.required_now.map(|r| format!("（当前应达 {}）", percent(r)))}
                </p>
            })}
        </div>
    }
}

#[component]
pub fn CoverageTable(caption: String, rows: Vec<CoverageRow>) -> impl IntoView {
    view! {
        <div class="table-wrap">
            <table class="coverage">
                <caption>{caption}</caption>
                <thead><tr><th scope="col">"名称"</th>{COLUMNS.iter().map(|c| view! { <th scope="col">{*c}</th> }).collect_view()}</tr></thead>
                <tbody>
                    {rows.into_iter().map(|r| view! {
                        <tr>
                            <th scope="row">{match r.link { Some(link) => view! { <a href=link>{r.name.clone()}</a> }.into_any(), None => r.name.clone().into_any() }}</th>
                            {r.cells.iter().map(|c| view! {
                                <td>{c.percent_text()}<span class="muted">{format!(" {}/{}", c.num, c.den)}</span></td>
                            }).collect_view()}
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}

/// `n` with thousands separated by commas: 1,234.
fn grouped(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    if n < 0 { format!("-{out}") } else { out }
}

/// `?date=…&` to keep the chosen day in a link, nothing for today.
fn date_query(date: &str) -> String {
    if date.is_empty() {
        String::new()
    } else {
        format!("date={}&", encode(date))
    }
}

fn action_items(items: Vec<ActionItem>) -> impl IntoView {
    view! {
        <ul>{items.into_iter().map(|i| view! {
            <li>{match i.link { Some(l) => view! { <a href=l>{i.text}</a> }.into_any(), None => i.text.into_any() }}</li>
        }).collect_view()}</ul>
    }
}

/// Each list's most urgent items; a longer list says how long it is and
/// links to its own page (`<base>/<code>`).
#[component]
fn Actions(actions: ActionLists, base: String, date: String) -> impl IntoView {
    let sections = ActionList::ALL.map(|list| {
        let all = actions.get(list).clone();
        let shown = i64::try_from(all.items.len()).unwrap_or(i64::MAX);
        let more = (all.total > shown).then(|| {
            let href = format!("{base}/{}?{}page=1", list.code(), date_query(&date));
            view! {
                <p class="muted">{format!("共 {} 项，以下为最紧急的 {shown} 项", grouped(all.total))}</p>
                <p class="no-print"><a href=href data-action-list=list.code()>{format!("查看全部 {} 项", grouped(all.total))}</a></p>
            }
        });
        view! {
            <section class="card action-list" data-action-list=list.code()>
                <h3>{format!("{}（{}）", list.title(), grouped(all.total))}</h3>
                {if all.items.is_empty() {
                    view! { <p class="muted">{list.empty()}</p> }.into_any()
                } else {
                    view! { {more} {action_items(all.items)} }.into_any()
                }}
            </section>
        }
    });
    view! {
        <h2>"待办"</h2>
        <div class="actions-grid">{sections.into_iter().collect_view()}</div>
    }
}

/// Shown above the figures while newer facts load in the background.
#[component]
fn OutdatedNotice(loaded_at: i64) -> impl IntoView {
    let at =
        crate::domain::date::clock_in_shanghai(loaded_at, crate::domain::date::today_in_shanghai());
    view! {
        <p class="notice" role="status" data-outdated="true">
            {format!("数据正在更新：以下为 {at}（北京时间）的统计，稍后刷新页面即可看到最新数据。")}
        </p>
    }
}

/// The dashboard body, shared by the region and unit pages. `date` is the
/// day asked for in the query string (empty: today), kept by the page links.
#[component]
fn Dashboard(
    data: CoverageDashboard,
    base: String,
    date: String,
    reports: Option<String>,
) -> impl IntoView {
    let CoverageDashboard {
        report,
        unit_page,
        unit_pages,
        units,
    } = data;
    let month = report.as_of.get(..7).unwrap_or_default().to_string();
    let year = report.as_of.get(..4).unwrap_or_default().to_string();
    let page_link = {
        let (base, date) = (base.clone(), date.clone());
        move |p: i64| format!("{base}?{}page={p}#units", date_query(&date))
    };
    view! {
        <h1>{format!("{} · 消防培训覆盖情况", report.scope_name)}</h1>
        {report.outdated.then(|| view! { <OutdatedNotice loaded_at=report.loaded_at /> })}
        <form method="get" action=base.clone() class="inline no-print">
            <label>"统计日期 " <input type="date" name="date" value=report.as_of.clone() /></label>
            <button type="submit" class="secondary">"查看"</button>
        </form>
        <p class="muted">{format!("截至 {}。比率按当日在岗名册和有效期计算。", report.as_of)}</p>
        {reports.map(|reports| view! {
            <p class="actions no-print">
                <a class="button secondary" href=format!("{reports}?month={month}")>"月度进展报告"</a>
                <a class="button secondary" href=format!("{reports}?year={year}")>"年度总结"</a>
            </p>
        })}
        <div class="figures">
            {report.headlines.into_iter().map(|f| view! { <Headline f /> }).collect_view()}
        </div>
        <h2>"月度走势"</h2>
        <div class="charts">
            {report.charts.into_iter().map(|(label, svg)| view! {
                <figure class="chart" aria-label=label><div inner_html=svg></div></figure>
            }).collect_view()}
        </div>
        {(!report.by_region.is_empty()).then(|| view! { <CoverageTable caption="按村（社区）".to_string() rows=report.by_region.clone() /> })}
        <section id="units">
            <CoverageTable caption="按单位".to_string() rows=report.by_unit />
            {page_links(unit_page, unit_pages, format!("共 {units} 个单位"), page_link)}
        </section>
        <CoverageTable caption="按行业".to_string() rows=report.by_industry />
        <Actions actions=report.actions base date />
    }
}

/// One action list whole, a page at a time; `base` is its dashboard.
#[component]
fn ActionListBody(data: ActionPage, base: String, date: String) -> impl IntoView {
    let ActionPage {
        scope_name,
        as_of,
        list,
        items,
        page,
        pages,
        loaded_at,
        outdated,
    } = data;
    let total = items.total;
    let page_link = {
        let here = format!("{base}/{}", list.code());
        move |p: i64| format!("{here}?{}page={p}", date_query(&date))
    };
    view! {
        <h1>{format!("{scope_name} · {}", list.title())}</h1>
        {outdated.then(|| view! { <OutdatedNotice loaded_at /> })}
        <p class="muted">{format!("截至 {as_of}，共 {} 项，最紧急的在前。", grouped(total))}</p>
        <section class="card action-list" data-action-list=list.code()>
            {if items.items.is_empty() {
                view! { <p class="muted">{list.empty()}</p> }.into_any()
            } else {
                action_items(items.items).into_any()
            }}
        </section>
        {page_links(page, pages, format!("共 {} 项", grouped(total)), page_link)}
    }
}

fn date_param() -> String {
    use_query_map().with_untracked(|q| q.get("date").unwrap_or_default())
}

/// The unit table's page from the query string: 1 when missing or nonsense
/// (the server clamps it to the pages there are).
fn page_param() -> i64 {
    page_number(use_query_map().with_untracked(|q| q.get("page")))
}

fn id_param() -> i64 {
    use_params_map()
        .with_untracked(|p| p.get("id"))
        .and_then(|v| v.parse::<i64>().ok())
        .unwrap_or(0)
}

#[component]
pub fn RegionCoveragePage() -> impl IntoView {
    let id = id_param();
    let date = date_param();
    let page = page_param();
    let data = Resource::new_blocking(
        {
            let date = date.clone();
            move || (id, date.clone(), page)
        },
        |(id, date, page)| region_coverage(id, date, Some(page)),
    );
    view! {
        <Title text="覆盖情况" />
        <Suspense fallback=|| ()>
            {move || {
                let date = date.clone();
                Suspend::new(async move {
                    match data.await {
                        Ok(data) => view! {
                            <nav class="crumbs"><a href="/admin">"管理"</a> " › " <a href=format!("/admin/regions/{id}")>{data.report.scope_name.clone()}</a></nav>
                            <Dashboard data base=format!("/admin/regions/{id}/coverage") date=date.clone() reports=Some(format!("/admin/regions/{id}/report")) />
                        }.into_any(),
                        Err(error) => view! { <ErrorView error /> }.into_any(),
                    }
                })
            }}
        </Suspense>
    }
}

#[component]
pub fn UnitCoveragePage() -> impl IntoView {
    let id = id_param();
    let date = date_param();
    let page = page_param();
    let data = Resource::new_blocking(
        {
            let date = date.clone();
            move || (id, date.clone(), page)
        },
        |(id, date, page)| unit_coverage(id, date, Some(page)),
    );
    view! {
        <Title text="覆盖情况" />
        <Suspense fallback=|| ()>
            {move || {
                let date = date.clone();
                Suspend::new(async move {
                    match data.await {
                        Ok(data) => view! {
                            <nav class="crumbs"><a href=format!("/admin/units/{id}")>{data.report.scope_name.clone()}</a></nav>
                            <Dashboard data base=format!("/admin/units/{id}/coverage") date=date.clone() reports=None />
                        }.into_any(),
                        Err(error) => view! { <ErrorView error /> }.into_any(),
                    }
                })
            }}
        </Suspense>
    }
}

fn list_param() -> String {
    use_params_map().with_untracked(|p| p.get("list").unwrap_or_default())
}

#[component]
pub fn RegionActionsPage() -> impl IntoView {
    let (id, list, date, page) = (id_param(), list_param(), date_param(), page_param());
    let data = Resource::new_blocking(
        {
            let date = date.clone();
            move || (id, date.clone(), list.clone(), page)
        },
        |(id, date, list, page)| region_coverage_actions(id, date, list, Some(page)),
    );
    view! {
        <Title text="待办" />
        <Suspense fallback=|| ()>
            {move || {
                let date = date.clone();
                Suspend::new(async move {
                    let base = format!("/admin/regions/{id}/coverage");
                    match data.await {
                        Ok(data) => view! {
                            <nav class="crumbs"><a href="/admin">"管理"</a> " › " <a href=format!("/admin/regions/{id}")>{data.scope_name.clone()}</a> " › " <a href=base.clone()>"覆盖情况"</a></nav>
                            <ActionListBody data base date=date.clone() />
                        }.into_any(),
                        Err(error) => view! { <ErrorView error /> }.into_any(),
                    }
                })
            }}
        </Suspense>
    }
}

#[component]
pub fn UnitActionsPage() -> impl IntoView {
    let (id, list, date, page) = (id_param(), list_param(), date_param(), page_param());
    let data = Resource::new_blocking(
        {
            let date = date.clone();
            move || (id, date.clone(), list.clone(), page)
        },
        |(id, date, list, page)| unit_coverage_actions(id, date, list, Some(page)),
    );
    view! {
        <Title text="待办" />
        <Suspense fallback=|| ()>
            {move || {
                let date = date.clone();
                Suspend::new(async move {
                    let base = format!("/admin/units/{id}/coverage");
                    match data.await {
                        Ok(data) => view! {
                            <nav class="crumbs"><a href=format!("/admin/units/{id}")>{data.scope_name.clone()}</a> " › " <a href=base.clone()>"覆盖情况"</a></nav>
                            <ActionListBody data base date=date.clone() />
                        }.into_any(),
                        Err(error) => view! { <ErrorView error /> }.into_any(),
                    }
                })
            }}
        </Suspense>
    }
}

/// The printable report; the same figures as the `.xlsx` and `.csv`.
#[component]
pub fn ReportPage() -> impl IntoView {
    let id = id_param();
    let (month, year) = use_query_map().with_untracked(|q| {
        (
            q.get("month").unwrap_or_default(),
            q.get("year").unwrap_or_default(),
        )
    });
    let query = if year.is_empty() {
        format!("month={month}")
    } else {
        format!("year={year}")
    };
    let heading = if year.is_empty() {
        "月度进展报告"
    } else {
        "年度工作总结"
    };
    let data = Resource::new_blocking(
        {
            let (month, year) = (month.clone(), year.clone());
            move || (id, month.clone(), year.clone())
        },
        |(id, m, y)| region_report(id, m, y),
    );
    view! {
        <Title text=heading />
        <Suspense fallback=|| ()>
            {move || {
                let (query, month, year) = (query.clone(), month.clone(), year.clone());
                Suspend::new(async move {
                    match data.await {
                        Ok(r) => view! {
                            <article class="report">
                                <p class="actions no-print">
                                    <a class="button secondary" href=format!("/admin/regions/{id}/report.xlsx?{query}")>"下载 Excel"</a>
                                    <a class="button secondary" href=format!("/admin/regions/{id}/report.csv?{query}")>"下载 CSV"</a>
                                    <span class="hint">"打印：用浏览器菜单中的“打印”。"</span>
                                </p>
                                <h1>{report_title(&r.scope_name, &month, &year)}</h1>
                                {r.outdated.then(|| view! { <OutdatedNotice loaded_at=r.loaded_at /> })}
                                <p>{format!("统计截至 {}", r.as_of)}</p>
                                <table class="coverage">
                                    <caption>"总体情况"</caption>
                                    <thead><tr><th scope="col">"指标"</th><th scope="col">"比率"</th><th scope="col">"达标/应计"</th><th scope="col">"目标"</th><th scope="col">"差距"</th><th scope="col">"进度"</th></tr></thead>
                                    <tbody>
                                        {r.headlines.iter().map(|f| view! {
                                            <tr data-metric=f.metric.clone()>
                                                <th scope="row">{f.label.clone()}</th>
                                                <td>{f.cell.percent_text()}</td>
                                                <td>{format!("{}/{}", f.cell.num, f.cell.den)}</td>
                                                <td>{f.target_percent.map(|t| format!("{}（{}前）", percent(t), f.due.clone().unwrap_or_default())).unwrap_or_default()}</td>
                                                <td>{format!("{} {}", f.gap, f.counted)}</td>
                                                <td>{match f.on_track { Some(true) => "正常", Some(false) => "落后", None => "—" }}</td>
                                            </tr>
                                        }).collect_view()}
                                    </tbody>
                                </table>
                                <CoverageTable caption="按村（社区）".to_string() rows=r.by_region.clone() />
                                <CoverageTable caption="按行业".to_string() rows=r.by_industry.clone() />
                                <CoverageTable caption="按单位".to_string() rows=r.by_unit.clone() />
                                <CoverageTable caption="逐月".to_string() rows=monthly_rows(&r.monthly) />
                            </article>
                        }.into_any(),
                        Err(error) => view! { <ErrorView error /> }.into_any(),
                    }
                })
            }}
        </Suspense>
    }
}

#[cfg(all(test, feature = "ssr"))]
mod tests {
    use super::*;

    fn render(outdated: bool, loaded_at: i64) -> String {
        render_with(outdated, loaded_at, ActionLists::default(), "")
    }

    fn render_with(outdated: bool, loaded_at: i64, actions: ActionLists, date: &str) -> String {
        let data = CoverageDashboard {
            report: CoverageReport {
                scope_name: "嘉峰镇".into(),
                as_of: "2026-11-28".into(),
                headlines: vec![],
                by_region: vec![],
                by_unit: vec![],
                by_industry: vec![],
                monthly: vec![],
                actions,
                charts: vec![],
                loaded_at,
                outdated,
            },
            unit_page: 1,
            unit_pages: 1,
            units: 0,
        };
        Owner::new().with(|| {
            view! { <Dashboard data base="/admin/regions/1/coverage".to_string() date=date.to_string() reports=None /> }
                .to_html()
        })
    }

    #[test]
    fn outdated_figures_say_so_with_the_time_they_are_from() {
        let loaded_at = time::OffsetDateTime::now_utc().unix_timestamp() - 600;
        let at = crate::domain::date::clock_in_shanghai(
            loaded_at,
            crate::domain::date::today_in_shanghai(),
        );
        let html = render(true, loaded_at);
        assert!(
            html.contains(&format!(
                "数据正在更新：以下为 {at}（北京时间）的统计，稍后刷新页面即可看到最新数据。"
            )),
            "{html}"
        );
        // Above the figures.
        assert!(html.find("数据正在更新") < html.find("class=\"figures\""));
        assert!(!render(false, loaded_at).contains("数据正在更新"));
    }

    fn items(n: usize) -> crate::model::ActionItems {
        crate::model::ActionItems::all(
            (0..n)
                .map(|i| ActionItem {
                    text: format!("逾期单位{i:04}"),
                    link: Some(format!("/admin/units/{i}")),
                })
                .collect(),
        )
    }

    #[test]
    fn a_long_action_list_says_how_long_and_links_to_all_of_it() {
        let whole = ActionLists {
            overdue_drill: items(1234),
            credentials_expiring: items(3),
            ..ActionLists::default()
        };
        let html = render_with(false, 0, whole.first(20), "2026-10-31");
        let drill = &html[html.find("data-action-list=\"overdue-drill\"").unwrap()..];
        assert!(drill.contains("演练逾期的单位（1,234）"), "{drill}");
        assert!(
            drill.contains("共 1,234 项，以下为最紧急的 20 项"),
            "{drill}"
        );
        assert!(drill.contains(
            "href=\"/admin/regions/1/coverage/overdue-drill?date=2026-10-31&amp;page=1\""
        ));
        assert!(drill.contains("逾期单位0019") && !drill.contains("逾期单位0020"));
        // A short list is whole: no total line, no link.
        let expiring = &html[html
            .find("data-action-list=\"credentials-expiring\"")
            .unwrap()..];
        let expiring = &expiring[..expiring.find("</section>").unwrap()];
        assert!(expiring.contains("逾期单位0002"));
        assert!(!expiring.contains("以下为最紧急") && !expiring.contains("查看全部"));
        assert!(
            html.contains("所有值班员均持证上岗。"),
            "an empty list says so"
        );
    }

    #[test]
    fn thousands_are_grouped() {
        assert_eq!(grouped(0), "0");
        assert_eq!(grouped(999), "999");
        assert_eq!(grouped(1000), "1,000");
        assert_eq!(grouped(1234567), "1,234,567");
        assert_eq!(grouped(-12345), "-12,345");
    }
}
