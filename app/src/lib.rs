//! Xuetang's Leptos application: routes, components, islands and server
//! functions. Server-only code (database, Markdown rendering, state) sits
//! behind the `ssr` feature and never reaches the WebAssembly build.

pub mod auth;
pub mod certificates;
pub mod components;
pub mod domain;
pub mod error;
pub mod islands;
pub mod model;
pub mod quiz;
pub mod routes;

#[cfg(feature = "ssr")]
pub mod actions;
#[cfg(feature = "ssr")]
pub mod content;
#[cfg(feature = "ssr")]
pub mod coverage;
#[cfg(feature = "ssr")]
pub mod coverage_cache;
#[cfg(feature = "ssr")]
pub mod db;
#[cfg(feature = "ssr")]
pub mod markdown;
#[cfg(feature = "ssr")]
pub mod roster;
#[cfg(feature = "ssr")]
pub mod scan_tally;
#[cfg(feature = "ssr")]
pub mod state;

use leptos::prelude::*;
use leptos_meta::{MetaTags, Title, provide_meta_context};
use leptos_router::{
    ParamSegment, StaticSegment,
    components::{Route, Router, Routes},
};

use crate::components::layout::Layout;
use crate::routes::account::{AccountPage, LoginPage, PasswordPage};
use crate::routes::admin::posters::{PosterPrintPage, PostersPage};
use crate::routes::admin::{
    AdminHomePage,
    audit::AuditPage,
    coverage::{
        RegionActionsPage, RegionCoveragePage, ReportPage, UnitActionsPage, UnitCoveragePage,
    },
    credentials::CredentialsPage,
    import::ImportPage,
    member::MemberPage,
    region::RegionPage,
    training::SessionsPage,
    unit::UnitPage,
};
use crate::routes::certificates::{CertificatePage, MyCertificatesPage, VerifyPage};
use crate::routes::courses::{CataloguePage, CoursePage, LessonPage};
use crate::routes::exam::{ExamIntroPage, ExamQuestionPage, ExamResultPage, ExamSubmitPage};
use crate::routes::posters::PosterLandingPage;
use crate::routes::tips::{TipListPage, TipPage};
use crate::routes::{
    about::AboutPage, home::HomePage, join::JoinPage, not_found::NotFoundPage, search::SearchPage,
};

/// The HTML document around every page. Hydration scripts are not here: only
/// pages that contain an island add them (see `components::IslandScripts`),
/// so every other page ships no WebAssembly and no script at all.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    provide_context(options);
    let class = components::reading::large_text().then_some("large-text");
    view! {
        <!DOCTYPE html>
        <html lang="zh-CN" class=class>
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <meta name="theme-color" content="#b71c1c" />
                {match inline_stylesheet() {
                    Some(css) => view! { <style inner_html=css></style> }.into_any(),
                    None => view! { <link rel="stylesheet" href="/pkg/xuetang.css" /> }.into_any(),
                }}
                <link rel="icon" href="/favicon.svg" type="image/svg+xml" />
                <MetaTags />
            </head>
            <body>
                <App />
            </body>
        </html>
    }
}

/// The QR landing pages (`/t/<topic>`, `/p/<code>`) carry the stylesheet
/// inline: a villager on a weak signal opens one page, and a second
/// round trip for the CSS would push the first paint on slow 3G past 2 s
/// (docs/BENCHMARKS.md). Every other page links it, to be cached.
fn inline_stylesheet() -> Option<&'static str> {
    #[cfg(feature = "ssr")]
    {
        let path = use_context::<http::request::Parts>()?.uri.path().to_owned();
        let landing = ["/t/", "/p/"].iter().any(|prefix| {
            path.strip_prefix(prefix)
                .is_some_and(|rest| !rest.is_empty())
        });
        landing.then_some(include_str!("../../style/xuetang.css"))
    }
    #[cfg(not(feature = "ssr"))]
    None
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    view! {
        <Title formatter=|page: String| {
            if page.is_empty() { "消防学堂".to_string() } else { format!("{page} - 消防学堂") }
        } />
        <Router>
            <Layout>
                <Routes fallback=NotFoundPage>
                    <Route path=StaticSegment("") view=HomePage />
                    <Route path=StaticSegment("about") view=AboutPage />
                    <Route path=StaticSegment("courses") view=CataloguePage />
                    <Route path=(StaticSegment("courses"), ParamSegment("course")) view=CoursePage />
                    <Route path=(StaticSegment("courses"), ParamSegment("course"), StaticSegment("exam")) view=ExamIntroPage />
                    <Route path=(StaticSegment("courses"), ParamSegment("course"), ParamSegment("lesson")) view=LessonPage />
                    <Route path=(StaticSegment("exam"), ParamSegment("attempt"), StaticSegment("submit")) view=ExamSubmitPage />
                    <Route path=(StaticSegment("exam"), ParamSegment("attempt"), StaticSegment("result")) view=ExamResultPage />
                    <Route path=(StaticSegment("exam"), ParamSegment("attempt"), ParamSegment("n")) view=ExamQuestionPage />
                    <Route path=StaticSegment("t") view=TipListPage />
                    <Route path=(StaticSegment("t"), ParamSegment("slug")) view=TipPage />
                    <Route path=(StaticSegment("p"), ParamSegment("code")) view=PosterLandingPage />
                    <Route path=StaticSegment("search") view=SearchPage />
                    <Route path=StaticSegment("certificates") view=MyCertificatesPage />
                    <Route path=(StaticSegment("certificates"), ParamSegment("serial")) view=CertificatePage />
                    <Route path=(StaticSegment("v"), ParamSegment("code")) view=VerifyPage />
                    <Route path=StaticSegment("login") view=LoginPage />
                    <Route path=StaticSegment("account") view=AccountPage />
                    <Route path=(StaticSegment("account"), StaticSegment("password")) view=PasswordPage />
                    <Route path=(StaticSegment("join"), ParamSegment("token")) view=JoinPage />
                    <Route path=StaticSegment("admin") view=AdminHomePage />
                    <Route path=(StaticSegment("admin"), StaticSegment("regions"), ParamSegment("id")) view=RegionPage />
                    <Route
                        path=(StaticSegment("admin"), StaticSegment("regions"), ParamSegment("id"), StaticSegment("audit"))
                        view=AuditPage
                    />
                    <Route path=(StaticSegment("admin"), StaticSegment("regions"), ParamSegment("id"), StaticSegment("coverage")) view=RegionCoveragePage />
                    <Route
                        path=(StaticSegment("admin"), StaticSegment("regions"), ParamSegment("id"), StaticSegment("coverage"), ParamSegment("list"))
                        view=RegionActionsPage
                    />
                    <Route path=(StaticSegment("admin"), StaticSegment("regions"), ParamSegment("id"), StaticSegment("report")) view=ReportPage />
                    <Route path=(StaticSegment("admin"), StaticSegment("regions"), ParamSegment("id"), StaticSegment("posters")) view=PostersPage />
                    <Route path=(StaticSegment("admin"), StaticSegment("posters"), StaticSegment("print")) view=PosterPrintPage />
                    <Route path=(StaticSegment("admin"), StaticSegment("units"), ParamSegment("id")) view=UnitPage />
                    <Route path=(StaticSegment("admin"), StaticSegment("units"), ParamSegment("id"), StaticSegment("coverage")) view=UnitCoveragePage />
                    <Route
                        path=(StaticSegment("admin"), StaticSegment("units"), ParamSegment("id"), StaticSegment("coverage"), ParamSegment("list"))
                        view=UnitActionsPage
                    />
                    <Route path=(StaticSegment("admin"), StaticSegment("units"), ParamSegment("id"), StaticSegment("credentials")) view=CredentialsPage />
                    <Route path=(StaticSegment("admin"), StaticSegment("units"), ParamSegment("id"), StaticSegment("sessions")) view=SessionsPage />
                    <Route
                        path=(StaticSegment("admin"), StaticSegment("units"), ParamSegment("id"), StaticSegment("members"), ParamSegment("mid"))
                        view=MemberPage
                    />
                    <Route
                        path=(StaticSegment("admin"), StaticSegment("units"), ParamSegment("id"), StaticSegment("imports"), ParamSegment("iid"))
                        view=ImportPage
                    />
                </Routes>
            </Layout>
        </Router>
    }
}
