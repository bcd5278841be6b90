//! The operator's command line, run as the real binary against a fresh database.

use std::process::Command;

use domain::accounts::{self, Role};

type TestResult = Result<(), Box<dyn std::error::Error>>;

fn portal(
    url: &str,
    args: &[&str],
    password: Option<&str>,
) -> Result<std::process::Output, std::io::Error> {
    let mut command = Command::new(env!("CARGO_BIN_EXE_portal"));
    command
        .args(args)
        .env("DATABASE_URL", url)
        .env("RUST_LOG", "warn")
        .env_remove("PORTAL_PASSWORD");
    if let Some(password) = password {
        command.env("PORTAL_PASSWORD", password);
    }
    command.output()
}

#[tokio::test]
async fn migrate_demo_data_and_the_first_admin() -> TestResult {
    let url = domain::testing::fresh_url().await?;
    assert!(portal(&url, &["migrate"], None)?.status.success());
    for _ in 0..2 {
        let out = portal(&url, &["demo-data"], None)?;
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let db = domain::db::connect(&url).await?;
    assert_eq!(
        domain::directory::counts(&db).await?.communities,
        10,
        "loading twice changed nothing"
    );

    let out = portal(
        &url,
        &["user", "add", "--phone", "13800000000", "--role", "admin"],
        Some("zhaobaoshan-admin-2026"),
    )?;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let admin = accounts::find_by_phone(&db, "13800000000")
        .await?
        .ok_or("no admin")?;
    assert_eq!(accounts::roles_of(&db, admin.id).await?, vec![Role::Admin]);
    assert!(accounts::password::verify(
        "zhaobaoshan-admin-2026",
        &admin.password_hash
    ));

    let out = portal(
        &url,
        &[
            "user",
            "add",
            "--phone",
            "13800000000",
            "--role",
            "officer",
            "--role",
            "mediator",
        ],
        None,
    )?;
    assert!(out.status.success(), "granting roles needs no password");
    assert_eq!(
        accounts::roles_of(&db, admin.id).await?,
        vec![Role::Mediator, Role::Officer, Role::Admin]
    );

    let out = portal(
        &url,
        &["user", "add", "--phone", "13800000001", "--role", "sheriff"],
        Some("zhaobaoshan-admin-2026"),
    )?;
    assert!(!out.status.success(), "an unknown role is refused");
    let out = portal(
        &url,
        &["user", "add", "--phone", "13800000001", "--role", "officer"],
        Some("12345678"),
    )?;
    assert!(!out.status.success(), "a common password is refused");
    assert!(accounts::find_by_phone(&db, "13800000001").await?.is_none());
    Ok(())
}
