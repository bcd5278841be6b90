//! The organisations a case can go to, who works for which, and who may see a case.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, DatabaseConnection};

use crate::accounts::{Account, Role};
use crate::entities::case_record;
use crate::memberships::Group;
use crate::{Error, Result};

use super::OrgKind;

/// An organisation a case can be assigned to; the station has no id.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Org {
    pub kind: OrgKind,
    pub id: Option<i32>,
}

impl Org {
    pub const STATION: Org = Org {
        kind: OrgKind::Station,
        id: None,
    };

    pub fn of(case: &case_record::Model) -> Option<Org> {
        let kind = case.org_kind?;
        Some(Org {
            kind,
            id: case.org_id,
        })
    }

    /// "aid_station:3", "station": how forms name an organisation.
    pub fn key(self) -> String {
        match self.id {
            Some(id) => format!("{}:{id}", self.kind.as_str()),
            None => self.kind.as_str().to_owned(),
        }
    }

    pub fn parse_key(key: &str) -> Option<Org> {
        let (kind, id) = match key.trim().split_once(':') {
            Some((kind, id)) => (kind, Some(id.parse().ok()?)),
            None => (key.trim(), None),
        };
        let kind = OrgKind::parse(kind)?;
        ((kind == OrgKind::Station) == id.is_none()).then_some(Org { kind, id })
    }

    /// Whether the police handle it (rather than a station, a room or a squad).
    pub fn is_police(self) -> bool {
        matches!(self.kind, OrgKind::PoliceOffice | OrgKind::Station)
    }
}

/// Every organisation with its name, lowest level first, retired ones too: what names the
/// organisations of cases.
pub async fn organisations(db: &impl ConnectionTrait) -> Result<Vec<(Org, String)>> {
    listed(db, false).await
}

/// The organisations in service, lowest level first: what assignment forms offer.
pub async fn assignable(db: &impl ConnectionTrait) -> Result<Vec<(Org, String)>> {
    listed(db, true).await
}

async fn listed(db: &impl ConnectionTrait, in_service: bool) -> Result<Vec<(Org, String)>> {
    use crate::directory::{Kind, admin::of_kind};
    let mut out = Vec::new();
    for (kind, org_kind) in [
        (Kind::AidStation, OrgKind::AidStation),
        (Kind::MediationRoom, OrgKind::MediationRoom),
        (Kind::Squad, OrgKind::Squad),
        (Kind::PoliceOffice, OrgKind::PoliceOffice),
    ] {
        for entry in of_kind(db, kind).await? {
            if !in_service || entry.retired_at.is_none() {
                out.push((org(org_kind, entry.id), entry.fields.name));
            }
        }
    }
    out.push((Org::STATION, station_name(db).await?));
    Ok(out)
}

/// The police station the portal belongs to, as its identity names it; 派出所 ("the
/// police station") before one has been entered.
pub async fn station_name(db: &impl ConnectionTrait) -> Result<String> {
    Ok(crate::station::get(db)
        .await?
        .map_or_else(|| "派出所".to_owned(), |s| s.name))
}

pub(crate) fn org(kind: OrgKind, id: i32) -> Org {
    Org { kind, id: Some(id) }
}

/// The organisations `user_id` works cases for: a membership counts only while its person
/// holds the role it rests on (`memberships::Membership::role`).
pub async fn orgs_of(db: &impl ConnectionTrait, user_id: i32) -> Result<Vec<Org>> {
    let roles = crate::accounts::roles_of(db, user_id).await?;
    Ok(crate::memberships::of(db, user_id)
        .await?
        .into_iter()
        .filter(|m| roles.contains(&m.role))
        .filter_map(|m| {
            let kind = match m.group {
                Group::AidStation => OrgKind::AidStation,
                Group::PoliceOffice => OrgKind::PoliceOffice,
                Group::MediationRoom => OrgKind::MediationRoom,
                Group::Squad => OrgKind::Squad,
                // Liaison rooms answer in the tea house, anti-fraud teams keep their
                // register and enterprises file requests; they are given no cases.
                Group::LiaisonRoom | Group::FraudTeam | Group::Enterprise => return None,
            };
            Some(org(kind, m.id))
        })
        .collect())
}

/// Makes `user_id` a member of a mutual-aid station or a police office (and a resident, the
/// role it rests on): an admin's act, logged.
pub async fn add_member(
    db: &DatabaseConnection,
    admin: &Account,
    org: Org,
    user_id: i32,
    now: DateTime<Utc>,
) -> Result<()> {
    admin.require(Role::Admin)?;
    let group = match (org.kind, org.id) {
        (OrgKind::AidStation, Some(_)) => Group::AidStation,
        (OrgKind::PoliceOffice, Some(_)) => Group::PoliceOffice,
        _ => return Err(Error::Invalid("case-org-invalid")),
    };
    let id = org.id.ok_or(Error::Invalid("case-org-invalid"))?;
    crate::memberships::add(db, admin, user_id, group, id, now)
        .await
        .map_err(|e| match e {
            Error::Invalid("admin-membership-invalid") => Error::Invalid("case-org-invalid"),
            e => e,
        })
}

/// Who may see and work a case.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    /// Officers (and admins): every case, every move.
    Officer,
    /// A member of the organisation the case is assigned to: start it, report the outcome.
    Member,
}

/// What `account` may do with `case`; NotFound for anyone else, so a guessed code tells
/// nothing.
pub async fn access(
    db: &impl ConnectionTrait,
    account: &Account,
    case: &case_record::Model,
) -> Result<Access> {
    if account.has(Role::Officer) || account.has(Role::Admin) {
        return Ok(Access::Officer);
    }
    match Org::of(case) {
        Some(org) if orgs_of(db, account.user.id).await?.contains(&org) => Ok(Access::Member),
        _ => Err(Error::NotFound),
    }
}

/// A case goes to the station or to an organisation in service (a retired one keeps the
/// cases it had, and takes no new ones).
pub(crate) async fn check_org(db: &impl ConnectionTrait, org: Org) -> Result<()> {
    use crate::directory::{Kind, admin::in_service};
    let kind = match org.kind {
        OrgKind::Station if org.id.is_none() => return Ok(()),
        OrgKind::Station => return Err(Error::Invalid("case-org-invalid")),
        OrgKind::AidStation => Kind::AidStation,
        OrgKind::MediationRoom => Kind::MediationRoom,
        OrgKind::Squad => Kind::Squad,
        OrgKind::PoliceOffice => Kind::PoliceOffice,
    };
    match org.id {
        Some(id) if in_service(db, kind, id).await? => Ok(()),
        _ => Err(Error::Invalid("case-org-invalid")),
    }
}

/// Names of every organisation, by org.
pub async fn org_names(db: &impl ConnectionTrait) -> Result<HashMap<Org, String>> {
    Ok(organisations(db).await?.into_iter().collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn organisations_are_named_by_key() {
        let room = Org {
            kind: OrgKind::MediationRoom,
            id: Some(3),
        };
        assert_eq!(room.key(), "mediation_room:3");
        assert_eq!(Org::parse_key("mediation_room:3"), Some(room));
        assert_eq!(Org::parse_key("station"), Some(Org::STATION));
        assert_eq!(Org::parse_key("station:1"), None);
        assert_eq!(Org::parse_key("squad"), None);
        assert_eq!(Org::parse_key("prison:1"), None);
        assert!(Org::STATION.is_police() && !room.is_police());
    }
}
