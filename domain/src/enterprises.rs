//! 警企共建: the enterprises a station serves (安德机械 and 传化物流 in 后海塘's park). Admins
//! make people an enterprise's contacts on its directory page; a contact speaks for that one
//! enterprise. A contact files service requests (驻企服务) — a dispute in a workshop, traffic
//! at the gate at shift change, a talk on fraud for new workers — which enter the loop as
//! cases whose source is the enterprise, at intake, for officers to triage like any other.
//! The enterprise's board (警企联络室) shows its contacts every request of the enterprise and
//! how far it has come; officers and admins read every enterprise's board.

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait,
    PaginatorTrait, QueryFilter, QueryOrder, TransactionTrait,
};

use crate::accounts::{Account, Role};
use crate::casework::steps::{Start, insert};
use crate::casework::{Action, Kind, Stage};
use crate::entities::{case_record, community, enterprise, enterprise_contact, enterprise_request};
use crate::text::{clean, length_within, one_line};
use crate::{Error, Result};

/// Every rule code this feature can refuse with; each is a translation key.
pub const REFUSAL_CODES: &[&str] = &[
    "enterprise-title-length",
    "enterprise-body-length",
    "enterprise-throttled",
];

/// Requests one contact may have open at once: enough for a busy month, few enough that a
/// stolen account cannot flood the board.
pub const OPEN_PER_CONTACT: u64 = 5;

/// The enterprise `user_id` speaks for, while they hold the role.
pub async fn of_contact(
    db: &impl ConnectionTrait,
    account: &Account,
) -> Result<Option<enterprise::Model>> {
    if !account.has(Role::EnterpriseContact) {
        return Ok(None);
    }
    let Some(contact) = enterprise_contact::Entity::find_by_id(account.user.id)
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    Ok(enterprise::Entity::find_by_id(contact.enterprise_id)
        .one(db)
        .await?)
}

/// One request as its enterprise's board shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Request {
    pub code: String,
    pub title: String,
    pub summary: String,
    pub stage: Stage,
    pub filed_at: DateTime<Utc>,
    pub closed_at: Option<DateTime<Utc>>,
    /// What the station did, once it was reported.
    pub outcome: Option<String>,
    /// Filed by the reader: the others are their colleagues'.
    pub mine: bool,
}

/// An enterprise's board: the place and every request filed for it, newest first.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Board {
    pub enterprise: enterprise::Model,
    pub community: String,
    pub requests: Vec<Request>,
    /// The reader is one of its contacts and may file a request.
    pub may_file: bool,
}

/// The board of enterprise `id`: its contacts and the station's staff read it; to anyone
/// else it does not exist.
pub async fn board(db: &impl ConnectionTrait, account: &Account, id: i32) -> Result<Board> {
    let staff = account.has(Role::Officer) || account.has(Role::Admin);
    let own = of_contact(db, account).await?.is_some_and(|e| e.id == id);
    if !staff && !own {
        return Err(Error::NotFound);
    }
    let enterprise = enterprise::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(Error::NotFound)?;
    let community = community::Entity::find_by_id(enterprise.community_id)
        .one(db)
        .await?
        .map(|c| c.name)
        .unwrap_or_default();
    let links = enterprise_request::Entity::find()
        .filter(enterprise_request::Column::EnterpriseId.eq(id))
        .all(db)
        .await?;
    let cases = case_record::Entity::find()
        .filter(case_record::Column::Id.is_in(links.iter().map(|l| l.case_id)))
        .order_by_desc(case_record::Column::CreatedAt)
        .order_by_desc(case_record::Column::Id)
        .all(db)
        .await?;
    let requests = cases
        .into_iter()
        .map(|c| Request {
            mine: links
                .iter()
                .any(|l| l.case_id == c.id && l.filed_by == Some(account.user.id)),
            code: c.code,
            title: c.title,
            summary: c.summary,
            stage: c.stage,
            filed_at: c.created_at,
            closed_at: c.closed_at,
            outcome: c.outcome,
        })
        .collect();
    Ok(Board {
        may_file: own && enterprise.retired_at.is_none(),
        enterprise,
        community,
        requests,
    })
}

/// A contact files a service request for their enterprise: a case of the loop at intake,
/// in the enterprise's community, raised by the contact (closing it asks for their
/// feedback). Its code.
pub async fn file(
    db: &DatabaseConnection,
    account: &Account,
    title: &str,
    body: &str,
    now: DateTime<Utc>,
) -> Result<String> {
    account.require(Role::EnterpriseContact)?;
    let enterprise = of_contact(db, account)
        .await?
        .filter(|e| e.retired_at.is_none())
        .ok_or(Error::Forbidden)?;
    let title = one_line(title);
    if !length_within(&title, 4, 80) {
        return Err(Error::Invalid("enterprise-title-length"));
    }
    let body = clean(body);
    if !length_within(&body, 10, 2000) {
        return Err(Error::Invalid("enterprise-body-length"));
    }
    let open = enterprise_request::Entity::find()
        .filter(enterprise_request::Column::FiledBy.eq(account.user.id))
        .all(db)
        .await?;
    let open = case_record::Entity::find()
        .filter(case_record::Column::Id.is_in(open.into_iter().map(|r| r.case_id)))
        .filter(case_record::Column::Stage.ne(Stage::Closed.as_str()))
        .count(db)
        .await?;
    if open >= OPEN_PER_CONTACT {
        return Err(Error::Throttled("enterprise-throttled"));
    }
    // A clash of the drawn case code is drawn again, as a walk-in's is.
    for _ in 0..3 {
        let txn = db.begin().await?;
        let row = case_record::ActiveModel {
            title: Set(title.clone()),
            summary: Set(body.clone()),
            resident_id: Set(Some(account.user.id)),
            resident_raised: Set(true),
            contact_name: Set(enterprise.name.clone()),
            community_id: Set(Some(enterprise.community_id)),
            created_by: Set(Some(account.user.id)),
            is_demo: Set(false),
            ..Default::default()
        };
        let start = Start {
            kind: Kind::Enterprise,
            stage: Stage::Intake,
            org: None,
            actor: Some(account.user.id),
            action: Action::Opened,
        };
        if let Some(case) = insert(&txn, row, start, now).await? {
            enterprise_request::Entity::insert(enterprise_request::ActiveModel {
                case_id: Set(case.id),
                enterprise_id: Set(enterprise.id),
                filed_by: Set(Some(account.user.id)),
            })
            .exec_without_returning(&txn)
            .await?;
            txn.commit().await?;
            return Ok(case.code);
        }
    }
    Err(Error::Invalid("case-move-illegal"))
}

/// The enterprise a case was filed for, by name and id: its source on the case's page.
pub async fn source_of(db: &impl ConnectionTrait, case_id: i32) -> Result<Option<(i32, String)>> {
    let Some(link) = enterprise_request::Entity::find_by_id(case_id)
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    Ok(enterprise::Entity::find_by_id(link.enterprise_id)
        .one(db)
        .await?
        .map(|e| (e.id, e.name)))
}
