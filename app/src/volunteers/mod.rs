//! 老王帮帮团: apply, squads, shifts, attendance and hours. Pages in `pages.rs`; the rules
//! (who decides, capacity, hours) in `domain::volunteers`.

pub mod help;
pub mod pages;
pub mod school;

use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use vocab::volunteers::ShiftKind;

use crate::error::AppError;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShiftCard {
    pub id: i32,
    pub squad: String,
    pub kind: ShiftKind,
    pub title: String,
    pub place: String,
    /// Local "2026-12-01 19:00–21:00".
    pub when: String,
    pub deadline: String,
    pub taken: i32,
    pub max_capacity: i32,
    pub min_capacity: i32,
    pub notes: String,
    pub open: bool,
    /// My sign-up, if any: its id and whether I am checked in / out.
    pub mine: Option<(i32, bool, bool)>,
    /// The school whose gate it is duty at (护校/护学).
    pub school: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Membership {
    pub squad_id: i32,
    pub squad: String,
    pub is_leader: bool,
    pub in_ranking: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct VolunteersView {
    pub squads: Vec<(i32, String, String)>,
    pub signed_in: bool,
    pub memberships: Vec<Membership>,
    pub shifts: Vec<ShiftCard>,
    pub minutes: i64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApplicationCard {
    pub id: i32,
    pub squad: String,
    pub name: String,
    pub hometown: String,
    pub dialects: String,
    pub skills: String,
    pub availability: String,
    pub at: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LeadInfo {
    pub applications: Vec<ApplicationCard>,
    pub squads: Vec<(i32, String)>,
    /// The led squads that keep a school's gate (护苗队), with the school: their shifts may
    /// repeat on school days.
    pub school_squads: Vec<(String, String)>,
    pub shifts: Vec<ShiftCard>,
    pub ledgers: Vec<SquadHours>,
}

/// A squad's minutes by year and by month, newest first.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SquadHours {
    pub squad: String,
    pub by_year: Vec<(String, i64)>,
    pub by_month: Vec<(String, i64)>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RosterRow {
    pub signup: i32,
    pub name: String,
    pub check_in: Option<String>,
    pub check_out: Option<String>,
    pub minutes: i32,
    pub no_show: bool,
    pub no_shows: u64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RosterInfo {
    pub shift: ShiftCard,
    pub rows: Vec<RosterRow>,
    /// Members of the squad not on the roster, who may be added as they turn up.
    pub others: Vec<(i32, String)>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HoursInfo {
    pub names: Vec<String>,
    pub squads: Vec<String>,
    pub total: i64,
    pub by_month: Vec<(String, i64)>,
    pub by_squad: Vec<(String, i64)>,
    /// The last twelve months, local dates.
    pub from: String,
    pub to: String,
    pub rankings: Vec<(String, Vec<(String, i64)>)>,
    /// (squad id, squad, whether I appear in its ranking)
    pub ranking_choices: Vec<(i32, String, bool)>,
}

/// What the application form sends, as `application[field]`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApplyInput {
    pub squad: String,
    pub name: String,
    pub hometown: String,
    pub dialects: String,
    #[serde(default)]
    pub skills: String,
    #[serde(default)]
    pub availability: String,
    #[serde(default)]
    pub consent: Option<String>,
}

/// What the leader's shift form sends, as `shift[field]`; date and times local.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShiftInput {
    pub squad: String,
    pub kind: String,
    pub title: String,
    pub place: String,
    pub day: String,
    pub start: String,
    pub end: String,
    pub min_capacity: String,
    pub max_capacity: String,
    /// Hours before the start when sign-up closes.
    pub deadline_hours: String,
    pub weeks: String,
    #[serde(default)]
    pub notes: String,
    /// 护校/护学: ticked, a 护苗队's shift repeats every school day up to `until`.
    #[serde(default)]
    pub school_days: Option<String>,
    #[serde(default)]
    pub until: String,
}

#[cfg(feature = "ssr")]
pub mod ssr {
    use chrono::{DateTime, Utc};
    use domain::entities::{shift, shift_signup};
    use domain::time::{format_local, local};

    use super::*;

    pub fn card(
        s: &shift::Model,
        squad: &str,
        mine: Option<&shift_signup::Model>,
        schools: &std::collections::HashMap<i32, String>,
        now: DateTime<Utc>,
    ) -> ShiftCard {
        ShiftCard {
            id: s.id,
            squad: squad.to_owned(),
            kind: s.kind,
            title: s.title.clone(),
            place: s.place.clone(),
            when: format!(
                "{}–{}",
                format_local(s.starts_at),
                local(s.ends_at).format("%H:%M")
            ),
            deadline: format_local(s.signup_deadline),
            taken: s.taken,
            max_capacity: s.max_capacity,
            min_capacity: s.min_capacity,
            notes: s.notes.clone(),
            open: now < s.signup_deadline,
            mine: mine.map(|m| (m.id, m.check_in_at.is_some(), m.check_out_at.is_some())),
            school: schools.get(&s.id).cloned(),
        }
    }

    pub fn number(text: &str, code: &'static str) -> Result<i32, AppError> {
        text.trim().parse().map_err(|_| AppError::invalid(code))
    }
}

#[cfg(feature = "ssr")]
async fn squad_names(
    db: &domain::DatabaseConnection,
) -> Result<Vec<(i32, String, String)>, AppError> {
    Ok(domain::directory::squads(db)
        .await?
        .into_iter()
        .map(|s| (s.id, s.name, s.description))
        .collect())
}

/// The volunteers' page: squads for everyone; my squads, shifts and hours when signed in.
#[server(endpoint = "volunteers")]
pub async fn volunteer_home() -> Result<VolunteersView, AppError> {
    let db = crate::state::db()?;
    let now = chrono::Utc::now();
    let squads = squad_names(&db).await?;
    let Some((me, _)) = crate::accounts::ssr::current_account().await? else {
        return Ok(VolunteersView {
            squads,
            signed_in: false,
            memberships: Vec::new(),
            shifts: Vec::new(),
            minutes: 0,
        });
    };
    let memberships = domain::volunteers::memberships(&db, me.user.id)
        .await?
        .into_iter()
        .map(|(m, squad)| Membership {
            squad_id: m.squad_id,
            squad,
            is_leader: m.is_leader,
            in_ranking: m.in_ranking,
        })
        .collect();
    let lines = domain::volunteers::shifts_for(&db, &me, now).await?;
    let schools =
        domain::volunteers::school::duties_of(&db, lines.iter().map(|l| l.shift.id)).await?;
    let shifts = lines
        .iter()
        .map(|l| ssr::card(&l.shift, &l.squad, l.mine.as_ref(), &schools, now))
        .collect();
    let year_start = now - chrono::Duration::days(366);
    let minutes =
        domain::volunteers::ledger(&db, me.user.id, year_start, now + chrono::Duration::days(1))
            .await?
            .total;
    Ok(VolunteersView {
        squads,
        signed_in: true,
        memberships,
        shifts,
        minutes,
    })
}

/// 申请加入: files an application to a squad.
#[server(endpoint = "volunteers/apply")]
pub async fn apply_volunteer(application: ApplyInput) -> Result<(), AppError> {
    let (me, _) = crate::accounts::ssr::require_account().await?;
    let form = domain::volunteers::Application {
        squad_id: ssr::number(&application.squad, "volunteer-squad-invalid")?,
        name: application.name,
        hometown: application.hometown,
        dialects: application.dialects,
        skills: application.skills,
        availability: application.availability,
        consent: application.consent.is_some(),
    };
    domain::volunteers::apply(&crate::state::db()?, &me, form, chrono::Utc::now()).await?;
    leptos_axum::redirect("/volunteers?done=applied");
    Ok(())
}

/// Signs up for a shift ("signup"), gives the place back ("withdraw"), or checks oneself
/// in or out on the day ("in", "out").
#[server(endpoint = "volunteers/shift")]
pub async fn shift_action(shift: i32, action: String, signup: Option<i32>) -> Result<(), AppError> {
    use domain::volunteers::{self, Attendance};
    let (me, _) = crate::accounts::ssr::require_account().await?;
    let db = crate::state::db()?;
    let now = chrono::Utc::now();
    match (action.as_str(), signup) {
        ("signup", _) => volunteers::sign_up(&db, &me, shift, now).await?,
        ("withdraw", _) => volunteers::withdraw(&db, &me, shift, now).await?,
        ("in", Some(id)) => volunteers::attend(&db, &me, id, Attendance::CheckIn, now).await?,
        ("out", Some(id)) => volunteers::attend(&db, &me, id, Attendance::CheckOut, now).await?,
        _ => return Err(AppError::invalid("error-invalid")),
    }
    leptos_axum::redirect(&format!("/volunteers?done={action}"));
    Ok(())
}

/// Leaders: applications waiting, the squads they lead, their coming shifts.
#[server(endpoint = "volunteers/lead")]
pub async fn lead_overview() -> Result<LeadInfo, AppError> {
    let (me, _) = crate::accounts::ssr::require_account().await?;
    let db = crate::state::db()?;
    let now = chrono::Utc::now();
    let led = domain::volunteers::led_squads(&db, &me).await?;
    if led.is_empty() {
        return Err(AppError::Forbidden);
    }
    let names: Vec<(i32, String)> = squad_names(&db)
        .await?
        .into_iter()
        .filter(|(id, _, _)| led.contains(id))
        .map(|(id, name, _)| (id, name))
        .collect();
    let name_of = |id: i32| {
        names
            .iter()
            .find(|(s, _)| *s == id)
            .map(|(_, n)| n.clone())
            .unwrap_or_default()
    };
    let applications = domain::volunteers::pending(&db, &me)
        .await?
        .into_iter()
        .map(|a| ApplicationCard {
            id: a.id,
            squad: name_of(a.squad_id),
            name: a.name,
            hometown: a.hometown,
            dialects: a.dialects,
            skills: a.skills,
            availability: a.availability,
            at: domain::time::format_local(a.created_at),
        })
        .collect();
    let led = domain::volunteers::led_shifts(&db, &me, now).await?;
    let schools = domain::volunteers::school::duties_of(&db, led.iter().map(|s| s.id)).await?;
    let shifts = led
        .iter()
        .map(|s| ssr::card(s, &name_of(s.squad_id), None, &schools, now))
        .collect();
    let mut ledgers = Vec::new();
    for (id, name) in &names {
        let ledger = domain::volunteers::squad_ledger(&db, *id).await?;
        ledgers.push(SquadHours {
            squad: name.clone(),
            by_year: ledger.by_year,
            by_month: ledger.by_month,
        });
    }
    let mut school_squads = Vec::new();
    for (id, name) in &names {
        if let Some(school) = domain::volunteers::school::of_squad(&db, *id).await? {
            school_squads.push((name.clone(), school.name));
        }
    }
    Ok(LeadInfo {
        applications,
        squads: names,
        school_squads,
        shifts,
        ledgers,
    })
}

#[server(endpoint = "volunteers/decide")]
pub async fn decide_application(id: i32, decision: String, reason: String) -> Result<(), AppError> {
    let (me, _) = crate::accounts::ssr::require_account().await?;
    let approve = decision == "approve";
    domain::volunteers::decide(
        &crate::state::db()?,
        &me,
        id,
        approve,
        &reason,
        chrono::Utc::now(),
    )
    .await?;
    leptos_axum::redirect("/volunteers/lead?done=decided");
    Ok(())
}

/// Leaders: publishes a shift, or the same one for several weeks.
#[server(endpoint = "volunteers/publish")]
pub async fn publish_shift(shift: ShiftInput) -> Result<(), AppError> {
    use domain::time::at_local;
    let (me, _) = crate::accounts::ssr::require_account().await?;
    let invalid = || AppError::invalid("shift-times-invalid");
    let day = domain::time::parse_day(&shift.day).ok_or_else(invalid)?;
    let start = crate::mediation::ssr::parse_clock(&shift.start).ok_or_else(invalid)?;
    let mut end = crate::mediation::ssr::parse_clock(&shift.end).ok_or_else(invalid)?;
    // A night patrol ends after midnight: an end before the start is the next day.
    if end <= start {
        end += 24 * 60;
    }
    let starts_at = at_local(day, start).ok_or_else(invalid)?;
    let ends_at = at_local(day, end).ok_or_else(invalid)?;
    let deadline_hours = i64::from(ssr::number(&shift.deadline_hours, "shift-times-invalid")?);
    // Sign-up closes at most 14 days before the start; anything else is a typing slip.
    if !(0..=domain::volunteers::MAX_SIGNUP_LEAD_HOURS).contains(&deadline_hours) {
        return Err(invalid());
    }
    let repeat = if shift.school_days.is_some() {
        domain::volunteers::Repeat::SchoolDays {
            until: domain::time::parse_day(&shift.until)
                .ok_or_else(|| AppError::invalid("shift-weeks-invalid"))?,
        }
    } else {
        let weeks = ssr::number(&shift.weeks, "shift-weeks-invalid")?;
        domain::volunteers::Repeat::Weekly(u32::try_from(weeks).unwrap_or(0))
    };
    let draft = domain::volunteers::ShiftDraft {
        squad_id: ssr::number(&shift.squad, "volunteer-squad-invalid")?,
        kind: shift.kind,
        title: shift.title,
        place: shift.place,
        starts_at,
        ends_at,
        min_capacity: ssr::number(&shift.min_capacity, "shift-capacity-invalid")?,
        max_capacity: ssr::number(&shift.max_capacity, "shift-capacity-invalid")?,
        signup_deadline: starts_at - chrono::Duration::hours(deadline_hours),
        notes: shift.notes,
    };
    domain::volunteers::publish_shifts(
        &crate::state::db()?,
        &me,
        draft,
        repeat,
        chrono::Utc::now(),
    )
    .await?;
    leptos_axum::redirect("/volunteers/lead?done=published");
    Ok(())
}

/// Leaders: who signed up, and their attendance.
#[server(endpoint = "volunteers/roster")]
pub async fn shift_roster(id: i32) -> Result<RosterInfo, AppError> {
    let (me, _) = crate::accounts::ssr::require_account().await?;
    let db = crate::state::db()?;
    let now = chrono::Utc::now();
    let (shift, lines) = domain::volunteers::roster(&db, &me, id).await?;
    let others = domain::volunteers::members(&db, shift.squad_id)
        .await?
        .into_iter()
        .filter(|m| !lines.iter().any(|l| l.signup.user_id == m.user_id))
        .map(|m| (m.user_id, m.name))
        .collect();
    let squad = squad_names(&db)
        .await?
        .into_iter()
        .find(|(s, _, _)| *s == shift.squad_id)
        .map(|(_, n, _)| n)
        .unwrap_or_default();
    Ok(RosterInfo {
        shift: ssr::card(
            &shift,
            &squad,
            None,
            &domain::volunteers::school::duties_of(&db, [shift.id]).await?,
            now,
        ),
        rows: lines
            .into_iter()
            .map(|l| RosterRow {
                signup: l.signup.id,
                name: l.name,
                check_in: l.signup.check_in_at.map(domain::time::format_local),
                check_out: l.signup.check_out_at.map(domain::time::format_local),
                minutes: l.signup.minutes_credited,
                no_show: l.signup.no_show,
                no_shows: l.no_shows,
            })
            .collect(),
        others,
    })
}

/// Leaders: check a volunteer in or out — now, or at the time written on the paper list
/// ("HH:MM" on the shift's day; a time before the shift means the next day, for night
/// patrols) — or mark them absent.
#[server(endpoint = "volunteers/attend")]
pub async fn record_attendance(
    shift: i32,
    signup: i32,
    what: String,
    at: Option<String>,
) -> Result<(), AppError> {
    use domain::volunteers::{self, Attendance};
    let (me, _) = crate::accounts::ssr::require_account().await?;
    let db = crate::state::db()?;
    let now = chrono::Utc::now();
    let what = match what.as_str() {
        "in" => Attendance::CheckIn,
        "out" => Attendance::CheckOut,
        "absent" => Attendance::NoShow,
        _ => return Err(AppError::invalid("error-invalid")),
    };
    match at.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
        None => volunteers::attend(&db, &me, signup, what, now).await?,
        Some(text) => {
            let invalid = || AppError::invalid("shift-check-in-window");
            let minute = crate::mediation::ssr::parse_clock(text).ok_or_else(invalid)?;
            let the_shift = volunteers::shift_by_id(&db, shift).await?;
            let day = domain::time::local_date(the_shift.starts_at);
            let mut at = domain::time::at_local(day, minute).ok_or_else(invalid)?;
            if at < the_shift.starts_at - volunteers::SELF_CHECK_IN_EARLY {
                at += chrono::Duration::days(1);
            }
            volunteers::attend_at(&db, &me, signup, what, at, now).await?
        }
    }
    leptos_axum::redirect(&format!("/volunteers/shifts/{shift}?done=recorded"));
    Ok(())
}

/// Leaders: put a member who turned up on the roster.
#[server(endpoint = "volunteers/add-to-roster")]
pub async fn add_to_roster(shift: i32, member: i32) -> Result<(), AppError> {
    let (me, _) = crate::accounts::ssr::require_account().await?;
    domain::volunteers::add_to_roster(&crate::state::db()?, &me, shift, member, chrono::Utc::now())
        .await?;
    leptos_axum::redirect(&format!("/volunteers/shifts/{shift}?done=recorded"));
    Ok(())
}

/// My hours over the last twelve months, by month and squad, and my squads' rankings (members who agreed).
#[server(endpoint = "volunteers/hours")]
pub async fn my_hours() -> Result<HoursInfo, AppError> {
    let (me, _) = crate::accounts::ssr::require_account().await?;
    let db = crate::state::db()?;
    let now = chrono::Utc::now();
    let today = domain::time::local_date(now);
    // The last twelve months: a certificate asked for in January still has the year's work.
    let first = today - chrono::Duration::days(365);
    let from = domain::time::at_local(first, 0).unwrap_or(now);
    let ledger =
        domain::volunteers::ledger(&db, me.user.id, from, now + chrono::Duration::days(1)).await?;
    let memberships = domain::volunteers::memberships(&db, me.user.id).await?;
    let mut rankings = Vec::new();
    for (m, squad) in &memberships {
        rankings.push((
            squad.clone(),
            domain::volunteers::ranking(&db, m.squad_id).await?,
        ));
    }
    Ok(HoursInfo {
        names: memberships.iter().map(|(m, _)| m.name.clone()).collect(),
        squads: memberships.iter().map(|(_, s)| s.clone()).collect(),
        total: ledger.total,
        by_month: ledger.by_month,
        by_squad: ledger.by_squad,
        from: first.to_string(),
        to: today.to_string(),
        rankings,
        ranking_choices: memberships
            .iter()
            .map(|(m, squad)| (m.squad_id, squad.clone(), m.in_ranking))
            .collect(),
    })
}

/// Joins or leaves a squad's ranking.
#[server(endpoint = "volunteers/ranking")]
pub async fn set_ranking(squad: i32, join: bool) -> Result<(), AppError> {
    let (me, _) = crate::accounts::ssr::require_account().await?;
    domain::volunteers::set_ranking(&crate::state::db()?, &me, squad, join).await?;
    leptos_axum::redirect("/volunteers/hours?done=ranking");
    Ok(())
}
