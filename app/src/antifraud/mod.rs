//! /antifraud — 反诈 "三无一表一App" for a community's anti-fraud team: the register of
//! households and visits (`/antifraud/compounds/{id}`, `/antifraud/households/{id}`), the
//! losses the team reports, and for officers the loop's open fraud-related cases. Every form
//! is a plain HTML form; a visit is a few taps on a phone.

pub mod pages;

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CompoundLine {
    pub id: i32,
    pub name: String,
    pub households: u64,
    pub recent: u64,
    pub never: u64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommunityLine {
    pub id: i32,
    pub name: String,
    /// officers, auxiliaries, grid workers
    pub team: (u64, u64, u64),
    pub households: u64,
    pub recent: u64,
    pub compounds: Vec<CompoundLine>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LossLine {
    pub community: String,
    pub occurred_on: String,
    pub amount_yuan: i64,
    pub scam: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OpenCase {
    pub code: String,
    pub title: String,
    pub stage: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Overview {
    pub communities: Vec<CommunityLine>,
    pub losses: Vec<LossLine>,
    /// None for team members who are not officers: the loop's cases are not theirs to read.
    pub open_cases: Option<Vec<OpenCase>>,
    pub today: String,
    pub recent_days: i64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HouseholdLine {
    pub id: i32,
    pub address: String,
    pub last_visit: Option<String>,
    pub needs_visit: bool,
    pub app: Option<bool>,
    pub at_risk: bool,
    pub follow_up: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CompoundInfo {
    pub id: i32,
    pub name: String,
    pub community: String,
    pub search: String,
    pub households: Vec<HouseholdLine>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct VisitLine {
    pub visited_on: String,
    pub visitor: String,
    pub app_installed: bool,
    pub warning_on: bool,
    pub elderly_alone: bool,
    pub recent_victim: bool,
    pub explained: Vec<String>,
    pub follow_up_on: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HouseholdInfo {
    pub id: i32,
    pub address: String,
    pub compound_id: i32,
    pub compound: String,
    pub community: String,
    pub visits: Vec<VisitLine>,
    pub today: String,
}

/// A visit as the form posts it (`visit[field]`; each ticked scam sends `visit[explained][i]`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct VisitForm {
    pub visited_on: String,
    #[serde(default)]
    pub app_installed: Option<String>,
    #[serde(default)]
    pub warning_on: Option<String>,
    #[serde(default)]
    pub elderly_alone: Option<String>,
    #[serde(default)]
    pub recent_victim: Option<String>,
    #[serde(default)]
    pub explained: Vec<String>,
    #[serde(default)]
    pub follow_up_on: String,
}

/// A loss as the form posts it (`loss[field]`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LossForm {
    pub community_id: String,
    pub occurred_on: String,
    pub amount_yuan: String,
    pub scam: String,
}

/// A day as a form sends it, or the refusal `code`.
#[cfg(feature = "ssr")]
fn form_day(text: &str, code: &str) -> Result<chrono::NaiveDate, AppError> {
    domain::time::parse_day(text).ok_or_else(|| AppError::invalid(code))
}

#[cfg(feature = "ssr")]
fn today() -> String {
    domain::time::local_date(chrono::Utc::now()).to_string()
}

#[server(endpoint = "antifraud", input = server_fn::codec::GetUrl)]
pub async fn overview_view() -> Result<Overview, AppError> {
    use domain::antifraud::{RECENT_DAYS, losses, register};
    let (me, _) = crate::accounts::ssr::require_account().await?;
    let db = crate::state::db()?;
    let now = chrono::Utc::now();
    let communities = register::coverage(&db, &me, now)
        .await?
        .into_iter()
        .map(|c| CommunityLine {
            households: c.households(),
            recent: c.recent(),
            id: c.id,
            name: c.name,
            team: c.team,
            compounds: c
                .compounds
                .into_iter()
                .map(|p| CompoundLine {
                    id: p.id,
                    name: p.name,
                    households: p.households,
                    recent: p.recent,
                    never: p.never,
                })
                .collect(),
        })
        .collect();
    let since = domain::time::local_date(now) - chrono::Duration::days(365);
    let losses_seen = losses::recent(&db, &me, since)
        .await?
        .into_iter()
        .map(|(l, community)| LossLine {
            community,
            occurred_on: l.occurred_on.to_string(),
            amount_yuan: l.amount_yuan,
            scam: l.scam.as_str().to_owned(),
        })
        .collect();
    let open_cases =
        if me.has(domain::accounts::Role::Officer) || me.has(domain::accounts::Role::Admin) {
            Some(
                losses::open_cases(&db, &me)
                    .await?
                    .into_iter()
                    .map(|c| OpenCase {
                        code: c.code,
                        title: c.title,
                        stage: c.stage.as_str().to_owned(),
                    })
                    .collect(),
            )
        } else {
            None
        };
    Ok(Overview {
        communities,
        losses: losses_seen,
        open_cases,
        today: today(),
        recent_days: RECENT_DAYS,
    })
}

#[server(endpoint = "antifraud/compound", input = server_fn::codec::GetUrl)]
pub async fn compound_view(id: i32, q: Option<String>) -> Result<CompoundInfo, AppError> {
    use domain::antifraud::register;
    let (me, _) = crate::accounts::ssr::require_account().await?;
    let now = chrono::Utc::now();
    let search = q.unwrap_or_default();
    let found = register::compound_register(&crate::state::db()?, &me, id, &search, now).await?;
    let today = domain::time::local_date(now);
    Ok(CompoundInfo {
        id,
        name: found.compound.name,
        community: found.community,
        search,
        households: found
            .households
            .into_iter()
            .map(|h| {
                let needs_visit = h.needs_visit(today);
                let last = h.last;
                HouseholdLine {
                    id: h.id,
                    address: h.address,
                    needs_visit,
                    last_visit: last.as_ref().map(|v| v.visited_on.to_string()),
                    app: last.as_ref().map(|v| v.app_installed),
                    at_risk: last
                        .as_ref()
                        .is_some_and(|v| v.elderly_alone || v.recent_victim),
                    follow_up: last.and_then(|v| v.follow_up_on).map(|day| day.to_string()),
                }
            })
            .collect(),
    })
}

#[server(endpoint = "antifraud/household", input = server_fn::codec::GetUrl)]
pub async fn household_view(id: i32) -> Result<HouseholdInfo, AppError> {
    use domain::antifraud::register;
    let (me, _) = crate::accounts::ssr::require_account().await?;
    let record =
        register::household_record(&crate::state::db()?, &me, id, chrono::Utc::now()).await?;
    Ok(HouseholdInfo {
        id,
        address: record.household.address,
        compound_id: record.household.compound_id,
        compound: record.compound,
        community: record.community,
        visits: record
            .visits
            .into_iter()
            .map(|v| VisitLine {
                visited_on: v.visit.visited_on.to_string(),
                visitor: v.visitor,
                app_installed: v.visit.app_installed,
                warning_on: v.visit.warning_on,
                elderly_alone: v.visit.elderly_alone,
                recent_victim: v.visit.recent_victim,
                explained: v.explained.iter().map(|s| s.as_str().to_owned()).collect(),
                follow_up_on: v.visit.follow_up_on.map(|day| day.to_string()),
            })
            .collect(),
        today: today(),
    })
}

#[server(endpoint = "antifraud/households/add")]
pub async fn add_households(compound_id: i32, addresses: String) -> Result<(), AppError> {
    let (me, _) = crate::accounts::ssr::require_account().await?;
    let added = domain::antifraud::register::add_households(
        &crate::state::db()?,
        &me,
        compound_id,
        &addresses,
        chrono::Utc::now(),
    )
    .await?;
    leptos_axum::redirect(&format!(
        "/antifraud/compounds/{compound_id}?done=added&n={added}"
    ));
    Ok(())
}

#[server(endpoint = "antifraud/visit")]
pub async fn record_visit(household_id: i32, visit: VisitForm) -> Result<(), AppError> {
    use domain::antifraud::{Scam, register};
    let (me, _) = crate::accounts::ssr::require_account().await?;
    let db = crate::state::db()?;
    let follow_up_on = match visit.follow_up_on.trim() {
        "" => None,
        text => Some(form_day(text, "antifraud-follow-up-invalid")?),
    };
    let explained = visit
        .explained
        .iter()
        .map(|s| Scam::parse(s).ok_or_else(|| AppError::invalid("antifraud-scam-invalid")))
        .collect::<Result<Vec<_>, _>>()?;
    let form = register::Visit {
        visited_on: form_day(&visit.visited_on, "antifraud-visit-date-invalid")?,
        app_installed: visit.app_installed.is_some(),
        warning_on: visit.warning_on.is_some(),
        elderly_alone: visit.elderly_alone.is_some(),
        recent_victim: visit.recent_victim.is_some(),
        explained,
        follow_up_on,
    };
    let compound = register::record_visit(&db, &me, household_id, form, chrono::Utc::now()).await?;
    // Back to the compound's list: the team goes on to the next door.
    leptos_axum::redirect(&format!("/antifraud/compounds/{compound}?done=visited"));
    Ok(())
}

#[server(endpoint = "antifraud/loss")]
pub async fn report_loss(loss: LossForm) -> Result<(), AppError> {
    use domain::antifraud::{Scam, losses};
    let (me, _) = crate::accounts::ssr::require_account().await?;
    let community_id = loss
        .community_id
        .trim()
        .parse()
        .map_err(|_| AppError::Forbidden)?;
    let amount_yuan = loss
        .amount_yuan
        .trim()
        .replace([',', '，'], "")
        .parse()
        .map_err(|_| AppError::invalid("antifraud-amount-invalid"))?;
    let scam =
        Scam::parse(&loss.scam).ok_or_else(|| AppError::invalid("antifraud-scam-invalid"))?;
    losses::report(
        &crate::state::db()?,
        &me,
        losses::Loss {
            community_id,
            occurred_on: form_day(&loss.occurred_on, "antifraud-loss-date-invalid")?,
            amount_yuan,
            scam,
        },
        chrono::Utc::now(),
    )
    .await?;
    leptos_axum::redirect("/antifraud?done=loss");
    Ok(())
}
