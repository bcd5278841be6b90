//! 你点我调: rooms' mediators and availability, cases with their bookings and timeline,
//! and the portal-wide inbox that tells residents what changed.
//!
//! The rule "a slot is never booked twice" lives here as a partial unique index: among
//! bookings not cancelled, one per room and start time.

use sea_orm_migration::{prelude::*, schema::*};

use super::m20261129_000001_directory::{Communities, MediationRooms};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum RoomMediators {
    Table,
    RoomId,
    UserId,
}

#[derive(DeriveIden)]
enum RoomSchedules {
    Table,
    RoomId,
    SlotMinutes,
    BufferMinutes,
    NeedsConfirmation,
    HorizonDays,
}

#[derive(DeriveIden)]
enum Availability {
    Table,
    Id,
    RoomId,
    Kind,
    Weekday,
    Day,
    StartMinute,
    EndMinute,
}

#[derive(DeriveIden)]
pub(super) enum MediationCases {
    Table,
    Id,
    Code,
    ResidentId,
    CommunityId,
    RoomId,
    MediatorId,
    DisputeType,
    Account,
    OtherParty,
    OtherRelation,
    OtherPhone,
    AmountClaimed,
    TriedAidStation,
    Mode,
    Level,
    Status,
    Outcome,
    Agreement,
    AmountSettled,
    Satisfaction,
    FollowUpComment,
    FollowUpChannel,
    CreatedAt,
    UpdatedAt,
    OutcomeAt,
    FollowUpAt,
    IsDemo,
}

#[derive(DeriveIden)]
enum Bookings {
    Table,
    Id,
    CaseId,
    RoomId,
    StartsAt,
    EndsAt,
    CreatedAt,
    CancelledAt,
}

#[derive(DeriveIden)]
enum CaseEvents {
    Table,
    Id,
    CaseId,
    At,
    Kind,
    ActorId,
    Note,
    SlotAt,
    FromLevel,
    ToLevel,
}

#[derive(DeriveIden)]
enum InboxMessages {
    Table,
    Id,
    UserId,
    At,
    Topic,
    Subject,
    Link,
    ReadAt,
}

fn cascade(from: (DynIden, DynIden), to: (DynIden, DynIden)) -> ForeignKeyCreateStatement {
    super::foreign_key(from, to, ForeignKeyAction::Cascade)
}

fn set_null(from: (DynIden, DynIden), to: (DynIden, DynIden)) -> ForeignKeyCreateStatement {
    super::foreign_key(from, to, ForeignKeyAction::SetNull)
}

fn room() -> (DynIden, DynIden) {
    (
        MediationRooms::Table.into_iden(),
        MediationRooms::Id.into_iden(),
    )
}

fn case() -> (DynIden, DynIden) {
    (
        MediationCases::Table.into_iden(),
        MediationCases::Id.into_iden(),
    )
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(RoomMediators::Table)
                    .col(integer(RoomMediators::RoomId))
                    .col(integer(RoomMediators::UserId))
                    .primary_key(
                        Index::create()
                            .col(RoomMediators::RoomId)
                            .col(RoomMediators::UserId),
                    )
                    .foreign_key(&mut cascade(
                        (
                            RoomMediators::Table.into_iden(),
                            RoomMediators::RoomId.into_iden(),
                        ),
                        room(),
                    ))
                    .foreign_key(&mut cascade(
                        (
                            RoomMediators::Table.into_iden(),
                            RoomMediators::UserId.into_iden(),
                        ),
                        super::user_id(),
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(RoomSchedules::Table)
                    .col(integer(RoomSchedules::RoomId).primary_key())
                    .col(integer(RoomSchedules::SlotMinutes))
                    .col(integer(RoomSchedules::BufferMinutes))
                    .col(boolean(RoomSchedules::NeedsConfirmation))
                    .col(integer(RoomSchedules::HorizonDays))
                    .check(Expr::cust("slot_minutes BETWEEN 15 AND 240"))
                    .check(Expr::cust("buffer_minutes BETWEEN 0 AND 120"))
                    .check(Expr::cust("horizon_days BETWEEN 1 AND 90"))
                    .foreign_key(&mut cascade(
                        (
                            RoomSchedules::Table.into_iden(),
                            RoomSchedules::RoomId.into_iden(),
                        ),
                        room(),
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Availability::Table)
                    .col(pk_auto(Availability::Id))
                    .col(integer(Availability::RoomId))
                    .col(string_len(Availability::Kind, 8))
                    // ISO weekday, 1 = Monday, for weekly windows.
                    .col(integer_null(Availability::Weekday))
                    // A local date, YYYY-MM-DD, for extra windows and days off.
                    .col(string_len_null(Availability::Day, 10))
                    // Minutes after local midnight.
                    .col(integer(Availability::StartMinute))
                    .col(integer(Availability::EndMinute))
                    .check(Expr::cust(
                        "(kind = 'weekly' AND weekday BETWEEN 1 AND 7 AND day IS NULL) \
                         OR (kind IN ('extra', 'off') AND weekday IS NULL AND day IS NOT NULL)",
                    ))
                    .check(Expr::cust(
                        "start_minute >= 0 AND end_minute <= 1440 AND start_minute < end_minute",
                    ))
                    .foreign_key(&mut cascade(
                        (
                            Availability::Table.into_iden(),
                            Availability::RoomId.into_iden(),
                        ),
                        room(),
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(MediationCases::Table)
                    .col(pk_auto(MediationCases::Id))
                    .col(string_len_uniq(MediationCases::Code, 20))
                    // Kept when the resident deletes their account: the case is the
                    // station's record (the privacy notice says so).
                    .col(integer_null(MediationCases::ResidentId))
                    .col(integer_null(MediationCases::CommunityId))
                    .col(integer(MediationCases::RoomId))
                    .col(integer_null(MediationCases::MediatorId))
                    .col(string_len(MediationCases::DisputeType, 16))
                    .col(text(MediationCases::Account))
                    .col(string(MediationCases::OtherParty))
                    .col(string(MediationCases::OtherRelation))
                    .col(string_len_null(MediationCases::OtherPhone, 11))
                    .col(big_integer_null(MediationCases::AmountClaimed))
                    .col(boolean(MediationCases::TriedAidStation))
                    .col(string_len(MediationCases::Mode, 10))
                    .col(string_len(MediationCases::Level, 12))
                    .col(string_len(MediationCases::Status, 10))
                    .col(string_len_null(MediationCases::Outcome, 12))
                    .col(text_null(MediationCases::Agreement))
                    .col(big_integer_null(MediationCases::AmountSettled))
                    .col(integer_null(MediationCases::Satisfaction))
                    .col(text_null(MediationCases::FollowUpComment))
                    .col(string_len_null(MediationCases::FollowUpChannel, 8))
                    .col(timestamp_with_time_zone(MediationCases::CreatedAt))
                    .col(timestamp_with_time_zone(MediationCases::UpdatedAt))
                    .col(timestamp_with_time_zone_null(MediationCases::OutcomeAt))
                    .col(timestamp_with_time_zone_null(MediationCases::FollowUpAt))
                    .col(boolean(MediationCases::IsDemo).default(false))
                    .check(Expr::cust(
                        "dispute_type IN ('neighbours', 'family', 'property', 'debt', 'consumer', 'wages', 'other')",
                    ))
                    .check(Expr::cust("mode IN ('in_person', 'video')"))
                    .check(Expr::cust("level IN ('aid_station', 'room', 'community', 'station')"))
                    .check(Expr::cust(
                        "status IN ('requested', 'booked', 'accepted', 'declined', 'cancelled', 'resolved', 'closed', 'escalated')",
                    ))
                    .check(Expr::cust(
                        "outcome IS NULL OR outcome IN ('reached', 'partly', 'not_reached', 'referred')",
                    ))
                    .check(Expr::cust("satisfaction IS NULL OR satisfaction BETWEEN 1 AND 5"))
                    .check(Expr::cust("follow_up_channel IS NULL OR follow_up_channel IN ('online', 'phone')"))
                    .check(Expr::cust(
                        "(amount_claimed IS NULL OR amount_claimed >= 0) AND (amount_settled IS NULL OR amount_settled >= 0)",
                    ))
                    .foreign_key(&mut set_null(
                        (MediationCases::Table.into_iden(), MediationCases::ResidentId.into_iden()),
                        super::user_id(),
                    ))
                    .foreign_key(&mut set_null(
                        (MediationCases::Table.into_iden(), MediationCases::MediatorId.into_iden()),
                        super::user_id(),
                    ))
                    .foreign_key(&mut set_null(
                        (MediationCases::Table.into_iden(), MediationCases::CommunityId.into_iden()),
                        (Communities::Table.into_iden(), Communities::Id.into_iden()),
                    ))
                    .foreign_key(
                        ForeignKey::create()
                            .from(MediationCases::Table, MediationCases::RoomId)
                            .to(MediationRooms::Table, MediationRooms::Id),
                    )
                    .to_owned(),
            )
            .await?;
        for (name, cols) in [
            ("ix_cases_resident", vec![MediationCases::ResidentId]),
            (
                "ix_cases_room_status",
                vec![MediationCases::RoomId, MediationCases::Status],
            ),
        ] {
            let mut index = Index::create();
            index.name(name).table(MediationCases::Table);
            for col in cols {
                index.col(col);
            }
            manager.create_index(index.to_owned()).await?;
        }
        manager
            .create_table(
                Table::create()
                    .table(Bookings::Table)
                    .col(pk_auto(Bookings::Id))
                    .col(integer(Bookings::CaseId))
                    .col(integer(Bookings::RoomId))
                    .col(timestamp_with_time_zone(Bookings::StartsAt))
                    .col(timestamp_with_time_zone(Bookings::EndsAt))
                    .col(timestamp_with_time_zone(Bookings::CreatedAt))
                    .col(timestamp_with_time_zone_null(Bookings::CancelledAt))
                    .check(Expr::cust("starts_at < ends_at"))
                    .foreign_key(&mut cascade(
                        (Bookings::Table.into_iden(), Bookings::CaseId.into_iden()),
                        case(),
                    ))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Bookings::Table, Bookings::RoomId)
                            .to(MediationRooms::Table, MediationRooms::Id),
                    )
                    .to_owned(),
            )
            .await?;
        // sea-query has no partial indexes; this SQL is the same on SQLite and PostgreSQL.
        let db = manager.get_connection();
        db.execute_unprepared(
            "CREATE UNIQUE INDEX ux_bookings_one_per_slot ON bookings (room_id, starts_at) \
             WHERE cancelled_at IS NULL",
        )
        .await?;
        db.execute_unprepared(
            "CREATE UNIQUE INDEX ux_bookings_one_per_case ON bookings (case_id) \
             WHERE cancelled_at IS NULL",
        )
        .await?;
        manager
            .create_table(
                Table::create()
                    .table(CaseEvents::Table)
                    .col(pk_auto(CaseEvents::Id))
                    .col(integer(CaseEvents::CaseId))
                    .col(timestamp_with_time_zone(CaseEvents::At))
                    .col(string_len(CaseEvents::Kind, 12))
                    .col(integer_null(CaseEvents::ActorId))
                    .col(text_null(CaseEvents::Note))
                    .col(timestamp_with_time_zone_null(CaseEvents::SlotAt))
                    .col(string_len_null(CaseEvents::FromLevel, 12))
                    .col(string_len_null(CaseEvents::ToLevel, 12))
                    .foreign_key(&mut cascade(
                        (
                            CaseEvents::Table.into_iden(),
                            CaseEvents::CaseId.into_iden(),
                        ),
                        case(),
                    ))
                    .foreign_key(&mut set_null(
                        (
                            CaseEvents::Table.into_iden(),
                            CaseEvents::ActorId.into_iden(),
                        ),
                        super::user_id(),
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_case_events_case")
                    .table(CaseEvents::Table)
                    .col(CaseEvents::CaseId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(InboxMessages::Table)
                    .col(pk_auto(InboxMessages::Id))
                    .col(integer(InboxMessages::UserId))
                    .col(timestamp_with_time_zone(InboxMessages::At))
                    .col(string_len(InboxMessages::Topic, 40))
                    .col(string(InboxMessages::Subject))
                    .col(string(InboxMessages::Link))
                    .col(timestamp_with_time_zone_null(InboxMessages::ReadAt))
                    .foreign_key(&mut cascade(
                        (
                            InboxMessages::Table.into_iden(),
                            InboxMessages::UserId.into_iden(),
                        ),
                        super::user_id(),
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_inbox_user_read")
                    .table(InboxMessages::Table)
                    .col(InboxMessages::UserId)
                    .col(InboxMessages::ReadAt)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        super::drop_tables(
            manager,
            vec![
                InboxMessages::Table.into_iden(),
                CaseEvents::Table.into_iden(),
                Bookings::Table.into_iden(),
                MediationCases::Table.into_iden(),
                Availability::Table.into_iden(),
                RoomSchedules::Table.into_iden(),
                RoomMediators::Table.into_iden(),
            ],
        )
        .await
    }
}
