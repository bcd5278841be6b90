//! 警网融合: one closed loop for every case. Every request (a mediation request, a thread
//! turned into a case, a help request, a walk-in or a phone call) is a row of `cases` that
//! goes intake → triage → assigned → in progress → feedback → closed, assigned to an
//! organisation; `case_history` keeps every step and refuses to be rewritten.
//!
//! Rules kept here: stages and kinds are closed lists; a case that is assigned names its
//! organisation; a closed case has an outcome and, when a resident raised it, the resident's
//! feedback or the reason there is none; each source (mediation case, thread, help request)
//! is one case at most; history rows cannot be changed or deleted (triggers on both engines).

use sea_orm_migration::{prelude::*, schema::*};

use super::m20261129_000001_directory::Communities;
use super::m20261129_000003_mediation::MediationCases;
use super::m20261129_000006_help_requests::HelpRequests;
use super::m20261129_000007_teahouse::Threads;
use super::{col, foreign_key, user_id};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum OrgMembers {
    Table,
    Kind,
    OrgId,
    UserId,
}

#[derive(DeriveIden)]
enum CaseDeadlines {
    Table,
    Kind,
    Stage,
    Hours,
    Escalate,
}

#[derive(DeriveIden)]
enum Cases {
    Table,
    Id,
    Code,
    Kind,
    Title,
    Summary,
    ResidentId,
    ResidentRaised,
    ContactName,
    CommunityId,
    Household,
    Stage,
    OrgKind,
    OrgId,
    AssigneeId,
    StageSince,
    DueAt,
    Escalations,
    Outcome,
    Feedback,
    Rating,
    NoFeedbackReason,
    SolvedWithoutPolice,
    MediationCaseId,
    ThreadId,
    HelpRequestId,
    CreatedBy,
    CreatedAt,
    ClosedAt,
    IsDemo,
}

#[derive(DeriveIden)]
enum CaseHistory {
    Table,
    Id,
    CaseId,
    At,
    ActorId,
    Action,
    FromStage,
    ToStage,
    OrgKind,
    OrgId,
    Note,
}

#[derive(DeriveIden)]
enum ColourViews {
    Table,
    Id,
    UserId,
    At,
}

#[derive(DeriveIden)]
enum JobLeases {
    Table,
    Name,
    Holder,
    Until,
}

const KINDS: &str = "'mediation', 'thread', 'help', 'walk_in', 'phone', 'patrol'";
const STAGES: &str = "'intake', 'triage', 'assigned', 'in_progress', 'feedback', 'closed'";
const ORGS: &str = "'aid_station', 'mediation_room', 'squad', 'police_office', 'station'";

/// Hours each stage may take by default, and whether an overdue case moves up a level
/// by itself. Officers change them in `case_deadlines`.
const DEADLINES: [(&str, i32, bool); 5] = [
    ("intake", 24, false),
    ("triage", 24, false),
    ("assigned", 48, true),
    ("in_progress", 168, true),
    ("feedback", 72, false),
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        use ForeignKeyAction::{Cascade, SetNull};
        manager
            .create_table(
                Table::create()
                    .table(OrgMembers::Table)
                    .col(string_len(OrgMembers::Kind, 15))
                    .col(integer(OrgMembers::OrgId))
                    .col(integer(OrgMembers::UserId))
                    .primary_key(
                        Index::create()
                            .col(OrgMembers::Kind)
                            .col(OrgMembers::OrgId)
                            .col(OrgMembers::UserId),
                    )
                    // Rooms and squads already know their people (room_mediators,
                    // squad_members); stations and offices are listed here.
                    .check(Expr::cust("kind IN ('aid_station', 'police_office')"))
                    .foreign_key(&mut foreign_key(
                        col(OrgMembers::Table, OrgMembers::UserId),
                        user_id(),
                        Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(CaseDeadlines::Table)
                    .col(string_len(CaseDeadlines::Kind, 10))
                    .col(string_len(CaseDeadlines::Stage, 12))
                    .col(integer(CaseDeadlines::Hours))
                    .col(boolean(CaseDeadlines::Escalate).default(false))
                    .primary_key(
                        Index::create()
                            .col(CaseDeadlines::Kind)
                            .col(CaseDeadlines::Stage),
                    )
                    .check(Expr::cust(format!("kind IN ({KINDS})")))
                    .check(Expr::cust(format!("stage IN ({STAGES})")))
                    .check(Expr::cust("hours BETWEEN 1 AND 8760"))
                    .to_owned(),
            )
            .await?;
        let mut seed = Query::insert()
            .into_table(CaseDeadlines::Table)
            .columns([
                CaseDeadlines::Kind,
                CaseDeadlines::Stage,
                CaseDeadlines::Hours,
                CaseDeadlines::Escalate,
            ])
            .to_owned();
        for kind in KINDS.split(", ").map(|k| k.trim_matches('\'')) {
            for (stage, hours, escalate) in DEADLINES {
                // The rooms' follow-up call comes up to two weeks after a mediation.
                let hours = if kind == "mediation" && stage == "feedback" {
                    336
                } else {
                    hours
                };
                seed.values([kind.into(), stage.into(), hours.into(), escalate.into()])
                    .map_err(|e| DbErr::Custom(e.to_string()))?;
            }
        }
        manager.exec_stmt(seed).await?;
        manager
            .create_table(
                Table::create()
                    .table(Cases::Table)
                    .col(pk_auto(Cases::Id))
                    .col(string_len_uniq(Cases::Code, 20))
                    .col(string_len(Cases::Kind, 10))
                    .col(string_len(Cases::Title, 80))
                    .col(text(Cases::Summary))
                    .col(integer_null(Cases::ResidentId))
                    .col(boolean(Cases::ResidentRaised).default(true))
                    .col(string_len(Cases::ContactName, 50).default(""))
                    .col(integer_null(Cases::CommunityId))
                    .col(string_len_null(Cases::Household, 100))
                    .col(string_len(Cases::Stage, 12))
                    .col(string_len_null(Cases::OrgKind, 15))
                    .col(integer_null(Cases::OrgId))
                    .col(integer_null(Cases::AssigneeId))
                    .col(timestamp_with_time_zone(Cases::StageSince))
                    .col(timestamp_with_time_zone_null(Cases::DueAt))
                    .col(integer(Cases::Escalations).default(0))
                    .col(text_null(Cases::Outcome))
                    .col(text_null(Cases::Feedback))
                    .col(integer_null(Cases::Rating))
                    .col(text_null(Cases::NoFeedbackReason))
                    .col(boolean_null(Cases::SolvedWithoutPolice))
                    .col(integer_null(Cases::MediationCaseId).unique_key())
                    .col(integer_null(Cases::ThreadId).unique_key())
                    .col(integer_null(Cases::HelpRequestId).unique_key())
                    .col(integer_null(Cases::CreatedBy))
                    .col(timestamp_with_time_zone(Cases::CreatedAt))
                    .col(timestamp_with_time_zone_null(Cases::ClosedAt))
                    .col(boolean(Cases::IsDemo).default(false))
                    .check(Expr::cust(format!("kind IN ({KINDS})")))
                    .check(Expr::cust(format!("stage IN ({STAGES})")))
                    .check(Expr::cust(format!(
                        "org_kind IS NULL OR org_kind IN ({ORGS})"
                    )))
                    .check(Expr::cust(
                        "org_kind IS NULL OR org_kind = 'station' OR org_id IS NOT NULL",
                    ))
                    .check(Expr::cust(
                        "stage IN ('intake', 'triage', 'closed') OR org_kind IS NOT NULL",
                    ))
                    .check(Expr::cust(
                        "stage <> 'closed' OR (outcome IS NOT NULL AND closed_at IS NOT NULL)",
                    ))
                    .check(Expr::cust(
                        "stage <> 'closed' OR NOT resident_raised OR feedback IS NOT NULL \
                         OR no_feedback_reason IS NOT NULL",
                    ))
                    .check(Expr::cust("rating IS NULL OR rating BETWEEN 1 AND 5"))
                    .foreign_key(&mut foreign_key(
                        col(Cases::Table, Cases::ResidentId),
                        user_id(),
                        SetNull,
                    ))
                    .foreign_key(&mut foreign_key(
                        col(Cases::Table, Cases::AssigneeId),
                        user_id(),
                        SetNull,
                    ))
                    .foreign_key(&mut foreign_key(
                        col(Cases::Table, Cases::CreatedBy),
                        user_id(),
                        SetNull,
                    ))
                    .foreign_key(&mut foreign_key(
                        col(Cases::Table, Cases::CommunityId),
                        col(Communities::Table, Communities::Id),
                        SetNull,
                    ))
                    .foreign_key(&mut foreign_key(
                        col(Cases::Table, Cases::MediationCaseId),
                        col(MediationCases::Table, MediationCases::Id),
                        SetNull,
                    ))
                    .foreign_key(&mut foreign_key(
                        col(Cases::Table, Cases::ThreadId),
                        col(Threads::Table, Threads::Id),
                        SetNull,
                    ))
                    .foreign_key(&mut foreign_key(
                        col(Cases::Table, Cases::HelpRequestId),
                        col(HelpRequests::Table, HelpRequests::Id),
                        SetNull,
                    ))
                    .to_owned(),
            )
            .await?;
        for (name, columns) in [
            ("ix_cases_stage_due", vec![Cases::Stage, Cases::DueAt]),
            ("ix_cases_org", vec![Cases::OrgKind, Cases::OrgId]),
            ("ix_cases_household", vec![Cases::Household]),
        ] {
            let mut index = Index::create();
            index.name(name).table(Cases::Table);
            for column in columns {
                index.col(column);
            }
            manager.create_index(index.to_owned()).await?;
        }
        manager
            .create_table(
                Table::create()
                    .table(CaseHistory::Table)
                    .col(pk_auto(CaseHistory::Id))
                    .col(integer(CaseHistory::CaseId))
                    .col(timestamp_with_time_zone(CaseHistory::At))
                    .col(integer_null(CaseHistory::ActorId))
                    .col(string_len(CaseHistory::Action, 12))
                    .col(string_len_null(CaseHistory::FromStage, 12))
                    .col(string_len(CaseHistory::ToStage, 12))
                    .col(string_len_null(CaseHistory::OrgKind, 15))
                    .col(integer_null(CaseHistory::OrgId))
                    .col(text(CaseHistory::Note).default(""))
                    .foreign_key(&mut foreign_key(
                        col(CaseHistory::Table, CaseHistory::CaseId),
                        col(Cases::Table, Cases::Id),
                        Cascade,
                    ))
                    .foreign_key(&mut foreign_key(
                        col(CaseHistory::Table, CaseHistory::ActorId),
                        user_id(),
                        SetNull,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_case_history_case")
                    .table(CaseHistory::Table)
                    .col(CaseHistory::CaseId)
                    .col(CaseHistory::Id)
                    .to_owned(),
            )
            .await?;
        append_only(manager).await?;
        manager
            .create_table(
                Table::create()
                    .table(ColourViews::Table)
                    .col(pk_auto(ColourViews::Id))
                    .col(integer_null(ColourViews::UserId))
                    .col(timestamp_with_time_zone(ColourViews::At))
                    .foreign_key(&mut foreign_key(
                        col(ColourViews::Table, ColourViews::UserId),
                        user_id(),
                        SetNull,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(JobLeases::Table)
                    .col(string_len(JobLeases::Name, 30).primary_key())
                    .col(string_len(JobLeases::Holder, 60))
                    .col(timestamp_with_time_zone(JobLeases::Until))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        super::drop_tables(
            manager,
            vec![
                JobLeases::Table.into_iden(),
                ColourViews::Table.into_iden(),
                CaseHistory::Table.into_iden(),
                Cases::Table.into_iden(),
                CaseDeadlines::Table.into_iden(),
                OrgMembers::Table.into_iden(),
            ],
        )
        .await?;
        if manager.get_database_backend() == sea_orm::DatabaseBackend::Postgres {
            manager
                .get_connection()
                .execute_unprepared("DROP FUNCTION IF EXISTS case_history_is_append_only()")
                .await?;
        }
        Ok(())
    }
}

/// History rows cannot be changed or deleted; only the actor may become NULL, when a
/// person's account is deleted (the foreign key's SET NULL is an update of that column), and
/// never anyone else.
/// A whole case's history goes only with the case, which the portal never deletes.
async fn append_only(manager: &SchemaManager<'_>) -> Result<(), DbErr> {
    let db = manager.get_connection();
    let columns = "case_id, at, action, from_stage, to_stage, org_kind, org_id, note";
    match manager.get_database_backend() {
        sea_orm::DatabaseBackend::Postgres => {
            db.execute_unprepared(
                "CREATE FUNCTION case_history_is_append_only() RETURNS trigger AS $$ \
                 BEGIN RAISE EXCEPTION 'case history is append-only'; END; $$ LANGUAGE plpgsql",
            )
            .await?;
            db.execute_unprepared(&format!(
                "CREATE TRIGGER case_history_no_update BEFORE UPDATE OF {columns} ON case_history \
                 FOR EACH ROW EXECUTE FUNCTION case_history_is_append_only()"
            ))
            .await?;
            db.execute_unprepared(
                "CREATE TRIGGER case_history_no_delete BEFORE DELETE ON case_history \
                 FOR EACH ROW WHEN (pg_trigger_depth() = 0) \
                 EXECUTE FUNCTION case_history_is_append_only()",
            )
            .await?;
            db.execute_unprepared(
                "CREATE TRIGGER case_history_no_resign BEFORE UPDATE OF actor_id ON case_history \
                 FOR EACH ROW WHEN (NEW.actor_id IS NOT NULL) \
                 EXECUTE FUNCTION case_history_is_append_only()",
            )
            .await?;
        }
        _ => {
            db.execute_unprepared(&format!(
                "CREATE TRIGGER case_history_no_update BEFORE UPDATE OF {columns} ON case_history \
                 BEGIN SELECT RAISE(ABORT, 'case history is append-only'); END"
            ))
            .await?;
            db.execute_unprepared(
                "CREATE TRIGGER case_history_no_delete BEFORE DELETE ON case_history \
                 WHEN (SELECT COUNT(*) FROM cases WHERE id = OLD.case_id) > 0 \
                 BEGIN SELECT RAISE(ABORT, 'case history is append-only'); END",
            )
            .await?;
            db.execute_unprepared(
                "CREATE TRIGGER case_history_no_resign BEFORE UPDATE OF actor_id ON case_history \
                 WHEN NEW.actor_id IS NOT NULL \
                 BEGIN SELECT RAISE(ABORT, 'case history is append-only'); END",
            )
            .await?;
        }
    }
    Ok(())
}
