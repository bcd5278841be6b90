//! 警网融合 — one closed loop for every case. A case is intake → triage → assigned → in
//! progress → feedback → closed (plus transferred and reopened), assigned to an
//! organisation (a mutual-aid station, a mediation room, a squad, a police office, the
//! station) and optionally a person. Each stage has a deadline from `case_deadlines`; an
//! overdue case is flagged and, where configured, moves up a level by itself (`escalation`).
//!
//! Every move is an `UPDATE … WHERE stage IN (…)` written in one transaction with its history
//! row, so an illegal move changes nothing and two people acting at once cannot both win.
//! Mediation requests, help requests and threads turned into cases enter the loop by
//! themselves (`sources`).
//!
//! Where things are: `orgs` (where a case can go, who works for which, who may see it),
//! `deadlines`, `steps` (every move of a case), `board` (the board and a case's page),
//! `figures`, `colours` (三色), `grades` (its graded response) and `export`.

pub mod board;
pub mod colours;
pub mod deadlines;
pub mod escalation;
pub mod export;
pub mod figures;
pub mod grades;
pub mod orgs;
pub mod sources;
pub mod steps;

pub use board::{BoardFilter, BoardLine, CaseDetail, board, detail};
pub use deadlines::{MAX_DEADLINE_HOURS, deadlines, is_overdue, set_deadline};
pub use orgs::{
    Access, Org, access, add_member, assignable, org_names, organisations, orgs_of, station_name,
};
pub use steps::{
    Closing, NewCase, assign, assign_many, close, link_household, open, reopen, report, start,
    triage,
};
pub use vocab::casework::{Action, Kind, OrgKind, Stage};

/// Every rule code this module can refuse with; each is a translation key.
pub const REFUSAL_CODES: &[&str] = &[
    "case-kind-invalid",
    "case-title-length",
    "case-summary-length",
    "case-contact-long",
    "case-phone-invalid",
    "case-community-invalid",
    "case-org-invalid",
    "case-assignee-invalid",
    "case-move-illegal",
    "case-reason-required",
    "case-outcome-required",
    "case-feedback-required",
    "case-rating-invalid",
    "case-household-long",
    "case-period-invalid",
    "case-deadline-hours-invalid",
    "case-concern-has-grades",
    "case-grade-needs-concern",
    "case-grade-date-invalid",
    "case-grade-recorded",
    // The forms' own: a concern or a step the lists do not have.
    "case-grade-invalid",
];

/// Kinds an officer opens by hand; the others enter the loop from their feature.
pub const OPENED_BY_HAND: [Kind; 3] = [Kind::WalkIn, Kind::Phone, Kind::Patrol];
