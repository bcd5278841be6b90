//! `GET /me/data.json`: everything the portal keeps about the signed-in person, as a
//! download (PIPL: the right to a copy).

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};

use app::state::AppState;

/// The account of the request's session cookie, or the status to answer with: downloads
/// are plain routes, outside the server functions that read the session themselves.
pub(crate) async fn signed_in(
    state: &AppState,
    headers: &HeaderMap,
) -> Result<domain::accounts::Account, StatusCode> {
    let token = state
        .cookies
        .get(headers, app::accounts::ssr::SESSION_COOKIE)
        .ok_or(StatusCode::UNAUTHORIZED)?;
    match domain::accounts::session_account(&state.db, &token, state.sessions, chrono::Utc::now())
        .await
    {
        Ok(Some(account)) => Ok(account),
        Ok(None) => Err(StatusCode::UNAUTHORIZED),
        Err(e) => {
            tracing::error!(%e, "reading the session");
            Err(StatusCode::INTERNAL_SERVER_ERROR)
        }
    }
}

pub async fn download(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let account = match signed_in(&state, &headers).await {
        Ok(account) => account,
        Err(status) => return status.into_response(),
    };
    let exported = domain::accounts::export(&state.db, &account)
        .await
        .map_err(|e| e.to_string())
        .and_then(|data| serde_json::to_string_pretty(&data).map_err(|e| e.to_string()));
    match exported {
        Ok(json) => (
            [
                (header::CONTENT_TYPE, "application/json; charset=utf-8"),
                (
                    header::CONTENT_DISPOSITION,
                    "attachment; filename=\"my-data.json\"",
                ),
                (header::CACHE_CONTROL, "no-store"),
            ],
            json,
        )
            .into_response(),
        Err(e) => {
            tracing::error!(e, "exporting personal data");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}
