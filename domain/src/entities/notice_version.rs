//! One published state of a notice: published, updated or cancelled, with its time.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "notice_versions")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub notice_id: i32,
    #[sea_orm(primary_key, auto_increment = false)]
    pub version: i32,
    pub kind: vocab::notices::VersionKind,
    pub at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
