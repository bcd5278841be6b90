//! 护校/护学: a shift that is duty at a school's gate, and which school.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "school_duties")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub shift_id: i32,
    pub school_id: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
