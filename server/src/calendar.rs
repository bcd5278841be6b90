//! 我的日历 over HTTP: the secret address a phone's calendar subscribes to
//! (`/calendar/{token}.ics`), and one event to download from a case (`…/session.ics`) or a
//! shift (`…/shift.ics`). The events are written as iCalendar (RFC 5545) in UTC, with the
//! reminders the portal would otherwise send: the evening before and two hours before a
//! session, a day before a shift.

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::Duration;
use icalendar::{Alarm, Calendar, Component, EventLike, Property, Trigger};

use app::i18n::{I18n, Locale};
use app::state::AppState;
use domain::calendar::{Event, What};
use domain::mediation::Mode;

/// `GET /calendar/{token}.ics`: the owner's sessions and shifts, in the language the address
/// was made in. Nothing but a live token's address answers, and every other shape is the
/// same 404.
pub async fn feed(State(state): State<AppState>, Path(file): Path<String>) -> Response {
    let Some(token) = file.strip_suffix(".ics") else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let now = chrono::Utc::now();
    let events = match domain::calendar::feed_owner(&state.db, token).await {
        Ok((account, lang)) => domain::calendar::events_of(&state.db, &account, now)
            .await
            .map(|events| (events, lang)),
        Err(e) => Err(e),
    };
    match events {
        Ok((events, lang)) => {
            let i18n = I18n {
                locale: Locale::from_tag(&lang).unwrap_or_default(),
            };
            ics(&write(&state, i18n, &events), "calendar.ics")
        }
        Err(e) => refusal(e),
    }
}

/// `GET /mediation/cases/{code}/session.ics`: the case's booked session, for whoever may
/// see the case.
pub async fn session(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(code): Path<String>,
) -> Response {
    let account = match crate::my_data::signed_in(&state, &headers).await {
        Ok(account) => account,
        Err(status) => return status.into_response(),
    };
    match domain::calendar::session_of_case(&state.db, &account, &code).await {
        Ok(event) => ics(
            &write(&state, reader(&state, &headers), &[event]),
            &format!("{code}.ics"),
        ),
        Err(e) => refusal(e),
    }
}

/// `GET /volunteers/shifts/{id}/shift.ics`: a shift, for a volunteer signed up on it or a
/// leader of its squad.
pub async fn shift(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<i32>,
) -> Response {
    let account = match crate::my_data::signed_in(&state, &headers).await {
        Ok(account) => account,
        Err(status) => return status.into_response(),
    };
    match domain::calendar::shift(&state.db, &account, id).await {
        Ok(event) => ics(
            &write(&state, reader(&state, &headers), &[event]),
            &format!("shift-{id}.ics"),
        ),
        Err(e) => refusal(e),
    }
}

/// The language the reader's pages are in.
fn reader(state: &AppState, headers: &HeaderMap) -> I18n {
    I18n {
        locale: app::prefs::Prefs::from_headers(headers, state.cookies).locale,
    }
}

fn refusal(e: domain::Error) -> Response {
    match e {
        domain::Error::NotFound | domain::Error::Forbidden => StatusCode::NOT_FOUND.into_response(),
        e => {
            tracing::error!(%e, "writing a calendar");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

fn ics(body: &str, file: &str) -> Response {
    (
        [
            (
                header::CONTENT_TYPE,
                "text/calendar; charset=utf-8".to_owned(),
            ),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{file}\""),
            ),
            // Personal: never kept by a shared cache, and never indexed if a link escapes.
            (header::CACHE_CONTROL, "private, no-store".to_owned()),
            (
                header::HeaderName::from_static("x-robots-tag"),
                "noindex".to_owned(),
            ),
        ],
        body.to_owned(),
    )
        .into_response()
}

/// The events as one iCalendar document.
fn write(state: &AppState, i18n: I18n, events: &[Event]) -> String {
    let base = state.public_url.trim_end_matches('/');
    // UIDs must be globally unique: the portal's host name makes them so.
    let host = base
        .split_once("://")
        .map_or(base, |(_, rest)| rest)
        .to_owned();
    let mut calendar = Calendar::new();
    calendar
        .append_property(Property::new("PRODID", "-//jiajingwu-portal//calendar//ZH"))
        .name(&i18n.t("calendar-name"))
        // Refresh hourly: a moved session reaches the phone the same morning.
        .ttl(&Duration::hours(1));
    for event in events {
        let (summary, description, location, link, alarms) = match &event.what {
            What::Session {
                case_code,
                room,
                address,
                mode,
                as_mediator,
            } => {
                let summary = if *as_mediator {
                    i18n.args(
                        "calendar-session-mediating",
                        &[("room", room), ("code", case_code)],
                    )
                } else if *mode == Mode::Video {
                    i18n.arg("calendar-session-video", "room", room)
                } else {
                    i18n.arg("calendar-session-summary", "room", room)
                };
                let description = i18n.arg(
                    if *mode == Mode::Video {
                        "calendar-session-video-description"
                    } else {
                        "calendar-session-description"
                    },
                    "code",
                    case_code,
                );
                (
                    summary,
                    description,
                    address.clone(),
                    format!("{base}{}", domain::mediation::case_link(case_code)),
                    // The evening before (about 15 hours before a morning session) and two
                    // hours before: what the portal's own reminders will be.
                    vec![Duration::hours(15), Duration::hours(2)],
                )
            }
            What::Shift {
                squad,
                title,
                place,
            } => (
                i18n.args(
                    "calendar-shift-summary",
                    &[("squad", squad), ("title", title)],
                ),
                i18n.t("calendar-shift-description"),
                place.clone(),
                format!("{base}/volunteers"),
                vec![Duration::hours(24)],
            ),
        };
        let mut e = icalendar::Event::new();
        e.uid(&format!("{}@{host}", event.uid))
            .summary(&summary)
            .description(&description)
            .location(&location)
            .url(&link)
            .starts(event.starts_at)
            .ends(event.ends_at);
        for before in alarms {
            e.alarm(Alarm::display(
                &i18n.arg("calendar-reminder", "what", &summary),
                Trigger::before_start(before),
            ));
        }
        calendar.push(e.done());
    }
    calendar.done().to_string()
}
