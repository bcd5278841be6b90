//! A board of the tea house (警事茶楼): one per liaison room, and general ones, each kept by
//! a police office.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "boards")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub police_office_id: i32,
    /// The liaison room whose liaisons answer here with its badge; none for a general board.
    pub liaison_room_id: Option<i32>,
    #[sea_orm(unique)]
    pub name: String,
    pub description: String,
    /// Staff are shown threads left without an official answer for longer than this.
    pub answer_hours: i32,
    pub position: i32,
    pub is_demo: bool,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
