//! A window of a room'\''s availability in local time: weekly (a weekday), an extra one-off window (a date), or a day off (a date).

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "availability")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub room_id: i32,
    pub kind: String,
    pub weekday: Option<i32>,
    pub day: Option<String>,
    pub start_minute: i32,
    pub end_minute: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
