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
    /// Which reverse proxies may name the client in `X-Forwarded-For`.
    pub trust_proxy: TrustProxy,
    /// The address people reach the portal at (`PORTAL_PUBLIC_URL`), without a trailing
    /// slash: every absolute link is made from it, never from the request's `Host`.
    pub public_url: String,
    /// Whether the demo accounts' published password may sign in over https
    /// (`PORTAL_DEMO_SIGN_IN`); over plain http, on a developer's machine, it always may.
    pub demo_sign_in: bool,
    /// `/metrics` answers anyone presenting this bearer token (`PORTAL_METRICS_TOKEN`).
    pub metrics_token: Option<String>,
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
    /// 短信验证码 in use (an SMS provider is configured): registration needs a texted code,
    /// "forgot password" texts one, and only proven numbers book mediation.
    pub phone_codes: bool,
    /// The station's WeChat Official Account, when messages go out by WeChat: 我的 offers
    /// to link one's WeChat through it.
    pub wechat: Option<WechatApp>,
    /// E-mail goes out (an SMTP relay is configured): 我的 offers to add an address.
    pub email: bool,
    /// Where photos and documents are kept.
    pub files: domain::files::Store,
}

/// A WeChat Official Account (微信公众号) as the station registered it.
#[derive(Clone)]
pub struct WechatApp {
    pub app_id: String,
    pub secret: String,
    /// The API's origin, `https://api.weixin.qq.com` (the tests' fake on loopback).
    pub api_url: String,
    /// Where WeChat asks the person to let the Official Account know who they are,
    /// `https://open.weixin.qq.com/connect/oauth2/authorize`.
    pub authorize_url: String,
}

// The secret stays out of every log line that prints the state.
impl std::fmt::Debug for WechatApp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WechatApp")
            .field("app_id", &self.app_id)
            .field("api_url", &self.api_url)
            .field("authorize_url", &self.authorize_url)
            .finish_non_exhaustive()
    }
}

#[derive(Clone, Copy, Debug)]
pub struct AddressLimits {
    pub requests_per_minute: u32,
    pub writes_per_minute: u32,
}

/// Who may tell the portal the client's address (`PORTAL_TRUST_PROXY`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum TrustProxy {
    /// Nobody: the client is the other end of the connection (`false`, the default).
    #[default]
    Nobody,
    /// The one proxy in front (`true`), which writes the address it saw as the last hop of
    /// `X-Forwarded-For`; the portal must then listen where only that proxy reaches it.
    LastHop,
    /// Proxies in these networks (`127.0.0.1/32,10.0.0.0/8`): hops they added are skipped
    /// from the right, and the first hop outside them is the client.
    Networks(Vec<Network>),
}

/// An IP network such as `10.0.0.0/8` or `2408:8456::/32`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Network {
    base: std::net::IpAddr,
    prefix: u8,
}

impl std::str::FromStr for Network {
    type Err = String;

    fn from_str(text: &str) -> Result<Network, String> {
        let text = text.trim();
        let (base, prefix) = text.split_once('/').unwrap_or((text, ""));
        let base: std::net::IpAddr = base
            .parse()
            .map_err(|_| format!("{text:?} is not an IP network"))?;
        let bits = if base.is_ipv4() { 32 } else { 128 };
        let prefix = if prefix.is_empty() {
            bits
        } else {
            prefix
                .parse::<u8>()
                .ok()
                .filter(|p| *p <= bits)
                .ok_or_else(|| format!("{text:?} has no valid prefix length"))?
        };
        Ok(Network { base, prefix })
    }
}

impl Network {
    pub fn contains(&self, ip: std::net::IpAddr) -> bool {
        use std::net::IpAddr;
        let (base, ip, bits) = match (self.base, canonical(ip)) {
            (IpAddr::V4(base), IpAddr::V4(ip)) => {
                (u128::from(u32::from(base)), u128::from(u32::from(ip)), 32)
            }
            (IpAddr::V6(base), IpAddr::V6(ip)) => (u128::from(base), u128::from(ip), 128),
            _ => return false,
        };
        let shift = bits - u32::from(self.prefix);
        shift >= bits || (base >> shift) == (ip >> shift)
    }
}

/// An IPv4 address written as IPv6 (`::ffff:a.b.c.d`, as a dual-stack socket reports it)
/// is the IPv4 address.
pub fn canonical(ip: std::net::IpAddr) -> std::net::IpAddr {
    match ip {
        std::net::IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, std::net::IpAddr::V4),
        v4 => v4,
    }
}

/// One hop of `X-Forwarded-For`: an address, perhaps with a port; anything else is none.
fn hop(text: &str) -> Option<std::net::IpAddr> {
    let text = text.trim();
    text.parse()
        .ok()
        .or_else(|| text.parse::<std::net::SocketAddr>().ok().map(|s| s.ip()))
        .map(canonical)
}

impl TrustProxy {
    /// The client of a request that came from `peer`: the peer itself, or the hop our
    /// trusted proxies name. `None` when a trusted proxy names no readable address.
    pub fn client(
        &self,
        peer: std::net::IpAddr,
        headers: &axum::http::HeaderMap,
    ) -> Option<std::net::IpAddr> {
        let peer = canonical(peer);
        let trusted = |ip: std::net::IpAddr| match self {
            TrustProxy::Nobody => false,
            TrustProxy::LastHop => true,
            TrustProxy::Networks(networks) => networks.iter().any(|n| n.contains(ip)),
        };
        if !trusted(peer) {
            return Some(peer);
        }
        // Several headers count as one list, in order.
        let hops: Vec<&str> = headers
            .get_all("x-forwarded-for")
            .iter()
            .map(|v| v.to_str().unwrap_or("?"))
            .flat_map(|v| v.split(','))
            .collect();
        match self {
            TrustProxy::Nobody => Some(peer),
            TrustProxy::LastHop => hops.last().and_then(|h| hop(h)),
            TrustProxy::Networks(_) => {
                let mut client = peer;
                for text in hops.iter().rev() {
                    client = hop(text)?;
                    if !trusted(client) {
                        break;
                    }
                }
                Some(client)
            }
        }
    }
}

impl AppState {
    /// The client of a request: see [`TrustProxy::client`]. `None` when the connection's
    /// address is unknown, or a trusted proxy named none that can be read.
    pub fn client(
        &self,
        headers: &axum::http::HeaderMap,
        extensions: &axum::http::Extensions,
    ) -> Option<std::net::IpAddr> {
        self.trust_proxy.client(peer_address(extensions)?, headers)
    }
}

/// Whether a proxy says it passed the request on (`X-Forwarded-For` or `Forwarded`): a
/// proxy on the same machine forwards strangers from a loopback address, so such a request
/// is never the machine's own, whatever its connection.
pub fn came_through_a_proxy(headers: &axum::http::HeaderMap) -> bool {
    headers.contains_key("x-forwarded-for") || headers.contains_key("forwarded")
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
    use super::{TrustProxy, subscriber};
    use axum::http::HeaderMap;
    use std::net::IpAddr;

    fn forwarded(values: &[&str]) -> HeaderMap {
        let mut headers = HeaderMap::new();
        for value in values {
            if let Ok(value) = value.parse() {
                headers.append("x-forwarded-for", value);
            }
        }
        headers
    }

    #[test]
    fn without_a_trusted_proxy_the_client_is_the_connection_whatever_it_claims() {
        let nobody = TrustProxy::Nobody;
        assert_eq!(
            nobody.client(ip("203.0.113.7"), &forwarded(&["198.51.100.1"])),
            Some(ip("203.0.113.7"))
        );
        let networks = TrustProxy::Networks(vec![
            "127.0.0.1/32"
                .parse()
                .unwrap_or_else(|_| unreachable!("a valid network")),
        ]);
        assert_eq!(
            networks.client(ip("203.0.113.7"), &forwarded(&["198.51.100.1"])),
            Some(ip("203.0.113.7")),
            "a peer outside the proxies' networks cannot forge its address"
        );
    }

    #[test]
    fn the_one_trusted_proxy_names_the_client_in_the_last_hop() {
        let proxy = TrustProxy::LastHop;
        let nginx = ip("127.0.0.1");
        assert_eq!(
            proxy.client(nginx, &forwarded(&["198.51.100.1, 203.0.113.7"])),
            Some(ip("203.0.113.7")),
            "a hop the client wrote itself is not believed"
        );
        assert_eq!(
            proxy.client(nginx, &forwarded(&["198.51.100.1", "2408:8456:1:2::9"])),
            Some(ip("2408:8456:1:2::9")),
            "two headers are one list"
        );
        assert_eq!(proxy.client(nginx, &forwarded(&["not-an-address"])), None);
        assert_eq!(
            proxy.client(nginx, &forwarded(&[])),
            None,
            "no header: unknown"
        );
        assert_eq!(
            proxy.client(nginx, &forwarded(&["203.0.113.7:4711"])),
            Some(ip("203.0.113.7"))
        );
    }

    #[test]
    fn hops_added_by_trusted_networks_are_skipped_from_the_right() {
        let networks = ["10.0.0.0/8", "127.0.0.1", "fd00::/8"]
            .iter()
            .filter_map(|n| n.parse().ok())
            .collect::<Vec<_>>();
        assert_eq!(networks.len(), 3);
        let proxies = TrustProxy::Networks(networks);
        assert_eq!(
            proxies.client(
                ip("127.0.0.1"),
                &forwarded(&["198.51.100.1, 203.0.113.7, 10.1.2.3"])
            ),
            Some(ip("203.0.113.7"))
        );
        assert_eq!(
            proxies.client(ip("::ffff:10.9.9.9"), &forwarded(&["203.0.113.7"])),
            Some(ip("203.0.113.7")),
            "a mapped IPv4 peer is its IPv4 address"
        );
        assert_eq!(
            proxies.client(
                ip("127.0.0.1"),
                &forwarded(&["junk, 203.0.113.7, 10.1.2.3"])
            ),
            Some(ip("203.0.113.7")),
            "only the hops up to the client are read"
        );
        assert_eq!(
            proxies.client(
                ip("127.0.0.1"),
                &forwarded(&["203.0.113.7, junk, 10.1.2.3"])
            ),
            None,
            "a trusted proxy that names no address names nobody"
        );
        assert!(
            "10.0.0.0/33".parse::<super::Network>().is_err()
                && "example".parse::<super::Network>().is_err()
        );
    }

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
