use crate::helpers::{HOTEL_ADMIN, HOTEL_OPERATOR, spawn_app};

#[tokio::test]
async fn a_worker_joins_by_link_and_waits_for_approval() {
    let app = spawn_app().await;
    app.seed_demo().await;
    let hotel = app.unit_id("嘉峰宾馆").await.to_string();
    let admin = app.logged_in(HOTEL_ADMIN).await;
    assert_eq!(
        admin
            .call("renew_join_link", &[("unit_id", &hotel)])
            .await
            .status,
        200
    );
    let view = admin
        .call(
            "unit_view",
            &[("unit_id", &hotel), ("search", ""), ("page", "1")],
        )
        .await
        .json();
    let url = view["join_url"].as_str().expect("a join link").to_string();
    assert!(view["join_qr_svg"].as_str().unwrap().contains("<svg"));
    let path = url.trim_start_matches(&app.base).to_string();
    let token = path.trim_start_matches("/join/").to_string();

    let worker = app.session();
    let page = worker.get(&path).await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("加入嘉峰宾馆"), "{}", page.body);
    let reply = worker
        .call(
            "register_join",
            &[
                ("token", &token),
                ("name", "孙小梅"),
                ("phone", "139 0356 1234"),
                ("password", "xiaomei-2026"),
                ("post", "operator"),
            ],
        )
        .await;
    assert_eq!(reply.status, 200, "{reply:?}");
    assert_eq!(
        reply.location.as_deref(),
        Some(format!("{path}?sent=1").as_str())
    );
    assert!(
        worker
            .get(&format!("{path}?sent=1"))
            .await
            .body
            .contains("申请已提交")
    );

    let waiting = worker.login("13903561234", "xiaomei-2026").await;
    assert_eq!(waiting.status, 400);
    assert!(
        waiting.body.contains("等待单位管理员审核"),
        "{}",
        waiting.body
    );

    let view = admin
        .call(
            "unit_view",
            &[("unit_id", &hotel), ("search", ""), ("page", "1")],
        )
        .await
        .json();
    let pending = view["pending"].as_array().unwrap();
    assert_eq!(pending.len(), 1);
    assert_eq!(pending[0]["name"], "孙小梅");
    assert_eq!(pending[0]["post"], "消防控制室值班员");
    let request = pending[0]["id"].to_string();
    let approved = admin
        .call(
            "decide_join",
            &[
                ("unit_id", &hotel),
                ("request_id", &request),
                ("decision", "approve"),
            ],
        )
        .await;
    assert_eq!(approved.status, 200);
    let again = admin
        .call(
            "decide_join",
            &[
                ("unit_id", &hotel),
                ("request_id", &request),
                ("decision", "approve"),
            ],
        )
        .await;
    assert_eq!(again.status, 400, "a request is decided once");

    assert_eq!(
        worker.login("13903561234", "xiaomei-2026").await.status,
        200
    );
    let roster = admin
        .call(
            "unit_view",
            &[("unit_id", &hotel), ("search", "孙小梅"), ("page", "1")],
        )
        .await
        .json();
    assert_eq!(roster["roster"][0]["post"], "消防控制室值班员");
    assert_eq!(
        roster["roster"][0]["phone"], "13903561234",
        "the unit's own admin sees the full number"
    );

    // A new link retires the old one.
    assert_eq!(
        admin
            .call("renew_join_link", &[("unit_id", &hotel)])
            .await
            .status,
        200
    );
    let stale = app.session().get(&path).await;
    assert!(
        stale.body.contains("加入链接无效或已更换"),
        "{}",
        stale.body
    );
}

#[tokio::test]
async fn rejected_and_duplicate_registrations_change_nothing() {
    let app = spawn_app().await;
    app.seed_demo().await;
    let hotel = app.unit_id("嘉峰宾馆").await.to_string();
    let admin = app.logged_in(HOTEL_ADMIN).await;
    admin.call("renew_join_link", &[("unit_id", &hotel)]).await;
    let token: String = sqlx::query_scalar("SELECT token FROM join_links")
        .fetch_one(&app.db)
        .await
        .unwrap();

    // An existing account must log in instead of registering again.
    let dup = app
        .session()
        .call(
            "register_join",
            &[
                ("token", &token),
                ("name", "田航"),
                ("phone", HOTEL_OPERATOR),
                ("password", "another-pass"),
                ("post", "员工"),
            ],
        )
        .await;
    assert_eq!(dup.status, 400);
    assert!(dup.body.contains("该手机号已注册"), "{}", dup.body);
    let bad = app
        .session()
        .call(
            "register_join",
            &[
                ("token", &token),
                ("name", ""),
                ("phone", "13900001111"),
                ("password", "another-pass"),
                ("post", "员工"),
            ],
        )
        .await;
    assert!(bad.body.contains("请填写姓名"), "{}", bad.body);

    app.session()
        .call(
            "register_join",
            &[
                ("token", &token),
                ("name", "钱多多"),
                ("phone", "13900003333"),
                ("password", "qian-2026-x"),
                ("post", "员工"),
            ],
        )
        .await;
    let request: i64 = sqlx::query_scalar("SELECT id FROM join_requests")
        .fetch_one(&app.db)
        .await
        .unwrap();
    let before = app.count("SELECT COUNT(*) FROM memberships").await;
    let rejected = admin
        .call(
            "decide_join",
            &[
                ("unit_id", &hotel),
                ("request_id", &request.to_string()),
                ("decision", "reject"),
            ],
        )
        .await;
    assert_eq!(rejected.status, 200);
    assert_eq!(app.count("SELECT COUNT(*) FROM memberships").await, before);
    assert_eq!(
        app.session()
            .login("13900003333", "qian-2026-x")
            .await
            .status,
        400
    );
    // …and may register again.
    let retry = app
        .session()
        .call(
            "register_join",
            &[
                ("token", &token),
                ("name", "钱多多"),
                ("phone", "13900003333"),
                ("password", "qian-2026-y"),
                ("post", "微型消防站队员"),
            ],
        )
        .await;
    assert_eq!(retry.status, 200, "{retry:?}");

    // A signed-in member asks with one click.
    let member = app.logged_in(HOTEL_OPERATOR).await;
    let page = member.get(&format!("/join/{token}")).await;
    assert!(page.body.contains("您已登录为 田航"), "{}", page.body);
    let same_post = member
        .call(
            "request_join",
            &[("token", &token), ("post", "消防控制室值班员")],
        )
        .await;
    assert!(
        same_post.body.contains("您已在该单位担任此岗位"),
        "{}",
        same_post.body
    );
    let asked = member
        .call(
            "request_join",
            &[("token", &token), ("post", "微型消防站队员")],
        )
        .await;
    assert_eq!(asked.status, 200);
    let twice = member
        .call(
            "request_join",
            &[("token", &token), ("post", "微型消防站队员")],
        )
        .await;
    assert!(twice.body.contains("您已提交过申请"), "{}", twice.body);
}
