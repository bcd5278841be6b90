//! The public pages as rendered, kept for visitors who are not signed in: the home page, the
//! notices, the tea house, the communities and `/stats` are most of what a 街道 reads, and
//! they are the same for every visitor with the same language and text settings.
//!
//! A kept page is served while the `pages` version row (migration 029) stays the one read
//! before it was rendered, so a write by any process, or at the SQL prompt, reaches every
//! process's next visitor; and for at most `MAX_AGE`, since a page also changes with the
//! clock (a notice past its end, "today"). The only per-visitor parts of such a page are
//! the script nonce of its Content-Security-Policy and the CSRF token of its forms: each
//! visit gets a new nonce and its own token, put in where the kept page has the ones it was
//! rendered with (random strings no text on the page can contain).

use std::sync::Arc;
use std::time::Duration;

use axum::Extension;
use axum::body::Body;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::Response;

use app::prefs::{CONTRAST_COOKIE, LANG_COOKIE, Prefs, TEXT_COOKIE};
use app::security::CSRF_FIELD;
use app::security::ssr::cookie_token;
use app::state::AppState;
use domain::kept::Kept;

/// The routes kept: those anyone may read, whose content is the same for every visitor
/// who is not signed in.
const PUBLIC: [&str; 9] = [
    "/",
    "/notices",
    "/notices/{id}",
    "/teahouse",
    "/teahouse/b/{id}",
    "/teahouse/t/{id}",
    "/communities",
    "/communities/{id}",
    "/stats",
];

/// The cookies a visitor may carry and still be served a kept page: the preferences (part
/// of the key) and the CSRF token (put into the page). Any other (a session, a notice to
/// show once) means the page is rendered for this visit alone.
const SHARED_COOKIES: [&str; 4] = [CSRF_FIELD, LANG_COOKIE, TEXT_COOKIE, CONTRAST_COOKIE];

/// How long a page is served although nothing was written.
const MAX_AGE: Duration = Duration::from_secs(30);

/// Larger pages are not kept (the largest public page is a long thread, well under this).
const MAX_KEPT_BYTES: usize = 512 * 1024;

/// One router's kept pages (tests run several routers on different databases and settings
/// in one process).
pub type Pages = Arc<Kept<Page>>;

pub struct Page {
    /// The response's headers, without `Set-Cookie` and the Content-Security-Policy.
    headers: HeaderMap,
    /// The policy, with `nonce` in it.
    policy: String,
    body: String,
    nonce: String,
    /// The CSRF token the forms of `body` carry, if it has forms.
    token: Option<String>,
}

pub async fn serve(
    State(state): State<AppState>,
    Extension(pages): Extension<Pages>,
    request: Request,
    next: Next,
) -> Response {
    let Some(key) = key(&state, &request) else {
        return next.run(request).await;
    };
    let version = match domain::kept::pages(&state.db).await {
        Ok(version) => version,
        Err(e) => {
            tracing::warn!(%e, "the pages' version is unreadable; rendering");
            return next.run(request).await;
        }
    };
    // The token the page renders into its forms for this visitor, if they bring one.
    let token = cookie_token(state.cookies, request.headers());
    if let Some(page) = pages.get(&version, &key, MAX_AGE)
        && let Some(response) = page.for_visitor(&state, token.clone())
    {
        metrics::counter!("portal_page_cache_total", "outcome" => "hit").increment(1);
        return response;
    }
    metrics::counter!("portal_page_cache_total", "outcome" => "miss").increment(1);
    let response = next.run(request).await;
    if response.status() != StatusCode::OK {
        return response;
    }
    let (parts, body) = response.into_parts();
    let bytes = match crate::routes::whole_body(body).await {
        Ok(bytes) => bytes,
        Err(failed) => return failed,
    };
    if let Some(page) = Page::of(&state, &parts.headers, &bytes, token) {
        pages.put(version, &key, page);
    }
    Response::from_parts(parts, Body::from(bytes))
}

/// The address and the preferences, when the visit may share a kept page.
fn key(state: &AppState, request: &Request) -> Option<String> {
    if request.method() != Method::GET {
        return None;
    }
    let route = request.extensions().get::<MatchedPath>()?.as_str();
    if !PUBLIC.contains(&route) {
        return None;
    }
    let shared: Vec<String> = SHARED_COOKIES
        .iter()
        .map(|c| state.cookies.name(c))
        .collect();
    let only_shared = request
        .headers()
        .get_all(header::COOKIE)
        .iter()
        .map(|v| v.to_str().unwrap_or("\u{0}"))
        .flat_map(|v| v.split(';'))
        .map(|c| c.trim())
        .filter(|c| !c.is_empty())
        .all(|c| {
            c.split_once('=')
                .is_some_and(|(name, _)| shared.iter().any(|s| s == name))
        });
    if !only_shared {
        return None;
    }
    let prefs = Prefs::from_headers(request.headers(), state.cookies);
    Some(format!(
        "{:?} {:?} {} {}",
        prefs.locale,
        prefs.text,
        prefs.contrast,
        request.uri().path_and_query()?.as_str()
    ))
}

impl Page {
    /// What to keep of a page rendered for a visitor whose token was `token`, if it can be
    /// served to others: an HTML page with a nonce, setting no cookie but the CSRF token.
    fn of(
        state: &AppState,
        headers: &HeaderMap,
        body: &[u8],
        token: Option<String>,
    ) -> Option<Page> {
        let html = headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("text/html"));
        if !html || body.len() > MAX_KEPT_BYTES {
            return None;
        }
        let body = std::str::from_utf8(body).ok()?.to_owned();
        let policy = headers
            .get(header::CONTENT_SECURITY_POLICY)?
            .to_str()
            .ok()?
            .to_owned();
        let nonce = policy
            .split_once("'nonce-")?
            .1
            .split_once('\'')?
            .0
            .to_owned();
        let csrf_cookie = format!("{}=", state.cookies.name(CSRF_FIELD));
        let mut token = token;
        for cookie in headers.get_all(header::SET_COOKIE) {
            let set = cookie.to_str().ok()?.strip_prefix(&csrf_cookie)?;
            token = Some(set.split(';').next()?.to_owned());
        }
        let token = token.filter(|t| body.contains(t.as_str()));
        let mut headers = headers.clone();
        headers.remove(header::SET_COOKIE);
        headers.remove(header::CONTENT_SECURITY_POLICY);
        headers.remove(header::CONTENT_LENGTH);
        Some(Page {
            headers,
            policy,
            body,
            nonce,
            token,
        })
    }

    /// The page for one visitor: a new nonce, and their token (or a new one, in a cookie).
    fn for_visitor(&self, state: &AppState, token: Option<String>) -> Option<Response> {
        let nonce = domain::accounts::random_token().ok()?;
        let mut body = self.body.replace(&self.nonce, &nonce);
        let mut response = Response::new(Body::empty());
        if let Some(kept) = &self.token {
            let token = match token {
                Some(token) => token,
                None => {
                    let token = domain::accounts::random_token().ok()?;
                    response.headers_mut().insert(
                        header::SET_COOKIE,
                        state.cookies.set(CSRF_FIELD, &token, None)?,
                    );
                    token
                }
            };
            body = body.replace(kept.as_str(), &token);
        }
        response.headers_mut().extend(self.headers.clone());
        response.headers_mut().insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_str(&self.policy.replace(&self.nonce, &nonce)).ok()?,
        );
        *response.body_mut() = Body::from(body);
        Some(response)
    }
}
