//! Who belongs to which organisation, and the role each membership rests on. Access to an
//! organisation's work needs both: the role and the membership. Taking a role back ends the
//! memberships that rest on it in the same transaction (`accounts::revoke`), and admins add
//! and end memberships of any organisation (squads too: `add_to_squad`); every such act goes
//! into the admin log.
//!
//! The role a membership rests on:
//! - a mediation room (`room_mediators`): mediator;
//! - a squad of 老王帮帮团 (`squad_members`, leaders too): volunteer;
//! - a tea-house liaison room (`liaison_members`): liaison;
//! - a community's anti-fraud team (`fraud_team_members`): officer, auxiliary (辅警) or grid
//!   worker (网格员), the one the admin chose, kept with the membership;
//! - an enterprise (`enterprise_contacts`): enterprise contact, for one enterprise only (the
//!   table's key is the person), so joining a second enterprise is refused;
//! - a mutual-aid station or a police office (`org_members`): resident. Their people hold no
//!   role of their own (the demo's station members and office staff are residents): the
//!   membership is what lets them work the organisation's cases, and it rests on their
//!   account as a person of the community. Taking "resident" back ends it.

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    TransactionTrait, TryInsertResult,
};

use crate::accounts::{self, Account, Role};
use crate::admin_log::{self, Actor, Change, LogAction};
use crate::entities::{
    aid_station, community, enterprise, enterprise_contact, fraud_team_member, liaison_member,
    liaison_room, mediation_room, org_member, police_office, room_mediator, squad, squad_member,
    user,
};
use crate::{Error, Result};

/// Every rule code this module can refuse with; each is a translation key.
pub const REFUSAL_CODES: &[&str] = &[
    "admin-membership-invalid",
    "admin-no-such-membership",
    "admin-contact-elsewhere",
];

pub use vocab::accounts::Group;

/// One membership of a person, with the organisation's name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Membership {
    pub group: Group,
    pub id: i32,
    pub name: String,
    /// Leads the squad (squads only).
    pub leader: bool,
    /// The role it rests on.
    pub role: Role,
}

impl Membership {
    /// "mediation_room:3": how forms and the log name the organisation.
    pub fn key(&self) -> String {
        key(self.group, self.id)
    }

    /// What the log keeps: the key, the name at the time, whether they led it and, on an
    /// anti-fraud team, as what.
    fn described(&self) -> String {
        let leader = if self.leader { " leader" } else { "" };
        let role = if self.group == Group::FraudTeam {
            format!(" {}", self.role)
        } else {
            String::new()
        };
        format!("{} {}{leader}{role}", self.key(), self.name)
    }
}

fn key(group: Group, id: i32) -> String {
    format!("{}:{id}", group.as_str())
}

/// The name of an organisation, or None when there is no such one.
async fn name_of(db: &impl ConnectionTrait, group: Group, id: i32) -> Result<Option<String>> {
    Ok(match group {
        Group::AidStation => aid_station::Entity::find_by_id(id)
            .one(db)
            .await?
            .map(|o| o.name),
        Group::PoliceOffice => police_office::Entity::find_by_id(id)
            .one(db)
            .await?
            .map(|o| o.name),
        Group::MediationRoom => mediation_room::Entity::find_by_id(id)
            .one(db)
            .await?
            .map(|o| o.name),
        Group::Squad => squad::Entity::find_by_id(id).one(db).await?.map(|o| o.name),
        Group::LiaisonRoom => liaison_room::Entity::find_by_id(id)
            .one(db)
            .await?
            .map(|o| o.name),
        Group::FraudTeam => community::Entity::find_by_id(id)
            .one(db)
            .await?
            .map(|o| o.name),
        Group::Enterprise => enterprise::Entity::find_by_id(id)
            .one(db)
            .await?
            .map(|o| o.name),
    })
}

/// The role a membership of `group` rests on when it keeps none of its own.
fn usual_role(group: Group) -> Role {
    group.roles()[0]
}

/// Every membership of `user_id`, whatever roles they hold.
pub async fn of(db: &impl ConnectionTrait, user_id: i32) -> Result<Vec<Membership>> {
    let mut found: Vec<(Group, i32, bool, Role)> = Vec::new();
    for m in org_member::Entity::find()
        .filter(org_member::Column::UserId.eq(user_id))
        .all(db)
        .await?
    {
        let group = Group::parse(&m.kind)
            .ok_or(Error::Internal("a stored organisation kind is no kind"))?;
        found.push((group, m.org_id, false, usual_role(group)));
    }
    for m in room_mediator::Entity::find()
        .filter(room_mediator::Column::UserId.eq(user_id))
        .all(db)
        .await?
    {
        found.push((Group::MediationRoom, m.room_id, false, Role::Mediator));
    }
    for m in squad_member::Entity::find()
        .filter(squad_member::Column::UserId.eq(user_id))
        .all(db)
        .await?
    {
        found.push((Group::Squad, m.squad_id, m.is_leader, Role::Volunteer));
    }
    for m in liaison_member::Entity::find()
        .filter(liaison_member::Column::UserId.eq(user_id))
        .all(db)
        .await?
    {
        found.push((Group::LiaisonRoom, m.liaison_room_id, false, Role::Liaison));
    }
    for m in fraud_team_member::Entity::find()
        .filter(fraud_team_member::Column::UserId.eq(user_id))
        .all(db)
        .await?
    {
        found.push((Group::FraudTeam, m.community_id, false, m.role));
    }
    if let Some(m) = enterprise_contact::Entity::find_by_id(user_id)
        .one(db)
        .await?
    {
        found.push((
            Group::Enterprise,
            m.enterprise_id,
            false,
            Role::EnterpriseContact,
        ));
    }
    let mut out = Vec::with_capacity(found.len());
    for (group, id, leader, role) in found {
        out.push(Membership {
            group,
            id,
            name: name_of(db, group, id).await?.unwrap_or_default(),
            leader,
            role,
        });
    }
    out.sort_by_key(|m| (m.group, m.id));
    Ok(out)
}

/// Deletes one membership; whether there was one.
async fn delete(db: &impl ConnectionTrait, user_id: i32, group: Group, id: i32) -> Result<bool> {
    let deleted = match group {
        Group::AidStation | Group::PoliceOffice => {
            org_member::Entity::delete_many()
                .filter(org_member::Column::Kind.eq(group.as_str()))
                .filter(org_member::Column::OrgId.eq(id))
                .filter(org_member::Column::UserId.eq(user_id))
                .exec(db)
                .await?
        }
        Group::MediationRoom => {
            room_mediator::Entity::delete_by_id((id, user_id))
                .exec(db)
                .await?
        }
        Group::Squad => {
            squad_member::Entity::delete_by_id((id, user_id))
                .exec(db)
                .await?
        }
        Group::LiaisonRoom => {
            liaison_member::Entity::delete_by_id((id, user_id))
                .exec(db)
                .await?
        }
        Group::FraudTeam => {
            fraud_team_member::Entity::delete_by_id((id, user_id))
                .exec(db)
                .await?
        }
        Group::Enterprise => {
            enterprise_contact::Entity::delete_many()
                .filter(enterprise_contact::Column::UserId.eq(user_id))
                .filter(enterprise_contact::Column::EnterpriseId.eq(id))
                .exec(db)
                .await?
        }
    };
    Ok(deleted.rows_affected > 0)
}

/// Ends a membership and logs it; call it inside the transaction of the change.
async fn end(
    db: &impl ConnectionTrait,
    by: Actor,
    user_id: i32,
    membership: &Membership,
    now: DateTime<Utc>,
) -> Result<bool> {
    if !delete(db, user_id, membership.group, membership.id).await? {
        return Ok(false);
    }
    admin_log::write(
        db,
        by,
        Change {
            action: LogAction::MemberRemoved,
            target: Some(user_id),
            subject: &membership.key(),
            before: &membership.described(),
            after: "",
        },
        now,
    )
    .await?;
    Ok(true)
}

/// Ends every membership of `user_id` that rests on `role`: what taking the role back means.
/// Runs inside the transaction that takes the role.
pub(crate) async fn end_for_role(
    db: &impl ConnectionTrait,
    by: Actor,
    user_id: i32,
    role: Role,
    now: DateTime<Utc>,
) -> Result<()> {
    for membership in of(db, user_id).await? {
        if membership.role == role {
            end(db, by, user_id, &membership, now).await?;
        }
    }
    Ok(())
}

/// An admin ends one membership of `user_id` (the role stays: they may belong elsewhere).
pub async fn remove(
    db: &DatabaseConnection,
    admin: &Account,
    user_id: i32,
    group: Group,
    id: i32,
    now: DateTime<Utc>,
) -> Result<()> {
    let by = Actor::admin(admin)?;
    let txn = db.begin().await?;
    let membership = of(&txn, user_id)
        .await?
        .into_iter()
        .find(|m| m.group == group && m.id == id)
        .ok_or(Error::Invalid("admin-no-such-membership"))?;
    if !end(&txn, by, user_id, &membership, now).await? {
        return Err(Error::Invalid("admin-no-such-membership"));
    }
    txn.commit().await?;
    Ok(())
}

/// What every way of joining checks and does first, inside its transaction: the
/// organisation exists and is in service, so does the person, who is given `role`. Its name.
async fn admit(
    txn: &impl ConnectionTrait,
    by: Actor,
    user_id: i32,
    (group, id): (Group, i32),
    role: Role,
    now: DateTime<Utc>,
) -> Result<String> {
    let Some(name) = name_of(txn, group, id).await? else {
        return Err(Error::Invalid("admin-membership-invalid"));
    };
    if !crate::directory::admin::in_service(txn, group.kind(), id).await? {
        return Err(Error::Invalid("directory-retired"));
    }
    if user::Entity::find_by_id(user_id).one(txn).await?.is_none() {
        return Err(Error::NotFound);
    }
    accounts::grant_by(txn, by, user_id, role, now).await?;
    Ok(name)
}

/// Logs that `user_id` joined as `after` (having been `before` there, if anything).
async fn log_added(
    txn: &impl ConnectionTrait,
    by: Actor,
    user_id: i32,
    before: Option<Membership>,
    after: &Membership,
    now: DateTime<Utc>,
) -> Result<()> {
    admin_log::write(
        txn,
        by,
        Change {
            action: LogAction::MemberAdded,
            target: Some(user_id),
            subject: &after.key(),
            before: &before.map(|m| m.described()).unwrap_or_default(),
            after: &after.described(),
        },
        now,
    )
    .await
}

/// An admin makes `user_id` a member of a station, an office, a mediation room or a liaison
/// room, and gives them the role it rests on. Squads take their people by application
/// (`volunteers::decide`), where the squad's name for them and the ranking are agreed, and
/// anti-fraud teams by `add_to_team`, where the role is chosen.
pub async fn add(
    db: &DatabaseConnection,
    admin: &Account,
    user_id: i32,
    group: Group,
    id: i32,
    now: DateTime<Utc>,
) -> Result<()> {
    let by = Actor::admin(admin)?;
    if matches!(group, Group::Squad | Group::FraudTeam) {
        return Err(Error::Invalid("admin-membership-invalid"));
    }
    // It reads (is the organisation in service, is the person elsewhere) before it writes.
    let txn = crate::db::begin_writing(db).await?;
    let name = admit(&txn, by, user_id, (group, id), usual_role(group), now).await?;
    let inserted = match group {
        Group::AidStation | Group::PoliceOffice => {
            org_member::Entity::insert(org_member::ActiveModel {
                kind: Set(group.as_str().to_owned()),
                org_id: Set(id),
                user_id: Set(user_id),
            })
            .on_conflict_do_nothing_on([
                org_member::Column::Kind,
                org_member::Column::OrgId,
                org_member::Column::UserId,
            ])
            .exec_without_returning(&txn)
            .await?
        }
        Group::MediationRoom => {
            room_mediator::Entity::insert(room_mediator::ActiveModel {
                room_id: Set(id),
                user_id: Set(user_id),
            })
            .on_conflict_do_nothing_on([
                room_mediator::Column::RoomId,
                room_mediator::Column::UserId,
            ])
            .exec_without_returning(&txn)
            .await?
        }
        Group::LiaisonRoom => {
            liaison_member::Entity::insert(liaison_member::ActiveModel {
                liaison_room_id: Set(id),
                user_id: Set(user_id),
            })
            .on_conflict_do_nothing_on([
                liaison_member::Column::LiaisonRoomId,
                liaison_member::Column::UserId,
            ])
            .exec_without_returning(&txn)
            .await?
        }
        Group::Enterprise => {
            // The person is the key: a contact of another enterprise stays theirs, and
            // the insert finds the row instead.
            let inserted = enterprise_contact::Entity::insert(enterprise_contact::ActiveModel {
                user_id: Set(user_id),
                enterprise_id: Set(id),
            })
            .on_conflict_do_nothing_on([enterprise_contact::Column::UserId])
            .exec_without_returning(&txn)
            .await?;
            if matches!(
                inserted,
                TryInsertResult::Inserted(0) | TryInsertResult::Conflicted
            ) && enterprise_contact::Entity::find_by_id(user_id)
                .one(&txn)
                .await?
                .is_some_and(|c| c.enterprise_id != id)
            {
                return Err(Error::Invalid("admin-contact-elsewhere"));
            }
            inserted
        }
        Group::Squad | Group::FraudTeam => {
            return Err(Error::Invalid("admin-membership-invalid"));
        }
    };
    if matches!(inserted, TryInsertResult::Inserted(n) if n > 0) {
        let membership = Membership {
            group,
            id,
            name,
            leader: false,
            role: usual_role(group),
        };
        log_added(&txn, by, user_id, None, &membership, now).await?;
    }
    txn.commit().await?;
    Ok(())
}

/// Whether `user_id` holds `role` now, read from the database: for checks on a person other
/// than the signed-in one (whose roles the session already holds).
pub(crate) async fn holds(db: &impl ConnectionTrait, user_id: i32, role: Role) -> Result<bool> {
    Ok(accounts::roles_of(db, user_id).await?.contains(&role))
}

/// An admin makes `user_id` a member (or the leader) of a squad, under the name they
/// volunteer with, and gives them the volunteer role: the counter's way for someone who
/// did not apply online. Making a member the leader, or the leader a member, changes
/// their place. They are left out of the ranking until they choose to appear in it.
pub async fn add_to_squad(
    db: &DatabaseConnection,
    admin: &Account,
    user_id: i32,
    squad_id: i32,
    name: &str,
    leader: bool,
    now: DateTime<Utc>,
) -> Result<()> {
    let by = Actor::admin(admin)?;
    let name = crate::text::one_line(name);
    if !crate::text::length_within(&name, 1, 40) {
        return Err(Error::Invalid("volunteer-name-length"));
    }
    let txn = db.begin().await?;
    let squad_name = admit(
        &txn,
        by,
        user_id,
        (Group::Squad, squad_id),
        Role::Volunteer,
        now,
    )
    .await?;
    let before = squad_member::Entity::find_by_id((squad_id, user_id))
        .one(&txn)
        .await?;
    let membership = |leader| Membership {
        group: Group::Squad,
        id: squad_id,
        name: squad_name.clone(),
        leader,
        role: Role::Volunteer,
    };
    match &before {
        Some(member) if member.is_leader == leader => return Ok(txn.commit().await?),
        Some(_) => {
            squad_member::Entity::update_many()
                .col_expr(
                    squad_member::Column::IsLeader,
                    sea_orm::sea_query::Expr::value(leader),
                )
                .filter(squad_member::Column::SquadId.eq(squad_id))
                .filter(squad_member::Column::UserId.eq(user_id))
                .exec(&txn)
                .await?;
        }
        None => {
            squad_member::Entity::insert(squad_member::ActiveModel {
                squad_id: Set(squad_id),
                user_id: Set(user_id),
                name: Set(name),
                is_leader: Set(leader),
                in_ranking: Set(false),
                joined_at: Set(now),
            })
            .exec_without_returning(&txn)
            .await?;
        }
    }
    let before = before.map(|m| membership(m.is_leader));
    log_added(&txn, by, user_id, before, &membership(leader), now).await?;
    txn.commit().await?;
    Ok(())
}

/// An admin puts `user_id` on the anti-fraud team of a community as its officer, an
/// auxiliary or a grid worker, and gives them that role. Choosing another role for a member
/// changes it (the role they had stays theirs: it may rest elsewhere).
pub async fn add_to_team(
    db: &DatabaseConnection,
    admin: &Account,
    user_id: i32,
    community_id: i32,
    role: Role,
    now: DateTime<Utc>,
) -> Result<()> {
    let by = Actor::admin(admin)?;
    if !Group::FraudTeam.roles().contains(&role) {
        return Err(Error::Invalid("admin-membership-invalid"));
    }
    let txn = db.begin().await?;
    let team = (Group::FraudTeam, community_id);
    let name = admit(&txn, by, user_id, team, role, now).await?;
    let before = fraud_team_member::Entity::find_by_id((community_id, user_id))
        .one(&txn)
        .await?;
    if before.as_ref().is_some_and(|m| m.role == role) {
        return Ok(txn.commit().await?);
    }
    let membership = |role| Membership {
        group: Group::FraudTeam,
        id: community_id,
        name: name.clone(),
        leader: false,
        role,
    };
    fraud_team_member::Entity::insert(fraud_team_member::ActiveModel {
        community_id: Set(community_id),
        user_id: Set(user_id),
        role: Set(role),
    })
    .on_conflict(
        sea_orm::sea_query::OnConflict::columns([
            fraud_team_member::Column::CommunityId,
            fraud_team_member::Column::UserId,
        ])
        .update_column(fraud_team_member::Column::Role)
        .to_owned(),
    )
    .exec_without_returning(&txn)
    .await?;
    let before = before.map(|m| membership(m.role));
    log_added(&txn, by, user_id, before, &membership(role), now).await?;
    txn.commit().await?;
    Ok(())
}

/// A person of an organisation, as its page lists them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Person {
    pub user_id: i32,
    pub phone: String,
    /// The name they volunteer under (squads only).
    pub name: String,
    pub leader: bool,
    /// The role their membership rests on.
    pub role: Role,
}

/// The people of one organisation, leaders first. Admins only.
pub async fn people(
    db: &impl ConnectionTrait,
    admin: &Account,
    group: Group,
    id: i32,
) -> Result<Vec<Person>> {
    Actor::admin(admin)?;
    let role = usual_role(group);
    let found: Vec<(i32, String, bool, Role)> = match group {
        Group::AidStation | Group::PoliceOffice => org_member::Entity::find()
            .filter(org_member::Column::Kind.eq(group.as_str()))
            .filter(org_member::Column::OrgId.eq(id))
            .all(db)
            .await?
            .into_iter()
            .map(|m| (m.user_id, String::new(), false, role))
            .collect(),
        Group::MediationRoom => room_mediator::Entity::find()
            .filter(room_mediator::Column::RoomId.eq(id))
            .all(db)
            .await?
            .into_iter()
            .map(|m| (m.user_id, String::new(), false, role))
            .collect(),
        Group::Squad => squad_member::Entity::find()
            .filter(squad_member::Column::SquadId.eq(id))
            .all(db)
            .await?
            .into_iter()
            .map(|m| (m.user_id, m.name, m.is_leader, role))
            .collect(),
        Group::LiaisonRoom => liaison_member::Entity::find()
            .filter(liaison_member::Column::LiaisonRoomId.eq(id))
            .all(db)
            .await?
            .into_iter()
            .map(|m| (m.user_id, String::new(), false, role))
            .collect(),
        Group::FraudTeam => fraud_team_member::Entity::find()
            .filter(fraud_team_member::Column::CommunityId.eq(id))
            .all(db)
            .await?
            .into_iter()
            .map(|m| (m.user_id, String::new(), false, m.role))
            .collect(),
        Group::Enterprise => enterprise_contact::Entity::find()
            .filter(enterprise_contact::Column::EnterpriseId.eq(id))
            .all(db)
            .await?
            .into_iter()
            .map(|m| (m.user_id, String::new(), false, role))
            .collect(),
    };
    let phones: std::collections::HashMap<i32, String> = user::Entity::find()
        .filter(user::Column::Id.is_in(found.iter().map(|(id, _, _, _)| *id)))
        .all(db)
        .await?
        .into_iter()
        .map(|u| (u.id, u.phone))
        .collect();
    let mut out: Vec<Person> = found
        .into_iter()
        .map(|(user_id, name, leader, role)| Person {
            phone: phones.get(&user_id).cloned().unwrap_or_default(),
            user_id,
            name,
            leader,
            role,
        })
        .collect();
    // Leaders first; a team's officer, then its auxiliaries, then its grid workers.
    out.sort_by(|a, b| (!a.leader, a.role, &a.phone).cmp(&(!b.leader, b.role, &b.phone)));
    Ok(out)
}
