//! 警事茶楼: boards of the police offices (one per liaison room and a general one), threads,
//! posts, flags and the moderators' log; and the display name people post under.
//!
//! Rules kept here: a thread is turned into at most one mediation case (unique index), a
//! person flags a post once (unique index), statuses and reasons are closed lists (CHECK).

use sea_orm_migration::{prelude::*, schema::*};

use super::m20261129_000001_directory::{Communities, LiaisonRooms, PoliceOffices};
use super::m20261129_000002_accounts::Users;
use super::m20261129_000003_mediation::MediationCases;
use super::{col, foreign_key, user_id};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Boards {
    Table,
    Id,
    PoliceOfficeId,
    LiaisonRoomId,
    Name,
    Description,
    AnswerHours,
    Position,
    IsDemo,
}

#[derive(DeriveIden)]
enum LiaisonMembers {
    Table,
    LiaisonRoomId,
    UserId,
}

#[derive(DeriveIden)]
pub(super) enum Threads {
    Table,
    Id,
    BoardId,
    AuthorId,
    CommunityId,
    Title,
    Status,
    Anonymous,
    Locked,
    Hidden,
    AcceptedPostId,
    MediationCaseId,
    ReplyCount,
    OfficialReplyAt,
    CreatedAt,
    LastPostAt,
    IsDemo,
}

#[derive(DeriveIden)]
enum Posts {
    Table,
    Id,
    ThreadId,
    AuthorId,
    Body,
    Anonymous,
    Official,
    OfficialRoomId,
    IsOpening,
    Hidden,
    Deleted,
    CreatedAt,
    IsDemo,
}

#[derive(DeriveIden)]
enum Flags {
    Table,
    Id,
    PostId,
    ReporterId,
    Reason,
    Note,
    CreatedAt,
    ResolvedAt,
    ResolvedBy,
}

#[derive(DeriveIden)]
enum ModerationLog {
    Table,
    Id,
    ActorId,
    Action,
    ThreadId,
    PostId,
    Note,
    CreatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        use ForeignKeyAction::{Cascade, SetNull};
        manager
            .alter_table(
                Table::alter()
                    .table(Users::Table)
                    .add_column(string_len_null(Users::DisplayName, 20))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Boards::Table)
                    .col(pk_auto(Boards::Id))
                    .col(integer(Boards::PoliceOfficeId))
                    .col(integer_null(Boards::LiaisonRoomId).unique_key())
                    .col(string_len_uniq(Boards::Name, 50))
                    .col(string_len(Boards::Description, 300))
                    .col(integer(Boards::AnswerHours).default(48))
                    .col(integer(Boards::Position).default(0))
                    .col(boolean(Boards::IsDemo).default(false))
                    .check(Expr::cust("answer_hours BETWEEN 1 AND 720"))
                    .foreign_key(&mut foreign_key(
                        col(Boards::Table, Boards::PoliceOfficeId),
                        col(PoliceOffices::Table, PoliceOffices::Id),
                        Cascade,
                    ))
                    .foreign_key(&mut foreign_key(
                        col(Boards::Table, Boards::LiaisonRoomId),
                        col(LiaisonRooms::Table, LiaisonRooms::Id),
                        SetNull,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(LiaisonMembers::Table)
                    .col(integer(LiaisonMembers::LiaisonRoomId))
                    .col(integer(LiaisonMembers::UserId))
                    .primary_key(
                        Index::create()
                            .col(LiaisonMembers::LiaisonRoomId)
                            .col(LiaisonMembers::UserId),
                    )
                    .foreign_key(&mut foreign_key(
                        col(LiaisonMembers::Table, LiaisonMembers::LiaisonRoomId),
                        col(LiaisonRooms::Table, LiaisonRooms::Id),
                        Cascade,
                    ))
                    .foreign_key(&mut foreign_key(
                        col(LiaisonMembers::Table, LiaisonMembers::UserId),
                        user_id(),
                        Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Threads::Table)
                    .col(pk_auto(Threads::Id))
                    .col(integer(Threads::BoardId))
                    .col(integer_null(Threads::AuthorId))
                    .col(integer_null(Threads::CommunityId))
                    .col(string_len(Threads::Title, 60))
                    .col(string_len(Threads::Status, 10).default("open"))
                    .col(boolean(Threads::Anonymous).default(false))
                    .col(boolean(Threads::Locked).default(false))
                    .col(boolean(Threads::Hidden).default(false))
                    .col(integer_null(Threads::AcceptedPostId))
                    .col(integer_null(Threads::MediationCaseId).unique_key())
                    .col(integer(Threads::ReplyCount).default(0))
                    .col(timestamp_with_time_zone_null(Threads::OfficialReplyAt))
                    .col(timestamp_with_time_zone(Threads::CreatedAt))
                    .col(timestamp_with_time_zone(Threads::LastPostAt))
                    .col(boolean(Threads::IsDemo).default(false))
                    .check(Expr::cust(
                        "status IN ('open', 'answered', 'resolved', 'closed')",
                    ))
                    // An answered thread names the reply that answered it.
                    .check(Expr::cust(
                        "status <> 'answered' OR accepted_post_id IS NOT NULL",
                    ))
                    .check(Expr::cust("reply_count >= 0"))
                    .foreign_key(&mut foreign_key(
                        col(Threads::Table, Threads::BoardId),
                        col(Boards::Table, Boards::Id),
                        Cascade,
                    ))
                    .foreign_key(&mut foreign_key(
                        col(Threads::Table, Threads::AuthorId),
                        user_id(),
                        SetNull,
                    ))
                    .foreign_key(&mut foreign_key(
                        col(Threads::Table, Threads::CommunityId),
                        col(Communities::Table, Communities::Id),
                        SetNull,
                    ))
                    .foreign_key(&mut foreign_key(
                        col(Threads::Table, Threads::MediationCaseId),
                        col(MediationCases::Table, MediationCases::Id),
                        SetNull,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_threads_board_last_post")
                    .table(Threads::Table)
                    .col(Threads::BoardId)
                    .col(Threads::LastPostAt)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Posts::Table)
                    .col(pk_auto(Posts::Id))
                    .col(integer(Posts::ThreadId))
                    .col(integer_null(Posts::AuthorId))
                    .col(text(Posts::Body))
                    .col(boolean(Posts::Anonymous).default(false))
                    .col(string_len_null(Posts::Official, 10))
                    .col(integer_null(Posts::OfficialRoomId))
                    .col(boolean(Posts::IsOpening).default(false))
                    .col(boolean(Posts::Hidden).default(false))
                    .col(boolean(Posts::Deleted).default(false))
                    .col(timestamp_with_time_zone(Posts::CreatedAt))
                    .col(boolean(Posts::IsDemo).default(false))
                    .check(Expr::cust(
                        "official IS NULL OR official IN ('liaison', 'officer')",
                    ))
                    .foreign_key(&mut foreign_key(
                        col(Posts::Table, Posts::ThreadId),
                        col(Threads::Table, Threads::Id),
                        Cascade,
                    ))
                    .foreign_key(&mut foreign_key(
                        col(Posts::Table, Posts::AuthorId),
                        user_id(),
                        SetNull,
                    ))
                    .foreign_key(&mut foreign_key(
                        col(Posts::Table, Posts::OfficialRoomId),
                        col(LiaisonRooms::Table, LiaisonRooms::Id),
                        SetNull,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_posts_thread")
                    .table(Posts::Table)
                    .col(Posts::ThreadId)
                    .col(Posts::Id)
                    .to_owned(),
            )
            .await?;
        // Posting limits count a person's recent posts.
        manager
            .create_index(
                Index::create()
                    .name("ix_posts_author_created")
                    .table(Posts::Table)
                    .col(Posts::AuthorId)
                    .col(Posts::CreatedAt)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Flags::Table)
                    .col(pk_auto(Flags::Id))
                    .col(integer(Flags::PostId))
                    .col(integer(Flags::ReporterId))
                    .col(string_len(Flags::Reason, 10))
                    .col(string_len(Flags::Note, 200).default(""))
                    .col(timestamp_with_time_zone(Flags::CreatedAt))
                    .col(timestamp_with_time_zone_null(Flags::ResolvedAt))
                    .col(integer_null(Flags::ResolvedBy))
                    .check(Expr::cust(
                        "reason IN ('abuse', 'spam', 'privacy', 'rumour', 'other')",
                    ))
                    .foreign_key(&mut foreign_key(
                        col(Flags::Table, Flags::PostId),
                        col(Posts::Table, Posts::Id),
                        Cascade,
                    ))
                    .foreign_key(&mut foreign_key(
                        col(Flags::Table, Flags::ReporterId),
                        user_id(),
                        Cascade,
                    ))
                    .foreign_key(&mut foreign_key(
                        col(Flags::Table, Flags::ResolvedBy),
                        user_id(),
                        SetNull,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_flags_post_reporter")
                    .table(Flags::Table)
                    .col(Flags::PostId)
                    .col(Flags::ReporterId)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(ModerationLog::Table)
                    .col(pk_auto(ModerationLog::Id))
                    .col(integer_null(ModerationLog::ActorId))
                    .col(string_len(ModerationLog::Action, 10))
                    .col(integer(ModerationLog::ThreadId))
                    .col(integer_null(ModerationLog::PostId))
                    .col(string_len(ModerationLog::Note, 200).default(""))
                    .col(timestamp_with_time_zone(ModerationLog::CreatedAt))
                    .check(Expr::cust(
                        "action IN ('hide', 'restore', 'delete', 'lock', 'unlock', 'dismiss', 'close', 'reopen')",
                    ))
                    .foreign_key(&mut foreign_key(
                        col(ModerationLog::Table, ModerationLog::ActorId),
                        user_id(),
                        SetNull,
                    ))
                    .foreign_key(&mut foreign_key(
                        col(ModerationLog::Table, ModerationLog::ThreadId),
                        col(Threads::Table, Threads::Id),
                        Cascade,
                    ))
                    .foreign_key(&mut foreign_key(
                        col(ModerationLog::Table, ModerationLog::PostId),
                        col(Posts::Table, Posts::Id),
                        Cascade,
                    ))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        super::drop_tables(
            manager,
            vec![
                ModerationLog::Table.into_iden(),
                Flags::Table.into_iden(),
                Posts::Table.into_iden(),
                Threads::Table.into_iden(),
                LiaisonMembers::Table.into_iden(),
                Boards::Table.into_iden(),
            ],
        )
        .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Users::Table)
                    .drop_column(Users::DisplayName)
                    .to_owned(),
            )
            .await
    }
}
