//! The one place where a server function's refusal gets its HTTP status. `server_fn` answers
//! every `Err` with 500; a script, a monitoring system or the browser's network panel should
//! see 404, 422, 401, 403 or 429 for the caller's mistakes and keep 500 for the server's. The
//! error the body carries (an `AppError` as JSON) names the status. A plain form post is
//! answered with a redirect back to the form, not 500, and is left as it is; pages rendered
//! with an error set theirs in `ErrorView`.

use app::error::AppError;
use axum::body::{Body, to_bytes};
use axum::extract::Request;
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::Response;

/// Where leptos mounts server functions.
const PREFIX: &str = "/api/";

/// An error body is a few dozen bytes; anything longer is not one.
const LONGEST_ERROR: usize = 4096;

pub async fn status(request: Request, next: Next) -> Response {
    let of_a_server_fn = request.uri().path().starts_with(PREFIX);
    let response = next.run(request).await;
    if !of_a_server_fn || response.status() != StatusCode::INTERNAL_SERVER_ERROR {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let Ok(bytes) = to_bytes(body, LONGEST_ERROR).await else {
        return Response::from_parts(parts, Body::empty());
    };
    if let Ok(error) = serde_json::from_slice::<AppError>(&bytes) {
        parts.status = error.status();
    }
    Response::from_parts(parts, Body::from(bytes))
}
