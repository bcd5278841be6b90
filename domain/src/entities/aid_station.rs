//! 自治互助站: a residents' self-governance mutual-aid station, the first stop for small disputes.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "aid_stations")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub community_id: i32,
    pub compound_id: Option<i32>,
    #[sea_orm(unique)]
    pub name: String,
    /// 党员骨干: the party-member resident who started the station.
    pub initiator: String,
    /// 协调员: who runs it day to day.
    pub coordinator: String,
    /// 治安指导员: the officer who advises it.
    pub officer: String,
    pub is_demo: bool,
    /// 撤销: no longer offered in any choice; its history keeps naming it.
    pub retired_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
