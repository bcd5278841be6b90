//! Rate limits per client address, for every request and tighter for every write: what keeps
//! one phone (or one script) from drowning the portal for a whole 街道. Kept in this process;
//! the limits that protect accounts and content (sign-in failures, posting, mediation requests)
//! are counted in the database by their features.
//!
//! Each limit of N a minute is a bucket (the generic cell rate algorithm): an address may
//! spend all N at once and then earns one back every 60/N seconds. A window that restarts on
//! the minute would let a script send twice the limit at once across the turn of a minute.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use app::state::AppState;

const WINDOW: Duration = Duration::from_secs(60);

/// When an address's allowance for all requests, and for writes, is whole again.
#[derive(Clone, Copy)]
struct Owed {
    requests: Instant,
    writes: Instant,
}

#[derive(Default)]
struct Book {
    owed: HashMap<IpAddr, Owed>,
    swept: Option<Instant>,
}

/// What each address has spent of its allowances.
#[derive(Default)]
pub struct Counters {
    book: Mutex<Book>,
}

/// Spends one request of a limit per minute from an allowance that is whole again at `owed`:
/// when it will be whole after this request, or how long to wait before asking again.
fn spend(owed: Instant, now: Instant, per_minute: u32) -> Result<Instant, Duration> {
    if per_minute == 0 {
        return Err(WINDOW);
    }
    let after = owed.max(now) + WINDOW / per_minute;
    let ahead = after - now;
    if ahead <= WINDOW {
        Ok(after)
    } else {
        Err(ahead - WINDOW)
    }
}

impl Counters {
    /// Counts a request; how long to wait when the address is over a limit.
    fn admit(
        &self,
        address: IpAddr,
        write: bool,
        limits: (u32, u32),
        now: Instant,
    ) -> Result<(), Duration> {
        let mut guard = match self.book.lock() {
            Ok(guard) => guard,
            Err(poisoned) => poisoned.into_inner(),
        };
        let book = &mut *guard;
        // Addresses whose allowances are whole again are forgotten once a minute, so the book
        // holds only the last minute's visitors.
        if book
            .swept
            .is_none_or(|at| now.saturating_duration_since(at) >= WINDOW)
        {
            book.owed
                .retain(|_, owed| owed.requests > now || owed.writes > now);
            book.swept = Some(now);
        }
        let owed = book.owed.entry(address).or_insert(Owed {
            requests: now,
            writes: now,
        });
        let requests = spend(owed.requests, now, limits.0);
        let writes = write.then(|| spend(owed.writes, now, limits.1));
        match (requests, writes) {
            (Ok(requests), None) => owed.requests = requests,
            (Ok(requests), Some(Ok(writes))) => {
                owed.requests = requests;
                owed.writes = writes;
            }
            // Over one limit or both: the wait is until both allow it.
            (requests, writes) => {
                let wait = |r: Result<Instant, Duration>| r.err().unwrap_or(Duration::ZERO);
                return Err(wait(requests).max(writes.map_or(Duration::ZERO, wait)));
            }
        }
        Ok(())
    }

    #[cfg(test)]
    fn remembered(&self) -> usize {
        self.book.lock().map(|book| book.owed.len()).unwrap_or(0)
    }
}

/// The subscriber a request counts against. When a trusted proxy named no readable client,
/// the request counts against the proxy's own address, so that a proxy set up wrongly shows
/// as everybody sharing one limit (and is said in the log once) rather than as no limit.
fn address(state: &AppState, request: &Request) -> IpAddr {
    static TOLD: AtomicBool = AtomicBool::new(false);
    let client = state.client(request.headers(), request.extensions());
    let address = client.or_else(|| app::state::peer_address(request.extensions()));
    if client.is_none() && !TOLD.swap(true, Ordering::Relaxed) {
        tracing::error!(
            peer = ?address,
            "a request without a known client address: limits count it against the \
             connection's address; check PORTAL_TRUST_PROXY and the proxy's X-Forwarded-For"
        );
    }
    app::state::subscriber(address.unwrap_or(IpAddr::V4(std::net::Ipv4Addr::UNSPECIFIED)))
}

/// The page a browser gets when it is over a limit, in both languages (this answer is made
/// before any page, and its reader's language, is known).
const TOO_MANY: &str = "<!DOCTYPE html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\">\
<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>请稍后再试</title>\
</head><body><main><h1>操作太频繁了</h1><p>请等一分钟再试。您填写的内容没有提交，返回上一页可以继续。</p>\
<p lang=\"en\">Too many requests from your connection. Please wait a minute and try again; \
what you filled in was not sent.</p><p><a href=\"/\">回到首页 · Home</a></p></main></body></html>";

/// Whole seconds to wait, at least one.
fn retry_after(wait: Duration) -> u64 {
    (wait.as_secs() + u64::from(wait.subsec_nanos() > 0)).max(1)
}

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
    let address = address(&state, &request);
    let limits = (
        state.limits.requests_per_minute,
        state.limits.writes_per_minute,
    );
    let Err(wait) = counters.admit(address, write, limits, Instant::now()) else {
        return next.run(request).await;
    };
    tracing::warn!(%address, write, "rate limited");
    crate::metrics::rate_limited(write);
    let mut response = (
        StatusCode::TOO_MANY_REQUESTS,
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        TOO_MANY,
    )
        .into_response();
    response
        .headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from(retry_after(wait)));
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECOND: Duration = Duration::from_secs(1);

    #[test]
    fn writes_have_their_own_tighter_limit_and_are_earned_back_evenly() {
        let counters = Counters::default();
        let one: IpAddr = [10, 0, 0, 1].into();
        let other: IpAddr = [10, 0, 0, 2].into();
        let limits = (5, 2);
        let start = Instant::now();
        assert_eq!(counters.admit(one, true, limits, start), Ok(()));
        assert_eq!(counters.admit(one, true, limits, start), Ok(()));
        assert_eq!(
            counters.admit(one, true, limits, start),
            Err(30 * SECOND),
            "the third write waits for half a minute"
        );
        assert_eq!(
            counters.admit(other, true, limits, start),
            Ok(()),
            "another address"
        );
        for _ in 0..3 {
            assert_eq!(
                counters.admit(one, false, limits, start),
                Ok(()),
                "reads go on"
            );
        }
        assert_eq!(
            counters.admit(one, false, limits, start),
            Err(12 * SECOND),
            "the sixth request is one too many (a refused one is not counted)"
        );
        assert_eq!(
            counters.admit(one, false, limits, start + 12 * SECOND),
            Ok(()),
            "a fifth of a minute earns one request back"
        );
        assert_eq!(
            counters.admit(one, true, limits, start + 30 * SECOND),
            Ok(()),
            "half a minute earns one write back"
        );
    }

    #[test]
    fn a_write_over_both_limits_is_told_the_later_wait() {
        let counters = Counters::default();
        let one: IpAddr = [10, 0, 0, 1].into();
        let limits = (60, 1);
        let start = Instant::now();
        assert_eq!(counters.admit(one, true, limits, start), Ok(()));
        for _ in 0..59 {
            assert_eq!(counters.admit(one, false, limits, start), Ok(()));
        }
        assert_eq!(
            counters.admit(one, false, limits, start),
            Err(SECOND),
            "a read waits a second"
        );
        assert_eq!(
            counters.admit(one, true, limits, start),
            Err(WINDOW),
            "a write waits for its own limit, not the second the other one needs"
        );
    }

    #[test]
    fn the_turn_of_a_minute_gives_no_second_allowance() {
        let counters = Counters::default();
        let one: IpAddr = [10, 0, 0, 1].into();
        let limits = (600, 3);
        let start = Instant::now();
        let admitted = (0..12)
            .filter(|i| {
                let now = start + Duration::from_millis(59_000 + 200 * i);
                counters.admit(one, true, limits, now).is_ok()
            })
            .count();
        assert_eq!(
            admitted, 3,
            "twelve writes within two seconds either side of :00"
        );
    }

    #[test]
    fn a_limit_of_zero_refuses_and_visitors_are_forgotten_when_their_allowance_is_whole() {
        let counters = Counters::default();
        let start = Instant::now();
        assert_eq!(
            counters.admit([10, 0, 0, 1].into(), true, (10, 0), start),
            Err(WINDOW)
        );
        for last in 2..=101 {
            assert_eq!(
                counters.admit([10, 0, 0, last].into(), false, (10, 10), start),
                Ok(())
            );
        }
        assert_eq!(counters.remembered(), 101);
        let later = start + WINDOW + SECOND;
        assert_eq!(
            counters.admit([10, 0, 1, 1].into(), false, (10, 10), later),
            Ok(())
        );
        assert_eq!(counters.remembered(), 1, "only the new visitor is kept");
    }

    #[test]
    fn retry_after_rounds_up_to_whole_seconds() {
        assert_eq!(retry_after(Duration::from_millis(1)), 1);
        assert_eq!(retry_after(Duration::from_millis(12_000)), 12);
        assert_eq!(retry_after(Duration::from_millis(12_001)), 13);
        assert_eq!(retry_after(Duration::ZERO), 1);
    }
}
