//! 老王帮帮团: applications and shifts.

use crate::vocabulary;

vocabulary! {
    pub enum ApplicationStatus {
        Pending = "pending",
        Approved = "approved",
        Declined = "declined",
    }
}

vocabulary! {
    pub enum ShiftKind {
        /// A patrol or duty shift.
        Shift = "shift",
        /// A show, a campaign, a training.
        Event = "event",
    }
}
