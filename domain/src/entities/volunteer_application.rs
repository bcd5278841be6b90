//! An application to join a squad of 老王帮帮团, decided by the squad's leader.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "volunteer_applications")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub user_id: i32,
    pub squad_id: i32,
    pub name: String,
    /// Province and city.
    pub hometown: String,
    pub dialects: String,
    pub skills: String,
    /// When in the week they can help, in their words.
    pub availability: String,
    pub status: vocab::volunteers::ApplicationStatus,
    pub reason: Option<String>,
    pub decided_by: Option<i32>,
    pub created_at: DateTimeUtc,
    pub decided_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
