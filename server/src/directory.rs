//! The directory as a file, outside server functions (which take no files and give no
//! downloads): `GET /admin/directory/export.csv` downloads the whole directory, and
//! `POST /admin/directory/upload` takes a file from a multipart form and opens its preview
//! (`/admin/directory/import/{id}`), or goes back to the form with the refusal's key. The
//! CSRF layer has checked the form's token field before this runs, and no body past the
//! server's limit reaches it.

use axum::extract::{Multipart, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};

use app::state::AppState;
use domain::accounts::{Account, Role};

/// The signed-in admin, or the status to answer with.
async fn admin(state: &AppState, headers: &HeaderMap) -> Result<Account, StatusCode> {
    let account = crate::my_data::signed_in(state, headers).await?;
    if account.has(Role::Admin) {
        Ok(account)
    } else {
        Err(StatusCode::FORBIDDEN)
    }
}

pub async fn export(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let account = match admin(&state, &headers).await {
        Ok(account) => account,
        Err(status) => return status.into_response(),
    };
    let written = match domain::directory::admin::all(&state.db, &account).await {
        Ok(entries) => domain::directory::file::write(&entries),
        Err(e) => Err(e),
    };
    match written {
        Ok(body) => (
            [
                (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
                (
                    header::CONTENT_DISPOSITION,
                    "attachment; filename=\"directory.csv\"",
                ),
                (header::CACHE_CONTROL, "no-store"),
            ],
            body,
        )
            .into_response(),
        Err(e) => {
            tracing::error!(%e, "exporting the directory");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

pub async fn upload(
    State(state): State<AppState>,
    headers: HeaderMap,
    mut form: Multipart,
) -> Response {
    let account = match admin(&state, &headers).await {
        Ok(account) => account,
        Err(status) => return status.into_response(),
    };
    let back = |code: &str| Redirect::to(&format!("/admin/directory/import?error={code}"));
    let mut file = None;
    loop {
        match form.next_field().await {
            Ok(Some(field)) if field.name() == Some("file") => match field.bytes().await {
                Ok(bytes) => file = Some(bytes),
                Err(_) => return StatusCode::BAD_REQUEST.into_response(),
            },
            Ok(Some(_)) => {}
            Ok(None) => break,
            Err(_) => return StatusCode::BAD_REQUEST.into_response(),
        }
    }
    let Some(bytes) = file else {
        return back("directory-file-empty").into_response();
    };
    match domain::directory::import::upload(&state.db, &account, &bytes, chrono::Utc::now()).await {
        Ok(id) => Redirect::to(&format!("/admin/directory/import/{id}")).into_response(),
        Err(domain::Error::Invalid(code)) => back(code).into_response(),
        Err(e) => {
            tracing::error!(%e, "keeping an uploaded directory file");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}
