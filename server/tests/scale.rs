//! The portal on three times the demo (`portal demo-data --scale 3`: 30 communities), loaded
//! by another process while this one serves: the pages follow the new directory at once,
//! the home page lists the first communities and links to all of them, and the figures chart
//! the rows an officer acts on and leave the rest to the CSV. Runs on SQLite, or PostgreSQL
//! when TEST_DATABASE_URL says so.

mod common;

use axum::http::StatusCode;
use common::{TestResult, portal, run};
use domain::demo::DEMO_PASSWORD;

const OFFICER: &str = "13900000201";

#[test]
fn a_district_of_thirty_communities_stays_readable() -> TestResult {
    run(async {
        let portal = portal().await?;
        let home = portal.browser().get("/").await?;
        assert_eq!(home.status, StatusCode::OK);
        assert!(
            !home.body.contains("全部 30 个社区"),
            "ten communities are all listed"
        );

        // Another process makes the district while this one serves (and keeps its directory).
        let other = domain::db::connect(&portal.db_url).await?;
        domain::demo::scale::scale(&other, 3).await?;

        let home = portal.browser().get("/").await?;
        assert!(
            home.body.contains("全部 30 个社区"),
            "the home page links to every community"
        );
        assert_eq!(
            home.body.matches("href=\"/communities/").count(),
            app::directory::HOME_COMMUNITIES,
            "and lists the first ones"
        );
        let all = portal.browser().get("/communities").await?;
        assert!(all.body.contains("城东社区·2"), "the copies are listed");

        let mut officer = portal.sign_in(OFFICER, DEMO_PASSWORD).await?;
        let figures = officer.get("/board/figures?period=365d").await?;
        assert_eq!(figures.status, StatusCode::OK);
        assert!(
            figures.body.contains("另有 10 行未画出，见 CSV 表格"),
            "30 communities: 20 bars, the rest in the CSV"
        );
        let csv = officer
            .get("/board/figures.csv?table=fraud_coverage&period=365d")
            .await?;
        assert_eq!(
            csv.body.lines().count(),
            31,
            "the CSV has a header and every community"
        );
        Ok(())
    })
}
