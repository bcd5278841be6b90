//! 护苗队 over HTTP as a phone without JavaScript uses it, on the demo's 招宝好管家护苗队: its
//! leader publishes the 护学 duty once for every school day, by the plain shift form; a
//! volunteer of the squad sees each day's duty at 镇海中学's gate; an admin keeps the school
//! calendar, and a refused date says why in Chinese and changes nothing. Runs on SQLite, or
//! PostgreSQL when TEST_DATABASE_URL says so.

mod common;

use axum::http::StatusCode;
use chrono::Duration;
use common::{TestResult, portal, run};
use domain::demo::{DEMO_PASSWORD, SCHOOL_LEADER_PHONE, SCHOOL_SQUAD, SCHOOL_VOLUNTEER_PHONE};
use domain::entities::{school_term, shift, squad};
use domain::time::local_date;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};

#[test]
fn a_leader_publishes_the_duty_for_every_school_day_by_one_form() -> TestResult {
    run(async {
        let portal = portal().await?;
        let db = domain::db::connect(&portal.db_url).await?;
        let squad = squad::Entity::find()
            .filter(squad::Column::Name.eq(SCHOOL_SQUAD))
            .one(&db)
            .await?
            .ok_or("护苗队")?;
        let mut leader = portal.sign_in(SCHOOL_LEADER_PHONE, DEMO_PASSWORD).await?;
        let form = leader.get("/volunteers/lead").await?;
        assert!(
            form.body.contains("护校/护学：每个上学日重复"),
            "{}",
            form.body
        );
        assert!(
            form.body.contains("招宝好管家护苗队 → 镇海中学"),
            "the squad's gate"
        );

        let today = local_date(chrono::Utc::now());
        let first = today + Duration::days(1);
        // Half a year less a day: the longest a leader publishes at once, and long enough
        // to reach a term from any day of the year.
        let until = first + Duration::weeks(26) - Duration::days(1);
        let titled = || {
            shift::Entity::find()
                .filter(shift::Column::Title.eq("护学岗（放学）"))
                .count(&db)
        };
        let fields = |until: String| {
            vec![
                ("shift[squad]", squad.id.to_string()),
                ("shift[kind]", "shift".to_owned()),
                ("shift[title]", "护学岗（放学）".to_owned()),
                ("shift[place]", "镇海中学东门".to_owned()),
                ("shift[day]", first.to_string()),
                ("shift[start]", "16:30".to_owned()),
                ("shift[end]", "17:10".to_owned()),
                ("shift[min_capacity]", "2".to_owned()),
                ("shift[max_capacity]", "4".to_owned()),
                ("shift[deadline_hours]", "12".to_owned()),
                ("shift[weeks]", "1".to_owned()),
                ("shift[notes]", String::new()),
                ("shift[school_days]", "on".to_owned()),
                ("shift[until]", until),
            ]
        };

        // A year ahead is a typing slip: refused in words, nothing published.
        let far = fields((first + Duration::weeks(52)).to_string());
        let refs: Vec<(&str, &str)> = far.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let page = leader
            .post_form("/volunteers/lead", "/api/volunteers/publish", &refs)
            .await?;
        assert!(page.location().contains("__err="), "{page:?}");
        assert_eq!(titled().await?, 0);

        let good = fields(until.to_string());
        let refs: Vec<(&str, &str)> = good.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let page = leader
            .post_form("/volunteers/lead", "/api/volunteers/publish", &refs)
            .await?;
        assert_eq!(
            page.location(),
            "/volunteers/lead?done=published",
            "{page:?}"
        );
        let calendar = domain::volunteers::school::calendar(&db).await?;
        let school_days = calendar.school_days(first, until);
        assert!(!school_days.is_empty());
        assert_eq!(titled().await?, school_days.len() as u64);

        // A volunteer of the squad sees the duty at the school's gate.
        let mut volunteer = portal
            .sign_in(SCHOOL_VOLUNTEER_PHONE, DEMO_PASSWORD)
            .await?;
        let page = volunteer.get("/volunteers").await?;
        assert!(page.body.contains("护学岗 · 镇海中学"), "{}", page.body);
        Ok(())
    })
}

#[test]
fn an_admin_keeps_the_school_calendar() -> TestResult {
    run(async {
        let portal = portal().await?;
        let db = domain::db::connect(&portal.db_url).await?;
        domain::accounts::add_user(
            &db,
            "13700000903",
            Some("term-admin-2026"),
            &[domain::accounts::Role::Admin],
            chrono::Utc::now(),
        )
        .await?;
        let mut admin = portal.sign_in("13700000903", "term-admin-2026").await?;
        let page = admin.get("/admin/school-calendar").await?;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.body.contains("秋季学期") && page.body.contains("国庆节"));
        let terms = || school_term::Entity::find().count(&db);
        let before = terms().await?;

        let page = admin
            .post_form(
                "/admin/school-calendar",
                "/api/admin/school-calendar/term",
                &[
                    ("name", "2027 秋季学期"),
                    ("from", "2028-01-22"),
                    ("to", "2027-09-01"),
                ],
            )
            .await?;
        assert!(page.location().contains("__err="), "{page:?}");
        let back = admin.follow(&page).await?;
        assert!(back.body.contains("一个学期不超过 200 天"), "{}", back.body);
        assert_eq!(terms().await?, before);

        let page = admin
            .post_form(
                "/admin/school-calendar",
                "/api/admin/school-calendar/term",
                &[
                    ("name", "2027 秋季学期"),
                    ("from", "2027-09-01"),
                    ("to", "2028-01-21"),
                ],
            )
            .await?;
        assert_eq!(page.location(), "/admin/school-calendar?done=term");
        assert_eq!(terms().await?, before + 1);
        // One day off needs no last day.
        let page = admin
            .post_form(
                "/admin/school-calendar",
                "/api/admin/school-calendar/holiday",
                &[("name", "校庆"), ("from", "2027-11-12"), ("to", "")],
            )
            .await?;
        assert_eq!(page.location(), "/admin/school-calendar?done=holiday");
        let page = admin.get("/admin/school-calendar").await?;
        assert!(page.body.contains("2027-11-12 校庆"), "{}", page.body);

        // The leader of the squad keeps duties, not the calendar.
        let mut leader = portal.sign_in(SCHOOL_LEADER_PHONE, DEMO_PASSWORD).await?;
        assert_eq!(
            leader.get("/admin/school-calendar").await?.status,
            StatusCode::FORBIDDEN
        );
        Ok(())
    })
}
