//! 反诈 "三无一表一App": each community's anti-fraud team — its community officer, auxiliary
//! police (辅警) and grid workers (网格员), "1 民警 + 3 辅警 + N 网格员" — visits every
//! household and keeps one register of it.
//!
//! - 一张登记表 (`register`): the households of each compound and every visit: whether the
//!   国家反诈中心 App is installed and its warning on, who in the household is at higher risk
//!   (checkboxes, never a diagnosis in words), the scams explained and when to come back.
//! - 无遗漏: coverage per compound and community, the households never or not recently
//!   visited. 无损失 (`losses`): losses to fraud the team reports, with their amount.
//!   无库存: the loop's open cases officers count as fraud-related.
//!
//! Officers (and admins) keep every community's register; auxiliaries and grid workers the
//! one of the team they are on, while they hold the role it rests on. Residents never see
//! it. Every look at a compound's or a household's record is logged beside the 三色 views.

pub mod losses;
pub mod register;

use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};

use crate::accounts::{Account, Role};
use crate::entities::{community, fraud_team_member};
use crate::{Error, Result};

pub use vocab::antifraud::Scam;

/// Every rule code this feature can refuse with; each is a translation key.
pub const REFUSAL_CODES: &[&str] = &[
    "antifraud-address-invalid",
    "antifraud-addresses-empty",
    "antifraud-addresses-too-many",
    "antifraud-visit-date-invalid",
    "antifraud-follow-up-invalid",
    "antifraud-warning-without-app",
    // The forms' own: a scam the list does not have.
    "antifraud-scam-invalid",
    "antifraud-amount-invalid",
    "antifraud-loss-date-invalid",
    "antifraud-case-unknown",
];

/// A visit within this many days counts as recent (无遗漏): twice a year, as the team's
/// rounds go.
pub const RECENT_DAYS: i64 = 180;

/// Whether the account keeps every community's register.
fn keeps_all(account: &Account) -> bool {
    account.has(Role::Officer) || account.has(Role::Admin)
}

/// Whether the account may open the register at all: staff, or a member of a team.
pub fn may_keep(account: &Account) -> bool {
    keeps_all(account) || account.has(Role::Auxiliary) || account.has(Role::GridWorker)
}

/// The communities whose register the account keeps, by name: every one in service for
/// officers and admins, their team's for auxiliaries and grid workers (a membership counts
/// while they hold the role it rests on). Refused to everyone else.
pub async fn communities_of(
    db: &impl ConnectionTrait,
    account: &Account,
) -> Result<Vec<community::Model>> {
    if !may_keep(account) {
        return Err(Error::Forbidden);
    }
    let mut query = community::Entity::find()
        .filter(community::Column::RetiredAt.is_null())
        .order_by_asc(community::Column::Id);
    if !keeps_all(account) {
        let ids: Vec<i32> = fraud_team_member::Entity::find()
            .filter(fraud_team_member::Column::UserId.eq(account.user.id))
            .all(db)
            .await?
            .into_iter()
            .filter(|m| account.has(m.role))
            .map(|m| m.community_id)
            .collect();
        query = query.filter(community::Column::Id.is_in(ids));
    }
    Ok(query.all(db).await?)
}

/// A community's name, empty when there is no such community.
pub(crate) async fn community_name(db: &impl ConnectionTrait, id: i32) -> Result<String> {
    Ok(community::Entity::find_by_id(id)
        .one(db)
        .await?
        .map(|c| c.name)
        .unwrap_or_default())
}

/// Refuses unless the account keeps the register of `community_id`.
pub(crate) async fn require_community(
    db: &impl ConnectionTrait,
    account: &Account,
    community_id: i32,
) -> Result<()> {
    if !may_keep(account) {
        return Err(Error::Forbidden);
    }
    if keeps_all(account) {
        return Ok(());
    }
    let member = fraud_team_member::Entity::find_by_id((community_id, account.user.id))
        .one(db)
        .await?;
    match member {
        Some(m) if account.has(m.role) => Ok(()),
        _ => Err(Error::Forbidden),
    }
}

/// What the personal-data download holds of a person's anti-fraud work: the teams they are
/// on and as what, and how many visits and losses they recorded. The households' own
/// records are the households', not theirs, and stay out.
pub async fn export_for(
    db: &impl ConnectionTrait,
    user_id: i32,
) -> Result<serde_json::Map<String, serde_json::Value>> {
    use sea_orm::PaginatorTrait;

    use crate::entities::{fraud_loss, household_visit};
    let mut teams = Vec::new();
    for m in fraud_team_member::Entity::find()
        .filter(fraud_team_member::Column::UserId.eq(user_id))
        .all(db)
        .await?
    {
        let community = community_name(db, m.community_id).await?;
        teams.push(serde_json::json!({"community": community, "role": m.role}));
    }
    let visits = household_visit::Entity::find()
        .filter(household_visit::Column::VisitorId.eq(user_id))
        .count(db)
        .await?;
    let losses = fraud_loss::Entity::find()
        .filter(fraud_loss::Column::ReportedBy.eq(user_id))
        .count(db)
        .await?;
    let mut out = serde_json::Map::new();
    if !teams.is_empty() || visits > 0 || losses > 0 {
        out.insert(
            "anti_fraud".into(),
            serde_json::json!({
                "teams": teams,
                "household_visits_recorded": visits,
                "losses_reported": losses,
            }),
        );
    }
    Ok(out)
}
