//! 警事茶楼 — the tea-house forum. Residents start threads on a board (one per liaison
//! room, and general ones) and reply; liaisons of the board's room and officers answer with
//! an official badge; the author (or staff) accepts the answer and marks the thread resolved;
//! an officer can turn a thread into a mediation case.
//!
//! Posting limits are counted under a lock on the poster's row (`db::lock_user`), so posts
//! sent at once are counted one after the other.

pub mod export;
pub mod moderation;
pub mod search;

use std::collections::HashMap;

use chrono::{DateTime, Duration, Utc};
use sea_orm::{
    ActiveValue::Set,
    ColumnTrait, ConnectionTrait, DatabaseConnection, DatabaseTransaction, EntityTrait, Order,
    PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, Select, TransactionTrait,
    sea_query::{Expr, ExprTrait},
};

use crate::accounts::{Account, Role, phone};
use crate::db::lock_user;
use crate::entities::{
    board, community, liaison_member, liaison_room, police_office, post, thread, user,
};
use crate::mediation::cases::{self, CaseRequest};
use crate::text::{clean, length_within, one_line};
use crate::{Error, Result, inbox};

pub use vocab::teahouse::ThreadStatus;

/// Every rule code this module can refuse with; each is a translation key.
pub const REFUSAL_CODES: &[&str] = &[
    "teahouse-board-invalid",
    "teahouse-title-length",
    "teahouse-body-length",
    "teahouse-community-invalid",
    "teahouse-name-required",
    "teahouse-name-length",
    "teahouse-name-phone",
    "teahouse-thread-closed",
    "teahouse-thread-locked",
    "teahouse-accept-invalid",
    "teahouse-not-author",
    "teahouse-status-changed",
    "teahouse-case-no-author",
    "teahouse-already-case",
    "teahouse-too-fast",
    "teahouse-new-account-threads",
    "teahouse-new-account-replies",
    "teahouse-flag-twice",
    "teahouse-flag-reason",
    "teahouse-note-long",
    "teahouse-search-short",
    "teahouse-board-name",
    "teahouse-board-taken",
    "teahouse-answer-hours",
];

/// Inbox messages this module sends; each is a translation key.
pub const INBOX_TOPICS: &[&str] = &[
    "inbox-thread-reply",
    "inbox-thread-accepted",
    "inbox-thread-case",
];

pub const THREADS_PER_PAGE: u64 = 20;
pub const POSTS_PER_PAGE: u64 = 30;

/// How much people may post. New accounts are held to a few threads and replies on their
/// first day (what spam accounts do first); everybody to a pace no person types at.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    pub new_account_hours: i64,
    pub new_account_threads: u64,
    pub new_account_replies: u64,
    pub posts_per_window: u64,
    pub window_minutes: i64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            new_account_hours: 24,
            new_account_threads: 3,
            new_account_replies: 10,
            posts_per_window: 10,
            window_minutes: 10,
        }
    }
}

/// Staff see who is behind "居民" and which threads wait for an answer.
pub fn is_staff(account: &Account) -> bool {
    [Role::Officer, Role::Liaison, Role::Admin]
        .iter()
        .any(|r| account.has(*r))
}

/// Moderators hide, restore, lock, close and delete; officers (and admins).
pub fn is_moderator(account: &Account) -> bool {
    account.has(Role::Officer) || account.has(Role::Admin)
}

pub fn thread_link(id: i32) -> String {
    format!("/teahouse/t/{id}")
}

/// The badge an official answer carries.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Official {
    Officer,
    /// A liaison of the named room.
    Liaison(String),
}

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
pub struct BoardLine {
    pub board: board::Model,
    pub office: String,
    pub threads: u64,
    /// Open threads without an official answer yet.
    pub waiting: u64,
    /// Of those, the ones waiting longer than the board's answer deadline.
    pub overdue: u64,
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

/// The boards in service in order, with their counts. A board of a retired office or
/// liaison room leaves the list; its threads stay readable at their addresses.
pub async fn boards(db: &impl ConnectionTrait, now: DateTime<Utc>) -> Result<Vec<BoardLine>> {
    let offices: HashMap<i32, String> = police_office::Entity::find()
        .filter(police_office::Column::RetiredAt.is_null())
        .all(db)
        .await?
        .into_iter()
        .map(|o| (o.id, o.name))
        .collect();
    let retired_rooms: Vec<i32> = liaison_room::Entity::find()
        .filter(liaison_room::Column::RetiredAt.is_not_null())
        .all(db)
        .await?
        .into_iter()
        .map(|r| r.id)
        .collect();
    let mut out = Vec::new();
    for board in board::Entity::find()
        .order_by_asc(board::Column::Position)
        .order_by_asc(board::Column::Id)
        .all(db)
        .await?
    {
        if !offices.contains_key(&board.police_office_id)
            || board
                .liaison_room_id
                .is_some_and(|room| retired_rooms.contains(&room))
        {
            continue;
        }
        let visible = thread::Entity::find()
            .filter(thread::Column::BoardId.eq(board.id))
            .filter(thread::Column::Hidden.eq(false));
        let waiting = visible.clone().filter(waiting_for_answer());
        out.push(BoardLine {
            threads: visible.count(db).await?,
            waiting: waiting.clone().count(db).await?,
            overdue: waiting
                .filter(thread::Column::CreatedAt.lt(deadline_start(&board, now)))
                .count(db)
                .await?,
            office: offices
                .get(&board.police_office_id)
                .cloned()
                .unwrap_or_default(),
            board,
        })
    }
    Ok(out)
}

fn waiting_for_answer() -> sea_orm::Condition {
    sea_orm::Condition::all()
        .add(thread::Column::Status.eq(ThreadStatus::Open.as_str()))
        .add(thread::Column::OfficialReplyAt.is_null())
}

fn deadline_start(board: &board::Model, now: DateTime<Utc>) -> DateTime<Utc> {
    now - Duration::hours(i64::from(board.answer_hours))
}

fn is_overdue(thread: &thread::Model, board: &board::Model, now: DateTime<Utc>) -> bool {
    thread.status == ThreadStatus::Open
        && thread.official_reply_at.is_none()
        && thread.created_at < deadline_start(board, now)
}

async fn board_of(db: &impl ConnectionTrait, id: i32) -> Result<(board::Model, String)> {
    let board = board::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(Error::NotFound)?;
    let office = police_office::Entity::find_by_id(board.police_office_id)
        .one(db)
        .await?
        .map(|o| o.name)
        .unwrap_or_default();
    Ok((board, office))
}

/// Threads a viewer may see: moderators also see hidden ones.
fn visible_to(select: Select<thread::Entity>, viewer: Option<&Account>) -> Select<thread::Entity> {
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
    communities: HashMap<i32, String>,
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
        let communities = community::Entity::find()
            .all(db)
            .await?
            .into_iter()
            .map(|c| (c.id, c.name))
            .collect();
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
            .and_then(|c| self.communities.get(&c).cloned());
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

/// How a post is signed: the name to store when the poster gave one, or their saved name.
/// Posting as "居民" needs no name.
fn check_name(account: &Account, given: &str, anonymous: bool) -> Result<Option<String>> {
    let given = one_line(given);
    if given.is_empty() {
        if anonymous || account.user.display_name.is_some() {
            return Ok(None);
        }
        return Err(Error::Invalid("teahouse-name-required"));
    }
    if !length_within(&given, 1, 20) {
        return Err(Error::Invalid("teahouse-name-length"));
    }
    // A name is shown to everyone: a phone number in it would defeat the masking.
    let longest_digits = given
        .split(|c: char| !c.is_ascii_digit())
        .map(str::len)
        .max()
        .unwrap_or(0);
    if longest_digits >= 7 {
        return Err(Error::Invalid("teahouse-name-phone"));
    }
    Ok(Some(given).filter(|g| account.user.display_name.as_deref() != Some(g)))
}

fn check_body(body: &str) -> Result<String> {
    let body = clean(body);
    if !length_within(&body, 2, 5000) {
        return Err(Error::Invalid("teahouse-body-length"));
    }
    Ok(body)
}

async fn save_name(txn: &DatabaseTransaction, user_id: i32, name: Option<String>) -> Result<()> {
    if let Some(name) = name {
        user::Entity::update_many()
            .col_expr(user::Column::DisplayName, Expr::value(name))
            .filter(user::Column::Id.eq(user_id))
            .exec(txn)
            .await?;
    }
    Ok(())
}

/// Refuses a post that breaks a limit. Runs after `lock_user` in the posting transaction.
async fn check_limits(
    txn: &DatabaseTransaction,
    account: &Account,
    limits: &Limits,
    opening: bool,
    now: DateTime<Utc>,
) -> Result<()> {
    let mine = post::Entity::find().filter(post::Column::AuthorId.eq(account.user.id));
    let recent = mine
        .clone()
        .filter(post::Column::CreatedAt.gt(now - Duration::minutes(limits.window_minutes)))
        .count(txn)
        .await?;
    if recent >= limits.posts_per_window {
        return Err(Error::Throttled("teahouse-too-fast"));
    }
    let new_account = account.user.created_at > now - Duration::hours(limits.new_account_hours);
    if new_account && !is_staff(account) {
        let first_day = mine
            .filter(post::Column::IsOpening.eq(opening))
            .filter(
                post::Column::CreatedAt
                    .lt(account.user.created_at + Duration::hours(limits.new_account_hours)),
            )
            .count(txn)
            .await?;
        if opening && first_day >= limits.new_account_threads {
            return Err(Error::Throttled("teahouse-new-account-threads"));
        }
        if !opening && first_day >= limits.new_account_replies {
            return Err(Error::Throttled("teahouse-new-account-replies"));
        }
    }
    Ok(())
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

/// The badge `account` writes with on `board`: officers everywhere, liaisons on their room's
/// board.
async fn badge_of(
    db: &impl ConnectionTrait,
    account: &Account,
    board: &board::Model,
) -> Result<Option<(&'static str, Option<i32>)>> {
    if account.has(Role::Officer) {
        return Ok(Some(("officer", None)));
    }
    if let Some(room) = board.liaison_room_id
        && account.has(Role::Liaison)
        && liaison_member::Entity::find_by_id((room, account.user.id))
            .one(db)
            .await?
            .is_some()
    {
        return Ok(Some(("liaison", Some(room))));
    }
    Ok(None)
}

/// A thread a viewer may act on, or NotFound.
async fn load_thread(
    db: &impl ConnectionTrait,
    account: &Account,
    id: i32,
) -> Result<thread::Model> {
    visible_to(thread::Entity::find_by_id(id), Some(account))
        .one(db)
        .await?
        .ok_or(Error::NotFound)
}

/// What someone fills in to reply.
#[derive(Clone, Debug, Default)]
pub struct NewReply {
    pub thread_id: i32,
    pub body: String,
    pub anonymous: bool,
    pub display_name: String,
}

/// Replies to a thread. An official badge is added for officers and the board's liaisons;
/// an official answer cannot be posted as "居民".
pub async fn reply(
    db: &DatabaseConnection,
    account: &Account,
    form: NewReply,
    limits: &Limits,
    now: DateTime<Utc>,
) -> Result<post::Model> {
    let thread = load_thread(db, account, form.thread_id).await?;
    let body = check_body(&form.body)?;
    let (board, _) = board_of(db, thread.board_id).await?;
    let badge = badge_of(db, account, &board).await?;
    let anonymous = form.anonymous && badge.is_none();
    let name = check_name(account, &form.display_name, anonymous)?;
    let txn = db.begin().await?;
    lock_user(&txn, account.user.id).await?;
    check_limits(&txn, account, limits, false, now).await?;
    // The thread's row is written before the post: a reply and a moderator's lock or close
    // cannot cross, and the count stays true.
    let open = thread::Entity::update_many()
        .col_expr(
            thread::Column::ReplyCount,
            Expr::col(thread::Column::ReplyCount).add(1),
        )
        .col_expr(thread::Column::LastPostAt, Expr::value(now))
        .filter(thread::Column::Id.eq(thread.id))
        .filter(thread::Column::Locked.eq(false))
        .filter(thread::Column::Status.ne(ThreadStatus::Closed.as_str()))
        .exec(&txn)
        .await?;
    if open.rows_affected == 0 {
        let now_thread = load_thread(&txn, account, thread.id).await?;
        return Err(Error::Invalid(if now_thread.locked {
            "teahouse-thread-locked"
        } else {
            "teahouse-thread-closed"
        }));
    }
    if badge.is_some() {
        thread::Entity::update_many()
            .col_expr(thread::Column::OfficialReplyAt, Expr::value(now))
            .filter(thread::Column::Id.eq(thread.id))
            .filter(thread::Column::OfficialReplyAt.is_null())
            .exec(&txn)
            .await?;
    }
    save_name(&txn, account.user.id, name).await?;
    let post = post::Entity::insert(post::ActiveModel {
        thread_id: Set(thread.id),
        author_id: Set(Some(account.user.id)),
        body: Set(body),
        anonymous: Set(anonymous),
        official: Set(badge.map(|(kind, _)| kind.to_owned())),
        official_room_id: Set(badge.and_then(|(_, room)| room)),
        created_at: Set(now),
        ..Default::default()
    })
    .exec_with_returning(&txn)
    .await?;
    if let Some(author) = thread.author_id.filter(|a| *a != account.user.id) {
        inbox::send(
            &txn,
            author,
            "inbox-thread-reply",
            &thread.title,
            &thread_link(thread.id),
            now,
        )
        .await?;
    }
    txn.commit().await?;
    Ok(post)
}

fn may_settle(account: &Account, thread: &thread::Model) -> bool {
    thread.author_id == Some(account.user.id) || is_moderator(account)
}

/// The author (or a moderator) accepts a reply as the answer; another reply may be accepted
/// later in its place.
pub async fn accept(
    db: &DatabaseConnection,
    account: &Account,
    thread_id: i32,
    post_id: i32,
    now: DateTime<Utc>,
) -> Result<()> {
    let thread = load_thread(db, account, thread_id).await?;
    if !may_settle(account, &thread) {
        return Err(Error::Invalid("teahouse-not-author"));
    }
    let reply = post::Entity::find_by_id(post_id)
        .one(db)
        .await?
        .filter(|p| {
            p.thread_id == thread.id
                && !p.is_opening
                && !p.hidden
                && !p.deleted
                && p.author_id.is_some()
                && p.author_id != thread.author_id
        })
        .ok_or(Error::Invalid("teahouse-accept-invalid"))?;
    let txn = db.begin().await?;
    let done = thread::Entity::update_many()
        .col_expr(
            thread::Column::Status,
            Expr::value(ThreadStatus::Answered.as_str()),
        )
        .col_expr(thread::Column::AcceptedPostId, Expr::value(reply.id))
        .filter(thread::Column::Id.eq(thread.id))
        .filter(
            thread::Column::Status
                .is_in([ThreadStatus::Open.as_str(), ThreadStatus::Answered.as_str()]),
        )
        .exec(&txn)
        .await?;
    if done.rows_affected == 0 {
        return Err(Error::Invalid("teahouse-status-changed"));
    }
    if let Some(author) = reply.author_id {
        inbox::send(
            &txn,
            author,
            "inbox-thread-accepted",
            &thread.title,
            &thread_link(thread.id),
            now,
        )
        .await?;
    }
    txn.commit().await?;
    Ok(())
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

/// What an admin fills in to open a board.
#[derive(Clone, Debug, Default)]
pub struct NewBoard {
    pub police_office_id: i32,
    /// The liaison room that answers on it; none for a general board (茶叙).
    pub liaison_room_id: Option<i32>,
    pub name: String,
    pub description: String,
    pub answer_hours: i32,
}

/// Opens a board for a police office: how another office opens its own tea house.
pub async fn open_board(
    db: &impl ConnectionTrait,
    admin: &Account,
    form: NewBoard,
) -> Result<board::Model> {
    admin.require(Role::Admin)?;
    let name = one_line(&form.name);
    if !length_within(&name, 2, 50) {
        return Err(Error::Invalid("teahouse-board-name"));
    }
    let description = one_line(&form.description);
    if !length_within(&description, 0, 300) {
        return Err(Error::Invalid("teahouse-note-long"));
    }
    if !(1..=720).contains(&form.answer_hours) {
        return Err(Error::Invalid("teahouse-answer-hours"));
    }
    if police_office::Entity::find_by_id(form.police_office_id)
        .one(db)
        .await?
        .is_none_or(|o| o.retired_at.is_some())
    {
        return Err(Error::Invalid("teahouse-board-invalid"));
    }
    if let Some(room) = form.liaison_room_id
        && liaison_room::Entity::find_by_id(room)
            .one(db)
            .await?
            .is_none_or(|r| r.police_office_id != form.police_office_id || r.retired_at.is_some())
    {
        return Err(Error::Invalid("teahouse-board-invalid"));
    }
    let position = board::Entity::find().count(db).await?;
    let inserted = board::Entity::insert(board::ActiveModel {
        police_office_id: Set(form.police_office_id),
        liaison_room_id: Set(form.liaison_room_id),
        name: Set(name),
        description: Set(description),
        answer_hours: Set(form.answer_hours),
        position: Set(i32::try_from(position).unwrap_or(i32::MAX)),
        is_demo: Set(false),
        ..Default::default()
    })
    .exec_with_returning(db)
    .await;
    match inserted {
        Ok(board) => Ok(board),
        Err(e) if crate::db::unique_violation(&e).is_some() => {
            Err(Error::Invalid("teahouse-board-taken"))
        }
        Err(e) => Err(e.into()),
    }
}

/// Police offices and liaison rooms in service, in order: what an admin chooses from.
pub async fn offices_and_rooms(
    db: &impl ConnectionTrait,
) -> Result<(Vec<police_office::Model>, Vec<liaison_room::Model>)> {
    Ok((
        police_office::Entity::find()
            .filter(police_office::Column::RetiredAt.is_null())
            .order_by_asc(police_office::Column::Id)
            .all(db)
            .await?,
        liaison_room::Entity::find()
            .filter(liaison_room::Column::RetiredAt.is_null())
            .order_by_asc(liaison_room::Column::Id)
            .all(db)
            .await?,
    ))
}

/// The liaison rooms `account` answers for: none unless they are a liaison.
pub async fn rooms_of(db: &impl ConnectionTrait, account: &Account) -> Result<Vec<i32>> {
    if !account.has(Role::Liaison) {
        return Ok(Vec::new());
    }
    Ok(liaison_member::Entity::find()
        .filter(liaison_member::Column::UserId.eq(account.user.id))
        .all(db)
        .await?
        .into_iter()
        .map(|m| m.liaison_room_id)
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn account(display_name: Option<&str>) -> Account {
        Account {
            user: user::Model {
                id: 1,
                phone: "13800001234".into(),
                password_hash: String::new(),
                community_id: None,
                compound_id: None,
                consent_version: String::new(),
                consent_at: Utc::now(),
                created_at: Utc::now(),
                display_name: display_name.map(str::to_owned),
                consent_witness: None,
            },
            roles: vec![Role::Resident],
        }
    }

    #[test]
    fn a_name_is_needed_unless_posting_as_resident_or_saved() {
        let fresh = account(None);
        assert!(matches!(
            check_name(&fresh, " ", false),
            Err(Error::Invalid("teahouse-name-required"))
        ));
        assert_eq!(check_name(&fresh, "", true).ok(), Some(None));
        assert_eq!(
            check_name(&fresh, " 王阿姨 ", false).ok(),
            Some(Some("王阿姨".into()))
        );
        let named = account(Some("王阿姨"));
        assert_eq!(check_name(&named, "", false).ok(), Some(None));
        assert_eq!(check_name(&named, "王阿姨", false).ok(), Some(None));
    }

    #[test]
    fn a_name_cannot_carry_a_phone_number() {
        let fresh = account(None);
        assert!(matches!(
            check_name(&fresh, "老李13800001234", false),
            Err(Error::Invalid("teahouse-name-phone"))
        ));
        assert!(check_name(&fresh, "3号楼老李", false).is_ok());
        assert!(matches!(
            check_name(&fresh, &"长".repeat(21), false),
            Err(Error::Invalid("teahouse-name-length"))
        ));
    }
}
