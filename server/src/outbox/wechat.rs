//! 微信公众号: template messages (模板消息) from the station's Official Account to the people
//! who linked their WeChat, and the linking itself through WeChat's web authorisation
//! (网页授权, `snsapi_base`): 我的 sends the person to WeChat, which sends them back with a
//! one-time code the portal trades for their openid.
//!
//! The access token comes from `stable_token`, which hands every caller the same token while
//! it lives, so the processes of one station share it; each keeps it until shortly before
//! it expires. When WeChat calls it stale, the current one is asked for again, and a new
//! one forced (which ends every process's copy) only when the same comes back.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use domain::outbox::{Answer, Kind};
use percent_encoding::{NON_ALPHANUMERIC, utf8_percent_encode};
use serde::Deserialize;

use app::state::{AppState, WechatApp};

/// The cookie that ties WeChat's answer to the browser that asked for it.
const STATE_COOKIE: &str = "wechat_state";

/// WeChat's errors that mean "this access token is no longer good".
const STALE_TOKEN: &[i64] = &[40001, 40014, 42001];

/// The Official Account's sender, with its approved template per kind of message.
pub struct Wechat {
    pub app: WechatApp,
    pub templates: BTreeMap<Kind, String>,
    client: reqwest::Client,
    token: tokio::sync::Mutex<Option<Token>>,
}

struct Token {
    value: String,
    until: Instant,
}

/// One message as its template shows it: `thing1` what happened (at most 20 characters,
/// WeChat's limit for a "thing"), `time2` when, and the portal's page to open.
pub struct Card {
    pub openid: String,
    pub kind: Kind,
    pub what: String,
    pub when: String,
    pub url: String,
}

#[derive(Deserialize)]
struct Reply {
    #[serde(default)]
    errcode: i64,
    #[serde(default)]
    errmsg: String,
    access_token: Option<String>,
    expires_in: Option<u64>,
    msgid: Option<i64>,
    openid: Option<String>,
}

fn failed(text: String) -> Answer {
    Answer {
        via: "wechat".to_owned(),
        ok: false,
        text,
        reference: None,
    }
}

/// WeChat's JSON answer to a request, or why there is none. The request's address carries
/// the AppSecret or the access token, so an error never names it: the reason is logged and
/// shown to officers.
async fn reply_of(request: reqwest::RequestBuilder) -> Result<Reply, String> {
    let response = request
        .send()
        .await
        .map_err(|e| format!("unreachable: {}", e.without_url()))?;
    let status = response.status();
    let body = response
        .text()
        .await
        .map_err(|e| format!("HTTP {status}, body unreadable: {}", e.without_url()))?;
    serde_json::from_str(&body).map_err(|_| format!("HTTP {status}, not WeChat's answer"))
}

impl Wechat {
    pub fn new(app: WechatApp, templates: BTreeMap<Kind, String>) -> Result<Wechat, String> {
        // No timeout of the client's own: the worker gives every channel the same one.
        let client = reqwest::Client::builder()
            .build()
            .map_err(|e| format!("an HTTPS client for WeChat: {e}"))?;
        Ok(Wechat {
            app,
            templates,
            client,
            token: tokio::sync::Mutex::new(None),
        })
    }

    /// The access token: the one kept, or a new one when there is none or it is about to
    /// expire. `refused` is a token WeChat just called stale: another process may have
    /// fetched its successor already, so the current one is asked for first, and a new
    /// one forced (which ends the others' copies) only when WeChat hands back the same.
    async fn token(&self, refused: Option<&str>) -> Result<String, String> {
        // Held while fetching: one fetch at a time, and the others take its result.
        let mut kept = self.token.lock().await;
        if let Some(token) = kept
            .as_ref()
            .filter(|t| t.until > Instant::now() && Some(t.value.as_str()) != refused)
        {
            return Ok(token.value.clone());
        }
        let mut fresh = self.stable_token(false).await?;
        if Some(fresh.value.as_str()) == refused {
            fresh = self.stable_token(true).await?;
        }
        let value = fresh.value.clone();
        *kept = Some(fresh);
        Ok(value)
    }

    async fn stable_token(&self, force_refresh: bool) -> Result<Token, String> {
        let body = serde_json::json!({
            "grant_type": "client_credential",
            "appid": self.app.app_id,
            "secret": self.app.secret,
            "force_refresh": force_refresh,
        });
        let reply = reply_of(
            self.client
                .post(format!("{}/cgi-bin/stable_token", self.app.api_url))
                .header(header::CONTENT_TYPE, "application/json")
                .body(body.to_string()),
        )
        .await?;
        let Some(value) = reply.access_token else {
            return Err(format!("token: errcode {} {}", reply.errcode, reply.errmsg));
        };
        let life = reply.expires_in.unwrap_or(7200);
        // Renewed five minutes early (or halfway through a short life).
        let keep = life.saturating_sub(300.min(life / 2));
        Ok(Token {
            value,
            until: Instant::now() + Duration::from_secs(keep),
        })
    }

    /// Sends one card: a failed try (never a lost message) when WeChat cannot be reached,
    /// refuses it or answers what is not its answer.
    pub async fn send(&self, card: &Card) -> Answer {
        let Some(template) = self.templates.get(&card.kind) else {
            return failed(format!("no template for {}", card.kind));
        };
        let body = serde_json::json!({
            "touser": card.openid,
            "template_id": template,
            "url": card.url,
            "data": {
                "thing1": {"value": card.what},
                "time2": {"value": card.when},
            },
        })
        .to_string();
        let mut refused: Option<String> = None;
        loop {
            let token = match self.token(refused.as_deref()).await {
                Ok(token) => token,
                Err(e) => return failed(e),
            };
            let sent = reply_of(
                self.client
                    .post(format!(
                        "{}/cgi-bin/message/template/send",
                        self.app.api_url
                    ))
                    .query(&[("access_token", token.as_str())])
                    .header(header::CONTENT_TYPE, "application/json")
                    .body(body.clone()),
            )
            .await;
            return match sent {
                Err(e) => failed(e),
                Ok(reply) if reply.errcode == 0 => Answer {
                    via: "wechat".to_owned(),
                    ok: true,
                    text: format!("ok msgid {}", reply.msgid.unwrap_or_default()),
                    reference: None,
                },
                Ok(reply) if STALE_TOKEN.contains(&reply.errcode) && refused.is_none() => {
                    refused = Some(token);
                    continue;
                }
                Ok(reply) => failed(format!("errcode {} {}", reply.errcode, reply.errmsg)),
            };
        }
    }
}

/// The openid of the person WeChat sent back with `code` (valid once, five minutes).
async fn openid_of(app: &WechatApp, code: &str) -> Result<String, String> {
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()
        .map_err(|e| format!("an HTTPS client for WeChat: {e}"))?;
    let reply = reply_of(
        client
            .get(format!("{}/sns/oauth2/access_token", app.api_url))
            .query(&[
                ("appid", app.app_id.as_str()),
                ("secret", app.secret.as_str()),
                ("code", code),
                ("grant_type", "authorization_code"),
            ]),
    )
    .await?;
    reply
        .openid
        .filter(|o| !o.is_empty())
        .ok_or_else(|| format!("errcode {} {}", reply.errcode, reply.errmsg))
}

fn redirect(to: &str, cookie: Option<HeaderValue>) -> Response {
    let mut response =
        (StatusCode::SEE_OTHER, [(header::CACHE_CONTROL, "no-store")]).into_response();
    if let Ok(location) = HeaderValue::from_str(to) {
        response.headers_mut().insert(header::LOCATION, location);
    }
    if let Some(cookie) = cookie {
        response.headers_mut().insert(header::SET_COOKIE, cookie);
    }
    response
}

/// `GET /me/wechat`: sends the signed-in person to WeChat to say who they are there. Opened
/// in WeChat (from the Official Account's menu), WeChat answers at once with
/// `/me/wechat/done`.
pub async fn link(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let Some(app) = &state.wechat else {
        return StatusCode::NOT_FOUND.into_response();
    };
    if crate::my_data::signed_in(&state, &headers).await.is_err() {
        return redirect("/login?next=/me/wechat", None);
    }
    let Ok(nonce) = domain::accounts::random_token() else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    let back = format!("{}/me/wechat/done", state.public_url);
    let to = format!(
        "{}?appid={}&redirect_uri={}&response_type=code&scope=snsapi_base&state={nonce}#wechat_redirect",
        app.authorize_url,
        utf8_percent_encode(&app.app_id, NON_ALPHANUMERIC),
        utf8_percent_encode(&back, NON_ALPHANUMERIC),
    );
    redirect(&to, state.cookies.set(STATE_COOKIE, &nonce, Some(600)))
}

#[derive(Deserialize)]
pub struct Done {
    code: Option<String>,
    state: Option<String>,
}

/// `GET /me/wechat/done?code=…&state=…`: WeChat's answer. Only the browser that asked
/// (its cookie holds the same `state`) and is still signed in links the WeChat it names.
pub async fn done(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(answer): Query<Done>,
) -> Response {
    let Some(app) = &state.wechat else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let Ok(account) = crate::my_data::signed_in(&state, &headers).await else {
        return redirect("/login?next=/me", None);
    };
    let spent = state.cookies.clear(STATE_COOKIE);
    let asked = state.cookies.get(&headers, STATE_COOKIE);
    let (Some(code), Some(said), Some(asked)) = (answer.code, answer.state, asked) else {
        return redirect("/me?wechat=failed#wechat", spent);
    };
    if said != asked {
        return redirect("/me?wechat=failed#wechat", spent);
    }
    let linked = match openid_of(app, &code).await {
        Ok(openid) => domain::outbox::addresses::link_wechat(
            &state.db,
            account.user.id,
            &openid,
            chrono::Utc::now(),
        )
        .await
        .map_err(|e| e.to_string()),
        Err(e) => Err(e),
    };
    match linked {
        Ok(()) => redirect("/me?done=linked#wechat", spent),
        Err(e) => {
            tracing::warn!(e, "linking a WeChat");
            redirect("/me?wechat=failed#wechat", spent)
        }
    }
}
