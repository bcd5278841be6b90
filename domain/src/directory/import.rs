//! Importing a directory file: the upload is kept, its preview shows what applying it
//! would create and update and every problem with its line, and applying it changes all
//! of it or nothing, once.
//!
//! The preview is the application itself, rolled back: the same code finds the same rows
//! and the same problems, so what the admin is shown is what applying does. Each row runs
//! in a savepoint, so that one row's refusal is reported and the others still run. Rows go
//! parents first (offices, communities, compounds, …), so that a file may bring a community
//! and its compounds together; retirements go last, children first, so that a file may
//! retire a community with everything under it.

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection,
    EntityTrait, QueryFilter, TransactionTrait,
};

use super::Kind;
use super::admin::{self, Entry, Fields};
use super::file::{self, Problem, Row};
use crate::accounts::Account;
use crate::admin_log::{self, Actor, Change, LogAction};
use crate::entities::directory_import;
use crate::{Error, Result};

/// Refusals of an import as a whole.
pub const REFUSAL_CODES: &[&str] = &[
    "directory-import-applied",
    "directory-import-problems",
    "directory-file-parent-unknown",
];

/// One organisation a file creates or changes, with what it was before (none for a new one).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RowChange {
    pub line: u64,
    pub kind: Kind,
    pub name: String,
    /// The file retires it.
    pub retired: bool,
    pub before: Option<Entry>,
}

/// What a file does to the directory.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Preview {
    pub encoding: String,
    pub created: Vec<RowChange>,
    pub updated: Vec<RowChange>,
    pub unchanged: usize,
    pub problems: Vec<Problem>,
    pub applied_at: Option<DateTime<Utc>>,
}

/// An admin uploads a file; it is kept for its preview. Its id.
pub async fn upload(
    db: &DatabaseConnection,
    admin: &Account,
    bytes: &[u8],
    now: DateTime<Utc>,
) -> Result<i32> {
    Actor::admin(admin)?;
    let (encoding, content) = file::decode(bytes)?;
    let row = directory_import::ActiveModel {
        at: Set(now),
        admin_id: Set(Some(admin.user.id)),
        encoding: Set(encoding.as_str().to_owned()),
        content: Set(content),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(row.id)
}

/// What applying the upload would do, and whether it has been applied. Admins only.
pub async fn preview(db: &DatabaseConnection, admin: &Account, id: i32) -> Result<Preview> {
    let by = Actor::admin(admin)?;
    let upload = directory_import::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(Error::NotFound)?;
    let txn = db.begin().await?;
    let mut preview = run(&txn, by, &upload.content, Utc::now()).await?;
    txn.rollback().await?;
    preview.encoding = upload.encoding;
    preview.applied_at = upload.applied_at;
    Ok(preview)
}

/// Applies the upload: every row or, when any row has a problem, none. Once only.
pub async fn apply(
    db: &DatabaseConnection,
    admin: &Account,
    id: i32,
    now: DateTime<Utc>,
) -> Result<Preview> {
    let by = Actor::admin(admin)?;
    let txn = db.begin().await?;
    let claimed = directory_import::Entity::update_many()
        .col_expr(
            directory_import::Column::AppliedAt,
            sea_orm::sea_query::Expr::value(now),
        )
        .filter(directory_import::Column::Id.eq(id))
        .filter(directory_import::Column::AppliedAt.is_null())
        .exec(&txn)
        .await?;
    let upload = directory_import::Entity::find_by_id(id)
        .one(&txn)
        .await?
        .ok_or(Error::NotFound)?;
    if claimed.rows_affected == 0 {
        return Err(Error::Invalid("directory-import-applied"));
    }
    let mut preview = run(&txn, by, &upload.content, now).await?;
    if !preview.problems.is_empty() {
        return Err(Error::Invalid("directory-import-problems"));
    }
    admin_log::write(
        &txn,
        by,
        Change {
            action: LogAction::DirectoryImported,
            target: None,
            subject: &format!("directory_import:{id}"),
            before: "",
            after: &format!(
                "created {}; updated {}; unchanged {}",
                preview.created.len(),
                preview.updated.len(),
                preview.unchanged
            ),
        },
        now,
    )
    .await?;
    txn.commit().await?;
    preview.encoding = upload.encoding;
    preview.applied_at = Some(now);
    Ok(preview)
}

/// Finds the organisation a row names, among those in the directory now.
async fn find(
    db: &impl ConnectionTrait,
    kind: Kind,
    name: &str,
    parent: Option<i32>,
) -> Result<Option<Entry>> {
    Ok(admin::named(db, kind, name)
        .await?
        .into_iter()
        .find(|e| e.fields.name == name && (kind != Kind::Compound || e.fields.parent == parent)))
}

/// Runs the file's rows in `txn` (the caller commits or rolls back).
async fn run(
    txn: &sea_orm::DatabaseTransaction,
    by: Actor,
    content: &str,
    now: DateTime<Utc>,
) -> Result<Preview> {
    let (mut rows, mut problems) = file::parse(content);
    let bad: std::collections::HashSet<u64> = problems.iter().map(|p| p.line).collect();
    rows.retain(|r| !bad.contains(&r.line));
    rows.sort_by_key(|r| (r.kind, r.line));
    let mut preview = Preview::default();
    let mut retiring = Vec::new();
    for row in rows {
        let Some(kind) = row.kind else { continue };
        let savepoint = txn.begin().await?;
        match upsert(&savepoint, by, kind, &row, now).await {
            Ok(outcome) => {
                savepoint.commit().await?;
                let change = RowChange {
                    line: row.line,
                    kind,
                    name: row.name.clone(),
                    retired: row.retired == Some(true),
                    before: outcome.before.clone(),
                };
                if row.retired == Some(true) {
                    retiring.push((row, outcome));
                    continue;
                }
                match outcome {
                    Outcome { before: None, .. } => preview.created.push(change),
                    Outcome { changed: true, .. } => preview.updated.push(change),
                    Outcome { .. } => preview.unchanged += 1,
                }
            }
            Err(Error::Invalid(code)) => {
                savepoint.rollback().await?;
                problems.push(Problem {
                    line: row.line,
                    code,
                    value: row.name.clone(),
                });
            }
            Err(e) => return Err(e),
        }
    }
    retiring.sort_by_key(|(row, _)| (std::cmp::Reverse(row.kind), row.line));
    for (row, outcome) in retiring {
        let Some(kind) = row.kind else { continue };
        let change = RowChange {
            line: row.line,
            kind,
            name: row.name.clone(),
            retired: true,
            before: outcome.before.clone(),
        };
        // Kept retired, it was left as it is.
        if outcome
            .before
            .as_ref()
            .is_some_and(|e| e.retired_at.is_some())
        {
            preview.unchanged += 1;
            continue;
        }
        let savepoint = txn.begin().await?;
        match admin::retire_in(&savepoint, by, kind, outcome.id, now).await {
            Ok(()) => {
                savepoint.commit().await?;
                if outcome.before.is_none() {
                    preview.created.push(change);
                } else {
                    preview.updated.push(change);
                }
            }
            Err(Error::Invalid(code)) => {
                savepoint.rollback().await?;
                problems.push(Problem {
                    line: row.line,
                    code,
                    value: row.name.clone(),
                });
            }
            Err(e) => return Err(e),
        }
    }
    problems.sort_by_key(|p| p.line);
    preview.problems = problems;
    Ok(preview)
}

struct Outcome {
    id: i32,
    before: Option<Entry>,
    changed: bool,
}

/// Creates or updates the organisation of one row (retiring is left to the caller);
/// restores a retired one the row lists as in service. A column the file lacks keeps what
/// the organisation has.
async fn upsert(
    db: &impl ConnectionTrait,
    by: Actor,
    kind: Kind,
    row: &Row,
    now: DateTime<Utc>,
) -> Result<Outcome> {
    let parent = match (kind.parent_kind(), row.parent.as_deref()) {
        (Some(parent_kind), Some(name)) if !name.is_empty() => Some(Some(
            find(db, parent_kind, name, None)
                .await?
                .ok_or(Error::Invalid("directory-file-parent-unknown"))?
                .id,
        )),
        (Some(_), Some(_)) => Some(None),
        _ => None,
    };
    let existing = find(db, kind, &row.name, parent.flatten()).await?;
    let was = existing
        .as_ref()
        .map(|e| e.fields.clone())
        .unwrap_or_default();
    let parent = parent.unwrap_or(was.parent);
    let compound = match row.compound.as_deref() {
        None => was.compound,
        Some("") => None,
        Some(name) => Some(
            find(db, Kind::Compound, name, parent)
                .await?
                .ok_or(Error::Invalid("directory-compound-invalid"))?
                .id,
        ),
    };
    let or_was =
        |value: &Option<String>, was: &str| value.clone().unwrap_or_else(|| was.to_owned());
    let fields = Fields {
        name: row.name.clone(),
        parent,
        compound,
        address: or_was(&row.address, &was.address),
        hours: or_was(&row.hours, &was.hours),
        phone: or_was(&row.phone, &was.phone),
        description: or_was(&row.description, &was.description),
        initiator: or_was(&row.initiator, &was.initiator),
        coordinator: or_was(&row.coordinator, &was.coordinator),
        officer: or_was(&row.officer, &was.officer),
    };
    let Some(before) = existing else {
        let fields = admin::check(db, kind, fields).await?;
        let id = admin::store(db, kind, None, fields.clone()).await?;
        admin::log(
            db,
            by,
            LogAction::OrgCreated,
            (kind, id),
            None,
            Some(&fields),
            now,
        )
        .await?;
        return Ok(Outcome {
            id,
            before: None,
            changed: true,
        });
    };
    let retired = before.retired_at.is_some();
    let stays_retired = retired && row.retired != Some(false);
    let mut changed = false;
    // A retired organisation the file does not bring back is left as it is.
    if !stays_retired {
        let fields = admin::check(db, kind, fields).await?;
        if fields != before.fields {
            admin::store(db, kind, Some(before.id), fields.clone()).await?;
            admin::log(
                db,
                by,
                LogAction::OrgChanged,
                (kind, before.id),
                Some(&before.fields),
                Some(&fields),
                now,
            )
            .await?;
            changed = true;
        }
    }
    if retired && !stays_retired {
        admin::restore_in(db, by, kind, before.id, now).await?;
        changed = true;
    }
    Ok(Outcome {
        id: before.id,
        before: Some(before),
        changed,
    })
}
