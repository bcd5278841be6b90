//! The directory: the kinds of organisation a station keeps, and the fields beyond a name
//! and a parent that only some kinds have.

use crate::accounts::Group;
use crate::vocabulary;

vocabulary! {
    /// The kinds of organisation in the directory, parents before their children (the
    /// order an import creates them in).
    pub enum Kind {
        /// 警务室
        PoliceOffice = "police_office",
        /// 社区
        Community = "community",
        /// 小区
        Compound = "compound",
        /// 自治互助站
        AidStation = "aid_station",
        /// 调解室 (the main room and its branches)
        MediationRoom = "mediation_room",
        /// 联络室
        LiaisonRoom = "liaison_room",
        /// 学校: where 护苗队 keep the gate
        School = "school",
        /// 企业: a company served by 警企共建, with its contacts
        Enterprise = "enterprise",
        /// 老王帮帮团's 小分队; a 护苗队 sits under the school whose gate it keeps
        Squad = "squad",
    }
}

impl Kind {
    /// The kind of organisation this one sits under, if any.
    pub fn parent_kind(self) -> Option<Kind> {
        match self {
            Kind::Community | Kind::LiaisonRoom => Some(Kind::PoliceOffice),
            Kind::Compound
            | Kind::AidStation
            | Kind::MediationRoom
            | Kind::School
            | Kind::Enterprise => Some(Kind::Community),
            Kind::Squad => Some(Kind::School),
            Kind::PoliceOffice => None,
        }
    }

    /// Whether it must sit under a parent: a community's police office, a room's community
    /// (none: the main room) and a squad's school (none: not a 护苗队) are optional.
    pub fn parent_required(self) -> bool {
        matches!(
            self,
            Kind::Compound | Kind::AidStation | Kind::LiaisonRoom | Kind::School | Kind::Enterprise
        )
    }

    /// Whether this kind keeps `field`; the others are left empty.
    pub fn uses(self, field: Field) -> bool {
        match field {
            Field::Address => matches!(
                self,
                Kind::PoliceOffice | Kind::MediationRoom | Kind::School | Kind::Enterprise
            ),
            Field::Hours | Field::Phone => self == Kind::MediationRoom,
            Field::Description => {
                matches!(self, Kind::PoliceOffice | Kind::LiaisonRoom | Kind::Squad)
            }
            Field::Compound | Field::Initiator | Field::Coordinator | Field::Officer => {
                self == Kind::AidStation
            }
        }
    }

    /// The kind of organisation people belong to, for the kinds that have people.
    pub fn group(self) -> Option<Group> {
        match self {
            Kind::PoliceOffice => Some(Group::PoliceOffice),
            Kind::AidStation => Some(Group::AidStation),
            Kind::MediationRoom => Some(Group::MediationRoom),
            Kind::LiaisonRoom => Some(Group::LiaisonRoom),
            Kind::Squad => Some(Group::Squad),
            Kind::Community => Some(Group::FraudTeam),
            Kind::Enterprise => Some(Group::Enterprise),
            Kind::Compound | Kind::School => None,
        }
    }
}

/// The fields beyond a name and a parent, which only some kinds keep.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Field {
    Address,
    Hours,
    Phone,
    Description,
    Compound,
    Initiator,
    Coordinator,
    Officer,
}
