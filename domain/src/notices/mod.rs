//! 安全提示: community officers warn residents about fraud, drowning, traffic, fire, weather,
//! missing people. A notice is drafted, published for all communities or a chosen set,
//! updated or cancelled; every published state is kept as a version (the CAP feed's Alert,
//! Update and Cancel follow them), and the portal records who has read what.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use sea_orm::{
    ActiveValue::Set,
    ColumnTrait, ConnectionTrait, DatabaseConnection, DatabaseTransaction, EntityTrait, JoinType,
    QueryFilter, QueryOrder, QuerySelect, TransactionTrait,
    sea_query::{Expr, ExprTrait, Query, SelectStatement, SimpleExpr},
};

use crate::accounts::{Account, Role};
use crate::entities::{
    community, notice, notice_community, notice_read, notice_version, user, user_role,
};
use crate::text::{clean, one_line};
use crate::time::at_local;
use crate::{Error, Result, inbox};

/// Every rule code this feature can refuse with; each is a translation key.
pub const REFUSAL_CODES: &[&str] = &[
    "notice-title-length",
    "notice-body-length",
    "notice-category-invalid",
    "notice-severity-invalid",
    "notice-times-invalid",
    "notice-communities-invalid",
    "notice-changed",
];

/// The inbox topics this feature sends; each is a translation key with a `{ $code }`
/// (here the notice's title).
pub const INBOX_TOPICS: &[&str] = &["inbox-notice-urgent"];

pub use vocab::notices::{Category, Severity, Status, VersionKind};

/// What an officer writes.
#[derive(Clone, Debug)]
pub struct Draft {
    pub title: String,
    pub body: String,
    pub category: String,
    pub severity: String,
    /// Empty: every community.
    pub communities: Vec<i32>,
    pub starts_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub pinned: bool,
}

/// A notice with its audience, as pages and feeds show it.
#[derive(Clone, Debug)]
pub struct Notice {
    pub notice: notice::Model,
    /// The target communities' names; empty when it is for all.
    pub communities: Vec<(i32, String)>,
}

impl Notice {
    pub fn severity(&self) -> Severity {
        self.notice.severity
    }

    pub fn is_active(&self, now: DateTime<Utc>) -> bool {
        self.notice.status == Status::Published
            && self.notice.starts_at <= now
            && now < self.notice.expires_at
    }

    /// Changed after it was first published.
    pub fn was_updated(&self) -> bool {
        self.notice.version > 1 && self.notice.status == Status::Published
    }
}

struct Checked {
    title: String,
    body: String,
    category: Category,
    severity: Severity,
    communities: BTreeSet<i32>,
}

async fn check(db: &impl ConnectionTrait, draft: &Draft) -> Result<Checked> {
    let title = one_line(&draft.title);
    if !(2..=100).contains(&title.chars().count()) {
        return Err(Error::Invalid("notice-title-length"));
    }
    let body = clean(&draft.body);
    if !(1..=5000).contains(&body.chars().count()) {
        return Err(Error::Invalid("notice-body-length"));
    }
    let category =
        Category::parse(&draft.category).ok_or(Error::Invalid("notice-category-invalid"))?;
    let severity =
        Severity::parse(&draft.severity).ok_or(Error::Invalid("notice-severity-invalid"))?;
    if draft.expires_at <= draft.starts_at {
        return Err(Error::Invalid("notice-times-invalid"));
    }
    let communities: BTreeSet<i32> = draft.communities.iter().copied().collect();
    if !communities.is_empty() {
        let known = community::Entity::find()
            .filter(community::Column::Id.is_in(communities.iter().copied()))
            .all(db)
            .await?;
        if known.len() != communities.len() {
            return Err(Error::Invalid("notice-communities-invalid"));
        }
    }
    Ok(Checked {
        title,
        body,
        category,
        severity,
        communities,
    })
}

async fn set_communities(
    txn: &DatabaseTransaction,
    notice_id: i32,
    communities: &BTreeSet<i32>,
) -> Result<()> {
    notice_community::Entity::delete_many()
        .filter(notice_community::Column::NoticeId.eq(notice_id))
        .exec(txn)
        .await?;
    if !communities.is_empty() {
        notice_community::Entity::insert_many(communities.iter().map(|c| {
            notice_community::ActiveModel {
                notice_id: Set(notice_id),
                community_id: Set(*c),
            }
        }))
        .exec(txn)
        .await?;
    }
    Ok(())
}

fn content(checked: &Checked, draft: &Draft) -> Vec<(notice::Column, SimpleExpr)> {
    vec![
        (notice::Column::Title, Expr::value(checked.title.clone())),
        (notice::Column::Body, Expr::value(checked.body.clone())),
        (
            notice::Column::Category,
            Expr::value(checked.category.as_str()),
        ),
        (
            notice::Column::Severity,
            Expr::value(checked.severity.as_str()),
        ),
        (
            notice::Column::AllCommunities,
            Expr::value(checked.communities.is_empty()),
        ),
        (notice::Column::StartsAt, Expr::value(draft.starts_at)),
        (notice::Column::ExpiresAt, Expr::value(draft.expires_at)),
        (notice::Column::Pinned, Expr::value(draft.pinned)),
    ]
}

/// Saves a new draft; nothing is shown to residents until it is published.
pub async fn create(
    db: &DatabaseConnection,
    officer: &Account,
    draft: Draft,
    now: DateTime<Utc>,
) -> Result<notice::Model> {
    officer.require(Role::Officer)?;
    let checked = check(db, &draft).await?;
    let txn = db.begin().await?;
    let created = notice::Entity::insert(notice::ActiveModel {
        title: Set(checked.title.clone()),
        body: Set(checked.body.clone()),
        category: Set(checked.category),
        severity: Set(checked.severity),
        all_communities: Set(checked.communities.is_empty()),
        starts_at: Set(draft.starts_at),
        expires_at: Set(draft.expires_at),
        pinned: Set(draft.pinned),
        status: Set(Status::Draft),
        version: Set(0),
        author_id: Set(Some(officer.user.id)),
        created_at: Set(now),
        updated_at: Set(now),
        is_demo: Set(false),
        ..Default::default()
    })
    .exec_with_returning(&txn)
    .await?;
    set_communities(&txn, created.id, &checked.communities).await?;
    txn.commit().await?;
    Ok(created)
}

/// Moves the notice from `from` with `more` columns set, bumping its version when it
/// publishes a new state; refuses when someone else changed it first.
async fn guarded_update(
    txn: &DatabaseTransaction,
    current: &notice::Model,
    from: Status,
    more: Vec<(notice::Column, SimpleExpr)>,
) -> Result<()> {
    let mut update = notice::Entity::update_many();
    for (column, value) in more {
        update = update.col_expr(column, value);
    }
    let result = update
        .filter(notice::Column::Id.eq(current.id))
        .filter(notice::Column::Status.eq(from.as_str()))
        .filter(notice::Column::Version.eq(current.version))
        .exec(txn)
        .await?;
    if result.rows_affected == 0 {
        return Err(Error::Invalid("notice-changed"));
    }
    Ok(())
}

async fn add_version(
    txn: &DatabaseTransaction,
    notice_id: i32,
    version: i32,
    kind: VersionKind,
    at: DateTime<Utc>,
) -> Result<()> {
    notice_version::Entity::insert(notice_version::ActiveModel {
        notice_id: Set(notice_id),
        version: Set(version),
        kind: Set(kind),
        at: Set(at),
    })
    .exec(txn)
    .await?;
    Ok(())
}

async fn load(db: &impl ConnectionTrait, id: i32) -> Result<notice::Model> {
    notice::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(Error::NotFound)
}

/// Changes a draft, or a published notice (residents then see that it changed, and when).
/// A cancelled notice stays as it was.
pub async fn edit(
    db: &DatabaseConnection,
    officer: &Account,
    id: i32,
    draft: Draft,
    now: DateTime<Utc>,
) -> Result<()> {
    officer.require(Role::Officer)?;
    let checked = check(db, &draft).await?;
    let current = load(db, id).await?;
    let status = current.status;
    let mut more = content(&checked, &draft);
    more.push((notice::Column::UpdatedAt, Expr::value(now)));
    let txn = db.begin().await?;
    match status {
        Status::Draft => guarded_update(&txn, &current, status, more).await?,
        Status::Published => {
            more.push((notice::Column::Version, Expr::value(current.version + 1)));
            guarded_update(&txn, &current, status, more).await?;
            add_version(&txn, id, current.version + 1, VersionKind::Updated, now).await?;
        }
        Status::Cancelled => return Err(Error::Invalid("notice-changed")),
    }
    set_communities(&txn, id, &checked.communities).await?;
    txn.commit().await?;
    Ok(())
}

/// Publishes a draft. An urgent notice also goes to the inbox of every resident it is for.
pub async fn publish(
    db: &DatabaseConnection,
    officer: &Account,
    id: i32,
    now: DateTime<Utc>,
) -> Result<()> {
    officer.require(Role::Officer)?;
    let current = load(db, id).await?;
    // An expired draft would be published straight into the archive (and, if urgent,
    // into inboxes): its dates need changing first.
    if current.expires_at <= now {
        return Err(Error::Invalid("notice-times-invalid"));
    }
    let txn = db.begin().await?;
    let more = vec![
        (
            notice::Column::Status,
            Expr::value(Status::Published.as_str()),
        ),
        (notice::Column::Version, Expr::value(1)),
        (notice::Column::PublishedAt, Expr::value(now)),
        (notice::Column::UpdatedAt, Expr::value(now)),
    ];
    guarded_update(&txn, &current, Status::Draft, more).await?;
    // `current` was read before the update: an edit of the draft may have committed in
    // between (a draft's version stays 0, so the guard lets it through). Read what is
    // being published, under the lock the update holds, before telling anyone.
    let published = load(&txn, id).await?;
    add_version(&txn, id, 1, VersionKind::Published, now).await?;
    if published.severity == Severity::Urgent {
        let title = published.title.clone();
        let notice = with_targets(&txn, vec![published]).await?.remove(0);
        let audience = audience(&notice, &residents(&txn).await?);
        inbox::send_notice(&txn, audience, id, &title, now).await?;
    }
    txn.commit().await?;
    Ok(())
}

/// Withdraws a published notice: it leaves the active list and stays in the archive,
/// marked cancelled.
pub async fn cancel(
    db: &DatabaseConnection,
    officer: &Account,
    id: i32,
    now: DateTime<Utc>,
) -> Result<()> {
    officer.require(Role::Officer)?;
    let current = load(db, id).await?;
    let txn = db.begin().await?;
    let more = vec![
        (
            notice::Column::Status,
            Expr::value(Status::Cancelled.as_str()),
        ),
        (notice::Column::Version, Expr::value(current.version + 1)),
        (notice::Column::CancelledAt, Expr::value(now)),
        (notice::Column::UpdatedAt, Expr::value(now)),
    ];
    guarded_update(&txn, &current, Status::Published, more).await?;
    add_version(&txn, id, current.version + 1, VersionKind::Cancelled, now).await?;
    txn.commit().await?;
    Ok(())
}

/// Every resident with their community.
/// The residents' ids as a subquery, not a list: a statement takes at most 32 766 parameters
/// on SQLite and 65 535 on PostgreSQL, and a district has more residents than that.
fn resident_ids() -> SelectStatement {
    Query::select()
        .column(user_role::Column::UserId)
        .from(user_role::Entity)
        .and_where(user_role::Column::Role.eq(Role::Resident.as_str()))
        .to_owned()
}

async fn residents(db: &impl ConnectionTrait) -> Result<Vec<(i32, Option<i32>)>> {
    Ok(user::Entity::find()
        .filter(user::Column::Id.in_subquery(resident_ids()))
        .all(db)
        .await?
        .into_iter()
        .map(|u| (u.id, u.community_id))
        .collect())
}

/// The residents a notice is for: residents of its communities, or all residents.
fn audience(notice: &Notice, residents: &[(i32, Option<i32>)]) -> BTreeSet<i32> {
    residents
        .iter()
        .filter(|(_, community)| {
            notice.notice.all_communities
                || community.is_some_and(|c| notice.communities.iter().any(|(id, _)| *id == c))
        })
        .map(|(id, _)| *id)
        .collect()
}

/// How far each notice reached: `(read, audience)` by notice id, for notices given as their
/// id and whether they are for every community. The audience is the residents of the
/// notice's communities (every resident when it is for all), and a read counts when the
/// reader is one of them. Residents and reads are counted per community in SQL, so the work
/// grows with the communities, not with the residents of a whole district.
pub async fn reach(
    db: &impl ConnectionTrait,
    notices: &[(i32, bool)],
) -> Result<HashMap<i32, (u64, u64)>> {
    if notices.is_empty() {
        return Ok(HashMap::new());
    }
    let ids: Vec<i32> = notices.iter().map(|(id, _)| *id).collect();
    let mut targets: HashMap<i32, BTreeSet<i32>> = HashMap::new();
    for link in notice_community::Entity::find()
        .filter(notice_community::Column::NoticeId.is_in(ids.iter().copied()))
        .all(db)
        .await?
    {
        targets
            .entry(link.notice_id)
            .or_default()
            .insert(link.community_id);
    }
    let residents_by_community: Vec<(Option<i32>, i64)> = user::Entity::find()
        .select_only()
        .column(user::Column::CommunityId)
        .column_as(
            Expr::col((user::Entity, user::Column::Id)).count(),
            "residents",
        )
        .filter(user::Column::Id.in_subquery(resident_ids()))
        .group_by(user::Column::CommunityId)
        .into_tuple()
        .all(db)
        .await?;
    let reads: Vec<(i32, Option<i32>, i64)> = notice_read::Entity::find()
        .select_only()
        .column(notice_read::Column::NoticeId)
        .column(user::Column::CommunityId)
        .column_as(
            Expr::col((notice_read::Entity, notice_read::Column::UserId)).count(),
            "readers",
        )
        .join(
            JoinType::InnerJoin,
            notice_read::Entity::belongs_to(user::Entity)
                .from(notice_read::Column::UserId)
                .to(user::Column::Id)
                .into(),
        )
        // Joined, not `IN (residents)`: with the list SQLite looked up every resident in
        // every notice's reads, 765,000 probes for a quarter's notices at 100× the demo.
        .join(
            JoinType::InnerJoin,
            notice_read::Entity::belongs_to(user_role::Entity)
                .from(notice_read::Column::UserId)
                .to(user_role::Column::UserId)
                .into(),
        )
        .filter(notice_read::Column::NoticeId.is_in(ids))
        .filter(user_role::Column::Role.eq(Role::Resident.as_str()))
        .group_by(notice_read::Column::NoticeId)
        .group_by(user::Column::CommunityId)
        .into_tuple()
        .all(db)
        .await?;
    let count = |n: i64| u64::try_from(n).unwrap_or(0);
    Ok(notices
        .iter()
        .map(|&(id, all)| {
            let for_them = |community: &Option<i32>| {
                all || community.is_some_and(|c| targets.get(&id).is_some_and(|t| t.contains(&c)))
            };
            let read: i64 = reads
                .iter()
                .filter(|(notice, community, _)| *notice == id && for_them(community))
                .map(|(_, _, readers)| readers)
                .sum();
            let audience: i64 = residents_by_community
                .iter()
                .filter(|(community, _)| for_them(community))
                .map(|(_, residents)| residents)
                .sum();
            (id, (count(read), count(audience)))
        })
        .collect())
}

/// Target communities by notice.
async fn targets(
    db: &impl ConnectionTrait,
    ids: &[i32],
) -> Result<BTreeMap<i32, Vec<(i32, String)>>> {
    let links = notice_community::Entity::find()
        .filter(notice_community::Column::NoticeId.is_in(ids.iter().copied()))
        .all(db)
        .await?;
    let directory = crate::directory::cache::snapshot(db).await?;
    let mut by_notice: BTreeMap<i32, Vec<(i32, String)>> = BTreeMap::new();
    for link in links {
        if let Some(name) = directory.name(link.community_id) {
            by_notice
                .entry(link.notice_id)
                .or_default()
                .push((link.community_id, name.to_owned()));
        }
    }
    Ok(by_notice)
}

async fn with_targets(
    db: &impl ConnectionTrait,
    notices: Vec<notice::Model>,
) -> Result<Vec<Notice>> {
    let ids: Vec<i32> = notices.iter().map(|n| n.id).collect();
    let mut targets = targets(db, &ids).await?;
    Ok(notices
        .into_iter()
        .map(|n| Notice {
            communities: targets.remove(&n.id).unwrap_or_default(),
            notice: n,
        })
        .collect())
}

/// Urgent first, then pinned, then the newest.
fn rank(notices: &mut [Notice]) {
    notices.sort_by(|a, b| {
        (b.severity() == Severity::Urgent)
            .cmp(&(a.severity() == Severity::Urgent))
            .then(b.notice.pinned.cmp(&a.notice.pinned))
            .then(b.notice.published_at.cmp(&a.notice.published_at))
            .then(b.notice.id.cmp(&a.notice.id))
    });
}

/// The notices in force now for `community` (`None`: for any community), ranked.
pub async fn active(
    db: &impl ConnectionTrait,
    community: Option<i32>,
    now: DateTime<Utc>,
) -> Result<Vec<Notice>> {
    let notices = notice::Entity::find()
        .filter(notice::Column::Status.eq(Status::Published.as_str()))
        .filter(notice::Column::StartsAt.lte(now))
        .filter(notice::Column::ExpiresAt.gt(now))
        .all(db)
        .await?;
    let mut notices: Vec<Notice> = with_targets(db, notices)
        .await?
        .into_iter()
        .filter(|n| {
            community.is_none_or(|c| {
                n.notice.all_communities || n.communities.iter().any(|(id, _)| *id == c)
            })
        })
        .collect();
    rank(&mut notices);
    Ok(notices)
}

/// Puts the urgent notices in force for `community` into a new resident's inbox, as
/// publishing put them into the inbox of the residents there before.
pub async fn deliver_urgent(
    db: &impl ConnectionTrait,
    user_id: i32,
    community: i32,
    now: DateTime<Utc>,
) -> Result<()> {
    for notice in active(db, Some(community), now).await? {
        if notice.severity() == Severity::Urgent {
            inbox::send_notice(db, [user_id], notice.notice.id, &notice.notice.title, now).await?;
        }
    }
    Ok(())
}

/// Which of `ids` the reader has opened.
pub async fn read_by(
    db: &impl ConnectionTrait,
    user_id: i32,
    ids: &[i32],
) -> Result<BTreeSet<i32>> {
    Ok(notice_read::Entity::find()
        .filter(notice_read::Column::UserId.eq(user_id))
        .filter(notice_read::Column::NoticeId.is_in(ids.iter().copied()))
        .all(db)
        .await?
        .into_iter()
        .map(|r| r.notice_id)
        .collect())
}

/// How many notices in force for the reader's community they have not opened.
pub async fn unread(
    db: &impl ConnectionTrait,
    account: &Account,
    now: DateTime<Utc>,
) -> Result<u64> {
    let active = active(db, account.user.community_id, now).await?;
    let ids: Vec<i32> = active.iter().map(|n| n.notice.id).collect();
    let read = read_by(db, account.user.id, &ids).await?;
    Ok(ids.iter().filter(|id| !read.contains(id)).count() as u64)
}

/// The notices the person opened and when, for "download my data".
pub async fn export_for(
    db: &impl ConnectionTrait,
    user_id: i32,
) -> Result<serde_json::Map<String, serde_json::Value>> {
    let reads = notice_read::Entity::find()
        .filter(notice_read::Column::UserId.eq(user_id))
        .order_by_asc(notice_read::Column::ReadAt)
        .order_by_asc(notice_read::Column::NoticeId)
        .all(db)
        .await?;
    let titles: HashMap<i32, String> = notice::Entity::find()
        .filter(notice::Column::Id.is_in(reads.iter().map(|r| r.notice_id)))
        .all(db)
        .await?
        .into_iter()
        .map(|n| (n.id, n.title))
        .collect();
    let mut out = serde_json::Map::new();
    out.insert(
        "notices_read".into(),
        reads
            .iter()
            .map(|r| {
                serde_json::json!({
                    "notice": r.notice_id,
                    "title": titles.get(&r.notice_id),
                    "read_at": r.read_at,
                })
            })
            .collect(),
    );
    Ok(out)
}

/// Records that the reader opened the notice (once; the first time counts).
pub async fn mark_read(
    db: &impl ConnectionTrait,
    user_id: i32,
    id: i32,
    now: DateTime<Utc>,
) -> Result<()> {
    notice_read::Entity::insert(notice_read::ActiveModel {
        notice_id: Set(id),
        user_id: Set(user_id),
        read_at: Set(now),
    })
    .on_conflict_do_nothing_on([notice_read::Column::NoticeId, notice_read::Column::UserId])
    .exec(db)
    .await?;
    Ok(())
}

/// One notice. Drafts are for officers only: anyone else is told it does not exist.
pub async fn get(db: &impl ConnectionTrait, id: i32, reader: Option<&Account>) -> Result<Notice> {
    let notice = load(db, id).await?;
    let is_officer = reader.is_some_and(|a| a.require(Role::Officer).is_ok());
    if notice.status == Status::Draft && !is_officer {
        return Err(Error::NotFound);
    }
    Ok(with_targets(db, vec![notice]).await?.remove(0))
}

/// Every published state of a notice, oldest first: what CAP's Update and Cancel reference.
pub async fn versions(db: &impl ConnectionTrait, id: i32) -> Result<Vec<notice_version::Model>> {
    Ok(notice_version::Entity::find()
        .filter(notice_version::Column::NoticeId.eq(id))
        .order_by_asc(notice_version::Column::Version)
        .all(db)
        .await?)
}

/// The archive: published and cancelled notices, newest first, by category and by the
/// local month they were published in.
pub async fn archive(
    db: &impl ConnectionTrait,
    category: Option<Category>,
    month: Option<NaiveDate>,
) -> Result<Vec<Notice>> {
    let mut query = notice::Entity::find()
        .filter(notice::Column::Status.ne(Status::Draft.as_str()))
        .order_by_desc(notice::Column::PublishedAt)
        .order_by_desc(notice::Column::Id)
        .limit(200);
    if let Some(category) = category {
        query = query.filter(notice::Column::Category.eq(category.as_str()));
    }
    if let Some(first) = month.and_then(|m| m.with_day(1)) {
        let next = first
            .checked_add_months(chrono::Months::new(1))
            .unwrap_or(first);
        if let (Some(from), Some(to)) = (at_local(first, 0), at_local(next, 0)) {
            query = query
                .filter(notice::Column::PublishedAt.gte(from))
                .filter(notice::Column::PublishedAt.lt(to));
        }
    }
    with_targets(db, query.all(db).await?).await
}

/// A notice for the officers' desk, with how many of the residents it is for have read it.
#[derive(Clone, Debug)]
pub struct Reach {
    pub notice: Notice,
    pub read: u64,
    pub audience: u64,
}

/// Every notice, drafts included, newest first, with its reach.
pub async fn desk(db: &impl ConnectionTrait, officer: &Account) -> Result<Vec<Reach>> {
    officer.require(Role::Officer)?;
    let notices = notice::Entity::find()
        .order_by_desc(notice::Column::UpdatedAt)
        .order_by_desc(notice::Column::Id)
        .limit(200)
        .all(db)
        .await?;
    let flags: Vec<(i32, bool)> = notices.iter().map(|n| (n.id, n.all_communities)).collect();
    let reach = reach(db, &flags).await?;
    Ok(with_targets(db, notices)
        .await?
        .into_iter()
        .map(|notice| {
            let (read, audience) = reach.get(&notice.notice.id).copied().unwrap_or((0, 0));
            Reach {
                notice,
                read,
                audience,
            }
        })
        .collect())
}
