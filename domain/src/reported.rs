//! 本所记录 — the station's own record: totals it reports of itself, from before the portal
//! or from outside it, each with its source and the day it held (老何调解室's "1,800 disputes
//! mediated, 99.3 % success" in the article). Admins enter them; `/stats` shows them beside
//! the figures the portal computes from its own cases, labelled as reported. The two are
//! never added together: a reported total is what someone said on a day, not a count the
//! portal can stand behind.

use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::{
    ActiveValue::Set, ConnectionTrait, DatabaseConnection, EntityTrait, TransactionTrait,
};

use crate::accounts::Account;
use crate::admin_log::{self, Actor, Change, LogAction};
use crate::entities::reported_figure;
use crate::text::{length_within, one_line};
use crate::{Error, Result};

/// Every rule code this module can refuse with; each is a translation key.
pub const REFUSAL_CODES: &[&str] = &[
    "reported-measure-invalid",
    "reported-value-invalid",
    "reported-source-invalid",
    "reported-date-invalid",
];

pub use vocab::station::Measure;

/// A total as entered and as shown.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reported {
    pub measure: Measure,
    /// In hundredths: 99.3 % is 9930.
    pub value_hundredths: i64,
    /// 余: more than the value.
    pub more_than: bool,
    pub source: String,
    pub as_of: NaiveDate,
}

/// What an admin types: the value as written ("1800", "99.3", "1,900"), the source and
/// the day (`2023-08-27`).
#[derive(Clone, Debug, Default)]
pub struct Entry {
    pub measure: String,
    pub value: String,
    pub more_than: bool,
    pub source: String,
    pub as_of: String,
}

/// "99.3" as 9930: digits (thousands separators allowed), at most two decimals; counts and
/// yuan whole, rates at most 100.
fn hundredths(measure: Measure, typed: &str) -> Option<i64> {
    let plain: String = typed.trim().chars().filter(|c| *c != ',').collect();
    let (whole, fraction) = plain.split_once('.').unwrap_or((plain.as_str(), ""));
    let digits = |s: &str| s.chars().all(|c| c.is_ascii_digit());
    if whole.is_empty()
        || whole.len() > 12
        || fraction.len() > 2
        || !digits(whole)
        || !digits(fraction)
    {
        return None;
    }
    if !measure.is_rate() && !fraction.is_empty() {
        return None;
    }
    let cents: i64 = format!("{fraction:0<2}").parse().ok()?;
    let value = whole
        .parse::<i64>()
        .ok()?
        .checked_mul(100)?
        .checked_add(cents)?;
    (!measure.is_rate() || value <= 10_000).then_some(value)
}

/// The value as text without trailing zeros: 9930 → "99.3", 180000 → "1800".
pub fn plain(value_hundredths: i64) -> String {
    let (whole, cents) = (value_hundredths / 100, value_hundredths % 100);
    match cents {
        0 => whole.to_string(),
        c if c % 10 == 0 => format!("{whole}.{}", c / 10),
        c => format!("{whole}.{c:02}"),
    }
}

fn check(entry: Entry) -> Result<Reported> {
    let measure =
        Measure::parse(&entry.measure).ok_or(Error::Invalid("reported-measure-invalid"))?;
    let value_hundredths =
        hundredths(measure, &entry.value).ok_or(Error::Invalid("reported-value-invalid"))?;
    let source = one_line(&entry.source);
    if !length_within(&source, 2, 200) {
        return Err(Error::Invalid("reported-source-invalid"));
    }
    let as_of = NaiveDate::parse_from_str(entry.as_of.trim(), "%Y-%m-%d")
        .ok()
        .filter(|d| (1949..=2100).contains(&chrono::Datelike::year(d)))
        .ok_or(Error::Invalid("reported-date-invalid"))?;
    Ok(Reported {
        measure,
        value_hundredths,
        more_than: entry.more_than,
        source,
        as_of,
    })
}

/// A stored row; `None` for a measure this version does not know (the CHECK list holds).
fn from_row(row: reported_figure::Model) -> Option<Reported> {
    Some(Reported {
        measure: Measure::parse(&row.measure)?,
        value_hundredths: row.value_hundredths,
        more_than: row.more_than,
        source: row.source,
        as_of: row.as_of,
    })
}

/// Every total entered, in the order of [`Measure::ALL`]. Public: /stats shows them.
pub async fn list(db: &impl ConnectionTrait) -> Result<Vec<Reported>> {
    let mut rows: Vec<Reported> = reported_figure::Entity::find()
        .all(db)
        .await?
        .into_iter()
        .filter_map(from_row)
        .collect();
    rows.sort_by_key(|r| r.measure);
    Ok(rows)
}

/// The total as one line of the admin log.
fn as_log_value(r: &Reported) -> String {
    format!(
        "{}{} ({}, {})",
        if r.more_than { ">" } else { "" },
        plain(r.value_hundredths),
        r.source,
        r.as_of
    )
}

/// Enters or replaces one total; admins only, logged with the values before and after.
pub async fn save(
    db: &DatabaseConnection,
    admin: &Account,
    entry: Entry,
    now: DateTime<Utc>,
) -> Result<Reported> {
    let by = Actor::admin(admin)?;
    let reported = check(entry)?;
    let txn = db.begin().await?;
    let before = reported_figure::Entity::find_by_id(reported.measure.as_str())
        .one(&txn)
        .await?
        .and_then(from_row);
    write(&txn, &reported, false, Some(admin.user.id), now).await?;
    admin_log::write(
        &txn,
        by,
        Change {
            action: LogAction::RecordSaved,
            target: None,
            subject: reported.measure.as_str(),
            before: &before.as_ref().map(as_log_value).unwrap_or_default(),
            after: &as_log_value(&reported),
        },
        now,
    )
    .await?;
    txn.commit().await?;
    Ok(reported)
}

/// Takes one total off /stats; admins only, logged.
pub async fn remove(
    db: &DatabaseConnection,
    admin: &Account,
    measure: &str,
    now: DateTime<Utc>,
) -> Result<()> {
    let by = Actor::admin(admin)?;
    let measure = Measure::parse(measure).ok_or(Error::Invalid("reported-measure-invalid"))?;
    let txn = db.begin().await?;
    let Some(before) = reported_figure::Entity::find_by_id(measure.as_str())
        .one(&txn)
        .await?
        .and_then(from_row)
    else {
        return Ok(());
    };
    reported_figure::Entity::delete_by_id(measure.as_str())
        .exec(&txn)
        .await?;
    admin_log::write(
        &txn,
        by,
        Change {
            action: LogAction::RecordSaved,
            target: None,
            subject: measure.as_str(),
            before: &as_log_value(&before),
            after: "",
        },
        now,
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

async fn write(
    db: &impl ConnectionTrait,
    r: &Reported,
    is_demo: bool,
    by: Option<i32>,
    now: DateTime<Utc>,
) -> Result<()> {
    use reported_figure::Column;
    let row = reported_figure::ActiveModel {
        measure: Set(r.measure.as_str().to_owned()),
        value_hundredths: Set(r.value_hundredths),
        more_than: Set(r.more_than),
        source: Set(r.source.clone()),
        as_of: Set(r.as_of),
        is_demo: Set(is_demo),
        updated_by: Set(by),
        updated_at: Set(now),
    };
    let upsert = sea_orm::sea_query::OnConflict::column(Column::Measure)
        .update_columns([
            Column::ValueHundredths,
            Column::MoreThan,
            Column::Source,
            Column::AsOf,
            Column::IsDemo,
            Column::UpdatedBy,
            Column::UpdatedAt,
        ])
        .to_owned();
    reported_figure::Entity::insert(row)
        .on_conflict(upsert)
        .exec_without_returning(db)
        .await?;
    Ok(())
}

/// The article's figures for 老何调解室 (黄尚锋, 《招宝山派出所：推行“家警务”当好“护卫者”》,
/// 派出所工作 2023年8期, 2023-08-27), marked as demo, where the station has entered none of
/// its own.
#[cfg(any(test, feature = "demo"))]
pub(crate) async fn save_demo(db: &impl ConnectionTrait, now: DateTime<Utc>) -> Result<bool> {
    if !list(db).await?.is_empty() {
        return Ok(false);
    }
    let source = "《招宝山派出所：推行“家警务”当好“护卫者”》，派出所工作 2023年8期（老何调解室）";
    let as_of = NaiveDate::from_ymd_opt(2023, 8, 27).ok_or(Error::Internal("a fixed date"))?;
    for (measure, value_hundredths, more_than) in [
        (Measure::CasesMediated, 180_000, true),
        (Measure::SuccessRate, 9_930, false),
        (Measure::AmountYuan, 1_900_000_000, true),
        (Measure::SatisfactionRate, 10_000, false),
    ] {
        let reported = Reported {
            measure,
            value_hundredths,
            more_than,
            source: source.to_owned(),
            as_of,
        };
        write(db, &reported, true, None, now).await?;
    }
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_read_as_people_write_them_and_kept_exact() {
        assert_eq!(hundredths(Measure::SuccessRate, " 99.3 "), Some(9930));
        assert_eq!(hundredths(Measure::SuccessRate, "100"), Some(10_000));
        assert_eq!(hundredths(Measure::CasesMediated, "1,800"), Some(180_000));
        for bad in ["", "-1", "1e3", "99.333", ".5", "abc", "1 800", "９９"] {
            assert_eq!(hundredths(Measure::SuccessRate, bad), None, "{bad}");
        }
        assert_eq!(
            hundredths(Measure::SuccessRate, "100.01"),
            None,
            "over 100 %"
        );
        assert_eq!(
            hundredths(Measure::CasesMediated, "18.5"),
            None,
            "whole cases"
        );
        assert_eq!(
            hundredths(Measure::AmountYuan, "9999999999999"),
            None,
            "too long"
        );
        assert_eq!(plain(9930), "99.3");
        assert_eq!(plain(180_000), "1800");
        assert_eq!(plain(1205), "12.05");
    }
}
