//! 反诈 "三无一表一App", on whichever engine TEST_DATABASE_URL names: who keeps which
//! community's register, households registered once however many add them at once, the
//! rules of a visit (in the domain and in the database), coverage and the households due
//! for a visit as time passes, losses, fraud-related cases and the board's figures, and the
//! two new roles the migration lets the database hold.
//!
//! Each test builds two communities with a compound each, an admin, an officer, an auxiliary
//! on the first community's team, a grid worker on the second's and a resident. Team members
//! join as production makes them join: by an admin, through `memberships::add_to_team`.

use std::error::Error as StdError;
use std::sync::Arc;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use domain::accounts::{self, Account, Role};
use domain::admin_log::Actor;
use domain::antifraud::losses::{self, Loss};
use domain::antifraud::register::{self, Visit};
use domain::antifraud::{self, REFUSAL_CODES, Scam};
use domain::casework::{self, NewCase};
use domain::entities::{colour_view, community, compound, household, household_visit, user_role};
use domain::testing::{assert_forbidden as forbidden, assert_refused, person};
use domain::time::at_local;
use domain::{DatabaseConnection, memberships, testing};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter,
};
use tokio::sync::Barrier;

type TestResult = Result<(), Box<dyn StdError>>;
type Res<T> = Result<T, Box<dyn StdError>>;

fn day0() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 12, 1).expect("a date")
}

/// 09:00 local on 2026-12-01.
fn now() -> DateTime<Utc> {
    at_local(day0(), 9 * 60).expect("a local time")
}

fn refused<T: std::fmt::Debug>(result: domain::Result<T>, code: &str) {
    assert_refused(result, code, REFUSAL_CODES);
}

struct World {
    db: DatabaseConnection,
    admin: Account,
    officer: Account,
    auxiliary: Account,
    grid: Account,
    resident: Account,
    /// (community, its compound) for the first and the second community.
    first: (i32, i32),
    second: (i32, i32),
}

async fn place(db: &DatabaseConnection, name: &str) -> Res<(i32, i32)> {
    let community = community::ActiveModel {
        name: Set(name.to_owned()),
        is_demo: Set(false),
        ..Default::default()
    }
    .insert(db)
    .await?;
    let compound = compound::ActiveModel {
        community_id: Set(community.id),
        name: Set(format!("{name}花园")),
        is_demo: Set(false),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok((community.id, compound.id))
}

impl World {
    async fn new() -> Res<World> {
        let db = testing::fresh_db().await?;
        let first = place(&db, "城东社区").await?;
        let second = place(&db, "后海塘社区").await?;
        let then = now() - Duration::days(400);
        let admin = person(&db, "13800000001", &[Role::Admin], None, None, then).await?;
        let officer = person(&db, "13800000002", &[Role::Officer], None, None, then).await?;
        let auxiliary = person(&db, "13800000003", &[Role::Resident], None, None, then).await?;
        let grid = person(&db, "13800000004", &[Role::Resident], None, None, then).await?;
        let resident = person(&db, "13800000005", &[Role::Resident], None, None, then).await?;
        memberships::add_to_team(
            &db,
            &admin,
            auxiliary.user.id,
            first.0,
            Role::Auxiliary,
            then,
        )
        .await?;
        memberships::add_to_team(&db, &admin, grid.user.id, second.0, Role::GridWorker, then)
            .await?;
        let refresh = |a: Account| {
            let db = db.clone();
            async move {
                Ok::<_, Box<dyn StdError>>(Account {
                    roles: accounts::roles_of(&db, a.user.id).await?,
                    user: a.user,
                })
            }
        };
        Ok(World {
            auxiliary: refresh(auxiliary).await?,
            grid: refresh(grid).await?,
            db,
            admin,
            officer,
            resident,
            first,
            second,
        })
    }

    async fn households(&self, compound: i32) -> Res<u64> {
        Ok(household::Entity::find()
            .filter(household::Column::CompoundId.eq(compound))
            .count(&self.db)
            .await?)
    }

    async fn visits(&self) -> Res<u64> {
        Ok(household_visit::Entity::find().count(&self.db).await?)
    }

    async fn household(&self, compound: i32, address: &str) -> Res<i32> {
        Ok(household::Entity::find()
            .filter(household::Column::CompoundId.eq(compound))
            .filter(household::Column::Address.eq(address))
            .one(&self.db)
            .await?
            .ok_or("no such household")?
            .id)
    }
}

fn visit(on: NaiveDate) -> Visit {
    Visit {
        visited_on: on,
        app_installed: true,
        warning_on: true,
        elderly_alone: false,
        recent_victim: false,
        explained: vec![Scam::FakeAuthority, Scam::OrderBrushing],
        follow_up_on: None,
    }
}

#[tokio::test]
async fn each_keeps_the_register_of_their_own_team_and_every_look_is_logged() -> TestResult {
    let w = World::new().await?;
    let names = |list: Vec<community::Model>| list.into_iter().map(|c| c.id).collect::<Vec<_>>();
    assert_eq!(
        names(antifraud::communities_of(&w.db, &w.officer).await?),
        [w.first.0, w.second.0]
    );
    assert_eq!(
        names(antifraud::communities_of(&w.db, &w.auxiliary).await?),
        [w.first.0]
    );
    assert_eq!(
        names(antifraud::communities_of(&w.db, &w.grid).await?),
        [w.second.0]
    );
    forbidden(antifraud::communities_of(&w.db, &w.resident).await);

    register::add_households(&w.db, &w.auxiliary, w.first.1, "1幢101", now()).await?;
    forbidden(register::add_households(&w.db, &w.auxiliary, w.second.1, "1幢101", now()).await);
    forbidden(register::compound_register(&w.db, &w.auxiliary, w.second.1, "", now()).await);
    forbidden(register::compound_register(&w.db, &w.resident, w.first.1, "", now()).await);
    let home = w.household(w.first.1, "1幢101").await?;
    forbidden(register::household_record(&w.db, &w.grid, home, now()).await);
    forbidden(register::record_visit(&w.db, &w.grid, home, visit(day0()), now()).await);

    let before = colour_view::Entity::find().count(&w.db).await?;
    register::compound_register(&w.db, &w.auxiliary, w.first.1, "", now()).await?;
    register::household_record(&w.db, &w.officer, home, now()).await?;
    let pages: Vec<String> = colour_view::Entity::find()
        .all(&w.db)
        .await?
        .into_iter()
        .skip(usize::try_from(before)?)
        .map(|v| v.page)
        .collect();
    assert_eq!(
        pages,
        [
            format!("/antifraud/compounds/{}", w.first.1),
            format!("/antifraud/households/{home}")
        ]
    );

    // Taking the role back ends the membership that rests on it, and the register with it.
    accounts::revoke(
        &w.db,
        Actor::admin(&w.admin)?,
        w.auxiliary.user.id,
        Role::Auxiliary,
        now(),
    )
    .await?;
    let without = Account {
        roles: accounts::roles_of(&w.db, w.auxiliary.user.id).await?,
        user: w.auxiliary.user.clone(),
    };
    forbidden(antifraud::communities_of(&w.db, &without).await);
    assert!(memberships::of(&w.db, without.user.id).await?.is_empty());
    Ok(())
}

#[tokio::test]
async fn a_team_takes_its_people_as_what_the_admin_chose() -> TestResult {
    let w = World::new().await?;
    forbidden(
        memberships::add_to_team(
            &w.db,
            &w.officer,
            w.resident.user.id,
            w.first.0,
            Role::GridWorker,
            now(),
        )
        .await,
    );
    assert_refused(
        memberships::add_to_team(
            &w.db,
            &w.admin,
            w.resident.user.id,
            w.first.0,
            Role::Mediator,
            now(),
        )
        .await,
        "admin-membership-invalid",
        memberships::REFUSAL_CODES,
    );
    // Through the generic way, a team cannot be joined without its role.
    assert_refused(
        memberships::add(
            &w.db,
            &w.admin,
            w.resident.user.id,
            memberships::Group::FraudTeam,
            w.first.0,
            now(),
        )
        .await,
        "admin-membership-invalid",
        memberships::REFUSAL_CODES,
    );
    memberships::add_to_team(
        &w.db,
        &w.admin,
        w.officer.user.id,
        w.first.0,
        Role::Officer,
        now(),
    )
    .await?;
    memberships::add_to_team(
        &w.db,
        &w.admin,
        w.resident.user.id,
        w.first.0,
        Role::GridWorker,
        now(),
    )
    .await?;
    // Choosing again changes the role on the team.
    memberships::add_to_team(
        &w.db,
        &w.admin,
        w.resident.user.id,
        w.first.0,
        Role::Auxiliary,
        now(),
    )
    .await?;
    let people =
        memberships::people(&w.db, &w.admin, memberships::Group::FraudTeam, w.first.0).await?;
    let roles: Vec<Role> = people.iter().map(|p| p.role).collect();
    assert_eq!(roles, [Role::Officer, Role::Auxiliary, Role::Auxiliary]);
    let held = accounts::roles_of(&w.db, w.resident.user.id).await?;
    assert!(
        held.contains(&Role::Auxiliary) && held.contains(&Role::GridWorker),
        "{held:?}"
    );
    Ok(())
}

#[tokio::test]
async fn addresses_are_registered_once_however_many_add_them_at_once() -> TestResult {
    let w = World::new().await?;
    let compound = w.first.1;
    refused(
        register::add_households(&w.db, &w.auxiliary, compound, " \n \n", now()).await,
        "antifraud-addresses-empty",
    );
    let many: String = (0..301).map(|n| format!("{n}号\n")).collect();
    refused(
        register::add_households(&w.db, &w.auxiliary, compound, &many, now()).await,
        "antifraud-addresses-too-many",
    );
    let long = format!("1幢101\n{}", "长".repeat(41));
    refused(
        register::add_households(&w.db, &w.auxiliary, compound, &long, now()).await,
        "antifraud-address-invalid",
    );
    assert_eq!(
        w.households(compound).await?,
        0,
        "a refused list writes nothing"
    );

    // Twelve team members register overlapping lists of one building at once.
    let barrier = Arc::new(Barrier::new(12));
    let mut racers = Vec::new();
    for n in 0..12 {
        let (db, account, barrier) = (w.db.clone(), w.auxiliary.clone(), barrier.clone());
        let lines: String = (n..n + 10)
            .map(|flat| format!("3幢{:03}\n", 101 + flat))
            .collect();
        racers.push(tokio::spawn(async move {
            barrier.wait().await;
            register::add_households(&db, &account, compound, &lines, now()).await
        }));
    }
    let mut added = 0;
    for racer in racers {
        added += racer.await??;
    }
    assert_eq!(
        w.households(compound).await?,
        21,
        "flats 101 to 121, each once"
    );
    assert_eq!(
        added, 21,
        "each new household was counted by the one who added it"
    );
    // The same address typed again, with spaces around it, is the same household.
    assert_eq!(
        register::add_households(&w.db, &w.auxiliary, compound, "  3幢101  \n3幢200", now())
            .await?,
        1
    );
    Ok(())
}

#[tokio::test]
async fn a_visit_is_checked_before_anything_is_written() -> TestResult {
    let w = World::new().await?;
    register::add_households(&w.db, &w.auxiliary, w.first.1, "2幢301", now()).await?;
    let home = w.household(w.first.1, "2幢301").await?;
    let cases = [
        (
            visit(day0() + Duration::days(1)),
            "antifraud-visit-date-invalid",
        ),
        (
            visit(day0() - Duration::days(31)),
            "antifraud-visit-date-invalid",
        ),
        (
            Visit {
                follow_up_on: Some(day0()),
                ..visit(day0())
            },
            "antifraud-follow-up-invalid",
        ),
        (
            Visit {
                follow_up_on: Some(day0() + Duration::days(366)),
                ..visit(day0())
            },
            "antifraud-follow-up-invalid",
        ),
        (
            Visit {
                app_installed: false,
                ..visit(day0())
            },
            "antifraud-warning-without-app",
        ),
    ];
    for (bad, code) in cases {
        refused(
            register::record_visit(&w.db, &w.auxiliary, home, bad, now()).await,
            code,
        );
    }
    assert_eq!(w.visits().await?, 0);

    // The database holds the same rules for whatever writes to it.
    let row =
        |app: bool, warning: bool, follow_up: Option<NaiveDate>| household_visit::ActiveModel {
            household_id: Set(home),
            visited_on: Set(day0()),
            visitor_id: Set(None),
            app_installed: Set(app),
            warning_on: Set(warning),
            elderly_alone: Set(false),
            recent_victim: Set(false),
            explained: Set(String::new()),
            follow_up_on: Set(follow_up),
            created_at: Set(now()),
            is_demo: Set(false),
            ..Default::default()
        };
    assert!(row(false, true, None).insert(&w.db).await.is_err());
    assert!(row(true, true, Some(day0())).insert(&w.db).await.is_err());
    assert_eq!(w.visits().await?, 0);

    let compound = register::record_visit(
        &w.db,
        &w.auxiliary,
        home,
        Visit {
            elderly_alone: true,
            explained: vec![Scam::Romance, Scam::FakeAuthority, Scam::Romance],
            follow_up_on: Some(day0() + Duration::days(30)),
            ..visit(day0() - Duration::days(2))
        },
        now(),
    )
    .await?;
    assert_eq!(compound, w.first.1);
    let record = register::household_record(&w.db, &w.officer, home, now()).await?;
    let [seen] = record.visits.as_slice() else {
        panic!("one visit: {:?}", record.visits);
    };
    assert_eq!(seen.explained, [Scam::FakeAuthority, Scam::Romance]);
    assert_eq!(
        seen.visitor, "138****0003",
        "the visitor's number is masked"
    );
    assert!(seen.visit.elderly_alone && seen.visit.warning_on);
    Ok(())
}

#[tokio::test]
async fn coverage_counts_who_was_seen_and_time_brings_households_due_again() -> TestResult {
    let w = World::new().await?;
    register::add_households(&w.db, &w.auxiliary, w.first.1, "1号\n2号\n3号\n4号", now()).await?;
    let long_ago = now() - Duration::days(200);
    // A visit half a year and more ago, entered on its day…
    let one = w.household(w.first.1, "1号").await?;
    register::record_visit(
        &w.db,
        &w.auxiliary,
        one,
        visit(day0() - Duration::days(200)),
        long_ago,
    )
    .await?;
    // …one this week, and one whose follow-up is due today.
    let two = w.household(w.first.1, "2号").await?;
    register::record_visit(
        &w.db,
        &w.auxiliary,
        two,
        visit(day0() - Duration::days(3)),
        now(),
    )
    .await?;
    let three = w.household(w.first.1, "3号").await?;
    let back = Visit {
        follow_up_on: Some(day0()),
        ..visit(day0() - Duration::days(20))
    };
    register::record_visit(&w.db, &w.auxiliary, three, back, now()).await?;

    let coverage = register::coverage(&w.db, &w.auxiliary, now()).await?;
    let [first] = coverage.as_slice() else {
        panic!("one community: {coverage:?}");
    };
    assert_eq!((first.households(), first.recent()), (4, 2));
    assert_eq!(first.compounds[0].never, 1);
    assert_eq!(first.team, (0, 1, 0));

    let listed = register::compound_register(&w.db, &w.auxiliary, w.first.1, "", now()).await?;
    let due: Vec<(&str, bool)> = listed
        .households
        .iter()
        .map(|h| (h.address.as_str(), h.needs_visit(day0())))
        .collect();
    assert_eq!(
        due,
        [("1号", true), ("3号", true), ("4号", true), ("2号", false)],
        "those due first: seen too long ago, a follow-up due, never seen"
    );
    let found = register::compound_register(&w.db, &w.auxiliary, w.first.1, "2", now()).await?;
    assert_eq!(found.households.len(), 1);
    Ok(())
}

#[tokio::test]
async fn losses_and_fraud_cases_make_the_figures() -> TestResult {
    let w = World::new().await?;
    let loss = |community, days_ago, yuan| Loss {
        community_id: community,
        occurred_on: day0() - Duration::days(days_ago),
        amount_yuan: yuan,
        scam: Scam::OrderBrushing,
    };
    refused(
        losses::report(&w.db, &w.auxiliary, loss(w.first.0, 0, 0), now()).await,
        "antifraud-amount-invalid",
    );
    refused(
        losses::report(
            &w.db,
            &w.auxiliary,
            loss(w.first.0, 0, losses::MAX_YUAN + 1),
            now(),
        )
        .await,
        "antifraud-amount-invalid",
    );
    refused(
        losses::report(&w.db, &w.auxiliary, loss(w.first.0, -1, 100), now()).await,
        "antifraud-loss-date-invalid",
    );
    refused(
        losses::report(&w.db, &w.auxiliary, loss(w.first.0, 366, 100), now()).await,
        "antifraud-loss-date-invalid",
    );
    forbidden(losses::report(&w.db, &w.auxiliary, loss(w.second.0, 1, 100), now()).await);
    losses::report(&w.db, &w.auxiliary, loss(w.first.0, 1, 8_000), now()).await?;
    losses::report(
        &w.db,
        &w.auxiliary,
        loss(w.first.0, 100, losses::MAX_YUAN),
        now(),
    )
    .await?;
    losses::report(&w.db, &w.grid, loss(w.second.0, 5, 1_200), now()).await?;
    let seen = losses::recent(&w.db, &w.auxiliary, day0() - Duration::days(365)).await?;
    assert_eq!(seen.len(), 2, "a team sees its own community's losses");

    register::add_households(&w.db, &w.auxiliary, w.first.1, "1号\n2号", now()).await?;
    let one = w.household(w.first.1, "1号").await?;
    register::record_visit(&w.db, &w.auxiliary, one, visit(day0()), now()).await?;

    forbidden(losses::figures(&w.db, &w.auxiliary, day0() - Duration::days(30), day0()).await);
    let figures = losses::figures(&w.db, &w.officer, day0() - Duration::days(30), day0()).await?;
    assert_eq!(
        figures.coverage,
        [
            ("城东社区".to_owned(), 2, 1),
            ("后海塘社区".to_owned(), 0, 0)
        ]
    );
    assert_eq!(
        figures.losses,
        [
            ("城东社区".to_owned(), 1, 8_000),
            ("后海塘社区".to_owned(), 1, 1_200)
        ],
        "only what occurred in the period"
    );
    assert_eq!(figures.open_cases, 0);
    let year = losses::figures(&w.db, &w.officer, day0() - Duration::days(365), day0()).await?;
    assert_eq!(
        year.losses[0],
        ("城东社区".to_owned(), 2, 8_000 + losses::MAX_YUAN)
    );
    refused(
        losses::mark_case(&w.db, &w.officer, "JW-2026-XXXXXX", true, now()).await,
        "antifraud-case-unknown",
    );

    // 无库存: a walk-in officers count as fraud-related, until they no longer do.
    let case = casework::open(
        &w.db,
        &w.officer,
        NewCase {
            kind: casework::Kind::WalkIn.as_str().to_owned(),
            title: "刷单返利被骗求助".to_owned(),
            summary: String::new(),
            contact_name: "王先生".to_owned(),
            contact_phone: String::new(),
            community_id: Some(w.first.0),
            household: String::new(),
        },
        now(),
    )
    .await?;
    forbidden(losses::mark_case(&w.db, &w.auxiliary, &case.code, true, now()).await);
    losses::mark_case(&w.db, &w.officer, &case.code, true, now()).await?;
    losses::mark_case(&w.db, &w.officer, &case.code, true, now()).await?;
    let open = losses::open_cases(&w.db, &w.officer).await?;
    assert_eq!(open.iter().map(|c| c.id).collect::<Vec<_>>(), [case.id]);
    forbidden(losses::open_cases(&w.db, &w.auxiliary).await);
    losses::mark_case(&w.db, &w.officer, &case.code, false, now()).await?;
    let figures = losses::figures(&w.db, &w.officer, day0() - Duration::days(30), day0()).await?;
    assert_eq!(figures.open_cases, 0);
    Ok(())
}

#[tokio::test]
async fn the_database_holds_the_new_roles_and_still_refuses_unknown_ones() -> TestResult {
    let w = World::new().await?;
    for role in [Role::Auxiliary, Role::GridWorker] {
        accounts::grant(&w.db, w.resident.user.id, role).await?;
    }
    let unknown = user_role::ActiveModel {
        user_id: Set(w.resident.user.id),
        role: Set("chief".to_owned()),
    }
    .insert(&w.db)
    .await;
    assert!(unknown.is_err(), "the CHECK still holds: {unknown:?}");
    let held = accounts::roles_of(&w.db, w.resident.user.id).await?;
    assert!(held.contains(&Role::Auxiliary) && held.contains(&Role::GridWorker));
    Ok(())
}

#[tokio::test]
async fn the_demo_gives_every_community_a_team_and_a_believable_register() -> TestResult {
    let db = testing::fresh_db().await?;
    domain::demo::load(&db).await?;
    let account = |phone: &'static str| {
        let db = db.clone();
        async move {
            let user = accounts::find_by_phone(&db, phone)
                .await?
                .ok_or("a demo account")?;
            Ok::<_, Box<dyn StdError>>(Account {
                roles: accounts::roles_of(&db, user.id).await?,
                user,
            })
        }
    };
    let officer = account(domain::demo::OFFICER_PHONE).await?;
    let auxiliary = account(domain::demo::AUXILIARY_PHONE).await?;
    let grid = account(domain::demo::GRID_WORKER_PHONE).await?;
    assert!(auxiliary.has(Role::Auxiliary) && grid.has(Role::GridWorker));

    let everywhere = register::coverage(&db, &officer, chrono::Utc::now()).await?;
    assert_eq!(everywhere.len(), 10);
    let shares: Vec<u64> = everywhere
        .iter()
        .map(|c| {
            assert_eq!(c.team, (1, 3, 3), "{}", c.name);
            assert_eq!(c.households(), 24 * c.compounds.len() as u64, "{}", c.name);
            c.recent() * 100 / c.households()
        })
        .collect();
    let (low, high) = (shares.iter().min().copied(), shares.iter().max().copied());
    assert!(
        low < Some(70) && high > Some(85),
        "some teams far ahead of others: {shares:?}"
    );
    assert!(
        everywhere
            .iter()
            .any(|c| c.compounds.iter().any(|p| p.never > 0))
    );
    let mine = register::coverage(&db, &auxiliary, chrono::Utc::now()).await?;
    assert_eq!(mine.len(), 1);
    assert_eq!(mine[0].id, everywhere[0].id);

    let open = losses::open_cases(&db, &officer).await?;
    assert_eq!(
        open.len(),
        2,
        "two demo fraud cases are still open: {open:?}"
    );
    let today = domain::time::local_date(chrono::Utc::now());
    let year = losses::figures(&db, &officer, today - Duration::days(365), today).await?;
    let reported: u64 = year.losses.iter().map(|(_, n, _)| n).sum();
    assert_eq!(reported, 12);
    Ok(())
}

#[tokio::test]
async fn a_members_download_holds_their_teams_and_counts_not_the_households() -> TestResult {
    let w = World::new().await?;
    register::add_households(&w.db, &w.auxiliary, w.first.1, "7幢701", now()).await?;
    let home = w.household(w.first.1, "7幢701").await?;
    register::record_visit(&w.db, &w.auxiliary, home, visit(day0()), now()).await?;
    let data = accounts::export(&w.db, &w.auxiliary).await?;
    assert_eq!(
        data["anti_fraud"],
        serde_json::json!({
            "teams": [{"community": "城东社区", "role": "auxiliary"}],
            "household_visits_recorded": 1,
            "losses_reported": 0,
        })
    );
    assert!(
        !data.to_string().contains("7幢701"),
        "the household's address is not theirs"
    );
    let resident = accounts::export(&w.db, &w.resident).await?;
    assert!(resident.get("anti_fraud").is_none());
    Ok(())
}
