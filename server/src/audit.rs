//! The audit log's plain routes: `/admin/audit.csv`, the rows the page's filters keep as a
//! spreadsheet, and `/admin/log`, the log's former address, which links in old bookmarks
//! and notes still use.

use axum::extract::{Query, RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use app::state::AppState;

#[derive(serde::Deserialize)]
pub struct AuditFilters {
    actor: Option<String>,
    action: Option<String>,
    from: Option<String>,
    to: Option<String>,
}

/// `GET /admin/audit.csv?actor=…&action=…&from=…&to=…`: admins only.
pub async fn csv(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(query): Query<AuditFilters>,
) -> Response {
    use domain::admin_log::{self, Filter};
    let account = match crate::my_data::signed_in(&state, &headers).await {
        Ok(account) => account,
        Err(status) => return status.into_response(),
    };
    let filter = match Filter::parse(
        query.actor.as_deref(),
        query.action.as_deref(),
        query.from.as_deref(),
        query.to.as_deref(),
    ) {
        Ok(filter) => filter,
        Err(_) => return StatusCode::BAD_REQUEST.into_response(),
    };
    match admin_log::csv(&state.db, &account, &filter).await {
        Ok(body) => (
            [
                (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
                (
                    header::CONTENT_DISPOSITION,
                    "attachment; filename=\"audit-log.csv\"",
                ),
                (header::CACHE_CONTROL, "no-store"),
            ],
            body,
        )
            .into_response(),
        Err(domain::Error::Forbidden) => StatusCode::FORBIDDEN.into_response(),
        Err(e) => {
            tracing::error!(%e, "writing the audit log as CSV");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

/// `GET /admin/log`: moved to `/admin/audit`, with its query (a query that cannot be a
/// header value is dropped rather than trusted).
pub async fn moved(RawQuery(query): RawQuery) -> Response {
    let to = query
        .filter(|q| !q.is_empty())
        .map(|q| format!("/admin/audit?{q}"))
        .and_then(|to| HeaderValue::from_str(&to).ok())
        .unwrap_or(HeaderValue::from_static("/admin/audit"));
    (StatusCode::PERMANENT_REDIRECT, [(header::LOCATION, to)]).into_response()
}
