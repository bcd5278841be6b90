//! Schools and enterprises in the directory, each in a community; enterprises' contacts (a
//! new role, each contact tied to one enterprise: the user is the key), and their service
//! requests (驻企服务) as cases of the loop whose source is the enterprise (`cases.kind` gains
//! `enterprise`, `enterprise_requests` names the enterprise and who filed it, and the new
//! kind takes the walk-ins' deadlines until the station sets its own).
//!
//! The CHECKs of `user_roles.role`, `cases.kind` and `case_deadlines.kind` are widened (see
//! `rewrite_check`), in one transaction.

use sea_orm_migration::{prelude::*, schema::*};

use super::{col, foreign_key, user_id};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(Clone, Copy, DeriveIden)]
enum Schools {
    Table,
}

#[derive(Clone, Copy, DeriveIden)]
enum Enterprises {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Place {
    Id,
    CommunityId,
    Name,
    Address,
    IsDemo,
    RetiredAt,
}

#[derive(DeriveIden)]
enum EnterpriseRequests {
    Table,
    CaseId,
    EnterpriseId,
    FiledBy,
}

#[derive(DeriveIden)]
enum EnterpriseContacts {
    Table,
    UserId,
    EnterpriseId,
}

const ROLES_BEFORE: &str = "'resident', 'volunteer', 'mediator', 'liaison', 'officer', 'admin', 'auxiliary', 'grid_worker'";
const ROLES: &str = "'resident', 'volunteer', 'mediator', 'liaison', 'officer', 'admin', 'auxiliary', 'grid_worker', 'enterprise_contact'";
const KINDS_BEFORE: &str = "'mediation', 'thread', 'help', 'walk_in', 'phone', 'patrol'";
const KINDS: &str = "'mediation', 'thread', 'help', 'walk_in', 'phone', 'patrol', 'enterprise'";

/// A school or an enterprise: a named place with an address in one community.
fn place(table: impl IntoIden + Copy) -> TableCreateStatement {
    Table::create()
        .table(table)
        .col(pk_auto(Place::Id))
        .col(integer(Place::CommunityId))
        .col(string_len_uniq(Place::Name, 40))
        .col(string_len(Place::Address, 100))
        .col(boolean(Place::IsDemo).default(false))
        .col(timestamp_with_time_zone_null(Place::RetiredAt))
        .foreign_key(&mut foreign_key(
            col(table, Place::CommunityId),
            col(Alias::new("communities"), Alias::new("id")),
            ForeignKeyAction::Restrict,
        ))
        .to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    /// One connection in one transaction on SQLite too, which `rewrite_check` needs.
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.create_table(place(Schools::Table)).await?;
        manager.create_table(place(Enterprises::Table)).await?;
        manager
            .create_table(
                Table::create()
                    .table(EnterpriseContacts::Table)
                    .col(integer(EnterpriseContacts::UserId).primary_key())
                    .col(integer(EnterpriseContacts::EnterpriseId))
                    .foreign_key(&mut foreign_key(
                        col(EnterpriseContacts::Table, EnterpriseContacts::UserId),
                        user_id(),
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut foreign_key(
                        col(EnterpriseContacts::Table, EnterpriseContacts::EnterpriseId),
                        col(Enterprises::Table, Enterprises::Id),
                        ForeignKeyAction::Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_enterprise_contacts_enterprise")
                    .table(EnterpriseContacts::Table)
                    .col(EnterpriseContacts::EnterpriseId)
                    .to_owned(),
            )
            .await?;
        super::rewrite_check(manager, "user_roles", "role", ROLES_BEFORE, ROLES).await?;
        // "enterprise_contact" is longer than the 16 characters roles had; SQLite does not
        // hold a text to its declared length.
        if manager.get_database_backend() == sea_orm::DatabaseBackend::Postgres {
            manager
                .get_connection()
                .execute_unprepared("ALTER TABLE user_roles ALTER COLUMN role TYPE varchar(20)")
                .await?;
        }
        super::rewrite_check(manager, "cases", "kind", KINDS_BEFORE, KINDS).await?;
        super::rewrite_check(manager, "case_deadlines", "kind", KINDS_BEFORE, KINDS).await?;
        manager
            .create_table(
                Table::create()
                    .table(EnterpriseRequests::Table)
                    .col(integer(EnterpriseRequests::CaseId).primary_key())
                    .col(integer(EnterpriseRequests::EnterpriseId))
                    .col(integer_null(EnterpriseRequests::FiledBy))
                    .foreign_key(&mut foreign_key(
                        col(EnterpriseRequests::Table, EnterpriseRequests::CaseId),
                        col(Alias::new("cases"), Alias::new("id")),
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut foreign_key(
                        col(EnterpriseRequests::Table, EnterpriseRequests::EnterpriseId),
                        col(Enterprises::Table, Enterprises::Id),
                        ForeignKeyAction::Restrict,
                    ))
                    .foreign_key(&mut foreign_key(
                        col(EnterpriseRequests::Table, EnterpriseRequests::FiledBy),
                        user_id(),
                        ForeignKeyAction::SetNull,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_enterprise_requests_enterprise")
                    .table(EnterpriseRequests::Table)
                    .col(EnterpriseRequests::EnterpriseId)
                    .to_owned(),
            )
            .await?;
        manager
            .get_connection()
            .execute_unprepared(
                "INSERT INTO case_deadlines (kind, stage, hours, escalate) \
             SELECT 'enterprise', stage, hours, escalate FROM case_deadlines \
             WHERE kind = 'walk_in'",
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        super::drop_tables(
            manager,
            vec![
                EnterpriseRequests::Table.into_iden(),
                EnterpriseContacts::Table.into_iden(),
                Enterprises::Table.into_iden(),
                Schools::Table.into_iden(),
            ],
        )
        .await?;
        let db = manager.get_connection();
        // The requests' cases stay, as walk-ins: their history is the station's.
        db.execute_unprepared("UPDATE cases SET kind = 'walk_in' WHERE kind = 'enterprise'")
            .await?;
        db.execute_unprepared("DELETE FROM case_deadlines WHERE kind = 'enterprise'")
            .await?;
        db.execute_unprepared("DELETE FROM user_roles WHERE role = 'enterprise_contact'")
            .await?;
        super::rewrite_check(manager, "case_deadlines", "kind", KINDS, KINDS_BEFORE).await?;
        super::rewrite_check(manager, "cases", "kind", KINDS, KINDS_BEFORE).await?;
        super::rewrite_check(manager, "user_roles", "role", ROLES, ROLES_BEFORE).await?;
        if manager.get_database_backend() == sea_orm::DatabaseBackend::Postgres {
            db.execute_unprepared("ALTER TABLE user_roles ALTER COLUMN role TYPE varchar(16)")
                .await?;
        }
        Ok(())
    }
}
