//! 三色 — repeat disputes by household. Officers link cases to a household or address; a
//! household with two or more cases, or one handled case, is coloured:
//!
//! - red: it keeps coming back and has never been handled (no case closed before the next
//!   one came);
//! - yellow: it came back after a case had been handled;
//! - green: the last case was handled and nothing new came within the window.
//!
//! Officers only; never shown to residents; every look at the page, and at a case page that
//! shows a household, is logged (`colour_views`), and admins read that log.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, Utc};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
};

use crate::accounts::{Account, Role};
use crate::entities::{case_record, colour_view, user};
use crate::{Error, Result};

pub use vocab::casework::Colour;

/// The window after a handled case within which a new one means it came back; 90 days.
pub const DEFAULT_WINDOW_DAYS: i64 = 90;

/// When a case of a household came and, if handled, when it was closed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Visit {
    pub opened: DateTime<Utc>,
    pub closed: Option<DateTime<Utc>>,
}

/// The colour of a household's cases, or None when there is nothing to colour yet (one
/// case, still open or closed too recently to call it stopped).
pub fn colour_of(visits: &[Visit], window: Duration, now: DateTime<Utc>) -> Option<Colour> {
    let mut visits = visits.to_vec();
    visits.sort_by_key(|v| v.opened);
    visits.last()?;
    // Came back after handling: a case opened after an earlier one was closed.
    let recurred_after_handling = visits.iter().enumerate().any(|(i, earlier)| {
        earlier
            .closed
            .is_some_and(|closed| visits[i + 1..].iter().any(|later| later.opened > closed))
    });
    // Stopped: every case handled, and none for the window since the last was closed.
    let all_closed: Option<Vec<DateTime<Utc>>> = visits.iter().map(|v| v.closed).collect();
    if all_closed
        .and_then(|closed| closed.into_iter().max())
        .is_some_and(|closed| now - closed >= window)
    {
        return Some(Colour::Green);
    }
    if recurred_after_handling {
        return Some(Colour::Yellow);
    }
    (visits.len() >= 2).then_some(Colour::Red)
}

/// A household on the page: its colour, its cases (code, opened, closed), oldest first, and
/// the furthest step of the graded response recorded in them, with its day.
#[derive(Clone, Debug)]
pub struct Household {
    pub household: String,
    pub colour: Colour,
    pub cases: Vec<(String, DateTime<Utc>, Option<DateTime<Utc>>)>,
    pub grade: Option<(super::grades::Grade, chrono::NaiveDate)>,
}

/// The coloured households, red first; logs that `officer` looked.
pub async fn households(
    db: &impl ConnectionTrait,
    officer: &Account,
    window: Duration,
    now: DateTime<Utc>,
) -> Result<Vec<Household>> {
    if !(officer.has(Role::Officer) || officer.has(Role::Admin)) {
        return Err(Error::Forbidden);
    }
    log_view(db, officer, "/board/colours", now).await?;
    let mut by_household: BTreeMap<String, Vec<case_record::Model>> = BTreeMap::new();
    for case in case_record::Entity::find()
        .filter(case_record::Column::Household.is_not_null())
        .order_by_asc(case_record::Column::CreatedAt)
        .order_by_asc(case_record::Column::Id)
        .all(db)
        .await?
    {
        if let Some(h) = case.household.clone() {
            by_household.entry(h).or_default().push(case);
        }
    }
    let grades = super::grades::furthest_per_case(db).await?;
    let mut out: Vec<Household> = by_household
        .into_iter()
        .filter_map(|(household, cases)| {
            let visits: Vec<Visit> = cases
                .iter()
                .map(|c| Visit {
                    opened: c.created_at,
                    closed: c.closed_at,
                })
                .collect();
            Some(Household {
                colour: colour_of(&visits, window, now)?,
                grade: cases
                    .iter()
                    .filter_map(|c| grades.get(&c.id))
                    .max()
                    .copied(),
                cases: cases
                    .into_iter()
                    .map(|c| (c.code, c.created_at, c.closed_at))
                    .collect(),
                household,
            })
        })
        .collect();
    out.sort_by_key(|h| h.colour);
    Ok(out)
}

/// Records that `viewer` was shown household data on `page`.
pub(crate) async fn log_view(
    db: &impl ConnectionTrait,
    viewer: &Account,
    page: &str,
    now: DateTime<Utc>,
) -> Result<()> {
    colour_view::Entity::insert(colour_view::ActiveModel {
        user_id: Set(Some(viewer.user.id)),
        at: Set(now),
        page: Set(page.to_owned()),
        ..Default::default()
    })
    .exec(db)
    .await?;
    Ok(())
}

/// A view of household data, as admins read the log.
#[derive(Clone, Debug)]
pub struct View {
    pub at: DateTime<Utc>,
    /// The viewer's phone; `None` once their account is deleted.
    pub phone: Option<String>,
    pub page: String,
}

/// The newest `limit` views of household data, newest first. Admins only.
pub async fn views(db: &impl ConnectionTrait, admin: &Account, limit: u64) -> Result<Vec<View>> {
    use sea_orm::QuerySelect;
    if !admin.has(Role::Admin) {
        return Err(Error::Forbidden);
    }
    let rows = colour_view::Entity::find()
        .order_by_desc(colour_view::Column::Id)
        .limit(limit)
        .all(db)
        .await?;
    let phones: std::collections::HashMap<i32, String> = user::Entity::find()
        .filter(user::Column::Id.is_in(rows.iter().filter_map(|r| r.user_id)))
        .all(db)
        .await?
        .into_iter()
        .map(|u| (u.id, u.phone))
        .collect();
    Ok(rows
        .into_iter()
        .map(|r| View {
            at: r.at,
            phone: r.user_id.and_then(|id| phones.get(&id).cloned()),
            page: r.page,
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(n: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_780_000_000, 0).unwrap_or_default() + Duration::days(n)
    }

    fn visit(opened: i64, closed: Option<i64>) -> Visit {
        Visit {
            opened: day(opened),
            closed: closed.map(day),
        }
    }

    const WINDOW: Duration = Duration::days(90);

    #[test]
    fn recurring_without_handling_is_red() {
        let visits = [visit(0, None), visit(10, None), visit(20, None)];
        assert_eq!(colour_of(&visits, WINDOW, day(30)), Some(Colour::Red));
        // Closed only after the next one had come: still never handled in between.
        let visits = [visit(0, Some(15)), visit(10, None)];
        assert_eq!(colour_of(&visits, WINDOW, day(30)), Some(Colour::Red));
    }

    #[test]
    fn back_after_handling_is_yellow_until_it_stops() {
        let visits = [visit(0, Some(5)), visit(30, None)];
        assert_eq!(colour_of(&visits, WINDOW, day(40)), Some(Colour::Yellow));
        let handled_again = [visit(0, Some(5)), visit(30, Some(35))];
        assert_eq!(
            colour_of(&handled_again, WINDOW, day(100)),
            Some(Colour::Yellow),
            "65 days after the last handling is within the window"
        );
        assert_eq!(
            colour_of(&handled_again, WINDOW, day(125)),
            Some(Colour::Green),
            "90 days without a new case: it stopped"
        );
    }

    #[test]
    fn stopped_after_handling_is_green_and_one_open_case_has_no_colour() {
        assert_eq!(
            colour_of(&[visit(0, Some(3))], WINDOW, day(93)),
            Some(Colour::Green)
        );
        assert_eq!(colour_of(&[visit(0, Some(3))], WINDOW, day(50)), None);
        assert_eq!(colour_of(&[visit(0, None)], WINDOW, day(200)), None);
        assert_eq!(colour_of(&[], WINDOW, day(0)), None);
        // An older case still open: not stopped, however old the last closure.
        let visits = [visit(0, None), visit(5, Some(8))];
        assert_eq!(colour_of(&visits, WINDOW, day(200)), Some(Colour::Red));
    }
}
