//! What operators see inside a running process, in Prometheus's text format at `/metrics`:
//! requests and their latency by route and status class, refusals by the rate limits, the
//! database pool, and the background jobs' runs and failures. Answered to loopback only
//! (a request that came through a proxy is not loopback, whatever its connection), or to
//! anyone presenting `PORTAL_METRICS_TOKEN`; others get the 404 any unknown path gets.

use std::sync::OnceLock;
use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::http::{Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};

use app::state::AppState;

const LATENCY: &str = "http_request_duration_seconds";

/// The process's recorder, installed on first use: every router of the process (tests
/// make several) records into the one registry.
fn handle() -> Option<&'static PrometheusHandle> {
    static HANDLE: OnceLock<Option<PrometheusHandle>> = OnceLock::new();
    HANDLE
        .get_or_init(|| {
            // From a cached page (1 ms) to a slow report (5 s).
            let buckets = [
                0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0,
            ];
            let installed = PrometheusBuilder::new()
                .set_buckets_for_metric(Matcher::Full(LATENCY.to_owned()), &buckets)
                .and_then(PrometheusBuilder::install_recorder);
            match installed {
                Ok(handle) => Some(handle),
                Err(e) => {
                    tracing::error!(%e, "metrics are off: cannot install the recorder");
                    None
                }
            }
        })
        .as_ref()
}

/// Starts recording; the server calls it once at start-up so that `/metrics` has the
/// process's figures from its first request.
pub fn install() {
    handle();
}

/// Folds recorded latencies into their buckets; without it, a process nobody scrapes would
/// keep every sample.
pub fn upkeep() {
    if let Some(handle) = handle() {
        handle.run_upkeep();
    }
}

/// The route's pattern (`/mediation/cases/{code}`), never the path itself, so that the
/// number of series stays the number of routes.
fn route_of(request: &Request) -> String {
    request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_owned(), |p| p.as_str().to_owned())
}

fn method_of(method: &Method) -> &'static str {
    match *method {
        Method::GET => "GET",
        Method::HEAD => "HEAD",
        Method::POST => "POST",
        _ => "other",
    }
}

/// Counts every request and times it, by route, method and status class.
pub async fn record(request: Request, next: Next) -> Response {
    let route = route_of(&request);
    let method = method_of(request.method());
    let started = Instant::now();
    let response = next.run(request).await;
    let class = match response.status().as_u16() {
        100..=199 => "1xx",
        200..=299 => "2xx",
        300..=399 => "3xx",
        400..=499 => "4xx",
        _ => "5xx",
    };
    metrics::counter!("http_requests_total", "route" => route.clone(), "method" => method, "status" => class)
        .increment(1);
    metrics::histogram!(LATENCY, "route" => route, "method" => method)
        .record(started.elapsed().as_secs_f64());
    response
}

/// A refusal by the per-address limits; `write` tells which of the two.
pub fn rate_limited(write: bool) {
    let limit = if write { "writes" } else { "requests" };
    metrics::counter!("portal_rate_limited_total", "limit" => limit).increment(1);
}

/// One run of a background job, and whether it failed.
pub fn job_ran(job: &'static str, failed: bool) {
    let outcome = if failed { "failed" } else { "ok" };
    metrics::counter!("portal_job_runs_total", "job" => job, "outcome" => outcome).increment(1);
}

/// Whether this request may read the figures: the right token, or loopback with no sign of
/// having come through a proxy.
fn allowed(state: &AppState, request: &Request) -> bool {
    let headers = request.headers();
    if let Some(expected) = &state.metrics_token {
        let sent = headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "));
        if sent.is_some_and(|sent| app::security::ssr::same(sent, expected)) {
            return true;
        }
    }
    let loopback = app::state::peer_address(request.extensions())
        .map(app::state::canonical)
        .is_some_and(|ip| ip.is_loopback());
    loopback && !app::state::came_through_a_proxy(headers)
}

/// `GET /metrics`.
pub async fn scrape(State(state): State<AppState>, request: Request) -> Response {
    if !allowed(&state, &request) {
        return StatusCode::NOT_FOUND.into_response();
    }
    let Some(handle) = handle() else {
        return StatusCode::SERVICE_UNAVAILABLE.into_response();
    };
    pool_gauges(&state.db);
    handle.run_upkeep();
    (
        [
            (
                header::CONTENT_TYPE,
                "text/plain; version=0.0.4; charset=utf-8",
            ),
            (header::CACHE_CONTROL, "no-store"),
        ],
        handle.render(),
    )
        .into_response()
}

/// The database pool as it is at the moment of the scrape.
fn pool_gauges(db: &domain::DatabaseConnection) {
    let (size, idle) = match db.get_database_backend() {
        domain::DbBackend::Sqlite => {
            let pool = db.get_sqlite_connection_pool();
            (pool.size(), pool.num_idle())
        }
        domain::DbBackend::Postgres => {
            let pool = db.get_postgres_connection_pool();
            (pool.size(), pool.num_idle())
        }
        _ => return,
    };
    metrics::gauge!("portal_db_pool_connections").set(f64::from(size));
    // A pool holds a few dozen connections at most: exact as a float.
    #[allow(clippy::cast_precision_loss)]
    metrics::gauge!("portal_db_pool_idle_connections").set(idle as f64);
}
