//! Connecting to SQLite (the embedded default) or PostgreSQL, chosen by the URL alone.

use std::time::Duration;

use sea_orm::sea_query::Expr;
use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
use sea_orm::{
    ColumnTrait, ConnectOptions, ConnectionTrait, Database, DatabaseConnection,
    DatabaseTransaction, DbErr, EntityTrait, QueryFilter, SqlErr, SqliteTransactionMode,
    TransactionOptions, TransactionTrait,
};
use sea_orm_migration::MigratorTrait;

use crate::migration::Migrator;

pub const DEFAULT_DATABASE_URL: &str = "sqlite://data/portal.db?mode=rwc";

/// Opens a pool for `url`. SQLite gets WAL (readers never wait for the writer), foreign
/// keys, and a busy timeout so that concurrent writers queue instead of failing.
pub async fn connect(url: &str) -> Result<DatabaseConnection, DbErr> {
    if let Some(dir) = sqlite_file(url).and_then(|path| std::path::Path::new(path).parent())
        && !dir.as_os_str().is_empty()
    {
        std::fs::create_dir_all(dir)
            .map_err(|e| DbErr::Custom(format!("cannot create {}: {e}", dir.display())))?;
    }
    let mut options = ConnectOptions::new(url);
    options
        .sqlx_logging(false)
        .connect_timeout(Duration::from_secs(10))
        .acquire_timeout(Duration::from_secs(10))
        .max_connections(if url.starts_with("sqlite:") { 8 } else { 16 })
        .map_sqlx_sqlite_opts(|opts| {
            opts.journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .foreign_keys(true)
                .busy_timeout(Duration::from_secs(10))
                // 512 KiB of pages per connection instead of 2 MiB: the kernel keeps the
                // file's pages anyway, and at 100× the demo eight connections' full caches
                // were 16 MB of the server's memory for no page measurably faster.
                .pragma("cache_size", "-512")
        });
    Database::connect(options).await
}

/// Begins a transaction that writes: on SQLite it takes the write lock at once (`BEGIN
/// IMMEDIATE`), so that one which reads before it writes waits its turn behind another
/// writer instead of failing when it comes to write ("database is locked"). PostgreSQL's
/// transactions need no such thing.
pub async fn begin_writing(db: &DatabaseConnection) -> Result<DatabaseTransaction, DbErr> {
    db.begin_with_options(TransactionOptions {
        sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
        ..TransactionOptions::default()
    })
    .await
}

/// Brings the schema up to date, then opens the pool: what `serve` does on start.
///
/// The migrations run on a pool of their own that is closed before the serving pool opens.
/// On SQLite a pooled connection opened while the migrations ran sometimes read NULL from
/// a column that a later migration added with a default (`mediation_rooms.phone`, one
/// suite run in three), so no connection that may have seen an older schema serves.
pub async fn connect_and_migrate(url: &str) -> Result<DatabaseConnection, DbErr> {
    let migrating = connect(url).await?;
    Migrator::up(&migrating, None).await?;
    migrating.close().await?;
    connect(url).await
}

/// Writes a consistent copy of a SQLite database to `file` while others keep reading and
/// writing (`VACUUM INTO` reads one snapshot). The copy is a complete database: serving it
/// is the restore. PostgreSQL is backed up with its own tools (pg_dump).
pub async fn backup(db: &DatabaseConnection, file: &std::path::Path) -> Result<(), DbErr> {
    if db.get_database_backend() != sea_orm::DbBackend::Sqlite {
        return Err(DbErr::Custom(
            "backup copies SQLite databases; use pg_dump for PostgreSQL".into(),
        ));
    }
    if file.exists() {
        return Err(DbErr::Custom(format!("{} exists already", file.display())));
    }
    let path = file
        .to_str()
        .ok_or_else(|| DbErr::Custom("the backup path is not valid UTF-8".into()))?;
    db.execute_raw(sea_orm::Statement::from_sql_and_values(
        sea_orm::DbBackend::Sqlite,
        "VACUUM INTO ?",
        [path.into()],
    ))
    .await?;
    Ok(())
}

/// Whether the database answers a trivial query: the health check.
pub async fn ping(db: &DatabaseConnection) -> bool {
    db.execute_unprepared("SELECT 1").await.is_ok()
}

fn sqlite_file(url: &str) -> Option<&str> {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))?;
    let path = rest.split('?').next()?;
    (!path.is_empty() && path != ":memory:").then_some(path)
}

/// The message of a unique-index violation, when that is what `err` is: the rules that live
/// in unique indexes (one account per number, one booking per slot, one place per person)
/// turn it into their own refusal.
pub(crate) fn unique_violation(err: &DbErr) -> Option<String> {
    match err.sql_err() {
        Some(SqlErr::UniqueConstraintViolation(message)) => Some(message),
        _ => None,
    }
}

/// Writes a row to itself (`column` set to its own value): a row lock on PostgreSQL, the
/// write lock on SQLite, held to the end of the transaction. `column` should not be a key
/// column, so that rows referring to this one are not held up.
pub(crate) async fn lock_row<E: EntityTrait>(
    txn: &impl ConnectionTrait,
    id: E::Column,
    key: i32,
    column: E::Column,
) -> Result<(), DbErr> {
    E::update_many()
        .col_expr(column, Expr::col(column))
        .filter(id.eq(key))
        .exec(txn)
        .await?;
    Ok(())
}

/// Writes a person's row to itself as the first statement of a transaction (`lock_row`).
/// Whatever that transaction then counts for the person (requests today, posts this hour)
/// is counted one transaction after the other, so actions sent at once cannot slip under a
/// limit together.
pub(crate) async fn lock_user(txn: &impl ConnectionTrait, user_id: i32) -> Result<(), DbErr> {
    use crate::entities::user;
    lock_row::<user::Entity>(txn, user::Column::Id, user_id, user::Column::CreatedAt).await
}

#[cfg(test)]
mod tests {
    use super::sqlite_file;

    #[test]
    fn finds_the_file_of_a_sqlite_url() {
        assert_eq!(
            sqlite_file("sqlite://data/portal.db?mode=rwc"),
            Some("data/portal.db")
        );
        assert_eq!(sqlite_file("sqlite::memory:"), None);
        assert_eq!(sqlite_file("postgres://localhost/portal"), None);
    }
}
