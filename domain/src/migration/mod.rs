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
mod m20261207_000024_schools_and_enterprises;
mod m20261207_000025_school_calendar;
mod m20261207_000026_directory_version;
mod m20261207_000027_district_indexes;
mod m20261207_000028_figures_versions;
mod m20261207_000029_pages_version;

pub use m20261207_000029_pages_version::public_tables;

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
            Box::new(m20261207_000024_schools_and_enterprises::Migration),
            Box::new(m20261207_000025_school_calendar::Migration),
            Box::new(m20261207_000026_directory_version::Migration),
            Box::new(m20261207_000027_district_indexes::Migration),
            Box::new(m20261207_000028_figures_versions::Migration),
            Box::new(m20261207_000029_pages_version::Migration),
        ]
    }
}

/// Triggers that bump the `figures_versions` row `name` at every write to `table`, whoever
/// writes (migrations 028 and 029). On PostgreSQL a deferred constraint trigger runs migration
/// 028's function once per transaction, at its commit; on SQLite each row written bumps it.
async fn bump_version_on_write(
    db: &impl sea_orm::ConnectionTrait,
    table: &str,
    name: &str,
) -> Result<(), DbErr> {
    if db.get_database_backend() == sea_orm::DbBackend::Postgres {
        db.execute_unprepared(&format!(
            "CREATE CONSTRAINT TRIGGER {table}_{name}_version
             AFTER INSERT OR UPDATE OR DELETE ON {table}
             DEFERRABLE INITIALLY DEFERRED
             FOR EACH ROW EXECUTE FUNCTION bump_figures_version('{name}')"
        ))
        .await?;
        return Ok(());
    }
    for event in ["INSERT", "UPDATE", "DELETE"] {
        db.execute_unprepared(&format!(
            "CREATE TRIGGER {table}_{name}_version_{lower}
             AFTER {event} ON {table}
             BEGIN UPDATE figures_versions SET version = version + 1
                   WHERE name = '{name}'; END",
            lower = event.to_lowercase()
        ))
        .await?;
    }
    Ok(())
}

/// Drops what `bump_version_on_write` made.
async fn drop_version_triggers(
    db: &impl sea_orm::ConnectionTrait,
    table: &str,
    name: &str,
) -> Result<(), DbErr> {
    if db.get_database_backend() == sea_orm::DbBackend::Postgres {
        db.execute_unprepared(&format!("DROP TRIGGER {table}_{name}_version ON {table}"))
            .await?;
        return Ok(());
    }
    for event in ["insert", "update", "delete"] {
        db.execute_unprepared(&format!("DROP TRIGGER {table}_{name}_version_{event}"))
            .await?;
    }
    Ok(())
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

/// Rewrites the CHECK that `column` of `table` is `IN (from)` to `IN (to)`, where every row
/// already satisfies the new list: on PostgreSQL by replacing the constraint; on SQLite
/// (which cannot alter a CHECK) by editing the table's stored definition, SQLite's own
/// procedure for loosening a constraint. A copy of the table would not do on SQLite: when
/// other tables' foreign keys point at it, dropping the original deletes their rows. Runs in
/// the migration's transaction, on its one connection (`use_transaction`).
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
        // PostgreSQL shows the check as `((kind)::text = ANY …)`: the parenthesis keeps
        // `org_kind`'s checks out when `kind`'s is looked for.
        let names = db
            .query_all_raw(sea_orm::Statement::from_sql_and_values(
                sea_orm::DatabaseBackend::Postgres,
                "SELECT conname FROM pg_constraint WHERE conrelid = $1::regclass \
                 AND contype = 'c' AND pg_get_constraintdef(oid) LIKE $2",
                [table.into(), format!("%({column})::text = ANY%").into()],
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
    let sqlite = |sql: &str, values: Vec<sea_orm::Value>| {
        sea_orm::Statement::from_sql_and_values(sea_orm::DatabaseBackend::Sqlite, sql, values)
    };
    let definition: String = db
        .query_one_raw(sqlite(
            "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?",
            vec![table.into()],
        ))
        .await?
        .ok_or_else(|| DbErr::Migration(format!("the table {table} is missing")))?
        .try_get_by_index(0)?;
    if definition.matches(&old).count() != 1 {
        return Err(DbErr::Migration(format!(
            "the definition of {table} is not the one expected: {definition}"
        )));
    }
    let version: i64 = db
        .query_one_raw(sqlite("PRAGMA schema_version", vec![]))
        .await?
        .ok_or_else(|| DbErr::Migration("no schema version".into()))?
        .try_get_by_index(0)?;
    db.execute_unprepared("PRAGMA writable_schema = ON").await?;
    db.execute_raw(sqlite(
        "UPDATE sqlite_master SET sql = ? WHERE type = 'table' AND name = ?",
        vec![definition.replace(&old, &new).into(), table.into()],
    ))
    .await?;
    // A new schema version makes every connection read the definition again.
    db.execute_unprepared(&format!("PRAGMA schema_version = {}", version + 1))
        .await?;
    db.execute_unprepared("PRAGMA writable_schema = OFF")
        .await?;
    Ok(())
}
