//! 警事茶楼: the life of a thread and the words of moderation.

use crate::vocabulary;

vocabulary! {
    /// Where a thread is in its life.
    pub enum ThreadStatus {
        /// Waiting for answers.
        Open = "open",
        /// The author (or staff) accepted a reply as the answer.
        Answered = "answered",
        /// The matter is settled.
        Resolved = "resolved",
        /// Closed by staff: no more replies.
        Closed = "closed",
    }
}

vocabulary! {
    /// Why a post is flagged.
    pub enum FlagReason {
        Abuse = "abuse",
        Spam = "spam",
        /// Someone's phone, address or ID in the open.
        Privacy = "privacy",
        Rumour = "rumour",
        Other = "other",
    }
}

vocabulary! {
    /// What a moderator does, as written in the log.
    pub enum Action {
        Hide = "hide",
        Restore = "restore",
        /// Empties the post for good; the log keeps that it happened.
        Delete = "delete",
        /// Leaves the post as it is and clears its flags.
        Dismiss = "dismiss",
        Lock = "lock",
        Unlock = "unlock",
        Close = "close",
        Reopen = "reopen",
    }
}
