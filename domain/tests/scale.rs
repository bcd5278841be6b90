//! A district's worth of data (`portal demo-data --scale N`) and the directory as the pages
//! read it, on whichever engine TEST_DATABASE_URL names.

use std::collections::HashSet;

use domain::demo::{self, Outcome, scale};
use domain::directory::{self, cache};
use domain::entities::{case_record, community, mediation_case, post, thread, user};
use domain::{accounts, testing};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter};

type TestResult = Result<(), Box<dyn std::error::Error>>;

#[tokio::test]
async fn scaled_demo_is_n_times_the_demo_and_stays_usable() -> TestResult {
    let db = testing::fresh_db().await?;
    assert!(
        scale::scale(&db, 3).await.is_err(),
        "nothing to copy before the demo"
    );
    assert_eq!(demo::load(&db).await?, Outcome::Loaded);
    let users = user::Entity::find().count(&db).await?;
    let threads = thread::Entity::find().count(&db).await?;
    let posts = post::Entity::find().count(&db).await?;
    let communities = community::Entity::find().count(&db).await?;
    let cases = case_record::Entity::find().count(&db).await?;
    let closed = case_record::Entity::find()
        .filter(case_record::Column::Stage.eq(vocab::casework::Stage::Closed))
        .count(&db)
        .await?;
    let open_mediations = mediation_case::Entity::find()
        .filter(mediation_case::Column::Status.is_not_in(["closed", "cancelled", "declined"]))
        .count(&db)
        .await?;

    let scaled = scale::scale(&db, 3).await?;
    assert_eq!((scaled.copies_added, scaled.copies_present), (2, 2));
    assert_eq!(user::Entity::find().count(&db).await?, users * 3);
    assert_eq!(thread::Entity::find().count(&db).await?, threads * 3);
    assert_eq!(post::Entity::find().count(&db).await?, posts * 3);
    assert_eq!(community::Entity::find().count(&db).await?, communities * 3);
    // Only what is over is copied: no open case to escalate, no open request in a queue.
    assert_eq!(
        case_record::Entity::find().count(&db).await?,
        cases + 2 * closed
    );
    assert_eq!(
        mediation_case::Entity::find()
            .filter(mediation_case::Column::Status.is_not_in(["closed", "cancelled", "declined"]))
            .count(&db)
            .await?,
        open_mediations
    );
    // Every number is a phone number of its own.
    let phones: Vec<String> = user::Entity::find()
        .all(&db)
        .await?
        .into_iter()
        .map(|u| u.phone)
        .collect();
    assert!(phones.iter().all(|p| p.len() == 11 && p.starts_with('1')));
    assert_eq!(phones.iter().collect::<HashSet<_>>().len(), phones.len());

    // A copy's resident signs in with the demo password.
    let copied = accounts::login(
        &db,
        "13900200001",
        demo::DEMO_PASSWORD,
        "127.0.0.1",
        accounts::SessionPolicy::default(),
        chrono::Utc::now(),
    )
    .await;
    assert!(copied.is_ok(), "copy 2's first resident signs in");

    // Run again: nothing added; asked for more: only the missing copy.
    assert_eq!(scale::scale(&db, 3).await?.copies_added, 0);
    assert_eq!(scale::scale(&db, 4).await?.copies_added, 1);
    assert_eq!(user::Entity::find().count(&db).await?, users * 4);

    // What the portal adds afterwards gets ids above the copies' (PostgreSQL's sequences).
    let highest = community::Entity::find()
        .all(&db)
        .await?
        .into_iter()
        .map(|c| c.id)
        .max()
        .unwrap_or_default();
    db.execute_unprepared("INSERT INTO communities (name, is_demo) VALUES ('新建社区', FALSE)")
        .await?;
    let added = community::Entity::find()
        .filter(community::Column::Name.eq("新建社区"))
        .one(&db)
        .await?
        .ok_or("the community is there")?;
    assert!(added.id > highest);
    Ok(())
}

#[tokio::test]
async fn the_cached_directory_follows_every_write_from_any_process() -> TestResult {
    let url = testing::fresh_url().await?;
    let one = domain::db::connect_and_migrate(&url).await?;
    // A second pool on the same database stands for a second portal process.
    let other = domain::db::connect(&url).await?;
    demo::load(&one).await?;
    let first = cache::snapshot(&one).await?;
    let again = cache::snapshot(&one).await?;
    assert!(
        std::sync::Arc::ptr_eq(&first, &again),
        "unchanged, the directory is read once"
    );
    let listed = directory::communities(&one).await?.len();

    // A rename and a new community, written by the other process, by hand.
    other
        .execute_unprepared("UPDATE communities SET name = '改名社区' WHERE id = 1")
        .await?;
    let renamed = cache::snapshot(&one).await?;
    assert_eq!(renamed.name(1), Some("改名社区"));
    other
        .execute_unprepared("INSERT INTO communities (name, is_demo) VALUES ('另一个社区', FALSE)")
        .await?;
    assert_eq!(directory::communities(&one).await?.len(), listed + 1);
    assert_eq!(
        directory::counts(&one).await?.communities,
        listed as u64 + 1
    );
    // A compound moves the counts too.
    other
        .execute_unprepared("DELETE FROM compounds WHERE id IN (SELECT id FROM compounds WHERE community_id = 2 AND id NOT IN (SELECT compound_id FROM users WHERE compound_id IS NOT NULL) AND id NOT IN (SELECT compound_id FROM households) LIMIT 1)")
        .await?;
    let fresh = cache::snapshot(&one).await?;
    let uncached: u64 = domain::entities::compound::Entity::find()
        .filter(domain::entities::compound::Column::RetiredAt.is_null())
        .count(&one)
        .await?;
    assert_eq!(fresh.counts.compounds, uncached);
    Ok(())
}

/// The figures kept in memory (/stats, /board/figures) follow writes from any process and
/// agree with a full count of the tables.
#[tokio::test]
async fn the_kept_figures_follow_every_write_and_agree_with_a_full_count() -> TestResult {
    use domain::casework::figures::period_figures;
    use domain::mediation::stats;
    let url = testing::fresh_url().await?;
    let one = domain::db::connect_and_migrate(&url).await?;
    let other = domain::db::connect(&url).await?;
    demo::load(&one).await?;
    let count = |sql: &'static str| {
        let one = one.clone();
        async move {
            let row = one
                .query_one_raw(sea_orm::Statement::from_string(
                    one.get_database_backend(),
                    sql,
                ))
                .await?
                .ok_or("a row")?;
            Ok::<i64, Box<dyn std::error::Error>>(row.try_get_by_index(0)?)
        }
    };
    let full = || async {
        Ok::<_, Box<dyn std::error::Error>>((
            count("SELECT COUNT(*) FROM mediation_cases").await?,
            count("SELECT COUNT(*) FROM mediation_cases WHERE outcome IS NOT NULL").await?,
            count(
                "SELECT CAST(COALESCE(SUM(amount_settled), 0) AS BIGINT) FROM mediation_cases \
                 WHERE outcome IS NOT NULL",
            )
            .await?,
        ))
    };
    let officer = accounts::find_by_phone(&one, demo::OFFICER_PHONE)
        .await?
        .ok_or("the demo officer")?;
    let officer = accounts::Account {
        roles: accounts::roles_of(&one, officer.id).await?,
        user: officer,
    };
    let now = chrono::Utc::now();

    let before = stats::stats(&one).await?;
    let (received, concluded, amount) = full().await?;
    assert_eq!(
        (
            before.total.received,
            before.total.concluded,
            before.total.amount
        ),
        (received as u64, concluded as u64, amount)
    );
    let figures = period_figures(&one, &officer, "all", now)
        .await?
        .ok_or("a period")?;
    let again = period_figures(&one, &officer, "all", now)
        .await?
        .ok_or("a period")?;
    assert!(std::sync::Arc::ptr_eq(&figures, &again), "computed once");
    assert_eq!(figures.mediation.0, received as u64);

    // The other process, by hand at the SQL prompt, settles more yuan in a concluded case.
    other
        .execute_unprepared(
            "UPDATE mediation_cases SET amount_settled = COALESCE(amount_settled, 0) + 1000 \
             WHERE id = (SELECT MIN(id) FROM mediation_cases WHERE outcome IS NOT NULL)",
        )
        .await?;
    let after = stats::stats(&one).await?;
    let (received, concluded, amount) = full().await?;
    assert_eq!(after.total.amount, before.total.amount + 1000);
    assert_eq!(
        (
            after.total.received,
            after.total.concluded,
            after.total.amount
        ),
        (received as u64, concluded as u64, amount)
    );
    let months: i64 = after.months.iter().map(|(_, f)| f.amount).sum();
    assert_eq!(months, amount);

    // And turns over who solved each closed case of the loop.
    let solved = "SELECT COUNT(*) FROM cases WHERE stage = 'closed' AND solved_without_police";
    assert_eq!(figures.solved_without_police as i64, count(solved).await?);
    other
        .execute_unprepared(
            "UPDATE cases SET solved_without_police = NOT COALESCE(solved_without_police, FALSE) \
             WHERE stage = 'closed'",
        )
        .await?;
    let turned = period_figures(&one, &officer, "all", now)
        .await?
        .ok_or("a period")?;
    assert_ne!(turned.solved_without_police, figures.solved_without_police);
    assert_eq!(turned.solved_without_police as i64, count(solved).await?);
    Ok(())
}

/// The public pages' version (migration 029) moves at a write to any table a public page
/// may show, made after it as much as before, and stays put at a visit's own writes.
#[tokio::test]
async fn every_table_but_the_private_ones_bumps_the_pages_version() -> TestResult {
    let url = testing::fresh_url().await?;
    let db = domain::db::connect_and_migrate(&url).await?;
    let postgres = db.get_database_backend() == sea_orm::DbBackend::Postgres;
    let tables = domain::migration::public_tables(&db).await?;
    assert!(tables.contains(&"posts".to_owned()) && !tables.contains(&"sessions".to_owned()));
    let mut missing = Vec::new();
    for table in &tables {
        let sql = if postgres {
            format!("SELECT COUNT(*) AS n FROM pg_trigger WHERE tgname = '{table}_pages_version'")
        } else {
            format!(
                "SELECT COUNT(*) AS n FROM sqlite_master
                 WHERE type = 'trigger' AND name LIKE '{table}_pages_version_%'"
            )
        };
        let found: i64 = db
            .query_one_raw(sea_orm::Statement::from_string(
                db.get_database_backend(),
                sql,
            ))
            .await?
            .ok_or("no count")?
            .try_get("", "n")?;
        if found != if postgres { 1 } else { 3 } {
            missing.push(table.clone());
        }
    }
    assert!(
        missing.is_empty(),
        "tables made after migration 029 need its trigger (or a place in its PRIVATE): {missing:?}"
    );

    demo::load(&db).await?;
    let before = domain::kept::pages(&db).await?;
    db.execute_unprepared("DELETE FROM sessions").await?;
    assert_eq!(
        domain::kept::pages(&db).await?,
        before,
        "a session is private"
    );
    db.execute_unprepared("UPDATE posts SET body = body || '。' WHERE id = 1")
        .await?;
    assert_ne!(domain::kept::pages(&db).await?, before, "a post is public");
    Ok(())
}
