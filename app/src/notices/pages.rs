//! /notices, /notices/:id, /notices/archive, and for officers /notices/desk,
//! /notices/new and /notices/:id/edit.

use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

use super::*;
use crate::error::{DoneNotice, FormError, Loaded};
use crate::i18n::use_i18n;
use crate::markup::Markup;
use crate::security::CsrfField;

/// A notice in a list: severity, unread mark, title, and when and for whom.
#[component]
pub fn NoticeCardView(card: NoticeCard) -> impl IntoView {
    let i18n = use_i18n();
    let href = format!("/notices/{}", card.id);
    let whom = if card.communities.is_empty() {
        i18n.t("notices-for-all")
    } else {
        card.communities.join("、")
    };
    view! {
        <li class=format!("notice sev-{}", card.severity) class:unread=card.unread>
            <a href=href class="card notice-card">
                <span class="notice-tags">
                    <span class=format!(
                        "sev sev-{}",
                        card.severity,
                    )>{i18n.label("notice-severity", card.severity)}</span>
                    <span class="chip">{i18n.label("notice-category", card.category)}</span>
                    {card
                        .pinned
                        .then(|| view! { <span class="chip">{i18n.t("notices-pinned")}</span> })}
                    {(card.status == Status::Cancelled)
                        .then(|| {
                            view! { <span class="chip">{i18n.t("notice-status-cancelled")}</span> }
                        })}
                    {card
                        .unread
                        .then(|| view! { <span class="dot">{i18n.t("notices-unread")}</span> })}
                </span>
                <strong>{card.title}</strong>
                <span class="meta">
                    {card.published_at.unwrap_or_default()} " · " {whom}
                    {card.updated_at.map(|at| format!(" · {} {at}", i18n.t("notices-updated")))}
                </span>
            </a>
        </li>
    }
}

#[component]
fn Cards(cards: Vec<NoticeCard>) -> impl IntoView {
    let i18n = use_i18n();
    if cards.is_empty() {
        return view! { <p class="empty">{i18n.t("notices-empty")}</p> }.into_any();
    }
    view! {
        <ul class="cards notices">
            {cards.into_iter().map(|card| view! { <NoticeCardView card /> }).collect_view()}
        </ul>
    }
    .into_any()
}

/// The notices in force, the reader's community's for a resident.
#[component]
pub fn NoticesPage() -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let list = Resource::new(
        move || {
            let query = query.read();
            (
                query.get("community").and_then(|c| c.parse().ok()),
                query.get("name"),
            )
        },
        |(community, name)| list_notices(community, name),
    );
    view! {
        <Title text=i18n.t("notices-title") />
        <h1>{i18n.t("notices-title")}</h1>
        <p class="lead">{i18n.t("notices-intro")}</p>
        <Loaded resource=list view=|list| view! { <NoticeListView list /> } />
        <p>
            <a href="/notices/archive">{i18n.t("notices-archive")}</a>
        </p>
        <p class="meta">
            {i18n.t("notices-feeds")} " " <a href="/feeds/notices.atom">"Atom"</a> " · "
            <a href="/feeds/cap.xml">"CAP 1.2"</a>
        </p>
    }
}

/// The visitors' filter where there are too many communities to list: a name, then the
/// communities it matched as links, or the one it matched already chosen.
#[component]
fn FilterByName(
    choices: Vec<(i32, String)>,
    chosen: Option<i32>,
    name: String,
    chosen_name: Option<String>,
) -> impl IntoView {
    let i18n = use_i18n();
    let picked = chosen_name.map(|name| {
        view! {
            <p class="note" role="status">
                {i18n.arg("notices-filter-chosen", "community", &name)}
                " · "
                <a href="/notices">{i18n.t("notices-for-all")}</a>
            </p>
        }
    });
    let matches = (chosen.is_none() && !name.is_empty()).then(|| {
        if choices.is_empty() {
            view! {
                <p class="meta" role="status">
                    {i18n.t("notices-filter-none")}
                </p>
            }
            .into_any()
        } else {
            view! {
                <ul class="chips">
                    {choices
                        .into_iter()
                        .map(|(id, name)| {
                            view! {
                                <li>
                                    <a class="chip" href=format!("/notices?community={id}")>
                                        {name}
                                    </a>
                                </li>
                            }
                        })
                        .collect_view()}
                </ul>
            }
            .into_any()
        }
    });
    view! {
        <form method="get" action="/notices" class="filter search" role="search">
            <label>
                {i18n.t("notices-filter-community")}
                <input
                    type="search"
                    name="name"
                    value=name
                    maxlength="50"
                    placeholder=i18n.t("communities-find-hint")
                />
            </label>
            <button type="submit" class="button secondary">
                {i18n.t("notices-filter")}
            </button>
        </form>
        {picked}
        {matches}
    }
}

#[component]
fn NoticeListView(list: NoticeList) -> impl IntoView {
    let i18n = use_i18n();
    let unread = list.notices.iter().filter(|n| n.unread).count() as u64;
    let header = match list.community {
        Some(name) => view! {
            <p class="note">
                {name} " · "
                <span class="unread-count">{i18n.count("notices-unread-count", unread)}</span>
            </p>
        }
        .into_any(),
        None if list.by_name => view! {
            <FilterByName
                choices=list.choices
                chosen=list.chosen
                name=list.name
                chosen_name=list.chosen_name
            />
        }
        .into_any(),
        None if !list.choices.is_empty() => {
            let chosen = list.chosen;
            view! {
                <form method="get" action="/notices" class="filter">
                    <label>
                        {i18n.t("notices-filter-community")} <select name="community">
                            <option value="">{i18n.t("notices-for-all")}</option>
                            {list
                                .choices
                                .into_iter()
                                .map(|(id, name)| {
                                    view! {
                                        <option value=id.to_string() selected=chosen == Some(id)>
                                            {name}
                                        </option>
                                    }
                                })
                                .collect_view()}
                        </select>
                    </label>
                    <button type="submit" class="button secondary">
                        {i18n.t("notices-filter")}
                    </button>
                </form>
            }
            .into_any()
        }
        None => ().into_any(),
    };
    view! {
        {list
            .is_officer
            .then(|| {
                view! {
                    <p class="actions">
                        <a class="button" href="/notices/new">
                            {i18n.t("notices-new")}
                        </a>
                        <a class="button secondary" href="/notices/desk">
                            {i18n.t("notices-desk")}
                        </a>
                    </p>
                }
            })}
        {header}
        <Cards cards=list.notices />
    }
}

/// One notice; opening it marks it read.
#[component]
pub fn NoticePage() -> impl IntoView {
    let i18n = use_i18n();
    let id = crate::id_param();
    let notice = Resource::new(move || id.get(), get_notice);
    view! {
        <Title text=i18n.t("notices-title") />
        <DoneNotice prefix="notices-done" />
        <Loaded resource=notice view=|detail| view! { <NoticeView detail /> } />
    }
}

#[component]
fn NoticeView(detail: NoticeDetail) -> impl IntoView {
    let i18n = use_i18n();
    let card = detail.card;
    let id = card.id;
    let whom = if card.communities.is_empty() {
        i18n.t("notices-for-all")
    } else {
        card.communities.join("、")
    };
    let officer = detail.is_officer.then(|| {
        let edit = format!("/notices/{id}/edit");
        view! {
            <p class="actions">
                {(card.status != Status::Cancelled)
                    .then(|| {
                        view! {
                            <a class="button secondary" href=edit>
                                {i18n.t("notices-edit")}
                            </a>
                        }
                    })}
            </p>
            <StatusActions id status=card.status />
        }
    });
    view! {
        <p class="crumbs">
            <a href="/notices">{i18n.t("notices-title")}</a>
        </p>
        <crate::read_aloud::ReadAloud target="notice-text" />
        <article id="notice-text" class=format!("notice-full sev-{}", card.severity)>
            <p class="notice-tags">
                <span class=format!(
                    "sev sev-{}",
                    card.severity,
                )>{i18n.label("notice-severity", card.severity)}</span>
                <span class="chip">{i18n.label("notice-category", card.category)}</span>
                {(card.status != Status::Published)
                    .then(|| {
                        view! {
                            <span class="chip">{i18n.label("notice-status", card.status)}</span>
                        }
                    })}
            </p>
            <h1>{card.title.clone()}</h1>
            <p class="meta">{card.published_at.clone().unwrap_or_default()} " · " {whom}</p>
            {card
                .updated_at
                .clone()
                .map(|at| {
                    view! { <p class="note updated">{i18n.t("notices-updated")} " " {at}</p> }
                })}
            <div class="prose-blocks">
                <Markup text=detail.body />
            </div>
            <crate::files::Files
                files=detail.files
                target=format!("notice/{id}")
                may_add=detail.is_officer && card.status != Status::Cancelled
            />
            <p class="meta">
                {i18n.t("notices-valid")} " " {detail.starts_at} " – " {card.expires_at.clone()}
            </p>
        </article>
        {officer}
    }
}

/// Publish a draft, or cancel a published notice.
#[component]
fn StatusActions(id: i32, status: Status) -> impl IntoView {
    let i18n = use_i18n();
    let (action, key, class) = match status {
        Status::Draft => (PublishNotice::PATH, "notices-publish", "button"),
        Status::Published => (CancelNotice::PATH, "notices-cancel", "button danger"),
        Status::Cancelled => return ().into_any(),
    };
    view! {
        <form method="post" action=action class="form">
            <CsrfField />
            <FormError path=action />
            <input type="hidden" name="id" value=id.to_string() />
            <button type="submit" class=class>
                {i18n.t(key)}
            </button>
        </form>
    }
    .into_any()
}

/// 往期提示: everything published, by category and month.
#[component]
pub fn ArchivePage() -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let archive = Resource::new(
        move || {
            let q = query.read();
            (q.get("category"), q.get("month"))
        },
        |(category, month)| notice_archive(category, month),
    );
    let chosen = move || query.read().get("category").unwrap_or_default();
    let month = move || query.read().get("month").unwrap_or_default();
    view! {
        <Title text=i18n.t("notices-archive") />
        <p class="crumbs">
            <a href="/notices">{i18n.t("notices-title")}</a>
        </p>
        <h1>{i18n.t("notices-archive")}</h1>
        <form method="get" action="/notices/archive" class="filter">
            <label>
                {i18n.t("notice-field-category")} <select name="category">
                    <option value="">{i18n.t("notices-any")}</option>
                    {Category::NAMES
                        .iter()
                        .copied()
                        .map(|c| {
                            view! {
                                <option value=c selected=move || chosen() == c>
                                    {i18n.label("notice-category", c)}
                                </option>
                            }
                        })
                        .collect_view()}
                </select>
            </label>
            <label>{i18n.t("notices-month")} <input type="month" name="month" value=month /></label>
            <button type="submit" class="button secondary">
                {i18n.t("notices-filter")}
            </button>
        </form>
        <Loaded resource=archive view=|cards| view! { <Cards cards /> } />
    }
}

/// Officers: every notice, drafts included, with how many have read it.
#[component]
pub fn DeskPage() -> impl IntoView {
    let i18n = use_i18n();
    let desk = Resource::new(|| (), |_| notice_desk());
    view! {
        <Title text=i18n.t("notices-desk") />
        <h1>{i18n.t("notices-desk")}</h1>
        <p class="actions">
            <a class="button" href="/notices/new">
                {i18n.t("notices-new")}
            </a>
            <a class="button secondary" href="/notices/outbox">
                {i18n.t("notices-outbox")}
            </a>
        </p>
        <Loaded
            resource=desk
            view=move |rows| {
                view! {
                    <ul class="cards notices">
                        {rows
                            .into_iter()
                            .map(|row| {
                                let status = row.card.status;
                                let reach = row
                                    .reach
                                    .into_iter()
                                    .map(|r| {
                                        let numbers = [
                                            r.sent,
                                            r.queued,
                                            r.failed,
                                            r.receipts.map_or(0, |d| d.0),
                                            r.receipts.map_or(0, |d| d.1),
                                        ]
                                            .map(|n| n.to_string());
                                        let channel = i18n.label("outbox-channel", r.channel);
                                        let args = [
                                            ("channel", channel.as_str()),
                                            ("sent", numbers[0].as_str()),
                                            ("queued", numbers[1].as_str()),
                                            ("failed", numbers[2].as_str()),
                                            ("delivered", numbers[3].as_str()),
                                            ("undelivered", numbers[4].as_str()),
                                        ];
                                        let key = if r.receipts.is_some() {
                                            "notices-reach-receipts"
                                        } else {
                                            "notices-reach"
                                        };
                                        view! {
                                            " · "
                                            <span data-testid="reach">{i18n.args(key, &args)}</span>
                                        }
                                    })
                                    .collect_view();
                                view! {
                                    <NoticeCardView card=row.card />
                                    <li class="meta reach">
                                        {i18n.label("notice-status", status)} " · "
                                        {i18n.t("notices-read")} " " {row.read} " / " {row.audience}
                                        {reach}
                                    </li>
                                }
                            })
                            .collect_view()}
                    </ul>
                }
            }
        />
    }
}

/// Officers: write a notice (new), or change one (with its preview and its publish or
/// cancel button).
#[component]
pub fn EditorPage() -> impl IntoView {
    let i18n = use_i18n();
    let params = use_params_map();
    let editor = Resource::new(
        move || params.read().get("id").and_then(|id| id.parse().ok()),
        notice_editor,
    );
    view! {
        <Title text=i18n.t("notices-editor") />
        <h1>{i18n.t("notices-editor")}</h1>
        <DoneNotice prefix="notices-done" />
        <Loaded resource=editor view=|editor| view! { <EditorForm editor /> } />
    }
}

#[component]
fn EditorForm(editor: Editor) -> impl IntoView {
    let i18n = use_i18n();
    let input = editor.input;
    let preview = input.id.map(|id| {
        let card_title = input.title.clone();
        let body = input.body.clone();
        let status = editor.status;
        view! {
            <section class="panel preview">
                <h2>{i18n.t("notices-preview")}</h2>
                <h3>{card_title}</h3>
                <Markup text=body />
                <StatusActions id status />
            </section>
        }
    });
    let some = input.target == "some";
    view! {
        <form method="post" action=SaveNotice::PATH class="form">
            <CsrfField />
            <FormError path=SaveNotice::PATH />
            {input
                .id
                .map(|id| view! { <input type="hidden" name="notice[id]" value=id.to_string() /> })}
            <label>
                {i18n.t("notice-field-title")}
                <input
                    type="text"
                    name="notice[title]"
                    required
                    maxlength="100"
                    value=input.title.clone()
                />
            </label>
            <label>
                {i18n.t("notice-field-body")}
                <textarea name="notice[body]" required maxlength="5000" rows="8">
                    {input.body.clone()}
                </textarea> <small>{i18n.t("notice-field-body-hint")}</small>
            </label>
            <label>
                {i18n.t("notice-field-category")}
                <select name="notice[category]">
                    {Category::NAMES
                        .iter()
                        .copied()
                        .map(|c| {
                            view! {
                                <option value=c selected=input.category == c>
                                    {i18n.label("notice-category", c)}
                                </option>
                            }
                        })
                        .collect_view()}
                </select>
            </label>
            <label>
                {i18n.t("notice-field-severity")}
                <select name="notice[severity]">
                    {Severity::NAMES
                        .iter()
                        .copied()
                        .map(|s| {
                            view! {
                                <option value=s selected=input.severity == s>
                                    {i18n.label("notice-severity", s)}
                                </option>
                            }
                        })
                        .collect_view()}
                </select>
            </label>
            <fieldset>
                <legend>{i18n.t("notice-field-target")}</legend>
                <label class="check">
                    <input type="radio" name="notice[target]" value="all" checked=!some />
                    <span>{i18n.t("notices-for-all")}</span>
                </label>
                <label class="check">
                    <input type="radio" name="notice[target]" value="some" checked=some />
                    <span>{i18n.t("notice-field-target-some")}</span>
                </label>
                <div class="community-checks">
                    {editor
                        .choices
                        .into_iter()
                        .enumerate()
                        .map(|(i, (id, name))| {
                            view! {
                                <label class="check">
                                    <input
                                        type="checkbox"
                                        name=format!("notice[communities][{i}]")
                                        value=id.to_string()
                                        checked=input.communities.contains(&id)
                                    />
                                    <span>{name}</span>
                                </label>
                            }
                        })
                        .collect_view()}
                </div>
            </fieldset>
            <label>
                {i18n.t("notice-field-starts")}
                <input
                    type="datetime-local"
                    name="notice[starts_at]"
                    required
                    value=input.starts_at.clone()
                />
            </label>
            <label>
                {i18n.t("notice-field-expires")}
                <input
                    type="datetime-local"
                    name="notice[expires_at]"
                    required
                    value=input.expires_at.clone()
                />
            </label>
            <label class="check">
                <input type="checkbox" name="notice[pinned]" checked=input.pinned.is_some() />
                <span>{i18n.t("notice-field-pinned")}</span>
            </label>
            <button type="submit" class="button">
                {i18n
                    .t(
                        if input.id.is_some() {
                            "notices-save-changes"
                        } else {
                            "notices-save-draft"
                        },
                    )}
            </button>
        </form>
        {preview}
    }
}
