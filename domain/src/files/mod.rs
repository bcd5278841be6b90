//! Photos and documents of mediation cases, tea-house posts and notices: who may add them,
//! who may see them, and when they go. A file is seen exactly by those who may see its item
//! (a case by its resident, mediators and officers; a post like the post, so a hidden post
//! hides its photos; a notice like the notice). The bytes go through `photo::prepare`
//! before they are kept, and live in a `Store`; this module keeps the rows that say whose
//! they are. Every read of a file asks these rules again: a key alone opens nothing.

pub mod photo;
pub mod store;

use chrono::{DateTime, Duration, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    QueryOrder, Set, TransactionTrait,
};

use crate::accounts::{Account, Role};
use crate::entities::{attachment, post, thread};
use crate::mediation::Viewer;
use crate::teahouse::is_moderator;
use crate::{Error, Result};

pub use photo::{Kind, Prepared, prepare};
pub use store::{S3, Store};

/// Files per case, post or notice; the database holds the same limit (slots 1 to 6).
pub const MAX_FILES: i32 = 6;
/// One file as a phone sends it: a 12-megapixel photo is 3 to 6 MB.
pub const MAX_FILE_BYTES: usize = 12 * 1024 * 1024;
/// One upload: the form takes up to six files, but not six of the largest at once.
pub const MAX_UPLOAD_BYTES: usize = 40 * 1024 * 1024;

pub const REFUSAL_CODES: &[&str] = &[
    "file-empty",
    "file-heic",
    "file-not-a-photo",
    "file-pdf-cases-only",
    "file-too-large",
    "file-too-many-pixels",
    "files-too-many",
];

/// The item a file belongs to, as a page names it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Owner {
    /// A mediation case by its code.
    Case(String),
    Post(i32),
    Notice(i32),
}

/// An item resolved to its row and its page.
#[derive(Clone, Debug)]
struct Place {
    case_id: Option<i32>,
    post_id: Option<i32>,
    notice_id: Option<i32>,
    /// The page that shows the item's files.
    link: String,
}

impl Place {
    fn filter(&self) -> sea_orm::Condition {
        let column = |id: Option<i32>, column: attachment::Column| id.map(|id| column.eq(id));
        sea_orm::Condition::any()
            .add_option(column(self.case_id, attachment::Column::CaseId))
            .add_option(column(self.post_id, attachment::Column::PostId))
            .add_option(column(self.notice_id, attachment::Column::NoticeId))
    }
}

/// How a file may be kept by browsers: public files for a year (their key never names other
/// bytes), a case's files nowhere.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Audience {
    Public,
    Private,
}

/// A file as a page lists it.
#[derive(Clone, Debug)]
pub struct Listed {
    pub file: attachment::Model,
    /// The person may remove it.
    pub removable: bool,
}

async fn post_place(
    db: &impl ConnectionTrait,
    viewer: Option<&Account>,
    post_id: i32,
) -> Result<(post::Model, thread::Model, Place)> {
    let post = post::Entity::find_by_id(post_id)
        .one(db)
        .await?
        .ok_or(Error::NotFound)?;
    let thread =
        crate::teahouse::threads::visible_to(thread::Entity::find_by_id(post.thread_id), viewer)
            .one(db)
            .await?
            .ok_or(Error::NotFound)?;
    if post.deleted || (post.hidden && !viewer.is_some_and(is_moderator)) {
        return Err(Error::NotFound);
    }
    let link = crate::teahouse::thread_link(thread.id);
    Ok((
        post,
        thread,
        Place {
            case_id: None,
            post_id: Some(post_id),
            notice_id: None,
            link,
        },
    ))
}

/// Where `account` may add files to `owner`: the case's resident and mediators, the post's
/// author, any officer on a notice that is not cancelled.
async fn place_to_add(
    db: &impl ConnectionTrait,
    account: &Account,
    owner: &Owner,
) -> Result<Place> {
    match owner {
        Owner::Case(code) => {
            let case = crate::mediation::load(db, code).await?;
            match crate::mediation::viewer_of(db, account, &case).await? {
                Viewer::Resident | Viewer::Mediator => Ok(Place {
                    case_id: Some(case.id),
                    post_id: None,
                    notice_id: None,
                    link: crate::mediation::case_link(&case.code),
                }),
                Viewer::Officer => Err(Error::Forbidden),
            }
        }
        Owner::Post(id) => {
            let (post, _, place) = post_place(db, Some(account), *id).await?;
            if post.author_id != Some(account.user.id) || post.hidden {
                return Err(Error::Forbidden);
            }
            Ok(place)
        }
        Owner::Notice(id) => {
            account.require(Role::Officer)?;
            let notice = crate::notices::get(db, *id, Some(account)).await?;
            if notice.notice.status == vocab::notices::Status::Cancelled {
                return Err(Error::Forbidden);
            }
            Ok(Place {
                case_id: None,
                post_id: None,
                notice_id: Some(*id),
                link: format!("/notices/{id}"),
            })
        }
    }
}

/// The page that shows `owner`'s files, whoever asks: where an upload goes back to, also
/// when it was refused.
pub async fn link_of(db: &impl ConnectionTrait, owner: &Owner) -> Result<String> {
    match owner {
        Owner::Case(code) => Ok(crate::mediation::case_link(
            &crate::mediation::load(db, code).await?.code,
        )),
        Owner::Post(id) => {
            let post = post::Entity::find_by_id(*id)
                .one(db)
                .await?
                .ok_or(Error::NotFound)?;
            Ok(crate::teahouse::thread_link(post.thread_id))
        }
        Owner::Notice(id) => Ok(format!("/notices/{id}")),
    }
}

/// A new random key: 128 bits, so keys are never guessed (the rules are asked anyway).
fn new_key() -> Result<String> {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes)
        .map_err(|_| Error::Internal("the system has no source of randomness"))?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

/// The store's key of a file's thumbnail.
pub fn thumb_key(key: &str) -> String {
    format!("{key}.thumb")
}

/// Keeps `prepared` as a file of `owner`, added by `account`, and returns the page that
/// shows it. The bytes are stored first, then the row takes the first free slot; a slot
/// taken meanwhile by a concurrent upload is retried, and a full item refuses. Bytes whose
/// row never came are removed (and `sweep` removes any left by a crash).
pub async fn attach(
    db: &DatabaseConnection,
    store: &Store,
    account: &Account,
    owner: &Owner,
    name: &str,
    prepared: Prepared,
    now: DateTime<Utc>,
) -> Result<String> {
    let place = place_to_add(db, account, owner).await?;
    if prepared.kind == Kind::Pdf && place.case_id.is_none() {
        return Err(Error::Invalid("file-pdf-cases-only"));
    }
    let key = new_key()?;
    let size = i32::try_from(prepared.body.len()).map_err(|_| Error::Invalid("file-too-large"))?;
    let row = attachment::ActiveModel {
        key: Set(key.clone()),
        case_id: Set(place.case_id),
        post_id: Set(place.post_id),
        notice_id: Set(place.notice_id),
        kind: Set(prepared.kind.as_str().to_owned()),
        name: Set(file_name(name, prepared.kind)),
        bytes: Set(size),
        width: Set(prepared.width),
        height: Set(prepared.height),
        thumb_width: Set(prepared.thumb.as_ref().map(|t| t.width)),
        thumb_height: Set(prepared.thumb.as_ref().map(|t| t.height)),
        uploaded_by: Set(Some(account.user.id)),
        created_at: Set(now),
        ..Default::default()
    };
    let thumb = prepared.thumb.map(|t| t.body);
    let has_thumb = thumb.is_some();
    store.put(&key, prepared.body).await?;
    if let Some(thumb) = thumb {
        store.put(&thumb_key(&key), thumb).await?;
    }
    let kept = take_a_slot(db, &place, row).await;
    if kept.is_err() {
        let _ = store.delete(&key).await;
        if has_thumb {
            let _ = store.delete(&thumb_key(&key)).await;
        }
    }
    kept.map(|()| place.link)
}

async fn take_a_slot(
    db: &DatabaseConnection,
    place: &Place,
    row: attachment::ActiveModel,
) -> Result<()> {
    for _ in 0..MAX_FILES {
        let txn = db.begin().await?;
        lock_item(&txn, place).await?;
        let taken: Vec<i32> = attachment::Entity::find()
            .filter(place.filter())
            .all(&txn)
            .await?
            .into_iter()
            .map(|a| a.slot)
            .collect();
        let Some(slot) = (1..=MAX_FILES).find(|s| !taken.contains(s)) else {
            return Err(Error::Invalid("files-too-many"));
        };
        let mut row = row.clone();
        row.slot = Set(slot);
        match row.insert(&txn).await {
            Ok(_) => {
                txn.commit().await?;
                return Ok(());
            }
            // The unique index is the last word: look again should a slot be taken anyway.
            Err(e) if crate::db::unique_violation(&e).is_some() => continue,
            Err(e) => return Err(e.into()),
        }
    }
    Err(Error::Invalid("files-too-many"))
}

/// Writes the item's row to itself first: uploads to one item take their slots one after
/// the other (a row lock on PostgreSQL, the write lock on SQLite), not both the same one.
async fn lock_item(txn: &impl ConnectionTrait, place: &Place) -> Result<(), sea_orm::DbErr> {
    use crate::db::lock_row;
    use crate::entities::{mediation_case, notice};
    if let Some(id) = place.case_id {
        lock_row::<mediation_case::Entity>(
            txn,
            mediation_case::Column::Id,
            id,
            mediation_case::Column::CreatedAt,
        )
        .await
    } else if let Some(id) = place.post_id {
        lock_row::<post::Entity>(txn, post::Column::Id, id, post::Column::CreatedAt).await
    } else if let Some(id) = place.notice_id {
        lock_row::<notice::Entity>(txn, notice::Column::Id, id, notice::Column::CreatedAt).await
    } else {
        Ok(())
    }
}

/// A name safe to put in a download's header: a PDF keeps what it was called (without
/// folders and quotes), a photo is called by what it is.
fn file_name(sent: &str, kind: Kind) -> String {
    if kind == Kind::Photo {
        return "photo.jpg".to_owned();
    }
    let base = sent.rsplit(['/', '\\']).next().unwrap_or_default();
    let cleaned: String = base
        .chars()
        .filter(|c| !c.is_control() && !matches!(c, '"' | ';'))
        .take(100)
        .collect();
    if cleaned.trim().is_empty() {
        "document.pdf".to_owned()
    } else {
        cleaned
    }
}

/// The files of a case as `account` sees them (the caller has checked they may see the
/// case).
pub async fn of_case(
    db: &impl ConnectionTrait,
    account: &Account,
    case_id: i32,
    mediator: bool,
) -> Result<Vec<Listed>> {
    let files = attachment::Entity::find()
        .filter(attachment::Column::CaseId.eq(case_id))
        .order_by_asc(attachment::Column::Slot)
        .all(db)
        .await?;
    Ok(files
        .into_iter()
        .map(|file| Listed {
            removable: mediator || file.uploaded_by == Some(account.user.id),
            file,
        })
        .collect())
}

/// The files of the posts `post_ids` (already checked visible), by post.
pub async fn of_posts(
    db: &impl ConnectionTrait,
    viewer: Option<&Account>,
    post_ids: &[i32],
) -> Result<Vec<(i32, Vec<Listed>)>> {
    let files = attachment::Entity::find()
        .filter(attachment::Column::PostId.is_in(post_ids.iter().copied()))
        .order_by_asc(attachment::Column::Slot)
        .all(db)
        .await?;
    let moderator = viewer.is_some_and(is_moderator);
    let mut by_post: Vec<(i32, Vec<Listed>)> = Vec::new();
    for file in files {
        let Some(post_id) = file.post_id else {
            continue;
        };
        let removable = moderator || viewer.is_some_and(|v| file.uploaded_by == Some(v.user.id));
        let listed = Listed { file, removable };
        match by_post.iter_mut().find(|(id, _)| *id == post_id) {
            Some((_, list)) => list.push(listed),
            None => by_post.push((post_id, vec![listed])),
        }
    }
    Ok(by_post)
}

/// The files of a notice (already checked visible).
pub async fn of_notice(
    db: &impl ConnectionTrait,
    viewer: Option<&Account>,
    notice_id: i32,
) -> Result<Vec<Listed>> {
    let officer = viewer.is_some_and(|v| v.require(Role::Officer).is_ok());
    Ok(attachment::Entity::find()
        .filter(attachment::Column::NoticeId.eq(notice_id))
        .order_by_asc(attachment::Column::Slot)
        .all(db)
        .await?
        .into_iter()
        .map(|file| Listed {
            file,
            removable: officer,
        })
        .collect())
}

/// The pictures of the notices `notice_ids` (which the caller shows to everybody), in order:
/// the feeds link them.
pub async fn of_notices(
    db: &impl ConnectionTrait,
    notice_ids: &[i32],
) -> Result<Vec<attachment::Model>> {
    Ok(attachment::Entity::find()
        .filter(attachment::Column::NoticeId.is_in(notice_ids.iter().copied()))
        .order_by_asc(attachment::Column::Slot)
        .all(db)
        .await?)
}

/// The file `key` if `viewer` may see the item it belongs to, and who else may; anyone
/// else is told it does not exist.
pub async fn open(
    db: &impl ConnectionTrait,
    viewer: Option<&Account>,
    key: &str,
) -> Result<(attachment::Model, Audience)> {
    let file = find(db, key).await?;
    let audience = if let Some(case_id) = file.case_id {
        case_and_viewer(db, viewer.ok_or(Error::NotFound)?, case_id).await?;
        Audience::Private
    } else if let Some(post_id) = file.post_id {
        let (post, thread, _) = post_place(db, viewer, post_id).await?;
        if post.hidden || thread.hidden {
            Audience::Private
        } else {
            Audience::Public
        }
    } else if let Some(notice_id) = file.notice_id {
        let notice = crate::notices::get(db, notice_id, viewer).await?;
        if notice.notice.status == vocab::notices::Status::Draft {
            Audience::Private
        } else {
            Audience::Public
        }
    } else {
        return Err(Error::NotFound);
    };
    Ok((file, audience))
}

async fn find(db: &impl ConnectionTrait, key: &str) -> Result<attachment::Model> {
    attachment::Entity::find()
        .filter(attachment::Column::Key.eq(key))
        .one(db)
        .await?
        .ok_or(Error::NotFound)
}

/// A file's case and how `account` relates to it; anyone unrelated is told it does not exist.
async fn case_and_viewer(
    db: &impl ConnectionTrait,
    account: &Account,
    case_id: i32,
) -> Result<(crate::entities::mediation_case::Model, Viewer)> {
    let case = crate::entities::mediation_case::Entity::find_by_id(case_id)
        .one(db)
        .await?
        .ok_or(Error::NotFound)?;
    let viewer = crate::mediation::viewer_of(db, account, &case).await?;
    Ok((case, viewer))
}

/// Removes the file `key` for `account` (who added it, a case's mediator, a moderator for
/// a post, an officer for a notice) and returns the page it was on and the item there
/// (`case-ZB-…`, `post-12`, `notice-3`). The bytes go right after.
pub async fn remove(
    db: &DatabaseConnection,
    store: &Store,
    account: &Account,
    key: &str,
) -> Result<(String, String)> {
    let txn = db.begin().await?;
    // The same questions as `open` asks, each once, with who may remove on top.
    let file = find(&txn, key).await?;
    let link = if let Some(case_id) = file.case_id {
        let (case, viewer) = case_and_viewer(&txn, account, case_id).await?;
        if viewer != Viewer::Mediator && file.uploaded_by != Some(account.user.id) {
            return Err(Error::Forbidden);
        }
        (
            crate::mediation::case_link(&case.code),
            format!("case-{}", case.code),
        )
    } else if let Some(post_id) = file.post_id {
        let (_, _, place) = post_place(&txn, Some(account), post_id).await?;
        if !is_moderator(account) && file.uploaded_by != Some(account.user.id) {
            return Err(Error::Forbidden);
        }
        (place.link, format!("post-{post_id}"))
    } else {
        let id = file.notice_id.unwrap_or_default();
        crate::notices::get(&txn, id, Some(account)).await?;
        account.require(Role::Officer)?;
        (format!("/notices/{id}"), format!("notice-{id}"))
    };
    attachment::Entity::delete_by_id(file.id).exec(&txn).await?;
    txn.commit().await?;
    forget_bytes(store, &[file.key]).await;
    Ok(link)
}

/// Removes the bytes of files whose rows are gone; what fails here `sweep` finds later.
pub async fn forget_bytes(store: &Store, keys: &[String]) {
    for key in keys {
        for stored in [key.clone(), thumb_key(key)] {
            if let Err(e) = store.delete(&stored).await {
                tracing::warn!(%e, key = stored, "left for the sweep");
            }
        }
    }
}

/// Removes the files of posts `post_ids`, which a moderator deleted, inside the moderator's
/// transaction; their bytes go with the next `sweep`.
pub(crate) async fn drop_for_posts(db: &impl ConnectionTrait, post_ids: &[i32]) -> Result<()> {
    attachment::Entity::delete_many()
        .filter(attachment::Column::PostId.is_in(post_ids.iter().copied()))
        .exec(db)
        .await?;
    Ok(())
}

/// Removes from the store every file that no row names any more: those of deleted accounts,
/// posts and cases (their rows went with them), and any bytes an interrupted upload left.
/// Bytes younger than `grace` are left alone: their row may be about to be written.
pub async fn sweep(
    db: &impl ConnectionTrait,
    store: &Store,
    now: DateTime<Utc>,
    grace: Duration,
) -> Result<usize> {
    let stored = store.keys().await?;
    let known: std::collections::HashSet<String> = attachment::Entity::find()
        .all(db)
        .await?
        .into_iter()
        .map(|a| a.key)
        .collect();
    let mut removed = 0;
    for (key, written) in stored {
        let base = key.strip_suffix(".thumb").unwrap_or(&key);
        if known.contains(base) || now - written < grace {
            continue;
        }
        store.delete(&key).await?;
        removed += 1;
    }
    Ok(removed)
}

/// What the personal-data export says of the files `user_id` added.
pub async fn export_for(
    db: &impl ConnectionTrait,
    user_id: i32,
) -> Result<serde_json::Map<String, serde_json::Value>> {
    let files = attachment::Entity::find()
        .filter(attachment::Column::UploadedBy.eq(user_id))
        .order_by_asc(attachment::Column::Id)
        .all(db)
        .await?;
    let mut data = serde_json::Map::new();
    data.insert(
        "files".into(),
        files
            .iter()
            .map(|f| {
                serde_json::json!({
                    "added_at": f.created_at,
                    "kind": f.kind,
                    "name": f.name,
                    "bytes": f.bytes,
                    "address": format!("/files/{}", f.key),
                    "case_id": f.case_id,
                    "post_id": f.post_id,
                    "notice_id": f.notice_id,
                })
            })
            .collect(),
    );
    Ok(data)
}

/// A person's own files go with their account, except notice posters, which are the
/// station's. Returns the keys whose bytes are to go (`forget_bytes`).
pub(crate) async fn drop_for_account(
    db: &impl ConnectionTrait,
    user_id: i32,
) -> Result<Vec<String>> {
    let own = attachment::Entity::find()
        .filter(attachment::Column::UploadedBy.eq(user_id))
        .filter(attachment::Column::NoticeId.is_null());
    let keys = own
        .clone()
        .all(db)
        .await?
        .into_iter()
        .map(|a| a.key)
        .collect();
    attachment::Entity::delete_many()
        .filter(attachment::Column::UploadedBy.eq(user_id))
        .filter(attachment::Column::NoticeId.is_null())
        .exec(db)
        .await?;
    Ok(keys)
}
