//! /mediation/video/:code — the room of a mediation booked "by video". The page is rendered
//! here with every word the room needs; `public/video-room.js` (loaded on this page only)
//! checks the camera and microphone, then joins the WebRTC mesh through the signalling
//! socket served by `server::video`. Who may enter is decided on the server, by the page and
//! again by the socket.

use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};
use serde::{Deserialize, Serialize};
use vocab::mediation::Part;

use crate::error::{AppError, ErrorView, FormError};
use crate::i18n::{I18n, use_i18n};
use crate::security::CsrfField;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChatLine {
    pub author: Part,
    pub body: String,
    pub at: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoomEntry {
    pub code: String,
    pub part: Part,
    pub chat: Vec<ChatLine>,
}

#[cfg(feature = "ssr")]
pub(crate) fn chat_lines(lines: Vec<domain::entities::video_chat::Model>) -> Vec<ChatLine> {
    lines
        .into_iter()
        .map(|l| ChatLine {
            author: l.author,
            body: l.body,
            at: domain::time::format_local(l.at),
        })
        .collect()
}

/// Lets the reader into the room, or says why not: the resident and the mediators by their
/// session, the other party by the guest key their redeemed invitation left in a cookie, so
/// that a reload or a dropped connection gets them back in. A GET changes nothing: a chat
/// app fetching the invitation link for its preview must not spend it.
#[server(endpoint = "mediation/video/room", input = server_fn::codec::GetUrl)]
pub async fn video_room(code: String) -> Result<RoomEntry, AppError> {
    use domain::mediation::video;
    let state = crate::state::state()?;
    let now = chrono::Utc::now();
    let joined = match crate::accounts::ssr::current_account().await? {
        Some((account, _)) => video::join(&state.db, &account, &code, &state.video, now).await?,
        None => {
            let headers = use_context::<axum::http::request::Parts>()
                .map(|p| p.headers)
                .unwrap_or_default();
            let guest = state
                .cookies
                .get(&headers, GUEST_COOKIE)
                .ok_or(AppError::Unauthorized)?;
            video::join_as_guest(&state.db, &code, &guest, &state.video, now).await?
        }
    };
    Ok(RoomEntry {
        code: joined.case.code.clone(),
        part: joined.part,
        chat: chat_lines(video::chat(&state.db, joined.case.id).await?),
    })
}

/// The other party clicks the button of the invitation (or types its code): the invitation
/// is redeemed, once, for a guest key kept in a cookie, and they go on to the room.
#[server(endpoint = "mediation/video/redeem")]
pub async fn redeem_invite(code: String, invite: String) -> Result<(), AppError> {
    use axum::http::header::SET_COOKIE;
    let state = crate::state::state()?;
    let key =
        domain::mediation::video::redeem(&state.db, &code, &invite, chrono::Utc::now()).await?;
    let cookie = state
        .cookies
        .set(GUEST_COOKIE, &key, Some(12 * 3600))
        .ok_or(AppError::Server)?;
    use_context::<leptos_axum::ResponseOptions>()
        .ok_or(AppError::Server)?
        .append_header(SET_COOKIE, cookie);
    // The invitation matched this case: the code is a real one, up to case and spaces.
    leptos_axum::redirect(&format!(
        "/mediation/video/{}",
        code.trim().to_ascii_uppercase()
    ));
    Ok(())
}

/// The cookie holding the other party's guest key (the signalling socket reads it too).
pub const GUEST_COOKIE: &str = "video_guest";

/// A mediator invites the other party: back to the case page with the link to send.
#[server(endpoint = "mediation/video/invite")]
pub async fn invite_other_party(code: String) -> Result<(), AppError> {
    let (me, _) = crate::accounts::ssr::require_account().await?;
    let token =
        domain::mediation::video::invite(&crate::state::db()?, &me, &code, chrono::Utc::now())
            .await?;
    leptos_axum::redirect(&format!("/mediation/cases/{code}?invite={token}#video"));
    Ok(())
}

#[component]
pub fn VideoRoomPage() -> impl IntoView {
    let i18n = use_i18n();
    let params = use_params_map();
    let query = use_query_map();
    let room = Resource::new(
        move || params.read().get("code").unwrap_or_default(),
        video_room,
    );
    let code = move || params.read().get("code").unwrap_or_default();
    view! {
        <Title text=i18n.t("video-title") />
        <h1>{i18n.t("video-title")}</h1>
        <Suspense fallback=move || {
            view! { <p>{i18n.t("loading")}</p> }
        }>
            {move || {
                room.get()
                    .map(|entered| match (entered, query.read().get("invite")) {
                        (Ok(room), _) => view! { <Room room /> }.into_any(),
                        (Err(AppError::Unauthorized), Some(token)) => {
                            // The link of an invitation: a button redeems it.
                            view! { <InvitationForm code=code() token=Some(token) /> }
                                .into_any()
                        }
                        (Err(AppError::Unauthorized), None) => {
                            // Not signed in: the resident and the mediator sign in, the other
                            // party types the code from their invitation.
                            view! {
                                <ErrorView error=AppError::Unauthorized />
                                <InvitationForm code=code() token=None />
                            }
                                .into_any()
                        }
                        (Err(error), _) => view! { <ErrorView error /> }.into_any(),
                    })
            }}
        </Suspense>
    }
}

/// The other party without a guest key yet: the invitation of their link, or a field for
/// its code, redeemed by a form post (never by opening the link).
#[component]
fn InvitationForm(code: String, token: Option<String>) -> impl IntoView {
    let i18n = use_i18n();
    // An invitation is a page to show, not a refusal: the room's 401 does not apply.
    #[cfg(feature = "ssr")]
    if token.is_some()
        && let Some(response) = use_context::<leptos_axum::ResponseOptions>()
    {
        response.set_status(axum::http::StatusCode::OK);
    }
    let invite = match token {
        Some(token) => view! {
            <p>{i18n.t("video-invited")}</p>
            <input type="hidden" name="invite" value=token />
        }
        .into_any(),
        None => view! {
            <label>
                {i18n.t("video-invite-code")}
                <input type="text" name="invite" required autocomplete="off" />
            </label>
        }
        .into_any(),
    };
    view! {
        <FormError path=RedeemInvite::PATH />
        <form method="post" action=RedeemInvite::PATH class="form panel">
            <CsrfField />
            <input type="hidden" name="code" value=code />
            {invite}
            <button type="submit" class="button">
                {i18n.t("video-accept")}
            </button>
        </form>
    }
}

#[component]
fn Room(room: RoomEntry) -> impl IntoView {
    let i18n = use_i18n();
    let nonce = leptos::nonce::use_nonce();
    let mediator = room.part == Part::Mediator;
    let author = move |part: Part| i18n.label("video-part", part);
    view! {
        <section
            id="video-room"
            class="video-room"
            data-ws=format!("/mediation/video/{}/ws", room.code)
            data-part=room.part.as_str()
            data-t-denied=i18n.t("video-denied")
            data-t-no-device=i18n.t("video-no-device")
            data-t-failed=i18n.t("video-media-failed")
            data-t-insecure=i18n.t("video-insecure")
            data-t-connecting=i18n.t("video-connecting")
            data-t-left=i18n.t("video-left")
            data-t-removed=i18n.t("video-removed-you")
            data-t-ended=i18n.t("video-ended-all")
            data-t-lost=i18n.t("video-lost")
            data-t-refused=i18n.t("video-refused")
            data-t-replaced=i18n.t("video-replaced")
            data-t-signed-out=i18n.t("video-signed-out")
            data-t-too-fast=i18n.t("video-too-fast")
            data-t-mute=i18n.t("video-mute")
            data-t-unmute=i18n.t("video-unmute")
            data-t-camera-off=i18n.t("video-camera-off")
            data-t-camera-on=i18n.t("video-camera-on")
            data-t-remove=i18n.t("video-remove")
            data-t-chat-length=i18n.t("video-chat-length")
            data-t-resident=author(Part::Resident)
            data-t-mediator=author(Part::Mediator)
            data-t-other_party=author(Part::OtherParty)
        >
            <div class="prejoin">
                <h2>{i18n.t("video-check")}</h2>
                <p class="meta">{i18n.t("video-check-hint")}</p>
                <video id="preview" class="preview" muted autoplay playsinline></video>
                <p class="media-error form-error" role="alert" hidden></p>
                // Shown until the room's script starts (it removes it): without JavaScript
                // it stays, whatever the browser makes of <noscript>.
                <p class="form-error needs-js">{i18n.t("video-needs-js")}</p>
                <div class="controls">
                    <button type="button" id="join" class="button" disabled>
                        {i18n.t("video-join")}
                    </button>
                    <button type="button" id="join-text" class="button secondary" disabled>
                        {i18n.t("video-join-text")}
                    </button>
                </div>
            </div>
            <div class="in-room" hidden>
                <p class="status meta" role="status"></p>
                <div id="videos" class="video-grid">
                    <figure class="tile local">
                        <video id="local" muted autoplay playsinline></video>
                        <figcaption>{i18n.t("video-you")}</figcaption>
                    </figure>
                </div>
                <div class="controls">
                    <button type="button" id="mute" class="button secondary">
                        {i18n.t("video-mute")}
                    </button>
                    <button type="button" id="camera" class="button secondary">
                        {i18n.t("video-camera-off")}
                    </button>
                    <button type="button" id="leave" class="button secondary">
                        {i18n.t("video-leave")}
                    </button>
                    {mediator
                        .then(|| {
                            view! {
                                <button type="button" id="end" class="button">
                                    {i18n.t("video-end")}
                                </button>
                            }
                        })}
                </div>
            </div>
            <section class="chat panel">
                <h2>{i18n.t("video-chat")}</h2>
                <ol id="chat-log" class="chat-log">
                    {chat_items(i18n, room.chat)}
                </ol>
                <form id="chat-form" class="inline" hidden>
                    <input
                        type="text"
                        name="text"
                        maxlength="500"
                        required
                        autocomplete="off"
                        aria-label=i18n.t("video-chat-say")
                        placeholder=i18n.t("video-chat-say")
                    />
                    <button type="submit" class="button">
                        {i18n.t("video-chat-send")}
                    </button>
                </form>
            </section>
        </section>
        <script type="module" src="/video-room.js" nonce=nonce.map(|n| n.to_string())></script>
    }
    .into_any()
}

/// The video part of a case page: the way into the room, the mediator's invitation for the
/// other party, and the chat kept with the case.
#[component]
pub fn CaseVideo(
    code: String,
    mediator: bool,
    may_enter: bool,
    chat: Vec<ChatLine>,
) -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let code_for_link = {
        let code = code.clone();
        move || code.clone()
    };
    let invited = move || {
        query.read().get("invite").map(|token| {
            let link = format!("/mediation/video/{}?invite={token}", code_for_link());
            view! {
                <div class="notice-ok" role="status">
                    <p>{i18n.t("video-invite-made")}</p>
                    <p>
                        <code class="invite">{link}</code>
                    </p>
                    <p>{i18n.t("video-invite-code")} " " <code class="invite">{token}</code></p>
                </div>
            }
        })
    };
    view! {
        <section class="panel" id="video">
            <h2>{i18n.t("video-title")}</h2>
            {may_enter
                .then(|| {
                    view! {
                        <p>
                            <a class="button" href=format!("/mediation/video/{code}")>
                                {i18n.t("video-enter")}
                            </a>
                        </p>
                        <p class="meta">{i18n.t("video-opens")}</p>
                    }
                })}
            {invited}
            {mediator
                .then(|| {
                    view! {
                        <FormError path=InviteOtherParty::PATH />
                        <form method="post" action=InviteOtherParty::PATH class="inline">
                            <CsrfField />
                            <input type="hidden" name="code" value=code.clone() />
                            <button type="submit" class="button secondary">
                                {i18n.t("video-invite")}
                            </button>
                        </form>
                    }
                })}
            {(!chat.is_empty())
                .then(|| {
                    view! {
                        <h3>{i18n.t("video-chat")}</h3>
                        <ol class="chat-log">{chat_items(i18n, chat)}</ol>
                    }
                })}
        </section>
    }
}

/// Kept chat lines as list items: who (their part in the case), when, what.
fn chat_items(i18n: I18n, lines: Vec<ChatLine>) -> impl IntoView {
    lines
        .into_iter()
        .map(|line| {
            view! {
                <li>
                    <strong>{i18n.label("video-part", line.author)}</strong>
                    " "
                    <span class="meta">{line.at}</span>
                    <br />
                    {line.body}
                </li>
            }
        })
        .collect_view()
}
