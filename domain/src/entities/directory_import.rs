//! A directory file an admin uploaded: kept as text (decoded to UTF-8) between its preview
//! and its application, which happens once.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "directory_imports")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub at: DateTimeUtc,
    /// The admin who uploaded it; NULL once their account is deleted.
    pub admin_id: Option<i32>,
    /// How the file was written: `utf-8`, `utf-8-bom` or `gbk`.
    pub encoding: String,
    pub content: String,
    pub applied_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
