//! A dispute brought to 老何调解室, from request to follow-up visit (一案一码).

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "mediation_cases")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    #[sea_orm(unique)]
    pub code: String,
    pub resident_id: Option<i32>,
    pub community_id: Option<i32>,
    pub room_id: i32,
    /// The mediator who took the case on.
    pub mediator_id: Option<i32>,
    pub dispute_type: vocab::mediation::DisputeType,
    pub account: String,
    pub other_party: String,
    pub other_relation: String,
    /// Shown to the case's mediators only.
    pub other_phone: Option<String>,
    /// Yuan.
    pub amount_claimed: Option<i64>,
    pub tried_aid_station: bool,
    pub mode: vocab::mediation::Mode,
    pub level: vocab::mediation::Level,
    pub status: vocab::mediation::Status,
    pub outcome: Option<vocab::mediation::Outcome>,
    /// Where a referred case went; set with the outcome "referred" only.
    pub referred_to: Option<vocab::mediation::ReferralTarget>,
    /// Where exactly, for "other" or a detail of the named body.
    pub referral_note: Option<String>,
    /// What became of the referral, once the mediator learned it.
    pub referral_result: Option<vocab::mediation::ReferralResult>,
    pub agreement: Option<String>,
    /// Yuan.
    pub amount_settled: Option<i64>,
    pub satisfaction: Option<i32>,
    pub follow_up_comment: Option<String>,
    pub follow_up_channel: Option<String>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub outcome_at: Option<DateTimeUtc>,
    pub follow_up_at: Option<DateTimeUtc>,
    pub is_demo: bool,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::mediation_room::Entity",
        from = "Column::RoomId",
        to = "super::mediation_room::Column::Id"
    )]
    Room,
}

impl Related<super::mediation_room::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Room.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
