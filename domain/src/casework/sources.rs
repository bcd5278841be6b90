//! How the features' own records enter and move along the loop, in the transaction that
//! writes them: a mediation request is a case assigned to its room, its acceptance starts
//! it, its outcome waits for feedback, its follow-up call closes it; a help request is a
//! case at intake, assigned to the taker's squad and in progress once a volunteer takes it,
//! waiting for feedback once they close it with their note; a thread turned into a
//! mediation case is marked as coming from the tea house.
//!
//! Moves here never refuse the feature's own step: a case already moved on by an officer
//! keeps where it is (the guarded update finds nothing) and the feature goes ahead.

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, DatabaseTransaction, EntityTrait, QueryFilter, sea_query::Expr,
};

use super::steps::{Start, Step, insert, move_case};
use super::{Action, Kind, Org, OrgKind, Stage};
use crate::entities::{case_record, help_request, mediation_case, squad_member, user};
use crate::mediation::{EventKind, Outcome};
use crate::{Error, Result};

async fn of_mediation(
    txn: &DatabaseTransaction,
    case: &mediation_case::Model,
) -> Result<Option<case_record::Model>> {
    Ok(case_record::Entity::find()
        .filter(case_record::Column::MediationCaseId.eq(case.id))
        .one(txn)
        .await?)
}

/// The mediation case as the transaction left it: its outcome and follow-up.
async fn as_left(
    txn: &DatabaseTransaction,
    case: &mediation_case::Model,
) -> Result<mediation_case::Model> {
    Ok(mediation_case::Entity::find_by_id(case.id)
        .one(txn)
        .await?
        .unwrap_or_else(|| case.clone()))
}

/// Where a feature's step moves its case.
struct Follow<'a> {
    from: &'a [Stage],
    to: Stage,
    action: Action,
    actor: Option<i32>,
    note: &'a str,
}

/// A move that is skipped, not refused, when the case is elsewhere already.
async fn follow(
    txn: &DatabaseTransaction,
    case: &case_record::Model,
    step: Follow<'_>,
    set: Vec<(case_record::Column, sea_orm::sea_query::SimpleExpr)>,
    now: DateTime<Utc>,
) -> Result<()> {
    let history = Step {
        action: step.action,
        from: Some(case.stage),
        to: step.to,
        org: Org::of(case),
        actor: step.actor,
        note: step.note,
    };
    match move_case(txn, case, step.from, step.to, set, history, now).await {
        Err(Error::Invalid("case-move-illegal")) => Ok(()),
        other => other,
    }
}

pub(crate) fn title_of(story: &str) -> String {
    let first = story.lines().next().unwrap_or_default();
    let mut title: String = first.chars().take(40).collect();
    if first.chars().count() > 40 {
        title.push('…');
    }
    title
}

/// Follows a mediation case's event into the loop (called where the event is recorded).
pub(crate) async fn follow_mediation(
    txn: &DatabaseTransaction,
    case: &mediation_case::Model,
    kind: EventKind,
    actor: Option<i32>,
    now: DateTime<Utc>,
) -> Result<()> {
    if kind == EventKind::Requested {
        // A request filed by the portal carries its resident's community already.
        let community = match (case.community_id, case.resident_id) {
            (Some(community), _) => Some(community),
            (None, Some(id)) => user::Entity::find_by_id(id)
                .one(txn)
                .await?
                .and_then(|r| r.community_id),
            (None, None) => None,
        };
        let room = Org {
            kind: OrgKind::MediationRoom,
            id: Some(case.room_id),
        };
        // A clash of codes spoils the transaction: the mediation request then fails as a
        // whole and the resident sends it again, as with its own code.
        let row = case_record::ActiveModel {
            title: Set(title_of(&case.account)),
            summary: Set(case.account.clone()),
            resident_id: Set(case.resident_id),
            resident_raised: Set(true),
            contact_name: Set(String::new()),
            community_id: Set(community),
            mediation_case_id: Set(Some(case.id)),
            created_by: Set(actor),
            is_demo: Set(case.is_demo),
            ..Default::default()
        };
        return match insert(
            txn,
            row,
            Start {
                kind: Kind::Mediation,
                stage: Stage::Assigned,
                org: Some(room),
                actor,
                action: Action::Opened,
            },
            now,
        )
        .await?
        {
            Some(_) => Ok(()),
            None => Err(Error::Invalid("mediation-case-changed")),
        };
    }
    // Each arm reads what it needs: a booking, a proposal or a reschedule leaves the loop
    // case where it is and reads nothing.
    match kind {
        EventKind::Accepted | EventKind::Held => {
            let Some(loop_case) = of_mediation(txn, case).await? else {
                return Ok(());
            };
            follow(
                txn,
                &loop_case,
                Follow {
                    from: &[Stage::Assigned],
                    to: Stage::InProgress,
                    action: Action::Started,
                    actor,
                    note: "",
                },
                Vec::new(),
                now,
            )
            .await
        }
        EventKind::Outcome => {
            let Some(loop_case) = of_mediation(txn, case).await? else {
                return Ok(());
            };
            let now_case = as_left(txn, case).await?;
            // Records are kept in the station's language, whatever the reader's.
            let said = match now_case.outcome {
                Some(Outcome::Reached) => "达成调解协议",
                Some(Outcome::Partly) => "部分达成",
                Some(Outcome::NotReached) => "未达成协议",
                Some(Outcome::Referred) => "转交其他部门",
                None => "调解结束",
            };
            let outcome = match now_case.agreement.as_deref() {
                Some(agreement) if !agreement.is_empty() => format!("{said}：{agreement}"),
                _ => said.to_owned(),
            };
            follow(
                txn,
                &loop_case,
                Follow {
                    from: &[Stage::Assigned, Stage::InProgress],
                    to: Stage::Feedback,
                    action: Action::Feedback,
                    actor,
                    note: &outcome,
                },
                vec![(case_record::Column::Outcome, Expr::value(outcome.clone()))],
                now,
            )
            .await
        }
        EventKind::FollowUp => {
            let Some(loop_case) = of_mediation(txn, case).await? else {
                return Ok(());
            };
            let now_case = as_left(txn, case).await?;
            let feedback = now_case
                .follow_up_comment
                .clone()
                .filter(|c| !c.is_empty())
                .unwrap_or_else(|| {
                    format!("回访满意度 {}", now_case.satisfaction.unwrap_or_default())
                });
            follow(
                txn,
                &loop_case,
                Follow {
                    from: &[Stage::Feedback],
                    to: Stage::Closed,
                    action: Action::Closed,
                    actor,
                    note: &feedback,
                },
                vec![
                    (case_record::Column::Feedback, Expr::value(feedback.clone())),
                    (
                        case_record::Column::Rating,
                        Expr::value(now_case.satisfaction),
                    ),
                    (case_record::Column::SolvedWithoutPolice, Expr::value(true)),
                    (case_record::Column::ClosedAt, Expr::value(now)),
                ],
                now,
            )
            .await
        }
        EventKind::Cancelled => {
            let Some(loop_case) = of_mediation(txn, case).await? else {
                return Ok(());
            };
            follow(
                txn,
                &loop_case,
                Follow {
                    from: &[Stage::Assigned, Stage::InProgress],
                    to: Stage::Closed,
                    action: Action::Closed,
                    actor,
                    note: "居民撤回申请",
                },
                vec![
                    (case_record::Column::Outcome, Expr::value("居民撤回申请")),
                    (
                        case_record::Column::NoFeedbackReason,
                        Expr::value("居民撤回申请"),
                    ),
                    (case_record::Column::ClosedAt, Expr::value(now)),
                ],
                now,
            )
            .await
        }
        // One ladder: the loop case goes to the rung the mediation case went to.
        EventKind::Escalated => {
            let Some(loop_case) = of_mediation(txn, case).await? else {
                return Ok(());
            };
            let now_case = as_left(txn, case).await?;
            super::escalation::to_rung(txn, &loop_case, &now_case, actor, now).await
        }
        // A room that cannot take it hands it back to the officers to route elsewhere.
        EventKind::Declined => {
            let Some(loop_case) = of_mediation(txn, case).await? else {
                return Ok(());
            };
            follow(
                txn,
                &loop_case,
                Follow {
                    from: &[Stage::Assigned, Stage::InProgress],
                    to: Stage::Triage,
                    action: Action::Returned,
                    actor,
                    note: "调解室未受理",
                },
                vec![
                    (
                        case_record::Column::OrgKind,
                        Expr::value(Option::<String>::None),
                    ),
                    (case_record::Column::OrgId, Expr::value(Option::<i32>::None)),
                    (
                        case_record::Column::AssigneeId,
                        Expr::value(Option::<i32>::None),
                    ),
                ],
                now,
            )
            .await
        }
        _ => Ok(()),
    }
}

/// A thread became the mediation case: its loop case says so.
pub(crate) async fn mark_from_thread(
    txn: &DatabaseTransaction,
    mediation_case_id: i32,
    thread_id: i32,
) -> Result<()> {
    case_record::Entity::update_many()
        .col_expr(
            case_record::Column::Kind,
            Expr::value(Kind::Thread.as_str()),
        )
        .col_expr(case_record::Column::ThreadId, Expr::value(thread_id))
        .filter(case_record::Column::MediationCaseId.eq(mediation_case_id))
        .exec(txn)
        .await?;
    Ok(())
}

/// A help request enters the loop at intake, for the officers to see.
pub(crate) async fn help_asked(
    txn: &DatabaseTransaction,
    request: &help_request::Model,
    now: DateTime<Utc>,
) -> Result<()> {
    let resident = user::Entity::find_by_id(request.requester_id)
        .one(txn)
        .await?;
    let row = case_record::ActiveModel {
        title: Set(title_of(&format!("{} · {}", request.dialect, request.need))),
        summary: Set(format!("{}\n{}", request.need, request.place)),
        resident_id: Set(Some(request.requester_id)),
        resident_raised: Set(true),
        contact_name: Set(String::new()),
        community_id: Set(resident.and_then(|r| r.community_id)),
        help_request_id: Set(Some(request.id)),
        created_by: Set(Some(request.requester_id)),
        is_demo: Set(false),
        ..Default::default()
    };
    match insert(
        txn,
        row,
        Start {
            kind: Kind::Help,
            stage: Stage::Intake,
            org: None,
            actor: Some(request.requester_id),
            action: Action::Opened,
        },
        now,
    )
    .await?
    {
        Some(_) => Ok(()),
        None => Err(Error::Invalid("case-move-illegal")),
    }
}

async fn of_help(txn: &DatabaseTransaction, request_id: i32) -> Result<Option<case_record::Model>> {
    Ok(case_record::Entity::find()
        .filter(case_record::Column::HelpRequestId.eq(request_id))
        .one(txn)
        .await?)
}

/// A volunteer took the request: the case is their squad's and in progress.
pub(crate) async fn help_taken(
    txn: &DatabaseTransaction,
    request_id: i32,
    taker: i32,
    now: DateTime<Utc>,
) -> Result<()> {
    let Some(case) = of_help(txn, request_id).await? else {
        return Ok(());
    };
    let Some(squad) = squad_member::Entity::find()
        .filter(squad_member::Column::UserId.eq(taker))
        .one(txn)
        .await?
    else {
        return Ok(());
    };
    let org = Org {
        kind: OrgKind::Squad,
        id: Some(squad.squad_id),
    };
    follow(
        txn,
        &case,
        Follow {
            from: &[Stage::Intake, Stage::Triage],
            to: Stage::Assigned,
            action: Action::Assigned,
            actor: Some(taker),
            note: "",
        },
        vec![
            (case_record::Column::OrgKind, Expr::value(org.kind.as_str())),
            (case_record::Column::OrgId, Expr::value(org.id)),
            (case_record::Column::AssigneeId, Expr::value(taker)),
        ],
        now,
    )
    .await?;
    let Some(case) = of_help(txn, request_id).await? else {
        return Ok(());
    };
    follow(
        txn,
        &case,
        Follow {
            from: &[Stage::Assigned],
            to: Stage::InProgress,
            action: Action::Started,
            actor: Some(taker),
            note: "",
        },
        Vec::new(),
        now,
    )
    .await
}

/// The taker closed the request with a note (the outcome), or the resident withdrew it.
pub(crate) async fn help_closed(
    txn: &DatabaseTransaction,
    request_id: i32,
    note: Option<&str>,
    actor: i32,
    now: DateTime<Utc>,
) -> Result<()> {
    let Some(case) = of_help(txn, request_id).await? else {
        return Ok(());
    };
    match note {
        Some(note) => {
            follow(
                txn,
                &case,
                Follow {
                    from: &[Stage::Assigned, Stage::InProgress],
                    to: Stage::Feedback,
                    action: Action::Feedback,
                    actor: Some(actor),
                    note,
                },
                vec![(case_record::Column::Outcome, Expr::value(note))],
                now,
            )
            .await
        }
        None => {
            follow(
                txn,
                &case,
                Follow {
                    from: &[
                        Stage::Intake,
                        Stage::Triage,
                        Stage::Assigned,
                        Stage::InProgress,
                    ],
                    to: Stage::Closed,
                    action: Action::Closed,
                    actor: Some(actor),
                    note: "居民撤回求助",
                },
                vec![
                    (case_record::Column::Outcome, Expr::value("居民撤回求助")),
                    (
                        case_record::Column::NoFeedbackReason,
                        Expr::value("居民撤回求助"),
                    ),
                    (case_record::Column::ClosedAt, Expr::value(now)),
                ],
                now,
            )
            .await
        }
    }
}
