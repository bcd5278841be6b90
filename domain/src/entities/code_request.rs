//! One request for a verification code: the daily limits per number and per address count
//! these.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "code_requests")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub phone: String,
    pub address: String,
    pub at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
