//! The portal as `make run` starts it: the real `portal serve` process, talked to over TCP
//! from several loopback addresses (127.0.0.2, 127.0.0.3, …), with nothing inserted by
//! hand. The limits and the sign-in throttle must count each client on its own here, where
//! the only address a request carries is the one its connection came from. Runs on SQLite,
//! or PostgreSQL when TEST_DATABASE_URL says so.

mod common;

use std::collections::BTreeMap;
use std::net::{IpAddr, SocketAddr};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpSocket;

type Error = Box<dyn std::error::Error + Send + Sync>;
type TestResult = Result<(), Error>;

const DEMO_RESIDENT: &str = "13900000001";

/// A `portal serve` process on a fresh database with the demo data, killed when dropped.
struct Served {
    child: Child,
    address: SocketAddr,
    site_root: std::path::PathBuf,
    db_url: String,
}

impl Drop for Served {
    fn drop(&mut self) {
        let _gone = self.child.kill();
        let _reaped = self.child.wait();
        let _cleanup = std::fs::remove_dir_all(&self.site_root);
    }
}

fn portal_command(url: &str) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_portal"));
    command
        .env("DATABASE_URL", url)
        .env("RUST_LOG", "warn")
        .env(
            "PORTAL_FILES_DIR",
            std::env::temp_dir().join(format!("portal-served-files-{}", std::process::id())),
        )
        .env_remove("PORTAL_TRUST_PROXY")
        .env_remove("PORTAL_HTTPS")
        .env_remove("PORTAL_REQUESTS_PER_MINUTE")
        .env_remove("PORTAL_WRITES_PER_MINUTE");
    command
}

/// Starts the portal as the README does (`portal demo-data`, then `portal serve`), with
/// `settings` in its environment, and waits until it answers.
async fn serve(settings: &[(&str, &str)]) -> Result<Served, Error> {
    let url = domain::testing::fresh_url().await?;
    let loaded = portal_command(&url).arg("demo-data").output()?;
    if !loaded.status.success() {
        return Err(String::from_utf8_lossy(&loaded.stderr).into_owned().into());
    }
    // A port the system just gave out and took back: free, barring a race with another
    // program, which the wait below would report.
    let port = std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port();
    let site_root = std::env::temp_dir().join(format!("portal-served-{port}"));
    std::fs::create_dir_all(site_root.join("pkg"))?;
    std::fs::write(
        site_root.join("pkg/portal.css"),
        "body { color: #1b1f24; }\n",
    )?;
    let address = SocketAddr::from(([127, 0, 0, 1], port));
    let mut command = portal_command(&url);
    command
        .arg("serve")
        .env("LEPTOS_SITE_ADDR", address.to_string())
        .env("LEPTOS_SITE_ROOT", &site_root)
        .env("LEPTOS_OUTPUT_NAME", "portal")
        .env("PORTAL_ESCALATION_SECONDS", "3600")
        .stdout(Stdio::null())
        .stderr(Stdio::inherit());
    for (name, value) in settings {
        command.env(name, value);
    }
    let served = Served {
        child: command.spawn()?,
        address,
        site_root,
        db_url: url,
    };
    for _ in 0..300 {
        let mut probe = Client::at("127.0.0.1");
        if let Ok(page) = probe.get(&served, "/healthz").await
            && page.status == 200
        {
            return Ok(served);
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    Err("the portal did not answer /healthz within 30 s".into())
}

#[derive(Debug)]
struct Answer {
    status: u16,
    headers: Vec<(String, String)>,
    body: String,
}

impl Answer {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// A browser without JavaScript at one loopback address: keeps cookies, fills in the CSRF
/// token, and speaks HTTP/1.1 over a connection it opens from that address.
struct Client {
    from: IpAddr,
    cookies: BTreeMap<String, String>,
}

impl Client {
    fn at(from: &str) -> Client {
        Client {
            from: from.parse().unwrap_or(IpAddr::from([127, 0, 0, 1])),
            cookies: BTreeMap::new(),
        }
    }

    async fn send(
        &mut self,
        served: &Served,
        head: &str,
        body: &str,
        extra: &[(&str, &str)],
    ) -> Result<Answer, Error> {
        let socket = TcpSocket::new_v4()?;
        socket.bind(SocketAddr::new(self.from, 0))?;
        let mut stream = socket.connect(served.address).await?;
        let mut request = format!(
            "{head} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\nContent-Length: {}\r\n",
            served.address,
            body.len()
        );
        if !self.cookies.is_empty() {
            let cookies: Vec<String> = self
                .cookies
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect();
            request.push_str(&format!("Cookie: {}\r\n", cookies.join("; ")));
        }
        for (name, value) in extra {
            request.push_str(&format!("{name}: {value}\r\n"));
        }
        request.push_str("\r\n");
        request.push_str(body);
        stream.write_all(request.as_bytes()).await?;
        let mut raw = Vec::new();
        tokio::time::timeout(Duration::from_secs(30), stream.read_to_end(&mut raw)).await??;
        let answer = parse(&raw)?;
        for (name, value) in &answer.headers {
            if name.eq_ignore_ascii_case("set-cookie")
                && let Some((pair, attributes)) = value.split_once(';').or(Some((value, "")))
                && let Some((k, v)) = pair.split_once('=')
            {
                if v.is_empty() || attributes.contains("Max-Age=0") {
                    self.cookies.remove(k);
                } else {
                    self.cookies.insert(k.to_owned(), v.to_owned());
                }
            }
        }
        Ok(answer)
    }

    async fn get(&mut self, served: &Served, path: &str) -> Result<Answer, Error> {
        self.send(served, &format!("GET {path}"), "", &[]).await
    }

    /// Posts a form as a browser without JavaScript would, from the page `from`.
    async fn post_form(
        &mut self,
        served: &Served,
        from: &str,
        action: &str,
        fields: &[(&str, &str)],
    ) -> Result<Answer, Error> {
        if !self.cookies.contains_key("csrf") {
            self.get(served, from).await?;
        }
        let mut body = format!(
            "csrf={}",
            self.cookies.get("csrf").cloned().unwrap_or_default()
        );
        for (k, v) in fields {
            body.push_str(&format!("&{k}={}", common::urlencode(v)));
        }
        let referer = format!("http://{}{from}", served.address);
        self.send(
            served,
            &format!("POST {action}"),
            &body,
            &[
                ("Content-Type", "application/x-www-form-urlencoded"),
                ("Accept", "text/html"),
                ("Referer", &referer),
            ],
        )
        .await
    }

    async fn sign_in(
        &mut self,
        served: &Served,
        phone: &str,
        password: &str,
    ) -> Result<Answer, Error> {
        self.post_form(
            served,
            "/login",
            "/api/login",
            &[("phone", phone), ("password", password)],
        )
        .await
    }

    fn signed_in(&self) -> bool {
        self.cookies.contains_key("sid")
    }
}

/// An HTTP/1.1 answer: status line, headers, and the body (de-chunked).
fn parse(raw: &[u8]) -> Result<Answer, Error> {
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .ok_or("no end of headers")?;
    let head = std::str::from_utf8(&raw[..split])?;
    let mut lines = head.split("\r\n");
    let status = lines
        .next()
        .and_then(|l| l.split(' ').nth(1))
        .and_then(|s| s.parse().ok())
        .ok_or("no status")?;
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_owned(), v.trim().to_owned()))
        .collect();
    let mut body = raw[split + 4..].to_vec();
    let chunked = headers
        .iter()
        .any(|(k, v)| k.eq_ignore_ascii_case("transfer-encoding") && v.contains("chunked"));
    if chunked {
        let mut whole = Vec::new();
        let mut rest = body.as_slice();
        loop {
            let end = rest
                .windows(2)
                .position(|w| w == b"\r\n")
                .ok_or("a chunk without its size")?;
            let size = usize::from_str_radix(std::str::from_utf8(&rest[..end])?.trim(), 16)?;
            if size == 0 {
                break;
            }
            let data = rest.get(end + 2..end + 2 + size).ok_or("a short chunk")?;
            whole.extend_from_slice(data);
            rest = rest
                .get(end + 4 + size..)
                .ok_or("a chunk without its end")?;
        }
        body = whole;
    }
    Ok(Answer {
        status,
        headers,
        body: String::from_utf8_lossy(&body).into_owned(),
    })
}

fn runtime() -> Result<tokio::runtime::Runtime, std::io::Error> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
}

#[test]
fn wrong_passwords_from_one_address_do_not_refuse_anothers_sign_in() -> TestResult {
    runtime()?.block_on(async {
        let served = serve(&[]).await?;
        let mut guesser = Client::at("127.0.0.2");
        let mut refused_at = None;
        // Different numbers, so that only the limit per address can be the one that bites.
        for n in 0..10u64 {
            let answer = guesser
                .sign_in(
                    &served,
                    &format!("1390000{:04}", 9000 + n),
                    "wrong-password-1",
                )
                .await?;
            let back = answer
                .header("location")
                .ok_or("the form goes back")?
                .to_owned();
            let page = guesser.get(&served, &back).await?;
            if page.body.contains("尝试太频繁了") {
                refused_at = Some(n);
                break;
            }
            assert!(page.body.contains("手机号或密码不对"), "{}", page.body);
        }
        assert_eq!(
            refused_at,
            Some(domain::accounts::MAX_FAILURES_PER_ADDRESS_MINUTE),
            "the guesser's address is held back after its allowance"
        );

        let mut neighbour = Client::at("127.0.0.3");
        let answer = neighbour
            .sign_in(&served, DEMO_RESIDENT, domain::demo::DEMO_PASSWORD)
            .await?;
        assert_eq!(answer.status, 302, "{answer:?}");
        assert!(neighbour.signed_in(), "another address signs in at once");
        Ok(())
    })
}

#[test]
fn a_flood_from_one_address_meets_429_while_another_is_served() -> TestResult {
    runtime()?.block_on(async {
        let served = serve(&[("PORTAL_REQUESTS_PER_MINUTE", "20")]).await?;
        let mut flooder = Client::at("127.0.0.4");
        let mut statuses = Vec::new();
        for _ in 0..25 {
            statuses.push(flooder.get(&served, "/healthz").await?.status);
        }
        assert!(statuses[..20].iter().all(|s| *s == 200), "{statuses:?}");
        assert!(statuses[20..].iter().all(|s| *s == 429), "{statuses:?}");

        let mut neighbour = Client::at("127.0.0.5");
        assert_eq!(neighbour.get(&served, "/healthz").await?.status, 200);
        Ok(())
    })
}

#[test]
fn writes_have_their_own_limit_per_address() -> TestResult {
    runtime()?.block_on(async {
        let served = serve(&[("PORTAL_WRITES_PER_MINUTE", "5")]).await?;
        let mut writer = Client::at("127.0.0.6");
        let mut statuses = Vec::new();
        for _ in 0..7 {
            let answer = writer
                .post_form(&served, "/", "/api/prefs", &[("lang", "zh-CN")])
                .await?;
            statuses.push(answer.status);
        }
        assert!(statuses[..5].iter().all(|s| *s != 429), "{statuses:?}");
        assert!(statuses[5..].iter().all(|s| *s == 429), "{statuses:?}");
        assert_eq!(
            writer.get(&served, "/").await?.status,
            200,
            "reading goes on"
        );

        let mut neighbour = Client::at("127.0.0.7");
        let answer = neighbour
            .post_form(&served, "/", "/api/prefs", &[("lang", "zh-CN")])
            .await?;
        assert_ne!(answer.status, 429, "another address writes");
        Ok(())
    })
}

/// Behind a proxy that is not configured as trusted, what a client claims in
/// `X-Forwarded-For` is nobody's address: it cannot move its failures onto someone else.
#[test]
fn a_forged_forwarded_address_is_not_believed() -> TestResult {
    runtime()?.block_on(async {
        let served = serve(&[("PORTAL_REQUESTS_PER_MINUTE", "5")]).await?;
        let mut liar = Client::at("127.0.0.8");
        let mut statuses = Vec::new();
        for n in 0..7 {
            let forged = format!("198.51.100.{n}");
            let answer = liar
                .send(&served, "GET /healthz", "", &[("X-Forwarded-For", &forged)])
                .await?;
            statuses.push(answer.status);
        }
        assert_eq!(statuses, [200, 200, 200, 200, 200, 429, 429]);
        Ok(())
    })
}

/// `/metrics` is for the operator on the machine itself.
#[test]
fn metrics_answer_loopback_and_count_what_happened() -> TestResult {
    runtime()?.block_on(async {
        let served = serve(&[("PORTAL_REQUESTS_PER_MINUTE", "3")]).await?;
        let mut visitor = Client::at("127.0.0.9");
        for _ in 0..4 {
            visitor.get(&served, "/notices").await?;
        }
        let mut operator = Client::at("127.0.0.1");
        let metrics = operator.get(&served, "/metrics").await?;
        assert_eq!(metrics.status, 200);
        for series in [
            "http_requests_total{route=\"/notices\",method=\"GET\",status=\"2xx\"} 3",
            "portal_rate_limited_total{limit=\"requests\"} 1",
            "http_request_duration_seconds_bucket{route=\"/notices\"",
            "portal_db_pool_connections",
        ] {
            assert!(
                metrics.body.contains(series),
                "{series} in\n{}",
                metrics.body
            );
        }
        let proxied = operator
            .send(
                &served,
                "GET /metrics",
                "",
                &[("X-Forwarded-For", "203.0.113.7")],
            )
            .await?;
        assert_eq!(
            proxied.status, 404,
            "what came through a proxy is not the operator"
        );
        Ok(())
    })
}

/// The promises of the web layer that a browser meets on any route, as the binary keeps them:
/// a body past any form is refused before it is read, a signed-in page is never stored,
/// and the way back after signing in goes nowhere but this site.
#[test]
fn the_served_portal_refuses_huge_bodies_stores_nothing_personal_and_stays_on_site() -> TestResult {
    runtime()?.block_on(async {
        let served = serve(&[]).await?;
        let mut browser = Client::at("127.0.0.10");
        browser.get(&served, "/login").await?;
        let huge = "x".repeat(300 * 1024);
        let refused = browser
            .send(
                &served,
                "POST /api/login",
                &huge,
                &[("Content-Type", "application/x-www-form-urlencoded")],
            )
            .await?;
        assert_eq!(refused.status, 413);

        let answer = browser
            .post_form(
                &served,
                "/login",
                "/api/login",
                &[
                    ("phone", DEMO_RESIDENT),
                    ("password", domain::demo::DEMO_PASSWORD),
                    ("next", "/\t/evil.example"),
                ],
            )
            .await?;
        assert_eq!(answer.status, 302);
        assert_eq!(answer.header("location"), Some("/me"));
        let me = browser.get(&served, "/me").await?;
        assert_eq!(me.status, 200);
        assert_eq!(me.header("cache-control"), Some("no-store"));
        Ok(())
    })
}

/// The script nonce a page's Content-Security-Policy allows.
fn nonce(page: &Answer) -> Result<String, Error> {
    let policy = page.header("content-security-policy").ok_or("no policy")?;
    let (_, rest) = policy.split_once("'nonce-").ok_or("no nonce")?;
    Ok(rest.split('\'').next().unwrap_or_default().to_owned())
}

fn page_cache_hits(metrics: &str) -> u64 {
    metrics
        .lines()
        .find_map(|l| l.strip_prefix("portal_page_cache_total{outcome=\"hit\"} "))
        .and_then(|n| n.parse().ok())
        .unwrap_or(0)
}

/// Public pages are kept for visitors who are not signed in (`server::page_cache`): each
/// visit still gets its own script nonce and CSRF token, a signed-in person gets their own
/// page, and a write from outside the process (the SQL prompt) shows at the next visit.
#[test]
fn kept_public_pages_stay_per_visit_where_they_must_and_follow_every_write() -> TestResult {
    runtime()?.block_on(async {
        let served = serve(&[]).await?;
        let mut operator = Client::at("127.0.0.1");
        let mut first = Client::at("127.0.0.2");
        let mut second = Client::at("127.0.0.3");
        let pages = [
            first.get(&served, "/notices").await?,
            first.get(&served, "/notices").await?,
            second.get(&served, "/notices").await?,
        ];
        let hits = page_cache_hits(&operator.get(&served, "/metrics").await?.body);
        assert!(
            hits >= 2,
            "the second and third visits were served kept: {hits}"
        );

        let nonces: Vec<String> = pages.iter().map(nonce).collect::<Result<_, _>>()?;
        for (page, nonce) in pages.iter().zip(&nonces) {
            assert_eq!(page.status, 200);
            assert!(
                page.body.contains(&format!("nonce=\"{nonce}\"")),
                "the page's scripts carry its nonce"
            );
        }
        assert!(
            nonces[0] != nonces[1] && nonces[1] != nonces[2] && nonces[0] != nonces[2],
            "a nonce is never served twice: {nonces:?}"
        );
        let tokens = [
            first
                .cookies
                .get("csrf")
                .cloned()
                .ok_or("a token for the first visitor")?,
            second
                .cookies
                .get("csrf")
                .cloned()
                .ok_or("a token for the second visitor")?,
        ];
        assert_ne!(tokens[0], tokens[1]);
        assert!(pages[1].body.contains(&tokens[0]) && !pages[1].body.contains(&tokens[1]));
        assert!(pages[2].body.contains(&tokens[1]) && !pages[2].body.contains(&tokens[0]));
        // The kept page's forms work, and each language is kept on its own.
        let switched = second
            .post_form(&served, "/notices", "/api/prefs", &[("lang", "en")])
            .await?;
        assert!(
            switched.status < 400,
            "the switch posted from a kept page is taken: {}",
            switched.status
        );
        for _ in 0..2 {
            assert!(
                second
                    .get(&served, "/notices")
                    .await?
                    .body
                    .contains("<html lang=\"en\"")
            );
            assert!(
                first
                    .get(&served, "/notices")
                    .await?
                    .body
                    .contains("<html lang=\"zh-CN\"")
            );
        }

        // Written at the SQL prompt, beside the server: the next visitor sees it.
        let db = domain::db::connect(&served.db_url).await?;
        sea_orm::ConnectionTrait::execute_unprepared(
            &db,
            "UPDATE notices SET title = title || '（已更正）'",
        )
        .await?;
        let after = Client::at("127.0.0.4").get(&served, "/notices").await?;
        assert!(
            after.body.contains("（已更正）"),
            "the notices as written now"
        );

        // A resident's visits are their own: none is served from what visitors share.
        let mut resident = Client::at("127.0.0.5");
        resident
            .sign_in(&served, DEMO_RESIDENT, domain::demo::DEMO_PASSWORD)
            .await?;
        assert!(resident.signed_in());
        let before = page_cache_hits(&operator.get(&served, "/metrics").await?.body);
        for _ in 0..3 {
            assert_eq!(resident.get(&served, "/notices").await?.status, 200);
        }
        let after = page_cache_hits(&operator.get(&served, "/metrics").await?.body);
        assert_eq!(
            before, after,
            "a signed-in person's pages are rendered for them"
        );
        Ok(())
    })
}
