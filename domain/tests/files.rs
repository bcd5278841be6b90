//! Photos and documents on the demo data, on whichever engine TEST_DATABASE_URL names and
//! in both stores: a directory, and an S3-compatible server (`s3s-fs`, which checks every
//! request's signature) started on loopback. Who sees a case's files, a post's and a
//! notice's; six at most per item however many uploads race; what moderation, deleting an
//! account and the sweep leave behind.

use std::io::Cursor;
use std::process::{Child, Command};
use std::sync::Arc;

use chrono::{Duration, Utc};
use domain::accounts::{self, Account, SessionPolicy};
use domain::demo::{self, DEMO_PASSWORD, OFFICER_PHONE, RESIDENT_PHONES};
use domain::entities::{attachment, mediation_case, notice, post, room_mediator};
use domain::files::{self, Audience, Owner, Store};
use domain::mediation::Status;
use domain::teahouse::moderation::{self, Action};
use domain::testing::{self, assert_forbidden, assert_not_found};
use domain::{DatabaseConnection, Error};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder};

type TestResult = Result<(), Box<dyn std::error::Error>>;

/// `s3s-fs` on a free loopback port, with a bucket; stopped when dropped.
struct S3Server {
    child: Child,
    root: std::path::PathBuf,
}

impl Drop for S3Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.root);
    }
}

fn scratch(name: &str) -> std::path::PathBuf {
    static NEXT: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    std::env::temp_dir().join(format!("portal-files-{name}-{}-{n}", std::process::id()))
}

async fn s3_store() -> Result<(Store, S3Server), Box<dyn std::error::Error>> {
    let root = scratch("s3");
    std::fs::create_dir_all(root.join("portal"))?;
    let port = std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port();
    // `make test` installs it (scripts/setup.sh); a test that cannot start it fails.
    let binary = std::env::var("S3S_FS").unwrap_or_else(|_| "s3s-fs".to_owned());
    let child = Command::new(&binary)
        .args(["--host", "127.0.0.1", "--port", &port.to_string()])
        .args([
            "--access-key",
            "portal-test",
            "--secret-key",
            "portal-test-secret",
        ])
        .arg(&root)
        .spawn()
        .map_err(|e| format!("starting {binary} (make setup-test installs it): {e}"))?;
    let server = S3Server { child, root };
    for _ in 0..100 {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let store = Store::s3(&files::S3 {
        endpoint: format!("http://127.0.0.1:{port}"),
        bucket: "portal".to_owned(),
        region: "us-east-1".to_owned(),
        access_key: "portal-test".to_owned(),
        secret_key: "portal-test-secret".to_owned(),
    })?;
    Ok((store, server))
}

/// Both stores, each to run the same test.
async fn stores() -> Result<Vec<(Store, Option<S3Server>)>, Box<dyn std::error::Error>> {
    let local = Store::local(&scratch("dir"))?;
    let (s3, server) = s3_store().await?;
    Ok(vec![(local, None), (s3, Some(server))])
}

fn photo(width: u32, height: u32) -> files::Prepared {
    let mut png = Vec::new();
    image::DynamicImage::new_rgb8(width, height)
        .write_to(&mut Cursor::new(&mut png), image::ImageFormat::Png)
        .expect("a PNG");
    files::prepare(&png, false).expect("a photo")
}

struct World {
    db: DatabaseConnection,
    resident: Account,
    stranger: Account,
    mediator: Account,
    officer: Account,
    case: mediation_case::Model,
}

async fn sign_in(db: &DatabaseConnection, phone: &str) -> Result<Account, Error> {
    let (account, _) = accounts::login(
        db,
        phone,
        DEMO_PASSWORD,
        "192.0.2.1",
        SessionPolicy::default(),
        Utc::now(),
    )
    .await?;
    Ok(account)
}

async fn world() -> Result<World, Box<dyn std::error::Error>> {
    let db = testing::fresh_db().await?;
    demo::load(&db).await?;
    let resident = sign_in(&db, RESIDENT_PHONES[0]).await?;
    let stranger = sign_in(&db, RESIDENT_PHONES[1]).await?;
    let officer = sign_in(&db, OFFICER_PHONE).await?;
    let case = mediation_case::Entity::find()
        .filter(mediation_case::Column::ResidentId.eq(resident.user.id))
        .filter(mediation_case::Column::Status.ne(Status::Cancelled))
        .order_by_asc(mediation_case::Column::Id)
        .one(&db)
        .await?
        .ok_or("a demo case of the resident")?;
    let mediator_id = room_mediator::Entity::find()
        .filter(room_mediator::Column::RoomId.eq(case.room_id))
        .one(&db)
        .await?
        .ok_or("a mediator of the case's room")?
        .user_id;
    let mediator = Account {
        user: domain::entities::user::Entity::find_by_id(mediator_id)
            .one(&db)
            .await?
            .ok_or("the mediator")?,
        roles: accounts::roles_of(&db, mediator_id).await?,
    };
    Ok(World {
        db,
        resident,
        stranger,
        mediator,
        officer,
        case,
    })
}

async fn stored_keys(store: &Store) -> Result<Vec<String>, Error> {
    let mut keys: Vec<String> = store.keys().await?.into_iter().map(|(k, _)| k).collect();
    keys.sort();
    Ok(keys)
}

#[tokio::test]
async fn a_case_file_is_seen_by_its_parties_and_staff_only() -> TestResult {
    let w = world().await?;
    let case = Owner::Case(w.case.code.clone());
    for (store, _server) in stores().await? {
        let link = files::attach(
            &w.db,
            &store,
            &w.resident,
            &case,
            "x.png",
            photo(40, 30),
            Utc::now(),
        )
        .await?;
        assert_eq!(link, format!("/mediation/cases/{}", w.case.code));
        let listed = files::of_case(&w.db, &w.resident, w.case.id, false).await?;
        let key = listed.last().ok_or("the file")?.file.key.clone();
        assert_eq!(listed.last().map(|l| l.file.width), Some(Some(40)));
        for reader in [&w.resident, &w.mediator, &w.officer] {
            let (_, audience) = files::open(&w.db, Some(reader), &key).await?;
            assert_eq!(audience, Audience::Private);
        }
        assert_not_found(files::open(&w.db, Some(&w.stranger), &key).await);
        assert_not_found(files::open(&w.db, None, &key).await);
        let body = store.get(&key).await?;
        assert!(body.starts_with(&[0xFF, 0xD8]), "kept as a JPEG");
        store.get(&files::thumb_key(&key)).await?;

        // Who may add: the parties, not a stranger (the case "does not exist") or an officer.
        assert_not_found(
            files::attach(
                &w.db,
                &store,
                &w.stranger,
                &case,
                "",
                photo(8, 8),
                Utc::now(),
            )
            .await,
        );
        assert_forbidden(
            files::attach(
                &w.db,
                &store,
                &w.officer,
                &case,
                "",
                photo(8, 8),
                Utc::now(),
            )
            .await,
        );
        // A stranger cannot remove it either; the case's mediator can, and the bytes go.
        assert_not_found(files::remove(&w.db, &store, &w.stranger, &key).await);
        files::remove(&w.db, &store, &w.mediator, &key).await?;
        assert!(matches!(store.get(&key).await, Err(Error::NotFound)));
        assert!(matches!(
            store.get(&files::thumb_key(&key)).await,
            Err(Error::NotFound)
        ));
    }
    Ok(())
}

#[tokio::test]
async fn an_item_holds_six_files_however_many_uploads_race() -> TestResult {
    let w = Arc::new(world().await?);
    let (store, _server) = s3_store().await?;
    let case = Owner::Case(w.case.code.clone());
    let racers: Vec<_> = (0..10)
        .map(|_| {
            let (w, store, case) = (w.clone(), store.clone(), case.clone());
            tokio::spawn(async move {
                files::attach(
                    &w.db,
                    &store,
                    &w.resident,
                    &case,
                    "",
                    photo(16, 16),
                    Utc::now(),
                )
                .await
            })
        })
        .collect();
    let mut kept = 0;
    for racer in racers {
        match racer.await? {
            Ok(_) => kept += 1,
            Err(Error::Invalid("files-too-many")) => {}
            Err(e) => return Err(e.into()),
        }
    }
    assert_eq!(kept, 6);
    let rows = attachment::Entity::find()
        .filter(attachment::Column::CaseId.eq(w.case.id))
        .count(&w.db)
        .await?;
    assert_eq!(rows, 6);
    // The refused uploads left no bytes behind: six photos and their thumbnails.
    assert_eq!(stored_keys(&store).await?.len(), 12);
    Ok(())
}

#[tokio::test]
async fn a_hidden_post_hides_its_photos_and_a_deleted_one_loses_them() -> TestResult {
    for (store, _server) in stores().await? {
        let w = world().await?;
        let own_post = post::Entity::find()
            .filter(post::Column::AuthorId.eq(w.resident.user.id))
            .filter(post::Column::Hidden.eq(false))
            .one(&w.db)
            .await?
            .ok_or("a demo post of the resident")?;
        let owner = Owner::Post(own_post.id);
        // Only its author adds photos to a post, and no PDF.
        assert_forbidden(
            files::attach(
                &w.db,
                &store,
                &w.stranger,
                &owner,
                "",
                photo(8, 8),
                Utc::now(),
            )
            .await,
        );
        let pdf = files::prepare(b"%PDF-1.4\n%%EOF\n", true)?;
        assert!(matches!(
            files::attach(&w.db, &store, &w.resident, &owner, "a.pdf", pdf, Utc::now()).await,
            Err(Error::Invalid("file-pdf-cases-only"))
        ));
        files::attach(
            &w.db,
            &store,
            &w.resident,
            &owner,
            "",
            photo(20, 10),
            Utc::now(),
        )
        .await?;
        let listed = files::of_posts(&w.db, None, &[own_post.id]).await?;
        let key = listed[0].1[0].file.key.clone();
        assert_eq!(files::open(&w.db, None, &key).await?.1, Audience::Public);

        moderation::act_on_post(&w.db, &w.officer, own_post.id, Action::Hide, "", Utc::now())
            .await?;
        assert_not_found(files::open(&w.db, None, &key).await);
        assert_not_found(files::open(&w.db, Some(&w.stranger), &key).await);
        assert_eq!(
            files::open(&w.db, Some(&w.officer), &key).await?.1,
            Audience::Private
        );
        moderation::act_on_post(
            &w.db,
            &w.officer,
            own_post.id,
            Action::Restore,
            "",
            Utc::now(),
        )
        .await?;
        assert_eq!(files::open(&w.db, None, &key).await?.1, Audience::Public);

        moderation::act_on_post(
            &w.db,
            &w.officer,
            own_post.id,
            Action::Delete,
            "",
            Utc::now(),
        )
        .await?;
        assert_not_found(files::open(&w.db, Some(&w.officer), &key).await);
        // The bytes wait for the sweep's grace, then go.
        assert_eq!(
            files::sweep(&w.db, &store, Utc::now(), Duration::hours(1)).await?,
            0
        );
        assert_eq!(
            files::sweep(
                &w.db,
                &store,
                Utc::now() + Duration::hours(2),
                Duration::hours(1)
            )
            .await?,
            2
        );
        assert!(stored_keys(&store).await?.is_empty());
    }
    Ok(())
}

#[tokio::test]
async fn an_account_takes_its_files_along_but_not_the_stations_posters() -> TestResult {
    for (store, _server) in stores().await? {
        let w = world().await?;
        let notice_id = notice::Entity::find()
            .filter(notice::Column::Status.eq(domain::notices::Status::Published))
            .one(&w.db)
            .await?
            .ok_or("a published demo notice")?
            .id;
        let poster = Owner::Notice(notice_id);
        assert_forbidden(
            files::attach(
                &w.db,
                &store,
                &w.resident,
                &poster,
                "",
                photo(8, 8),
                Utc::now(),
            )
            .await,
        );
        files::attach(
            &w.db,
            &store,
            &w.officer,
            &poster,
            "",
            photo(60, 90),
            Utc::now(),
        )
        .await?;
        let poster_key = files::of_notice(&w.db, None, notice_id).await?[0]
            .file
            .key
            .clone();
        assert_eq!(
            files::open(&w.db, None, &poster_key).await?.1,
            Audience::Public
        );

        let case = Owner::Case(w.case.code.clone());
        files::attach(
            &w.db,
            &store,
            &w.resident,
            &case,
            "",
            photo(8, 8),
            Utc::now(),
        )
        .await?;
        let export = accounts::export(&w.db, &w.resident).await?;
        assert_eq!(export["files"].as_array().map(Vec::len), Some(1));

        let gone = accounts::delete(&w.db, &w.resident).await?;
        assert_eq!(gone.len(), 1);
        files::forget_bytes(&store, &gone).await;
        assert!(matches!(store.get(&gone[0]).await, Err(Error::NotFound)));
        // The officer's poster stays with the notice, bytes and all.
        store.get(&poster_key).await?;
        assert_eq!(stored_keys(&store).await?.len(), 2);
    }
    Ok(())
}
