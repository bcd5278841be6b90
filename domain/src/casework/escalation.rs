//! The job that moves overdue cases up a level: a mutual-aid station's case goes to the
//! community's mediation room, a room's or a squad's to the community's police office, an
//! office's to the station.
//!
//! One ladder: a case that came from a mediation request climbs it together with its
//! mediation case (互助站 → 调解室 → 社区 → 派出所), in one transaction, whichever side moves
//! first — the deadline here (`mediation::cases::follow_loop`), or a mediator or officer by
//! hand there (`to_rung`).
//!
//! Several server processes may run it against one database. Each escalation is an update
//! guarded by the deadline it read (`WHERE id = ? AND stage = ? AND due_at = ?`): the first
//! process to write moves the case and sets a new deadline, and any other finds nothing to
//! update. A lease row (`job_leases`) lets one process sweep at a time, so the others do not
//! even read; the guard alone would keep the rule.

use chrono::{DateTime, Duration, Utc};
use sea_orm::{
    ActiveValue::Set,
    ColumnTrait, ConnectionTrait, DatabaseConnection, DatabaseTransaction, EntityTrait,
    QueryFilter, QueryOrder, QuerySelect, TransactionTrait,
    sea_query::{Expr, ExprTrait},
};

use super::deadlines::deadline;
use super::steps::{Step, move_case, write_history};
use super::{Action, Org, OrgKind, Stage};
use crate::entities::{
    aid_station, case_record, community, job_lease, mediation_case, mediation_room, police_office,
};
use crate::mediation::Level;
use crate::{Error, Result};

pub const JOB: &str = "escalate-overdue-cases";

/// Cases one sweep looks at, at most.
const BATCH: u64 = 200;

/// Takes (or renews) the job's lease for `holder` until `now + length`. True when this
/// holder has it: no one else holds an unexpired lease.
pub async fn take_lease(
    db: &impl ConnectionTrait,
    holder: &str,
    now: DateTime<Utc>,
    length: Duration,
) -> Result<bool> {
    let inserted = job_lease::Entity::insert(job_lease::ActiveModel {
        name: Set(JOB.to_owned()),
        holder: Set(holder.to_owned()),
        until: Set(now + length),
    })
    .on_conflict_do_nothing_on([job_lease::Column::Name])
    .exec_without_returning(db)
    .await?;
    if matches!(inserted, sea_orm::TryInsertResult::Inserted(n) if n > 0) {
        return Ok(true);
    }
    let taken = job_lease::Entity::update_many()
        .col_expr(job_lease::Column::Holder, Expr::value(holder))
        .col_expr(job_lease::Column::Until, Expr::value(now + length))
        .filter(job_lease::Column::Name.eq(JOB))
        .filter(
            sea_orm::Condition::any()
                .add(job_lease::Column::Holder.eq(holder))
                .add(job_lease::Column::Until.lt(now)),
        )
        .exec(db)
        .await?;
    Ok(taken.rows_affected == 1)
}

/// The police office of a community, if it has one in service.
async fn office_of(db: &impl ConnectionTrait, community: Option<i32>) -> Result<Option<i32>> {
    let office = match community {
        Some(id) => community::Entity::find_by_id(id)
            .one(db)
            .await?
            .and_then(|c| c.police_office_id),
        None => None,
    };
    Ok(match office {
        Some(id) => police_office::Entity::find_by_id(id)
            .filter(police_office::Column::RetiredAt.is_null())
            .one(db)
            .await?
            .map(|o| o.id),
        None => None,
    })
}

/// The level above `org` for a case of `community_id`; None at the top.
pub async fn next_level(
    db: &impl ConnectionTrait,
    org: Org,
    community_id: Option<i32>,
) -> Result<Option<Org>> {
    let office_or_station = |office: Option<i32>| match office {
        Some(id) => Org {
            kind: OrgKind::PoliceOffice,
            id: Some(id),
        },
        None => Org::STATION,
    };
    Ok(match (org.kind, org.id) {
        (OrgKind::AidStation, Some(id)) => {
            let station = aid_station::Entity::find_by_id(id).one(db).await?;
            let community = station.map(|s| s.community_id).or(community_id);
            let branch = match community {
                Some(c) => {
                    mediation_room::Entity::find()
                        .filter(mediation_room::Column::CommunityId.eq(c))
                        .filter(mediation_room::Column::RetiredAt.is_null())
                        .order_by_asc(mediation_room::Column::Id)
                        .one(db)
                        .await?
                }
                None => None,
            };
            let room = match branch {
                Some(room) => Some(room),
                None => {
                    mediation_room::Entity::find()
                        .filter(mediation_room::Column::ParentId.is_null())
                        .filter(mediation_room::Column::CommunityId.is_null())
                        .filter(mediation_room::Column::RetiredAt.is_null())
                        .order_by_asc(mediation_room::Column::Id)
                        .one(db)
                        .await?
                }
            };
            Some(match room {
                Some(room) => Org {
                    kind: OrgKind::MediationRoom,
                    id: Some(room.id),
                },
                None => office_or_station(office_of(db, community).await?),
            })
        }
        (OrgKind::MediationRoom, Some(id)) => {
            let room = mediation_room::Entity::find_by_id(id).one(db).await?;
            let community = room.and_then(|r| r.community_id).or(community_id);
            Some(office_or_station(office_of(db, community).await?))
        }
        (OrgKind::Squad, _) => Some(office_or_station(office_of(db, community_id).await?)),
        (OrgKind::PoliceOffice, _) => Some(Org::STATION),
        _ => None,
    })
}

/// The rung of the mediation ladder an organisation of the loop stands on; squads stand on
/// none.
fn level_of(kind: OrgKind) -> Option<Level> {
    match kind {
        OrgKind::AidStation => Some(Level::AidStation),
        OrgKind::MediationRoom => Some(Level::Room),
        OrgKind::PoliceOffice => Some(Level::Community),
        OrgKind::Station => Some(Level::Station),
        OrgKind::Squad => None,
    }
}

/// The organisation of the loop on `level` for a mediation case of `room_id` and
/// `community`: the community's first mutual-aid station in service (or the room, when it
/// has none), the room, the community's police office (or the station, when it has none),
/// the station.
async fn org_on(
    db: &impl ConnectionTrait,
    level: Level,
    room_id: i32,
    community: Option<i32>,
) -> Result<Org> {
    let room = Org {
        kind: OrgKind::MediationRoom,
        id: Some(room_id),
    };
    Ok(match level {
        Level::AidStation => {
            let station = match community {
                Some(c) => {
                    aid_station::Entity::find()
                        .filter(aid_station::Column::CommunityId.eq(c))
                        .filter(aid_station::Column::RetiredAt.is_null())
                        .order_by_asc(aid_station::Column::Id)
                        .one(db)
                        .await?
                }
                None => None,
            };
            station.map_or(room, |s| Org {
                kind: OrgKind::AidStation,
                id: Some(s.id),
            })
        }
        Level::Room => room,
        Level::Community => match office_of(db, community).await? {
            Some(id) => Org {
                kind: OrgKind::PoliceOffice,
                id: Some(id),
            },
            None => Org::STATION,
        },
        Level::Station => Org::STATION,
    })
}

/// A mediation case moved along the ladder (`mediation_case` as its transaction left it):
/// its loop case goes to the organisation on the same rung, assigned afresh, in the same
/// transaction — up as an escalation, down as a transfer. Nothing moves when the loop case
/// stands there already (the deadline moved it first) or is past the stages that move.
pub(crate) async fn to_rung(
    txn: &DatabaseTransaction,
    loop_case: &case_record::Model,
    mediation_case: &mediation_case::Model,
    actor: Option<i32>,
    now: DateTime<Utc>,
) -> Result<()> {
    let community = loop_case.community_id.or(mediation_case.community_id);
    let to = org_on(txn, mediation_case.level, mediation_case.room_id, community).await?;
    let from = Org::of(loop_case);
    if from == Some(to) {
        return Ok(());
    }
    let up = match from.and_then(|f| level_of(f.kind)) {
        Some(level) => mediation_case.level > level,
        None => true,
    };
    let mut set = vec![
        (case_record::Column::OrgKind, Expr::value(to.kind.as_str())),
        (case_record::Column::OrgId, Expr::value(to.id)),
        (
            case_record::Column::AssigneeId,
            Expr::value(Option::<i32>::None),
        ),
    ];
    if up {
        set.push((
            case_record::Column::Escalations,
            Expr::col(case_record::Column::Escalations).add(1),
        ));
    }
    let step = Step {
        action: if up {
            Action::Escalated
        } else {
            Action::Transferred
        },
        from: Some(loop_case.stage),
        to: Stage::Assigned,
        org: Some(to),
        actor,
        note: from.map_or("", |f| f.kind.as_str()),
    };
    let movable = [Stage::Triage, Stage::Assigned, Stage::InProgress];
    match move_case(txn, loop_case, &movable, Stage::Assigned, set, step, now).await {
        Err(Error::Invalid("case-move-illegal")) => Ok(()),
        other => other,
    }
}

/// Escalates the overdue cases whose stage escalates by itself; returns how many moved.
/// Safe to run from several processes at once: see the module's comment.
pub async fn escalate_overdue(db: &DatabaseConnection, now: DateTime<Utc>) -> Result<usize> {
    let overdue = case_record::Entity::find()
        .filter(
            case_record::Column::Stage
                .is_in([Stage::Assigned.as_str(), Stage::InProgress.as_str()]),
        )
        .filter(case_record::Column::DueAt.lt(now))
        .order_by_asc(case_record::Column::DueAt)
        .order_by_asc(case_record::Column::Id)
        .limit(BATCH)
        .all(db)
        .await?;
    let mut moved = 0;
    for case in overdue {
        let (_, escalates) = deadline(db, case.kind, case.stage, case.stage_since).await?;
        let Some(from) = Org::of(&case) else {
            continue;
        };
        if !escalates {
            continue;
        }
        let Some(to) = next_level(db, from, case.community_id).await? else {
            continue;
        };
        let (due, _) = deadline(db, case.kind, Stage::Assigned, now).await?;
        let txn = db.begin().await?;
        let done = case_record::Entity::update_many()
            .col_expr(
                case_record::Column::Stage,
                Expr::value(Stage::Assigned.as_str()),
            )
            .col_expr(case_record::Column::StageSince, Expr::value(now))
            .col_expr(case_record::Column::DueAt, Expr::value(due))
            .col_expr(case_record::Column::OrgKind, Expr::value(to.kind.as_str()))
            .col_expr(case_record::Column::OrgId, Expr::value(to.id))
            .col_expr(
                case_record::Column::AssigneeId,
                Expr::value(Option::<i32>::None),
            )
            .col_expr(
                case_record::Column::Escalations,
                Expr::col(case_record::Column::Escalations).add(1),
            )
            .filter(case_record::Column::Id.eq(case.id))
            .filter(case_record::Column::Stage.eq(case.stage.as_str()))
            .filter(case_record::Column::DueAt.eq(case.due_at))
            .exec(&txn)
            .await?;
        if done.rows_affected == 0 {
            // Another process (or a person) moved it first.
            continue;
        }
        write_history(
            &txn,
            case.id,
            Step {
                action: Action::Escalated,
                from: Some(case.stage),
                to: Stage::Assigned,
                org: Some(to),
                actor: None,
                note: from.kind.as_str(),
            },
            now,
        )
        .await?;
        if let (Some(mediation_case), Some(level)) = (case.mediation_case_id, level_of(to.kind)) {
            crate::mediation::cases::follow_loop(&txn, mediation_case, level, now).await?;
        }
        txn.commit().await?;
        moved += 1;
    }
    Ok(moved)
}

/// One sweep if this process holds the lease; what the server's background task and
/// `portal escalate` run.
pub async fn sweep(db: &DatabaseConnection, holder: &str, now: DateTime<Utc>) -> Result<usize> {
    if !take_lease(db, holder, now, Duration::minutes(5)).await? {
        return Ok(0);
    }
    escalate_overdue(db, now).await
}
