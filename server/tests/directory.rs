//! The directory kept by the station, over HTTP as a phone without JavaScript uses it,
//! from an empty database: an admin uploads a directory file (UTF-8, with a byte-order
//! mark, GBK; one with problems), reads the preview, applies it once, adds people to the
//! organisations it made, renames and retires them — and a retired one is gone from the
//! pages people choose from. The upload's CSRF token is a field of its multipart form.
//! Runs on SQLite, or PostgreSQL when TEST_DATABASE_URL says so.

mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use common::{Browser, Error, Portal, TestResult, empty_portal, run};
use domain::accounts::Role;
use domain::directory::{self, Kind};

const ADMIN: &str = "13800000000";
const PASSWORD: &str = "haigang-first-admin";

const UTF8: &[u8] = include_bytes!("data/directory-utf8.csv");
const UTF8_BOM: &[u8] = include_bytes!("data/directory-utf8-bom.csv");
const GBK: &[u8] = include_bytes!("data/directory-gbk.csv");
const ERRORS: &[u8] = include_bytes!("data/directory-errors.csv");

const BOUNDARY: &str = "----portal-test-boundary";

/// An empty portal with its first admin, signed in.
async fn start() -> Result<(Portal, domain::DatabaseConnection, Browser), Error> {
    let portal = empty_portal().await?;
    let db = domain::db::connect(&portal.db_url).await?;
    domain::accounts::add_user(
        &db,
        ADMIN,
        Some(PASSWORD),
        &[Role::Admin],
        chrono::Utc::now(),
    )
    .await?;
    let admin = portal.sign_in(ADMIN, PASSWORD).await?;
    Ok((portal, db, admin))
}

/// The multipart body a browser sends for the upload form: the token, then the file.
fn multipart(csrf: Option<&str>, file: &[u8]) -> Vec<u8> {
    let mut body = Vec::new();
    if let Some(csrf) = csrf {
        body.extend_from_slice(
            format!(
                "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{csrf}\r\n"
            )
            .as_bytes(),
        );
    }
    body.extend_from_slice(
        format!(
            "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; \
             filename=\"directory.csv\"\r\nContent-Type: text/csv\r\n\r\n"
        )
        .as_bytes(),
    );
    body.extend_from_slice(file);
    body.extend_from_slice(format!("\r\n--{BOUNDARY}--\r\n").as_bytes());
    body
}

async fn post_multipart(browser: &mut Browser, body: Vec<u8>) -> Result<common::Page, Error> {
    if browser.csrf().is_empty() {
        browser.get("/admin/directory/import").await?;
    }
    let request = Request::post("/admin/directory/upload")
        .header(
            header::CONTENT_TYPE,
            format!("multipart/form-data; boundary={BOUNDARY}"),
        )
        .header(header::ACCEPT, "text/html")
        .body(Body::from(body))?;
    browser.send(request).await
}

/// Uploads a file as the form does; the preview page it leads to.
async fn upload(browser: &mut Browser, file: &[u8]) -> Result<(String, common::Page), Error> {
    browser.get("/admin/directory/import").await?;
    let csrf = browser.csrf();
    let posted = post_multipart(browser, multipart(Some(&csrf), file)).await?;
    assert_eq!(posted.status, StatusCode::SEE_OTHER, "{posted:?}");
    let location = posted.location().to_owned();
    let preview = browser.get(&location).await?;
    assert_eq!(preview.status, StatusCode::OK, "{location}");
    Ok((location, preview))
}

fn import_id(location: &str) -> &str {
    location.rsplit('/').next().unwrap_or_default()
}

#[test]
fn an_admin_imports_a_directory_file_once_and_again_it_changes_nothing() -> TestResult {
    run(async {
        let (_portal, db, mut admin) = start().await?;
        let (location, preview) = upload(&mut admin, UTF8).await?;
        assert!(
            location.starts_with("/admin/directory/import/"),
            "{location}"
        );
        assert!(
            preview
                .body
                .contains("新建 10 个，修改 0 个，不变 0 个，错误 0 处"),
            "{}",
            preview.body
        );
        assert!(preview.body.contains("渔港新村自治互助站"));
        assert!(preview.body.contains("文件编码：UTF-8"));
        assert_eq!(
            directory::counts(&db).await?.communities,
            0,
            "a preview writes nothing"
        );

        let applied = admin
            .post_form(
                &location,
                "/api/admin/directory/apply",
                &[("id", import_id(&location))],
            )
            .await?;
        assert_eq!(applied.location(), format!("{location}?done=applied"));
        let counts = directory::counts(&db).await?;
        assert_eq!(
            (counts.communities, counts.compounds, counts.squads),
            (2, 2, 1)
        );
        let page = admin.get(&format!("{location}?done=applied")).await?;
        assert!(page.body.contains("名录已导入"));
        assert!(
            !page.body.contains("全部导入</button>"),
            "applied once, no button again"
        );

        // Applying the same upload again is refused; nothing changes.
        let again = admin
            .post_form(
                &location,
                "/api/admin/directory/apply",
                &[("id", import_id(&location))],
            )
            .await?;
        assert!(again.location().contains("__err"), "{again:?}");

        // The same directory from Excel's GBK, and with a byte-order mark: nothing to do.
        for (file, encoding) in [(GBK, "GBK"), (UTF8_BOM, "UTF-8（带 BOM）")] {
            let (_, preview) = upload(&mut admin, file).await?;
            assert!(
                preview
                    .body
                    .contains("新建 0 个，修改 0 个，不变 10 个，错误 0 处"),
                "{encoding}: {}",
                preview.body
            );
            assert!(preview.body.contains(&format!("文件编码：{encoding}")));
        }
        assert_eq!(directory::counts(&db).await?, counts);

        // The export opens in Excel (UTF-8 with its mark) and names what was imported.
        let export = admin.get("/admin/directory/export.csv").await?;
        assert_eq!(export.status, StatusCode::OK);
        assert!(export.body.starts_with('\u{feff}'));
        assert!(
            export
                .body
                .contains("互助站,渔港新村自治互助站,海港社区/渔港新村")
        );
        Ok(())
    })
}

#[test]
fn a_file_with_problems_shows_each_line_and_cannot_be_applied() -> TestResult {
    run(async {
        let (_portal, db, mut admin) = start().await?;
        let (location, preview) = upload(&mut admin, ERRORS).await?;
        for sentence in [
            "第 2 行： 找不到上级组织",
            "第 3 行： 不认识的类型“星球”",
            "第 4 行： 这一类组织不填“电话”一栏",
            "第 5 行： 不认识的状态“也许”",
            "第 6 行： 名称要 2 到 40 个字",
        ] {
            assert!(
                preview.body.contains(sentence),
                "{sentence}: {}",
                preview.body
            );
        }
        assert!(!preview.body.contains("全部导入</button>"));
        let applied = admin
            .post_form(
                &location,
                "/api/admin/directory/apply",
                &[("id", import_id(&location))],
            )
            .await?;
        assert!(applied.location().contains("__err"), "{applied:?}");
        assert_eq!(directory::counts(&db).await?.communities, 0);

        // A file that is neither UTF-8 nor GBK goes back to the form with a sentence.
        admin.get("/admin/directory/import").await?;
        let csrf = admin.csrf();
        let posted =
            post_multipart(&mut admin, multipart(Some(&csrf), &[0xff, 0xfe, 0x00])).await?;
        assert_eq!(
            posted.location(),
            "/admin/directory/import?error=directory-file-encoding"
        );
        let page = admin.get(posted.location()).await?;
        assert!(page.body.contains("文件的编码无法识别"));
        Ok(())
    })
}

#[test]
fn the_upload_needs_its_token_an_admin_and_a_small_body() -> TestResult {
    run(async {
        let (portal, db, mut admin) = start().await?;
        // No token field, or a wrong one: refused before the file is looked at.
        let none = post_multipart(&mut admin, multipart(None, UTF8)).await?;
        assert_eq!(none.status, StatusCode::FORBIDDEN);
        let wrong = post_multipart(&mut admin, multipart(Some("forged"), UTF8)).await?;
        assert_eq!(wrong.status, StatusCode::FORBIDDEN);
        // Past the body limit: 413, whatever it holds.
        let csrf = admin.csrf();
        let big =
            post_multipart(&mut admin, multipart(Some(&csrf), &vec![b'a'; 300 * 1024])).await?;
        assert_eq!(big.status, StatusCode::PAYLOAD_TOO_LARGE);
        // A body that is no multipart at all, under a multipart header.
        let garbage = post_multipart(&mut admin, b"--nonsense".to_vec()).await?;
        assert_eq!(garbage.status, StatusCode::FORBIDDEN);

        // Someone who is not an admin: refused, and nothing kept.
        domain::accounts::add_user(
            &db,
            "13900000201",
            Some(PASSWORD),
            &[Role::Officer],
            chrono::Utc::now(),
        )
        .await?;
        let mut officer = portal.sign_in("13900000201", PASSWORD).await?;
        officer.get("/").await?;
        let csrf = officer.csrf();
        let page = post_multipart(&mut officer, multipart(Some(&csrf), UTF8)).await?;
        assert_eq!(page.status, StatusCode::FORBIDDEN);
        assert_eq!(
            officer.get("/admin/directory/export.csv").await?.status,
            StatusCode::FORBIDDEN
        );
        assert_eq!(
            portal
                .browser()
                .get("/admin/directory/export.csv")
                .await?
                .status,
            StatusCode::UNAUTHORIZED
        );
        assert_eq!(
            officer.get("/admin/directory").await?.status,
            StatusCode::FORBIDDEN
        );
        let kept = domain::entities::directory_import::Entity::find()
            .all(&db)
            .await?;
        assert!(kept.is_empty(), "{kept:?}");
        Ok(())
    })
}

use sea_orm::EntityTrait;

#[test]
fn an_admin_keeps_the_directory_and_a_retired_room_leaves_every_choice() -> TestResult {
    run(async {
        let (portal, db, mut admin) = start().await?;
        let (location, _) = upload(&mut admin, UTF8).await?;
        admin
            .post_form(
                &location,
                "/api/admin/directory/apply",
                &[("id", import_id(&location))],
            )
            .await?;
        let room = directory::admin::of_kind(&db, Kind::MediationRoom)
            .await?
            .into_iter()
            .find(|e| e.fields.name == "海港调解室·灯塔分室")
            .ok_or("the imported branch room")?;
        let page_of = format!("/admin/directory/org/mediation_room/{}", room.id);

        // A mediator added on the room's page.
        domain::accounts::add_user(
            &db,
            "13900000101",
            Some(PASSWORD),
            &[Role::Resident],
            chrono::Utc::now(),
        )
        .await?;
        let id = room.id.to_string();
        let added = admin
            .post_form(
                &page_of,
                "/api/admin/directory/add-person",
                &[
                    ("kind", "mediation_room"),
                    ("id", &id),
                    ("phone", "13900000101"),
                ],
            )
            .await?;
        assert_eq!(added.location(), format!("{page_of}?done=added"));
        let page = admin.get(&page_of).await?;
        assert!(page.body.contains("13900000101"), "{}", page.body);

        // A new squad made on its form, renamed, its leader added.
        let created = admin
            .post_form(
                "/admin/directory/new/squad",
                "/api/admin/directory/create",
                &[
                    ("kind", "squad"),
                    ("org[name]", "海港护学队"),
                    ("org[description]", "上学放学护送"),
                ],
            )
            .await?;
        assert!(
            created
                .location()
                .starts_with("/admin/directory/org/squad/"),
            "{created:?}"
        );
        let squad_page = created
            .location()
            .split('?')
            .next()
            .unwrap_or_default()
            .to_owned();
        let squad_id = import_id(&squad_page).to_owned();
        let saved = admin
            .post_form(
                &squad_page,
                "/api/admin/directory/save",
                &[
                    ("kind", "squad"),
                    ("id", &squad_id),
                    ("org[name]", "海港护苗队"),
                    ("org[description]", "上学放学护送"),
                ],
            )
            .await?;
        assert_eq!(saved.location(), format!("{squad_page}?done=saved"));
        let led = admin
            .post_form(
                &squad_page,
                "/api/admin/directory/add-person",
                &[
                    ("kind", "squad"),
                    ("id", &squad_id),
                    ("phone", "13900000101"),
                    ("name", "老周"),
                    ("leader", "yes"),
                ],
            )
            .await?;
        assert_eq!(led.location(), format!("{squad_page}?done=added"));
        assert!(admin.get(&squad_page).await?.body.contains("老周 · 队长"));
        assert!(
            portal
                .browser()
                .get("/volunteers/apply")
                .await?
                .body
                .contains("海港护苗队")
        );

        // Retiring the room takes it out of every choice.
        let retired = admin
            .post_form(
                &page_of,
                "/api/admin/directory/retire",
                &[("kind", "mediation_room"), ("id", &id)],
            )
            .await?;
        assert_eq!(retired.location(), format!("{page_of}?done=retired"));
        let community = room.fields.parent.ok_or("the room's community")?;
        let served_by = portal
            .browser()
            .get(&format!("/communities/{community}"))
            .await?;
        assert!(!served_by.body.contains("灯塔分室"), "{}", served_by.body);
        assert!(
            served_by.body.contains("海港调解室"),
            "the main room is still offered"
        );
        let offered = directory::mediation_rooms(&db).await?;
        assert!(offered.iter().all(|r| r.id != room.id));
        // Its page stays, with its people, and says when it was retired.
        let page = admin.get(&page_of).await?;
        assert!(page.body.contains("撤销") && page.body.contains("13900000101"));
        assert!(
            admin
                .get("/admin/directory")
                .await?
                .body
                .contains("海港调解室·灯塔分室")
        );

        // A community with organisations under it is not retired; its page says why.
        let community = directory::admin::of_kind(&db, Kind::Community)
            .await?
            .into_iter()
            .find(|e| e.fields.name == "海港社区")
            .ok_or("the imported community")?;
        let refused = admin
            .post_form(
                &format!("/admin/directory/org/community/{}", community.id),
                "/api/admin/directory/retire",
                &[("kind", "community"), ("id", &community.id.to_string())],
            )
            .await?;
        assert!(refused.location().contains("__err"), "{refused:?}");
        assert!(
            portal
                .browser()
                .get("/register")
                .await?
                .body
                .contains("海港社区")
        );
        Ok(())
    })
}

/// Hostile files get a preview or a sentence, never a 5xx, and nothing they hold becomes
/// markup; a cell a spreadsheet would run goes back out as text.
#[test]
fn hostile_files_are_previewed_as_text_and_exported_harmless() -> TestResult {
    run(async {
        let (_portal, db, mut admin) = start().await?;
        let long = format!("类型,名称\n社区,{}\n", "长".repeat(10_000));
        let wide = format!("{}\n社区,x\n", vec!["类型"; 3000].join(","));
        let files: Vec<Vec<u8>> = vec![
            "类型,名称\n社区,<script>alert(1)</script>\n".into(),
            "类型,名称\n\"社区,未闭合的引号\n社区,海港社区\n".into(),
            "类型,名称\n社区,a\u{0}b\u{7}\n".into(),
            "类型,名称\n".into(),
            "名称\n海港社区\n".into(),
            long.into_bytes(),
            wide.into_bytes(),
            "类型,名称,上级\n小区,渔港新村,渔港新村\n小区,渔港新村,渔港新村\n".into(),
        ];
        for file in files {
            admin.get("/admin/directory/import").await?;
            let csrf = admin.csrf();
            let posted = post_multipart(&mut admin, multipart(Some(&csrf), &file)).await?;
            assert_eq!(posted.status, StatusCode::SEE_OTHER, "{posted:?}");
            let page = admin.get(posted.location()).await?;
            assert_eq!(page.status, StatusCode::OK, "{}", posted.location());
            assert!(
                !page.body.contains("<script>alert(1)"),
                "text, never markup"
            );
        }
        // A name a spreadsheet would run as a formula: stored as typed, exported as text.
        let (location, _) = upload(
            &mut admin,
            "类型,名称\n小分队,=HYPERLINK(\"x\")队\n".as_bytes(),
        )
        .await?;
        admin
            .post_form(
                &location,
                "/api/admin/directory/apply",
                &[("id", import_id(&location))],
            )
            .await?;
        assert_eq!(directory::counts(&db).await?.squads, 1);
        let export = admin.get("/admin/directory/export.csv").await?;
        assert!(
            export.body.contains("小分队,\"'=HYPERLINK(\"\"x\"\")队\""),
            "{}",
            export.body
        );
        Ok(())
    })
}
