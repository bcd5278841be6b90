//! 反诈 "三无一表一App": each community's anti-fraud team (its officer, auxiliary police and
//! grid workers, two new roles), the households of each compound, the team's household
//! visits (一张登记表), the losses it reports (无损失) and the loop cases it counts as
//! fraud-related (无库存).
//!
//! The roles' CHECK is rewritten: on PostgreSQL by replacing the constraint, on SQLite by
//! rebuilding `user_roles` (SQLite cannot change a CHECK), in one transaction.

use sea_orm_migration::{prelude::*, schema::*};

use super::{col, foreign_key, user_id};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum FraudTeamMembers {
    Table,
    CommunityId,
    UserId,
    Role,
}

#[derive(DeriveIden)]
enum Households {
    Table,
    Id,
    CompoundId,
    Address,
    CreatedBy,
    CreatedAt,
    IsDemo,
}

#[derive(DeriveIden)]
enum HouseholdVisits {
    Table,
    Id,
    HouseholdId,
    VisitedOn,
    VisitorId,
    AppInstalled,
    WarningOn,
    ElderlyAlone,
    RecentVictim,
    Explained,
    FollowUpOn,
    CreatedAt,
    IsDemo,
}

#[derive(DeriveIden)]
enum FraudLosses {
    Table,
    Id,
    CommunityId,
    OccurredOn,
    AmountYuan,
    Scam,
    ReportedBy,
    CreatedAt,
    IsDemo,
}

#[derive(DeriveIden)]
enum FraudMarks {
    Table,
    CaseId,
    MarkedBy,
    MarkedAt,
}

const ROLES_BEFORE: &str = "'resident', 'volunteer', 'mediator', 'liaison', 'officer', 'admin'";
const ROLES: &str = "'resident', 'volunteer', 'mediator', 'liaison', 'officer', 'admin', 'auxiliary', 'grid_worker'";
const SCAMS: &str = "'order_brushing', 'fake_investment', 'fake_authority', 'fake_service', \
                     'fake_loan', 'romance', 'other'";

fn communities() -> (DynIden, DynIden) {
    col(Alias::new("communities"), Alias::new("id"))
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    /// In one transaction on SQLite too: the roles' copy, drop and rename must happen on one
    /// connection, which sees them in order.
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        super::rewrite_check(manager, "user_roles", "role", ROLES_BEFORE, ROLES).await?;
        manager
            .create_table(
                Table::create()
                    .table(FraudTeamMembers::Table)
                    .col(integer(FraudTeamMembers::CommunityId))
                    .col(integer(FraudTeamMembers::UserId))
                    .col(string_len(FraudTeamMembers::Role, 16).check(Expr::cust(
                        "role IN ('officer', 'auxiliary', 'grid_worker')",
                    )))
                    .primary_key(
                        Index::create()
                            .col(FraudTeamMembers::CommunityId)
                            .col(FraudTeamMembers::UserId),
                    )
                    .foreign_key(&mut foreign_key(
                        col(FraudTeamMembers::Table, FraudTeamMembers::CommunityId),
                        communities(),
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut foreign_key(
                        col(FraudTeamMembers::Table, FraudTeamMembers::UserId),
                        user_id(),
                        ForeignKeyAction::Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_fraud_team_members_user")
                    .table(FraudTeamMembers::Table)
                    .col(FraudTeamMembers::UserId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Households::Table)
                    .col(pk_auto(Households::Id))
                    .col(integer(Households::CompoundId))
                    .col(string_len(Households::Address, 40))
                    .col(integer_null(Households::CreatedBy))
                    .col(timestamp_with_time_zone(Households::CreatedAt))
                    .col(boolean(Households::IsDemo).default(false))
                    .foreign_key(&mut foreign_key(
                        col(Households::Table, Households::CompoundId),
                        col(Alias::new("compounds"), Alias::new("id")),
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut foreign_key(
                        col(Households::Table, Households::CreatedBy),
                        user_id(),
                        ForeignKeyAction::SetNull,
                    ))
                    .to_owned(),
            )
            .await?;
        // One household per address of a compound, however many team members add it at once.
        manager
            .create_index(
                Index::create()
                    .name("ux_households_compound_address")
                    .table(Households::Table)
                    .col(Households::CompoundId)
                    .col(Households::Address)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(HouseholdVisits::Table)
                    .col(pk_auto(HouseholdVisits::Id))
                    .col(integer(HouseholdVisits::HouseholdId))
                    .col(date(HouseholdVisits::VisitedOn))
                    .col(integer_null(HouseholdVisits::VisitorId))
                    .col(boolean(HouseholdVisits::AppInstalled))
                    .col(boolean(HouseholdVisits::WarningOn))
                    .col(boolean(HouseholdVisits::ElderlyAlone))
                    .col(boolean(HouseholdVisits::RecentVictim))
                    .col(string_len(HouseholdVisits::Explained, 160).default(""))
                    .col(date_null(HouseholdVisits::FollowUpOn))
                    .col(timestamp_with_time_zone(HouseholdVisits::CreatedAt))
                    .col(boolean(HouseholdVisits::IsDemo).default(false))
                    // The app's warning can only be on where the app is installed.
                    .check(Expr::cust("app_installed OR NOT warning_on"))
                    .check(Expr::cust(
                        "follow_up_on IS NULL OR follow_up_on > visited_on",
                    ))
                    .foreign_key(&mut foreign_key(
                        col(HouseholdVisits::Table, HouseholdVisits::HouseholdId),
                        col(Households::Table, Households::Id),
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut foreign_key(
                        col(HouseholdVisits::Table, HouseholdVisits::VisitorId),
                        user_id(),
                        ForeignKeyAction::SetNull,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_household_visits_household_on")
                    .table(HouseholdVisits::Table)
                    .col(HouseholdVisits::HouseholdId)
                    .col(HouseholdVisits::VisitedOn)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(FraudLosses::Table)
                    .col(pk_auto(FraudLosses::Id))
                    .col(integer(FraudLosses::CommunityId))
                    .col(date(FraudLosses::OccurredOn))
                    .col(
                        big_integer(FraudLosses::AmountYuan)
                            .check(Expr::cust("amount_yuan BETWEEN 1 AND 100000000")),
                    )
                    .col(
                        string_len(FraudLosses::Scam, 20)
                            .check(Expr::cust(format!("scam IN ({SCAMS})"))),
                    )
                    .col(integer_null(FraudLosses::ReportedBy))
                    .col(timestamp_with_time_zone(FraudLosses::CreatedAt))
                    .col(boolean(FraudLosses::IsDemo).default(false))
                    .foreign_key(&mut foreign_key(
                        col(FraudLosses::Table, FraudLosses::CommunityId),
                        communities(),
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut foreign_key(
                        col(FraudLosses::Table, FraudLosses::ReportedBy),
                        user_id(),
                        ForeignKeyAction::SetNull,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_fraud_losses_on")
                    .table(FraudLosses::Table)
                    .col(FraudLosses::OccurredOn)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(FraudMarks::Table)
                    .col(integer(FraudMarks::CaseId).primary_key())
                    .col(integer_null(FraudMarks::MarkedBy))
                    .col(timestamp_with_time_zone(FraudMarks::MarkedAt))
                    .foreign_key(&mut foreign_key(
                        col(FraudMarks::Table, FraudMarks::CaseId),
                        col(Alias::new("cases"), Alias::new("id")),
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut foreign_key(
                        col(FraudMarks::Table, FraudMarks::MarkedBy),
                        user_id(),
                        ForeignKeyAction::SetNull,
                    ))
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        super::drop_tables(
            manager,
            vec![
                FraudMarks::Table.into_iden(),
                FraudLosses::Table.into_iden(),
                HouseholdVisits::Table.into_iden(),
                Households::Table.into_iden(),
                FraudTeamMembers::Table.into_iden(),
            ],
        )
        .await?;
        manager
            .get_connection()
            .execute_unprepared("DELETE FROM user_roles WHERE role IN ('auxiliary', 'grid_worker')")
            .await?;
        super::rewrite_check(manager, "user_roles", "role", ROLES, ROLES_BEFORE).await
    }
}
