//! The closed-loop cases (警网融合) brought by a person, for "download my data".

use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use serde_json::{Map, Value, json};

use crate::Result;
use crate::entities::case_record;

/// The cases the person brought or that were opened for them: what the case is, where it
/// stands, its outcome and the person's feedback.
///
/// Left out, deliberately: the case history (who at the station handled each step, and
/// their working notes) and the household or address officers link cases by for 三色 with
/// its colour. Both are the station's record of its policing duty, and a copy could let a
/// person steer around it (PIPL art. 45 ¶1 with art. 35: a state organ withholds what would
/// impede its statutory duties). The person still sees the stage and the outcome here.
pub async fn export_for(db: &impl ConnectionTrait, user_id: i32) -> Result<Map<String, Value>> {
    let cases = case_record::Entity::find()
        .filter(case_record::Column::ResidentId.eq(user_id))
        .order_by_asc(case_record::Column::CreatedAt)
        .order_by_asc(case_record::Column::Id)
        .all(db)
        .await?;
    let mut out = Map::new();
    out.insert(
        "loop_cases".into(),
        cases
            .iter()
            .map(|c| {
                json!({
                    "code": c.code,
                    "kind": c.kind,
                    "title": c.title,
                    "summary": c.summary,
                    "contact_name": c.contact_name,
                    "stage": c.stage,
                    "outcome": c.outcome,
                    "feedback": c.feedback,
                    "rating": c.rating,
                    "no_feedback_reason": c.no_feedback_reason,
                    "opened_at": c.created_at,
                    "closed_at": c.closed_at,
                })
            })
            .collect(),
    );
    Ok(out)
}
