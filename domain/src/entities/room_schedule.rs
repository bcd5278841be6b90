//! How a room cuts its availability into slots.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "room_schedules")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub room_id: i32,
    pub slot_minutes: i32,
    /// Rest between two sessions.
    pub buffer_minutes: i32,
    /// A booking waits for a mediator to accept it before it counts.
    pub needs_confirmation: bool,
    /// How many days ahead residents may book.
    pub horizon_days: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
