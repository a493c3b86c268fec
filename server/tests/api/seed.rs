use crate::helpers::{spawn_app, workspace};
use xuetang::seed::{Added, DemoSeed};

#[tokio::test]
async fn seeding_twice_adds_everything_once() {
    let app = spawn_app().await;
    let first = app.seed_demo().await;
    assert_eq!(first.regions, 11);
    assert!(first.units >= 12);
    assert!(first.people >= 180);
    assert!(
        first.memberships > first.people,
        "some people hold posts in two units"
    );
    let second = app.seed_demo().await;
    assert_eq!(second, Added::default());
}

#[tokio::test]
async fn a_failing_seed_writes_nothing() {
    let app = spawn_app().await;
    app.seed_demo().await;
    // A second town whose unit reuses a credit code already in the database:
    // the regions come first in the transaction, the unit then fails.
    let units = std::fs::read_to_string(workspace().join("seeds/units.csv")).unwrap();
    let taken_code = units
        .lines()
        .nth(1)
        .unwrap()
        .split(',')
        .nth(3)
        .unwrap()
        .to_string();
    let seed = DemoSeed::parse(
        ("regions.csv", "code,parent,name,level\nX,,另一镇,town\nX-1,X,新村,village\n"),
        (
            "units.csv",
            &format!("region,name,industry,credit_code,key_unit,public_gathering,control_room,linkage\nX-1,新村小学,学校,{taken_code},是,是,否,否\n"),
        ),
        ("people.csv", "name,phone,unit,post,start_date\n"),
    )
    .unwrap();
    assert!(seed.apply(&app.db).await.is_err());
    let regions: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM regions")
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert_eq!(regions, 11, "the new town's regions were rolled back");
}
