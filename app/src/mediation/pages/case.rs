//! /mediation/cases/:code — 一案一码: one case, its timeline, and what its reader may do next
//! (pick or change a slot, accept, record the outcome, follow up, escalate).

use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use super::*;
use crate::error::{DoneNotice, FormError, Loaded};
use crate::i18n::use_i18n;
use crate::security::CsrfField;

/// 一案一码: one case, its timeline and what the reader may do next.
#[component]
pub fn CasePage() -> impl IntoView {
    let i18n = use_i18n();
    let params = use_params_map();
    let case = Resource::new(
        move || params.read().get("code").unwrap_or_default(),
        get_case,
    );
    view! {
        <Title text=i18n.t("case-title") />
        <DoneNotice prefix="mediation-done" />
        <Loaded resource=case view=|case| view! { <Case case /> } />
    }
}

#[component]
fn Case(case: CaseInfo) -> impl IntoView {
    let i18n = use_i18n();
    let code = case.code.clone();
    let status = case.status;
    let is_mediator = case.viewer == Viewer::Mediator;
    let is_resident = case.viewer == Viewer::Resident;
    let open = Status::OPEN.contains(&status);
    let from_thread = case.thread_id.map(|id| {
        view! {
            <p class="meta">
                <a href=format!("/teahouse/t/{id}")>{i18n.t("mediation-from-thread")}</a>
            </p>
        }
    });
    // A video mediation with its slot: the way into the room and its chat.
    let video = (case.mode == Mode::Video && (case.slot.is_some() || !case.video_chat.is_empty()))
        .then(|| {
            view! {
                <crate::mediation::video::CaseVideo
                    code=code.clone()
                    mediator=is_mediator
                    may_enter=(is_mediator || is_resident) && open
                    chat=case.video_chat.clone()
                />
            }
        });
    let facts = facts(i18n, &case, is_resident);
    // Evidence: the resident and the mediators add photos and documents while the case runs.
    let files = view! {
        <crate::files::Files
            files=case.files.clone()
            target=format!("case/{code}")
            may_add=(is_mediator || is_resident) && case.status != Status::Cancelled
            pdf=true
        />
    };
    let outcome = outcome(i18n, &case);
    let slots = (!case.slots.is_empty() && (case.may_change || (is_mediator && open))).then(|| {
        let action = if is_mediator {
            ProposeSlot::PATH
        } else {
            BookSlot::PATH
        };
        let heading = if is_mediator {
            "mediation-propose"
        } else if case.slot.is_some() {
            "mediation-reschedule"
        } else {
            "mediation-choose-slot"
        };
        view! { <SlotPicker code=code.clone() action heading slots=case.slots.clone() /> }
    });
    let no_slots = (case.slots.is_empty() && case.may_change && case.slot.is_none())
        .then(|| view! { <p class="empty">{i18n.t("mediation-no-free-slots")}</p> });
    let resident_actions = (case.may_change).then(|| {
        view! {
            <form method="post" action=CancelCase::PATH class="form">
                <CsrfField />
                <FormError path=CancelCase::PATH />
                <input type="hidden" name="code" value=code.clone() />
                <p class="meta">{i18n.count("mediation-cutoff", case.cutoff_hours as u64)}</p>
                <button type="submit" class="button secondary">
                    {i18n.t("mediation-cancel")}
                </button>
            </form>
        }
    });
    let follow_up = (status == Status::Resolved && (is_resident || is_mediator))
        .then(|| view! { <FollowUpForm code=code.clone() by_phone=is_mediator /> });
    let referred = case.referred_to.is_some();
    let mediator =
        is_mediator.then(|| view! { <MediatorActions code=code.clone() status referred /> });
    let escalate = (case.viewer != Viewer::Resident
        && (Status::OPEN.contains(&status) || status == Status::Escalated))
        .then(|| view! { <EscalateForm code=code.clone() level=case.level /> });
    view! {
        <p class="crumbs">
            <a href="/mediation">{i18n.t("mediation-title")}</a>
        </p>
        <h1>{i18n.t("case-title")} " " <span class="code">{case.code.clone()}</span></h1>
        <crate::read_aloud::ReadAloud target="case-text" />
        <div id="case-text">
            <p>
                <span class=format!(
                    "status status-{}",
                    status,
                )>{i18n.label("mediation-status", status)}</span>
            </p>
            {from_thread}
            {facts}
            <p class="prose">{case.account.clone()}</p>
        </div>
        {files}
        {video}
        {outcome}
        {slots}
        {no_slots}
        {resident_actions}
        {follow_up}
        {mediator}
        {escalate}
        {timeline(i18n, case.events, case.stays)}
    }
}

/// What the case is about, where and when: the facts its reader may see.
fn facts(i18n: I18n, case: &CaseInfo, is_resident: bool) -> impl IntoView + use<> {
    view! {
        <dl class="facts">
            <dt>{i18n.t("mediation-field-type")}</dt>
            <dd>{i18n.label("mediation-type", case.dispute_type)}</dd>
            <dt>{i18n.t("mediation-field-mode")}</dt>
            <dd>{i18n.label("mediation-mode", case.mode)}</dd>
            <dt>{i18n.t("mediation-field-room")}</dt>
            <dd>
                {case.room.name.clone()} <br />
                <small>{case.room.address.clone()} " · " {case.room.hours.clone()}</small>
            </dd>
            <dt>{i18n.t("mediation-slot")}</dt>
            <dd class="slot">
                {case.slot.clone().unwrap_or_else(|| i18n.t("mediation-no-slot"))}
                {case
                    .slot
                    .is_some()
                    .then(|| {
                        view! {
                            <br />
                            <a
                                href=format!("/mediation/cases/{}/session.ics", case.code)
                                download=format!("{}.ics", case.code)
                            >
                                {i18n.t("calendar-download")}
                            </a>
                        }
                    })}
            </dd>
            <dt>{i18n.t("mediation-level")}</dt>
            <dd>{i18n.label("mediation-level", case.level)}</dd>
            <dt>{i18n.t("mediation-field-other")}</dt>
            <dd>
                {case.other_party.clone()}
                {(!case.other_relation.is_empty())
                    .then(|| format!("（{}）", case.other_relation))}
                {case.other_phone.clone().map(|p| view! { <span class="phone">" " {p}</span> })}
            </dd>
            {case
                .resident_phone
                .clone()
                .filter(|_| !is_resident)
                .map(|p| {
                    view! {
                        <dt>{i18n.t("mediation-resident-phone")}</dt>
                        <dd class="phone">{p}</dd>
                    }
                })}
            {case
                .amount_claimed
                .map(|a| {
                    view! {
                        <dt>{i18n.t("mediation-field-amount")}</dt>
                        <dd>{yuan(i18n, a)}</dd>
                    }
                })}
            <dt>{i18n.t("mediation-field-aid-station")}</dt>
            <dd>{i18n.t(if case.tried_aid_station { "answer-yes" } else { "answer-no" })}</dd>
        </dl>
    }
}

/// The room's outcome and the resident's follow-up, once recorded.
fn outcome(i18n: I18n, case: &CaseInfo) -> Option<impl IntoView + use<>> {
    case.outcome.map(|o| {
        view! {
            <section class="panel">
                <h2>{i18n.t("mediation-outcome")}</h2>
                <p>
                    <strong>{i18n.label("mediation-outcome", o)}</strong>
                </p>
                {case
                    .referred_to
                    .map(|t| {
                        let to = match case.referral_note.clone() {
                            Some(note) => {
                                format!("{}（{note}）", i18n.label("mediation-referral", t))
                            }
                            None => i18n.label("mediation-referral", t),
                        };
                        let result = case
                            .referral_result
                            .map(|r| i18n.label("mediation-referral-result", r))
                            .unwrap_or_else(|| i18n.t("mediation-referral-result-none"));
                        view! {
                            <p data-testid="referral">
                                {i18n.arg("mediation-referred-to-shown", "to", &to)} " · " {result}
                            </p>
                        }
                    })}
                {case.agreement.clone().map(|a| view! { <p class="prose">{a}</p> })}
                {case
                    .amount_settled
                    .map(|a| {
                        view! { <p>{i18n.t("mediation-amount-settled")} " " {yuan(i18n, a)}</p> }
                    })}
                {case
                    .satisfaction
                    .map(|s| {
                        view! {
                            <p class="rating">
                                {i18n.t("mediation-satisfaction")} " " {"★".repeat(s as usize)}
                                {"☆".repeat(5usize.saturating_sub(s as usize))}
                            </p>
                        }
                    })}
                {case.follow_up_comment.clone().map(|c| view! { <p class="prose">{c}</p> })}
            </section>
        }
    })
}

/// What happened to the case, oldest first, and how long it stayed at each level.
fn timeline(i18n: I18n, events: Vec<EventInfo>, stays: Vec<(Level, i64)>) -> impl IntoView {
    view! {
        <h2>{i18n.t("mediation-timeline")}</h2>
        <ol class="timeline">
            {events
                .into_iter()
                .map(|e| {
                    view! {
                        <li>
                            <time>{e.at}</time>
                            " "
                            <strong>{i18n.label("mediation-event", e.kind)}</strong>
                            {e.slot.map(|s| format!(" · {s}"))}
                            {e
                                .to_level
                                .map(|to| {
                                    format!(
                                        " · {} → {}",
                                        i18n
                                            .label(
                                                "mediation-level",
                                                e.from_level.unwrap_or(Level::Room),
                                            ),
                                        i18n.label("mediation-level", to),
                                    )
                                })}
                            {e.note.map(|n| view! { <div class="meta">{n}</div> })}
                        </li>
                    }
                })
                .collect_view()}
        </ol>
        <h2>{i18n.t("mediation-stays")}</h2>
        <ul class="chips">
            {stays
                .into_iter()
                .map(|(level, hours)| {
                    view! {
                        <li>
                            {i18n.label("mediation-level", level)} " "
                            {i18n.count("mediation-hours", hours.max(0) as u64)}
                        </li>
                    }
                })
                .collect_view()}
        </ul>
    }
}

/// Days of slots shown at once; later days fold away so the nearest ones fit on a phone.
const DAYS_SHOWN: usize = 5;

/// Free slots by day, each a button: one tap books (or, for a mediator, proposes) it.
#[component]
fn SlotPicker(
    code: String,
    action: &'static str,
    heading: &'static str,
    slots: Vec<SlotInfo>,
) -> impl IntoView {
    let i18n = use_i18n();
    let mut days: Vec<(String, u32, Vec<SlotInfo>)> = Vec::new();
    for slot in slots {
        match days.last_mut() {
            Some((day, _, list)) if *day == slot.day => list.push(slot),
            _ => days.push((slot.day.clone(), slot.weekday, vec![slot])),
        }
    }
    let later = days.split_off(DAYS_SHOWN.min(days.len()));
    let day_view = move |(day, weekday, list): (String, u32, Vec<SlotInfo>)| {
        view! {
            <h3>{day} " " {i18n.label("weekday", weekday.to_string())}</h3>
            <div class="slot-row">
                {list
                    .into_iter()
                    .map(|slot| {
                        view! {
                            <button
                                type="submit"
                                name="starts_at"
                                value=slot.value
                                class="slot-button"
                            >
                                {slot.time}
                            </button>
                        }
                    })
                    .collect_view()}
            </div>
        }
    };
    let more = (!later.is_empty()).then(|| {
        view! {
            <details>
                <summary>{i18n.t("mediation-more-days")}</summary>
                {later.into_iter().map(day_view).collect_view()}
            </details>
        }
    });
    view! {
        <section class="panel">
            <h2>{i18n.t(heading)}</h2>
            <form method="post" action=action class="slots">
                <CsrfField />
                <FormError path=action />
                <input type="hidden" name="code" value=code />
                {days.into_iter().map(day_view).collect_view()}
                {more}
            </form>
        </section>
    }
}

#[component]
fn FollowUpForm(code: String, by_phone: bool) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <section class="panel">
            <h2>
                {i18n.t(if by_phone { "mediation-follow-up-phone" } else { "mediation-follow-up" })}
            </h2>
            <form method="post" action=FollowUp::PATH class="form">
                <CsrfField />
                <FormError path=FollowUp::PATH />
                <input type="hidden" name="code" value=code />
                <fieldset class="stars">
                    <legend>{i18n.t("mediation-satisfaction")}</legend>
                    {(1..=5)
                        .rev()
                        .map(|n| {
                            view! {
                                <label class="check">
                                    <input
                                        type="radio"
                                        name="rating"
                                        value=n.to_string()
                                        required
                                        checked=n == 5
                                    />
                                    <span>
                                        {"★".repeat(n)} " " {i18n.label("rating", n.to_string())}
                                    </span>
                                </label>
                            }
                        })
                        .collect_view()}
                </fieldset>
                <label>
                    {i18n.t("mediation-field-comment")}
                    <textarea name="comment" maxlength="500" rows="3"></textarea>
                </label>
                <button type="submit" class="button">
                    {i18n.t("mediation-follow-up-submit")}
                </button>
            </form>
        </section>
    }
}

#[component]
fn MediatorActions(code: String, status: Status, referred: bool) -> impl IntoView {
    let i18n = use_i18n();
    let referral = referred.then(|| {
        view! {
            <section class="panel">
                <h2>{i18n.t("mediation-referral-result")}</h2>
                <form method="post" action=RecordReferralResult::PATH class="form">
                    <CsrfField />
                    <FormError path=RecordReferralResult::PATH />
                    <input type="hidden" name="code" value=code.clone() />
                    <label>
                        {i18n.t("mediation-referral-result")} <select name="result" required>
                            {ReferralResult::NAMES
                                .iter()
                                .copied()
                                .map(|r| {
                                    view! {
                                        <option value=r>
                                            {i18n.label("mediation-referral-result", r)}
                                        </option>
                                    }
                                })
                                .collect_view()}
                        </select>
                    </label>
                    <button type="submit" class="button secondary">
                        {i18n.t("mediation-referral-result-submit")}
                    </button>
                </form>
            </section>
        }
    });
    let accept = (status == Status::Booked).then(|| {
        view! {
            <form method="post" action=AcceptCase::PATH class="form">
                <CsrfField />
                <FormError path=AcceptCase::PATH />
                <input type="hidden" name="code" value=code.clone() />
                <button type="submit" class="button">
                    {i18n.t("mediation-accept")}
                </button>
            </form>
        }
    });
    let decline = matches!(status.as_str(), "requested" | "booked" | "accepted").then(|| {
        view! {
            <details class="panel">
                <summary>{i18n.t("mediation-decline")}</summary>
                <form method="post" action=DeclineCase::PATH class="form">
                    <CsrfField />
                    <FormError path=DeclineCase::PATH />
                    <input type="hidden" name="code" value=code.clone() />
                    <label>
                        {i18n.t("mediation-field-reason")}
                        <input type="text" name="reason" required minlength="2" maxlength="200" />
                    </label>
                    <button type="submit" class="button danger">
                        {i18n.t("mediation-decline")}
                    </button>
                </form>
            </details>
        }
    });
    let outcome = (status == Status::Accepted).then(|| {
        view! {
            <section class="panel">
                <h2>{i18n.t("mediation-record-outcome")}</h2>
                <form method="post" action=RecordOutcome::PATH class="form">
                    <CsrfField />
                    <FormError path=RecordOutcome::PATH />
                    <input type="hidden" name="code" value=code.clone() />
                    <label>
                        {i18n.t("mediation-outcome")} <select name="outcome" required>
                            {Outcome::NAMES
                                .iter()
                                .copied()
                                .map(|o| {
                                    view! {
                                        <option value=o>
                                            {i18n.label("mediation-outcome", o)}
                                        </option>
                                    }
                                })
                                .collect_view()}
                        </select>
                    </label>
                    <label>
                        {i18n.t("mediation-field-agreement")}
                        <textarea name="agreement" maxlength="1000" rows="4"></textarea>
                    </label>
                    <label>
                        {i18n.t("mediation-amount-settled")}
                        <input type="text" name="amount" inputmode="numeric" maxlength="14" />
                    </label>
                    <fieldset>
                        <legend>{i18n.t("mediation-referral")}</legend>
                        <label>
                            {i18n.t("mediation-referred-to")} <select name="referred_to">
                                <option value="">{i18n.t("mediation-referred-to-none")}</option>
                                {ReferralTarget::NAMES
                                    .iter()
                                    .copied()
                                    .map(|t| {
                                        view! {
                                            <option value=t>
                                                {i18n.label("mediation-referral", t)}
                                            </option>
                                        }
                                    })
                                    .collect_view()}
                            </select>
                        </label>
                        <label>
                            {i18n.t("mediation-referral-note")}
                            <input type="text" name="referral_note" maxlength="100" />
                        </label>
                    </fieldset>
                    <button type="submit" class="button">
                        {i18n.t("mediation-record-outcome")}
                    </button>
                </form>
            </section>
        }
    });
    // Erased: the case page's view type is otherwise too deep for the compiler.
    view! { <div class="mediator-actions">{accept} {outcome} {referral} {decline}</div> }.into_any()
}

#[component]
fn EscalateForm(code: String, level: Level) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <details class="panel">
            <summary>{i18n.t("mediation-escalate")}</summary>
            <form method="post" action=EscalateCase::PATH class="form">
                <CsrfField />
                <FormError path=EscalateCase::PATH />
                <input type="hidden" name="code" value=code />
                <label>
                    {i18n.t("mediation-level")} <select name="level" required>
                        {Level::NAMES
                            .iter()
                            .copied()
                            .filter(|l| *l != level.as_str())
                            .map(|l| {
                                view! {
                                    <option value=l>{i18n.label("mediation-level", l)}</option>
                                }
                            })
                            .collect_view()}
                    </select>
                </label>
                <label>
                    {i18n.t("mediation-field-reason")}
                    <input type="text" name="reason" required minlength="2" maxlength="200" />
                </label>
                <button type="submit" class="button secondary">
                    {i18n.t("mediation-escalate")}
                </button>
            </form>
        </details>
    }
}
