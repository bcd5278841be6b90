//! 护苗队, on whichever engine TEST_DATABASE_URL names: the school calendar admins keep, a
//! leader's duty published once for every school day at a school's gate (weekends, days off
//! and days outside a term skipped), what a duty refuses, and the demo's squad at 镇海中学.

use std::error::Error as StdError;

use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc, Weekday};
use domain::accounts::{Account, Role};
use domain::directory::Kind as Place;
use domain::directory::admin::{self as directory, Fields};
use domain::entities::{school_duty, shift, squad, squad_member};
use domain::testing::{assert_forbidden as forbidden, assert_refused, person};
use domain::time::{at_local, local_date};
use domain::volunteers::school::{self, REFUSAL_CODES};
use domain::volunteers::{self, Repeat, ShiftDraft};
use domain::{DatabaseConnection, testing};
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter};

type TestResult = Result<(), Box<dyn StdError>>;
type Res<T> = Result<T, Box<dyn StdError>>;

fn day(text: &str) -> NaiveDate {
    domain::time::parse_day(text).expect("a day")
}

/// 08:00 local on Tuesday 2026-12-01.
fn now() -> DateTime<Utc> {
    at_local(day("2026-12-01"), 8 * 60).expect("a time")
}

struct World {
    db: DatabaseConnection,
    admin: Account,
    leader: Account,
    squad: i32,
    school: i32,
}

impl World {
    /// A squad with its leader, 镇海中学 in 城东社区, and the autumn term with 元旦 off.
    async fn new() -> Res<World> {
        let db = testing::fresh_db().await?;
        let then = now() - Duration::days(30);
        let admin = person(&db, "13800000001", &[Role::Admin], None, None, then).await?;
        let leader = person(&db, "13800000002", &[Role::Volunteer], None, None, then).await?;
        let community = directory::create(
            &db,
            &admin,
            Place::Community,
            Fields {
                name: "城东社区".into(),
                ..Fields::default()
            },
            then,
        )
        .await?;
        let school = directory::create(
            &db,
            &admin,
            Place::School,
            Fields {
                name: "镇海中学".into(),
                parent: Some(community),
                address: "正门".into(),
                ..Fields::default()
            },
            then,
        )
        .await?;
        // A squad under a school is its 护苗队, made as an admin makes it.
        let squad = directory::create(
            &db,
            &admin,
            Place::Squad,
            Fields {
                name: "招宝好管家护苗队".into(),
                parent: Some(school),
                description: "护校护学".into(),
                ..Fields::default()
            },
            then,
        )
        .await?;
        squad_member::ActiveModel {
            squad_id: Set(squad),
            user_id: Set(leader.user.id),
            name: Set("周老师".to_owned()),
            is_leader: Set(true),
            in_ranking: Set(false),
            joined_at: Set(then),
        }
        .insert(&db)
        .await?;
        school::add_term(
            &db,
            &admin,
            "2026 秋季学期",
            day("2026-09-01"),
            day("2027-01-22"),
        )
        .await?;
        school::add_holidays(&db, &admin, "元旦", day("2027-01-01"), day("2027-01-01")).await?;
        Ok(World {
            db,
            admin,
            leader,
            squad,
            school,
        })
    }

    /// Morning duty at the gate, from Monday 2026-12-28.
    fn duty(&self) -> ShiftDraft {
        let first = day("2026-12-28");
        ShiftDraft {
            squad_id: self.squad,
            kind: "shift".into(),
            title: "护学岗（早）".into(),
            place: "镇海中学正门".into(),
            starts_at: at_local(first, 7 * 60 + 10).expect("a time"),
            ends_at: at_local(first, 7 * 60 + 50).expect("a time"),
            min_capacity: 2,
            max_capacity: 4,
            signup_deadline: at_local(first, 7 * 60 + 10).expect("a time") - Duration::hours(12),
            notes: String::new(),
        }
    }
}

#[tokio::test]
async fn a_duty_is_published_for_every_school_day_and_no_other() -> TestResult {
    let w = World::new().await?;
    let until = day("2027-02-05");
    let shifts = volunteers::publish_shifts(
        &w.db,
        &w.leader,
        w.duty(),
        Repeat::SchoolDays { until },
        now(),
    )
    .await?;
    let days: Vec<NaiveDate> = shifts.iter().map(|s| local_date(s.starts_at)).collect();
    // 12-28 … 01-22: four weeks of five days, less 元旦 (a Friday); none after the term.
    assert_eq!(days.len(), 19, "{days:?}");
    assert_eq!(days.first(), Some(&day("2026-12-28")));
    assert_eq!(days.last(), Some(&day("2027-01-22")));
    assert!(!days.contains(&day("2027-01-01")));
    assert!(
        days.iter()
            .all(|d| !matches!(d.weekday(), Weekday::Sat | Weekday::Sun))
    );
    for s in &shifts {
        // Each day keeps the hour and the deadline the night before.
        assert_eq!(s.ends_at - s.starts_at, Duration::minutes(40));
        assert_eq!(s.starts_at - s.signup_deadline, Duration::hours(12));
    }
    let duties = school_duty::Entity::find()
        .filter(school_duty::Column::SchoolId.eq(w.school))
        .all(&w.db)
        .await?;
    assert_eq!(duties.len(), shifts.len());
    let named = school::duties_of(&w.db, shifts.iter().map(|s| s.id)).await?;
    assert!(named.values().all(|name| name == "镇海中学"));
    Ok(())
}

#[tokio::test]
async fn a_duty_refuses_what_has_no_school_day_and_strangers() -> TestResult {
    let w = World::new().await?;
    let duty = |until: &str| Repeat::SchoolDays { until: day(until) };
    let publish = |repeat| volunteers::publish_shifts(&w.db, &w.leader, w.duty(), repeat, now());
    let refused =
        |r: domain::Result<Vec<shift::Model>>, code| assert_refused(r, code, REFUSAL_CODES);
    // The winter break: no school day from the term's end to the spring.
    let mut winter = w.duty();
    winter.starts_at = at_local(day("2027-01-25"), 7 * 60 + 10).expect("a time");
    winter.ends_at = winter.starts_at + Duration::minutes(40);
    winter.signup_deadline = winter.starts_at - Duration::hours(12);
    refused(
        volunteers::publish_shifts(&w.db, &w.leader, winter, duty("2027-02-10"), now()).await,
        "school-no-school-days",
    );
    assert_refused(
        publish(duty("2026-12-27")).await,
        "shift-weeks-invalid",
        volunteers::REFUSAL_CODES,
    );
    assert_refused(
        publish(duty("2027-12-31")).await,
        "shift-weeks-invalid",
        volunteers::REFUSAL_CODES,
    );
    // A squad under no school keeps no gate.
    let patrol = directory::create(
        &w.db,
        &w.admin,
        Place::Squad,
        Fields {
            name: "义务巡逻小分队".into(),
            description: "夜间巡逻".into(),
            ..Fields::default()
        },
        now(),
    )
    .await?;
    let mut elsewhere = w.duty();
    elsewhere.squad_id = patrol;
    refused(
        volunteers::publish_shifts(&w.db, &w.admin, elsewhere, duty("2027-01-08"), now()).await,
        "school-invalid",
    );
    let stranger = person(&w.db, "13800000009", &[Role::Volunteer], None, None, now()).await?;
    forbidden(
        volunteers::publish_shifts(&w.db, &stranger, w.duty(), duty("2027-01-08"), now()).await,
    );
    // The school is not retired while its 护苗队 serves.
    assert_refused(
        directory::retire(&w.db, &w.admin, Place::School, w.school, now()).await,
        "directory-has-children",
        directory::REFUSAL_CODES,
    );
    assert!(shift::Entity::find().all(&w.db).await?.is_empty());
    Ok(())
}

#[tokio::test]
async fn admins_keep_the_school_calendar() -> TestResult {
    let w = World::new().await?;
    let refused = |r: domain::Result<()>, code| assert_refused(r, code, REFUSAL_CODES);
    refused(
        school::add_term(
            &w.db,
            &w.admin,
            "春季学期",
            day("2027-06-30"),
            day("2027-02-22"),
        )
        .await,
        "school-term-invalid",
    );
    refused(
        school::add_term(
            &w.db,
            &w.admin,
            "全年",
            day("2027-01-01"),
            day("2027-12-31"),
        )
        .await,
        "school-term-invalid",
    );
    refused(
        school::add_term(&w.db, &w.admin, " ", day("2027-02-22"), day("2027-06-30")).await,
        "school-name-length",
    );
    refused(
        school::add_holidays(
            &w.db,
            &w.admin,
            "暑假",
            day("2027-07-01"),
            day("2027-08-31"),
        )
        .await,
        "school-holiday-invalid",
    );
    forbidden(
        school::add_term(
            &w.db,
            &w.leader,
            "春季学期",
            day("2027-02-22"),
            day("2027-06-30"),
        )
        .await,
    );
    forbidden(
        school::add_holidays(
            &w.db,
            &w.leader,
            "国庆",
            day("2026-10-01"),
            day("2026-10-07"),
        )
        .await,
    );

    school::add_holidays(
        &w.db,
        &w.admin,
        "国庆节",
        day("2026-10-01"),
        day("2026-10-07"),
    )
    .await?;
    // Entering the same days again keeps them once, with their first name.
    school::add_holidays(
        &w.db,
        &w.admin,
        "国庆",
        day("2026-10-06"),
        day("2026-10-08"),
    )
    .await?;
    let calendar = school::calendar(&w.db).await?;
    let october: Vec<_> = calendar
        .holidays
        .iter()
        .filter(|h| h.day.month() == 10)
        .collect();
    assert_eq!(october.len(), 8);
    assert_eq!(october[6].name, "国庆节");
    assert_eq!(
        calendar.school_days(day("2026-09-28"), day("2026-10-09")),
        [
            day("2026-09-28"),
            day("2026-09-29"),
            day("2026-09-30"),
            day("2026-10-09")
        ]
    );
    school::remove_holiday(&w.db, &w.admin, day("2026-10-08")).await?;
    let term = calendar.terms[0].id;
    school::remove_term(&w.db, &w.admin, term).await?;
    let calendar = school::calendar(&w.db).await?;
    assert!(calendar.terms.is_empty());
    assert_eq!(calendar.holidays.len(), 8, "元旦 and seven days of 国庆");
    Ok(())
}

#[tokio::test]
async fn the_demo_squad_keeps_the_gate_of_zhenhai_middle_school_on_school_days() -> TestResult {
    use domain::demo::{self, Outcome, SCHOOL_LEADER_PHONE, SCHOOL_SQUAD};
    let db = testing::fresh_db().await?;
    assert_eq!(demo::load(&db).await?, Outcome::Loaded);
    let squad = squad::Entity::find()
        .filter(squad::Column::Name.eq(SCHOOL_SQUAD))
        .one(&db)
        .await?
        .ok_or("the squad")?;
    let leader = domain::accounts::find_by_phone(&db, SCHOOL_LEADER_PHONE)
        .await?
        .ok_or("the leader")?;
    let account = Account {
        roles: domain::accounts::roles_of(&db, leader.id).await?,
        user: leader,
    };
    assert!(volunteers::leads(&db, &account, squad.id).await?);
    let calendar = school::calendar(&db).await?;
    assert_eq!(calendar.terms.len(), 2);
    let shifts = shift::Entity::find()
        .filter(shift::Column::SquadId.eq(squad.id))
        .all(&db)
        .await?;
    let today = local_date(Utc::now());
    let school_days = calendar.school_days(today + Duration::days(1), today + Duration::days(14));
    // Before and after school on each school day of the coming two weeks (none in a break).
    assert_eq!(shifts.len(), school_days.len() * 2);
    let duties = school::duties_of(&db, shifts.iter().map(|s| s.id)).await?;
    assert_eq!(duties.len(), shifts.len());
    assert!(duties.values().all(|name| name == "镇海中学"));
    for s in &shifts {
        assert!(school_days.contains(&local_date(s.starts_at)));
    }
    assert_eq!(demo::load(&db).await?, Outcome::AlreadyLoaded);
    Ok(())
}

/// The directory file carries a school and its 护苗队 (上级 of a squad is its school), in
/// either order of rows.
#[tokio::test]
async fn a_directory_file_brings_a_school_and_its_squad() -> TestResult {
    use domain::directory::import;
    let w = World::new().await?;
    let file = "类型,名称,上级,地址,说明\n\
                小分队,海港护苗队,海港小学,,上学放学护送\n\
                学校,海港小学,城东社区,渔港路2号,\n";
    let id = import::upload(&w.db, &w.admin, file.as_bytes(), now()).await?;
    let preview = import::preview(&w.db, &w.admin, id).await?;
    assert_eq!(preview.problems, []);
    import::apply(&w.db, &w.admin, id, now()).await?;
    let squads = directory::of_kind(&w.db, Place::Squad).await?;
    let harbour = squads
        .iter()
        .find(|s| s.fields.name == "海港护苗队")
        .ok_or("the squad")?;
    let school = directory::of_kind(&w.db, Place::School)
        .await?
        .into_iter()
        .find(|s| s.fields.name == "海港小学")
        .ok_or("the school")?;
    assert_eq!(harbour.fields.parent, Some(school.id));
    assert_eq!(
        school::of_squad(&w.db, harbour.id).await?.map(|s| s.id),
        Some(school.id)
    );
    Ok(())
}
