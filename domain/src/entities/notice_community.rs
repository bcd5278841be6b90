//! A community a notice is for.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "notice_communities")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub notice_id: i32,
    #[sea_orm(primary_key, auto_increment = false)]
    pub community_id: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
