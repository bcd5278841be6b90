//! 警务室: a police office of the station, serving a few communities.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "police_offices")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    #[sea_orm(unique)]
    pub name: String,
    pub address: String,
    /// What this office is known for (the tea house, police–enterprise liaison, school protection).
    pub speciality: String,
    pub is_demo: bool,
    /// 撤销: no longer offered in any choice; its history keeps naming it.
    pub retired_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
