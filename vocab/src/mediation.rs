//! 你点我调: disputes, their modes, the ladder, a case's status and history, the video room.

use crate::vocabulary;

vocabulary! {
    /// What the dispute is about.
    pub enum DisputeType {
        /// Neighbours, noise, leaks.
        Neighbours = "neighbours",
        Family = "family",
        /// Property management.
        Property = "property",
        /// Money and debts.
        Debt = "debt",
        Consumer = "consumer",
        Wages = "wages",
        Other = "other",
    }
}

vocabulary! {
    pub enum Mode {
        InPerson = "in_person",
        Video = "video",
    }
}

vocabulary! {
    /// The ladder a dispute climbs: mutual-aid station → mediation room → community →
    /// police station.
    pub enum Level {
        AidStation = "aid_station",
        Room = "room",
        Community = "community",
        Station = "station",
    }
}

vocabulary! {
    pub enum Status {
        /// Asked for, no slot yet.
        Requested = "requested",
        /// A slot is held; the room confirms bookings and has not yet.
        Booked = "booked",
        /// A mediator has the session in the calendar.
        Accepted = "accepted",
        Declined = "declined",
        Cancelled = "cancelled",
        /// The outcome is recorded; the follow-up visit is due.
        Resolved = "resolved",
        /// Followed up: the case is done.
        Closed = "closed",
        /// Handed up the ladder beyond the mediation rooms.
        Escalated = "escalated",
    }
}

vocabulary! {
    pub enum Outcome {
        Reached = "reached",
        Partly = "partly",
        NotReached = "not_reached",
        /// To a court, the police or another body.
        Referred = "referred",
    }
}

vocabulary! {
    /// Where a referred case went (转交): the bodies the article names beside the rooms.
    pub enum ReferralTarget {
        /// 街道司法所
        JudicialOffice = "judicial_office",
        /// 区法院 诉调对接
        Court = "court",
        /// 区老干部局
        VeteranCadres = "veteran_cadres",
        /// 派出所
        Police = "police",
        Other = "other",
    }
}

vocabulary! {
    /// What became of a referral, as the mediator learned it.
    pub enum ReferralResult {
        /// Taken up by the body it went to, not yet settled.
        Accepted = "accepted",
        Settled = "settled",
        /// The body did not take it up.
        Refused = "refused",
        /// No answer from the body yet.
        NoAnswer = "no_answer",
    }
}

vocabulary! {
    pub enum EventKind {
        Requested = "requested",
        Booked = "booked",
        Accepted = "accepted",
        Declined = "declined",
        Rescheduled = "rescheduled",
        Proposed = "proposed",
        Cancelled = "cancelled",
        Held = "held",
        Outcome = "outcome",
        FollowUp = "follow_up",
        Escalated = "escalated",
    }
}

vocabulary! {
    /// Who someone is in the room.
    pub enum Part {
        Resident = "resident",
        Mediator = "mediator",
        OtherParty = "other_party",
    }
}

impl Status {
    /// Statuses in which the case is still in a room's hands.
    pub const OPEN: [Status; 3] = [Status::Requested, Status::Booked, Status::Accepted];
}

vocabulary! {
    /// How the person looking at a case relates to it.
    pub enum Viewer {
        /// The resident who asked.
        Resident = "resident",
        /// A mediator of the case's room (or an admin).
        Mediator = "mediator",
        /// A community officer: sees every case, never the other party's number.
        Officer = "officer",
    }
}
