//! 老乡帮老乡: a resident's request for a volunteer who speaks their dialect.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "help_requests")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub requester_id: i32,
    pub dialect: String,
    /// What they need, e.g. someone to go with them to an office.
    pub need: String,
    pub place: String,
    pub status: String,
    pub taker_id: Option<i32>,
    /// The taker's closing note.
    pub note: Option<String>,
    pub created_at: DateTimeUtc,
    pub taken_at: Option<DateTimeUtc>,
    pub closed_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
