//! 警网融合 (the closed loop of cases), on whichever engine TEST_DATABASE_URL names: a case
//! from intake to closed and the moves it refuses, transfers and reopening, who may do what,
//! deadlines and the escalation up the ladder (also run by two processes at once), the job
//! lease, the append-only history, the 三色 household colours, the features that move the
//! loop by themselves (mediation requests, help requests, threads), the board each
//! organisation sees, and twenty people starting one case at once.
//!
//! Every test builds its own minimal world (a police office, its community with a branch
//! mediation room and two mutual-aid stations, a community without an office or a room, the
//! main mediation room, an officer, an admin, a worker of each station, a mediator of the
//! branch room and a resident), independent of the demo data. Accounts are written straight
//! into `user` and `user_role`. Times are fixed: "now" is 09:00 on Tuesday 2026-12-01 in
//! Ningbo (UTC+8), and every call is given the time it happens at.

use std::error::Error as StdError;
use std::fmt::Debug;
use std::sync::Arc;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use domain::accounts::{self, Account, Role};
use domain::casework::colours::{self, Colour};
use domain::casework::escalation;
use domain::casework::{
    self, Access, BoardFilter, BoardLine, Closing, Kind, NewCase, Org, OrgKind, Stage,
};
use domain::entities::{
    aid_station, case_entry, case_record, colour_view, community, job_lease, mediation_room,
    police_office, squad, squad_member,
};
use domain::mediation::schedule::{self, Schedule, Window};
use domain::mediation::{self, CaseRequest, OutcomeRecord, Policy};
use domain::teahouse::{self, Limits, NewBoard, NewThread, ThreadCase};
use domain::testing::{assert_forbidden as forbidden, assert_not_found as not_found};
use domain::time::at_local;
use domain::volunteers::{self, Application, help};
use domain::{DatabaseConnection, DbErr, Error, db, testing};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait,
    QueryFilter, QueryOrder, sea_query::Expr,
};
use tokio::sync::Barrier;

type TestResult = Result<(), Box<dyn StdError>>;
type Res<T> = Result<T, Box<dyn StdError>>;

const AID: &str = "后大街互助站";
const OTHER_AID: &str = "梅墩互助站";
const FAR_AID: &str = "外滩互助站";
const OFFICE: &str = "招宝山警务室";
const BRANCH_ROOM: &str = "后大街调解室";
const MAIN_ROOM: &str = "中心调解室";
const RESIDENT_PHONE: &str = "13800000001";

// ---------------------------------------------------------------------------------------
// Time

/// Tuesday 2026-12-01, a local date.
fn day0() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 12, 1).expect("a date")
}

/// 09:00 local on day 0.
fn now() -> DateTime<Utc> {
    at_local(day0(), 9 * 60).expect("a local time")
}

/// `h` hours from now (before it when negative).
fn hours(h: i64) -> DateTime<Utc> {
    now() + Duration::hours(h)
}

/// `d` days from now (before it when negative).
fn days(d: i64) -> DateTime<Utc> {
    now() + Duration::days(d)
}

/// When the world's accounts were made: long enough ago that no new-account rule applies.
fn long_ago() -> DateTime<Utc> {
    now() - Duration::days(30)
}

// ---------------------------------------------------------------------------------------
// Refusals

/// Asserts the refusal `code`, which must also be one the module lists (a translation key).
#[track_caller]
fn refused<T: Debug>(result: domain::Result<T>, code: &str) {
    testing::assert_refused(result, code, casework::REFUSAL_CODES);
}

/// The database itself refused a statement (a CHECK or a trigger), whatever the code says.
#[track_caller]
fn refused_by_database<T: Debug>(result: Result<T, DbErr>, what: &str) -> String {
    match result {
        Err(e) => e.to_string(),
        Ok(v) => panic!(
            "{what}: the database accepted it ({v:?}) on {}",
            testing::engine()
        ),
    }
}

fn org(kind: OrgKind, id: i32) -> Org {
    Org { kind, id: Some(id) }
}

fn codes(lines: &[BoardLine]) -> Vec<String> {
    lines.iter().map(|l| l.case.code.clone()).collect()
}

fn sorted(mut codes: Vec<String>) -> Vec<String> {
    codes.sort();
    codes
}

// ---------------------------------------------------------------------------------------
// The world each test starts from

struct World {
    db: DatabaseConnection,
    office: i32,
    /// 后大街社区, under `office`, with the branch room and two stations.
    community: i32,
    /// 外滩社区: no police office, no mediation room of its own.
    far_community: i32,
    /// 中心调解室: the main room (no parent, no community).
    main_room: i32,
    /// 后大街调解室: the community's branch of the main room.
    branch_room: i32,
    aid: i32,
    other_aid: i32,
    /// The station of `far_community`.
    far_aid: i32,
    /// 张警官.
    officer: Account,
    admin: Account,
    /// Member of `aid`, made so by the admin.
    worker: Account,
    /// Member of `other_aid`.
    other_worker: Account,
    /// Mediator of `branch_room`.
    mediator: Account,
    /// 王阿姨 of `community`, no organisation.
    resident: Account,
}

impl World {
    async fn new() -> Res<World> {
        World::on(testing::fresh_db().await?).await
    }

    /// The world written into `db`, a fresh migrated database.
    async fn on(db: DatabaseConnection) -> Res<World> {
        let office = police_office::ActiveModel {
            name: Set(OFFICE.to_owned()),
            address: Set("招宝山路2号".to_owned()),
            speciality: Set("社区警务".to_owned()),
            is_demo: Set(false),
            ..Default::default()
        }
        .insert(&db)
        .await?
        .id;
        let community = add_community(&db, "后大街社区", Some(office)).await?;
        let far_community = add_community(&db, "外滩社区", None).await?;
        let main_room = add_room(&db, MAIN_ROOM, None, None).await?;
        let branch_room = add_room(&db, BRANCH_ROOM, Some(community), Some(main_room)).await?;
        let aid = add_station(&db, community, AID).await?;
        let other_aid = add_station(&db, community, OTHER_AID).await?;
        let far_aid = add_station(&db, far_community, FAR_AID).await?;
        let officer = person(&db, "13600000001", &[Role::Officer], Some("张警官"), None).await?;
        let admin = person(&db, "13900000001", &[Role::Admin], Some("站里小林"), None).await?;
        let worker = person(
            &db,
            "13700000001",
            &[Role::Resident],
            Some("互助站老周"),
            Some(community),
        )
        .await?;
        casework::add_member(
            &db,
            &admin,
            org(OrgKind::AidStation, aid),
            worker.user.id,
            now(),
        )
        .await?;
        let other_worker = person(
            &db,
            "13700000002",
            &[Role::Resident],
            Some("梅墩小吴"),
            Some(community),
        )
        .await?;
        casework::add_member(
            &db,
            &admin,
            org(OrgKind::AidStation, other_aid),
            other_worker.user.id,
            now(),
        )
        .await?;
        let mediator = person(&db, "13500000001", &[Role::Mediator], Some("老何"), None).await?;
        schedule::assign(&db, branch_room, mediator.user.id).await?;
        let resident = person(
            &db,
            RESIDENT_PHONE,
            &[Role::Resident],
            Some("王阿姨"),
            Some(community),
        )
        .await?;
        Ok(World {
            db,
            office,
            community,
            far_community,
            main_room,
            branch_room,
            aid,
            other_aid,
            far_aid,
            officer,
            admin,
            worker,
            other_worker,
            mediator,
            resident,
        })
    }

    /// A walk-in by the world's resident (found by the number they give).
    fn walk_in_form(&self, title: &str) -> NewCase {
        NewCase {
            kind: Kind::WalkIn.as_str().to_owned(),
            title: title.to_owned(),
            summary: "三楼楼道堆满了纸箱和旧家具，消防通道走不通。".to_owned(),
            contact_name: "王阿姨".to_owned(),
            contact_phone: "138 0000 0001".to_owned(),
            community_id: None,
            household: String::new(),
        }
    }

    /// The officer opens a walk-in at `at`; its code.
    async fn open(&self, title: &str, at: DateTime<Utc>) -> Res<String> {
        Ok(
            casework::open(&self.db, &self.officer, self.walk_in_form(title), at)
                .await?
                .code,
        )
    }

    /// A walk-in opened and assigned to `to` at `at`.
    async fn assigned(&self, title: &str, to: Org, at: DateTime<Utc>) -> Res<String> {
        let code = self.open(title, at).await?;
        casework::assign(&self.db, &self.officer, &code, to, None, "", at).await?;
        Ok(code)
    }

    /// A walk-in assigned to the world's station at `at`.
    async fn at_station(&self, at: DateTime<Utc>) -> Res<String> {
        self.assigned(
            "楼道杂物堵住消防通道",
            org(OrgKind::AidStation, self.aid),
            at,
        )
        .await
    }

    /// A walk-in at the station, started and reported at `at`: waiting for feedback.
    async fn in_feedback(&self, at: DateTime<Utc>) -> Res<String> {
        let code = self.at_station(at).await?;
        casework::start(&self.db, &self.worker, &code, at).await?;
        casework::report(&self.db, &self.worker, &code, "已协调清理，通道畅通", at).await?;
        Ok(code)
    }

    /// A walk-in of `household` opened at `opened` and, when `closed` is given, handled by
    /// the station and closed with the resident's word then.
    async fn household_case(
        &self,
        household: &str,
        opened: DateTime<Utc>,
        closed: Option<DateTime<Utc>>,
    ) -> Res<String> {
        let code = self.at_station(opened).await?;
        casework::link_household(&self.db, &self.officer, &code, household, opened).await?;
        if let Some(closed) = closed {
            casework::start(&self.db, &self.worker, &code, opened).await?;
            casework::report(&self.db, &self.worker, &code, "双方已谈妥", closed).await?;
            let closing = Closing {
                feedback: "满意".to_owned(),
                rating: Some(4),
                ..Default::default()
            };
            casework::close(&self.db, &self.officer, &code, closing, closed).await?;
        }
        Ok(code)
    }

    async fn case(&self, code: &str) -> Res<case_record::Model> {
        Ok(case_record::Entity::find()
            .filter(case_record::Column::Code.eq(code))
            .one(&self.db)
            .await?
            .ok_or("the case exists")?)
    }

    /// The case's history, oldest first.
    async fn history(&self, code: &str) -> Res<Vec<case_entry::Model>> {
        let case = self.case(code).await?;
        Ok(case_entry::Entity::find()
            .filter(case_entry::Column::CaseId.eq(case.id))
            .order_by_asc(case_entry::Column::Id)
            .all(&self.db)
            .await?)
    }

    /// The actions of the case's history, oldest first.
    async fn actions(&self, code: &str) -> Res<Vec<String>> {
        Ok(self
            .history(code)
            .await?
            .into_iter()
            .map(|e| e.action.as_str().to_owned())
            .collect())
    }

    async fn last_entry(&self, code: &str) -> Res<case_entry::Model> {
        Ok(self
            .history(code)
            .await?
            .pop()
            .ok_or("the case has a history")?)
    }

    /// Everything a refused move must not have changed: the case's row and its history.
    async fn snapshot(&self, code: &str) -> Res<(case_record::Model, usize)> {
        Ok((self.case(code).await?, self.history(code).await?.len()))
    }

    async fn board(
        &self,
        who: &Account,
        filter: BoardFilter,
        at: DateTime<Utc>,
    ) -> Res<Vec<String>> {
        Ok(codes(&casework::board(&self.db, who, &filter, at).await?))
    }

    /// Opens the branch room's calendar (09:00–17:00 every day, bookings confirmed by the
    /// mediator), so residents can book sessions there.
    async fn open_calendar(&self) -> Res<()> {
        schedule::save_schedule(&self.db, self.branch_room, Schedule::default()).await?;
        for weekday in 1..=7 {
            schedule::add_window(
                &self.db,
                self.branch_room,
                Window::Weekly {
                    weekday,
                    start: 9 * 60,
                    end: 17 * 60,
                },
            )
            .await?;
        }
        Ok(())
    }

    /// The loop case of a mediation case.
    async fn of_mediation(&self, mediation_case_id: i32) -> Res<case_record::Model> {
        Ok(case_record::Entity::find()
            .filter(case_record::Column::MediationCaseId.eq(mediation_case_id))
            .one(&self.db)
            .await?
            .ok_or("the mediation case has its loop case")?)
    }

    async fn of_help(&self, help_request_id: i32) -> Res<case_record::Model> {
        Ok(case_record::Entity::find()
            .filter(case_record::Column::HelpRequestId.eq(help_request_id))
            .one(&self.db)
            .await?
            .ok_or("the help request has its loop case")?)
    }
}

async fn add_community(db: &DatabaseConnection, name: &str, office: Option<i32>) -> Res<i32> {
    Ok(community::ActiveModel {
        name: Set(name.to_owned()),
        police_office_id: Set(office),
        is_demo: Set(false),
        ..Default::default()
    }
    .insert(db)
    .await?
    .id)
}

async fn add_room(
    db: &DatabaseConnection,
    name: &str,
    community: Option<i32>,
    parent: Option<i32>,
) -> Res<i32> {
    Ok(mediation_room::ActiveModel {
        name: Set(name.to_owned()),
        community_id: Set(community),
        parent_id: Set(parent),
        address: Set("招宝山路1号".to_owned()),
        hours: Set("09:00–17:00".to_owned()),
        is_demo: Set(false),
        ..Default::default()
    }
    .insert(db)
    .await?
    .id)
}

async fn add_station(db: &DatabaseConnection, community: i32, name: &str) -> Res<i32> {
    Ok(aid_station::ActiveModel {
        community_id: Set(community),
        compound_id: Set(None),
        name: Set(name.to_owned()),
        is_demo: Set(false),
        ..Default::default()
    }
    .insert(db)
    .await?
    .id)
}

/// An account written straight into the tables: argon2 for twenty racers would only slow
/// the race down, and nobody signs in here.
async fn person(
    db: &DatabaseConnection,
    phone: &str,
    roles: &[Role],
    display_name: Option<&str>,
    community: Option<i32>,
) -> Res<Account> {
    Ok(testing::person(db, phone, roles, community, display_name, long_ago()).await?)
}

// ---------------------------------------------------------------------------------------
// 1. The state machine

#[tokio::test]
async fn a_walk_in_goes_round_the_loop_and_ends_solved_without_police() -> TestResult {
    let w = World::new().await?;
    let opened = casework::open(
        &w.db,
        &w.officer,
        w.walk_in_form("楼道杂物堵住消防通道"),
        now(),
    )
    .await?;
    assert!(opened.code.starts_with("JW-2026-"), "{}", opened.code);
    let code = opened.code.clone();
    let case = w.case(&code).await?;
    assert_eq!(case.kind.as_str(), "walk_in");
    assert_eq!(case.stage.as_str(), "intake");
    assert_eq!(case.due_at, Some(hours(24)), "intake takes a day");
    assert_eq!((case.created_at, case.stage_since), (now(), now()));
    assert_eq!(
        case.resident_id,
        Some(w.resident.user.id),
        "the number given finds the resident's account"
    );
    assert_eq!(
        case.community_id,
        Some(w.community),
        "the resident's community"
    );
    assert!(case.resident_raised);
    assert_eq!(case.created_by, Some(w.officer.user.id));
    assert_eq!(
        (case.org_kind.map(|v| v.as_str()), case.org_id),
        (None, None)
    );
    assert_eq!(case.escalations, 0);

    casework::triage(&w.db, &w.officer, &code, hours(1)).await?;
    let case = w.case(&code).await?;
    assert_eq!(case.stage.as_str(), "triage");
    assert_eq!(case.due_at, Some(hours(25)));

    let station = org(OrgKind::AidStation, w.aid);
    casework::assign(
        &w.db,
        &w.officer,
        &code,
        station,
        Some(w.worker.user.id),
        "",
        hours(2),
    )
    .await?;
    let case = w.case(&code).await?;
    assert_eq!(case.stage.as_str(), "assigned");
    assert_eq!(Org::of(&case), Some(station));
    assert_eq!(case.assignee_id, Some(w.worker.user.id));
    assert_eq!(case.due_at, Some(hours(2 + 48)), "the station has two days");
    assert_eq!(case.stage_since, hours(2));
    let assigned = w.last_entry(&code).await?;
    assert_eq!(assigned.action.as_str(), "assigned");
    assert_eq!(assigned.from_stage.map(|v| v.as_str()), Some("triage"));
    assert_eq!(assigned.to_stage.as_str(), "assigned");
    assert_eq!(
        (assigned.org_kind.map(|v| v.as_str()), assigned.org_id),
        (Some("aid_station"), Some(w.aid))
    );

    casework::start(&w.db, &w.worker, &code, hours(3)).await?;
    let case = w.case(&code).await?;
    assert_eq!(case.stage.as_str(), "in_progress");
    assert_eq!(case.due_at, Some(hours(3 + 168)), "work has a week");

    refused(
        casework::report(&w.db, &w.worker, &code, " 好 ", hours(4)).await,
        "case-outcome-required",
    );
    assert_eq!(w.case(&code).await?.stage.as_str(), "in_progress");
    casework::report(&w.db, &w.worker, &code, "已协调清理，通道畅通", hours(4)).await?;
    let case = w.case(&code).await?;
    assert_eq!(case.stage.as_str(), "feedback");
    assert_eq!(case.outcome.as_deref(), Some("已协调清理，通道畅通"));
    assert_eq!(case.due_at, Some(hours(4 + 72)));

    let closing = Closing {
        feedback: "王阿姨说楼道干净了，很满意".to_owned(),
        rating: Some(5),
        ..Default::default()
    };
    casework::close(&w.db, &w.officer, &code, closing, hours(5)).await?;
    let case = w.case(&code).await?;
    assert_eq!(case.stage.as_str(), "closed");
    assert_eq!(case.closed_at, Some(hours(5)));
    assert_eq!(
        case.solved_without_police,
        Some(true),
        "a station handled it"
    );
    assert_eq!(case.feedback.as_deref(), Some("王阿姨说楼道干净了，很满意"));
    assert_eq!(case.rating, Some(5));
    assert_eq!(case.due_at, None, "a closed case has no deadline");

    let history = w.history(&code).await?;
    let steps: Vec<(&str, Option<i32>)> = history
        .iter()
        .map(|e| (e.action.as_str(), e.actor_id))
        .collect();
    let officer = Some(w.officer.user.id);
    let worker = Some(w.worker.user.id);
    assert_eq!(
        steps,
        [
            ("opened", officer),
            ("triaged", officer),
            ("assigned", officer),
            ("started", worker),
            ("feedback", worker),
            ("closed", officer),
        ]
    );
    let at: Vec<DateTime<Utc>> = history.iter().map(|e| e.at).collect();
    assert_eq!(
        at,
        [now(), hours(1), hours(2), hours(3), hours(4), hours(5)]
    );

    // What the officer sees on the case's page.
    let detail = casework::detail(&w.db, &w.officer, &code, hours(6)).await?;
    assert_eq!(detail.access, Access::Officer);
    assert_eq!(detail.org_name.as_deref(), Some(AID));
    assert!(!detail.overdue);
    let names: Vec<Option<String>> = detail.history.iter().map(|(_, a, _)| a.clone()).collect();
    assert_eq!(names[0].as_deref(), Some("张警官"));
    assert_eq!(names[3].as_deref(), Some("互助站老周"));

    // The same loop ending with the police: not solved without them.
    let police = w
        .assigned("深夜有人撬电动车锁", Org::STATION, hours(1))
        .await?;
    casework::start(&w.db, &w.officer, &police, hours(2)).await?;
    casework::report(&w.db, &w.officer, &police, "已立案调查", hours(3)).await?;
    let closing = Closing {
        feedback: "已告知进展".to_owned(),
        ..Default::default()
    };
    casework::close(&w.db, &w.officer, &police, closing, hours(4)).await?;
    let case = w.case(&police).await?;
    assert_eq!(case.stage.as_str(), "closed");
    assert_eq!(case.solved_without_police, Some(false));
    assert_eq!(case.rating, None);
    Ok(())
}

#[tokio::test]
async fn a_bad_form_is_refused_and_nothing_is_written() -> TestResult {
    let w = World::new().await?;
    let good = w.walk_in_form("楼道杂物堵住消防通道");
    let cases = [
        (
            NewCase {
                kind: "mediation".into(),
                ..good.clone()
            },
            "case-kind-invalid",
        ),
        (
            NewCase {
                kind: "gossip".into(),
                ..good.clone()
            },
            "case-kind-invalid",
        ),
        (
            NewCase {
                title: " 漏水 ".into(),
                ..good.clone()
            },
            "case-title-length",
        ),
        (
            NewCase {
                title: "漏".repeat(81),
                ..good.clone()
            },
            "case-title-length",
        ),
        (
            NewCase {
                contact_phone: "12345".into(),
                ..good.clone()
            },
            "case-phone-invalid",
        ),
        (
            NewCase {
                community_id: Some(9999),
                ..good.clone()
            },
            "case-community-invalid",
        ),
        (
            NewCase {
                household: "楼".repeat(101),
                ..good.clone()
            },
            "case-household-long",
        ),
    ];
    for (form, code) in cases {
        refused(casework::open(&w.db, &w.officer, form, now()).await, code);
    }
    assert_eq!(case_record::Entity::find().count(&w.db).await?, 0);
    assert_eq!(case_entry::Entity::find().count(&w.db).await?, 0);

    // A number nobody registered is fine: the case simply has no resident account.
    let stranger = casework::open(
        &w.db,
        &w.officer,
        NewCase {
            kind: "phone".into(),
            contact_phone: "13812341234".into(),
            community_id: Some(w.far_community),
            household: "  外滩5号楼\n301 ".into(),
            ..good.clone()
        },
        now(),
    )
    .await?;
    assert_eq!(stranger.resident_id, None);
    assert_eq!(stranger.community_id, Some(w.far_community));
    assert_eq!(stranger.household.as_deref(), Some("外滩5号楼 301"));
    // Found on patrol: nobody raised it.
    let patrol = casework::open(
        &w.db,
        &w.officer,
        NewCase {
            kind: "patrol".into(),
            contact_phone: String::new(),
            ..good
        },
        now(),
    )
    .await?;
    assert!(!patrol.resident_raised);
    assert_eq!(patrol.resident_id, None);
    Ok(())
}

#[tokio::test]
async fn illegal_moves_are_refused_and_change_nothing() -> TestResult {
    let w = World::new().await?;
    let code = w.open("楼道杂物堵住消防通道", now()).await?;
    let feedback = || Closing {
        feedback: "满意".to_owned(),
        ..Default::default()
    };
    let t = hours(1);

    // At intake.
    let before = w.snapshot(&code).await?;
    refused(
        casework::start(&w.db, &w.officer, &code, t).await,
        "case-move-illegal",
    );
    refused(
        casework::report(&w.db, &w.officer, &code, "已处理完毕", t).await,
        "case-move-illegal",
    );
    refused(
        casework::close(&w.db, &w.officer, &code, feedback(), t).await,
        "case-move-illegal",
    );
    refused(
        casework::reopen(&w.db, &w.officer, &code, "居民又来反映", t).await,
        "case-move-illegal",
    );
    assert_eq!(w.snapshot(&code).await?, before);

    // In triage, twice.
    casework::triage(&w.db, &w.officer, &code, t).await?;
    let before = w.snapshot(&code).await?;
    refused(
        casework::triage(&w.db, &w.officer, &code, hours(2)).await,
        "case-move-illegal",
    );
    assert_eq!(w.snapshot(&code).await?, before);

    // Assigned: nothing to report or close yet.
    casework::assign(
        &w.db,
        &w.officer,
        &code,
        org(OrgKind::AidStation, w.aid),
        None,
        "",
        t,
    )
    .await?;
    let before = w.snapshot(&code).await?;
    refused(
        casework::report(&w.db, &w.worker, &code, "已处理完毕", hours(2)).await,
        "case-move-illegal",
    );
    refused(
        casework::close(&w.db, &w.officer, &code, feedback(), hours(2)).await,
        "case-move-illegal",
    );
    refused(
        casework::triage(&w.db, &w.officer, &code, hours(2)).await,
        "case-move-illegal",
    );
    assert_eq!(w.snapshot(&code).await?, before);

    // In progress: the outcome comes before closing; starting twice is refused.
    casework::start(&w.db, &w.worker, &code, t).await?;
    let before = w.snapshot(&code).await?;
    refused(
        casework::close(&w.db, &w.officer, &code, feedback(), hours(2)).await,
        "case-move-illegal",
    );
    refused(
        casework::start(&w.db, &w.worker, &code, hours(2)).await,
        "case-move-illegal",
    );
    refused(
        casework::reopen(&w.db, &w.officer, &code, "居民又来反映", hours(2)).await,
        "case-move-illegal",
    );
    assert_eq!(w.snapshot(&code).await?, before);

    // Waiting for feedback: no transfer, no second report.
    casework::report(&w.db, &w.worker, &code, "已处理完毕", t).await?;
    let before = w.snapshot(&code).await?;
    refused(
        casework::assign(
            &w.db,
            &w.officer,
            &code,
            Org::STATION,
            None,
            "转派民警",
            hours(2),
        )
        .await,
        "case-move-illegal",
    );
    refused(
        casework::report(&w.db, &w.worker, &code, "再报一次", hours(2)).await,
        "case-move-illegal",
    );
    assert_eq!(w.snapshot(&code).await?, before);

    // Closed: only reopening moves it.
    casework::close(&w.db, &w.officer, &code, feedback(), t).await?;
    let before = w.snapshot(&code).await?;
    refused(
        casework::close(&w.db, &w.officer, &code, feedback(), hours(2)).await,
        "case-move-illegal",
    );
    refused(
        casework::start(&w.db, &w.officer, &code, hours(2)).await,
        "case-move-illegal",
    );
    refused(
        casework::assign(
            &w.db,
            &w.officer,
            &code,
            Org::STATION,
            None,
            "转派民警",
            hours(2),
        )
        .await,
        "case-move-illegal",
    );
    assert_eq!(w.snapshot(&code).await?, before);

    // Bulk assignment is all or none: one case already assigned spoils the lot.
    let fresh = w.open("小区门口路灯不亮", now()).await?;
    let already = w.at_station(now()).await?;
    let before = (w.snapshot(&fresh).await?, w.snapshot(&already).await?);
    refused(
        casework::assign_many(
            &w.db,
            &w.officer,
            &[fresh.clone(), already.clone()],
            org(OrgKind::AidStation, w.other_aid),
            t,
        )
        .await,
        "case-move-illegal",
    );
    assert_eq!(
        (w.snapshot(&fresh).await?, w.snapshot(&already).await?),
        before
    );
    Ok(())
}

#[tokio::test]
async fn a_resident_raised_case_closes_only_with_feedback_or_a_reason_even_in_raw_sql() -> TestResult
{
    let w = World::new().await?;
    let code = w.in_feedback(now()).await?;
    let before = w.snapshot(&code).await?;
    for closing in [
        Closing::default(),
        Closing {
            feedback: "  \n ".to_owned(),
            no_feedback_reason: " \t ".to_owned(),
            rating: Some(5),
        },
    ] {
        refused(
            casework::close(&w.db, &w.officer, &code, closing, hours(1)).await,
            "case-feedback-required",
        );
    }
    for rating in [0, 6, -1] {
        refused(
            casework::close(
                &w.db,
                &w.officer,
                &code,
                Closing {
                    feedback: "满意".to_owned(),
                    rating: Some(rating),
                    ..Default::default()
                },
                hours(1),
            )
            .await,
            "case-rating-invalid",
        );
    }
    assert_eq!(w.snapshot(&code).await?, before);

    // Past the code, the database refuses the same close: the case has its outcome and a
    // closing time, but neither the resident's word nor the reason it is missing.
    let raw = case_record::Entity::update_many()
        .col_expr(case_record::Column::Stage, Expr::value("closed"))
        .col_expr(case_record::Column::ClosedAt, Expr::value(hours(1)))
        .col_expr(
            case_record::Column::DueAt,
            Expr::value(Option::<DateTime<Utc>>::None),
        )
        .filter(case_record::Column::Code.eq(code.as_str()))
        .exec(&w.db)
        .await;
    refused_by_database(raw, "closing without feedback");
    let id = before.0.id;
    let raw =
        w.db.execute_unprepared(&format!(
            "UPDATE cases SET stage = 'closed', closed_at = stage_since WHERE id = {id}"
        ))
        .await;
    refused_by_database(raw, "closing without feedback, in plain SQL");
    // Nor may a closed case lack its outcome.
    let raw =
        w.db.execute_unprepared(&format!(
            "UPDATE cases SET stage = 'closed', closed_at = stage_since, outcome = NULL, \
             feedback = 'ok' WHERE id = {id}"
        ))
        .await;
    refused_by_database(raw, "closing without an outcome");
    assert_eq!(w.snapshot(&code).await?, before);

    // The reason the resident could not be reached is enough.
    let closing = Closing {
        no_feedback_reason: "电话三次未接通".to_owned(),
        ..Default::default()
    };
    casework::close(&w.db, &w.officer, &code, closing, hours(2)).await?;
    let case = w.case(&code).await?;
    assert_eq!(case.stage.as_str(), "closed");
    assert_eq!(case.feedback, None);
    assert_eq!(case.no_feedback_reason.as_deref(), Some("电话三次未接通"));
    assert_eq!(w.last_entry(&code).await?.note, "电话三次未接通");

    // A hazard found on patrol was raised by nobody: it closes without either.
    let mut patrol = w.walk_in_form("路口井盖松动");
    patrol.kind = "patrol".to_owned();
    patrol.contact_phone = String::new();
    let patrol = casework::open(&w.db, &w.officer, patrol, now()).await?.code;
    casework::assign(&w.db, &w.officer, &patrol, Org::STATION, None, "", now()).await?;
    casework::start(&w.db, &w.officer, &patrol, now()).await?;
    casework::report(&w.db, &w.officer, &patrol, "已通知市政更换", now()).await?;
    casework::close(&w.db, &w.officer, &patrol, Closing::default(), hours(1)).await?;
    let case = w.case(&patrol).await?;
    assert_eq!(case.stage.as_str(), "closed");
    assert_eq!((case.feedback, case.no_feedback_reason), (None, None));
    Ok(())
}

#[tokio::test]
async fn a_transfer_needs_a_reason_and_is_recorded_with_it() -> TestResult {
    let w = World::new().await?;
    let code = w.at_station(now()).await?;
    let other = org(OrgKind::AidStation, w.other_aid);
    let before = w.snapshot(&code).await?;
    for reason in ["", "  \n "] {
        refused(
            casework::assign(&w.db, &w.officer, &code, other, None, reason, hours(1)).await,
            "case-reason-required",
        );
    }
    refused(
        casework::assign(
            &w.db,
            &w.officer,
            &code,
            other,
            Some(w.worker.user.id),
            "转梅墩",
            hours(1),
        )
        .await,
        "case-assignee-invalid",
    );
    for nowhere in [
        org(OrgKind::AidStation, 9999),
        org(OrgKind::MediationRoom, 9999),
        org(OrgKind::Squad, 9999),
        org(OrgKind::PoliceOffice, 9999),
        org(OrgKind::Station, 1),
        Org {
            kind: OrgKind::AidStation,
            id: None,
        },
    ] {
        refused(
            casework::assign(&w.db, &w.officer, &code, nowhere, None, "转派", hours(1)).await,
            "case-org-invalid",
        );
    }
    assert_eq!(w.snapshot(&code).await?, before);

    let reason = "该楼属梅墩互助站管辖";
    casework::assign(
        &w.db,
        &w.officer,
        &code,
        other,
        Some(w.other_worker.user.id),
        reason,
        hours(1),
    )
    .await?;
    let case = w.case(&code).await?;
    assert_eq!(case.stage.as_str(), "assigned");
    assert_eq!(Org::of(&case), Some(other));
    assert_eq!(case.assignee_id, Some(w.other_worker.user.id));
    assert_eq!(
        case.due_at,
        Some(hours(1 + 48)),
        "the new station has two days"
    );
    let moved = w.last_entry(&code).await?;
    assert_eq!(moved.action.as_str(), "transferred");
    assert_eq!(moved.note, reason);
    assert_eq!(
        (
            moved.from_stage.map(|v| v.as_str()),
            moved.to_stage.as_str()
        ),
        (Some("assigned"), "assigned")
    );
    assert_eq!(
        (moved.org_kind.map(|v| v.as_str()), moved.org_id),
        (Some("aid_station"), Some(w.other_aid))
    );
    assert_eq!(moved.actor_id, Some(w.officer.user.id));

    // The first station has lost it; the new one works it.
    not_found(casework::start(&w.db, &w.worker, &code, hours(2)).await);
    casework::start(&w.db, &w.other_worker, &code, hours(2)).await?;
    // A case in progress is transferred too, back to waiting for its new organisation.
    casework::assign(
        &w.db,
        &w.officer,
        &code,
        Org::STATION,
        None,
        "涉及治安，转民警处理",
        hours(3),
    )
    .await?;
    let case = w.case(&code).await?;
    assert_eq!(case.stage.as_str(), "assigned");
    assert_eq!(Org::of(&case), Some(Org::STATION));
    assert_eq!(case.assignee_id, None);
    let moved = w.last_entry(&code).await?;
    assert_eq!(moved.action.as_str(), "transferred");
    assert_eq!(moved.from_stage.map(|v| v.as_str()), Some("in_progress"));
    assert_eq!(moved.note, "涉及治安，转民警处理");
    assert_eq!(
        w.actions(&code).await?,
        [
            "opened",
            "assigned",
            "transferred",
            "started",
            "transferred"
        ]
    );
    Ok(())
}

#[tokio::test]
async fn reopening_needs_a_reason_and_sends_the_case_back_to_work() -> TestResult {
    let w = World::new().await?;
    let code = w.in_feedback(now()).await?;
    let closing = Closing {
        feedback: "满意".to_owned(),
        ..Default::default()
    };
    casework::close(&w.db, &w.officer, &code, closing.clone(), hours(1)).await?;
    let before = w.snapshot(&code).await?;
    for reason in ["", "  ", "又"] {
        refused(
            casework::reopen(&w.db, &w.officer, &code, reason, hours(10)).await,
            "case-reason-required",
        );
    }
    forbidden(casework::reopen(&w.db, &w.worker, &code, "杂物又堆回来了", hours(10)).await);
    assert_eq!(w.snapshot(&code).await?, before);

    let reason = "居民反映杂物又堆回来了";
    casework::reopen(&w.db, &w.officer, &code, reason, hours(10)).await?;
    let case = w.case(&code).await?;
    assert_eq!(
        case.stage.as_str(),
        "in_progress",
        "back to the station that had it"
    );
    assert_eq!(Org::of(&case), Some(org(OrgKind::AidStation, w.aid)));
    assert_eq!(case.closed_at, None);
    assert_eq!(case.solved_without_police, None);
    assert_eq!(case.due_at, Some(hours(10 + 168)));
    let reopened = w.last_entry(&code).await?;
    assert_eq!(reopened.action.as_str(), "reopened");
    assert_eq!(reopened.note, reason);
    assert_eq!(
        (
            reopened.from_stage.map(|v| v.as_str()),
            reopened.to_stage.as_str()
        ),
        (Some("closed"), "in_progress")
    );
    // And it can go round again.
    casework::report(&w.db, &w.worker, &code, "再次清理并张贴告示", hours(11)).await?;
    casework::close(&w.db, &w.officer, &code, closing, hours(12)).await?;
    let case = w.case(&code).await?;
    assert_eq!(case.stage.as_str(), "closed");
    assert_eq!(case.closed_at, Some(hours(12)));
    assert_eq!(case.outcome.as_deref(), Some("再次清理并张贴告示"));
    Ok(())
}

#[tokio::test]
async fn only_officers_open_assign_and_close_and_strangers_cannot_start() -> TestResult {
    let w = World::new().await?;
    let code = w.at_station(now()).await?;
    let station = org(OrgKind::AidStation, w.aid);
    let closing = || Closing {
        feedback: "满意".to_owned(),
        ..Default::default()
    };
    let before = w.snapshot(&code).await?;
    for who in [&w.resident, &w.worker, &w.mediator] {
        forbidden(casework::open(&w.db, who, w.walk_in_form("楼道杂物堵住消防通道"), now()).await);
        forbidden(casework::triage(&w.db, who, &code, now()).await);
        forbidden(casework::assign(&w.db, who, &code, station, None, "转派", now()).await);
        forbidden(
            casework::assign_many(&w.db, who, std::slice::from_ref(&code), station, now()).await,
        );
        forbidden(casework::close(&w.db, who, &code, closing(), now()).await);
        forbidden(casework::reopen(&w.db, who, &code, "再看看吧", now()).await);
        forbidden(casework::link_household(&w.db, who, &code, "1号楼101", now()).await);
        forbidden(casework::set_deadline(&w.db, who, "walk_in", "assigned", 1, true).await);
    }
    // Someone outside the station is told the case does not exist.
    for who in [&w.other_worker, &w.resident, &w.mediator] {
        not_found(casework::start(&w.db, who, &code, now()).await);
        not_found(casework::report(&w.db, who, &code, "已处理完毕", now()).await);
        not_found(casework::detail(&w.db, who, &code, now()).await);
    }
    assert_eq!(w.snapshot(&code).await?, before);
    assert_eq!(case_record::Entity::find().count(&w.db).await?, 1);
    not_found(casework::start(&w.db, &w.officer, "JW-2026-ZZZZZZ", now()).await);

    // Membership is the admin's to give, and only of stations and offices.
    forbidden(casework::add_member(&w.db, &w.officer, station, w.resident.user.id, now()).await);
    refused(
        casework::add_member(
            &w.db,
            &w.admin,
            org(OrgKind::MediationRoom, w.branch_room),
            w.resident.user.id,
            now(),
        )
        .await,
        "case-org-invalid",
    );
    refused(
        casework::add_member(&w.db, &w.admin, Org::STATION, w.resident.user.id, now()).await,
        "case-org-invalid",
    );
    assert!(
        casework::orgs_of(&w.db, w.resident.user.id)
            .await?
            .is_empty()
    );
    assert_eq!(casework::orgs_of(&w.db, w.worker.user.id).await?, [station]);
    assert_eq!(
        casework::orgs_of(&w.db, w.mediator.user.id).await?,
        [org(OrgKind::MediationRoom, w.branch_room)]
    );
    // Adding twice is harmless.
    casework::add_member(&w.db, &w.admin, station, w.worker.user.id, now()).await?;
    assert_eq!(casework::orgs_of(&w.db, w.worker.user.id).await?, [station]);
    // The admin may act as an officer.
    casework::start(&w.db, &w.admin, &code, hours(1)).await?;
    assert_eq!(w.case(&code).await?.stage.as_str(), "in_progress");
    Ok(())
}

/// 三色 data is for officers: the station working a linked case reads its history without
/// the household, and every officer's look at a case page that shows one is logged.
#[tokio::test]
async fn household_data_stays_out_of_the_history_and_every_officers_look_is_logged() -> TestResult {
    let w = World::new().await?;
    let code = w.at_station(now()).await?;
    casework::link_household(&w.db, &w.officer, &code, "后大街12号 301", hours(1)).await?;
    let views = || colour_view::Entity::find().all(&w.db);
    assert!(views().await?.is_empty());

    let station = casework::detail(&w.db, &w.worker, &code, hours(2)).await?;
    assert_eq!(station.access, Access::Member);
    assert_eq!(
        station.case.household, None,
        "members never see the household"
    );
    for (entry, _, _) in &station.history {
        assert!(!entry.note.contains("后大街12号"), "{entry:?}");
    }
    assert!(
        views().await?.is_empty(),
        "nothing was shown, nothing logged"
    );

    let officer = casework::detail(&w.db, &w.officer, &code, hours(3)).await?;
    assert_eq!(officer.case.household.as_deref(), Some("后大街12号 301"));
    for (entry, _, _) in &officer.history {
        assert!(!entry.note.contains("后大街12号"), "{entry:?}");
    }
    let logged = views().await?;
    assert_eq!(logged.len(), 1);
    assert_eq!(logged[0].user_id, Some(w.officer.user.id));
    assert_eq!(logged[0].page, format!("/board/cases/{code}"));
    assert_eq!(logged[0].at, hours(3));

    // Admins read the log; nobody else does.
    let seen = colours::views(&w.db, &w.admin, 50).await?;
    assert_eq!(seen.len(), 1);
    assert_eq!(
        seen[0].phone.as_deref(),
        Some(w.officer.user.phone.as_str())
    );
    forbidden(colours::views(&w.db, &w.officer, 50).await);
    Ok(())
}

/// Taking a role back ends the memberships that rest on it, in the same transaction, and
/// access follows: giving the role back does not bring them back; a membership without its
/// role gives nothing either.
#[tokio::test]
async fn revoking_a_role_ends_its_memberships_and_the_access_they_gave() -> TestResult {
    use domain::admin_log::Actor;
    use domain::entities::{admin_log, org_member, room_mediator};
    let w = World::new().await?;
    let code = w.at_station(now()).await?;
    let by = Actor::admin(&w.admin)?;
    assert_eq!(
        casework::detail(&w.db, &w.worker, &code, now())
            .await?
            .access,
        Access::Member
    );

    accounts::revoke(&w.db, by, w.worker.user.id, Role::Resident, hours(1)).await?;
    assert_eq!(
        org_member::Entity::find()
            .filter(org_member::Column::UserId.eq(w.worker.user.id))
            .count(&w.db)
            .await?,
        0
    );
    accounts::grant(&w.db, w.worker.user.id, Role::Resident).await?;
    let worker = Account {
        roles: accounts::roles_of(&w.db, w.worker.user.id).await?,
        user: w.worker.user.clone(),
    };
    not_found(casework::detail(&w.db, &worker, &code, hours(2)).await);
    assert!(casework::orgs_of(&w.db, worker.user.id).await?.is_empty());

    assert!(schedule::runs_room(&w.db, &w.mediator, w.branch_room).await?);
    accounts::revoke(&w.db, by, w.mediator.user.id, Role::Mediator, hours(1)).await?;
    assert_eq!(
        room_mediator::Entity::find()
            .filter(room_mediator::Column::UserId.eq(w.mediator.user.id))
            .count(&w.db)
            .await?,
        0
    );
    accounts::grant(&w.db, w.mediator.user.id, Role::Mediator).await?;
    assert!(!schedule::runs_room(&w.db, &w.mediator, w.branch_room).await?);
    assert!(
        casework::orgs_of(&w.db, w.mediator.user.id)
            .await?
            .is_empty()
    );

    // Both are needed: a membership left without its role (written straight into the table)
    // counts for nothing.
    room_mediator::ActiveModel {
        room_id: Set(w.branch_room),
        user_id: Set(w.resident.user.id),
    }
    .insert(&w.db)
    .await?;
    assert!(!schedule::runs_room(&w.db, &w.resident, w.branch_room).await?);
    assert!(
        casework::orgs_of(&w.db, w.resident.user.id)
            .await?
            .is_empty()
    );

    // Every step is in the admin log, by the admin.
    let log = admin_log::Entity::find()
        .filter(admin_log::Column::TargetId.is_in([w.worker.user.id, w.mediator.user.id]))
        .filter(admin_log::Column::At.gte(hours(1)))
        .order_by_asc(admin_log::Column::Id)
        .all(&w.db)
        .await?;
    let steps: Vec<(&str, &str)> = log
        .iter()
        .map(|l| (l.action.as_str(), l.subject.as_str()))
        .collect();
    let station = format!("aid_station:{}", w.aid);
    let room = format!("mediation_room:{}", w.branch_room);
    assert_eq!(
        steps,
        [
            ("role_revoked", "resident"),
            ("member_removed", station.as_str()),
            ("role_revoked", "mediator"),
            ("member_removed", room.as_str()),
        ]
    );
    assert!(log.iter().all(|l| l.actor_id == Some(w.admin.user.id)));
    assert!(log[1].value_before.contains(AID), "{}", log[1].value_before);
    Ok(())
}

#[tokio::test]
async fn a_household_link_is_tidied_and_recorded() -> TestResult {
    let w = World::new().await?;
    let code = w.at_station(now()).await?;
    refused(
        casework::link_household(&w.db, &w.officer, &code, &"楼".repeat(101), now()).await,
        "case-household-long",
    );
    assert_eq!(w.case(&code).await?.household, None);
    casework::link_household(&w.db, &w.officer, &code, "  后大街12号\n301 ", hours(1)).await?;
    let case = w.case(&code).await?;
    assert_eq!(case.household.as_deref(), Some("后大街12号 301"));
    assert_eq!(
        case.stage.as_str(),
        "assigned",
        "linking does not move the case"
    );
    let linked = w.last_entry(&code).await?;
    assert_eq!(linked.action.as_str(), "linked");
    assert_eq!(
        linked.note, "",
        "only that a link was made: every organisation the case goes to reads the history"
    );
    assert_eq!(
        (
            linked.from_stage.map(|v| v.as_str()),
            linked.to_stage.as_str()
        ),
        (Some("assigned"), "assigned")
    );
    // Unlinking: an empty household clears it.
    casework::link_household(&w.db, &w.officer, &code, " ", hours(2)).await?;
    assert_eq!(w.case(&code).await?.household, None);
    Ok(())
}

// ---------------------------------------------------------------------------------------
// 2. Deadlines and escalation

#[tokio::test]
async fn an_overdue_station_case_climbs_room_office_station_and_stops() -> TestResult {
    let w = World::new().await?;
    let t = now();
    let code = casework::open(&w.db, &w.officer, w.walk_in_form("楼上漏水三个月"), t)
        .await?
        .code;
    casework::assign(
        &w.db,
        &w.officer,
        &code,
        org(OrgKind::AidStation, w.aid),
        Some(w.worker.user.id),
        "",
        t,
    )
    .await?;
    let before = w.snapshot(&code).await?;
    for at in [t + Duration::hours(47), t + Duration::hours(48)] {
        assert_eq!(
            escalation::escalate_overdue(&w.db, at).await?,
            0,
            "not overdue yet at {at}"
        );
    }
    assert_eq!(w.snapshot(&code).await?, before);

    // Two days without a start: the community's mediation room takes it.
    let t1 = t + Duration::hours(49);
    assert_eq!(escalation::escalate_overdue(&w.db, t1).await?, 1);
    let case = w.case(&code).await?;
    assert_eq!(case.stage.as_str(), "assigned");
    assert_eq!(
        Org::of(&case),
        Some(org(OrgKind::MediationRoom, w.branch_room))
    );
    assert_eq!(case.escalations, 1);
    assert_eq!(case.stage_since, t1);
    assert_eq!(case.due_at, Some(t1 + Duration::hours(48)));
    assert_eq!(
        case.assignee_id, None,
        "the station's person no longer has it"
    );
    let up = w.last_entry(&code).await?;
    assert_eq!(up.action.as_str(), "escalated");
    assert_eq!(up.actor_id, None, "nobody did it: the clock did");
    assert_eq!(up.at, t1);
    assert_eq!(
        (up.from_stage.map(|v| v.as_str()), up.to_stage.as_str()),
        (Some("assigned"), "assigned")
    );
    assert_eq!(
        (up.org_kind.map(|v| v.as_str()), up.org_id),
        (Some("mediation_room"), Some(w.branch_room))
    );
    assert_eq!(up.note, "aid_station");
    // Run again at once: the new deadline holds.
    assert_eq!(escalation::escalate_overdue(&w.db, t1).await?, 0);
    // The station's worker has lost it, the room's mediator has it.
    not_found(casework::detail(&w.db, &w.worker, &code, t1).await);
    assert_eq!(
        casework::detail(&w.db, &w.mediator, &code, t1)
            .await?
            .access,
        Access::Member
    );

    let t2 = t1 + Duration::hours(49);
    assert_eq!(escalation::escalate_overdue(&w.db, t2).await?, 1);
    let case = w.case(&code).await?;
    assert_eq!(
        Org::of(&case),
        Some(org(OrgKind::PoliceOffice, w.office)),
        "the community's police office"
    );
    assert_eq!(case.escalations, 2);
    assert_eq!(case.due_at, Some(t2 + Duration::hours(48)));

    let t3 = t2 + Duration::hours(49);
    assert_eq!(escalation::escalate_overdue(&w.db, t3).await?, 1);
    let case = w.case(&code).await?;
    assert_eq!(Org::of(&case), Some(Org::STATION));
    assert_eq!(case.escalations, 3);

    // The station is the top: overdue there, it stays and is flagged.
    let t4 = t3 + Duration::days(30);
    assert_eq!(escalation::escalate_overdue(&w.db, t4).await?, 0);
    let case = w.case(&code).await?;
    assert_eq!(Org::of(&case), Some(Org::STATION));
    assert_eq!(case.escalations, 3);
    assert!(casework::is_overdue(&case, t4));
    let notes: Vec<String> = w
        .history(&code)
        .await?
        .into_iter()
        .filter(|e| e.action.as_str() == "escalated")
        .map(|e| e.note)
        .collect();
    assert_eq!(notes, ["aid_station", "mediation_room", "police_office"]);
    Ok(())
}

#[tokio::test]
async fn without_a_branch_room_or_an_office_a_case_climbs_to_the_main_room_then_the_station()
-> TestResult {
    let w = World::new().await?;
    let t = now();
    let mut form = w.walk_in_form("外滩5号楼噪音扰民");
    form.contact_phone = String::new();
    form.community_id = Some(w.far_community);
    let code = casework::open(&w.db, &w.officer, form, t).await?.code;
    casework::assign(
        &w.db,
        &w.officer,
        &code,
        org(OrgKind::AidStation, w.far_aid),
        None,
        "",
        t,
    )
    .await?;
    let t1 = t + Duration::hours(49);
    assert_eq!(escalation::escalate_overdue(&w.db, t1).await?, 1);
    assert_eq!(
        Org::of(&w.case(&code).await?),
        Some(org(OrgKind::MediationRoom, w.main_room)),
        "the main room, the one without a parent"
    );
    let t2 = t1 + Duration::hours(49);
    assert_eq!(escalation::escalate_overdue(&w.db, t2).await?, 1);
    assert_eq!(
        Org::of(&w.case(&code).await?),
        Some(Org::STATION),
        "no office for the community: the station"
    );

    // The ladder itself.
    let next = |from: Org, community: Option<i32>| escalation::next_level(&w.db, from, community);
    assert_eq!(
        next(org(OrgKind::AidStation, w.aid), None).await?,
        Some(org(OrgKind::MediationRoom, w.branch_room))
    );
    assert_eq!(
        next(org(OrgKind::MediationRoom, w.branch_room), None).await?,
        Some(org(OrgKind::PoliceOffice, w.office))
    );
    assert_eq!(
        next(org(OrgKind::MediationRoom, w.main_room), Some(w.community)).await?,
        Some(org(OrgKind::PoliceOffice, w.office)),
        "the main room serves every community: the case's decides"
    );
    assert_eq!(
        next(org(OrgKind::Squad, 1), Some(w.community)).await?,
        Some(org(OrgKind::PoliceOffice, w.office))
    );
    assert_eq!(
        next(org(OrgKind::Squad, 1), None).await?,
        Some(Org::STATION)
    );
    assert_eq!(
        next(org(OrgKind::PoliceOffice, w.office), None).await?,
        Some(Org::STATION)
    );
    assert_eq!(next(Org::STATION, Some(w.community)).await?, None);
    Ok(())
}

#[tokio::test]
async fn a_case_left_in_progress_too_long_goes_up_and_waits_again() -> TestResult {
    let w = World::new().await?;
    let code = w.at_station(now()).await?;
    casework::start(&w.db, &w.worker, &code, hours(1)).await?;
    assert_eq!(
        escalation::escalate_overdue(&w.db, hours(1 + 167)).await?,
        0
    );
    assert_eq!(
        escalation::escalate_overdue(&w.db, hours(1 + 169)).await?,
        1
    );
    let case = w.case(&code).await?;
    assert_eq!(
        case.stage.as_str(),
        "assigned",
        "the room has to start it again"
    );
    assert_eq!(
        Org::of(&case),
        Some(org(OrgKind::MediationRoom, w.branch_room))
    );
    let up = w.last_entry(&code).await?;
    assert_eq!(
        (up.action.as_str(), up.from_stage.map(|v| v.as_str())),
        ("escalated", Some("in_progress"))
    );
    Ok(())
}

#[tokio::test]
async fn stages_that_do_not_escalate_are_flagged_on_the_board_but_stay() -> TestResult {
    let w = World::new().await?;
    let t = now();
    let intake = w.open("小区门口路灯不亮", t).await?;
    let feedback = w.in_feedback(t).await?;
    let fresh = w.at_station(t + Duration::hours(90)).await?;
    let at = t + Duration::hours(100);
    let before = (w.snapshot(&intake).await?, w.snapshot(&feedback).await?);
    assert_eq!(escalation::escalate_overdue(&w.db, at).await?, 0);
    assert_eq!(
        (w.snapshot(&intake).await?, w.snapshot(&feedback).await?),
        before,
        "intake and feedback are flagged, never moved"
    );

    let lines = casework::board(&w.db, &w.officer, &BoardFilter::default(), at).await?;
    assert_eq!(
        codes(&lines),
        [intake.clone(), feedback.clone(), fresh.clone()],
        "overdue first, the longest overdue on top"
    );
    let flags: Vec<bool> = lines.iter().map(|l| l.overdue).collect();
    assert_eq!(flags, [true, true, false]);
    let overdue_only = BoardFilter {
        overdue_only: true,
        ..Default::default()
    };
    assert_eq!(
        w.board(&w.officer, overdue_only, at).await?,
        [intake.clone(), feedback.clone()]
    );
    assert!(
        casework::detail(&w.db, &w.officer, &intake, at)
            .await?
            .overdue
    );
    assert!(
        !casework::detail(&w.db, &w.officer, &fresh, at)
            .await?
            .overdue
    );

    // An officer may stop a stage from escalating: the case is flagged and stays put.
    casework::set_deadline(&w.db, &w.officer, "walk_in", "assigned", 48, false).await?;
    let later = t + Duration::hours(200);
    assert_eq!(escalation::escalate_overdue(&w.db, later).await?, 0);
    let case = w.case(&fresh).await?;
    assert_eq!(Org::of(&case), Some(org(OrgKind::AidStation, w.aid)));
    assert!(casework::is_overdue(&case, later));
    Ok(())
}

#[tokio::test]
async fn set_deadline_changes_the_hours_of_the_next_moves() -> TestResult {
    let w = World::new().await?;
    let seeded = casework::deadlines(&w.db).await?;
    assert_eq!(
        seeded.len(),
        Kind::ALL.len() * 5,
        "five stages for each kind"
    );
    let row = |kind: &str, stage: &str| {
        seeded
            .iter()
            .find(|d| d.kind == kind && d.stage == stage)
            .map(|d| (d.hours, d.escalate))
    };
    for kind in Kind::ALL {
        let kind = kind.as_str();
        assert_eq!(row(kind, "intake"), Some((24, false)), "{kind}");
        assert_eq!(row(kind, "triage"), Some((24, false)), "{kind}");
        assert_eq!(row(kind, "assigned"), Some((48, true)), "{kind}");
        assert_eq!(row(kind, "in_progress"), Some((168, true)), "{kind}");
        // The rooms' follow-up call comes up to two weeks after a mediation.
        let feedback = if kind == "mediation" { 336 } else { 72 };
        assert_eq!(row(kind, "feedback"), Some((feedback, false)), "{kind}");
        assert_eq!(row(kind, "closed"), None, "{kind}");
    }
    refused(
        casework::set_deadline(&w.db, &w.officer, "gossip", "assigned", 6, true).await,
        "case-kind-invalid",
    );
    refused(
        casework::set_deadline(&w.db, &w.officer, "walk_in", "closed", 6, true).await,
        "case-move-illegal",
    );
    for bad in [0, -1, 8761] {
        refused(
            casework::set_deadline(&w.db, &w.officer, "walk_in", "assigned", bad, true).await,
            "case-deadline-hours-invalid",
        );
    }
    let old = w.at_station(now()).await?;
    casework::set_deadline(&w.db, &w.officer, "walk_in", "assigned", 6, true).await?;
    let new = w.at_station(now()).await?;
    let mut phone = w.walk_in_form("电话反映楼下烧烤油烟");
    phone.kind = "phone".to_owned();
    let phoned = casework::open(&w.db, &w.officer, phone, now()).await?.code;
    casework::assign(
        &w.db,
        &w.officer,
        &phoned,
        org(OrgKind::AidStation, w.aid),
        None,
        "",
        now(),
    )
    .await?;
    assert_eq!(w.case(&new).await?.due_at, Some(hours(6)));
    assert_eq!(
        w.case(&old).await?.due_at,
        Some(hours(48)),
        "a case already waiting keeps its deadline"
    );
    assert_eq!(
        w.case(&phoned).await?.due_at,
        Some(hours(48)),
        "another kind keeps its hours"
    );
    assert_eq!(escalation::escalate_overdue(&w.db, hours(7)).await?, 1);
    assert_eq!(
        Org::of(&w.case(&new).await?),
        Some(org(OrgKind::MediationRoom, w.branch_room))
    );
    assert_eq!(
        Org::of(&w.case(&old).await?),
        Some(org(OrgKind::AidStation, w.aid))
    );
    let after = casework::deadlines(&w.db).await?;
    assert_eq!(after.len(), seeded.len(), "changed in place, not added");
    assert!(
        after
            .iter()
            .any(|d| d.kind == "walk_in" && d.stage == "assigned" && d.hours == 6 && d.escalate)
    );
    Ok(())
}

// ---------------------------------------------------------------------------------------
// 3. Two processes escalating at once, and the lease

/// Thirty walk-ins assigned to the world's station at `at`, by one bulk assignment.
async fn thirty_at_station(w: &World, at: DateTime<Utc>) -> Res<Vec<String>> {
    let mut codes = Vec::new();
    for i in 0..30 {
        codes.push(w.open(&format!("第{i}号楼道堆物"), at).await?);
    }
    let moved = casework::assign_many(
        &w.db,
        &w.officer,
        &codes,
        org(OrgKind::AidStation, w.aid),
        at,
    )
    .await?;
    assert_eq!(moved, 30);
    Ok(codes)
}

/// Each case went up exactly one level, with one history row to say so.
async fn escalated_once(w: &World, codes: &[String]) -> Res<()> {
    for code in codes {
        let case = w.case(code).await?;
        assert_eq!(case.escalations, 1, "{code} on {}", testing::engine());
        assert_eq!(
            Org::of(&case),
            Some(org(OrgKind::MediationRoom, w.branch_room)),
            "{code} went up one level, not two"
        );
        let rows = w
            .history(code)
            .await?
            .into_iter()
            .filter(|e| e.action.as_str() == "escalated")
            .count();
        assert_eq!(
            rows,
            1,
            "{code}: one escalated row on {}",
            testing::engine()
        );
    }
    Ok(())
}

// Two server processes are two connection pools on one database, both running the job at
// the same instant: both read the same thirty overdue cases before either writes. The
// escalation moves a case from "assigned" to "assigned" (one level up), so a guard on the
// stage alone would still match after the first process wrote, and the second would move
// every case it read a second level, with a second "escalated" row and escalations = 2.
// Only the `due_at = <the deadline read>` guard makes the second process find nothing to
// update; without it this test fails (on PostgreSQL the second UPDATE waits for the first's
// row lock, then re-checks the WHERE against the new row; on SQLite it waits for the write
// lock and then sees the committed row).
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_processes_escalating_at_once_move_each_case_once() -> TestResult {
    for round in 0..3 {
        let url = testing::fresh_url().await?;
        let w = World::on(db::connect_and_migrate(&url).await?).await?;
        let t = now();
        let codes = thirty_at_station(&w, t).await?;
        let barrier = Arc::new(Barrier::new(2));
        let mut handles = Vec::new();
        for _ in 0..2 {
            let pool = db::connect(&url).await?;
            let barrier = Arc::clone(&barrier);
            handles.push(tokio::spawn(async move {
                barrier.wait().await;
                let moved = escalation::escalate_overdue(&pool, t + Duration::hours(49)).await;
                pool.close().await.map(|()| moved)
            }));
        }
        let mut counts = Vec::new();
        for handle in handles {
            counts.push(handle.await??.map_err(|e| format!("round {round}: {e}"))?);
        }
        assert_eq!(
            counts.iter().sum::<usize>(),
            30,
            "round {round}: {counts:?} on {}",
            testing::engine()
        );
        escalated_once(&w, &codes).await?;
        assert_eq!(
            case_entry::Entity::find()
                .filter(case_entry::Column::Action.eq("escalated"))
                .count(&w.db)
                .await?,
            30
        );
        w.db.close().await?;
    }
    Ok(())
}

// With the lease, two processes sweeping at the same instant take turns: one holds it and
// moves everything, the other does not even read.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_sweepers_at_once_one_holds_the_lease_and_moves_all() -> TestResult {
    let url = testing::fresh_url().await?;
    let w = World::on(db::connect_and_migrate(&url).await?).await?;
    let t = now();
    let codes = thirty_at_station(&w, t).await?;
    let barrier = Arc::new(Barrier::new(2));
    let mut handles = Vec::new();
    for holder in ["server-a", "server-b"] {
        let pool = db::connect(&url).await?;
        let barrier = Arc::clone(&barrier);
        handles.push(tokio::spawn(async move {
            barrier.wait().await;
            let moved = escalation::sweep(&pool, holder, t + Duration::hours(49)).await;
            pool.close().await.map(|()| moved)
        }));
    }
    let mut counts = Vec::new();
    for handle in handles {
        counts.push(handle.await???);
    }
    counts.sort_unstable();
    assert_eq!(counts, [0, 30], "on {}", testing::engine());
    escalated_once(&w, &codes).await?;
    Ok(())
}

#[tokio::test]
async fn the_lease_lets_one_holder_sweep_until_it_expires() -> TestResult {
    let w = World::new().await?;
    let t0 = now();
    let five = Duration::minutes(5);
    let at = |m: i64| t0 + Duration::minutes(m);
    let take = |holder: &'static str, m: i64| escalation::take_lease(&w.db, holder, at(m), five);
    assert!(take("A", 0).await?, "nobody holds it: A takes it");
    assert!(!take("B", 1).await?, "A holds it");
    assert!(!take("B", 5).await?, "A holds it until 09:05 itself");
    assert!(take("B", 6).await?, "A's lease ran out at 09:05");
    assert!(!take("A", 7).await?, "now B holds it");
    assert!(take("B", 8).await?, "B renews");
    assert!(!take("A", 12).await?, "B's renewal holds until 09:13");
    assert!(take("A", 14).await?);
    assert!(take("A", 16).await?, "A renews");
    assert!(!take("B", 20).await?, "A's renewal holds until 09:21");
    let lease = job_lease::Entity::find_by_id(escalation::JOB.to_owned())
        .one(&w.db)
        .await?
        .ok_or("the lease row")?;
    assert_eq!((lease.holder.as_str(), lease.until), ("A", at(21)));
    assert_eq!(job_lease::Entity::find().count(&w.db).await?, 1);

    // Sweeping needs the lease: B's sweep moves nothing while A holds it.
    let code = w.at_station(t0 - Duration::hours(49)).await?;
    assert_eq!(escalation::sweep(&w.db, "B", at(20)).await?, 0);
    assert_eq!(
        Org::of(&w.case(&code).await?),
        Some(org(OrgKind::AidStation, w.aid))
    );
    assert_eq!(escalation::sweep(&w.db, "A", at(20)).await?, 1);
    assert_eq!(
        Org::of(&w.case(&code).await?),
        Some(org(OrgKind::MediationRoom, w.branch_room))
    );
    Ok(())
}

// ---------------------------------------------------------------------------------------
// 4. The history is append-only

#[tokio::test]
async fn history_cannot_be_rewritten_or_deleted() -> TestResult {
    let w = World::new().await?;
    let code = w.in_feedback(now()).await?;
    let history = w.history(&code).await?;
    let first = history.first().ok_or("an opened row")?.id;
    for sql in [
        format!("UPDATE case_history SET note = '改写过的记录' WHERE id = {first}"),
        format!("UPDATE case_history SET action = 'closed' WHERE id = {first}"),
        format!("UPDATE case_history SET to_stage = 'closed' WHERE id = {first}"),
        format!("UPDATE case_history SET org_id = NULL, org_kind = NULL WHERE id = {first}"),
        format!("DELETE FROM case_history WHERE id = {first}"),
        "DELETE FROM case_history".to_owned(),
    ] {
        let message = refused_by_database(w.db.execute_unprepared(&sql).await, &sql);
        assert!(
            message.contains("append-only"),
            "{sql}: refused by the trigger, not something else: {message}"
        );
    }
    // Through the ORM as well.
    refused_by_database(
        case_entry::Entity::update_many()
            .col_expr(case_entry::Column::Note, Expr::value("改写过的记录"))
            .filter(case_entry::Column::Id.eq(first))
            .exec(&w.db)
            .await,
        "ORM update of a note",
    );
    refused_by_database(
        case_entry::Entity::update_many()
            .col_expr(case_entry::Column::At, Expr::value(days(-100)))
            .exec(&w.db)
            .await,
        "ORM backdating of every row",
    );
    refused_by_database(
        case_entry::Entity::delete_by_id(first).exec(&w.db).await,
        "ORM delete of a row",
    );
    assert_eq!(w.history(&code).await?, history, "every row as it was");
    Ok(())
}

// The migration's promise: "a whole case's history goes only with the case". The portal
// never deletes a case, but clearing test or demo data does, and the triggers must not
// stand in the way of the cascade.
#[tokio::test]
async fn a_case_deleted_as_a_whole_takes_its_history_with_it() -> TestResult {
    let w = World::new().await?;
    let gone = w.in_feedback(now()).await?;
    let kept = w.at_station(now()).await?;
    let id = w.case(&gone).await?.id;
    let kept_history = w.history(&kept).await?;
    w.db.execute_unprepared(&format!("DELETE FROM cases WHERE id = {id}"))
        .await?;
    assert_eq!(
        case_entry::Entity::find()
            .filter(case_entry::Column::CaseId.eq(id))
            .count(&w.db)
            .await?,
        0
    );
    assert_eq!(w.history(&kept).await?, kept_history);
    Ok(())
}

#[tokio::test]
async fn deleting_a_person_who_acted_keeps_the_history_without_their_name() -> TestResult {
    let w = World::new().await?;
    let leaving = person(&w.db, "13600000009", &[Role::Officer], Some("李警官"), None).await?;
    let code = casework::open(
        &w.db,
        &leaving,
        w.walk_in_form("楼道杂物堵住消防通道"),
        now(),
    )
    .await?
    .code;
    casework::triage(&w.db, &leaving, &code, hours(1)).await?;
    casework::assign(
        &w.db,
        &w.officer,
        &code,
        org(OrgKind::AidStation, w.aid),
        None,
        "",
        hours(2),
    )
    .await?;
    let before = w.history(&code).await?;

    accounts::delete(&w.db, &leaving).await?;
    let after = w.history(&code).await?;
    assert_eq!(after.len(), before.len(), "no row went with the person");
    let actors: Vec<Option<i32>> = after.iter().map(|e| e.actor_id).collect();
    assert_eq!(actors, [None, None, Some(w.officer.user.id)]);
    for (b, a) in before.iter().zip(&after) {
        assert_eq!(
            (&b.action, &b.note, b.at, &b.to_stage),
            (&a.action, &a.note, a.at, &a.to_stage),
            "only the actor changed"
        );
    }
    let case = w.case(&code).await?;
    assert_eq!(case.created_by, None);
    let detail = casework::detail(&w.db, &w.officer, &code, hours(3)).await?;
    let names: Vec<Option<&str>> = detail
        .history
        .iter()
        .map(|(_, actor, _)| actor.as_deref())
        .collect();
    assert_eq!(names, [None, None, Some("张警官")]);
    Ok(())
}

// Only a deleted account may leave a step unsigned; no update may hand a step to someone
// else (a trigger on each engine).
#[tokio::test]
async fn history_cannot_be_signed_over_to_someone_else() -> TestResult {
    let w = World::new().await?;
    let code = w.at_station(now()).await?;
    let history = w.history(&code).await?;
    let first = history.first().ok_or("an opened row")?.id;
    let other = w.worker.user.id;
    let result =
        w.db.execute_unprepared(&format!(
            "UPDATE case_history SET actor_id = {other} WHERE id = {first}"
        ))
        .await;
    let changed = w.history(&code).await?;
    assert!(
        result.is_err() && changed == history,
        "the opening step now reads as done by the station's worker \
         (actor {:?} instead of {:?}) on {}",
        changed.first().and_then(|e| e.actor_id),
        history.first().and_then(|e| e.actor_id),
        testing::engine()
    );
    Ok(())
}

// ---------------------------------------------------------------------------------------
// 5. 三色: households by colour

#[tokio::test]
async fn households_are_coloured_from_their_cases_and_every_look_is_logged() -> TestResult {
    let w = World::new().await?;
    let window = Duration::days(colours::DEFAULT_WINDOW_DAYS);
    // Red: back twice, never handled in between.
    let red = [
        w.household_case("红楼1-101", days(-30), None).await?,
        w.household_case("红楼1-101", days(-10), None).await?,
    ];
    // Yellow: handled, then back again.
    let yellow = [
        w.household_case("黄楼2-202", days(-60), Some(days(-55)))
            .await?,
        w.household_case("黄楼2-202", days(-20), None).await?,
    ];
    // Green: handled twice, and nothing for 120 days since.
    let green = [
        w.household_case("绿楼3-303", days(-200), Some(days(-195)))
            .await?,
        w.household_case("绿楼3-303", days(-150), Some(days(-120)))
            .await?,
    ];
    // No colour yet: one open case; one case handled only 50 days ago.
    w.household_case("单楼4-404", days(-5), None).await?;
    let recent = w
        .household_case("新楼5-505", days(-52), Some(days(-50)))
        .await?;
    // Not linked to any household.
    w.at_station(days(-3)).await?;
    // Handled, then back: yellow, until the second case turns out to be an old paper file
    // typed in yesterday, whose opening time is written by hand. It came before the first
    // was handled, so the household was never handled between its cases: red.
    let handled = w
        .household_case("补录6-606", days(-30), Some(days(-25)))
        .await?;
    let typed_in = w.household_case("补录6-606", days(-1), None).await?;
    let seen = colours::households(&w.db, &w.officer, window, now()).await?;
    assert_eq!(
        seen.iter()
            .find(|h| h.household == "补录6-606")
            .map(|h| h.colour),
        Some(Colour::Yellow)
    );
    case_record::Entity::update_many()
        .col_expr(case_record::Column::CreatedAt, Expr::value(days(-35)))
        .filter(case_record::Column::Code.eq(typed_in.as_str()))
        .exec(&w.db)
        .await?;

    let seen = colours::households(&w.db, &w.officer, window, now()).await?;
    let found: Vec<(&str, Colour)> = seen
        .iter()
        .map(|h| (h.household.as_str(), h.colour))
        .collect();
    assert_eq!(
        found,
        [
            ("红楼1-101", Colour::Red),
            ("补录6-606", Colour::Red),
            ("黄楼2-202", Colour::Yellow),
            ("绿楼3-303", Colour::Green),
        ],
        "red first; 单楼 (one open case) and 新楼 (handled 50 days ago, once) have no colour"
    );
    let cases_of = |name: &str| -> Vec<String> {
        seen.iter()
            .find(|h| h.household == name)
            .map(|h| h.cases.iter().map(|(code, _, _)| code.clone()).collect())
            .unwrap_or_default()
    };
    assert_eq!(cases_of("红楼1-101"), red);
    assert_eq!(cases_of("黄楼2-202"), yellow);
    assert_eq!(cases_of("绿楼3-303"), green);
    assert_eq!(
        cases_of("补录6-606"),
        [typed_in.clone(), handled.clone()],
        "oldest first, by the opening time written by hand"
    );
    let first = seen
        .iter()
        .find(|h| h.household == "黄楼2-202")
        .and_then(|h| h.cases.first())
        .ok_or("黄楼's first case")?;
    assert_eq!((first.1, first.2), (days(-60), Some(days(-55))));

    // A shorter window: 新楼's one handled case has stopped, and 黄楼 is still back.
    let short = colours::households(&w.db, &w.admin, Duration::days(30), now()).await?;
    let colour_of = |name: &str| short.iter().find(|h| h.household == name).map(|h| h.colour);
    assert_eq!(colour_of("新楼5-505"), Some(Colour::Green));
    assert_eq!(colour_of("黄楼2-202"), Some(Colour::Yellow));
    assert!(w.case(&recent).await?.closed_at.is_some());

    // Every look is logged with who and when; residents never see the page.
    let views = colour_view::Entity::find()
        .order_by_asc(colour_view::Column::Id)
        .all(&w.db)
        .await?;
    let logged: Vec<(Option<i32>, DateTime<Utc>)> =
        views.iter().map(|v| (v.user_id, v.at)).collect();
    assert_eq!(
        logged,
        [
            (Some(w.officer.user.id), now()),
            (Some(w.officer.user.id), now()),
            (Some(w.admin.user.id), now())
        ]
    );
    for who in [&w.resident, &w.worker, &w.mediator] {
        forbidden(colours::households(&w.db, who, window, now()).await);
    }
    assert_eq!(
        colour_view::Entity::find().count(&w.db).await?,
        3,
        "a refused look writes nothing"
    );
    Ok(())
}

// ---------------------------------------------------------------------------------------
// 6. Sources that move the loop by themselves

/// A mediation request every rule accepts, to the branch room.
fn mediation_form(room: i32) -> CaseRequest {
    CaseRequest {
        dispute_type: "neighbours".to_owned(),
        account: "楼上卫生间漏水三个月了，天花板发霉。\n楼上住户一直不肯修。".to_owned(),
        other_party: "楼上住户王先生".to_owned(),
        other_relation: "邻居".to_owned(),
        other_phone: String::new(),
        amount_claimed: Some(2000),
        tried_aid_station: true,
        mode: "in_person".to_owned(),
        room_id: room,
    }
}

fn roomy_policy() -> Policy {
    Policy {
        requests_per_day: 10,
        ..Policy::default()
    }
}

#[tokio::test]
async fn a_mediation_request_runs_the_loop_by_itself() -> TestResult {
    let w = World::new().await?;
    w.open_calendar().await?;
    let policy = roomy_policy();
    let request = mediation::request(
        &w.db,
        &w.resident,
        mediation_form(w.branch_room),
        &policy,
        now(),
    )
    .await?;
    let case = w.of_mediation(request.id).await?;
    let code = case.code.clone();
    assert!(code.starts_with("JW-2026-"), "{code}");
    assert_eq!(case.kind.as_str(), "mediation");
    assert_eq!(
        case.stage.as_str(),
        "assigned",
        "the room the resident chose has it"
    );
    assert_eq!(
        Org::of(&case),
        Some(org(OrgKind::MediationRoom, w.branch_room))
    );
    assert_eq!(case.resident_id, Some(w.resident.user.id));
    assert!(case.resident_raised);
    assert_eq!(case.community_id, Some(w.community));
    assert_eq!(case.due_at, Some(hours(48)));
    assert_eq!(case.title, "楼上卫生间漏水三个月了，天花板发霉。");
    assert_eq!(
        w.history(&code)
            .await?
            .iter()
            .map(|e| (e.action.as_str(), e.actor_id))
            .collect::<Vec<_>>(),
        [("opened", Some(w.resident.user.id))]
    );
    // The mediator sees it on their board and its page links the mediation case.
    assert_eq!(
        w.board(&w.mediator, BoardFilter::default(), now()).await?,
        std::slice::from_ref(&code)
    );
    let detail = casework::detail(&w.db, &w.mediator, &code, now()).await?;
    assert_eq!(
        detail.mediation_code.as_deref(),
        Some(request.code.as_str())
    );

    // Booking waits for the mediator: the loop does not move.
    let slot = at_local(day0() + Duration::days(1), 9 * 60).ok_or("a slot")?;
    mediation::book(&w.db, &w.resident, &request.code, slot, &policy, hours(1)).await?;
    assert_eq!(w.case(&code).await?.stage.as_str(), "assigned");
    // The mediator accepts: work has started.
    mediation::accept(&w.db, &w.mediator, &request.code, hours(2)).await?;
    let case = w.case(&code).await?;
    assert_eq!(case.stage.as_str(), "in_progress");
    assert_eq!(case.due_at, Some(hours(2 + 168)));
    let started = w.last_entry(&code).await?;
    assert_eq!(
        (started.action.as_str(), started.actor_id),
        ("started", Some(w.mediator.user.id))
    );
    // The session's outcome waits for the resident's word.
    let after = slot + Duration::minutes(90);
    let agreement = "楼上一周内修好水管，赔偿粉刷费1500元。";
    mediation::record_outcome(
        &w.db,
        &w.mediator,
        &request.code,
        OutcomeRecord {
            outcome: "reached".to_owned(),
            agreement: agreement.to_owned(),
            amount_settled: Some(1500),
            referred_to: String::new(),
            referral_note: String::new(),
        },
        after,
    )
    .await?;
    let case = w.case(&code).await?;
    assert_eq!(case.stage.as_str(), "feedback");
    let outcome = format!("达成调解协议：{agreement}");
    assert_eq!(case.outcome.as_deref(), Some(outcome.as_str()));
    assert_eq!(case.stage_since, after);
    // The resident rates it: closed, with their word.
    let visit = slot + Duration::days(7);
    mediation::follow_up(
        &w.db,
        &w.resident,
        &request.code,
        5,
        "老何调解得很公道",
        visit,
    )
    .await?;
    let case = w.case(&code).await?;
    assert_eq!(case.stage.as_str(), "closed");
    assert_eq!(case.rating, Some(5));
    assert_eq!(case.feedback.as_deref(), Some("老何调解得很公道"));
    assert_eq!(case.closed_at, Some(visit));
    assert_eq!(case.solved_without_police, Some(true));
    assert_eq!(
        w.actions(&code).await?,
        ["opened", "started", "feedback", "closed"]
    );
    Ok(())
}

#[tokio::test]
async fn a_cancelled_or_declined_mediation_request_leaves_the_loop_consistent() -> TestResult {
    let w = World::new().await?;
    w.open_calendar().await?;
    let policy = roomy_policy();
    let form = || mediation_form(w.branch_room);

    // The resident withdraws: closed, with the reason there is no feedback.
    let cancelled = mediation::request(&w.db, &w.resident, form(), &policy, now()).await?;
    mediation::cancel(&w.db, &w.resident, &cancelled.code, &policy, hours(1)).await?;
    let case = w.of_mediation(cancelled.id).await?;
    assert_eq!(case.stage.as_str(), "closed");
    assert_eq!(case.outcome.as_deref(), Some("居民撤回申请"));
    assert!(case.no_feedback_reason.is_some());
    assert_eq!(case.closed_at, Some(hours(1)));
    assert_eq!(case.due_at, None);
    assert_eq!(
        case.solved_without_police, None,
        "a withdrawn request was not solved by anyone: it must not swell that figure"
    );

    // The room declines: back to the officers, with no organisation, to route elsewhere.
    let declined = mediation::request(&w.db, &w.resident, form(), &policy, now()).await?;
    mediation::decline(
        &w.db,
        &w.mediator,
        &declined.code,
        "涉及刑事，不属调解范围",
        hours(1),
    )
    .await?;
    let case = w.of_mediation(declined.id).await?;
    assert_eq!(case.stage.as_str(), "triage");
    assert_eq!(Org::of(&case), None);
    assert_eq!(case.due_at, Some(hours(1 + 24)));
    let back = w.last_entry(&case.code).await?;
    assert_eq!(back.action.as_str(), "returned");
    assert_eq!(back.note, "调解室未受理");
    assert_eq!(back.actor_id, Some(w.mediator.user.id));
    not_found(casework::detail(&w.db, &w.mediator, &case.code, hours(1)).await);
    // The officer sends it on: from triage, no reason is needed.
    casework::assign(
        &w.db,
        &w.officer,
        &case.code,
        Org::STATION,
        None,
        "",
        hours(2),
    )
    .await?;
    assert_eq!(w.case(&case.code).await?.stage.as_str(), "assigned");

    // A case the officer already moved on is left where it is by the feature's step.
    let moved = mediation::request(&w.db, &w.resident, form(), &policy, now()).await?;
    let code = w.of_mediation(moved.id).await?.code;
    casework::assign(
        &w.db,
        &w.officer,
        &code,
        org(OrgKind::AidStation, w.aid),
        None,
        "先请互助站上门看看",
        hours(1),
    )
    .await?;
    casework::start(&w.db, &w.worker, &code, hours(1)).await?;
    casework::report(&w.db, &w.worker, &code, "互助站已调解", hours(2)).await?;
    mediation::cancel(&w.db, &w.resident, &moved.code, &policy, hours(3)).await?;
    let case = w.case(&code).await?;
    assert_eq!(
        case.stage.as_str(),
        "feedback",
        "the cancel did not undo the station's work"
    );
    assert_eq!(case.outcome.as_deref(), Some("互助站已调解"));
    Ok(())
}

#[tokio::test]
async fn a_help_request_enters_at_intake_and_follows_the_volunteer() -> TestResult {
    let w = World::new().await?;
    let squad_id = squad::ActiveModel {
        name: Set("老乡帮老乡小分队".to_owned()),
        description: Set("测试".to_owned()),
        is_demo: Set(false),
        ..Default::default()
    }
    .insert(&w.db)
    .await?
    .id;
    let leader = person(&w.db, "13700000050", &[Role::Volunteer], Some("老王"), None).await?;
    squad_member::ActiveModel {
        squad_id: Set(squad_id),
        user_id: Set(leader.user.id),
        name: Set("老王".to_owned()),
        is_leader: Set(true),
        in_ranking: Set(false),
        joined_at: Set(long_ago()),
    }
    .insert(&w.db)
    .await?;
    // A volunteer who speaks 阜阳话 joins through an approved application.
    let volunteer = person(&w.db, "13700000051", &[], Some("张建国"), None).await?;
    let application = volunteers::apply(
        &w.db,
        &volunteer,
        Application {
            squad_id,
            name: "张建国".to_owned(),
            hometown: "安徽阜阳".to_owned(),
            dialects: "阜阳话、普通话".to_owned(),
            skills: "开车".to_owned(),
            availability: "周末".to_owned(),
            consent: true,
        },
        now(),
    )
    .await?;
    volunteers::decide(&w.db, &leader, application.id, true, "", now()).await?;
    // Signed in again, as the next request would be, the account holds its new role.
    let volunteer = Account {
        roles: accounts::roles_of(&w.db, volunteer.user.id).await?,
        user: volunteer.user,
    };

    let request = help::ask(
        &w.db,
        &w.resident,
        "阜阳话",
        "陪我去社保中心办事",
        "招宝山街道社保中心",
        now(),
    )
    .await?;
    let case = w.of_help(request.id).await?;
    let code = case.code.clone();
    assert_eq!(case.kind.as_str(), "help");
    assert_eq!(case.stage.as_str(), "intake", "the officers see it first");
    assert_eq!(Org::of(&case), None);
    assert_eq!(case.resident_id, Some(w.resident.user.id));
    assert_eq!(case.community_id, Some(w.community));
    assert_eq!(case.due_at, Some(hours(24)));
    assert_eq!(case.title, "阜阳话 · 陪我去社保中心办事");

    help::take(&w.db, &volunteer, request.id, hours(1)).await?;
    let case = w.case(&code).await?;
    assert_eq!(case.stage.as_str(), "in_progress");
    assert_eq!(Org::of(&case), Some(org(OrgKind::Squad, squad_id)));
    assert_eq!(case.assignee_id, Some(volunteer.user.id));
    assert_eq!(case.due_at, Some(hours(1 + 168)));
    let steps: Vec<(String, Option<i32>)> = w
        .history(&code)
        .await?
        .into_iter()
        .map(|e| (e.action.as_str().to_owned(), e.actor_id))
        .collect();
    let vol = Some(volunteer.user.id);
    assert_eq!(
        steps,
        [
            ("opened".to_owned(), Some(w.resident.user.id)),
            ("assigned".to_owned(), vol),
            ("started".to_owned(), vol),
        ]
    );
    // The squad sees it on its board.
    assert_eq!(
        w.board(&volunteer, BoardFilter::default(), hours(1))
            .await?,
        std::slice::from_ref(&code)
    );

    help::close(
        &w.db,
        &volunteer,
        request.id,
        "陪同办理了医保转移",
        hours(3),
    )
    .await?;
    let case = w.case(&code).await?;
    assert_eq!(case.stage.as_str(), "feedback");
    assert_eq!(case.outcome.as_deref(), Some("陪同办理了医保转移"));
    let closing = Closing {
        feedback: "王阿姨说办好了".to_owned(),
        rating: Some(5),
        ..Default::default()
    };
    casework::close(&w.db, &w.officer, &code, closing, hours(4)).await?;
    let case = w.case(&code).await?;
    assert_eq!(case.stage.as_str(), "closed");
    assert_eq!(case.solved_without_police, Some(true));

    // Withdrawn before anyone took it: closed with the reason there is no feedback.
    let withdrawn = help::ask(&w.db, &w.resident, "阜阳话", "帮我看看这封信", "", now()).await?;
    help::close(&w.db, &w.resident, withdrawn.id, "", hours(1)).await?;
    let case = w.of_help(withdrawn.id).await?;
    assert_eq!(case.stage.as_str(), "closed");
    assert_eq!(case.outcome.as_deref(), Some("居民撤回求助"));
    assert!(case.no_feedback_reason.is_some());
    assert_eq!(case.closed_at, Some(hours(1)));
    assert_eq!(case.solved_without_police, None, "withdrawn, not solved");
    Ok(())
}

#[tokio::test]
async fn a_thread_turned_into_a_case_is_marked_as_coming_from_the_tea_house() -> TestResult {
    let w = World::new().await?;
    let board = teahouse::open_board(
        &w.db,
        &w.admin,
        NewBoard {
            police_office_id: w.office,
            liaison_room_id: None,
            name: "茶叙".to_owned(),
            description: "随便聊聊".to_owned(),
            answer_hours: 48,
        },
    )
    .await?;
    let thread = teahouse::start(
        &w.db,
        &w.resident,
        NewThread {
            board_id: board.id,
            title: "楼上漏水到我家".to_owned(),
            body: "天花板一直在滴水，楼上说不是他家的问题".to_owned(),
            community_id: Some(w.community),
            anonymous: true,
            display_name: String::new(),
        },
        &Limits::default(),
        hours(-5),
    )
    .await?;
    let mediation_code = teahouse::to_case(
        &w.db,
        &w.officer,
        ThreadCase {
            thread_id: thread.id,
            dispute_type: "neighbours".to_owned(),
            room_id: w.main_room,
            other_party: "602室住户".to_owned(),
        },
        now(),
    )
    .await?;
    let case = case_record::Entity::find()
        .filter(case_record::Column::ThreadId.eq(thread.id))
        .one(&w.db)
        .await?
        .ok_or("the thread has its loop case")?;
    assert_eq!(case.kind.as_str(), "thread");
    assert_eq!(case.thread_id, Some(thread.id));
    assert_eq!(case.stage.as_str(), "assigned");
    assert_eq!(
        Org::of(&case),
        Some(org(OrgKind::MediationRoom, w.main_room))
    );
    assert_eq!(case.resident_id, Some(w.resident.user.id));
    assert_eq!(case.created_by, Some(w.officer.user.id));
    assert_eq!(case.title, "楼上漏水到我家");
    let detail = casework::detail(&w.db, &w.officer, &case.code, now()).await?;
    assert_eq!(
        detail.mediation_code.as_deref(),
        Some(mediation_code.as_str())
    );
    assert_eq!(
        case_record::Entity::find().count(&w.db).await?,
        1,
        "one case, not a mediation case and a thread case"
    );
    let filter = BoardFilter {
        kind: Some(Kind::Thread),
        ..Default::default()
    };
    assert_eq!(w.board(&w.officer, filter, now()).await?, [case.code]);
    Ok(())
}

// ---------------------------------------------------------------------------------------
// 7. The board and the case page

#[tokio::test]
async fn each_organisation_sees_its_own_cases_on_the_board() -> TestResult {
    let w = World::new().await?;
    let station = org(OrgKind::AidStation, w.aid);
    let room = org(OrgKind::MediationRoom, w.branch_room);
    let at_aid = w.at_station(now()).await?;
    let at_other = w
        .assigned(
            "梅墩小区停车纠纷",
            org(OrgKind::AidStation, w.other_aid),
            now(),
        )
        .await?;
    let at_room = w.assigned("邻里噪音纠纷", room, hours(1)).await?;
    let at_police = w.assigned("电动车被盗", Org::STATION, hours(2)).await?;
    let intake = w.open("小区门口路灯不亮", hours(3)).await?;
    let mut phone = w.walk_in_form("电话反映楼下烧烤油烟");
    phone.kind = "phone".to_owned();
    let phoned = casework::open(&w.db, &w.officer, phone, hours(4))
        .await?
        .code;
    let closed = w.in_feedback(now()).await?;
    casework::close(
        &w.db,
        &w.officer,
        &closed,
        Closing {
            feedback: "满意".to_owned(),
            ..Default::default()
        },
        hours(1),
    )
    .await?;
    let all_open = sorted(vec![
        at_aid.clone(),
        at_other.clone(),
        at_room.clone(),
        at_police.clone(),
        intake.clone(),
        phoned.clone(),
    ]);
    let t = hours(5);
    let everything = BoardFilter::default;

    assert_eq!(
        sorted(w.board(&w.officer, everything(), t).await?),
        all_open,
        "officers see every open case"
    );
    assert_eq!(sorted(w.board(&w.admin, everything(), t).await?), all_open);
    let with_closed = BoardFilter {
        include_closed: true,
        ..Default::default()
    };
    assert_eq!(w.board(&w.officer, with_closed.clone(), t).await?.len(), 7);
    assert_eq!(
        w.board(&w.worker, everything(), t).await?,
        std::slice::from_ref(&at_aid),
        "the station sees its own"
    );
    assert_eq!(
        sorted(w.board(&w.worker, with_closed, t).await?),
        sorted(vec![at_aid.clone(), closed.clone()])
    );
    assert_eq!(
        w.board(&w.other_worker, everything(), t).await?,
        std::slice::from_ref(&at_other)
    );
    assert_eq!(
        w.board(&w.mediator, everything(), t).await?,
        std::slice::from_ref(&at_room),
        "the room's mediator sees the room's"
    );
    forbidden(casework::board(&w.db, &w.resident, &everything(), t).await);
    // A member filtering for another organisation sees nothing of it.
    let other_station = BoardFilter {
        org: Some(org(OrgKind::AidStation, w.other_aid)),
        ..Default::default()
    };
    assert!(w.board(&w.worker, other_station, t).await?.is_empty());

    // The filters.
    let by_stage = |stage| BoardFilter {
        stage: Some(stage),
        ..Default::default()
    };
    assert_eq!(
        sorted(w.board(&w.officer, by_stage(Stage::Intake), t).await?),
        sorted(vec![intake.clone(), phoned.clone()])
    );
    assert_eq!(
        w.board(&w.officer, by_stage(Stage::Closed), t).await?,
        std::slice::from_ref(&closed),
        "asking for closed cases shows them"
    );
    let by_kind = BoardFilter {
        kind: Some(Kind::Phone),
        ..Default::default()
    };
    assert_eq!(
        w.board(&w.officer, by_kind, t).await?,
        std::slice::from_ref(&phoned)
    );
    let by_org = |o| BoardFilter {
        org: Some(o),
        ..Default::default()
    };
    assert_eq!(
        w.board(&w.officer, by_org(station), t).await?,
        std::slice::from_ref(&at_aid)
    );
    assert_eq!(
        w.board(&w.officer, by_org(room), t).await?,
        std::slice::from_ref(&at_room)
    );
    assert_eq!(
        w.board(&w.officer, by_org(Org::STATION), t).await?,
        std::slice::from_ref(&at_police)
    );
    let overdue_only = BoardFilter {
        overdue_only: true,
        ..Default::default()
    };
    assert!(
        w.board(&w.officer, overdue_only.clone(), t)
            .await?
            .is_empty()
    );
    // A day after they came the intake cases are overdue, the assigned ones not yet.
    assert_eq!(
        w.board(&w.officer, overdue_only, hours(29)).await?,
        [intake.clone(), phoned.clone()]
    );

    let lines = casework::board(&w.db, &w.officer, &by_org(station), t).await?;
    assert_eq!(lines.first().and_then(|l| l.org_name.as_deref()), Some(AID));
    let lines = casework::board(&w.db, &w.officer, &by_org(Org::STATION), t).await?;
    assert_eq!(
        lines.first().and_then(|l| l.org_name.clone()),
        Some(casework::station_name(&w.db).await?)
    );
    Ok(())
}

// A closed case has no deadline (NULL), and the engines sort NULL at opposite ends: the
// board orders them itself, closed cases after the open ones on both.
#[tokio::test]
async fn closed_cases_come_after_the_open_ones_on_the_board() -> TestResult {
    let w = World::new().await?;
    let closed = w.in_feedback(now()).await?;
    casework::close(
        &w.db,
        &w.officer,
        &closed,
        Closing {
            feedback: "满意".to_owned(),
            ..Default::default()
        },
        hours(1),
    )
    .await?;
    let open = w.at_station(hours(2)).await?;
    let filter = BoardFilter {
        include_closed: true,
        ..Default::default()
    };
    assert_eq!(
        w.board(&w.officer, filter, hours(3)).await?,
        [open, closed],
        "a closed case listed above the open one on {}",
        testing::engine()
    );
    Ok(())
}

#[tokio::test]
async fn the_case_page_masks_the_residents_number_for_members_and_hides_from_strangers()
-> TestResult {
    let w = World::new().await?;
    let code = w.at_station(now()).await?;
    let seen = casework::detail(&w.db, &w.officer, &code, now()).await?;
    assert_eq!(seen.access, Access::Officer);
    assert_eq!(seen.resident_phone.as_deref(), Some(RESIDENT_PHONE));
    let seen = casework::detail(&w.db, &w.worker, &code, now()).await?;
    assert_eq!(seen.access, Access::Member);
    assert_eq!(seen.resident_phone.as_deref(), Some("138****0001"));
    assert_eq!(seen.org_name.as_deref(), Some(AID));
    assert_eq!(
        seen.history
            .iter()
            .map(|(e, actor, org)| (e.action.as_str(), actor.as_deref(), org.as_deref()))
            .collect::<Vec<_>>(),
        [
            ("opened", Some("张警官"), None),
            ("assigned", Some("张警官"), Some(AID)),
        ]
    );
    for stranger in [&w.other_worker, &w.mediator, &w.resident] {
        not_found(casework::detail(&w.db, stranger, &code, now()).await);
        not_found(casework::access(&w.db, stranger, &w.case(&code).await?).await);
    }
    // The code is found whatever the case of its letters and the spaces around it.
    let typed = format!("  {}  ", code.to_lowercase());
    assert_eq!(
        casework::detail(&w.db, &w.officer, &typed, now())
            .await?
            .case
            .code,
        code
    );
    Ok(())
}

// ---------------------------------------------------------------------------------------
// 8. Twenty people starting one case at once

/// Twenty residents made members of the world's station by the admin.
async fn twenty_members(w: &World) -> Res<Vec<Account>> {
    let station = org(OrgKind::AidStation, w.aid);
    let mut members = Vec::new();
    for i in 0..20 {
        let member = person(
            &w.db,
            &format!("137000001{i:02}"),
            &[Role::Resident],
            None,
            Some(w.community),
        )
        .await?;
        casework::add_member(&w.db, &w.admin, station, member.user.id, now()).await?;
        members.push(member);
    }
    Ok(members)
}

/// Each member starts the case paired with them, all released at once; who, and how it went.
async fn start_at_once(
    w: &World,
    pairs: Vec<(Account, String)>,
) -> Res<Vec<(i32, domain::Result<()>)>> {
    let barrier = Arc::new(Barrier::new(pairs.len()));
    let mut handles = Vec::new();
    for (member, code) in pairs {
        let db = w.db.clone();
        let barrier = Arc::clone(&barrier);
        handles.push(tokio::spawn(async move {
            barrier.wait().await;
            let result = casework::start(&db, &member, &code, now()).await;
            (member.user.id, result)
        }));
    }
    let mut results = Vec::new();
    for handle in handles {
        results.push(handle.await?);
    }
    Ok(results)
}

// A move whose transaction read before it wrote would, on SQLite, fail at once with "database
// is locked" when another connection wrote in between (SQLITE_BUSY_SNAPSHOT does not wait
// out the busy timeout): the losers must get "case-move-illegal", not an error page.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn twenty_members_starting_one_case_at_once_start_it_once() -> TestResult {
    let w = World::new().await?;
    let members = twenty_members(&w).await?;
    let code = w.at_station(now()).await?;
    let pairs = members.into_iter().map(|m| (m, code.clone())).collect();
    let mut winners = Vec::new();
    for (who, result) in start_at_once(&w, pairs).await? {
        match result {
            Ok(()) => winners.push(who),
            Err(Error::Invalid("case-move-illegal")) => {}
            Err(other) => panic!(
                "member {who} got {other:?} instead of case-move-illegal on {}",
                testing::engine()
            ),
        }
    }
    assert_eq!(winners.len(), 1, "one start wins: {winners:?}");
    let started: Vec<case_entry::Model> = w
        .history(&code)
        .await?
        .into_iter()
        .filter(|e| e.action.as_str() == "started")
        .collect();
    assert_eq!(started.len(), 1, "one started row");
    assert_eq!(
        started.first().and_then(|e| e.actor_id),
        winners.first().copied()
    );
    assert_eq!(w.case(&code).await?.stage.as_str(), "in_progress");
    Ok(())
}

// The same without any contest: twenty members each start a case of their own at the same
// moment, and all twenty succeed on both engines.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn twenty_members_starting_their_own_cases_at_once_all_succeed() -> TestResult {
    let w = World::new().await?;
    let members = twenty_members(&w).await?;
    let mut pairs = Vec::new();
    for member in members {
        let code = w.at_station(now()).await?;
        pairs.push((member, code));
    }
    let codes: Vec<String> = pairs.iter().map(|(_, code)| code.clone()).collect();
    let failed: Vec<String> = start_at_once(&w, pairs)
        .await?
        .into_iter()
        .filter_map(|(who, result)| result.err().map(|e| format!("{who}: {e}")))
        .collect();
    assert!(
        failed.is_empty(),
        "{} of 20 independent starts failed on {}: {failed:?}",
        failed.len(),
        testing::engine()
    );
    for code in &codes {
        assert_eq!(w.case(code).await?.stage.as_str(), "in_progress");
    }
    Ok(())
}

#[tokio::test]
async fn one_ladder_moves_the_mediation_case_and_its_loop_case_together() -> TestResult {
    use domain::entities::{booking, inbox_message, mediation_case};
    let w = World::new().await?;
    w.open_calendar().await?;
    let policy = roomy_policy();

    // By deadline: the room sits on a booked request past the loop's 48 hours.
    let request = mediation::request(
        &w.db,
        &w.resident,
        mediation_form(w.branch_room),
        &policy,
        now(),
    )
    .await?;
    let slot = at_local(day0() + Duration::days(5), 9 * 60).ok_or("a slot")?;
    mediation::book(&w.db, &w.resident, &request.code, slot, &policy, hours(1)).await?;
    let late = hours(49);
    assert_eq!(escalation::escalate_overdue(&w.db, late).await?, 1);
    let case = w.of_mediation(request.id).await?;
    assert_eq!(Org::of(&case), Some(org(OrgKind::PoliceOffice, w.office)));
    assert_eq!((case.stage.as_str(), case.escalations), ("assigned", 1));
    let up = mediation_case::Entity::find_by_id(request.id)
        .one(&w.db)
        .await?
        .ok_or("the mediation case")?;
    assert_eq!(
        (up.level.as_str(), up.status.as_str()),
        ("community", "escalated"),
        "the mediation case climbed with it"
    );
    let held = booking::Entity::find()
        .filter(booking::Column::CaseId.eq(request.id))
        .filter(booking::Column::CancelledAt.is_null())
        .count(&w.db)
        .await?;
    assert_eq!(held, 0, "its session is freed");
    let told = inbox_message::Entity::find()
        .filter(inbox_message::Column::UserId.eq(w.resident.user.id))
        .filter(inbox_message::Column::Topic.eq("inbox-case-escalated"))
        .count(&w.db)
        .await?;
    assert_eq!(told, 1, "the resident is told");
    assert_eq!(
        w.actions(&case.code).await?,
        ["opened", "escalated"],
        "one escalation, not a second one back from the mediation side"
    );

    // By hand: a mediator takes another request up to the station; the loop follows at once.
    let other = mediation::request(
        &w.db,
        &w.resident,
        mediation_form(w.branch_room),
        &policy,
        now(),
    )
    .await?;
    mediation::escalate(
        &w.db,
        &w.mediator,
        &other.code,
        "station",
        "涉及人身安全，需派出所处理",
        hours(2),
    )
    .await?;
    let case = w.of_mediation(other.id).await?;
    assert_eq!(Org::of(&case), Some(Org::STATION));
    assert_eq!((case.stage.as_str(), case.escalations), ("assigned", 1));
    let entry = w.last_entry(&case.code).await?;
    assert_eq!(
        (entry.action.as_str(), entry.actor_id),
        ("escalated", Some(w.mediator.user.id))
    );
    // Brought back down to the room, the loop case is transferred back, not escalated.
    mediation::escalate(
        &w.db,
        &w.officer,
        &other.code,
        "room",
        "双方愿意再调一次",
        hours(3),
    )
    .await?;
    let case = w.of_mediation(other.id).await?;
    assert_eq!(
        Org::of(&case),
        Some(org(OrgKind::MediationRoom, w.branch_room))
    );
    assert_eq!(case.escalations, 1);
    assert_eq!(
        w.last_entry(&case.code).await?.action.as_str(),
        "transferred"
    );
    Ok(())
}
