//! Admins: the organisations a person belongs to, each with a form that ends the membership
//! (/admin/members), and the admin log with the log of household views (/admin/log).

use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;
use serde::{Deserialize, Serialize};

use crate::error::{AppError, DoneNotice, FormError, Loaded};
use crate::i18n::use_i18n;
use crate::security::CsrfField;

/// A membership as the admin sees it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberRow {
    /// `mediation_room`, …: the label of the kind.
    pub group: String,
    /// `mediation_room:3`: what the remove form sends.
    pub key: String,
    pub name: String,
    pub leader: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonMemberships {
    /// The number looked up, as stored; empty before a look-up.
    pub phone: String,
    pub rows: Vec<MemberRow>,
}

/// Admin: the memberships of the account of `phone` (nothing when no number is given yet).
#[server(endpoint = "admin/memberships", input = server_fn::codec::GetUrl)]
pub async fn memberships(phone: Option<String>) -> Result<PersonMemberships, AppError> {
    crate::accounts::ssr::require_role(domain::accounts::Role::Admin).await?;
    let Some(phone) = phone.filter(|p| !p.trim().is_empty()) else {
        return Ok(PersonMemberships {
            phone: String::new(),
            rows: Vec::new(),
        });
    };
    let db = crate::state::db()?;
    let user = domain::accounts::find_by_phone(&db, &phone)
        .await?
        .ok_or_else(|| AppError::invalid("admin-no-such-user"))?;
    let rows = domain::memberships::of(&db, user.id)
        .await?
        .into_iter()
        .map(|m| MemberRow {
            group: m.group.as_str().to_owned(),
            key: m.key(),
            name: m.name,
            leader: m.leader,
        })
        .collect();
    Ok(PersonMemberships {
        phone: user.phone,
        rows,
    })
}

/// Admin: ends one membership (`org` as `kind:id`); the person keeps their roles.
#[server(endpoint = "admin/remove-member")]
pub async fn remove_member(phone: String, org: String) -> Result<(), AppError> {
    use domain::memberships::{self, Group};
    let admin = crate::accounts::ssr::require_role(domain::accounts::Role::Admin).await?;
    let db = crate::state::db()?;
    let user = domain::accounts::find_by_phone(&db, &phone)
        .await?
        .ok_or_else(|| AppError::invalid("admin-no-such-user"))?;
    let (group, id) = org
        .trim()
        .split_once(':')
        .and_then(|(group, id)| Some((Group::parse(group)?, id.parse().ok()?)))
        .ok_or_else(|| AppError::invalid("admin-membership-invalid"))?;
    memberships::remove(&db, &admin, user.id, group, id, chrono::Utc::now()).await?;
    // The stored number is digits only: safe in a URL as it is.
    leptos_axum::redirect(&format!("/admin/members?phone={}&done=removed", user.phone));
    Ok(())
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogRow {
    pub at: String,
    /// `admin_page` or `command_line`.
    pub via: String,
    /// The admin's number; `None` from the command line or once deleted.
    pub actor: Option<String>,
    pub action: String,
    pub target: Option<String>,
    pub subject: String,
    pub before: String,
    pub after: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ViewRow {
    pub at: String,
    pub who: Option<String>,
    pub page: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdminLogInfo {
    pub rows: Vec<LogRow>,
    pub page: u64,
    pub pages: u64,
    /// The newest views of household data.
    pub views: Vec<ViewRow>,
}

/// Household views shown on the log page.
#[cfg(feature = "ssr")]
const VIEWS_SHOWN: u64 = 100;

/// Admin: a page of the admin log, newest first, and the newest views of household data.
#[server(endpoint = "admin/log", input = server_fn::codec::GetUrl)]
pub async fn admin_log(page: Option<u64>) -> Result<AdminLogInfo, AppError> {
    use domain::time::format_local;
    let admin = crate::accounts::ssr::require_role(domain::accounts::Role::Admin).await?;
    let db = crate::state::db()?;
    let (lines, pages) = domain::admin_log::page(&db, &admin, page.unwrap_or(1)).await?;
    let views = domain::casework::colours::views(&db, &admin, VIEWS_SHOWN).await?;
    Ok(AdminLogInfo {
        rows: lines
            .into_iter()
            .map(|l| {
                // A change of the directory names no account; a deleted one shows as such.
                let target = l.target_phone.or_else(|| {
                    domain::admin_log::LogAction::parse(&l.entry.action)
                        .filter(|a| !a.names_an_account())
                        .map(|_| String::new())
                });
                LogRow {
                    at: format_local(l.entry.at),
                    via: l.entry.via,
                    actor: l.actor_phone,
                    action: l.entry.action,
                    target,
                    subject: l.entry.subject,
                    before: l.entry.value_before,
                    after: l.entry.value_after,
                }
            })
            .collect(),
        page: page.unwrap_or(1).clamp(1, pages),
        pages,
        views: views
            .into_iter()
            .map(|v| ViewRow {
                at: format_local(v.at),
                who: v.phone,
                page: v.page,
            })
            .collect(),
    })
}

/// /admin/members: look a person up by number and end any of their memberships.
#[component]
pub fn MembersPage() -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let phone = Memo::new(move |_| query.read().get("phone"));
    let found = Resource::new(move || phone.get(), memberships);
    view! {
        <Title text=i18n.t("admin-members") />
        <p class="crumbs">
            <a href="/admin">{i18n.t("admin-title")}</a>
        </p>
        <h1>{i18n.t("admin-members")}</h1>
        <p class="lead">{i18n.t("admin-members-intro")}</p>
        <DoneNotice prefix="admin-done" />
        <FormError path=RemoveMember::PATH />
        <form method="get" action="/admin/members" class="form">
            <label>
                {i18n.t("field-phone")}
                <input
                    type="tel"
                    name="phone"
                    required
                    inputmode="numeric"
                    value=move || phone.get().unwrap_or_default()
                />
            </label>
            <button type="submit" class="button">
                {i18n.t("admin-members-find")}
            </button>
        </form>
        <Loaded resource=found view=move |found| view! { <MemberTable found /> } />
    }
}

#[component]
fn MemberTable(found: PersonMemberships) -> impl IntoView {
    let i18n = use_i18n();
    if found.phone.is_empty() {
        return ().into_any();
    }
    if found.rows.is_empty() {
        return view! { <p>{i18n.t("admin-members-none")}</p> }.into_any();
    }
    let phone = found.phone;
    view! {
        <table>
            {found
                .rows
                .into_iter()
                .map(|row| {
                    view! {
                        <tr>
                            <td>{i18n.label("admin-group", &row.group)}</td>
                            <td>
                                {row.name}
                                {row.leader.then(|| format!(" · {}", i18n.t("admin-member-leader")))}
                            </td>
                            <td>
                                <form method="post" action=RemoveMember::PATH>
                                    <CsrfField />
                                    <input type="hidden" name="phone" value=phone.clone() />
                                    <input type="hidden" name="org" value=row.key />
                                    <button type="submit" class="button secondary">
                                        {i18n.t("admin-member-remove")}
                                    </button>
                                </form>
                            </td>
                        </tr>
                    }
                })
                .collect_view()}
        </table>
    }
        .into_any()
}

/// /admin/log: the admin log, newest first, and who saw household data.
#[component]
pub fn AdminLogPage() -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let page = Memo::new(move |_| query.read().get("page").and_then(|p| p.parse().ok()));
    let info = Resource::new(move || page.get(), admin_log);
    view! {
        <Title text=i18n.t("admin-log") />
        <p class="crumbs">
            <a href="/admin">{i18n.t("admin-title")}</a>
        </p>
        <h1>{i18n.t("admin-log")}</h1>
        <p class="lead">{i18n.t("admin-log-intro")}</p>
        <Loaded resource=info view=move |info| view! { <LogTables info /> } />
    }
}

#[component]
fn LogTables(info: AdminLogInfo) -> impl IntoView {
    let i18n = use_i18n();
    let someone = move |phone: Option<String>, via: &str| {
        phone.unwrap_or_else(|| {
            if via == "command_line" {
                i18n.t("admin-log-command-line")
            } else {
                i18n.t("admin-log-deleted")
            }
        })
    };
    view! {
        <section class="panel">
            <table>
                <tr>
                    <th>{i18n.t("admin-log-at")}</th>
                    <th>{i18n.t("admin-log-by")}</th>
                    <th>{i18n.t("admin-log-what")}</th>
                    <th>{i18n.t("admin-log-target")}</th>
                    <th>{i18n.t("admin-log-subject")}</th>
                    <th>{i18n.t("admin-log-before")}</th>
                    <th>{i18n.t("admin-log-after")}</th>
                </tr>
                {info
                    .rows
                    .into_iter()
                    .map(|row| {
                        view! {
                            <tr>
                                <td>{row.at}</td>
                                <td>{someone(row.actor, &row.via)}</td>
                                <td>{i18n.label("admin-log-action", &row.action)}</td>
                                <td>{row.target.unwrap_or_else(|| i18n.t("admin-log-deleted"))}</td>
                                <td>{row.subject}</td>
                                <td>{row.before}</td>
                                <td>{row.after}</td>
                            </tr>
                        }
                    })
                    .collect_view()}
            </table>
            <nav class="pager">
                {(info.page > 1)
                    .then(|| {
                        view! {
                            <a rel="prev" href=format!("/admin/log?page={}", info.page - 1)>
                                {i18n.t("teahouse-prev")}
                            </a>
                        }
                    })}
                {(info.page < info.pages)
                    .then(|| {
                        view! {
                            <a rel="next" href=format!("/admin/log?page={}", info.page + 1)>
                                {i18n.t("teahouse-next")}
                            </a>
                        }
                    })}
            </nav>
        </section>
        <section class="panel">
            <h2>{i18n.t("admin-colour-views")}</h2>
            <p>{i18n.t("admin-colour-views-intro")}</p>
            <table>
                <tr>
                    <th>{i18n.t("admin-log-at")}</th>
                    <th>{i18n.t("admin-log-viewer")}</th>
                    <th>{i18n.t("admin-log-page")}</th>
                </tr>
                {info
                    .views
                    .into_iter()
                    .map(|v| {
                        view! {
                            <tr>
                                <td>{v.at}</td>
                                <td>{v.who.unwrap_or_else(|| i18n.t("admin-log-deleted"))}</td>
                                <td>{v.page}</td>
                            </tr>
                        }
                    })
                    .collect_view()}
            </table>
        </section>
    }
}
