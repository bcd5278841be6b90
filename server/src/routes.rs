//! The HTTP surface: pages and server functions from the app, health, static files, and
//! the layers every response passes through (compression, security headers, logs).

use std::convert::Infallible;
use std::sync::OnceLock;

use axum::Router;
use axum::body::Body;
use axum::extract::State;
use axum::handler::HandlerWithoutStateExt;
use axum::http::Request;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::Response;
use axum::response::{IntoResponse, Json};
use axum::routing::get;
use leptos::prelude::*;
use leptos_axum::{AxumRouteListing, LeptosRoutes, generate_route_list};
use tower::Service;
use tower_http::compression::CompressionLayer;
use tower_http::services::ServeDir;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::TraceLayer;

use app::state::AppState;
use app::{App, shell};

/// The app's routes, worked out once per process. Leptos suppresses resource loading
/// process-wide while it walks the app for routes (leptos-rs/leptos#4773), so a second walk
/// while pages are rendering could stall them; every router shares the first walk instead.
fn route_list() -> Vec<AxumRouteListing> {
    static ROUTES: OnceLock<Vec<AxumRouteListing>> = OnceLock::new();
    ROUTES.get_or_init(|| generate_route_list(App)).clone()
}

/// Files under the site root (the bundle, the stylesheet, the icon) straight from disk, in
/// their precompressed form where the browser takes it; anything else is the 404 page.
/// Static files are served outside Leptos on purpose: leptos_axum's combined file-and-error
/// handler answers them inside a reactive owner, and a page rendering at the same moment
/// could lend them its response headers (seen in Chromium as a page's CSP and cookie
/// arriving on a stylesheet while the page went without).
fn static_files_or_not_found<IV, C, R>(
    site_root: &str,
    context: C,
    render: R,
) -> ServeDir<
    impl Service<Request<Body>, Response = Response, Error = Infallible, Future: Send>
    + Clone
    + use<IV, C, R>,
>
where
    IV: IntoView + 'static,
    C: Fn() + Clone + Send + Sync + 'static,
    R: Fn() -> IV + Clone + Send + Sync + 'static,
{
    let page = leptos_axum::render_app_async_with_context(context, render);
    let not_found = move |request: Request<Body>| {
        let page = page.clone();
        async move {
            let mut response = page(request).await;
            if response.status() == StatusCode::OK {
                *response.status_mut() = StatusCode::NOT_FOUND;
            }
            response
        }
    };
    ServeDir::new(site_root)
        .precompressed_br()
        .precompressed_gzip()
        .fallback(not_found.into_service())
}

pub fn router(state: AppState) -> Router {
    let routes = route_list();
    let context = {
        let state = state.clone();
        move || provide_context(state.clone())
    };
    let render = {
        let options = state.leptos_options.clone();
        move || shell(options.clone())
    };
    Router::new()
        .route("/healthz", get(health))
        .route("/manifest.webmanifest", get(crate::pwa::manifest))
        .route("/metrics", get(crate::metrics::scrape))
        .route("/me/data.json", get(crate::my_data::download))
        .route("/me/wechat", get(crate::outbox::wechat::link))
        .route("/me/wechat/done", get(crate::outbox::wechat::done))
        .route("/calendar/{file}", get(crate::calendar::feed))
        .route(
            "/mediation/cases/{code}/session.ics",
            get(crate::calendar::session),
        )
        .route(
            "/volunteers/shifts/{id}/shift.ics",
            get(crate::calendar::shift),
        )
        .route("/api/v1/mediation/stats", get(crate::api::mediation_stats))
        .route("/board/figures.csv", get(crate::api::figures_csv))
        .route("/admin/audit.csv", get(crate::audit::csv))
        .route("/admin/log", get(crate::audit::moved))
        .route(
            app::directory::admin::EXPORT_PATH,
            get(crate::directory::export),
        )
        .route(
            app::directory::admin::UPLOAD_PATH,
            axum::routing::post(crate::directory::upload),
        )
        .route("/feeds/notices.atom", get(crate::feeds::notices))
        .route("/feeds/cap.xml", get(crate::feeds::cap_feed))
        .route("/feeds/cap/{file}", get(crate::feeds::cap_document))
        .route("/mediation/video/{code}/ws", get(crate::video::socket))
        .route("/files/{key}", get(crate::files::full))
        .route(
            "/files/{first}/{second}",
            get(crate::files::thumb).post(crate::files::upload_or_remove),
        )
        .leptos_routes_with_context(&state, routes, context.clone(), render.clone())
        .fallback_service(static_files_or_not_found(
            &state.leptos_options.site_root,
            context,
            render,
        ))
        .layer(axum::middleware::from_fn(crate::fn_errors::status))
        .layer(axum::middleware::from_fn(crate::islands::only_where_needed))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            crate::page_cache::serve,
        ))
        .layer(axum::Extension(crate::page_cache::Pages::default()))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            crate::csrf::protect,
        ))
        .layer(axum::Extension(std::sync::Arc::new(
            crate::video::Rooms::default(),
        )))
        // Outside the CSRF check: a flood is turned away before any other work.
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            crate::throttle::limit,
        ))
        .layer(axum::Extension(std::sync::Arc::new(
            crate::throttle::Counters::default(),
        )))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            crate::assets::cache_headers,
        ))
        .layer(axum::middleware::from_fn(crate::metrics::record))
        .layer(CompressionLayer::new())
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::REFERRER_POLICY,
            HeaderValue::from_static("same-origin"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_FRAME_OPTIONS,
            HeaderValue::from_static("DENY"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static("default-src 'none'; frame-ancestors 'none'"),
        ))
        // Nothing the portal takes is larger than a form, except photos; a body past its
        // limit is refused (413) before anything reads it, whatever the route.
        .layer(axum::middleware::from_fn(limit_bodies))
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}

/// A rendered page's whole body (the server's own output, already complete: pages render
/// whole before they are sent), or the 500 to send when it failed midway.
pub(crate) async fn whole_body(body: Body) -> Result<axum::body::Bytes, Response> {
    axum::body::to_bytes(body, usize::MAX).await.map_err(|e| {
        tracing::error!(%e, "a page's body failed");
        StatusCode::INTERNAL_SERVER_ERROR.into_response()
    })
}

/// Holds every body to `MAX_FORM_BYTES`, and uploads of files to `MAX_UPLOAD_BODY`.
async fn limit_bodies(
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let limit = if request.method() == axum::http::Method::POST
        && crate::files::is_upload(request.uri().path())
    {
        crate::files::MAX_UPLOAD_BODY
    } else {
        crate::csrf::MAX_FORM_BYTES
    };
    let declared = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|length| length > limit) {
        return (StatusCode::PAYLOAD_TOO_LARGE, "too large").into_response();
    }
    let (parts, body) = request.into_parts();
    let body = Body::new(http_body_util::Limited::new(body, limit));
    next.run(Request::from_parts(parts, body)).await
}

/// `GET /healthz`: 200 when the database answers, 503 when it does not.
async fn health(State(state): State<AppState>) -> impl IntoResponse {
    let database = domain::db::ping(&state.db).await;
    let status = if database {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    let body = serde_json::json!({
        "status": if database { "ok" } else { "unavailable" },
        "database": if database { "ok" } else { "unreachable" },
        "engine": match state.db.get_database_backend() {
            domain::DbBackend::Postgres => "postgres",
            domain::DbBackend::Sqlite => "sqlite",
            _ => "other",
        },
        "version": env!("CARGO_PKG_VERSION"),
    });
    (status, [(header::CACHE_CONTROL, "no-store")], Json(body))
}
