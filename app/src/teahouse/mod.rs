//! 警事茶楼 — the tea-house forum. Pages in `pages.rs`, moderation in `moderation.rs`, the
//! rules (limits, badges, who sees behind "居民") in `domain::teahouse`.

pub mod admin;
pub mod moderation;
pub mod pages;

use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use vocab::teahouse::ThreadStatus;

use crate::error::AppError;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BoardCard {
    pub id: i32,
    pub name: String,
    pub description: String,
    pub office: String,
    /// A liaison room answers on this board.
    pub room: bool,
    pub threads: u64,
    pub waiting: u64,
    pub overdue: u64,
    pub answer_hours: i32,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TeahouseInfo {
    pub boards: Vec<BoardCard>,
    /// Staff see what waits for an answer; moderators get the queue.
    pub staff: bool,
    pub moderator: bool,
}

/// Who wrote something, as this reader may see it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuthorView {
    pub name: Option<String>,
    pub community: Option<String>,
    pub anonymous: bool,
    pub deleted: bool,
    /// For staff behind "居民".
    pub phone: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ThreadCard {
    pub id: i32,
    pub title: String,
    pub status: ThreadStatus,
    pub board: String,
    pub author: AuthorView,
    pub replies: i32,
    pub last_at: String,
    pub answered_officially: bool,
    pub overdue: bool,
    pub locked: bool,
    pub hidden: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BoardInfo {
    pub board: BoardCard,
    pub threads: Vec<ThreadCard>,
    pub page: u64,
    pub pages: u64,
    pub staff: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PostCard {
    pub id: i32,
    pub body: String,
    pub author: AuthorView,
    /// "officer", or the liaison room's name.
    pub badge: Option<String>,
    pub officer: bool,
    pub at: String,
    pub accepted: bool,
    pub mine: bool,
    pub hidden: bool,
    pub deleted: bool,
    /// Its photos, as the reader may see them.
    pub files: Vec<crate::files::FileView>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ThreadInfo {
    pub id: i32,
    pub title: String,
    pub status: ThreadStatus,
    pub board_id: i32,
    pub board: String,
    pub office: String,
    pub opening: PostCard,
    pub replies: Vec<PostCard>,
    pub page: u64,
    pub pages: u64,
    pub locked: bool,
    pub hidden: bool,
    pub overdue: bool,
    pub case_code: Option<String>,
    pub signed_in: bool,
    /// The reader may accept an answer and mark the thread resolved.
    pub may_settle: bool,
    pub moderator: bool,
    /// The reader has a saved name (else the reply form asks for one).
    pub my_name: Option<String>,
    /// The badge the reader's replies carry here.
    pub my_badge: Option<String>,
    /// For the officer's "turn into a mediation case" form.
    pub rooms: Vec<(i32, String)>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewThreadInfo {
    pub board: BoardCard,
    pub communities: Vec<(i32, String)>,
    pub my_community: Option<i32>,
    pub my_name: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SearchInfo {
    pub query: String,
    pub threads: Vec<ThreadCard>,
    pub total: u64,
    pub page: u64,
    pub pages: u64,
}

#[cfg(feature = "ssr")]
pub(crate) mod ssr {
    use domain::accounts::Account;
    use domain::teahouse::{Author, BoardLine, Official, PostView, ThreadLine};

    use super::*;

    pub fn author(a: Author) -> AuthorView {
        AuthorView {
            name: a.name,
            community: a.community,
            anonymous: a.anonymous,
            deleted: a.deleted_account,
            phone: a.phone,
        }
    }

    pub fn board_card(line: BoardLine, staff: bool) -> BoardCard {
        BoardCard {
            id: line.board.id,
            room: line.board.liaison_room_id.is_some(),
            name: line.board.name,
            description: line.board.description,
            office: line.office,
            threads: line.threads,
            waiting: if staff { line.waiting } else { 0 },
            overdue: if staff { line.overdue } else { 0 },
            answer_hours: line.board.answer_hours,
        }
    }

    pub fn thread_card(line: ThreadLine) -> ThreadCard {
        ThreadCard {
            id: line.thread.id,
            title: line.thread.title,
            status: line.thread.status,
            board: line.board,
            author: author(line.author),
            replies: line.thread.reply_count,
            last_at: domain::time::format_local(line.thread.last_post_at),
            answered_officially: line.thread.official_reply_at.is_some(),
            overdue: line.overdue,
            locked: line.thread.locked,
            hidden: line.thread.hidden,
        }
    }

    /// A badge as the page names it: the liaison room, or empty for an officer.
    pub fn badge(official: Official) -> String {
        match official {
            Official::Officer => String::new(),
            Official::Liaison(room) => room,
        }
    }

    pub fn post_card(view: PostView) -> PostCard {
        PostCard {
            id: view.post.id,
            body: view.post.body,
            author: author(view.author),
            officer: view.official == Some(Official::Officer),
            badge: view.official.map(badge),
            at: domain::time::format_local(view.post.created_at),
            accepted: view.accepted,
            mine: view.mine,
            hidden: view.post.hidden,
            deleted: view.post.deleted,
            files: Vec::new(),
        }
    }

    /// Puts on each post of `posts` its photos: one query for the page.
    pub async fn with_files(
        db: &domain::DatabaseConnection,
        viewer: Option<&Account>,
        posts: &mut [PostCard],
    ) -> Result<(), AppError> {
        let moderator = viewer.is_some_and(domain::teahouse::is_moderator);
        let shown: Vec<i32> = posts
            .iter()
            .filter(|p| !p.deleted && (!p.hidden || moderator))
            .map(|p| p.id)
            .collect();
        for (post_id, files) in domain::files::of_posts(db, viewer, &shown).await? {
            if let Some(post) = posts.iter_mut().find(|p| p.id == post_id) {
                post.files = crate::files::views(files);
            }
        }
        Ok(())
    }

    pub async fn viewer() -> Result<Option<Account>, AppError> {
        Ok(crate::accounts::ssr::current_account()
            .await?
            .map(|(account, _)| account))
    }

    pub fn page_number(page: Option<u64>) -> u64 {
        page.unwrap_or(1).max(1)
    }
}

#[server(endpoint = "teahouse/boards", input = server_fn::codec::GetUrl)]
pub async fn teahouse_view() -> Result<TeahouseInfo, AppError> {
    use domain::teahouse;
    let viewer = ssr::viewer().await?;
    let staff = viewer.as_ref().is_some_and(teahouse::is_staff);
    let boards = teahouse::boards(&crate::state::db()?, chrono::Utc::now()).await?;
    Ok(TeahouseInfo {
        boards: boards
            .into_iter()
            .map(|b| ssr::board_card(b, staff))
            .collect(),
        staff,
        moderator: viewer.as_ref().is_some_and(teahouse::is_moderator),
    })
}

#[server(endpoint = "teahouse/board", input = server_fn::codec::GetUrl)]
pub async fn board_view(id: i32, page: Option<u64>) -> Result<BoardInfo, AppError> {
    use domain::teahouse;
    let viewer = ssr::viewer().await?;
    let db = crate::state::db()?;
    let now = chrono::Utc::now();
    let staff = viewer.as_ref().is_some_and(teahouse::is_staff);
    let found = teahouse::threads(&db, viewer.as_ref(), id, ssr::page_number(page), now).await?;
    let line = teahouse::board_line(&db, found.board.id, now).await?;
    Ok(BoardInfo {
        board: ssr::board_card(line, staff),
        threads: found.lines.into_iter().map(ssr::thread_card).collect(),
        page: found.page,
        pages: found.pages,
        staff,
    })
}

#[server(endpoint = "teahouse/thread", input = server_fn::codec::GetUrl)]
pub async fn thread_view(id: i32, page: Option<u64>) -> Result<ThreadInfo, AppError> {
    use domain::teahouse;
    let viewer = ssr::viewer().await?;
    let db = crate::state::db()?;
    let view = teahouse::thread(
        &db,
        viewer.as_ref(),
        id,
        ssr::page_number(page),
        chrono::Utc::now(),
    )
    .await?;
    let moderator = viewer.as_ref().is_some_and(teahouse::is_moderator);
    let rooms = if moderator {
        domain::directory::mediation_rooms(&db)
            .await?
            .into_iter()
            .map(|r| (r.id, r.name))
            .collect()
    } else {
        Vec::new()
    };
    let mut posts: Vec<PostCard> = std::iter::once(view.opening)
        .chain(view.replies)
        .map(ssr::post_card)
        .collect();
    ssr::with_files(&db, viewer.as_ref(), &mut posts).await?;
    let opening = posts.remove(0);
    Ok(ThreadInfo {
        id: view.thread.id,
        title: view.thread.title.clone(),
        status: view.thread.status,
        board_id: view.board.id,
        board: view.board.name.clone(),
        office: view.office.clone(),
        may_settle: viewer
            .as_ref()
            .is_some_and(|me| view.thread.author_id == Some(me.user.id) || moderator),
        signed_in: viewer.is_some(),
        my_name: viewer.as_ref().and_then(|me| me.user.display_name.clone()),
        my_badge: view.my_badge.clone().map(ssr::badge),
        moderator,
        rooms,
        locked: view.thread.locked,
        hidden: view.thread.hidden,
        overdue: view.overdue,
        case_code: view.case_code,
        page: view.page,
        pages: view.pages,
        opening,
        replies: posts,
    })
}

#[server(endpoint = "teahouse/new-thread", input = server_fn::codec::GetUrl)]
pub async fn new_thread_view(board: i32) -> Result<NewThreadInfo, AppError> {
    use domain::teahouse;
    let (me, _) = crate::accounts::ssr::require_account().await?;
    let db = crate::state::db()?;
    let staff = teahouse::is_staff(&me);
    let line = teahouse::board_line(&db, board, chrono::Utc::now()).await?;
    Ok(NewThreadInfo {
        board: ssr::board_card(line, staff),
        communities: domain::directory::communities(&db)
            .await?
            .into_iter()
            .map(|c| (c.community.id, c.community.name))
            .collect(),
        my_community: me.user.community_id,
        my_name: me.user.display_name,
    })
}

#[server(endpoint = "teahouse/search", input = server_fn::codec::GetUrl)]
pub async fn search_view(q: String, page: Option<u64>) -> Result<SearchInfo, AppError> {
    let viewer = ssr::viewer().await?;
    let (threads, total, pages) = domain::teahouse::search::search(
        &crate::state::db()?,
        viewer.as_ref(),
        &q,
        ssr::page_number(page),
        chrono::Utc::now(),
    )
    .await?;
    Ok(SearchInfo {
        query: q,
        threads: threads.into_iter().map(ssr::thread_card).collect(),
        total,
        page: ssr::page_number(page).min(pages),
        pages,
    })
}

/// The new-thread form's fields (`thread[field]`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ThreadForm {
    pub board_id: i32,
    pub title: String,
    pub body: String,
    /// Empty for "no community".
    #[serde(default)]
    pub community_id: String,
    /// A ticked box sends "on"; an unticked one sends nothing.
    #[serde(default)]
    pub anonymous: Option<String>,
    #[serde(default)]
    pub display_name: String,
}

#[server(endpoint = "teahouse/start")]
pub async fn start_thread(thread: ThreadForm) -> Result<(), AppError> {
    let (me, _) = crate::accounts::ssr::require_account().await?;
    let state = crate::state::state()?;
    let community_id = match thread.community_id.trim() {
        "" => None,
        id => Some(
            id.parse()
                .map_err(|_| AppError::invalid("teahouse-community-invalid"))?,
        ),
    };
    let created = domain::teahouse::start(
        &state.db,
        &me,
        domain::teahouse::NewThread {
            board_id: thread.board_id,
            title: thread.title,
            body: thread.body,
            community_id,
            anonymous: thread.anonymous.is_some(),
            display_name: thread.display_name,
        },
        &state.teahouse,
        chrono::Utc::now(),
    )
    .await?;
    leptos_axum::redirect(&domain::teahouse::thread_link(created.id));
    Ok(())
}

/// The reply form's fields (`reply[field]`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReplyForm {
    pub thread_id: i32,
    pub body: String,
    #[serde(default)]
    pub anonymous: Option<String>,
    #[serde(default)]
    pub display_name: String,
}

#[server(endpoint = "teahouse/reply")]
pub async fn post_reply(reply: ReplyForm) -> Result<(), AppError> {
    let (me, _) = crate::accounts::ssr::require_account().await?;
    let state = crate::state::state()?;
    let thread_id = reply.thread_id;
    let post = domain::teahouse::reply(
        &state.db,
        &me,
        domain::teahouse::NewReply {
            thread_id,
            body: reply.body,
            anonymous: reply.anonymous.is_some(),
            display_name: reply.display_name,
        },
        &state.teahouse,
        chrono::Utc::now(),
    )
    .await?;
    // The last page is where a new reply shows; `u64::MAX` is clamped to it.
    leptos_axum::redirect(&format!(
        "{}?page={}#p{}",
        domain::teahouse::thread_link(thread_id),
        u64::MAX,
        post.id
    ));
    Ok(())
}

#[server(endpoint = "teahouse/accept")]
pub async fn accept_answer(thread_id: i32, post_id: i32) -> Result<(), AppError> {
    let (me, _) = crate::accounts::ssr::require_account().await?;
    domain::teahouse::accept(
        &crate::state::db()?,
        &me,
        thread_id,
        post_id,
        chrono::Utc::now(),
    )
    .await?;
    leptos_axum::redirect(&format!(
        "{}?done=accepted",
        domain::teahouse::thread_link(thread_id)
    ));
    Ok(())
}

#[server(endpoint = "teahouse/resolve")]
pub async fn resolve_thread(thread_id: i32) -> Result<(), AppError> {
    let (me, _) = crate::accounts::ssr::require_account().await?;
    domain::teahouse::resolve(&crate::state::db()?, &me, thread_id).await?;
    leptos_axum::redirect(&format!(
        "{}?done=resolved",
        domain::teahouse::thread_link(thread_id)
    ));
    Ok(())
}

/// The officer's "turn into a mediation case" form (`case[field]`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseFromThread {
    pub thread_id: i32,
    pub dispute_type: String,
    pub room_id: i32,
    pub other_party: String,
}

#[server(endpoint = "teahouse/to-case")]
pub async fn thread_to_case(case: CaseFromThread) -> Result<(), AppError> {
    let (me, _) = crate::accounts::ssr::require_account().await?;
    let code = domain::teahouse::to_case(
        &crate::state::db()?,
        &me,
        domain::teahouse::ThreadCase {
            thread_id: case.thread_id,
            dispute_type: case.dispute_type,
            room_id: case.room_id,
            other_party: case.other_party,
        },
        chrono::Utc::now(),
    )
    .await?;
    leptos_axum::redirect(&domain::mediation::cases::case_link(&code));
    Ok(())
}
