//! How long a stage of a kind of case may take, and whether an overdue case moves up a level
//! by itself.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "case_deadlines")]
pub struct Model {
    // Kind and stage stay text: sea-orm cannot use an active enum in a primary key.
    #[sea_orm(primary_key, auto_increment = false)]
    pub kind: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub stage: String,
    pub hours: i32,
    pub escalate: bool,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
