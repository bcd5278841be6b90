//! 护苗队: the school a squad keeps the gate of (`squad_schools`: a squad with a school is a
//! 护苗队), the school calendar its duty follows — the terms (`school_terms`) and the days
//! off within them (`school_holidays`), one calendar for the district's schools — and which
//! shifts are duty at which school's gate (`school_duties`, 护校/护学).

use sea_orm_migration::{prelude::*, schema::*};

use super::{col, foreign_key};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum SchoolTerms {
    Table,
    Id,
    Name,
    StartsOn,
    EndsOn,
}

#[derive(DeriveIden)]
enum SchoolHolidays {
    Table,
    Day,
    Name,
}

#[derive(DeriveIden)]
enum SquadSchools {
    Table,
    SquadId,
    SchoolId,
}

#[derive(DeriveIden)]
enum SchoolDuties {
    Table,
    ShiftId,
    SchoolId,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(SquadSchools::Table)
                    .col(integer(SquadSchools::SquadId).primary_key())
                    .col(integer(SquadSchools::SchoolId))
                    .foreign_key(&mut foreign_key(
                        col(SquadSchools::Table, SquadSchools::SquadId),
                        col(Alias::new("squads"), Alias::new("id")),
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut foreign_key(
                        col(SquadSchools::Table, SquadSchools::SchoolId),
                        col(Alias::new("schools"), Alias::new("id")),
                        ForeignKeyAction::Restrict,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(SchoolTerms::Table)
                    .col(pk_auto(SchoolTerms::Id))
                    .col(string_len(SchoolTerms::Name, 40))
                    .col(date(SchoolTerms::StartsOn))
                    .col(date(SchoolTerms::EndsOn))
                    // ISO dates compare as dates on SQLite too (its dates are text).
                    .check(Expr::cust("ends_on >= starts_on"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(SchoolHolidays::Table)
                    .col(date(SchoolHolidays::Day).primary_key())
                    .col(string_len(SchoolHolidays::Name, 40))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(SchoolDuties::Table)
                    .col(integer(SchoolDuties::ShiftId).primary_key())
                    .col(integer(SchoolDuties::SchoolId))
                    .foreign_key(&mut foreign_key(
                        col(SchoolDuties::Table, SchoolDuties::ShiftId),
                        col(Alias::new("shifts"), Alias::new("id")),
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut foreign_key(
                        col(SchoolDuties::Table, SchoolDuties::SchoolId),
                        col(Alias::new("schools"), Alias::new("id")),
                        ForeignKeyAction::Restrict,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_school_duties_school")
                    .table(SchoolDuties::Table)
                    .col(SchoolDuties::SchoolId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        super::drop_tables(
            manager,
            vec![
                SchoolDuties::Table.into_iden(),
                SchoolHolidays::Table.into_iden(),
                SchoolTerms::Table.into_iden(),
                SquadSchools::Table.into_iden(),
            ],
        )
        .await
    }
}
