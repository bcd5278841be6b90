//! Schema migrations, applied in order at start-up and by `portal migrate`.

use sea_orm_migration::prelude::*;

mod m20261129_000001_directory;
mod m20261129_000002_accounts;
mod m20261129_000003_mediation;
mod m20261129_000004_notices;
mod m20261129_000005_volunteers;
mod m20261129_000006_help_requests;
mod m20261129_000007_teahouse;
mod m20261129_000008_casework;
mod m20261129_000009_video;
mod m20261206_000010_admin_log;
mod m20261206_000011_station;
mod m20261206_000012_counter;
mod m20261206_000013_reported_figures;
mod m20261206_000014_directory_admin;
mod m20261206_000015_calendar_feeds;
mod m20261206_000016_referrals;
mod m20261206_000017_outbox;
mod m20261206_000018_phone_codes;
mod m20261206_000019_channels;
mod m20261206_000020_receipts;
mod m20261207_000021_attachments;
mod m20261207_000022_antifraud;
mod m20261207_000023_graded_response;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261129_000001_directory::Migration),
            Box::new(m20261129_000002_accounts::Migration),
            Box::new(m20261129_000003_mediation::Migration),
            Box::new(m20261129_000004_notices::Migration),
            Box::new(m20261129_000005_volunteers::Migration),
            Box::new(m20261129_000006_help_requests::Migration),
            Box::new(m20261129_000007_teahouse::Migration),
            Box::new(m20261129_000008_casework::Migration),
            Box::new(m20261129_000009_video::Migration),
            Box::new(m20261206_000010_admin_log::Migration),
            Box::new(m20261206_000011_station::Migration),
            Box::new(m20261206_000012_counter::Migration),
            Box::new(m20261206_000013_reported_figures::Migration),
            Box::new(m20261206_000014_directory_admin::Migration),
            Box::new(m20261206_000015_calendar_feeds::Migration),
            Box::new(m20261206_000016_referrals::Migration),
            Box::new(m20261206_000017_outbox::Migration),
            Box::new(m20261206_000018_phone_codes::Migration),
            Box::new(m20261206_000019_channels::Migration),
            Box::new(m20261206_000020_receipts::Migration),
            Box::new(m20261207_000021_attachments::Migration),
            Box::new(m20261207_000022_antifraud::Migration),
            Box::new(m20261207_000023_graded_response::Migration),
        ]
    }
}

/// Drops `tables` in the order given (dependents first): the `down` of a migration.
async fn drop_tables(manager: &SchemaManager<'_>, tables: Vec<DynIden>) -> Result<(), DbErr> {
    for table in tables {
        manager
            .drop_table(Table::drop().table(table).to_owned())
            .await?;
    }
    Ok(())
}

/// A foreign key from `from` (table, column) to `to`, with what deleting the target does.
fn foreign_key(
    from: (DynIden, DynIden),
    to: (DynIden, DynIden),
    on_delete: ForeignKeyAction,
) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .from(from.0, from.1)
        .to(to.0, to.1)
        .on_delete(on_delete)
        .to_owned()
}

/// `users.id`, the target of every column that names a person.
fn user_id() -> (DynIden, DynIden) {
    (
        m20261129_000002_accounts::Users::Table.into_iden(),
        m20261129_000002_accounts::Users::Id.into_iden(),
    )
}

/// A table's column, as a foreign key or an index names it.
fn col(table: impl IntoIden, column: impl IntoIden) -> (DynIden, DynIden) {
    (table.into_iden(), column.into_iden())
}

/// Rewrites the CHECK that `column` of `table` is `IN (from)` to `IN (to)`: on PostgreSQL
/// by replacing the constraint, on SQLite (which cannot change a CHECK) by rebuilding the
/// table from its own definition with its rows and indexes. For tables no foreign key
/// points at, inside the migration's transaction.
async fn rewrite_check(
    manager: &SchemaManager<'_>,
    table: &str,
    column: &str,
    from: &str,
    to: &str,
) -> Result<(), DbErr> {
    let db = manager.get_connection();
    let (old, new) = (
        format!("{column} IN ({from})"),
        format!("{column} IN ({to})"),
    );
    if manager.get_database_backend() == sea_orm::DatabaseBackend::Postgres {
        let names = db
            .query_all_raw(sea_orm::Statement::from_sql_and_values(
                sea_orm::DatabaseBackend::Postgres,
                "SELECT conname FROM pg_constraint WHERE conrelid = $1::regclass \
                 AND contype = 'c' AND pg_get_constraintdef(oid) LIKE $2",
                [table.into(), format!("%{column}%").into()],
            ))
            .await?;
        for row in names {
            let name: String = row.try_get_by_index(0)?;
            db.execute_unprepared(&format!("ALTER TABLE {table} DROP CONSTRAINT \"{name}\""))
                .await?;
        }
        db.execute_unprepared(&format!(
            "ALTER TABLE {table} ADD CONSTRAINT {table}_{column}_check CHECK ({new})"
        ))
        .await?;
        return Ok(());
    }
    let sqlite =
        |sql: String| sea_orm::Statement::from_string(sea_orm::DatabaseBackend::Sqlite, sql);
    // Every row read, so that each statement ends before the table it read is dropped on the
    // same connection.
    let mut definitions = Vec::new();
    for row in db
        .query_all_raw(sqlite(format!(
            "SELECT type, sql FROM sqlite_master WHERE tbl_name = '{table}' AND sql IS NOT NULL \
             ORDER BY type = 'table' DESC"
        )))
        .await?
    {
        definitions.push((
            row.try_get_by_index::<String>(0)?,
            row.try_get_by_index::<String>(1)?,
        ));
    }
    let Some((_, definition)) = definitions.first().filter(|(kind, _)| kind == "table") else {
        return Err(DbErr::Migration(format!("the table {table} is missing")));
    };
    let staged = format!("{table}_new");
    let rewritten = definition
        .replacen(&format!("\"{table}\""), &format!("\"{staged}\""), 1)
        .replace(&old, &new);
    if !rewritten.contains(&new) || !rewritten.contains(&staged) {
        return Err(DbErr::Migration(format!(
            "the definition of {table} is not the one expected: {definition}"
        )));
    }
    db.execute_unprepared(&rewritten).await?;
    db.execute_unprepared(&format!("INSERT INTO {staged} SELECT * FROM {table}"))
        .await?;
    db.execute_unprepared(&format!("DROP TABLE {table}"))
        .await?;
    db.execute_unprepared(&format!("ALTER TABLE {staged} RENAME TO {table}"))
        .await?;
    // Indexes and triggers went with the old table; they are made again on the new one.
    for (_, sql) in definitions.iter().skip(1) {
        db.execute_unprepared(sql).await?;
    }
    Ok(())
}
