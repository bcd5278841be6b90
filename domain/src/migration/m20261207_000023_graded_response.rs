//! 三色 and the graded response: officers count a case of the loop as 情感类 or 家暴类
//! (`case_concerns`) and record each step of "初次教育 — 二次训诫 — 三次拘留" applied in it, with
//! its day (`case_grades`, each step at most once per case). The portal records; it decides
//! nothing.

use sea_orm_migration::{prelude::*, schema::*};

use super::{col, foreign_key, user_id};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum CaseConcerns {
    Table,
    CaseId,
    Concern,
    SetBy,
    SetAt,
}

#[derive(DeriveIden)]
enum CaseGrades {
    Table,
    Id,
    CaseId,
    Grade,
    AppliedOn,
    RecordedBy,
    RecordedAt,
}

fn cases() -> (DynIden, DynIden) {
    col(Alias::new("cases"), Alias::new("id"))
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(CaseConcerns::Table)
                    .col(integer(CaseConcerns::CaseId).primary_key())
                    .col(
                        string_len(CaseConcerns::Concern, 12)
                            .check(Expr::cust("concern IN ('emotional', 'domestic')")),
                    )
                    .col(integer_null(CaseConcerns::SetBy))
                    .col(timestamp_with_time_zone(CaseConcerns::SetAt))
                    .foreign_key(&mut foreign_key(
                        col(CaseConcerns::Table, CaseConcerns::CaseId),
                        cases(),
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut foreign_key(
                        col(CaseConcerns::Table, CaseConcerns::SetBy),
                        user_id(),
                        ForeignKeyAction::SetNull,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(CaseGrades::Table)
                    .col(pk_auto(CaseGrades::Id))
                    .col(integer(CaseGrades::CaseId))
                    .col(string_len(CaseGrades::Grade, 12).check(Expr::cust(
                        "grade IN ('education', 'admonition', 'detention')",
                    )))
                    .col(date(CaseGrades::AppliedOn))
                    .col(integer_null(CaseGrades::RecordedBy))
                    .col(timestamp_with_time_zone(CaseGrades::RecordedAt))
                    .foreign_key(&mut foreign_key(
                        col(CaseGrades::Table, CaseGrades::CaseId),
                        cases(),
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut foreign_key(
                        col(CaseGrades::Table, CaseGrades::RecordedBy),
                        user_id(),
                        ForeignKeyAction::SetNull,
                    ))
                    .to_owned(),
            )
            .await?;
        // A step once per case, however many officers record it at the same moment.
        manager
            .create_index(
                Index::create()
                    .name("ux_case_grades_case_grade")
                    .table(CaseGrades::Table)
                    .col(CaseGrades::CaseId)
                    .col(CaseGrades::Grade)
                    .unique()
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        super::drop_tables(
            manager,
            vec![
                CaseGrades::Table.into_iden(),
                CaseConcerns::Table.into_iden(),
            ],
        )
        .await
    }
}
