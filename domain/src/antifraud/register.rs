//! 一张登记表: the households of each compound, the team's visits to them, and how far the
//! visits reach (无遗漏).

use std::collections::{BTreeSet, HashMap};

use chrono::{DateTime, Duration, NaiveDate, Utc};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, sea_query::Expr,
};

use super::{Scam, communities_of, community_name, require_community};
use crate::accounts::{Account, Role, phone::mask};
use crate::casework::colours::log_view;
use crate::entities::{compound, fraud_team_member, household, household_visit, user};
use crate::time::local_date;
use crate::{Error, Result};

/// At most this many addresses in one go: a building's worth, typed or pasted.
pub const MAX_ADDRESSES: usize = 300;
/// A visit may be entered up to this many days after it happened (from a paper form).
pub const LATE_DAYS: i64 = 30;

/// A compound's households and how many were visited.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CompoundCoverage {
    pub id: i32,
    pub name: String,
    pub households: u64,
    /// Visited within the recent window.
    pub recent: u64,
    /// Never visited at all.
    pub never: u64,
}

/// A community's team and the coverage of its compounds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CommunityCoverage {
    pub id: i32,
    pub name: String,
    /// (officers, auxiliaries, grid workers) on its team.
    pub team: (u64, u64, u64),
    pub compounds: Vec<CompoundCoverage>,
}

impl CommunityCoverage {
    pub fn households(&self) -> u64 {
        self.compounds.iter().map(|c| c.households).sum()
    }

    pub fn recent(&self) -> u64 {
        self.compounds.iter().map(|c| c.recent).sum()
    }
}

/// Households per compound of `compound_ids`, and how many of them had a visit on or after
/// `since` and, when `ever` is asked for, ever (0 otherwise: the count over every visit of
/// the years is the dearest): grouped counts, whatever the number of households.
pub(crate) async fn counts(
    db: &impl ConnectionTrait,
    compound_ids: &[i32],
    since: NaiveDate,
    ever: bool,
) -> Result<HashMap<i32, (u64, u64, u64)>> {
    let mut out: HashMap<i32, (u64, u64, u64)> = HashMap::new();
    let households: Vec<(i32, i64)> = household::Entity::find()
        .select_only()
        .column(household::Column::CompoundId)
        .column_as(household::Column::Id.count(), "n")
        .filter(household::Column::CompoundId.is_in(compound_ids.iter().copied()))
        .group_by(household::Column::CompoundId)
        .into_tuple()
        .all(db)
        .await?;
    for (compound, n) in households {
        out.entry(compound).or_default().0 = n.unsigned_abs();
    }
    // Households visited since `since`, then ever.
    let windows = if ever {
        &[Some(since), None][..]
    } else {
        &[Some(since)][..]
    };
    for &window in windows {
        let mut query = household_visit::Entity::find()
            .select_only()
            .column(household::Column::CompoundId)
            .column_as(
                Expr::cust("COUNT(DISTINCT household_visits.household_id)"),
                "n",
            )
            .join(
                sea_orm::JoinType::InnerJoin,
                household_visit::Entity::belongs_to(household::Entity)
                    .from(household_visit::Column::HouseholdId)
                    .to(household::Column::Id)
                    .into(),
            )
            .filter(household::Column::CompoundId.is_in(compound_ids.iter().copied()))
            .group_by(household::Column::CompoundId);
        if let Some(since) = window {
            query = query.filter(household_visit::Column::VisitedOn.gte(since));
        }
        let rows: Vec<(i32, i64)> = query.into_tuple().all(db).await?;
        for (compound, n) in rows {
            let entry = out.entry(compound).or_default();
            if window.is_some() {
                entry.1 = n.unsigned_abs();
            } else {
                entry.2 = n.unsigned_abs();
            }
        }
    }
    Ok(out)
}

/// 无遗漏 for the communities the account keeps: each one's team and, per compound in
/// service, its households, those visited in the last `RECENT_DAYS` and those never visited.
pub async fn coverage(
    db: &impl ConnectionTrait,
    account: &Account,
    now: DateTime<Utc>,
) -> Result<Vec<CommunityCoverage>> {
    let communities = communities_of(db, account).await?;
    let ids: Vec<i32> = communities.iter().map(|c| c.id).collect();
    let compounds = compound::Entity::find()
        .filter(compound::Column::CommunityId.is_in(ids.iter().copied()))
        .filter(compound::Column::RetiredAt.is_null())
        .order_by_asc(compound::Column::Id)
        .all(db)
        .await?;
    let compound_ids: Vec<i32> = compounds.iter().map(|c| c.id).collect();
    let since = local_date(now) - Duration::days(super::RECENT_DAYS);
    let counted = counts(db, &compound_ids, since, true).await?;
    let mut teams: HashMap<i32, (u64, u64, u64)> = HashMap::new();
    for m in fraud_team_member::Entity::find()
        .filter(fraud_team_member::Column::CommunityId.is_in(ids.iter().copied()))
        .all(db)
        .await?
    {
        let team = teams.entry(m.community_id).or_default();
        match m.role {
            Role::Officer => team.0 += 1,
            Role::Auxiliary => team.1 += 1,
            _ => team.2 += 1,
        }
    }
    Ok(communities
        .into_iter()
        .map(|c| CommunityCoverage {
            team: teams.get(&c.id).copied().unwrap_or_default(),
            compounds: compounds
                .iter()
                .filter(|p| p.community_id == c.id)
                .map(|p| {
                    let (households, recent, ever) =
                        counted.get(&p.id).copied().unwrap_or_default();
                    CompoundCoverage {
                        id: p.id,
                        name: p.name.clone(),
                        households,
                        recent,
                        never: households.saturating_sub(ever),
                    }
                })
                .collect(),
            id: c.id,
            name: c.name,
        })
        .collect())
}

/// A household as its compound's list shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HouseholdLine {
    pub id: i32,
    pub address: String,
    /// The last visit, if any, with what it found.
    pub last: Option<household_visit::Model>,
}

impl HouseholdLine {
    /// Never visited, not within the recent window, or its follow-up is due.
    pub fn needs_visit(&self, today: NaiveDate) -> bool {
        match &self.last {
            None => true,
            Some(v) => {
                v.visited_on < today - Duration::days(super::RECENT_DAYS)
                    || v.follow_up_on.is_some_and(|on| on <= today)
            }
        }
    }
}

/// One compound's register.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CompoundRegister {
    pub compound: compound::Model,
    pub community: String,
    /// Those that need a visit first, then by address; narrowed to addresses containing the
    /// search when one was given.
    pub households: Vec<HouseholdLine>,
}

/// The compound, or not found; the account must keep its community's register.
async fn compound_kept(
    db: &impl ConnectionTrait,
    account: &Account,
    compound_id: i32,
) -> Result<compound::Model> {
    let compound = compound::Entity::find_by_id(compound_id)
        .one(db)
        .await?
        .ok_or(Error::NotFound)?;
    require_community(db, account, compound.community_id).await?;
    Ok(compound)
}

/// The register of a compound, its households' last visits; logs the look.
pub async fn compound_register(
    db: &impl ConnectionTrait,
    account: &Account,
    compound_id: i32,
    search: &str,
    now: DateTime<Utc>,
) -> Result<CompoundRegister> {
    let compound = compound_kept(db, account, compound_id).await?;
    log_view(
        db,
        account,
        &format!("/antifraud/compounds/{compound_id}"),
        now,
    )
    .await?;
    let community = community_name(db, compound.community_id).await?;
    let search = crate::text::one_line(search);
    let mut query = household::Entity::find().filter(household::Column::CompoundId.eq(compound_id));
    if !search.is_empty() {
        query = query.filter(household::Column::Address.contains(&search));
    }
    let households = query
        .order_by_asc(household::Column::Address)
        .all(db)
        .await?;
    let mut last: HashMap<i32, household_visit::Model> = HashMap::new();
    // Newest first, so that the first seen per household is its last visit.
    for visit in household_visit::Entity::find()
        .filter(
            household_visit::Column::HouseholdId.in_subquery(
                sea_orm::sea_query::Query::select()
                    .column(household::Column::Id)
                    .from(household::Entity)
                    .and_where(household::Column::CompoundId.eq(compound_id))
                    .to_owned(),
            ),
        )
        .order_by_desc(household_visit::Column::VisitedOn)
        .order_by_desc(household_visit::Column::Id)
        .all(db)
        .await?
    {
        last.entry(visit.household_id).or_insert(visit);
    }
    let today = local_date(now);
    let mut lines: Vec<HouseholdLine> = households
        .into_iter()
        .map(|h| HouseholdLine {
            last: last.remove(&h.id),
            id: h.id,
            address: h.address,
        })
        .collect();
    lines.sort_by_key(|l| !l.needs_visit(today));
    Ok(CompoundRegister {
        compound,
        community,
        households: lines,
    })
}

/// Adds the addresses typed one per line to a compound's households; those it already has
/// are left as they are. How many were new.
pub async fn add_households(
    db: &impl ConnectionTrait,
    account: &Account,
    compound_id: i32,
    text: &str,
    now: DateTime<Utc>,
) -> Result<u64> {
    let compound = compound_kept(db, account, compound_id).await?;
    if compound.retired_at.is_some() {
        return Err(Error::Invalid("directory-retired"));
    }
    let addresses: BTreeSet<String> = text
        .lines()
        .map(crate::text::one_line)
        .filter(|a| !a.is_empty())
        .collect();
    if addresses.is_empty() {
        return Err(Error::Invalid("antifraud-addresses-empty"));
    }
    if addresses.len() > MAX_ADDRESSES {
        return Err(Error::Invalid("antifraud-addresses-too-many"));
    }
    if addresses
        .iter()
        .any(|a| !crate::text::length_within(a, 1, 40))
    {
        return Err(Error::Invalid("antifraud-address-invalid"));
    }
    let mut added = 0;
    for address in addresses {
        let inserted = household::Entity::insert(household::ActiveModel {
            compound_id: Set(compound_id),
            address: Set(address),
            created_by: Set(Some(account.user.id)),
            created_at: Set(now),
            is_demo: Set(false),
            ..Default::default()
        })
        .on_conflict_do_nothing_on([household::Column::CompoundId, household::Column::Address])
        .exec_without_returning(db)
        .await?;
        if matches!(inserted, sea_orm::TryInsertResult::Inserted(n) if n > 0) {
            added += 1;
        }
    }
    Ok(added)
}

/// A visit as the household's record shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VisitLine {
    pub visit: household_visit::Model,
    pub explained: Vec<Scam>,
    /// The visitor's name, if they gave one, and phone, masked; empty once their account
    /// is gone.
    pub visitor: String,
}

/// A household's record: where it is and every visit, newest first.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HouseholdRecord {
    pub household: household::Model,
    pub compound: String,
    pub community: String,
    pub visits: Vec<VisitLine>,
}

/// The household and its compound, or not found; the account must keep its register.
async fn household_kept(
    db: &impl ConnectionTrait,
    account: &Account,
    household_id: i32,
) -> Result<(household::Model, compound::Model)> {
    let household = household::Entity::find_by_id(household_id)
        .one(db)
        .await?
        .ok_or(Error::NotFound)?;
    let compound = compound_kept(db, account, household.compound_id).await?;
    Ok((household, compound))
}

/// Reads a stored list of scams; a spelling that is no scam is a fault of the data.
fn scams(stored: &str) -> Result<Vec<Scam>> {
    stored
        .split(',')
        .filter(|s| !s.is_empty())
        .map(|s| Scam::parse(s).ok_or(Error::Internal("a stored scam is no scam")))
        .collect()
}

/// A household's record; logs the look.
pub async fn household_record(
    db: &impl ConnectionTrait,
    account: &Account,
    household_id: i32,
    now: DateTime<Utc>,
) -> Result<HouseholdRecord> {
    let (household, compound) = household_kept(db, account, household_id).await?;
    log_view(
        db,
        account,
        &format!("/antifraud/households/{household_id}"),
        now,
    )
    .await?;
    let community = community_name(db, compound.community_id).await?;
    let visits = household_visit::Entity::find()
        .filter(household_visit::Column::HouseholdId.eq(household_id))
        .order_by_desc(household_visit::Column::VisitedOn)
        .order_by_desc(household_visit::Column::Id)
        .all(db)
        .await?;
    let phones: HashMap<i32, String> = user::Entity::find()
        .filter(user::Column::Id.is_in(visits.iter().filter_map(|v| v.visitor_id)))
        .all(db)
        .await?
        .into_iter()
        .map(|u| {
            let masked = mask(&u.phone);
            let shown = match u.display_name {
                Some(name) => format!("{name}（{masked}）"),
                None => masked,
            };
            (u.id, shown)
        })
        .collect();
    let visits = visits
        .into_iter()
        .map(|visit| {
            Ok(VisitLine {
                explained: scams(&visit.explained)?,
                visitor: visit
                    .visitor_id
                    .and_then(|id| phones.get(&id).cloned())
                    .unwrap_or_default(),
                visit,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(HouseholdRecord {
        household,
        compound: compound.name,
        community,
        visits,
    })
}

/// What a visit found, as the team enters it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Visit {
    pub visited_on: NaiveDate,
    pub app_installed: bool,
    pub warning_on: bool,
    pub elderly_alone: bool,
    pub recent_victim: bool,
    pub explained: Vec<Scam>,
    pub follow_up_on: Option<NaiveDate>,
}

/// Records a visit of the signed-in team member to a household; returns the household's
/// compound. The day is today or up to `LATE_DAYS` before; a follow-up comes after it and
/// within a year; the App's warning can only be on where the App is.
pub async fn record_visit(
    db: &impl ConnectionTrait,
    account: &Account,
    household_id: i32,
    visit: Visit,
    now: DateTime<Utc>,
) -> Result<i32> {
    let (_, compound) = household_kept(db, account, household_id).await?;
    let today = local_date(now);
    if visit.visited_on > today || visit.visited_on < today - Duration::days(LATE_DAYS) {
        return Err(Error::Invalid("antifraud-visit-date-invalid"));
    }
    if visit
        .follow_up_on
        .is_some_and(|on| on <= visit.visited_on || on > visit.visited_on + Duration::days(365))
    {
        return Err(Error::Invalid("antifraud-follow-up-invalid"));
    }
    if visit.warning_on && !visit.app_installed {
        return Err(Error::Invalid("antifraud-warning-without-app"));
    }
    let explained: BTreeSet<Scam> = visit.explained.into_iter().collect();
    let explained: Vec<&str> = explained.into_iter().map(Scam::as_str).collect();
    household_visit::Entity::insert(household_visit::ActiveModel {
        household_id: Set(household_id),
        visited_on: Set(visit.visited_on),
        visitor_id: Set(Some(account.user.id)),
        app_installed: Set(visit.app_installed),
        warning_on: Set(visit.warning_on),
        elderly_alone: Set(visit.elderly_alone),
        recent_victim: Set(visit.recent_victim),
        explained: Set(explained.join(",")),
        follow_up_on: Set(visit.follow_up_on),
        created_at: Set(now),
        is_demo: Set(false),
        ..Default::default()
    })
    .exec_without_returning(db)
    .await?;
    Ok(compound.id)
}
