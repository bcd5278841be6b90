//! A person with an account: resident, volunteer, mediator, liaison, officer or admin.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "users")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    /// Mainland mobile number, the login name. Shown masked (138****1234) to everyone but
    /// its owner and the staff who need it.
    #[sea_orm(unique)]
    pub phone: String,
    /// argon2id PHC string; never leaves the server.
    pub password_hash: String,
    pub community_id: Option<i32>,
    pub compound_id: Option<i32>,
    /// Version of the privacy notice the person agreed to, and when (PIPL consent record).
    pub consent_version: String,
    pub consent_at: DateTimeUtc,
    pub created_at: DateTimeUtc,
    /// What the tea house shows as the author (with the community), never the phone number.
    pub display_name: Option<String>,
    /// For a resident registered at the counter: the officer who took their consent, by
    /// name (and number), as the paper form would carry it. NULL when they registered
    /// themselves.
    pub consent_witness: Option<String>,
    /// When the person proved they hold the number (a texted code, or at the counter).
    pub phone_verified_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
