//! A person's own part of 老王帮帮团 and 老乡帮老乡, for "download my data".

use std::collections::HashMap;

use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use serde_json::{Map, Value, json};

use crate::Result;
use crate::entities::{
    help_request, shift, shift_signup, squad, squad_member, volunteer_application,
};

/// Applications, squad memberships, shift sign-ups with the hours credited, and help
/// requests asked and taken. Who decided an application and who asked or took a request
/// are other people, so they are left out; what the other person typed into a request
/// the person took (dialect, need, place) is left out too.
pub async fn export_for(db: &impl ConnectionTrait, user_id: i32) -> Result<Map<String, Value>> {
    let squads: HashMap<i32, String> = squad::Entity::find()
        .all(db)
        .await?
        .into_iter()
        .map(|s| (s.id, s.name))
        .collect();
    let squad_name = |id: i32| squads.get(&id).cloned();

    let applications = volunteer_application::Entity::find()
        .filter(volunteer_application::Column::UserId.eq(user_id))
        .order_by_asc(volunteer_application::Column::Id)
        .all(db)
        .await?;
    let memberships = squad_member::Entity::find()
        .filter(squad_member::Column::UserId.eq(user_id))
        .order_by_asc(squad_member::Column::SquadId)
        .all(db)
        .await?;
    let signups = shift_signup::Entity::find()
        .filter(shift_signup::Column::UserId.eq(user_id))
        .order_by_asc(shift_signup::Column::Id)
        .all(db)
        .await?;
    let shifts: HashMap<i32, shift::Model> = shift::Entity::find()
        .filter(shift::Column::Id.is_in(signups.iter().map(|s| s.shift_id)))
        .all(db)
        .await?
        .into_iter()
        .map(|s| (s.id, s))
        .collect();
    let asked = help_request::Entity::find()
        .filter(help_request::Column::RequesterId.eq(user_id))
        .order_by_asc(help_request::Column::Id)
        .all(db)
        .await?;
    let taken = help_request::Entity::find()
        .filter(help_request::Column::TakerId.eq(user_id))
        .order_by_asc(help_request::Column::Id)
        .all(db)
        .await?;

    let mut out = Map::new();
    out.insert(
        "volunteer_applications".into(),
        applications
            .iter()
            .map(|a| {
                json!({
                    "squad": squad_name(a.squad_id),
                    "name": a.name,
                    "hometown": a.hometown,
                    "dialects": a.dialects,
                    "skills": a.skills,
                    "availability": a.availability,
                    "status": a.status,
                    "reason": a.reason,
                    "applied_at": a.created_at,
                    "decided_at": a.decided_at,
                })
            })
            .collect(),
    );
    out.insert(
        "squad_memberships".into(),
        memberships
            .iter()
            .map(|m| {
                json!({
                    "squad": squad_name(m.squad_id),
                    "name": m.name,
                    "leader": m.is_leader,
                    "in_ranking": m.in_ranking,
                    "joined_at": m.joined_at,
                })
            })
            .collect(),
    );
    out.insert(
        "shift_signups".into(),
        signups
            .iter()
            .map(|s| {
                let shift = shifts.get(&s.shift_id);
                json!({
                    "squad": shift.and_then(|sh| squad_name(sh.squad_id)),
                    "shift": shift.map(|sh| &sh.title),
                    "kind": shift.map(|sh| &sh.kind),
                    "place": shift.map(|sh| &sh.place),
                    "starts_at": shift.map(|sh| sh.starts_at),
                    "ends_at": shift.map(|sh| sh.ends_at),
                    "signed_up_at": s.signed_at,
                    "withdrawn_at": s.withdrawn_at,
                    "checked_in_at": s.check_in_at,
                    "checked_out_at": s.check_out_at,
                    "no_show": s.no_show,
                    "minutes_credited": s.minutes_credited,
                })
            })
            .collect(),
    );
    out.insert(
        "volunteer_minutes_total".into(),
        signups
            .iter()
            .map(|s| i64::from(s.minutes_credited))
            .sum::<i64>()
            .into(),
    );
    out.insert(
        "help_requests_asked".into(),
        asked
            .iter()
            .map(|r| {
                json!({
                    "dialect": r.dialect,
                    "need": r.need,
                    "place": r.place,
                    "status": r.status,
                    "taken": r.taker_id.is_some(),
                    "closing_note": r.note,
                    "asked_at": r.created_at,
                    "taken_at": r.taken_at,
                    "closed_at": r.closed_at,
                })
            })
            .collect(),
    );
    out.insert(
        "help_requests_taken".into(),
        taken
            .iter()
            .map(|r| {
                json!({
                    "status": r.status,
                    "my_closing_note": r.note,
                    "taken_at": r.taken_at,
                    "closed_at": r.closed_at,
                })
            })
            .collect(),
    );
    Ok(out)
}
