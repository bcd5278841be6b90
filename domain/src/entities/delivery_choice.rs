//! A person's choice of a channel for a kind of message; without a row, the kind's default.

use sea_orm::entity::prelude::*;
use vocab::outbox::{Channel, Kind};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "delivery_choices")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub user_id: i32,
    #[sea_orm(primary_key, auto_increment = false)]
    pub kind: Kind,
    #[sea_orm(primary_key, auto_increment = false)]
    pub channel: Channel,
    pub wanted: bool,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
