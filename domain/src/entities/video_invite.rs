//! A one-time invitation of the other party into a case's video room. Only hashes are kept:
//! of the token the mediator sends, and of the guest key the first opener gets in exchange.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "video_invites")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub case_id: i32,
    pub token_hash: String,
    pub guest_hash: Option<String>,
    pub created_by: Option<i32>,
    pub created_at: DateTimeUtc,
    pub used_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
