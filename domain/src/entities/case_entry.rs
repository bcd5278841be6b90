//! One step of a case's history. Append-only: triggers refuse updates and deletes.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "case_history")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub case_id: i32,
    pub at: DateTimeUtc,
    pub actor_id: Option<i32>,
    pub action: vocab::casework::Action,
    pub from_stage: Option<vocab::casework::Stage>,
    pub to_stage: vocab::casework::Stage,
    pub org_kind: Option<vocab::casework::OrgKind>,
    pub org_id: Option<i32>,
    pub note: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
