//! 窗口服务 — the counter: one-time reset codes an officer hands a resident they have seen in
//! person, and the consent of a resident registered at the counter (the officer who took it,
//! by name). The admin log learns the acts of the counter and of the station's identity: its
//! lists of places (`via`) and acts (`action`) grow, and its rows stay append-only.

use sea_orm_migration::{prelude::*, schema::*};

use super::{col, foreign_key, user_id};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum ResetCodes {
    Table,
    Id,
    UserId,
    CodeHash,
    IssuedBy,
    IssuedAt,
    ExpiresAt,
    UsedAt,
}

#[derive(DeriveIden)]
enum Users {
    Table,
    ConsentWitness,
}

/// The admin log's lists before this migration (`m20261206_000010_admin_log`)…
const VIAS_BEFORE: &str = "'admin_page', 'command_line'";
const ACTIONS_BEFORE: &str = "'role_granted', 'role_revoked', 'member_added', 'member_removed'";
/// …and after it.
pub(super) const VIAS: &str = "'admin_page', 'command_line', 'counter', 'reset_page', 'setup_page'";
pub(super) const ACTIONS: &str = "'role_granted', 'role_revoked', 'member_added', 'member_removed', \
                       'station_saved', 'reset_issued', 'reset_used', 'counter_signup', \
                       'record_saved'";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    /// In one transaction on SQLite too: the admin log is made anew there, and its steps
    /// must run on one connection (another of the pool could still read the old table) and
    /// all happen or none.
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        use ForeignKeyAction::{Cascade, SetNull};
        manager
            .create_table(
                Table::create()
                    .table(ResetCodes::Table)
                    .col(pk_auto(ResetCodes::Id))
                    .col(integer(ResetCodes::UserId))
                    // argon2id, as passwords: the code is short enough to say across a
                    // counter, so a leaked table must not be searchable offline.
                    .col(string_len(ResetCodes::CodeHash, 200))
                    .col(integer_null(ResetCodes::IssuedBy))
                    .col(timestamp_with_time_zone(ResetCodes::IssuedAt))
                    .col(timestamp_with_time_zone(ResetCodes::ExpiresAt))
                    .col(timestamp_with_time_zone_null(ResetCodes::UsedAt))
                    .check(Expr::cust("expires_at > issued_at"))
                    .foreign_key(&mut foreign_key(
                        col(ResetCodes::Table, ResetCodes::UserId),
                        user_id(),
                        Cascade,
                    ))
                    .foreign_key(&mut foreign_key(
                        col(ResetCodes::Table, ResetCodes::IssuedBy),
                        user_id(),
                        SetNull,
                    ))
                    .to_owned(),
            )
            .await?;
        // One code an account can still use: a new one replaces it, and two officers
        // issuing at once cannot leave two. (sea-query has no partial indexes; this SQL is
        // the same on SQLite and PostgreSQL.)
        manager
            .get_connection()
            .execute_unprepared(
                "CREATE UNIQUE INDEX ux_reset_codes_one_unused ON reset_codes (user_id) \
                 WHERE used_at IS NULL",
            )
            .await?;
        // Who took the consent of a resident registered at the counter; NULL for those who
        // registered themselves online (and for staff accounts).
        manager
            .alter_table(
                Table::alter()
                    .table(Users::Table)
                    .add_column(string_len_null(Users::ConsentWitness, 60))
                    .to_owned(),
            )
            .await?;
        set_admin_log_lists(manager, (VIAS_BEFORE, ACTIONS_BEFORE), (VIAS, ACTIONS)).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        set_admin_log_lists(manager, (VIAS, ACTIONS), (VIAS_BEFORE, ACTIONS_BEFORE)).await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Users::Table)
                    .drop_column(Users::ConsentWitness)
                    .to_owned(),
            )
            .await?;
        super::drop_tables(manager, vec![ResetCodes::Table.into_iden()]).await
    }
}

/// Replaces the admin log's CHECK lists of places and acts (`'a', 'b'` as SQL), `from` the
/// lists it has `to` new ones; a later migration that adds an act calls it again.
///
/// PostgreSQL swaps the constraints. SQLite cannot change a constraint, so the table is
/// made anew from its own stored definition with the lists replaced, its rows copied (no
/// trigger fires on the copy or on dropping the old table) and the append-only triggers
/// written again; nothing refers to the log, so no foreign key notices.
pub(super) async fn set_admin_log_lists(
    manager: &SchemaManager<'_>,
    from: (&str, &str),
    to: (&str, &str),
) -> Result<(), DbErr> {
    let db = manager.get_connection();
    match manager.get_database_backend() {
        sea_orm::DatabaseBackend::Postgres => {
            for (column, list) in [("via", to.0), ("action", to.1)] {
                db.execute_unprepared(&format!(
                    "ALTER TABLE admin_log DROP CONSTRAINT admin_log_{column}_check, \
                     ADD CONSTRAINT admin_log_{column}_check CHECK ({column} IN ({list}))"
                ))
                .await?;
            }
        }
        _ => {
            // Every row read, so that the statement ends before the table it read is
            // dropped on the same connection.
            let definition = db
                .query_all_raw(sea_orm::Statement::from_string(
                    sea_orm::DatabaseBackend::Sqlite,
                    "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'admin_log'",
                ))
                .await?
                .into_iter()
                .next()
                .ok_or_else(|| DbErr::Migration("the admin log is missing".into()))?
                .try_get_by_index::<String>(0)?;
            let renamed = definition.replacen("\"admin_log\"", "\"admin_log_new\"", 1);
            let replaced = renamed
                .replace(
                    &format!("via IN ({})", from.0),
                    &format!("via IN ({})", to.0),
                )
                .replace(
                    &format!("action IN ({})", from.1),
                    &format!("action IN ({})", to.1),
                );
            if replaced == renamed || !replaced.contains("admin_log_new") {
                return Err(DbErr::Migration(format!(
                    "the admin log's definition is not the one expected: {definition}"
                )));
            }
            db.execute_unprepared(&replaced).await?;
            db.execute_unprepared("INSERT INTO admin_log_new SELECT * FROM admin_log")
                .await?;
            db.execute_unprepared("DROP TABLE admin_log").await?;
            db.execute_unprepared("ALTER TABLE admin_log_new RENAME TO admin_log")
                .await?;
            super::m20261206_000010_admin_log::append_only(manager).await?;
        }
    }
    Ok(())
}
