//! 老乡帮老乡: a resident asks for someone who speaks their dialect; one volunteer who does
//! takes it and closes it with a note.

use sea_orm_migration::{prelude::*, schema::*};

use super::m20261129_000002_accounts::Users;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
pub(super) enum HelpRequests {
    Table,
    Id,
    RequesterId,
    Dialect,
    Need,
    Place,
    Status,
    TakerId,
    Note,
    CreatedAt,
    TakenAt,
    ClosedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(HelpRequests::Table)
                    .col(pk_auto(HelpRequests::Id))
                    .col(integer(HelpRequests::RequesterId))
                    .col(string_len(HelpRequests::Dialect, 30))
                    .col(string_len(HelpRequests::Need, 300))
                    .col(string_len(HelpRequests::Place, 100))
                    .col(string_len(HelpRequests::Status, 10))
                    .col(integer_null(HelpRequests::TakerId))
                    .col(string_len_null(HelpRequests::Note, 200))
                    .col(timestamp_with_time_zone(HelpRequests::CreatedAt))
                    .col(timestamp_with_time_zone_null(HelpRequests::TakenAt))
                    .col(timestamp_with_time_zone_null(HelpRequests::ClosedAt))
                    .check(Expr::cust(
                        "status IN ('open', 'taken', 'closed', 'withdrawn')",
                    ))
                    // Taken and closed requests name who took them.
                    .check(Expr::cust(
                        "status IN ('open', 'withdrawn') OR taker_id IS NOT NULL",
                    ))
                    .foreign_key(
                        ForeignKey::create()
                            .from(HelpRequests::Table, HelpRequests::RequesterId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(HelpRequests::Table, HelpRequests::TakerId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::SetNull),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        super::drop_tables(manager, vec![HelpRequests::Table.into_iden()]).await
    }
}
