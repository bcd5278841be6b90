//! Small key/value facts the portal keeps about itself (whether and when demo data was
//! loaded).

use sea_orm::{ActiveValue::Set, ConnectionTrait, EntityTrait};

use crate::entities::setting;

pub const DEMO_LOADED_AT: &str = "demo_data_loaded_at";

pub async fn get(db: &impl ConnectionTrait, key: &str) -> crate::Result<Option<String>> {
    Ok(setting::Entity::find_by_id(key.to_owned())
        .one(db)
        .await?
        .map(|s| s.value))
}

/// Stores `value` under `key` unless the key already has one, and returns whichever
/// value won. Two processes starting at once therefore agree on one value.
pub async fn get_or_insert(
    db: &impl ConnectionTrait,
    key: &str,
    value: &str,
) -> crate::Result<String> {
    setting::Entity::insert(setting::ActiveModel {
        key: Set(key.to_owned()),
        value: Set(value.to_owned()),
    })
    .on_conflict_do_nothing_on([setting::Column::Key])
    .exec(db)
    .await?;
    get(db, key).await?.ok_or(crate::Error::NotFound)
}
