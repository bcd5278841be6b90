//! 管理日志: what admins do to accounts — roles granted and taken back, people added to and
//! removed from organisations — from the admin pages and from `portal user add`. Written in
//! the transaction of the change and never rewritten: triggers on both engines refuse
//! updates and deletes, as they do for `case_history`; only the two people a row names may
//! become NULL, when their account is deleted (the foreign keys' SET NULL).
//!
//! Also: `colour_views` records which page showed household data (the 三色 board or a case
//! page), so that admins can read who saw which household data.

use sea_orm_migration::{prelude::*, schema::*};

use super::{col, foreign_key, user_id};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum AdminLog {
    Table,
    Id,
    At,
    ActorId,
    Via,
    Action,
    TargetId,
    Subject,
    ValueBefore,
    ValueAfter,
}

#[derive(DeriveIden)]
enum ColourViews {
    Table,
    Page,
}

const VIAS: &str = "'admin_page', 'command_line'";
const ACTIONS: &str = "'role_granted', 'role_revoked', 'member_added', 'member_removed'";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        use ForeignKeyAction::SetNull;
        manager
            .create_table(
                Table::create()
                    .table(AdminLog::Table)
                    .col(pk_auto(AdminLog::Id))
                    .col(timestamp_with_time_zone(AdminLog::At))
                    .col(integer_null(AdminLog::ActorId))
                    .col(
                        string_len(AdminLog::Via, 12).check(Expr::cust(format!("via IN ({VIAS})"))),
                    )
                    .col(
                        string_len(AdminLog::Action, 16)
                            .check(Expr::cust(format!("action IN ({ACTIONS})"))),
                    )
                    .col(integer_null(AdminLog::TargetId))
                    .col(string_len(AdminLog::Subject, 40))
                    .col(text(AdminLog::ValueBefore).default(""))
                    .col(text(AdminLog::ValueAfter).default(""))
                    .foreign_key(&mut foreign_key(
                        col(AdminLog::Table, AdminLog::ActorId),
                        user_id(),
                        SetNull,
                    ))
                    .foreign_key(&mut foreign_key(
                        col(AdminLog::Table, AdminLog::TargetId),
                        user_id(),
                        SetNull,
                    ))
                    .to_owned(),
            )
            .await?;
        append_only(manager).await?;
        // Rows from before this migration were all the 三色 board.
        manager
            .alter_table(
                Table::alter()
                    .table(ColourViews::Table)
                    .add_column(string_len(ColourViews::Page, 80).default("/board/colours"))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(ColourViews::Table)
                    .drop_column(ColourViews::Page)
                    .to_owned(),
            )
            .await?;
        super::drop_tables(manager, vec![AdminLog::Table.into_iden()]).await?;
        if manager.get_database_backend() == sea_orm::DatabaseBackend::Postgres {
            manager
                .get_connection()
                .execute_unprepared("DROP FUNCTION IF EXISTS admin_log_is_append_only()")
                .await?;
        }
        Ok(())
    }
}

/// Log rows cannot be changed or deleted; the actor and the target may only become NULL,
/// when their account is deleted. Unlike case history, no parent row takes a log row with
/// it, so a delete is always refused.
pub(super) async fn append_only(manager: &SchemaManager<'_>) -> Result<(), DbErr> {
    let db = manager.get_connection();
    let columns = "id, at, via, action, subject, value_before, value_after";
    match manager.get_database_backend() {
        sea_orm::DatabaseBackend::Postgres => {
            db.execute_unprepared(
                "CREATE FUNCTION admin_log_is_append_only() RETURNS trigger AS $$ \
                 BEGIN RAISE EXCEPTION 'the admin log is append-only'; END; $$ LANGUAGE plpgsql",
            )
            .await?;
            db.execute_unprepared(&format!(
                "CREATE TRIGGER admin_log_no_update BEFORE UPDATE OF {columns} ON admin_log \
                 FOR EACH ROW EXECUTE FUNCTION admin_log_is_append_only()"
            ))
            .await?;
            db.execute_unprepared(
                "CREATE TRIGGER admin_log_no_delete BEFORE DELETE ON admin_log \
                 FOR EACH ROW EXECUTE FUNCTION admin_log_is_append_only()",
            )
            .await?;
            for person in ["actor_id", "target_id"] {
                db.execute_unprepared(&format!(
                    "CREATE TRIGGER admin_log_no_rename_{person} BEFORE UPDATE OF {person} \
                     ON admin_log FOR EACH ROW WHEN (NEW.{person} IS NOT NULL) \
                     EXECUTE FUNCTION admin_log_is_append_only()"
                ))
                .await?;
            }
        }
        _ => {
            db.execute_unprepared(&format!(
                "CREATE TRIGGER admin_log_no_update BEFORE UPDATE OF {columns} ON admin_log \
                 BEGIN SELECT RAISE(ABORT, 'the admin log is append-only'); END"
            ))
            .await?;
            db.execute_unprepared(
                "CREATE TRIGGER admin_log_no_delete BEFORE DELETE ON admin_log \
                 BEGIN SELECT RAISE(ABORT, 'the admin log is append-only'); END",
            )
            .await?;
            for person in ["actor_id", "target_id"] {
                db.execute_unprepared(&format!(
                    "CREATE TRIGGER admin_log_no_rename_{person} BEFORE UPDATE OF {person} \
                     ON admin_log WHEN NEW.{person} IS NOT NULL \
                     BEGIN SELECT RAISE(ABORT, 'the admin log is append-only'); END"
                ))
                .await?;
            }
        }
    }
    Ok(())
}
