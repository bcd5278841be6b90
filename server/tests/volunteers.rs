//! 老王帮帮团 over HTTP as a phone without JavaScript uses it. Runs on SQLite, or
//! PostgreSQL when TEST_DATABASE_URL says so.

mod common;

use axum::http::StatusCode;
use common::{TestResult, portal, run};
use domain::demo::DEMO_PASSWORD;

const APPLICATION: [(&str, &str); 6] = [
    ("application[squad]", "2"),
    ("application[name]", "王小明"),
    ("application[hometown]", "贵州 遵义"),
    ("application[dialects]", "遵义话"),
    ("application[skills]", ""),
    ("application[availability]", "周末晚上"),
];

#[test]
fn an_application_needs_consent_and_reaches_the_leader() -> TestResult {
    run(async {
        let portal = portal().await?;
        let mut visitor = portal.browser();
        let page = visitor.get("/volunteers").await?;
        assert_eq!(page.status, StatusCode::OK);
        assert!(
            page.body.contains("义务巡逻小分队"),
            "everyone sees the squads"
        );

        let mut resident = portal.sign_in("13900000002", DEMO_PASSWORD).await?;
        assert_eq!(
            resident.get("/volunteers/lead").await?.status,
            StatusCode::FORBIDDEN,
            "the leader's desk is for leaders"
        );
        let page = resident
            .post_form("/volunteers/apply", "/api/volunteers/apply", &APPLICATION)
            .await?;
        assert!(page.location().contains("__err"), "consent is required");
        let mut fields = APPLICATION.to_vec();
        fields.push(("application[consent]", "on"));
        let page = resident
            .post_form("/volunteers/apply", "/api/volunteers/apply", &fields)
            .await?;
        assert_eq!(page.location(), "/volunteers?done=applied");
        let again = resident
            .post_form("/volunteers/apply", "/api/volunteers/apply", &fields)
            .await?;
        assert!(
            again.location().contains("__err"),
            "one application waits at a time"
        );

        let mut leader = portal.sign_in("13900000302", DEMO_PASSWORD).await?;
        let desk = leader.get("/volunteers/lead").await?;
        assert_eq!(desk.status, StatusCode::OK);
        assert!(desk.body.contains("王小明") && desk.body.contains("遵义话"));
        Ok(())
    })
}
