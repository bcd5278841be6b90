//! The directory kept by admins — create, rename, move, retire — and the directory file's
//! import, on whichever engine TEST_DATABASE_URL names. Starts from an empty database, as
//! a real station does.

use chrono::Utc;
use domain::accounts::{self, Account, Registration, Role};
use domain::directory::admin::{self, Fields, REFUSAL_CODES};
use domain::directory::{self, Kind, import};
use domain::entities::admin_log;
use domain::{DatabaseConnection, testing};
use sea_orm::{EntityTrait, PaginatorTrait};

type TestResult = Result<(), Box<dyn std::error::Error>>;

const UTF8: &[u8] = include_bytes!("../../server/tests/data/directory-utf8.csv");
const UTF8_BOM: &[u8] = include_bytes!("../../server/tests/data/directory-utf8-bom.csv");
const GBK: &[u8] = include_bytes!("../../server/tests/data/directory-gbk.csv");
const ERRORS: &[u8] = include_bytes!("../../server/tests/data/directory-errors.csv");

async fn start() -> Result<(DatabaseConnection, Account), Box<dyn std::error::Error>> {
    let db = testing::fresh_db().await?;
    let admin = testing::person(&db, "13700000001", &[Role::Admin], None, None, Utc::now()).await?;
    Ok((db, admin))
}

fn named(name: &str) -> Fields {
    Fields {
        name: name.to_owned(),
        ..Fields::default()
    }
}

fn under(name: &str, parent: i32) -> Fields {
    Fields {
        parent: Some(parent),
        ..named(name)
    }
}

fn room(name: &str, community: Option<i32>) -> Fields {
    Fields {
        parent: community,
        address: "海港路3号".into(),
        hours: "周一至周五 9:00-17:00".into(),
        phone: "0574-8600 0000".into(),
        ..named(name)
    }
}

async fn log_rows(db: &DatabaseConnection) -> Result<u64, sea_orm::DbErr> {
    admin_log::Entity::find().count(db).await
}

#[tokio::test]
async fn an_admin_creates_renames_moves_and_retires_and_history_stays() -> TestResult {
    let (db, admin) = start().await?;
    let now = Utc::now();
    let office = admin::create(
        &db,
        &admin,
        Kind::PoliceOffice,
        Fields {
            address: "海港路1号".into(),
            ..named("海港警务室")
        },
        now,
    )
    .await?;
    let harbour =
        admin::create(&db, &admin, Kind::Community, under("海港社区", office), now).await?;
    let lighthouse = admin::create(&db, &admin, Kind::Community, named("灯塔社区"), now).await?;
    let compound =
        admin::create(&db, &admin, Kind::Compound, under("渔港新村", harbour), now).await?;
    let main = admin::create(
        &db,
        &admin,
        Kind::MediationRoom,
        room("海港调解室", None),
        now,
    )
    .await?;
    let branch = admin::create(
        &db,
        &admin,
        Kind::MediationRoom,
        room("灯塔分室", Some(lighthouse)),
        now,
    )
    .await?;
    let rooms = directory::mediation_rooms(&db).await?;
    assert_eq!(
        rooms.iter().map(|r| r.id).collect::<Vec<_>>(),
        [main, branch]
    );
    assert_eq!(
        rooms[1].parent_id,
        Some(main),
        "a room in a community is a branch"
    );
    assert_eq!(rooms[0].phone, "0574-8600 0000");

    // Rename, and move the compound to the other community.
    admin::save(
        &db,
        &admin,
        Kind::Community,
        lighthouse,
        under("灯塔新社区", office),
        now,
    )
    .await?;
    admin::save(
        &db,
        &admin,
        Kind::Compound,
        compound,
        under("渔港新村", lighthouse),
        now,
    )
    .await?;
    let choices = directory::communities_with_compounds(&db).await?;
    let names: Vec<(&str, usize)> = choices
        .iter()
        .map(|(c, compounds)| (c.name.as_str(), compounds.len()))
        .collect();
    assert_eq!(names, [("海港社区", 0), ("灯塔新社区", 1)]);

    // Nothing under a parent is left under nothing: the community keeps its compound and room.
    testing::assert_refused(
        admin::retire(&db, &admin, Kind::Community, lighthouse, now).await,
        "directory-has-children",
        REFUSAL_CODES,
    );
    admin::retire(&db, &admin, Kind::MediationRoom, branch, now).await?;
    admin::retire(&db, &admin, Kind::Compound, compound, now).await?;
    admin::retire(&db, &admin, Kind::Community, lighthouse, now).await?;
    testing::assert_refused(
        admin::retire(&db, &admin, Kind::Community, lighthouse, now).await,
        "directory-retired",
        REFUSAL_CODES,
    );

    // Gone from every choice, still there with its name.
    assert_eq!(directory::mediation_rooms(&db).await?.len(), 1);
    assert_eq!(directory::communities_with_compounds(&db).await?.len(), 1);
    assert_eq!(directory::communities(&db).await?.len(), 1);
    let kept = admin::get(&db, Kind::Community, lighthouse).await?;
    assert_eq!(kept.fields.name, "灯塔新社区");
    assert!(kept.retired_at.is_some());
    let assignable = domain::casework::assignable(&db).await?;
    assert!(!assignable.iter().any(|(_, name)| name == "灯塔分室"));
    let named_in_history = domain::casework::organisations(&db).await?;
    assert!(named_in_history.iter().any(|(_, name)| name == "灯塔分室"));

    // Registering in it is refused, even from a form shown before it was retired.
    let form = |community, compound| Registration {
        phone: "13812345678".into(),
        password: "haitian-xiongzhen".into(),
        community_id: Some(community),
        compound_id: compound,
        consent: true,
        notice_version: "test".into(),
        code: None,
    };
    assert!(matches!(
        accounts::register(&db, form(lighthouse, None), now).await,
        Err(domain::Error::Invalid("account-community-required"))
    ));
    assert!(matches!(
        accounts::register(&db, form(harbour, Some(compound)), now).await,
        Err(domain::Error::Invalid("account-compound-mismatch"))
    ));

    // Moving into a retired community is refused; restoring brings it back.
    testing::assert_refused(
        admin::save(
            &db,
            &admin,
            Kind::Compound,
            compound,
            under("渔港新村", lighthouse),
            now,
        )
        .await,
        "directory-retired",
        REFUSAL_CODES,
    );
    testing::assert_refused(
        admin::create(&db, &admin, Kind::Compound, under("新村", lighthouse), now).await,
        "directory-parent-retired",
        REFUSAL_CODES,
    );
    admin::restore(&db, &admin, Kind::Community, lighthouse, now).await?;
    assert_eq!(directory::communities(&db).await?.len(), 2);

    // Every act is in the admin log with what was before and after.
    let log = admin_log::Entity::find().all(&db).await?;
    let actions: Vec<&str> = log.iter().map(|l| l.action.as_str()).collect();
    assert_eq!(actions.iter().filter(|a| **a == "org_created").count(), 6);
    assert_eq!(actions.iter().filter(|a| **a == "org_changed").count(), 2);
    assert_eq!(actions.iter().filter(|a| **a == "org_retired").count(), 3);
    assert_eq!(actions.iter().filter(|a| **a == "org_restored").count(), 1);
    let rename = log
        .iter()
        .find(|l| {
            l.action.as_str() == "org_changed" && l.subject == format!("community:{lighthouse}")
        })
        .ok_or("the rename is logged")?;
    assert!(
        rename.value_before.starts_with("灯塔社区"),
        "{}",
        rename.value_before
    );
    assert!(
        rename.value_after.starts_with("灯塔新社区"),
        "{}",
        rename.value_after
    );
    assert!(log.iter().all(|l| l.actor_id == Some(admin.user.id)));
    Ok(())
}

#[tokio::test]
async fn only_admins_keep_the_directory_and_names_are_checked() -> TestResult {
    let (db, admin) = start().await?;
    let now = Utc::now();
    let officer = testing::person(&db, "13900000201", &[Role::Officer], None, None, now).await?;
    testing::assert_forbidden(
        admin::create(&db, &officer, Kind::Squad, named("巡逻队"), now).await,
    );
    testing::assert_forbidden(admin::all(&db, &officer).await);
    testing::assert_forbidden(import::upload(&db, &officer, UTF8, now).await);
    testing::assert_refused(
        admin::create(&db, &admin, Kind::Squad, named("甲"), now).await,
        "directory-name-invalid",
        REFUSAL_CODES,
    );
    admin::create(&db, &admin, Kind::Squad, named("巡逻队"), now).await?;
    testing::assert_refused(
        admin::create(&db, &admin, Kind::Squad, named("巡逻队"), now).await,
        "directory-name-taken",
        REFUSAL_CODES,
    );
    testing::assert_refused(
        admin::create(&db, &admin, Kind::Compound, named("渔港新村"), now).await,
        "directory-parent-missing",
        REFUSAL_CODES,
    );
    testing::assert_refused(
        admin::create(&db, &admin, Kind::Compound, under("渔港新村", 4242), now).await,
        "directory-parent-invalid",
        REFUSAL_CODES,
    );
    testing::assert_refused(
        admin::create(
            &db,
            &admin,
            Kind::MediationRoom,
            Fields {
                phone: "call me".into(),
                ..room("海港调解室", None)
            },
            now,
        )
        .await,
        "directory-phone-invalid",
        REFUSAL_CODES,
    );
    assert_eq!(log_rows(&db).await?, 1, "only the one squad was made");
    Ok(())
}

#[tokio::test]
async fn two_admins_retiring_at_once_retire_once() -> TestResult {
    let (db, admin) = start().await?;
    let now = Utc::now();
    let squad = admin::create(&db, &admin, Kind::Squad, named("巡逻队"), now).await?;
    let tries = (0..8).map(|_| {
        let (db, admin) = (db.clone(), admin.clone());
        tokio::spawn(
            async move { admin::retire(&db, &admin, Kind::Squad, squad, Utc::now()).await },
        )
    });
    let mut retired = 0;
    for done in joined(tries).await? {
        match done {
            Ok(()) => retired += 1,
            Err(domain::Error::Invalid("directory-retired")) => {}
            Err(e) => return Err(e.into()),
        }
    }
    assert_eq!(retired, 1);
    let retirements = admin_log::Entity::find()
        .all(&db)
        .await?
        .into_iter()
        .filter(|l| l.action.as_str() == "org_retired")
        .count();
    assert_eq!(retirements, 1);
    Ok(())
}

/// Every task's answer, once all have been started.
async fn joined<T: Send + 'static>(
    tasks: impl Iterator<Item = tokio::task::JoinHandle<T>>,
) -> Result<Vec<T>, tokio::task::JoinError> {
    let mut out = Vec::new();
    for task in tasks.collect::<Vec<_>>() {
        out.push(task.await?);
    }
    Ok(out)
}

#[tokio::test]
async fn a_file_in_utf8_bom_or_gbk_previews_then_applies_once_and_again_changes_nothing()
-> TestResult {
    let (db, admin) = start().await?;
    let now = Utc::now();
    let mut ids = Vec::new();
    for (bytes, encoding) in [(UTF8, "utf-8"), (UTF8_BOM, "utf-8-bom"), (GBK, "gbk")] {
        let id = import::upload(&db, &admin, bytes, now).await?;
        let preview = import::preview(&db, &admin, id).await?;
        assert_eq!(preview.encoding, encoding);
        assert_eq!(preview.problems, [], "{encoding}");
        assert_eq!(preview.created.len(), 10, "{encoding}");
        assert_eq!((preview.updated.len(), preview.unchanged), (0, 0));
        ids.push(id);
    }
    // A preview changes nothing.
    assert_eq!(directory::counts(&db).await?.communities, 0);
    assert_eq!(log_rows(&db).await?, 0);

    let applied = import::apply(&db, &admin, ids[0], now).await?;
    assert_eq!(applied.created.len(), 10);
    let counts = directory::counts(&db).await?;
    assert_eq!(
        (
            counts.police_offices,
            counts.communities,
            counts.compounds,
            counts.aid_stations
        ),
        (1, 2, 2, 1)
    );
    assert_eq!(
        (counts.branch_rooms, counts.liaison_rooms, counts.squads),
        (1, 1, 1)
    );
    let station = admin::of_kind(&db, Kind::AidStation).await?.remove(0);
    assert_eq!(
        (
            station.fields.initiator.as_str(),
            station.fields.coordinator.as_str(),
            station.fields.officer.as_str()
        ),
        ("李建国", "王秀英", "陈警官")
    );
    assert!(
        station.fields.compound.is_some(),
        "社区/小区 names the compound"
    );
    let logged = log_rows(&db).await?;
    assert_eq!(logged, 11, "ten organisations and the import");

    testing::assert_refused(
        import::apply(&db, &admin, ids[0], now).await,
        "directory-import-applied",
        import::REFUSAL_CODES,
    );
    // The same directory again, from Excel's GBK: nothing to do, and nothing done.
    let again = import::preview(&db, &admin, ids[2]).await?;
    assert_eq!(
        (again.created.len(), again.updated.len(), again.unchanged),
        (0, 0, 10)
    );
    import::apply(&db, &admin, ids[2], now).await?;
    assert_eq!(directory::counts(&db).await?, counts);
    assert_eq!(log_rows(&db).await?, logged + 1, "only the import itself");

    // The export is the same directory: importing it changes nothing either.
    let exported = directory::file::write(&admin::all(&db, &admin).await?)?;
    assert!(
        exported.starts_with(b"\xEF\xBB\xBF"),
        "Excel reads the mark as UTF-8"
    );
    let id = import::upload(&db, &admin, &exported, now).await?;
    let round = import::preview(&db, &admin, id).await?;
    assert_eq!(
        (
            round.created.len(),
            round.updated.len(),
            round.problems.len()
        ),
        (0, 0, 0)
    );
    Ok(())
}

#[tokio::test]
async fn a_file_with_problems_names_each_line_and_applies_nothing() -> TestResult {
    let (db, admin) = start().await?;
    let now = Utc::now();
    let id = import::upload(&db, &admin, ERRORS, now).await?;
    let preview = import::preview(&db, &admin, id).await?;
    let lines: Vec<(u64, &str)> = preview.problems.iter().map(|p| (p.line, p.code)).collect();
    assert_eq!(
        lines,
        [
            (2, "directory-file-parent-unknown"),
            (3, "directory-file-kind"),
            (4, "directory-file-not-used"),
            (5, "directory-file-status"),
            (6, "directory-name-invalid"),
        ]
    );
    testing::assert_refused(
        import::apply(&db, &admin, id, now).await,
        "directory-import-problems",
        import::REFUSAL_CODES,
    );
    assert_eq!(
        directory::counts(&db).await?.communities,
        0,
        "all or nothing"
    );
    assert_eq!(log_rows(&db).await?, 0);
    testing::assert_refused(
        import::upload(&db, &admin, &[0xff, 0xfe, 0x00, 0xd8], now).await,
        "directory-file-encoding",
        directory::file::REFUSAL_CODES,
    );
    Ok(())
}

#[tokio::test]
async fn a_file_retires_and_restores_and_a_parent_may_come_in_the_same_file() -> TestResult {
    let (db, admin) = start().await?;
    let now = Utc::now();
    let id = import::upload(&db, &admin, UTF8, now).await?;
    import::apply(&db, &admin, id, now).await?;
    // Retire a community with everything under it, children listed after their parent.
    let retire = "类型,名称,上级,状态\n社区,灯塔社区,海港警务室,撤销\n小区,灯塔花园,灯塔社区,撤销\n\
                  调解室,海港调解室·灯塔分室,灯塔社区,撤销\n";
    let id = import::upload(&db, &admin, retire.as_bytes(), now).await?;
    let preview = import::preview(&db, &admin, id).await?;
    assert_eq!(preview.problems, []);
    assert_eq!(
        preview.updated.len(),
        3,
        "the file has no address: addresses stay"
    );
    assert!(preview.updated.iter().all(|c| c.retired));
    import::apply(&db, &admin, id, now).await?;
    let counts = directory::counts(&db).await?;
    assert_eq!(
        (counts.communities, counts.compounds, counts.branch_rooms),
        (1, 1, 0)
    );
    let room = admin::of_kind(&db, Kind::MediationRoom).await?.remove(1);
    assert_eq!(room.fields.address, "灯塔路8号");
    // A new squad with its parent office made in the same file, and the community back.
    let more = "kind,name,parent,address,status\npolice_office,东门警务室,,东门路2号,\n\
                liaison_room,东门联络室,东门警务室,,\ncommunity,灯塔社区,海港警务室,,在用\n";
    let id = import::upload(&db, &admin, more.as_bytes(), now).await?;
    let applied = import::apply(&db, &admin, id, now).await?;
    assert_eq!((applied.created.len(), applied.updated.len()), (2, 1));
    assert_eq!(directory::counts(&db).await?.communities, 2);
    Ok(())
}
