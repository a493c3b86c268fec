use crate::helpers::{HOTEL_ADMIN, Session, TOWN_ADMIN, fixture, spawn_app};

async fn upload_and_preview(admin: &Session, unit: i64, file: &str) -> (serde_json::Value, String) {
    let reply = admin.upload(unit, file, fixture(file)).await;
    assert_eq!(reply.status, 200, "{file}: {reply:?}");
    let location = reply.location.unwrap();
    let import_id = location.rsplit('/').next().unwrap().to_string();
    let preview = admin
        .call(
            "import_preview",
            &[("unit_id", &unit.to_string()), ("import_id", &import_id)],
        )
        .await;
    assert_eq!(preview.status, 200, "{preview:?}");
    (preview.json(), import_id)
}

fn problems_by_row(preview: &serde_json::Value) -> Vec<(u64, String)> {
    preview["rows"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|r| {
            r["problems"]
                .as_array()
                .unwrap()
                .iter()
                .map(move |p| (r["row"].as_u64().unwrap(), p.as_str().unwrap().to_string()))
        })
        .collect()
}

#[tokio::test]
async fn a_clean_roster_imports_once_and_again_changes_nothing() {
    let app = spawn_app().await;
    app.seed_demo().await;
    let hotel = app.unit_id("嘉峰宾馆").await;
    let admin = app.logged_in(HOTEL_ADMIN).await;
    let before = app.count("SELECT COUNT(*) FROM memberships").await;

    let (preview, import) = upload_and_preview(&admin, hotel, "good_utf8.csv").await;
    assert!(problems_by_row(&preview).is_empty(), "{preview}");
    assert_eq!(preview["rows"].as_array().unwrap().len(), 6);
    assert_eq!(preview["ignored_columns"][0], "序号");
    assert_eq!(
        app.count("SELECT COUNT(*) FROM memberships").await,
        before,
        "a preview writes no roster rows"
    );

    let page = admin
        .get(&format!("/admin/units/{hotel}/imports/{import}"))
        .await;
    assert!(page.body.contains("全部检查通过"), "{}", page.body);
    let commit = admin
        .call(
            "commit_import",
            &[("unit_id", &hotel.to_string()), ("import_id", &import)],
        )
        .await;
    assert_eq!(commit.status, 200, "{commit:?}");
    assert_eq!(
        app.count("SELECT COUNT(*) FROM memberships").await,
        before + 6
    );
    let start: String = sqlx::query_scalar("SELECT m.start_date FROM memberships m JOIN people p ON p.id = m.person_id WHERE p.phone = '18655120937'")
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert_eq!(start, "2024-05-20");
    let twice = admin
        .call(
            "commit_import",
            &[("unit_id", &hotel.to_string()), ("import_id", &import)],
        )
        .await;
    assert_eq!(twice.status, 400, "committing twice is refused");

    // The same people in an Excel file: nothing new.
    let (_, again) = upload_and_preview(&admin, hotel, "good_utf8.csv").await;
    admin
        .call(
            "commit_import",
            &[("unit_id", &hotel.to_string()), ("import_id", &again)],
        )
        .await;
    assert_eq!(
        app.count("SELECT COUNT(*) FROM memberships").await,
        before + 6
    );
    let audit = app
        .count("SELECT COUNT(*) FROM audit_log WHERE action = 'import_roster'")
        .await;
    assert_eq!(audit, 2);
}

#[tokio::test]
async fn malformed_rosters_report_every_row_and_import_nothing() {
    let app = spawn_app().await;
    app.seed_demo().await;
    let hotel = app.unit_id("嘉峰宾馆").await;
    let admin = app.logged_in(HOTEL_ADMIN).await;
    let people = app.count("SELECT COUNT(*) FROM people").await;
    let memberships = app.count("SELECT COUNT(*) FROM memberships").await;
    let cases: [(&str, &[(u64, &str)]); 3] = [
        (
            "gbk_with_errors.csv",
            &[
                (3, "手机号应为 11 位，实际 10 位"),
                (4, "未知岗位“保安”"),
                (6, "姓名不能为空"),
            ],
        ),
        ("merged_header.xlsx", &[(7, "手机号与第 4 行重复")]),
        (
            "duplicates_and_spaces.csv",
            &[(3, "手机号与第 2 行重复"), (4, "科学计数法")],
        ),
    ];
    for (file, expected) in cases {
        let (preview, import) = upload_and_preview(&admin, hotel, file).await;
        let found = problems_by_row(&preview);
        assert_eq!(found.len(), expected.len(), "{file}: {found:?}");
        for ((row, message), (want_row, want)) in found.iter().zip(expected) {
            assert_eq!(row, want_row, "{file}");
            assert!(
                message.contains(want),
                "{file}: {message} should contain {want}"
            );
        }
        let page = admin
            .get(&format!("/admin/units/{hotel}/imports/{import}"))
            .await;
        assert!(
            page.body
                .contains(&format!("发现 {} 处问题", expected.len())),
            "{file}: {}",
            page.body
        );
        assert!(!page.body.contains("确认导入"), "{file}: no commit button");
        let commit = admin
            .call(
                "commit_import",
                &[("unit_id", &hotel.to_string()), ("import_id", &import)],
            )
            .await;
        assert_eq!(commit.status, 400, "{file}");
        assert!(
            commit.body.contains("表格中还有问题"),
            "{file}: {}",
            commit.body
        );
    }
    assert_eq!(app.count("SELECT COUNT(*) FROM people").await, people);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM memberships").await,
        memberships
    );
}

#[tokio::test]
async fn unreadable_files_get_a_clear_message() {
    let app = spawn_app().await;
    app.seed_demo().await;
    let hotel = app.unit_id("嘉峰宾馆").await;
    let admin = app.logged_in(HOTEL_ADMIN).await;
    let xls = admin
        .upload(
            hotel,
            "old.xls",
            vec![0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1, 0, 0],
        )
        .await;
    assert_eq!(xls.status, 400);
    assert!(xls.body.contains(".xls"), "{}", xls.body);
    let no_header = admin
        .upload(hotel, "x.csv", "甲,乙\n1,2\n".as_bytes().to_vec())
        .await;
    assert!(no_header.body.contains("未找到表头"), "{}", no_header.body);
    let empty = admin.upload(hotel, "x.csv", Vec::new()).await;
    assert_eq!(empty.status, 400);
}

#[tokio::test]
async fn the_roster_exports_to_excel_with_phones_masked_for_region_admins() {
    let app = spawn_app().await;
    app.seed_demo().await;
    let hotel = app.unit_id("嘉峰宾馆").await;
    let read = |bytes: Vec<u8>| {
        let sheet = app::roster::read_sheet("x.xlsx", &bytes).unwrap();
        app::roster::parse_roster(&sheet).unwrap()
    };
    let unit_admin = app.logged_in(HOTEL_ADMIN).await;
    let response = unit_admin
        .client
        .get(format!("{}/admin/units/{hotel}/roster.xlsx", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert!(
        response.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .contains("attachment")
    );
    let own = read(response.bytes().await.unwrap().to_vec());
    let in_post = app
        .count(&format!(
            "SELECT COUNT(*) FROM memberships WHERE unit_id = {hotel}"
        ))
        .await;
    assert_eq!(own.rows.len() as i64, in_post);
    assert!(own.rows.iter().any(|r| {
        r.phone
            .as_ref()
            .is_some_and(|p| p.as_str() == "18651377531")
    }));

    let town = app.logged_in(TOWN_ADMIN).await;
    let bytes = town
        .client
        .get(format!("{}/admin/units/{hotel}/roster.xlsx", app.base))
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    let masked = read(bytes.to_vec());
    assert!(
        masked.rows.iter().all(|r| r.phone_raw.contains("****")),
        "region admins see masked phones"
    );
    let view = town
        .call(
            "unit_view",
            &[
                ("unit_id", &hotel.to_string()),
                ("search", ""),
                ("page", "1"),
            ],
        )
        .await
        .json();
    assert!(
        view["roster"]
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["phone"].as_str().unwrap().contains("****"))
    );

    let visitor = app
        .session()
        .get(&format!("/admin/units/{hotel}/roster.xlsx"))
        .await;
    assert_eq!(visitor.status, 303);
}

#[tokio::test]
async fn roster_search_and_paging() {
    let app = spawn_app().await;
    app.seed_demo().await;
    let school = app.unit_id("嘉峰镇中心学校").await.to_string();
    let town = app.logged_in(TOWN_ADMIN).await;
    let first = town
        .call(
            "unit_view",
            &[("unit_id", &school), ("search", ""), ("page", "1")],
        )
        .await
        .json();
    let second = town
        .call(
            "unit_view",
            &[("unit_id", &school), ("search", ""), ("page", "2")],
        )
        .await
        .json();
    assert_eq!(first["total"], 22);
    assert_eq!(first["roster"].as_array().unwrap().len(), 20);
    assert_eq!(second["roster"].as_array().unwrap().len(), 2);
    let name = first["roster"][0]["name"].as_str().unwrap().to_string();
    let found = town
        .call(
            "unit_view",
            &[("unit_id", &school), ("search", &name), ("page", "1")],
        )
        .await
        .json();
    assert!(
        found["roster"]
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["name"].as_str().unwrap().contains(&name))
    );
    let page = town.get(&format!("/admin/units/{school}?page=2")).await;
    assert!(page.body.contains("第 2 / 2 页"), "{}", page.body);
}

#[tokio::test]
async fn ending_a_post_asks_first_and_is_audited() {
    let app = spawn_app().await;
    app.seed_demo().await;
    let hotel = app.unit_id("嘉峰宾馆").await;
    let admin = app.logged_in(HOTEL_ADMIN).await;
    let membership: i64 = sqlx::query_scalar("SELECT m.id FROM memberships m JOIN people p ON p.id = m.person_id WHERE p.phone = '18651377531'")
        .fetch_one(&app.db)
        .await
        .unwrap();
    let page = admin
        .get(&format!("/admin/units/{hotel}/members/{membership}"))
        .await;
    assert!(
        page.body.contains("确认 田航 自今天起不再担任"),
        "{}",
        page.body
    );
    let ended = admin
        .call(
            "end_membership",
            &[
                ("unit_id", &hotel.to_string()),
                ("membership_id", &membership.to_string()),
            ],
        )
        .await;
    assert_eq!(ended.status, 200);
    let end: Option<String> = sqlx::query_scalar("SELECT end_date FROM memberships WHERE id = $1")
        .bind(membership)
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert_eq!(end, Some(app::actions::today()));
    let again = admin
        .call(
            "end_membership",
            &[
                ("unit_id", &hotel.to_string()),
                ("membership_id", &membership.to_string()),
            ],
        )
        .await;
    assert_eq!(again.status, 400);
    let town = app.logged_in(TOWN_ADMIN).await;
    let region = app.region_id("JF").await.to_string();
    let audit = town
        .call("audit_view", &[("region_id", &region), ("page", "1")])
        .await
        .json();
    let line = &audit["lines"][0][1];
    assert_eq!(line["actor"], "黄丹秀");
    assert_eq!(line["unit"], "嘉峰宾馆");
    assert!(line["detail"].as_str().unwrap().contains("田航"));
    // The village admin of 窦庄 sees nothing of 嘉峰村's hotel.
    let douzhuang = app.logged_in(crate::helpers::DOUZHUANG_ADMIN).await;
    let dz = app.region_id("JF-DZ").await.to_string();
    let theirs = douzhuang
        .call("audit_view", &[("region_id", &dz), ("page", "1")])
        .await
        .json();
    assert_eq!(theirs["total"], 0);
}

#[tokio::test]
async fn region_admins_add_and_edit_units_with_checked_fields() {
    let app = spawn_app().await;
    app.seed_demo().await;
    let douzhuang = app.logged_in(crate::helpers::DOUZHUANG_ADMIN).await;
    let region = app.region_id("JF-DZ").await.to_string();
    let bad = douzhuang
        .call(
            "create_unit",
            &[
                ("region_id", &region),
                ("name", "窦庄新店"),
                ("credit_code", "91350100M000100Y44"),
                ("industry", "宾馆饭店"),
            ],
        )
        .await;
    assert_eq!(bad.status, 400);
    assert!(bad.body.contains("校验位"), "{}", bad.body);
    let linkage_only = douzhuang
        .call(
            "create_unit",
            &[
                ("region_id", &region),
                ("name", "窦庄新店"),
                ("credit_code", ""),
                ("industry", "宾馆饭店"),
                ("linkage", "1"),
            ],
        )
        .await;
    assert!(
        linkage_only.body.contains("设有消防控制室"),
        "{}",
        linkage_only.body
    );
    let ok = douzhuang
        .call(
            "create_unit",
            &[
                ("region_id", &region),
                ("name", "窦庄新店"),
                ("credit_code", "91350100M000100Y43"),
                ("industry", "宾馆饭店"),
                ("key_unit", "1"),
                ("control_room", "1"),
            ],
        )
        .await;
    assert_eq!(ok.status, 200, "{ok:?}");
    let dup = douzhuang
        .call(
            "create_unit",
            &[
                ("region_id", &region),
                ("name", "窦庄新店"),
                ("credit_code", ""),
                ("industry", "宾馆饭店"),
            ],
        )
        .await;
    assert!(dup.body.contains("本辖区已有同名单位"), "{}", dup.body);
    let (key, room): (i64, i64) =
        sqlx::query_as("SELECT is_key_unit, has_control_room FROM units WHERE name = '窦庄新店'")
            .fetch_one(&app.db)
            .await
            .unwrap();
    assert_eq!((key, room), (1, 1));
}
