//! A file that belongs to one mediation case, one tea-house post or one notice: a photo
//! (re-encoded, with a thumbnail) or, on cases, a PDF. The bytes live in the file store
//! under `key` (and `key.thumb`); this row says whose they are and who may see them.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "attachments")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    #[sea_orm(unique)]
    pub key: String,
    pub case_id: Option<i32>,
    pub post_id: Option<i32>,
    pub notice_id: Option<i32>,
    /// 1 to 6: the database keeps an item to six files.
    pub slot: i32,
    /// "photo" or "pdf".
    pub kind: String,
    /// What the person called it, for a PDF's download; photos are named by their slot.
    pub name: String,
    pub bytes: i32,
    pub width: Option<i32>,
    pub height: Option<i32>,
    pub thumb_width: Option<i32>,
    pub thumb_height: Option<i32>,
    pub uploaded_by: Option<i32>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
