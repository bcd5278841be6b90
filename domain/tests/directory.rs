//! The directory and its demo data, on whichever engine TEST_DATABASE_URL names.

use domain::demo::{self, Outcome};
use domain::{directory, testing};

#[tokio::test]
async fn demo_data_loads_the_numbers_of_the_article() -> Result<(), Box<dyn std::error::Error>> {
    let db = testing::fresh_db().await?;
    assert!(!demo::is_loaded(&db).await?);
    assert_eq!(
        demo::load(&db).await?,
        Outcome::Loaded,
        "on {}",
        testing::engine()
    );
    let counts = directory::counts(&db).await?;
    assert_eq!(counts.communities, 10);
    assert_eq!(counts.compounds, 59);
    assert_eq!(counts.aid_stations, 48);
    assert_eq!(counts.branch_rooms, 11);
    assert_eq!(counts.police_offices, 3);
    assert_eq!(counts.liaison_rooms, 6);
    // 老王帮帮团's six, and 城东社区's 招宝好管家护苗队.
    assert_eq!(counts.squads, 7);
    assert!(demo::is_loaded(&db).await?);
    Ok(())
}

#[tokio::test]
async fn demo_data_is_idempotent() -> Result<(), Box<dyn std::error::Error>> {
    let db = testing::fresh_db().await?;
    demo::load(&db).await?;
    let before = directory::counts(&db).await?;
    assert_eq!(demo::load(&db).await?, Outcome::AlreadyLoaded);
    assert_eq!(directory::counts(&db).await?, before);
    Ok(())
}

#[tokio::test]
async fn each_community_page_names_who_serves_it() -> Result<(), Box<dyn std::error::Error>> {
    let db = testing::fresh_db().await?;
    demo::load(&db).await?;
    let list = directory::communities(&db).await?;
    assert_eq!(list.len(), 10);
    for summary in &list {
        let detail = directory::community(&db, summary.community.id).await?;
        assert!(
            detail.police_office.is_some(),
            "{} has a police office",
            summary.community.name
        );
        assert!(
            !detail.aid_stations.is_empty(),
            "{} has a mutual-aid station",
            summary.community.name
        );
        assert_eq!(detail.compounds.len() as u64, summary.compounds);
        let branches = detail
            .mediation_rooms
            .iter()
            .filter(|r| r.parent_id.is_some())
            .count();
        assert!(
            branches >= 1,
            "{} has a branch mediation room",
            summary.community.name
        );
        assert_eq!(
            detail.mediation_rooms.last().map(|r| r.name.as_str()),
            Some("老何调解室"),
            "the main room is offered after the community's own branch"
        );
    }
    Ok(())
}

#[tokio::test]
async fn an_unknown_community_is_not_found() -> Result<(), Box<dyn std::error::Error>> {
    let db = testing::fresh_db().await?;
    assert!(matches!(
        directory::community(&db, 4242).await,
        Err(domain::Error::NotFound)
    ));
    Ok(())
}

#[tokio::test]
async fn demo_data_is_refused_beside_a_real_directory() -> Result<(), Box<dyn std::error::Error>> {
    use domain::entities::community;
    use sea_orm::{ActiveModelTrait, ActiveValue::Set};
    let db = testing::fresh_db().await?;
    community::ActiveModel {
        name: Set("真实社区".into()),
        is_demo: Set(false),
        ..Default::default()
    }
    .insert(&db)
    .await?;
    assert!(matches!(
        demo::load(&db).await,
        Err(domain::Error::Invalid(_))
    ));
    assert_eq!(
        directory::counts(&db).await?.communities,
        1,
        "nothing was added"
    );
    Ok(())
}

#[tokio::test]
async fn compound_names_are_unique_within_a_community() -> Result<(), Box<dyn std::error::Error>> {
    use domain::entities::{community, compound};
    use sea_orm::{ActiveModelTrait, ActiveValue::Set};
    let db = testing::fresh_db().await?;
    let c = community::ActiveModel {
        name: Set("甲社区".into()),
        is_demo: Set(false),
        ..Default::default()
    }
    .insert(&db)
    .await?;
    let add = || compound::ActiveModel {
        community_id: Set(c.id),
        name: Set("同名小区".into()),
        is_demo: Set(false),
        ..Default::default()
    };
    add().insert(&db).await?;
    assert!(
        add().insert(&db).await.is_err(),
        "the database refuses a second compound of the same name"
    );
    Ok(())
}

#[tokio::test]
async fn a_setting_is_chosen_once() -> Result<(), Box<dyn std::error::Error>> {
    use domain::settings;
    let db = testing::fresh_db().await?;
    let first = settings::get_or_insert(&db, settings::DEMO_LOADED_AT, "first").await?;
    let second = settings::get_or_insert(&db, settings::DEMO_LOADED_AT, "second").await?;
    assert_eq!(first, "first");
    assert_eq!(second, "first", "a second process reuses the stored value");
    Ok(())
}

#[tokio::test]
async fn every_migration_can_be_undone_and_redone() -> Result<(), Box<dyn std::error::Error>> {
    use domain::migration::Migrator;
    use sea_orm_migration::MigratorTrait;
    let db = testing::fresh_db().await?;
    Migrator::down(&db, None).await?;
    assert!(Migrator::get_applied_migrations(&db).await?.is_empty());
    Migrator::up(&db, None).await?;
    assert_eq!(
        demo::load(&db).await?,
        Outcome::Loaded,
        "the schema is whole again"
    );
    Ok(())
}
