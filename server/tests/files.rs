//! Photos and documents over HTTP, as a phone without JavaScript sends them: a plain
//! multipart form whose first field is the CSRF token. What comes back has lost what the
//! camera wrote; types are decided by content; a stranger cannot fetch a case's file by its
//! address; a moderator's hiding hides a post's photos; a forged or oversized upload is
//! refused before its files are read.

mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use common::{Browser, Portal, TestResult, portal, run};
use domain::demo::{DEMO_PASSWORD, OFFICER_PHONE, RESIDENT_PHONES};
use domain::entities::{mediation_case, post};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};

const BOUNDARY: &str = "----portal-test-boundary";

/// A multipart body: the fields in order, then the files (name, bytes).
fn multipart(fields: &[(&str, &str)], files: &[(&str, &[u8])]) -> Vec<u8> {
    let mut body = Vec::new();
    for (name, value) in fields {
        body.extend_from_slice(
            format!(
                "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
            )
            .as_bytes(),
        );
    }
    for (file_name, bytes) in files {
        body.extend_from_slice(
            format!(
                "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{file_name}\"\r\n\
                 Content-Type: application/octet-stream\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
    body
}

async fn upload(
    browser: &mut Browser,
    action: &str,
    body: Vec<u8>,
) -> Result<common::Page, common::Error> {
    let request = Request::post(action)
        .header(
            header::CONTENT_TYPE,
            format!("multipart/form-data; boundary={BOUNDARY}"),
        )
        .header(header::CONTENT_LENGTH, body.len())
        .body(Body::from(body))?;
    browser.send(request).await
}

/// Uploads `files` with the browser's own token, as the page's form does.
async fn attach(
    browser: &mut Browser,
    action: &str,
    files: &[(&str, &[u8])],
) -> Result<common::Page, common::Error> {
    let csrf = browser.csrf();
    upload(browser, action, multipart(&[("csrf", &csrf)], files)).await
}

/// The demo resident's first open case.
async fn case_code(portal: &Portal) -> Result<String, common::Error> {
    let db = domain::db::connect(&portal.db_url).await?;
    let resident = domain::accounts::find_by_phone(&db, RESIDENT_PHONES[0])
        .await?
        .ok_or("the demo resident")?;
    Ok(mediation_case::Entity::find()
        .filter(mediation_case::Column::ResidentId.eq(resident.id))
        .filter(mediation_case::Column::Status.ne(domain::mediation::Status::Cancelled))
        .order_by_asc(mediation_case::Column::Id)
        .one(&db)
        .await?
        .ok_or("a demo case")?
        .code)
}

/// The keys of the thumbnails a page shows.
fn thumbs(body: &str) -> Vec<String> {
    body.match_indices("src=\"/files/")
        .filter_map(|(at, _)| body[at + 12..].split('/').next().map(str::to_owned))
        .collect()
}

fn png() -> Vec<u8> {
    let mut png = Vec::new();
    image::DynamicImage::new_rgb8(30, 20)
        .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
        .expect("a PNG");
    png
}

#[test]
fn a_photo_sent_with_its_position_is_served_without_it_to_the_cases_people_only() -> TestResult {
    run(async {
        let portal = portal().await?;
        let code = case_code(&portal).await?;
        let page = format!("/mediation/cases/{code}");
        let mut resident = portal.sign_in(RESIDENT_PHONES[0], DEMO_PASSWORD).await?;
        let form = resident.get(&page).await?;
        assert!(
            form.body.contains("enctype=\"multipart/form-data\""),
            "the case page offers the form"
        );

        let sent = domain::testing::jpeg_with_exif(40, 20, b"GPS 29.96N 121.71E SERIAL-XJ9");
        let answer = attach(
            &mut resident,
            &format!("/files/case/{code}"),
            &[("IMG_0001.jpg", &sent)],
        )
        .await?;
        assert_eq!(answer.status, StatusCode::SEE_OTHER);
        assert!(
            answer
                .location()
                .starts_with(&format!("{page}?files=added")),
            "{}",
            answer.location()
        );

        let shown = resident.get(answer.location()).await?;
        assert!(shown.body.contains("已上传"), "the page says it worked");
        let keys = thumbs(&shown.body);
        assert_eq!(keys.len(), 1);
        // The pixels were turned upright: the thumbnail is 20 wide and 40 high.
        assert!(
            shown.body.contains("width=\"20\" height=\"40\""),
            "its size is on the page"
        );

        let file = resident.get(&format!("/files/{}", keys[0])).await?;
        assert_eq!(file.status, StatusCode::OK);
        assert_eq!(file.headers[header::CONTENT_TYPE], "image/jpeg");
        assert_eq!(file.headers[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
        assert_eq!(file.headers[header::CACHE_CONTROL], "private, no-store");
        assert!(
            !file.body.contains("Exif") && !file.body.contains("SERIAL"),
            "no EXIF is served"
        );

        let mut stranger = portal.sign_in(RESIDENT_PHONES[1], DEMO_PASSWORD).await?;
        let mut visitor = portal.browser();
        for address in [
            format!("/files/{}", keys[0]),
            format!("/files/{}/thumb", keys[0]),
        ] {
            assert_eq!(stranger.get(&address).await?.status, StatusCode::NOT_FOUND);
            assert_eq!(visitor.get(&address).await?.status, StatusCode::NOT_FOUND);
        }
        let mut officer = portal.sign_in(OFFICER_PHONE, DEMO_PASSWORD).await?;
        assert_eq!(
            officer.get(&format!("/files/{}", keys[0])).await?.status,
            StatusCode::OK
        );

        // Removing: not by a stranger, by the person who added it, and then it is gone.
        let remove = format!("/files/{}/remove", keys[0]);
        let refused = stranger.post_form(&page, &remove, &[]).await?;
        assert_eq!(refused.status, StatusCode::NOT_FOUND);
        let removed = resident.post_form(&page, &remove, &[]).await?;
        assert!(
            removed.location().contains("files=removed"),
            "{}",
            removed.location()
        );
        assert!(
            resident
                .get(removed.location())
                .await?
                .body
                .contains("已删除")
        );
        assert_eq!(
            resident.get(&format!("/files/{}", keys[0])).await?.status,
            StatusCode::NOT_FOUND
        );
        Ok(())
    })
}

#[test]
fn a_file_is_what_its_content_says_whatever_its_name() -> TestResult {
    run(async {
        let portal = portal().await?;
        let code = case_code(&portal).await?;
        let mut resident = portal.sign_in(RESIDENT_PHONES[0], DEMO_PASSWORD).await?;
        resident.get(&format!("/mediation/cases/{code}")).await?;
        let action = format!("/files/case/{code}");

        let script = b"<script>alert(1)</script>".as_slice();
        let refused = attach(&mut resident, &action, &[("photo.png", script)]).await?;
        assert!(
            refused.location().contains("files=file-not-a-photo"),
            "{}",
            refused.location()
        );
        let shown = resident.get(refused.location()).await?;
        assert!(
            shown.body.contains("这个文件不是照片"),
            "the refusal is explained"
        );
        assert!(thumbs(&shown.body).is_empty(), "nothing was kept");

        let renamed = attach(&mut resident, &action, &[("photo.jpg", &png())]).await?;
        assert!(renamed.location().contains("files=added"));
        let heic = attach(
            &mut resident,
            &action,
            &[("a.heic", b"\0\0\0\x18ftypheic\0\0\0\0mif1heic")],
        )
        .await?;
        assert!(heic.location().contains("files=file-heic"));
        // A PDF is a case's document, served as a download.
        let pdf = attach(
            &mut resident,
            &action,
            &[("协议 草稿.pdf", b"%PDF-1.4\n%%EOF\n")],
        )
        .await?;
        assert!(pdf.location().contains("files=added"));
        let shown = resident.get(&format!("/mediation/cases/{code}")).await?;
        let at = shown
            .body
            .find("class=\"file-doc\"")
            .ok_or("the document is listed")?;
        let key = shown.body[..at]
            .rsplit("href=\"/files/")
            .next()
            .and_then(|k| k.split('"').next())
            .ok_or("its key")?;
        let document = resident.get(&format!("/files/{key}")).await?;
        assert_eq!(document.headers[header::CONTENT_TYPE], "application/pdf");
        let disposition = document.headers[header::CONTENT_DISPOSITION].to_str()?;
        assert!(
            disposition.starts_with("attachment;") && disposition.contains("UTF-8''"),
            "{disposition}"
        );
        Ok(())
    })
}

#[test]
fn an_upload_without_its_forms_token_or_past_the_limit_is_refused() -> TestResult {
    run(async {
        let portal = portal().await?;
        let code = case_code(&portal).await?;
        let action = format!("/files/case/{code}");
        let mut resident = portal.sign_in(RESIDENT_PHONES[0], DEMO_PASSWORD).await?;
        resident.get(&format!("/mediation/cases/{code}")).await?;
        let photo = png();
        let wrong = multipart(&[("csrf", "not-the-token")], &[("a.png", &photo)]);
        assert_eq!(
            upload(&mut resident, &action, wrong).await?.status,
            StatusCode::FORBIDDEN
        );
        // The token must come first: the server reads no file before it.
        let csrf = resident.csrf();
        let mut late = multipart(&[], &[("a.png", &photo)]);
        late.truncate(late.len() - format!("--{BOUNDARY}--\r\n").len());
        late.extend_from_slice(&multipart(&[("csrf", &csrf)], &[]));
        assert_eq!(
            upload(&mut resident, &action, late).await?.status,
            StatusCode::FORBIDDEN
        );
        // Past the limit: refused from its declared length.
        let request = Request::post(&action)
            .header(
                header::CONTENT_TYPE,
                format!("multipart/form-data; boundary={BOUNDARY}"),
            )
            .header(header::CONTENT_LENGTH, 50 * 1024 * 1024)
            .body(Body::empty())?;
        assert_eq!(
            resident.send(request).await?.status,
            StatusCode::PAYLOAD_TOO_LARGE
        );
        // One file past its own limit.
        let large = vec![0u8; domain::files::MAX_FILE_BYTES + 1];
        let refused = attach(&mut resident, &action, &[("big.jpg", &large)]).await?;
        assert!(
            refused.location().contains("files=file-too-large"),
            "{}",
            refused.location()
        );
        let shown = resident.get(&format!("/mediation/cases/{code}")).await?;
        assert!(thumbs(&shown.body).is_empty(), "nothing was kept");
        Ok(())
    })
}

#[test]
fn a_moderator_hiding_a_post_hides_its_photos() -> TestResult {
    run(async {
        let portal = portal().await?;
        let db = domain::db::connect(&portal.db_url).await?;
        let resident = domain::accounts::find_by_phone(&db, RESIDENT_PHONES[0])
            .await?
            .ok_or("the demo resident")?;
        let own = post::Entity::find()
            .filter(post::Column::AuthorId.eq(resident.id))
            .filter(post::Column::Hidden.eq(false))
            .one(&db)
            .await?
            .ok_or("a post of the resident")?;
        let thread = format!("/teahouse/t/{}", own.thread_id);
        let mut author = portal.sign_in(RESIDENT_PHONES[0], DEMO_PASSWORD).await?;
        author.get(&thread).await?;
        let answer = attach(
            &mut author,
            &format!("/files/post/{}", own.id),
            &[("a.png", &png())],
        )
        .await?;
        assert!(
            answer.location().contains("files=added"),
            "{}",
            answer.location()
        );
        let mut visitor = portal.browser();
        let keys = thumbs(&visitor.get(&thread).await?.body);
        assert_eq!(keys.len(), 1, "a visitor sees the photo");
        let thumb = format!("/files/{}/thumb", keys[0]);
        let seen = visitor.get(&thumb).await?;
        assert_eq!(seen.status, StatusCode::OK);
        assert!(
            seen.headers[header::CACHE_CONTROL]
                .to_str()?
                .starts_with("public")
        );

        // Another resident may not add photos to it.
        let mut other = portal.sign_in(RESIDENT_PHONES[1], DEMO_PASSWORD).await?;
        other.get(&thread).await?;
        let refused = attach(
            &mut other,
            &format!("/files/post/{}", own.id),
            &[("a.png", &png())],
        )
        .await?;
        assert_eq!(refused.status, StatusCode::FORBIDDEN);

        let mut officer = portal.sign_in(OFFICER_PHONE, DEMO_PASSWORD).await?;
        let hidden = officer
            .post_form(
                &thread,
                "/api/teahouse/moderate-post",
                &[
                    ("thread_id", &own.thread_id.to_string()),
                    ("post_id", &own.id.to_string()),
                    ("action", "hide"),
                ],
            )
            .await?;
        assert_eq!(hidden.status, StatusCode::FOUND);
        assert_eq!(visitor.get(&thumb).await?.status, StatusCode::NOT_FOUND);
        assert!(thumbs(&visitor.get(&thread).await?.body).is_empty());
        let moderator = officer.get(&thumb).await?;
        assert_eq!(moderator.status, StatusCode::OK);
        assert_eq!(
            moderator.headers[header::CACHE_CONTROL],
            "private, no-store"
        );
        Ok(())
    })
}

#[test]
fn an_officers_poster_is_on_the_notice_and_in_the_feed() -> TestResult {
    run(async {
        let portal = portal().await?;
        let id = common::publish_urgent(&portal).await?;
        let page = format!("/notices/{id}");
        let mut officer = portal.sign_in(OFFICER_PHONE, DEMO_PASSWORD).await?;
        officer.get(&page).await?;
        let answer = attach(
            &mut officer,
            &format!("/files/notice/{id}"),
            &[("poster.png", &png())],
        )
        .await?;
        assert!(
            answer.location().contains("files=added"),
            "{}",
            answer.location()
        );
        let mut visitor = portal.browser();
        let keys = thumbs(&visitor.get(&page).await?.body);
        assert_eq!(keys.len(), 1, "a visitor sees the poster");
        let feed = visitor.get("/feeds/notices.atom").await?;
        assert!(
            feed.body.contains("rel=\"enclosure\" type=\"image/jpeg\"")
                && feed.body.contains(&format!("/files/{}\"", keys[0])),
            "the feed links the poster"
        );
        let poster = visitor.get(&format!("/files/{}", keys[0])).await?;
        assert_eq!(poster.status, StatusCode::OK);
        assert_eq!(
            poster.headers[header::CACHE_CONTROL],
            "public, max-age=31536000, immutable"
        );
        // A resident may not put pictures on a notice.
        let mut resident = portal.sign_in(RESIDENT_PHONES[0], DEMO_PASSWORD).await?;
        resident.get(&page).await?;
        let refused = attach(
            &mut resident,
            &format!("/files/notice/{id}"),
            &[("a.png", &png())],
        )
        .await?;
        assert_eq!(refused.status, StatusCode::FORBIDDEN);
        Ok(())
    })
}

/// The real `portal serve`, as a station with several servers runs it: photos in an
/// S3-compatible bucket (`s3s-fs`, which checks each request's signature), reached over TCP.
mod served {
    use std::process::{Child, Command, Stdio};

    use super::*;

    struct Processes(Vec<Child>, Vec<std::path::PathBuf>);

    impl Drop for Processes {
        fn drop(&mut self) {
            for child in &mut self.0 {
                let _ = child.kill();
                let _ = child.wait();
            }
            for dir in &self.1 {
                let _ = std::fs::remove_dir_all(dir);
            }
        }
    }

    fn free_port() -> Result<u16, common::Error> {
        Ok(std::net::TcpListener::bind("127.0.0.1:0")?
            .local_addr()?
            .port())
    }

    async fn answers(url: &str) -> bool {
        for _ in 0..300 {
            if reqwest::get(url)
                .await
                .is_ok_and(|a| a.status().is_success())
            {
                return true;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        false
    }

    /// A PNG of 20 000 × 20 000 black pixels: 400 MB of pixels in under a megabyte.
    fn bomb() -> Result<Vec<u8>, common::Error> {
        let script = "import struct, sys, zlib\n\
            w = h = 20000\n\
            def chunk(kind, data):\n\
            \x20   return struct.pack('>I', len(data)) + kind + data + struct.pack('>I', zlib.crc32(kind + data))\n\
            z = zlib.compressobj(9)\n\
            row = bytes(w + 1)\n\
            idat = b''.join(z.compress(row) for _ in range(h)) + z.flush()\n\
            sys.stdout.buffer.write(b'\\x89PNG\\r\\n\\x1a\\n' + chunk(b'IHDR', struct.pack('>IIBBBBB', w, h, 8, 0, 0, 0, 0)) + chunk(b'IDAT', idat) + chunk(b'IEND', b''))\n";
        let made = Command::new("python3").args(["-c", script]).output()?;
        if !made.status.success() {
            return Err(String::from_utf8_lossy(&made.stderr).into_owned().into());
        }
        Ok(made.stdout)
    }

    /// The highest resident memory the process has had, in kB.
    fn peak_kb(pid: u32) -> Result<u64, common::Error> {
        let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
        status
            .lines()
            .find_map(|l| l.strip_prefix("VmHWM:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            .ok_or_else(|| "no VmHWM".into())
    }

    fn cookie_of(answer: &reqwest::Response, name: &str) -> Option<String> {
        answer
            .headers()
            .get_all(header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find_map(|v| v.strip_prefix(&format!("{name}=")))
            .and_then(|v| v.split(';').next())
            .map(str::to_owned)
    }

    #[test]
    fn photos_go_to_the_bucket_and_a_pixel_bomb_is_refused_within_the_memory_budget() -> TestResult
    {
        run(async {
            let root = std::env::temp_dir().join(format!("portal-bucket-{}", std::process::id()));
            std::fs::create_dir_all(root.join("photos"))?;
            let s3_port = free_port()?;
            let s3 = Command::new(std::env::var("S3S_FS").unwrap_or_else(|_| "s3s-fs".to_owned()))
                .args(["--host", "127.0.0.1", "--port", &s3_port.to_string()])
                .args(["--access-key", "station", "--secret-key", "station-secret"])
                .arg(&root)
                .stdout(Stdio::null())
                .spawn()?;
            let mut processes = Processes(vec![s3], vec![root.clone()]);

            let url = domain::testing::fresh_url().await?;
            let portal = |command: &str| {
                let mut c = Command::new(env!("CARGO_BIN_EXE_portal"));
                c.arg(command)
                    .env("DATABASE_URL", &url)
                    .env("RUST_LOG", "warn")
                    .env("PORTAL_S3_BUCKET", "photos")
                    .env("PORTAL_S3_ENDPOINT", format!("http://127.0.0.1:{s3_port}"))
                    .env("PORTAL_S3_ACCESS_KEY", "station")
                    .env("PORTAL_S3_SECRET_KEY", "station-secret");
                c
            };
            assert!(portal("demo-data").status()?.success());
            let port = free_port()?;
            let site = std::env::temp_dir().join(format!("portal-site-files-{port}"));
            std::fs::create_dir_all(site.join("pkg"))?;
            std::fs::write(site.join("pkg/portal.css"), "body {}\n")?;
            processes.1.push(site.clone());
            let server = portal("serve")
                .env("LEPTOS_SITE_ADDR", format!("127.0.0.1:{port}"))
                .env("LEPTOS_SITE_ROOT", &site)
                .env("LEPTOS_OUTPUT_NAME", "portal")
                .stdout(Stdio::null())
                .spawn()?;
            let pid = server.id();
            processes.0.push(server);
            let base = format!("http://127.0.0.1:{port}");
            assert!(
                answers(&format!("{base}/healthz")).await,
                "the portal answers"
            );

            let client = reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()?;
            let first = client.get(format!("{base}/login")).send().await?;
            let csrf = cookie_of(&first, "csrf").ok_or("a CSRF cookie")?;
            let login = client
                .post(format!("{base}/api/login"))
                .header(header::COOKIE, format!("csrf={csrf}"))
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .header(header::ACCEPT, "text/html")
                .body(format!(
                    "csrf={csrf}&phone={}&password={DEMO_PASSWORD}",
                    RESIDENT_PHONES[0]
                ))
                .send()
                .await?;
            let session = cookie_of(&login, "sid").ok_or("signed in")?;
            let cookies = format!("csrf={csrf}; sid={session}");
            let db = domain::db::connect(&url).await?;
            let resident = domain::accounts::find_by_phone(&db, RESIDENT_PHONES[0])
                .await?
                .ok_or("the demo resident")?;
            let code = mediation_case::Entity::find()
                .filter(mediation_case::Column::ResidentId.eq(resident.id))
                .filter(mediation_case::Column::Status.ne(domain::mediation::Status::Cancelled))
                .one(&db)
                .await?
                .ok_or("a demo case")?
                .code;
            let send = |file: Vec<u8>| {
                client
                    .post(format!("{base}/files/case/{code}"))
                    .header(header::COOKIE, &cookies)
                    .header(
                        header::CONTENT_TYPE,
                        format!("multipart/form-data; boundary={BOUNDARY}"),
                    )
                    .body(multipart(&[("csrf", &csrf)], &[("photo.jpg", &file)]))
                    .send()
            };

            let sent = domain::testing::jpeg_with_exif(64, 48, b"GPS 29.96N 121.71E SERIAL-XJ9");
            let photo = send(sent).await?;
            let location = photo.headers()[header::LOCATION].to_str()?.to_owned();
            assert!(location.contains("files=added"), "{location}");
            let in_bucket: Vec<String> = std::fs::read_dir(root.join("photos"))?
                .filter_map(|e| e.ok().map(|e| e.file_name().to_string_lossy().into_owned()))
                .collect();
            assert_eq!(
                in_bucket.len(),
                2,
                "the photo and its thumbnail are in the bucket"
            );
            let key = in_bucket
                .iter()
                .find(|k| !k.ends_with(".thumb"))
                .ok_or("the photo's key")?;
            let served = client
                .get(format!("{base}/files/{key}"))
                .header(header::COOKIE, &cookies)
                .send()
                .await?
                .bytes()
                .await?;
            assert!(served.starts_with(&[0xFF, 0xD8]), "a JPEG");
            assert!(
                !served.windows(4).any(|w| w == b"Exif")
                    && !served.windows(6).any(|w| w == b"SERIAL"),
                "served from the bucket without what the camera wrote"
            );

            let before = peak_kb(pid)?;
            let bomb = bomb()?;
            assert!(bomb.len() < 1_000_000, "{} bytes", bomb.len());
            let refused = send(bomb).await?;
            let location = refused.headers()[header::LOCATION].to_str()?.to_owned();
            assert!(
                location.contains("files=file-too-many-pixels"),
                "{location}"
            );
            let after = peak_kb(pid)?;
            // Decoding it would take 400 MB; refusing it costs the upload's own megabyte.
            assert!(
                after < before + 32 * 1024,
                "peak memory went from {before} kB to {after} kB"
            );
            Ok(())
        })
    }
}
