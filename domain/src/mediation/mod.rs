//! 你点我调: a resident asks for a dispute to be mediated, books a slot of a room's
//! published availability and follows the case to its follow-up visit; mediators run their
//! rooms' calendars and queues; the station's figures come from these records.
//!
//! - `schedule`: availability windows and the slots cut from them.
//! - `cases`: the case's life, each step a guarded status change with a timeline event.
//! - `stats`: 调解成效, the figures per room, per month and in total.

pub mod cases;
pub mod export;
pub mod schedule;
pub mod stats;
pub mod video;

use chrono::Duration;

pub use cases::*;

/// Every rule code this feature can refuse with; each is a translation key.
pub const REFUSAL_CODES: &[&str] = &[
    "mediation-type-invalid",
    "mediation-account-length",
    "mediation-other-party-required",
    "mediation-relation-long",
    "mediation-other-phone-invalid",
    "mediation-amount-invalid",
    "mediation-mode-invalid",
    "mediation-room-invalid",
    "mediation-throttled",
    "mediation-slot-unavailable",
    "mediation-slot-taken",
    "mediation-case-changed",
    "mediation-too-late",
    "mediation-outcome-invalid",
    "mediation-agreement-required",
    "mediation-text-long",
    "mediation-rating-invalid",
    "mediation-level-invalid",
    "mediation-reason-required",
    "mediation-schedule-invalid",
    "mediation-window-invalid",
    "mediation-referral-target-required",
    "mediation-referral-note-required",
    "mediation-not-referred",
    "mediation-referral-result-invalid",
];

/// The inbox topics this feature sends; each is a translation key with a `{ $code }`.
pub const INBOX_TOPICS: &[&str] = &[
    "inbox-case-new",
    "inbox-case-booked",
    "inbox-case-rescheduled",
    "inbox-case-proposed",
    "inbox-case-accepted",
    "inbox-case-declined",
    "inbox-case-cancelled",
    "inbox-case-outcome",
    "inbox-case-followed-up",
    "inbox-case-escalated",
];

pub use vocab::mediation::{
    DisputeType, EventKind, Level, Mode, Outcome, ReferralResult, ReferralTarget, Status, Viewer,
};

/// The operator's knobs.
#[derive(Clone, Copy, Debug)]
pub struct Policy {
    /// A resident may cancel or reschedule until this long before the slot; slots closer
    /// than this cannot be booked.
    pub cutoff: Duration,
    /// Requests one resident may file in a day.
    pub requests_per_day: u64,
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            cutoff: Duration::hours(2),
            requests_per_day: 3,
        }
    }
}
