//! What officers and organisations see: the board of open cases and a case's page.

use chrono::{DateTime, Utc};
use sea_orm::{ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};

use crate::accounts::{Account, Role, phone};
use crate::entities::{case_entry, case_record, user};
use crate::{Error, Result};

use super::colours;
use super::deadlines::is_overdue;
use super::orgs::{Access, Org, access, org_names, orgs_of};
use super::steps::load;
use super::{Action, Kind, Stage};

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
        // The open stages by name, not "not closed": the stage index then reads the open
        // cases alone, not the years of closed ones.
        let open = Stage::ALL.iter().filter(|s| **s != Stage::Closed);
        select = select.filter(case_record::Column::Stage.is_in(open.map(|s| s.as_str())));
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
    /// The enterprise a service request (驻企服务) was filed for: id and name.
    pub enterprise: Option<(i32, String)>,
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
    let actors = crate::accounts::names_of(db, entries.iter().filter_map(|e| e.actor_id)).await?;
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
    let enterprise = match case.kind {
        Kind::Enterprise => crate::enterprises::source_of(db, case.id).await?,
        _ => None,
    };
    Ok(CaseDetail {
        enterprise,
        org_name: Org::of(&case).and_then(|o| names.get(&o).cloned()),
        overdue: is_overdue(&case, now),
        history,
        access,
        mediation_code,
        resident_phone,
        case,
    })
}
