//! The portal's server: configuration, start-up, routes. `main.rs` is only the command line.

pub mod api;
pub mod assets;
pub mod audit;
pub mod calendar;
pub mod config;
pub mod csrf;
pub mod directory;
pub mod feeds;
pub mod files;
pub mod fn_errors;
pub mod islands;
pub mod jobs;
pub mod metrics;
pub mod my_data;
pub mod outbox;
pub mod page_cache;
pub mod pwa;
pub mod routes;
pub mod throttle;
pub mod video;

use app::state::AppState;
use domain::DatabaseConnection;

pub use routes::router;

/// Everything `serve` needs, built from a migrated database.
pub fn state(
    db: DatabaseConnection,
    leptos_options: leptos::config::LeptosOptions,
    web: config::WebSettings,
) -> Result<AppState, domain::Error> {
    let public_url = public_url(&web, &leptos_options);
    let files = web.files.store()?;
    tracing::info!(store = files.describe(), "photos and documents");
    Ok(AppState {
        leptos_options: leptos_options.clone(),
        db,
        cookies: app::security::ssr::CookiePolicy { secure: web.https },
        sessions: web.sessions,
        trust_proxy: web.trust_proxy,
        metrics_token: web.metrics_token,
        demo_sign_in: web.demo_sign_in || !web.https,
        public_url,
        mediation: web.mediation,
        teahouse: web.teahouse,
        video: web.video,
        ice_servers: web.ice_servers,
        limits: web.limits,
        phone_codes: web.phone_codes,
        wechat: web.wechat,
        email: web.email,
        files,
    })
}

/// Where people reach the portal: `PORTAL_PUBLIC_URL`, or the address served.
pub fn public_url(
    web: &config::WebSettings,
    leptos_options: &leptos::config::LeptosOptions,
) -> String {
    web.public_url.clone().unwrap_or_else(|| {
        let scheme = if web.https { "https" } else { "http" };
        format!("{scheme}://{}", leptos_options.site_addr)
    })
}
