//! Accounts, roles, sessions and the failed-login record behind throttling.

use sea_orm_migration::{prelude::*, schema::*};

use super::m20261129_000001_directory::{Communities, Compounds};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
pub(super) enum Users {
    Table,
    Id,
    Phone,
    PasswordHash,
    CommunityId,
    CompoundId,
    ConsentVersion,
    ConsentAt,
    CreatedAt,
    /// Added by the tea-house migration.
    DisplayName,
}

#[derive(DeriveIden)]
enum UserRoles {
    Table,
    UserId,
    Role,
}

#[derive(DeriveIden)]
enum Sessions {
    Table,
    Id,
    UserId,
    CreatedAt,
    LastSeenAt,
    ExpiresAt,
}

#[derive(DeriveIden)]
enum LoginAttempts {
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
            .create_table(
                Table::create()
                    .table(Users::Table)
                    .col(pk_auto(Users::Id))
                    .col(string_len_uniq(Users::Phone, 11))
                    .col(string(Users::PasswordHash))
                    .col(integer_null(Users::CommunityId))
                    .col(integer_null(Users::CompoundId))
                    .col(string(Users::ConsentVersion))
                    .col(timestamp_with_time_zone(Users::ConsentAt))
                    .col(timestamp_with_time_zone(Users::CreatedAt))
                    // A mainland mobile number: 11 digits starting 13–19.
                    .check(Expr::cust("length(phone) = 11 AND phone LIKE '1%' AND substr(phone, 2, 1) BETWEEN '3' AND '9'"))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Users::Table, Users::CommunityId)
                            .to(Communities::Table, Communities::Id)
                            .on_delete(ForeignKeyAction::SetNull),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(Users::Table, Users::CompoundId)
                            .to(Compounds::Table, Compounds::Id)
                            .on_delete(ForeignKeyAction::SetNull),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(UserRoles::Table)
                    .col(integer(UserRoles::UserId))
                    .col(string_len(UserRoles::Role, 16))
                    .primary_key(Index::create().col(UserRoles::UserId).col(UserRoles::Role))
                    .check(Expr::cust(
                        "role IN ('resident', 'volunteer', 'mediator', 'liaison', 'officer', 'admin')",
                    ))
                    .foreign_key(
                        ForeignKey::create()
                            .from(UserRoles::Table, UserRoles::UserId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Sessions::Table)
                    .col(string_len(Sessions::Id, 64).primary_key())
                    .col(integer(Sessions::UserId))
                    .col(timestamp_with_time_zone(Sessions::CreatedAt))
                    .col(timestamp_with_time_zone(Sessions::LastSeenAt))
                    .col(timestamp_with_time_zone(Sessions::ExpiresAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Sessions::Table, Sessions::UserId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_sessions_user")
                    .table(Sessions::Table)
                    .col(Sessions::UserId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(LoginAttempts::Table)
                    .col(pk_auto(LoginAttempts::Id))
                    .col(string(LoginAttempts::Phone))
                    .col(string(LoginAttempts::Address))
                    .col(timestamp_with_time_zone(LoginAttempts::At))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_login_attempts_phone_at")
                    .table(LoginAttempts::Table)
                    .col(LoginAttempts::Phone)
                    .col(LoginAttempts::At)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_login_attempts_address_at")
                    .table(LoginAttempts::Table)
                    .col(LoginAttempts::Address)
                    .col(LoginAttempts::At)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        super::drop_tables(
            manager,
            vec![
                LoginAttempts::Table.into_iden(),
                Sessions::Table.into_iden(),
                UserRoles::Table.into_iden(),
                Users::Table.into_iden(),
            ],
        )
        .await
    }
}
