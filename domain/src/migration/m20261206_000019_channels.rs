//! The addresses besides a phone number that messages go to: a WeChat account linked through
//! the station's Official Account (its openid for that account, one account per WeChat),
//! and an e-mail address, with the code that proves it until it is proven.

use sea_orm_migration::{prelude::*, schema::*};

use super::{col, foreign_key, user_id};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum WechatLinks {
    Table,
    UserId,
    Openid,
    LinkedAt,
}

#[derive(DeriveIden)]
enum EmailAddresses {
    Table,
    UserId,
    Address,
    VerifiedAt,
    CodeHash,
    CodeExpiresAt,
    Tries,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(WechatLinks::Table)
                    .col(integer(WechatLinks::UserId).primary_key())
                    // One WeChat reaches one account: linking it again moves it.
                    .col(string_len(WechatLinks::Openid, 64).unique_key())
                    .col(timestamp_with_time_zone(WechatLinks::LinkedAt))
                    .foreign_key(&mut foreign_key(
                        col(WechatLinks::Table, WechatLinks::UserId),
                        user_id(),
                        ForeignKeyAction::Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(EmailAddresses::Table)
                    .col(integer(EmailAddresses::UserId).primary_key())
                    .col(string_len(EmailAddresses::Address, 254))
                    // Mail other than its code goes only to a proven address.
                    .col(timestamp_with_time_zone_null(EmailAddresses::VerifiedAt))
                    .col(string_len_null(EmailAddresses::CodeHash, 200))
                    .col(timestamp_with_time_zone_null(EmailAddresses::CodeExpiresAt))
                    .col(
                        integer(EmailAddresses::Tries)
                            .default(0)
                            .check(Expr::cust("tries >= 0")),
                    )
                    .foreign_key(&mut foreign_key(
                        col(EmailAddresses::Table, EmailAddresses::UserId),
                        user_id(),
                        ForeignKeyAction::Cascade,
                    ))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        super::drop_tables(
            manager,
            vec![
                EmailAddresses::Table.into_iden(),
                WechatLinks::Table.into_iden(),
            ],
        )
        .await
    }
}
