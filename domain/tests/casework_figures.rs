//! 警网融合 figures for the officers' board, on whichever engine TEST_DATABASE_URL names:
//! cases counted by kind, stage and organisation, the median hours of each stage, the
//! share solved without the police, the period's bounds, who may see them, the mediation,
//! volunteer and notice figures beside them, and the CSV behind each chart.
//!
//! Each test builds its own small world: a community with a mutual-aid station, a
//! mediation room and a police office, an officer and a resident written straight into
//! the tables. Cases move through `casework` with a fixed clock, so every stage's duration
//! is known. Times are local (Ningbo, UTC+8) from Tuesday 2026-12-01 (day 0); the figures
//! are taken at 09:00 on day 20, for the 30 days before.

use std::error::Error as StdError;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use domain::accounts::{Account, Role};
use domain::casework::figures::{self, Figures, Period};
use domain::casework::{self, Closing, NewCase, Org, OrgKind};
use domain::entities::{
    aid_station, community, mediation_case, mediation_room, police_office, shift, shift_signup,
    squad,
};
use domain::mediation::{DisputeType, Level, Mode, Outcome, Status};
use domain::notices::{self, Draft};
use domain::time::at_local;
use domain::volunteers::ShiftKind;
use domain::{DatabaseConnection, Error, testing};
use sea_orm::{ActiveModelTrait, ActiveValue::Set};

type TestResult = Result<(), Box<dyn StdError>>;

// ---------------------------------------------------------------------------------------
// Time

/// Tuesday 2026-12-01, a local date.
fn day0() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 12, 1).expect("a date")
}

/// `days` after day 0, at `hour:00` local time.
fn at(days: i64, hour: i32) -> DateTime<Utc> {
    at_local(day0() + Duration::days(days), hour * 60).expect("a local time")
}

/// When the figures are taken: 09:00 on day 20.
fn now() -> DateTime<Utc> {
    at(20, 9)
}

/// The 30 days before now: from 09:00 on day -10.
fn month() -> Period {
    Period::last_days(30, now())
}

// ---------------------------------------------------------------------------------------
// The world each test starts from

struct World {
    db: DatabaseConnection,
    community: i32,
    other_community: i32,
    aid_station: Org,
    room: Org,
    office: Org,
    officer: Account,
    resident: Account,
}

impl World {
    async fn new() -> Result<World, Box<dyn StdError>> {
        let db = testing::fresh_db().await?;
        let office = police_office::ActiveModel {
            name: Set("招宝山警务室".to_owned()),
            address: Set("招宝山路1号".to_owned()),
            speciality: Set("茶馆".to_owned()),
            is_demo: Set(false),
            ..Default::default()
        }
        .insert(&db)
        .await?
        .id;
        let community = add_community(&db, "后海塘社区", Some(office)).await?;
        let other_community = add_community(&db, "白龙社区", None).await?;
        let aid_station = aid_station::ActiveModel {
            community_id: Set(community),
            compound_id: Set(None),
            name: Set("后海塘自治互助站".to_owned()),
            is_demo: Set(false),
            ..Default::default()
        }
        .insert(&db)
        .await?
        .id;
        let room = mediation_room::ActiveModel {
            name: Set("老何调解室".to_owned()),
            community_id: Set(None),
            parent_id: Set(None),
            address: Set("招宝山路2号".to_owned()),
            hours: Set("09:00–17:00".to_owned()),
            is_demo: Set(false),
            ..Default::default()
        }
        .insert(&db)
        .await?
        .id;
        let officer = person(&db, "13900000001", &[Role::Officer], None).await?;
        let resident = person(&db, "13900000002", &[Role::Resident], Some(community)).await?;
        Ok(World {
            db,
            community,
            other_community,
            aid_station: org(OrgKind::AidStation, aid_station),
            room: org(OrgKind::MediationRoom, room),
            office: org(OrgKind::PoliceOffice, office),
            officer,
            resident,
        })
    }

    /// The officer opens a case of `kind` at `when`; it starts at intake.
    async fn open(&self, kind: &str, when: DateTime<Utc>) -> Result<String, Box<dyn StdError>> {
        let form = NewCase {
            kind: kind.to_owned(),
            title: format!("{kind}: 楼道堆物占道"),
            summary: "楼道里堆满纸箱，邻居反映有消防隐患。".to_owned(),
            contact_name: "王阿姨".to_owned(),
            contact_phone: String::new(),
            community_id: Some(self.community),
            household: String::new(),
        };
        Ok(casework::open(&self.db, &self.officer, form, when)
            .await?
            .code)
    }

    async fn triage(&self, code: &str, when: DateTime<Utc>) -> TestResult {
        Ok(casework::triage(&self.db, &self.officer, code, when).await?)
    }

    async fn assign(&self, code: &str, to: Org, reason: &str, when: DateTime<Utc>) -> TestResult {
        Ok(casework::assign(&self.db, &self.officer, code, to, None, reason, when).await?)
    }

    async fn start(&self, code: &str, when: DateTime<Utc>) -> TestResult {
        Ok(casework::start(&self.db, &self.officer, code, when).await?)
    }

    async fn report(&self, code: &str, when: DateTime<Utc>) -> TestResult {
        Ok(casework::report(&self.db, &self.officer, code, "已清理堆物", when).await?)
    }

    async fn close(&self, code: &str, when: DateTime<Utc>) -> TestResult {
        let closing = Closing {
            feedback: "满意，谢谢".to_owned(),
            rating: Some(5),
            no_feedback_reason: String::new(),
        };
        Ok(casework::close(&self.db, &self.officer, code, closing, when).await?)
    }

    /// A case taken all the way round: opened at `opened`, then each later step the given
    /// number of hours after the one before (triage, assign to `to`, start, report, close).
    async fn closed_case(
        &self,
        kind: &str,
        to: Org,
        opened: DateTime<Utc>,
        hours: [i64; 5],
    ) -> TestResult {
        let code = self.open(kind, opened).await?;
        let mut when = opened;
        let mut next = |h: i64| {
            when += Duration::hours(h);
            when
        };
        self.triage(&code, next(hours[0])).await?;
        self.assign(&code, to, "", next(hours[1])).await?;
        self.start(&code, next(hours[2])).await?;
        self.report(&code, next(hours[3])).await?;
        self.close(&code, next(hours[4])).await
    }

    async fn figures(&self, period: Period) -> Result<Figures, Box<dyn StdError>> {
        Ok(figures::figures(&self.db, &self.officer, period, now()).await?)
    }
}

fn org(kind: OrgKind, id: i32) -> Org {
    Org { kind, id: Some(id) }
}

async fn add_community(
    db: &DatabaseConnection,
    name: &str,
    police_office: Option<i32>,
) -> Result<i32, Box<dyn StdError>> {
    Ok(community::ActiveModel {
        name: Set(name.to_owned()),
        police_office_id: Set(police_office),
        is_demo: Set(false),
        ..Default::default()
    }
    .insert(db)
    .await?
    .id)
}

/// An account written straight into the tables: nobody signs in here.
async fn person(
    db: &DatabaseConnection,
    phone: &str,
    roles: &[Role],
    community: Option<i32>,
) -> Result<Account, Box<dyn StdError>> {
    Ok(testing::person(db, phone, roles, community, None, at(-60, 8)).await?)
}

fn counts(items: &[(&str, u64)]) -> Vec<(String, u64)> {
    items.iter().map(|(l, n)| ((*l).to_owned(), *n)).collect()
}

// ---------------------------------------------------------------------------------------
// Cases

/// Five cases opened in the month (A, B, C, D, F) and one before it (E). Hours spent in
/// intake, triage, assigned, in progress, feedback:
///
/// - A, walk_in, day 1 09:00: 2, 5, 1, 10, 24; closed at the aid station.
/// - B, phone, day 2 09:00: 4, 3, 2, 6, 12; closed at the police office.
/// - C, patrol, day 3 09:00: 6, 1, 4, then in progress at the room until now (397).
/// - D, walk_in, day 19 09:00: at intake until now (24).
/// - F, phone, day 4 09:00: 1, 2, then assigned to the aid station, transferred to the
///   station 3 h later and still assigned there (381 in all).
/// - E, walk_in, day -15 09:00: an hour in each stage, closed at the aid station.
async fn five_cases(world: &World) -> TestResult {
    world
        .closed_case("walk_in", world.aid_station, at(1, 9), [2, 5, 1, 10, 24])
        .await?;
    world
        .closed_case("phone", world.office, at(2, 9), [4, 3, 2, 6, 12])
        .await?;
    let c = world.open("patrol", at(3, 9)).await?;
    world.triage(&c, at(3, 15)).await?;
    world.assign(&c, world.room, "", at(3, 16)).await?;
    world.start(&c, at(3, 20)).await?;
    world.open("walk_in", at(19, 9)).await?;
    let f = world.open("phone", at(4, 9)).await?;
    world.triage(&f, at(4, 10)).await?;
    world.assign(&f, world.aid_station, "", at(4, 12)).await?;
    world
        .assign(&f, Org::STATION, "需要民警上门处理", at(4, 15))
        .await?;
    world
        .closed_case("walk_in", world.aid_station, at(-15, 9), [1, 1, 1, 1, 1])
        .await
}

#[tokio::test]
async fn cases_are_counted_by_kind_stage_and_organisation() -> TestResult {
    let world = World::new().await?;
    five_cases(&world).await?;
    let figures = world.figures(month()).await?;
    assert_eq!(
        figures.by_kind,
        counts(&[
            ("mediation", 0),
            ("thread", 0),
            ("help", 0),
            ("walk_in", 2),
            ("phone", 2),
            ("patrol", 1),
            ("enterprise", 0),
        ]),
        "on {}",
        testing::engine()
    );
    assert_eq!(
        figures.by_stage,
        counts(&[
            ("intake", 1),
            ("triage", 0),
            ("assigned", 1),
            ("in_progress", 1),
            ("feedback", 0),
            ("closed", 2),
        ])
    );
    assert_eq!(
        figures.by_org,
        counts(&[
            ("aid_station", 1),
            ("mediation_room", 1),
            ("squad", 0),
            ("police_office", 1),
            ("station", 1),
            ("unassigned", 1),
        ])
    );
    Ok(())
}

#[tokio::test]
async fn each_stage_has_the_median_of_the_hours_cases_spent_in_it() -> TestResult {
    let world = World::new().await?;
    five_cases(&world).await?;
    let figures = world.figures(month()).await?;
    // intake: 1, 2, 4, 6, 24 (D until now) → 4; triage: 1, 2, 3, 5 → 2.5;
    // assigned: 1, 2, 4 and F's 381 (3 h at the aid station, then at the station until
    // now: one stay) → 3; in progress: 6, 10 and C's 397 until now → 10; feedback: 12, 24.
    assert_eq!(
        figures.median_hours,
        vec![
            ("intake".to_owned(), Some(4.0)),
            ("triage".to_owned(), Some(2.5)),
            ("assigned".to_owned(), Some(3.0)),
            ("in_progress".to_owned(), Some(10.0)),
            ("feedback".to_owned(), Some(18.0)),
        ],
        "on {}",
        testing::engine()
    );
    Ok(())
}

#[tokio::test]
async fn a_case_closed_by_the_aid_station_is_solved_without_the_police() -> TestResult {
    let world = World::new().await?;
    five_cases(&world).await?;
    let figures = world.figures(month()).await?;
    assert_eq!(
        figures.without_police,
        vec![
            ("aid_station".to_owned(), 1, 1),
            ("mediation_room".to_owned(), 0, 0),
            ("squad".to_owned(), 0, 0),
            ("police_office".to_owned(), 1, 0),
            ("station".to_owned(), 0, 0),
        ],
        "on {}",
        testing::engine()
    );
    assert_eq!((figures.closed, figures.solved_without_police), (1 + 1, 1));
    Ok(())
}

#[tokio::test]
async fn a_period_takes_cases_opened_from_its_start_up_to_but_not_at_its_end() -> TestResult {
    let world = World::new().await?;
    five_cases(&world).await?;
    // B opened at 09:00 on day 2, C at 09:00 on day 3.
    let day_two = Period {
        from: at(2, 9),
        to: at(3, 9),
    };
    let figures = world.figures(day_two).await?;
    let opened: Vec<(String, u64)> = figures.by_kind.into_iter().filter(|k| k.1 > 0).collect();
    assert_eq!(opened, counts(&[("phone", 1)]), "on {}", testing::engine());
    assert_eq!(
        figures.median_hours.first(),
        Some(&("intake".to_owned(), Some(4.0)))
    );
    assert_eq!((figures.closed, figures.solved_without_police), (1, 0));
    // Every period: E, opened on day -15, counts too.
    let all = Period::parse("all", now()).ok_or("a period")?;
    let figures = world.figures(all).await?;
    assert_eq!(figures.by_kind.iter().map(|k| k.1).sum::<u64>(), 6);
    assert_eq!(
        figures.without_police.first(),
        Some(&("aid_station".to_owned(), 2, 2))
    );
    Ok(())
}

#[tokio::test]
async fn only_officers_and_admins_see_the_figures() -> TestResult {
    let world = World::new().await?;
    let refused = figures::figures(&world.db, &world.resident, month(), now()).await;
    assert!(
        matches!(refused, Err(Error::Forbidden)),
        "a resident: {refused:?}"
    );
    let admin = person(&world.db, "13900000003", &[Role::Admin], None).await?;
    let empty = figures::figures(&world.db, &admin, month(), now()).await?;
    assert_eq!(empty.closed, 0);
    assert!(empty.median_hours.iter().all(|(_, h)| h.is_none()));
    assert_eq!(empty.volunteer_hours, vec![("total".to_owned(), 0.0)]);
    assert!(empty.notice_reach.is_empty());
    Ok(())
}

#[tokio::test]
async fn each_chart_has_its_table_as_csv() -> TestResult {
    let world = World::new().await?;
    five_cases(&world).await?;
    let figures = world.figures(month()).await?;
    // Every table starts with a byte-order mark, for Excel.
    let csv = |table| {
        figures::csv(&figures, table)
            .and_then(|c| c.strip_prefix('\u{feff}').map(str::to_owned))
            .ok_or("a known table with a byte-order mark")
    };
    assert_eq!(
        csv("by_kind")?,
        "kind,cases\r\nmediation,0\r\nthread,0\r\nhelp,0\r\nwalk_in,2\r\nphone,2\r\npatrol,1\r\nenterprise,0\r\n"
    );
    assert_eq!(
        csv("by_org")?,
        "org_kind,cases\r\naid_station,1\r\nmediation_room,1\r\nsquad,0\r\n\
         police_office,1\r\nstation,1\r\nunassigned,1\r\n"
    );
    assert_eq!(
        csv("median_hours")?,
        "stage,median_hours\r\nintake,4.00\r\ntriage,2.50\r\nassigned,3.00\r\n\
         in_progress,10.00\r\nfeedback,18.00\r\n"
    );
    assert_eq!(
        csv("without_police")?,
        "org_kind,closed,solved_without_police\r\naid_station,1,1\r\nmediation_room,0,0\r\n\
         squad,0,0\r\npolice_office,1,0\r\nstation,0,0\r\n"
    );
    assert_eq!(
        csv("mediation")?,
        "measure,cases\r\nreceived,0\r\nconcluded,0\r\nresolved,0\r\nfollowed_up,0\r\n\
         satisfied,0\r\n"
    );
    assert!(csv("by_stage")?.starts_with("stage,cases\r\nintake,1\r\n"));
    assert_eq!(figures::csv(&figures, "cases"), None);
    Ok(())
}

// ---------------------------------------------------------------------------------------
// Mediation, volunteers and notices beside the cases

async fn mediation_case(
    world: &World,
    code: &str,
    created: DateTime<Utc>,
    outcome: Option<Outcome>,
    satisfaction: Option<i32>,
) -> TestResult {
    let room = world.room.id.ok_or("a room")?;
    mediation_case::ActiveModel {
        code: Set(code.to_owned()),
        resident_id: Set(Some(world.resident.user.id)),
        community_id: Set(Some(world.community)),
        room_id: Set(room),
        mediator_id: Set(None),
        dispute_type: Set(DisputeType::Neighbours),
        account: Set("楼上漏水，协商赔偿。".to_owned()),
        other_party: Set("楼上住户".to_owned()),
        other_relation: Set("邻居".to_owned()),
        other_phone: Set(None),
        amount_claimed: Set(None),
        tried_aid_station: Set(false),
        mode: Set(Mode::InPerson),
        level: Set(Level::Room),
        status: Set(if outcome.is_some() {
            Status::Resolved
        } else {
            Status::Requested
        }),
        outcome: Set(outcome),
        agreement: Set(None),
        amount_settled: Set(None),
        satisfaction: Set(satisfaction),
        follow_up_comment: Set(None),
        follow_up_channel: Set(satisfaction.map(|_| "phone".to_owned())),
        created_at: Set(created),
        updated_at: Set(created),
        outcome_at: Set(None),
        follow_up_at: Set(None),
        is_demo: Set(false),
        ..Default::default()
    }
    .insert(&world.db)
    .await?;
    Ok(())
}

async fn add_squad(world: &World, name: &str) -> Result<i32, Box<dyn StdError>> {
    Ok(squad::ActiveModel {
        name: Set(name.to_owned()),
        description: Set("测试".to_owned()),
        is_demo: Set(false),
        ..Default::default()
    }
    .insert(&world.db)
    .await?
    .id)
}

/// A two-hour shift of `squad` starting at `starts`, with the minutes credited to each
/// sign-up (a new volunteer each).
async fn shift_with(
    world: &World,
    squad: i32,
    starts: DateTime<Utc>,
    credited: &[(&str, i32)],
) -> TestResult {
    let shift = shift::ActiveModel {
        squad_id: Set(squad),
        kind: Set(ShiftKind::Shift),
        title: Set("夜间巡逻".to_owned()),
        place: Set("招宝山路口".to_owned()),
        starts_at: Set(starts),
        ends_at: Set(starts + Duration::hours(2)),
        min_capacity: Set(0),
        max_capacity: Set(10),
        taken: Set(i32::try_from(credited.len())?),
        signup_deadline: Set(starts),
        notes: Set(String::new()),
        created_by: Set(None),
        created_at: Set(starts - Duration::days(7)),
        is_demo: Set(false),
        ..Default::default()
    }
    .insert(&world.db)
    .await?;
    for (phone, minutes) in credited {
        let volunteer = person(&world.db, phone, &[Role::Volunteer], None).await?;
        shift_signup::ActiveModel {
            shift_id: Set(shift.id),
            user_id: Set(volunteer.user.id),
            signed_at: Set(starts - Duration::days(1)),
            withdrawn_at: Set(None),
            check_in_at: Set(Some(starts)),
            check_out_at: Set(Some(starts + Duration::minutes((*minutes).into()))),
            no_show: Set(false),
            minutes_credited: Set(*minutes),
            ..Default::default()
        }
        .insert(&world.db)
        .await?;
    }
    Ok(())
}

/// A notice for `communities` (empty: all), published at `published`.
async fn notice(
    world: &World,
    title: &str,
    communities: &[i32],
    published: DateTime<Utc>,
) -> Result<i32, Box<dyn StdError>> {
    let draft = Draft {
        title: title.to_owned(),
        body: "近期有人冒充客服来电，要求转账。".to_owned(),
        category: "fraud".to_owned(),
        severity: "info".to_owned(),
        communities: communities.to_vec(),
        starts_at: at(-30, 8),
        expires_at: at(60, 8),
        pinned: false,
    };
    let id = notices::create(&world.db, &world.officer, draft, at(-30, 8))
        .await?
        .id;
    notices::publish(&world.db, &world.officer, id, published).await?;
    Ok(id)
}

#[tokio::test]
async fn mediation_volunteer_and_notice_figures_cover_the_period() -> TestResult {
    let world = World::new().await?;
    // Mediation: four requests in the month, one before it.
    mediation_case(
        &world,
        "TJ-TEST-000001",
        at(1, 9),
        Some(Outcome::Reached),
        Some(5),
    )
    .await?;
    mediation_case(
        &world,
        "TJ-TEST-000002",
        at(2, 9),
        Some(Outcome::Partly),
        Some(3),
    )
    .await?;
    mediation_case(
        &world,
        "TJ-TEST-000003",
        at(3, 9),
        Some(Outcome::NotReached),
        None,
    )
    .await?;
    mediation_case(&world, "TJ-TEST-000004", at(4, 9), None, None).await?;
    mediation_case(
        &world,
        "TJ-TEST-000005",
        at(-12, 9),
        Some(Outcome::Reached),
        Some(5),
    )
    .await?;

    // Volunteers: 90 + 30 minutes and a no-show on the patrol squad's shift in the month,
    // 120 minutes on one before it; 45 minutes for the second squad; none for the third.
    let patrol = add_squad(&world, "义务巡逻小分队").await?;
    let fraud = add_squad(&world, "反诈宣传小分队").await?;
    add_squad(&world, "文艺小分队").await?;
    shift_with(
        &world,
        patrol,
        at(5, 19),
        &[("13700000001", 90), ("13700000002", 30), ("13700000003", 0)],
    )
    .await?;
    shift_with(&world, patrol, at(-12, 19), &[("13700000004", 120)]).await?;
    shift_with(&world, fraud, at(6, 19), &[("13700000005", 45)]).await?;

    // Notices: residents are the world's resident and another of the community, one of
    // the other community and one without a community; the officer reads but is none.
    let neighbour = person(
        &world.db,
        "13800000001",
        &[Role::Resident],
        Some(world.community),
    )
    .await?;
    let across = person(
        &world.db,
        "13800000002",
        &[Role::Resident],
        Some(world.other_community),
    )
    .await?;
    person(&world.db, "13800000003", &[Role::Resident], None).await?;
    let read = |id: i32, who: &Account| notices::mark_read(&world.db, who.user.id, id, at(9, 9));
    let everyone = notice(&world, "台风“贝碧嘉”来袭", &[], at(2, 9)).await?;
    read(everyone, &world.resident).await?;
    read(everyone, &across).await?;
    read(everyone, &world.officer).await?;
    let ours = notice(
        &world,
        "提醒：\"冒充客服\", 请核实",
        &[world.community],
        at(3, 9),
    )
    .await?;
    read(ours, &world.resident).await?;
    read(ours, &across).await?;
    read(ours, &neighbour).await?;
    let theirs = notice(
        &world,
        "白龙社区停水通知",
        &[world.other_community],
        at(4, 9),
    )
    .await?;
    read(theirs, &across).await?;
    notices::cancel(&world.db, &world.officer, theirs, at(5, 9)).await?;
    let old = notice(&world, "去年的提醒", &[], at(-15, 9)).await?;
    read(old, &world.resident).await?;
    let draft = Draft {
        title: "草稿".to_owned(),
        body: "未发布".to_owned(),
        category: "other".to_owned(),
        severity: "info".to_owned(),
        communities: Vec::new(),
        starts_at: at(-30, 8),
        expires_at: at(60, 8),
        pinned: false,
    };
    notices::create(&world.db, &world.officer, draft, at(6, 9)).await?;

    let figures = world.figures(month()).await?;
    assert_eq!(
        figures.mediation,
        (4, 3, 2, 2, 1),
        "on {}",
        testing::engine()
    );
    assert_eq!(
        figures.volunteer_hours,
        vec![
            ("义务巡逻小分队".to_owned(), 2.0),
            ("反诈宣传小分队".to_owned(), 0.75),
            ("文艺小分队".to_owned(), 0.0),
            ("total".to_owned(), 2.75),
        ]
    );
    assert_eq!(
        figures.notice_reach,
        vec![
            ("台风“贝碧嘉”来袭".to_owned(), 2, 4),
            ("提醒：\"冒充客服\", 请核实".to_owned(), 2, 2),
            ("白龙社区停水通知".to_owned(), 1, 1),
        ]
    );
    // Every table starts with a byte-order mark, for Excel.
    let csv = |table| {
        figures::csv(&figures, table)
            .and_then(|c| c.strip_prefix('\u{feff}').map(str::to_owned))
            .ok_or("a known table with a byte-order mark")
    };
    assert_eq!(
        csv("notice_reach")?,
        "notice,read,audience\r\n台风“贝碧嘉”来袭,2,4\r\n\
         \"提醒：\"\"冒充客服\"\", 请核实\",2,2\r\n白龙社区停水通知,1,1\r\n"
    );
    assert_eq!(
        csv("volunteer_hours")?,
        "squad,hours\r\n义务巡逻小分队,2.00\r\n反诈宣传小分队,0.75\r\n文艺小分队,0.00\r\n\
         total,2.75\r\n"
    );
    assert_eq!(
        csv("mediation")?,
        "measure,cases\r\nreceived,4\r\nconcluded,3\r\nresolved,2\r\nfollowed_up,2\r\n\
         satisfied,1\r\n"
    );
    Ok(())
}
