//! 短信验证码: a six-digit code texted to a number proves that whoever registers, verifies or
//! resets with it holds the phone. A number's current code (argon2id, five minutes, five
//! tries); every request for a code, by number and by client address, for the daily limits;
//! when an account's number was proven; and the tries of a reset code.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Users {
    Table,
    PhoneVerifiedAt,
}

#[derive(DeriveIden)]
enum ResetCodes {
    Table,
    Tries,
}

#[derive(DeriveIden)]
enum PhoneCodes {
    Table,
    Phone,
    CodeHash,
    IssuedAt,
    ExpiresAt,
    Tries,
}

#[derive(DeriveIden)]
enum CodeRequests {
    Table,
    Id,
    Phone,
    Address,
    At,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Users::Table)
                    .add_column(timestamp_with_time_zone_null(Users::PhoneVerifiedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(ResetCodes::Table)
                    .add_column(integer(ResetCodes::Tries).default(0))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(PhoneCodes::Table)
                    // One live code per number: a new one replaces it.
                    .col(string_len(PhoneCodes::Phone, 20).primary_key())
                    .col(string_len(PhoneCodes::CodeHash, 200))
                    .col(timestamp_with_time_zone(PhoneCodes::IssuedAt))
                    .col(timestamp_with_time_zone(PhoneCodes::ExpiresAt))
                    .col(
                        integer(PhoneCodes::Tries)
                            .default(0)
                            .check(Expr::cust("tries >= 0")),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(CodeRequests::Table)
                    .col(pk_auto(CodeRequests::Id))
                    .col(string_len(CodeRequests::Phone, 20))
                    .col(string_len(CodeRequests::Address, 64))
                    .col(timestamp_with_time_zone(CodeRequests::At))
                    .to_owned(),
            )
            .await?;
        for (name, column) in [
            ("ix_code_requests_phone", CodeRequests::Phone),
            ("ix_code_requests_address", CodeRequests::Address),
        ] {
            manager
                .create_index(
                    Index::create()
                        .name(name)
                        .table(CodeRequests::Table)
                        .col(column)
                        .col(CodeRequests::At)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        super::drop_tables(
            manager,
            vec![
                CodeRequests::Table.into_iden(),
                PhoneCodes::Table.into_iden(),
            ],
        )
        .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(ResetCodes::Table)
                    .drop_column(ResetCodes::Tries)
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Users::Table)
                    .drop_column(Users::PhoneVerifiedAt)
                    .to_owned(),
            )
            .await
    }
}
