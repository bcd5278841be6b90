//! 反诈登记 over HTTP as a phone without JavaScript uses it, on the demo's teams: a team
//! member keeps their own community's register and no other; a visit, new households and a
//! loss go in by plain forms, and a refused visit says why in Chinese and writes nothing;
//! the officer counts a loop case as fraud-related and the figures and their CSV show the
//! register; an admin puts a grid worker on a team. Runs on SQLite, or PostgreSQL when
//! TEST_DATABASE_URL says so.

mod common;

use axum::http::StatusCode;
use common::{Error, TestResult, open_walk_in, portal, run};
use domain::demo::{AUXILIARY_PHONE, DEMO_PASSWORD};
use domain::entities::{community, compound, household, household_visit};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder};

const OFFICER: &str = "13900000201";
const RESIDENT: &str = "13900000001";
/// A grid worker of the second community's team.
const OTHER_GRID_WORKER: &str = "13900000610";

/// The first community's first compound and its first household, and the second
/// community's first compound: the auxiliary's and the grid worker's.
async fn places(db: &domain::DatabaseConnection) -> Result<(i32, i32, i32), Error> {
    let communities = community::Entity::find()
        .order_by_asc(community::Column::Id)
        .all(db)
        .await?;
    let first_compound = |community: i32| {
        compound::Entity::find()
            .filter(compound::Column::CommunityId.eq(community))
            .order_by_asc(compound::Column::Id)
            .one(db)
    };
    let mine = first_compound(communities[0].id)
        .await?
        .ok_or("a compound")?;
    let theirs = first_compound(communities[1].id)
        .await?
        .ok_or("a compound")?;
    let home = household::Entity::find()
        .filter(household::Column::CompoundId.eq(mine.id))
        .order_by_asc(household::Column::Id)
        .one(db)
        .await?
        .ok_or("a household")?;
    Ok((mine.id, home.id, theirs.id))
}

async fn visits(db: &domain::DatabaseConnection, home: i32) -> Result<u64, Error> {
    Ok(household_visit::Entity::find()
        .filter(household_visit::Column::HouseholdId.eq(home))
        .count(db)
        .await?)
}

#[test]
fn a_team_member_keeps_their_own_communitys_register_only() -> TestResult {
    run(async {
        let portal = portal().await?;
        let db = domain::db::connect(&portal.db_url).await?;
        let (mine, home, theirs) = places(&db).await?;
        let mut auxiliary = portal.sign_in(AUXILIARY_PHONE, DEMO_PASSWORD).await?;
        let page = auxiliary.get("/antifraud").await?;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.body.contains("反诈登记") && page.body.contains("近期走访覆盖"));
        assert!(
            !page.body.contains("无库存：在办的涉诈案件"),
            "the loop's cases are the officers'"
        );
        assert_eq!(
            auxiliary
                .get(&format!("/antifraud/compounds/{mine}"))
                .await?
                .status,
            StatusCode::OK
        );
        assert_eq!(
            auxiliary
                .get(&format!("/antifraud/compounds/{theirs}"))
                .await?
                .status,
            StatusCode::FORBIDDEN
        );
        let mut grid = portal.sign_in(OTHER_GRID_WORKER, DEMO_PASSWORD).await?;
        assert_eq!(
            grid.get(&format!("/antifraud/households/{home}"))
                .await?
                .status,
            StatusCode::FORBIDDEN
        );
        let before = visits(&db, home).await?;
        let page = grid
            .post_form(
                "/antifraud",
                "/api/antifraud/visit",
                &[
                    ("household_id", &home.to_string()),
                    ("visit[visited_on]", "2026-12-01"),
                ],
            )
            .await?;
        assert!(page.location().contains("__err=") || page.status.is_client_error());
        assert_eq!(visits(&db, home).await?, before, "nothing written");
        let mut resident = portal.sign_in(RESIDENT, DEMO_PASSWORD).await?;
        assert_eq!(
            resident.get("/antifraud").await?.status,
            StatusCode::FORBIDDEN
        );
        assert!(
            !resident.get("/me").await?.body.contains("/antifraud"),
            "residents are not shown the way in"
        );
        assert!(
            auxiliary
                .get("/me")
                .await?
                .body
                .contains("href=\"/antifraud\"")
        );
        Ok(())
    })
}

#[test]
fn a_visit_households_and_a_loss_go_in_by_plain_forms() -> TestResult {
    run(async {
        let portal = portal().await?;
        let db = domain::db::connect(&portal.db_url).await?;
        let (mine, home, _) = places(&db).await?;
        let mut auxiliary = portal.sign_in(AUXILIARY_PHONE, DEMO_PASSWORD).await?;
        let today = domain::time::local_date(chrono::Utc::now()).to_string();
        let from = format!("/antifraud/households/{home}");
        let before = visits(&db, home).await?;

        // The warning switched on without the app: refused in words, nothing written.
        let page = auxiliary
            .post_form(
                &from,
                "/api/antifraud/visit",
                &[
                    ("household_id", &home.to_string()),
                    ("visit[visited_on]", &today),
                    ("visit[warning_on]", "on"),
                ],
            )
            .await?;
        assert!(page.location().contains("__err="), "{page:?}");
        let back = auxiliary.follow(&page).await?;
        assert!(
            back.body.contains("没有安装反诈 App，就不能开启来电预警"),
            "{}",
            back.body
        );
        assert_eq!(visits(&db, home).await?, before);

        let page = auxiliary
            .post_form(
                &from,
                "/api/antifraud/visit",
                &[
                    ("household_id", &home.to_string()),
                    ("visit[visited_on]", &today),
                    ("visit[app_installed]", "on"),
                    ("visit[warning_on]", "on"),
                    ("visit[elderly_alone]", "on"),
                    ("visit[explained][0]", "fake_authority"),
                    ("visit[explained][3]", "fake_service"),
                    ("visit[follow_up_on]", ""),
                ],
            )
            .await?;
        assert_eq!(
            page.location(),
            format!("/antifraud/compounds/{mine}?done=visited"),
            "{page:?}"
        );
        assert_eq!(visits(&db, home).await?, before + 1);
        let record = auxiliary.get(&from).await?;
        assert!(record.body.contains("冒充公检法") && record.body.contains("冒充电商物流客服"));
        assert!(record.body.contains("139****0601"), "the visitor, masked");

        let page = auxiliary
            .post_form(
                &format!("/antifraud/compounds/{mine}"),
                "/api/antifraud/households/add",
                &[
                    ("compound_id", &mine.to_string()),
                    ("addresses", "9幢1单元101\n9幢1单元102"),
                ],
            )
            .await?;
        assert!(page.location().contains("done=added"), "{page:?}");
        let list = auxiliary
            .get(&format!("/antifraud/compounds/{mine}?q=9%E5%B9%A2"))
            .await?;
        assert!(list.body.contains("9幢1单元101") && list.body.contains("从未走访"));
        assert!(
            !list.body.contains("1幢1单元101"),
            "the search narrows the list"
        );

        let community = compound::Entity::find_by_id(mine)
            .one(&db)
            .await?
            .ok_or("the compound")?
            .community_id;
        let page = auxiliary
            .post_form(
                "/antifraud",
                "/api/antifraud/loss",
                &[
                    ("loss[community_id]", &community.to_string()),
                    ("loss[occurred_on]", &today),
                    ("loss[amount_yuan]", "12,345"),
                    ("loss[scam]", "romance"),
                ],
            )
            .await?;
        assert_eq!(page.location(), "/antifraud?done=loss", "{page:?}");
        let overview = auxiliary.get("/antifraud").await?;
        assert!(overview.body.contains("¥12345") && overview.body.contains("网络交友诱导投资"));

        let mut officer = portal.sign_in(OFFICER, DEMO_PASSWORD).await?;
        let csv = officer
            .get("/board/figures.csv?table=fraud_losses&period=30d")
            .await?;
        assert_eq!(csv.status, StatusCode::OK);
        assert!(csv.body.contains("community,losses,yuan"), "{}", csv.body);
        let coverage = officer
            .get("/board/figures.csv?table=fraud_coverage&period=365d")
            .await?;
        assert!(coverage.body.lines().count() > 10, "{}", coverage.body);
        Ok(())
    })
}

#[test]
fn an_officer_counts_a_case_as_fraud_related_and_it_stays_until_closed() -> TestResult {
    run(async {
        let portal = portal().await?;
        let mut officer = portal.sign_in(OFFICER, DEMO_PASSWORD).await?;
        let overview = officer.get("/antifraud").await?;
        assert!(
            overview.body.contains("老人接到冒充公检法电话"),
            "the demo's open fraud case"
        );
        let code = open_walk_in(&mut officer, "网购退款被骗求助").await?;
        let page = officer
            .post_form(
                &format!("/board/cases/{code}"),
                "/api/board/move",
                &[
                    ("step[code]", &code),
                    ("step[action]", "fraud"),
                    ("step[note]", "on"),
                ],
            )
            .await?;
        assert!(page.location().contains("done=fraud"), "{page:?}");
        let case = officer.get(&format!("/board/cases/{code}")).await?;
        assert!(case.body.contains("涉诈案件") && case.body.contains("不再计为涉诈案件"));
        assert!(
            officer
                .get("/antifraud")
                .await?
                .body
                .contains("网购退款被骗求助")
        );
        let figures = officer.get("/board/figures").await?;
        assert!(figures.body.contains("在办涉诈案件") && figures.body.contains("反诈走访覆盖"));

        // Only officers count cases.
        let mut auxiliary = portal.sign_in(AUXILIARY_PHONE, DEMO_PASSWORD).await?;
        let page = auxiliary
            .post_form(
                "/antifraud",
                "/api/board/move",
                &[
                    ("step[code]", &code),
                    ("step[action]", "fraud"),
                    ("step[note]", "off"),
                ],
            )
            .await?;
        assert!(page.location().contains("__err=") || page.status.is_client_error());
        assert!(
            officer
                .get("/antifraud")
                .await?
                .body
                .contains("网购退款被骗求助")
        );
        Ok(())
    })
}

#[test]
fn an_admin_puts_people_on_a_communitys_team_as_what_they_are() -> TestResult {
    run(async {
        let portal = portal().await?;
        let db = domain::db::connect(&portal.db_url).await?;
        domain::accounts::add_user(
            &db,
            "13700000901",
            Some("team-admin-2026"),
            &[domain::accounts::Role::Admin],
            chrono::Utc::now(),
        )
        .await?;
        let mut admin = portal.sign_in("13700000901", "team-admin-2026").await?;
        let org = "/admin/directory/org/community/1";
        let page = admin.get(org).await?;
        assert!(
            page.body.contains("辅警") && page.body.contains("网格员"),
            "the role choice"
        );
        let page = admin
            .post_form(
                org,
                "/api/admin/directory/add-person",
                &[
                    ("kind", "community"),
                    ("id", "1"),
                    ("phone", RESIDENT),
                    ("role", "grid_worker"),
                ],
            )
            .await?;
        assert!(page.location().contains("done=added"), "{page:?}");
        let mut resident = portal.sign_in(RESIDENT, DEMO_PASSWORD).await?;
        assert_eq!(resident.get("/antifraud").await?.status, StatusCode::OK);
        let page = admin
            .post_form(
                org,
                "/api/admin/directory/add-person",
                &[
                    ("kind", "community"),
                    ("id", "1"),
                    ("phone", RESIDENT),
                    ("role", "mediator"),
                ],
            )
            .await?;
        assert!(
            page.location().contains("__err="),
            "only a team's roles: {page:?}"
        );
        Ok(())
    })
}
