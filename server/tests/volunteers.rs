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

/// The names in the first ranking of `/volunteers/hours`, in order.
fn ranked(body: &str) -> Vec<String> {
    let Some(list) = body
        .split("<ol>")
        .nth(1)
        .and_then(|rest| rest.split("</ol>").next())
    else {
        return Vec::new();
    };
    list.split("<li>")
        .skip(1)
        .filter_map(|item| item.split(" · ").next())
        .map(|name| name.replace("<!>", "").trim().to_owned())
        .collect()
}

#[test]
fn a_kept_squad_ranking_follows_writes_from_the_page_and_from_elsewhere() -> TestResult {
    use sea_orm::ConnectionTrait;
    run(async {
        let portal = portal().await?;
        let mut leader = portal.sign_in("13900000302", DEMO_PASSWORD).await?;
        let before = ranked(&leader.get("/volunteers/hours").await?.body);
        assert!(before.len() >= 2, "{before:?}");
        // Asked again with nothing written: the same (and now kept).
        assert_eq!(ranked(&leader.get("/volunteers/hours").await?.body), before);

        // Someone at the SQL prompt takes the first-ranked member out of the ranking.
        let db = domain::db::connect(&portal.db_url).await?;
        let first = before[0].clone();
        db.execute_raw(sea_orm::Statement::from_sql_and_values(
            db.get_database_backend(),
            match db.get_database_backend() {
                sea_orm::DbBackend::Postgres => {
                    "UPDATE squad_members SET in_ranking = false WHERE name = $1"
                }
                _ => "UPDATE squad_members SET in_ranking = false WHERE name = ?",
            },
            [first.clone().into()],
        ))
        .await?;
        let after = ranked(&leader.get("/volunteers/hours").await?.body);
        assert!(
            !after.contains(&first),
            "{first} left the ranking: {after:?}"
        );
        assert_eq!(after, before[1..].to_vec());
        Ok(())
    })
}
