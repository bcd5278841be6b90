//! 本所记录 — the station's own record: totals it reports from before the portal or from
//! outside it (老何调解室's 1,800 disputes and 99.3 % success in the article), one row per
//! measure, each with its source and the date it held. Kept apart from everything the
//! portal computes, so the two are never added together.

use sea_orm_migration::{prelude::*, schema::*};

use super::{col, foreign_key, user_id};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum ReportedFigures {
    Table,
    Measure,
    ValueHundredths,
    MoreThan,
    Source,
    AsOf,
    IsDemo,
    UpdatedBy,
    UpdatedAt,
}

const MEASURES: &str = "'cases_mediated', 'success_rate', 'amount_yuan', 'satisfaction_rate'";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(ReportedFigures::Table)
                    .col(
                        string_len(ReportedFigures::Measure, 24)
                            .primary_key()
                            .check(Expr::cust(format!("measure IN ({MEASURES})"))),
                    )
                    // Hundredths, so that 99.3 % is exact: 9930.
                    .col(big_integer(ReportedFigures::ValueHundredths))
                    // 余: "more than", as reports round down.
                    .col(boolean(ReportedFigures::MoreThan).default(false))
                    .col(string_len(ReportedFigures::Source, 200))
                    .col(date(ReportedFigures::AsOf))
                    .col(boolean(ReportedFigures::IsDemo).default(false))
                    .col(integer_null(ReportedFigures::UpdatedBy))
                    .col(timestamp_with_time_zone(ReportedFigures::UpdatedAt))
                    .check(Expr::cust(
                        "value_hundredths >= 0 AND (measure NOT LIKE '%_rate' \
                         OR value_hundredths <= 10000)",
                    ))
                    .foreign_key(&mut foreign_key(
                        col(ReportedFigures::Table, ReportedFigures::UpdatedBy),
                        user_id(),
                        ForeignKeyAction::SetNull,
                    ))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        super::drop_tables(manager, vec![ReportedFigures::Table.into_iden()]).await
    }
}
