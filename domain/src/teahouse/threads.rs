//! Threads: the lists, a thread's page with its authors as the viewer may see them, starting
//! a thread, settling it, and turning it into a mediation case.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, Order,
    PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, Select, TransactionTrait,
    sea_query::Expr,
};

use crate::accounts::{Account, Role, phone};
use crate::db::lock_user;
use crate::entities::{board, community, liaison_room, police_office, post, thread, user};
use crate::mediation::cases::{self, CaseRequest};
use crate::text::{length_within, one_line};
use crate::{Error, Result, inbox};

use super::boards::{board_of, is_overdue};
use super::liaisons::{Official, badge_of, rooms_of};
use super::replies::{check_body, check_limits, check_name, save_name};
use super::{Limits, POSTS_PER_PAGE, THREADS_PER_PAGE, ThreadStatus, is_moderator, is_staff};

/// Who wrote a post, as the viewer may see it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Author {
    /// None when posted as "居民" (and the viewer is not staff) or the account is gone.
    pub name: Option<String>,
    pub community: Option<String>,
    pub anonymous: bool,
    pub deleted_account: bool,
    /// For staff: the phone behind the post, whole for officers, masked for liaisons.
    pub phone: Option<String>,
}

#[derive(Clone, Debug)]
pub struct ThreadLine {
    pub thread: thread::Model,
    pub author: Author,
    pub board: String,
    pub overdue: bool,
}

#[derive(Clone, Debug)]
pub struct PostView {
    pub post: post::Model,
    pub author: Author,
    pub official: Option<Official>,
    pub accepted: bool,
    pub mine: bool,
}

#[derive(Clone, Debug)]
pub struct ThreadView {
    pub thread: thread::Model,
    pub board: board::Model,
    pub office: String,
    pub opening: PostView,
    pub replies: Vec<PostView>,
    pub page: u64,
    pub pages: u64,
    pub overdue: bool,
    /// The code of the mediation case the thread became.
    pub case_code: Option<String>,
    /// The badge the viewer's replies here would carry.
    pub my_badge: Option<Official>,
}

#[derive(Clone, Debug)]
pub struct ThreadPage {
    pub board: board::Model,
    pub office: String,
    pub lines: Vec<ThreadLine>,
    pub page: u64,
    pub pages: u64,
}

/// Threads a viewer may see: moderators also see hidden ones.
pub(crate) fn visible_to(
    select: Select<thread::Entity>,
    viewer: Option<&Account>,
) -> Select<thread::Entity> {
    if viewer.is_some_and(is_moderator) {
        select
    } else {
        select.filter(thread::Column::Hidden.eq(false))
    }
}

/// A board's threads, newest activity first; staff get the ones waiting for an answer first.
pub async fn threads(
    db: &impl ConnectionTrait,
    viewer: Option<&Account>,
    board_id: i32,
    page: u64,
    now: DateTime<Utc>,
) -> Result<ThreadPage> {
    let (board, office) = board_of(db, board_id).await?;
    let mut select = visible_to(
        thread::Entity::find().filter(thread::Column::BoardId.eq(board.id)),
        viewer,
    );
    if viewer.is_some_and(is_staff) {
        select = select.order_by(
            Expr::cust("CASE WHEN status = 'open' AND official_reply_at IS NULL THEN 0 ELSE 1 END"),
            Order::Asc,
        );
    }
    let pages = select.clone().count(db).await?.div_ceil(THREADS_PER_PAGE);
    let pages = std::cmp::max(pages, 1);
    let page = page.clamp(1, pages);
    let found = select
        .order_by_desc(thread::Column::LastPostAt)
        .order_by_desc(thread::Column::Id)
        .offset((page - 1) * THREADS_PER_PAGE)
        .limit(THREADS_PER_PAGE)
        .all(db)
        .await?;
    let lines = lines_of(db, viewer, found, now).await?;
    Ok(ThreadPage {
        board,
        office,
        lines,
        page,
        pages,
    })
}

/// List lines for `threads`, with their authors as `viewer` may see them.
pub(crate) async fn lines_of(
    db: &impl ConnectionTrait,
    viewer: Option<&Account>,
    threads: Vec<thread::Model>,
    now: DateTime<Utc>,
) -> Result<Vec<ThreadLine>> {
    let boards: HashMap<i32, board::Model> = board::Entity::find()
        .all(db)
        .await?
        .into_iter()
        .map(|b| (b.id, b))
        .collect();
    let people = People::load(db, viewer, threads.iter().filter_map(|t| t.author_id)).await?;
    Ok(threads
        .into_iter()
        .map(|t| {
            let board = boards.get(&t.board_id);
            ThreadLine {
                author: people.author(viewer, board, t.author_id, t.anonymous),
                board: board.map(|b| b.name.clone()).unwrap_or_default(),
                overdue: board.is_some_and(|b| is_overdue(&t, b, now)),
                thread: t,
            }
        })
        .collect())
}

/// Names, communities and phones of the people behind some posts, loaded at once, with the
/// liaison rooms the viewer answers for.
struct People {
    users: HashMap<i32, user::Model>,
    communities: std::sync::Arc<crate::directory::cache::Snapshot>,
    viewer_rooms: Vec<i32>,
}

impl People {
    async fn load(
        db: &impl ConnectionTrait,
        viewer: Option<&Account>,
        ids: impl Iterator<Item = i32>,
    ) -> Result<People> {
        let mut ids: Vec<i32> = ids.collect();
        ids.sort_unstable();
        ids.dedup();
        let users: HashMap<i32, user::Model> = user::Entity::find()
            .filter(user::Column::Id.is_in(ids))
            .all(db)
            .await?
            .into_iter()
            .map(|u| (u.id, u))
            .collect();
        let communities = crate::directory::cache::snapshot(db).await?;
        let viewer_rooms = match viewer {
            Some(viewer) => rooms_of(db, viewer).await?,
            None => Vec::new(),
        };
        Ok(People {
            users,
            communities,
            viewer_rooms,
        })
    }

    /// The author of a post on `board` as `viewer` sees them. Behind 居民 only officers (the
    /// whole number, everywhere) and the liaisons of the board's own room (masked) see who
    /// it is: a liaison answers for one room, not for the whole tea house.
    fn author(
        &self,
        viewer: Option<&Account>,
        board: Option<&board::Model>,
        id: Option<i32>,
        anonymous: bool,
    ) -> Author {
        let Some(user) = id.and_then(|id| self.users.get(&id)) else {
            return Author {
                deleted_account: true,
                ..Author::default()
            };
        };
        let officer = viewer.is_some_and(|v| v.has(Role::Officer) || v.has(Role::Admin));
        let room_liaison = viewer.is_some_and(|v| v.has(Role::Liaison))
            && board
                .and_then(|b| b.liaison_room_id)
                .is_some_and(|room| self.viewer_rooms.contains(&room));
        let community = user
            .community_id
            .and_then(|c| self.communities.name(c).map(str::to_owned));
        if anonymous && !officer && !room_liaison {
            return Author {
                anonymous: true,
                ..Author::default()
            };
        }
        Author {
            name: user.display_name.clone(),
            community,
            anonymous,
            deleted_account: false,
            phone: anonymous.then(|| {
                if officer {
                    user.phone.clone()
                } else {
                    phone::mask(&user.phone)
                }
            }),
        }
    }
}

/// A thread page as `viewer` may see it. Hidden threads exist for moderators only; hidden and
/// deleted posts lose their body for everyone else.
pub async fn thread(
    db: &impl ConnectionTrait,
    viewer: Option<&Account>,
    id: i32,
    page: u64,
    now: DateTime<Utc>,
) -> Result<ThreadView> {
    let thread = visible_to(thread::Entity::find_by_id(id), viewer)
        .one(db)
        .await?
        .ok_or(Error::NotFound)?;
    let (board, office) = board_of(db, thread.board_id).await?;
    let opening = post::Entity::find()
        .filter(post::Column::ThreadId.eq(thread.id))
        .filter(post::Column::IsOpening.eq(true))
        .one(db)
        .await?
        .ok_or(Error::NotFound)?;
    let replies_query = post::Entity::find()
        .filter(post::Column::ThreadId.eq(thread.id))
        .filter(post::Column::IsOpening.eq(false));
    let pages = replies_query
        .clone()
        .count(db)
        .await?
        .div_ceil(POSTS_PER_PAGE);
    let pages = std::cmp::max(pages, 1);
    let page = page.clamp(1, pages);
    let replies = replies_query
        .order_by_asc(post::Column::Id)
        .offset((page - 1) * POSTS_PER_PAGE)
        .limit(POSTS_PER_PAGE)
        .all(db)
        .await?;
    let people = People::load(
        db,
        viewer,
        std::iter::once(&opening)
            .chain(&replies)
            .filter_map(|p| p.author_id),
    )
    .await?;
    let rooms: HashMap<i32, String> = liaison_room::Entity::find()
        .all(db)
        .await?
        .into_iter()
        .map(|r| (r.id, r.name))
        .collect();
    let moderator = viewer.is_some_and(is_moderator);
    let view = |post: post::Model| {
        let mut post = post;
        if post.deleted || (post.hidden && !moderator) {
            post.body.clear();
        }
        PostView {
            author: people.author(viewer, Some(&board), post.author_id, post.anonymous),
            official: match post.official.as_deref() {
                Some("officer") => Some(Official::Officer),
                Some(_) => Some(Official::Liaison(
                    post.official_room_id
                        .and_then(|r| rooms.get(&r).cloned())
                        .unwrap_or_default(),
                )),
                None => None,
            },
            accepted: thread.accepted_post_id == Some(post.id),
            mine: viewer.is_some_and(|v| post.author_id == Some(v.user.id)),
            post,
        }
    };
    let case_code = match thread.mediation_case_id {
        Some(case) => crate::entities::mediation_case::Entity::find_by_id(case)
            .one(db)
            .await?
            .map(|c| c.code),
        None => None,
    };
    let my_badge = match viewer {
        Some(account) => match badge_of(db, account, &board).await? {
            Some((_, Some(room))) => Some(Official::Liaison(
                rooms.get(&room).cloned().unwrap_or_default(),
            )),
            Some(_) => Some(Official::Officer),
            None => None,
        },
        None => None,
    };
    Ok(ThreadView {
        my_badge,
        overdue: is_overdue(&thread, &board, now),
        opening: view(opening),
        replies: replies.into_iter().map(view).collect(),
        thread,
        board,
        office,
        page,
        pages,
        case_code,
    })
}

/// The thread a mediation case came from, for the link back from the case page.
pub async fn thread_of_case(db: &impl ConnectionTrait, case_id: i32) -> Result<Option<i32>> {
    Ok(thread::Entity::find()
        .filter(thread::Column::MediationCaseId.eq(case_id))
        .one(db)
        .await?
        .map(|t| t.id))
}

/// What a resident fills in to start a thread.
#[derive(Clone, Debug, Default)]
pub struct NewThread {
    pub board_id: i32,
    pub title: String,
    pub body: String,
    pub community_id: Option<i32>,
    pub anonymous: bool,
    /// The name to sign with; empty keeps the saved one.
    pub display_name: String,
}

/// Starts a thread with its opening post.
pub async fn start(
    db: &DatabaseConnection,
    account: &Account,
    form: NewThread,
    limits: &Limits,
    now: DateTime<Utc>,
) -> Result<thread::Model> {
    let board = board::Entity::find_by_id(form.board_id)
        .one(db)
        .await?
        .ok_or(Error::Invalid("teahouse-board-invalid"))?;
    // A board of a retired office or liaison room takes no new threads.
    let office_retired = police_office::Entity::find_by_id(board.police_office_id)
        .one(db)
        .await?
        .is_none_or(|o| o.retired_at.is_some());
    let room_retired = match board.liaison_room_id {
        Some(room) => liaison_room::Entity::find_by_id(room)
            .one(db)
            .await?
            .is_none_or(|r| r.retired_at.is_some()),
        None => false,
    };
    if office_retired || room_retired {
        return Err(Error::Invalid("teahouse-board-invalid"));
    }
    let title = one_line(&form.title);
    if !length_within(&title, 4, 60) {
        return Err(Error::Invalid("teahouse-title-length"));
    }
    let body = check_body(&form.body)?;
    if let Some(id) = form.community_id
        && community::Entity::find_by_id(id)
            .one(db)
            .await?
            .is_none_or(|c| c.retired_at.is_some())
    {
        return Err(Error::Invalid("teahouse-community-invalid"));
    }
    let name = check_name(account, &form.display_name, form.anonymous)?;
    let txn = db.begin().await?;
    lock_user(&txn, account.user.id).await?;
    check_limits(&txn, account, limits, true, now).await?;
    save_name(&txn, account.user.id, name).await?;
    let thread = thread::Entity::insert(thread::ActiveModel {
        board_id: Set(board.id),
        author_id: Set(Some(account.user.id)),
        community_id: Set(form.community_id),
        title: Set(title),
        status: Set(ThreadStatus::Open),
        anonymous: Set(form.anonymous),
        created_at: Set(now),
        last_post_at: Set(now),
        ..Default::default()
    })
    .exec_with_returning(&txn)
    .await?;
    post::Entity::insert(post::ActiveModel {
        thread_id: Set(thread.id),
        author_id: Set(Some(account.user.id)),
        body: Set(body),
        anonymous: Set(form.anonymous),
        is_opening: Set(true),
        created_at: Set(now),
        ..Default::default()
    })
    .exec(&txn)
    .await?;
    txn.commit().await?;
    Ok(thread)
}

/// A thread a viewer may act on, or NotFound.
pub(super) async fn load_thread(
    db: &impl ConnectionTrait,
    account: &Account,
    id: i32,
) -> Result<thread::Model> {
    visible_to(thread::Entity::find_by_id(id), Some(account))
        .one(db)
        .await?
        .ok_or(Error::NotFound)
}

pub(super) fn may_settle(account: &Account, thread: &thread::Model) -> bool {
    thread.author_id == Some(account.user.id) || is_moderator(account)
}

/// The author (or a moderator) marks the matter settled.
pub async fn resolve(db: &DatabaseConnection, account: &Account, thread_id: i32) -> Result<()> {
    let thread = load_thread(db, account, thread_id).await?;
    if !may_settle(account, &thread) {
        return Err(Error::Invalid("teahouse-not-author"));
    }
    let done = thread::Entity::update_many()
        .col_expr(
            thread::Column::Status,
            Expr::value(ThreadStatus::Resolved.as_str()),
        )
        .filter(thread::Column::Id.eq(thread.id))
        .filter(
            thread::Column::Status
                .is_in([ThreadStatus::Open.as_str(), ThreadStatus::Answered.as_str()]),
        )
        .exec(db)
        .await?;
    if done.rows_affected == 0 {
        return Err(Error::Invalid("teahouse-status-changed"));
    }
    Ok(())
}

/// What an officer chooses when turning a thread into a mediation case.
#[derive(Clone, Debug, Default)]
pub struct ThreadCase {
    pub thread_id: i32,
    pub dispute_type: String,
    pub room_id: i32,
    pub other_party: String,
}

/// An officer turns a thread into a mediation case for its author: the case tells its story
/// from the thread, each links to the other, and the author hears of it in the inbox. A thread
/// becomes one case at most (a unique index and a guarded update).
pub async fn to_case(
    db: &DatabaseConnection,
    officer: &Account,
    form: ThreadCase,
    now: DateTime<Utc>,
) -> Result<String> {
    officer.require(Role::Officer)?;
    let thread = load_thread(db, officer, form.thread_id).await?;
    if thread.mediation_case_id.is_some() {
        return Err(Error::Invalid("teahouse-already-case"));
    }
    let resident = match thread.author_id {
        Some(id) => user::Entity::find_by_id(id).one(db).await?,
        None => None,
    }
    .ok_or(Error::Invalid("teahouse-case-no-author"))?;
    let opening = post::Entity::find()
        .filter(post::Column::ThreadId.eq(thread.id))
        .filter(post::Column::IsOpening.eq(true))
        .one(db)
        .await?
        .ok_or(Error::NotFound)?;
    let story: String = format!("{}\n\n{}", thread.title, opening.body)
        .chars()
        .take(1000)
        .collect();
    let checked = cases::check(
        db,
        &CaseRequest {
            dispute_type: form.dispute_type,
            account: story,
            other_party: form.other_party,
            other_relation: String::new(),
            other_phone: String::new(),
            amount_claimed: None,
            tried_aid_station: false,
            mode: crate::mediation::Mode::InPerson.as_str().to_owned(),
            room_id: form.room_id,
        },
    )
    .await?;
    for _ in 0..3 {
        let txn = db.begin().await?;
        let Some(case) = cases::file(&txn, &resident, &checked, officer.user.id, now).await? else {
            continue;
        };
        let linked = thread::Entity::update_many()
            .col_expr(thread::Column::MediationCaseId, Expr::value(case.id))
            .filter(thread::Column::Id.eq(thread.id))
            .filter(thread::Column::MediationCaseId.is_null())
            .exec(&txn)
            .await;
        match linked {
            Ok(done) if done.rows_affected == 1 => {}
            Ok(_) => return Err(Error::Invalid("teahouse-already-case")),
            Err(e) if crate::db::unique_violation(&e).is_some() => {
                return Err(Error::Invalid("teahouse-already-case"));
            }
            Err(e) => return Err(e.into()),
        }
        crate::casework::sources::mark_from_thread(&txn, case.id, thread.id).await?;
        inbox::send(
            &txn,
            resident.id,
            "inbox-thread-case",
            &case.code,
            &cases::case_link(&case.code),
            now,
        )
        .await?;
        txn.commit().await?;
        return Ok(case.code);
    }
    Err(Error::Invalid("mediation-case-changed"))
}
