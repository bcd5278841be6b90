//! /volunteers, /volunteers/apply, /volunteers/lead, /volunteers/shifts/:id and
//! /volunteers/hours (which prints as the hours certificate).

use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_meta::Title;

use super::*;
use crate::error::{DoneNotice, FormError, Loaded};
use crate::i18n::{I18n, use_i18n};
use crate::security::CsrfField;

fn hours(i18n: I18n, minutes: i64) -> String {
    i18n.arg(
        "volunteers-hours-value",
        "hours",
        &format!("{:.1}", minutes as f64 / 60.0),
    )
}

/// 老王帮帮团: the squads; my squads, shifts and hours.
#[component]
pub fn VolunteersPage() -> impl IntoView {
    let i18n = use_i18n();
    let home = Resource::new(|| (), |_| volunteer_home());
    view! {
        <Title text=i18n.t("volunteers-title") />
        <h1>{i18n.t("volunteers-title")}</h1>
        <p class="lead">{i18n.t("volunteers-intro")}</p>
        <DoneNotice prefix="volunteers-done" />
        <Loaded resource=home view=|home| view! { <Home home /> } />
    }
}

#[component]
fn Home(home: VolunteersView) -> impl IntoView {
    let i18n = use_i18n();
    let leads = home.memberships.iter().any(|m| m.is_leader);
    let mine = (!home.memberships.is_empty()).then(|| {
        view! {
            <section class="panel">
                <h2>{i18n.t("volunteers-mine")}</h2>
                <p>
                    {home
                        .memberships
                        .iter()
                        .map(|m| m.squad.clone())
                        .collect::<Vec<_>>()
                        .join("、")} " · " {hours(i18n, home.minutes)}
                </p>
                <p class="actions">
                    <a class="button secondary" href="/volunteers/hours">
                        {i18n.t("volunteers-hours")}
                    </a>
                    {leads
                        .then(|| {
                            view! {
                                <a class="button secondary" href="/volunteers/lead">
                                    {i18n.t("volunteers-lead")}
                                </a>
                            }
                        })}
                </p>
            </section>
        }
    });
    let shifts = (!home.memberships.is_empty()).then(|| {
        view! {
            <h2>{i18n.t("volunteers-shifts")}</h2>
            {if home.shifts.is_empty() {
                view! { <p class="empty">{i18n.t("volunteers-no-shifts")}</p> }.into_any()
            } else {
                view! {
                    <ul class="cards">
                        {home
                            .shifts
                            .into_iter()
                            .map(|shift| view! { <ShiftItem shift /> })
                            .collect_view()}
                    </ul>
                }
                    .into_any()
            }}
        }
    });
    let join = if home.signed_in {
        view! {
            <p class="actions">
                <a class="button" href="/volunteers/apply">
                    {i18n.t("volunteers-apply")}
                </a>
                <a class="button secondary" href="/volunteers/help">
                    {i18n.t("help-title")}
                </a>
            </p>
        }
        .into_any()
    } else {
        view! {
            <p class="note">
                <a href="/login?next=/volunteers/apply">{i18n.t("volunteers-sign-in-to-apply")}</a>
            </p>
        }
        .into_any()
    };
    view! {
        {mine}
        {shifts}
        {join}
        <h2>{i18n.t("volunteers-squads")}</h2>
        <ul class="cards">
            {home
                .squads
                .into_iter()
                .map(|(_, name, about)| {
                    view! {
                        <li class="card">
                            <strong>{name}</strong>
                            <span class="meta">{about}</span>
                        </li>
                    }
                })
                .collect_view()}
        </ul>
    }
}

#[component]
fn ShiftFacts(shift: ShiftCard) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <strong>{shift.title}</strong>
        {shift
            .school
            .map(|school| {
                view! { <span class="duty">{i18n.arg("school-duty-at", "school", &school)}</span> }
            })}
        <span>{shift.squad} " · " {shift.place}</span>
        <span class="meta">
            {shift.when} " · "
            {i18n
                .arg(
                    "volunteers-places",
                    "taken",
                    &format!("{}/{}", shift.taken, shift.max_capacity),
                )} " · " {i18n.t("volunteers-deadline")} " " {shift.deadline}
        </span>
        {(!shift.notes.is_empty()).then(|| view! { <span class="meta">{shift.notes}</span> })}
    }
}

/// A shift in my list, with what I can do about it now.
#[component]
fn ShiftItem(shift: ShiftCard) -> impl IntoView {
    let i18n = use_i18n();
    let id = shift.id.to_string();
    let action = match shift.mine {
        None if shift.open && shift.taken < shift.max_capacity => {
            Some(("signup", "volunteers-sign-up", None))
        }
        None => None,
        Some((_, _, _)) if shift.open => Some(("withdraw", "volunteers-withdraw", None)),
        Some((signup, false, _)) => Some(("in", "volunteers-check-in", Some(signup))),
        Some((signup, true, false)) => Some(("out", "volunteers-check-out", Some(signup))),
        Some(_) => None,
    };
    let signed = shift.mine.is_some();
    view! {
        <li class="card shift">
            <ShiftFacts shift />
            {signed
                .then(|| {
                    view! {
                        <span class="chip">{i18n.t("volunteers-signed-up")}</span>
                        <a href=format!("/volunteers/shifts/{id}/shift.ics") download="shift.ics">
                            {i18n.t("calendar-download")}
                        </a>
                    }
                })}
            {action
                .map(|(what, key, signup)| {
                    view! {
                        <form method="post" action=ShiftAction::PATH class="inline">
                            <CsrfField />
                            <input type="hidden" name="shift" value=id.clone() />
                            <input type="hidden" name="action" value=what />
                            {signup
                                .map(|s| {
                                    view! {
                                        <input type="hidden" name="signup" value=s.to_string() />
                                    }
                                })}
                            <button type="submit" class="button secondary">
                                {i18n.t(key)}
                            </button>
                        </form>
                    }
                })}
            <FormError path=ShiftAction::PATH />
        </li>
    }
}

/// 申请加入: the application form.
#[component]
pub fn ApplyPage() -> impl IntoView {
    let i18n = use_i18n();
    let home = Resource::new(|| (), |_| volunteer_home());
    view! {
        <Title text=i18n.t("volunteers-apply") />
        <h1>{i18n.t("volunteers-apply")}</h1>
        <p class="lead">{i18n.t("volunteers-apply-intro")}</p>
        <Loaded
            resource=home
            view=move |home| {
                view! {
                    <form method="post" action=ApplyVolunteer::PATH class="form">
                        <CsrfField />
                        <FormError path=ApplyVolunteer::PATH />
                        <label>
                            {i18n.t("volunteers-field-squad")}
                            <select name="application[squad]" required>
                                {home
                                    .squads
                                    .into_iter()
                                    .map(|(id, name, _)| {
                                        view! { <option value=id.to_string()>{name}</option> }
                                    })
                                    .collect_view()}
                            </select>
                        </label>
                        <label>
                            {i18n.t("volunteers-field-name")}
                            <input type="text" name="application[name]" required maxlength="40" />
                        </label>
                        <label>
                            {i18n.t("volunteers-field-hometown")}
                            <input
                                type="text"
                                name="application[hometown]"
                                required
                                maxlength="60"
                            />
                        </label>
                        <label>
                            {i18n.t("volunteers-field-dialects")}
                            <input
                                type="text"
                                name="application[dialects]"
                                required
                                maxlength="100"
                            />
                        </label>
                        <label>
                            {i18n.t("volunteers-field-skills")}
                            <textarea
                                name="application[skills]"
                                maxlength="200"
                                rows="2"
                            ></textarea>
                        </label>
                        <label>
                            {i18n.t("volunteers-field-availability")}
                            <textarea
                                name="application[availability]"
                                maxlength="200"
                                rows="2"
                            ></textarea>
                        </label>
                        <label class="check">
                            <input type="checkbox" name="application[consent]" required />
                            <span>{i18n.t("volunteers-field-consent")}</span>
                        </label>
                        <button type="submit" class="button">
                            {i18n.t("volunteers-apply-submit")}
                        </button>
                    </form>
                }
            }
        />
    }
}

/// Leaders: decide applications, publish shifts, open rosters.
#[component]
pub fn LeadPage() -> impl IntoView {
    let i18n = use_i18n();
    let lead = Resource::new(|| (), |_| lead_overview());
    view! {
        <Title text=i18n.t("volunteers-lead") />
        <h1>{i18n.t("volunteers-lead")}</h1>
        <DoneNotice prefix="volunteers-done" />
        <Loaded resource=lead view=|lead| view! { <Lead lead /> } />
    }
}

#[component]
fn Lead(lead: LeadInfo) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <h2>{i18n.t("volunteers-applications")}</h2>
        <FormError path=DecideApplication::PATH />
        {if lead.applications.is_empty() {
            view! { <p class="empty">{i18n.t("queue-empty")}</p> }.into_any()
        } else {
            view! {
                <ul class="cards">
                    {lead
                        .applications
                        .into_iter()
                        .map(|a| {
                            let id = a.id.to_string();
                            view! {
                                <li class="card application">
                                    <strong>{a.name} " · " {a.squad}</strong>
                                    <span>{a.hometown} " · " {a.dialects}</span>
                                    <span class="meta">{a.skills} " " {a.availability}</span>
                                    <form
                                        method="post"
                                        action=DecideApplication::PATH
                                        class="inline"
                                    >
                                        <CsrfField />
                                        <input type="hidden" name="id" value=id.clone() />
                                        <input type="hidden" name="decision" value="approve" />
                                        <input type="hidden" name="reason" value="" />
                                        <button type="submit" class="button">
                                            {i18n.t("volunteers-approve")}
                                        </button>
                                    </form>
                                    <form
                                        method="post"
                                        action=DecideApplication::PATH
                                        class="inline"
                                    >
                                        <CsrfField />
                                        <input type="hidden" name="id" value=id />
                                        <input type="hidden" name="decision" value="decline" />
                                        <input
                                            type="text"
                                            name="reason"
                                            required
                                            minlength="2"
                                            maxlength="200"
                                            aria-label=i18n.t("mediation-field-reason")
                                            placeholder=i18n.t("mediation-field-reason")
                                        />
                                        <button type="submit" class="button danger">
                                            {i18n.t("volunteers-decline")}
                                        </button>
                                    </form>
                                </li>
                            }
                        })
                        .collect_view()}
                </ul>
            }
                .into_any()
        }}
        <h2>{i18n.t("volunteers-coming-shifts")}</h2>
        <ul class="cards">
            {lead
                .shifts
                .into_iter()
                .map(|shift| {
                    let href = format!("/volunteers/shifts/{}", shift.id);
                    view! {
                        <li>
                            <a class="card shift" href=href>
                                <ShiftFacts shift />
                            </a>
                        </li>
                    }
                })
                .collect_view()}
        </ul>
        <details class="panel">
            <summary>{i18n.t("volunteers-publish")}</summary>
            <ShiftForm squads=lead.squads school_squads=lead.school_squads />
        </details>
        <h2>{i18n.t("volunteers-squad-hours")}</h2>
        {lead
            .ledgers
            .into_iter()
            .map(|ledger| {
                view! {
                    <h3>{ledger.squad}</h3>
                    <ul class="chips">
                        {ledger
                            .by_year
                            .into_iter()
                            .chain(ledger.by_month)
                            .map(|(period, minutes)| {
                                view! { <li>{period} " · " {hours(i18n, minutes)}</li> }
                            })
                            .collect_view()}
                    </ul>
                }
            })
            .collect_view()}
    }
}

#[component]
fn ShiftForm(squads: Vec<(i32, String)>, school_squads: Vec<(String, String)>) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <form method="post" action=PublishShift::PATH class="form">
            <CsrfField />
            <FormError path=PublishShift::PATH />
            <label>
                {i18n.t("volunteers-field-squad")}
                <select name="shift[squad]">
                    {squads
                        .into_iter()
                        .map(|(id, name)| view! { <option value=id.to_string()>{name}</option> })
                        .collect_view()}
                </select>
            </label>
            <label>
                {i18n.t("volunteers-field-kind")} <select name="shift[kind]">
                    <option value="shift">{i18n.t("volunteers-kind-shift")}</option>
                    <option value="event">{i18n.t("volunteers-kind-event")}</option>
                </select>
            </label>
            <label>
                {i18n.t("notice-field-title")}
                <input type="text" name="shift[title]" required maxlength="100" />
            </label>
            <label>
                {i18n.t("volunteers-field-place")}
                <input type="text" name="shift[place]" required maxlength="100" />
            </label>
            <label>{i18n.t("schedule-day")} <input type="date" name="shift[day]" required /></label>
            <label>
                {i18n.t("schedule-from")}
                <input type="time" name="shift[start]" value="19:00" required />
            </label>
            <label>
                {i18n.t("schedule-to")}
                <input type="time" name="shift[end]" value="21:00" required />
            </label>
            <label>
                {i18n.t("volunteers-field-min")}
                <input type="number" name="shift[min_capacity]" value="2" min="0" max="500" />
            </label>
            <label>
                {i18n.t("volunteers-field-max")}
                <input type="number" name="shift[max_capacity]" value="6" min="1" max="500" />
            </label>
            <label>
                {i18n.t("volunteers-field-deadline")}
                <input type="number" name="shift[deadline_hours]" value="2" min="0" max="336" />
            </label>
            <label>
                {i18n.t("volunteers-field-weeks")}
                <input type="number" name="shift[weeks]" value="1" min="1" max="26" />
            </label>
            {(!school_squads.is_empty())
                .then(|| {
                    let gates = school_squads
                        .into_iter()
                        .map(|(squad, school)| format!("{squad} → {school}"))
                        .collect::<Vec<_>>()
                        .join("；");
                    view! {
                        <fieldset>
                            <legend>{i18n.t("school-duty")}</legend>
                            <p class="hint">{i18n.arg("school-duty-hint", "gates", &gates)}</p>
                            <label class="check">
                                <input type="checkbox" name="shift[school_days]" />
                                {i18n.t("school-field-school-days")}
                            </label>
                            <label>
                                {i18n.t("school-field-until")}
                                <input type="date" name="shift[until]" />
                            </label>
                        </fieldset>
                    }
                })}
            <label>
                {i18n.t("volunteers-field-notes")}
                <textarea name="shift[notes]" maxlength="1000" rows="2"></textarea>
            </label>
            <button type="submit" class="button">
                {i18n.t("volunteers-publish")}
            </button>
        </form>
    }
}

/// Leaders: a shift's roster with check-in, check-out and no-show.
#[component]
pub fn RosterPage() -> impl IntoView {
    let i18n = use_i18n();
    let id = crate::id_param();
    let roster = Resource::new(move || id.get(), shift_roster);
    view! {
        <Title text=i18n.t("volunteers-roster") />
        <p class="crumbs">
            <a href="/volunteers/lead">{i18n.t("volunteers-lead")}</a>
        </p>
        <h1>{i18n.t("volunteers-roster")}</h1>
        <DoneNotice prefix="volunteers-done" />
        <FormError path=RecordAttendance::PATH />
        <Loaded resource=roster view=|roster| view! { <Roster roster /> } />
    }
}

#[component]
fn Roster(roster: RosterInfo) -> impl IntoView {
    let i18n = use_i18n();
    let shift_id = roster.shift.id.to_string();
    let add = (!roster.others.is_empty()).then(|| {
        view! {
            <form method="post" action=AddToRoster::PATH class="inline">
                <CsrfField />
                <FormError path=AddToRoster::PATH />
                <input type="hidden" name="shift" value=shift_id.clone() />
                <select name="member" aria-label=i18n.t("volunteers-add-to-roster")>
                    {roster
                        .others
                        .into_iter()
                        .map(|(id, name)| view! { <option value=id.to_string()>{name}</option> })
                        .collect_view()}
                </select>
                <button type="submit" class="button secondary">
                    {i18n.t("volunteers-add-to-roster")}
                </button>
            </form>
        }
    });
    view! {
        <p class="card shift">
            <ShiftFacts shift=roster.shift />
        </p>
        <ul class="plain roster">
            {roster
                .rows
                .into_iter()
                .map(|row| {
                    let button = |what: &'static str, key: &'static str| {
                        view! {
                            <form method="post" action=RecordAttendance::PATH class="inline">
                                <CsrfField />
                                <input type="hidden" name="shift" value=shift_id.clone() />
                                <input type="hidden" name="signup" value=row.signup.to_string() />
                                <input type="hidden" name="what" value=what />
                                {(what != "absent")
                                    .then(|| {
                                        view! {
                                            <input
                                                type="time"
                                                name="at"
                                                aria-label=i18n.t("volunteers-at-time")
                                                title=i18n.t("volunteers-at-time")
                                            />
                                        }
                                    })}
                                <button type="submit" class="button secondary">
                                    {i18n.t(key)}
                                </button>
                            </form>
                        }
                    };
                    view! {
                        <li>
                            <strong>{row.name.clone()}</strong>
                            " · "
                            {if row.no_show {
                                i18n.t("volunteers-absent")
                            } else {
                                format!(
                                    "{} – {} · {}",
                                    row.check_in.clone().unwrap_or_else(|| "—".into()),
                                    row.check_out.clone().unwrap_or_else(|| "—".into()),
                                    hours(i18n, row.minutes.into()),
                                )
                            }}
                            {(row.no_shows > 0)
                                .then(|| {
                                    view! {
                                        <span class="chip">
                                            {i18n.count("volunteers-no-shows", row.no_shows)}
                                        </span>
                                    }
                                })}
                            <div class="actions">
                                {button("in", "volunteers-check-in")}
                                {button("out", "volunteers-check-out")}
                                {button("absent", "volunteers-mark-absent")}
                            </div>
                        </li>
                    }
                })
                .collect_view()}
        </ul>
        {add}
    }
}

/// My hours, and the certificate: the same page prints cleanly.
#[component]
pub fn HoursPage() -> impl IntoView {
    let i18n = use_i18n();
    let info = Resource::new(|| (), |_| my_hours());
    view! {
        <Title text=i18n.t("volunteers-hours") />
        <DoneNotice prefix="volunteers-done" />
        <Loaded resource=info view=|info| view! { <Hours info /> } />
    }
}

#[component]
fn Hours(info: HoursInfo) -> impl IntoView {
    let i18n = use_i18n();
    let name = info.names.first().cloned().unwrap_or_default();
    view! {
        <article class="certificate">
            <h1>{i18n.t("volunteers-certificate")}</h1>
            <p class="certificate-text">
                {i18n.arg("volunteers-certificate-name", "code", &name)} " "
                {info.squads.join("、")}
            </p>
            <p class="certificate-total">{hours(i18n, info.total)}</p>
            <p class="meta">{i18n.t("volunteers-period")} " " {info.from} " – " {info.to}</p>
            <Loaded
                resource=Resource::new(|| (), |_| crate::station::station())
                view=move |station| {
                    let issuer = match station {
                        Some(s) => i18n.arg("volunteers-certificate-issuer", "name", &s.name),
                        None => i18n.t("volunteers-certificate-issuer-unnamed"),
                    };
                    view! { <p class="meta">{issuer}</p> }
                }
            />
        </article>
        <section class="no-print">
            <h2>{i18n.t("stats-per-month")}</h2>
            <ul class="plain">
                {info
                    .by_month
                    .into_iter()
                    .map(|(month, minutes)| {
                        view! { <li>{month} " · " {hours(i18n, minutes)}</li> }
                    })
                    .collect_view()}
            </ul>
            {info
                .rankings
                .into_iter()
                .map(|(squad, rows)| {
                    view! {
                        <h2>{squad} " · " {i18n.t("volunteers-ranking")}</h2>
                        <ol>
                            {rows
                                .into_iter()
                                .map(|(name, minutes)| {
                                    view! { <li>{name} " · " {hours(i18n, minutes)}</li> }
                                })
                                .collect_view()}
                        </ol>
                    }
                })
                .collect_view()}
            <FormError path=SetRanking::PATH />
            {info
                .ranking_choices
                .into_iter()
                .map(|(squad, name, ranked)| {
                    view! {
                        <form method="post" action=SetRanking::PATH class="inline">
                            <CsrfField />
                            <input type="hidden" name="squad" value=squad.to_string() />
                            <input type="hidden" name="join" value=(!ranked).to_string() />
                            <span>{name}</span>
                            <button type="submit" class="button secondary">
                                {i18n
                                    .t(
                                        if ranked {
                                            "volunteers-ranking-leave"
                                        } else {
                                            "volunteers-ranking-join"
                                        },
                                    )}
                            </button>
                        </form>
                    }
                })
                .collect_view()}
        </section>
    }
}
