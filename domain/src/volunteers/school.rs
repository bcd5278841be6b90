//! 护苗队: duty at a school's gate (护校/护学) on school days. A squad that sits under a school
//! in the directory is that school's 护苗队. The station's admins keep one school calendar
//! for the district's schools — its terms and the holidays within them — and the squad's
//! leader publishes a duty once, for every school day up to a date, at the school's gate;
//! each day becomes a shift of its own that volunteers sign up for.

use std::collections::BTreeSet;

use chrono::{Datelike, NaiveDate, Weekday};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    QueryOrder,
};

use crate::accounts::{Account, Role};
use crate::entities::{school, school_duty, school_holiday, school_term, squad_school};
use crate::text::{length_within, one_line};
use crate::{Error, Result};

/// Every rule code the calendar and the duties can refuse with; each is a translation key.
pub const REFUSAL_CODES: &[&str] = &[
    "school-term-invalid",
    "school-holiday-invalid",
    "school-name-length",
    "school-invalid",
    "school-no-school-days",
];

/// The longest term, and the longest run of holidays entered at once: a season of school
/// and the winter break are shorter; anything longer is a typing slip of a year.
pub const MAX_TERM_DAYS: i64 = 200;
pub const MAX_HOLIDAY_DAYS: i64 = 60;

/// The calendar: its terms in order, and the holidays.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Calendar {
    pub terms: Vec<school_term::Model>,
    pub holidays: Vec<school_holiday::Model>,
}

impl Calendar {
    /// The school days from `from` to `to`, both included: Monday to Friday, within a term,
    /// not a holiday.
    pub fn school_days(&self, from: NaiveDate, to: NaiveDate) -> Vec<NaiveDate> {
        let off: BTreeSet<NaiveDate> = self.holidays.iter().map(|h| h.day).collect();
        from.iter_days()
            .take_while(|day| *day <= to)
            .filter(|day| !matches!(day.weekday(), Weekday::Sat | Weekday::Sun))
            .filter(|day| {
                self.terms
                    .iter()
                    .any(|t| t.starts_on <= *day && *day <= t.ends_on)
            })
            .filter(|day| !off.contains(day))
            .collect()
    }
}

pub async fn calendar(db: &impl ConnectionTrait) -> Result<Calendar> {
    Ok(Calendar {
        terms: school_term::Entity::find()
            .order_by_asc(school_term::Column::StartsOn)
            .all(db)
            .await?,
        holidays: school_holiday::Entity::find()
            .order_by_asc(school_holiday::Column::Day)
            .all(db)
            .await?,
    })
}

fn name_of(name: &str) -> Result<String> {
    let name = one_line(name);
    if length_within(&name, 1, 40) {
        Ok(name)
    } else {
        Err(Error::Invalid("school-name-length"))
    }
}

/// An admin adds a term ("2026 秋季学期", from its first day to its last).
pub async fn add_term(
    db: &DatabaseConnection,
    admin: &Account,
    name: &str,
    starts_on: NaiveDate,
    ends_on: NaiveDate,
) -> Result<()> {
    admin.require(Role::Admin)?;
    let name = name_of(name)?;
    if ends_on < starts_on || (ends_on - starts_on).num_days() > MAX_TERM_DAYS {
        return Err(Error::Invalid("school-term-invalid"));
    }
    school_term::Entity::insert(school_term::ActiveModel {
        name: Set(name),
        starts_on: Set(starts_on),
        ends_on: Set(ends_on),
        ..Default::default()
    })
    .exec_without_returning(db)
    .await?;
    Ok(())
}

pub async fn remove_term(db: &DatabaseConnection, admin: &Account, id: i32) -> Result<()> {
    admin.require(Role::Admin)?;
    school_term::Entity::delete_by_id(id).exec(db).await?;
    Ok(())
}

/// An admin marks the days from `from` to `to` off school ("国庆节"); a day already off
/// keeps its name.
pub async fn add_holidays(
    db: &DatabaseConnection,
    admin: &Account,
    name: &str,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<()> {
    admin.require(Role::Admin)?;
    let name = name_of(name)?;
    if to < from || (to - from).num_days() >= MAX_HOLIDAY_DAYS {
        return Err(Error::Invalid("school-holiday-invalid"));
    }
    let days = from.iter_days().take_while(|day| *day <= to);
    school_holiday::Entity::insert_many(days.map(|day| school_holiday::ActiveModel {
        day: Set(day),
        name: Set(name.clone()),
    }))
    .on_conflict_do_nothing_on([school_holiday::Column::Day])
    .exec_without_returning(db)
    .await?;
    Ok(())
}

pub async fn remove_holiday(
    db: &DatabaseConnection,
    admin: &Account,
    day: NaiveDate,
) -> Result<()> {
    admin.require(Role::Admin)?;
    school_holiday::Entity::delete_by_id(day).exec(db).await?;
    Ok(())
}

/// The school whose gate the squad keeps, while the school is in service: a 护苗队's.
pub async fn of_squad(db: &impl ConnectionTrait, squad_id: i32) -> Result<Option<school::Model>> {
    let Some(link) = squad_school::Entity::find_by_id(squad_id).one(db).await? else {
        return Ok(None);
    };
    Ok(school::Entity::find_by_id(link.school_id)
        .one(db)
        .await?
        .filter(|school| school.retired_at.is_none()))
}

/// The school whose gate each of `shifts` is duty at, by shift id.
pub async fn duties_of(
    db: &impl ConnectionTrait,
    shifts: impl IntoIterator<Item = i32>,
) -> Result<std::collections::HashMap<i32, String>> {
    let duties = school_duty::Entity::find()
        .filter(school_duty::Column::ShiftId.is_in(shifts))
        .all(db)
        .await?;
    let names: std::collections::HashMap<i32, String> = school::Entity::find()
        .filter(school::Column::Id.is_in(duties.iter().map(|d| d.school_id)))
        .all(db)
        .await?
        .into_iter()
        .map(|s| (s.id, s.name))
        .collect();
    Ok(duties
        .into_iter()
        .filter_map(|d| names.get(&d.school_id).map(|n| (d.shift_id, n.clone())))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(text: &str) -> NaiveDate {
        crate::time::parse_day(text).expect("a day")
    }

    #[test]
    fn school_days_are_weekdays_in_a_term_but_not_holidays() {
        let calendar = Calendar {
            terms: vec![school_term::Model {
                id: 1,
                name: "秋季学期".into(),
                starts_on: day("2026-09-01"),
                ends_on: day("2027-01-22"),
            }],
            holidays: ["2026-10-01", "2026-10-02", "2026-10-05"]
                .iter()
                .map(|d| school_holiday::Model {
                    day: day(d),
                    name: "国庆节".into(),
                })
                .collect(),
        };
        // 2026-09-28 is a Monday: the week of 国庆.
        let days = calendar.school_days(day("2026-09-28"), day("2026-10-06"));
        assert_eq!(
            days,
            ["2026-09-28", "2026-09-29", "2026-09-30", "2026-10-06"].map(day)
        );
        // Before the term and after it: none.
        assert!(
            calendar
                .school_days(day("2026-08-24"), day("2026-08-31"))
                .is_empty()
        );
        assert!(
            calendar
                .school_days(day("2027-01-25"), day("2027-02-05"))
                .is_empty()
        );
        assert!(
            calendar
                .school_days(day("2026-10-06"), day("2026-10-05"))
                .is_empty()
        );
    }
}
