//! The portal as an app on the phone's home screen: the web app manifest, named after the
//! station once it is set up (`public/sw.js` is the service worker, `public/icons` its icons).

use axum::extract::State;
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Response};

use app::i18n::{I18n, Locale};
use app::state::AppState;

/// `GET /manifest.webmanifest`: name, icons, colours, and where the app starts, in the
/// language of the browser that asks (Chinese first).
pub async fn manifest(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let locale = headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split([',', ';']).next())
        .and_then(Locale::from_tag)
        .unwrap_or_default();
    let i18n = I18n { locale };
    let station = match domain::station::get(&state.db).await {
        Ok(station) => station,
        Err(e) => {
            tracing::warn!(%e, "reading the station for the manifest");
            None
        }
    };
    let name = station.map_or_else(|| i18n.t("pwa-name"), |s| s.name);
    let body = serde_json::json!({
        "name": name,
        "short_name": i18n.t("site-name"),
        "lang": locale.tag(),
        "start_url": "/",
        "scope": "/",
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": "#1d4e89",
        "icons": [
            {"src": "/icons/192.png", "sizes": "192x192", "type": "image/png", "purpose": "any"},
            {"src": "/icons/512.png", "sizes": "512x512", "type": "image/png", "purpose": "any"},
            {"src": "/icons/512.png", "sizes": "512x512", "type": "image/png", "purpose": "maskable"},
        ],
    });
    (
        [
            (header::CONTENT_TYPE, "application/manifest+json"),
            // A renamed station shows on the next visit.
            (header::CACHE_CONTROL, "no-cache"),
        ],
        body.to_string(),
    )
        .into_response()
}
