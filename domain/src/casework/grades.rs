//! 三色 and the graded response. For 情感类 and 家暴类 disputes the station follows
//! "初次教育 — 二次训诫 — 三次拘留": officers count a case as one of the two (`set_concern`)
//! and record each step applied in it and on which day (`record_grade`); the colours board
//! shows the furthest step each household has reached. The portal records what officers
//! did; it never proposes or decides a step. Officers only, like every household datum.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
    sea_query::OnConflict,
};

use super::steps::load;
use crate::accounts::{Account, Role};
use crate::entities::{case_concern, case_grade, case_record};
use crate::time::local_date;
use crate::{Error, Result};

pub use vocab::casework::{Concern, Grade};

/// What a case records of the graded response.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Response {
    pub concern: Option<Concern>,
    /// The steps applied, in their order.
    pub grades: Vec<(Grade, NaiveDate)>,
}

/// The case's concern and steps.
pub async fn of_case(db: &impl ConnectionTrait, case_id: i32) -> Result<Response> {
    let concern = case_concern::Entity::find_by_id(case_id)
        .one(db)
        .await?
        .map(|c| c.concern);
    let mut grades: Vec<(Grade, NaiveDate)> = case_grade::Entity::find()
        .filter(case_grade::Column::CaseId.eq(case_id))
        .order_by_asc(case_grade::Column::AppliedOn)
        .all(db)
        .await?
        .into_iter()
        .map(|g| (g.grade, g.applied_on))
        .collect();
    grades.sort();
    Ok(Response { concern, grades })
}

/// An officer counts a case as 情感类 or 家暴类, or (`None`) as neither — which only a case
/// without a recorded step can be.
pub async fn set_concern(
    db: &impl ConnectionTrait,
    officer: &Account,
    code: &str,
    concern: Option<Concern>,
    now: DateTime<Utc>,
) -> Result<()> {
    officer.require(Role::Officer)?;
    let case = load(db, code).await?;
    match concern {
        Some(concern) => {
            case_concern::Entity::insert(case_concern::ActiveModel {
                case_id: Set(case.id),
                concern: Set(concern),
                set_by: Set(Some(officer.user.id)),
                set_at: Set(now),
            })
            .on_conflict(
                OnConflict::column(case_concern::Column::CaseId)
                    .update_columns([
                        case_concern::Column::Concern,
                        case_concern::Column::SetBy,
                        case_concern::Column::SetAt,
                    ])
                    .to_owned(),
            )
            .exec_without_returning(db)
            .await?;
        }
        None => {
            if !of_case(db, case.id).await?.grades.is_empty() {
                return Err(Error::Invalid("case-concern-has-grades"));
            }
            case_concern::Entity::delete_by_id(case.id).exec(db).await?;
        }
    }
    Ok(())
}

/// An officer records that `grade` was applied in a 情感类 or 家暴类 case on `applied_on`:
/// not before the case came and not after today, each step once per case.
pub async fn record_grade(
    db: &impl ConnectionTrait,
    officer: &Account,
    code: &str,
    grade: Grade,
    applied_on: NaiveDate,
    now: DateTime<Utc>,
) -> Result<()> {
    officer.require(Role::Officer)?;
    let case = load(db, code).await?;
    if of_case(db, case.id).await?.concern.is_none() {
        return Err(Error::Invalid("case-grade-needs-concern"));
    }
    if applied_on > local_date(now) || applied_on < local_date(case.created_at) {
        return Err(Error::Invalid("case-grade-date-invalid"));
    }
    let inserted = case_grade::Entity::insert(case_grade::ActiveModel {
        case_id: Set(case.id),
        grade: Set(grade),
        applied_on: Set(applied_on),
        recorded_by: Set(Some(officer.user.id)),
        recorded_at: Set(now),
        ..Default::default()
    })
    .on_conflict_do_nothing_on([case_grade::Column::CaseId, case_grade::Column::Grade])
    .exec_without_returning(db)
    .await?;
    if matches!(inserted, sea_orm::TryInsertResult::Inserted(n) if n > 0) {
        Ok(())
    } else {
        Err(Error::Invalid("case-grade-recorded"))
    }
}

/// The furthest step recorded in each case linked to a household, with its day: what the
/// colours board adds up per household, read in one query.
pub(crate) async fn furthest_per_case(
    db: &impl ConnectionTrait,
) -> Result<HashMap<i32, (Grade, NaiveDate)>> {
    let mut out: HashMap<i32, (Grade, NaiveDate)> = HashMap::new();
    for g in case_grade::Entity::find()
        .filter(
            case_grade::Column::CaseId.in_subquery(
                sea_orm::sea_query::Query::select()
                    .column(case_record::Column::Id)
                    .from(case_record::Entity)
                    .and_where(case_record::Column::Household.is_not_null())
                    .to_owned(),
            ),
        )
        .all(db)
        .await?
    {
        let step = (g.grade, g.applied_on);
        out.entry(g.case_id)
            .and_modify(|best| *best = (*best).max(step))
            .or_insert(step);
    }
    Ok(out)
}
