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

/// The part of a client's address that stands for one subscriber, which is what limits count:
/// an IPv4 address, or the /64 network of an IPv6 one. A home or a phone is given a whole /64
/// and may take a new address in it for every request, so a limit per IPv6 address would be
/// no limit; and the sign-in throttle keeps no more of the address than it needs. An IPv4
/// client seen through IPv6 (mapped, or translated by a NAT64 gateway in 64:ff9b::/96) is
/// its IPv4 address: all of a gateway's clients share one /64.
pub fn subscriber(ip: std::net::IpAddr) -> std::net::IpAddr {
    use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
    let IpAddr::V6(v6) = ip else {
        return ip;
    };
    if let Some(v4) = v6.to_ipv4_mapped() {
        return IpAddr::V4(v4);
    }
    match v6.segments() {
        [0x64, 0xff9b, 0, 0, 0, 0, high, low] => {
            IpAddr::V4(Ipv4Addr::from((u32::from(high) << 16) | u32::from(low)))
        }
        [a, b, c, d, ..] => IpAddr::V6(Ipv6Addr::new(a, b, c, d, 0, 0, 0, 0)),
    }
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

#[cfg(test)]
mod tests {
    use super::subscriber;
    use std::net::IpAddr;

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap_or(IpAddr::from([0, 0, 0, 0]))
    }

    #[test]
    fn an_ipv6_subscriber_is_its_slash_64_and_ipv4_stays_whole() {
        assert_eq!(subscriber(ip("203.0.113.7")), ip("203.0.113.7"));
        assert_eq!(
            subscriber(ip("2408:8456:1:2:aaaa:bbbb:cccc:dddd")),
            ip("2408:8456:1:2::")
        );
        assert_eq!(
            subscriber(ip("2408:8456:1:2::1")),
            subscriber(ip("2408:8456:1:2:ffff::9")),
            "two addresses of one phone's network"
        );
        assert_ne!(
            subscriber(ip("2408:8456:1:2::1")),
            subscriber(ip("2408:8456:1:3::1"))
        );
        assert_eq!(subscriber(ip("::ffff:203.0.113.7")), ip("203.0.113.7"));
        assert_eq!(subscriber(ip("64:ff9b::203.0.113.7")), ip("203.0.113.7"));
        assert_ne!(
            subscriber(ip("64:ff9b::203.0.113.7")),
            subscriber(ip("64:ff9b::203.0.113.8")),
            "two clients of one NAT64 gateway"
        );
    }
}
