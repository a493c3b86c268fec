//! Roster import: the upload (multipart form) and
//! `/admin/units/<id>/imports/<import id>`, the preview with every row's
//! problems and the commit.

use crate::components::errors::{ErrorView, FormError, form_error};
use crate::error::AppError;
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos::server_fn::codec::{MultipartData, MultipartFormData};
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PreviewData {
    pub filename: String,
    pub committed: bool,
    pub ignored_columns: Vec<String>,
    pub rows: Vec<PreviewRow>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PreviewRow {
    pub row: usize,
    pub name: String,
    pub phone: String,
    pub post: String,
    pub start_date: Option<String>,
    /// Blocking: the import cannot be committed while any row has one.
    pub problems: Vec<String>,
    /// Remarks that do not block.
    pub notes: Vec<String>,
}

impl PreviewData {
    pub fn problem_count(&self) -> usize {
        self.rows.iter().map(|r| r.problems.len()).sum()
    }
    pub fn importable(&self) -> bool {
        !self.rows.is_empty() && self.problem_count() == 0
    }
}

/// Fields: `unit_id`, then `file`. Unit admins (and region admins above).
#[server(prefix = "/api", endpoint = "upload_roster", input = MultipartFormData)]
pub async fn upload_roster(data: MultipartData) -> Result<(), AppError> {
    async move {
        let mut multipart = data.into_inner().ok_or(AppError::Internal)?;
        let mut unit_id = None;
        let mut file = None;
        while let Some(field) = multipart
            .next_field()
            .await
            .map_err(|_| AppError::bad_request("上传失败，请重试"))?
        {
            match field.name() {
                Some("unit_id") => {
                    let text = field
                        .text()
                        .await
                        .map_err(|_| AppError::bad_request("上传失败，请重试"))?;
                    unit_id = text.trim().parse::<i64>().ok();
                }
                Some("file") => {
                    let name = field.file_name().unwrap_or("名册").to_string();
                    let bytes = field
                        .bytes()
                        .await
                        .map_err(|_| AppError::bad_request("文件过大或上传中断，请重试"))?;
                    file = Some((name, bytes));
                }
                _ => {}
            }
        }
        let unit_id = unit_id.ok_or_else(|| AppError::bad_request("缺少单位"))?;
        let (state, access) = super::super::guard::unit(unit_id).await?;
        let (filename, bytes) = file
            .filter(|(_, b)| !b.is_empty())
            .ok_or_else(|| AppError::bad_request("请选择名册文件"))?;
        let import_id =
            crate::actions::roster::upload(&state.db, &access, &filename, &bytes).await?;
        leptos_axum::redirect(&format!("/admin/units/{unit_id}/imports/{import_id}"));
        Ok(())
    }
    .await
    .map_err(AppError::with_status)
}

#[server(prefix = "/api", endpoint = "import_preview")]
pub async fn import_preview(unit_id: i64, import_id: i64) -> Result<PreviewData, AppError> {
    async move {
        let (state, access) = super::super::guard::unit(unit_id).await?;
        let p = crate::actions::roster::load(&state.db, &access, import_id).await?;
        let rows = p
            .parsed
            .rows
            .into_iter()
            .map(|r| PreviewRow {
                notes: p
                    .notes
                    .iter()
                    .filter(|(row, _)| *row == r.row)
                    .map(|(_, n)| n.clone())
                    .collect(),
                row: r.row,
                phone: r
                    .phone
                    .as_ref()
                    .map(|p| p.to_string())
                    .unwrap_or(r.phone_raw),
                post: r.post.map(|p| p.label().to_string()).unwrap_or_default(),
                start_date: r.start_date,
                problems: r.problems.into_iter().map(|pr| pr.message).collect(),
                name: r.name,
            })
            .collect();
        Ok(PreviewData {
            filename: p.filename,
            committed: p.committed,
            ignored_columns: p.parsed.ignored_columns,
            rows,
        })
    }
    .await
    .map_err(AppError::with_status)
}

#[server(prefix = "/api", endpoint = "commit_import")]
pub async fn commit_import(unit_id: i64, import_id: i64) -> Result<(), AppError> {
    async move {
        let (state, access) = super::super::guard::unit(unit_id).await?;
        let applied = crate::actions::roster::commit(&state.db, &access, import_id).await?;
        crate::components::flash::set(&format!(
            "名册已导入：新增人员 {} 人，新增岗位 {} 条，{} 条已在名册中未作改动",
            applied.new_people, applied.new_posts, applied.unchanged
        ));
        leptos_axum::redirect(&format!("/admin/units/{unit_id}#roster"));
        Ok(())
    }
    .await
    .map_err(AppError::with_status)
}

#[component]
pub fn ImportPage() -> impl IntoView {
    let (unit_id, import_id) = use_params_map().with_untracked(|p| {
        let num = |k: &str| p.get(k).and_then(|v| v.parse::<i64>().ok()).unwrap_or(0);
        (num("id"), num("iid"))
    });
    let commit_error = form_error::<CommitImport>();
    let data = Resource::new_blocking(move || (unit_id, import_id), |(u, i)| import_preview(u, i));
    view! {
        <Title text="导入名册" />
        <Suspense fallback=|| ()>
            {move || {
                let commit_error = commit_error.clone();
                Suspend::new(async move {
                    match data.await {
                        Ok(p) => {
                            let problems = p.problem_count();
                            let importable = p.importable();
                            let rows = p.rows.len();
                            view! {
                                <nav class="crumbs"><a href=format!("/admin/units/{unit_id}#import")>"返回单位"</a></nav>
                                <h1>"导入名册：" {p.filename.clone()}</h1>
                                {if p.committed {
                                    view! { <p class="notice">"该名册已经导入。"</p> }.into_any()
                                } else if importable {
                                    view! { <p class="ok" role="status">{format!("共 {rows} 行，全部检查通过。确认无误后点击“确认导入”。")}</p> }.into_any()
                                } else {
                                    view! { <p class="form-error" role="alert">{format!("共 {rows} 行，发现 {problems} 处问题。请在表格中修改后重新上传；修改前不会导入任何数据。")}</p> }.into_any()
                                }}
                                {(!p.ignored_columns.is_empty()).then(|| view! {
                                    <p class="hint">{format!("以下列未使用：{}", p.ignored_columns.join("、"))}</p>
                                })}
                                <FormError error=commit_error />
                                <div class="table-wrap card">
                                    <table class="preview">
                                        <thead><tr><th scope="col">"行号"</th><th scope="col">"姓名"</th><th scope="col">"手机号"</th><th scope="col">"岗位"</th><th scope="col">"入职日期"</th><th scope="col">"检查结果"</th></tr></thead>
                                        <tbody>
                                            {p.rows.into_iter().map(|r| {
                                                let bad = !r.problems.is_empty();
                                                view! {
                                                    <tr class:bad=bad>
                                                        <td>{r.row}</td>
                                                        <td>{r.name}</td>
                                                        <td>{r.phone}</td>
                                                        <td>{r.post}</td>
                                                        <td>{r.start_date.unwrap_or_else(|| "（今天）".to_string())}</td>
                                                        <td>
                                                            {if bad { None } else { Some(view! { <span class="ok">"✓"</span> }) }}
                                                            <ul class="plain">
                                                                {r.problems.into_iter().map(|pr| view! { <li class="problem">{pr}</li> }).collect_view()}
                                                                {r.notes.into_iter().map(|n| view! { <li class="note">{n}</li> }).collect_view()}
                                                            </ul>
                                                        </td>
                                                    </tr>
                                                }
                                            }).collect_view()}
                                        </tbody>
                                    </table>
                                </div>
                                {(importable && !p.committed).then(|| view! {
                                    <form method="post" action=CommitImport::url()>
                                        <input type="hidden" name="unit_id" value=unit_id />
                                        <input type="hidden" name="import_id" value=import_id />
                                        <button type="submit">{format!("确认导入 {rows} 行")}</button>
                                    </form>
                                })}
                            }.into_any()
                        }
                        Err(error) => view! { <ErrorView error /> }.into_any(),
                    }
                })
            }}
        </Suspense>
    }
}
