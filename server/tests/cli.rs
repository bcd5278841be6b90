//! The operator's command line, run as the real binary against a fresh database.

use std::process::Command;

use domain::accounts::{self, Role};

type TestResult = Result<(), Box<dyn std::error::Error>>;

/// Where this run's `portal` keeps photos: apart from the source tree.
fn files_dir() -> std::path::PathBuf {
    std::env::temp_dir().join(format!("portal-cli-files-{}", std::process::id()))
}

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
        .env("PORTAL_FILES_DIR", files_dir())
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
    assert!(accounts::password::verify("zhaobaoshan-admin-2026", &admin.password_hash).await?);

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
    // Every grant is in the admin log, as the command line's.
    use sea_orm::ConnectionTrait;
    let logged = db
        .query_one_raw(sea_orm::Statement::from_string(
            db.get_database_backend(),
            format!(
                "SELECT COUNT(*) FROM admin_log WHERE via = 'command_line' \
                 AND actor_id IS NULL AND action = 'role_granted' AND target_id = {}",
                admin.id
            ),
        ))
        .await?
        .ok_or("a count")?
        .try_get_by_index::<i64>(0)?;
    assert_eq!(logged, 3, "admin, officer, mediator");

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

/// Two `portal escalate` processes on one database at once: each overdue case moves up one
/// level exactly once, whichever process gets to it.
#[tokio::test]
async fn two_processes_escalate_each_overdue_case_once() -> TestResult {
    use domain::casework::{self, NewCase, Org, OrgKind};
    use domain::entities::{aid_station, case_entry};
    use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};

    let url = domain::testing::fresh_url().await?;
    let db = domain::db::connect_and_migrate(&url).await?;
    domain::demo::load_directory(&db).await?;
    let officer = accounts::add_user(
        &db,
        "13800000001",
        Some("zhaobaoshan-officer-2026"),
        &[Role::Officer],
        chrono::Utc::now(),
    )
    .await?;
    let station = aid_station::Entity::find()
        .one(&db)
        .await?
        .ok_or("a mutual-aid station")?;
    let to = Org {
        kind: OrgKind::AidStation,
        id: Some(station.id),
    };
    // Assigned three days ago: past the 48 hours an assigned case may wait.
    let then = chrono::Utc::now() - chrono::Duration::days(3);
    let mut codes = Vec::new();
    for n in 0..20 {
        let case = casework::open(
            &db,
            &officer,
            NewCase {
                kind: "walk_in".into(),
                title: format!("楼道堆物第{n}起"),
                community_id: Some(station.community_id),
                ..Default::default()
            },
            then,
        )
        .await?;
        casework::assign(&db, &officer, &case.code, to, None, "", then).await?;
        codes.push(case);
    }

    let spawn = || {
        Command::new(env!("CARGO_BIN_EXE_portal"))
            .arg("escalate")
            .env("DATABASE_URL", &url)
            .env("RUST_LOG", "warn")
            .stdout(std::process::Stdio::piped())
            .spawn()
    };
    let (first, second) = (spawn()?, spawn()?);
    let mut moved = 0;
    for child in [first, second] {
        let out = child.wait_with_output()?;
        assert!(out.status.success());
        moved += String::from_utf8_lossy(&out.stdout)
            .trim()
            .parse::<usize>()?;
    }
    assert_eq!(moved, 20, "the two processes moved 20 cases between them");
    for case in codes {
        let escalations = case_entry::Entity::find()
            .filter(case_entry::Column::CaseId.eq(case.id))
            .filter(case_entry::Column::Action.eq("escalated"))
            .count(&db)
            .await?;
        assert_eq!(escalations, 1, "{} escalated once", case.code);
    }
    Ok(())
}

/// An online backup of the SQLite database, taken while another connection writes, is a
/// working portal: its accounts sign in and its cases are all there, and the photos are
/// copied beside it.
#[tokio::test]
async fn a_backup_restores_to_a_working_portal() -> TestResult {
    use sea_orm::{EntityTrait, PaginatorTrait};
    if std::env::var("TEST_DATABASE_URL").is_ok_and(|u| u.starts_with("postgres")) {
        // The PostgreSQL run covers the same command's refusal instead.
        let url = domain::testing::fresh_url().await?;
        let out = portal(&url, &["backup", "/tmp/never-written.db"], None)?;
        assert!(!out.status.success(), "backup is for SQLite");
        return Ok(());
    }
    let url = domain::testing::fresh_url().await?;
    assert!(portal(&url, &["demo-data"], None)?.status.success());
    let db = domain::db::connect(&url).await?;
    let cases = domain::entities::mediation_case::Entity::find()
        .count(&db)
        .await?;
    let dir = std::env::temp_dir().join(format!("portal-backup-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let file = dir.join("copy.db");
    std::fs::create_dir_all(files_dir())?;
    std::fs::write(
        files_dir().join("0123456789abcdef0123456789abcdef"),
        b"a photo",
    )?;
    // A writer keeps going while the copy is taken.
    let writer = {
        let db = db.clone();
        tokio::spawn(async move {
            for n in 0..50 {
                let _ = domain::settings::get_or_insert(&db, &format!("busy-{n}"), "1").await;
            }
        })
    };
    let out = portal(&url, &["backup", file.to_str().ok_or("a path")?], None)?;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    writer.await?;
    let again = portal(&url, &["backup", file.to_str().ok_or("a path")?], None)?;
    assert!(
        !again.status.success(),
        "an existing file is not overwritten"
    );

    let restored_url = format!("sqlite://{}?mode=rw", file.display());
    let out = portal(&restored_url, &["migrate"], None)?;
    assert!(out.status.success(), "the copy migrates (nothing to do)");
    let restored = domain::db::connect(&restored_url).await?;
    assert_eq!(
        domain::entities::mediation_case::Entity::find()
            .count(&restored)
            .await?,
        cases
    );
    let session = domain::accounts::login(
        &restored,
        domain::demo::RESIDENT_PHONES[0],
        domain::demo::DEMO_PASSWORD,
        "127.0.0.1",
        Default::default(),
        chrono::Utc::now(),
    )
    .await;
    assert!(session.is_ok(), "a demo resident signs in on the copy");
    assert_eq!(
        std::fs::read(dir.join("copy.files/0123456789abcdef0123456789abcdef"))?,
        b"a photo",
        "the photos are copied beside the database"
    );
    std::fs::remove_dir_all(&dir)?;
    Ok(())
}

/// `portal init` on an empty database: the station from flags and the environment, the
/// first admin's password from PORTAL_PASSWORD, unattended; then refused, changing nothing.
#[tokio::test]
async fn init_enters_the_station_and_the_first_admin_once() -> TestResult {
    let url = domain::testing::fresh_url().await?;
    let init = |admin: &'static str, name: &'static str| {
        let mut command = Command::new(env!("CARGO_BIN_EXE_portal"));
        command
            .args([
                "init",
                "--name",
                name,
                "--district",
                "蛟川街道",
                "--address",
                "宁波市镇海区蛟川街道某路1号",
                "--phone",
                "0574-86270110",
                "--public-url",
                "https://jjw.example.cn",
                "--admin-phone",
                admin,
            ])
            .env("DATABASE_URL", &url)
            .env("RUST_LOG", "warn")
            .env("PORTAL_STATION_SENDER", "jiaochuan.police@example.cn")
            .env("PORTAL_PASSWORD", "jiaochuan-first-admin");
        command.output()
    };
    let out = init("13800000000", "蛟川派出所")?;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let db = domain::db::connect(&url).await?;
    let station = domain::station::get(&db).await?.ok_or("a station")?;
    assert_eq!(station.name, "蛟川派出所");
    assert_eq!(station.sender, "jiaochuan.police@example.cn");
    assert_eq!(station.area_desc, "蛟川街道全域");
    let admin = accounts::find_by_phone(&db, "13800000000")
        .await?
        .ok_or("no admin")?;
    assert_eq!(accounts::roles_of(&db, admin.id).await?, vec![Role::Admin]);
    assert!(accounts::password::verify("jiaochuan-first-admin", &admin.password_hash).await?);

    let out = init("13800000001", "另一个派出所")?;
    assert!(!out.status.success(), "a second start is refused");
    // The log, where the refusal is said, is written to standard output.
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(said.contains("already has an admin or a station"), "{said}");
    assert_eq!(
        domain::station::get(&db).await?.map(|s| s.name).as_deref(),
        Some("蛟川派出所")
    );
    assert!(accounts::find_by_phone(&db, "13800000001").await?.is_none());

    let url = domain::testing::fresh_url().await?;
    let out = Command::new(env!("CARGO_BIN_EXE_portal"))
        .args(["init", "--name", "蛟川派出所", "--district", "蛟川街道"])
        .args(["--address", "某路1号", "--phone", "0574-86270110"])
        .args([
            "--public-url",
            "https://jjw.example.cn",
            "--sender",
            "no address",
        ])
        .args(["--admin-phone", "13800000000"])
        .env("DATABASE_URL", &url)
        .env("PORTAL_PASSWORD", "jiaochuan-first-admin")
        .output()?;
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("station-sender-invalid"),
        "the refusal is named"
    );
    let db = domain::db::connect(&url).await?;
    assert!(!domain::station::is_set_up(&db).await?);
    Ok(())
}

/// A setting the portal cannot read stops it, naming the setting (by its flag, which
/// `--help` pairs with the variable) and the value, before it touches the database: a typo
/// never quietly turns a protection off.
#[tokio::test]
async fn a_setting_it_cannot_read_stops_the_start_and_names_the_setting() -> TestResult {
    let url = domain::testing::fresh_url().await?;
    for (name, value, flag) in [
        ("PORTAL_HTTPS", "ture", "--https"),
        ("PORTAL_TRUST_PROXY", "10.0.0.0/33", "--trust-proxy"),
        ("PORTAL_WRITES_PER_MINUTE", "0", "--writes-per-minute"),
        (
            "PORTAL_PUBLIC_URL",
            "https://jjw.example.cn/login",
            "--portal-public-url",
        ),
    ] {
        let out = Command::new(env!("CARGO_BIN_EXE_portal"))
            .arg("migrate")
            .env("DATABASE_URL", &url)
            .env(name, value)
            .output()?;
        let said = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{name}={value} was accepted");
        assert!(
            said.contains(flag) && said.contains(value),
            "{name}={value}: {said}"
        );
    }
    let out = portal(&url, &["--help"], None)?;
    let help = String::from_utf8_lossy(&out.stdout);
    assert!(help.contains("PORTAL_WRITES_PER_MINUTE") && help.contains("[default: 60]"));
    Ok(())
}
