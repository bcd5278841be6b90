//! 一张登记表: one visit of the anti-fraud team to a household.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "household_visits")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub household_id: i32,
    pub visited_on: Date,
    pub visitor_id: Option<i32>,
    /// 国家反诈中心 App installed…
    pub app_installed: bool,
    /// …and its warning (来电预警) on.
    pub warning_on: bool,
    /// An elderly person living alone.
    pub elderly_alone: bool,
    /// Someone of the household was defrauded recently.
    pub recent_victim: bool,
    /// The scams explained, as `Scam` spellings joined by commas.
    pub explained: String,
    pub follow_up_on: Option<Date>,
    pub created_at: DateTimeUtc,
    pub is_demo: bool,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
