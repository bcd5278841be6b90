//! 消息外发 in the pages: on 我的, which kinds of message a person wants by SMS; for officers,
//! /notices/outbox — what went out to whom (masked), what failed and why, a retry, and the
//! day's SMS against the budget. The worker that sends is the server's (`server/src/outbox`).

use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use serde::{Deserialize, Serialize};
use vocab::outbox::{Kind, Status};

use crate::error::{AppError, DoneNotice, FormError, Loaded};
use crate::i18n::use_i18n;
use crate::security::CsrfField;

/// One kind of message and whether the person wants it by SMS.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Choice {
    pub kind: Kind,
    pub sms: bool,
}

/// The signed-in person's choices.
#[server(endpoint = "outbox/mine")]
pub async fn my_channels() -> Result<Vec<Choice>, AppError> {
    let (account, _) = crate::accounts::ssr::require_account().await?;
    let db = crate::state::db()?;
    Ok(domain::outbox::choices_of(&db, account.user.id)
        .await?
        .into_iter()
        .map(|(kind, _, sms)| Choice { kind, sms })
        .collect())
}

/// Saves the ticked kinds (each box posts its kind's name; an unticked box posts nothing).
#[server(endpoint = "outbox/choices")]
pub async fn save_channels(
    urgent: Option<String>,
    case: Option<String>,
    reminder: Option<String>,
    volunteer: Option<String>,
    teahouse: Option<String>,
) -> Result<(), AppError> {
    use domain::outbox::Channel;
    let (account, _) = crate::accounts::ssr::require_account().await?;
    let db = crate::state::db()?;
    let ticked = [
        (Kind::Urgent, urgent),
        (Kind::Case, case),
        (Kind::Reminder, reminder),
        (Kind::Volunteer, volunteer),
        (Kind::Teahouse, teahouse),
    ];
    let wanted = ticked
        .into_iter()
        .filter(|(_, box_)| box_.is_some())
        .map(|(kind, _)| (kind, Channel::Sms))
        .collect();
    domain::outbox::choose(&db, account.user.id, &wanted).await?;
    leptos_axum::redirect("/me?done=saved#channels");
    Ok(())
}

/// The panel on 我的.
#[component]
pub fn ChannelsPanel() -> impl IntoView {
    let i18n = use_i18n();
    let choices = Resource::new(|| (), |_| my_channels());
    view! {
        <section class="panel" id="channels">
            <h2>{i18n.t("outbox-channels-title")}</h2>
            <DoneNotice prefix="outbox-channels" />
            <FormError path=SaveChannels::PATH />
            <p>{i18n.t("outbox-channels-intro")}</p>
            <Loaded
                resource=choices
                view=move |choices| {
                    view! {
                        <form method="post" action=SaveChannels::PATH class="form">
                            <CsrfField />
                            <fieldset>
                                <legend>{i18n.t("outbox-channels-by-sms")}</legend>
                                {choices
                                    .into_iter()
                                    .map(|c| {
                                        view! {
                                            <label class="check">
                                                <input
                                                    type="checkbox"
                                                    name=c.kind.as_str()
                                                    value="on"
                                                    checked=c.sms
                                                />
                                                {i18n.label("outbox-kind", c.kind)}
                                            </label>
                                        }
                                    })
                                    .collect_view()}
                            </fieldset>
                            <button type="submit">{i18n.t("outbox-channels-save")}</button>
                        </form>
                    }
                }
            />
        </section>
    }
}

/// One message as officers see it.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct SentLine {
    pub id: i32,
    /// The recipient's number, masked.
    pub to: String,
    pub kind: Kind,
    pub topic: String,
    pub subject: String,
    pub status: Status,
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
            kind: line.delivery.kind,
            topic: line.delivery.topic,
            subject: line.delivery.subject,
            status: line.delivery.status,
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
                                            <td>{line.to}</td>
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
