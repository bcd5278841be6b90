//! 老王帮帮团 demo: a leader and a handful of volunteers in each of the six squads, the
//! shifts and events of the coming three weeks with a few places already taken, and eight
//! weeks of past shifts with hours credited, so that the rosters, the ledgers and the
//! rankings have numbers in them.
//!
//! The leaders are 13900000301…13900000306 (老王 leads the first squad), the volunteers
//! 13900000311 onward; all sign in with the demo password. The demo residents are left
//! alone: they belong to no squad, so they can apply.
//!
//! Rows are written directly, not through `volunteers::publish_shifts` and `sign_up`: those
//! refuse past shifts (rightly) and each opens its own transaction, while this step must
//! land whole or not at all. They keep the invariants the feature relies on: `taken` is
//! the number of sign-ups, minutes are what `credited_minutes` gives for the stay.

use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, DatabaseConnection, DatabaseTransaction,
    EntityTrait, QueryFilter, QueryOrder, TransactionTrait,
};

use super::{OFFICER_PHONE, Outcome};
use crate::accounts::{self, Role, password};
use crate::entities::{
    community, shift, shift_signup, squad, squad_member, user, volunteer_application,
};
use crate::time::{at_local, local_date};
use crate::volunteers::{ApplicationStatus, ShiftKind, credited_minutes};
use crate::{Result, settings};

use super::DEMO_PASSWORD;

/// The setting that records when this step ran.
pub const DEMO_VOLUNTEERS_LOADED_AT: &str = "demo_volunteers_loaded_at";

/// The leaders' names, squad by squad in the directory's order.
const LEADERS: [&str; 6] = ["老王", "老张", "老李", "老刘", "老陈", "老杨"];
/// Volunteers per squad besides the leader.
const MEMBERS_PER_SQUAD: usize = 4;
const MEMBER_NAMES: [&str; 24] = [
    "王建军",
    "李秀英",
    "张海峰",
    "刘桂兰",
    "陈志强",
    "杨晓燕",
    "赵国庆",
    "黄丽萍",
    "周伟",
    "吴春梅",
    "徐小龙",
    "孙凤英",
    "胡明",
    "朱玉兰",
    "高建华",
    "林芳",
    "何勇",
    "郭翠花",
    "马超",
    "罗红梅",
    "梁志刚",
    "宋桂芝",
    "郑涛",
    "谢淑珍",
];
/// How many weeks of past shifts, and how far ahead the coming ones reach.
const PAST_WEEKS: i64 = 8;
const AHEAD_DAYS: i64 = 21;
const CONSENT: &str = "demo";

fn leader_phone(index: usize) -> String {
    format!("13900000{}", 301 + index)
}

fn member_phone(index: usize) -> String {
    format!("13900000{}", 311 + index)
}

/// Every demo phone number this step gives out.
pub fn phones() -> Vec<String> {
    (0..LEADERS.len())
        .map(leader_phone)
        .chain((0..LEADERS.len() * MEMBERS_PER_SQUAD).map(member_phone))
        .collect()
}

/// What a squad does, week by week.
struct Plan {
    squad: &'static str,
    kind: ShiftKind,
    title: &'static str,
    place: &'static str,
    /// ISO weekdays (Monday = 1) it happens on.
    weekdays: &'static [u32],
    start: i32,
    end: i32,
    min: i32,
    max: i32,
}

const fn hm(hour: i32, minute: i32) -> i32 {
    hour * 60 + minute
}

const PLANS: [Plan; 6] = [
    Plan {
        squad: "老娘舅调解小分队",
        kind: ShiftKind::Shift,
        title: "老娘舅调解值班",
        place: "老何调解室（招宝山派出所一楼，演示地址）",
        weekdays: &[3],
        start: hm(14, 0),
        end: hm(17, 0),
        min: 1,
        max: 3,
    },
    Plan {
        squad: "义务巡逻小分队",
        kind: ShiftKind::Shift,
        title: "夜间义务巡逻",
        place: "总浦桥社区党群服务中心门口集合（演示地址）",
        weekdays: &[1, 3, 5],
        start: hm(19, 0),
        end: hm(21, 0),
        min: 2,
        max: 6,
    },
    Plan {
        squad: "法治宣传小分队",
        kind: ShiftKind::Event,
        title: "法治快板进园区",
        place: "后海塘企业社区园区服务中心（演示地址）",
        weekdays: &[6],
        start: hm(15, 0),
        end: hm(16, 30),
        min: 4,
        max: 15,
    },
    Plan {
        squad: "反诈宣传小分队",
        kind: ShiftKind::Event,
        title: "“异乡人大舞台”反诈专场",
        place: "城东社区文化广场（演示地址）",
        weekdays: &[6],
        start: hm(14, 0),
        end: hm(16, 0),
        min: 5,
        max: 20,
    },
    Plan {
        squad: "水上安全小分队",
        kind: ShiftKind::Shift,
        title: "江边防溺水巡查",
        place: "甬江社区江边步道（演示地址）",
        weekdays: &[7],
        start: hm(9, 0),
        end: hm(11, 0),
        min: 2,
        max: 8,
    },
    Plan {
        squad: "重见光明关爱小分队",
        kind: ShiftKind::Event,
        title: "“重见光明”上门陪伴探访",
        place: "招宝社区（出发前在群里通知地址）",
        weekdays: &[4],
        start: hm(9, 30),
        end: hm(11, 30),
        min: 1,
        max: 4,
    },
];

/// A squad's people: the leader first.
struct Crew {
    squad: i32,
    plan: &'static Plan,
    leader: i32,
    people: Vec<i32>,
}

/// Loads the step unless it ran before. Refuses, changing nothing, when a demo account's
/// number already belongs to someone.
pub(super) async fn load(db: &DatabaseConnection, now: DateTime<Utc>) -> Result<Outcome> {
    if settings::get(db, DEMO_VOLUNTEERS_LOADED_AT)
        .await?
        .is_some()
    {
        return Ok(Outcome::AlreadyLoaded);
    }
    let squads = squad::Entity::find()
        .filter(squad::Column::IsDemo.eq(true))
        .order_by_asc(squad::Column::Id)
        .all(db)
        .await?;
    if squads.is_empty() {
        // No demo directory to hang the volunteers on.
        return Ok(Outcome::AlreadyLoaded);
    }
    let communities: Vec<i32> = community::Entity::find()
        .filter(community::Column::IsDemo.eq(true))
        .order_by_asc(community::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(|c| c.id)
        .collect();
    super::phones_free(db, phones()).await?;
    // The hash the earlier step gave the demo accounts, so argon2 runs at most once per
    // load; outside the transaction, as SQLite's write lock should not wait for it.
    let hash = match accounts::find_by_phone(db, OFFICER_PHONE).await? {
        Some(officer) => officer.password_hash,
        None => password::hash(DEMO_PASSWORD).await?,
    };
    let txn = db.begin().await?;
    if !super::claim(&txn, DEMO_VOLUNTEERS_LOADED_AT, now).await? {
        return Ok(Outcome::AlreadyLoaded);
    }
    let joined = now - Duration::weeks(PAST_WEEKS + 4);
    let mut crews = Vec::new();
    let mut next_member = 0;
    for (index, squad) in squads.iter().enumerate().take(LEADERS.len()) {
        let Some(plan) = PLANS.iter().find(|p| p.squad == squad.name) else {
            continue;
        };
        let community = communities.get(index % communities.len().max(1)).copied();
        let leader = person(&txn, &leader_phone(index), &hash, community, now).await?;
        add_member(&txn, squad.id, leader, LEADERS[index], true, true, joined).await?;
        let mut people = vec![leader];
        for n in 0..MEMBERS_PER_SQUAD {
            let name = MEMBER_NAMES[next_member % MEMBER_NAMES.len()];
            let id = person(&txn, &member_phone(next_member), &hash, community, now).await?;
            next_member += 1;
            // Most agree to be ranked; the last of each squad would rather not.
            let ranked = n + 1 < MEMBERS_PER_SQUAD;
            let since = joined + Duration::days(7 * n as i64);
            add_member(&txn, squad.id, id, name, false, ranked, since).await?;
            people.push(id);
        }
        crews.push(Crew {
            squad: squad.id,
            plan,
            leader,
            people,
        });
    }

    let today = local_date(now);
    for (c, crew) in crews.iter().enumerate() {
        // Past shifts: the first weekday of the plan, once a week, with hours credited.
        for week in 1..=PAST_WEEKS {
            let Some(day) = day_in_week(today - Duration::weeks(week), crew.plan.weekdays[0])
            else {
                continue;
            };
            let Some(row) = insert_shift(&txn, crew, day, now).await? else {
                continue;
            };
            if row.ends_at > now {
                continue;
            }
            past_signups(&txn, crew, &row, c + week as usize).await?;
        }
        // The coming three weeks: every day of the plan, the soonest with places taken.
        let mut upcoming = 0;
        for offset in 1..=AHEAD_DAYS {
            let day = today + Duration::days(offset);
            if !crew
                .plan
                .weekdays
                .contains(&day.weekday().number_from_monday())
            {
                continue;
            }
            let Some(row) = insert_shift(&txn, crew, day, now).await? else {
                continue;
            };
            let signing: usize = match upcoming {
                0 => 3,
                1 => 1,
                _ => 0,
            };
            let people: Vec<i32> = crew
                .people
                .iter()
                .skip(1)
                .take(signing.min(row.max_capacity as usize))
                .copied()
                .collect();
            signups(&txn, &row, &people, now - Duration::hours(20)).await?;
            upcoming += 1;
        }
    }
    txn.commit().await?;
    Ok(Outcome::Loaded)
}

/// The day of `weekday` in the week (Monday to Sunday) of `day`.
fn day_in_week(day: NaiveDate, weekday: u32) -> Option<NaiveDate> {
    let monday = day - Duration::days(i64::from(day.weekday().num_days_from_monday()));
    Some(monday + Duration::days(i64::from(weekday.checked_sub(1)?)))
}

async fn person(
    txn: &DatabaseTransaction,
    phone: &str,
    hash: &str,
    community_id: Option<i32>,
    now: DateTime<Utc>,
) -> Result<i32> {
    let user = user::ActiveModel {
        phone: Set(phone.to_owned()),
        password_hash: Set(hash.to_owned()),
        community_id: Set(community_id),
        compound_id: Set(None),
        consent_version: Set(CONSENT.to_owned()),
        consent_at: Set(now),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(txn)
    .await?;
    accounts::grant(txn, user.id, Role::Volunteer).await?;
    Ok(user.id)
}

pub(super) async fn add_member(
    txn: &DatabaseTransaction,
    squad_id: i32,
    user_id: i32,
    name: &str,
    is_leader: bool,
    in_ranking: bool,
    joined_at: DateTime<Utc>,
) -> Result<()> {
    squad_member::ActiveModel {
        squad_id: Set(squad_id),
        user_id: Set(user_id),
        name: Set(name.to_owned()),
        is_leader: Set(is_leader),
        in_ranking: Set(in_ranking),
        joined_at: Set(joined_at),
    }
    .insert(txn)
    .await?;
    // The approved application behind the membership: where they come from and the dialects
    // they speak, which 老乡帮老乡 matches requests against.
    let (hometown, dialects) = HOMETOWNS[user_id.unsigned_abs() as usize % HOMETOWNS.len()];
    volunteer_application::ActiveModel {
        user_id: Set(user_id),
        squad_id: Set(squad_id),
        name: Set(name.to_owned()),
        hometown: Set(hometown.to_owned()),
        dialects: Set(dialects.to_owned()),
        skills: Set(String::new()),
        availability: Set(String::new()),
        status: Set(ApplicationStatus::Approved),
        created_at: Set(joined_at),
        decided_at: Set(Some(joined_at)),
        ..Default::default()
    }
    .insert(txn)
    .await?;
    Ok(())
}

/// Where the demo volunteers come from, and what they speak.
const HOMETOWNS: [(&str, &str); 6] = [
    ("安徽 阜阳", "阜阳话、普通话"),
    ("贵州 遵义", "遵义话、四川话"),
    ("河南 信阳", "信阳话、普通话"),
    ("江西 上饶", "上饶话、普通话"),
    ("四川 达州", "四川话、普通话"),
    ("湖南 邵阳", "邵阳话、普通话"),
];

/// The crew's shift on `day`, published by its leader a week before; sign-ups close two
/// hours before a shift and the evening before an event.
async fn insert_shift(
    txn: &DatabaseTransaction,
    crew: &Crew,
    day: NaiveDate,
    now: DateTime<Utc>,
) -> Result<Option<shift::Model>> {
    let plan = crew.plan;
    let (Some(starts_at), Some(ends_at)) = (at_local(day, plan.start), at_local(day, plan.end))
    else {
        return Ok(None);
    };
    let signup_deadline = match plan.kind {
        ShiftKind::Shift => starts_at - Duration::hours(2),
        ShiftKind::Event => at_local(day - Duration::days(1), hm(20, 0)).unwrap_or(starts_at),
    };
    let created_at = Ord::min(starts_at - Duration::weeks(1), now);
    let row = shift::ActiveModel {
        squad_id: Set(crew.squad),
        kind: Set(plan.kind),
        title: Set(plan.title.to_owned()),
        place: Set(plan.place.to_owned()),
        starts_at: Set(starts_at),
        ends_at: Set(ends_at),
        min_capacity: Set(plan.min),
        max_capacity: Set(plan.max),
        taken: Set(0),
        signup_deadline: Set(signup_deadline),
        notes: Set(String::new()),
        created_by: Set(Some(crew.leader)),
        created_at: Set(created_at),
        is_demo: Set(true),
        ..Default::default()
    }
    .insert(txn)
    .await?;
    Ok(Some(row))
}

/// Sign-ups of `people` at `signed_at`, and the shift's count to match.
async fn signups(
    txn: &DatabaseTransaction,
    row: &shift::Model,
    people: &[i32],
    signed_at: DateTime<Utc>,
) -> Result<()> {
    if people.is_empty() {
        return Ok(());
    }
    let signed_at = Ord::min(signed_at, row.signup_deadline);
    shift_signup::Entity::insert_many(people.iter().map(|user_id| shift_signup::ActiveModel {
        shift_id: Set(row.id),
        user_id: Set(*user_id),
        signed_at: Set(signed_at),
        no_show: Set(false),
        minutes_credited: Set(0),
        ..Default::default()
    }))
    .exec(txn)
    .await?;
    set_taken(txn, row, people.len()).await
}

async fn set_taken(txn: &DatabaseTransaction, row: &shift::Model, taken: usize) -> Result<()> {
    let mut active: shift::ActiveModel = row.clone().into();
    active.taken = Set(i32::try_from(taken).unwrap_or(row.max_capacity));
    active.update(txn).await?;
    Ok(())
}

/// Who came to a past shift and for how long: most of the crew, a few late or leaving
/// early, now and then someone who did not turn up. `seed` varies it from shift to shift.
async fn past_signups(
    txn: &DatabaseTransaction,
    crew: &Crew,
    row: &shift::Model,
    seed: usize,
) -> Result<()> {
    let people: Vec<i32> = crew
        .people
        .iter()
        .enumerate()
        .filter(|(n, _)| !(n + seed).is_multiple_of(4) || *n == 0)
        .map(|(_, id)| *id)
        .take(row.max_capacity as usize)
        .collect();
    let signed_at = Ord::min(row.starts_at - Duration::days(3), row.signup_deadline);
    let mut lines = Vec::new();
    for (n, user_id) in people.iter().enumerate() {
        let variant = (n + seed) % 7;
        let (check_in, check_out, no_show) = match variant {
            // Did not turn up.
            6 => (None, None, true),
            // Late by a quarter of an hour.
            1 => (
                Some(row.starts_at + Duration::minutes(15)),
                Some(row.ends_at + Duration::minutes(5)),
                false,
            ),
            // Left half an hour early.
            3 => (
                Some(row.starts_at - Duration::minutes(10)),
                Some(row.ends_at - Duration::minutes(30)),
                false,
            ),
            _ => (
                Some(row.starts_at - Duration::minutes(10)),
                Some(row.ends_at + Duration::minutes(10)),
                false,
            ),
        };
        let minutes = match (check_in, check_out) {
            (Some(i), Some(o)) => credited_minutes(row, i, o),
            _ => 0,
        };
        lines.push(shift_signup::ActiveModel {
            shift_id: Set(row.id),
            user_id: Set(*user_id),
            signed_at: Set(signed_at),
            withdrawn_at: Set(None),
            check_in_at: Set(check_in),
            check_out_at: Set(check_out),
            no_show: Set(no_show),
            minutes_credited: Set(minutes),
            ..Default::default()
        });
    }
    let count = lines.len();
    if count > 0 {
        shift_signup::Entity::insert_many(lines).exec(txn).await?;
    }
    set_taken(txn, row, count).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phones_are_distinct_valid_and_apart_from_the_other_steps() {
        let phones = phones();
        let distinct: std::collections::BTreeSet<&String> = phones.iter().collect();
        assert_eq!(distinct.len(), phones.len());
        assert_eq!(phones.first().map(String::as_str), Some("13900000301"));
        for p in &phones {
            assert!(accounts::phone::is_valid(p), "{p}");
            assert!(
                p.as_str() >= "13900000301" && p.as_str() < "13900000400",
                "{p}"
            );
        }
    }

    #[test]
    fn every_plan_is_a_valid_shift() {
        for plan in &PLANS {
            assert!(plan.start < plan.end, "{}", plan.title);
            assert!(0 <= plan.min && plan.min <= plan.max && plan.max <= 500);
            assert!(plan.weekdays.iter().all(|d| (1..=7).contains(d)));
            assert!((2..=100).contains(&plan.title.chars().count()));
        }
        assert_eq!(PLANS.len(), LEADERS.len());
    }

    #[test]
    fn day_in_week_finds_the_weekday() {
        // Tuesday 2026-12-01: its week runs from Monday 30 November.
        let tuesday = NaiveDate::from_ymd_opt(2026, 12, 1).expect("a date");
        assert_eq!(
            day_in_week(tuesday, 1),
            NaiveDate::from_ymd_opt(2026, 11, 30)
        );
        assert_eq!(
            day_in_week(tuesday, 7),
            NaiveDate::from_ymd_opt(2026, 12, 6)
        );
    }
}
