//! /mediation, /mediation/new, /mediation/cases/:code, /mediation/queue,
//! /mediation/rooms/:id/schedule and /stats.

use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use super::*;
use crate::accounts::whoami;
use crate::error::{DoneNotice, FormError, Loaded};
use crate::i18n::{I18n, use_i18n};
use crate::security::CsrfField;

/// "2,710,100 元": grouped by thousands, as both languages write large sums of money.
fn yuan(i18n: I18n, amount: i64) -> String {
    i18n.arg("mediation-yuan", "amount", &grouped(amount))
}

pub(crate) fn grouped(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    if n < 0 { format!("-{out}") } else { out }
}

fn rate(rate: Option<f64>) -> String {
    rate.map(|r| format!("{r:.1}%"))
        .unwrap_or_else(|| "—".into())
}

/// 你点我调: ask for mediation, follow my cases, find a room.
#[component]
pub fn MediationPage() -> impl IntoView {
    let i18n = use_i18n();
    let me = Resource::new(|| (), |_| whoami());
    let mine = Resource::new(|| (), |_| my_cases());
    let rooms = Resource::new(|| (), |_| crate::directory::list_mediation_rooms());
    view! {
        <Title text=i18n.t("mediation-title") />
        <h1>{i18n.t("mediation-title")}</h1>
        <p class="lead">{i18n.t("mediation-intro")}</p>
        <p class="actions">
            <a class="button" href="/mediation/new">
                {i18n.t("mediation-request-title")}
            </a>
            <a class="button secondary" href="/stats">
                {i18n.t("stats-title")}
            </a>
        </p>
        <Loaded
            resource=me
            view=move |me| {
                me.filter(|me| me.has("mediator"))
                    .map(|_| {
                        view! {
                            <p class="note">
                                <a href="/mediation/queue">{i18n.t("queue-title")}</a>
                            </p>
                        }
                    })
            }
        />
        <Loaded
            resource=mine
            view=move |lines| {
                (!lines.is_empty())
                    .then(|| {
                        view! {
                            <h2>{i18n.t("mediation-mine")}</h2>
                            <CaseLines lines />
                        }
                    })
            }
        />
        <h2>{i18n.t("mediation-rooms")}</h2>
        <Loaded
            resource=rooms
            view=|rooms| {
                view! {
                    <ul class="rooms">
                        {rooms
                            .into_iter()
                            .map(|room| view! { <crate::directory::RoomCard room /> })
                            .collect_view()}
                    </ul>
                }
            }
        />
    }
}

#[component]
fn CaseLines(lines: Vec<CaseLine>) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <ul class="cards">
            {lines
                .into_iter()
                .map(|line| {
                    let href = format!("/mediation/cases/{}", line.code);
                    view! {
                        <li>
                            <a class="card case-line" href=href>
                                <strong>{line.code}</strong>
                                <span class=format!(
                                    "status status-{}",
                                    line.status,
                                )>{i18n.label("mediation-status", &line.status)}</span>
                                <span>
                                    {i18n.label("mediation-type", &line.dispute_type)} " · "
                                    {line.room}
                                </span>
                                <span class="meta">
                                    {line
                                        .slot
                                        .map(|slot| format!("{} {slot}", i18n.t("mediation-slot")))
                                        .unwrap_or_else(|| {
                                            format!("{} {}", i18n.t("mediation-filed"), line.created_at)
                                        })}
                                </span>
                            </a>
                        </li>
                    }
                })
                .collect_view()}
        </ul>
    }
}

/// 申请调解: the request form. Visitors are asked to sign in first.
#[component]
pub fn RequestPage() -> impl IntoView {
    let i18n = use_i18n();
    let options = Resource::new(|| (), |_| request_options());
    view! {
        <Title text=i18n.t("mediation-request-title") />
        <h1>{i18n.t("mediation-request-title")}</h1>
        <p class="lead">{i18n.t("mediation-request-intro")}</p>
        <Loaded resource=options view=|options| view! { <RequestForm options /> } />
    }
}

#[component]
fn RequestForm(options: RequestChoices) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <form method="post" action=RequestMediation::PATH class="form">
            <CsrfField />
            <FormError path=RequestMediation::PATH />
            <label>
                {i18n.t("mediation-field-type")} <select name="request[dispute_type]" required>
                    {DISPUTE_TYPES
                        .into_iter()
                        .map(|t| {
                            view! { <option value=t>{i18n.label("mediation-type", t)}</option> }
                        })
                        .collect_view()}
                </select>
            </label>
            <label>
                {i18n.t("mediation-field-account")}
                <textarea
                    name="request[account]"
                    required
                    minlength="10"
                    maxlength="1000"
                    rows="5"
                ></textarea> <small>{i18n.t("mediation-field-account-hint")}</small>
            </label>
            <fieldset>
                <legend>{i18n.t("mediation-other-party")}</legend>
                <label>
                    {i18n.t("mediation-field-other")}
                    <input type="text" name="request[other_party]" required maxlength="50" />
                    <small>{i18n.t("mediation-field-other-hint")}</small>
                </label>
                <label>
                    {i18n.t("mediation-field-relation")}
                    <input type="text" name="request[other_relation]" maxlength="20" />
                </label>
                <label>
                    {i18n.t("mediation-field-other-phone")}
                    <input
                        type="tel"
                        name="request[other_phone]"
                        inputmode="numeric"
                        maxlength="20"
                    /> <small>{i18n.t("mediation-field-other-phone-hint")}</small>
                </label>
            </fieldset>
            <label>
                {i18n.t("mediation-field-amount")}
                <input type="text" name="request[amount]" inputmode="numeric" maxlength="14" />
                <small>{i18n.t("mediation-field-amount-hint")}</small>
            </label>
            <fieldset>
                <legend>{i18n.t("mediation-field-aid-station")}</legend>
                <label class="check">
                    <input type="radio" name="request[tried_aid_station]" value="yes" />
                    <span>{i18n.t("answer-yes")}</span>
                </label>
                <label class="check">
                    <input type="radio" name="request[tried_aid_station]" value="no" checked />
                    <span>{i18n.t("answer-no")}</span>
                </label>
            </fieldset>
            <fieldset>
                <legend>{i18n.t("mediation-field-mode")}</legend>
                <label class="check">
                    <input type="radio" name="request[mode]" value="in_person" checked />
                    <span>{i18n.t("mediation-mode-in_person")}</span>
                </label>
                <label class="check">
                    <input type="radio" name="request[mode]" value="video" />
                    <span>{i18n.t("mediation-mode-video")}</span>
                </label>
            </fieldset>
            <fieldset>
                <legend>{i18n.t("mediation-field-room")}</legend>
                {options
                    .rooms
                    .into_iter()
                    .enumerate()
                    .map(|(i, room)| {
                        view! {
                            <label class="check room-choice">
                                <input
                                    type="radio"
                                    name="request[room]"
                                    value=room.id.to_string()
                                    checked=i == 0
                                    required
                                />
                                <span>
                                    <strong>{room.name}</strong>
                                    <small>{room.address} " · " {room.hours}</small>
                                </span>
                            </label>
                        }
                    })
                    .collect_view()}
            </fieldset>
            <button type="submit" class="button">
                {i18n.t("mediation-request-submit")}
            </button>
        </form>
    }
}

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
    let status = case.status.clone();
    let is_mediator = case.viewer == "mediator";
    let is_resident = case.viewer == "resident";
    let open = matches!(status.as_str(), "requested" | "booked" | "accepted");
    let from_thread = case.thread_id.map(|id| {
        view! {
            <p class="meta">
                <a href=format!("/teahouse/t/{id}")>{i18n.t("mediation-from-thread")}</a>
            </p>
        }
    });
    // A video mediation with its slot: the way into the room and its chat.
    let video = (case.mode == "video" && (case.slot.is_some() || !case.video_chat.is_empty()))
        .then(|| {
            view! {
                <super::video::CaseVideo
                    code=code.clone()
                    mediator=is_mediator
                    may_enter=(is_mediator || is_resident) && open
                    chat=case.video_chat.clone()
                />
            }
        });
    let facts = view! {
        {from_thread}
        <dl class="facts">
            <dt>{i18n.t("mediation-field-type")}</dt>
            <dd>{i18n.label("mediation-type", &case.dispute_type)}</dd>
            <dt>{i18n.t("mediation-field-mode")}</dt>
            <dd>{i18n.label("mediation-mode", &case.mode)}</dd>
            <dt>{i18n.t("mediation-field-room")}</dt>
            <dd>
                {case.room.name.clone()} <br />
                <small>{case.room.address.clone()} " · " {case.room.hours.clone()}</small>
            </dd>
            <dt>{i18n.t("mediation-slot")}</dt>
            <dd class="slot">{case.slot.clone().unwrap_or_else(|| i18n.t("mediation-no-slot"))}</dd>
            <dt>{i18n.t("mediation-level")}</dt>
            <dd>{i18n.label("mediation-level", &case.level)}</dd>
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
    };
    let outcome = case.outcome.clone().map(|o| {
        view! {
            <section class="panel">
                <h2>{i18n.t("mediation-outcome")}</h2>
                <p>
                    <strong>{i18n.label("mediation-outcome", &o)}</strong>
                </p>
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
    });
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
    let follow_up = (status == "resolved" && (is_resident || is_mediator))
        .then(|| view! { <FollowUpForm code=code.clone() by_phone=is_mediator /> });
    let mediator =
        is_mediator.then(|| view! { <MediatorActions code=code.clone() status=status.clone() /> });
    let escalate = (case.viewer != "resident"
        && matches!(
            status.as_str(),
            "requested" | "booked" | "accepted" | "escalated"
        ))
    .then(|| view! { <EscalateForm code=code.clone() level=case.level.clone() /> });
    view! {
        <p class="crumbs">
            <a href="/mediation">{i18n.t("mediation-title")}</a>
        </p>
        <h1>{i18n.t("case-title")} " " <span class="code">{case.code.clone()}</span></h1>
        <p>
            <span class=format!(
                "status status-{}",
                status,
            )>{i18n.label("mediation-status", &status)}</span>
        </p>
        {facts}
        <p class="prose">{case.account.clone()}</p>
        {video}
        {outcome}
        {slots}
        {no_slots}
        {resident_actions}
        {follow_up}
        {mediator}
        {escalate}
        <h2>{i18n.t("mediation-timeline")}</h2>
        <ol class="timeline">
            {case
                .events
                .into_iter()
                .map(|e| {
                    view! {
                        <li>
                            <time>{e.at}</time>
                            " "
                            <strong>{i18n.label("mediation-event", &e.kind)}</strong>
                            {e.slot.map(|s| format!(" · {s}"))}
                            {e
                                .to_level
                                .map(|to| {
                                    format!(
                                        " · {} → {}",
                                        i18n
                                            .label(
                                                "mediation-level",
                                                e.from_level.as_deref().unwrap_or("room"),
                                            ),
                                        i18n.label("mediation-level", &to),
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
            {case
                .stays
                .into_iter()
                .map(|(level, hours)| {
                    view! {
                        <li>
                            {i18n.label("mediation-level", &level)} " "
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
            <h3>{day} " " {i18n.label("weekday", &weekday.to_string())}</h3>
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
                                        {"★".repeat(n)} " " {i18n.label("rating", &n.to_string())}
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
fn MediatorActions(code: String, status: String) -> impl IntoView {
    let i18n = use_i18n();
    let accept = (status == "booked").then(|| {
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
    let outcome = (status == "accepted").then(|| {
        view! {
            <section class="panel">
                <h2>{i18n.t("mediation-record-outcome")}</h2>
                <form method="post" action=RecordOutcome::PATH class="form">
                    <CsrfField />
                    <FormError path=RecordOutcome::PATH />
                    <input type="hidden" name="code" value=code.clone() />
                    <label>
                        {i18n.t("mediation-outcome")} <select name="outcome" required>
                            {OUTCOMES
                                .into_iter()
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
                    <button type="submit" class="button">
                        {i18n.t("mediation-record-outcome")}
                    </button>
                </form>
            </section>
        }
    });
    view! { <div class="mediator-actions">{accept} {outcome} {decline}</div> }
}

#[component]
fn EscalateForm(code: String, level: String) -> impl IntoView {
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
                        {LEVELS
                            .into_iter()
                            .filter(|l| *l != level)
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

/// The mediator's queue: new requests, today, upcoming, waiting for outcome or follow-up.
#[component]
pub fn QueuePage() -> impl IntoView {
    let i18n = use_i18n();
    let queue = Resource::new(|| (), |_| mediator_queue());
    view! {
        <Title text=i18n.t("queue-title") />
        <h1>{i18n.t("queue-title")}</h1>
        <Loaded
            resource=queue
            view=move |queue| {
                let sections = [
                    ("queue-new", queue.new),
                    ("queue-today", queue.today),
                    ("queue-upcoming", queue.upcoming),
                    ("queue-awaiting-outcome", queue.awaiting_outcome),
                    ("queue-awaiting-follow-up", queue.awaiting_follow_up),
                ];
                view! {
                    {sections
                        .into_iter()
                        .map(|(key, lines)| {
                            view! {
                                <h2>{i18n.t(key)} " " <span class="badge">{lines.len()}</span></h2>
                                {if lines.is_empty() {
                                    view! { <p class="meta">{i18n.t("queue-empty")}</p> }.into_any()
                                } else {
                                    view! { <CaseLines lines /> }.into_any()
                                }}
                            }
                        })
                        .collect_view()}
                    <h2>{i18n.t("queue-rooms")}</h2>
                    <ul class="plain">
                        {queue
                            .rooms
                            .into_iter()
                            .map(|room| {
                                let href = format!("/mediation/rooms/{}/schedule", room.id);
                                view! {
                                    <li>
                                        {room.name} " " <a href=href>{i18n.t("schedule-title")}</a>
                                    </li>
                                }
                            })
                            .collect_view()}
                    </ul>
                }
            }
        />
    }
}

/// A room's calendar: slot length, buffer, confirmation; weekly windows, extra windows and
/// days off; and the next slots as residents will see them.
#[component]
pub fn SchedulePage() -> impl IntoView {
    let i18n = use_i18n();
    let params = use_params_map();
    let schedule = Resource::new(
        move || params.read().get("id").unwrap_or_default(),
        room_schedule,
    );
    view! {
        <Title text=i18n.t("schedule-title") />
        <DoneNotice prefix="schedule-done" />
        <Loaded resource=schedule view=|schedule| view! { <Schedule schedule /> } />
    }
}

#[component]
fn Schedule(schedule: ScheduleInfo) -> impl IntoView {
    let i18n = use_i18n();
    let room = schedule.room.id.to_string();
    let window_text = move |w: &WindowInfo| match w.kind.as_str() {
        "weekly" => format!(
            "{} {}–{}",
            i18n.label("weekday", &w.weekday.unwrap_or(1).to_string()),
            w.start,
            w.end
        ),
        "extra" => format!(
            "{} {} {}–{}",
            i18n.t("schedule-extra"),
            w.day.clone().unwrap_or_default(),
            w.start,
            w.end
        ),
        _ => format!(
            "{} {}",
            i18n.t("schedule-off"),
            w.day.clone().unwrap_or_default()
        ),
    };
    view! {
        <p class="crumbs">
            <a href="/mediation/queue">{i18n.t("queue-title")}</a>
        </p>
        <h1>
            {i18n.t("schedule-title")} <span class="sub">" " {schedule.room.name.clone()}</span>
        </h1>
        <form method="post" action=SaveSchedule::PATH class="form panel">
            <CsrfField />
            <FormError path=SaveSchedule::PATH />
            <input type="hidden" name="room" value=room.clone() />
            <label>
                {i18n.t("schedule-slot-minutes")}
                <input
                    type="number"
                    name="slot_minutes"
                    min="15"
                    max="240"
                    value=schedule.slot_minutes.to_string()
                />
            </label>
            <label>
                {i18n.t("schedule-buffer-minutes")}
                <input
                    type="number"
                    name="buffer_minutes"
                    min="0"
                    max="120"
                    value=schedule.buffer_minutes.to_string()
                />
            </label>
            <label>
                {i18n.t("schedule-horizon-days")}
                <input
                    type="number"
                    name="horizon_days"
                    min="1"
                    max="90"
                    value=schedule.horizon_days.to_string()
                />
            </label>
            <label class="check">
                <input
                    type="checkbox"
                    name="needs_confirmation"
                    checked=schedule.needs_confirmation
                />
                <span>{i18n.t("schedule-needs-confirmation")}</span>
            </label>
            <button type="submit" class="button">
                {i18n.t("schedule-save")}
            </button>
        </form>
        <h2>{i18n.t("schedule-windows")}</h2>
        <ul class="plain">
            {schedule
                .windows
                .iter()
                .map(|w| {
                    view! {
                        <li>
                            <form method="post" action=RemoveWindow::PATH class="inline">
                                <CsrfField />
                                <input type="hidden" name="room" value=room.clone() />
                                <input type="hidden" name="window" value=w.id.to_string() />
                                <span>{window_text(w)}</span>
                                " "
                                <button type="submit" class="link">
                                    {i18n.t("schedule-remove")}
                                </button>
                            </form>
                        </li>
                    }
                })
                .collect_view()}
        </ul>
        <FormError path=RemoveWindow::PATH />
        <details class="panel" open>
            <summary>{i18n.t("schedule-add")}</summary>
            <form method="post" action=AddWindow::PATH class="form">
                <CsrfField />
                <FormError path=AddWindow::PATH />
                <input type="hidden" name="room" value=room.clone() />
                <label>
                    {i18n.t("schedule-kind")} <select name="kind">
                        <option value="weekly">{i18n.t("schedule-weekly")}</option>
                        <option value="extra">{i18n.t("schedule-extra")}</option>
                        <option value="off">{i18n.t("schedule-off")}</option>
                    </select>
                </label>
                <label>
                    {i18n.t("schedule-weekday")}
                    <select name="weekday">
                        {(1..=7)
                            .map(|d| {
                                view! {
                                    <option value=d
                                        .to_string()>
                                        {i18n.label("weekday", &d.to_string())}
                                    </option>
                                }
                            })
                            .collect_view()}
                    </select>
                </label>
                <label>{i18n.t("schedule-day")} <input type="date" name="day" /></label>
                <label>
                    {i18n.t("schedule-from")} <input type="time" name="start" value="09:00" />
                </label>
                <label>
                    {i18n.t("schedule-to")} <input type="time" name="end" value="11:30" />
                </label>
                <button type="submit" class="button">
                    {i18n.t("schedule-add")}
                </button>
            </form>
        </details>
        <h2>{i18n.t("schedule-preview")}</h2>
        <ul class="chips">
            {schedule
                .preview
                .into_iter()
                .map(|s| {
                    view! {
                        <li>
                            {s.day} " " {i18n.label("weekday", &s.weekday.to_string())} " " {s.time}
                        </li>
                    }
                })
                .collect_view()}
        </ul>
    }
}

/// Admin: make an account a mediator of a room.
#[component]
pub fn AssignMediatorForm() -> impl IntoView {
    let i18n = use_i18n();
    let rooms = Resource::new(|| (), |_| crate::directory::list_mediation_rooms());
    view! {
        <form method="post" action=AssignMediator::PATH class="form">
            <CsrfField />
            <FormError path=AssignMediator::PATH />
            <label>
                {i18n.t("field-phone")}
                <input type="tel" name="phone" required inputmode="numeric" />
            </label>
            <label>
                {i18n.t("mediation-field-room")}
                <Loaded
                    resource=rooms
                    view=|rooms| {
                        view! {
                            <select name="room">
                                {rooms
                                    .into_iter()
                                    .map(|room| {
                                        view! {
                                            <option value=room.id.to_string()>{room.name}</option>
                                        }
                                    })
                                    .collect_view()}
                            </select>
                        }
                    }
                />
            </label>
            <button type="submit" class="button">
                {i18n.t("admin-assign-mediator")}
            </button>
        </form>
    }
}

/// 调解成效: the figures, computed from the records.
#[component]
pub fn StatsPage() -> impl IntoView {
    let i18n = use_i18n();
    let stats = Resource::new(|| (), |_| mediation_stats());
    view! {
        <Title text=i18n.t("stats-title") />
        <h1>{i18n.t("stats-title")}</h1>
        <p class="lead">{i18n.t("stats-intro")}</p>
        <Loaded resource=stats view=|stats| view! { <Stats stats /> } />
    }
}

#[component]
fn Stats(stats: StatsInfo) -> impl IntoView {
    let i18n = use_i18n();
    let total = stats.total;
    let head = move || {
        view! {
            <thead>
                <tr>
                    <th></th>
                    <th>{i18n.t("stats-received")}</th>
                    <th>{i18n.t("stats-success")}</th>
                    <th>{i18n.t("stats-amount")}</th>
                    <th>{i18n.t("stats-satisfaction")}</th>
                </tr>
            </thead>
        }
    };
    let row = move |(name, f): (String, FiguresInfo)| {
        view! {
            <tr>
                <th>{name}</th>
                <td>{f.received}</td>
                <td>{rate(f.success_rate)}</td>
                <td>{grouped(f.amount)}</td>
                <td>{rate(f.satisfaction_rate)}</td>
            </tr>
        }
    };
    view! {
        <ul class="figures big" id="stats-total">
            <li>
                <strong data-figure="received">{total.received}</strong>
                <span>{i18n.t("stats-received")}</span>
            </li>
            <li>
                <strong data-figure="resolved">{total.resolved}</strong>
                <span>{i18n.t("stats-resolved")}</span>
            </li>
            <li>
                <strong>{rate(total.success_rate)}</strong>
                <span>{i18n.t("stats-success")}</span>
            </li>
            <li>
                <strong>{yuan(i18n, total.amount)}</strong>
                <span>{i18n.t("stats-amount")}</span>
            </li>
            <li>
                <strong>{rate(total.satisfaction_rate)}</strong>
                <span>{i18n.t("stats-satisfaction")}</span>
            </li>
        </ul>
        <p class="meta">{i18n.t("stats-definitions")}</p>
        <crate::station::record::ReportedTotals />
        <h2>{i18n.t("stats-per-room")}</h2>
        <div class="scroll">
            <table>{head()} <tbody>{stats.rooms.into_iter().map(row).collect_view()}</tbody></table>
        </div>
        <h2>{i18n.t("stats-per-month")}</h2>
        <div class="scroll">
            <table>
                {head()} <tbody>{stats.months.into_iter().map(row).collect_view()}</tbody>
            </table>
        </div>
        <p class="meta">
            <a href="/api/v1/mediation/stats">{i18n.t("stats-json")}</a>
        </p>
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn sums_of_money_are_grouped_by_thousands() {
        assert_eq!(super::grouped(0), "0");
        assert_eq!(super::grouped(999), "999");
        assert_eq!(super::grouped(2_710_100), "2,710,100");
        assert_eq!(super::grouped(-1000), "-1,000");
    }
}
