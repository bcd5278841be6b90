//! The directory kept by the station: admins create, rename, move and retire its
//! organisations. Retiring is a date (`retired_at`), never a delete: cases, threads, hours
//! and the log keep naming what they named. Mediation rooms gain a public phone and the
//! mutual-aid stations the three people who run one (党员骨干 initiator, coordinator,
//! 治安指导员 officer). An uploaded directory file waits in `directory_imports` between its
//! preview and its application, which happens once (`applied_at`).
//!
//! The admin log learns the directory's acts; its CHECK of actions is rewritten (on SQLite
//! by rebuilding the table, which SQLite needs to change a CHECK, with its triggers).

use sea_orm_migration::{prelude::*, schema::*};

use super::m20261206_000012_counter::{ACTIONS as ACTIONS_BEFORE, VIAS, set_admin_log_lists};
use super::{col, foreign_key, user_id};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum RetiredAt {
    RetiredAt,
}

#[derive(DeriveIden)]
enum MediationRooms {
    Table,
    Phone,
}

#[derive(DeriveIden)]
enum AidStations {
    Table,
    Initiator,
    Coordinator,
    Officer,
}

#[derive(DeriveIden)]
enum DirectoryImports {
    Table,
    Id,
    At,
    AdminId,
    Encoding,
    Content,
    AppliedAt,
}

/// The tables of the directory, each of which may retire a row.
const TABLES: [&str; 7] = [
    "police_offices",
    "communities",
    "compounds",
    "aid_stations",
    "mediation_rooms",
    "liaison_rooms",
    "squads",
];

/// The admin log's acts after this migration: the counter's (`m20261206_000012_counter`)
/// and the directory's.
const ACTIONS: &str = "'role_granted', 'role_revoked', 'member_added', 'member_removed', \
                       'station_saved', 'reset_issued', 'reset_used', 'counter_signup', \
                       'record_saved', \
                       'org_created', 'org_changed', 'org_retired', 'org_restored', 'dir_imported'";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    /// In one transaction on SQLite too: the admin log's copy, drop and rename must happen
    /// on one connection, which sees them in order (another connection of the pool may
    /// still read the schema as it was).
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in TABLES {
            manager
                .alter_table(
                    Table::alter()
                        .table(Alias::new(table))
                        .add_column(timestamp_with_time_zone_null(RetiredAt::RetiredAt))
                        .to_owned(),
                )
                .await?;
        }
        manager
            .alter_table(
                Table::alter()
                    .table(MediationRooms::Table)
                    .add_column(string_len(MediationRooms::Phone, 20).default(""))
                    .to_owned(),
            )
            .await?;
        for person in [
            AidStations::Initiator,
            AidStations::Coordinator,
            AidStations::Officer,
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(AidStations::Table)
                        .add_column(string_len(person, 40).default(""))
                        .to_owned(),
                )
                .await?;
        }
        manager
            .create_table(
                Table::create()
                    .table(DirectoryImports::Table)
                    .col(pk_auto(DirectoryImports::Id))
                    .col(timestamp_with_time_zone(DirectoryImports::At))
                    .col(integer_null(DirectoryImports::AdminId))
                    .col(string_len(DirectoryImports::Encoding, 12))
                    .col(text(DirectoryImports::Content))
                    .col(timestamp_with_time_zone_null(DirectoryImports::AppliedAt))
                    .foreign_key(&mut foreign_key(
                        col(DirectoryImports::Table, DirectoryImports::AdminId),
                        user_id(),
                        ForeignKeyAction::SetNull,
                    ))
                    .to_owned(),
            )
            .await?;
        set_admin_log_lists(manager, (VIAS, ACTIONS_BEFORE), (VIAS, ACTIONS)).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        set_admin_log_lists(manager, (VIAS, ACTIONS), (VIAS, ACTIONS_BEFORE)).await?;
        super::drop_tables(manager, vec![DirectoryImports::Table.into_iden()]).await?;
        for person in [
            AidStations::Initiator,
            AidStations::Coordinator,
            AidStations::Officer,
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(AidStations::Table)
                        .drop_column(person)
                        .to_owned(),
                )
                .await?;
        }
        manager
            .alter_table(
                Table::alter()
                    .table(MediationRooms::Table)
                    .drop_column(MediationRooms::Phone)
                    .to_owned(),
            )
            .await?;
        for table in TABLES {
            manager
                .alter_table(
                    Table::alter()
                        .table(Alias::new(table))
                        .drop_column(RetiredAt::RetiredAt)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}
