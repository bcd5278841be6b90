//! 警事茶楼 — the tea-house forum. Residents start threads on a board (one per liaison
//! room, and general ones) and reply; liaisons of the board's room and officers answer with
//! an official badge; the author (or staff) accepts the answer and marks the thread resolved;
//! an officer can turn a thread into a mediation case.
//!
//! Posting limits are counted under a lock on the poster's row (`db::lock_user`), so posts
//! sent at once are counted one after the other.
//!
//! Where things are: `boards`, `threads` (lists, a thread's page, starting and settling one,
//! turning it into a case), `replies` (and the rules every post passes), `liaisons` (official
//! badges), `moderation`, `search` and `export`.

pub mod boards;
pub mod export;
pub mod liaisons;
pub mod moderation;
pub mod replies;
pub mod search;
pub mod threads;

use crate::accounts::{Account, Role};

pub use boards::{BoardLine, NewBoard, board_line, boards, offices_and_rooms, open_board};
pub use liaisons::{Official, rooms_of};
pub use replies::{NewReply, accept, reply};
pub use threads::{
    Author, NewThread, PostView, ThreadCase, ThreadLine, ThreadPage, ThreadView, resolve, start,
    thread, thread_of_case, threads, to_case,
};
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
