//! 消息外发 in the pages: on 我的, which kinds of message a person wants by which channel
//! (text, WeChat, e-mail), linking WeChat and proving an e-mail address; for officers,
//! /notices/outbox — what went out to whom (masked) and how, what failed and why, a retry,
//! each text's receipt, and the day's SMS against the budget. The worker that sends is the
//! server's (`server/src/outbox`).

use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use serde::{Deserialize, Serialize};
use vocab::outbox::{Channel, Kind, Receipt, Status};

use crate::error::{AppError, DoneNotice, FormError, Loaded};
use crate::i18n::use_i18n;
use crate::security::CsrfField;

/// A person's ways of being reached and, per kind of message, the channels they want it by.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Reachable {
    /// The channels that reach them, in the order of the form's columns: SMS always, WeChat
    /// once linked, e-mail once proven.
    pub channels: Vec<Channel>,
    pub choices: Vec<(Kind, Vec<(Channel, bool)>)>,
    /// The station's WeChat Official Account is configured.
    pub wechat_on: bool,
    /// When their WeChat was linked.
    pub wechat_linked: Option<String>,
    /// The station sends e-mail.
    pub email_on: bool,
    /// Their address, and whether it is proven.
    pub email: Option<(String, bool)>,
}

/// The signed-in person's channels and choices.
#[server(endpoint = "outbox/mine", input = server_fn::codec::GetUrl)]
pub async fn my_channels() -> Result<Reachable, AppError> {
    use domain::outbox::addresses;
    let (account, _) = crate::accounts::ssr::require_account().await?;
    let state = crate::state::state()?;
    let id = account.user.id;
    let db = &state.db;
    // A channel the station turned off is not offered, whatever addresses are kept.
    let mut channels = vec![Channel::Sms];
    let wechat = addresses::wechat_of(db, id)
        .await?
        .filter(|_| state.wechat.is_some());
    if wechat.is_some() {
        channels.push(Channel::Wechat);
    }
    let email = addresses::email_of(db, id).await?.filter(|_| state.email);
    if email.as_ref().is_some_and(|e| e.verified_at.is_some()) {
        channels.push(Channel::Email);
    }
    let mut choices: Vec<(Kind, Vec<(Channel, bool)>)> = Vec::new();
    for (kind, channel, wanted) in domain::outbox::choices_of(db, id).await? {
        if !channels.contains(&channel) {
            continue;
        }
        match choices.last_mut() {
            Some((k, row)) if *k == kind => row.push((channel, wanted)),
            _ => choices.push((kind, vec![(channel, wanted)])),
        }
    }
    Ok(Reachable {
        channels,
        choices,
        wechat_on: state.wechat.is_some(),
        wechat_linked: wechat.map(|w| domain::time::format_local(w.linked_at)),
        email_on: state.email,
        email: email.map(|e| (e.address, e.verified_at.is_some())),
    })
}

/// Saves the ticked boxes: each posts `pick[<kind>-<channel>]`; an unticked box posts
/// nothing, and every channel of the form (`shown`, its columns) that is not ticked for a
/// kind is recorded as not wanted. A column the form did not have — a channel linked in
/// another tab since — keeps its defaults.
#[server(endpoint = "outbox/choices")]
pub async fn save_channels(
    pick: Option<std::collections::BTreeMap<String, String>>,
    shown: Option<String>,
) -> Result<(), AppError> {
    let (account, _) = crate::accounts::ssr::require_account().await?;
    let db = crate::state::db()?;
    let posted: Vec<Channel> = shown
        .unwrap_or_default()
        .split(',')
        .filter_map(Channel::parse)
        .collect();
    let shown: Vec<Channel> = my_channels()
        .await?
        .channels
        .into_iter()
        .filter(|c| posted.contains(c))
        .collect();
    let wanted = pick
        .unwrap_or_default()
        .keys()
        .filter_map(|key| {
            let (kind, channel) = key.split_once('-')?;
            Some((Kind::parse(kind)?, Channel::parse(channel)?))
        })
        .filter(|(kind, channel)| Kind::CHOOSABLE.contains(kind) && shown.contains(channel))
        .collect();
    domain::outbox::choose(&db, account.user.id, &shown, &wanted).await?;
    leptos_axum::redirect("/me?done=saved#channels");
    Ok(())
}

/// Unlinks the person's WeChat: nothing more goes to it.
#[server(endpoint = "outbox/wechat-unlink")]
pub async fn unlink_wechat() -> Result<(), AppError> {
    let (account, _) = crate::accounts::ssr::require_account().await?;
    let db = crate::state::db()?;
    domain::outbox::addresses::unlink_wechat(&db, account.user.id).await?;
    leptos_axum::redirect("/me?done=unlinked#wechat");
    Ok(())
}

/// Mails a code to the address typed, to prove it.
#[server(endpoint = "outbox/email-code")]
pub async fn send_email_code(address: String) -> Result<(), AppError> {
    let (account, _) = crate::accounts::ssr::require_account().await?;
    let state = crate::state::state()?;
    if !state.email {
        return Err(AppError::NotFound);
    }
    let client = crate::accounts::ssr::client_address()
        .ok_or(AppError::Server)?
        .to_string();
    domain::outbox::addresses::ask_email_code(
        &state.db,
        &account,
        &address,
        &client,
        chrono::Utc::now(),
    )
    .await?;
    leptos_axum::redirect("/me?done=mail-sent#email");
    Ok(())
}

/// Proves the address with the code mailed to it.
#[server(endpoint = "outbox/email-verify")]
pub async fn verify_email(code: String) -> Result<(), AppError> {
    let (account, _) = crate::accounts::ssr::require_account().await?;
    let db = crate::state::db()?;
    domain::outbox::addresses::verify_email(&db, &account, &code, chrono::Utc::now()).await?;
    leptos_axum::redirect("/me?done=address-proven#email");
    Ok(())
}

/// Forgets the person's address.
#[server(endpoint = "outbox/email-forget")]
pub async fn forget_email() -> Result<(), AppError> {
    let (account, _) = crate::accounts::ssr::require_account().await?;
    let db = crate::state::db()?;
    domain::outbox::addresses::forget_email(&db, account.user.id).await?;
    leptos_axum::redirect("/me?done=forgotten#email");
    Ok(())
}

/// The panels on 我的: which kinds of message come by which channel, linking WeChat, and an
/// e-mail address.
#[component]
pub fn ChannelsPanel() -> impl IntoView {
    let i18n = use_i18n();
    let mine = Resource::new(|| (), |_| my_channels());
    view! {
        <Loaded
            resource=mine
            view=move |mine| {
                let channels = mine.channels.clone();
                let shown = channels.iter().map(|c| c.as_str()).collect::<Vec<_>>().join(",");
                view! {
                    <section class="panel" id="channels">
                        <h2>{i18n.t("outbox-channels-title")}</h2>
                        <DoneNotice prefix="outbox-channels" />
                        <FormError path=SaveChannels::PATH />
                        <p>{i18n.t("outbox-channels-intro")}</p>
                        <form method="post" action=SaveChannels::PATH class="form">
                            <CsrfField />
                            <input type="hidden" name="shown" value=shown />
                            <table class="choices">
                                <thead>
                                    <tr>
                                        <th scope="col">{i18n.t("outbox-channels-kind")}</th>
                                        {channels
                                            .iter()
                                            .map(|c| {
                                                view! {
                                                    <th scope="col">{i18n.label("outbox-channel", *c)}</th>
                                                }
                                            })
                                            .collect_view()}
                                    </tr>
                                </thead>
                                <tbody>
                                    {mine
                                        .choices
                                        .into_iter()
                                        .map(|(kind, row)| {
                                            let label = i18n.label("outbox-kind", kind);
                                            view! {
                                                <tr>
                                                    <th scope="row">{label.clone()}</th>
                                                    {row
                                                        .into_iter()
                                                        .map(|(channel, wanted)| {
                                                            let aria = format!(
                                                                "{label} · {}",
                                                                i18n.label("outbox-channel", channel),
                                                            );
                                                            view! {
                                                                <td>
                                                                    // The label makes the whole cell the target.
                                                                    <label class="cell-check">
                                                                        <input
                                                                            type="checkbox"
                                                                            name=format!("pick[{kind}-{channel}]")
                                                                            value="on"
                                                                            aria-label=aria
                                                                            checked=wanted
                                                                        />
                                                                    </label>
                                                                </td>
                                                            }
                                                                .into_any()
                                                        })
                                                        .collect_view()}
                                                </tr>
                                            }
                                        })
                                        .collect_view()}
                                </tbody>
                            </table>
                            <button type="submit">{i18n.t("outbox-channels-save")}</button>
                        </form>
                    </section>
                    {mine
                        .wechat_on
                        .then(|| view! { <WechatPanel linked=mine.wechat_linked.clone() /> })}
                    {mine.email_on.then(|| view! { <EmailPanel email=mine.email.clone() /> })}
                }
            }
        />
    }
}

/// Linking one's WeChat: a link that, opened in WeChat, goes there and back.
#[component]
fn WechatPanel(linked: Option<String>) -> impl IntoView {
    use leptos_router::hooks::use_query_map;
    let i18n = use_i18n();
    let query = use_query_map();
    let failed = move || {
        (query.read().get("wechat").as_deref() == Some("failed")).then(|| {
            view! {
                <p class="form-error" role="alert">
                    {i18n.t("outbox-wechat-failed")}
                </p>
            }
        })
    };
    view! {
        <section class="panel" id="wechat">
            <h2>{i18n.t("outbox-wechat-title")}</h2>
            <DoneNotice prefix="outbox-wechat" />
            <FormError path=UnlinkWechat::PATH />
            {failed}
            {match linked {
                Some(at) => {
                    view! {
                        <p data-testid="wechat-linked">
                            {i18n.args("outbox-wechat-linked-at", &[("time", &at)])}
                        </p>
                        <form method="post" action=UnlinkWechat::PATH class="inline">
                            <CsrfField />
                            <button type="submit" class="button secondary">
                                {i18n.t("outbox-wechat-unlink")}
                            </button>
                        </form>
                    }
                        .into_any()
                }
                None => {
                    view! {
                        <p>{i18n.t("outbox-wechat-intro")}</p>
                        <a class="button" href="/me/wechat" rel="external">
                            {i18n.t("outbox-wechat-link")}
                        </a>
                    }
                        .into_any()
                }
            }}
        </section>
    }
}

/// An e-mail address: typed, proven with the code mailed to it, or forgotten.
#[component]
fn EmailPanel(email: Option<(String, bool)>) -> impl IntoView {
    let i18n = use_i18n();
    let address_form = move || {
        view! {
            <form method="post" action=SendEmailCode::PATH class="form">
                <CsrfField />
                <label>
                    {i18n.t("outbox-email-address")}
                    <input
                        type="email"
                        name="address"
                        required
                        maxlength="254"
                        autocomplete="email"
                    />
                </label>
                <button type="submit" class="button secondary">
                    {i18n.t("outbox-email-send-code")}
                </button>
            </form>
        }
    };
    view! {
        <section class="panel" id="email">
            <h2>{i18n.t("outbox-email-title")}</h2>
            <DoneNotice prefix="outbox-email" />
            <FormError path=SendEmailCode::PATH />
            <FormError path=VerifyEmail::PATH />
            <FormError path=ForgetEmail::PATH />
            {match email {
                Some((address, true)) => {
                    view! {
                        <p data-testid="email-proven">
                            {i18n.args("outbox-email-proven", &[("address", &address)])}
                        </p>
                        <form method="post" action=ForgetEmail::PATH class="inline">
                            <CsrfField />
                            <button type="submit" class="button secondary">
                                {i18n.t("outbox-email-forget")}
                            </button>
                        </form>
                    }
                        .into_any()
                }
                Some((address, false)) => {
                    view! {
                        <p>{i18n.args("outbox-email-waiting", &[("address", &address)])}</p>
                        <form method="post" action=VerifyEmail::PATH class="form">
                            <CsrfField />
                            <crate::accounts::codes::CodeField label="outbox-email-code" />
                            <button type="submit" class="button">
                                {i18n.t("code-verify-submit")}
                            </button>
                        </form>
                        {address_form()}
                    }
                        .into_any()
                }
                None => {
                    view! {
                        <p>{i18n.t("outbox-email-intro")}</p>
                        {address_form()}
                    }
                        .into_any()
                }
            }}
        </section>
    }
}

/// One message as officers see it.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct SentLine {
    pub id: i32,
    /// The recipient's number, masked.
    pub to: String,
    pub channel: Channel,
    pub kind: Kind,
    pub topic: String,
    pub subject: String,
    pub status: Status,
    /// What the carrier reported of a text, when it did.
    pub receipt: Option<Receipt>,
    pub tries: i32,
    pub queued_at: String,
    /// The provider's last answer.
    pub answer: String,
}

/// What officers see on /notices/outbox.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct OutboxView {
    pub sms_today: i32,
    pub lines: Vec<SentLine>,
}

/// Officers: the newest hundred messages, or only the failed ones.
#[server(endpoint = "outbox/list", input = server_fn::codec::GetUrl)]
pub async fn outbox_list(failed: Option<String>) -> Result<OutboxView, AppError> {
    let me = crate::accounts::ssr::require_role(domain::accounts::Role::Officer).await?;
    let db = crate::state::db()?;
    let only_failed = failed.is_some_and(|f| !f.is_empty());
    let now = chrono::Utc::now();
    let lines = domain::outbox::recent(&db, &me, only_failed, 100)
        .await?
        .into_iter()
        .map(|line| SentLine {
            id: line.delivery.id,
            to: line.to,
            channel: line.delivery.channel,
            kind: line.delivery.kind,
            topic: line.delivery.topic,
            subject: line.delivery.subject,
            status: line.delivery.status,
            receipt: line.delivery.receipt,
            tries: line.delivery.tries,
            queued_at: domain::time::format_local(line.delivery.created_at),
            answer: line.delivery.answer.unwrap_or_default(),
        })
        .collect();
    Ok(OutboxView {
        sms_today: domain::outbox::sms_sent_today(&db, now).await?,
        lines,
    })
}

/// Officers: send a failed message again.
#[server(endpoint = "outbox/retry")]
pub async fn retry_message(id: i32) -> Result<(), AppError> {
    let me = crate::accounts::ssr::require_role(domain::accounts::Role::Officer).await?;
    let db = crate::state::db()?;
    domain::outbox::retry(&db, &me, id, chrono::Utc::now()).await?;
    leptos_axum::redirect("/notices/outbox?done=retried");
    Ok(())
}

/// Officers: /notices/outbox.
#[component]
pub fn OutboxPage() -> impl IntoView {
    use leptos_meta::Title;
    use leptos_router::hooks::use_query_map;
    let i18n = use_i18n();
    let query = use_query_map();
    let failed = move || query.read().get("failed");
    let list = Resource::new(failed, outbox_list);
    view! {
        <Title text=i18n.t("outbox-title") />
        <h1>{i18n.t("outbox-title")}</h1>
        <DoneNotice prefix="outbox" />
        <FormError path=RetryMessage::PATH />
        <p>{i18n.t("outbox-intro")}</p>
        <p class="actions">
            <a class="button secondary" href="/notices/outbox">
                {i18n.t("outbox-all")}
            </a>
            <a class="button secondary" href="/notices/outbox?failed=1">
                {i18n.t("outbox-failed")}
            </a>
        </p>
        <Loaded
            resource=list
            view=move |view| {
                view! {
                    <p data-testid="sms-today">
                        {i18n.count("outbox-sms-today", u64::try_from(view.sms_today).unwrap_or(0))}
                    </p>
                    <table class="table" id="outbox">
                        <thead>
                            <tr>
                                <th>{i18n.t("outbox-to")}</th>
                                <th>{i18n.t("outbox-what")}</th>
                                <th>{i18n.t("outbox-status")}</th>
                                <th>{i18n.t("outbox-answer")}</th>
                            </tr>
                        </thead>
                        <tbody>
                            {view
                                .lines
                                .into_iter()
                                .map(|line| {
                                    let what = i18n
                                        .args(
                                            &line.topic,
                                            &[("code", &line.subject), ("time", "")],
                                        );
                                    let failed = line.status == Status::Failed;
                                    view! {
                                        <tr data-status=line.status.as_str()>
                                            <td>
                                                {line.to} <br />
                                                <small>{i18n.label("outbox-channel", line.channel)}</small>
                                            </td>
                                            <td>
                                                {i18n.label("outbox-kind", line.kind)} " · " {what} <br />
                                                <small>{line.queued_at}</small>
                                            </td>
                                            <td>
                                                {i18n.label("outbox-status", line.status)} " · "
                                                {i18n
                                                    .count(
                                                        "outbox-tries",
                                                        u64::try_from(line.tries).unwrap_or(0),
                                                    )}
                                                {line
                                                    .receipt
                                                    .map(|r| {
                                                        view! {
                                                            <br />
                                                            <small>{i18n.label("outbox-receipt", r)}</small>
                                                        }
                                                    })}
                                            </td>
                                            <td>
                                                {line.answer}
                                                {failed
                                                    .then(|| {
                                                        view! {
                                                            <form
                                                                method="post"
                                                                action=RetryMessage::PATH
                                                                class="inline"
                                                            >
                                                                <CsrfField />
                                                                <input type="hidden" name="id" value=line.id.to_string() />
                                                                <button type="submit" class="secondary">
                                                                    {i18n.t("outbox-retry")}
                                                                </button>
                                                            </form>
                                                        }
                                                    })}
                                            </td>
                                        </tr>
                                    }
                                })
                                .collect_view()}
                        </tbody>
                    </table>
                }
            }
        />
    }
}
