//! The station's identity (派出所): its name, the area it serves, how the public reaches it,
//! and the sender its CAP alerts carry. One row at most, entered by `portal init`, `/setup`
//! or `/admin/station`; `demo-data` writes 招宝山's, marked as demo.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
pub enum Station {
    Table,
    Id,
    Name,
    District,
    Address,
    Phone,
    PublicUrl,
    Sender,
    AreaDesc,
    IsDemo,
    UpdatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Station::Table)
                    // One station per portal: the key can only be 1, so a second first-run
                    // setup racing the first fails on the primary key.
                    .col(integer(Station::Id).primary_key())
                    .col(string_len(Station::Name, 40))
                    .col(string_len(Station::District, 40))
                    .col(string_len(Station::Address, 100))
                    .col(string_len(Station::Phone, 20))
                    .col(string_len(Station::PublicUrl, 200))
                    .col(string_len(Station::Sender, 100))
                    .col(string_len(Station::AreaDesc, 60))
                    .col(boolean(Station::IsDemo).default(false))
                    .col(timestamp_with_time_zone(Station::UpdatedAt))
                    .check(Expr::cust("id = 1"))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        super::drop_tables(manager, vec![Station::Table.into_iden()]).await
    }
}
