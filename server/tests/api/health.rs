use crate::helpers::{Backend, admin_sql, spawn_app};

#[tokio::test]
async fn healthz_is_200_while_the_database_answers() {
    let app = spawn_app().await;
    let page = app.get("/healthz").await;
    assert_eq!(page.status, 200);
    assert_eq!(page.body, "ok");
}

#[tokio::test]
async fn healthz_is_503_once_the_database_is_gone() {
    let app = spawn_app().await;
    assert_eq!(app.get("/healthz").await.status, 200);
    match app.database.backend {
        // The database itself disappears under the running server.
        Backend::Postgres => {
            let (server, name) = app.database.admin.as_ref().unwrap();
            admin_sql(server, &format!("DROP DATABASE {name} WITH (FORCE)")).await;
        }
        // A SQLite file cannot vanish from under open handles; closing the
        // server's pool is how it loses its database.
        Backend::Sqlite => app.server.db.close().await,
    }
    let page = app.get("/healthz").await;
    assert_eq!(page.status, 503);
    assert_eq!(page.body, "database unavailable");
}

#[tokio::test]
async fn every_response_carries_a_request_id() {
    let app = spawn_app().await;
    let first = app.get("/healthz").await.headers["x-request-id"].clone();
    let second = app.get("/").await.headers["x-request-id"].clone();
    assert!(!first.is_empty());
    assert_ne!(first, second);
}
