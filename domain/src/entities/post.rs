//! A post of a tea-house thread: the opening post or a reply. The body is stored as typed
//! (Markdown-lite) and only ever rendered as text.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "posts")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub thread_id: i32,
    pub author_id: Option<i32>,
    pub body: String,
    pub anonymous: bool,
    /// "liaison" or "officer" when written with an official badge.
    pub official: Option<String>,
    /// The liaison room the badge names.
    pub official_room_id: Option<i32>,
    pub is_opening: bool,
    pub hidden: bool,
    /// Deleted by a moderator: the body is emptied and cannot come back.
    pub deleted: bool,
    pub created_at: DateTimeUtc,
    pub is_demo: bool,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::thread::Entity",
        from = "Column::ThreadId",
        to = "super::thread::Column::Id"
    )]
    Thread,
}

impl Related<super::thread::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Thread.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
