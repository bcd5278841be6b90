//! Indexes for a district's worth of data (`portal demo-data --scale 100`, issue #23), each
//! for a query that read a whole table at that size: a board's counts (all its threads, the
//! waiting and the overdue ones), and the figures of a period (cases and mediations by the
//! day they came in).

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// (name, table, columns)
const INDEXES: [(&str, &str, &[&str]); 3] = [
    (
        "ix_threads_board_waiting",
        "threads",
        &[
            "board_id",
            "hidden",
            "status",
            "official_reply_at",
            "created_at",
        ],
    ),
    ("ix_cases_created", "cases", &["created_at"]),
    (
        "ix_mediation_cases_created",
        "mediation_cases",
        &["created_at"],
    ),
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for (name, table, columns) in INDEXES {
            let mut index = Index::create();
            index.name(name).table(Alias::new(table));
            for column in columns {
                index.col(Alias::new(*column));
            }
            manager.create_index(index.to_owned()).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for (name, table, _) in INDEXES {
            manager
                .drop_index(Index::drop().name(name).table(Alias::new(table)).to_owned())
                .await?;
        }
        Ok(())
    }
}
