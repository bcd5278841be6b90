//! The version of what anyone may read: a `pages` row in `figures_versions`, bumped at every
//! write to every table but `PRIVATE`, whoever writes. The server keeps the public pages it
//! rendered for visitors who are not signed in while this row stays the same
//! (`server::page_cache`), as `/stats` keeps its figures (migration 028).
//!
//! The tables are listed from the schema as it stands here, not by hand, and
//! `domain/tests/migrations.rs` checks that every table made later has its trigger or is
//! in `PRIVATE`: a public page can then only be stale for lack of a trigger if a test fails.

use sea_orm::{ConnectionTrait, Statement};
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Tables no public page shows, and those written on every visit (a session's last use, a
/// notice marked read), which would otherwise make every visit throw the kept pages away.
pub const PRIVATE: &[&str] = &[
    "admin_log",
    "calendar_feeds",
    "code_requests",
    "colour_views",
    "deliveries",
    "delivery_attempts",
    "delivery_choices",
    "directory_imports",
    "directory_version",
    "email_addresses",
    "figures_versions",
    "inbox_messages",
    "job_leases",
    "login_attempts",
    "notice_reads",
    "phone_codes",
    "reset_codes",
    "seaql_migrations",
    "sessions",
    "sms_days",
    "video_chat",
    "video_invites",
    "video_sessions",
    "wechat_links",
];

/// Every table of the schema but SQLite's own and `PRIVATE`.
pub async fn public_tables(db: &impl ConnectionTrait) -> Result<Vec<String>, DbErr> {
    let backend = db.get_database_backend();
    let sql = if backend == sea_orm::DbBackend::Postgres {
        "SELECT table_name AS name FROM information_schema.tables
         WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'"
    } else {
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
    };
    let rows = db
        .query_all_raw(Statement::from_string(backend, sql))
        .await?;
    let mut tables = Vec::with_capacity(rows.len());
    for row in rows {
        let name: String = row.try_get("", "name")?;
        if !PRIVATE.contains(&name.as_str()) {
            tables.push(name);
        }
    }
    tables.sort();
    Ok(tables)
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        db.execute_unprepared("INSERT INTO figures_versions (name) VALUES ('pages')")
            .await?;
        for table in public_tables(db).await? {
            super::bump_version_on_write(db, &table, "pages").await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        for table in public_tables(db).await? {
            super::drop_version_triggers(db, &table, "pages").await?;
        }
        db.execute_unprepared("DELETE FROM figures_versions WHERE name = 'pages'")
            .await?;
        Ok(())
    }
}
