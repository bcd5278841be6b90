//! A case of the closed loop (警网融合): whatever a resident asked for, from intake to close.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "cases")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    /// 一案一码, e.g. `JW-2026-7K3Q9M`.
    pub code: String,
    /// mediation, thread, help, walk_in, phone or patrol.
    pub kind: vocab::casework::Kind,
    pub title: String,
    pub summary: String,
    pub resident_id: Option<i32>,
    /// A resident brought it: closing needs their feedback or the reason there is none.
    pub resident_raised: bool,
    /// Who came or called, as they gave it (walk-ins and calls without an account).
    pub contact_name: String,
    pub community_id: Option<i32>,
    /// The household or address officers link repeat disputes by (三色).
    pub household: Option<String>,
    pub stage: vocab::casework::Stage,
    pub org_kind: Option<vocab::casework::OrgKind>,
    pub org_id: Option<i32>,
    pub assignee_id: Option<i32>,
    pub stage_since: DateTimeUtc,
    pub due_at: Option<DateTimeUtc>,
    pub escalations: i32,
    pub outcome: Option<String>,
    pub feedback: Option<String>,
    pub rating: Option<i32>,
    pub no_feedback_reason: Option<String>,
    /// Set at close: solved by a station, room or squad rather than by the police.
    pub solved_without_police: Option<bool>,
    pub mediation_case_id: Option<i32>,
    pub thread_id: Option<i32>,
    pub help_request_id: Option<i32>,
    pub created_by: Option<i32>,
    pub created_at: DateTimeUtc,
    pub closed_at: Option<DateTimeUtc>,
    pub is_demo: bool,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
