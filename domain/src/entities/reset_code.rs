//! A one-time reset code an officer issued at the counter for an account (窗口重置码):
//! stored as an argon2id hash, valid until `expires_at`, spent once.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "reset_codes")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub user_id: i32,
    /// argon2id PHC string of the code; the code itself was shown once and is kept nowhere.
    pub code_hash: String,
    /// The officer or admin; NULL once their account is deleted.
    pub issued_by: Option<i32>,
    pub issued_at: DateTimeUtc,
    pub expires_at: DateTimeUtc,
    /// When the resident set a new password with it; a unique index allows one unused code
    /// per account.
    pub used_at: Option<DateTimeUtc>,
    /// Wrong codes typed against it; at five it takes no more.
    pub tries: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
