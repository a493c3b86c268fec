//! QR posters: made by region admins, printed one a sheet (alone or in a
//! batch), downloaded as SVG and PNG; their short URL serves the tip page
//! and counts scans per day, anonymously, in the statistics of the right
//! village only.

use crate::helpers::{DOUZHUANG_ADMIN, Session, TOWN_ADMIN, TestApp, spawn_app};

const ESCAPE: &str = "escape-and-119";
const ESCAPE_TITLE: &str = "着火了：先报警，快逃生";
const TOPICS: [&str; 5] = [
    "sanqing-sanguan",
    "escape-and-119",
    "gas-and-co",
    "electricity-and-ebikes",
    "rural-fire-and-heritage",
];

/// Makes a poster as `admin` (of `region`) and returns (id, code).
async fn make(
    app: &TestApp,
    admin: &Session,
    region: i64,
    place: i64,
    spot: &str,
    course: &str,
) -> (i64, String) {
    let reply = admin
        .call(
            "create_poster",
            &[
                ("region_id", &region.to_string()),
                ("place_id", &place.to_string()),
                ("spot", spot),
                ("course", course),
            ],
        )
        .await;
    assert_eq!(reply.status, 200, "{reply:?}");
    sqlx::query_as(
        "SELECT id, code FROM posters WHERE region_id = $1 AND spot = $2 AND course_slug = $3",
    )
    .bind(place)
    .bind(spot)
    .bind(course)
    .fetch_one(&app.db)
    .await
    .expect("the poster was stored")
}

/// A fresh app with the demo town and a poster at `spot` in 窦庄村:
/// (app, poster id, code).
async fn douzhuang_poster(spot: &str) -> (TestApp, i64, String) {
    let app = spawn_app().await;
    app.seed_demo().await;
    let town = app.logged_in(TOWN_ADMIN).await;
    let (town_id, douzhuang) = (app.region_id("JF").await, app.region_id("JF-DZ").await);
    let (poster, code) = make(&app, &town, town_id, douzhuang, spot, ESCAPE).await;
    (app, poster, code)
}

/// Today's scans of the poster, counted in memory or written.
async fn scans_today(app: &TestApp, poster: i64) -> i64 {
    app.flush_scans().await;
    stored_today(app, poster).await
}

/// Today's scans of the poster as written in the table so far.
async fn stored_today(app: &TestApp, poster: i64) -> i64 {
    let today = app::actions::today();
    sqlx::query_scalar("SELECT count FROM poster_scans WHERE poster_id = $1 AND day = $2")
        .bind(poster)
        .bind(today)
        .fetch_optional(&app.db)
        .await
        .unwrap()
        .unwrap_or(0)
}

async fn column_names(app: &TestApp, table: &str) -> Vec<String> {
    use sqlx::{Column, Row};
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT * FROM {table} LIMIT 1"
    )))
    .fetch_one(&app.db)
    .await
    .unwrap();
    row.columns().iter().map(|c| c.name().to_string()).collect()
}

#[tokio::test]
async fn a_posters_short_url_serves_the_tip_and_counts_each_visit_anonymously() {
    let (app, poster, code) = douzhuang_poster("小学门口").await;
    assert_eq!(code.len(), 6);
    assert!(
        code.bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit()),
        "{code}"
    );

    let villager = app.session();
    let page = villager.get(&format!("/p/{code}")).await;
    assert_eq!(page.status, 200, "{page:?}");
    assert!(page.body.contains(ESCAPE_TITLE));
    assert!(page.body.contains("tel:119") && page.body.contains("tel:96119"));
    assert!(!page.body.contains("<script") && !page.body.contains(".wasm"));
    assert_eq!(scans_today(&app, poster).await, 1);
    // Every visit counts, whoever and however it is typed; nothing is set on the visitor.
    let response = app
        .client
        .get(format!("{}/p/{}", app.base, code.to_lowercase()))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert!(response.headers().get("set-cookie").is_none());
    assert_eq!(scans_today(&app, poster).await, 2);
    // The 大字 switch comes back to the page: not another scan.
    let toggled = app
        .client
        .get(format!("{}/p/{code}", app.base))
        .header("referer", format!("{}/p/{code}", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(toggled.status(), 200);
    assert_eq!(scans_today(&app, poster).await, 2);

    // Daily totals only: no address, cookie or agent is stored anywhere.
    assert_eq!(
        column_names(&app, "poster_scans").await,
        ["poster_id", "day", "count"]
    );
    for column in column_names(&app, "posters").await {
        for personal in ["ip", "addr", "cookie", "agent", "phone", "session"] {
            assert!(!column.contains(personal), "posters.{column}");
        }
    }

    // The tip-page budget holds at the poster's address too.
    // Everything is in the one document: the stylesheet is inline.
    let html = app.gzipped_len(&format!("/p/{code}")).await;
    let landing = app.get(&format!("/p/{code}")).await;
    assert!(!landing.body.contains("/pkg/xuetang.css"));
    println!("/p/{code}: {html} B gzip HTML with its CSS");
    assert!(html <= 30 * 1024, "{html}");

    // Unknown codes: a friendly 404 that leads to every tip, and nothing counted.
    app.flush_scans().await;
    let before = app
        .count("SELECT CAST(COALESCE(SUM(count), 0) AS BIGINT) FROM poster_scans")
        .await;
    for unknown in ["/p/ZZZZZZ", "/p/abc", "/p/%3Cscript%3E"] {
        let missing = villager.get(unknown).await;
        assert_eq!(missing.status, 404, "{unknown}");
        assert!(
            missing.body.contains("href=\"/t\""),
            "{unknown}: {}",
            missing.body
        );
        assert!(missing.body.contains("全部安全小贴士"));
    }
    app.flush_scans().await;
    assert_eq!(
        app.count("SELECT CAST(COALESCE(SUM(count), 0) AS BIGINT) FROM poster_scans")
            .await,
        before
    );
}

#[tokio::test]
async fn making_a_poster_checks_each_field_and_reuses_the_same_place_and_topic() {
    let app = spawn_app().await;
    app.seed_demo().await;
    let town = app.logged_in(TOWN_ADMIN).await;
    let town_id = app.region_id("JF").await.to_string();
    let douzhuang = app.region_id("JF-DZ").await.to_string();
    let (posters, audit) = (
        app.count("SELECT COUNT(*) FROM posters").await,
        app.count("SELECT COUNT(*) FROM audit_log").await,
    );
    let cases: [(&str, &str, &str, &str); 4] = [
        (&douzhuang, "", ESCAPE, "张贴位置"),
        (&douzhuang, &"栏".repeat(31), ESCAPE, "张贴位置"),
        (&douzhuang, "文化广场", "no-such-topic", "主题"),
        ("999999", "文化广场", ESCAPE, "村（社区）"),
    ];
    for (place, spot, course, field) in cases {
        let reply = town
            .call(
                "create_poster",
                &[
                    ("region_id", &town_id),
                    ("place_id", place),
                    ("spot", spot),
                    ("course", course),
                ],
            )
            .await;
        assert_eq!(reply.status, 400, "{reply:?}");
        assert!(reply.body.contains(field), "{field}: {}", reply.body);
    }
    // A place outside the caller's region is refused like a typo.
    let village_admin = app.logged_in(DOUZHUANG_ADMIN).await;
    let reply = village_admin
        .call(
            "create_poster",
            &[
                ("region_id", &douzhuang),
                ("place_id", &town_id),
                ("spot", "文化广场"),
                ("course", ESCAPE),
            ],
        )
        .await;
    assert_eq!(reply.status, 400, "{reply:?}");
    assert_eq!(app.count("SELECT COUNT(*) FROM posters").await, posters);
    assert_eq!(app.count("SELECT COUNT(*) FROM audit_log").await, audit);

    // The same place, spot and topic again keeps the poster and its code.
    let place: i64 = douzhuang.parse().unwrap();
    let first = make(&app, &village_admin, place, place, "文化广场", ESCAPE).await;
    let again = make(
        &app,
        &town,
        town_id.parse().unwrap(),
        place,
        "文化广场",
        ESCAPE,
    )
    .await;
    assert_eq!(first, again);
    assert_eq!(app.count("SELECT COUNT(*) FROM posters").await, posters + 1);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'poster.create'")
            .await,
        1
    );
    // A bad batch writes nothing either.
    let reply = town
        .call(
            "create_posters",
            &[
                ("region_id", &town_id),
                ("spot", "文化广场"),
                ("size", "a4"),
                ("courses[]", ESCAPE),
            ],
        )
        .await;
    assert_eq!(reply.status, 400);
    assert!(reply.body.contains("村（社区）"), "{}", reply.body);
    let reply = town
        .call(
            "create_posters",
            &[
                ("region_id", &town_id),
                ("spot", "文化广场"),
                ("size", "b5"),
                ("places[]", &douzhuang),
                ("courses[]", ESCAPE),
            ],
        )
        .await;
    assert_eq!(reply.status, 400);
    assert!(reply.body.contains("纸张"), "{}", reply.body);
    assert_eq!(app.count("SELECT COUNT(*) FROM posters").await, posters + 1);
}

#[tokio::test]
async fn scans_show_up_in_the_statistics_of_the_right_village_only() {
    let app = spawn_app().await;
    app.seed_demo().await;
    let town = app.logged_in(TOWN_ADMIN).await;
    let town_id = app.region_id("JF").await;
    let (douzhuang, jiafeng) = (app.region_id("JF-DZ").await, app.region_id("JF-JF").await);
    let (dz_poster, dz_code) = make(&app, &town, town_id, douzhuang, "测试栏", ESCAPE).await;
    let (jf_poster, jf_code) = make(&app, &town, town_id, jiafeng, "测试栏", ESCAPE).await;
    let villager = app.session();
    for _ in 0..3 {
        assert_eq!(villager.get(&format!("/p/{dz_code}")).await.status, 200);
    }
    for _ in 0..2 {
        assert_eq!(villager.get(&format!("/p/{jf_code}")).await.status, 200);
    }

    let village_admin = app.logged_in(DOUZHUANG_ADMIN).await;
    let own = village_admin
        .call("posters_view", &[("region_id", &douzhuang.to_string())])
        .await;
    assert_eq!(own.status, 200, "{own:?}");
    let own = own.json();
    let posters = own["posters"].as_array().unwrap();
    assert!(
        posters.iter().all(|p| p["place"] == "窦庄村"),
        "{posters:?}"
    );
    let mine = posters
        .iter()
        .find(|p| p["id"] == dz_poster)
        .expect("the new poster is listed");
    assert_eq!(
        (mine["recent"].as_i64(), mine["total"].as_i64()),
        (Some(3), Some(3))
    );
    assert!(posters.iter().all(|p| p["id"] != jf_poster));
    let by_place = own["by_place"].as_array().unwrap();
    assert_eq!(by_place.len(), 1, "{by_place:?}");
    let listed: i64 = posters.iter().map(|p| p["total"].as_i64().unwrap()).sum();
    assert_eq!(by_place[0]["name"], "窦庄村");
    assert_eq!(by_place[0]["total"].as_i64(), Some(listed));
    let today_total = own["daily"].as_array().unwrap().last().unwrap()[1]
        .as_i64()
        .unwrap();
    let expected_today: i64 = app
        .count(&format!(
            "SELECT CAST(COALESCE(SUM(s.count), 0) AS BIGINT) FROM poster_scans s JOIN posters p ON p.id = s.poster_id \
             WHERE p.region_id = {douzhuang} AND s.day = '{}'",
            app::actions::today()
        ))
        .await;
    assert_eq!(today_total, expected_today);
    assert!(today_total >= 3);
    let page = village_admin
        .get(&format!("/admin/regions/{douzhuang}/posters"))
        .await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains(&dz_code) && !page.body.contains(&jf_code));
    assert!(!page.body.contains("嘉峰村"));

    // 嘉峰村 and its poster are not theirs, on any page or file.
    let foreign = village_admin
        .call("posters_view", &[("region_id", &jiafeng.to_string())])
        .await;
    assert_eq!(foreign.status, 403);
    let print = village_admin
        .call(
            "poster_print",
            &[("ids", &format!("{dz_poster},{jf_poster}")), ("size", "a4")],
        )
        .await;
    assert_eq!(print.status, 403);
    for path in [
        format!("/admin/regions/{jiafeng}/posters"),
        format!("/admin/posters/print?ids={jf_poster}"),
        format!("/admin/posters/{jf_poster}/poster.svg"),
        format!("/admin/posters/{jf_poster}/poster.png"),
    ] {
        assert_eq!(village_admin.get(&path).await.status, 403, "{path}");
    }
    assert_eq!(
        village_admin
            .get(&format!("/admin/posters/{dz_poster}/poster.svg"))
            .await
            .status,
        200
    );

    // The town sees both villages, each with its own scans.
    let whole = town
        .call("posters_view", &[("region_id", &town_id.to_string())])
        .await
        .json();
    let row = |name: &str| {
        whole["by_place"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["name"] == name)
            .cloned()
            .unwrap_or_else(|| panic!("{name} in {whole:?}"))
    };
    assert_eq!(row("窦庄村")["total"], by_place[0]["total"]);
    let jf_listed: i64 = whole["posters"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["place"] == "嘉峰村")
        .map(|p| p["total"].as_i64().unwrap())
        .sum();
    assert_eq!(row("嘉峰村")["total"].as_i64(), Some(jf_listed));
    let topic = whole["by_topic"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["name"] == ESCAPE_TITLE)
        .unwrap()
        .clone();
    assert!(topic["recent"].as_i64().unwrap() >= 5, "{topic:?}");
}

#[tokio::test]
async fn batch_printing_ten_villages_by_five_topics_gives_fifty_sheets() {
    let app = spawn_app().await;
    app.seed_demo().await;
    let town = app.logged_in(TOWN_ADMIN).await;
    let town_id = app.region_id("JF").await.to_string();
    let villages: Vec<String> = sqlx::query_scalar::<_, i64>(
        "SELECT id FROM regions WHERE level = 'village' ORDER BY code",
    )
    .fetch_all(&app.db)
    .await
    .unwrap()
    .into_iter()
    .map(|id| id.to_string())
    .collect();
    assert_eq!(villages.len(), 10);
    let mut form = vec![
        ("region_id", town_id.as_str()),
        ("spot", "村委会宣传栏"),
        ("size", "a3"),
    ];
    form.extend(villages.iter().map(|v| ("places[]", v.as_str())));
    form.extend(TOPICS.iter().map(|t| ("courses[]", *t)));
    let before = app.count("SELECT COUNT(*) FROM posters").await;
    let reply = town
        .post_form(
            "create_posters",
            &form,
            &format!("/admin/regions/{town_id}/posters"),
        )
        .await;
    assert!(matches!(reply.status, 302 | 303), "{reply:?}");
    let location = reply.location.unwrap();
    assert!(
        location.starts_with("/admin/posters/print?ids=") && location.ends_with("&size=a3"),
        "{location}"
    );
    // The demo town already has three of them at this spot: those are reused.
    let made = app.count("SELECT COUNT(*) FROM posters").await - before;
    assert_eq!(made, 47);

    let document = town.get(&location).await;
    assert_eq!(document.status, 200);
    let body = &document.body;
    assert_eq!(body.matches("class=\"poster a3\"").count(), 50);
    let mut codes: Vec<&str> = body
        .match_indices("data-code=\"")
        .map(|(at, m)| &body[at + m.len()..at + m.len() + 6])
        .collect();
    codes.sort_unstable();
    codes.dedup();
    assert_eq!(codes.len(), 50);
    for text in [
        "火警电话",
        "举报投诉",
        "96119",
        "扫码看全文",
        "殷庄村 · 村委会宣传栏",
    ] {
        assert!(body.contains(text), "{text}");
    }
    assert_eq!(body.matches("<svg").count(), 50, "one QR code a sheet");
    assert!(!body.contains("<script"));

    // Printing the same choice again makes nothing new.
    let again = town
        .post_form(
            "create_posters",
            &form,
            &format!("/admin/regions/{town_id}/posters"),
        )
        .await;
    assert_eq!(again.location.as_deref(), Some(location.as_str()));
    assert_eq!(app.count("SELECT COUNT(*) FROM posters").await - before, 47);
}

#[tokio::test]
async fn the_png_qr_decodes_to_the_short_url_and_hostile_text_is_escaped() {
    let app = spawn_app().await;
    app.seed_demo().await;
    let town = app.logged_in(TOWN_ADMIN).await;
    let town_id = app.region_id("JF").await;
    let hostile = "\"><img onerror=alert(1)>";
    let (poster, code) = make(
        &app,
        &town,
        town_id,
        app.region_id("JF-WC").await,
        hostile,
        ESCAPE,
    )
    .await;
    let short_url = format!("{}/p/{code}", app.base);

    let (status, content_type, svg) = town
        .bytes(&format!("/admin/posters/{poster}/poster.svg"))
        .await;
    assert_eq!(
        (status, content_type.as_str()),
        (200, "image/svg+xml; charset=utf-8")
    );
    let svg = String::from_utf8(svg).unwrap();
    assert!(!svg.contains("<img"), "{svg}");
    assert!(svg.contains("&quot;&gt;&lt;img onerror=alert(1)&gt;"));
    assert!(svg.contains(ESCAPE_TITLE) && svg.contains(&short_url) && svg.contains("尉迟村"));

    let (status, content_type, png) = town
        .bytes(&format!("/admin/posters/{poster}/poster.png"))
        .await;
    assert_eq!((status, content_type.as_str()), (200, "image/png"));
    println!("poster.png: {} bytes", png.len());
    assert_eq!(crate::helpers::decode_qr(&png), short_url);
    // That URL is the poster's: it serves the tip and counts.
    assert_eq!(app.session().get(&format!("/p/{code}")).await.status, 200);
    assert_eq!(scans_today(&app, poster).await, 1);

    let page = town
        .get(&format!("/admin/posters/print?ids={poster}&size=a4"))
        .await;
    assert_eq!(page.status, 200);
    assert!(!page.body.contains("<img onerror"));
    assert!(page.body.contains("&lt;img onerror=alert(1)&gt;"));
    let list = town.get(&format!("/admin/regions/{town_id}/posters")).await;
    assert!(!list.body.contains("<img onerror"));

    // Visitors are sent to log in.
    assert_eq!(
        app.session()
            .bytes(&format!("/admin/posters/{poster}/poster.png"))
            .await
            .0,
        303
    );
}

#[tokio::test]
async fn a_poster_page_kept_in_memory_still_counts_every_scan() {
    let (app, poster, code) = douzhuang_poster("村委会宣传栏").await;
    let url = format!("{}/p/{code}", app.base);
    let phone = reqwest::Client::new();
    for n in 1..=5 {
        let page = crate::helpers::get_encoded(&phone, &url, "gzip, br", &[]).await;
        assert_eq!((page.status, page.encoding.as_str()), (200, "br"));
        assert!(page.body.contains(ESCAPE_TITLE));
        assert_eq!(scans_today(&app, poster).await, n);
    }
    // The 大字 switch returning to the page is not a scan, kept page or not.
    let back = crate::helpers::get_encoded(&phone, &url, "gzip", &[("referer", &url)]).await;
    assert_eq!((back.status, back.encoding.as_str()), (200, "gzip"));
    assert_eq!(scans_today(&app, poster).await, 5);
    // An unknown code is still the 404 page, and counts nothing.
    let unknown =
        crate::helpers::get_encoded(&phone, &format!("{}/p/ZZZZZZ", app.base), "br", &[]).await;
    assert_eq!(unknown.status, 404);
}

#[tokio::test]
async fn scans_reach_the_database_within_seconds_without_anyone_asking() {
    let (app, poster, code) = douzhuang_poster("村委会宣传栏").await;
    let villager = app.session();
    for _ in 0..3 {
        assert_eq!(villager.get(&format!("/p/{code}")).await.status, 200);
    }
    // The server writes what it counted once a second; no flush from here.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while stored_today(&app, poster).await != 3 && std::time::Instant::now() < deadline {
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(stored_today(&app, poster).await, 3);
}
