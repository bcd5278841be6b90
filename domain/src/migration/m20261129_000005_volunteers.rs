//! 老王帮帮团: applications, squad members and leaders, shifts and events with their
//! sign-ups, check-in and check-out.
//!
//! "Capacity is never exceeded" lives here: each shift counts its sign-ups in `taken`, a
//! CHECK keeps `taken` within `max_capacity`, and a sign-up is written in the transaction
//! that raised the count.

use sea_orm_migration::{prelude::*, schema::*};

use super::m20261129_000001_directory::Squads;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum VolunteerApplications {
    Table,
    Id,
    UserId,
    SquadId,
    Name,
    Hometown,
    Dialects,
    Skills,
    Availability,
    Status,
    Reason,
    DecidedBy,
    CreatedAt,
    DecidedAt,
}

#[derive(DeriveIden)]
enum SquadMembers {
    Table,
    SquadId,
    UserId,
    Name,
    IsLeader,
    InRanking,
    JoinedAt,
}

#[derive(DeriveIden)]
enum Shifts {
    Table,
    Id,
    SquadId,
    Kind,
    Title,
    Place,
    StartsAt,
    EndsAt,
    MinCapacity,
    MaxCapacity,
    Taken,
    SignupDeadline,
    Notes,
    CreatedBy,
    CreatedAt,
    IsDemo,
}

#[derive(DeriveIden)]
enum ShiftSignups {
    Table,
    Id,
    ShiftId,
    UserId,
    SignedAt,
    WithdrawnAt,
    CheckInAt,
    CheckOutAt,
    NoShow,
    MinutesCredited,
}

fn squad() -> (DynIden, DynIden) {
    (Squads::Table.into_iden(), Squads::Id.into_iden())
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(VolunteerApplications::Table)
                    .col(pk_auto(VolunteerApplications::Id))
                    .col(integer(VolunteerApplications::UserId))
                    .col(integer(VolunteerApplications::SquadId))
                    .col(string_len(VolunteerApplications::Name, 40))
                    .col(string_len(VolunteerApplications::Hometown, 60))
                    .col(string_len(VolunteerApplications::Dialects, 100))
                    .col(string_len(VolunteerApplications::Skills, 200))
                    .col(string_len(VolunteerApplications::Availability, 200))
                    .col(string_len(VolunteerApplications::Status, 10))
                    .col(string_len_null(VolunteerApplications::Reason, 200))
                    .col(integer_null(VolunteerApplications::DecidedBy))
                    .col(timestamp_with_time_zone(VolunteerApplications::CreatedAt))
                    .col(timestamp_with_time_zone_null(
                        VolunteerApplications::DecidedAt,
                    ))
                    .check(Expr::cust("status IN ('pending', 'approved', 'declined')"))
                    .foreign_key(&mut super::foreign_key(
                        (
                            VolunteerApplications::Table.into_iden(),
                            VolunteerApplications::UserId.into_iden(),
                        ),
                        super::user_id(),
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut super::foreign_key(
                        (
                            VolunteerApplications::Table.into_iden(),
                            VolunteerApplications::SquadId.into_iden(),
                        ),
                        squad(),
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut super::foreign_key(
                        (
                            VolunteerApplications::Table.into_iden(),
                            VolunteerApplications::DecidedBy.into_iden(),
                        ),
                        super::user_id(),
                        ForeignKeyAction::SetNull,
                    ))
                    .to_owned(),
            )
            .await?;
        // One application waiting per person and squad.
        manager
            .get_connection()
            .execute_unprepared(
                "CREATE UNIQUE INDEX ux_applications_one_pending ON volunteer_applications \
                 (user_id, squad_id) WHERE status = 'pending'",
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(SquadMembers::Table)
                    .col(integer(SquadMembers::SquadId))
                    .col(integer(SquadMembers::UserId))
                    .col(string_len(SquadMembers::Name, 40))
                    .col(boolean(SquadMembers::IsLeader))
                    .col(boolean(SquadMembers::InRanking))
                    .col(timestamp_with_time_zone(SquadMembers::JoinedAt))
                    .primary_key(
                        Index::create()
                            .col(SquadMembers::SquadId)
                            .col(SquadMembers::UserId),
                    )
                    .foreign_key(&mut super::foreign_key(
                        (
                            SquadMembers::Table.into_iden(),
                            SquadMembers::SquadId.into_iden(),
                        ),
                        squad(),
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut super::foreign_key(
                        (
                            SquadMembers::Table.into_iden(),
                            SquadMembers::UserId.into_iden(),
                        ),
                        super::user_id(),
                        ForeignKeyAction::Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Shifts::Table)
                    .col(pk_auto(Shifts::Id))
                    .col(integer(Shifts::SquadId))
                    .col(string_len(Shifts::Kind, 8))
                    .col(string_len(Shifts::Title, 100))
                    .col(string_len(Shifts::Place, 100))
                    .col(timestamp_with_time_zone(Shifts::StartsAt))
                    .col(timestamp_with_time_zone(Shifts::EndsAt))
                    .col(integer(Shifts::MinCapacity))
                    .col(integer(Shifts::MaxCapacity))
                    .col(integer(Shifts::Taken).default(0))
                    .col(timestamp_with_time_zone(Shifts::SignupDeadline))
                    .col(text(Shifts::Notes))
                    .col(integer_null(Shifts::CreatedBy))
                    .col(timestamp_with_time_zone(Shifts::CreatedAt))
                    .col(boolean(Shifts::IsDemo).default(false))
                    .check(Expr::cust("kind IN ('shift', 'event')"))
                    .check(Expr::cust("starts_at < ends_at"))
                    .check(Expr::cust("signup_deadline <= starts_at"))
                    .check(Expr::cust("min_capacity >= 0 AND min_capacity <= max_capacity AND max_capacity BETWEEN 1 AND 500"))
                    .check(Expr::cust("taken BETWEEN 0 AND max_capacity"))
                    .foreign_key(&mut super::foreign_key(
                        (Shifts::Table.into_iden(), Shifts::SquadId.into_iden()),
                        squad(),
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut super::foreign_key(
                        (Shifts::Table.into_iden(), Shifts::CreatedBy.into_iden()),
                        super::user_id(),
                        ForeignKeyAction::SetNull,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_shifts_starts")
                    .table(Shifts::Table)
                    .col(Shifts::StartsAt)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(ShiftSignups::Table)
                    .col(pk_auto(ShiftSignups::Id))
                    .col(integer(ShiftSignups::ShiftId))
                    .col(integer(ShiftSignups::UserId))
                    .col(timestamp_with_time_zone(ShiftSignups::SignedAt))
                    .col(timestamp_with_time_zone_null(ShiftSignups::WithdrawnAt))
                    .col(timestamp_with_time_zone_null(ShiftSignups::CheckInAt))
                    .col(timestamp_with_time_zone_null(ShiftSignups::CheckOutAt))
                    .col(boolean(ShiftSignups::NoShow).default(false))
                    .col(integer(ShiftSignups::MinutesCredited).default(0))
                    .check(Expr::cust("minutes_credited >= 0"))
                    .check(Expr::cust("check_out_at IS NULL OR (check_in_at IS NOT NULL AND check_in_at <= check_out_at)"))
                    .foreign_key(&mut super::foreign_key(
                        (ShiftSignups::Table.into_iden(), ShiftSignups::ShiftId.into_iden()),
                        (Shifts::Table.into_iden(), Shifts::Id.into_iden()),
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut super::foreign_key(
                        (ShiftSignups::Table.into_iden(), ShiftSignups::UserId.into_iden()),
                        super::user_id(),
                        ForeignKeyAction::Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .get_connection()
            .execute_unprepared(
                "CREATE UNIQUE INDEX ux_signups_once ON shift_signups (shift_id, user_id) \
                 WHERE withdrawn_at IS NULL",
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        super::drop_tables(
            manager,
            vec![
                ShiftSignups::Table.into_iden(),
                Shifts::Table.into_iden(),
                SquadMembers::Table.into_iden(),
                VolunteerApplications::Table.into_iden(),
            ],
        )
        .await
    }
}
