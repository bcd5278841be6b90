//! 无损失 and 无库存: the losses to fraud a team reports, and the loop's cases officers count
//! as fraud-related; with the register's coverage, the anti-fraud figures of the board.

use std::collections::HashMap;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect,
};

use super::{Scam, communities_of, require_community};
use crate::accounts::{Account, Role};
use crate::casework::Stage;
use crate::entities::{case_record, community, compound, fraud_loss, fraud_mark};
use crate::time::local_date;
use crate::{Error, Result};

/// The largest loss one report takes: ¥100,000,000, as the database's CHECK says.
pub const MAX_YUAN: i64 = 100_000_000;

/// A loss as the team reports it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Loss {
    pub community_id: i32,
    pub occurred_on: NaiveDate,
    pub amount_yuan: i64,
    pub scam: Scam,
}

/// Reports a loss to fraud in a community the account keeps: within the last year, between
/// ¥1 and `MAX_YUAN`.
pub async fn report(
    db: &impl ConnectionTrait,
    account: &Account,
    loss: Loss,
    now: DateTime<Utc>,
) -> Result<()> {
    require_community(db, account, loss.community_id).await?;
    let today = local_date(now);
    if loss.occurred_on > today || loss.occurred_on < today - Duration::days(365) {
        return Err(Error::Invalid("antifraud-loss-date-invalid"));
    }
    if !(1..=MAX_YUAN).contains(&loss.amount_yuan) {
        return Err(Error::Invalid("antifraud-amount-invalid"));
    }
    fraud_loss::Entity::insert(fraud_loss::ActiveModel {
        community_id: Set(loss.community_id),
        occurred_on: Set(loss.occurred_on),
        amount_yuan: Set(loss.amount_yuan),
        scam: Set(loss.scam),
        reported_by: Set(Some(account.user.id)),
        created_at: Set(now),
        is_demo: Set(false),
        ..Default::default()
    })
    .exec(db)
    .await?;
    Ok(())
}

/// The losses of the communities the account keeps that occurred on or after `since`,
/// newest first, with the community's name.
pub async fn recent(
    db: &impl ConnectionTrait,
    account: &Account,
    since: NaiveDate,
) -> Result<Vec<(fraud_loss::Model, String)>> {
    let communities: HashMap<i32, String> = communities_of(db, account)
        .await?
        .into_iter()
        .map(|c| (c.id, c.name))
        .collect();
    Ok(fraud_loss::Entity::find()
        .filter(fraud_loss::Column::CommunityId.is_in(communities.keys().copied()))
        .filter(fraud_loss::Column::OccurredOn.gte(since))
        .order_by_desc(fraud_loss::Column::OccurredOn)
        .order_by_desc(fraud_loss::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(|l| {
            let name = communities
                .get(&l.community_id)
                .cloned()
                .unwrap_or_default();
            (l, name)
        })
        .collect())
}

/// An officer counts a case of the loop as fraud-related (`on`), or no longer.
pub async fn mark_case(
    db: &impl ConnectionTrait,
    officer: &Account,
    code: &str,
    on: bool,
    now: DateTime<Utc>,
) -> Result<()> {
    officer.require(Role::Officer)?;
    let case = crate::casework::steps::load(db, code)
        .await
        .map_err(|e| match e {
            Error::NotFound => Error::Invalid("antifraud-case-unknown"),
            e => e,
        })?;
    if on {
        fraud_mark::Entity::insert(fraud_mark::ActiveModel {
            case_id: Set(case.id),
            marked_by: Set(Some(officer.user.id)),
            marked_at: Set(now),
        })
        .on_conflict_do_nothing_on([fraud_mark::Column::CaseId])
        .exec_without_returning(db)
        .await?;
    } else {
        fraud_mark::Entity::delete_by_id(case.id).exec(db).await?;
    }
    Ok(())
}

/// Whether the case is counted as fraud-related.
pub async fn is_marked(db: &impl ConnectionTrait, case_id: i32) -> Result<bool> {
    Ok(fraud_mark::Entity::find_by_id(case_id)
        .one(db)
        .await?
        .is_some())
}

/// 无库存: the fraud-related cases not closed yet, oldest first. Officers only: the loop's
/// cases are theirs to read.
pub async fn open_cases(
    db: &impl ConnectionTrait,
    officer: &Account,
) -> Result<Vec<case_record::Model>> {
    officer.require(Role::Officer)?;
    Ok(open_marked()
        .order_by_asc(case_record::Column::CreatedAt)
        .all(db)
        .await?)
}

/// The loop's cases counted as fraud-related and not closed yet.
fn open_marked() -> sea_orm::Select<case_record::Entity> {
    case_record::Entity::find()
        .filter(case_record::Column::Stage.ne(Stage::Closed))
        .filter(
            case_record::Column::Id.in_subquery(
                sea_orm::sea_query::Query::select()
                    .column(fraud_mark::Column::CaseId)
                    .from(fraud_mark::Entity)
                    .to_owned(),
            ),
        )
}

/// The anti-fraud figures of a period, per community in service (in the directory's order).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Figures {
    /// (community, households, households visited in the period)
    pub coverage: Vec<(String, u64, u64)>,
    /// (community, losses reported that occurred in the period, their yuan)
    pub losses: Vec<(String, u64, i64)>,
    /// Fraud-related cases of the loop not closed yet, whenever they came.
    pub open_cases: u64,
}

/// The figures for the period from `from` to `to` (dates, local), for officers.
pub async fn figures(
    db: &impl ConnectionTrait,
    officer: &Account,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Figures> {
    officer.require(Role::Officer)?;
    let communities = community::Entity::find()
        .filter(community::Column::RetiredAt.is_null())
        .order_by_asc(community::Column::Id)
        .all(db)
        .await?;
    let compounds: Vec<(i32, i32)> = compound::Entity::find()
        .select_only()
        .columns([compound::Column::Id, compound::Column::CommunityId])
        .into_tuple()
        .all(db)
        .await?;
    let ids: Vec<i32> = compounds.iter().map(|(id, _)| *id).collect();
    let counted = super::register::counts(db, &ids, from, false).await?;
    let mut coverage: HashMap<i32, (u64, u64)> = HashMap::new();
    for (compound, community) in compounds {
        let (households, recent, _) = counted.get(&compound).copied().unwrap_or_default();
        let entry = coverage.entry(community).or_default();
        entry.0 += households;
        entry.1 += recent;
    }
    let losses: Vec<(i32, i64, i64)> = fraud_loss::Entity::find()
        .select_only()
        .column(fraud_loss::Column::CommunityId)
        .column_as(fraud_loss::Column::Id.count(), "n")
        // A sum of bigints is a numeric on PostgreSQL: brought back to a bigint.
        .column_as(
            sea_orm::sea_query::Expr::cust("CAST(SUM(fraud_losses.amount_yuan) AS BIGINT)"),
            "yuan",
        )
        .filter(fraud_loss::Column::OccurredOn.gte(from))
        .filter(fraud_loss::Column::OccurredOn.lte(to))
        .group_by(fraud_loss::Column::CommunityId)
        .into_tuple()
        .all(db)
        .await?;
    let losses: HashMap<i32, (u64, i64)> = losses
        .into_iter()
        .map(|(community, n, yuan)| (community, (n.unsigned_abs(), yuan)))
        .collect();
    let open_cases = open_marked().count(db).await?;
    Ok(Figures {
        coverage: communities
            .iter()
            .map(|c| {
                let (households, visited) = coverage.get(&c.id).copied().unwrap_or_default();
                (c.name.clone(), households, visited)
            })
            .collect(),
        losses: communities
            .iter()
            .map(|c| {
                let (n, yuan) = losses.get(&c.id).copied().unwrap_or_default();
                (c.name.clone(), n, yuan)
            })
            .collect(),
        open_cases,
    })
}
