//! A person of a community's anti-fraud team (1 民警 + 3 辅警 + N 网格员), as what.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "fraud_team_members")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub community_id: i32,
    #[sea_orm(primary_key, auto_increment = false)]
    pub user_id: i32,
    /// officer, auxiliary or grid_worker: the role the membership rests on.
    pub role: vocab::accounts::Role,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
