//! 派出所: the station that runs this portal, as people and other systems see it.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "station")]
pub struct Model {
    /// Always 1: one station per portal.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: i32,
    /// 招宝山派出所
    pub name: String,
    /// 辖区: the area it serves, e.g. 招宝山街道.
    pub district: String,
    pub address: String,
    /// The public's number (a duty desk), shown on pages and the privacy notice.
    pub phone: String,
    pub public_url: String,
    /// CAP `sender` and the authority of the feeds' `tag:` ids.
    pub sender: String,
    /// CAP `areaDesc` of a notice for all communities, e.g. 招宝山街道全域.
    pub area_desc: String,
    pub is_demo: bool,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
