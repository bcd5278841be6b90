//! One total the station reports of itself (本所记录), with its source and date: shown beside
//! the portal's computed figures, never added to them.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "reported_figures")]
pub struct Model {
    /// `cases_mediated`, `success_rate`, `amount_yuan` or `satisfaction_rate`.
    #[sea_orm(primary_key, auto_increment = false)]
    pub measure: String,
    /// The value in hundredths: 99.3 % is 9930, 1,800 cases 180000.
    pub value_hundredths: i64,
    /// Reported as "more than" (余).
    pub more_than: bool,
    /// Where the figure comes from: a report, an article.
    pub source: String,
    /// The day the figure held.
    pub as_of: Date,
    pub is_demo: bool,
    pub updated_by: Option<i32>,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
