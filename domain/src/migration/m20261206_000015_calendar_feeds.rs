//! 我的日历 — a person's secret calendar address: their mediation sessions and patrol shifts
//! as an iCalendar feed their phone's calendar subscribes to. One address per person; a new
//! one replaces it, and turning it off deletes the row.

use sea_orm_migration::{prelude::*, schema::*};

use super::{col, foreign_key, user_id};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum CalendarFeeds {
    Table,
    UserId,
    Token,
    Lang,
    CreatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(CalendarFeeds::Table)
                    .col(integer(CalendarFeeds::UserId).primary_key())
                    // Kept as it is, not hashed like session tokens: the address is shown
                    // again on 我的 whenever its owner wants to copy it, and it unlocks nothing
                    // but a read of rows this same database already holds.
                    .col(string_len(CalendarFeeds::Token, 64).unique_key())
                    // The language the events are written in, chosen when the address was
                    // made: a calendar app sends no cookie to tell it.
                    .col(
                        string_len(CalendarFeeds::Lang, 8)
                            .check(Expr::cust("lang IN ('zh-CN', 'en')")),
                    )
                    .col(timestamp_with_time_zone(CalendarFeeds::CreatedAt))
                    .foreign_key(&mut foreign_key(
                        col(CalendarFeeds::Table, CalendarFeeds::UserId),
                        user_id(),
                        ForeignKeyAction::Cascade,
                    ))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        super::drop_tables(manager, vec![CalendarFeeds::Table.into_iden()]).await
    }
}
