//! 警网融合: where a case came from, its stages, who holds it and what its history records.

use crate::vocabulary;

vocabulary! {
    /// Where a case came from.
    pub enum Kind {
        Mediation = "mediation",
        Thread = "thread",
        Help = "help",
        WalkIn = "walk_in",
        Phone = "phone",
        /// Found on patrol: a hazard rather than a resident's request.
        Patrol = "patrol",
        /// 驻企服务: a service request an enterprise's contact filed.
        Enterprise = "enterprise",
    }
}

vocabulary! {
    pub enum Stage {
        Intake = "intake",
        Triage = "triage",
        Assigned = "assigned",
        InProgress = "in_progress",
        Feedback = "feedback",
        Closed = "closed",
    }
}

vocabulary! {
    /// The kinds of organisation a case is assigned to, lowest level first.
    pub enum OrgKind {
        AidStation = "aid_station",
        MediationRoom = "mediation_room",
        Squad = "squad",
        PoliceOffice = "police_office",
        Station = "station",
    }
}

vocabulary! {
    /// What a history row records.
    pub enum Action {
        Opened = "opened",
        Triaged = "triaged",
        Assigned = "assigned",
        Transferred = "transferred",
        Started = "started",
        Feedback = "feedback",
        Closed = "closed",
        Reopened = "reopened",
        Escalated = "escalated",
        Returned = "returned",
        Linked = "linked",
    }
}

vocabulary! {
    pub enum Colour {
        Red = "red",
        Yellow = "yellow",
        Green = "green",
    }
}

vocabulary! {
    /// 情感类 and 家暴类: the repeat disputes the graded response applies to.
    pub enum Concern {
        /// 情感纠纷
        Emotional = "emotional",
        /// 家庭暴力
        Domestic = "domestic",
    }
}

vocabulary! {
    /// "初次教育 — 二次训诫 — 三次拘留": the steps of the graded response, in order.
    pub enum Grade {
        /// 初次教育
        Education = "education",
        /// 二次训诫
        Admonition = "admonition",
        /// 三次拘留
        Detention = "detention",
    }
}
