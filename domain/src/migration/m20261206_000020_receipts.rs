//! Whether a text reached the phone: the provider's reference for the message it took, and
//! the receipt the carrier sent back for it (asked for until it comes, for two days).

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Deliveries {
    Table,
    ProviderRef,
    Receipt,
    ReceiptAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // One column per statement: SQLite alters a table one column at a time.
        for column in [
            string_len_null(Deliveries::ProviderRef, 64),
            string_len_null(Deliveries::Receipt, 12)
                .check(Expr::cust(
                    "receipt IS NULL OR receipt IN ('delivered', 'undelivered')",
                ))
                .to_owned(),
            timestamp_with_time_zone_null(Deliveries::ReceiptAt),
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Deliveries::Table)
                        .add_column(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for column in [
            Deliveries::ReceiptAt,
            Deliveries::Receipt,
            Deliveries::ProviderRef,
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Deliveries::Table)
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}
