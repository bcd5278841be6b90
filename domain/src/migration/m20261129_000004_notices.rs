//! 安全提示: notices with their target communities, every published version (what the CAP
//! feed's Alert / Update / Cancel follow), and who has read which.

use sea_orm_migration::{prelude::*, schema::*};

use super::m20261129_000001_directory::Communities;
use super::m20261129_000002_accounts::Users;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Notices {
    Table,
    Id,
    Title,
    Body,
    Category,
    Severity,
    AllCommunities,
    StartsAt,
    ExpiresAt,
    Pinned,
    Status,
    Version,
    AuthorId,
    CreatedAt,
    UpdatedAt,
    PublishedAt,
    CancelledAt,
    IsDemo,
}

#[derive(DeriveIden)]
enum NoticeCommunities {
    Table,
    NoticeId,
    CommunityId,
}

#[derive(DeriveIden)]
enum NoticeVersions {
    Table,
    NoticeId,
    Version,
    Kind,
    At,
}

#[derive(DeriveIden)]
enum NoticeReads {
    Table,
    NoticeId,
    UserId,
    ReadAt,
}

fn notice(table: DynIden, column: DynIden) -> ForeignKeyCreateStatement {
    super::foreign_key(
        (table, column),
        (Notices::Table.into_iden(), Notices::Id.into_iden()),
        ForeignKeyAction::Cascade,
    )
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Notices::Table)
                    .col(pk_auto(Notices::Id))
                    .col(string_len(Notices::Title, 100))
                    .col(text(Notices::Body))
                    .col(string_len(Notices::Category, 10))
                    .col(string_len(Notices::Severity, 8))
                    .col(boolean(Notices::AllCommunities))
                    .col(timestamp_with_time_zone(Notices::StartsAt))
                    .col(timestamp_with_time_zone(Notices::ExpiresAt))
                    .col(boolean(Notices::Pinned))
                    .col(string_len(Notices::Status, 10))
                    .col(integer(Notices::Version))
                    .col(integer_null(Notices::AuthorId))
                    .col(timestamp_with_time_zone(Notices::CreatedAt))
                    .col(timestamp_with_time_zone(Notices::UpdatedAt))
                    .col(timestamp_with_time_zone_null(Notices::PublishedAt))
                    .col(timestamp_with_time_zone_null(Notices::CancelledAt))
                    .col(boolean(Notices::IsDemo).default(false))
                    .check(Expr::cust(
                        "category IN ('fraud', 'drowning', 'traffic', 'fire', 'weather', 'missing', 'order', 'other')",
                    ))
                    .check(Expr::cust("severity IN ('info', 'caution', 'warning', 'urgent')"))
                    .check(Expr::cust("status IN ('draft', 'published', 'cancelled')"))
                    .check(Expr::cust("starts_at < expires_at"))
                    .check(Expr::cust("version >= 0"))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Notices::Table, Notices::AuthorId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::SetNull),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_notices_status_expires")
                    .table(Notices::Table)
                    .col(Notices::Status)
                    .col(Notices::ExpiresAt)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(NoticeCommunities::Table)
                    .col(integer(NoticeCommunities::NoticeId))
                    .col(integer(NoticeCommunities::CommunityId))
                    .primary_key(
                        Index::create()
                            .col(NoticeCommunities::NoticeId)
                            .col(NoticeCommunities::CommunityId),
                    )
                    .foreign_key(&mut notice(
                        NoticeCommunities::Table.into_iden(),
                        NoticeCommunities::NoticeId.into_iden(),
                    ))
                    .foreign_key(
                        ForeignKey::create()
                            .from(NoticeCommunities::Table, NoticeCommunities::CommunityId)
                            .to(Communities::Table, Communities::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(NoticeVersions::Table)
                    .col(integer(NoticeVersions::NoticeId))
                    .col(integer(NoticeVersions::Version))
                    .col(string_len(NoticeVersions::Kind, 10))
                    .col(timestamp_with_time_zone(NoticeVersions::At))
                    .primary_key(
                        Index::create()
                            .col(NoticeVersions::NoticeId)
                            .col(NoticeVersions::Version),
                    )
                    .check(Expr::cust("kind IN ('published', 'updated', 'cancelled')"))
                    .foreign_key(&mut notice(
                        NoticeVersions::Table.into_iden(),
                        NoticeVersions::NoticeId.into_iden(),
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(NoticeReads::Table)
                    .col(integer(NoticeReads::NoticeId))
                    .col(integer(NoticeReads::UserId))
                    .col(timestamp_with_time_zone(NoticeReads::ReadAt))
                    .primary_key(
                        Index::create()
                            .col(NoticeReads::NoticeId)
                            .col(NoticeReads::UserId),
                    )
                    .foreign_key(&mut notice(
                        NoticeReads::Table.into_iden(),
                        NoticeReads::NoticeId.into_iden(),
                    ))
                    .foreign_key(
                        ForeignKey::create()
                            .from(NoticeReads::Table, NoticeReads::UserId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        super::drop_tables(
            manager,
            vec![
                NoticeReads::Table.into_iden(),
                NoticeVersions::Table.into_iden(),
                NoticeCommunities::Table.into_iden(),
                Notices::Table.into_iden(),
            ],
        )
        .await
    }
}
