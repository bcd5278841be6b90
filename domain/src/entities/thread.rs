//! A tea-house thread: its opening post and replies live in `posts`.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "threads")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub board_id: i32,
    /// None once the author has deleted their account.
    pub author_id: Option<i32>,
    pub community_id: Option<i32>,
    pub title: String,
    /// open, answered, resolved or closed.
    pub status: vocab::teahouse::ThreadStatus,
    /// Shown to the public as "居民"; staff still see who it is.
    pub anonymous: bool,
    /// No more replies (a moderator's decision).
    pub locked: bool,
    /// The opening post was hidden by a moderator: only staff see the thread.
    pub hidden: bool,
    pub accepted_post_id: Option<i32>,
    pub mediation_case_id: Option<i32>,
    pub reply_count: i32,
    /// The first reply by a liaison of the board's room or an officer.
    pub official_reply_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub last_post_at: DateTimeUtc,
    pub is_demo: bool,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::board::Entity",
        from = "Column::BoardId",
        to = "super::board::Column::Id"
    )]
    Board,
}

impl Related<super::board::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Board.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
