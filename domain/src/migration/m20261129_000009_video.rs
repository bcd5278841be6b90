//! 视频调解: the video room of a mediation booked "by video" — whether its session has
//! ended, the one-time invitations for the other party, and the text chat kept with the case
//! (audio and video are never recorded).

use sea_orm_migration::{prelude::*, schema::*};

use super::m20261129_000003_mediation::MediationCases;
use super::{col, foreign_key, user_id};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum VideoSessions {
    Table,
    CaseId,
    EndedAt,
    EndedBy,
}

#[derive(DeriveIden)]
enum VideoInvites {
    Table,
    Id,
    CaseId,
    TokenHash,
    GuestHash,
    CreatedBy,
    CreatedAt,
    UsedAt,
}

#[derive(DeriveIden)]
enum VideoChat {
    Table,
    Id,
    CaseId,
    At,
    UserId,
    Author,
    Body,
}

fn case_id() -> (DynIden, DynIden) {
    col(MediationCases::Table, MediationCases::Id)
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        use ForeignKeyAction::{Cascade, SetNull};
        manager
            .create_table(
                Table::create()
                    .table(VideoSessions::Table)
                    .col(integer(VideoSessions::CaseId).primary_key())
                    .col(timestamp_with_time_zone(VideoSessions::EndedAt))
                    .col(integer_null(VideoSessions::EndedBy))
                    .foreign_key(&mut foreign_key(
                        col(VideoSessions::Table, VideoSessions::CaseId),
                        case_id(),
                        Cascade,
                    ))
                    .foreign_key(&mut foreign_key(
                        col(VideoSessions::Table, VideoSessions::EndedBy),
                        user_id(),
                        SetNull,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(VideoInvites::Table)
                    .col(pk_auto(VideoInvites::Id))
                    .col(integer(VideoInvites::CaseId))
                    .col(string_len_uniq(VideoInvites::TokenHash, 64))
                    .col(string_len_null(VideoInvites::GuestHash, 64).unique_key())
                    .col(integer_null(VideoInvites::CreatedBy))
                    .col(timestamp_with_time_zone(VideoInvites::CreatedAt))
                    .col(timestamp_with_time_zone_null(VideoInvites::UsedAt))
                    // Used once: a used invitation names the guest it let in.
                    .check(Expr::cust("(used_at IS NULL) = (guest_hash IS NULL)"))
                    .foreign_key(&mut foreign_key(
                        col(VideoInvites::Table, VideoInvites::CaseId),
                        case_id(),
                        Cascade,
                    ))
                    .foreign_key(&mut foreign_key(
                        col(VideoInvites::Table, VideoInvites::CreatedBy),
                        user_id(),
                        SetNull,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(VideoChat::Table)
                    .col(pk_auto(VideoChat::Id))
                    .col(integer(VideoChat::CaseId))
                    .col(timestamp_with_time_zone(VideoChat::At))
                    .col(integer_null(VideoChat::UserId))
                    .col(string_len(VideoChat::Author, 12))
                    .col(string_len(VideoChat::Body, 500))
                    .check(Expr::cust(
                        "author IN ('resident', 'mediator', 'other_party')",
                    ))
                    .foreign_key(&mut foreign_key(
                        col(VideoChat::Table, VideoChat::CaseId),
                        case_id(),
                        Cascade,
                    ))
                    .foreign_key(&mut foreign_key(
                        col(VideoChat::Table, VideoChat::UserId),
                        user_id(),
                        SetNull,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_video_chat_case")
                    .table(VideoChat::Table)
                    .col(VideoChat::CaseId)
                    .col(VideoChat::Id)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        super::drop_tables(
            manager,
            vec![
                VideoChat::Table.into_iden(),
                VideoInvites::Table.into_iden(),
                VideoSessions::Table.into_iden(),
            ],
        )
        .await
    }
}
