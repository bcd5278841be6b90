//! /mediation and /mediation/new: a resident's cases and the request form. The case page
//! (/mediation/cases/:code) is in `case.rs`; the mediators' queue, a room's calendar and the
//! admin's mediator form in `rooms.rs`; the figures (/stats) in `stats.rs`.

mod case;
mod rooms;
mod stats;

use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_meta::Title;

use super::*;
use crate::accounts::whoami;
use crate::error::{FormError, Loaded};
use crate::i18n::{I18n, use_i18n};
use crate::security::CsrfField;

pub use case::CasePage;
pub use rooms::{AssignMediatorForm, QueuePage, SchedulePage};
pub use stats::StatsPage;

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
                me.filter(|me| me.has(crate::accounts::Role::Mediator))
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
                                )>{i18n.label("mediation-status", line.status)}</span>
                                <span>
                                    {i18n.label("mediation-type", line.dispute_type)} " · "
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
                    {DisputeType::NAMES
                        .iter()
                        .copied()
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
