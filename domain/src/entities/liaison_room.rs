//! 联络室: a liaison room of a police office; each becomes a board of the tea house (警事茶楼).

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "liaison_rooms")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub police_office_id: i32,
    #[sea_orm(unique)]
    pub name: String,
    pub description: String,
    pub is_demo: bool,
    /// 撤销: no longer offered in any choice; its history keeps naming it.
    pub retired_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
