//! 警企共建, on whichever engine TEST_DATABASE_URL names: schools and enterprises in the
//! directory, an enterprise's contacts (one enterprise each, held by the database however
//! many admins add them at once), service requests entering the loop with the enterprise as
//! their source, whose board shows them to whom, and the migration that widened the loop's
//! kinds keeping every case and its history.
//!
//! Each test builds two communities, two enterprises in the first, an admin, an officer, a
//! resident and two contacts of the first enterprise and one of the second, made contacts
//! as production makes them: by an admin, through `memberships::add`.

use std::error::Error as StdError;
use std::sync::Arc;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use domain::accounts::{self, Account, Role};
use domain::admin_log::Actor;
use domain::casework::{self, Kind, NewCase, Stage};
use domain::directory::Kind as Place;
use domain::directory::admin::{self as directory, Fields};
use domain::enterprises::{self, OPEN_PER_CONTACT};
use domain::entities::{case_entry, case_record, community};
use domain::memberships::{self, Group};
use domain::testing::{assert_forbidden as forbidden, assert_not_found, assert_refused, person};
use domain::time::at_local;
use domain::{DatabaseConnection, testing};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter,
};
use tokio::sync::Barrier;

type TestResult = Result<(), Box<dyn StdError>>;
type Res<T> = Result<T, Box<dyn StdError>>;

/// 09:00 local on 2026-12-01.
fn now() -> DateTime<Utc> {
    at_local(
        NaiveDate::from_ymd_opt(2026, 12, 1).expect("a date"),
        9 * 60,
    )
    .expect("a time")
}

struct World {
    db: DatabaseConnection,
    admin: Account,
    officer: Account,
    resident: Account,
    /// 安德机械's two contacts, then 传化物流's.
    ande: (Account, Account),
    chuanhua: Account,
    park: i32,
    enterprises: (i32, i32),
}

async fn refresh(db: &DatabaseConnection, a: Account) -> Res<Account> {
    Ok(Account {
        roles: accounts::roles_of(db, a.user.id).await?,
        user: a.user,
    })
}

fn place(name: &str, parent: i32, address: &str) -> Fields {
    Fields {
        name: name.to_owned(),
        parent: Some(parent),
        address: address.to_owned(),
        ..Fields::default()
    }
}

impl World {
    async fn new() -> Res<World> {
        let db = testing::fresh_db().await?;
        let then = now() - Duration::days(30);
        let admin = person(&db, "13800000001", &[Role::Admin], None, None, then).await?;
        let officer = person(&db, "13800000002", &[Role::Officer], None, None, then).await?;
        let resident = person(&db, "13800000003", &[Role::Resident], None, None, then).await?;
        let mut park = None;
        for name in ["后海塘社区", "城东社区"] {
            let id = directory::create(
                &db,
                &admin,
                Place::Community,
                Fields {
                    name: name.to_owned(),
                    ..Fields::default()
                },
                then,
            )
            .await?;
            park.get_or_insert(id);
        }
        let park = park.ok_or("no community")?;
        let ande = directory::create(
            &db,
            &admin,
            Place::Enterprise,
            place("安德机械", park, "园区东路 8 号"),
            then,
        )
        .await?;
        let chuanhua = directory::create(
            &db,
            &admin,
            Place::Enterprise,
            place("传化物流", park, "物流园 2 号门"),
            then,
        )
        .await?;
        let mut contacts = Vec::new();
        for (phone, enterprise) in [
            ("13800000011", ande),
            ("13800000012", ande),
            ("13800000013", chuanhua),
        ] {
            let contact = person(&db, phone, &[Role::Resident], None, None, then).await?;
            memberships::add(
                &db,
                &admin,
                contact.user.id,
                Group::Enterprise,
                enterprise,
                then,
            )
            .await?;
            contacts.push(refresh(&db, contact).await?);
        }
        let chuanhua_contact = contacts.pop().ok_or("no contact")?;
        let second = contacts.pop().ok_or("no contact")?;
        let first = contacts.pop().ok_or("no contact")?;
        Ok(World {
            db,
            admin,
            officer,
            resident,
            ande: (first, second),
            chuanhua: chuanhua_contact,
            park,
            enterprises: (ande, chuanhua),
        })
    }
}

#[tokio::test]
async fn a_request_enters_the_loop_with_its_enterprise_and_shows_on_its_board() -> TestResult {
    let w = World::new().await?;
    let (first, second) = &w.ande;
    let code = enterprises::file(
        &w.db,
        first,
        " 新员工反诈宣讲 ",
        "本月新入职四十多名员工，想请民警来讲防刷单。",
        now(),
    )
    .await?;
    let case = case_record::Entity::find()
        .filter(case_record::Column::Code.eq(&code))
        .one(&w.db)
        .await?
        .ok_or("no case")?;
    assert_eq!(case.kind, Kind::Enterprise);
    assert_eq!(case.stage, Stage::Intake);
    assert_eq!(case.title, "新员工反诈宣讲");
    assert_eq!(case.community_id, Some(w.park));
    assert_eq!(case.resident_id, Some(first.user.id));
    assert_eq!(case.contact_name, "安德机械");
    assert!(
        case.due_at.is_some(),
        "the walk-ins' deadlines hold for the new kind"
    );

    // The officer finds it on the loop's board, with its source on the case page.
    let board =
        casework::board(&w.db, &w.officer, &casework::BoardFilter::default(), now()).await?;
    assert!(board.iter().any(|line| line.case.code == code));
    let detail = casework::detail(&w.db, &w.officer, &code, now()).await?;
    assert_eq!(
        detail.enterprise,
        Some((w.enterprises.0, "安德机械".to_owned()))
    );

    // Both contacts read it on their enterprise's board; only its author as theirs.
    let mine = enterprises::board(&w.db, first, w.enterprises.0).await?;
    assert!(mine.may_file);
    assert_eq!(mine.requests.len(), 1);
    assert!(mine.requests[0].mine);
    let colleague = enterprises::board(&w.db, second, w.enterprises.0).await?;
    assert!(!colleague.requests[0].mine);
    assert_eq!(colleague.requests[0].code, code);
    let staff = enterprises::board(&w.db, &w.officer, w.enterprises.0).await?;
    assert!(!staff.may_file, "officers read boards; contacts file");
    assert_eq!(staff.requests.len(), 1);

    // Another enterprise's contact, a resident and an admin's guess at no such board.
    assert_not_found(enterprises::board(&w.db, &w.chuanhua, w.enterprises.0).await);
    assert_not_found(enterprises::board(&w.db, &w.resident, w.enterprises.0).await);
    assert_not_found(enterprises::board(&w.db, &w.admin, 9999).await);
    assert!(
        enterprises::board(&w.db, &w.chuanhua, w.enterprises.1)
            .await?
            .requests
            .is_empty()
    );
    Ok(())
}

#[tokio::test]
async fn bad_requests_and_strangers_change_nothing() -> TestResult {
    let w = World::new().await?;
    let (first, _) = &w.ande;
    let cases = || case_record::Entity::find().count(&w.db);
    let refused = |r, code| assert_refused(r, code, enterprises::REFUSAL_CODES);
    refused(
        enterprises::file(&w.db, first, "宣讲", "本月新入职四十多名员工。", now()).await,
        "enterprise-title-length",
    );
    refused(
        enterprises::file(&w.db, first, "新员工反诈宣讲", "请来讲讲", now()).await,
        "enterprise-body-length",
    );
    forbidden(
        enterprises::file(
            &w.db,
            &w.resident,
            "新员工反诈宣讲",
            "本月新入职四十多名员工。",
            now(),
        )
        .await,
    );
    forbidden(
        enterprises::file(
            &w.db,
            &w.officer,
            "新员工反诈宣讲",
            "本月新入职四十多名员工。",
            now(),
        )
        .await,
    );
    assert_eq!(cases().await?, 0);

    // Open requests are limited per contact; a closed one makes room again.
    for n in 0..OPEN_PER_CONTACT {
        enterprises::file(
            &w.db,
            first,
            &format!("园区第{n}号需求"),
            "请派人来园区看看这个问题。",
            now(),
        )
        .await?;
    }
    assert!(matches!(
        enterprises::file(
            &w.db,
            first,
            "园区又一号需求",
            "请派人来园区看看这个问题。",
            now()
        )
        .await,
        Err(domain::Error::Throttled("enterprise-throttled"))
    ));
    enterprises::file(
        &w.db,
        &w.ande.1,
        "园区同事的需求",
        "请派人来园区看看这个问题。",
        now(),
    )
    .await?;
    assert_eq!(cases().await?, OPEN_PER_CONTACT + 1);
    Ok(())
}

#[tokio::test]
async fn a_contact_speaks_for_one_enterprise_while_they_hold_the_role() -> TestResult {
    let w = World::new().await?;
    let (first, _) = &w.ande;
    assert_refused(
        memberships::add(
            &w.db,
            &w.admin,
            first.user.id,
            Group::Enterprise,
            w.enterprises.1,
            now(),
        )
        .await,
        "admin-contact-elsewhere",
        memberships::REFUSAL_CODES,
    );
    // Adding them where they are already changes nothing.
    memberships::add(
        &w.db,
        &w.admin,
        first.user.id,
        Group::Enterprise,
        w.enterprises.0,
        now(),
    )
    .await?;
    let people = memberships::people(&w.db, &w.admin, Group::Enterprise, w.enterprises.0).await?;
    assert_eq!(people.len(), 2);
    assert!(people.iter().all(|p| p.role == Role::EnterpriseContact));

    // Taking the role back ends the contact: no board, no requests.
    accounts::revoke(
        &w.db,
        Actor::admin(&w.admin)?,
        first.user.id,
        Role::EnterpriseContact,
        now(),
    )
    .await?;
    let first = refresh(&w.db, first.clone()).await?;
    assert!(enterprises::of_contact(&w.db, &first).await?.is_none());
    assert_not_found(enterprises::board(&w.db, &first, w.enterprises.0).await);
    forbidden(
        enterprises::file(
            &w.db,
            &first,
            "新员工反诈宣讲",
            "本月新入职四十多名员工。",
            now(),
        )
        .await,
    );
    assert_eq!(
        memberships::people(&w.db, &w.admin, Group::Enterprise, w.enterprises.0)
            .await?
            .len(),
        1
    );

    // A retired enterprise's board stays readable and takes no new request.
    directory::retire(&w.db, &w.admin, Place::Enterprise, w.enterprises.1, now()).await?;
    assert!(
        !enterprises::board(&w.db, &w.chuanhua, w.enterprises.1)
            .await?
            .may_file
    );
    forbidden(
        enterprises::file(
            &w.db,
            &w.chuanhua,
            "夜间货车油箱被盗",
            "近一个月有三辆货车油箱被撬。",
            now(),
        )
        .await,
    );
    Ok(())
}

/// Eight admins at once make one person a contact of eight enterprises: the person is the
/// table's key, so exactly one wins and the others are told where the person is.
#[tokio::test]
async fn racing_admins_tie_a_contact_to_one_enterprise() -> TestResult {
    let w = World::new().await?;
    let person = person(&w.db, "13800000099", &[Role::Resident], None, None, now()).await?;
    let mut places = Vec::new();
    for n in 0..8 {
        places.push(
            directory::create(
                &w.db,
                &w.admin,
                Place::Enterprise,
                place(&format!("园区企业{n}号"), w.park, "园区"),
                now(),
            )
            .await?,
        );
    }
    let barrier = Arc::new(Barrier::new(places.len()));
    let mut tasks = Vec::new();
    for id in places {
        let (db, admin, barrier) = (w.db.clone(), w.admin.clone(), barrier.clone());
        let user = person.user.id;
        tasks.push(tokio::spawn(async move {
            barrier.wait().await;
            memberships::add(&db, &admin, user, Group::Enterprise, id, now()).await
        }));
    }
    let mut won = 0;
    for task in tasks {
        match task.await? {
            Ok(()) => won += 1,
            Err(domain::Error::Invalid("admin-contact-elsewhere")) => {}
            Err(e) => return Err(format!("{e:?} on {}", testing::engine()).into()),
        }
    }
    assert_eq!(won, 1);
    assert_eq!(memberships::of(&w.db, person.user.id).await?.len(), 1);
    Ok(())
}

#[tokio::test]
async fn schools_and_enterprises_sit_in_a_community() -> TestResult {
    let w = World::new().await?;
    let refused = |r, code| assert_refused(r, code, directory::REFUSAL_CODES);
    let school = directory::create(
        &w.db,
        &w.admin,
        Place::School,
        place("镇海中学", w.park, "正门"),
        now(),
    )
    .await?;
    refused(
        directory::create(
            &w.db,
            &w.admin,
            Place::School,
            Fields {
                name: "无处中学".into(),
                address: "某处".into(),
                ..Fields::default()
            },
            now(),
        )
        .await,
        "directory-parent-missing",
    );
    refused(
        directory::create(
            &w.db,
            &w.admin,
            Place::Enterprise,
            place("安德机械", w.park, "园区东路 8 号"),
            now(),
        )
        .await,
        "directory-name-taken",
    );
    refused(
        directory::create(
            &w.db,
            &w.admin,
            Place::School,
            place("没有地址", w.park, ""),
            now(),
        )
        .await,
        "directory-address-invalid",
    );
    // The community is not retired while its school and enterprises serve.
    assert_refused(
        directory::retire(&w.db, &w.admin, Place::Community, w.park, now()).await,
        "directory-has-children",
        directory::REFUSAL_CODES,
    );
    let entry = directory::get(&w.db, Place::School, school).await?;
    assert_eq!(
        (entry.fields.parent, entry.fields.address.as_str()),
        (Some(w.park), "正门")
    );
    Ok(())
}

/// The migration that added the enterprise kind widened the CHECK of `cases.kind`. On
/// SQLite a CHECK is changed by rewriting the table's definition; copying the table instead
/// would have deleted the history rows whose foreign keys point at it. A database with cases
/// from before is upgraded here and keeps them all.
#[tokio::test]
async fn the_upgrade_keeps_every_case_and_its_history() -> TestResult {
    use domain::migration::Migrator;
    use sea_orm_migration::MigratorTrait;
    let url = testing::fresh_url().await?;
    let db = domain::db::connect(&url).await?;
    let before = Migrator::migrations().len() - 1;
    Migrator::up(&db, Some(u32::try_from(before)?)).await?;
    let then = now() - Duration::days(3);
    let officer = person(&db, "13800000002", &[Role::Officer], None, None, then).await?;
    let community = community::ActiveModel {
        name: Set("后海塘社区".to_owned()),
        is_demo: Set(false),
        ..Default::default()
    }
    .insert(&db)
    .await?;
    let form = NewCase {
        kind: "walk_in".into(),
        title: "园区门口交通拥堵".into(),
        community_id: Some(community.id),
        ..NewCase::default()
    };
    let case = casework::open(&db, &officer, form, then).await?;
    casework::triage(&db, &officer, &case.code, then).await?;
    let history = case_entry::Entity::find().count(&db).await?;
    assert_eq!(history, 2);

    Migrator::up(&db, None).await?;
    db.close().await?;
    let db = domain::db::connect(&url).await?;
    assert_eq!(case_entry::Entity::find().count(&db).await?, history);
    let kept = case_record::Entity::find_by_id(case.id)
        .one(&db)
        .await?
        .ok_or("case gone")?;
    assert_eq!((kept.kind, kept.stage), (Kind::WalkIn, Stage::Triage));
    // The widened CHECK takes the new kind, and still refuses one it does not list.
    case_record::Entity::update_many()
        .col_expr(
            case_record::Column::Kind,
            sea_orm::sea_query::Expr::value("enterprise"),
        )
        .filter(case_record::Column::Id.eq(case.id))
        .exec(&db)
        .await?;
    assert!(
        case_record::Entity::update_many()
            .col_expr(
                case_record::Column::Kind,
                sea_orm::sea_query::Expr::value("rumour")
            )
            .filter(case_record::Column::Id.eq(case.id))
            .exec(&db)
            .await
            .is_err()
    );
    // The other checks of the table stayed: an organisation kind the loop does not know.
    assert!(
        case_record::Entity::update_many()
            .col_expr(
                case_record::Column::OrgKind,
                sea_orm::sea_query::Expr::value("moon")
            )
            .filter(case_record::Column::Id.eq(case.id))
            .exec(&db)
            .await
            .is_err()
    );
    Ok(())
}

#[tokio::test]
async fn the_demo_park_has_its_enterprises_contacts_and_requests() -> TestResult {
    use domain::demo::{self, ENTERPRISE_CONTACT_PHONE, Outcome};
    use domain::entities::school;
    let db = testing::fresh_db().await?;
    assert_eq!(demo::load(&db).await?, Outcome::Loaded);
    let user = accounts::find_by_phone(&db, ENTERPRISE_CONTACT_PHONE)
        .await?
        .ok_or("the demo contact")?;
    let contact = Account {
        roles: accounts::roles_of(&db, user.id).await?,
        user,
    };
    assert!(contact.has(Role::EnterpriseContact));
    let ande = enterprises::of_contact(&db, &contact)
        .await?
        .ok_or("安德机械")?;
    assert_eq!(ande.name, "安德机械");
    let board = enterprises::board(&db, &contact, ande.id).await?;
    let stages: Vec<Stage> = board.requests.iter().map(|r| r.stage).collect();
    assert_eq!(stages, [Stage::Intake, Stage::InProgress, Stage::Closed]);
    assert!(board.requests.iter().any(|r| r.mine) && board.requests.iter().any(|r| !r.mine));
    assert!(board.requests[2].outcome.is_some() && board.requests[2].closed_at.is_some());
    assert_eq!(school::Entity::find().count(&db).await?, 1);
    assert_eq!(demo::load(&db).await?, Outcome::AlreadyLoaded);
    assert_eq!(
        case_record::Entity::find()
            .filter(case_record::Column::Kind.eq("enterprise"))
            .count(&db)
            .await?,
        5
    );
    Ok(())
}
