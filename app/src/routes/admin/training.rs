//! `/admin/units/<id>/sessions`: offline training sessions and drills the
//! unit held, and the form to log one with its attendees from the roster.

use crate::components::errors::{ErrorView, FormError, form_error};
use crate::components::flash::Flash;
use crate::error::AppError;
use crate::model::SessionLine;
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SessionsData {
    pub unit_name: String,
    pub today: String,
    pub sessions: Vec<SessionLine>,
    /// People in post today: the attendee checklist.
    pub people: Vec<(i64, String)>,
}

#[server(prefix = "/api", endpoint = "sessions_view")]
pub async fn sessions_view(unit_id: i64) -> Result<SessionsData, AppError> {
    async move {
        let (state, access) = super::super::guard::unit(unit_id).await?;
        let today = crate::actions::today();
        let unit = crate::db::units::get(&state.db, access.unit_id(), &today)
            .await?
            .ok_or(AppError::NotFound)?;
        Ok(SessionsData {
            unit_name: unit.name,
            sessions: crate::db::training::for_unit(&state.db, access.unit_id(), 100).await?,
            people: crate::db::training::in_post_on(&state.db, access.unit_id(), &today).await?,
            today,
        })
    }
    .await
    .map_err(AppError::with_status)
}

/// `attendees[]` repeats once per ticked person.
#[server(prefix = "/api", endpoint = "log_session")]
pub async fn log_session(
    unit_id: i64,
    kind: String,
    held_on: String,
    topic: String,
    attendees: Option<Vec<i64>>,
) -> Result<(), AppError> {
    async move {
        let (state, access) = super::super::guard::unit(unit_id).await?;
        crate::actions::training::log(
            &state.db,
            &access,
            crate::actions::training::SessionForm {
                kind,
                held_on,
                topic,
                attendees: attendees.unwrap_or_default(),
            },
        )
        .await?;
        crate::components::flash::set("已登记");
        leptos_axum::redirect(&format!("/admin/units/{unit_id}/sessions"));
        Ok(())
    }
    .await
    .map_err(AppError::with_status)
}

#[component]
pub fn SessionsPage() -> impl IntoView {
    let id = use_params_map()
        .with_untracked(|p| p.get("id"))
        .and_then(|v| v.parse::<i64>().ok())
        .unwrap_or(0);
    let error = form_error::<LogSession>();
    let data = Resource::new_blocking(move || id, sessions_view);
    view! {
        <Title text="培训与演练" />
        <Flash />
        <Suspense fallback=|| ()>
            {move || {
                let error = error.clone();
                Suspend::new(async move {
                    match data.await {
                        Ok(v) => view! {
                            <nav class="crumbs"><a href=format!("/admin/units/{id}")>{v.unit_name.clone()}</a></nav>
                            <h1>"线下培训与演练"</h1>
                            <FormError error />
                            <section class="card">
                                <h2>"已登记"</h2>
                                {if v.sessions.is_empty() {
                                    view! { <p class="empty">"还没有登记。组织过消防培训或疏散演练后，在下面登记日期、主题和参加人员，计入培训覆盖率和演练达标率。"</p> }.into_any()
                                } else {
                                    view! {
                                        <div class="table-wrap"><table>
                                            <thead><tr><th>"日期"</th><th>"类型"</th><th>"主题"</th><th>"人数"</th></tr></thead>
                                            <tbody>
                                                {v.sessions.iter().map(|s| view! {
                                                    <tr>
                                                        <td>{s.held_on.clone()}</td>
                                                        <td>{if s.kind == "drill" { "演练" } else { "培训" }}</td>
                                                        <td>{s.topic.clone()}</td>
                                                        <td>{s.attendees}</td>
                                                    </tr>
                                                }).collect_view()}
                                            </tbody>
                                        </table></div>
                                    }.into_any()
                                }}
                            </section>
                            <section class="card" id="log">
                                <h2>"登记一次培训或演练"</h2>
                                <form method="post" action=LogSession::url() class="stack">
                                    <input type="hidden" name="unit_id" value=id />
                                    <fieldset>
                                        <legend>"类型"</legend>
                                        <label class="check"><input type="radio" name="kind" value="training" checked />"培训"</label>
                                        <label class="check"><input type="radio" name="kind" value="drill" />"演练"</label>
                                    </fieldset>
                                    <label>"日期" <input type="date" name="held_on" required max=v.today.clone() value=v.today.clone() /></label>
                                    <label>"主题" <input name="topic" required maxlength="80" placeholder="如：灭火器和消火栓使用" /></label>
                                    <fieldset>
                                        <legend>{format!("参加人员（在岗 {} 人）", v.people.len())}</legend>
                                        {v.people.iter().map(|(pid, name)| view! {
                                            <label class="check"><input type="checkbox" name="attendees[]" value=*pid />{name.clone()}</label>
                                        }).collect_view()}
                                    </fieldset>
                                    <button type="submit">"登记"</button>
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
