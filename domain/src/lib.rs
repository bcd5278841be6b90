//! The portal's domain: entities, migrations and the rules that hold whatever page or
//! command touches the data. Nothing here knows about HTTP or the browser.

pub mod accounts;
pub mod admin_log;
pub mod casework;
pub mod db;
pub mod demo;
pub mod directory;
pub mod entities;
pub mod error;
pub mod inbox;
pub mod mediation;
pub mod memberships;
pub mod migration;
pub mod notices;
pub mod reported;
pub mod settings;
pub mod station;
pub mod teahouse;
pub mod testing;
pub mod text;
mod text_enum;
pub mod time;
pub mod volunteers;

pub use error::{Error, Result};
pub use sea_orm::{DatabaseConnection, DbBackend, DbErr};
