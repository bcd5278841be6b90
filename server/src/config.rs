//! Configuration from the environment, with the defaults the README documents.

use leptos::config::LeptosOptions;

#[derive(Clone, Debug)]
pub struct Config {
    /// `DATABASE_URL`: SQLite file by default, or `postgres://…`.
    pub database_url: String,
    /// `PORTAL_LOG_FORMAT=json` for machine-read logs; human-readable otherwise.
    pub json_logs: bool,
    /// `LEPTOS_SITE_ADDR`, `LEPTOS_SITE_ROOT`, … as read by Leptos.
    pub leptos: LeptosOptions,
    pub web: WebSettings,
}

/// How the web layer treats browsers.
#[derive(Clone, Debug)]
pub struct WebSettings {
    /// `PORTAL_HTTPS=true` when the portal is served over https (by a proxy in front):
    /// cookies become `Secure` and take the `__Host-` prefix.
    pub https: bool,
    /// `PORTAL_SESSION_IDLE_MINUTES` (30) and `PORTAL_SESSION_ABSOLUTE_HOURS` (12).
    pub sessions: domain::accounts::SessionPolicy,
    /// `PORTAL_TRUST_PROXY`: `false` (the default) — the client is the connection's peer;
    /// `true` — one proxy of ours in front writes the client as the last hop of
    /// `X-Forwarded-For`; or a list of the proxies' networks, `127.0.0.1/32,10.0.0.0/8`.
    pub trust_proxy: app::state::TrustProxy,
    /// `PORTAL_PUBLIC_URL`: where people reach the portal, e.g. `https://jjw.example.cn`;
    /// feeds and every absolute link use it. Unset: `http(s)://` and `LEPTOS_SITE_ADDR`.
    pub public_url: Option<String>,
    /// `PORTAL_METRICS_TOKEN`: `/metrics` answers a request with this bearer token from
    /// anywhere; without it, only loopback requests that came through no proxy.
    pub metrics_token: Option<String>,
    /// `PORTAL_DEMO_SIGN_IN=true` lets the demo accounts' published password sign in when
    /// the portal is served over https, for a public demonstration; a real deployment never
    /// sets it.
    pub demo_sign_in: bool,
    /// `PORTAL_MEDIATION_CUTOFF_HOURS` (2): until when residents may change a booking.
    pub mediation: domain::mediation::Policy,
    /// Tea-house posting limits: `PORTAL_TEAHOUSE_NEW_THREADS` (3) and
    /// `PORTAL_TEAHOUSE_NEW_REPLIES` (10) in an account's first day, and
    /// `PORTAL_TEAHOUSE_POSTS_PER_10_MIN` (10) for everybody.
    pub teahouse: domain::teahouse::Limits,
    /// `PORTAL_ESCALATION_SECONDS` (60): how often the server looks for overdue cases.
    pub escalation_interval: std::time::Duration,
    /// `PORTAL_VIDEO_EARLY_MINUTES` (10): how long before a video mediation its room opens.
    pub video: domain::mediation::video::VideoPolicy,
    /// `PORTAL_REQUESTS_PER_MINUTE` (600) and `PORTAL_WRITES_PER_MINUTE` (60): per client
    /// address, for every request and for every write.
    pub limits: app::state::AddressLimits,
    /// `PORTAL_ICE_SERVERS` (`[]`): the STUN/TURN servers browsers use for video, as the JSON
    /// of `RTCConfiguration.iceServers`, e.g. `[{"urls":"turn:turn.example.cn","username":"u",
    /// "credential":"p"}]`. None is needed on one machine or a LAN.
    pub ice_servers: String,
}

fn flag(name: &str) -> bool {
    std::env::var(name).is_ok_and(|v| matches!(v.as_str(), "1" | "true" | "yes"))
}

fn number(name: &str, default: i64) -> Result<i64, String> {
    match std::env::var(name) {
        Ok(v) => v
            .trim()
            .parse()
            .ok()
            .filter(|n| *n > 0)
            .ok_or_else(|| format!("{name} must be a positive number, not {v:?}")),
        Err(_) => Ok(default),
    }
}

fn trust_proxy() -> Result<app::state::TrustProxy, String> {
    use app::state::TrustProxy;
    let Ok(value) = std::env::var("PORTAL_TRUST_PROXY") else {
        return Ok(TrustProxy::Nobody);
    };
    match value.trim() {
        "" | "0" | "false" | "no" => Ok(TrustProxy::Nobody),
        "1" | "true" | "yes" => Ok(TrustProxy::LastHop),
        list => list
            .split(',')
            .map(str::parse)
            .collect::<Result<Vec<_>, String>>()
            .map(TrustProxy::Networks)
            .map_err(|e| {
                format!("PORTAL_TRUST_PROXY must be true, false or a list of networks: {e}")
            }),
    }
}

/// `PORTAL_PUBLIC_URL` as `scheme://host[:port]`, checked so that it can only ever make
/// links to the portal.
fn public_url() -> Result<Option<String>, String> {
    let Ok(value) = std::env::var("PORTAL_PUBLIC_URL") else {
        return Ok(None);
    };
    let url = value.trim().trim_end_matches('/');
    if url.is_empty() {
        return Ok(None);
    }
    let uri: axum::http::Uri = url
        .parse()
        .map_err(|e| format!("PORTAL_PUBLIC_URL {value:?} is not a URL: {e}"))?;
    let web = matches!(uri.scheme_str(), Some("http" | "https"));
    let bare = uri.path() == "/" && uri.query().is_none();
    let host = uri.authority().is_some_and(|a| !a.as_str().contains('@'));
    if !(web && bare && host) {
        return Err(format!(
            "PORTAL_PUBLIC_URL must be http(s)://host[:port] with nothing after it, not {value:?}"
        ));
    }
    Ok(Some(url.to_owned()))
}

impl Default for WebSettings {
    fn default() -> Self {
        WebSettings {
            https: false,
            sessions: Default::default(),
            trust_proxy: Default::default(),
            public_url: None,
            metrics_token: None,
            demo_sign_in: false,
            mediation: Default::default(),
            teahouse: Default::default(),
            escalation_interval: std::time::Duration::from_secs(60),
            video: Default::default(),
            limits: Default::default(),
            ice_servers: "[]".to_owned(),
        }
    }
}

impl WebSettings {
    pub fn from_env() -> Result<WebSettings, String> {
        Ok(WebSettings {
            https: flag("PORTAL_HTTPS"),
            sessions: domain::accounts::SessionPolicy {
                idle: chrono::Duration::minutes(number("PORTAL_SESSION_IDLE_MINUTES", 30)?),
                absolute: chrono::Duration::hours(number("PORTAL_SESSION_ABSOLUTE_HOURS", 12)?),
            },
            trust_proxy: trust_proxy()?,
            public_url: public_url()?,
            metrics_token: std::env::var("PORTAL_METRICS_TOKEN")
                .ok()
                .filter(|t| !t.is_empty()),
            demo_sign_in: flag("PORTAL_DEMO_SIGN_IN"),
            mediation: domain::mediation::Policy {
                cutoff: chrono::Duration::hours(number("PORTAL_MEDIATION_CUTOFF_HOURS", 2)?),
                ..Default::default()
            },
            teahouse: domain::teahouse::Limits {
                new_account_threads: number("PORTAL_TEAHOUSE_NEW_THREADS", 3)?.unsigned_abs(),
                new_account_replies: number("PORTAL_TEAHOUSE_NEW_REPLIES", 10)?.unsigned_abs(),
                posts_per_window: number("PORTAL_TEAHOUSE_POSTS_PER_10_MIN", 10)?.unsigned_abs(),
                window_minutes: 10,
                ..Default::default()
            },
            escalation_interval: std::time::Duration::from_secs(
                number("PORTAL_ESCALATION_SECONDS", 60)?.unsigned_abs(),
            ),
            video: domain::mediation::video::VideoPolicy {
                early: chrono::Duration::minutes(number("PORTAL_VIDEO_EARLY_MINUTES", 10)?),
                ..Default::default()
            },
            limits: app::state::AddressLimits {
                requests_per_minute: u32::try_from(number("PORTAL_REQUESTS_PER_MINUTE", 600)?)
                    .unwrap_or(u32::MAX),
                writes_per_minute: u32::try_from(number("PORTAL_WRITES_PER_MINUTE", 60)?)
                    .unwrap_or(u32::MAX),
            },
            ice_servers: match std::env::var("PORTAL_ICE_SERVERS") {
                Ok(json) => {
                    serde_json::from_str::<Vec<serde_json::Value>>(&json).map_err(|e| {
                        format!("PORTAL_ICE_SERVERS must be a JSON array of ICE servers: {e}")
                    })?;
                    json
                }
                Err(_) => "[]".to_owned(),
            },
        })
    }
}

impl Config {
    pub fn from_env() -> Result<Config, String> {
        let leptos = leptos::config::get_configuration(None)
            .map_err(|e| format!("Leptos configuration: {e}"))?
            .leptos_options;
        Ok(Config {
            database_url: std::env::var("DATABASE_URL")
                .unwrap_or_else(|_| domain::db::DEFAULT_DATABASE_URL.to_owned()),
            json_logs: std::env::var("PORTAL_LOG_FORMAT").is_ok_and(|f| f == "json"),
            leptos,
            web: WebSettings::from_env()?,
        })
    }
}
