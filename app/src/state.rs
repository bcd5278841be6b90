//! What server functions reach on the server: the database and the options, handed in
//! through context by the router and the server-function handler alike.

use leptos::prelude::*;

use crate::error::AppError;

#[derive(Clone, Debug)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub db: domain::DatabaseConnection,
    pub cookies: crate::security::ssr::CookiePolicy,
    pub sessions: domain::accounts::SessionPolicy,
    /// Whether `X-Forwarded-For` comes from our own reverse proxy and names the client.
    pub trust_proxy: bool,
    /// The mediation cut-off and request limits.
    pub mediation: domain::mediation::Policy,
    /// How much people may post in the tea house.
    pub teahouse: domain::teahouse::Limits,
    /// When video mediation rooms open and close.
    pub video: domain::mediation::video::VideoPolicy,
    /// STUN/TURN servers for the browsers, as JSON.
    pub ice_servers: String,
    /// Requests and writes one client address may make in a minute.
    pub limits: AddressLimits,
}

#[derive(Clone, Copy, Debug)]
pub struct AddressLimits {
    pub requests_per_minute: u32,
    pub writes_per_minute: u32,
}

impl AppState {
    /// The client our own reverse proxy names: the first hop of `X-Forwarded-For`, when the
    /// proxy is trusted to set it.
    pub fn forwarded_client<'a>(&self, headers: &'a axum::http::HeaderMap) -> Option<&'a str> {
        self.trust_proxy
            .then(|| headers.get("x-forwarded-for"))
            .flatten()
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(',').next())
            .map(str::trim)
    }
}

/// The address at the other end of the connection.
pub fn peer_address(extensions: &axum::http::Extensions) -> Option<std::net::IpAddr> {
    extensions
        .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
        .map(|info| info.0.ip())
}

impl Default for AddressLimits {
    fn default() -> Self {
        AddressLimits {
            requests_per_minute: 600,
            writes_per_minute: 60,
        }
    }
}

impl axum::extract::FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}

/// The state of the server; an error (not a panic) if the context is missing.
pub fn state() -> Result<AppState, AppError> {
    use_context::<AppState>().ok_or_else(|| {
        tracing::error!("AppState missing from context");
        AppError::Server
    })
}

/// The database pool.
pub fn db() -> Result<domain::DatabaseConnection, AppError> {
    state().map(|s| s.db)
}
