//! A resident's mediation cases, their bookings and timelines, and the video chat lines a
//! person wrote, for "download my data".

use std::collections::HashMap;

use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use serde_json::{Map, Value, json};

use crate::Result;
use crate::accounts::phone;
use crate::entities::{booking, case_event, mediation_case, mediation_room, video_chat};

/// The cases the person asked for (with their timeline, without who took each step), every
/// booking of them, cancelled ones included, and the video chat lines the person wrote in
/// any case. The other party's phone number is masked: it is the other person's, even
/// though the resident typed it.
pub async fn export_for(db: &impl ConnectionTrait, user_id: i32) -> Result<Map<String, Value>> {
    let cases = super::cases_of(db, user_id).await?;
    let case_ids: Vec<i32> = cases.iter().map(|l| l.case.id).collect();
    let rooms: HashMap<i32, String> = mediation_room::Entity::find()
        .all(db)
        .await?
        .into_iter()
        .map(|r| (r.id, r.name))
        .collect();
    let mut timelines: HashMap<i32, Vec<Value>> = HashMap::new();
    for event in case_event::Entity::find()
        .filter(case_event::Column::CaseId.is_in(case_ids.iter().copied()))
        .order_by_asc(case_event::Column::At)
        .order_by_asc(case_event::Column::Id)
        .all(db)
        .await?
    {
        timelines.entry(event.case_id).or_default().push(json!({
            "at": event.at,
            "step": event.kind,
            "note": event.note,
            "slot": event.slot_at,
            "from_level": event.from_level,
            "to_level": event.to_level,
        }));
    }
    let bookings = booking::Entity::find()
        .filter(booking::Column::CaseId.is_in(case_ids.iter().copied()))
        .order_by_asc(booking::Column::CreatedAt)
        .order_by_asc(booking::Column::Id)
        .all(db)
        .await?;
    let lines = video_chat::Entity::find()
        .filter(video_chat::Column::UserId.eq(user_id))
        .order_by_asc(video_chat::Column::At)
        .order_by_asc(video_chat::Column::Id)
        .all(db)
        .await?;
    let codes: HashMap<i32, String> = mediation_case::Entity::find()
        .filter(
            mediation_case::Column::Id.is_in(
                case_ids
                    .iter()
                    .copied()
                    .chain(lines.iter().map(|l| l.case_id)),
            ),
        )
        .all(db)
        .await?
        .into_iter()
        .map(|c| (c.id, c.code))
        .collect();

    let mut out = Map::new();
    out.insert(
        "mediation_cases".into(),
        cases
            .iter()
            .map(|line| {
                let c = &line.case;
                json!({
                    "code": c.code,
                    "room": line.room,
                    "status": c.status,
                    "mode": c.mode,
                    "level": c.level,
                    "dispute_type": c.dispute_type,
                    "account": c.account,
                    "other_party": c.other_party,
                    "other_relation": c.other_relation,
                    "other_phone": c.other_phone.as_deref().map(phone::mask),
                    "amount_claimed": c.amount_claimed,
                    "tried_aid_station": c.tried_aid_station,
                    "slot": line.slot,
                    "outcome": c.outcome,
                    "agreement": c.agreement,
                    "amount_settled": c.amount_settled,
                    "satisfaction": c.satisfaction,
                    "follow_up_comment": c.follow_up_comment,
                    "created_at": c.created_at,
                    "outcome_at": c.outcome_at,
                    "follow_up_at": c.follow_up_at,
                    "timeline": timelines.remove(&c.id).unwrap_or_default(),
                })
            })
            .collect(),
    );
    out.insert(
        "mediation_bookings".into(),
        bookings
            .iter()
            .map(|b| {
                json!({
                    "case": codes.get(&b.case_id),
                    "room": rooms.get(&b.room_id),
                    "starts_at": b.starts_at,
                    "ends_at": b.ends_at,
                    "booked_at": b.created_at,
                    "cancelled_at": b.cancelled_at,
                })
            })
            .collect(),
    );
    out.insert(
        "video_chat_lines".into(),
        lines
            .iter()
            .map(|l| {
                json!({
                    "case": codes.get(&l.case_id),
                    "as": l.author,
                    "said": l.body,
                    "at": l.at,
                })
            })
            .collect(),
    );
    Ok(out)
}
