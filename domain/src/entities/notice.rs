//! 安全提示: a safety notice, from draft to published, updated and cancelled.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "notices")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub title: String,
    /// Markdown-lite: paragraphs, line breaks, "- " lists and **bold**; never HTML.
    pub body: String,
    pub category: vocab::notices::Category,
    pub severity: vocab::notices::Severity,
    /// For every community; otherwise for those in `notice_communities`.
    pub all_communities: bool,
    pub starts_at: DateTimeUtc,
    pub expires_at: DateTimeUtc,
    pub pinned: bool,
    pub status: vocab::notices::Status,
    /// How many times it was published or changed since: 0 for a draft.
    pub version: i32,
    pub author_id: Option<i32>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub published_at: Option<DateTimeUtc>,
    pub cancelled_at: Option<DateTimeUtc>,
    pub is_demo: bool,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
