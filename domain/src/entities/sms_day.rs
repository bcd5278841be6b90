//! The SMS sent on one day (China Standard Time), against the station's daily budget.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "sms_days")]
pub struct Model {
    /// "2026-12-06".
    #[sea_orm(primary_key, auto_increment = false)]
    pub day: String,
    pub sent: i32,
    pub alerted: bool,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
