//! 安全提示: safety notices. Pages in `pages.rs`, the body's Markdown-lite in `crate::markup`,
//! the rules (targeting, versions, reads) in `domain::notices`; feeds for other systems are
//! served by `server::feeds`.

pub mod pages;

use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use vocab::notices::{Category, Severity, Status};

use crate::error::AppError;

/// A notice in a list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NoticeCard {
    pub id: i32,
    pub title: String,
    pub category: Category,
    pub severity: Severity,
    pub status: Status,
    pub pinned: bool,
    pub published_at: Option<String>,
    /// When it was changed after publication.
    pub updated_at: Option<String>,
    pub expires_at: String,
    pub active: bool,
    /// Target communities; empty: all.
    pub communities: Vec<String>,
    pub unread: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NoticeList {
    pub notices: Vec<NoticeCard>,
    /// For a signed-in resident: their community.
    pub community: Option<String>,
    /// For visitors: the filter's choices and choice. With more communities than a list
    /// can show, the filter asks for a name and its choices are the communities it matched.
    pub choices: Vec<(i32, String)>,
    pub chosen: Option<i32>,
    pub by_name: bool,
    /// The name asked for, trimmed.
    pub name: String,
    /// The chosen community's name, for a filter by name.
    pub chosen_name: Option<String>,
    pub is_officer: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NoticeDetail {
    pub card: NoticeCard,
    pub body: String,
    pub starts_at: String,
    pub is_officer: bool,
    /// Its poster and other pictures.
    pub files: Vec<crate::files::FileView>,
}

/// What the editor shows and sends back. Times are local, as `<input type=datetime-local>`
/// writes them: "2026-12-01T09:00".
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NoticeInput {
    #[serde(default)]
    pub id: Option<i32>,
    pub title: String,
    pub body: String,
    pub category: String,
    pub severity: String,
    /// "all", or "some" with `communities`.
    pub target: String,
    #[serde(default)]
    pub communities: Vec<i32>,
    pub starts_at: String,
    pub expires_at: String,
    #[serde(default)]
    pub pinned: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Editor {
    pub input: NoticeInput,
    pub status: Status,
    pub choices: Vec<(i32, String)>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeskRow {
    pub card: NoticeCard,
    pub read: u64,
    pub audience: u64,
    /// Its messages outside the portal (an urgent notice's), per channel that carried any.
    pub reach: Vec<ChannelReach>,
}

/// How far one notice's messages by one channel got.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChannelReach {
    pub channel: vocab::outbox::Channel,
    pub sent: i64,
    pub queued: i64,
    pub failed: i64,
    /// Of the sent, what the carriers reported reaching the phone and not: texts only
    /// (WeChat and e-mail give the portal no receipts).
    pub receipts: Option<(i64, i64)>,
}

#[cfg(feature = "ssr")]
pub mod ssr {
    use std::collections::BTreeSet;

    use chrono::{DateTime, NaiveDateTime, Utc};
    use domain::notices::Notice;
    use domain::time::{SHANGHAI, format_local, local};

    use super::*;

    pub fn card(n: &Notice, read: &BTreeSet<i32>, now: DateTime<Utc>) -> NoticeCard {
        NoticeCard {
            id: n.notice.id,
            title: n.notice.title.clone(),
            category: n.notice.category,
            severity: n.notice.severity,
            status: n.notice.status,
            pinned: n.notice.pinned,
            published_at: n.notice.published_at.map(format_local),
            updated_at: n.was_updated().then(|| format_local(n.notice.updated_at)),
            expires_at: format_local(n.notice.expires_at),
            active: n.is_active(now),
            communities: n.communities.iter().map(|(_, name)| name.clone()).collect(),
            unread: !read.contains(&n.notice.id),
        }
    }

    /// "2026-12-01T09:00" in Ningbo time.
    pub fn parse_local(text: &str) -> Result<DateTime<Utc>, AppError> {
        NaiveDateTime::parse_from_str(text.trim(), "%Y-%m-%dT%H:%M")
            .ok()
            .and_then(|t| t.and_local_timezone(SHANGHAI).single())
            .map(|t| t.with_timezone(&Utc))
            .ok_or_else(|| AppError::invalid("notice-times-invalid"))
    }

    pub fn input_time(at: DateTime<Utc>) -> String {
        local(at).format("%Y-%m-%dT%H:%M").to_string()
    }

    #[cfg(test)]
    mod tests {
        #[test]
        fn reads_the_browsers_local_time_as_ningbo_time() {
            let at = super::parse_local("2026-12-01T09:00").expect("a time");
            assert_eq!(at.to_rfc3339(), "2026-12-01T01:00:00+00:00");
            assert_eq!(super::input_time(at), "2026-12-01T09:00");
            assert!(super::parse_local("tomorrow").is_err());
        }
    }
}

/// Communities the visitors' filter lists as a drop-down: a 街道's dozen or two. A
/// district's are a name away: a thousand names were most of the page.
pub const FILTER_LIST_MAX: usize = 30;

/// Communities a filter by name shows that it matched.
pub const FILTER_MATCHES_MAX: usize = 20;

/// The notices in force: for a signed-in resident, those of their community; for a
/// visitor, all of them or one community's.
#[server(endpoint = "notices", input = server_fn::codec::GetUrl)]
pub async fn list_notices(
    community: Option<i32>,
    name: Option<String>,
) -> Result<NoticeList, AppError> {
    let db = crate::state::db()?;
    let now = chrono::Utc::now();
    let me = crate::accounts::ssr::current_account()
        .await?
        .map(|(a, _)| a);
    let is_officer = me
        .as_ref()
        .is_some_and(|a| a.has(domain::accounts::Role::Officer));
    let directory = domain::directory::cache::snapshot(&db).await?;
    let name: String = name.unwrap_or_default().trim().chars().take(50).collect();
    let by_name = directory.communities.len() > FILTER_LIST_MAX;
    let mut choices: Vec<(i32, String)> = Vec::new();
    let (scope, community) = match me.as_ref().and_then(|a| a.user.community_id) {
        Some(own) => (Some(own), directory.name(own).map(str::to_owned)),
        None => {
            let matching = directory
                .communities
                .iter()
                .filter(|c| !by_name || (!name.is_empty() && c.community.name.contains(&name)))
                .map(|c| (c.community.id, c.community.name.clone()));
            choices = matching
                .take(if by_name {
                    FILTER_MATCHES_MAX
                } else {
                    FILTER_LIST_MAX
                })
                .collect();
            // One community matched: its notices at once.
            let picked = match choices.as_slice() {
                [(id, _)] if by_name => Some(*id),
                _ => community,
            };
            (picked, None)
        }
    };
    let active = domain::notices::active(&db, scope, now).await?;
    let read = match &me {
        Some(account) => {
            let ids: Vec<i32> = active.iter().map(|n| n.notice.id).collect();
            domain::notices::read_by(&db, account.user.id, &ids).await?
        }
        // A visitor has no reads to keep: nothing is marked unread for them.
        None => active.iter().map(|n| n.notice.id).collect(),
    };
    Ok(NoticeList {
        notices: active.iter().map(|n| ssr::card(n, &read, now)).collect(),
        chosen_name: if me.is_none() {
            scope.and_then(|id| directory.name(id)).map(str::to_owned)
        } else {
            None
        },
        chosen: if me.is_none() { scope } else { None },
        by_name,
        name,
        choices,
        community,
        is_officer,
    })
}

/// One notice; opening it marks it read.
#[server(endpoint = "notice", input = server_fn::codec::GetUrl)]
pub async fn get_notice(id: i32) -> Result<NoticeDetail, AppError> {
    let db = crate::state::db()?;
    let now = chrono::Utc::now();
    let me = crate::accounts::ssr::current_account()
        .await?
        .map(|(a, _)| a);
    let notice = domain::notices::get(&db, id, me.as_ref()).await?;
    if let Some(account) = &me {
        domain::notices::mark_read(&db, account.user.id, id, now).await?;
    }
    let read = std::iter::once(id).collect();
    let files = crate::files::views(domain::files::of_notice(&db, me.as_ref(), id).await?);
    Ok(NoticeDetail {
        files,
        card: ssr::card(&notice, &read, now),
        body: notice.notice.body.clone(),
        starts_at: domain::time::format_local(notice.notice.starts_at),
        is_officer: me.is_some_and(|a| a.has(domain::accounts::Role::Officer)),
    })
}

/// The archive, by category and month ("2026-11").
#[server(endpoint = "notices/archive", input = server_fn::codec::GetUrl)]
pub async fn notice_archive(
    category: Option<String>,
    month: Option<String>,
) -> Result<Vec<NoticeCard>, AppError> {
    let db = crate::state::db()?;
    let now = chrono::Utc::now();
    let category = category
        .as_deref()
        .and_then(domain::notices::Category::parse);
    let month = month
        .filter(|m| !m.is_empty())
        .and_then(|m| chrono::NaiveDate::parse_from_str(&format!("{m}-01"), "%Y-%m-%d").ok());
    let notices = domain::notices::archive(&db, category, month).await?;
    let read = notices.iter().map(|n| n.notice.id).collect();
    Ok(notices.iter().map(|n| ssr::card(n, &read, now)).collect())
}

/// Officers: every notice with how many of its residents have read it.
#[server(endpoint = "notices/desk")]
pub async fn notice_desk() -> Result<Vec<DeskRow>, AppError> {
    let me = crate::accounts::ssr::require_role(domain::accounts::Role::Officer).await?;
    let db = crate::state::db()?;
    let now = chrono::Utc::now();
    let desk = domain::notices::desk(&db, &me).await?;
    let read = desk.iter().map(|r| r.notice.notice.id).collect();
    let ids: Vec<i32> = desk.iter().map(|r| r.notice.notice.id).collect();
    let reach = domain::outbox::reach_of_notices(&db, &ids).await?;
    Ok(desk
        .iter()
        .map(|r| DeskRow {
            card: ssr::card(&r.notice, &read, now),
            read: r.read,
            audience: r.audience,
            reach: reach
                .range((r.notice.notice.id, domain::outbox::Channel::Sms)..)
                .take_while(|((id, _), _)| *id == r.notice.notice.id)
                .map(|((_, channel), s)| ChannelReach {
                    channel: *channel,
                    sent: s.sent,
                    queued: s.queued,
                    failed: s.failed,
                    receipts: (*channel == domain::outbox::Channel::Sms)
                        .then_some((s.delivered, s.undelivered)),
                })
                .collect(),
        })
        .collect())
}

/// Every community in service, for the editor's targets.
#[cfg(feature = "ssr")]
async fn choices() -> Result<Vec<(i32, String)>, AppError> {
    let db = crate::state::db()?;
    Ok(domain::directory::communities(&db)
        .await?
        .into_iter()
        .map(|c| (c.community.id, c.community.name))
        .collect())
}

/// Officers: the editor, empty for a new notice.
#[server(endpoint = "notices/editor")]
pub async fn notice_editor(id: Option<i32>) -> Result<Editor, AppError> {
    let me = crate::accounts::ssr::require_role(domain::accounts::Role::Officer).await?;
    let db = crate::state::db()?;
    let now = chrono::Utc::now();
    let choices = choices().await?;
    let Some(id) = id else {
        return Ok(Editor {
            input: NoticeInput {
                category: "fraud".into(),
                severity: "info".into(),
                target: "all".into(),
                starts_at: ssr::input_time(now),
                expires_at: ssr::input_time(now + chrono::Duration::days(7)),
                ..Default::default()
            },
            status: Status::Draft,
            choices,
        });
    };
    let notice = domain::notices::get(&db, id, Some(&me)).await?;
    let n = &notice.notice;
    // A community retired since the notice was written is no longer a choice, but stays
    // one of its targets: offered, ticked, so that saving the notice keeps it.
    let mut choices = choices;
    for (id, name) in &notice.communities {
        if !choices.iter().any(|(known, _)| known == id) {
            choices.push((*id, name.clone()));
        }
    }
    Ok(Editor {
        input: NoticeInput {
            id: Some(n.id),
            title: n.title.clone(),
            body: n.body.clone(),
            category: n.category.as_str().to_owned(),
            severity: n.severity.as_str().to_owned(),
            target: if n.all_communities { "all" } else { "some" }.into(),
            communities: notice.communities.iter().map(|(id, _)| *id).collect(),
            starts_at: ssr::input_time(n.starts_at),
            expires_at: ssr::input_time(n.expires_at),
            pinned: n.pinned.then(|| "on".into()),
        },
        status: n.status,
        choices,
    })
}

/// Officers: saves a new draft or changes to a notice, then shows its preview.
#[server(endpoint = "notices/save")]
pub async fn save_notice(notice: NoticeInput) -> Result<(), AppError> {
    let me = crate::accounts::ssr::require_role(domain::accounts::Role::Officer).await?;
    let db = crate::state::db()?;
    let now = chrono::Utc::now();
    let draft = domain::notices::Draft {
        starts_at: ssr::parse_local(&notice.starts_at)?,
        expires_at: ssr::parse_local(&notice.expires_at)?,
        communities: if notice.target == "all" {
            Vec::new()
        } else if notice.communities.is_empty() {
            return Err(AppError::invalid("notice-communities-invalid"));
        } else {
            notice.communities
        },
        title: notice.title,
        body: notice.body,
        category: notice.category,
        severity: notice.severity,
        pinned: notice.pinned.is_some(),
    };
    let id = match notice.id {
        Some(id) => {
            domain::notices::edit(&db, &me, id, draft, now).await?;
            id
        }
        None => domain::notices::create(&db, &me, draft, now).await?.id,
    };
    leptos_axum::redirect(&format!("/notices/{id}/edit?done=saved"));
    Ok(())
}

#[server(endpoint = "notices/publish")]
pub async fn publish_notice(id: i32) -> Result<(), AppError> {
    let me = crate::accounts::ssr::require_role(domain::accounts::Role::Officer).await?;
    domain::notices::publish(&crate::state::db()?, &me, id, chrono::Utc::now()).await?;
    leptos_axum::redirect(&format!("/notices/{id}?done=published"));
    Ok(())
}

#[server(endpoint = "notices/cancel")]
pub async fn cancel_notice(id: i32) -> Result<(), AppError> {
    let me = crate::accounts::ssr::require_role(domain::accounts::Role::Officer).await?;
    domain::notices::cancel(&crate::state::db()?, &me, id, chrono::Utc::now()).await?;
    leptos_axum::redirect(&format!("/notices/{id}?done=cancelled"));
    Ok(())
}
