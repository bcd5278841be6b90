//! The school whose gate a squad keeps: a squad with one is a 护苗队.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "squad_schools")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub squad_id: i32,
    pub school_id: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
