//! 站内信: one message in a person'\''s inbox. The text is rendered in the reader'\''s language from the topic (a translation key) and the subject (e.g. a case code).

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "inbox_messages")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub user_id: i32,
    pub at: DateTimeUtc,
    pub topic: String,
    pub subject: String,
    pub link: String,
    pub read_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
