//! Rate limits per client address, for every request and tighter for every write: what keeps
//! one phone (or one script) from drowning the portal for a whole 街道. Counted per minute in
//! this process; the limits that protect accounts and content (sign-in failures, posting,
//! mediation requests) are counted in the database by their features.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;

use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use app::state::AppState;

/// The minute being counted, and each address's (requests, writes) in it.
type Minute = (i64, HashMap<IpAddr, (u32, u32)>);

/// Requests counted in the current minute, per address.
#[derive(Default)]
pub struct Counters {
    minute: Mutex<Minute>,
}

impl Counters {
    /// Counts a request; false when the address is over a limit this minute.
    fn admit(&self, address: IpAddr, write: bool, limits: (u32, u32), minute: i64) -> bool {
        let mut guard = match self.minute.lock() {
            Ok(guard) => guard,
            Err(poisoned) => poisoned.into_inner(),
        };
        let (current, counts) = &mut *guard;
        if *current != minute {
            *current = minute;
            counts.clear();
        }
        let (all, writes) = counts.entry(address).or_default();
        *all += 1;
        if write {
            *writes += 1;
        }
        *all <= limits.0 && (!write || *writes <= limits.1)
    }
}

fn address(state: &AppState, request: &Request) -> Option<IpAddr> {
    state
        .forwarded_client(request.headers())
        .and_then(|v| v.parse().ok())
        .or_else(|| app::state::peer_address(request.extensions()))
}

/// The page a browser gets when it is over a limit, in both languages (this answer is made
/// before any page, and its reader's language, is known).
const TOO_MANY: &str = "<!DOCTYPE html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\">\
<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>请稍后再试</title>\
</head><body><main><h1>操作太频繁了</h1><p>请等一分钟再试。您填写的内容没有提交，返回上一页可以继续。</p>\
<p lang=\"en\">Too many requests from your connection. Please wait a minute and try again; \
what you filled in was not sent.</p><p><a href=\"/\">回到首页 · Home</a></p></main></body></html>";

pub async fn limit(
    State(state): State<AppState>,
    axum::Extension(counters): axum::Extension<std::sync::Arc<Counters>>,
    request: Request,
    next: Next,
) -> Response {
    let write = !matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    );
    let Some(address) = address(&state, &request) else {
        return next.run(request).await;
    };
    let minute = chrono::Utc::now().timestamp() / 60;
    let limits = (
        state.limits.requests_per_minute,
        state.limits.writes_per_minute,
    );
    if counters.admit(address, write, limits, minute) {
        return next.run(request).await;
    }
    tracing::warn!(%address, write, "rate limited");
    let mut response = (
        StatusCode::TOO_MANY_REQUESTS,
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        TOO_MANY,
    )
        .into_response();
    response
        .headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from_static("60"));
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_have_their_own_tighter_limit_and_a_new_minute_starts_afresh() {
        let counters = Counters::default();
        let one: IpAddr = [10, 0, 0, 1].into();
        let other: IpAddr = [10, 0, 0, 2].into();
        let limits = (5, 2);
        assert!(counters.admit(one, true, limits, 1));
        assert!(counters.admit(one, true, limits, 1));
        assert!(!counters.admit(one, true, limits, 1), "third write");
        assert!(counters.admit(one, false, limits, 1), "reads go on");
        assert!(counters.admit(other, true, limits, 1), "another address");
        assert!(counters.admit(one, false, limits, 1), "the fifth request");
        assert!(
            !counters.admit(one, false, limits, 1),
            "the sixth is one too many"
        );
        assert!(counters.admit(one, true, limits, 2), "the next minute");
    }
}
