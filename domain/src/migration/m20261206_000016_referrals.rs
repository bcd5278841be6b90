//! 转交 as data: a referred mediation case names where it went, and later what became of it.
//! The database holds the values to their lists and a target to referred cases only; that a
//! new referral names its target is the domain's rule (cases referred before this migration
//! have none).

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum MediationCases {
    Table,
    ReferredTo,
    ReferralNote,
    ReferralResult,
}

const TARGETS: &str = "'judicial_office', 'court', 'veteran_cadres', 'police', 'other'";
const RESULTS: &str = "'accepted', 'settled', 'refused', 'no_answer'";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // One column a statement: SQLite adds one column per ALTER TABLE.
        let columns = [
            string_len_null(MediationCases::ReferredTo, 24)
                .check(Expr::cust(format!(
                    "referred_to IS NULL OR (outcome = 'referred' AND referred_to IN ({TARGETS}))"
                )))
                .to_owned(),
            // Where, when the target is "other" (or a detail of the named body).
            string_len_null(MediationCases::ReferralNote, 100)
                .check(Expr::cust("referral_note IS NULL OR referred_to IS NOT NULL"))
                .to_owned(),
            string_len_null(MediationCases::ReferralResult, 24)
                .check(Expr::cust(format!(
                    "referral_result IS NULL OR (referred_to IS NOT NULL AND referral_result IN ({RESULTS}))"
                )))
                .to_owned(),
        ];
        for column in columns {
            manager
                .alter_table(
                    Table::alter()
                        .table(MediationCases::Table)
                        .add_column(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for column in [
            MediationCases::ReferralResult,
            MediationCases::ReferralNote,
            MediationCases::ReferredTo,
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(MediationCases::Table)
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}
