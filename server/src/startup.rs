//! Building the application: database, content, router, listener. Used by
//! `xuetang serve` and by the integration tests (which bind port 0).

use crate::config::{DatabaseConfig, ServeConfig};
use crate::landing::Landings;
use crate::{certificate_files, downloads, pages, poster_files, reading, security};
use anyhow::Context;
use app::state::{AppState, Site};
use axum::Router;
use axum::body::Body;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{HeaderName, Request, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use leptos::prelude::LeptosOptions;
use leptos_axum::{LeptosRoutes, generate_route_list};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tower::ServiceBuilder;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::compression::CompressionLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::TraceLayer;

pub(crate) const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

pub struct Application {
    listener: tokio::net::TcpListener,
    router: Router,
    state: AppState,
}

impl Application {
    /// Connects and migrates the database, renders the content, binds the
    /// address. Fails with a readable message if any of that goes wrong.
    pub async fn build(
        db_config: &DatabaseConfig,
        config: &ServeConfig,
    ) -> anyhow::Result<Application> {
        let db = app::db::connect(&db_config.database_url, db_config.db_max_connections)
            .await
            .with_context(|| format!("opening {}", app::db::redact(&db_config.database_url)))?;
        app::db::migrate(&db)
            .await
            .context("migrating the database")?;

        let started = std::time::Instant::now();
        let library = app::content::load(&config.content_dir).map_err(|problems| {
            anyhow::anyhow!("invalid content, refusing to start:\n{problems}")
        })?;
        tracing::info!(
            courses = library.courses.len(),
            ms = started.elapsed().as_millis() as u64,
            "content loaded"
        );

        let listener = tokio::net::TcpListener::bind(config.addr)
            .await
            .with_context(|| format!("binding {}", config.addr))?;
        let bound = listener.local_addr()?;

        let leptos_options = LeptosOptions::builder()
            .output_name("xuetang")
            .site_root(config.site_root.to_string_lossy().to_string())
            .site_pkg_dir("pkg")
            .site_addr(bound)
            .build();
        let state = AppState {
            leptos_options,
            db,
            site: Arc::new(Site {
                secure_cookies: config.base_url_for(bound).starts_with("https://"),
                base_url: config.base_url_for(bound),
                issuer_name: config.issuer.clone(),
                library: std::sync::RwLock::new(Arc::new(library)),
            }),
            scans: Arc::default(),
        };
        tokio::spawn(close_overdue_exams(state.clone()));
        {
            let (scans, db) = (Arc::clone(&state.scans), state.db.clone());
            let period = Duration::from_millis(config.scan_flush_ms.max(1));
            tokio::spawn(async move { scans.flush_every(&db, period).await });
        }
        tokio::spawn(warm_coverage(state.db.clone()));
        if config.watch_content {
            let seen = crate::reload::newest_change(&config.content_dir);
            tokio::spawn(crate::reload::watch_content(
                config.content_dir.clone(),
                Arc::clone(&state.site),
                seen,
            ));
        }
        let router = build_router(state.clone());
        Ok(Application {
            listener,
            router,
            state,
        })
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.listener
            .local_addr()
            .expect("a bound listener has an address")
    }

    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// Serves until `shutdown` completes, then lets in-flight requests
    /// finish and closes the database pool.
    pub async fn run_until_stopped(
        self,
        shutdown: impl std::future::Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<()> {
        tracing::info!(addr = %self.local_addr(), "xuetang listening");
        // Client addresses feed the login throttle.
        let service = self
            .router
            .into_make_service_with_connect_info::<SocketAddr>();
        axum::serve(self.listener, service)
            .with_graceful_shutdown(shutdown)
            .await?;
        if let Err(error) = self.state.scans.flush(&self.state.db).await {
            tracing::error!(error = %error, "the last poster scans could not be written");
        }
        self.state.db.close().await;
        tracing::info!("xuetang stopped");
        Ok(())
    }
}

pub fn build_router(state: AppState) -> Router {
    let routes = generate_route_list(app::App);
    let security = security::Policy::new(&state);

    let request_layers = ServiceBuilder::new()
        .layer(SetRequestIdLayer::new(REQUEST_ID, MakeRequestUuid))
        .layer(TraceLayer::new_for_http().make_span_with(|req: &Request<Body>| {
            let id = req
                .headers()
                .get(&REQUEST_ID)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("-");
            tracing::info_span!("request", request_id = %id, method = %req.method(), path = %req.uri().path())
        }))
        .layer(PropagateRequestIdLayer::new(REQUEST_ID))
        // Outside the panic catcher, so its error page gets the headers too.
        .layer(axum::middleware::from_fn_with_state(security, security::protect))
        .layer(CatchPanicLayer::custom(|_| internal_error_page()))
        .layer(CompressionLayer::new());

    Router::new()
        .route("/healthz", get(healthz))
        .route(
            "/api/{*name}",
            // The largest upload (a credential photo or a roster) plus its form.
            post(pages::server_fn).layer(DefaultBodyLimit::max(security::MAX_BODY_BYTES)),
        )
        .route("/admin/units/{id}/roster.xlsx", get(downloads::roster_xlsx))
        .route("/admin/regions/{id}/{file}", get(downloads::region_report))
        .route(
            "/admin/units/{id}/credentials/{credential}/photo.jpg",
            get(downloads::credential_photo),
        )
        .route("/media/{course}/{file}", get(reading::media))
        .route(
            "/certificates/{serial}/certificate.svg",
            get(certificate_files::svg),
        )
        .route(
            "/certificates/{serial}/certificate.png",
            get(certificate_files::png),
        )
        .route(
            "/v/{code}/assertion.json",
            get(certificate_files::assertion),
        )
        .route("/admin/posters/{id}/poster.svg", get(poster_files::svg))
        .route("/admin/posters/{id}/poster.png", get(poster_files::png))
        .route("/badges/issuer.json", get(certificate_files::issuer))
        .route("/badges/{file}", get(certificate_files::badge_class))
        .route("/text-size", get(reading::text_size))
        .leptos_routes_with_handler(routes, get(pages::page))
        .fallback(pages::static_or_not_found)
        .layer(request_layers)
        .layer(axum::middleware::from_fn_with_state(
            Arc::new(Landings::new(state.clone())),
            crate::landing::answer,
        ))
        .with_state(state)
}

/// Grades exams whose time ran out, once a minute.
async fn close_overdue_exams(state: AppState) {
    let mut every = tokio::time::interval(Duration::from_secs(60));
    loop {
        every.tick().await;
        match app::routes::exam::server::close_overdue_attempts(
            &state.db,
            &state.site.library(),
            app::actions::now(),
        )
        .await
        {
            Ok(0) => {}
            Ok(n) => tracing::info!(attempts = n, "overdue exams graded"),
            Err(err) => tracing::warn!(error = %err, "grading overdue exams failed"),
        }
    }
}

/// Loads the top region's coverage facts and computes today's dashboard
/// report in the background, so the first dashboard visit after a start
/// finds them in memory (a province takes seconds). Start-up does not wait
/// for it, and a failure only warns: the first visit then does the work.
async fn warm_coverage(db: app::db::Db) {
    let started = std::time::Instant::now();
    let region = match app::db::regions::top(&db).await {
        Ok(Some(region)) => region,
        Ok(None) => return,
        Err(err) => {
            tracing::warn!(error = %err, "warming coverage: cannot read the top region");
            return;
        }
    };
    let region_id = region.id;
    let info = app::actions::coverage::ScopeInfo::region(region);
    let today = app::domain::date::today_in_shanghai();
    match app::actions::coverage::prepare(&db, &info, today).await {
        Ok(()) => tracing::info!(
            region_id,
            ms = started.elapsed().as_millis() as u64,
            "coverage facts warmed"
        ),
        Err(err) => tracing::warn!(region_id, error = %err, "warming coverage failed"),
    }
}

/// 200 when the database answers within two seconds, 503 otherwise.
async fn healthz(State(state): State<AppState>) -> Response {
    match tokio::time::timeout(Duration::from_secs(2), app::db::ping(&state.db)).await {
        Ok(Ok(())) => (StatusCode::OK, "ok").into_response(),
        Ok(Err(err)) => {
            tracing::warn!(error = %err, "health check: database error");
            (StatusCode::SERVICE_UNAVAILABLE, "database unavailable").into_response()
        }
        Err(_) => {
            tracing::warn!("health check: database timed out");
            (StatusCode::SERVICE_UNAVAILABLE, "database unavailable").into_response()
        }
    }
}

/// What a visitor sees when a handler panics: no internals, a way back.
fn internal_error_page() -> Response {
    let body = concat!(
        "<!DOCTYPE html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\">",
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">",
        "<title>出错了 - 消防学堂</title><link rel=\"stylesheet\" href=\"/pkg/xuetang.css\"></head>",
        "<body><main id=\"main\"><section class=\"card\"><h1>出错了</h1>",
        "<p>服务器处理请求时出现问题，请稍后再试。</p>",
        "<p><a class=\"button\" href=\"/\">返回首页</a></p></section></main></body></html>"
    );
    (StatusCode::INTERNAL_SERVER_ERROR, Html(body)).into_response()
}

/// Completes on SIGTERM or Ctrl-C.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(err) => {
                tracing::error!(error = %err, "cannot listen for SIGTERM");
                std::future::pending::<()>().await
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutdown signal received; finishing in-flight requests");
}
