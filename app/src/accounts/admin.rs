//! Admins: the organisations a person belongs to, each with a form that ends the membership
//! (/admin/members), and the audit log with its filters and CSV download and the log of
//! household views (/admin/audit; the older /admin/log redirects there).

use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;
use serde::{Deserialize, Serialize};
use vocab::accounts::{LogAction, Via};

use crate::error::{AppError, DoneNotice, FormError, Loaded};
use crate::i18n::use_i18n;
use crate::pager::Pager;
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
    pub via: Via,
    /// Whoever acted; `None` from the command line or once deleted.
    pub actor: Option<String>,
    pub action: LogAction,
    /// The account acted on; `None` for the station's own records or once deleted.
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

/// The audit page's filters as its query carries them (and the pager and the CSV link
/// repeat them).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditQuery {
    pub actor: Option<String>,
    pub action: Option<String>,
    pub from: Option<String>,
    pub to: Option<String>,
}

impl AuditQuery {
    /// `actor=…&action=…` of the filters given, percent-encoded.
    pub fn query_string(&self) -> String {
        [
            ("actor", &self.actor),
            ("action", &self.action),
            ("from", &self.from),
            ("to", &self.to),
        ]
        .into_iter()
        .filter_map(|(name, value)| {
            let value = value.as_deref().map(str::trim).filter(|v| !v.is_empty())?;
            let encoded: String = value
                .bytes()
                .map(|b| match b {
                    b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'-' | b'_' | b'.' => {
                        char::from(b).to_string()
                    }
                    _ => format!("%{b:02X}"),
                })
                .collect();
            Some(format!("{name}={encoded}"))
        })
        .collect::<Vec<_>>()
        .join("&")
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdminLogInfo {
    pub rows: Vec<LogRow>,
    pub page: u64,
    pub pages: u64,
    /// The newest views of household data.
    pub views: Vec<ViewRow>,
}

/// Household views shown on the audit page.
#[cfg(feature = "ssr")]
const VIEWS_SHOWN: u64 = 100;

/// Admin: a page of the audit log as the filters narrow it, newest first, and the newest
/// views of household data.
#[server(endpoint = "admin/audit", input = server_fn::codec::GetUrl)]
pub async fn admin_audit(
    actor: Option<String>,
    action: Option<String>,
    from: Option<String>,
    to: Option<String>,
    page: Option<u64>,
) -> Result<AdminLogInfo, AppError> {
    use domain::admin_log::{self, Filter};
    use domain::time::format_local;
    let admin = crate::accounts::ssr::require_role(domain::accounts::Role::Admin).await?;
    let filter = Filter::parse(
        actor.as_deref(),
        action.as_deref(),
        from.as_deref(),
        to.as_deref(),
    )?;
    let db = crate::state::db()?;
    let (lines, pages) = admin_log::search(&db, &admin, &filter, page.unwrap_or(1)).await?;
    let views = domain::casework::colours::views(&db, &admin, VIEWS_SHOWN).await?;
    Ok(AdminLogInfo {
        rows: lines
            .into_iter()
            .map(|l| LogRow {
                at: format_local(l.entry.at),
                via: l.entry.via,
                actor: l.actor_phone,
                action: l.entry.action,
                target: l.target_phone,
                subject: l.entry.subject,
                before: l.entry.value_before,
                after: l.entry.value_after,
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
                                {row
                                    .leader
                                    .then(|| format!(" · {}", i18n.t("admin-member-leader")))}
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

/// /admin/audit: the audit log with its filters (who, which act, from and to which day),
/// pages and a CSV download of what the filters keep, and who saw household data.
#[component]
pub fn AuditPage() -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let filters = Memo::new(move |_| {
        let query = query.read();
        AuditQuery {
            actor: query.get("actor"),
            action: query.get("action"),
            from: query.get("from"),
            to: query.get("to"),
        }
    });
    let page = Memo::new(move |_| query.read().get("page").and_then(|p| p.parse().ok()));
    let info = Resource::new(
        move || (filters.get(), page.get()),
        |(f, page)| admin_audit(f.actor, f.action, f.from, f.to, page),
    );
    view! {
        <Title text=i18n.t("admin-log") />
        <p class="crumbs">
            <a href="/admin">{i18n.t("admin-title")}</a>
        </p>
        <h1>{i18n.t("admin-log")}</h1>
        <p class="lead">{i18n.t("admin-log-intro")}</p>
        <Loaded
            resource=info
            view=move |info| view! { <LogTables info filters=filters.get_untracked() /> }
        />
    }
}

#[component]
fn AuditFilters(filters: AuditQuery) -> impl IntoView {
    let i18n = use_i18n();
    let chosen = filters.action.clone().unwrap_or_default();
    view! {
        <form method="get" action="/admin/audit" class="form filters">
            <label>
                {i18n.t("audit-actor")}
                <input
                    type="tel"
                    name="actor"
                    inputmode="numeric"
                    maxlength="20"
                    value=filters.actor.unwrap_or_default()
                />
            </label>
            <label>
                {i18n.t("audit-action")} <select name="action">
                    <option value="">{i18n.t("audit-any")}</option>
                    {LogAction::NAMES
                        .iter()
                        .copied()
                        .map(|action| {
                            let selected = action == chosen;
                            view! {
                                <option value=action selected=selected>
                                    {i18n.label("admin-log-action", action)}
                                </option>
                            }
                        })
                        .collect_view()}
                </select>
            </label>
            <label>
                {i18n.t("audit-from")}
                <input type="date" name="from" value=filters.from.unwrap_or_default() />
            </label>
            <label>
                {i18n.t("audit-to")}
                <input type="date" name="to" value=filters.to.unwrap_or_default() />
            </label>
            <button type="submit" class="button">
                {i18n.t("audit-filter")}
            </button>
        </form>
    }
}

#[component]
fn LogTables(info: AdminLogInfo, filters: AuditQuery) -> impl IntoView {
    let i18n = use_i18n();
    let someone = move |phone: Option<String>, via: Via| {
        phone.unwrap_or_else(|| {
            if via == Via::CommandLine {
                i18n.t("admin-log-command-line")
            } else {
                i18n.t("admin-log-deleted")
            }
        })
    };
    let query = filters.query_string();
    let base = if query.is_empty() {
        "/admin/audit?".to_owned()
    } else {
        format!("/admin/audit?{query}&")
    };
    let csv = match filters.query_string() {
        q if q.is_empty() => "/admin/audit.csv".to_owned(),
        q => format!("/admin/audit.csv?{q}"),
    };
    view! {
        <AuditFilters filters />
        <section class="panel">
            <p>
                <a href=csv download="">
                    {i18n.t("audit-csv")}
                </a>
            </p>
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
                        let target = match (row.target, row.action) {
                            (Some(phone), _) => phone,
                            (None, action) if !action.names_an_account() => i18n.t("audit-station"),
                            (None, _) => i18n.t("admin-log-deleted"),
                        };
                        // The station's own records and its directory name no account; a
                        // deleted account shows as such.
                        view! {
                            <tr>
                                <td>{row.at}</td>
                                <td>
                                    {someone(row.actor, row.via)} <br />
                                    <small>{i18n.label("audit-via", row.via)}</small>
                                </td>
                                <td>{i18n.label("admin-log-action", row.action)}</td>
                                <td>{target}</td>
                                <td>{row.subject}</td>
                                <td>{row.before}</td>
                                <td>{row.after}</td>
                            </tr>
                        }
                    })
                    .collect_view()}
            </table>
            <Pager base=base page=info.page pages=info.pages />
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
