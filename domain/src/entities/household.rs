//! A household of a compound, by its address there ("3幢2单元501"): what the anti-fraud
//! team visits. Addresses only: the people living there are never recorded by name.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "households")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub compound_id: i32,
    pub address: String,
    pub created_by: Option<i32>,
    pub created_at: DateTimeUtc,
    pub is_demo: bool,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
