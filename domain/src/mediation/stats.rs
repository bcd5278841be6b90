//! 调解成效: figures computed from the case records, never typed in.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use futures_util::TryStreamExt;
use sea_orm::{ConnectionTrait, EntityTrait, QueryOrder, QuerySelect, StreamTrait};
use serde::Serialize;

use super::{Outcome, ReferralResult, ReferralTarget};
use crate::Result;
use crate::accounts::{Account, Role};
use crate::entities::{mediation_case, mediation_room};
use crate::kept::{self, Kept};
use crate::time::local;

/// The figures of a set of cases.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Figures {
    /// Requests received.
    pub received: u64,
    /// Cases with an outcome recorded.
    pub concluded: u64,
    /// Outcomes with an agreement, whole or in part.
    pub resolved: u64,
    /// Yuan involved in the concluded cases.
    pub amount: i64,
    /// Follow-up visits made.
    pub followed_up: u64,
    /// Follow-ups rated 4 or 5 out of 5.
    pub satisfied: u64,
}

impl Figures {
    /// Resolved among concluded, in per cent; none when nothing is concluded.
    pub fn success_rate(&self) -> Option<f64> {
        percent(self.resolved, self.concluded)
    }

    /// Satisfied among followed up, in per cent.
    pub fn satisfaction_rate(&self) -> Option<f64> {
        percent(self.satisfied, self.followed_up)
    }

    fn add(&mut self, case: &CaseFacts) {
        self.count(case.outcome, case.amount, case.satisfaction);
    }

    /// Counts one request: its outcome, the amount involved, the follow-up's rating. The
    /// loop's figures (`casework::figures`) count with it too.
    pub(crate) fn count(
        &mut self,
        outcome: Option<Outcome>,
        amount: Option<i64>,
        satisfaction: Option<i32>,
    ) {
        self.received += 1;
        if let Some(outcome) = outcome {
            self.concluded += 1;
            if matches!(outcome, Outcome::Reached | Outcome::Partly) {
                self.resolved += 1;
            }
            self.amount += amount.unwrap_or(0);
        }
        if let Some(rating) = satisfaction {
            self.followed_up += 1;
            if rating >= 4 {
                self.satisfied += 1;
            }
        }
    }
}

fn percent(part: u64, whole: u64) -> Option<f64> {
    (whole > 0).then(|| (part as f64) * 100.0 / (whole as f64))
}

/// The figures as the public page and the JSON API give them.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Stats {
    pub total: Figures,
    /// Per room, in the order of the directory.
    pub rooms: Vec<(i32, String, Figures)>,
    /// Per month the request was received in (local time), newest first: "2026-11".
    pub months: Vec<(String, Figures)>,
    /// Referred cases per target, every target in the vocabulary's order.
    pub referrals: Vec<Referrals>,
}

/// The cases referred to one body, and how many of them it settled.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Referrals {
    pub target: ReferralTarget,
    pub referred: u64,
    pub settled: u64,
}

struct CaseFacts {
    room_id: i32,
    referral: Option<(ReferralTarget, Option<ReferralResult>)>,
    created_at: DateTime<Utc>,
    outcome: Option<Outcome>,
    amount: Option<i64>,
    satisfaction: Option<i32>,
}

/// Everything the figures show, from one read of the cases.
struct Tallied {
    stats: Stats,
    /// mediator → the figures of the cases they took
    per_mediator: BTreeMap<i32, Figures>,
}

/// Kept while no mediation case or room is written (migration 028): /stats is public and
/// the most read page of the figures, and at a district's size a tally reads years of cases.
static KEPT: Kept<Tallied> = Kept::new();

/// The figures of every case. Read on the pool, or in a transaction that has not written a
/// case, as `crate::kept` explains.
pub async fn stats(db: &(impl ConnectionTrait + StreamTrait)) -> Result<Stats> {
    Ok(tallied(db).await?.stats.clone())
}

/// Per mediator, for the station's staff: officers and admins see every mediator who has
/// taken a case (the one who proposed its session or recorded its outcome), a mediator
/// sees their own line, anyone else nothing. Most cases first.
pub async fn per_mediator(
    db: &(impl ConnectionTrait + StreamTrait),
    account: &Account,
) -> Result<Vec<(String, Figures)>> {
    let everyone = account.has(Role::Officer) || account.has(Role::Admin);
    if !everyone && !account.has(Role::Mediator) {
        return Ok(Vec::new());
    }
    let tallied = tallied(db).await?;
    let per: Vec<(i32, Figures)> = tallied
        .per_mediator
        .iter()
        .filter(|(id, _)| everyone || **id == account.user.id)
        .map(|(id, figures)| (*id, *figures))
        .collect();
    let names = crate::accounts::names_of(db, per.iter().map(|(id, _)| *id)).await?;
    let mut lines: Vec<(String, Figures)> = per
        .into_iter()
        .filter_map(|(id, figures)| Some((names.get(&id)?.clone(), figures)))
        .collect();
    lines.sort_by(|a, b| b.1.received.cmp(&a.1.received).then_with(|| a.0.cmp(&b.0)));
    Ok(lines)
}

/// Reads only the columns the figures need: a few bytes per case.
async fn tallied(db: &(impl ConnectionTrait + StreamTrait)) -> Result<Arc<Tallied>> {
    let version = kept::figures(db, "mediation").await?;
    KEPT.get_or_compute(version, "", Duration::MAX, async || tally_cases(db).await)
        .await
}

async fn tally_cases(db: &(impl ConnectionTrait + StreamTrait)) -> Result<Tallied> {
    type Row = (
        i32,
        Option<i32>,
        DateTime<Utc>,
        Option<Outcome>,
        Option<i64>,
        Option<i32>,
        Option<ReferralTarget>,
        Option<ReferralResult>,
    );
    let rooms = mediation_room::Entity::find()
        .order_by_asc(mediation_room::Column::Id)
        .all(db)
        .await?;
    // Streamed and added up as they come: years of a district's cases held as rows at once
    // took 70 MB for a moment (35,000 cases at 100× the demo).
    let mut rows = mediation_case::Entity::find()
        .select_only()
        .columns([
            mediation_case::Column::RoomId,
            mediation_case::Column::MediatorId,
            mediation_case::Column::CreatedAt,
            mediation_case::Column::Outcome,
            mediation_case::Column::AmountSettled,
            mediation_case::Column::Satisfaction,
            mediation_case::Column::ReferredTo,
            mediation_case::Column::ReferralResult,
        ])
        .into_tuple::<Row>()
        .stream(db)
        .await?;
    let mut tally = Tally::new(&rooms);
    let mut per_mediator: BTreeMap<i32, Figures> = BTreeMap::new();
    while let Some(row) = rows.try_next().await? {
        let (room_id, mediator, created_at, outcome, amount, satisfaction, target, result) = row;
        let case = CaseFacts {
            room_id,
            referral: target.map(|t| (t, result)),
            created_at,
            outcome,
            amount,
            satisfaction,
        };
        if let Some(mediator) = mediator {
            per_mediator.entry(mediator).or_default().add(&case);
        }
        tally.add(&case);
    }
    drop(rows);
    let stats = tally.finish(&rooms);
    Ok(Tallied {
        stats,
        per_mediator,
    })
}

/// The figures being added up, case by case.
struct Tally {
    total: Figures,
    per_room: BTreeMap<i32, Figures>,
    per_month: BTreeMap<String, Figures>,
    referrals: Vec<Referrals>,
}

impl Tally {
    fn new(rooms: &[mediation_room::Model]) -> Tally {
        Tally {
            total: Figures::default(),
            per_room: rooms.iter().map(|r| (r.id, Figures::default())).collect(),
            per_month: BTreeMap::new(),
            referrals: ReferralTarget::NAMES
                .iter()
                .filter_map(|name| ReferralTarget::parse(name))
                .map(|target| Referrals {
                    target,
                    referred: 0,
                    settled: 0,
                })
                .collect(),
        }
    }

    fn add(&mut self, case: &CaseFacts) {
        if let Some((target, result)) = case.referral
            && let Some(line) = self.referrals.iter_mut().find(|r| r.target == target)
        {
            line.referred += 1;
            line.settled += u64::from(result == Some(ReferralResult::Settled));
        }
        self.total.add(case);
        self.per_room.entry(case.room_id).or_default().add(case);
        self.per_month
            .entry(local(case.created_at).format("%Y-%m").to_string())
            .or_default()
            .add(case);
    }

    fn finish(self, rooms: &[mediation_room::Model]) -> Stats {
        Stats {
            total: self.total,
            rooms: rooms
                .iter()
                .map(|r| {
                    (
                        r.id,
                        r.name.clone(),
                        self.per_room.get(&r.id).copied().unwrap_or_default(),
                    )
                })
                .collect(),
            months: self.per_month.into_iter().rev().collect(),
            referrals: self.referrals,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_count_agreements_among_outcomes_and_good_ratings_among_follow_ups() {
        let mut figures = Figures::default();
        let at = Utc::now();
        let facts = |outcome, amount, satisfaction| CaseFacts {
            room_id: 1,
            referral: None,
            created_at: at,
            outcome,
            amount,
            satisfaction,
        };
        figures.add(&facts(Some(Outcome::Reached), Some(1000), Some(5)));
        figures.add(&facts(Some(Outcome::Partly), Some(500), Some(3)));
        figures.add(&facts(Some(Outcome::NotReached), None, None));
        figures.add(&facts(Some(Outcome::Referred), Some(20), Some(4)));
        figures.add(&facts(None, None, None));
        assert_eq!(figures.received, 5);
        assert_eq!(figures.concluded, 4);
        assert_eq!(figures.resolved, 2);
        assert_eq!(figures.amount, 1520);
        assert_eq!(figures.success_rate(), Some(50.0));
        assert_eq!(figures.followed_up, 3);
        assert_eq!(figures.satisfied, 2);
        assert_eq!(Figures::default().success_rate(), None);
    }
}
