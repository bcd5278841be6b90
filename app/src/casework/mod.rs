//! 警网融合 — the officers' board, a case's page with its full history, opening a case from a
//! walk-in or a call, 三色 and the figures. Pages in `pages.rs` and `figures.rs`; the rules
//! (stages, deadlines, escalation, who sees what) in `domain::casework`.

pub mod figures;
pub mod pages;

use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use vocab::casework::{Action, Kind, Stage};

use crate::error::AppError;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseLine {
    pub code: String,
    pub kind: Kind,
    pub title: String,
    pub stage: Stage,
    pub org: Option<String>,
    pub due: Option<String>,
    pub overdue: bool,
    pub escalations: i32,
    pub opened: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BoardInfo {
    pub lines: Vec<CaseLine>,
    /// (key, name) of every organisation, for the filter and bulk assignment.
    pub orgs: Vec<(String, String)>,
    pub officer: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryLine {
    pub at: String,
    pub action: Action,
    pub from: Option<Stage>,
    pub to: Stage,
    pub org: Option<String>,
    pub actor: Option<String>,
    pub note: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseDetails {
    pub code: String,
    pub kind: Kind,
    pub title: String,
    pub summary: String,
    pub stage: Stage,
    pub org: Option<String>,
    pub due: Option<String>,
    pub overdue: bool,
    pub escalations: i32,
    pub contact: String,
    pub resident_phone: Option<String>,
    pub resident_raised: bool,
    pub household: Option<String>,
    /// Counted as fraud-related (反诈 无库存); officers only.
    pub fraud: bool,
    /// 情感类 or 家暴类, and the steps of the graded response applied (step, day); officers
    /// only.
    pub concern: Option<String>,
    pub grades: Vec<(String, String)>,
    pub outcome: Option<String>,
    pub feedback: Option<String>,
    pub rating: Option<i32>,
    pub no_feedback_reason: Option<String>,
    pub mediation_code: Option<String>,
    pub thread_id: Option<i32>,
    /// The enterprise a service request was filed for (驻企服务): id and name.
    pub enterprise: Option<(i32, String)>,
    pub officer: bool,
    pub history: Vec<HistoryLine>,
    pub orgs: Vec<(String, String)>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HouseholdView {
    pub household: String,
    pub colour: String,
    /// (code, opened, closed)
    pub cases: Vec<(String, String, Option<String>)>,
    /// The furthest step of the graded response recorded, with its day.
    pub grade: Option<(String, String)>,
}

#[cfg(feature = "ssr")]
pub(crate) mod ssr {
    use domain::casework::{self, Org};

    use super::*;

    pub async fn org_choices(
        db: &domain::DatabaseConnection,
    ) -> Result<Vec<(String, String)>, AppError> {
        Ok(casework::assignable(db)
            .await?
            .into_iter()
            .map(|(org, name)| (org.key(), name))
            .collect())
    }

    pub fn parse_org(key: &str) -> Result<Org, AppError> {
        Org::parse_key(key).ok_or_else(|| AppError::invalid("case-org-invalid"))
    }

    pub fn when(at: Option<chrono::DateTime<chrono::Utc>>) -> Option<String> {
        at.map(domain::time::format_local)
    }
}

#[server(endpoint = "board", input = server_fn::codec::GetUrl)]
pub async fn board_view(
    stage: Option<String>,
    kind: Option<String>,
    org: Option<String>,
    overdue: Option<String>,
) -> Result<BoardInfo, AppError> {
    use domain::casework::{self, BoardFilter, Kind, Org, Stage};
    let (me, _) = crate::accounts::ssr::require_account().await?;
    let db = crate::state::db()?;
    let filter = BoardFilter {
        stage: stage.as_deref().and_then(Stage::parse),
        kind: kind.as_deref().and_then(Kind::parse),
        org: org.as_deref().and_then(Org::parse_key),
        overdue_only: overdue.is_some_and(|o| !o.is_empty()),
        include_closed: false,
    };
    let lines = casework::board(&db, &me, &filter, chrono::Utc::now()).await?;
    Ok(BoardInfo {
        lines: lines
            .into_iter()
            .map(|l| CaseLine {
                code: l.case.code,
                kind: l.case.kind,
                title: l.case.title,
                stage: l.case.stage,
                org: l.org_name,
                due: ssr::when(l.case.due_at),
                overdue: l.overdue,
                escalations: l.case.escalations,
                opened: domain::time::format_local(l.case.created_at),
            })
            .collect(),
        orgs: ssr::org_choices(&db).await?,
        officer: me.has(domain::accounts::Role::Officer) || me.has(domain::accounts::Role::Admin),
    })
}

#[server(endpoint = "board/case", input = server_fn::codec::GetUrl)]
pub async fn case_view(code: String) -> Result<CaseDetails, AppError> {
    use domain::casework::{self, Access};
    let (me, _) = crate::accounts::ssr::require_account().await?;
    let db = crate::state::db()?;
    let detail = casework::detail(&db, &me, &code, chrono::Utc::now()).await?;
    let officer = detail.access == Access::Officer;
    let case = detail.case;
    let fraud = officer && domain::antifraud::losses::is_marked(&db, case.id).await?;
    let response = if officer {
        domain::casework::grades::of_case(&db, case.id).await?
    } else {
        Default::default()
    };
    Ok(CaseDetails {
        code: case.code,
        kind: case.kind,
        title: case.title,
        summary: case.summary,
        stage: case.stage,
        org: detail.org_name,
        due: ssr::when(case.due_at),
        overdue: detail.overdue,
        escalations: case.escalations,
        contact: case.contact_name,
        resident_phone: detail.resident_phone,
        resident_raised: case.resident_raised,
        household: if officer { case.household } else { None },
        fraud,
        concern: response.concern.map(|c| c.as_str().to_owned()),
        grades: response
            .grades
            .into_iter()
            .map(|(grade, on)| (grade.as_str().to_owned(), on.to_string()))
            .collect(),
        outcome: case.outcome,
        feedback: case.feedback,
        rating: case.rating,
        no_feedback_reason: case.no_feedback_reason,
        mediation_code: detail.mediation_code,
        enterprise: detail.enterprise,
        thread_id: case.thread_id,
        officer,
        history: detail
            .history
            .into_iter()
            .map(|(entry, actor, org)| HistoryLine {
                at: domain::time::format_local(entry.at),
                action: entry.action,
                from: entry.from_stage,
                to: entry.to_stage,
                org,
                actor,
                note: entry.note,
            })
            .collect(),
        orgs: if officer {
            ssr::org_choices(&db).await?
        } else {
            Vec::new()
        },
    })
}

/// The communities the open-case form offers: (id, name). Officers only, so the page
/// itself answers 401/403 to anyone else.
#[server(endpoint = "board/open-options", input = server_fn::codec::GetUrl)]
pub async fn open_case_options() -> Result<Vec<(i32, String)>, AppError> {
    crate::accounts::ssr::require_role(domain::accounts::Role::Officer).await?;
    Ok(domain::directory::communities(&crate::state::db()?)
        .await?
        .into_iter()
        .map(|c| (c.community.id, c.community.name))
        .collect())
}

/// The open-case form's fields (`case[field]`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OpenCaseForm {
    pub kind: String,
    pub title: String,
    #[serde(default)]
    pub summary: String,
    #[serde(default)]
    pub contact_name: String,
    #[serde(default)]
    pub contact_phone: String,
    #[serde(default)]
    pub community_id: String,
    #[serde(default)]
    pub household: String,
}

#[server(endpoint = "board/open")]
pub async fn open_case(case: OpenCaseForm) -> Result<(), AppError> {
    let (me, _) = crate::accounts::ssr::require_account().await?;
    let community_id = match case.community_id.trim() {
        "" => None,
        id => Some(
            id.parse()
                .map_err(|_| AppError::invalid("case-community-invalid"))?,
        ),
    };
    let opened = domain::casework::open(
        &crate::state::db()?,
        &me,
        domain::casework::NewCase {
            kind: case.kind,
            title: case.title,
            summary: case.summary,
            contact_name: case.contact_name,
            contact_phone: case.contact_phone,
            community_id,
            household: case.household,
        },
        chrono::Utc::now(),
    )
    .await?;
    leptos_axum::redirect(&format!("/board/cases/{}?done=opened", opened.code));
    Ok(())
}

/// One form for every move on a case page: `action` names the move, the other fields
/// carry what it needs (`move[field]`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseMove {
    pub code: String,
    pub action: String,
    #[serde(default)]
    pub org: String,
    #[serde(default)]
    pub note: String,
    #[serde(default)]
    pub feedback: String,
    #[serde(default)]
    pub rating: String,
    #[serde(default)]
    pub no_feedback_reason: String,
    /// The day a step of the graded response was applied (`YYYY-MM-DD`).
    #[serde(default)]
    pub on: String,
}

#[server(endpoint = "board/move")]
pub async fn move_case(step: CaseMove) -> Result<(), AppError> {
    use domain::casework;
    let (me, _) = crate::accounts::ssr::require_account().await?;
    let db = crate::state::db()?;
    let now = chrono::Utc::now();
    let code = step.code.trim().to_owned();
    match step.action.as_str() {
        "triage" => casework::triage(&db, &me, &code, now).await?,
        "assign" => {
            let org = ssr::parse_org(&step.org)?;
            casework::assign(&db, &me, &code, org, None, &step.note, now).await?
        }
        "start" => casework::start(&db, &me, &code, now).await?,
        "report" => casework::report(&db, &me, &code, &step.note, now).await?,
        "close" => {
            let rating = match step.rating.trim() {
                "" => None,
                r => Some(
                    r.parse()
                        .map_err(|_| AppError::invalid("case-rating-invalid"))?,
                ),
            };
            casework::close(
                &db,
                &me,
                &code,
                casework::Closing {
                    feedback: step.feedback,
                    rating,
                    no_feedback_reason: step.no_feedback_reason,
                },
                now,
            )
            .await?
        }
        "reopen" => casework::reopen(&db, &me, &code, &step.note, now).await?,
        "household" => casework::link_household(&db, &me, &code, &step.note, now).await?,
        "fraud" => {
            domain::antifraud::losses::mark_case(&db, &me, &code, step.note == "on", now).await?
        }
        "concern" => {
            use domain::casework::grades::{Concern, set_concern};
            let concern = match step.note.trim() {
                "" => None,
                text => Some(
                    Concern::parse(text).ok_or_else(|| AppError::invalid("case-grade-invalid"))?,
                ),
            };
            set_concern(&db, &me, &code, concern, now).await?
        }
        "grade" => {
            use domain::casework::grades::{Grade, record_grade};
            let grade =
                Grade::parse(&step.note).ok_or_else(|| AppError::invalid("case-grade-invalid"))?;
            let on = domain::time::parse_day(&step.on)
                .ok_or_else(|| AppError::invalid("case-grade-date-invalid"))?;
            record_grade(&db, &me, &code, grade, on, now).await?
        }
        _ => return Err(AppError::invalid("case-move-illegal")),
    }
    leptos_axum::redirect(&format!("/board/cases/{code}?done={}", step.action));
    Ok(())
}

/// The board's bulk assignment (`bulk[field]`; each ticked case sends `bulk[codes][i]`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BulkForm {
    pub org: String,
    #[serde(default)]
    pub codes: Vec<String>,
}

#[server(endpoint = "board/bulk-assign")]
pub async fn bulk_assign(bulk: BulkForm) -> Result<(), AppError> {
    let (me, _) = crate::accounts::ssr::require_account().await?;
    let org = ssr::parse_org(&bulk.org)?;
    if bulk.codes.is_empty() {
        return Err(AppError::invalid("case-none-chosen"));
    }
    let n = domain::casework::assign_many(
        &crate::state::db()?,
        &me,
        &bulk.codes,
        org,
        chrono::Utc::now(),
    )
    .await?;
    leptos_axum::redirect(&format!("/board?done=assigned&n={n}"));
    Ok(())
}

/// One stage's deadline for one kind of case.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeadlineLine {
    pub kind: String,
    pub stage: String,
    pub hours: i32,
    pub escalate: bool,
}

/// Officers: every kind's deadline per stage.
#[server(endpoint = "board/deadlines", input = server_fn::codec::GetUrl)]
pub async fn deadlines_view() -> Result<Vec<DeadlineLine>, AppError> {
    let (me, _) = crate::accounts::ssr::require_account().await?;
    me.require(domain::accounts::Role::Officer)?;
    Ok(domain::casework::deadlines(&crate::state::db()?)
        .await?
        .into_iter()
        .map(|d| DeadlineLine {
            kind: d.kind,
            stage: d.stage,
            hours: d.hours,
            escalate: d.escalate,
        })
        .collect())
}

/// The deadline form (`deadline[field]`); a ticked box sends `deadline[escalate]=on`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeadlineForm {
    pub kind: String,
    pub stage: String,
    pub hours: String,
    #[serde(default)]
    pub escalate: Option<String>,
}

#[server(endpoint = "board/deadline")]
pub async fn set_case_deadline(deadline: DeadlineForm) -> Result<(), AppError> {
    let (me, _) = crate::accounts::ssr::require_account().await?;
    let hours = deadline
        .hours
        .trim()
        .parse()
        .map_err(|_| AppError::invalid("case-deadline-hours-invalid"))?;
    domain::casework::set_deadline(
        &crate::state::db()?,
        &me,
        &deadline.kind,
        &deadline.stage,
        hours,
        deadline.escalate.is_some(),
    )
    .await?;
    leptos_axum::redirect("/board/deadlines?done=saved");
    Ok(())
}

#[server(endpoint = "board/colours", input = server_fn::codec::GetUrl)]
pub async fn colours_view() -> Result<Vec<HouseholdView>, AppError> {
    use domain::casework::colours;
    let (me, _) = crate::accounts::ssr::require_account().await?;
    let households = colours::households(
        &crate::state::db()?,
        &me,
        chrono::Duration::days(colours::DEFAULT_WINDOW_DAYS),
        chrono::Utc::now(),
    )
    .await?;
    Ok(households
        .into_iter()
        .map(|h| HouseholdView {
            household: h.household,
            colour: h.colour.as_str().to_owned(),
            cases: h
                .cases
                .into_iter()
                .map(|(code, opened, closed)| {
                    (code, domain::time::format_local(opened), ssr::when(closed))
                })
                .collect(),
            grade: h
                .grade
                .map(|(grade, on)| (grade.as_str().to_owned(), on.to_string())),
        })
        .collect())
}
