//! A patrol shift or an event of a squad, with its capacity.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "shifts")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub squad_id: i32,
    pub kind: vocab::volunteers::ShiftKind,
    pub title: String,
    pub place: String,
    pub starts_at: DateTimeUtc,
    pub ends_at: DateTimeUtc,
    pub min_capacity: i32,
    pub max_capacity: i32,
    /// Sign-ups not withdrawn; the database keeps it within `max_capacity`.
    pub taken: i32,
    pub signup_deadline: DateTimeUtc,
    pub notes: String,
    pub created_by: Option<i32>,
    pub created_at: DateTimeUtc,
    pub is_demo: bool,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::squad::Entity",
        from = "Column::SquadId",
        to = "super::squad::Column::Id"
    )]
    Squad,
}

impl Related<super::squad::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Squad.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
