//! A portal on a fresh database, and a browser that keeps cookies and fills in the CSRF
//! token as a page's form would.

#![allow(dead_code)] // each test file uses its own part of this

use std::collections::BTreeMap;
use std::net::SocketAddr;

use axum::Router;
use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{HeaderMap, Request, StatusCode, header};
use http_body_util::BodyExt;
use leptos::config::LeptosOptions;
use tower::ServiceExt;

pub type TestResult = Result<(), Box<dyn std::error::Error>>;
pub type Error = Box<dyn std::error::Error>;

/// One runtime for the whole file, as in the real server, which serves every request
/// from one runtime. Tests run on its workers, whose stacks are sized for rendering whole
/// pages in an unoptimised build (the test thread's own 2 MiB are not).
static RUNTIME: std::sync::LazyLock<tokio::runtime::Runtime> = std::sync::LazyLock::new(|| {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_stack_size(16 * 1024 * 1024)
        .build()
        .expect("a tokio runtime for the tests")
});

pub fn run(test: impl std::future::Future<Output = TestResult> + Send + 'static) -> TestResult {
    RUNTIME.block_on(async {
        RUNTIME
            .spawn(async { test.await.map_err(|e| e.to_string()) })
            .await?
            .map_err(Error::from)
    })
}

pub struct Portal {
    pub router: Router,
    pub db_url: String,
    pub site_root: std::path::PathBuf,
}

impl Drop for Portal {
    fn drop(&mut self) {
        let _cleanup = std::fs::remove_dir_all(&self.site_root);
    }
}

fn unique() -> u32 {
    static NEXT: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
}

fn options(site_root: &std::path::Path) -> LeptosOptions {
    LeptosOptions::builder()
        .output_name("portal")
        .site_root(site_root.to_string_lossy().to_string())
        .build()
}

/// A portal on a fresh database with the demo directory, serving a site root that holds a
/// stylesheet, as `cargo leptos build` leaves it.
pub async fn portal() -> Result<Portal, Error> {
    portal_with(Default::default()).await
}

/// The same with settings of its own (limits raised or lowered for the test).
pub async fn portal_with(web: server::config::WebSettings) -> Result<Portal, Error> {
    build(web, true).await
}

/// A portal on an empty database, as a real station first starts it.
pub async fn empty_portal() -> Result<Portal, Error> {
    build(Default::default(), false).await
}

async fn build(web: server::config::WebSettings, demo: bool) -> Result<Portal, Error> {
    let db_url = domain::testing::fresh_url().await?;
    let db = domain::db::connect_and_migrate(&db_url).await?;
    if demo {
        domain::demo::load(&db).await?;
    }
    let site_root =
        std::env::temp_dir().join(format!("portal-site-{}-{}", std::process::id(), unique()));
    std::fs::create_dir_all(site_root.join("pkg"))?;
    std::fs::write(
        site_root.join("pkg/portal.css"),
        "body { color: #1b1f24; }\n".repeat(100),
    )?;
    server::assets::precompress(&site_root)?;
    let router = server::router(server::state(db, options(&site_root), web)?);
    Ok(Portal {
        router,
        db_url,
        site_root,
    })
}

impl Portal {
    /// A second server process on the same database: its own pool, its own router.
    pub async fn second_process(&self) -> Result<Router, Error> {
        let db = domain::db::connect(&self.db_url).await?;
        Ok(server::router(server::state(
            db,
            options(&self.site_root),
            Default::default(),
        )?))
    }

    /// A browser signed in as `phone`.
    pub async fn sign_in(&self, phone: &str, password: &str) -> Result<Browser, Error> {
        let mut browser = self.browser();
        let page = browser
            .post_form(
                "/login",
                "/api/login",
                &[("phone", phone), ("password", password)],
            )
            .await?;
        assert_eq!(page.status, StatusCode::FOUND, "{phone} signs in");
        Ok(browser)
    }

    pub fn browser(&self) -> Browser {
        Browser {
            router: self.router.clone(),
            cookies: BTreeMap::new(),
            address: "127.0.0.1:50000".parse().ok(),
        }
    }
}

#[derive(Debug)]
pub struct Page {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: String,
}

impl Page {
    pub fn location(&self) -> &str {
        self.headers
            .get(header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }
}

/// Keeps cookies between requests like a browser, and comes from one address.
pub struct Browser {
    pub router: Router,
    pub cookies: BTreeMap<String, String>,
    pub address: Option<SocketAddr>,
}

impl Browser {
    pub fn on(&self, router: Router) -> Browser {
        Browser {
            router,
            cookies: self.cookies.clone(),
            address: self.address,
        }
    }

    /// Follows a redirect back to the page, as a browser does.
    pub async fn follow(&mut self, page: &Page) -> Result<Page, Error> {
        let to = page.location().trim_start_matches("http://127.0.0.1:3000");
        self.get(to).await
    }

    fn cookie_header(&self) -> String {
        self.cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    pub async fn send(&mut self, mut request: Request<Body>) -> Result<Page, Error> {
        if !self.cookies.is_empty() {
            request
                .headers_mut()
                .insert(header::COOKIE, self.cookie_header().parse()?);
        }
        if let Some(address) = self.address {
            request.extensions_mut().insert(ConnectInfo(address));
        }
        let response = self.router.clone().oneshot(request).await?;
        for cookie in response.headers().get_all(header::SET_COOKIE) {
            let text = cookie.to_str()?;
            let (pair, attributes) = text.split_once(';').unwrap_or((text, ""));
            if let Some((name, value)) = pair.split_once('=') {
                if value.is_empty() || attributes.contains("Max-Age=0") {
                    self.cookies.remove(name);
                } else {
                    self.cookies.insert(name.to_owned(), value.to_owned());
                }
            }
        }
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = response.into_body().collect().await?.to_bytes();
        Ok(Page {
            status,
            headers,
            body: String::from_utf8_lossy(&bytes).into_owned(),
        })
    }

    pub async fn get(&mut self, uri: &str) -> Result<Page, Error> {
        self.send(Request::get(uri).body(Body::empty())?).await
    }

    pub fn csrf(&self) -> String {
        self.cookies.get("csrf").cloned().unwrap_or_default()
    }

    /// Posts a form as a browser without JavaScript would, from the page `from`.
    pub async fn post_form(
        &mut self,
        from: &str,
        action: &str,
        fields: &[(&str, &str)],
    ) -> Result<Page, Error> {
        if !self.cookies.contains_key("csrf") {
            self.get(from).await?;
        }
        let mut body = format!("csrf={}", self.csrf());
        for (k, v) in fields {
            body.push('&');
            body.push_str(k);
            body.push('=');
            body.push_str(&urlencode(v));
        }
        let request = Request::post(action)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::ACCEPT, "text/html")
            .header(header::REFERER, format!("http://127.0.0.1:3000{from}"))
            .body(Body::from(body))?;
        self.send(request).await
    }
}

pub fn urlencode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// An urgent notice for every community, published by the demo officer over HTTP.
pub async fn publish_urgent(portal: &Portal) -> Result<i32, Error> {
    let mut officer = portal
        .sign_in("13900000201", domain::demo::DEMO_PASSWORD)
        .await?;
    let page = officer
        .post_form(
            "/notices/new",
            "/api/notices/save",
            &[
                ("notice[title]", "冒充公检法诈骗预警"),
                ("notice[body]", "公检法不会电话办案，不要转账到“安全账户”。"),
                ("notice[category]", "fraud"),
                ("notice[severity]", "urgent"),
                ("notice[target]", "all"),
                ("notice[starts_at]", "2026-01-01T08:00"),
                ("notice[expires_at]", "2099-01-01T08:00"),
            ],
        )
        .await?;
    let id: i32 = page
        .location()
        .strip_prefix("/notices/")
        .and_then(|rest| rest.split('/').next())
        .and_then(|id| id.parse().ok())
        .ok_or(format!("saved: {}", page.location()))?;
    let page = officer
        .post_form(
            &format!("/notices/{id}/edit"),
            "/api/notices/publish",
            &[("id", &id.to_string())],
        )
        .await?;
    assert_eq!(page.status, StatusCode::FOUND, "published");
    Ok(id)
}

/// An officer opens a walk-in at `/board/new` for community 1 and gets its code.
pub async fn open_walk_in(officer: &mut Browser, title: &str) -> Result<String, Error> {
    let page = officer
        .post_form(
            "/board/new",
            "/api/board/open",
            &[
                ("case[kind]", "walk_in"),
                ("case[title]", title),
                ("case[summary]", "来访反映"),
                ("case[contact_name]", "张阿姨"),
                ("case[contact_phone]", ""),
                ("case[community_id]", "1"),
                ("case[household]", ""),
            ],
        )
        .await?;
    let code = page
        .location()
        .trim_start_matches("/board/cases/")
        .split('?')
        .next()
        .unwrap_or_default()
        .to_owned();
    assert!(code.starts_with("JW-"), "{page:?}");
    Ok(code)
}
