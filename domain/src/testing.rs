//! For test suites: databases — each call gives a fresh, migrated database of its own, so
//! tests run in parallel without seeing each other's rows — accounts written straight into
//! the tables, and assertions on refusals that name the engine when they fail.
//!
//! `TEST_DATABASE_URL` chooses the engine: unset (or `sqlite:`) gives a SQLite file in the
//! temporary directory; a `postgres://…/dbname` URL names a server on which a throwaway
//! database is created per call.

use std::sync::atomic::{AtomicU32, Ordering};

use chrono::{DateTime, Utc};
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ConnectionTrait, DatabaseConnection, DbErr};

use crate::accounts::{Account, Role, grant};
use crate::db;
use crate::entities::user;

static COUNTER: AtomicU32 = AtomicU32::new(0);

fn unique_name() -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    format!(
        "t{}_{}_{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed),
        nanos
    )
}

/// The URL of a fresh, empty database (created on the server for PostgreSQL).
pub async fn fresh_url() -> Result<String, DbErr> {
    let name = unique_name();
    match std::env::var("TEST_DATABASE_URL") {
        Ok(url) if url.starts_with("postgres") => {
            let admin = db::connect(&url).await?;
            admin
                .execute_unprepared(&format!("CREATE DATABASE {name}"))
                .await?;
            admin.close().await?;
            let base = url.rsplit_once('/').map(|(base, _)| base).unwrap_or(&url);
            Ok(format!("{base}/{name}"))
        }
        _ => {
            let path = std::env::temp_dir().join(format!("portal-{name}.db"));
            Ok(format!("sqlite://{}?mode=rwc", path.display()))
        }
    }
}

/// A fresh database with every migration applied.
pub async fn fresh_db() -> Result<DatabaseConnection, DbErr> {
    db::connect_and_migrate(&fresh_url().await?).await
}

/// Which engine the suite runs on, for messages.
pub fn engine() -> &'static str {
    match std::env::var("TEST_DATABASE_URL") {
        Ok(url) if url.starts_with("postgres") => "postgres",
        _ => "sqlite",
    }
}

/// Asserts that `result` is the refusal `code`, and that `code` is one of `listed` — the
/// refusal codes a module declares, each a translation key the pages can show.
#[track_caller]
pub fn assert_refused<T: std::fmt::Debug>(result: crate::Result<T>, code: &str, listed: &[&str]) {
    assert!(listed.contains(&code), "{code} is a listed refusal code");
    match result {
        Err(crate::Error::Invalid(got)) if got == code => {}
        other => panic!("expected Invalid({code}), got {other:?} on {}", engine()),
    }
}

#[track_caller]
pub fn assert_forbidden<T: std::fmt::Debug>(result: crate::Result<T>) {
    assert!(
        matches!(result, Err(crate::Error::Forbidden)),
        "expected Forbidden, got {result:?} on {}",
        engine()
    );
}

#[track_caller]
pub fn assert_not_found<T: std::fmt::Debug>(result: crate::Result<T>) {
    assert!(
        matches!(result, Err(crate::Error::NotFound)),
        "expected NotFound, got {result:?} on {}",
        engine()
    );
}

/// An account written straight into the tables, made (and consenting) at `created_at`: argon2
/// for every racer of a race would only slow it down, and nobody signs in with it.
pub async fn person(
    db: &impl ConnectionTrait,
    phone: &str,
    roles: &[Role],
    community: Option<i32>,
    display_name: Option<&str>,
    created_at: DateTime<Utc>,
) -> crate::Result<Account> {
    let user = user::ActiveModel {
        phone: Set(phone.to_owned()),
        password_hash: Set("not-a-hash".to_owned()),
        community_id: Set(community),
        compound_id: Set(None),
        consent_version: Set("test".to_owned()),
        consent_at: Set(created_at),
        created_at: Set(created_at),
        display_name: Set(display_name.map(str::to_owned)),
        ..Default::default()
    }
    .insert(db)
    .await?;
    for role in roles {
        grant(db, user.id, *role).await?;
    }
    Ok(Account {
        user,
        roles: roles.to_vec(),
    })
}

/// A JPEG as a phone takes it: its EXIF says "turn me a quarter" (Orientation 6) and
/// carries `marker` (a position, a serial) where a phone writes GPS data.
pub fn jpeg_with_exif(width: u32, height: u32, marker: &[u8]) -> Vec<u8> {
    let mut plain = Vec::new();
    image::DynamicImage::new_rgb8(width, height)
        .write_to(
            &mut std::io::Cursor::new(&mut plain),
            image::ImageFormat::Jpeg,
        )
        .expect("a JPEG");
    // Big-endian TIFF, one IFD entry: Orientation (0x0112), SHORT, 1, value 6.
    let mut exif =
        b"Exif\0\0MM\0*\0\0\0\x08\0\x01\x01\x12\0\x03\0\0\0\x01\0\x06\0\0\0\0\0\0".to_vec();
    exif.extend_from_slice(marker);
    let length = u16::try_from(exif.len() + 2).expect("a short segment");
    let mut out = plain[..2].to_vec();
    out.extend_from_slice(&[0xFF, 0xE1]);
    out.extend_from_slice(&length.to_be_bytes());
    out.extend_from_slice(&exif);
    out.extend_from_slice(&plain[2..]);
    out
}
