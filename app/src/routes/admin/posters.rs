//! QR posters for noticeboards: `/admin/regions/<id>/posters` (the posters
//! in the scope, making one or a batch, scan statistics) and the print
//! document `/admin/posters/print?ids=1,2,3&size=a4` (one poster a sheet,
//! A4 or A3 portrait, by print CSS). The SVG and PNG of a poster are plain
//! routes in the server crate.

use crate::components::errors::{ErrorView, FormError, form_error};
use crate::components::flash::Flash;
use crate::error::AppError;
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};
use serde::{Deserialize, Serialize};

/// What a printed poster says.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PosterCard {
    pub id: i64,
    pub code: String,
    /// `<base>/p/<code>`: what the QR code holds.
    pub short_url: String,
    pub region_name: String,
    pub spot: String,
    pub course: String,
    pub title: String,
    pub points: Vec<String>,
    /// The print date, e.g. "2026年5月20日".
    pub date: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PosterRow {
    pub id: i64,
    pub code: String,
    pub short_url: String,
    pub place: String,
    pub spot: String,
    pub topic: String,
    /// Scans in the last 30 days.
    pub recent: i64,
    pub total: i64,
}

/// Scans of a poster, place or topic: per month column, last 30 days, all.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StatRow {
    pub name: String,
    pub months: Vec<i64>,
    pub recent: i64,
    pub total: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PostersData {
    pub region_id: i64,
    pub region_name: String,
    pub base_url: String,
    /// Where a poster may hang: the region and every region under it.
    pub places: Vec<(i64, String)>,
    /// (course slug, tip title) of every topic with a tip page.
    pub topics: Vec<(String, String)>,
    pub posters: Vec<PosterRow>,
    /// Month columns of the statistics, `YYYY-MM`, the current one last.
    pub months: Vec<String>,
    pub by_poster: Vec<StatRow>,
    pub by_place: Vec<StatRow>,
    pub by_topic: Vec<StatRow>,
    /// The last 30 days, oldest first, and the same as a bar chart.
    pub daily: Vec<(String, i64)>,
    pub daily_svg: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PrintItem {
    pub card: PosterCard,
    /// The QR code (level Q, 4-module quiet zone) as inline SVG.
    pub qr_svg: String,
    /// Font size of the points on A4, in mm.
    pub points_mm: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PrintData {
    /// "a4" or "a3".
    pub size: String,
    pub items: Vec<PrintItem>,
}

#[cfg(feature = "ssr")]
pub mod server {
    use crate::auth::CurrentUser;
    use crate::auth::scope;
    use crate::db::{self, Db, posters::Poster};
    use crate::error::AppError;

    /// The posters `ids` (e.g. "3,4,5"), in that order, if the caller
    /// administers the place of every one; unknown ids are `Forbidden` too,
    /// so ids cannot be probed.
    pub async fn posters_for(
        db: &Db,
        user: &CurrentUser,
        ids: &str,
    ) -> Result<Vec<Poster>, AppError> {
        let ids = parse_ids(ids)?;
        let mut allowed: Vec<i64> = Vec::new();
        let mut posters = Vec::with_capacity(ids.len());
        for id in ids {
            let poster = db::posters::get(db, id).await?.ok_or(AppError::Forbidden)?;
            if !allowed.contains(&poster.region_id) {
                scope::authorize_region(db, user, poster.region_id).await?;
                allowed.push(poster.region_id);
            }
            posters.push(poster);
        }
        Ok(posters)
    }

    pub fn parse_ids(ids: &str) -> Result<Vec<i64>, AppError> {
        let ids = ids
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(|s| {
                s.parse::<i64>()
                    .map_err(|_| AppError::bad_request(format!("海报编号：“{s}”不是数字")))
            })
            .collect::<Result<Vec<_>, _>>()?;
        if ids.is_empty() {
            return Err(AppError::bad_request("海报编号：请至少选择一张海报"));
        }
        if ids.len() > crate::actions::posters::MAX_BATCH {
            return Err(AppError::bad_request(format!(
                "海报编号：一次最多打印{}张",
                crate::actions::posters::MAX_BATCH
            )));
        }
        Ok(ids)
    }

    /// "a4" (also for an empty value) or "a3".
    pub fn paper(size: &str) -> Result<&'static str, AppError> {
        match size.trim().to_ascii_lowercase().as_str() {
            "" | "a4" => Ok("a4"),
            "a3" => Ok("a3"),
            _ => Err(AppError::bad_request("纸张：请选择 A4 或 A3")),
        }
    }

    /// The QR code for `url` as inline SVG, one unit a module, sized by CSS.
    /// Level Q: a poster out in the weather still scans when a quarter of
    /// it is soiled.
    pub fn qr_svg(url: &str) -> Result<String, AppError> {
        let code =
            qrcode::QrCode::with_error_correction_level(url, qrcode::EcLevel::Q).map_err(|e| {
                AppError::internal(std::io::Error::other(format!("QR code for {url}: {e:?}")))
            })?;
        let svg = code
            .render::<qrcode::render::svg::Color>()
            .module_dimensions(1, 1)
            .quiet_zone(true)
            .build();
        // The XML declaration has no place inside an HTML document.
        let start = svg.find("<svg").unwrap_or(0);
        Ok(svg[start..].to_string())
    }
}

/// Region admins of the region or above.
#[server(prefix = "/api", endpoint = "posters_view")]
pub async fn posters_view(region_id: i64) -> Result<PostersData, AppError> {
    async move {
        let (state, access) = super::super::guard::region(region_id).await?;
        // Scans of the last second are counted too.
        state.scans.flush(&state.db).await?;
        crate::actions::posters::overview(
            &state.db,
            &access,
            &state.site.library(),
            &state.site.base_url,
            crate::domain::date::today_in_shanghai(),
        )
        .await
    }
    .await
    .map_err(AppError::with_status)
}

/// One poster for a place in the region and a topic.
#[server(prefix = "/api", endpoint = "create_poster")]
pub async fn create_poster(
    region_id: i64,
    place_id: i64,
    spot: String,
    course: String,
) -> Result<(), AppError> {
    async move {
        let (state, access) = super::super::guard::region(region_id).await?;
        let (_, made) = crate::actions::posters::create(
            &state.db,
            &access,
            &state.site.library(),
            place_id,
            &spot,
            &course,
        )
        .await?;
        crate::components::flash::set(if made {
            "海报已制作，可下载或打印"
        } else {
            "这个位置已有同一主题的海报，沿用原来的二维码"
        });
        leptos_axum::redirect(&format!("/admin/regions/{region_id}/posters"));
        Ok(())
    }
    .await
    .map_err(AppError::with_status)
}

/// Posters for every ticked place × topic at one spot, then their print
/// document. `places[]` and `courses[]` repeat once per ticked box.
#[server(prefix = "/api", endpoint = "create_posters")]
pub async fn create_posters(
    region_id: i64,
    spot: String,
    size: String,
    places: Option<Vec<i64>>,
    courses: Option<Vec<String>>,
) -> Result<(), AppError> {
    async move {
        let (state, access) = super::super::guard::region(region_id).await?;
        let size = server::paper(&size)?;
        let ids = crate::actions::posters::create_batch(
            &state.db,
            &access,
            &state.site.library(),
            &spot,
            &places.unwrap_or_default(),
            &courses.unwrap_or_default(),
        )
        .await?;
        let ids: Vec<String> = ids.iter().map(i64::to_string).collect();
        leptos_axum::redirect(&format!(
            "/admin/posters/print?ids={}&size={size}",
            ids.join(",")
        ));
        Ok(())
    }
    .await
    .map_err(AppError::with_status)
}

/// Admins of every poster's place.
#[server(prefix = "/api", endpoint = "poster_print")]
pub async fn poster_print(ids: String, size: String) -> Result<PrintData, AppError> {
    async move {
        let state = crate::state::AppState::current()?;
        let user = crate::auth::session::require_user().await?;
        let posters = server::posters_for(&state.db, &user, &ids).await?;
        let size = server::paper(&size)?;
        let library = state.site.library();
        let today = crate::actions::today();
        let mut items = Vec::with_capacity(posters.len());
        for poster in &posters {
            let card =
                crate::actions::posters::card(poster, &library, &state.site.base_url, &today)
                    .ok_or_else(|| {
                        AppError::bad_request(format!("海报 {}：主题已不存在", poster.code))
                    })?;
            items.push(PrintItem {
                qr_svg: server::qr_svg(&card.short_url)?,
                points_mm: crate::actions::posters::points_size_mm(&card.points),
                card,
            });
        }
        Ok(PrintData {
            size: size.to_string(),
            items,
        })
    }
    .await
    .map_err(AppError::with_status)
}

fn id_param() -> i64 {
    use_params_map()
        .with_untracked(|p| p.get("id"))
        .and_then(|v| v.parse::<i64>().ok())
        .unwrap_or(0)
}

/// Spots officials commonly use, offered as suggestions.
const SPOTS: [&str; 6] = [
    "村委会宣传栏",
    "文化广场",
    "村口公示栏",
    "小学门口",
    "卫生室",
    "集贸市场",
];

#[component]
pub fn PostersPage() -> impl IntoView {
    let id = id_param();
    let create_error = form_error::<CreatePoster>();
    let batch_error = form_error::<CreatePosters>();
    let data = Resource::new_blocking(move || id, posters_view);
    view! {
        <Title text="宣传海报" />
        <Flash />
        <Suspense fallback=|| ()>
            {move || {
                let (create_error, batch_error) = (create_error.clone(), batch_error.clone());
                Suspend::new(async move {
                    match data.await {
                        Ok(d) => view! { <PostersBody d create_error batch_error /> }.into_any(),
                        Err(error) => view! { <ErrorView error /> }.into_any(),
                    }
                })
            }}
        </Suspense>
    }
}

#[component]
fn PostersBody(
    d: PostersData,
    create_error: Option<AppError>,
    batch_error: Option<AppError>,
) -> impl IntoView {
    let id = d.region_id;
    let all_ids = d
        .posters
        .iter()
        .map(|p| p.id.to_string())
        .collect::<Vec<_>>()
        .join(",");
    let has_posters = !d.posters.is_empty();
    let villages: Vec<(i64, String)> = d
        .places
        .iter()
        .skip(usize::from(d.places.len() > 1))
        .cloned()
        .collect();
    view! {
        <nav class="crumbs"><a href="/admin">"管理"</a> " › " <a href=format!("/admin/regions/{id}")>{d.region_name.clone()}</a></nav>
        <h1>{format!("{} · 宣传海报", d.region_name)}</h1>
        <p class="hint">{format!("海报上的二维码打开 {}/p/编号，村民扫码即看安全小贴士。每次扫码按天计数，不记录扫码人的任何信息。", d.base_url)}</p>
        <section class="card">
            <h2>"海报"</h2>
            {if has_posters {
                view! {
                    <p class="actions">
                        <a class="button secondary" href=format!("/admin/posters/print?ids={all_ids}&size=a4")>"全部打印（A4）"</a>
                        <a class="button secondary" href=format!("/admin/posters/print?ids={all_ids}&size=a3")>"全部打印（A3）"</a>
                    </p>
                    <div class="table-wrap">
                        <table class="posters">
                            <thead><tr>
                                <th scope="col">"村（社区）"</th><th scope="col">"张贴位置"</th><th scope="col">"主题"</th>
                                <th scope="col">"编号"</th><th scope="col">"近30天"</th><th scope="col">"累计"</th><th scope="col">"打印与下载"</th>
                            </tr></thead>
                            <tbody>
                                {d.posters.iter().map(|p| view! {
                                    <tr>
                                        <td>{p.place.clone()}</td>
                                        <td>{p.spot.clone()}</td>
                                        <td>{p.topic.clone()}</td>
                                        <td><a class="code" href=p.short_url.clone() title=p.short_url.clone()>{p.code.clone()}</a></td>
                                        <td>{p.recent}</td>
                                        <td>{p.total}</td>
                                        <td class="links">
                                            <a href=format!("/admin/posters/print?ids={}&size=a4", p.id)>"A4"</a>" "
                                            <a href=format!("/admin/posters/print?ids={}&size=a3", p.id)>"A3"</a>" "
                                            <a href=format!("/admin/posters/{}/poster.svg", p.id)>"SVG"</a>" "
                                            <a href=format!("/admin/posters/{}/poster.png", p.id)>"PNG"</a>
                                        </td>
                                    </tr>
                                }).collect_view()}
                            </tbody>
                        </table>
                    </div>
                }.into_any()
            } else {
                view! { <p class="empty">"本辖区还没有海报。用下方表单制作第一张。"</p> }.into_any()
            }}
        </section>
        <section class="card">
            <h2>"制作一张海报"</h2>
            <FormError error=create_error />
            <form method="post" action=CreatePoster::url() class="stack">
                <input type="hidden" name="region_id" value=id />
                <label>"村（社区）"
                    <select name="place_id" required>
                        {d.places.iter().map(|(pid, name)| view! { <option value=*pid>{name.clone()}</option> }).collect_view()}
                    </select>
                </label>
                <label>"张贴位置" <input type="text" name="spot" required maxlength="30" list="poster-spots" placeholder="例如：村委会宣传栏" /></label>
                <label>"主题"
                    <select name="course" required>
                        {d.topics.iter().map(|(slug, title)| view! { <option value=slug.clone()>{title.clone()}</option> }).collect_view()}
                    </select>
                </label>
                <button type="submit">"制作海报"</button>
            </form>
            <datalist id="poster-spots">{SPOTS.iter().map(|s| view! { <option value=*s></option> }).collect_view()}</datalist>
        </section>
        <section class="card">
            <h2>"批量制作"</h2>
            <p class="hint">"勾选村和主题，每个村每个主题一张，生成一份打印文件（每页一张）。已有的海报沿用原二维码。"</p>
            <FormError error=batch_error />
            <form method="post" action=CreatePosters::url() class="stack">
                <input type="hidden" name="region_id" value=id />
                <fieldset>
                    <legend>"村（社区）"</legend>
                    {villages.into_iter().map(|(pid, name)| view! {
                        <label class="check"><input type="checkbox" name="places[]" value=pid />{name}</label>
                    }).collect_view()}
                </fieldset>
                <fieldset>
                    <legend>"主题"</legend>
                    {d.topics.iter().map(|(slug, title)| view! {
                        <label class="check"><input type="checkbox" name="courses[]" value=slug.clone() />{title.clone()}</label>
                    }).collect_view()}
                </fieldset>
                <label>"张贴位置" <input type="text" name="spot" required maxlength="30" list="poster-spots" value="村委会宣传栏" /></label>
                <fieldset>
                    <legend>"纸张"</legend>
                    <label class="check"><input type="radio" name="size" value="a4" checked=true />"A4 纵向"</label>
                    <label class="check"><input type="radio" name="size" value="a3" />"A3 纵向"</label>
                </fieldset>
                <button type="submit">"生成打印文件"</button>
            </form>
        </section>
        <section class="card poster-stats">
            <h2>"扫码统计"</h2>
            <figure class="chart">
                <div inner_html=d.daily_svg.clone()></div>
                <figcaption class="muted">{format!("近30天每日扫码次数，共 {} 次", d.daily.iter().map(|(_, n)| n).sum::<i64>())}</figcaption>
            </figure>
            <StatTable caption="按村（社区）" months=d.months.clone() rows=d.by_place.clone() />
            <StatTable caption="按主题" months=d.months.clone() rows=d.by_topic.clone() />
            <StatTable caption="按海报" months=d.months.clone() rows=d.by_poster.clone() />
            <details>
                <summary>"近30天逐日"</summary>
                <div class="table-wrap">
                    <table>
                        <thead><tr><th scope="col">"日期"</th><th scope="col">"扫码次数"</th></tr></thead>
                        <tbody>{d.daily.iter().rev().map(|(day, n)| view! { <tr><td>{day.clone()}</td><td>{*n}</td></tr> }).collect_view()}</tbody>
                    </table>
                </div>
            </details>
        </section>
    }
}

/// A month column's head, "5月"; January names its year too, so columns
/// across a new year read unambiguously.
fn month_head(month: &str) -> String {
    match month.split_once('-') {
        Some((year, "01")) => format!("{year}年1月"),
        Some((_, m)) => format!("{}月", m.trim_start_matches('0')),
        None => month.to_string(),
    }
}

#[component]
fn StatTable(caption: &'static str, months: Vec<String>, rows: Vec<StatRow>) -> impl IntoView {
    view! {
        <div class="table-wrap">
            <table class="stats">
                <caption>{caption}</caption>
                <thead><tr>
                    <th scope="col">"名称"</th>
                    {months.iter().map(|m| view! { <th scope="col">{month_head(m)}</th> }).collect_view()}
                    <th scope="col">"近30天"</th><th scope="col">"累计"</th>
                </tr></thead>
                <tbody>
                    {if rows.is_empty() {
                        view! { <tr><td colspan={months.len() + 3} class="empty">"暂无海报"</td></tr> }.into_any()
                    } else {
                        rows.into_iter().map(|r| view! {
                            <tr>
                                <th scope="row">{r.name}</th>
                                {r.months.into_iter().map(|n| view! { <td>{n}</td> }).collect_view()}
                                <td>{r.recent}</td><td>{r.total}</td>
                            </tr>
                        }).collect_view().into_any()
                    }}
                </tbody>
            </table>
        </div>
    }
}

/// The print document: one poster a sheet.
#[component]
pub fn PosterPrintPage() -> impl IntoView {
    let (ids, size) = use_query_map().with_untracked(|q| {
        (
            q.get("ids").unwrap_or_default(),
            q.get("size").unwrap_or_default(),
        )
    });
    let data = Resource::new_blocking(
        move || (ids.clone(), size.clone()),
        |(ids, size)| poster_print(ids, size),
    );
    view! {
        <Title text="打印海报" />
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(d) => view! { <PrintSheets d /> }.into_any(),
                    Err(error) => view! { <ErrorView error /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn PrintSheets(d: PrintData) -> impl IntoView {
    let ids = d
        .items
        .iter()
        .map(|i| i.card.id.to_string())
        .collect::<Vec<_>>()
        .join(",");
    let (paper, other, other_label) = if d.size == "a3" {
        ("A3", "a4", "改为 A4")
    } else {
        ("A4", "a3", "改为 A3")
    };
    let size = d.size.clone();
    view! {
        <div class="no-print">
            <h1>{format!("打印海报（{} 张，{paper} 纵向）", d.items.len())}</h1>
            <p class="hint">{format!("用浏览器菜单中的“打印”，纸张选 {paper}、纵向，边距选“默认”，每张海报一页。黑白打印同样清晰。")}</p>
            <p class="actions">
                <a class="button secondary" href=format!("/admin/posters/print?ids={ids}&size={other}")>{other_label}</a>
            </p>
        </div>
        <div class="poster-sheets">
            {d.items.into_iter().map(|item| view! { <PosterSheet item size=size.clone() /> }).collect_view()}
        </div>
    }
}

#[component]
fn PosterSheet(item: PrintItem, size: String) -> impl IntoView {
    let c = item.card;
    view! {
        <section class=format!("poster {size}") data-code=c.code.clone() aria-label=format!("海报：{}", c.title)>
            <div class="poster-frame">
                <p class="poster-kicker">"消防安全小贴士"</p>
                <h2 class="poster-title">{c.title.clone()}</h2>
                <ol class="poster-points" style=format!("--pt: {}", item.points_mm)>
                    {c.points.into_iter().map(|p| view! { <li>{p}</li> }).collect_view()}
                </ol>
                <div class="poster-foot">
                    <figure class="poster-qr">
                        <div class="poster-qr-code" role="img" aria-label=format!("二维码：{}", c.short_url) inner_html=item.qr_svg></div>
                        <figcaption>"扫码看全文"<br /><span class="poster-url">{c.short_url.clone()}</span></figcaption>
                    </figure>
                    <div class="poster-calls">
                        <p class="call fire"><span>"火警电话"</span>" "<strong>"119"</strong></p>
                        <p class="call report"><span>"举报投诉"</span>" "<strong>"96119"</strong></p>
                        <p class="poster-place">{format!("{} · {}", c.region_name, c.spot)}</p>
                        <p class="poster-date">{c.date}</p>
                    </div>
                </div>
            </div>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::month_head;

    #[test]
    fn month_heads_name_the_year_in_january() {
        assert_eq!(month_head("2026-05"), "5月");
        assert_eq!(month_head("2026-01"), "2026年1月");
        assert_eq!(month_head("2025-12"), "12月");
    }
}
