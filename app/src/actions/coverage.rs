//! The coverage dashboard and reports for a scope and a day: facts loaded
//! once (and kept while the database is unchanged, `crate::coverage_cache`),
//! figures from `crate::coverage`, so the screen and every export show the
//! same numbers.

use crate::coverage::{self, Counts, Indexed, Metric, Ratio, Target};
use crate::coverage_cache::{self, Snapshot};
use crate::db::{self, Db, coverage::Scope};
use crate::error::AppError;
use crate::model::{
    ActionItem, ActionItems, ActionList, ActionLists, ActionPage, Cell, CoverageDashboard,
    CoverageReport, CoverageRow, Figure, MonthRow,
};
use std::collections::{BTreeMap, HashMap};
use std::ops::Range;
use std::sync::Arc;
use time::Date;

/// The monthly series starts with the campaign.
pub const SERIES_FROM: Date = time::macros::date!(2024 - 01 - 01);
/// Expiries this close count as "soon".
pub const EXPIRING_DAYS: u32 = 60;

fn cell(r: Ratio) -> Cell {
    Cell {
        num: r.num,
        den: r.den,
    }
}

fn cells(c: &Counts) -> Vec<Cell> {
    Metric::ALL.iter().map(|m| cell(c.get(*m))).collect()
}

pub fn figure(targets: &[Target], metric: Metric, as_of: Date, ratio: Ratio) -> Figure {
    let status = coverage::status(targets, metric, as_of, ratio);
    Figure {
        metric: metric.code().to_string(),
        label: metric.label().to_string(),
        cell: cell(ratio),
        counted: if metric == Metric::Drills {
            "家"
        } else {
            "人"
        }
        .to_string(),
        target_percent: status.as_ref().map(|s| s.target_percent),
        due: status.as_ref().map(|s| s.due.to_string()),
        gap: status.as_ref().map_or(0, |s| s.gap),
        required_now: status.as_ref().map(|s| s.required_now),
        on_track: status.as_ref().map(|s| s.on_track),
    }
}

/// `2026-10` → the month's last day, or `today` while the month runs.
pub fn month_as_of(month: &str, today: Date) -> Result<Date, AppError> {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    let first = Date::parse(&format!("{}-01", month.trim()), &format)
        .map_err(|_| AppError::bad_request("月份格式应为 年-月，例如 2026-10"))?;
    let last = first
        .replace_day(first.month().length(first.year()))
        .unwrap_or(first);
    if first > today {
        return Err(AppError::bad_request("这个月份还没有到"));
    }
    Ok(last.min(today))
}

/// What a scope is called and where its targets come from.
#[derive(Clone)]
pub struct ScopeInfo {
    pub scope: Scope,
    pub name: String,
    /// The region whose targets apply (a unit's own region).
    pub region_id: i64,
}

impl ScopeInfo {
    /// A region's own scope: its name, its targets.
    pub fn region(region: crate::model::Region) -> ScopeInfo {
        ScopeInfo {
            scope: Scope::Region(region.id),
            name: region.name,
            region_id: region.id,
        }
    }
}

/// Rows per page of the dashboard's unit table and of an action list's own
/// page: a province's whole unit table is 100 000 rows (35 MB of HTML).
/// Downloads and the print page keep every row.
pub const ROWS_PER_PAGE: usize = 200;

/// Items of each action list on the dashboard, the most urgent; the rest
/// are on the list's own page.
pub const ACTIONS_SHOWN: usize = 20;

/// The report of a scope on a day, every table whole (downloads, the print
/// page, the command line). `outdated` is set when it comes from the kept
/// facts while newer ones load.
pub async fn build(db: &Db, info: &ScopeInfo, as_of: Date) -> Result<CoverageReport, AppError> {
    let (report, outdated) = shared(db, info, as_of).await?;
    Ok(CoverageReport {
        outdated,
        ..(*report).clone()
    })
}

/// Loads the scope's facts and computes its report for `as_of`, so the
/// first visitor finds both ready (the start-up warm-up).
pub async fn prepare(db: &Db, info: &ScopeInfo, as_of: Date) -> Result<(), AppError> {
    shared(db, info, as_of).await.map(|_| ())
}

/// The dashboard: the report with page `page` (1-based) of the unit table;
/// a page out of range shows the nearest one.
pub async fn dashboard(
    db: &Db,
    info: &ScopeInfo,
    as_of: Date,
    page: i64,
) -> Result<CoverageDashboard, AppError> {
    let (report, outdated) = shared(db, info, as_of).await?;
    let units = report.by_unit.len();
    let (unit_page, unit_pages, rows) = page_of(units, page);
    let r = &*report;
    Ok(CoverageDashboard {
        report: CoverageReport {
            scope_name: r.scope_name.clone(),
            as_of: r.as_of.clone(),
            headlines: r.headlines.clone(),
            by_region: r.by_region.clone(),
            by_unit: r.by_unit[rows].to_vec(),
            by_industry: r.by_industry.clone(),
            monthly: r.monthly.clone(),
            actions: r.actions.first(ACTIONS_SHOWN),
            charts: r.charts.clone(),
            loaded_at: r.loaded_at,
            outdated,
        },
        unit_page,
        unit_pages,
        units: i64::try_from(units).unwrap_or(i64::MAX),
    })
}

/// Page `page` (1-based, clamped like the unit table's) of action list
/// `list` (its `ActionList::code`; another is not found).
pub async fn action_page(
    db: &Db,
    info: &ScopeInfo,
    as_of: Date,
    list: &str,
    page: i64,
) -> Result<ActionPage, AppError> {
    let list = ActionList::parse(list).ok_or(AppError::NotFound)?;
    let (report, outdated) = shared(db, info, as_of).await?;
    let items = report.actions.get(list);
    let (page, pages, rows) = page_of(items.items.len(), page);
    Ok(ActionPage {
        scope_name: report.scope_name.clone(),
        as_of: report.as_of.clone(),
        list,
        items: items.only(rows),
        page,
        pages,
        loaded_at: report.loaded_at,
        outdated,
    })
}

/// Page `page` of `total` rows, clamped to the pages there are (at least
/// one): the page shown, how many there are, and its rows.
fn page_of(total: usize, page: i64) -> (i64, i64, Range<usize>) {
    let pages = total.div_ceil(ROWS_PER_PAGE).max(1);
    let page = usize::try_from(page).unwrap_or(1).clamp(1, pages);
    let start = (page - 1) * ROWS_PER_PAGE;
    let count = |n: usize| i64::try_from(n).unwrap_or(i64::MAX);
    (
        count(page),
        count(pages),
        start..(start + ROWS_PER_PAGE).min(total),
    )
}

/// The report as kept with the scope's snapshot, and whether the snapshot
/// is outdated. A reload this request starts also computes the report in
/// the background once its facts are in, so the visitors after it find it
/// ready (a province's takes seconds).
async fn shared(
    db: &Db,
    info: &ScopeInfo,
    as_of: Date,
) -> Result<(Arc<CoverageReport>, bool), AppError> {
    let prepare = {
        let (db, info) = (db.clone(), info.clone());
        move |fresh: Arc<coverage_cache::Snapshot>| {
            let (db, info) = (db.clone(), info.clone());
            async move {
                if let Err(error) = report(&db, &info, as_of, &fresh).await {
                    tracing::warn!(error = %error, "preparing the coverage report failed");
                }
            }
        }
    };
    let served = coverage_cache::snapshot_then(db, info.scope, prepare).await?;
    let report = report(db, info, as_of, &served.snapshot).await?;
    Ok((report, !served.current))
}

/// The report on `snapshot`'s facts, computed once per snapshot and key.
async fn report(
    db: &Db,
    info: &ScopeInfo,
    as_of: Date,
    snapshot: &Arc<coverage_cache::Snapshot>,
) -> Result<Arc<CoverageReport>, AppError> {
    let key = (as_of, info.region_id, info.name.clone());
    snapshot
        .report_or_compute(key, || async {
            let targets = db::coverage::targets(db, info.region_id).await?;
            let regions = match info.scope {
                Scope::Region(region_id) => Some((region_id, subtree(db, region_id).await?)),
                Scope::Unit(_) => None,
            };
            let today = as_of.to_string();
            let soon = (as_of + time::Duration::days(i64::from(EXPIRING_DAYS))).to_string();
            let certificates =
                db::coverage::certificates_expiring(db, info.scope, &today, &soon).await?;
            // Seconds of counting for a province: off the async workers.
            let name = info.name.clone();
            let facts = Arc::clone(snapshot);
            tokio::task::spawn_blocking(move || {
                compute(&facts, &name, as_of, &targets, regions, certificates)
            })
            .await
            .map_err(AppError::internal)
        })
        .await
}

/// The report from the snapshot and what else was read for it.
fn compute(
    snapshot: &Snapshot,
    scope_name: &str,
    as_of: Date,
    targets: &[Target],
    regions: Option<(i64, Vec<RegionRow>)>,
    certificates: Vec<(i64, String, String)>,
) -> CoverageReport {
    let idx = &snapshot.idx;
    let names = &snapshot.names;
    let per_unit = snapshot.unit_counts(as_of);
    let total: Counts = per_unit.values().copied().sum();
    let headlines = Metric::ALL
        .iter()
        .map(|m| figure(targets, *m, as_of, total.get(*m)))
        .collect();

    let unit_link = |id: i64| Some(format!("/admin/units/{id}"));
    let unit_name = |id: i64| names.units.get(&id).cloned().unwrap_or_default();
    let person_name = |id: i64| names.people.get(&id).cloned().unwrap_or_default();

    let by_region = match regions {
        Some((region_id, regions)) => region_rows(idx, &per_unit, region_id, &regions),
        None => Vec::new(),
    };
    let mut by_unit: Vec<CoverageRow> = per_unit
        .iter()
        .map(|(id, c)| CoverageRow {
            name: unit_name(*id),
            link: unit_link(*id),
            cells: cells(c),
        })
        .collect();
    by_unit.sort_by(|a, b| a.name.cmp(&b.name));
    let by_industry = coverage::roll_up(idx, &per_unit, |u| u.industry.clone())
        .into_iter()
        .map(|(industry, c)| CoverageRow {
            name: industry,
            link: None,
            cells: cells(&c),
        })
        .collect();

    let ends = coverage::month_ends(SERIES_FROM, as_of);
    let series: Vec<(Date, Counts)> = ends.iter().copied().zip(snapshot.totals(&ends)).collect();
    let monthly = series
        .iter()
        .map(|(d, c)| MonthRow {
            month: format!("{}-{:02}", d.year(), d.month() as u8),
            as_of: d.to_string(),
            cells: cells(c),
        })
        .collect();
    let charts = Metric::ALL
        .iter()
        .map(|m| {
            let points: Vec<(Date, Option<f64>)> = series
                .iter()
                .map(|(d, c)| (*d, c.get(*m).percent()))
                .collect();
            let own: Vec<Target> = targets.iter().filter(|t| t.metric == *m).cloned().collect();
            (
                m.label().to_string(),
                coverage::trend_svg(&format!("{scope_name}{}月度走势", m.label()), &points, &own),
            )
        })
        .collect();

    let units_of = |person: i64| {
        snapshot
            .operator_units
            .get(&person)
            .map(|units| {
                units
                    .iter()
                    .map(|u| unit_name(*u))
                    .collect::<Vec<_>>()
                    .join("、")
            })
            .unwrap_or_default()
    };
    let text = |text: String| ActionItem { text, link: None };
    // The same tests as `coverage::units_overdue_*`, read off the counts
    // already made instead of counting every unit twice more.
    let overdue = |short: fn(&Counts) -> Ratio| {
        per_unit
            .iter()
            .filter(|(_, c)| short(c).num < short(c).den)
            .map(|(u, c)| (*u, short(c)))
            .collect::<Vec<_>>()
    };
    let unit_item = |u: i64, detail: String| ActionItem {
        text: format!("{}（{detail}）", unit_name(u)),
        link: unit_link(u),
    };
    let mut overdue_training = overdue(|c| c.annual);
    overdue_training.sort_by_cached_key(|(u, r)| (std::cmp::Reverse(r.den - r.num), unit_name(*u)));
    let mut overdue_drill: Vec<(i64, Option<Date>)> = overdue(|c| c.drills)
        .into_iter()
        .map(|(u, _)| (u, idx.last_drill(u, as_of)))
        .collect();
    // Never drilled first (`None` sorts first), then the longest ago.
    overdue_drill.sort_by_cached_key(|(u, last)| (*last, unit_name(*u)));
    let actions = ActionLists {
        operators_without: ActionItems::all(
            coverage::operators_without_credential(idx, as_of)
                .into_iter()
                .map(|(p, u)| text(format!("{}（{}）", person_name(p), unit_name(u))))
                .collect(),
        ),
        credentials_expiring: ActionItems::all(
            coverage::credentials_expiring(idx, as_of, EXPIRING_DAYS)
                .into_iter()
                .map(|c| {
                    text(format!(
                        "{}（{}）{} 到期",
                        person_name(c.person_id),
                        units_of(c.person_id),
                        c.expires.map(|e| e.to_string()).unwrap_or_default()
                    ))
                })
                .collect(),
        ),
        certificates_expiring: ActionItems::all(
            certificates
                .into_iter()
                .map(|(p, course, until)| {
                    text(format!("{}：{course}，{until} 到期", person_name(p)))
                })
                .collect(),
        ),
        overdue_training: ActionItems::all(
            overdue_training
                .into_iter()
                .map(|(u, r)| unit_item(u, format!("{} 人未按期培训", r.den - r.num)))
                .collect(),
        ),
        overdue_drill: ActionItems::all(
            overdue_drill
                .into_iter()
                .map(|(u, last)| {
                    unit_item(
                        u,
                        last.map_or("从未演练".to_string(), |d| format!("上次演练 {d}")),
                    )
                })
                .collect(),
        ),
    };
    CoverageReport {
        scope_name: scope_name.to_string(),
        as_of: as_of.to_string(),
        headlines,
        by_region,
        by_unit,
        by_industry,
        monthly,
        actions,
        charts,
        loaded_at: snapshot.loaded_at.unix_timestamp(),
        outdated: false,
    }
}

/// (id, parent, name) of a region and everything below it, by code.
type RegionRow = (i64, Option<i64>, String);

async fn subtree(db: &Db, region_id: i64) -> Result<Vec<RegionRow>, AppError> {
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT id, parent_id, name FROM regions WHERE id IN ({}) ORDER BY code",
        db::regions::SUBTREE
    )))
    .bind(region_id)
    .fetch_all(db)
    .await?)
}

/// One row per child region of `scope_region` (its whole subtree summed),
/// and one for the units directly on the scope region (镇直单位).
fn region_rows(
    idx: &Indexed,
    per_unit: &BTreeMap<i64, Counts>,
    scope_region: i64,
    regions: &[RegionRow],
) -> Vec<CoverageRow> {
    let parent: HashMap<i64, Option<i64>> = regions.iter().map(|(id, p, _)| (*id, *p)).collect();
    // The child of the scope region that `region` lies under (None: the scope itself).
    let child_of = |mut region: i64| -> Option<i64> {
        if region == scope_region {
            return None;
        }
        for _ in 0..64 {
            match parent.get(&region).copied().flatten() {
                Some(p) if p == scope_region => return Some(region),
                Some(p) => region = p,
                None => return None,
            }
        }
        None
    };
    let grouped = coverage::roll_up(idx, per_unit, |u| child_of(u.region_id));
    let mut rows: Vec<CoverageRow> = regions
        .iter()
        .filter(|(_, p, _)| *p == Some(scope_region))
        .map(|(id, _, name)| CoverageRow {
            name: name.clone(),
            link: Some(format!("/admin/regions/{id}/coverage")),
            cells: grouped
                .get(&Some(*id))
                .map(cells)
                .unwrap_or_else(|| cells(&Counts::default())),
        })
        .collect();
    if let Some(direct) = grouped.get(&None) {
        let scope_name = regions
            .iter()
            .find(|(id, _, _)| *id == scope_region)
            .map(|(_, _, n)| n.clone())
            .unwrap_or_default();
        rows.push(CoverageRow {
            name: format!("{scope_name}直属单位"),
            link: None,
            cells: cells(direct),
        });
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn the_unit_table_is_paged_and_out_of_range_pages_are_clamped() {
        let per = ROWS_PER_PAGE;
        assert_eq!(page_of(0, 1), (1, 1, 0..0));
        assert_eq!(page_of(per, 1), (1, 1, 0..per));
        assert_eq!(page_of(per + 1, 1), (1, 2, 0..per));
        assert_eq!(page_of(per + 1, 2), (2, 2, per..per + 1));
        assert_eq!(
            page_of(per + 1, 3),
            (2, 2, per..per + 1),
            "past the end: the last page"
        );
        assert_eq!(page_of(per + 1, i64::MAX), (2, 2, per..per + 1));
        assert_eq!(page_of(per + 1, 0), (1, 2, 0..per));
        assert_eq!(page_of(per + 1, -5), (1, 2, 0..per));
    }

    #[test]
    fn a_month_is_taken_at_its_last_day_or_today() {
        assert_eq!(
            month_as_of("2026-10", date!(2026 - 11 - 28)).unwrap(),
            date!(2026 - 10 - 31)
        );
        assert_eq!(
            month_as_of("2024-02", date!(2026 - 11 - 28)).unwrap(),
            date!(2024 - 02 - 29)
        );
        assert_eq!(
            month_as_of("2026-11", date!(2026 - 11 - 28)).unwrap(),
            date!(2026 - 11 - 28)
        );
        assert!(month_as_of("2026-12", date!(2026 - 11 - 28)).is_err());
        assert!(month_as_of("2026/10", date!(2026 - 11 - 28)).is_err());
    }

    #[test]
    fn a_figure_carries_the_gap_to_its_next_milestone() {
        let targets = vec![
            Target {
                metric: Metric::Certified,
                due: date!(2024 - 12 - 31),
                percent: 85.0,
            },
            Target {
                metric: Metric::Certified,
                due: date!(2026 - 12 - 31),
                percent: 100.0,
            },
        ];
        // 17 of 20 on 2026-11-28: the 2026 milestone (100 %) needs 3 more.
        let f = figure(
            &targets,
            Metric::Certified,
            date!(2026 - 11 - 28),
            Ratio { num: 17, den: 20 },
        );
        assert_eq!(f.gap, 3);
        assert_eq!(f.target_percent, Some(100.0));
        assert_eq!(f.due.as_deref(), Some("2026-12-31"));
        assert_eq!(f.on_track, Some(false));
        assert_eq!(f.cell.percent_text(), "85.0%");
        let none = figure(
            &targets,
            Metric::Drills,
            date!(2026 - 11 - 28),
            Ratio { num: 0, den: 0 },
        );
        assert_eq!(none.on_track, None);
        assert_eq!(none.cell.percent_text(), "—");
        assert_eq!(none.counted, "家");
    }
}
