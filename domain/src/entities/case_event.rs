//! One step of a case'\''s timeline.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "case_events")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub case_id: i32,
    pub at: DateTimeUtc,
    pub kind: vocab::mediation::EventKind,
    pub actor_id: Option<i32>,
    pub note: Option<String>,
    /// The slot a booking step is about.
    pub slot_at: Option<DateTimeUtc>,
    pub from_level: Option<vocab::mediation::Level>,
    pub to_level: Option<vocab::mediation::Level>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
