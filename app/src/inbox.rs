//! 站内信: the inbox every feature writes to (`domain::inbox`). Opening it marks all read.

use leptos::prelude::*;
#[cfg(feature = "hydrate")]
use leptos::server_fn::ServerFn;
use leptos_meta::Title;
use serde::{Deserialize, Serialize};

use crate::error::{AppError, Loaded};
use crate::i18n::use_i18n;
use crate::pager::{Pager, page_query};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Message {
    pub at: String,
    pub topic: String,
    pub subject: String,
    pub link: String,
    pub unread: bool,
}

/// A page of my messages.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MessagePage {
    pub messages: Vec<Message>,
    pub page: u64,
    pub pages: u64,
}

/// A page of my messages, newest first (the first page without `page`); opening the inbox
/// marks them all read.
#[server(endpoint = "inbox")]
pub async fn inbox(page: Option<u64>) -> Result<MessagePage, AppError> {
    let (me, _) = crate::accounts::ssr::require_account().await?;
    let db = crate::state::db()?;
    let found = domain::inbox::page(&db, me.user.id, page.unwrap_or(1)).await?;
    domain::inbox::mark_all_read(&db, me.user.id, chrono::Utc::now()).await?;
    Ok(MessagePage {
        messages: found
            .messages
            .into_iter()
            .map(|m| Message {
                at: domain::time::format_local(m.at),
                unread: m.read_at.is_none(),
                topic: m.topic,
                subject: m.subject,
                link: m.link,
            })
            .collect(),
        page: found.page,
        pages: found.pages,
    })
}

/// How many messages wait unread; `None` for a visitor. A GET, so the badge can ask for it
/// without a CSRF token: it changes nothing.
#[server(endpoint = "inbox/unread", input = server_fn::codec::GetUrl)]
pub async fn unread_count() -> Result<Option<u64>, AppError> {
    match crate::accounts::ssr::current_account().await? {
        Some((me, _)) => Ok(Some(
            domain::inbox::unread(&crate::state::db()?, me.user.id).await?,
        )),
        None => Ok(None),
    }
}

/// How often an open page asks for the unread count.
#[cfg(feature = "hydrate")]
const POLL: std::time::Duration = std::time::Duration::from_secs(20);

/// The unread count on 我的. The server renders it with the page; once the island wakes it
/// asks again every 20 seconds, so a message shows up without reloading.
///
/// The label comes from the server: translating inside the island would ship the whole
/// catalogue to the browser in the WASM.
#[island]
pub fn UnreadBadge(initial: u64, label: String) -> impl IntoView {
    let (count, set_count) = signal(initial);
    #[cfg(feature = "hydrate")]
    Effect::new(move |_| {
        let poll = move || {
            leptos::task::spawn_local(async move {
                let Ok(response) = gloo_net::http::Request::get(UnreadCount::PATH).send().await
                else {
                    return;
                };
                if let Ok(text) = response.text().await
                    && let Ok(n) = text.trim().parse::<u64>()
                {
                    set_count.set(n);
                }
            });
        };
        if let Ok(handle) = set_interval_with_handle(poll, POLL) {
            on_cleanup(move || handle.clear());
        }
    });
    #[cfg(not(feature = "hydrate"))]
    let _ = set_count;
    view! {
        <span
            class="count-badge"
            title=label
            data-unread=move || count.get().to_string()
            class:empty=move || count.get() == 0
        >
            {move || count.get()}
        </span>
    }
}

#[component]
pub fn InboxPage() -> impl IntoView {
    let i18n = use_i18n();
    let page = page_query();
    let inbox = Resource::new(move || page.get(), inbox);
    view! {
        <Title text=i18n.t("inbox-title") />
        <h1>{i18n.t("inbox-title")}</h1>
        <Loaded
            resource=inbox
            view=move |MessagePage { messages, page, pages }| {
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
                    <Pager base="/me/inbox?".to_owned() page pages />
                }
                    .into_any()
            }
        />
    }
}
