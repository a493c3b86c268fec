//! Operator credentials, offline training and drills, and the coverage
//! dashboards and reports they feed.

use crate::helpers::{HOTEL_ADMIN, Session, TOWN_ADMIN, TestApp, spawn_app};

/// The headline cell of `metric` on a dashboard page: (num, den).
fn headline(html: &str, metric: &str) -> (u32, u32) {
    let start = html
        .find(&format!("data-metric=\"{metric}\""))
        .unwrap_or_else(|| panic!("no {metric} figure"));
    let rest = &html[start..];
    let count = rest.find("class=\"count\">").unwrap() + "class=\"count\">".len();
    let text: String = rest[count..].chars().take_while(|c| *c != '<').collect();
    let (num, den) = text.split_once(" / ").unwrap();
    let den: String = den.chars().take_while(|c| c.is_ascii_digit()).collect();
    (num.trim().parse().unwrap(), den.parse().unwrap())
}

/// The headline rows of the CSV report: label → (num, den).
fn csv_headlines(csv: &str) -> Vec<(String, u32, u32)> {
    csv.lines()
        .skip_while(|l| *l != "总体情况")
        .skip(2)
        .take_while(|l| !l.is_empty())
        .map(|l| {
            let f: Vec<&str> = l.split(',').collect();
            (
                f[0].to_string(),
                f[2].parse().unwrap(),
                f[3].parse().unwrap(),
            )
        })
        .collect()
}

async fn unit_certified(s: &Session, unit: i64) -> (u32, u32) {
    let page = s.get(&format!("/admin/units/{unit}/coverage")).await;
    assert_eq!(page.status, 200);
    headline(&page.body, "certified")
}

/// An operator of the unit, stripped of any credential they held.
async fn operator_without_credential(app: &TestApp, unit: i64) -> i64 {
    let person: i64 = sqlx::query_scalar(
        "SELECT person_id FROM memberships WHERE unit_id = $1 AND post = 'operator' AND end_date IS NULL \
         ORDER BY person_id LIMIT 1",
    )
    .bind(unit)
    .fetch_one(&app.db)
    .await
    .expect("the unit has an operator");
    sqlx::query("DELETE FROM credential_photos WHERE credential_id IN (SELECT id FROM credentials WHERE person_id = $1)")
        .bind(person)
        .execute(&app.db)
        .await
        .unwrap();
    sqlx::query("DELETE FROM credentials WHERE person_id = $1")
        .bind(person)
        .execute(&app.db)
        .await
        .unwrap();
    person
}

fn png(width: u32, height: u32) -> Vec<u8> {
    let image = image::RgbImage::from_pixel(width, height, image::Rgb([250, 250, 240]));
    let mut out = Vec::new();
    image
        .write_to(&mut std::io::Cursor::new(&mut out), image::ImageFormat::Png)
        .unwrap();
    out
}

#[tokio::test]
async fn a_registered_credential_counts_once_a_region_admin_checks_it() {
    let app = spawn_app().await;
    app.seed_demo().await;
    let station = app.unit_id("潘庄液化气站").await;
    let person = operator_without_credential(&app, station).await.to_string();
    let town = app.logged_in(TOWN_ADMIN).await;
    let (before_num, den) = unit_certified(&town, station).await;
    assert!(before_num < den);
    let station_text = station.to_string();
    let form = |level: &'static str, number: &'static str, issued: &'static str| {
        vec![
            ("unit_id", station_text.clone()),
            ("person_id", person.clone()),
            ("level", level.to_string()),
            ("number", number.to_string()),
            ("issuer", "山西省人力资源和社会保障厅".to_string()),
            ("issued_on", issued.to_string()),
            ("expires_on", String::new()),
        ]
    };
    let send = |fields: Vec<(&'static str, String)>,
                file: Option<(&'static str, &'static str, Vec<u8>)>| {
        let town = &town;
        async move {
            let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
            town.multipart("register_credential", &fields, file).await
        }
    };

    // Bad input names the field and writes nothing.
    let before = app.count("SELECT COUNT(*) FROM credentials").await;
    for (fields, file, message) in [
        (form("六级", "S140520240001", "2024-03-01"), None, "等级"),
        (form("四级", "12", "2024-03-01"), None, "证书编号"),
        (
            form("四级", "S140520240001", "2024/03/01"),
            None,
            "发证日期",
        ),
        (
            form("四级", "S140520240001", "2099-03-01"),
            None,
            "发证日期",
        ),
        (
            form("四级", "S140520240001", "2024-03-01"),
            Some(("photo", "证书.png", b"<svg onload=alert(1)>".to_vec())),
            "照片只能是 JPEG 或 PNG",
        ),
    ] {
        let reply = send(fields, file).await;
        assert_eq!(reply.status, 400, "{message}: {reply:?}");
        assert!(reply.body.contains(message), "{message}: {}", reply.body);
    }
    assert_eq!(app.count("SELECT COUNT(*) FROM credentials").await, before);

    // A good one with a photo: stored re-encoded as JPEG, not yet counted.
    let ok = send(
        form("四级", "s1405 2024 0001", "2024-03-01"),
        Some(("photo", "证书.png", png(2400, 1600))),
    )
    .await;
    assert_eq!(ok.status, 200, "{ok:?}");
    let (id, number): (i64, String) =
        sqlx::query_as("SELECT id, number FROM credentials WHERE person_id = $1")
            .bind(person.parse::<i64>().unwrap())
            .fetch_one(&app.db)
            .await
            .unwrap();
    assert_eq!(number, "S140520240001");
    let (status, content_type, photo) = town
        .bytes(&format!(
            "/admin/units/{station}/credentials/{id}/photo.jpg"
        ))
        .await;
    assert_eq!((status, content_type.as_str()), (200, "image/jpeg"));
    let decoded = image::load_from_memory(&photo).unwrap();
    assert_eq!((decoded.width(), decoded.height()), (1600, 1067));
    assert_eq!(
        unit_certified(&town, station).await,
        (before_num, den),
        "unchecked"
    );
    let duplicate = send(form("四级", "S140520240001", "2024-03-01"), None).await;
    assert_eq!(duplicate.status, 400);
    assert!(duplicate.body.contains("已登记过编号"));

    // A unit admin may not check (not even their own unit's); the town admin may.
    let hotel = app.unit_id("嘉峰宾馆").await.to_string();
    let hotel_admin = app.logged_in(HOTEL_ADMIN).await;
    let hotel_credential: i64 = sqlx::query_scalar(
        "SELECT c.id FROM credentials c JOIN memberships m ON m.person_id = c.person_id \
         WHERE m.unit_id = $1 ORDER BY c.id LIMIT 1",
    )
    .bind(hotel.parse::<i64>().unwrap())
    .fetch_one(&app.db)
    .await
    .unwrap();
    let refused = hotel_admin
        .call(
            "check_credential",
            &[
                ("unit_id", &hotel),
                ("credential_id", &hotel_credential.to_string()),
            ],
        )
        .await;
    assert_eq!(refused.status, 403);
    let checked = town
        .call(
            "check_credential",
            &[
                ("unit_id", &station_text),
                ("credential_id", &id.to_string()),
            ],
        )
        .await;
    assert_eq!(checked.status, 200, "{checked:?}");
    assert_eq!(unit_certified(&town, station).await, (before_num + 1, den));
    // The credentials page says so.
    let page = town
        .get(&format!("/admin/units/{station}/credentials"))
        .await;
    assert!(page.body.contains("S140520240001") && page.body.contains("已核验"));
}

#[tokio::test]
async fn a_five_level_credential_does_not_qualify_where_the_room_has_linkage() {
    let app = spawn_app().await;
    app.seed_demo().await;
    // 嘉峰宾馆's control room has linkage control.
    let hotel = app.unit_id("嘉峰宾馆").await;
    // Take away whatever they hold, then give them a checked 五级 one.
    let person = operator_without_credential(&app, hotel).await;
    assert!(person > 0);
    let town = app.logged_in(TOWN_ADMIN).await;
    let (num, den) = unit_certified(&town, hotel).await;
    let hotel_text = hotel.to_string();
    let person_text = person.to_string();
    let reply = town
        .multipart(
            "register_credential",
            &[
                ("unit_id", &hotel_text),
                ("person_id", &person_text),
                ("level", "五级"),
                ("number", "S140520250099"),
                ("issuer", "晋城市人力资源和社会保障局"),
                ("issued_on", "2025-05-01"),
                ("expires_on", ""),
            ],
            None,
        )
        .await;
    assert_eq!(reply.status, 200, "{reply:?}");
    sqlx::query("UPDATE credentials SET checked_at = 1 WHERE number = 'S140520250099'")
        .execute(&app.db)
        .await
        .unwrap();
    assert_eq!(
        unit_certified(&town, hotel).await,
        (num, den),
        "五级 does not qualify here"
    );
    let page = town.get(&format!("/admin/units/{hotel}/credentials")).await;
    assert!(page.body.contains("须四级及以上"), "{}", page.body);
}

#[tokio::test]
async fn logged_drills_and_training_move_the_rates_and_strangers_are_refused() {
    let app = spawn_app().await;
    app.seed_demo().await;
    let town = app.logged_in(TOWN_ADMIN).await;
    let overdue: i64 = sqlx::query_scalar(
        "SELECT u.id FROM units u WHERE u.name IN ('李庄豆腐坊', '殷庄沿街商住楼', '窦庄古建筑群保护管理所') ORDER BY u.id LIMIT 1",
    )
    .fetch_one(&app.db)
    .await
    .unwrap();
    let name: String = sqlx::query_scalar("SELECT name FROM units WHERE id = $1")
        .bind(overdue)
        .fetch_one(&app.db)
        .await
        .unwrap();
    let unit = overdue.to_string();
    let dashboard = town.get(&format!("/admin/units/{overdue}/coverage")).await;
    assert_eq!(headline(&dashboard.body, "drills"), (0, 1));
    let today = app::domain::date::today_in_shanghai().to_string();

    // An attendee who is not on the unit's roster: refused, nothing written.
    let stranger: i64 = sqlx::query_scalar(
        "SELECT p.id FROM people p WHERE NOT EXISTS (SELECT 1 FROM memberships m WHERE m.person_id = p.id AND m.unit_id = $1) LIMIT 1",
    )
    .bind(overdue)
    .fetch_one(&app.db)
    .await
    .unwrap();
    let sessions = app.count("SELECT COUNT(*) FROM training_sessions").await;
    let refused = town
        .post_form(
            "log_session",
            &[
                ("unit_id", &unit),
                ("kind", "training"),
                ("held_on", &today),
                ("topic", "灭火器使用"),
                ("attendees[]", &stranger.to_string()),
            ],
            &format!("/admin/units/{overdue}/sessions"),
        )
        .await;
    assert_eq!(refused.status, 302, "{refused:?}");
    let back = refused
        .location
        .as_deref()
        .unwrap()
        .trim_start_matches(&app.base)
        .to_string();
    let shown = town.get(&back).await;
    assert!(shown.body.contains("参加人员"), "{}", shown.body);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM training_sessions").await,
        sessions
    );

    // A drill today: the unit is no longer overdue.
    let drill = town
        .post_form(
            "log_session",
            &[
                ("unit_id", &unit),
                ("kind", "drill"),
                ("held_on", &today),
                ("topic", "疏散演练"),
            ],
            &format!("/admin/units/{overdue}/sessions"),
        )
        .await;
    assert_eq!(drill.status, 302);
    assert_eq!(
        drill.location.as_deref(),
        Some(format!("/admin/units/{overdue}/sessions").as_str())
    );
    let dashboard = town.get(&format!("/admin/units/{overdue}/coverage")).await;
    assert_eq!(headline(&dashboard.body, "drills"), (1, 1));
    let town_page = town
        .get(&format!(
            "/admin/regions/{}/coverage",
            app.region_id("JF").await
        ))
        .await;
    let overdue_list = &town_page.body[town_page.body.find("演练逾期的单位").unwrap()..];
    assert!(
        !overdue_list.contains(&name),
        "{name} left the overdue list"
    );

    // Training for everyone in post raises the annual rate to all of them.
    let people: Vec<i64> = sqlx::query_scalar(
        "SELECT DISTINCT person_id FROM memberships WHERE unit_id = $1 AND end_date IS NULL",
    )
    .bind(overdue)
    .fetch_all(&app.db)
    .await
    .unwrap();
    let ids: Vec<String> = people.iter().map(|p| p.to_string()).collect();
    let mut form: Vec<(&str, &str)> = vec![
        ("unit_id", &unit),
        ("kind", "training"),
        ("held_on", &today),
        ("topic", "消防安全知识培训"),
    ];
    form.extend(ids.iter().map(|id| ("attendees[]", id.as_str())));
    let trained = town.call("log_session", &form).await;
    assert_eq!(trained.status, 200, "{trained:?}");
    let dashboard = town.get(&format!("/admin/units/{overdue}/coverage")).await;
    let (num, den) = headline(&dashboard.body, "annual");
    assert_eq!((num, den), (people.len() as u32, people.len() as u32));
    assert_eq!(
        app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'session.log'")
            .await,
        2
    );
}

#[tokio::test]
async fn the_report_exports_and_the_cli_match_the_dashboard() {
    let app = spawn_app().await;
    app.seed_demo().await;
    let town = app.logged_in(TOWN_ADMIN).await;
    let region = app.region_id("JF").await;
    let dashboard = town
        .get(&format!("/admin/regions/{region}/coverage?date=2026-10-31"))
        .await;
    assert_eq!(dashboard.status, 200);
    assert!(
        dashboard.body.contains("<svg"),
        "trend charts are inline SVG"
    );
    let on_screen: Vec<(u32, u32)> = ["certified", "induction", "annual", "drills"]
        .iter()
        .map(|m| headline(&dashboard.body, m))
        .collect();
    assert!(on_screen.iter().all(|(_, den)| *den > 0), "{on_screen:?}");

    let (status, content_type, csv) = town
        .bytes(&format!("/admin/regions/{region}/report.csv?month=2026-10"))
        .await;
    assert_eq!(
        (status, content_type.as_str()),
        (200, "text/csv; charset=utf-8")
    );
    let csv = String::from_utf8(csv).unwrap();
    assert!(csv.starts_with('\u{feff}'), "a BOM so Excel reads UTF-8");
    assert!(csv.contains("统计截至 2026-10-31"));
    let exported: Vec<(u32, u32)> = csv_headlines(&csv)
        .iter()
        .map(|(_, n, d)| (*n, *d))
        .collect();
    assert_eq!(exported, on_screen);

    let (status, _, xlsx) = town
        .bytes(&format!(
            "/admin/regions/{region}/report.xlsx?month=2026-10"
        ))
        .await;
    assert_eq!(status, 200);
    assert_eq!(&xlsx[..2], b"PK", "an .xlsx is a zip");

    let print = town
        .get(&format!("/admin/regions/{region}/report?month=2026-10"))
        .await;
    assert!(print.body.contains("2026年10月进展报告"), "{}", print.body);
    for (label, num, den) in csv_headlines(&csv) {
        assert!(
            print.body.contains(&format!("{num}/{den}")),
            "{label} on the print page"
        );
    }

    // A village admin's dashboard is their village only; the town's is not theirs.
    let village = app.logged_in(crate::helpers::DOUZHUANG_ADMIN).await;
    assert_eq!(
        village
            .get(&format!("/admin/regions/{region}/coverage"))
            .await
            .status,
        403
    );
    assert_eq!(
        village
            .bytes(&format!("/admin/regions/{region}/report.csv?month=2026-10"))
            .await
            .0,
        403
    );
    let own = village
        .get(&format!(
            "/admin/regions/{}/coverage",
            app.region_id("JF-DZ").await
        ))
        .await;
    assert_eq!(own.status, 200);
    assert!(!own.body.contains("嘉峰宾馆"), "another village's unit");
}

/// The rows of section `name` of a region's October CSV report.
async fn october_section(session: &Session, region: i64, name: &str) -> Vec<String> {
    let (status, _, csv) = session
        .bytes(&format!("/admin/regions/{region}/report.csv?month=2026-10"))
        .await;
    assert_eq!(status, 200);
    csv_section(&String::from_utf8(csv).unwrap(), name)
}

/// The rows of one CSV section (after its name and header line).
fn csv_section(csv: &str, name: &str) -> Vec<String> {
    csv.lines()
        .skip_while(|l| *l != name)
        .skip(2)
        .take_while(|l| !l.is_empty())
        .map(str::to_string)
        .collect()
}

/// A scope holding a good share of everyone reads whole tables and keeps
/// its own people's rows; a small one looks its people up
/// (`db::coverage::load`). Either way a unit's figures are the same.
#[tokio::test]
async fn a_village_and_its_town_count_each_unit_the_same() {
    let app = spawn_app().await;
    app.seed_demo().await;
    let village = app.region_id("JF-DZ").await;
    let (in_village, everyone): (i64, i64) = sqlx::query_as(
        "SELECT (SELECT COUNT(DISTINCT m.person_id) FROM memberships m JOIN units u ON u.id = m.unit_id \
         WHERE u.region_id = $1), (SELECT COUNT(*) FROM people)",
    )
    .bind(village)
    .fetch_one(&app.db)
    .await
    .unwrap();
    assert!(
        in_village > 0 && in_village * 4 < everyone,
        "the village is a small scope: {in_village} of {everyone} people"
    );
    let town = app.logged_in(TOWN_ADMIN).await;
    let in_town = october_section(&town, app.region_id("JF").await, "按单位").await;
    let of_village = october_section(&town, village, "按单位").await;
    assert!(!of_village.is_empty());
    assert!(of_village.len() < in_town.len());
    for row in &of_village {
        assert!(in_town.contains(row), "{row} differs in the town's report");
    }
    // And the figures are not all zero: people, credentials and training are read.
    assert!(
        of_village.iter().any(|row| row
            .split(',')
            .filter_map(|c| c.split_once('/'))
            .any(|(num, _)| num.parse::<u32>().is_ok_and(|n| n > 0))),
        "{of_village:?}"
    );
}

/// A region's targets are its own, else the nearest region's above it,
/// else the national defaults — per metric.
#[tokio::test]
async fn a_region_takes_its_own_targets_else_the_nearest_ones_above() {
    let app = spawn_app().await;
    app.seed_demo().await;
    let town = app.logged_in(TOWN_ADMIN).await;
    let (jf, dz) = (app.region_id("JF").await, app.region_id("JF-DZ").await);
    // The target column of each headline row of a region's October report,
    // once the dashboard no longer says its figures are being updated.
    let targets = |region: i64| {
        let town = &town;
        async move {
            let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
            while town
                .get(&format!("/admin/regions/{region}/coverage?date=2026-10-31"))
                .await
                .body
                .contains("data-outdated=\"true\"")
            {
                assert!(std::time::Instant::now() < deadline, "figures never fresh");
                tokio::time::sleep(std::time::Duration::from_millis(100)).await;
            }
            october_section(town, region, "总体情况")
                .await
                .iter()
                .map(|row| row.split(',').nth(4).unwrap().to_string())
                .collect::<Vec<_>>()
        }
    };
    // Headlines: 持证上岗率 (no target shown where no unit has a control
    // room, as in this village), then induction, annual training, drills.
    let defaults = targets(dz).await;
    assert_eq!(defaults[1..], ["100.0%"; 3], "the 2026 defaults");

    // A schedule: 80 % by the end of 2024, then `tenths` by the end of 2026.
    let set = |region: i64, tenths: i64| {
        let db = &app.db;
        async move {
            sqlx::query(
                "INSERT INTO targets (region_id, metric, due_on, percent_tenths) \
                 VALUES ($1, 'induction', '2024-12-31', 800), ($1, 'induction', '2026-12-31', $2)",
            )
            .bind(region)
            .bind(tenths)
            .execute(db)
            .await
            .unwrap();
        }
    };
    set(jf, 900).await;
    let inherited = targets(dz).await;
    assert_eq!(inherited[1], "90.0%", "the town's, for the village");
    assert_eq!(
        inherited[2..],
        defaults[2..],
        "other metrics keep the defaults"
    );
    set(dz, 950).await;
    assert_eq!(targets(dz).await[1], "95.0%", "the village's own");
    assert_eq!(targets(jf).await[1], "90.0%", "the town keeps its own");
}

/// Dashboards keep their facts in memory (`app::coverage_cache`); a write by
/// anything else on the database (another server instance, the command line,
/// plain SQL) still shows on the very next request.
#[tokio::test]
async fn writes_from_outside_the_server_show_on_the_next_request() {
    let app = spawn_app().await;
    app.seed_demo().await;
    let town = app.logged_in(TOWN_ADMIN).await;
    let path = format!("/admin/regions/{}/coverage", app.region_id("JF").await);
    let figures = async |metric: &str| headline(&town.get(&path).await.body, metric);
    let (drilled, staffed) = figures("drills").await;
    assert!(drilled < staffed, "some unit is overdue for a drill");
    // Asked again: served from memory, the same.
    assert_eq!(figures("drills").await, (drilled, staffed));

    let overdue: i64 = sqlx::query_scalar(
        "SELECT u.id FROM units u WHERE u.name IN ('李庄豆腐坊', '殷庄沿街商住楼', '窦庄古建筑群保护管理所') ORDER BY u.id LIMIT 1",
    )
    .fetch_one(&app.db)
    .await
    .unwrap();
    let today = app::domain::date::today_in_shanghai().to_string();
    sqlx::query(
        "INSERT INTO training_sessions (unit_id, kind, held_on, topic, created_at) VALUES ($1, 'drill', $2, '疏散演练', 0)",
    )
    .bind(overdue)
    .bind(&today)
    .execute(&app.db)
    .await
    .unwrap();
    assert_eq!(figures("drills").await, (drilled + 1, staffed));

    sqlx::query(
        "DELETE FROM training_sessions WHERE unit_id = $1 AND held_on = $2 AND kind = 'drill'",
    )
    .bind(overdue)
    .bind(&today)
    .execute(&app.db)
    .await
    .unwrap();
    assert_eq!(figures("drills").await, (drilled, staffed));

    let (certified, operators) = figures("certified").await;
    assert!(certified > 0);
    sqlx::query("UPDATE credentials SET checked_at = NULL, checked_by = NULL")
        .execute(&app.db)
        .await
        .unwrap();
    assert_eq!(figures("certified").await, (0, operators));
}

/// The unit ids in the dashboard's "按单位" table, in order.
fn unit_rows(html: &str) -> Vec<i64> {
    let start = html.find("id=\"units\"").expect("the unit table");
    let section = &html[start..];
    let section = &section[..section.find("</section>").expect("its end")];
    section
        .split("<a href=\"/admin/units/")
        .skip(1)
        .map(|rest| {
            let id: String = rest.chars().take_while(|c| c.is_ascii_digit()).collect();
            id.parse().unwrap()
        })
        .collect()
}

/// A scope with more units than a page holds (a province has 100 000) shows
/// 200 per page with page links; every other page number shows a real page;
/// the downloads still list every unit.
#[tokio::test]
async fn the_unit_table_is_paged_and_the_downloads_keep_every_unit() {
    let app = spawn_app().await;
    app.seed_demo().await;
    let town = app.logged_in(TOWN_ADMIN).await;
    let region = app.region_id("JF").await;
    let village = app.region_id("JF-DZ").await;
    for i in 0..230 {
        sqlx::query(
            "INSERT INTO units (region_id, name, industry, created_at) VALUES ($1, $2, '其他', 0)",
        )
        .bind(village)
        .bind(format!("分页测试单位{i:03}"))
        .execute(&app.db)
        .await
        .unwrap();
    }
    let all: Vec<i64> = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
        "SELECT id FROM units WHERE region_id IN ({}) ORDER BY id",
        app::db::regions::SUBTREE
    )))
    .bind(region)
    .fetch_all(&app.db)
    .await
    .unwrap();
    assert!(all.len() > 230 && all.len() <= 400, "{}", all.len());
    let total = all.len();

    let path = format!("/admin/regions/{region}/coverage");
    let first = town.get(&path).await;
    assert_eq!(first.status, 200);
    let page_one = unit_rows(&first.body);
    assert_eq!(page_one.len(), 200);
    assert!(
        first
            .body
            .contains(&format!("第 1 / 2 页，共 {total} 个单位")),
        "{}",
        first.body
    );
    assert!(first.body.contains("下一页") && !first.body.contains("上一页"));
    assert!(
        first
            .body
            .contains(&format!("href=\"{path}?page=2#units\""))
    );

    let second = town.get(&format!("{path}?page=2")).await;
    assert_eq!(second.status, 200);
    let page_two = unit_rows(&second.body);
    assert_eq!(page_two.len(), total - 200);
    assert!(
        second
            .body
            .contains(&format!("第 2 / 2 页，共 {total} 个单位"))
    );
    assert!(second.body.contains("上一页") && !second.body.contains("下一页"));
    let mut shown: Vec<i64> = page_one.iter().chain(&page_two).copied().collect();
    shown.sort_unstable();
    assert_eq!(shown, all, "every unit once, across the two pages");
    // The headline figures are the whole scope's on every page.
    assert_eq!(
        headline(&first.body, "drills"),
        headline(&second.body, "drills")
    );

    // A page past the end is the last one; nonsense is the first.
    assert_eq!(
        unit_rows(&town.get(&format!("{path}?page=9")).await.body),
        page_two
    );
    for bad in ["0", "-3", "x", "99999999999999999999"] {
        let page = town.get(&format!("{path}?page={bad}")).await;
        assert_eq!(page.status, 200, "page={bad}");
        assert_eq!(unit_rows(&page.body), page_one, "page={bad}");
    }
    // The chosen day is kept by the page links.
    let dated = town.get(&format!("{path}?date=2026-10-31&page=2")).await;
    assert!(
        dated
            .body
            .contains(&format!("href=\"{path}?date=2026-10-31&amp;page=1#units\"")),
        "{}",
        dated.body
    );

    let (status, _, csv) = town
        .bytes(&format!("/admin/regions/{region}/report.csv?month=2026-10"))
        .await;
    assert_eq!(status, 200);
    let csv = String::from_utf8(csv).unwrap();
    let listed = csv
        .lines()
        .skip_while(|l| *l != "按单位")
        .skip(2)
        .take_while(|l| !l.is_empty())
        .count();
    assert_eq!(listed, total, "the CSV lists every unit");
    for i in [0, 199, 229] {
        assert!(csv.contains(&format!("分页测试单位{i:03}")));
    }
}

/// The item texts of action list `code` in a page, in order.
fn action_items(html: &str, code: &str) -> Vec<String> {
    let start = html
        .find(&format!("<section data-action-list=\"{code}\""))
        .unwrap_or_else(|| panic!("no {code} list"));
    let section = &html[start..];
    let section = &section[..section.find("</section>").expect("its end")];
    section
        .split("<li>")
        .skip(1)
        .map(|item| {
            let item = &item[..item.find("</li>").expect("an item's end")];
            let mut text = String::new();
            let mut in_tag = false;
            for c in item.chars() {
                match c {
                    '<' => in_tag = true,
                    '>' => in_tag = false,
                    c if !in_tag => text.push(c),
                    _ => {}
                }
            }
            text
        })
        .collect()
}

/// A list longer than the dashboard shows (a province's run to tens of
/// thousands) shows its 20 most urgent items and its length; its own page
/// has all of them, 200 a page, for the same people as the dashboard; the
/// report behind the print page and downloads keeps every item.
#[tokio::test]
async fn the_dashboard_shows_the_most_urgent_actions_and_links_to_every_one() {
    let app = spawn_app().await;
    app.seed_demo().await;
    let town = app.logged_in(TOWN_ADMIN).await;
    let region = app.region_id("JF").await;
    let village = app.region_id("JF-DZ").await;
    // 230 staffed units without a drill in their window; the first ten
    // drilled long ago, the rest never.
    for i in 0..230 {
        let unit: i64 = sqlx::query_scalar(
            "INSERT INTO units (region_id, name, industry, created_at) VALUES ($1, $2, '其他', 0) RETURNING id",
        )
        .bind(village)
        .bind(format!("待办测试单位{i:03}"))
        .fetch_one(&app.db)
        .await
        .unwrap();
        let person: i64 = sqlx::query_scalar(
            "INSERT INTO people (name, phone, created_at) VALUES ($1, $2, 0) RETURNING id",
        )
        .bind(format!("待办测试员工{i:03}"))
        .bind(format!("1990000{i:04}"))
        .fetch_one(&app.db)
        .await
        .unwrap();
        sqlx::query(
            "INSERT INTO memberships (person_id, unit_id, post, start_date) VALUES ($1, $2, 'employee', '2024-01-01')",
        )
        .bind(person)
        .bind(unit)
        .execute(&app.db)
        .await
        .unwrap();
        if i < 10 {
            sqlx::query(
                "INSERT INTO training_sessions (unit_id, kind, held_on, topic, created_at) VALUES ($1, 'drill', $2, '疏散演练', 0)",
            )
            .bind(unit)
            .bind(format!("2023-01-{:02}", 10 - i))
            .execute(&app.db)
            .await
            .unwrap();
        }
    }
    let today = app::domain::date::today_in_shanghai().to_string();
    let month = &today[..7];
    let region_text = region.to_string();

    // The whole list, as the print page and the downloads get the report.
    let report = town
        .call(
            "region_report",
            &[("region_id", &region_text), ("month", month), ("year", "")],
        )
        .await;
    assert_eq!(report.status, 200, "{report:?}");
    let report: app::model::CoverageReport = serde_json::from_str(&report.body).unwrap();
    let whole: Vec<String> = report
        .actions
        .overdue_drill
        .items
        .iter()
        .map(|i| i.text.clone())
        .collect();
    let total = whole.len();
    assert_eq!(report.actions.overdue_drill.total, total as i64);
    assert!(total > 230 && total <= 400, "{total}");
    for i in 0..230 {
        let name = format!("待办测试单位{i:03}");
        assert!(whole.iter().any(|t| t.starts_with(&name)), "{name}");
    }
    // Most urgent first: never drilled, then the longest ago.
    let never = whole
        .iter()
        .take_while(|t| t.ends_with("（从未演练）"))
        .count();
    assert!(never >= 220, "{never}");
    let last_drills: Vec<&str> = whole[never..]
        .iter()
        .map(|t| {
            let at = t.find("上次演练 ").unwrap_or_else(|| panic!("{t}"));
            &t[at + "上次演练 ".len()..]
        })
        .collect();
    assert!(last_drills.is_sorted(), "{last_drills:?}");
    assert!(whole[never].starts_with("待办测试单位009（上次演练 2023-01-01"));

    // The dashboard: the first 20, and how many there are.
    let path = format!("/admin/regions/{region}/coverage");
    let dashboard = town.get(&path).await;
    assert_eq!(dashboard.status, 200);
    assert_eq!(action_items(&dashboard.body, "overdue-drill"), whole[..20]);
    assert!(
        dashboard
            .body
            .contains(&format!("共 {total} 项，以下为最紧急的 20 项")),
        "{}",
        dashboard.body
    );
    let all = format!("{path}/overdue-drill?page=1");
    assert!(dashboard.body.contains(&format!("href=\"{all}\"")));
    // Its server function carries no more than that.
    let data = town
        .call(
            "region_coverage",
            &[("region_id", &region_text), ("date", "")],
        )
        .await;
    let data: app::model::CoverageDashboard = serde_json::from_str(&data.body).unwrap();
    let drills = &data.report.actions.overdue_drill;
    assert_eq!((drills.items.len(), drills.total), (20, total as i64));
    assert!(data.report.actions.overdue_training.items.len() <= 20);

    // The list's own pages: every item once, in the same order.
    let first = town.get(&all).await;
    assert_eq!(first.status, 200);
    assert!(first.body.contains("演练逾期的单位"));
    assert!(first.body.contains(&format!("第 1 / 2 页，共 {total} 项")));
    let page_one = action_items(&first.body, "overdue-drill");
    assert_eq!(page_one.len(), 200);
    let second = town.get(&format!("{path}/overdue-drill?page=2")).await;
    let page_two = action_items(&second.body, "overdue-drill");
    assert_eq!(
        page_one
            .iter()
            .chain(&page_two)
            .cloned()
            .collect::<Vec<_>>(),
        whole,
        "every item once, across the two pages"
    );
    // Pages out of range are clamped, nonsense is the first page, an
    // unknown list is not found.
    assert_eq!(
        action_items(
            &town.get(&format!("{path}/overdue-drill?page=9")).await.body,
            "overdue-drill"
        ),
        page_two
    );
    for bad in ["0", "-3", "x", "99999999999999999999"] {
        let page = town.get(&format!("{path}/overdue-drill?page={bad}")).await;
        assert_eq!(page.status, 200, "page={bad}");
        assert_eq!(action_items(&page.body, "overdue-drill"), page_one);
    }
    assert_eq!(town.get(&format!("{path}/nonsense")).await.status, 404);
    // The chosen day is kept by the links.
    let dated = town
        .get(&format!("{path}/overdue-drill?date=2026-10-31&page=1"))
        .await;
    assert_eq!(dated.status, 200);
    if dated.body.contains("下一页") {
        assert!(dated.body.contains(&format!(
            "href=\"{path}/overdue-drill?date=2026-10-31&amp;page=2\""
        )));
    }

    // The CSV still lists every unit.
    let (status, _, csv) = town
        .bytes(&format!("/admin/regions/{region}/report.csv?month={month}"))
        .await;
    assert_eq!(status, 200);
    let csv = String::from_utf8(csv).unwrap();
    for i in 0..230 {
        assert!(csv.contains(&format!("待办测试单位{i:03}")));
    }

    // A village admin may not see the town's lists, page or data.
    let village_admin = app.logged_in(crate::helpers::DOUZHUANG_ADMIN).await;
    assert_eq!(village_admin.get(&all).await.status, 403);
    let refused = village_admin
        .call(
            "region_coverage_actions",
            &[
                ("region_id", &region_text),
                ("date", ""),
                ("list", "overdue-drill"),
            ],
        )
        .await;
    assert_eq!(refused.status, 403);
    // Their own village's list is open to them.
    let own = village_admin
        .get(&format!("/admin/regions/{village}/coverage/overdue-drill"))
        .await;
    assert_eq!(own.status, 200);
    assert!(
        action_items(&own.body, "overdue-drill")
            .iter()
            .any(|t| t.starts_with("待办测试单位")),
        "{}",
        own.body
    );
}
