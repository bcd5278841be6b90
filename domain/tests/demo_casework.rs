//! The 警网融合 demo: a loop case for every demo mediation case at the stage its status
//! gives, four months of walk-ins, calls and patrol findings whose histories agree with
//! their cases, households of every colour, station members who sign in and see their
//! station's cases, and a step that loads once. On whichever engine TEST_DATABASE_URL names.

use std::collections::{HashMap, HashSet};
use std::time::Instant;

use chrono::{Duration, Utc};
use domain::accounts::{self, Account, SessionPolicy};
use domain::casework::{self, BoardFilter, Kind, Org, OrgKind, Stage, colours, escalation};
use domain::demo::{self, DEMO_PASSWORD, OFFICER_PHONE, Outcome};
use domain::entities::{
    aid_station, case_deadline, case_entry, case_record, enterprise_request, mediation_case,
    org_member, setting, user, user_role,
};
use domain::mediation::Status;
use domain::testing;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, DatabaseConnection, EntityTrait,
    PaginatorTrait, QueryFilter, QueryOrder,
};

type TestResult = Result<(), Box<dyn std::error::Error>>;

async fn loaded() -> Result<DatabaseConnection, Box<dyn std::error::Error>> {
    let db = testing::fresh_db().await?;
    assert_eq!(demo::load(&db).await?, Outcome::Loaded);
    Ok(db)
}

async fn officer(db: &DatabaseConnection) -> Result<Account, Box<dyn std::error::Error>> {
    let user = accounts::find_by_phone(db, OFFICER_PHONE)
        .await?
        .ok_or("the demo officer")?;
    let roles = accounts::roles_of(db, user.id).await?;
    Ok(Account { user, roles })
}

async fn cases(db: &DatabaseConnection) -> Result<Vec<case_record::Model>, sea_orm::DbErr> {
    case_record::Entity::find()
        .order_by_asc(case_record::Column::Id)
        .all(db)
        .await
}

/// The stage a mediation case's loop case stands at, by the mediation case's status.
fn mapped(status: Status) -> Option<Stage> {
    Some(match status {
        Status::Requested | Status::Booked => Stage::Assigned,
        Status::Accepted => Stage::InProgress,
        Status::Resolved => Stage::Feedback,
        Status::Closed | Status::Cancelled | Status::Declined => Stage::Closed,
        Status::Escalated => return None,
    })
}

#[tokio::test]
async fn every_demo_mediation_case_has_one_loop_case_at_the_stage_of_its_status() -> TestResult {
    let db = loaded().await?;
    let mediation = mediation_case::Entity::find().all(&db).await?;
    assert!(mediation.len() > 300);
    let cases = cases(&db).await?;
    let mut by_source: HashMap<i32, Vec<&case_record::Model>> = HashMap::new();
    for case in &cases {
        if let Some(id) = case.mediation_case_id {
            by_source.entry(id).or_default().push(case);
        }
    }
    for m in &mediation {
        let code = &m.code;
        let loops = by_source.get(&m.id).ok_or("a loop case")?;
        assert_eq!(loops.len(), 1, "{code}");
        let case = loops[0];
        assert_eq!(case.kind, Kind::Mediation, "{code}");
        assert_eq!(Some(case.stage), mapped(m.status));
        assert_eq!(case.created_at, m.created_at, "{code}");
        assert_eq!(case.resident_id, m.resident_id, "{code}");
        assert!(case.resident_raised && case.is_demo, "{code}");
        assert!(m.account.starts_with(case.title.trim_end_matches('…')));
        assert!(case.title.chars().count() <= 41, "{code}");
        match m.status.as_str() {
            "declined" => {
                // Handed back by the room, told where to turn by the police.
                assert!(Org::of(case).is_some_and(Org::is_police), "{code}");
                assert_eq!(case.solved_without_police, Some(false), "{code}");
                assert!(case.no_feedback_reason.is_some(), "{code}");
            }
            status => {
                let room = Org {
                    kind: OrgKind::MediationRoom,
                    id: Some(m.room_id),
                };
                assert_eq!(Org::of(case), Some(room), "{code}");
                match status {
                    "closed" => {
                        assert_eq!(case.closed_at, m.follow_up_at, "{code}");
                        assert_eq!(case.rating, m.satisfaction, "{code}");
                        assert_eq!(case.solved_without_police, Some(true), "{code}");
                        let comment = m.follow_up_comment.clone();
                        let satisfaction = format!("回访满意度 {}", m.satisfaction.unwrap_or(0));
                        assert_eq!(case.feedback, comment.or(Some(satisfaction)), "{code}");
                    }
                    "resolved" => {
                        assert_eq!(case.stage_since, m.outcome_at.ok_or("outcome_at")?);
                        assert!(case.outcome.is_some() && case.feedback.is_none());
                    }
                    "cancelled" => {
                        assert_eq!(case.outcome.as_deref(), Some("cancelled"), "{code}");
                        assert!(case.no_feedback_reason.is_some(), "{code}");
                    }
                    _ => assert!(case.outcome.is_none() && case.closed_at.is_none()),
                }
            }
        }
    }
    Ok(())
}

#[tokio::test]
async fn every_history_agrees_with_its_case() -> TestResult {
    let db = loaded().await?;
    let cases = cases(&db).await?;
    let deadlines: HashMap<(String, String), i64> = case_deadline::Entity::find()
        .all(&db)
        .await?
        .into_iter()
        .map(|d| ((d.kind, d.stage), i64::from(d.hours)))
        .collect();
    let mut history: HashMap<i32, Vec<case_entry::Model>> = HashMap::new();
    for e in case_entry::Entity::find()
        .order_by_asc(case_entry::Column::Id)
        .all(&db)
        .await?
    {
        history.entry(e.case_id).or_default().push(e);
    }
    let mut codes = HashSet::new();
    for case in &cases {
        let code = &case.code;
        assert!(codes.insert(code.clone()), "{code} twice");
        assert!(code.starts_with("JW-") && code.len() == 14, "{code}");
        assert!(case.is_demo, "{code}");
        let rows = history.get(&case.id).ok_or("its history")?;
        let first = rows.first().ok_or("a first row")?;
        assert_eq!(first.action.as_str(), "opened", "{code}");
        assert_eq!(first.from_stage, None, "{code}");
        assert_eq!(first.at, case.created_at, "{code}");
        for pair in rows.windows(2) {
            assert_eq!(
                pair[1].from_stage.map(|v| v.as_str()),
                Some(pair[0].to_stage.as_str()),
                "{code}: every move starts where the last one ended"
            );
            assert!(pair[0].at <= pair[1].at, "{code}: in time order");
        }
        let last = rows.last().ok_or("a last row")?;
        assert_eq!(last.to_stage, case.stage, "{code}");
        assert_eq!(last.at, case.stage_since, "{code}");
        assert!(last.at <= Utc::now(), "{code}");
        let escalated = rows
            .iter()
            .filter(|r| r.action.as_str() == "escalated")
            .count();
        assert_eq!(escalated, case.escalations as usize, "{code}");
        let due = deadlines
            .get(&(
                case.kind.as_str().to_owned(),
                case.stage.as_str().to_owned(),
            ))
            .map(|h| case.stage_since + Duration::hours(*h));
        if case.stage == Stage::Closed {
            assert_eq!(case.due_at, None, "{code}");
            assert_eq!(case.closed_at, Some(case.stage_since), "{code}");
            assert!(case.outcome.is_some(), "{code}");
            assert!(case.rating.is_none_or(|r| (1..=5).contains(&r)), "{code}");
            if case.resident_raised {
                assert!(
                    case.feedback.is_some() || case.no_feedback_reason.is_some(),
                    "{code}: a resident's case closes with their word or why there is none"
                );
            }
        } else {
            assert_eq!(case.due_at, due, "{code}");
            assert_eq!(case.closed_at, None, "{code}");
            assert_eq!(case.solved_without_police, None, "{code}");
        }
        let assigned = !matches!(case.stage.as_str(), "intake" | "triage");
        assert!(!assigned || Org::of(case).is_some(), "{code}");
    }
    Ok(())
}

#[tokio::test]
async fn the_loop_shows_every_stage_and_organisation() -> TestResult {
    let db = loaded().await?;
    let now = Utc::now();
    let cases = cases(&db).await?;
    let stages: HashSet<&str> = cases.iter().map(|c| c.stage.as_str()).collect();
    for stage in Stage::ALL {
        assert!(stages.contains(stage.as_str()), "{stage:?}");
    }
    let orgs: HashSet<&str> = cases
        .iter()
        .filter_map(|c| c.org_kind.map(|v| v.as_str()))
        .collect();
    for kind in OrgKind::ALL {
        assert!(orgs.contains(kind.as_str()), "{kind:?}");
    }
    let by_hand: Vec<&case_record::Model> = cases
        .iter()
        // The enterprises' requests come from their contacts (the 警企 step).
        .filter(|c| c.mediation_case_id.is_none() && c.kind != casework::Kind::Enterprise)
        .collect();
    assert_eq!(by_hand.len(), 60);
    for kind in casework::OPENED_BY_HAND {
        assert!(by_hand.iter().any(|c| c.kind == kind), "{kind:?}");
    }
    assert!(
        by_hand
            .iter()
            .all(|c| c.created_at > now - Duration::days(121))
    );
    assert!(by_hand.iter().filter(|c| c.escalations == 1).count() >= 5);
    assert!(
        by_hand
            .iter()
            .filter(|c| casework::is_overdue(c, now))
            .count()
            >= 5
    );
    let closed: Vec<&&case_record::Model> = by_hand
        .iter()
        .filter(|c| c.stage == Stage::Closed)
        .collect();
    let by_police = closed
        .iter()
        .filter(|c| c.solved_without_police == Some(false))
        .count();
    assert!(
        (closed.len() / 5..=closed.len() / 3).contains(&by_police),
        "{by_police} of {} closed by the police",
        closed.len()
    );
    // Nothing is left past a deadline that moves it up a level: the job finds no work.
    assert_eq!(escalation::escalate_overdue(&db, now).await?, 0);
    Ok(())
}

#[tokio::test]
async fn the_households_show_red_yellow_and_green() -> TestResult {
    let db = loaded().await?;
    let officer = officer(&db).await?;
    let window = Duration::days(colours::DEFAULT_WINDOW_DAYS);
    let households = colours::households(&db, &officer, window, Utc::now()).await?;
    assert_eq!(households.len(), 10);
    for colour in [
        colours::Colour::Red,
        colours::Colour::Yellow,
        colours::Colour::Green,
    ] {
        assert!(
            households.iter().any(|h| h.colour == colour),
            "{colour:?} in {households:?}"
        );
    }
    for h in &households {
        assert!((2..=4).contains(&h.cases.len()), "{}", h.household);
        assert!(h.household.contains("社区 "), "{}", h.household);
    }
    assert!(
        households
            .iter()
            .any(|h| h.household == "总浦桥社区 3幢201")
    );
    Ok(())
}

#[tokio::test]
async fn a_station_member_signs_in_and_sees_their_stations_cases_only() -> TestResult {
    let db = loaded().await?;
    let now = Utc::now();
    let (member, _token) = accounts::login(
        &db,
        demo::STATION_MEMBER_PHONE,
        DEMO_PASSWORD,
        "192.0.2.1",
        SessionPolicy::default(),
        now,
    )
    .await?;
    let station = aid_station::Entity::find()
        .filter(aid_station::Column::Name.eq(demo::STATION_MEMBER_STATION))
        .one(&db)
        .await?
        .ok_or("the member's station")?;
    let org = Org {
        kind: OrgKind::AidStation,
        id: Some(station.id),
    };
    assert_eq!(casework::orgs_of(&db, member.user.id).await?, vec![org]);
    assert!(member.user.display_name.is_some());
    let open = casework::board(&db, &member, &BoardFilter::default(), now).await?;
    assert!(!open.is_empty());
    let every = BoardFilter {
        include_closed: true,
        ..Default::default()
    };
    let all = casework::board(&db, &member, &every, now).await?;
    assert!(all.len() > open.len());
    for line in &all {
        assert_eq!(Org::of(&line.case), Some(org), "{}", line.case.code);
        assert_eq!(line.org_name.as_deref(), Some(demo::STATION_MEMBER_STATION));
    }
    let theirs = case_record::Entity::find()
        .filter(case_record::Column::OrgKind.eq(OrgKind::AidStation.as_str()))
        .filter(case_record::Column::OrgId.eq(station.id))
        .count(&db)
        .await?;
    assert_eq!(all.len() as u64, theirs);
    let line = open.first().ok_or("an open case")?;
    let detail = casework::detail(&db, &member, &line.case.code, now).await?;
    assert_eq!(detail.access, casework::Access::Member);

    // Station members and office staff: no role but resident, each in one organisation.
    let phones = demo::case_member_phones();
    let people = user::Entity::find()
        .filter(user::Column::Phone.is_in(phones.clone()))
        .all(&db)
        .await?;
    assert_eq!(people.len(), phones.len());
    for person in &people {
        let roles = accounts::roles_of(&db, person.id).await?;
        assert_eq!(roles, vec![accounts::Role::Resident], "{}", person.phone);
        let orgs = casework::orgs_of(&db, person.id).await?;
        assert_eq!(orgs.len(), 1, "{}", person.phone);
        let office = person.phone.as_str() >= "13900000591";
        assert_eq!(orgs[0].kind == OrgKind::PoliceOffice, office);
    }
    Ok(())
}

async fn counts(db: &DatabaseConnection) -> Result<[u64; 5], sea_orm::DbErr> {
    Ok([
        user::Entity::find().count(db).await?,
        user_role::Entity::find().count(db).await?,
        org_member::Entity::find().count(db).await?,
        case_record::Entity::find().count(db).await?,
        case_entry::Entity::find().count(db).await?,
    ])
}

/// Back to a database from before the casework step (the enterprises' requests are the
/// 警企 step's, which stays).
async fn remove_the_casework_demo(db: &DatabaseConnection) -> TestResult {
    case_record::Entity::delete_many()
        .filter(case_record::Column::Kind.ne("enterprise"))
        .exec(db)
        .await?;
    user::Entity::delete_many()
        .filter(user::Column::Phone.is_in(demo::case_member_phones()))
        .exec(db)
        .await?;
    setting::Entity::delete_by_id(demo::DEMO_CASEWORK_LOADED_AT.to_owned())
        .exec(db)
        .await?;
    assert_eq!(
        case_record::Entity::find().count(db).await?,
        enterprise_request::Entity::find().count(db).await?
    );
    assert_eq!(org_member::Entity::find().count(db).await?, 0);
    Ok(())
}

#[tokio::test]
async fn loading_again_changes_nothing_and_an_older_database_gets_the_loop() -> TestResult {
    let db = loaded().await?;
    let before = counts(&db).await?;
    assert_eq!(demo::load(&db).await?, Outcome::AlreadyLoaded);
    assert_eq!(counts(&db).await?, before);

    remove_the_casework_demo(&db).await?;
    let started = Instant::now();
    assert_eq!(demo::load(&db).await?, Outcome::Loaded);
    eprintln!(
        "casework demo loaded on {} in {:?}",
        testing::engine(),
        started.elapsed()
    );
    assert_eq!(counts(&db).await?, before);
    assert_eq!(demo::load(&db).await?, Outcome::AlreadyLoaded);
    assert_eq!(counts(&db).await?, before);
    Ok(())
}

#[tokio::test]
async fn the_members_never_take_over_an_existing_number() -> TestResult {
    let db = loaded().await?;
    remove_the_casework_demo(&db).await?;
    let taken = demo::case_member_phones()[2].clone();
    user::ActiveModel {
        phone: Set(taken.clone()),
        password_hash: Set("not-a-hash".into()),
        consent_version: Set("test".into()),
        consent_at: Set(Utc::now()),
        created_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(&db)
    .await?;
    let before = counts(&db).await?;
    assert!(matches!(
        demo::load(&db).await,
        Err(domain::Error::Invalid(_))
    ));
    assert_eq!(counts(&db).await?, before, "nothing was added");
    assert!(
        setting::Entity::find_by_id(demo::DEMO_CASEWORK_LOADED_AT.to_owned())
            .one(&db)
            .await?
            .is_none()
    );
    Ok(())
}
