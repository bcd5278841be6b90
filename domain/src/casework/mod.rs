//! 警网融合 — one closed loop for every case. A case is intake → triage → assigned → in
//! progress → feedback → closed (plus transferred and reopened), assigned to an
//! organisation (a mutual-aid station, a mediation room, a squad, a police office, the
//! station) and optionally a person. Each stage has a deadline from `case_deadlines`; an
//! overdue case is flagged and, where configured, moves up a level by itself (`escalation`).
//!
//! Every move is an `UPDATE … WHERE stage IN (…)` written in one transaction with its history
//! row, so an illegal move changes nothing and two people acting at once cannot both win.
//! Mediation requests, help requests and threads turned into cases enter the loop by
//! themselves (`sources`).

pub mod colours;
pub mod escalation;
pub mod export;
pub mod figures;
pub mod sources;

use std::collections::HashMap;

use chrono::{DateTime, Duration, Utc};
use sea_orm::{
    ActiveValue::Set,
    ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, DatabaseTransaction, EntityTrait,
    QueryFilter, QueryOrder, TransactionTrait,
    sea_query::{Expr, SimpleExpr},
};

use crate::accounts::{Account, Role, phone};
use crate::entities::{case_deadline, case_entry, case_record, community, user};
use crate::memberships::Group;
use crate::text::{clean, length_within, one_line};
use crate::{Error, Result};

pub use vocab::casework::{Action, Kind, OrgKind, Stage};

/// Every rule code this module can refuse with; each is a translation key.
pub const REFUSAL_CODES: &[&str] = &[
    "case-kind-invalid",
    "case-title-length",
    "case-summary-length",
    "case-contact-long",
    "case-phone-invalid",
    "case-community-invalid",
    "case-org-invalid",
    "case-assignee-invalid",
    "case-move-illegal",
    "case-reason-required",
    "case-outcome-required",
    "case-feedback-required",
    "case-rating-invalid",
    "case-household-long",
    "case-period-invalid",
    "case-deadline-hours-invalid",
];

/// Kinds an officer opens by hand; the others enter the loop from their feature.
pub const OPENED_BY_HAND: [Kind; 3] = [Kind::WalkIn, Kind::Phone, Kind::Patrol];

/// An organisation a case can be assigned to; the station has no id.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Org {
    pub kind: OrgKind,
    pub id: Option<i32>,
}

impl Org {
    pub const STATION: Org = Org {
        kind: OrgKind::Station,
        id: None,
    };

    pub fn of(case: &case_record::Model) -> Option<Org> {
        let kind = case.org_kind?;
        Some(Org {
            kind,
            id: case.org_id,
        })
    }

    /// "aid_station:3", "station": how forms name an organisation.
    pub fn key(self) -> String {
        match self.id {
            Some(id) => format!("{}:{id}", self.kind.as_str()),
            None => self.kind.as_str().to_owned(),
        }
    }

    pub fn parse_key(key: &str) -> Option<Org> {
        let (kind, id) = match key.trim().split_once(':') {
            Some((kind, id)) => (kind, Some(id.parse().ok()?)),
            None => (key.trim(), None),
        };
        let kind = OrgKind::parse(kind)?;
        ((kind == OrgKind::Station) == id.is_none()).then_some(Org { kind, id })
    }

    /// Whether the police handle it (rather than a station, a room or a squad).
    pub fn is_police(self) -> bool {
        matches!(self.kind, OrgKind::PoliceOffice | OrgKind::Station)
    }
}

/// Every organisation with its name, lowest level first, retired ones too: what names the
/// organisations of cases.
pub async fn organisations(db: &impl ConnectionTrait) -> Result<Vec<(Org, String)>> {
    listed(db, false).await
}

/// The organisations in service, lowest level first: what assignment forms offer.
pub async fn assignable(db: &impl ConnectionTrait) -> Result<Vec<(Org, String)>> {
    listed(db, true).await
}

async fn listed(db: &impl ConnectionTrait, in_service: bool) -> Result<Vec<(Org, String)>> {
    use crate::directory::{Kind, admin::of_kind};
    let mut out = Vec::new();
    for (kind, org_kind) in [
        (Kind::AidStation, OrgKind::AidStation),
        (Kind::MediationRoom, OrgKind::MediationRoom),
        (Kind::Squad, OrgKind::Squad),
        (Kind::PoliceOffice, OrgKind::PoliceOffice),
    ] {
        for entry in of_kind(db, kind).await? {
            if !in_service || entry.retired_at.is_none() {
                out.push((org(org_kind, entry.id), entry.fields.name));
            }
        }
    }
    out.push((Org::STATION, station_name(db).await?));
    Ok(out)
}

/// The police station the portal belongs to, as its identity names it; 派出所 ("the
/// police station") before one has been entered.
pub async fn station_name(db: &impl ConnectionTrait) -> Result<String> {
    Ok(crate::station::get(db)
        .await?
        .map_or_else(|| "派出所".to_owned(), |s| s.name))
}

fn org(kind: OrgKind, id: i32) -> Org {
    Org { kind, id: Some(id) }
}

/// The organisations `user_id` works cases for: a membership counts only while its person
/// holds the role it rests on (`memberships::Group::role`).
pub async fn orgs_of(db: &impl ConnectionTrait, user_id: i32) -> Result<Vec<Org>> {
    let roles = crate::accounts::roles_of(db, user_id).await?;
    Ok(crate::memberships::of(db, user_id)
        .await?
        .into_iter()
        .filter(|m| roles.contains(&m.group.role()))
        .filter_map(|m| {
            let kind = match m.group {
                Group::AidStation => OrgKind::AidStation,
                Group::PoliceOffice => OrgKind::PoliceOffice,
                Group::MediationRoom => OrgKind::MediationRoom,
                Group::Squad => OrgKind::Squad,
                // Liaison rooms answer in the tea house; they are given no cases.
                Group::LiaisonRoom => return None,
            };
            Some(org(kind, m.id))
        })
        .collect())
}

/// Makes `user_id` a member of a mutual-aid station or a police office (and a resident, the
/// role it rests on): an admin's act, logged.
pub async fn add_member(
    db: &DatabaseConnection,
    admin: &Account,
    org: Org,
    user_id: i32,
    now: DateTime<Utc>,
) -> Result<()> {
    admin.require(Role::Admin)?;
    let group = match (org.kind, org.id) {
        (OrgKind::AidStation, Some(_)) => Group::AidStation,
        (OrgKind::PoliceOffice, Some(_)) => Group::PoliceOffice,
        _ => return Err(Error::Invalid("case-org-invalid")),
    };
    let id = org.id.ok_or(Error::Invalid("case-org-invalid"))?;
    crate::memberships::add(db, admin, user_id, group, id, now)
        .await
        .map_err(|e| match e {
            Error::Invalid("admin-membership-invalid") => Error::Invalid("case-org-invalid"),
            e => e,
        })
}

/// Who may see and work a case.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    /// Officers (and admins): every case, every move.
    Officer,
    /// A member of the organisation the case is assigned to: start it, report the outcome.
    Member,
}

/// What `account` may do with `case`; NotFound for anyone else, so a guessed code tells
/// nothing.
pub async fn access(
    db: &impl ConnectionTrait,
    account: &Account,
    case: &case_record::Model,
) -> Result<Access> {
    if account.has(Role::Officer) || account.has(Role::Admin) {
        return Ok(Access::Officer);
    }
    match Org::of(case) {
        Some(org) if orgs_of(db, account.user.id).await?.contains(&org) => Ok(Access::Member),
        _ => Err(Error::NotFound),
    }
}

/// The deadline of `stage` for `kind` from `since`, and whether it escalates.
async fn deadline(
    db: &impl ConnectionTrait,
    kind: Kind,
    stage: Stage,
    since: DateTime<Utc>,
) -> Result<(Option<DateTime<Utc>>, bool)> {
    if stage == Stage::Closed {
        return Ok((None, false));
    }
    Ok(
        match case_deadline::Entity::find_by_id((
            kind.as_str().to_owned(),
            stage.as_str().to_owned(),
        ))
        .one(db)
        .await?
        {
            Some(d) => (
                Some(since + Duration::hours(i64::from(d.hours))),
                d.escalate,
            ),
            None => (None, false),
        },
    )
}

/// The longest deadline a stage may have: a year.
pub const MAX_DEADLINE_HOURS: i32 = 8760;

/// Sets a stage's deadline: officers tune the loop per kind of case.
pub async fn set_deadline(
    db: &impl ConnectionTrait,
    officer: &Account,
    kind: &str,
    stage: &str,
    hours: i32,
    escalate: bool,
) -> Result<()> {
    officer.require(Role::Officer)?;
    let kind = Kind::parse(kind).ok_or(Error::Invalid("case-kind-invalid"))?;
    let stage = Stage::parse(stage)
        .filter(|s| *s != Stage::Closed)
        .ok_or(Error::Invalid("case-move-illegal"))?;
    if !(1..=MAX_DEADLINE_HOURS).contains(&hours) {
        return Err(Error::Invalid("case-deadline-hours-invalid"));
    }
    case_deadline::Entity::insert(case_deadline::ActiveModel {
        kind: Set(kind.as_str().to_owned()),
        stage: Set(stage.as_str().to_owned()),
        hours: Set(hours),
        escalate: Set(escalate),
    })
    .on_conflict(
        sea_orm::sea_query::OnConflict::columns([
            case_deadline::Column::Kind,
            case_deadline::Column::Stage,
        ])
        .update_columns([
            case_deadline::Column::Hours,
            case_deadline::Column::Escalate,
        ])
        .to_owned(),
    )
    .exec(db)
    .await?;
    Ok(())
}

pub async fn deadlines(db: &impl ConnectionTrait) -> Result<Vec<case_deadline::Model>> {
    Ok(case_deadline::Entity::find()
        .order_by_asc(case_deadline::Column::Kind)
        .all(db)
        .await?)
}

/// A history row for a move.
pub(crate) struct Step<'a> {
    pub action: Action,
    pub from: Option<Stage>,
    pub to: Stage,
    pub org: Option<Org>,
    pub actor: Option<i32>,
    pub note: &'a str,
}

pub(crate) async fn write_history(
    txn: &impl ConnectionTrait,
    case_id: i32,
    step: Step<'_>,
    at: DateTime<Utc>,
) -> Result<()> {
    case_entry::Entity::insert(case_entry::ActiveModel {
        case_id: Set(case_id),
        at: Set(at),
        actor_id: Set(step.actor),
        action: Set(step.action),
        from_stage: Set(step.from),
        to_stage: Set(step.to),
        org_kind: Set(step.org.map(|o| o.kind)),
        org_id: Set(step.org.and_then(|o| o.id)),
        note: Set(step.note.to_owned()),
        ..Default::default()
    })
    .exec(txn)
    .await?;
    Ok(())
}

/// A move of `case` from one of `from` to `to`, with the columns it also sets. Refuses with
/// "case-move-illegal", changing nothing, when the case is not in one of `from` (any more).
pub(crate) async fn move_case(
    txn: &DatabaseTransaction,
    case: &case_record::Model,
    from: &[Stage],
    to: Stage,
    mut set: Vec<(case_record::Column, SimpleExpr)>,
    step: Step<'_>,
    now: DateTime<Utc>,
) -> Result<()> {
    // The guarded update is the transaction's first statement: on SQLite a transaction that
    // reads first and writes later fails at once ("database is locked") when another writer
    // got in between, instead of waiting its turn.
    set.push((case_record::Column::Stage, Expr::value(to.as_str())));
    set.push((case_record::Column::StageSince, Expr::value(now)));
    let mut update = case_record::Entity::update_many()
        .filter(case_record::Column::Id.eq(case.id))
        .filter(case_record::Column::Stage.is_in(from.iter().map(|s| s.as_str())));
    for (column, value) in set {
        update = update.col_expr(column, value);
    }
    if update.exec(txn).await?.rows_affected == 0 {
        return Err(Error::Invalid("case-move-illegal"));
    }
    let (due, _) = deadline(txn, case.kind, to, now).await?;
    case_record::Entity::update_many()
        .col_expr(case_record::Column::DueAt, Expr::value(due))
        .filter(case_record::Column::Id.eq(case.id))
        .exec(txn)
        .await?;
    write_history(txn, case.id, step, now).await
}

/// What an officer fills in for a walk-in, a phone call or something found on patrol.
#[derive(Clone, Debug, Default)]
pub struct NewCase {
    pub kind: String,
    pub title: String,
    pub summary: String,
    /// Who came or called, as they gave it.
    pub contact_name: String,
    /// Their mobile, to link the case to their account when they have one.
    pub contact_phone: String,
    pub community_id: Option<i32>,
    pub household: String,
}

fn check_household(household: &str) -> Result<Option<String>> {
    let household = one_line(household);
    if !length_within(&household, 0, 100) {
        return Err(Error::Invalid("case-household-long"));
    }
    Ok(Some(household).filter(|h| !h.is_empty()))
}

/// Where a new case starts and who started it.
pub(crate) struct Start {
    pub kind: Kind,
    pub stage: Stage,
    pub org: Option<Org>,
    pub actor: Option<i32>,
    pub action: Action,
}

/// Inserts a case with its first history row; `None` when the drawn code clashed (the
/// caller draws again in a new transaction).
pub(crate) async fn insert(
    txn: &DatabaseTransaction,
    mut case: case_record::ActiveModel,
    start: Start,
    now: DateTime<Utc>,
) -> Result<Option<case_record::Model>> {
    let Start {
        kind,
        stage,
        org,
        actor,
        action,
    } = start;
    case.code = Set(crate::mediation::cases::new_code_with("JW", now)?);
    case.kind = Set(kind);
    case.stage = Set(stage);
    case.org_kind = Set(org.map(|o| o.kind));
    case.org_id = Set(org.and_then(|o| o.id));
    case.stage_since = Set(now);
    case.created_at = Set(now);
    let inserted = match case_record::Entity::insert(case)
        .exec_with_returning(txn)
        .await
    {
        Ok(case) => case,
        Err(e) if crate::db::unique_violation(&e).is_some_and(|m| m.contains("code")) => {
            return Ok(None);
        }
        Err(e) => return Err(e.into()),
    };
    // The deadline is read after the insert, which is the transaction's first write (see
    // `move_case`).
    let (due, _) = deadline(txn, kind, stage, now).await?;
    let inserted = case_record::Entity::update_many()
        .col_expr(case_record::Column::DueAt, Expr::value(due))
        .filter(case_record::Column::Id.eq(inserted.id))
        .exec_with_returning(txn)
        .await?
        .pop()
        .unwrap_or(inserted);
    write_history(
        txn,
        inserted.id,
        Step {
            action,
            from: None,
            to: stage,
            org,
            actor,
            note: "",
        },
        now,
    )
    .await?;
    Ok(Some(inserted))
}

/// An officer opens a case from a walk-in, a call or a patrol; it starts at intake.
pub async fn open(
    db: &DatabaseConnection,
    officer: &Account,
    form: NewCase,
    now: DateTime<Utc>,
) -> Result<case_record::Model> {
    officer.require(Role::Officer)?;
    let kind = Kind::parse(&form.kind)
        .filter(|k| OPENED_BY_HAND.contains(k))
        .ok_or(Error::Invalid("case-kind-invalid"))?;
    let title = one_line(&form.title);
    if !length_within(&title, 4, 80) {
        return Err(Error::Invalid("case-title-length"));
    }
    let summary = clean(&form.summary);
    if !length_within(&summary, 0, 2000) {
        return Err(Error::Invalid("case-summary-length"));
    }
    let contact = one_line(&form.contact_name);
    if !length_within(&contact, 0, 50) {
        return Err(Error::Invalid("case-contact-long"));
    }
    let number = phone::normalise(&form.contact_phone);
    let resident = if number.is_empty() {
        None
    } else if !phone::is_valid(&number) {
        return Err(Error::Invalid("case-phone-invalid"));
    } else {
        crate::accounts::find_by_phone(db, &number).await?
    };
    if let Some(id) = form.community_id
        && community::Entity::find_by_id(id)
            .one(db)
            .await?
            .is_none_or(|c| c.retired_at.is_some())
    {
        return Err(Error::Invalid("case-community-invalid"));
    }
    let household = check_household(&form.household)?;
    for _ in 0..3 {
        let txn = db.begin().await?;
        let row = case_record::ActiveModel {
            title: Set(title.clone()),
            summary: Set(summary.clone()),
            resident_id: Set(resident.as_ref().map(|r| r.id)),
            resident_raised: Set(kind != Kind::Patrol),
            contact_name: Set(contact.clone()),
            community_id: Set(form
                .community_id
                .or(resident.as_ref().and_then(|r| r.community_id))),
            household: Set(household.clone()),
            created_by: Set(Some(officer.user.id)),
            is_demo: Set(false),
            ..Default::default()
        };
        if let Some(case) = insert(
            &txn,
            row,
            Start {
                kind,
                stage: Stage::Intake,
                org: None,
                actor: Some(officer.user.id),
                action: Action::Opened,
            },
            now,
        )
        .await?
        {
            txn.commit().await?;
            return Ok(case);
        }
    }
    Err(Error::Invalid("case-move-illegal"))
}

async fn load(db: &impl ConnectionTrait, code: &str) -> Result<case_record::Model> {
    case_record::Entity::find()
        // Codes are letters, digits and dashes: anything else (a NUL, which PostgreSQL
        // refuses in text) names no case.
        .filter(
            case_record::Column::Code.eq(code
                .trim()
                .to_ascii_uppercase()
                .replace(|c: char| c.is_control(), "?")),
        )
        .one(db)
        .await?
        .ok_or(Error::NotFound)
}

/// An officer looks at a new case and takes it into triage.
pub async fn triage(
    db: &DatabaseConnection,
    officer: &Account,
    code: &str,
    now: DateTime<Utc>,
) -> Result<()> {
    officer.require(Role::Officer)?;
    let case = load(db, code).await?;
    let txn = db.begin().await?;
    move_case(
        &txn,
        &case,
        &[Stage::Intake],
        Stage::Triage,
        Vec::new(),
        Step {
            action: Action::Triaged,
            from: Some(Stage::Intake),
            to: Stage::Triage,
            org: None,
            actor: Some(officer.user.id),
            note: "",
        },
        now,
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// A case goes to the station or to an organisation in service (a retired one keeps the
/// cases it had, and takes no new ones).
async fn check_org(db: &impl ConnectionTrait, org: Org) -> Result<()> {
    use crate::directory::{Kind, admin::in_service};
    let kind = match org.kind {
        OrgKind::Station if org.id.is_none() => return Ok(()),
        OrgKind::Station => return Err(Error::Invalid("case-org-invalid")),
        OrgKind::AidStation => Kind::AidStation,
        OrgKind::MediationRoom => Kind::MediationRoom,
        OrgKind::Squad => Kind::Squad,
        OrgKind::PoliceOffice => Kind::PoliceOffice,
    };
    match org.id {
        Some(id) if in_service(db, kind, id).await? => Ok(()),
        _ => Err(Error::Invalid("case-org-invalid")),
    }
}

/// Assigns a case to an organisation (and optionally one of its people). A case already
/// assigned or in progress is transferred, which needs a reason.
pub async fn assign(
    db: &DatabaseConnection,
    officer: &Account,
    code: &str,
    to: Org,
    assignee: Option<i32>,
    reason: &str,
    now: DateTime<Utc>,
) -> Result<()> {
    officer.require(Role::Officer)?;
    let case = load(db, code).await?;
    check_org(db, to).await?;
    if let Some(person) = assignee
        && !orgs_of(db, person).await?.contains(&to)
    {
        return Err(Error::Invalid("case-assignee-invalid"));
    }
    let reason = one_line(reason);
    if !length_within(&reason, 0, 200) {
        return Err(Error::Invalid("case-reason-required"));
    }
    let stage = case.stage;
    let (from, action): (&[Stage], Action) = match stage {
        Stage::Intake | Stage::Triage => (&[Stage::Intake, Stage::Triage], Action::Assigned),
        Stage::Assigned | Stage::InProgress => {
            if reason.is_empty() {
                return Err(Error::Invalid("case-reason-required"));
            }
            (&[Stage::Assigned, Stage::InProgress], Action::Transferred)
        }
        _ => return Err(Error::Invalid("case-move-illegal")),
    };
    let txn = db.begin().await?;
    move_case(
        &txn,
        &case,
        from,
        Stage::Assigned,
        vec![
            (case_record::Column::OrgKind, Expr::value(to.kind.as_str())),
            (case_record::Column::OrgId, Expr::value(to.id)),
            (case_record::Column::AssigneeId, Expr::value(assignee)),
        ],
        Step {
            action,
            from: Some(stage),
            to: Stage::Assigned,
            org: Some(to),
            actor: Some(officer.user.id),
            note: &reason,
        },
        now,
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// Assigns several cases at once (the board's bulk action): all of them or none.
pub async fn assign_many(
    db: &DatabaseConnection,
    officer: &Account,
    codes: &[String],
    to: Org,
    now: DateTime<Utc>,
) -> Result<usize> {
    officer.require(Role::Officer)?;
    check_org(db, to).await?;
    let txn = db.begin().await?;
    for code in codes {
        let case = load(&txn, code).await?;
        move_case(
            &txn,
            &case,
            &[Stage::Intake, Stage::Triage],
            Stage::Assigned,
            vec![
                (case_record::Column::OrgKind, Expr::value(to.kind.as_str())),
                (case_record::Column::OrgId, Expr::value(to.id)),
                (
                    case_record::Column::AssigneeId,
                    Expr::value(Option::<i32>::None),
                ),
            ],
            Step {
                action: Action::Assigned,
                from: Some(case.stage),
                to: Stage::Assigned,
                org: Some(to),
                actor: Some(officer.user.id),
                note: "",
            },
            now,
        )
        .await?;
    }
    txn.commit().await?;
    Ok(codes.len())
}

/// The organisation (or an officer) starts work on an assigned case.
pub async fn start(
    db: &DatabaseConnection,
    account: &Account,
    code: &str,
    now: DateTime<Utc>,
) -> Result<()> {
    let case = load(db, code).await?;
    access(db, account, &case).await?;
    let txn = db.begin().await?;
    move_case(
        &txn,
        &case,
        &[Stage::Assigned],
        Stage::InProgress,
        Vec::new(),
        Step {
            action: Action::Started,
            from: Some(Stage::Assigned),
            to: Stage::InProgress,
            org: Org::of(&case),
            actor: Some(account.user.id),
            note: "",
        },
        now,
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// The organisation reports what was done; the case waits for the resident's feedback.
pub async fn report(
    db: &DatabaseConnection,
    account: &Account,
    code: &str,
    outcome: &str,
    now: DateTime<Utc>,
) -> Result<()> {
    let case = load(db, code).await?;
    access(db, account, &case).await?;
    let outcome = clean(outcome);
    if !length_within(&outcome, 2, 1000) {
        return Err(Error::Invalid("case-outcome-required"));
    }
    let txn = db.begin().await?;
    move_case(
        &txn,
        &case,
        &[Stage::InProgress],
        Stage::Feedback,
        vec![(case_record::Column::Outcome, Expr::value(outcome.clone()))],
        Step {
            action: Action::Feedback,
            from: Some(Stage::InProgress),
            to: Stage::Feedback,
            org: Org::of(&case),
            actor: Some(account.user.id),
            note: &outcome,
        },
        now,
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// How a case ends: the resident's word, or why it could not be had.
#[derive(Clone, Debug, Default)]
pub struct Closing {
    pub feedback: String,
    pub rating: Option<i32>,
    pub no_feedback_reason: String,
}

/// An officer closes a case that has its outcome. A resident-raised case needs the
/// resident's feedback or the reason it could not be obtained (the database checks too).
pub async fn close(
    db: &DatabaseConnection,
    officer: &Account,
    code: &str,
    closing: Closing,
    now: DateTime<Utc>,
) -> Result<()> {
    officer.require(Role::Officer)?;
    let case = load(db, code).await?;
    let feedback = clean(&closing.feedback);
    let reason = one_line(&closing.no_feedback_reason);
    if !length_within(&feedback, 0, 1000) || !length_within(&reason, 0, 200) {
        return Err(Error::Invalid("case-feedback-required"));
    }
    if closing.rating.is_some_and(|r| !(1..=5).contains(&r)) {
        return Err(Error::Invalid("case-rating-invalid"));
    }
    if case.resident_raised && feedback.is_empty() && reason.is_empty() {
        return Err(Error::Invalid("case-feedback-required"));
    }
    let org = Org::of(&case);
    let txn = db.begin().await?;
    move_case(
        &txn,
        &case,
        &[Stage::Feedback],
        Stage::Closed,
        vec![
            (
                case_record::Column::Feedback,
                Expr::value(Some(feedback.clone()).filter(|f| !f.is_empty())),
            ),
            (case_record::Column::Rating, Expr::value(closing.rating)),
            (
                case_record::Column::NoFeedbackReason,
                Expr::value(Some(reason.clone()).filter(|r| !r.is_empty())),
            ),
            (
                case_record::Column::SolvedWithoutPolice,
                Expr::value(org.map(|o| !o.is_police())),
            ),
            (case_record::Column::ClosedAt, Expr::value(now)),
        ],
        Step {
            action: Action::Closed,
            from: Some(Stage::Feedback),
            to: Stage::Closed,
            org,
            actor: Some(officer.user.id),
            note: if feedback.is_empty() {
                &reason
            } else {
                &feedback
            },
        },
        now,
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// An officer reopens a closed case, saying why; it goes back to its organisation.
pub async fn reopen(
    db: &DatabaseConnection,
    officer: &Account,
    code: &str,
    reason: &str,
    now: DateTime<Utc>,
) -> Result<()> {
    officer.require(Role::Officer)?;
    let case = load(db, code).await?;
    let reason = one_line(reason);
    if !length_within(&reason, 2, 200) {
        return Err(Error::Invalid("case-reason-required"));
    }
    let back = if Org::of(&case).is_some() {
        Stage::InProgress
    } else {
        Stage::Triage
    };
    let txn = db.begin().await?;
    move_case(
        &txn,
        &case,
        &[Stage::Closed],
        back,
        vec![
            (
                case_record::Column::ClosedAt,
                Expr::value(Option::<DateTime<Utc>>::None),
            ),
            (
                case_record::Column::SolvedWithoutPolice,
                Expr::value(Option::<bool>::None),
            ),
        ],
        Step {
            action: Action::Reopened,
            from: Some(Stage::Closed),
            to: back,
            org: Org::of(&case),
            actor: Some(officer.user.id),
            note: &reason,
        },
        now,
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// An officer links a case to a household or address, for repeat tracking (三色).
pub async fn link_household(
    db: &DatabaseConnection,
    officer: &Account,
    code: &str,
    household: &str,
    now: DateTime<Utc>,
) -> Result<()> {
    officer.require(Role::Officer)?;
    let case = load(db, code).await?;
    let household = check_household(household)?;
    let stage = case.stage;
    let txn = db.begin().await?;
    case_record::Entity::update_many()
        .col_expr(
            case_record::Column::Household,
            Expr::value(household.clone()),
        )
        .filter(case_record::Column::Id.eq(case.id))
        .exec(&txn)
        .await?;
    write_history(
        &txn,
        case.id,
        Step {
            action: Action::Linked,
            from: Some(stage),
            to: stage,
            org: None,
            actor: Some(officer.user.id),
            // Only that a link was made: the history is read by every organisation the case
            // goes to, the household only by officers (whose views are logged).
            note: "",
        },
        now,
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// Filters of the officers' board.
#[derive(Clone, Debug, Default)]
pub struct BoardFilter {
    pub stage: Option<Stage>,
    pub kind: Option<Kind>,
    pub org: Option<Org>,
    pub overdue_only: bool,
    /// Closed cases too.
    pub include_closed: bool,
}

/// A case on the board.
#[derive(Clone, Debug)]
pub struct BoardLine {
    pub case: case_record::Model,
    pub org_name: Option<String>,
    pub overdue: bool,
}

/// Names of every organisation, by org.
pub async fn org_names(db: &impl ConnectionTrait) -> Result<HashMap<Org, String>> {
    Ok(organisations(db).await?.into_iter().collect())
}

/// Open cases `account` may see, overdue first, then by deadline. Officers see all; the
/// people of an organisation see its cases only.
pub async fn board(
    db: &impl ConnectionTrait,
    account: &Account,
    filter: &BoardFilter,
    now: DateTime<Utc>,
) -> Result<Vec<BoardLine>> {
    let mut select = case_record::Entity::find();
    if !(account.has(Role::Officer) || account.has(Role::Admin)) {
        let orgs = orgs_of(db, account.user.id).await?;
        if orgs.is_empty() {
            return Err(Error::Forbidden);
        }
        let mut mine = Condition::any();
        for org in orgs {
            mine = mine.add(
                Condition::all()
                    .add(case_record::Column::OrgKind.eq(org.kind.as_str()))
                    .add(case_record::Column::OrgId.eq(org.id)),
            );
        }
        select = select.filter(mine);
    }
    if !filter.include_closed && filter.stage != Some(Stage::Closed) {
        select = select.filter(case_record::Column::Stage.ne(Stage::Closed.as_str()));
    }
    if let Some(stage) = filter.stage {
        select = select.filter(case_record::Column::Stage.eq(stage.as_str()));
    }
    if let Some(kind) = filter.kind {
        select = select.filter(case_record::Column::Kind.eq(kind.as_str()));
    }
    if let Some(org) = filter.org {
        select = select.filter(case_record::Column::OrgKind.eq(org.kind.as_str()));
        select = match org.id {
            Some(id) => select.filter(case_record::Column::OrgId.eq(id)),
            None => select.filter(case_record::Column::OrgId.is_null()),
        };
    }
    if filter.overdue_only {
        select = select.filter(case_record::Column::DueAt.lt(now));
    }
    let names = org_names(db).await?;
    let mut lines: Vec<BoardLine> = select
        .order_by_asc(case_record::Column::DueAt)
        .order_by_asc(case_record::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(|case| BoardLine {
            org_name: Org::of(&case).and_then(|o| names.get(&o).cloned()),
            overdue: is_overdue(&case, now),
            case,
        })
        .collect();
    // Overdue first, then by deadline with cases that have none (closed ones) last: the
    // engines disagree on where NULL sorts, so the order is made here.
    lines.sort_by_key(|l| {
        (
            !l.overdue,
            l.case.due_at.is_none(),
            l.case.due_at,
            l.case.id,
        )
    });
    Ok(lines)
}

pub fn is_overdue(case: &case_record::Model, now: DateTime<Utc>) -> bool {
    case.stage != Stage::Closed && case.due_at.is_some_and(|due| due < now)
}

/// A case with its history, as its page shows it.
#[derive(Clone, Debug)]
pub struct CaseDetail {
    pub case: case_record::Model,
    pub access: Access,
    pub org_name: Option<String>,
    pub history: Vec<(case_entry::Model, Option<String>, Option<String>)>,
    pub overdue: bool,
    /// The mediation case's code, for the link.
    pub mediation_code: Option<String>,
    pub resident_phone: Option<String>,
}

pub async fn detail(
    db: &impl ConnectionTrait,
    account: &Account,
    code: &str,
    now: DateTime<Utc>,
) -> Result<CaseDetail> {
    let mut case = load(db, code).await?;
    let access = access(db, account, &case).await?;
    // Household data (三色) is for officers only, and every page that shows it is logged.
    if access == Access::Officer {
        if case.household.is_some() {
            colours::log_view(db, account, &format!("/board/cases/{}", case.code), now).await?;
        }
    } else {
        case.household = None;
    }
    let names = org_names(db).await?;
    let mut entries = case_entry::Entity::find()
        .filter(case_entry::Column::CaseId.eq(case.id))
        .order_by_asc(case_entry::Column::Id)
        .all(db)
        .await?;
    // Links made before household data left the notes still name it in theirs (the history
    // cannot be rewritten): the people of an organisation do not see those notes.
    if access != Access::Officer {
        for entry in &mut entries {
            if entry.action == Action::Linked {
                entry.note.clear();
            }
        }
    }
    let actors: HashMap<i32, String> = user::Entity::find()
        .filter(user::Column::Id.is_in(entries.iter().filter_map(|e| e.actor_id)))
        .all(db)
        .await?
        .into_iter()
        .map(|u| {
            let name = u.display_name.unwrap_or_else(|| phone::mask(&u.phone));
            (u.id, name)
        })
        .collect();
    let history = entries
        .into_iter()
        .map(|e| {
            let actor = e.actor_id.and_then(|a| actors.get(&a).cloned());
            let org = e
                .org_kind
                .and_then(|kind| names.get(&Org { kind, id: e.org_id }).cloned());
            (e, actor, org)
        })
        .collect();
    let mediation_code = match case.mediation_case_id {
        Some(id) => crate::entities::mediation_case::Entity::find_by_id(id)
            .one(db)
            .await?
            .map(|c| c.code),
        None => None,
    };
    let resident_phone = match (case.resident_id, access) {
        (Some(id), Access::Officer) => user::Entity::find_by_id(id).one(db).await?.map(|u| u.phone),
        (Some(id), Access::Member) => user::Entity::find_by_id(id)
            .one(db)
            .await?
            .map(|u| phone::mask(&u.phone)),
        (None, _) => None,
    };
    Ok(CaseDetail {
        org_name: Org::of(&case).and_then(|o| names.get(&o).cloned()),
        overdue: is_overdue(&case, now),
        history,
        access,
        mediation_code,
        resident_phone,
        case,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn organisations_are_named_by_key() {
        let room = Org {
            kind: OrgKind::MediationRoom,
            id: Some(3),
        };
        assert_eq!(room.key(), "mediation_room:3");
        assert_eq!(Org::parse_key("mediation_room:3"), Some(room));
        assert_eq!(Org::parse_key("station"), Some(Org::STATION));
        assert_eq!(Org::parse_key("station:1"), None);
        assert_eq!(Org::parse_key("squad"), None);
        assert_eq!(Org::parse_key("prison:1"), None);
        assert!(Org::STATION.is_police() && !room.is_police());
    }
}
