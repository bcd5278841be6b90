//! The 你点我调 demo: figures that add up, rooms that can be booked, accounts that can sign
//! in, on whichever engine TEST_DATABASE_URL names; and the 安全提示 and 老王帮帮团 demos that
//! follow it.

use std::collections::HashMap;
use std::time::Instant;

use chrono::{Duration, Utc};
use domain::accounts::{self, Role, SessionPolicy};
use domain::demo::{
    self, DEMO_PASSWORD, MAIN_MEDIATOR_PHONE, OFFICER_PHONE, Outcome, RESIDENT_PHONES,
};
use domain::entities::{
    availability, booking, case_event, community, mediation_case, mediation_room, notice,
    notice_community, notice_read, notice_version, room_schedule, setting, shift, shift_signup,
    squad, squad_member, user,
};
use domain::mediation::{self, schedule, stats};
use domain::notices::{self, Severity, Status};
use domain::{inbox, testing, volunteers};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, Statement,
};

type TestResult = Result<(), Box<dyn std::error::Error>>;

async fn loaded() -> Result<DatabaseConnection, Box<dyn std::error::Error>> {
    let db = testing::fresh_db().await?;
    let started = Instant::now();
    assert_eq!(demo::load(&db).await?, Outcome::Loaded);
    eprintln!(
        "demo data loaded on {} in {:?}",
        testing::engine(),
        started.elapsed()
    );
    Ok(db)
}

async fn sum_settled(db: &DatabaseConnection) -> Result<i64, Box<dyn std::error::Error>> {
    let row = db
        .query_one_raw(Statement::from_string(
            db.get_database_backend(),
            "SELECT CAST(COALESCE(SUM(amount_settled), 0) AS BIGINT) AS total \
             FROM mediation_cases WHERE outcome IS NOT NULL",
        ))
        .await?
        .ok_or("a sum")?;
    Ok(row.try_get("", "total")?)
}

#[tokio::test]
async fn the_figures_are_those_of_the_records() -> TestResult {
    let db = loaded().await?;
    let cases = mediation_case::Entity::find().count(&db).await?;
    let events = case_event::Entity::find().count(&db).await?;
    let started = Instant::now();
    assert_eq!(demo::load(&db).await?, Outcome::AlreadyLoaded);
    eprintln!("second run: {:?}", started.elapsed());
    assert_eq!(mediation_case::Entity::find().count(&db).await?, cases);
    assert_eq!(case_event::Entity::find().count(&db).await?, events);
    assert!((340..=380).contains(&cases), "about 360 cases, not {cases}");

    let figures = stats::stats(&db).await?;
    assert_eq!(figures.total.received, cases);
    let concluded = mediation_case::Entity::find()
        .filter(mediation_case::Column::Outcome.is_not_null())
        .count(&db)
        .await?;
    assert_eq!(figures.total.concluded, concluded);
    assert_eq!(figures.total.amount, sum_settled(&db).await?);
    assert!(figures.total.amount > 0);
    let per_room: u64 = figures.rooms.iter().map(|(_, _, f)| f.received).sum();
    assert_eq!(per_room, figures.total.received);
    assert_eq!(figures.rooms.len(), 12);
    assert!(figures.rooms.iter().all(|(_, _, f)| f.received > 0));
    let rate = figures.total.success_rate().ok_or("cases were concluded")?;
    assert!((90.0..=100.0).contains(&rate), "success rate {rate}");
    let satisfaction = figures
        .total
        .satisfaction_rate()
        .ok_or("cases were followed up")?;
    assert!(satisfaction > 90.0, "satisfaction {satisfaction}");
    assert!(
        (12..=13).contains(&figures.months.len()),
        "a year of months: {:?}",
        figures.months.iter().map(|m| &m.0).collect::<Vec<_>>()
    );
    let main = &figures.rooms[0];
    assert_eq!(main.1, "老何调解室");
    assert!(
        figures.rooms[1..]
            .iter()
            .all(|(_, _, f)| f.received < main.2.received),
        "the main room is the busiest"
    );
    Ok(())
}

#[tokio::test]
async fn every_room_has_a_mediator_and_free_slots() -> TestResult {
    let db = loaded().await?;
    let now = Utc::now();
    let rooms = mediation_room::Entity::find().all(&db).await?;
    assert_eq!(rooms.len(), 12);
    for room in rooms {
        assert_eq!(
            schedule::mediators_of(&db, room.id).await?.len(),
            1,
            "{}",
            room.name
        );
        let free = schedule::free_slots(&db, room.id, now, now).await?;
        assert!(!free.is_empty(), "{} can be booked", room.name);
        let saturdays = schedule::windows(&db, room.id)
            .await?
            .iter()
            .filter(|w| w.weekday == Some(6))
            .count();
        assert_eq!(
            saturdays,
            usize::from(room.parent_id.is_none()),
            "{}",
            room.name
        );
    }
    Ok(())
}

#[tokio::test]
async fn the_demo_accounts_sign_in_and_find_work() -> TestResult {
    let db = loaded().await?;
    let now = Utc::now();
    let policy = SessionPolicy::default();
    let sign_in =
        |phone: &'static str| accounts::login(&db, phone, DEMO_PASSWORD, "192.0.2.1", policy, now);

    let (laohe, _token) = sign_in(MAIN_MEDIATOR_PHONE).await?;
    assert_eq!(laohe.roles, vec![Role::Mediator]);
    let rooms = schedule::rooms_of(&db, &laohe).await?;
    assert_eq!(
        rooms.iter().map(|r| r.name.as_str()).collect::<Vec<_>>(),
        ["老何调解室"]
    );
    let queue = mediation::queue(&db, &laohe, now).await?;
    assert!(
        !queue.upcoming.is_empty() || !queue.today.is_empty(),
        "a session is in 老何's calendar"
    );

    let (officer, _token) = sign_in(OFFICER_PHONE).await?;
    assert_eq!(officer.roles, vec![Role::Officer]);

    let (first, _token) = sign_in(RESIDENT_PHONES[0]).await?;
    assert_eq!(first.roles, vec![Role::Resident]);
    let own = mediation::cases_of(&db, first.user.id).await?;
    assert!(own.len() > 1, "a history as well as the open case");
    let open = own
        .iter()
        .find(|l| l.case.status.as_str() == "booked")
        .ok_or("a booking waits for the room")?;
    assert!(open.slot.is_some_and(|at| at > now));
    assert_eq!(
        Some(open.case.room_id),
        first_branch_room(&db, &first).await?
    );

    // The branch of 总浦桥社区 has the booking to accept.
    let (branch, _token) = sign_in("13900000102").await?;
    let queue = mediation::queue(&db, &branch, now).await?;
    assert!(queue.new.iter().any(|l| l.case.code == open.case.code));

    let (second, _token) = sign_in(RESIDENT_PHONES[1]).await?;
    assert!(
        mediation::cases_of(&db, second.user.id)
            .await?
            .iter()
            .any(|l| l.case.status.as_str() == "requested" && l.slot.is_none())
    );
    assert!(
        accounts::login(
            &db,
            RESIDENT_PHONES[1],
            "wrong-password",
            "192.0.2.1",
            policy,
            now
        )
        .await
        .is_err()
    );
    Ok(())
}

async fn first_branch_room(
    db: &DatabaseConnection,
    account: &accounts::Account,
) -> Result<Option<i32>, Box<dyn std::error::Error>> {
    Ok(mediation_room::Entity::find()
        .filter(mediation_room::Column::CommunityId.eq(account.user.community_id))
        .order_by_asc(mediation_room::Column::Id)
        .one(db)
        .await?
        .map(|r| r.id))
}

#[tokio::test]
async fn every_case_tells_a_consistent_story() -> TestResult {
    let db = loaded().await?;
    let now = Utc::now();
    let cases = mediation_case::Entity::find().all(&db).await?;
    let bookings: HashMap<i32, Vec<booking::Model>> = booking::Entity::find()
        .all(&db)
        .await?
        .into_iter()
        .fold(HashMap::new(), |mut map, b| {
            map.entry(b.case_id).or_default().push(b);
            map
        });
    let mut events: HashMap<i32, Vec<case_event::Model>> = HashMap::new();
    for event in case_event::Entity::find()
        .order_by_asc(case_event::Column::Id)
        .all(&db)
        .await?
    {
        events.entry(event.case_id).or_default().push(event);
    }
    let mut statuses: HashMap<&str, usize> = HashMap::new();
    for case in &cases {
        *statuses.entry(case.status.as_str()).or_default() += 1;
        assert!(case.is_demo);
        assert!(case.created_at > now - Duration::days(366), "{}", case.code);
        let timeline = events.get(&case.id).ok_or("a timeline")?;
        assert_eq!(timeline[0].kind.as_str(), "requested", "{}", case.code);
        assert!(
            timeline.windows(2).all(|w| w[0].at <= w[1].at),
            "{} in order",
            case.code
        );
        let last = timeline.last().ok_or("events")?;
        assert_eq!(last.at, case.updated_at, "{}", case.code);
        let active: Vec<&booking::Model> = bookings
            .get(&case.id)
            .map(|b| b.iter().filter(|b| b.cancelled_at.is_none()).collect())
            .unwrap_or_default();
        match case.status.as_str() {
            "closed" | "resolved" => {
                let outcome_at = case.outcome_at.ok_or("an outcome time")?;
                let session = active.first().ok_or("the session's booking")?;
                assert!(session.ends_at <= outcome_at && outcome_at < now);
                assert_eq!(
                    case.status.as_str() == "closed",
                    case.satisfaction.is_some()
                );
                assert!(case.mediator_id.is_some());
                if matches!(case.outcome.map(|v| v.as_str()), Some("reached" | "partly")) {
                    assert!(case.agreement.is_some(), "{}", case.code);
                }
            }
            "cancelled" | "declined" => {
                assert!(active.is_empty(), "{} freed its slot", case.code);
                assert!(case.outcome.is_none());
            }
            "booked" | "accepted" => {
                assert!(active.first().is_some_and(|b| b.starts_at > now));
            }
            "requested" => assert!(active.is_empty()),
            other => return Err(format!("unexpected status {other}").into()),
        }
    }
    let count = |s: &str| statuses.get(s).copied().unwrap_or(0);
    assert!(count("closed") > cases.len() * 3 / 4, "{statuses:?}");
    assert!(count("resolved") > 0, "{statuses:?}");
    assert!(
        count("cancelled") > 0 && count("declined") > 0,
        "{statuses:?}"
    );
    assert_eq!(
        (count("requested"), count("booked"), count("accepted")),
        (1, 1, 1)
    );
    Ok(())
}

#[tokio::test]
async fn a_database_with_the_older_demo_gets_the_mediation_demo() -> TestResult {
    let db = loaded().await?;
    // Back to what `demo-data` left before the mediation step existed.
    mediation_case::Entity::delete_many().exec(&db).await?;
    availability::Entity::delete_many().exec(&db).await?;
    room_schedule::Entity::delete_many().exec(&db).await?;
    user::Entity::delete_many().exec(&db).await?;
    setting::Entity::delete_by_id(demo::DEMO_MEDIATION_LOADED_AT.to_owned())
        .exec(&db)
        .await?;
    assert!(demo::is_loaded(&db).await?, "the directory is still there");

    assert_eq!(demo::load(&db).await?, Outcome::Loaded);
    assert!(mediation_case::Entity::find().count(&db).await? > 300);
    assert!(
        accounts::find_by_phone(&db, MAIN_MEDIATOR_PHONE)
            .await?
            .is_some()
    );
    assert_eq!(demo::load(&db).await?, Outcome::AlreadyLoaded);
    Ok(())
}

#[tokio::test]
async fn the_demo_accounts_never_take_over_an_existing_number() -> TestResult {
    let db = loaded().await?;
    mediation_case::Entity::delete_many().exec(&db).await?;
    availability::Entity::delete_many().exec(&db).await?;
    room_schedule::Entity::delete_many().exec(&db).await?;
    user::Entity::delete_many()
        .filter(user::Column::Phone.ne(RESIDENT_PHONES[0]))
        .exec(&db)
        .await?;
    setting::Entity::delete_by_id(demo::DEMO_MEDIATION_LOADED_AT.to_owned())
        .exec(&db)
        .await?;
    assert!(matches!(
        demo::load(&db).await,
        Err(domain::Error::Invalid(_))
    ));
    assert_eq!(
        user::Entity::find().count(&db).await?,
        1,
        "nothing was added"
    );
    assert_eq!(mediation_case::Entity::find().count(&db).await?, 0);
    Ok(())
}

#[tokio::test]
async fn the_demo_notices_load_once_with_the_urgent_alert_first() -> TestResult {
    let db = loaded().await?;
    let now = Utc::now();
    let rows = notice::Entity::find()
        .order_by_asc(notice::Column::Id)
        .all(&db)
        .await?;
    assert_eq!(rows.len(), 8);
    let officer = accounts::find_by_phone(&db, OFFICER_PHONE)
        .await?
        .ok_or("the demo officer")?;
    let mut statuses = HashMap::new();
    for row in &rows {
        // What `notices::check` would accept, and what the feed relies on.
        assert!(row.is_demo, "{}", row.title);
        assert_eq!(row.author_id, Some(officer.id));
        assert!(
            (2..=100).contains(&row.title.chars().count()),
            "{}",
            row.title
        );
        assert!(
            (1..=5000).contains(&row.body.chars().count()),
            "{}",
            row.title
        );
        assert_eq!(row.body.trim(), row.body, "{}", row.title);
        assert!(row.starts_at < row.expires_at, "{}", row.title);
        assert!(row.created_at <= now && row.updated_at <= now);
        let targets = notice_community::Entity::find()
            .filter(notice_community::Column::NoticeId.eq(row.id))
            .count(&db)
            .await?;
        assert_eq!(row.all_communities, targets == 0, "{}", row.title);
        let versions = notices::versions(&db, row.id).await?;
        assert_eq!(versions.len(), row.version as usize, "{}", row.title);
        let numbers: Vec<i32> = versions.iter().map(|v| v.version).collect();
        assert_eq!(numbers, (1..=row.version).collect::<Vec<_>>());
        assert!(
            versions.windows(2).all(|w| w[0].at < w[1].at),
            "{}",
            row.title
        );
        *statuses.entry(row.status.as_str()).or_insert(0) += 1;
        match row.status {
            Status::Draft => {
                assert!(versions.is_empty());
                assert_eq!((row.published_at, row.cancelled_at), (None, None));
                assert_eq!(row.updated_at, row.created_at);
            }
            status => {
                let first = versions.first().ok_or("version 1")?;
                let last = versions.last().ok_or("the newest version")?;
                assert_eq!(first.kind.as_str(), "published");
                assert_eq!(row.published_at, Some(first.at));
                assert_eq!(row.starts_at, first.at);
                assert_eq!(row.updated_at, last.at, "{}", row.title);
                let cancelled = status == Status::Cancelled;
                assert_eq!(last.kind.as_str() == "cancelled", cancelled);
                assert_eq!(row.cancelled_at, cancelled.then_some(last.at));
                assert!(versions[1..].iter().all(|v| v.kind.as_str() != "published"));
            }
        }
    }
    assert_eq!(
        (
            statuses["published"],
            statuses["cancelled"],
            statuses["draft"]
        ),
        (6, 1, 1)
    );
    assert_eq!(
        rows.iter()
            .filter(|r| r.version == 2 && r.status.as_str() == "published")
            .count(),
        1,
        "one notice was updated"
    );

    // In force: the urgent anti-fraud alert first, then the newest.
    let active = notices::active(&db, None, now).await?;
    let first = active.first().ok_or("notices in force")?;
    assert_eq!(first.severity(), Severity::Urgent);
    assert_eq!(first.notice.category.as_str(), "fraud");
    assert!(first.notice.pinned && first.notice.all_communities);
    assert!(first.notice.expires_at <= now + Duration::days(8));
    assert_eq!(
        active.len(),
        5,
        "not the expired, the cancelled or the draft"
    );
    assert!(
        active[1..]
            .windows(2)
            .all(|w| w[0].notice.published_at >= w[1].notice.published_at)
    );
    assert!(active.iter().any(|n| n.was_updated()));
    let drowning = active
        .iter()
        .find(|n| n.notice.category.as_str() == "drowning")
        .ok_or("the drowning reminder")?;
    assert_eq!(drowning.communities.len(), 3);
    let archive = notices::archive(&db, None, None).await?;
    assert_eq!(archive.len(), 7);
    assert!(
        archive
            .iter()
            .any(|n| n.notice.status.as_str() == "cancelled")
    );
    assert!(archive.iter().any(|n| n.notice.expires_at < now));
    let waterside = community::Entity::find()
        .filter(community::Column::Name.eq("甬江社区"))
        .one(&db)
        .await?
        .ok_or("甬江社区")?;
    assert!(
        notices::active(&db, Some(waterside.id), now)
            .await?
            .iter()
            .any(|n| n.notice.id == drowning.notice.id)
    );

    // The demo residents were told of the alert; the first has opened it.
    let urgent_link = format!("/notices/{}", first.notice.id);
    for (index, phone) in RESIDENT_PHONES.iter().enumerate() {
        let resident = accounts::find_by_phone(&db, phone)
            .await?
            .ok_or("a demo resident")?;
        let messages = inbox::all(&db, resident.id).await?;
        let told: Vec<_> = messages
            .iter()
            .filter(|m| m.topic == "inbox-notice-urgent")
            .collect();
        assert_eq!(told.len(), 1, "{phone}");
        assert_eq!(told[0].link, urgent_link);
        assert_eq!(told[0].subject, first.notice.title);
        let read = notices::read_by(&db, resident.id, &[first.notice.id]).await?;
        assert_eq!(read.contains(&first.notice.id), index == 0, "{phone}");
        assert_eq!(told[0].read_at.is_some(), index == 0, "{phone}");
        // 总浦桥 has the alert (read), the burglary and the drowning reminders; 后海塘 the
        // alert, the burglary reminder and the electric-bike notice.
        let account = accounts::Account {
            roles: accounts::roles_of(&db, resident.id).await?,
            user: resident,
        };
        assert_eq!(notices::unread(&db, &account, now).await?, [2, 3][index]);
    }

    // Loading again changes nothing; a database from before this step gets it.
    let counts = |db: &DatabaseConnection| {
        let db = db.clone();
        async move {
            Ok::<_, sea_orm::DbErr>([
                notice::Entity::find().count(&db).await?,
                notice_community::Entity::find().count(&db).await?,
                notice_version::Entity::find().count(&db).await?,
                notice_read::Entity::find().count(&db).await?,
            ])
        }
    };
    let before = counts(&db).await?;
    assert_eq!(demo::load(&db).await?, Outcome::AlreadyLoaded);
    assert_eq!(counts(&db).await?, before);
    notice::Entity::delete_many().exec(&db).await?;
    setting::Entity::delete_by_id(demo::DEMO_NOTICES_LOADED_AT.to_owned())
        .exec(&db)
        .await?;
    assert_eq!(demo::load(&db).await?, Outcome::Loaded);
    assert_eq!(counts(&db).await?, before);
    assert_eq!(demo::load(&db).await?, Outcome::AlreadyLoaded);
    Ok(())
}

#[tokio::test]
async fn the_demo_volunteers_load_once_with_a_leader_and_shifts_for_every_squad() -> TestResult {
    let db = loaded().await?;
    let now = Utc::now();
    // 老王帮帮团's six; 护苗队 is the school step's (`school.rs`).
    let squads = squad::Entity::find()
        .filter(squad::Column::IsDemo.eq(true))
        .filter(squad::Column::Name.ne(demo::SCHOOL_SQUAD))
        .order_by_asc(squad::Column::Id)
        .all(&db)
        .await?;
    assert_eq!(squads.len(), 6);
    for (index, s) in squads.iter().enumerate() {
        let members = squad_member::Entity::find()
            .filter(squad_member::Column::SquadId.eq(s.id))
            .all(&db)
            .await?;
        let leaders: Vec<_> = members.iter().filter(|m| m.is_leader).collect();
        assert_eq!(leaders.len(), 1, "{}", s.name);
        assert!(members.len() >= 4, "{}", s.name);
        let leader = user::Entity::find_by_id(leaders[0].user_id)
            .one(&db)
            .await?
            .ok_or("the leader")?;
        assert_eq!(leader.phone, format!("13900000{}", 301 + index));
        let account = accounts::Account {
            roles: accounts::roles_of(&db, leader.id).await?,
            user: leader,
        };
        assert!(account.has(Role::Volunteer));
        assert!(volunteers::leads(&db, &account, s.id).await?);
        let shifts = shift::Entity::find()
            .filter(shift::Column::SquadId.eq(s.id))
            .all(&db)
            .await?;
        let upcoming: Vec<_> = shifts.iter().filter(|x| x.starts_at > now).collect();
        assert!(!upcoming.is_empty(), "{} has shifts to come", s.name);
        assert!(
            upcoming
                .iter()
                .all(|x| x.starts_at <= now + Duration::days(22))
        );
        assert!(
            shifts.iter().any(|x| x.ends_at < now),
            "{} has a past",
            s.name
        );
        for x in &shifts {
            assert!(x.is_demo);
            assert!(x.signup_deadline <= x.starts_at && x.starts_at < x.ends_at);
            let signed = shift_signup::Entity::find()
                .filter(shift_signup::Column::ShiftId.eq(x.id))
                .filter(shift_signup::Column::WithdrawnAt.is_null())
                .all(&db)
                .await?;
            assert_eq!(x.taken as usize, signed.len(), "{}", x.title);
            assert!(x.taken <= x.max_capacity);
            for signup in &signed {
                assert!(members.iter().any(|m| m.user_id == signup.user_id));
                if let (Some(i), Some(o)) = (signup.check_in_at, signup.check_out_at) {
                    assert_eq!(
                        signup.minutes_credited,
                        volunteers::credited_minutes(x, i, o)
                    );
                } else {
                    assert_eq!(signup.minutes_credited, 0);
                }
            }
        }
        let ranking = volunteers::ranking(&db, s.id).await?;
        assert!(ranking.len() >= 3, "{}", s.name);
        assert!(ranking[0].1 > 0, "{} ranks hours", s.name);
    }
    let first_leader = squad_member::Entity::find()
        .filter(squad_member::Column::SquadId.eq(squads[0].id))
        .filter(squad_member::Column::IsLeader.eq(true))
        .one(&db)
        .await?
        .ok_or("a leader")?;
    assert_eq!(first_leader.name, "老王");
    // Patrols in the evening, six at most; the anti-fraud show takes twenty.
    let patrols = squads
        .iter()
        .find(|s| s.name == "义务巡逻小分队")
        .ok_or("the patrol squad")?;
    let coming = shift::Entity::find()
        .filter(shift::Column::SquadId.eq(patrols.id))
        .filter(shift::Column::StartsAt.gt(now))
        .all(&db)
        .await?;
    assert!(coming.len() >= 8, "three a week");
    assert!(coming.iter().all(|x| x.max_capacity == 6
        && domain::time::local(x.starts_at).format("%H:%M").to_string() == "19:00"));

    // The leader signs in; the volunteers have hours; the residents are in no squad.
    let (laowang, _token) = accounts::login(
        &db,
        "13900000301",
        DEMO_PASSWORD,
        "192.0.2.1",
        SessionPolicy::default(),
        now,
    )
    .await?;
    assert_eq!(laowang.roles, vec![Role::Volunteer]);
    let member = accounts::find_by_phone(&db, "13900000311")
        .await?
        .ok_or("a volunteer")?;
    let ledger = volunteers::ledger(&db, member.id, now - Duration::days(400), now).await?;
    assert!(ledger.total > 0);
    for phone in RESIDENT_PHONES {
        let resident = accounts::find_by_phone(&db, phone)
            .await?
            .ok_or("a demo resident")?;
        assert!(volunteers::memberships(&db, resident.id).await?.is_empty());
    }

    // Loading again changes nothing; a database from before this step gets it.
    let counts = |db: &DatabaseConnection| {
        let db = db.clone();
        async move {
            Ok::<_, sea_orm::DbErr>([
                user::Entity::find().count(&db).await?,
                squad_member::Entity::find().count(&db).await?,
                shift::Entity::find().count(&db).await?,
                shift_signup::Entity::find().count(&db).await?,
            ])
        }
    };
    let before = counts(&db).await?;
    assert_eq!(demo::load(&db).await?, Outcome::AlreadyLoaded);
    assert_eq!(counts(&db).await?, before);
    // 护苗队 and its duty are the school step's, which stays.
    let school_squad = squad::Entity::find()
        .filter(squad::Column::Name.eq(demo::SCHOOL_SQUAD))
        .one(&db)
        .await?
        .ok_or("护苗队")?
        .id;
    shift::Entity::delete_many()
        .filter(shift::Column::SquadId.ne(school_squad))
        .exec(&db)
        .await?;
    user::Entity::delete_many()
        .filter(user::Column::Phone.is_in(demo::volunteer_phones()))
        .exec(&db)
        .await?;
    setting::Entity::delete_by_id(demo::DEMO_VOLUNTEERS_LOADED_AT.to_owned())
        .exec(&db)
        .await?;
    assert_eq!(
        squad_member::Entity::find()
            .filter(squad_member::Column::SquadId.ne(school_squad))
            .count(&db)
            .await?,
        0
    );
    assert_eq!(demo::load(&db).await?, Outcome::Loaded);
    assert_eq!(counts(&db).await?, before);
    assert_eq!(demo::load(&db).await?, Outcome::AlreadyLoaded);
    Ok(())
}
