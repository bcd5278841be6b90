//! The versions of the figures' inputs: a row per set of figures kept in memory (the public
//! mediation figures of /stats, the officers' figures of /board/figures), bumped by triggers
//! on every table the figures count, whoever writes. A reader keeps what it computed while
//! the version stays the one it read first (`crate::kept`), as the directory does
//! (migration 026).
//!
//! On PostgreSQL the bump is a deferred constraint trigger that runs once per transaction,
//! at its commit: a booking holds the version row's lock for the instant of its commit, not
//! from its insert on, so concurrent bookings do not queue behind each other's work.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// (the version's name, the tables its figures count)
const VERSIONS: [(&str, &[&str]); 2] = [
    ("mediation", &["mediation_cases", "mediation_rooms"]),
    (
        "casework",
        &[
            "cases",
            "case_history",
            "fraud_marks",
            "mediation_cases",
            "shifts",
            "shift_signups",
            "squads",
            "notices",
            "notice_communities",
            "notice_reads",
            "users",
            "user_roles",
            "communities",
            "compounds",
            "households",
            "household_visits",
            "fraud_losses",
        ],
    ),
];

fn triggers() -> impl Iterator<Item = (&'static str, &'static str)> {
    VERSIONS
        .iter()
        .flat_map(|(name, tables)| tables.iter().map(move |table| (*name, *table)))
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        let postgres = manager.get_database_backend() == sea_orm::DbBackend::Postgres;
        db.execute_unprepared(
            "CREATE TABLE figures_versions (
               name varchar(16) PRIMARY KEY,
               version bigint NOT NULL DEFAULT 0)",
        )
        .await?;
        for (name, _) in VERSIONS {
            db.execute_unprepared(&format!(
                "INSERT INTO figures_versions (name) VALUES ('{name}')"
            ))
            .await?;
        }
        if postgres {
            // Deferred triggers fire once per row written; the transaction-local setting
            // makes all but the first of a transaction's return at once.
            db.execute_unprepared(
                "CREATE FUNCTION bump_figures_version() RETURNS trigger AS $$
                 DECLARE
                   flag text := 'portal.figures_bumped_' || TG_ARGV[0];
                 BEGIN
                   IF current_setting(flag, true) = txid_current()::text THEN
                     RETURN NULL;
                   END IF;
                   PERFORM set_config(flag, txid_current()::text, true);
                   UPDATE figures_versions SET version = version + 1 WHERE name = TG_ARGV[0];
                   RETURN NULL;
                 END $$ LANGUAGE plpgsql",
            )
            .await?;
        }
        for (name, table) in triggers() {
            super::bump_version_on_write(db, table, name).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        let postgres = manager.get_database_backend() == sea_orm::DbBackend::Postgres;
        for (name, table) in triggers() {
            super::drop_version_triggers(db, table, name).await?;
        }
        if postgres {
            db.execute_unprepared("DROP FUNCTION bump_figures_version()")
                .await?;
        }
        db.execute_unprepared("DROP TABLE figures_versions").await?;
        Ok(())
    }
}
