//! Who saw household data (三色) and where: the colours board and every case page that shows
//! a case's household log each view.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "colour_views")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub user_id: Option<i32>,
    pub at: DateTimeUtc,
    /// The page that showed it: `/board/colours` or `/board/cases/{code}`.
    pub page: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
