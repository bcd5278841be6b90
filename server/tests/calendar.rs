//! 我的日历 over HTTP: the secret address made, read by a calendar app without cookies,
//! renewed and turned off from 我的 without JavaScript; the one-event downloads on a case
//! and a shift, and who gets them. What the portal writes is parsed back by a second
//! iCalendar library (`ical`), as a phone's calendar would read it. Runs on SQLite, or
//! PostgreSQL when TEST_DATABASE_URL says so.

mod common;

use axum::http::{StatusCode, header};
use common::{Browser, Page, Portal, TestResult, portal, run};
use domain::demo::DEMO_PASSWORD;
use domain::entities::{booking, mediation_case, shift, shift_signup, user};
use ical::parser::ical::component::{IcalCalendar, IcalEvent};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};

/// The calendars in an .ics body, as a second library reads them.
fn parse(page: &Page) -> Vec<IcalCalendar> {
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert_eq!(
        page.headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok()),
        Some("text/calendar; charset=utf-8")
    );
    assert!(
        page.headers
            .get(header::CACHE_CONTROL)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.contains("no-store")),
        "personal: never cached"
    );
    let calendars: Vec<IcalCalendar> = ical::IcalParser::new(page.body.as_bytes())
        .collect::<Result<_, _>>()
        .unwrap_or_else(|e| panic!("parses as iCalendar: {e}\n{}", page.body));
    assert_eq!(calendars.len(), 1);
    calendars
}

fn value<'a>(event: &'a IcalEvent, name: &str) -> Option<&'a str> {
    event
        .properties
        .iter()
        .find(|p| p.name == name)
        .and_then(|p| p.value.as_deref())
}

/// RFC 5545's UTC form of a time: 20261201T010000Z.
fn utc(at: chrono::DateTime<chrono::Utc>) -> String {
    at.format("%Y%m%dT%H%M%SZ").to_string()
}

/// A demo resident with a session booked from now on: their phone, the case code and the
/// booking.
async fn booked_resident(
    portal: &Portal,
) -> Result<(String, String, booking::Model), common::Error> {
    let db = domain::db::connect(&portal.db_url).await?;
    for (b, case) in booking::Entity::find()
        .find_also_related(mediation_case::Entity)
        .filter(booking::Column::CancelledAt.is_null())
        .filter(booking::Column::StartsAt.gt(chrono::Utc::now()))
        .order_by_asc(booking::Column::Id)
        .all(&db)
        .await?
    {
        let Some(resident) = case.as_ref().and_then(|c| c.resident_id) else {
            continue;
        };
        if let Some(u) = user::Entity::find_by_id(resident).one(&db).await? {
            let code = case.map(|c| c.code).unwrap_or_default();
            return Ok((u.phone, code, b));
        }
    }
    Err("the demo has a resident with a session ahead".into())
}

/// The path of the calendar address shown on 我的, if any.
async fn address_on_me(browser: &mut Browser) -> Result<Option<String>, common::Error> {
    let me = browser.get("/me").await?;
    assert_eq!(me.status, StatusCode::OK);
    // The form posts to /api/calendar/address: the address is the one with a token.
    Ok(me.body.match_indices("/calendar/").find_map(|(start, _)| {
        let path = me.body.get(start..start + "/calendar/.ics".len() + 64)?;
        let token = path.strip_prefix("/calendar/")?.strip_suffix(".ics")?;
        token
            .bytes()
            .all(|b| b.is_ascii_hexdigit())
            .then(|| path.to_owned())
    }))
}

async fn post(browser: &mut Browser, action: &str) -> Result<Page, common::Error> {
    browser
        .post_form("/me", "/api/calendar/address", &[("action", action)])
        .await
}

#[test]
fn my_sessions_reach_my_phones_calendar_by_a_secret_address_i_can_change_and_turn_off() -> TestResult
{
    run(async {
        let portal = portal().await?;
        let (phone, code, booked) = booked_resident(&portal).await?;
        let mut resident = portal.sign_in(&phone, DEMO_PASSWORD).await?;
        assert_eq!(address_on_me(&mut resident).await?, None);
        let me = resident.get("/me").await?;
        assert!(me.body.contains("生成订阅地址"), "offered on 我的");

        let made = post(&mut resident, "make").await?;
        assert_eq!(made.status, StatusCode::FOUND);
        assert_eq!(made.location(), "/me?done=made#calendar");
        let first = address_on_me(&mut resident)
            .await?
            .ok_or("the address is shown on 我的")?;
        assert_eq!(first.len(), "/calendar/.ics".len() + 64, "{first}");

        // A calendar app brings no cookie.
        let feed = parse(&portal.browser().get(&first).await?);
        let events = &feed[0].events;
        let session = events
            .iter()
            .find(|e| {
                value(e, "UID").is_some_and(|u| u.starts_with(&format!("booking-{}@", booked.id)))
            })
            .ok_or("the booked session is in the feed")?;
        assert_eq!(
            value(session, "DTSTART"),
            Some(utc(booked.starts_at).as_str())
        );
        assert_eq!(value(session, "DTEND"), Some(utc(booked.ends_at).as_str()));
        assert!(
            value(session, "SUMMARY")
                .is_some_and(|s| s.starts_with("调解 · ") || s.starts_with("视频调解 · "))
        );
        assert!(value(session, "DESCRIPTION").is_some_and(|d| d.contains(&code)));
        assert!(
            value(session, "URL").is_some_and(|u| u.ends_with(&format!("/mediation/cases/{code}")))
        );
        assert_eq!(
            session.alarms.len(),
            2,
            "the evening before and two hours before"
        );
        assert!(
            !feed[0]
                .events
                .iter()
                .any(|e| value(e, "DESCRIPTION").is_some_and(|d| d.contains("138"))),
            "no phone numbers in a calendar"
        );

        // A new address: the old one stops working at once.
        post(&mut resident, "make").await?;
        let second = address_on_me(&mut resident).await?.ok_or("a new address")?;
        assert_ne!(first, second);
        assert_eq!(
            portal.browser().get(&first).await?.status,
            StatusCode::NOT_FOUND
        );
        parse(&portal.browser().get(&second).await?);

        // Turned off.
        let stopped = post(&mut resident, "stop").await?;
        assert_eq!(stopped.location(), "/me?done=stopped#calendar");
        assert_eq!(address_on_me(&mut resident).await?, None);
        assert_eq!(
            portal.browser().get(&second).await?.status,
            StatusCode::NOT_FOUND
        );

        // Guesses, malformed names and a forged form all get nothing.
        for path in [
            "/calendar/0000000000000000000000000000000000000000000000000000000000000000.ics",
            "/calendar/x.ics",
            "/calendar/..%2F..%2Fetc%2Fpasswd",
        ] {
            assert_eq!(
                portal.browser().get(path).await?.status,
                StatusCode::NOT_FOUND,
                "{path}"
            );
        }
        assert!(
            post(&mut resident, "steal")
                .await?
                .location()
                .contains("__err")
        );
        let mut visitor = portal.browser();
        assert!(
            post(&mut visitor, "make")
                .await?
                .location()
                .contains("__err")
        );
        assert!(address_on_me(&mut visitor).await?.is_none());
        Ok(())
    })
}

#[test]
fn a_session_and_a_shift_download_as_one_event_for_those_who_may_see_them() -> TestResult {
    run(async {
        let portal = portal().await?;
        let (phone, code, booked) = booked_resident(&portal).await?;
        let path = format!("/mediation/cases/{code}/session.ics");
        let mut resident = portal.sign_in(&phone, DEMO_PASSWORD).await?;
        let case_page = resident.get(&format!("/mediation/cases/{code}")).await?;
        assert!(case_page.body.contains(&path), "linked from the case page");
        let one = parse(&resident.get(&path).await?);
        assert_eq!(one[0].events.len(), 1);
        assert_eq!(
            value(&one[0].events[0], "DTSTART"),
            Some(utc(booked.starts_at).as_str())
        );

        // In the reader's language.
        resident.cookies.insert("lang".into(), "en".into());
        let english = parse(&resident.get(&path).await?);
        assert!(
            value(&english[0].events[0], "SUMMARY").is_some_and(
                |s| s.starts_with("Mediation · ") || s.starts_with("Video mediation · ")
            ),
            "{:?}",
            value(&english[0].events[0], "SUMMARY")
        );

        let mut stranger = portal.sign_in("13900000401", DEMO_PASSWORD).await?;
        assert_eq!(stranger.get(&path).await?.status, StatusCode::NOT_FOUND);
        assert_eq!(
            portal.browser().get(&path).await?.status,
            StatusCode::UNAUTHORIZED
        );

        // A volunteer's shift.
        let db = domain::db::connect(&portal.db_url).await?;
        let (signup, s) = shift_signup::Entity::find()
            .find_also_related(shift::Entity)
            .filter(shift_signup::Column::WithdrawnAt.is_null())
            .filter(shift::Column::StartsAt.gt(chrono::Utc::now()))
            .one(&db)
            .await?
            .and_then(|(signup, s)| s.map(|s| (signup, s)))
            .ok_or("the demo has a volunteer signed up for a shift ahead")?;
        let volunteer = user::Entity::find_by_id(signup.user_id)
            .one(&db)
            .await?
            .ok_or("the volunteer")?;
        let mut volunteer = portal.sign_in(&volunteer.phone, DEMO_PASSWORD).await?;
        let shift_path = format!("/volunteers/shifts/{}/shift.ics", s.id);
        assert!(
            volunteer
                .get("/volunteers")
                .await?
                .body
                .contains(&shift_path)
        );
        let shift = parse(&volunteer.get(&shift_path).await?);
        let event = &shift[0].events[0];
        assert_eq!(value(event, "DTSTART"), Some(utc(s.starts_at).as_str()));
        assert_eq!(value(event, "LOCATION"), Some(s.place.as_str()));
        assert_eq!(event.alarms.len(), 1, "a day before");
        assert_eq!(
            stranger.get(&shift_path).await?.status,
            StatusCode::NOT_FOUND
        );
        Ok(())
    })
}
