//! Deadlines per kind of case and stage (`case_deadlines`), tuned by officers.

use chrono::{DateTime, Duration, Utc};
use sea_orm::{ActiveValue::Set, ConnectionTrait, EntityTrait, QueryOrder};

use crate::accounts::{Account, Role};
use crate::entities::{case_deadline, case_record};
use crate::{Error, Result};

use super::{Kind, Stage};

/// The deadline of `stage` for `kind` from `since`, and whether it escalates.
pub(crate) async fn deadline(
    db: &impl ConnectionTrait,
    kind: Kind,
    stage: Stage,
    since: DateTime<Utc>,
) -> Result<(Option<DateTime<Utc>>, bool)> {
    if stage == Stage::Closed {
        return Ok((None, false));
    }
    Ok(
        match case_deadline::Entity::find_by_id((
            kind.as_str().to_owned(),
            stage.as_str().to_owned(),
        ))
        .one(db)
        .await?
        {
            Some(d) => (
                Some(since + Duration::hours(i64::from(d.hours))),
                d.escalate,
            ),
            None => (None, false),
        },
    )
}

/// The longest deadline a stage may have: a year.
pub const MAX_DEADLINE_HOURS: i32 = 8760;

/// Sets a stage's deadline: officers tune the loop per kind of case.
pub async fn set_deadline(
    db: &impl ConnectionTrait,
    officer: &Account,
    kind: &str,
    stage: &str,
    hours: i32,
    escalate: bool,
) -> Result<()> {
    officer.require(Role::Officer)?;
    let kind = Kind::parse(kind).ok_or(Error::Invalid("case-kind-invalid"))?;
    let stage = Stage::parse(stage)
        .filter(|s| *s != Stage::Closed)
        .ok_or(Error::Invalid("case-move-illegal"))?;
    if !(1..=MAX_DEADLINE_HOURS).contains(&hours) {
        return Err(Error::Invalid("case-deadline-hours-invalid"));
    }
    case_deadline::Entity::insert(case_deadline::ActiveModel {
        kind: Set(kind.as_str().to_owned()),
        stage: Set(stage.as_str().to_owned()),
        hours: Set(hours),
        escalate: Set(escalate),
    })
    .on_conflict(
        sea_orm::sea_query::OnConflict::columns([
            case_deadline::Column::Kind,
            case_deadline::Column::Stage,
        ])
        .update_columns([
            case_deadline::Column::Hours,
            case_deadline::Column::Escalate,
        ])
        .to_owned(),
    )
    .exec(db)
    .await?;
    Ok(())
}

pub async fn deadlines(db: &impl ConnectionTrait) -> Result<Vec<case_deadline::Model>> {
    Ok(case_deadline::Entity::find()
        .order_by_asc(case_deadline::Column::Kind)
        .all(db)
        .await?)
}

/// Whether a case is past its deadline (a closed case never is).
pub fn is_overdue(case: &case_record::Model, now: DateTime<Utc>) -> bool {
    case.stage != Stage::Closed && case.due_at.is_some_and(|due| due < now)
}
