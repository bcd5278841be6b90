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
    /// What leaves the portal, and how: see `OutboxSettings`.
    pub outbox: OutboxSettings,
}

/// 消息外发: the SMS provider and the outbox's worker.
#[derive(Clone, Debug)]
pub struct OutboxSettings {
    /// `PORTAL_SMS`: `log` (the default: texts are written to the log, not sent) or `aliyun`.
    pub sms: SmsProvider,
    /// `PORTAL_SMS_SIGN_NAME` (家警务): the station's approved SMS signature, no brackets.
    pub sign_name: String,
    /// `PORTAL_SMS_DAILY_BUDGET` (500): non-urgent texts a day; urgent notices always go.
    pub daily_budget: u32,
    /// `PORTAL_OUTBOX_SECONDS` (5): how often each process looks for due messages.
    pub interval: std::time::Duration,
    /// `PORTAL_OUTBOX_MAX_TRIES` (5) and `PORTAL_OUTBOX_FIRST_RETRY_SECONDS` (30): a failing
    /// message is tried again after 30 s, 60 s, 120 s … (at most an hour apart), then given up.
    pub retry: domain::outbox::RetryPolicy,
    /// WeChat template messages, when `PORTAL_WECHAT_APP_ID` is set: see `WechatSettings`.
    pub wechat: Option<WechatSettings>,
    /// E-mail, when `PORTAL_SMTP_HOST` is set: `PORTAL_SMTP_PORT` (587),
    /// `PORTAL_SMTP_USER`, `PORTAL_SMTP_PASSWORD`, `PORTAL_SMTP_FROM` and, for a relay whose
    /// certificate no public CA signed, `PORTAL_SMTP_CA_FILE`.
    pub email: Option<crate::outbox::email::EmailSettings>,
}

/// 微信公众号: `PORTAL_WECHAT_APP_ID`, `PORTAL_WECHAT_APP_SECRET`, `PORTAL_WECHAT_TEMPLATES`
/// (the approved template of every kind a person chooses,
/// `urgent=T1,case=T2,reminder=T3,volunteer=T4,teahouse=T5`, each with the fields `thing1`
/// and `time2`), and `PORTAL_WECHAT_API_URL` / `PORTAL_WECHAT_AUTHORIZE_URL` (WeChat's own
/// by default; the tests' fake otherwise).
#[derive(Clone, Debug)]
pub struct WechatSettings {
    pub app: app::state::WechatApp,
    pub templates: std::collections::BTreeMap<domain::outbox::Kind, String>,
}

/// Where texts go.
#[derive(Clone, Debug)]
pub enum SmsProvider {
    Log,
    /// 阿里云短信: `PORTAL_ALIYUN_SMS_URL` (https://dysmsapi.aliyuncs.com/),
    /// `PORTAL_ALIYUN_ACCESS_KEY_ID`, `PORTAL_ALIYUN_ACCESS_KEY_SECRET`, and
    /// `PORTAL_SMS_TEMPLATES`: the approved template of every kind,
    /// `urgent=SMS_1,case=SMS_2,reminder=SMS_3,volunteer=SMS_4,teahouse=SMS_5,code=SMS_6`.
    Aliyun {
        endpoint: String,
        access_key_id: String,
        access_key_secret: String,
        templates: std::collections::BTreeMap<domain::outbox::Kind, String>,
    },
}

impl OutboxSettings {
    /// The worker as these settings make it, sending links to `public_url`.
    pub fn outbox(&self, public_url: String) -> Result<crate::outbox::Outbox, String> {
        let mut outbox = crate::outbox::Outbox::logging(public_url);
        outbox.sign_name = self.sign_name.clone();
        outbox.daily_budget = self.daily_budget;
        outbox.retry = self.retry;
        if let SmsProvider::Aliyun {
            endpoint,
            access_key_id,
            access_key_secret,
            templates,
        } = &self.sms
        {
            // No timeout of the client's own: the worker gives every provider the same one.
            let client = reqwest::Client::builder()
                .build()
                .map_err(|e| format!("an HTTPS client for the SMS provider: {e}"))?;
            outbox.sms = Box::new(crate::outbox::aliyun::Aliyun {
                endpoint: endpoint.clone(),
                access_key_id: access_key_id.clone(),
                access_key_secret: access_key_secret.clone(),
                sign_name: self.sign_name.clone(),
                templates: templates.clone(),
                client,
            });
        }
        if let Some(wechat) = &self.wechat {
            outbox.wechat = Some(crate::outbox::wechat::Wechat::new(
                wechat.app.clone(),
                wechat.templates.clone(),
            )?);
        }
        if let Some(email) = &self.email {
            outbox.email = Some(crate::outbox::email::Email::new(email)?);
        }
        Ok(outbox)
    }
}

impl Default for OutboxSettings {
    fn default() -> Self {
        OutboxSettings {
            sms: SmsProvider::Log,
            sign_name: "家警务".to_owned(),
            daily_budget: 500,
            interval: std::time::Duration::from_secs(5),
            retry: Default::default(),
            wechat: None,
            email: None,
        }
    }
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
    /// 短信验证码 in use: true when `PORTAL_SMS` names a provider (texts can reach people).
    pub phone_codes: bool,
    /// The WeChat Official Account people link their WeChat through (`PORTAL_WECHAT_*`).
    pub wechat: Option<app::state::WechatApp>,
    /// Whether e-mail goes out (`PORTAL_SMTP_HOST` is set).
    pub email: bool,
    /// Where photos and documents are kept: see `FilesAt`.
    pub files: FilesAt,
}

/// Where photos and documents are kept: `PORTAL_FILES_DIR` (`data/files`) on this machine,
/// or, when `PORTAL_S3_BUCKET` is set, an S3-compatible bucket that several servers share:
/// `PORTAL_S3_ENDPOINT`, `PORTAL_S3_REGION` (`us-east-1`), `PORTAL_S3_ACCESS_KEY` and
/// `PORTAL_S3_SECRET_KEY`.
#[derive(Clone, Debug)]
pub enum FilesAt {
    Directory(std::path::PathBuf),
    Bucket(domain::files::S3),
}

impl FilesAt {
    pub fn store(&self) -> Result<domain::files::Store, domain::Error> {
        match self {
            FilesAt::Directory(dir) => domain::files::Store::local(dir),
            FilesAt::Bucket(bucket) => domain::files::Store::s3(bucket),
        }
    }
}

/// Every setting the operator gives, from the environment (or the flag of the same name):
/// `portal --help` lists them with their defaults. Each value is named after its variable,
/// so that a refusal names what the operator wrote. (`--portal-public-url`: `init` has its
/// own `--public-url`, the station's address as stored.)
#[derive(clap::Args, Clone, Debug)]
pub struct Settings {
    /// SQLite file by default, or postgres://user@host/db.
    #[arg(long, env = "DATABASE_URL", value_name = "DATABASE_URL", default_value = domain::db::DEFAULT_DATABASE_URL, global = true)]
    database_url: String,
    /// `json` for machine-read logs; human-readable otherwise.
    #[arg(
        long,
        env = "PORTAL_LOG_FORMAT",
        value_name = "PORTAL_LOG_FORMAT",
        default_value = "text",
        global = true
    )]
    log_format: String,
    /// Served over https by a proxy in front: cookies become Secure and __Host- prefixed.
    #[arg(long, env = "PORTAL_HTTPS", value_name = "PORTAL_HTTPS", value_parser = yes_or_no, default_value = "false", global = true)]
    https: bool,
    /// Minutes a session lasts without use.
    #[arg(long, env = "PORTAL_SESSION_IDLE_MINUTES", value_name = "PORTAL_SESSION_IDLE_MINUTES", default_value_t = 30, value_parser = clap::value_parser!(u32).range(1..), global = true)]
    session_idle_minutes: u32,
    /// Hours a session lasts at most.
    #[arg(long, env = "PORTAL_SESSION_ABSOLUTE_HOURS", value_name = "PORTAL_SESSION_ABSOLUTE_HOURS", default_value_t = 12, value_parser = clap::value_parser!(u32).range(1..), global = true)]
    session_absolute_hours: u32,
    /// false: the client is the connection's peer; true: one proxy of ours writes it as the
    /// last hop of X-Forwarded-For; or the proxies' networks, 127.0.0.1/32,10.0.0.0/8.
    #[arg(long, env = "PORTAL_TRUST_PROXY", value_name = "PORTAL_TRUST_PROXY", value_parser = trust_proxy, default_value = "false", global = true)]
    trust_proxy: app::state::TrustProxy,
    /// Where people reach the portal, e.g. https://jjw.example.cn: feeds and every absolute
    /// link use it. Unset: http(s):// and LEPTOS_SITE_ADDR.
    #[arg(id = "portal_public_url", long = "portal-public-url", env = "PORTAL_PUBLIC_URL", value_name = "PORTAL_PUBLIC_URL", value_parser = public_url, global = true)]
    public_url: Option<PublicUrl>,
    /// /metrics answers a request with this bearer token from anywhere; without it, only
    /// loopback requests that came through no proxy.
    #[arg(
        long,
        env = "PORTAL_METRICS_TOKEN",
        value_name = "PORTAL_METRICS_TOKEN",
        global = true
    )]
    metrics_token: Option<String>,
    /// Lets the demo accounts' published password sign in over https, for a public
    /// demonstration; a real deployment never sets it.
    #[arg(long, env = "PORTAL_DEMO_SIGN_IN", value_name = "PORTAL_DEMO_SIGN_IN", value_parser = yes_or_no, default_value = "false", global = true)]
    demo_sign_in: bool,
    /// Hours before a mediation until which residents may change their booking.
    #[arg(long, env = "PORTAL_MEDIATION_CUTOFF_HOURS", value_name = "PORTAL_MEDIATION_CUTOFF_HOURS", default_value_t = 2, value_parser = clap::value_parser!(u32).range(1..), global = true)]
    mediation_cutoff_hours: u32,
    /// Threads a tea-house account may start in its first day.
    #[arg(long, env = "PORTAL_TEAHOUSE_NEW_THREADS", value_name = "PORTAL_TEAHOUSE_NEW_THREADS", default_value_t = 3, value_parser = clap::value_parser!(u64).range(1..), global = true)]
    teahouse_new_threads: u64,
    /// Replies a tea-house account may write in its first day.
    #[arg(long, env = "PORTAL_TEAHOUSE_NEW_REPLIES", value_name = "PORTAL_TEAHOUSE_NEW_REPLIES", default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..), global = true)]
    teahouse_new_replies: u64,
    /// Tea-house posts anybody may write in 10 minutes.
    #[arg(long, env = "PORTAL_TEAHOUSE_POSTS_PER_10_MIN", default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..), global = true)]
    teahouse_posts_per_10_min: u64,
    /// Seconds between the server's looks for overdue cases.
    #[arg(long, env = "PORTAL_ESCALATION_SECONDS", value_name = "PORTAL_ESCALATION_SECONDS", default_value_t = 60, value_parser = clap::value_parser!(u64).range(1..), global = true)]
    escalation_seconds: u64,
    /// Minutes before a video mediation that its room opens.
    #[arg(long, env = "PORTAL_VIDEO_EARLY_MINUTES", value_name = "PORTAL_VIDEO_EARLY_MINUTES", default_value_t = 10, value_parser = clap::value_parser!(u32).range(1..), global = true)]
    video_early_minutes: u32,
    /// Requests per minute from one client address.
    #[arg(long, env = "PORTAL_REQUESTS_PER_MINUTE", value_name = "PORTAL_REQUESTS_PER_MINUTE", default_value_t = 600, value_parser = clap::value_parser!(u32).range(1..), global = true)]
    requests_per_minute: u32,
    /// Writes per minute from one client address.
    #[arg(long, env = "PORTAL_WRITES_PER_MINUTE", value_name = "PORTAL_WRITES_PER_MINUTE", default_value_t = 60, value_parser = clap::value_parser!(u32).range(1..), global = true)]
    writes_per_minute: u32,
    /// The STUN/TURN servers browsers use for video, as the JSON of RTCConfiguration's
    /// iceServers, e.g. [{"urls":"turn:turn.example.cn","username":"u","credential":"p"}].
    /// None is needed on one machine or a LAN.
    #[arg(long, env = "PORTAL_ICE_SERVERS", value_name = "PORTAL_ICE_SERVERS", value_parser = ice_servers, default_value = "[]", global = true)]
    ice_servers: IceServers,
    /// Where texts go: log (written to the log, not sent) or aliyun.
    #[arg(long, env = "PORTAL_SMS", value_name = "PORTAL_SMS", default_value = "log", value_parser = ["log", "aliyun"], global = true)]
    sms: String,
    /// The station's approved SMS signature, without the brackets.
    #[arg(
        long,
        env = "PORTAL_SMS_SIGN_NAME",
        value_name = "PORTAL_SMS_SIGN_NAME",
        default_value = "家警务",
        global = true
    )]
    sms_sign_name: String,
    /// Non-urgent texts a day; urgent notices always go.
    #[arg(
        long,
        env = "PORTAL_SMS_DAILY_BUDGET",
        value_name = "PORTAL_SMS_DAILY_BUDGET",
        default_value_t = 500,
        global = true
    )]
    sms_daily_budget: u32,
    /// The approved template of every kind of text:
    /// urgent=SMS_1,case=SMS_2,reminder=SMS_3,volunteer=SMS_4,teahouse=SMS_5,code=SMS_6.
    #[arg(long, env = "PORTAL_SMS_TEMPLATES", value_name = "PORTAL_SMS_TEMPLATES", value_parser = sms_templates, global = true)]
    sms_templates: Option<Templates>,
    /// 阿里云短信's address.
    #[arg(
        long,
        env = "PORTAL_ALIYUN_SMS_URL",
        value_name = "PORTAL_ALIYUN_SMS_URL",
        default_value = "https://dysmsapi.aliyuncs.com/",
        global = true
    )]
    aliyun_sms_url: String,
    #[arg(
        long,
        env = "PORTAL_ALIYUN_ACCESS_KEY_ID",
        value_name = "PORTAL_ALIYUN_ACCESS_KEY_ID",
        global = true
    )]
    aliyun_access_key_id: Option<String>,
    #[arg(
        long,
        env = "PORTAL_ALIYUN_ACCESS_KEY_SECRET",
        value_name = "PORTAL_ALIYUN_ACCESS_KEY_SECRET",
        hide_env_values = true,
        global = true
    )]
    aliyun_access_key_secret: Option<String>,
    /// Seconds between each process's looks for messages to send.
    #[arg(long, env = "PORTAL_OUTBOX_SECONDS", value_name = "PORTAL_OUTBOX_SECONDS", default_value_t = 5, value_parser = clap::value_parser!(u64).range(1..), global = true)]
    outbox_seconds: u64,
    /// Tries of a message before it is given up as failed.
    #[arg(long, env = "PORTAL_OUTBOX_MAX_TRIES", value_name = "PORTAL_OUTBOX_MAX_TRIES", default_value_t = 5, value_parser = clap::value_parser!(u32).range(1..), global = true)]
    outbox_max_tries: u32,
    /// Seconds before the second try; each later wait is twice the one before.
    #[arg(long, env = "PORTAL_OUTBOX_FIRST_RETRY_SECONDS", value_name = "PORTAL_OUTBOX_FIRST_RETRY_SECONDS", default_value_t = 30, value_parser = clap::value_parser!(u32).range(1..), global = true)]
    outbox_first_retry_seconds: u32,
    /// The station's WeChat Official Account (微信公众号) AppID; WeChat messages are off
    /// without it.
    #[arg(
        long,
        env = "PORTAL_WECHAT_APP_ID",
        value_name = "PORTAL_WECHAT_APP_ID",
        global = true
    )]
    wechat_app_id: Option<String>,
    #[arg(
        long,
        env = "PORTAL_WECHAT_APP_SECRET",
        value_name = "PORTAL_WECHAT_APP_SECRET",
        hide_env_values = true,
        global = true
    )]
    wechat_app_secret: Option<String>,
    /// The approved template of every kind a person chooses:
    /// urgent=T1,case=T2,reminder=T3,volunteer=T4,teahouse=T5.
    #[arg(long, env = "PORTAL_WECHAT_TEMPLATES", value_name = "PORTAL_WECHAT_TEMPLATES", value_parser = wechat_templates, global = true)]
    wechat_templates: Option<Templates>,
    #[arg(
        long,
        env = "PORTAL_WECHAT_API_URL",
        value_name = "PORTAL_WECHAT_API_URL",
        default_value = "https://api.weixin.qq.com",
        global = true
    )]
    wechat_api_url: String,
    #[arg(
        long,
        env = "PORTAL_WECHAT_AUTHORIZE_URL",
        value_name = "PORTAL_WECHAT_AUTHORIZE_URL",
        default_value = "https://open.weixin.qq.com/connect/oauth2/authorize",
        global = true
    )]
    wechat_authorize_url: String,
    /// The station's mail relay; e-mail is off without it.
    #[arg(
        long,
        env = "PORTAL_SMTP_HOST",
        value_name = "PORTAL_SMTP_HOST",
        global = true
    )]
    smtp_host: Option<String>,
    /// The relay's submission port, where it offers STARTTLS.
    #[arg(
        long,
        env = "PORTAL_SMTP_PORT",
        value_name = "PORTAL_SMTP_PORT",
        default_value_t = 587,
        global = true
    )]
    smtp_port: u16,
    #[arg(
        long,
        env = "PORTAL_SMTP_USER",
        value_name = "PORTAL_SMTP_USER",
        global = true
    )]
    smtp_user: Option<String>,
    #[arg(
        long,
        env = "PORTAL_SMTP_PASSWORD",
        value_name = "PORTAL_SMTP_PASSWORD",
        hide_env_values = true,
        global = true
    )]
    smtp_password: Option<String>,
    /// The sender people see: "招宝山派出所 <noreply@example.cn>".
    #[arg(
        long,
        env = "PORTAL_SMTP_FROM",
        value_name = "PORTAL_SMTP_FROM",
        global = true
    )]
    smtp_from: Option<String>,
    /// A PEM file of the CA that signed the relay's certificate, when no public CA did.
    #[arg(
        long,
        env = "PORTAL_SMTP_CA_FILE",
        value_name = "PORTAL_SMTP_CA_FILE",
        global = true
    )]
    smtp_ca_file: Option<String>,
    /// Where photos and documents are kept on this machine (without a bucket).
    #[arg(
        long,
        env = "PORTAL_FILES_DIR",
        value_name = "PORTAL_FILES_DIR",
        default_value = "data/files",
        global = true
    )]
    files_dir: String,
    /// An S3-compatible bucket for photos and documents, shared by several servers.
    #[arg(
        long,
        env = "PORTAL_S3_BUCKET",
        value_name = "PORTAL_S3_BUCKET",
        global = true
    )]
    s3_bucket: Option<String>,
    #[arg(
        long,
        env = "PORTAL_S3_ENDPOINT",
        value_name = "PORTAL_S3_ENDPOINT",
        global = true
    )]
    s3_endpoint: Option<String>,
    #[arg(
        long,
        env = "PORTAL_S3_REGION",
        value_name = "PORTAL_S3_REGION",
        default_value = "us-east-1",
        global = true
    )]
    s3_region: String,
    #[arg(
        long,
        env = "PORTAL_S3_ACCESS_KEY",
        value_name = "PORTAL_S3_ACCESS_KEY",
        global = true
    )]
    s3_access_key: Option<String>,
    #[arg(
        long,
        env = "PORTAL_S3_SECRET_KEY",
        value_name = "PORTAL_S3_SECRET_KEY",
        hide_env_values = true,
        global = true
    )]
    s3_secret_key: Option<String>,
}

/// Every kind of message with its approved template.
#[derive(Clone, Debug)]
struct Templates(std::collections::BTreeMap<domain::outbox::Kind, String>);

fn sms_templates(value: &str) -> Result<Templates, String> {
    templates(value, domain::outbox::Kind::ALL)
}

/// WeChat carries no codes: a template for each kind a person chooses.
fn wechat_templates(value: &str) -> Result<Templates, String> {
    templates(value, domain::outbox::Kind::CHOOSABLE)
}

fn templates(value: &str, needed: &[domain::outbox::Kind]) -> Result<Templates, String> {
    use domain::outbox::Kind;
    let mut templates = std::collections::BTreeMap::new();
    for pair in value.split(',').filter(|p| !p.trim().is_empty()) {
        let (kind, template) = pair
            .split_once('=')
            .ok_or_else(|| format!("kind=template, not {pair:?}"))?;
        let kind = Kind::parse(kind).ok_or_else(|| {
            format!(
                "{kind:?} is not a kind of text ({})",
                Kind::NAMES.join(", ")
            )
        })?;
        templates.insert(kind, template.trim().to_owned());
    }
    let missing: Vec<&str> = needed
        .iter()
        .filter(|k| !templates.contains_key(k))
        .map(|k| k.as_str())
        .collect();
    if !missing.is_empty() {
        return Err(format!("no template for {}", missing.join(", ")));
    }
    Ok(Templates(templates))
}

/// The spellings of yes and no an operator writes; anything else is an error, so that a
/// typo never quietly turns a protection off.
fn yes_or_no(value: &str) -> Result<bool, String> {
    match value.trim() {
        "1" | "true" | "yes" | "on" => Ok(true),
        "" | "0" | "false" | "no" | "off" => Ok(false),
        other => Err(format!("say true or false, not {other:?}")),
    }
}

fn trust_proxy(value: &str) -> Result<app::state::TrustProxy, String> {
    use app::state::TrustProxy;
    if let Ok(yes) = yes_or_no(value) {
        return Ok(if yes {
            TrustProxy::LastHop
        } else {
            TrustProxy::Nobody
        });
    }
    value
        .split(',')
        .map(str::parse)
        .collect::<Result<Vec<_>, String>>()
        .map(TrustProxy::Networks)
        .map_err(|e| format!("true, false or a list of networks: {e}"))
}

/// `scheme://host[:port]`, checked so that it can only ever make links to the portal.
#[derive(Clone, Debug)]
struct PublicUrl(String);

fn public_url(value: &str) -> Result<PublicUrl, String> {
    let url = value.trim().trim_end_matches('/');
    let uri: axum::http::Uri = url
        .parse()
        .map_err(|e| format!("{value:?} is not a URL: {e}"))?;
    let web = matches!(uri.scheme_str(), Some("http" | "https"));
    let bare = uri.path() == "/" && uri.query().is_none();
    let host = uri.authority().is_some_and(|a| !a.as_str().contains('@'));
    if !(web && bare && host) {
        return Err(format!(
            "http(s)://host[:port] with nothing after it, not {value:?}"
        ));
    }
    Ok(PublicUrl(url.to_owned()))
}

/// Pages name the bundle and the stylesheet by their content's hash when the site was built
/// with such names (`pkg/hash.txt`, written by `cargo xtask build`) and every file the list
/// names is there; otherwise by their plain names. Leptos looks for the list beside the
/// binary: an absolute path keeps it with the site, which is what a deployment copies.
///
/// Whatever `LEPTOS_HASH_FILES` says: Leptos would fail every page for a missing list.
fn name_the_bundle_by_hash(leptos: &mut LeptosOptions) {
    let pkg = std::path::Path::new(&*leptos.site_root).join(&*leptos.site_pkg_dir);
    let list = std::path::absolute(pkg.join("hash.txt")).ok();
    let text = list
        .as_ref()
        .and_then(|list| std::fs::read_to_string(list).ok())
        .unwrap_or_default();
    let named: Vec<(&str, &str)> = text
        .lines()
        .filter_map(|line| line.split_once(':'))
        .map(|(extension, hash)| (extension.trim(), hash.trim()))
        .collect();
    let complete = named.len() == 3
        && named.iter().all(|(extension, hash)| {
            pkg.join(format!("{}.{hash}.{extension}", leptos.output_name))
                .is_file()
        });
    match list.filter(|_| complete) {
        Some(list) => {
            leptos.hash_files = true;
            leptos.hash_file = list.to_string_lossy().into();
        }
        None => leptos.hash_files = false,
    }
}

/// The JSON browsers get as their ICE servers, checked to be an array.
#[derive(Clone, Debug)]
struct IceServers(String);

fn ice_servers(value: &str) -> Result<IceServers, String> {
    serde_json::from_str::<Vec<serde_json::Value>>(value)
        .map_err(|e| format!("a JSON array of ICE servers: {e}"))?;
    Ok(IceServers(value.to_owned()))
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
            phone_codes: false,
            wechat: None,
            email: false,
            // Tests that do not say otherwise keep files apart from any station's.
            files: FilesAt::Directory(std::env::temp_dir().join("portal-test-files")),
        }
    }
}

impl Config {
    /// The configuration of this start: the operator's settings, checked and typed.
    pub fn new(settings: Settings) -> Result<Config, String> {
        let mut leptos = leptos::config::get_configuration(None)
            .map_err(|e| format!("Leptos configuration: {e}"))?
            .leptos_options;
        name_the_bundle_by_hash(&mut leptos);
        let s = settings;
        let wechat = match s.wechat_app_id.filter(|id| !id.is_empty()) {
            None => None,
            Some(app_id) => Some(WechatSettings {
                app: app::state::WechatApp {
                    app_id,
                    secret: s
                        .wechat_app_secret
                        .ok_or("PORTAL_WECHAT_APP_ID needs PORTAL_WECHAT_APP_SECRET")?,
                    api_url: s.wechat_api_url.trim_end_matches('/').to_owned(),
                    authorize_url: s.wechat_authorize_url,
                },
                templates: s
                    .wechat_templates
                    .ok_or("PORTAL_WECHAT_APP_ID needs PORTAL_WECHAT_TEMPLATES")?
                    .0,
            }),
        };
        let email = match s.smtp_host.filter(|h| !h.is_empty()) {
            None => None,
            Some(host) => Some(crate::outbox::email::EmailSettings {
                host,
                port: s.smtp_port,
                user: s.smtp_user,
                password: s.smtp_password,
                from: s
                    .smtp_from
                    .ok_or("PORTAL_SMTP_HOST needs PORTAL_SMTP_FROM")?,
                ca_file: s.smtp_ca_file,
            }),
        };
        Ok(Config {
            database_url: s.database_url,
            json_logs: s.log_format == "json",
            leptos,
            web: WebSettings {
                https: s.https,
                sessions: domain::accounts::SessionPolicy {
                    idle: chrono::Duration::minutes(i64::from(s.session_idle_minutes)),
                    absolute: chrono::Duration::hours(i64::from(s.session_absolute_hours)),
                },
                trust_proxy: s.trust_proxy,
                public_url: s.public_url.map(|u| u.0),
                metrics_token: s.metrics_token.filter(|t| !t.is_empty()),
                demo_sign_in: s.demo_sign_in,
                mediation: domain::mediation::Policy {
                    cutoff: chrono::Duration::hours(i64::from(s.mediation_cutoff_hours)),
                    ..Default::default()
                },
                teahouse: domain::teahouse::Limits {
                    new_account_threads: s.teahouse_new_threads,
                    new_account_replies: s.teahouse_new_replies,
                    posts_per_window: s.teahouse_posts_per_10_min,
                    window_minutes: 10,
                    ..Default::default()
                },
                escalation_interval: std::time::Duration::from_secs(s.escalation_seconds),
                video: domain::mediation::video::VideoPolicy {
                    early: chrono::Duration::minutes(i64::from(s.video_early_minutes)),
                    ..Default::default()
                },
                limits: app::state::AddressLimits {
                    requests_per_minute: s.requests_per_minute,
                    writes_per_minute: s.writes_per_minute,
                },
                ice_servers: s.ice_servers.0,
                phone_codes: s.sms != "log",
                wechat: wechat.as_ref().map(|w| w.app.clone()),
                email: email.is_some(),
                files: match s.s3_bucket.filter(|b| !b.is_empty()) {
                    None => FilesAt::Directory(s.files_dir.into()),
                    Some(bucket) => FilesAt::Bucket(domain::files::S3 {
                        endpoint: s
                            .s3_endpoint
                            .ok_or("PORTAL_S3_BUCKET needs PORTAL_S3_ENDPOINT")?,
                        bucket,
                        region: s.s3_region,
                        access_key: s
                            .s3_access_key
                            .ok_or("PORTAL_S3_BUCKET needs PORTAL_S3_ACCESS_KEY")?,
                        secret_key: s
                            .s3_secret_key
                            .ok_or("PORTAL_S3_BUCKET needs PORTAL_S3_SECRET_KEY")?,
                    }),
                },
            },
            outbox: OutboxSettings {
                sms: match s.sms.as_str() {
                    "aliyun" => SmsProvider::Aliyun {
                        endpoint: s.aliyun_sms_url,
                        access_key_id: s
                            .aliyun_access_key_id
                            .ok_or("PORTAL_SMS=aliyun needs PORTAL_ALIYUN_ACCESS_KEY_ID")?,
                        access_key_secret: s
                            .aliyun_access_key_secret
                            .ok_or("PORTAL_SMS=aliyun needs PORTAL_ALIYUN_ACCESS_KEY_SECRET")?,
                        templates: s
                            .sms_templates
                            .ok_or("PORTAL_SMS=aliyun needs PORTAL_SMS_TEMPLATES")?
                            .0,
                    },
                    _ => SmsProvider::Log,
                },
                sign_name: s.sms_sign_name,
                daily_budget: s.sms_daily_budget,
                interval: std::time::Duration::from_secs(s.outbox_seconds),
                retry: domain::outbox::RetryPolicy {
                    max_tries: s.outbox_max_tries,
                    first_backoff: chrono::Duration::seconds(i64::from(
                        s.outbox_first_retry_seconds,
                    )),
                },
                wechat,
                email,
            },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_typo_in_a_yes_or_no_is_refused_not_read_as_no() {
        assert_eq!(yes_or_no("true"), Ok(true));
        assert_eq!(yes_or_no("no"), Ok(false));
        assert!(yes_or_no("ture").is_err());
        assert!(matches!(
            trust_proxy("yes"),
            Ok(app::state::TrustProxy::LastHop)
        ));
        assert!(trust_proxy("10.0.0.0/33").is_err());
    }

    #[test]
    fn the_public_address_can_only_name_a_site() {
        assert_eq!(
            public_url("https://jjw.example.cn/").map(|u| u.0),
            Ok("https://jjw.example.cn".into())
        );
        for bad in [
            "ftp://x.cn",
            "https://x.cn/path",
            "https://u@x.cn",
            "https://x.cn?q",
        ] {
            assert!(public_url(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn the_bundle_is_named_by_hash_only_when_every_listed_file_is_there() -> std::io::Result<()> {
        let site = std::env::temp_dir().join(format!("portal-hash-{}", std::process::id()));
        let pkg = site.join("pkg");
        std::fs::create_dir_all(&pkg)?;
        let options = || {
            LeptosOptions::builder()
                .output_name("portal")
                .site_root(site.to_string_lossy().to_string())
                .hash_files(true)
                .build()
        };
        let mut leptos = options();
        name_the_bundle_by_hash(&mut leptos);
        assert!(
            !leptos.hash_files,
            "no list: plain names, whatever the setting"
        );

        std::fs::write(
            pkg.join("hash.txt"),
            "js: 00000000000000aa\nwasm: 00000000000000bb\ncss: 00000000000000cc\n",
        )?;
        std::fs::write(pkg.join("portal.00000000000000aa.js"), "")?;
        std::fs::write(pkg.join("portal.00000000000000bb.wasm"), "")?;
        let mut leptos = options();
        name_the_bundle_by_hash(&mut leptos);
        assert!(!leptos.hash_files, "a listed file is missing");

        std::fs::write(pkg.join("portal.00000000000000cc.css"), "")?;
        let mut leptos = options();
        name_the_bundle_by_hash(&mut leptos);
        assert!(leptos.hash_files);
        assert!(std::path::Path::new(&*leptos.hash_file).is_absolute());
        std::fs::remove_dir_all(&site)
    }
}
