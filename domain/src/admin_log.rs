//! 管理日志 — the admin log: every role granted or taken back, every membership of an
//! organisation added or ended by an admin (on the admin pages or with `portal user add`),
//! every change of the directory and every directory file applied, written in the transaction of the change. The table is append-only (triggers on both
//! engines); admins read it on /admin/log.

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect,
};

use crate::accounts::{Account, Role};
use crate::entities::{admin_log, user};
use crate::text_enum::text_enum;
use crate::{Error, Result};

text_enum! {
    /// Where an admin acted.
    pub enum Via {
        AdminPage = "admin_page",
        CommandLine = "command_line",
    }
}

text_enum! {
    pub enum LogAction {
        RoleGranted = "role_granted",
        RoleRevoked = "role_revoked",
        MemberAdded = "member_added",
        MemberRemoved = "member_removed",
        OrgCreated = "org_created",
        OrgChanged = "org_changed",
        OrgRetired = "org_retired",
        OrgRestored = "org_restored",
        DirectoryImported = "dir_imported",
    }
}

impl LogAction {
    /// Whether its rows name an account: changes of the directory name none.
    pub fn names_an_account(self) -> bool {
        !matches!(
            self,
            LogAction::OrgCreated
                | LogAction::OrgChanged
                | LogAction::OrgRetired
                | LogAction::OrgRestored
                | LogAction::DirectoryImported
        )
    }
}

/// Who changes an account: an admin on the admin pages, or the operator at the command line
/// (who has no account of their own there).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Actor {
    Admin(i32),
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

    fn id(self) -> Option<i32> {
        match self {
            Actor::Admin(id) => Some(id),
            Actor::CommandLine => None,
        }
    }

    fn via(self) -> Via {
        match self {
            Actor::Admin(_) => Via::AdminPage,
            Actor::CommandLine => Via::CommandLine,
        }
    }
}

/// One change, as the log keeps it: values as text, so that a row says what it was even
/// after the organisation is renamed or the role list changes.
pub(crate) struct Change<'a> {
    pub action: LogAction,
    /// The account acted on; none for a change of the directory.
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
        via: Set(by.via().as_str().to_owned()),
        action: Set(change.action.as_str().to_owned()),
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

/// Rows of the log page.
pub const PER_PAGE: u64 = 50;

/// A row with the phone numbers of the admin and the account (admins see full numbers on
/// /admin already); `None` for the command line or a deleted account.
#[derive(Clone, Debug)]
pub struct Line {
    pub entry: admin_log::Model,
    pub actor_phone: Option<String>,
    pub target_phone: Option<String>,
}

/// One page of the log, newest first, and how many pages there are. Admins only.
pub async fn page(
    db: &impl ConnectionTrait,
    admin: &Account,
    page: u64,
) -> Result<(Vec<Line>, u64)> {
    if !admin.has(Role::Admin) {
        return Err(Error::Forbidden);
    }
    let pages = admin_log::Entity::find()
        .count(db)
        .await?
        .div_ceil(PER_PAGE)
        .max(1);
    let page = page.clamp(1, pages);
    let entries = admin_log::Entity::find()
        .order_by_desc(admin_log::Column::Id)
        .offset((page - 1) * PER_PAGE)
        .limit(PER_PAGE)
        .all(db)
        .await?;
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
    Ok((
        entries
            .into_iter()
            .map(|entry| Line {
                actor_phone: phone(entry.actor_id),
                target_phone: phone(entry.target_id),
                entry,
            })
            .collect(),
        pages,
    ))
}
