//! 管理日志 — the admin log (the audit trail): every role granted or taken back, every
//! membership of an organisation added or ended by an admin (on the admin pages or with
//! `portal user add`), every change of the directory and every directory file applied, every
//! change to the station's identity, and every act of the counter (reset codes issued and
//! used, residents registered by an officer), written in the transaction of the change with
//! the values before and after. The table is append-only (triggers on both engines).

use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, EntityTrait, PaginatorTrait,
    QueryFilter, QueryOrder, QuerySelect,
};

use crate::accounts::{Account, Role};
use crate::entities::{admin_log, user};
use crate::text::{CSV_BOM, push_csv_row};
use crate::time::at_local;
use crate::{Error, Result};

pub use vocab::accounts::{LogAction, Via};

/// Every rule code this module can refuse with; each is a translation key.
pub const REFUSAL_CODES: &[&str] = &["audit-filter-invalid"];

/// Who acts: an admin on the admin pages, an officer at the counter, a person with a reset
/// code, the admin of the first start, or the operator at the command line (who has no
/// account of their own there).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Actor {
    Admin(i32),
    Counter(i32),
    Own(i32),
    Setup(i32),
    CommandLine,
}

impl Actor {
    /// The signed-in admin; refuses anyone else.
    pub fn admin(account: &Account) -> Result<Actor> {
        if account.has(Role::Admin) {
            Ok(Actor::Admin(account.user.id))
        } else {
            Err(Error::Forbidden)
        }
    }

    /// The signed-in officer or admin at the counter; refuses anyone else.
    pub fn counter(account: &Account) -> Result<Actor> {
        account.require(Role::Officer)?;
        Ok(Actor::Counter(account.user.id))
    }

    fn id(self) -> Option<i32> {
        match self {
            Actor::Admin(id) | Actor::Counter(id) | Actor::Own(id) | Actor::Setup(id) => Some(id),
            Actor::CommandLine => None,
        }
    }

    fn via(self) -> Via {
        match self {
            Actor::Admin(_) => Via::AdminPage,
            Actor::Counter(_) => Via::Counter,
            Actor::Own(_) => Via::ResetPage,
            Actor::Setup(_) => Via::SetupPage,
            Actor::CommandLine => Via::CommandLine,
        }
    }
}

/// One change, as the log keeps it: values as text, so that a row says what it was even
/// after the organisation is renamed or the role list changes.
pub(crate) struct Change<'a> {
    pub action: LogAction,
    /// The account acted on; `None` for the station's own records and the directory.
    pub target: Option<i32>,
    pub subject: &'a str,
    pub before: &'a str,
    pub after: &'a str,
}

/// Writes one row; call it with the transaction that makes the change.
pub(crate) async fn write(
    db: &impl ConnectionTrait,
    by: Actor,
    change: Change<'_>,
    now: DateTime<Utc>,
) -> Result<()> {
    admin_log::Entity::insert(admin_log::ActiveModel {
        at: Set(now),
        actor_id: Set(by.id()),
        via: Set(by.via()),
        action: Set(change.action),
        target_id: Set(change.target),
        subject: Set(change.subject.to_owned()),
        value_before: Set(change.before.to_owned()),
        value_after: Set(change.after.to_owned()),
        ..Default::default()
    })
    .exec(db)
    .await?;
    Ok(())
}

/// Rows of a page of the audit log.
pub const PER_PAGE: u64 = 50;

/// The most rows one CSV download holds: a year of a busy station's acts, and a bound on
/// what one request may make the server hold in memory.
pub const CSV_MAX_ROWS: u64 = 50_000;

/// A row with the phone numbers of the actor and the account (admins see full numbers on
/// /admin already); `None` for the command line, the station's own records or a deleted
/// account.
#[derive(Clone, Debug)]
pub struct Line {
    pub entry: admin_log::Model,
    pub actor_phone: Option<String>,
    pub target_phone: Option<String>,
}

/// What the audit page narrows the log to; every part left `None` takes everything.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Filter {
    /// The number of whoever acted.
    pub actor_phone: Option<String>,
    pub action: Option<LogAction>,
    /// Local (Asia/Shanghai) days, both included.
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
}

impl Filter {
    /// The filter as the audit page's query gives it (a number, an act, `2026-12-06`
    /// dates): empty fields take everything, anything else that does not read as its kind
    /// is refused, never taken as "everything".
    pub fn parse(
        actor: Option<&str>,
        action: Option<&str>,
        from: Option<&str>,
        to: Option<&str>,
    ) -> Result<Filter> {
        fn given(value: Option<&str>) -> Option<&str> {
            value.map(str::trim).filter(|v| !v.is_empty())
        }
        let refused = || Error::Invalid("audit-filter-invalid");
        let day = |value: Option<&str>| {
            given(value)
                .map(|v| NaiveDate::parse_from_str(v, "%Y-%m-%d").map_err(|_| refused()))
                .transpose()
        };
        let actor_phone = match given(actor) {
            Some(typed) => {
                let phone = crate::accounts::phone::normalise(typed);
                if !crate::accounts::phone::is_valid(&phone) {
                    return Err(refused());
                }
                Some(phone)
            }
            None => None,
        };
        Ok(Filter {
            actor_phone,
            action: given(action)
                .map(|v| LogAction::parse(v).ok_or_else(refused))
                .transpose()?,
            from: day(from)?,
            to: day(to)?,
        })
    }
}

/// The rows `filter` keeps, as a condition; `None` when none can match (an actor whose
/// number has no account).
async fn condition(db: &impl ConnectionTrait, filter: &Filter) -> Result<Option<Condition>> {
    let mut condition = Condition::all();
    if let Some(phone) = &filter.actor_phone {
        match crate::accounts::find_by_phone(db, phone).await? {
            Some(actor) => condition = condition.add(admin_log::Column::ActorId.eq(actor.id)),
            None => return Ok(None),
        }
    }
    if let Some(action) = filter.action {
        condition = condition.add(admin_log::Column::Action.eq(action.as_str()));
    }
    if let Some(from) = filter.from.and_then(|day| at_local(day, 0)) {
        condition = condition.add(admin_log::Column::At.gte(from));
    }
    if let Some(end) = filter
        .to
        .and_then(|day| day.succ_opt())
        .and_then(|day| at_local(day, 0))
    {
        condition = condition.add(admin_log::Column::At.lt(end));
    }
    Ok(Some(condition))
}

/// One page of the log as `filter` narrows it, newest first, and how many pages there are
/// (at least one). Admins only.
pub async fn search(
    db: &impl ConnectionTrait,
    admin: &Account,
    filter: &Filter,
    page: u64,
) -> Result<(Vec<Line>, u64)> {
    if !admin.has(Role::Admin) {
        return Err(Error::Forbidden);
    }
    let Some(condition) = condition(db, filter).await? else {
        return Ok((Vec::new(), 1));
    };
    let pages = admin_log::Entity::find()
        .filter(condition.clone())
        .count(db)
        .await?
        .div_ceil(PER_PAGE)
        .max(1);
    let page = page.clamp(1, pages);
    let entries = admin_log::Entity::find()
        .filter(condition)
        .order_by_desc(admin_log::Column::Id)
        .offset((page - 1) * PER_PAGE)
        .limit(PER_PAGE)
        .all(db)
        .await?;
    Ok((with_phones(db, entries).await?, pages))
}

/// The first page of the whole log. Admins only.
pub async fn page(
    db: &impl ConnectionTrait,
    admin: &Account,
    page: u64,
) -> Result<(Vec<Line>, u64)> {
    search(db, admin, &Filter::default(), page).await
}

async fn with_phones(
    db: &impl ConnectionTrait,
    entries: Vec<admin_log::Model>,
) -> Result<Vec<Line>> {
    let ids: Vec<i32> = entries
        .iter()
        .flat_map(|e| [e.actor_id, e.target_id])
        .flatten()
        .collect();
    let phones: std::collections::HashMap<i32, String> = user::Entity::find()
        .filter(user::Column::Id.is_in(ids))
        .all(db)
        .await?
        .into_iter()
        .map(|u| (u.id, u.phone))
        .collect();
    let phone = |id: Option<i32>| id.and_then(|id| phones.get(&id).cloned());
    Ok(entries
        .into_iter()
        .map(|entry| Line {
            actor_phone: phone(entry.actor_id),
            target_phone: phone(entry.target_id),
            entry,
        })
        .collect())
}

/// Every row `filter` keeps (up to [`CSV_MAX_ROWS`], the newest), oldest first, as CSV for
/// a spreadsheet: UTF-8 with a byte-order mark so that Excel reads the Chinese, times in
/// local time, values as stored. Admins only.
pub async fn csv(db: &impl ConnectionTrait, admin: &Account, filter: &Filter) -> Result<String> {
    if !admin.has(Role::Admin) {
        return Err(Error::Forbidden);
    }
    let mut out = String::from(CSV_BOM);
    push_csv_row(
        &mut out,
        [
            "at", "via", "actor", "action", "target", "subject", "before", "after",
        ]
        .into_iter(),
    );
    let Some(condition) = condition(db, filter).await? else {
        return Ok(out);
    };
    let mut entries = admin_log::Entity::find()
        .filter(condition)
        .order_by_desc(admin_log::Column::Id)
        .limit(CSV_MAX_ROWS)
        .all(db)
        .await?;
    entries.reverse();
    for line in with_phones(db, entries).await? {
        let at = crate::time::format_local(line.entry.at);
        push_csv_row(
            &mut out,
            [
                at.as_str(),
                line.entry.via.as_str(),
                line.actor_phone.as_deref().unwrap_or_default(),
                line.entry.action.as_str(),
                line.target_phone.as_deref().unwrap_or_default(),
                line.entry.subject.as_str(),
                line.entry.value_before.as_str(),
                line.entry.value_after.as_str(),
            ]
            .into_iter(),
        );
    }
    Ok(out)
}
