//! The steps of a case: opening, triage, assignment and transfer, start, report, closing,
//! reopening and the household link, each one transaction with its history row.

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveValue::Set,
    ColumnTrait, ConnectionTrait, DatabaseConnection, DatabaseTransaction, EntityTrait,
    QueryFilter, TransactionTrait,
    sea_query::{Expr, SimpleExpr},
};

use crate::accounts::{Account, Role, phone};
use crate::entities::{case_entry, case_record, community};
use crate::text::{clean, length_within, one_line};
use crate::{Error, Result};

use super::OPENED_BY_HAND;
use super::deadlines::deadline;
use super::orgs::{Org, access, check_org, orgs_of};
use super::{Action, Kind, Stage};

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

pub(crate) async fn load(db: &impl ConnectionTrait, code: &str) -> Result<case_record::Model> {
    case_record::Entity::find()
        .filter(case_record::Column::Code.eq(crate::text::case_code(code)))
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
