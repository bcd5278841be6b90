//! One act of an admin on an account (管理日志), append-only: a role granted or taken back, a
//! membership of an organisation added or ended.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "admin_log")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub at: DateTimeUtc,
    /// The admin; NULL from the command line, or once the admin's account is deleted.
    pub actor_id: Option<i32>,
    /// `admin_page` or `command_line`.
    pub via: vocab::accounts::Via,
    pub action: vocab::accounts::LogAction,
    /// The account acted on; NULL once it is deleted.
    pub target_id: Option<i32>,
    /// The role (`mediator`) or the organisation (`mediation_room:3`) concerned.
    pub subject: String,
    pub value_before: String,
    pub value_after: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
