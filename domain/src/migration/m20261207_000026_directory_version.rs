//! The directory's version: one row that triggers on the directory's tables bump on every
//! insert, update and delete, whoever writes (this process, another one, an admin at the SQL
//! prompt). Readers keep what they read of the directory while the version stays the one
//! they read it at (`directory::cache`), so several processes share one database without
//! serving a stale directory. `instance` tells one database from another in a process that
//! opens several (the test suites).

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The tables whose rows the cached directory is made of.
const TABLES: [&str; 7] = [
    "police_offices",
    "communities",
    "compounds",
    "aid_stations",
    "mediation_rooms",
    "liaison_rooms",
    "squads",
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        match manager.get_database_backend() {
            sea_orm::DbBackend::Postgres => {
                for statement in [
                    "CREATE TABLE directory_version (
                       id integer PRIMARY KEY CHECK (id = 1),
                       version bigint NOT NULL DEFAULT 0,
                       instance varchar(32) NOT NULL DEFAULT md5(random()::text || clock_timestamp()::text))",
                    "INSERT INTO directory_version (id) VALUES (1)",
                    "CREATE FUNCTION bump_directory_version() RETURNS trigger AS $$
                     BEGIN
                       UPDATE directory_version SET version = version + 1 WHERE id = 1;
                       RETURN NULL;
                     END $$ LANGUAGE plpgsql",
                ] {
                    db.execute_unprepared(statement).await?;
                }
                for table in TABLES {
                    db.execute_unprepared(&format!(
                        "CREATE TRIGGER {table}_directory_version
                         AFTER INSERT OR UPDATE OR DELETE ON {table}
                         FOR EACH STATEMENT EXECUTE FUNCTION bump_directory_version()"
                    ))
                    .await?;
                }
            }
            _ => {
                db.execute_unprepared(
                    "CREATE TABLE directory_version (
                       id integer PRIMARY KEY CHECK (id = 1),
                       version integer NOT NULL DEFAULT 0,
                       instance varchar(32) NOT NULL DEFAULT (lower(hex(randomblob(16)))))",
                )
                .await?;
                db.execute_unprepared("INSERT INTO directory_version (id) VALUES (1)")
                    .await?;
                for table in TABLES {
                    for event in ["INSERT", "UPDATE", "DELETE"] {
                        db.execute_unprepared(&format!(
                            "CREATE TRIGGER {table}_directory_version_{name}
                             AFTER {event} ON {table}
                             BEGIN UPDATE directory_version SET version = version + 1 WHERE id = 1; END",
                            name = event.to_lowercase()
                        ))
                        .await?;
                    }
                }
            }
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        let postgres = manager.get_database_backend() == sea_orm::DbBackend::Postgres;
        for table in TABLES {
            if postgres {
                db.execute_unprepared(&format!(
                    "DROP TRIGGER {table}_directory_version ON {table}"
                ))
                .await?;
            } else {
                for name in ["insert", "update", "delete"] {
                    db.execute_unprepared(&format!(
                        "DROP TRIGGER {table}_directory_version_{name}"
                    ))
                    .await?;
                }
            }
        }
        if postgres {
            db.execute_unprepared("DROP FUNCTION bump_directory_version()")
                .await?;
        }
        db.execute_unprepared("DROP TABLE directory_version")
            .await?;
        Ok(())
    }
}
