//! Roles, the organisations people belong to, and the admin log's words.

use crate::vocabulary;

vocabulary! {
    /// What a person may do; an account holds one or more.
    pub enum Role {
        /// 居民
        Resident = "resident",
        /// 志愿者 of 老王帮帮团
        Volunteer = "volunteer",
        /// 调解员
        Mediator = "mediator",
        /// 联络员 of a tea-house liaison room
        Liaison = "liaison",
        /// 社区民警 and auxiliary police
        Officer = "officer",
        /// station staff who manage users and the directory
        Admin = "admin",
    }
}

vocabulary! {
    /// The kinds of organisation a person can belong to.
    pub enum Group {
        AidStation = "aid_station",
        MediationRoom = "mediation_room",
        Squad = "squad",
        PoliceOffice = "police_office",
        LiaisonRoom = "liaison_room",
    }
}

vocabulary! {
    /// Where an admin acted.
    pub enum Via {
        AdminPage = "admin_page",
        CommandLine = "command_line",
    }
}

vocabulary! {
    pub enum LogAction {
        RoleGranted = "role_granted",
        RoleRevoked = "role_revoked",
        MemberAdded = "member_added",
        MemberRemoved = "member_removed",
    }
}

impl Group {
    /// The role a membership of this kind rests on.
    pub fn role(self) -> Role {
        match self {
            Group::AidStation | Group::PoliceOffice => Role::Resident,
            Group::MediationRoom => Role::Mediator,
            Group::Squad => Role::Volunteer,
            Group::LiaisonRoom => Role::Liaison,
        }
    }
}
