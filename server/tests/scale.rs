//! The portal on six times the demo (`portal demo-data --scale 6`: 60 communities), loaded
//! by another process while this one serves: the pages follow the new directory at once,
//! the home page lists the first communities and links to all of them, /communities pages
//! them and finds them by name, so does the notices' filter, and the figures chart
//! the rows an officer acts on and leave the rest to the CSV. Runs on SQLite, or PostgreSQL
//! when TEST_DATABASE_URL says so.

mod common;

use axum::http::StatusCode;
use common::{TestResult, portal, run};
use domain::demo::DEMO_PASSWORD;

const OFFICER: &str = "13900000201";

#[test]
fn a_district_of_sixty_communities_stays_readable() -> TestResult {
    run(async {
        let portal = portal().await?;
        let home = portal.browser().get("/").await?;
        assert_eq!(home.status, StatusCode::OK);
        assert!(
            !home.body.contains("全部 60 个社区"),
            "ten communities are all listed"
        );

        // Another process makes the district while this one serves (and keeps its directory).
        let other = domain::db::connect(&portal.db_url).await?;
        domain::demo::scale::scale(&other, 6).await?;

        let home = portal.browser().get("/").await?;
        assert!(
            home.body.contains("全部 60 个社区"),
            "the home page links to every community"
        );
        assert_eq!(
            home.body.matches("href=\"/communities/").count(),
            app::directory::HOME_COMMUNITIES,
            "and lists the first ones"
        );
        let first = portal.browser().get("/communities").await?;
        assert!(first.body.contains("城东社区·2"), "the copies are listed");
        assert_eq!(
            first.body.matches("href=\"/communities/").count(),
            app::directory::COMMUNITIES_PER_PAGE
        );
        assert!(first.body.contains("href=\"/communities?page=2\""));
        let second = portal.browser().get("/communities?page=2").await?;
        assert_eq!(second.body.matches("href=\"/communities/").count(), 10);
        assert!(second.body.contains("2 / 2"));
        let found = portal
            .browser()
            .get("/communities?q=%E5%9F%8E%E4%B8%9C")
            .await?;
        assert!(
            found.body.contains("找到 6 个社区"),
            "城东 and its five copies"
        );
        assert_eq!(found.body.matches("href=\"/communities/").count(), 6);
        let none = portal.browser().get("/communities?q=nowhere").await?;
        assert!(none.body.contains("找到 0 个社区"));

        // The notices' filter asks for a name instead of listing sixty.
        let notices = portal.browser().get("/notices").await?;
        assert!(!notices.body.contains("<select name=\"community\""));
        assert!(notices.body.contains("name=\"name\""));
        let several = portal
            .browser()
            .get("/notices?name=%E5%9F%8E%E4%B8%9C")
            .await?;
        assert_eq!(
            several.body.matches("href=\"/notices?community=").count(),
            6
        );
        let one = portal
            .browser()
            .get("/notices?name=%E5%9F%8E%E4%B8%9C%E7%A4%BE%E5%8C%BA%C2%B75")
            .await?;
        assert!(
            one.body.contains("正在看城东社区·5的提示"),
            "one match is chosen at once"
        );
        let nothing = portal.browser().get("/notices?name=nowhere").await?;
        assert!(nothing.body.contains("没有名称含这些字的社区"));

        let mut officer = portal.sign_in(OFFICER, DEMO_PASSWORD).await?;
        let figures = officer.get("/board/figures?period=365d").await?;
        assert_eq!(figures.status, StatusCode::OK);
        assert!(
            figures.body.contains("另有 40 行未画出，见 CSV 表格"),
            "60 communities: 20 bars, the rest in the CSV"
        );
        let csv = officer
            .get("/board/figures.csv?table=fraud_coverage&period=365d")
            .await?;
        assert_eq!(
            csv.body.lines().count(),
            61,
            "the CSV has a header and every community"
        );
        Ok(())
    })
}
