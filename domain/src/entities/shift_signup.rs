//! A volunteer'\''s place on a shift, and what happened on the day.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "shift_signups")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub shift_id: i32,
    pub user_id: i32,
    pub signed_at: DateTimeUtc,
    pub withdrawn_at: Option<DateTimeUtc>,
    pub check_in_at: Option<DateTimeUtc>,
    pub check_out_at: Option<DateTimeUtc>,
    pub no_show: bool,
    pub minutes_credited: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::shift::Entity",
        from = "Column::ShiftId",
        to = "super::shift::Column::Id"
    )]
    Shift,
    #[sea_orm(
        belongs_to = "super::user::Entity",
        from = "Column::UserId",
        to = "super::user::Column::Id"
    )]
    User,
}

impl Related<super::shift::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Shift.def()
    }
}

impl Related<super::user::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::User.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
