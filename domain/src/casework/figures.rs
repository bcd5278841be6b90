//! 警网融合 in figures, for the officers' board: what came in and where it stands, how long
//! each stage takes, how much was solved without the police (矛盾不上交), and beside it the
//! mediation rooms' results, the volunteers' hours and how far the safety notices reached.
//!
//! Every figure is computed from the records, never typed in. Labels are the stored values
//! ("walk_in", "aid_station"); the app translates them. A handful of queries read only the
//! columns needed and the rest is added up here: a few bytes per case, so years of a whole
//! 街道's cases add up in milliseconds.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, NaiveDate, Utc};
use futures_util::TryStreamExt;
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, JoinType, QueryFilter, QueryOrder, QuerySelect,
    StreamTrait,
    sea_query::{Expr, ExprTrait, Query, SelectStatement},
};

use super::{Kind, OrgKind, Stage};
use crate::Result;
use crate::accounts::{Account, Role};
use crate::entities::{
    case_entry, case_record, mediation_case, notice, shift, shift_signup, squad,
};
use crate::kept::{self, Kept};
use crate::mediation::Outcome;
use crate::notices::Status;
use crate::time::at_local;

/// A period of the figures: cases opened from `from` (inclusive) to `to` (exclusive).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Period {
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
}

impl Period {
    /// The `days` days up to `now`.
    pub fn last_days(days: i64, now: DateTime<Utc>) -> Period {
        // A span too long for the calendar means "since the beginning of time".
        let from = chrono::Duration::try_days(days)
            .and_then(|span| now.checked_sub_signed(span))
            .unwrap_or(DateTime::<Utc>::MIN_UTC);
        Period { from, to: now }
    }

    /// The period a board link names: "30d", "90d", "365d" or "all" (everything since
    /// 2000, long before the portal's first record).
    pub fn parse(key: &str, now: DateTime<Utc>) -> Option<Period> {
        match key.trim() {
            "30d" => Some(Period::last_days(30, now)),
            "90d" => Some(Period::last_days(90, now)),
            "365d" => Some(Period::last_days(365, now)),
            "all" => Some(Period {
                from: at_local(NaiveDate::from_ymd_opt(2000, 1, 1)?, 0)?,
                to: now,
            }),
            _ => None,
        }
    }
}

/// The label of cases no organisation holds, in `by_org`.
pub const UNASSIGNED: &str = "unassigned";
/// The label of the sum of all squads, last in `volunteer_hours`.
pub const TOTAL: &str = "total";

/// The figures of a period.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Figures {
    /// Cases opened in the period, by kind (every Kind, zero included), by current stage
    /// (every Stage), by organisation kind (every OrgKind plus "unassigned").
    pub by_kind: Vec<(String, u64)>,
    pub by_stage: Vec<(String, u64)>,
    pub by_org: Vec<(String, u64)>,
    /// Median hours a case spends in each stage but closed (a case's spells in one stage
    /// added up, so a reopened case counts once), from consecutive case_history rows of
    /// cases opened in the period; a stage still open counts until now. None when no case
    /// passed through it.
    pub median_hours: Vec<(String, Option<f64>)>,
    /// Closed cases of the period by the kind of organisation that held them at close:
    /// (org kind, closed, solved without police), for every OrgKind.
    pub without_police: Vec<(String, u64, u64)>,
    /// Every closed case of the period, those closed before any organisation held them
    /// (a help request withdrawn at intake) included: `by_stage`'s "closed".
    pub closed: u64,
    pub solved_without_police: u64,
    /// Mediation cases received in the period: (received, concluded, resolved, followed
    /// up, satisfied), counted as `mediation::stats` counts them.
    pub mediation: (u64, u64, u64, u64, u64),
    /// Volunteer hours credited for shifts starting in the period, by squad name (every
    /// squad, in the directory's order), then "total".
    pub volunteer_hours: Vec<(String, f64)>,
    /// Notices published in the period (cancelled ones too: they were out), oldest first:
    /// (title, residents of the audience who read it, residents it is for).
    pub notice_reach: Vec<(String, u64, u64)>,
    /// 反诈: households visited in the period, losses reported, fraud-related cases open.
    pub antifraud: crate::antifraud::losses::Figures,
}

/// The figures of `period` as of `now`, for officers (and admins).
pub async fn figures(
    db: &(impl ConnectionTrait + StreamTrait),
    officer: &Account,
    period: Period,
    now: DateTime<Utc>,
) -> Result<Figures> {
    officer.require(Role::Officer)?;
    let mut figures = Figures::default();
    cases(db, period, &mut figures).await?;
    figures.median_hours = median_hours(db, period, now).await?;
    figures.mediation = mediation(db, period).await?;
    figures.volunteer_hours = volunteer_hours(db, period).await?;
    figures.notice_reach = notice_reach(db, period).await?;
    figures.antifraud = crate::antifraud::losses::figures(
        db,
        officer,
        crate::time::local_date(period.from),
        crate::time::local_date(period.to),
    )
    .await?;
    Ok(figures)
}

/// Figures by the period's name, kept while nothing they count is written (migration 028)
/// and for at most a minute: the period ends now, and stages still open grow with the
/// clock, so a minute's staleness is all an officer can see. At a district's size a period's
/// figures read tens of thousands of cases and histories. None for an unknown period.
pub async fn period_figures(
    db: &(impl ConnectionTrait + StreamTrait),
    officer: &Account,
    key: &str,
    now: DateTime<Utc>,
) -> Result<Option<Arc<Figures>>> {
    officer.require(Role::Officer)?;
    let Some(period) = Period::parse(key, now) else {
        return Ok(None);
    };
    let version = kept::figures(db, "casework").await?;
    let kept = KEPT
        .get_or_compute(version, key, Duration::from_secs(60), async || {
            figures(db, officer, period, now).await
        })
        .await?;
    Ok(Some(kept))
}

static KEPT: Kept<Figures> = Kept::new();

/// The ids of the cases opened in the period, as a subquery: no list of ids to outgrow a
/// statement's parameters.
fn opened_in(period: Period) -> SelectStatement {
    Query::select()
        .column(case_record::Column::Id)
        .from(case_record::Entity)
        .and_where(case_record::Column::CreatedAt.gte(period.from))
        .and_where(case_record::Column::CreatedAt.lt(period.to))
        .to_owned()
}

/// Counts by kind, stage and organisation, and who solved the closed ones.
async fn cases(
    db: &(impl ConnectionTrait + StreamTrait),
    period: Period,
    figures: &mut Figures,
) -> Result<()> {
    type Row = (String, String, Option<String>, Option<bool>);
    // Streamed and counted as they come, like the history below.
    let mut rows = case_record::Entity::find()
        .select_only()
        .columns([
            case_record::Column::Kind,
            case_record::Column::Stage,
            case_record::Column::OrgKind,
            case_record::Column::SolvedWithoutPolice,
        ])
        .filter(case_record::Column::CreatedAt.gte(period.from))
        .filter(case_record::Column::CreatedAt.lt(period.to))
        .into_tuple::<Row>()
        .stream(db)
        .await?;
    let mut kinds: HashMap<String, u64> = HashMap::new();
    let mut stages: HashMap<String, u64> = HashMap::new();
    let mut orgs: HashMap<String, u64> = HashMap::new();
    let mut closed: HashMap<String, (u64, u64)> = HashMap::new();
    while let Some((kind, stage, org_kind, solved)) = rows.try_next().await? {
        *kinds.entry(kind).or_default() += 1;
        *orgs
            .entry(org_kind.clone().unwrap_or_else(|| UNASSIGNED.to_owned()))
            .or_default() += 1;
        if stage == Stage::Closed.as_str() {
            let solved = u64::from(solved == Some(true));
            figures.closed += 1;
            figures.solved_without_police += solved;
            if let Some(org_kind) = org_kind {
                let row = closed.entry(org_kind).or_default();
                row.0 += 1;
                row.1 += solved;
            }
        }
        *stages.entry(stage).or_default() += 1;
    }
    drop(rows);
    let count = |counts: &HashMap<String, u64>, label: &str| {
        (label.to_owned(), counts.get(label).copied().unwrap_or(0))
    };
    figures.by_kind = Kind::ALL
        .iter()
        .map(|k| count(&kinds, k.as_str()))
        .collect();
    figures.by_stage = Stage::ALL
        .iter()
        .map(|s| count(&stages, s.as_str()))
        .collect();
    figures.by_org = OrgKind::ALL
        .iter()
        .map(|o| o.as_str())
        .chain([UNASSIGNED])
        .map(|o| count(&orgs, o))
        .collect();
    figures.without_police = OrgKind::ALL
        .iter()
        .map(|o| {
            let (all, solved) = closed.get(o.as_str()).copied().unwrap_or((0, 0));
            (o.as_str().to_owned(), all, solved)
        })
        .collect();
    Ok(())
}

/// The median of each stage but closed, from the history of the period's cases.
async fn median_hours(
    db: &(impl ConnectionTrait + StreamTrait),
    period: Period,
    now: DateTime<Utc>,
) -> Result<Vec<(String, Option<f64>)>> {
    // Streamed: a district's 90 days of history held as rows at once took 40–60 MB.
    let mut steps = case_entry::Entity::find()
        .select_only()
        .columns([
            case_entry::Column::CaseId,
            case_entry::Column::At,
            case_entry::Column::ToStage,
        ])
        .filter(case_entry::Column::CaseId.in_subquery(opened_in(period)))
        // The order rows were written in: `at` comes from the caller's clock.
        .order_by_asc(case_entry::Column::CaseId)
        .order_by_asc(case_entry::Column::Id)
        .into_tuple::<(i32, DateTime<Utc>, String)>()
        .stream(db)
        .await?;
    let mut stays = Stays::until(now);
    while let Some((case_id, at, stage)) = steps.try_next().await? {
        stays.step(case_id, at, &stage);
    }
    drop(steps);
    let mut hours = stays.finish();
    Ok(Stage::ALL
        .iter()
        .filter(|s| **s != Stage::Closed)
        .map(|s| {
            let median = hours.get_mut(s).and_then(|values| median(values));
            (s.as_str().to_owned(), median)
        })
        .collect())
}

/// Hours each case spent in each stage but closed, by stage: one value per case that
/// passed through the stage. Steps come one at a time, by case and then in the order
/// written; a step lasts until the case's next step, the last one until `now`. Steps that
/// keep the stage (a transfer, an escalation, a household linked) add to the same stay, and
/// a stage entered again after a reopening adds to the case's first spell.
struct Stays {
    now: DateTime<Utc>,
    by_stage: BTreeMap<Stage, Vec<f64>>,
    this_case: BTreeMap<Stage, f64>,
    /// The step before this one: its case, when, and the stage it entered unless closed.
    last: Option<(i32, DateTime<Utc>, Option<Stage>)>,
}

impl Stays {
    fn until(now: DateTime<Utc>) -> Stays {
        Stays {
            now,
            by_stage: BTreeMap::new(),
            this_case: BTreeMap::new(),
            last: None,
        }
    }

    fn step(&mut self, case_id: i32, at: DateTime<Utc>, stage: &str) {
        let next = Some((case_id, at));
        self.close_last(next);
        // Closed is where a case rests, not a stage it waits in.
        let stage = Stage::parse(stage).filter(|s| *s != Stage::Closed);
        self.last = Some((case_id, at, stage));
    }

    /// Ends the last step at `next` (the step after it, when of the same case) or now.
    fn close_last(&mut self, next: Option<(i32, DateTime<Utc>)>) {
        let Some((case_id, at, stage)) = self.last.take() else {
            return;
        };
        let next_at = next
            .filter(|(next_case, _)| *next_case == case_id)
            .map(|(_, at)| at);
        if let Some(stage) = stage {
            // A clock set back must not make time negative.
            let seconds = Ord::max((next_at.unwrap_or(self.now) - at).num_seconds(), 0);
            *self.this_case.entry(stage).or_default() += seconds as f64 / 3600.0;
        }
        if next_at.is_none() {
            for (stage, hours) in std::mem::take(&mut self.this_case) {
                self.by_stage.entry(stage).or_default().push(hours);
            }
        }
    }

    fn finish(mut self) -> BTreeMap<Stage, Vec<f64>> {
        self.close_last(None);
        self.by_stage
    }
}

/// The middle value (the mean of the two middle ones for an even count); None when empty.
pub fn median(values: &mut [f64]) -> Option<f64> {
    values.sort_by(f64::total_cmp);
    let mid = values.len() / 2;
    match values.len() {
        0 => None,
        n if n % 2 == 1 => values.get(mid).copied(),
        _ => Some((values.get(mid - 1)? + values.get(mid)?) / 2.0),
    }
}

/// Mediation requests received in the period, counted by `mediation::stats`'s rules (an
/// outcome concludes a case, an agreement in whole or in part resolves it, a follow-up rated
/// 4 or 5 satisfies).
async fn mediation(db: &impl ConnectionTrait, period: Period) -> Result<(u64, u64, u64, u64, u64)> {
    let rows: Vec<(Option<Outcome>, Option<i32>)> = mediation_case::Entity::find()
        .select_only()
        .columns([
            mediation_case::Column::Outcome,
            mediation_case::Column::Satisfaction,
        ])
        .filter(mediation_case::Column::CreatedAt.gte(period.from))
        .filter(mediation_case::Column::CreatedAt.lt(period.to))
        .into_tuple()
        .all(db)
        .await?;
    let mut counted = crate::mediation::stats::Figures::default();
    for (outcome, satisfaction) in rows {
        counted.count(outcome, None, satisfaction);
    }
    Ok((
        counted.received,
        counted.concluded,
        counted.resolved,
        counted.followed_up,
        counted.satisfied,
    ))
}

/// Hours credited on each squad's shifts that start in the period, then the total, as the
/// ledger counts them (withdrawn sign-ups credit nothing).
async fn volunteer_hours(db: &impl ConnectionTrait, period: Period) -> Result<Vec<(String, f64)>> {
    let minutes: HashMap<i32, i64> = shift_signup::Entity::find()
        .select_only()
        .column(shift::Column::SquadId)
        .column_as(
            Expr::col((shift_signup::Entity, shift_signup::Column::MinutesCredited)).sum(),
            "minutes",
        )
        .join(
            JoinType::InnerJoin,
            shift_signup::Entity::belongs_to(shift::Entity)
                .from(shift_signup::Column::ShiftId)
                .to(shift::Column::Id)
                .into(),
        )
        .filter(shift::Column::StartsAt.gte(period.from))
        .filter(shift::Column::StartsAt.lt(period.to))
        .filter(shift_signup::Column::WithdrawnAt.is_null())
        .group_by(shift::Column::SquadId)
        .into_tuple::<(i32, i64)>()
        .all(db)
        .await?
        .into_iter()
        .collect();
    let squads: Vec<(i32, String)> = squad::Entity::find()
        .select_only()
        .columns([squad::Column::Id, squad::Column::Name])
        .order_by_asc(squad::Column::Id)
        .into_tuple()
        .all(db)
        .await?;
    let hours = |minutes: i64| minutes as f64 / 60.0;
    let mut out: Vec<(String, f64)> = squads
        .into_iter()
        .map(|(id, name)| (name, hours(minutes.get(&id).copied().unwrap_or(0))))
        .collect();
    out.push((TOTAL.to_owned(), hours(minutes.values().sum())));
    Ok(out)
}

/// The reach of the notices published in the period, as the officers' desk counts it
/// (`notices::reach`): title, read, audience.
async fn notice_reach(
    db: &impl ConnectionTrait,
    period: Period,
) -> Result<Vec<(String, u64, u64)>> {
    let notices: Vec<(i32, String, bool)> = notice::Entity::find()
        .select_only()
        .columns([
            notice::Column::Id,
            notice::Column::Title,
            notice::Column::AllCommunities,
        ])
        .filter(notice::Column::Status.ne(Status::Draft.as_str()))
        .filter(notice::Column::PublishedAt.gte(period.from))
        .filter(notice::Column::PublishedAt.lt(period.to))
        .order_by_asc(notice::Column::PublishedAt)
        .order_by_asc(notice::Column::Id)
        .into_tuple()
        .all(db)
        .await?;
    let flags: Vec<(i32, bool)> = notices.iter().map(|(id, _, all)| (*id, *all)).collect();
    let reach = crate::notices::reach(db, &flags).await?;
    Ok(notices
        .into_iter()
        .map(|(id, title, _)| {
            let (read, audience) = reach.get(&id).copied().unwrap_or((0, 0));
            (title, read, audience)
        })
        .collect())
}

/// The table behind one chart as CSV (RFC 4180: a header row, then the rows, each ended
/// by CRLF; UTF-8 with a byte-order mark, without which Excel reads Chinese as GBK; fields
/// with a comma, quote or line break quoted, quotes doubled; a field a spreadsheet would
/// take for a formula — starting with = + - @ or a tab — led by an apostrophe): names
/// "by_kind", "by_stage", "by_org", "median_hours", "without_police", "volunteer_hours",
/// "notice_reach", "mediation", "fraud_coverage", "fraud_losses". None for an unknown name.
/// Hours have two decimals; a median no case gave is an empty field.
pub fn csv(figures: &Figures, table: &str) -> Option<String> {
    let counts = |rows: &[(String, u64)]| -> Vec<Vec<String>> {
        rows.iter()
            .map(|(label, n)| vec![label.clone(), n.to_string()])
            .collect()
    };
    let hours = |h: f64| format!("{h:.2}");
    let (header, rows): (&[&str], Vec<Vec<String>>) = match table {
        "by_kind" => (&["kind", "cases"], counts(&figures.by_kind)),
        "by_stage" => (&["stage", "cases"], counts(&figures.by_stage)),
        "by_org" => (&["org_kind", "cases"], counts(&figures.by_org)),
        "median_hours" => (
            &["stage", "median_hours"],
            figures
                .median_hours
                .iter()
                .map(|(stage, h)| vec![stage.clone(), h.map(hours).unwrap_or_default()])
                .collect(),
        ),
        "without_police" => (
            &["org_kind", "closed", "solved_without_police"],
            figures
                .without_police
                .iter()
                .map(|(org, closed, solved)| {
                    vec![org.clone(), closed.to_string(), solved.to_string()]
                })
                .collect(),
        ),
        "volunteer_hours" => (
            &["squad", "hours"],
            figures
                .volunteer_hours
                .iter()
                .map(|(squad, h)| vec![squad.clone(), hours(*h)])
                .collect(),
        ),
        "notice_reach" => (
            &["notice", "read", "audience"],
            figures
                .notice_reach
                .iter()
                .map(|(title, read, audience)| {
                    vec![title.clone(), read.to_string(), audience.to_string()]
                })
                .collect(),
        ),
        "mediation" => {
            let (received, concluded, resolved, followed_up, satisfied) = figures.mediation;
            (
                &["measure", "cases"],
                counts(&[
                    ("received".to_owned(), received),
                    ("concluded".to_owned(), concluded),
                    ("resolved".to_owned(), resolved),
                    ("followed_up".to_owned(), followed_up),
                    ("satisfied".to_owned(), satisfied),
                ]),
            )
        }
        "fraud_coverage" => (
            &["community", "households", "visited"],
            figures
                .antifraud
                .coverage
                .iter()
                .map(|(community, households, visited)| {
                    vec![
                        community.clone(),
                        households.to_string(),
                        visited.to_string(),
                    ]
                })
                .collect(),
        ),
        "fraud_losses" => (
            &["community", "losses", "yuan"],
            figures
                .antifraud
                .losses
                .iter()
                .map(|(community, n, yuan)| {
                    vec![community.clone(), n.to_string(), yuan.to_string()]
                })
                .collect(),
        ),
        _ => return None,
    };
    let mut out = String::from(crate::text::CSV_BOM);
    crate::text::push_csv_row(&mut out, header.iter().copied());
    for row in &rows {
        crate::text::push_csv_row(&mut out, row.iter().map(String::as_str));
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Duration;

    #[test]
    fn the_median_is_the_middle_value_or_the_mean_of_the_two_middle_ones() {
        assert_eq!(median(&mut [5.0, 1.0, 3.0]), Some(3.0));
        assert_eq!(median(&mut [4.0, 1.0, 3.0, 2.0]), Some(2.5));
        assert_eq!(median(&mut [7.5]), Some(7.5));
        assert_eq!(median(&mut []), None);
    }

    fn hour(h: i64) -> DateTime<Utc> {
        DateTime::<Utc>::UNIX_EPOCH + Duration::hours(h)
    }

    #[test]
    fn a_case_spends_the_time_between_its_steps_in_the_stage_it_entered() {
        let step = |case, h, stage: Stage| (case, hour(h), stage);
        let steps = [
            // Closed after 2 h at intake, 3 h assigned (a transfer in between), 4 h in
            // progress, 1 h feedback; reopened 10 h later for 5 h more in progress.
            step(1, 0, Stage::Intake),
            step(1, 2, Stage::Assigned),
            step(1, 4, Stage::Assigned),
            step(1, 5, Stage::InProgress),
            step(1, 9, Stage::Feedback),
            step(1, 10, Stage::Closed),
            step(1, 20, Stage::InProgress),
            step(1, 25, Stage::Closed),
            // Still at intake: it counts until now.
            step(2, 90, Stage::Intake),
        ];
        let mut stays = Stays::until(hour(100));
        for (case_id, at, stage) in steps {
            stays.step(case_id, at, stage.as_str());
        }
        let hours = stays.finish();
        assert_eq!(hours.get(&Stage::Intake), Some(&vec![2.0, 10.0]));
        assert_eq!(hours.get(&Stage::Assigned), Some(&vec![3.0]));
        assert_eq!(hours.get(&Stage::InProgress), Some(&vec![9.0]));
        assert_eq!(hours.get(&Stage::Feedback), Some(&vec![1.0]));
        assert_eq!(hours.get(&Stage::Triage), None);
        assert_eq!(hours.get(&Stage::Closed), None);
    }

    #[test]
    fn periods_are_named_by_key() {
        let now = hour(1000);
        let month = Period::parse("30d", now);
        assert_eq!(month, Some(Period::last_days(30, now)));
        assert_eq!(month.map(|p| p.to - p.from), Some(Duration::days(30)));
        assert!(Period::parse("365d", now).is_some_and(|p| p.to == now));
        assert!(
            Period::parse("all", now)
                .is_some_and(|p| p.from.to_rfc3339() == "1999-12-31T16:00:00+00:00")
        );
        assert_eq!(Period::parse("7d", now), None);
        assert_eq!(
            Period::last_days(i64::MAX, now).from,
            DateTime::<Utc>::MIN_UTC
        );
    }

    #[test]
    fn csv_has_a_bom_quotes_fields_with_commas_quotes_and_line_breaks_and_defuses_formulas() {
        let figures = Figures {
            notice_reach: vec![
                ("台风，停课".to_owned(), 3, 10),
                ("Fraud, again".to_owned(), 1, 2),
                ("\"客服\"来电".to_owned(), 0, 5),
                ("two\nlines".to_owned(), 0, 0),
                ("=HYPERLINK(\"http://x\")".to_owned(), 0, 1),
                ("@SUM(A1)".to_owned(), 0, 1),
                ("-2+3".to_owned(), 0, 1),
            ],
            median_hours: vec![
                ("intake".to_owned(), Some(2.5)),
                ("triage".to_owned(), None),
            ],
            ..Figures::default()
        };
        assert_eq!(
            csv(&figures, "notice_reach").as_deref(),
            Some(
                "\u{feff}notice,read,audience\r\n台风，停课,3,10\r\n\"Fraud, again\",1,2\r\n\
                 \"\"\"客服\"\"来电\",0,5\r\n\"two\nlines\",0,0\r\n\
                 \"'=HYPERLINK(\"\"http://x\"\")\",0,1\r\n'@SUM(A1),0,1\r\n'-2+3,0,1\r\n"
            )
        );
        assert_eq!(
            csv(&figures, "median_hours").as_deref(),
            Some("\u{feff}stage,median_hours\r\nintake,2.50\r\ntriage,\r\n")
        );
        assert_eq!(
            csv(&figures, "mediation").as_deref(),
            Some(
                "\u{feff}measure,cases\r\nreceived,0\r\nconcluded,0\r\nresolved,0\r\n\
                 followed_up,0\r\nsatisfied,0\r\n"
            )
        );
        assert_eq!(
            csv(&figures, "by_kind").as_deref(),
            Some("\u{feff}kind,cases\r\n")
        );
        assert_eq!(csv(&figures, "bogus"), None);
    }
}
