//! A volunteer of a squad; leaders approve applications and run shifts.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "squad_members")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub squad_id: i32,
    #[sea_orm(primary_key, auto_increment = false)]
    pub user_id: i32,
    /// The name they volunteer under (certificates, rosters).
    pub name: String,
    pub is_leader: bool,
    /// Agreed to appear in the squad's ranking of hours.
    pub in_ranking: bool,
    pub joined_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::squad::Entity",
        from = "Column::SquadId",
        to = "super::squad::Column::Id"
    )]
    Squad,
}

impl Related<super::squad::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Squad.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
