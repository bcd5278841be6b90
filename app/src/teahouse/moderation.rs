//! Flags from readers and the officers' moderation: /teahouse/moderation lists flagged posts
//! and the log; the thread page carries the same actions for each post.

use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_meta::Title;
use serde::{Deserialize, Serialize};
use vocab::teahouse::{Action, FlagReason};

use crate::error::{AppError, DoneNotice, FormError, Loaded};
use crate::i18n::use_i18n;
use crate::markup::Markup;
use crate::security::CsrfField;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FlaggedCard {
    pub post_id: i32,
    pub thread_id: i32,
    pub thread_title: String,
    pub body: String,
    pub hidden: bool,
    /// (reason, note, when)
    pub flags: Vec<(FlagReason, String, String)>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogCard {
    pub at: String,
    pub actor: String,
    pub action: Action,
    pub thread_id: i32,
    pub thread_title: String,
    pub note: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ModerationInfo {
    pub flagged: Vec<FlaggedCard>,
    pub log: Vec<LogCard>,
}

#[server(endpoint = "teahouse/moderation", input = server_fn::codec::GetUrl)]
pub async fn moderation_view() -> Result<ModerationInfo, AppError> {
    use domain::teahouse::moderation;
    let me = crate::accounts::ssr::require_role(domain::accounts::Role::Officer).await?;
    let db = crate::state::db()?;
    let flagged = moderation::queue(&db, &me)
        .await?
        .into_iter()
        .map(|f| FlaggedCard {
            post_id: f.post.id,
            thread_id: f.thread.id,
            thread_title: f.thread.title,
            body: f.post.body,
            hidden: f.post.hidden,
            flags: f
                .flags
                .into_iter()
                .map(|x| (x.reason, x.note, domain::time::format_local(x.created_at)))
                .collect(),
        })
        .collect();
    let log = moderation::log(&db, &me, 50)
        .await?
        .into_iter()
        .map(|l| LogCard {
            at: domain::time::format_local(l.entry.created_at),
            actor: l.actor,
            action: l.entry.action,
            thread_id: l.entry.thread_id,
            thread_title: l.thread_title,
            note: l.entry.note,
        })
        .collect();
    Ok(ModerationInfo { flagged, log })
}

#[server(endpoint = "teahouse/flag")]
pub async fn flag_post(
    thread_id: i32,
    post_id: i32,
    reason: String,
    note: Option<String>,
) -> Result<(), AppError> {
    let (me, _) = crate::accounts::ssr::require_account().await?;
    domain::teahouse::moderation::flag(
        &crate::state::db()?,
        &me,
        post_id,
        &reason,
        note.as_deref().unwrap_or_default(),
        chrono::Utc::now(),
    )
    .await?;
    leptos_axum::redirect(&format!(
        "{}?done=flagged",
        domain::teahouse::thread_link(thread_id)
    ));
    Ok(())
}

/// Where a moderator's form sends them back to: the queue or the thread.
#[cfg(feature = "ssr")]
fn back(from_queue: bool, thread_id: i32, action: &str) -> String {
    if from_queue {
        format!("/teahouse/moderation?done={action}")
    } else {
        format!("{}?done={action}", domain::teahouse::thread_link(thread_id))
    }
}

#[server(endpoint = "teahouse/moderate-post")]
pub async fn moderate_post(
    thread_id: i32,
    post_id: i32,
    action: String,
    note: Option<String>,
    from_queue: Option<String>,
) -> Result<(), AppError> {
    use domain::teahouse::moderation::{self, Action};
    let (me, _) = crate::accounts::ssr::require_account().await?;
    let action = Action::parse(&action).ok_or_else(|| AppError::invalid("error-invalid"))?;
    moderation::act_on_post(
        &crate::state::db()?,
        &me,
        post_id,
        action,
        note.as_deref().unwrap_or_default(),
        chrono::Utc::now(),
    )
    .await?;
    leptos_axum::redirect(&back(from_queue.is_some(), thread_id, action.as_str()));
    Ok(())
}

#[server(endpoint = "teahouse/moderate-thread")]
pub async fn moderate_thread(
    thread_id: i32,
    action: String,
    note: Option<String>,
) -> Result<(), AppError> {
    use domain::teahouse::moderation::{self, Action};
    let (me, _) = crate::accounts::ssr::require_account().await?;
    let action = Action::parse(&action).ok_or_else(|| AppError::invalid("error-invalid"))?;
    moderation::act_on_thread(
        &crate::state::db()?,
        &me,
        thread_id,
        action,
        note.as_deref().unwrap_or_default(),
        chrono::Utc::now(),
    )
    .await?;
    leptos_axum::redirect(&back(false, thread_id, action.as_str()));
    Ok(())
}

/// A moderator's buttons for one post: hide or restore, delete, and (from the queue) dismiss.
#[component]
pub fn PostActions(
    thread_id: i32,
    post_id: i32,
    hidden: bool,
    #[prop(optional)] from_queue: bool,
) -> impl IntoView {
    let i18n = use_i18n();
    let mut actions = vec![if hidden { "restore" } else { "hide" }, "delete"];
    if from_queue {
        actions.push("dismiss");
    }
    view! {
        <form method="post" action=ModeratePost::PATH class="inline moderation">
            <CsrfField />
            <input type="hidden" name="thread_id" value=thread_id.to_string() />
            <input type="hidden" name="post_id" value=post_id.to_string() />
            {from_queue.then(|| view! { <input type="hidden" name="from_queue" value="1" /> })}
            <input
                type="text"
                name="note"
                maxlength="200"
                aria-label=i18n.t("teahouse-moderation-note")
                placeholder=i18n.t("teahouse-moderation-note")
            />
            {actions
                .into_iter()
                .map(|action| {
                    view! {
                        <button type="submit" name="action" value=action class="button secondary">
                            {i18n.label("teahouse-action", action)}
                        </button>
                    }
                })
                .collect_view()}
        </form>
    }
}

/// /teahouse/moderation — flagged posts, most flagged first, and the log of every act.
#[component]
pub fn ModerationPage() -> impl IntoView {
    let i18n = use_i18n();
    let info = Resource::new(|| (), |_| moderation_view());
    view! {
        <Title text=i18n.t("teahouse-moderation-title") />
        <p class="crumbs">
            <a href="/teahouse">{i18n.t("teahouse-title")}</a>
        </p>
        <h1>{i18n.t("teahouse-moderation-title")}</h1>
        <DoneNotice prefix="teahouse-done" />
        <FormError path=ModeratePost::PATH />
        <Loaded resource=info view=|info| view! { <Queue info /> } />
    }
}

#[component]
fn Queue(info: ModerationInfo) -> impl IntoView {
    let i18n = use_i18n();
    let flagged = if info.flagged.is_empty() {
        view! { <p class="empty">{i18n.t("teahouse-moderation-empty")}</p> }.into_any()
    } else {
        view! {
            <ul class="cards">
                {info
                    .flagged
                    .into_iter()
                    .map(|f| {
                        view! {
                            <li class="card flagged">
                                <a href=format!(
                                    "/teahouse/t/{}#p{}",
                                    f.thread_id,
                                    f.post_id,
                                )>{f.thread_title}</a>
                                {f
                                    .hidden
                                    .then(|| {
                                        view! {
                                            <span class="chip">
                                                {i18n.t("teahouse-post-hidden-mark")}
                                            </span>
                                        }
                                    })}
                                <div class="post-body">
                                    <Markup text=f.body ugc=true />
                                </div>
                                <ul class="plain meta">
                                    {f
                                        .flags
                                        .into_iter()
                                        .map(|(reason, note, at)| {
                                            view! {
                                                <li>
                                                    {i18n.label("teahouse-flag-reason", reason)} " · " {at}
                                                    {(!note.is_empty()).then(|| format!(" · {note}"))}
                                                </li>
                                            }
                                        })
                                        .collect_view()}
                                </ul>
                                <PostActions
                                    thread_id=f.thread_id
                                    post_id=f.post_id
                                    hidden=f.hidden
                                    from_queue=true
                                />
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
        }
            .into_any()
    };
    view! {
        <h2>{i18n.t("teahouse-moderation-flagged")}</h2>
        {flagged}
        <h2>{i18n.t("teahouse-moderation-log")}</h2>
        <table class="figures">
            <thead>
                <tr>
                    <th>{i18n.t("teahouse-log-when")}</th>
                    <th>{i18n.t("teahouse-log-who")}</th>
                    <th>{i18n.t("teahouse-log-what")}</th>
                    <th>{i18n.t("teahouse-log-thread")}</th>
                </tr>
            </thead>
            <tbody>
                {info
                    .log
                    .into_iter()
                    .map(|l| {
                        view! {
                            <tr>
                                <td>{l.at}</td>
                                <td>{l.actor}</td>
                                <td>
                                    {i18n.label("teahouse-action", l.action)}
                                    {(!l.note.is_empty()).then(|| format!(" · {}", l.note))}
                                </td>
                                <td>
                                    <a href=format!(
                                        "/teahouse/t/{}",
                                        l.thread_id,
                                    )>{l.thread_title}</a>
                                </td>
                            </tr>
                        }
                    })
                    .collect_view()}
            </tbody>
        </table>
    }
}
