//! The mediators' side: /mediation/queue, a room's calendar at /mediation/rooms/:id/schedule,
//! and the admin's form that makes an account a mediator of a room.

use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use super::*;
use crate::error::{DoneNotice, FormError, Loaded};
use crate::i18n::use_i18n;
use crate::security::CsrfField;

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
            i18n.label("weekday", w.weekday.unwrap_or(1).to_string()),
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
                                        .to_string()>{i18n.label("weekday", d.to_string())}</option>
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
                            {s.day} " " {i18n.label("weekday", s.weekday.to_string())} " " {s.time}
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
