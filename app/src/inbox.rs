//! 站内信: the inbox every feature writes to (`domain::inbox`). Opening it marks all read.

use leptos::prelude::*;
use leptos_meta::Title;
use serde::{Deserialize, Serialize};

use crate::error::{AppError, Loaded};
use crate::i18n::use_i18n;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Message {
    pub at: String,
    pub topic: String,
    pub subject: String,
    pub link: String,
    pub unread: bool,
}

/// My messages, newest first; reading them marks them read.
#[server(endpoint = "inbox")]
pub async fn inbox() -> Result<Vec<Message>, AppError> {
    let (me, _) = crate::accounts::ssr::require_account().await?;
    let db = crate::state::db()?;
    let messages = domain::inbox::list(&db, me.user.id).await?;
    domain::inbox::mark_all_read(&db, me.user.id, chrono::Utc::now()).await?;
    Ok(messages
        .into_iter()
        .map(|m| Message {
            at: domain::time::format_local(m.at),
            unread: m.read_at.is_none(),
            topic: m.topic,
            subject: m.subject,
            link: m.link,
        })
        .collect())
}

/// How many messages wait unread; none for a visitor.
#[server(endpoint = "inbox/unread")]
pub async fn unread_count() -> Result<u64, AppError> {
    match crate::accounts::ssr::current_account().await? {
        Some((me, _)) => Ok(domain::inbox::unread(&crate::state::db()?, me.user.id).await?),
        None => Ok(0),
    }
}

#[component]
pub fn InboxPage() -> impl IntoView {
    let i18n = use_i18n();
    let messages = Resource::new(|| (), |_| inbox());
    view! {
        <Title text=i18n.t("inbox-title") />
        <h1>{i18n.t("inbox-title")}</h1>
        <Loaded
            resource=messages
            view=move |messages| {
                if messages.is_empty() {
                    return view! { <p class="empty">{i18n.t("inbox-empty")}</p> }.into_any();
                }
                view! {
                    <ul class="plain inbox">
                        {messages
                            .into_iter()
                            .map(|m| {
                                view! {
                                    <li class:unread=m.unread>
                                        <a href=m.link>{i18n.arg(&m.topic, "code", &m.subject)}</a>
                                        <div class="meta">
                                            <time>{m.at}</time>
                                        </div>
                                    </li>
                                }
                            })
                            .collect_view()}
                    </ul>
                }
                    .into_any()
            }
        />
    }
}
