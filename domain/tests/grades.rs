//! 三色 and the graded response ("初次教育 — 二次训诫 — 三次拘留"), on whichever engine
//! TEST_DATABASE_URL names: officers mark a case as 情感类 or 家暴类 and record the steps
//! applied, each once per case however many record it at once; the rules for the day; the
//! colours board shows the furthest step a household reached; nobody but officers may.

use std::error::Error as StdError;
use std::sync::Arc;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use domain::accounts::{Account, Role};
use domain::casework::grades::{self, Concern, Grade};
use domain::casework::{self, NewCase, colours};
use domain::testing::{assert_forbidden as forbidden, assert_refused, person};
use domain::time::at_local;
use domain::{DatabaseConnection, testing};
use tokio::sync::Barrier;

type TestResult = Result<(), Box<dyn StdError>>;

fn day0() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 12, 1).expect("a date")
}

fn at(days: i64) -> DateTime<Utc> {
    at_local(day0() + Duration::days(days), 9 * 60).expect("a local time")
}

fn refused<T: std::fmt::Debug>(result: domain::Result<T>, code: &str) {
    assert_refused(result, code, casework::REFUSAL_CODES);
}

async fn case(
    db: &DatabaseConnection,
    officer: &Account,
    household: &str,
    when: i64,
) -> domain::Result<String> {
    Ok(casework::open(
        db,
        officer,
        NewCase {
            kind: casework::Kind::Phone.as_str().to_owned(),
            title: "夫妻争吵求助".to_owned(),
            summary: String::new(),
            contact_name: "邻居".to_owned(),
            contact_phone: String::new(),
            community_id: None,
            household: household.to_owned(),
        },
        at(when),
    )
    .await?
    .code)
}

#[tokio::test]
async fn officers_record_the_steps_once_each_and_the_household_shows_the_furthest() -> TestResult {
    let db = testing::fresh_db().await?;
    let then = at(-60);
    let officer = person(&db, "13800000001", &[Role::Officer], None, None, then).await?;
    let resident = person(&db, "13800000002", &[Role::Resident], None, None, then).await?;
    let household = "海晏花园 5幢302";
    let first = case(&db, &officer, household, -40).await?;
    let second = case(&db, &officer, household, -10).await?;

    refused(
        grades::record_grade(&db, &officer, &first, Grade::Education, day0(), at(0)).await,
        "case-grade-needs-concern",
    );
    forbidden(grades::set_concern(&db, &resident, &first, Some(Concern::Domestic), at(0)).await);
    grades::set_concern(&db, &officer, &first, Some(Concern::Emotional), at(0)).await?;
    grades::set_concern(&db, &officer, &first, Some(Concern::Domestic), at(0)).await?;
    grades::set_concern(&db, &officer, &second, Some(Concern::Domestic), at(0)).await?;
    forbidden(grades::record_grade(&db, &resident, &first, Grade::Education, day0(), at(0)).await);
    let opened = day0() - Duration::days(40);
    refused(
        grades::record_grade(
            &db,
            &officer,
            &first,
            Grade::Education,
            opened - Duration::days(1),
            at(0),
        )
        .await,
        "case-grade-date-invalid",
    );
    refused(
        grades::record_grade(
            &db,
            &officer,
            &first,
            Grade::Education,
            day0() + Duration::days(1),
            at(0),
        )
        .await,
        "case-grade-date-invalid",
    );

    // Eight officers' clicks on the same step at once record it once.
    let barrier = Arc::new(Barrier::new(8));
    let mut racers = Vec::new();
    for _ in 0..8 {
        let (db, officer, first, barrier) =
            (db.clone(), officer.clone(), first.clone(), barrier.clone());
        racers.push(tokio::spawn(async move {
            barrier.wait().await;
            grades::record_grade(&db, &officer, &first, Grade::Education, opened, at(0)).await
        }));
    }
    let mut recorded = 0;
    for racer in racers {
        match racer.await? {
            Ok(()) => recorded += 1,
            Err(domain::Error::Invalid("case-grade-recorded")) => {}
            Err(e) => return Err(e.into()),
        }
    }
    assert_eq!(recorded, 1);
    let second_day = day0() - Duration::days(8);
    grades::record_grade(&db, &officer, &second, Grade::Admonition, second_day, at(0)).await?;

    let response = grades::of_case(&db, {
        let detail = casework::detail(&db, &officer, &first, at(0)).await?;
        detail.case.id
    })
    .await?;
    assert_eq!(response.concern, Some(Concern::Domestic));
    assert_eq!(response.grades, [(Grade::Education, opened)]);
    refused(
        grades::set_concern(&db, &officer, &first, None, at(0)).await,
        "case-concern-has-grades",
    );

    let board = colours::households(&db, &officer, Duration::days(90), at(0)).await?;
    let seen = board
        .iter()
        .find(|h| h.household == household)
        .ok_or("the household is coloured: two cases")?;
    assert_eq!(seen.grade, Some((Grade::Admonition, second_day)));
    Ok(())
}
