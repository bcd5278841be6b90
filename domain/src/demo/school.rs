//! 护苗队 demo: 城东社区's 招宝好管家护苗队 at 镇海中学 — the school in the directory, the
//! school year's calendar (two terms and their holidays), the squad under the school with its
//! leader and
//! three volunteers, and the 护学 duty at the gate before and after school on every school
//! day of the coming two weeks.
//!
//! The leader is 13900000711 (周老师), the volunteers 13900000712–714; they sign in with the
//! demo password.

use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, TransactionTrait,
};

use super::volunteers::add_member;
use super::{OFFICER_PHONE, Outcome};
use crate::accounts::{self, Role};
use crate::entities::{
    community, school, school_duty, school_holiday, school_term, shift, squad, squad_school, user,
    user_role,
};
use crate::time::{at_local, local_date};
use crate::volunteers::ShiftKind;
use crate::volunteers::school::Calendar;
use crate::{Error, Result, settings};

/// The setting that records when this step ran.
pub const DEMO_SCHOOL_LOADED_AT: &str = "demo_school_loaded_at";
/// The squad's leader and its first volunteer: whom the end-to-end tests sign in as.
pub const LEADER_PHONE: &str = "13900000711";
pub const VOLUNTEER_PHONE: &str = "13900000712";

pub const SQUAD: &str = "招宝好管家护苗队";
const COMMUNITY: &str = "城东社区";
const SCHOOL: (&str, &str) = ("镇海中学", "城东社区镇海中学正门（演示地址）");
/// (phone, name), the leader first.
const PEOPLE: [(&str, &str); 4] = [
    (LEADER_PHONE, "周老师"),
    (VOLUNTEER_PHONE, "钱阿姨"),
    ("13900000713", "吴师傅"),
    ("13900000714", "郑大姐"),
];
/// The duty before and after school: (title, start, end) in minutes after midnight.
const DUTIES: [(&str, i32, i32); 2] = [
    ("护学岗（早）", 7 * 60 + 10, 7 * 60 + 50),
    ("护学岗（午）", 16 * 60 + 20, 17 * 60),
];
const AHEAD_DAYS: i64 = 14;

/// Every demo phone number this step gives out.
pub fn phones() -> Vec<String> {
    PEOPLE.iter().map(|(phone, _)| phone.to_string()).collect()
}

fn date(year: i32, month: u32, day: u32) -> Result<NaiveDate> {
    NaiveDate::from_ymd_opt(year, month, day).ok_or(Error::Internal("a demo date"))
}

/// The school year around `today`: the autumn term of the year it began and the spring
/// term after, with the days off the district gives (国庆, 元旦, 清明, 劳动节).
fn school_year(today: NaiveDate) -> Result<Calendar> {
    let year = if today.month() >= 8 {
        today.year()
    } else {
        today.year() - 1
    };
    let term = |name: &str, starts_on, ends_on| school_term::Model {
        id: 0,
        name: name.to_owned(),
        starts_on,
        ends_on,
    };
    let terms = vec![
        term(
            &format!("{year} 秋季学期"),
            date(year, 9, 1)?,
            date(year + 1, 1, 22)?,
        ),
        term(
            &format!("{} 春季学期", year + 1),
            date(year + 1, 2, 22)?,
            date(year + 1, 6, 30)?,
        ),
    ];
    let mut holidays = Vec::new();
    for (name, from, days) in [
        ("国庆节", date(year, 10, 1)?, 7),
        ("元旦", date(year + 1, 1, 1)?, 1),
        ("清明节", date(year + 1, 4, 5)?, 1),
        ("劳动节", date(year + 1, 5, 1)?, 5),
    ] {
        holidays.extend(
            from.iter_days()
                .take(days)
                .map(|day| school_holiday::Model {
                    day,
                    name: name.to_owned(),
                }),
        );
    }
    Ok(Calendar { terms, holidays })
}

/// Loads the step unless it ran before, or 城东社区 is not in the directory.
pub(super) async fn load(db: &DatabaseConnection, now: DateTime<Utc>) -> Result<Outcome> {
    if settings::get(db, DEMO_SCHOOL_LOADED_AT).await?.is_some() {
        return Ok(Outcome::AlreadyLoaded);
    }
    let community = community::Entity::find()
        .filter(community::Column::Name.eq(COMMUNITY))
        .filter(community::Column::IsDemo.eq(true))
        .one(db)
        .await?;
    let (Some(community), Some(officer)) =
        (community, accounts::find_by_phone(db, OFFICER_PHONE).await?)
    else {
        return Ok(Outcome::AlreadyLoaded);
    };
    super::phones_free(db, phones()).await?;
    let txn = db.begin().await?;
    if !super::claim(&txn, DEMO_SCHOOL_LOADED_AT, now).await? {
        return Ok(Outcome::AlreadyLoaded);
    }
    let school = school::Entity::insert(school::ActiveModel {
        community_id: Set(community.id),
        name: Set(SCHOOL.0.to_owned()),
        address: Set(SCHOOL.1.to_owned()),
        is_demo: Set(true),
        ..Default::default()
    })
    .exec_with_returning(&txn)
    .await?;
    let today = local_date(now);
    let calendar = school_year(today)?;
    for term in &calendar.terms {
        school_term::Entity::insert(school_term::ActiveModel {
            name: Set(term.name.clone()),
            starts_on: Set(term.starts_on),
            ends_on: Set(term.ends_on),
            ..Default::default()
        })
        .exec_without_returning(&txn)
        .await?;
    }
    school_holiday::Entity::insert_many(calendar.holidays.iter().map(|h| {
        school_holiday::ActiveModel {
            day: Set(h.day),
            name: Set(h.name.clone()),
        }
    }))
    .exec_without_returning(&txn)
    .await?;
    let squad = squad::Entity::insert(squad::ActiveModel {
        name: Set(SQUAD.to_owned()),
        description: Set("上学、放学时段在镇海中学校门口护校护学".to_owned()),
        is_demo: Set(true),
        ..Default::default()
    })
    .exec_with_returning(&txn)
    .await?;
    squad_school::Entity::insert(squad_school::ActiveModel {
        squad_id: Set(squad.id),
        school_id: Set(school.id),
    })
    .exec_without_returning(&txn)
    .await?;
    let joined = now - Duration::days(120);
    let mut leader = None;
    for (n, (phone, name)) in PEOPLE.iter().enumerate() {
        let person = user::Entity::insert(user::ActiveModel {
            phone: Set((*phone).to_owned()),
            password_hash: Set(officer.password_hash.clone()),
            community_id: Set(Some(community.id)),
            consent_version: Set("demo".to_owned()),
            consent_at: Set(joined),
            created_at: Set(joined),
            display_name: Set(Some((*name).to_owned())),
            ..Default::default()
        })
        .exec_with_returning(&txn)
        .await?;
        for role in [Role::Resident, Role::Volunteer] {
            user_role::Entity::insert(user_role::ActiveModel {
                user_id: Set(person.id),
                role: Set(role.as_str().to_owned()),
            })
            .exec_without_returning(&txn)
            .await?;
        }
        add_member(&txn, squad.id, person.id, name, n == 0, true, joined).await?;
        leader.get_or_insert(person.id);
    }
    let first = today + Duration::days(1);
    for day in calendar.school_days(first, today + Duration::days(AHEAD_DAYS)) {
        for (title, start, end) in DUTIES {
            let (Some(starts_at), Some(ends_at)) = (at_local(day, start), at_local(day, end))
            else {
                continue;
            };
            let duty = shift::Entity::insert(shift::ActiveModel {
                squad_id: Set(squad.id),
                kind: Set(ShiftKind::Shift),
                title: Set(title.to_owned()),
                place: Set(SCHOOL.1.to_owned()),
                starts_at: Set(starts_at),
                ends_at: Set(ends_at),
                min_capacity: Set(2),
                max_capacity: Set(4),
                taken: Set(0),
                signup_deadline: Set(starts_at - Duration::hours(12)),
                notes: Set("请穿好志愿者马甲，提前 5 分钟到岗。".to_owned()),
                created_by: Set(leader),
                created_at: Set(now),
                is_demo: Set(true),
                ..Default::default()
            })
            .exec_with_returning(&txn)
            .await?;
            school_duty::Entity::insert(school_duty::ActiveModel {
                shift_id: Set(duty.id),
                school_id: Set(school.id),
            })
            .exec_without_returning(&txn)
            .await?;
        }
    }
    txn.commit().await?;
    Ok(Outcome::Loaded)
}
