//! The directory of 招宝山街道: who serves which community.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Settings {
    Table,
    Key,
    Value,
}

#[derive(DeriveIden)]
pub(super) enum PoliceOffices {
    Table,
    Id,
    Name,
    Address,
    Speciality,
    IsDemo,
}

#[derive(DeriveIden)]
pub(super) enum Communities {
    Table,
    Id,
    Name,
    PoliceOfficeId,
    IsDemo,
}

#[derive(DeriveIden)]
pub(super) enum Compounds {
    Table,
    Id,
    CommunityId,
    Name,
    IsDemo,
}

#[derive(DeriveIden)]
pub(super) enum AidStations {
    Table,
    Id,
    CommunityId,
    CompoundId,
    Name,
    IsDemo,
}

#[derive(DeriveIden)]
pub(super) enum MediationRooms {
    Table,
    Id,
    Name,
    CommunityId,
    ParentId,
    Address,
    Hours,
    IsDemo,
}

#[derive(DeriveIden)]
pub(super) enum LiaisonRooms {
    Table,
    Id,
    PoliceOfficeId,
    Name,
    Description,
    IsDemo,
}

#[derive(DeriveIden)]
pub(super) enum Squads {
    Table,
    Id,
    Name,
    Description,
    IsDemo,
}

fn demo_flag<T: IntoIden>(col: T) -> ColumnDef {
    boolean(col).default(false).take()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Settings::Table)
                    .col(string(Settings::Key).primary_key())
                    .col(text(Settings::Value))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(PoliceOffices::Table)
                    .col(pk_auto(PoliceOffices::Id))
                    .col(string_uniq(PoliceOffices::Name))
                    .col(string(PoliceOffices::Address))
                    .col(string(PoliceOffices::Speciality))
                    .col(demo_flag(PoliceOffices::IsDemo))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Communities::Table)
                    .col(pk_auto(Communities::Id))
                    .col(string_uniq(Communities::Name))
                    .col(integer_null(Communities::PoliceOfficeId))
                    .col(demo_flag(Communities::IsDemo))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Communities::Table, Communities::PoliceOfficeId)
                            .to(PoliceOffices::Table, PoliceOffices::Id)
                            .on_delete(ForeignKeyAction::SetNull),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Compounds::Table)
                    .col(pk_auto(Compounds::Id))
                    .col(integer(Compounds::CommunityId))
                    .col(string(Compounds::Name))
                    .col(demo_flag(Compounds::IsDemo))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Compounds::Table, Compounds::CommunityId)
                            .to(Communities::Table, Communities::Id)
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .to_owned(),
            )
            .await?;
        // Two compounds of one community never share a name; different communities may.
        manager
            .create_index(
                Index::create()
                    .name("ux_compounds_community_name")
                    .table(Compounds::Table)
                    .col(Compounds::CommunityId)
                    .col(Compounds::Name)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(AidStations::Table)
                    .col(pk_auto(AidStations::Id))
                    .col(integer(AidStations::CommunityId))
                    .col(integer_null(AidStations::CompoundId))
                    .col(string_uniq(AidStations::Name))
                    .col(demo_flag(AidStations::IsDemo))
                    .foreign_key(
                        ForeignKey::create()
                            .from(AidStations::Table, AidStations::CommunityId)
                            .to(Communities::Table, Communities::Id)
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(AidStations::Table, AidStations::CompoundId)
                            .to(Compounds::Table, Compounds::Id)
                            .on_delete(ForeignKeyAction::SetNull),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(MediationRooms::Table)
                    .col(pk_auto(MediationRooms::Id))
                    .col(string_uniq(MediationRooms::Name))
                    .col(integer_null(MediationRooms::CommunityId))
                    .col(integer_null(MediationRooms::ParentId))
                    .col(string(MediationRooms::Address))
                    .col(string(MediationRooms::Hours))
                    .col(demo_flag(MediationRooms::IsDemo))
                    .foreign_key(
                        ForeignKey::create()
                            .from(MediationRooms::Table, MediationRooms::CommunityId)
                            .to(Communities::Table, Communities::Id)
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(MediationRooms::Table, MediationRooms::ParentId)
                            .to(MediationRooms::Table, MediationRooms::Id)
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(LiaisonRooms::Table)
                    .col(pk_auto(LiaisonRooms::Id))
                    .col(integer(LiaisonRooms::PoliceOfficeId))
                    .col(string_uniq(LiaisonRooms::Name))
                    .col(text(LiaisonRooms::Description))
                    .col(demo_flag(LiaisonRooms::IsDemo))
                    .foreign_key(
                        ForeignKey::create()
                            .from(LiaisonRooms::Table, LiaisonRooms::PoliceOfficeId)
                            .to(PoliceOffices::Table, PoliceOffices::Id)
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Squads::Table)
                    .col(pk_auto(Squads::Id))
                    .col(string_uniq(Squads::Name))
                    .col(text(Squads::Description))
                    .col(demo_flag(Squads::IsDemo))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        super::drop_tables(
            manager,
            vec![
                Squads::Table.into_iden(),
                LiaisonRooms::Table.into_iden(),
                MediationRooms::Table.into_iden(),
                AidStations::Table.into_iden(),
                Compounds::Table.into_iden(),
                Communities::Table.into_iden(),
                PoliceOffices::Table.into_iden(),
                Settings::Table.into_iden(),
            ],
        )
        .await
    }
}
