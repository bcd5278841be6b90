//! The outbox: every message that leaves the portal (an SMS today; e-mail and WeChat use the
//! same rows) is written here in the transaction of the change that causes it, then sent by
//! a worker of any server process under a lease. Each try is kept with the provider's answer;
//! people's channel choices per kind; and the SMS sent per day against the station's budget.

use sea_orm_migration::{prelude::*, schema::*};

use super::{col, foreign_key, user_id};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Deliveries {
    Table,
    Id,
    UserId,
    Phone,
    Channel,
    Kind,
    Topic,
    Subject,
    Link,
    StartsAt,
    Urgent,
    NoticeId,
    Dedupe,
    Status,
    Tries,
    NextTryAt,
    LeaseHolder,
    LeaseUntil,
    CreatedAt,
    SentAt,
    Answer,
}

#[derive(DeriveIden)]
enum DeliveryAttempts {
    Table,
    Id,
    DeliveryId,
    At,
    Holder,
    Via,
    Ok,
    Answer,
}

#[derive(DeriveIden)]
enum DeliveryChoices {
    Table,
    UserId,
    Kind,
    Channel,
    Wanted,
}

#[derive(DeriveIden)]
enum SmsDays {
    Table,
    Day,
    Sent,
    Alerted,
}

#[derive(DeriveIden)]
enum Notices {
    Table,
    Id,
}

// E-mail and WeChat are named now so that their adapters need no change of these checks
// (SQLite cannot alter a CHECK in place).
const CHANNELS: &str = "'sms', 'email', 'wechat'";
const KINDS: &str = "'urgent', 'case', 'reminder', 'volunteer', 'teahouse', 'code'";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Deliveries::Table)
                    .col(pk_auto(Deliveries::Id))
                    .col(integer_null(Deliveries::UserId))
                    // A number with no account yet (a registration's code) is written here;
                    // everyone else's is read from their account when the text is sent.
                    .col(
                        string_len_null(Deliveries::Phone, 20)
                            .check(Expr::cust("phone IS NOT NULL OR user_id IS NOT NULL")),
                    )
                    .col(
                        string_len(Deliveries::Channel, 8)
                            .check(Expr::cust(format!("channel IN ({CHANNELS})"))),
                    )
                    .col(
                        string_len(Deliveries::Kind, 16)
                            .check(Expr::cust(format!("kind IN ({KINDS})"))),
                    )
                    // The text is written when it is sent, from the translation key and
                    // the subject (a case code, a notice title; a verification code until it
                    // is sent, then nothing), in the reader's language.
                    .col(string_len(Deliveries::Topic, 48))
                    .col(string_len(Deliveries::Subject, 200))
                    .col(string_len(Deliveries::Link, 200))
                    // The session or shift a reminder is about.
                    .col(timestamp_with_time_zone_null(Deliveries::StartsAt))
                    .col(boolean(Deliveries::Urgent).default(false))
                    .col(integer_null(Deliveries::NoticeId))
                    // A reminder's name ("session-12-2025-…-evening-34"): several processes
                    // sweeping at once write it once.
                    .col(string_len_null(Deliveries::Dedupe, 120).unique_key())
                    .col(
                        string_len(Deliveries::Status, 8)
                            .default("queued")
                            .check(Expr::cust("status IN ('queued', 'sent', 'failed')")),
                    )
                    .col(
                        integer(Deliveries::Tries)
                            .default(0)
                            .check(Expr::cust("tries >= 0")),
                    )
                    .col(timestamp_with_time_zone(Deliveries::NextTryAt))
                    .col(string_len_null(Deliveries::LeaseHolder, 64))
                    .col(timestamp_with_time_zone_null(Deliveries::LeaseUntil))
                    .col(timestamp_with_time_zone(Deliveries::CreatedAt))
                    .col(timestamp_with_time_zone_null(Deliveries::SentAt))
                    .col(string_len_null(Deliveries::Answer, 300))
                    .foreign_key(&mut foreign_key(
                        col(Deliveries::Table, Deliveries::UserId),
                        user_id(),
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut foreign_key(
                        col(Deliveries::Table, Deliveries::NoticeId),
                        col(Notices::Table, Notices::Id),
                        ForeignKeyAction::Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        for (name, columns) in [
            (
                "ix_deliveries_due",
                vec![Deliveries::Status, Deliveries::NextTryAt],
            ),
            ("ix_deliveries_notice", vec![Deliveries::NoticeId]),
            ("ix_deliveries_user", vec![Deliveries::UserId]),
        ] {
            let mut index = Index::create();
            index.name(name).table(Deliveries::Table);
            for column in columns {
                index.col(column);
            }
            manager.create_index(index.to_owned()).await?;
        }
        manager
            .create_table(
                Table::create()
                    .table(DeliveryAttempts::Table)
                    .col(pk_auto(DeliveryAttempts::Id))
                    .col(integer(DeliveryAttempts::DeliveryId))
                    .col(timestamp_with_time_zone(DeliveryAttempts::At))
                    .col(string_len(DeliveryAttempts::Holder, 64))
                    // The adapter that answered: "log", "aliyun", …
                    .col(string_len(DeliveryAttempts::Via, 16))
                    .col(boolean(DeliveryAttempts::Ok))
                    .col(string_len(DeliveryAttempts::Answer, 300))
                    .foreign_key(&mut foreign_key(
                        col(DeliveryAttempts::Table, DeliveryAttempts::DeliveryId),
                        col(Deliveries::Table, Deliveries::Id),
                        ForeignKeyAction::Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_delivery_attempts_delivery")
                    .table(DeliveryAttempts::Table)
                    .col(DeliveryAttempts::DeliveryId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(DeliveryChoices::Table)
                    .col(integer(DeliveryChoices::UserId))
                    .col(
                        string_len(DeliveryChoices::Kind, 16)
                            .check(Expr::cust(format!("kind IN ({KINDS})"))),
                    )
                    .col(
                        string_len(DeliveryChoices::Channel, 8)
                            .check(Expr::cust(format!("channel IN ({CHANNELS})"))),
                    )
                    .col(boolean(DeliveryChoices::Wanted))
                    .primary_key(
                        Index::create()
                            .col(DeliveryChoices::UserId)
                            .col(DeliveryChoices::Kind)
                            .col(DeliveryChoices::Channel),
                    )
                    .foreign_key(&mut foreign_key(
                        col(DeliveryChoices::Table, DeliveryChoices::UserId),
                        user_id(),
                        ForeignKeyAction::Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    // One row per day in China Standard Time ("2026-12-06"): the budget is
                    // taken one SMS at a time by a guarded increment, so processes sending at
                    // once cannot pass it together.
                    .table(SmsDays::Table)
                    .col(string_len(SmsDays::Day, 10).primary_key())
                    .col(
                        integer(SmsDays::Sent)
                            .default(0)
                            .check(Expr::cust("sent >= 0")),
                    )
                    // Officers are told once a day that the budget was reached.
                    .col(boolean(SmsDays::Alerted).default(false))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        super::drop_tables(
            manager,
            vec![
                SmsDays::Table.into_iden(),
                DeliveryChoices::Table.into_iden(),
                DeliveryAttempts::Table.into_iden(),
                Deliveries::Table.into_iden(),
            ],
        )
        .await
    }
}
