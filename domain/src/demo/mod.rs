//! Demo data for trying the portal out. The article names the organisations but not the
//! 10 communities and 59 compounds, so those names are invented; every row loaded here
//! carries `is_demo = true`, and the portal shows a banner while demo data is present.
//!
//! Seven steps, each in its own transaction and each remembered in a setting: the
//! directory, then 你点我调 (`mediation`): demo accounts, the rooms' availability and a year
//! of cases, then 安全提示 (`notices`), then 老王帮帮团 (`volunteers`): squad leaders and
//! volunteers, their shifts and hours, then 警事茶楼 (`teahouse`): boards, liaisons and two
//! months of threads, then 警网融合 (`casework`): the stations' and offices' people, a loop
//! case for every mediation case and four months of walk-ins, calls and patrol findings,
//! then 反诈 (`antifraud`): the teams, the households and a year of visits, then 警企共建
//! (`enterprises`): the park's enterprises, their contacts and requests, then 护苗队
//! (`school`): 镇海中学, the school calendar and the squad's duty at its gate.
//! Last, 招宝山's identity as the station (`station::demo`), where none has been entered.
//! A database that got the earlier steps before a later one existed gets the rest on the
//! next run.

// The data itself is a feature (on by default; the `portal` binary's `demo` feature): a
// production build can leave out a quarter of this crate. The banner's question and the
// published demo password stay, so that a portal always knows whether it runs on demo data.
#[cfg(any(test, feature = "demo"))]
mod antifraud;
#[cfg(any(test, feature = "demo"))]
mod casework;
#[cfg(any(test, feature = "demo"))]
mod directory;
#[cfg(any(test, feature = "demo"))]
mod enterprises;
#[cfg(any(test, feature = "demo"))]
mod mediation;
#[cfg(any(test, feature = "demo"))]
mod notices;
#[cfg(any(test, feature = "demo"))]
pub mod scale;
#[cfg(any(test, feature = "demo"))]
mod school;
#[cfg(any(test, feature = "demo"))]
mod teahouse;
#[cfg(any(test, feature = "demo"))]
mod volunteers;

#[cfg(any(test, feature = "demo"))]
pub use antifraud::{AUXILIARY_PHONE, DEMO_ANTIFRAUD_LOADED_AT, GRID_WORKER_PHONE};
#[cfg(any(test, feature = "demo"))]
pub use casework::{
    DEMO_CASEWORK_LOADED_AT, STATION_MEMBER_PHONE, STATION_MEMBER_STATION,
    phones as case_member_phones,
};
#[cfg(any(test, feature = "demo"))]
pub use enterprises::{CONTACT_PHONE as ENTERPRISE_CONTACT_PHONE, DEMO_ENTERPRISES_LOADED_AT};
#[cfg(any(test, feature = "demo"))]
pub use mediation::{
    DEMO_MEDIATION_LOADED_AT, MAIN_MEDIATOR_PHONE, OFFICER_PHONE, RESIDENT_PHONES,
};
#[cfg(any(test, feature = "demo"))]
pub use notices::DEMO_NOTICES_LOADED_AT;
#[cfg(any(test, feature = "demo"))]
pub use school::{
    DEMO_SCHOOL_LOADED_AT, LEADER_PHONE as SCHOOL_LEADER_PHONE, SQUAD as SCHOOL_SQUAD,
    VOLUNTEER_PHONE as SCHOOL_VOLUNTEER_PHONE,
};
#[cfg(any(test, feature = "demo"))]
pub use teahouse::{DEMO_TEAHOUSE_LOADED_AT, phones as liaison_phones};
#[cfg(any(test, feature = "demo"))]
pub use volunteers::{DEMO_VOLUNTEERS_LOADED_AT, phones as volunteer_phones};

#[cfg(any(test, feature = "demo"))]
use directory::{BRANCH_HOURS, MAIN_ROOM_HOURS};
#[cfg(any(test, feature = "demo"))]
pub use directory::{Outcome, load, load_directory};

use sea_orm::ConnectionTrait;

use crate::settings;

/// The password of every demo account. Whoever tries the demo is told it, which is why demo
/// data must never be loaded into a portal that real people use.
pub const DEMO_PASSWORD: &str = "demo-2026-zbs";

/// Refuses, changing nothing, when one of a step's demo numbers already belongs to an account.
#[cfg(any(test, feature = "demo"))]
async fn phones_free(db: &impl ConnectionTrait, phones: Vec<String>) -> crate::Result<()> {
    use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
    let taken = crate::entities::user::Entity::find()
        .filter(crate::entities::user::Column::Phone.is_in(phones))
        .count(db)
        .await?;
    if taken > 0 {
        return Err(crate::Error::Invalid(
            "a demo account's phone number already belongs to an account",
        ));
    }
    Ok(())
}

/// Claims a step as the first write of its transaction: a second `demo-data` running at the
/// same time waits for this transaction and then finds the setting taken. Whether this run
/// has the step.
#[cfg(any(test, feature = "demo"))]
async fn claim(
    txn: &impl ConnectionTrait,
    setting: &str,
    now: chrono::DateTime<chrono::Utc>,
) -> crate::Result<bool> {
    let stamp = now.to_rfc3339();
    Ok(settings::get_or_insert(txn, setting, &stamp).await? == stamp)
}

/// Whether the portal is running on demo data (the banner's question).
pub async fn is_loaded(db: &impl ConnectionTrait) -> crate::Result<bool> {
    Ok(settings::get(db, settings::DEMO_LOADED_AT).await?.is_some())
}
