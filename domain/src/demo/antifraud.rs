//! 反诈 demo: every community's anti-fraud team — the demo officer as its community officer,
//! three auxiliary police and three grid workers — the households of every compound (24
//! each: two buildings, two entrances, three floors, two flats), a year of visits that
//! reaches some communities far better than others, a dozen losses and the loop's two kinds
//! of fraud-related case counted as such.
//!
//! The team members are 13900000601 onward, six per community in the directory's order:
//! three auxiliaries, then three grid workers. They sign in with the demo password.

use std::collections::HashMap;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder,
    TransactionTrait,
};

use super::{OFFICER_PHONE, Outcome, casework::FRAUD_TITLES};
use crate::accounts::{self, Role};
use crate::antifraud::Scam;
use crate::entities::{
    case_record, community, compound, fraud_loss, fraud_mark, fraud_team_member, household,
    household_visit, user, user_role,
};
use crate::time::local_date;
use crate::{Result, settings};

/// The setting that records when this step ran.
pub const DEMO_ANTIFRAUD_LOADED_AT: &str = "demo_antifraud_loaded_at";
/// The first community's first auxiliary and first grid worker: whom the end-to-end tests
/// sign in as to visit households.
pub const AUXILIARY_PHONE: &str = "13900000601";
pub const GRID_WORKER_PHONE: &str = "13900000604";

const PER_ROLE: usize = 3;
const SURNAMES: [&str; 10] = ["陈", "林", "黄", "徐", "孙", "胡", "郭", "何", "高", "罗"];
const BATCH: usize = 300;
/// How many of a hundred households each community's team has reached in the last half
/// year, in the directory's order: some teams far ahead of others.
const REACH: [u64; 10] = [92, 85, 78, 96, 64, 71, 88, 55, 81, 69];
/// (community index, days ago, yuan, scam)
const LOSSES: [(usize, i64, i64, Scam); 12] = [
    (0, 12, 20_000, Scam::FakeAuthority),
    (1, 25, 8_000, Scam::OrderBrushing),
    (4, 33, 156_000, Scam::FakeInvestment),
    (7, 41, 3_600, Scam::FakeService),
    (2, 58, 12_500, Scam::FakeLoan),
    (7, 77, 380_000, Scam::Romance),
    (4, 96, 2_300, Scam::OrderBrushing),
    (9, 120, 45_000, Scam::FakeInvestment),
    (5, 150, 900, Scam::FakeService),
    (7, 190, 6_800, Scam::OrderBrushing),
    (1, 240, 28_000, Scam::FakeAuthority),
    (4, 300, 1_500, Scam::Other),
];

fn member_phone(index: usize) -> String {
    format!("13900000{}", 601 + index)
}

/// Every demo phone number this step gives out.
pub fn phones(communities: usize) -> Vec<String> {
    (0..communities * PER_ROLE * 2).map(member_phone).collect()
}

/// A number from 0 to 99 that looks random and is always the same for `seed`.
fn roll(seed: u64) -> u64 {
    let mut x = seed.wrapping_add(0x9E37_79B9_7F4A_7C15);
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    (x ^ (x >> 31)) % 100
}

/// The addresses of a demo compound's households.
fn addresses() -> Vec<String> {
    let mut out = Vec::new();
    for building in 1..=2 {
        for entrance in 1..=2 {
            for floor in 1..=3 {
                for flat in 1..=2 {
                    out.push(format!("{building}幢{entrance}单元{floor}0{flat}"));
                }
            }
        }
    }
    out
}

/// The scams explained at a visit: one to three, starting where `seed` says.
fn explained(seed: u64) -> String {
    let all = [
        Scam::FakeAuthority,
        Scam::OrderBrushing,
        Scam::FakeInvestment,
        Scam::FakeService,
        Scam::FakeLoan,
        Scam::Romance,
    ];
    let first = usize::try_from(seed % 6).unwrap_or(0);
    let count = usize::try_from(1 + seed % 3).unwrap_or(1);
    let mut chosen: Vec<Scam> = (0..count).map(|i| all[(first + i) % all.len()]).collect();
    chosen.sort();
    chosen
        .into_iter()
        .map(Scam::as_str)
        .collect::<Vec<_>>()
        .join(",")
}

/// Loads the step unless it ran before. Refuses, changing nothing, when a demo account's
/// number already belongs to someone.
pub(super) async fn load(db: &DatabaseConnection, now: DateTime<Utc>) -> Result<Outcome> {
    if settings::get(db, DEMO_ANTIFRAUD_LOADED_AT).await?.is_some() {
        return Ok(Outcome::AlreadyLoaded);
    }
    let communities = community::Entity::find()
        .filter(community::Column::IsDemo.eq(true))
        .order_by_asc(community::Column::Id)
        .all(db)
        .await?;
    let Some(officer) = accounts::find_by_phone(db, OFFICER_PHONE).await? else {
        return Ok(Outcome::AlreadyLoaded);
    };
    if communities.is_empty() {
        return Ok(Outcome::AlreadyLoaded);
    }
    super::phones_free(db, phones(communities.len())).await?;
    let compounds = compound::Entity::find()
        .filter(compound::Column::IsDemo.eq(true))
        .order_by_asc(compound::Column::Id)
        .all(db)
        .await?;

    let txn = db.begin().await?;
    if !super::claim(&txn, DEMO_ANTIFRAUD_LOADED_AT, now).await? {
        return Ok(Outcome::AlreadyLoaded);
    }

    // The teams.
    let mut wanted = Vec::new();
    for (c, community) in communities.iter().enumerate() {
        for (k, role) in [Role::Auxiliary, Role::GridWorker].into_iter().enumerate() {
            for n in 0..PER_ROLE {
                let index = c * PER_ROLE * 2 + k * PER_ROLE + n;
                let surname = SURNAMES[(c + n * 3 + k) % SURNAMES.len()];
                let name = match role {
                    Role::Auxiliary => format!("辅警小{surname}"),
                    _ => format!("网格员{surname}姐"),
                };
                wanted.push((member_phone(index), name, role, community.id));
            }
        }
    }
    let users = user::Entity::insert_many(wanted.iter().map(|(phone, name, _, community)| {
        user::ActiveModel {
            phone: Set(phone.clone()),
            password_hash: Set(officer.password_hash.clone()),
            community_id: Set(Some(*community)),
            consent_version: Set("demo".to_owned()),
            consent_at: Set(now),
            created_at: Set(now),
            display_name: Set(Some(name.clone())),
            ..Default::default()
        }
    }))
    .exec_with_returning(&txn)
    .await?;
    let ids: HashMap<String, i32> = users.into_iter().map(|u| (u.phone, u.id)).collect();
    let mut roles = Vec::new();
    let mut members = Vec::new();
    let mut team: HashMap<i32, Vec<i32>> = HashMap::new();
    for (phone, _, role, community) in &wanted {
        let Some(id) = ids.get(phone).copied() else {
            continue;
        };
        for held in [Role::Resident, *role] {
            roles.push(user_role::ActiveModel {
                user_id: Set(id),
                role: Set(held.as_str().to_owned()),
            });
        }
        members.push(fraud_team_member::ActiveModel {
            community_id: Set(*community),
            user_id: Set(id),
            role: Set(*role),
        });
        team.entry(*community).or_default().push(id);
    }
    for community in &communities {
        members.push(fraud_team_member::ActiveModel {
            community_id: Set(community.id),
            user_id: Set(officer.id),
            role: Set(Role::Officer),
        });
    }
    user_role::Entity::insert_many(roles)
        .exec_without_returning(&txn)
        .await?;
    fraud_team_member::Entity::insert_many(members)
        .exec_without_returning(&txn)
        .await?;

    // The households.
    let mut rows = Vec::new();
    for compound in &compounds {
        for address in addresses() {
            rows.push(household::ActiveModel {
                compound_id: Set(compound.id),
                address: Set(address),
                created_by: Set(Some(officer.id)),
                created_at: Set(now - Duration::days(400)),
                is_demo: Set(true),
                ..Default::default()
            });
        }
    }
    let mut households = Vec::new();
    for chunk in rows.chunks(BATCH) {
        households.extend(
            household::Entity::insert_many(chunk.to_vec())
                .exec_with_returning(&txn)
                .await?,
        );
    }

    // A year of visits: a community's reach decides who was seen in the last half year;
    // some of the rest were seen only before, the others never.
    let community_of: HashMap<i32, usize> = compounds
        .iter()
        .filter_map(|p| {
            communities
                .iter()
                .position(|c| c.id == p.community_id)
                .map(|c| (p.id, c))
        })
        .collect();
    let today = local_date(now);
    let mut visits = Vec::new();
    for h in &households {
        let Some(&c) = community_of.get(&h.compound_id) else {
            continue;
        };
        let seed = u64::try_from(h.id).unwrap_or(0);
        let dice = roll(seed);
        let days_ago = if dice < REACH[c % REACH.len()] {
            i64::try_from(roll(seed + 1) * 175 / 100).unwrap_or(0)
        } else if dice < 97 {
            i64::try_from(185 + roll(seed + 2) * 170 / 100).unwrap_or(185)
        } else {
            continue;
        };
        let Some(visitors) = communities.get(c).and_then(|c| team.get(&c.id)) else {
            continue;
        };
        let visitor = visitors[usize::try_from(seed).unwrap_or(0) % visitors.len()];
        let visited_on = today - Duration::days(days_ago);
        let app_installed = roll(seed + 3) < 72;
        let elderly_alone = roll(seed + 5) < 12;
        let recent_victim = roll(seed + 6) < 3;
        let follow_up_on: Option<NaiveDate> = (elderly_alone || recent_victim).then(|| {
            visited_on + Duration::days(30 + i64::try_from(roll(seed + 7) % 30).unwrap_or(0))
        });
        visits.push(household_visit::ActiveModel {
            household_id: Set(h.id),
            visited_on: Set(visited_on),
            visitor_id: Set(Some(visitor)),
            app_installed: Set(app_installed),
            warning_on: Set(app_installed && roll(seed + 4) < 75),
            elderly_alone: Set(elderly_alone),
            recent_victim: Set(recent_victim),
            explained: Set(explained(roll(seed + 8))),
            follow_up_on: Set(follow_up_on),
            created_at: Set(now - Duration::days(days_ago)),
            is_demo: Set(true),
            ..Default::default()
        });
    }
    for chunk in visits.chunks(BATCH) {
        household_visit::Entity::insert_many(chunk.to_vec())
            .exec_without_returning(&txn)
            .await?;
    }

    // 无损失: what the teams reported.
    let losses: Vec<fraud_loss::ActiveModel> = LOSSES
        .iter()
        .filter_map(|(c, days_ago, yuan, scam)| {
            let community = communities.get(*c)?;
            let reporter = team.get(&community.id)?.first().copied();
            Some(fraud_loss::ActiveModel {
                community_id: Set(community.id),
                occurred_on: Set(today - Duration::days(*days_ago)),
                amount_yuan: Set(*yuan),
                scam: Set(*scam),
                reported_by: Set(reporter),
                created_at: Set(now - Duration::days(*days_ago)),
                is_demo: Set(true),
                ..Default::default()
            })
        })
        .collect();
    fraud_loss::Entity::insert_many(losses)
        .exec_without_returning(&txn)
        .await?;

    // 无库存: the loop's fraud cases, counted by the officer.
    let marks: Vec<fraud_mark::ActiveModel> = case_record::Entity::find()
        .filter(case_record::Column::IsDemo.eq(true))
        .filter(case_record::Column::Title.is_in(FRAUD_TITLES))
        .all(&txn)
        .await?
        .into_iter()
        .map(|case| fraud_mark::ActiveModel {
            case_id: Set(case.id),
            marked_by: Set(Some(officer.id)),
            marked_at: Set(case.created_at),
        })
        .collect();
    if !marks.is_empty() {
        fraud_mark::Entity::insert_many(marks)
            .exec_without_returning(&txn)
            .await?;
    }
    txn.commit().await?;
    Ok(Outcome::Loaded)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phones_are_distinct_valid_and_apart_from_the_other_steps() {
        let phones = phones(10);
        assert_eq!(phones.first().map(String::as_str), Some(AUXILIARY_PHONE));
        assert_eq!(phones.get(3).map(String::as_str), Some(GRID_WORKER_PHONE));
        for p in &phones {
            assert!(accounts::phone::is_valid(p), "{p}");
            assert!(
                p.as_str() > "13900000600" && p.as_str() < "13900000700",
                "{p}"
            );
        }
    }

    #[test]
    fn a_compound_has_twenty_four_distinct_addresses_and_visits_explain_one_to_three_scams() {
        let all = addresses();
        let distinct: std::collections::BTreeSet<&String> = all.iter().collect();
        assert_eq!((all.len(), distinct.len()), (24, 24));
        for seed in 0..100 {
            let scams = explained(seed);
            let n = scams.split(',').count();
            assert!((1..=3).contains(&n), "{scams}");
            assert!(
                scams.split(',').all(|s| Scam::parse(s).is_some()),
                "{scams}"
            );
        }
    }
}
