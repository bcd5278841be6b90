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
        /// 社区民警
        Officer = "officer",
        /// 辅警: auxiliary police of a community's anti-fraud team
        Auxiliary = "auxiliary",
        /// 网格员: a grid worker of a community's anti-fraud team
        GridWorker = "grid_worker",
        /// 企业联络人: files an enterprise's service requests (驻企服务)
        EnterpriseContact = "enterprise_contact",
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
        /// A community's anti-fraud team (1 民警 + 3 辅警 + N 网格员).
        FraudTeam = "fraud_team",
        /// An enterprise's contacts; each contact speaks for one enterprise.
        Enterprise = "enterprise",
    }
}

vocabulary! {
    /// Where an admin acted.
    pub enum Via {
        AdminPage = "admin_page",
        CommandLine = "command_line",
        /// An officer (or admin) at the counter, with the person in front of them.
        Counter = "counter",
        /// The person themselves, with a reset code from the counter.
        ResetPage = "reset_page",
        /// The first start in the browser (`/setup`), by the admin it creates.
        SetupPage = "setup_page",
    }
}

vocabulary! {
    pub enum LogAction {
        RoleGranted = "role_granted",
        RoleRevoked = "role_revoked",
        MemberAdded = "member_added",
        MemberRemoved = "member_removed",
        /// The station's identity entered or changed.
        StationSaved = "station_saved",
        /// 重置码: a one-time reset code issued at the counter…
        ResetIssued = "reset_issued",
        /// …and spent by the resident on a new password.
        ResetUsed = "reset_used",
        /// A resident registered at the counter by an officer.
        CounterSignup = "counter_signup",
        /// One of the station's reported totals entered, changed or taken off /stats.
        RecordSaved = "record_saved",
        /// An organisation of the directory created…
        OrgCreated = "org_created",
        /// …renamed, moved or its details changed…
        OrgChanged = "org_changed",
        /// …retired from every choice, keeping its history…
        OrgRetired = "org_retired",
        /// …or brought back.
        OrgRestored = "org_restored",
        /// A directory file applied.
        DirectoryImported = "dir_imported",
    }
}

impl LogAction {
    /// Whether its rows name an account: changes of the directory and the station's own
    /// records name none.
    pub fn names_an_account(self) -> bool {
        !matches!(
            self,
            LogAction::OrgCreated
                | LogAction::OrgChanged
                | LogAction::OrgRetired
                | LogAction::OrgRestored
                | LogAction::DirectoryImported
                | LogAction::StationSaved
                | LogAction::RecordSaved
        )
    }
}

impl Group {
    /// The kind of the directory's organisation.
    pub fn kind(self) -> crate::directory::Kind {
        use crate::directory::Kind;
        match self {
            Group::AidStation => Kind::AidStation,
            Group::MediationRoom => Kind::MediationRoom,
            Group::Squad => Kind::Squad,
            Group::PoliceOffice => Kind::PoliceOffice,
            Group::LiaisonRoom => Kind::LiaisonRoom,
            Group::FraudTeam => Kind::Community,
            Group::Enterprise => Kind::Enterprise,
        }
    }

    /// The roles a membership of this kind may rest on, the one given by default first: an
    /// anti-fraud team takes its community officer, auxiliaries and grid workers.
    pub fn roles(self) -> &'static [Role] {
        match self {
            Group::AidStation | Group::PoliceOffice => &[Role::Resident],
            Group::MediationRoom => &[Role::Mediator],
            Group::Squad => &[Role::Volunteer],
            Group::LiaisonRoom => &[Role::Liaison],
            Group::FraudTeam => &[Role::GridWorker, Role::Auxiliary, Role::Officer],
            Group::Enterprise => &[Role::EnterpriseContact],
        }
    }
}
