//! /teahouse, /teahouse/b/:id, /teahouse/b/:id/new, /teahouse/t/:id and /teahouse/search.
//! Every form posts without JavaScript; flag and moderation forms sit in `<details>` so a
//! phone shows them only when asked for.

use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use super::moderation::{FlagPost, ModeratePost, ModerateThread, PostActions};
use super::*;
use crate::error::{DoneNotice, FormError, Loaded};
use crate::i18n::{I18n, use_i18n};
use crate::markup::Markup;
use crate::pager::{Pager, page_query, query_value};
use crate::security::CsrfField;

/// 警事茶楼: the boards of each police office, a search box, and for staff what waits.
#[component]
pub fn TeahousePage() -> impl IntoView {
    let i18n = use_i18n();
    let info = Resource::new(|| (), |_| teahouse_view());
    view! {
        <Title text=i18n.t("teahouse-title") />
        <h1>{i18n.t("teahouse-title")}</h1>
        <p class="lead">{i18n.t("teahouse-intro")}</p>
        <SearchForm query=String::new() />
        <Loaded resource=info view=|info| view! { <Boards info /> } />
    }
}

#[component]
fn SearchForm(query: String) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <form method="get" action="/teahouse/search" class="search" role="search">
            <input
                type="search"
                name="q"
                value=query
                required
                maxlength="100"
                aria-label=i18n.t("teahouse-search")
                placeholder=i18n.t("teahouse-search-hint")
            />
            <button type="submit" class="button secondary">
                {i18n.t("teahouse-search")}
            </button>
        </form>
    }
}

#[component]
fn Boards(info: TeahouseInfo) -> impl IntoView {
    let i18n = use_i18n();
    let mut offices: Vec<(String, Vec<BoardCard>)> = Vec::new();
    for board in info.boards {
        match offices
            .iter_mut()
            .find(|(office, _)| *office == board.office)
        {
            Some((_, boards)) => boards.push(board),
            None => offices.push((board.office.clone(), vec![board])),
        }
    }
    let staff = info.staff;
    view! {
        {info
            .moderator
            .then(|| {
                view! {
                    <p>
                        <a class="button secondary" href="/teahouse/moderation">
                            {i18n.t("teahouse-moderation-title")}
                        </a>
                    </p>
                }
            })}
        {offices
            .into_iter()
            .map(|(office, boards)| {
                view! {
                    <section>
                        <h2>{office}</h2>
                        <ul class="cards">
                            {boards
                                .into_iter()
                                .map(|b| view! { <BoardItem board=b staff /> })
                                .collect_view()}
                        </ul>
                    </section>
                }
                    .into_any()
            })
            .collect_view()}
    }
}

#[component]
fn BoardItem(board: BoardCard, staff: bool) -> impl IntoView {
    let i18n = use_i18n();
    let waiting = (staff && board.waiting > 0).then(
        || view! { <span class="chip">{i18n.count("teahouse-waiting", board.waiting)}</span> },
    );
    let overdue = (staff && board.overdue > 0).then(|| {
        view! {
            <span class="chip overdue">
                {i18n.arg("teahouse-overdue", "hours", &board.answer_hours.to_string())} ": "
                {board.overdue}
            </span>
        }
    });
    view! {
        <li>
            <a class="card board" href=format!("/teahouse/b/{}", board.id)>
                <strong>{board.name}</strong>
                <span>{board.description}</span>
                <span class="meta">
                    {i18n.count("teahouse-thread-count", board.threads)} {waiting} {overdue}
                </span>
            </a>
        </li>
    }
    .into_any()
}

/// "王阿姨 · 总浦桥社区", "居民", or "已注销的用户"; staff also see the phone behind "居民".
fn author_text(i18n: I18n, author: &AuthorView) -> String {
    let mut text = if author.deleted {
        i18n.t("teahouse-author-deleted")
    } else {
        match (&author.name, author.anonymous) {
            (Some(name), _) => name.clone(),
            (None, _) => i18n.t("teahouse-author-resident"),
        }
    };
    if let Some(community) = &author.community {
        text.push_str(" · ");
        text.push_str(community);
    }
    if let Some(phone) = &author.phone {
        text.push_str(&format!(
            " ({} · {phone})",
            i18n.t("teahouse-posted-as-resident")
        ));
    }
    text
}

#[component]
fn ThreadItem(thread: ThreadCard) -> impl IntoView {
    let i18n = use_i18n();
    let by = author_text(i18n, &thread.author);
    view! {
        <li>
            <a
                class="card thread-card"
                class:overdue=thread.overdue
                href=format!("/teahouse/t/{}", thread.id)
            >
                <span class="notice-tags">
                    <span class=format!(
                        "chip status-{}",
                        thread.status,
                    )>{i18n.label("teahouse-status", thread.status)}</span>
                    {thread
                        .answered_officially
                        .then(|| {
                            view! {
                                <span class="chip official">
                                    {i18n.t("teahouse-official-answered")}
                                </span>
                            }
                        })}
                    {thread
                        .overdue
                        .then(|| {
                            view! {
                                <span class="chip overdue">{i18n.t("teahouse-overdue-mark")}</span>
                            }
                        })}
                    {thread
                        .locked
                        .then(|| {
                            view! { <span class="chip">{i18n.t("teahouse-locked-mark")}</span> }
                        })}
                    {thread
                        .hidden
                        .then(|| {
                            view! {
                                <span class="chip">{i18n.t("teahouse-post-hidden-mark")}</span>
                            }
                        })}
                </span>
                <strong>{thread.title}</strong>
                <span class="meta">
                    {by} " · " {thread.board} " · "
                    {i18n.count("teahouse-reply-count", thread.replies.max(0) as u64)} " · "
                    {thread.last_at}
                </span>
            </a>
        </li>
    }
}

#[component]
fn ThreadList(threads: Vec<ThreadCard>) -> impl IntoView {
    let i18n = use_i18n();
    if threads.is_empty() {
        return view! { <p class="empty">{i18n.t("teahouse-no-threads")}</p> }.into_any();
    }
    view! {
        <ul class="cards">
            {threads.into_iter().map(|t| view! { <ThreadItem thread=t /> }).collect_view()}
        </ul>
    }
    .into_any()
}

/// One board: its threads, and staff get those waiting for an answer first.
#[component]
pub fn BoardPage() -> impl IntoView {
    let i18n = use_i18n();
    let id = crate::id_param();
    let page = page_query();
    let info = Resource::new(
        move || (id.get(), page.get()),
        |(id, page)| board_view(id, page),
    );
    view! {
        <Title text=i18n.t("teahouse-title") />
        <p class="crumbs">
            <a href="/teahouse">{i18n.t("teahouse-title")}</a>
        </p>
        <Loaded resource=info view=|info| view! { <Board info /> } />
    }
}

#[component]
fn Board(info: BoardInfo) -> impl IntoView {
    let i18n = use_i18n();
    let id = info.board.id;
    view! {
        <Title text=info.board.name.clone() />
        <h1>{info.board.name}</h1>
        <p class="lead">{info.board.description}</p>
        <p class="meta">
            {info.board.office} " · "
            {i18n.arg("teahouse-answer-deadline", "hours", &info.board.answer_hours.to_string())}
        </p>
        <p>
            <a class="button" href=format!("/teahouse/b/{id}/new")>
                {i18n.t("teahouse-new-thread")}
            </a>
        </p>
        {info.staff.then(|| view! { <p class="meta">{i18n.t("teahouse-staff-order")}</p> })}
        <ThreadList threads=info.threads />
        <Pager base=format!("/teahouse/b/{id}?") page=info.page pages=info.pages />
    }
}

/// The new-thread form. Needs an account: visitors are offered to sign in.
#[component]
pub fn NewThreadPage() -> impl IntoView {
    let i18n = use_i18n();
    let id = crate::id_param();
    let info = Resource::new(move || id.get(), new_thread_view);
    view! {
        <Title text=i18n.t("teahouse-new-thread") />
        <p class="crumbs">
            <a href="/teahouse">{i18n.t("teahouse-title")}</a>
        </p>
        <h1>{i18n.t("teahouse-new-thread")}</h1>
        <FormError path=StartThread::PATH />
        <Loaded resource=info view=|info| view! { <NewThreadForm info /> } />
    }
}

/// The name field when the reader has none saved yet, and the "post as 居民" box.
#[component]
fn SignAs(prefix: &'static str, my_name: Option<String>, official: bool) -> impl IntoView {
    let i18n = use_i18n();
    let name = my_name.is_none().then(|| {
        view! {
            <label>
                {i18n.t("teahouse-field-name")}
                <input
                    type="text"
                    name=format!("{prefix}[display_name]")
                    maxlength="20"
                    autocomplete="nickname"
                /> <small>{i18n.t("teahouse-field-name-hint")}</small>
            </label>
        }
    });
    let anonymous = (!official).then(|| {
        view! {
            <label class="check">
                <input type="checkbox" name=format!("{prefix}[anonymous]") />
                {i18n.t("teahouse-field-anonymous")}
            </label>
            <small>{i18n.t("teahouse-field-anonymous-hint")}</small>
        }
    });
    view! {
        {name}
        {my_name
            .map(|n| view! { <p class="meta">{i18n.arg("teahouse-signed-as", "name", &n)}</p> })}
        {anonymous}
    }
}

#[component]
fn NewThreadForm(info: NewThreadInfo) -> impl IntoView {
    let i18n = use_i18n();
    let mine = info.my_community;
    view! {
        <p class="lead">{info.board.name} " — " {info.board.description}</p>
        <form method="post" action=StartThread::PATH class="form panel">
            <CsrfField />
            <input type="hidden" name="thread[board_id]" value=info.board.id.to_string() />
            <label>
                {i18n.t("teahouse-field-title")}
                <input type="text" name="thread[title]" required minlength="4" maxlength="60" />
            </label>
            <label>
                {i18n.t("teahouse-field-body")}
                <textarea
                    name="thread[body]"
                    required
                    minlength="2"
                    maxlength="5000"
                    rows="8"
                ></textarea> <small>{i18n.t("teahouse-field-body-hint")}</small>
            </label>
            <label>
                {i18n.t("teahouse-field-community")} <select name="thread[community_id]">
                    <option value="">{i18n.t("teahouse-field-community-none")}</option>
                    {info
                        .communities
                        .into_iter()
                        .map(|(id, name)| {
                            view! {
                                <option value=id.to_string() selected=mine == Some(id)>
                                    {name}
                                </option>
                            }
                        })
                        .collect_view()}
                </select>
            </label>
            <SignAs prefix="thread" my_name=info.my_name official=false />
            <button type="submit" class="button">
                {i18n.t("teahouse-post")}
            </button>
        </form>
    }
}

/// A thread with its replies, the reply form, and the actions the reader may take.
#[component]
pub fn ThreadPage() -> impl IntoView {
    let i18n = use_i18n();
    let id = crate::id_param();
    let page = page_query();
    let info = Resource::new(
        move || (id.get(), page.get()),
        |(id, page)| thread_view(id, page),
    );
    view! {
        <Title text=i18n.t("teahouse-title") />
        <DoneNotice prefix="teahouse-done" />
        <FormError path=PostReply::PATH />
        <FormError path=AcceptAnswer::PATH />
        <FormError path=ResolveThread::PATH />
        <FormError path=FlagPost::PATH />
        <FormError path=ModeratePost::PATH />
        <FormError path=ModerateThread::PATH />
        <FormError path=ThreadToCase::PATH />
        <Loaded resource=info view=|info| view! { <Thread info /> } />
    }
}

#[component]
fn Thread(info: ThreadInfo) -> AnyView {
    let i18n = use_i18n();
    let thread_id = info.id;
    let open = info.status != ThreadStatus::Closed && !info.locked;
    let settle =
        (info.may_settle && matches!(info.status.as_str(), "open" | "answered")).then(|| {
            view! {
                <form method="post" action=ResolveThread::PATH class="inline">
                    <CsrfField />
                    <input type="hidden" name="thread_id" value=thread_id.to_string() />
                    <button type="submit" class="button secondary">
                        {i18n.t("teahouse-resolve")}
                    </button>
                </form>
            }
        });
    let context = PostContext {
        thread_id,
        signed_in: info.signed_in,
        may_accept: info.may_settle && matches!(info.status.as_str(), "open" | "answered"),
        moderator: info.moderator,
    };
    let reply = if !info.signed_in {
        view! {
            <p>
                <a class="button" href=format!("/login?next=/teahouse/t/{thread_id}")>
                    {i18n.t("teahouse-sign-in-to-reply")}
                </a>
            </p>
        }
        .into_any()
    } else if open {
        view! { <ReplyForm thread_id my_name=info.my_name.clone() my_badge=info.my_badge.clone() /> }
            .into_any()
    } else {
        view! {
            <p class="meta">
                {if info.locked {
                    i18n.t("teahouse-thread-locked")
                } else {
                    i18n.t("teahouse-thread-closed")
                }}
            </p>
        }
        .into_any()
    };
    let staff_tools = info.moderator.then(|| {
        view! {
            <ThreadTools
                thread_id
                locked=info.locked
                status=info.status
                has_case=info.case_code.is_some()
                rooms=info.rooms.clone()
            />
        }
    });
    view! {
        <Title text=info.title.clone() />
        <p class="crumbs">
            <a href="/teahouse">{i18n.t("teahouse-title")}</a>
            " › "
            <a href=format!("/teahouse/b/{}", info.board_id)>{info.board.clone()}</a>
        </p>
        <h1>{info.title.clone()}</h1>
        <p class="notice-tags">
            <span class=format!(
                "chip status-{}",
                info.status,
            )>{i18n.label("teahouse-status", info.status)}</span>
            {info
                .overdue
                .then(|| {
                    view! { <span class="chip overdue">{i18n.t("teahouse-overdue-mark")}</span> }
                })}
            {info
                .locked
                .then(|| view! { <span class="chip">{i18n.t("teahouse-locked-mark")}</span> })}
            {info
                .hidden
                .then(|| view! { <span class="chip">{i18n.t("teahouse-post-hidden-mark")}</span> })}
        </p>
        {info
            .case_code
            .clone()
            .map(|code| {
                view! {
                    <p class="notice-ok">
                        {i18n.t("teahouse-became-case")} " "
                        <a href=format!("/mediation/cases/{code}")>{code.clone()}</a>
                    </p>
                }
            })}
        <crate::read_aloud::ReadAloud target="thread-opening" />
        <div id="thread-opening">
            <PostView post=info.opening.clone() context opening=true />
        </div>
        <h2>{i18n.count("teahouse-reply-count", info.replies.len() as u64)}</h2>
        <Pager base=format!("/teahouse/t/{thread_id}?") page=info.page pages=info.pages />
        {info
            .replies
            .into_iter()
            .map(|post| view! { <PostView post context opening=false /> })
            .collect_view()}
        <Pager base=format!("/teahouse/t/{thread_id}?") page=info.page pages=info.pages />
        {settle}
        {reply}
        {staff_tools}
    }
    .into_any()
}

// The thread page's components return `AnyView`: nested as concrete types, the whole page is
// one type too deep for the compiler to lay out.

/// What every post of a thread needs to know about the reader.
#[derive(Clone, Copy)]
struct PostContext {
    thread_id: i32,
    signed_in: bool,
    may_accept: bool,
    moderator: bool,
}

#[component]
fn PostView(post: PostCard, context: PostContext, opening: bool) -> AnyView {
    let i18n = use_i18n();
    let by = author_text(i18n, &post.author);
    let badge = post.badge.clone().map(|room| {
        let text = if post.officer {
            i18n.t("teahouse-badge-officer")
        } else {
            i18n.arg("teahouse-badge-liaison", "room", &room)
        };
        view! { <span class="badge official">{text}</span> }
    });
    let body = if post.deleted {
        view! { <p class="meta">{i18n.t("teahouse-post-deleted")}</p> }.into_any()
    } else if post.hidden && post.body.is_empty() {
        view! { <p class="meta">{i18n.t("teahouse-post-hidden")}</p> }.into_any()
    } else {
        view! {
            {post
                .hidden
                .then(|| view! { <p class="chip">{i18n.t("teahouse-post-hidden-mark")}</p> })}
            <Markup text=post.body.clone() ugc=true />
        }
        .into_any()
    };
    let accept = (context.may_accept
        && !opening
        && !post.mine
        && !post.accepted
        && !post.hidden
        && !post.deleted)
        .then(|| {
            view! {
                <form method="post" action=AcceptAnswer::PATH class="inline">
                    <CsrfField />
                    <input type="hidden" name="thread_id" value=context.thread_id.to_string() />
                    <input type="hidden" name="post_id" value=post.id.to_string() />
                    <button type="submit" class="button secondary">
                        {i18n.t("teahouse-accept")}
                    </button>
                </form>
            }
        });
    // The author adds photos to their own post; a hidden post's stay out of sight.
    let files = view! {
        <crate::files::Files
            files=post.files.clone()
            target=format!("post/{}", post.id)
            may_add=post.mine && !post.hidden && !post.deleted
        />
    };
    let flag = (context.signed_in && !post.mine && !post.deleted)
        .then(|| view! { <FlagForm thread_id=context.thread_id post_id=post.id /> });
    let moderate = (context.moderator && !post.deleted).then(|| {
        view! {
            <details class="tools">
                <summary>{i18n.t("teahouse-moderate")}</summary>
                <PostActions thread_id=context.thread_id post_id=post.id hidden=post.hidden />
            </details>
        }
    });
    view! {
        <article
            id=format!("p{}", post.id)
            class="post"
            class:official=post.badge.is_some()
            class:accepted=post.accepted
        >
            <header class="post-head">
                <span class="author">{by}</span>
                {badge}
                {post
                    .accepted
                    .then(|| {
                        view! { <span class="badge accepted">{i18n.t("teahouse-accepted")}</span> }
                    })}
                <time class="meta">{post.at}</time>
            </header>
            <div class="post-body">{body}</div>
            {files}
            <footer class="post-actions">{accept} {flag} {moderate}</footer>
        </article>
    }
    .into_any()
}

#[component]
fn FlagForm(thread_id: i32, post_id: i32) -> AnyView {
    let i18n = use_i18n();
    view! {
        <details class="tools">
            <summary>{i18n.t("teahouse-flag")}</summary>
            <form method="post" action=FlagPost::PATH class="form">
                <CsrfField />
                <input type="hidden" name="thread_id" value=thread_id.to_string() />
                <input type="hidden" name="post_id" value=post_id.to_string() />
                <label>
                    {i18n.t("teahouse-flag-why")}
                    <select name="reason">
                        {["abuse", "spam", "privacy", "rumour", "other"]
                            .into_iter()
                            .map(|r| {
                                view! {
                                    <option value=r>{i18n.label("teahouse-flag-reason", r)}</option>
                                }
                            })
                            .collect_view()}
                    </select>
                </label>
                <label>
                    {i18n.t("teahouse-flag-note")} <input type="text" name="note" maxlength="200" />
                </label>
                <button type="submit" class="button secondary">
                    {i18n.t("teahouse-flag-send")}
                </button>
            </form>
        </details>
    }
    .into_any()
}

#[component]
fn ReplyForm(thread_id: i32, my_name: Option<String>, my_badge: Option<String>) -> AnyView {
    let i18n = use_i18n();
    let official = my_badge.is_some();
    let as_badge = my_badge.map(|room| {
        let text = if room.is_empty() {
            i18n.t("teahouse-badge-officer")
        } else {
            i18n.arg("teahouse-badge-liaison", "room", &room)
        };
        view! { <p class="meta">{i18n.arg("teahouse-answer-as", "badge", &text)}</p> }
    });
    view! {
        <form method="post" action=PostReply::PATH class="form panel" id="reply">
            <CsrfField />
            <input type="hidden" name="reply[thread_id]" value=thread_id.to_string() />
            <label>
                {i18n.t("teahouse-field-reply")}
                <textarea
                    name="reply[body]"
                    required
                    minlength="2"
                    maxlength="5000"
                    rows="5"
                ></textarea>
            </label>
            {as_badge}
            <SignAs prefix="reply" my_name official />
            <button type="submit" class="button">
                {i18n.t("teahouse-reply")}
            </button>
        </form>
    }
    .into_any()
}

/// An officer's tools for the whole thread: lock, close or reopen, and a mediation case.
#[component]
fn ThreadTools(
    thread_id: i32,
    locked: bool,
    status: ThreadStatus,
    has_case: bool,
    rooms: Vec<(i32, String)>,
) -> AnyView {
    let i18n = use_i18n();
    let mut actions = vec![if locked { "unlock" } else { "lock" }];
    actions.push(
        if matches!(status, ThreadStatus::Closed | ThreadStatus::Resolved) {
            "reopen"
        } else {
            "close"
        },
    );
    let to_case = (!has_case).then(|| {
        view! {
            <details class="tools">
                <summary>{i18n.t("teahouse-to-case")}</summary>
                <form method="post" action=ThreadToCase::PATH class="form">
                    <CsrfField />
                    <input type="hidden" name="case[thread_id]" value=thread_id.to_string() />
                    <label>
                        {i18n.t("mediation-field-type")}
                        <select name="case[dispute_type]">
                            {vocab::mediation::DisputeType::NAMES
                                .iter()
                                .copied()
                                .map(|t| {
                                    view! {
                                        <option value=t>{i18n.label("mediation-type", t)}</option>
                                    }
                                })
                                .collect_view()}
                        </select>
                    </label>
                    <label>
                        {i18n.t("mediation-field-room")}
                        <select name="case[room_id]">
                            {rooms
                                .into_iter()
                                .map(|(id, name)| {
                                    view! { <option value=id.to_string()>{name}</option> }
                                })
                                .collect_view()}
                        </select>
                    </label>
                    <label>
                        {i18n.t("mediation-field-other")}
                        <input type="text" name="case[other_party]" required maxlength="50" />
                    </label>
                    <button type="submit" class="button">
                        {i18n.t("teahouse-to-case")}
                    </button>
                </form>
            </details>
        }
    });
    view! {
        <section class="panel tools">
            <h2>{i18n.t("teahouse-thread-tools")}</h2>
            <form method="post" action=ModerateThread::PATH class="inline">
                <CsrfField />
                <input type="hidden" name="thread_id" value=thread_id.to_string() />
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
                            <button
                                type="submit"
                                name="action"
                                value=action
                                class="button secondary"
                            >
                                {i18n.label("teahouse-action", action)}
                            </button>
                        }
                    })
                    .collect_view()}
            </form>
            {to_case}
        </section>
    }
    .into_any()
}

/// /teahouse/search?q=… — threads whose title or posts contain every term.
#[component]
pub fn SearchPage() -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let q = Memo::new(move |_| query.read().get("q").unwrap_or_default());
    let page = page_query();
    let found = Resource::new(
        move || (q.get(), page.get()),
        |(q, page)| async move {
            if q.trim().is_empty() {
                Ok(None)
            } else {
                search_view(q, page).await.map(Some)
            }
        },
    );
    view! {
        <Title text=i18n.t("teahouse-search") />
        <p class="crumbs">
            <a href="/teahouse">{i18n.t("teahouse-title")}</a>
        </p>
        <h1>{i18n.t("teahouse-search")}</h1>
        {move || view! { <SearchForm query=q.get() /> }}
        <Loaded
            resource=found
            view=move |found| {
                found
                    .map(|info| {
                        let base = format!("/teahouse/search?q={}&", query_value(&info.query));
                        view! {
                            <p class="meta">{i18n.count("teahouse-search-found", info.total)}</p>
                            <ThreadList threads=info.threads />
                            <Pager base page=info.page pages=info.pages />
                        }
                    })
            }
        />
    }
}
