//! Accounts over HTTP as a phone browser without JavaScript uses them: forms, cookies,
//! redirects. Runs on SQLite, or PostgreSQL when TEST_DATABASE_URL says so.

mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use common::{Browser, TestResult, portal, run};

const PHONE: &str = "13812341234";
const PASSWORD: &str = "haitian-xiongzhen";

async fn register(browser: &mut Browser) -> Result<common::Page, common::Error> {
    browser
        .post_form(
            "/register",
            "/api/register",
            &[
                ("phone", PHONE),
                ("password", PASSWORD),
                ("community", "3"),
                ("compound", "13"),
                ("consent", "on"),
            ],
        )
        .await
}

#[test]
fn register_then_see_my_community_and_masked_phone() -> TestResult {
    run(async {
        let portal = portal().await?;
        let mut browser = portal.browser();
        let page = register(&mut browser).await?;
        assert_eq!(page.status, StatusCode::FOUND, "{}", page.body);
        assert_eq!(
            page.location(),
            "/communities/3",
            "straight to my community's page"
        );
        assert!(browser.cookies.contains_key("sid"), "signed in");
        let me = browser.get("/me").await?;
        assert!(
            me.body.contains("138****1234"),
            "masked phone on my account"
        );
        assert!(!me.body.contains(PHONE), "never the full number in a page");
        assert!(me.body.contains("城东社区"));
        let data = browser.get("/me/data.json").await?;
        assert_eq!(data.status, StatusCode::OK);
        assert!(data.headers.get(header::CONTENT_DISPOSITION).is_some());
        let json: serde_json::Value = serde_json::from_str(&data.body)?;
        assert_eq!(
            json["account"]["phone"], PHONE,
            "the owner gets the full number"
        );
        assert_eq!(
            json["consent"]["privacy_notice_version"],
            app::accounts::PRIVACY_NOTICE_VERSION
        );
        Ok(())
    })
}

#[test]
fn bad_registrations_explain_themselves_and_change_nothing() -> TestResult {
    run(async {
        let portal = portal().await?;
        let mut browser = portal.browser();
        let page = browser
            .post_form(
                "/register",
                "/api/register",
                &[
                    ("phone", PHONE),
                    ("password", "12345678"),
                    ("community", "3"),
                    ("consent", "on"),
                ],
            )
            .await?;
        assert!(
            page.location().contains("__path=%2Fapi%2Fregister")
                && page.location().contains("__err="),
            "{}",
            page.location()
        );
        assert!(!browser.cookies.contains_key("sid"));
        let back = browser
            .get(page.location().trim_start_matches("http://127.0.0.1:3000"))
            .await?;
        assert!(
            back.body.contains("这个密码太容易被猜到"),
            "the reason, in Chinese"
        );
        let page = browser
            .post_form(
                "/register",
                "/api/register",
                &[("phone", PHONE), ("password", PASSWORD), ("community", "3")],
            )
            .await?;
        let back = browser
            .get(page.location().trim_start_matches("http://127.0.0.1:3000"))
            .await?;
        assert!(
            back.body.contains("请阅读并勾选同意隐私说明"),
            "consent is required"
        );
        assert!(
            browser
                .post_form(
                    "/login",
                    "/api/login",
                    &[("phone", PHONE), ("password", PASSWORD)]
                )
                .await?
                .location()
                .contains("__err="),
            "no account was made"
        );
        Ok(())
    })
}

#[test]
fn login_wrong_password_and_throttling() -> TestResult {
    run(async {
        let portal = portal().await?;
        register(&mut portal.browser()).await?;
        let mut browser = portal.browser();
        let page = browser
            .post_form(
                "/login",
                "/api/login",
                &[("phone", PHONE), ("password", "wrong-one")],
            )
            .await?;
        assert!(page.location().contains("__err="));
        assert!(!browser.cookies.contains_key("sid"));
        for _ in 0..5 {
            browser
                .post_form(
                    "/login",
                    "/api/login",
                    &[("phone", PHONE), ("password", "wrong-one")],
                )
                .await?;
        }
        let page = browser
            .post_form(
                "/login",
                "/api/login",
                &[("phone", PHONE), ("password", PASSWORD)],
            )
            .await?;
        assert!(
            !browser.cookies.contains_key("sid"),
            "even the right password waits after 6 failures a minute"
        );
        let back = browser
            .get(page.location().trim_start_matches("http://127.0.0.1:3000"))
            .await?;
        assert!(back.body.contains("尝试太频繁了"), "a clear message");
        let mut elsewhere = portal.browser();
        elsewhere.address = "127.0.0.2:50000".parse().ok();
        let page = elsewhere
            .post_form(
                "/login",
                "/api/login",
                &[("phone", PHONE), ("password", PASSWORD)],
            )
            .await?;
        assert_eq!(page.location(), "/me", "another address is not blocked");
        assert!(elsewhere.cookies.contains_key("sid"));
        Ok(())
    })
}

#[test]
fn state_changes_without_a_valid_csrf_token_are_refused() -> TestResult {
    run(async {
        let portal = portal().await?;
        let mut browser = portal.browser();
        browser.get("/login").await?;
        let form = |token: &str| {
            Request::post("/api/register")
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(Body::from(format!(
                    "csrf={token}&phone={PHONE}&password={PASSWORD}&community=3&consent=on"
                )))
        };
        let page = browser.send(form("")?).await?;
        assert_eq!(page.status, StatusCode::FORBIDDEN);
        assert!(page.body.contains("请返回上一页，刷新后再试一次"));
        assert_eq!(
            browser.send(form(&"0".repeat(64))?).await?.status,
            StatusCode::FORBIDDEN
        );
        let token = browser.csrf();
        let mut cross_site = form(&token)?;
        cross_site
            .headers_mut()
            .insert("sec-fetch-site", "cross-site".parse()?);
        assert_eq!(
            browser.send(cross_site).await?.status,
            StatusCode::FORBIDDEN,
            "another site's page"
        );
        let mut stranger = portal.browser();
        assert_eq!(
            stranger.send(form(&token)?).await?.status,
            StatusCode::FORBIDDEN,
            "a token without its cookie"
        );
        assert!(
            !browser.cookies.contains_key("sid") && !stranger.cookies.contains_key("sid"),
            "nobody registered"
        );
        let page = browser.send(form(&token)?).await?;
        assert!(
            page.status.is_success() || page.status.is_redirection(),
            "the right token passes: {}",
            page.status
        );
        assert!(browser.cookies.contains_key("sid"));
        Ok(())
    })
}

#[test]
fn officer_functions_refuse_residents_and_visitors() -> TestResult {
    run(async {
        let portal = portal().await?;
        let mut visitor = portal.browser();
        let page = visitor.post_form("/", "/api/staff/residents", &[]).await?;
        assert!(page.location().contains("__err="), "a visitor is refused");
        let json = |browser: &Browser| {
            Request::post("/api/staff/residents")
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .header("x-csrf-token", browser.csrf())
                .body(Body::empty())
        };
        assert_eq!(
            visitor.send(json(&visitor)?).await?.status,
            StatusCode::UNAUTHORIZED
        );
        let mut resident = portal.browser();
        register(&mut resident).await?;
        assert_eq!(
            resident.send(json(&resident)?).await?.status,
            StatusCode::FORBIDDEN
        );
        assert_eq!(
            resident.get("/admin").await?.status,
            StatusCode::FORBIDDEN,
            "nor the staff page"
        );

        let db = domain::db::connect(&portal.db_url).await?;
        domain::accounts::add_user(
            &db,
            "13700000001",
            Some(PASSWORD),
            &[domain::accounts::Role::Officer],
            chrono::Utc::now(),
        )
        .await?;
        let mut officer = portal.browser();
        officer
            .post_form(
                "/login",
                "/api/login",
                &[("phone", "13700000001"), ("password", PASSWORD)],
            )
            .await?;
        let page = officer.send(json(&officer)?).await?;
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);
        assert!(page.body.contains("城东社区"));
        Ok(())
    })
}

#[test]
fn logout_ends_the_session_on_the_server() -> TestResult {
    run(async {
        let portal = portal().await?;
        let mut browser = portal.browser();
        register(&mut browser).await?;
        let stolen = browser.cookies.clone();
        let page = browser.post_form("/me", "/api/logout", &[]).await?;
        assert_eq!(page.location(), "/");
        assert!(!browser.cookies.contains_key("sid"));
        let mut thief = portal.browser();
        thief.cookies = stolen;
        assert_eq!(
            thief.get("/me/data.json").await?.status,
            StatusCode::UNAUTHORIZED,
            "the old cookie is worthless"
        );
        assert!(!thief.get("/me").await?.body.contains("138****1234"));
        Ok(())
    })
}

#[test]
fn a_session_from_one_process_works_in_another() -> TestResult {
    run(async {
        let portal = portal().await?;
        let mut browser = portal.browser();
        register(&mut browser).await?;
        let mut same_person_elsewhere = browser.on(portal.second_process().await?);
        let me = same_person_elsewhere.get("/me").await?;
        assert!(
            me.body.contains("138****1234"),
            "the second process knows the session"
        );
        let page = same_person_elsewhere
            .post_form("/me", "/api/logout", &[])
            .await?;
        assert_eq!(page.location(), "/");
        assert!(
            !browser.get("/me").await?.body.contains("138****1234"),
            "and its sign-out counts in the first"
        );
        Ok(())
    })
}

#[test]
fn change_password_and_delete_account() -> TestResult {
    run(async {
        let portal = portal().await?;
        let mut browser = portal.browser();
        register(&mut browser).await?;
        let page = browser
            .post_form(
                "/me",
                "/api/change-password",
                &[("old", "nope-nope"), ("new", "zhenhai-2026-haifang")],
            )
            .await?;
        assert!(page.location().contains("__err="));
        let page = browser
            .post_form(
                "/me",
                "/api/change-password",
                &[("old", PASSWORD), ("new", "zhenhai-2026-haifang")],
            )
            .await?;
        assert_eq!(page.location(), "/me?done=password");
        let page = browser
            .post_form("/me", "/api/delete-account", &[("password", "wrong-one")])
            .await?;
        assert!(
            page.location().contains("__err="),
            "deletion needs the password"
        );
        let page = browser
            .post_form(
                "/me",
                "/api/delete-account",
                &[("password", "zhenhai-2026-haifang")],
            )
            .await?;
        assert_eq!(page.location(), "/?done=deleted");
        let mut again = portal.browser();
        let page = again
            .post_form(
                "/login",
                "/api/login",
                &[("phone", PHONE), ("password", "zhenhai-2026-haifang")],
            )
            .await?;
        assert!(page.location().contains("__err="), "the account is gone");
        Ok(())
    })
}

#[test]
fn an_admin_adds_an_officer_from_the_admin_page() -> TestResult {
    run(async {
        let portal = portal().await?;
        let db = domain::db::connect(&portal.db_url).await?;
        domain::accounts::add_user(
            &db,
            "13700000002",
            Some(PASSWORD),
            &[domain::accounts::Role::Admin],
            chrono::Utc::now(),
        )
        .await?;
        let mut admin = portal.browser();
        admin
            .post_form(
                "/login",
                "/api/login",
                &[("phone", "13700000002"), ("password", PASSWORD)],
            )
            .await?;
        let page = admin.get("/admin").await?;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.body.contains("13700000002"), "admins see full numbers");
        let page = admin
            .post_form(
                "/admin",
                "/api/admin/add-user",
                &[
                    ("phone", "13700000003"),
                    ("password", PASSWORD),
                    ("role", "officer"),
                ],
            )
            .await?;
        assert_eq!(page.location(), "/admin?done=user");
        let mut officer = portal.browser();
        let page = officer
            .post_form(
                "/login",
                "/api/login",
                &[("phone", "13700000003"), ("password", PASSWORD)],
            )
            .await?;
        assert_eq!(page.location(), "/me");
        let page = officer.get("/admin").await?;
        assert_eq!(page.status, StatusCode::OK, "officers see their figures…");
        assert!(
            page.body.contains("各社区注册居民") && !page.body.contains("13700000002"),
            "…but not the accounts"
        );

        let page = admin
            .post_form(
                "/admin",
                "/api/admin/revoke-role",
                &[("phone", "13700000002"), ("role", "admin")],
            )
            .await?;
        assert!(
            page.location().contains("__err="),
            "an admin keeps their own admin role"
        );
        let page = admin
            .post_form(
                "/admin",
                "/api/admin/revoke-role",
                &[("phone", "13700000003"), ("role", "officer")],
            )
            .await?;
        assert_eq!(page.location(), "/admin?done=user");
        let officer_id = domain::accounts::find_by_phone(&db, "13700000003")
            .await?
            .ok_or("added")?
            .id;
        assert!(
            domain::accounts::roles_of(&db, officer_id)
                .await?
                .is_empty(),
            "the role is taken back"
        );

        let mut resident = portal.browser();
        register(&mut resident).await?;
        let page = resident
            .post_form(
                "/admin",
                "/api/admin/add-user",
                &[("phone", PHONE), ("role", "admin")],
            )
            .await?;
        assert!(
            page.location().contains("__err="),
            "a resident cannot make themselves admin"
        );
        let me = domain::accounts::find_by_phone(&db, PHONE)
            .await?
            .ok_or("registered")?;
        assert_eq!(
            domain::accounts::roles_of(&db, me.id).await?,
            vec![domain::accounts::Role::Resident]
        );
        Ok(())
    })
}

/// The page a refused form comes back to, in the browser's language.
async fn refusal(browser: &mut Browser, page: &common::Page) -> Result<String, common::Error> {
    assert!(page.location().contains("__err="), "{}", page.location());
    let back = browser
        .get(page.location().trim_start_matches("http://127.0.0.1:3000"))
        .await?;
    Ok(back.body)
}

/// Ages every recorded password failure by two hours, as if the person had waited.
async fn wait_out_the_limits(db: &domain::DatabaseConnection) -> TestResult {
    use domain::entities::login_attempt;
    use sea_orm::{ActiveModelTrait, ActiveValue::Set, EntityTrait, IntoActiveModel};
    for attempt in login_attempt::Entity::find().all(db).await? {
        let at = attempt.at - chrono::Duration::hours(2);
        let mut older = attempt.into_active_model();
        older.at = Set(at);
        older.update(db).await?;
    }
    Ok(())
}

#[test]
fn wrong_passwords_to_change_the_password_meet_the_sign_in_limit() -> TestResult {
    run(async {
        let portal = portal().await?;
        let db = domain::db::connect(&portal.db_url).await?;
        let mut browser = portal.browser();
        register(&mut browser).await?;
        let new = [("old", PASSWORD), ("new", "zhenhai-2026-haifang")];
        for guess in 0..domain::accounts::MAX_FAILURES_PER_ACCOUNT_HOUR {
            // From a new address each time: the account's own limit is what counts here.
            browser.address = format!("127.0.1.{guess}:50000").parse().ok();
            let page = browser
                .post_form(
                    "/me",
                    "/api/change-password",
                    &[("old", "nope-nope"), ("new", "zhenhai-2026-haifang")],
                )
                .await?;
            let body = refusal(&mut browser, &page).await?;
            assert!(body.contains("密码不对"), "guess {guess} is just wrong");
        }
        browser.address = "127.0.2.1:50000".parse().ok();
        let page = browser
            .post_form("/me", "/api/change-password", &new)
            .await?;
        assert!(
            refusal(&mut browser, &page)
                .await?
                .contains("这个账号密码错误次数太多"),
            "even the right password waits once the limit is met"
        );
        browser.cookies.insert("lang".into(), "en".into());
        let page = browser
            .post_form("/me", "/api/change-password", &new)
            .await?;
        assert!(
            refusal(&mut browser, &page)
                .await?
                .contains("Too many wrong passwords for this account"),
            "and says so in English"
        );
        let mut thief = portal.browser();
        let page = thief
            .post_form(
                "/login",
                "/api/login",
                &[("phone", PHONE), ("password", PASSWORD)],
            )
            .await?;
        assert!(
            page.location().contains("__err="),
            "the guesses count against sign-in too"
        );

        wait_out_the_limits(&db).await?;
        let page = browser
            .post_form("/me", "/api/change-password", &new)
            .await?;
        assert_eq!(
            page.location(),
            "/me?done=password",
            "an hour later it works"
        );
        Ok(())
    })
}

#[test]
fn wrong_passwords_to_delete_the_account_meet_the_sign_in_limit() -> TestResult {
    run(async {
        let portal = portal().await?;
        let db = domain::db::connect(&portal.db_url).await?;
        let mut browser = portal.browser();
        register(&mut browser).await?;
        for guess in 0..domain::accounts::MAX_FAILURES_PER_ADDRESS_MINUTE {
            let page = browser
                .post_form("/me", "/api/delete-account", &[("password", "wrong-one")])
                .await?;
            let body = refusal(&mut browser, &page).await?;
            assert!(body.contains("密码不对"), "guess {guess} is just wrong");
        }
        let page = browser
            .post_form("/me", "/api/delete-account", &[("password", PASSWORD)])
            .await?;
        assert!(
            refusal(&mut browser, &page).await?.contains("尝试太频繁了"),
            "one address guessing fast is stopped"
        );
        browser.cookies.insert("lang".into(), "en".into());
        let page = browser
            .post_form("/me", "/api/delete-account", &[("password", PASSWORD)])
            .await?;
        assert!(
            refusal(&mut browser, &page)
                .await?
                .contains("Too many attempts; please wait a minute."),
            "in English too"
        );
        assert!(
            domain::accounts::find_by_phone(&db, PHONE).await?.is_some(),
            "the account is still there"
        );

        wait_out_the_limits(&db).await?;
        let page = browser
            .post_form("/me", "/api/delete-account", &[("password", PASSWORD)])
            .await?;
        assert_eq!(page.location(), "/?done=deleted", "after the wait it works");
        assert!(domain::accounts::find_by_phone(&db, PHONE).await?.is_none());
        Ok(())
    })
}

#[test]
fn registering_a_taken_number_is_refused_as_taken() -> TestResult {
    run(async {
        let portal = portal().await?;
        register(&mut portal.browser()).await?;
        let mut again = portal.browser();
        let page = register(&mut again).await?;
        assert!(
            refusal(&mut again, &page)
                .await?
                .contains("这个手机号已经注册"),
            "the number is taken"
        );
        assert!(!again.cookies.contains_key("sid"));
        Ok(())
    })
}

#[test]
fn twenty_sign_ins_at_once_each_get_their_own_answer() -> TestResult {
    run(async {
        let portal = portal().await?;
        let db = domain::db::connect(&portal.db_url).await?;
        let phones: Vec<String> = (0..10).map(|i| format!("1370000{i:04}")).collect();
        for phone in &phones {
            domain::accounts::add_user(
                &db,
                phone,
                Some(PASSWORD),
                &[domain::accounts::Role::Resident],
                chrono::Utc::now(),
            )
            .await?;
        }
        let mut tries = Vec::new();
        for (i, phone) in phones.iter().enumerate() {
            for right in [true, false] {
                let mut browser = portal.browser();
                browser.address = format!("127.0.3.{}:50000", 2 * i + usize::from(right))
                    .parse()
                    .ok();
                let phone = phone.clone();
                tries.push(tokio::spawn(async move {
                    let password = if right { PASSWORD } else { "not-the-password" };
                    let page = browser
                        .post_form(
                            "/login",
                            "/api/login",
                            &[("phone", phone.as_str()), ("password", password)],
                        )
                        .await
                        .map_err(|e| e.to_string())?;
                    Ok::<_, String>((right, page.location().to_owned(), browser))
                }));
            }
        }
        for attempt in tries {
            let (right, location, mut browser) = attempt.await??;
            if right {
                assert_eq!(location, "/me", "the right password signs in");
                assert!(browser.get("/me").await?.body.contains("137****"));
            } else {
                assert!(location.contains("__err="), "{location}");
                assert!(!browser.cookies.contains_key("sid"));
            }
        }
        Ok(())
    })
}

/// The account behind `phone`, as the domain sees it.
async fn account_of(
    db: &domain::DatabaseConnection,
    phone: &str,
) -> Result<domain::accounts::Account, common::Error> {
    let user = domain::accounts::find_by_phone(db, phone)
        .await?
        .ok_or_else(|| format!("no account {phone}"))?;
    let roles = domain::accounts::roles_of(db, user.id).await?;
    Ok(domain::accounts::Account { user, roles })
}

const NEIGHBOUR: &str = "13811112222";

#[test]
fn my_data_holds_everything_i_did_and_nothing_of_anyone_else() -> TestResult {
    use chrono::{Duration, Utc};
    use domain::demo::OFFICER_PHONE;
    use domain::entities::{mediation_room, post, shift, shift_signup};
    use domain::{mediation, notices, teahouse, volunteers};
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
    run(async {
        let portal = portal().await?;
        let db = domain::db::connect(&portal.db_url).await?;
        let mut browser = portal.browser();
        register(&mut browser).await?;
        let now = Utc::now();
        let me = account_of(&db, PHONE).await?;
        let neighbour = domain::accounts::register(
            &db,
            domain::accounts::Registration {
                phone: NEIGHBOUR.into(),
                password: PASSWORD.into(),
                community_id: Some(3),
                compound_id: None,
                consent: true,
                notice_version: "2026-11-29".into(),
                code: None,
            },
            now,
        )
        .await?;
        let leader = account_of(&db, "13900000302").await?;
        let officer = account_of(&db, OFFICER_PHONE).await?;

        // 你点我调: a video mediation with the neighbour upstairs, booked, and a chat line.
        let room_id = mediation_room::Entity::find()
            .filter(mediation_room::Column::ParentId.is_null())
            .one(&db)
            .await?
            .ok_or("the main mediation room")?
            .id;
        let case = mediation::request(
            &db,
            &me,
            mediation::CaseRequest {
                dispute_type: "neighbours".into(),
                account: "楼上漏水，把我家厨房的天花板泡坏了。".into(),
                other_party: "楼上住户".into(),
                other_phone: "13955556666".into(),
                mode: "video".into(),
                room_id,
                ..Default::default()
            },
            &mediation::Policy::default(),
            now,
        )
        .await?;
        let slot = mediation::schedule::free_slots(&db, room_id, now + Duration::days(1), now)
            .await?
            .into_iter()
            .next()
            .ok_or("a free slot")?;
        mediation::book(
            &db,
            &me,
            &case.code,
            slot.starts_at,
            &mediation::Policy::default(),
            now,
        )
        .await?;
        let in_the_room = mediation::video::Participant {
            case: case.clone(),
            part: mediation::video::Part::Resident,
            user_id: Some(me.user.id),
        };
        mediation::video::say(&db, &in_the_room, "我家厨房的照片我带来了", now).await?;

        // 老王帮帮团: applied, approved, on a shift last week with its hours written in.
        let application = volunteers::apply(
            &db,
            &me,
            volunteers::Application {
                squad_id: 2,
                name: "王小明".into(),
                hometown: "贵州 遵义".into(),
                dialects: "遵义话".into(),
                skills: "会开车".into(),
                availability: "周末晚上".into(),
                consent: true,
            },
            now,
        )
        .await?;
        volunteers::decide(&db, &leader, application.id, true, "", now).await?;
        let me = account_of(&db, PHONE).await?;
        let last_week = shift::Entity::find()
            .filter(shift::Column::SquadId.eq(2))
            .filter(shift::Column::EndsAt.lt(now))
            .filter(shift::Column::EndsAt.gt(now - volunteers::LATE_RECORD))
            .order_by_desc(shift::Column::EndsAt)
            .one(&db)
            .await?
            .ok_or("a shift a leader may still record")?;
        volunteers::add_to_roster(&db, &leader, last_week.id, me.user.id, now).await?;
        let signup = shift_signup::Entity::find()
            .filter(shift_signup::Column::ShiftId.eq(last_week.id))
            .filter(shift_signup::Column::UserId.eq(me.user.id))
            .one(&db)
            .await?
            .ok_or("on the roster")?;
        for (what, at) in [
            (volunteers::Attendance::CheckIn, last_week.starts_at),
            (volunteers::Attendance::CheckOut, last_week.ends_at),
        ] {
            volunteers::attend_at(&db, &leader, signup.id, what, at, now).await?;
        }

        // 老乡帮老乡: asked for help, and took the neighbour's request in my dialect.
        volunteers::help::ask(&db, &me, "温州话", "陪我去社保中心办手续", "", now).await?;
        let theirs = volunteers::help::ask(
            &db,
            &neighbour,
            "遵义话",
            "邻居的秘密需要：陪我去医院",
            "邻居家的地址",
            now,
        )
        .await?;
        volunteers::help::take(&db, &me, theirs.id, now).await?;
        volunteers::help::close(&db, &me, theirs.id, "已陪同办完", now).await?;

        // 警事茶楼: a thread of mine, hidden by an officer; a reply to the neighbour's thread;
        // a report of the neighbour's post.
        let board_id = teahouse::boards(&db, now)
            .await?
            .first()
            .ok_or("a board")?
            .board
            .id;
        let limits = teahouse::Limits::default();
        let neighbours = teahouse::start(
            &db,
            &neighbour,
            teahouse::NewThread {
                board_id,
                title: "邻居写的帖子标题".into(),
                body: "邻居写的帖子正文，别人的话".into(),
                community_id: None,
                anonymous: false,
                display_name: "老邻居".into(),
            },
            &limits,
            now,
        )
        .await?;
        let mine = teahouse::start(
            &db,
            &me,
            teahouse::NewThread {
                board_id,
                title: "我家楼道的灯坏了".into(),
                body: "我写的开帖正文".into(),
                community_id: None,
                anonymous: true,
                display_name: "小明".into(),
            },
            &limits,
            now,
        )
        .await?;
        let my_opening = post::Entity::find()
            .filter(post::Column::ThreadId.eq(mine.id))
            .one(&db)
            .await?
            .ok_or("the opening post")?;
        teahouse::moderation::act_on_post(
            &db,
            &officer,
            my_opening.id,
            teahouse::moderation::Action::Hide,
            "",
            now,
        )
        .await?;
        teahouse::reply(
            &db,
            &me,
            teahouse::NewReply {
                thread_id: neighbours.id,
                body: "我写的回复".into(),
                anonymous: false,
                display_name: "小明".into(),
            },
            &limits,
            now,
        )
        .await?;
        let their_post = post::Entity::find()
            .filter(post::Column::ThreadId.eq(neighbours.id))
            .filter(post::Column::IsOpening.eq(true))
            .one(&db)
            .await?
            .ok_or("the neighbour's post")?;
        teahouse::moderation::flag(&db, &me, their_post.id, "spam", "我的举报说明", now).await?;

        // 安全提示: a notice read.
        let notice = notices::active(&db, me.user.community_id, now)
            .await?
            .into_iter()
            .next()
            .ok_or("a notice in force")?;
        notices::mark_read(&db, me.user.id, notice.notice.id, now).await?;

        let page = browser.get("/me/data.json").await?;
        assert_eq!(page.status, StatusCode::OK);
        let data: serde_json::Value = serde_json::from_str(&page.body)?;
        let section = |name: &str| data[name].as_array().cloned().unwrap_or_default();
        let one = |name: &str| -> Result<serde_json::Value, common::Error> {
            let items = section(name);
            assert_eq!(items.len(), 1, "{name}: {items:?}");
            Ok(items[0].clone())
        };

        let mediation = one("mediation_cases")?;
        assert_eq!(mediation["code"], case.code.as_str());
        assert_eq!(mediation["other_phone"], "139****6666", "masked");
        assert!(
            !mediation["timeline"]
                .as_array()
                .unwrap_or(&vec![])
                .is_empty()
        );
        let booking = one("mediation_bookings")?;
        assert_eq!(booking["case"], case.code.as_str());
        assert_eq!(
            booking["starts_at"],
            serde_json::to_value(slot.starts_at)?,
            "times in ISO 8601"
        );
        assert!(
            chrono::DateTime::parse_from_rfc3339(booking["booked_at"].as_str().unwrap_or(""))
                .is_ok()
        );
        assert_eq!(one("video_chat_lines")?["said"], "我家厨房的照片我带来了");
        let kinds: Vec<_> = section("loop_cases")
            .iter()
            .map(|c| c["kind"].clone())
            .collect();
        assert_eq!(
            kinds,
            ["mediation", "help"],
            "the mediation and my help request"
        );

        let applied = one("volunteer_applications")?;
        assert_eq!(
            (&applied["dialects"], &applied["status"]),
            (&"遵义话".into(), &"approved".into())
        );
        assert_eq!(one("squad_memberships")?["name"], "王小明");
        let shift = one("shift_signups")?;
        assert_eq!(shift["shift"], last_week.title.as_str());
        let minutes = (last_week.ends_at - last_week.starts_at).num_minutes();
        assert_eq!(shift["minutes_credited"], minutes);
        assert_eq!(data["volunteer_minutes_total"], minutes);
        assert_eq!(one("help_requests_asked")?["need"], "陪我去社保中心办手续");
        let took = one("help_requests_taken")?;
        assert_eq!(
            (&took["status"], &took["my_closing_note"]),
            (&"closed".into(), &"已陪同办完".into())
        );

        let thread = one("teahouse_threads")?;
        assert_eq!(
            (&thread["title"], &thread["moderation"]),
            (&"我家楼道的灯坏了".into(), &"hidden".into())
        );
        let posts = section("teahouse_posts");
        assert_eq!(posts.len(), 2);
        assert!(
            posts
                .iter()
                .any(|p| p["body"] == "我写的开帖正文" && p["moderation"] == "hidden"),
            "hidden posts are mine too: {posts:?}"
        );
        assert!(posts.iter().any(|p| p["body"] == "我写的回复"));
        let report = one("teahouse_reports")?;
        assert_eq!(
            (&report["reason"], &report["note"]),
            (&"spam".into(), &"我的举报说明".into())
        );
        assert_eq!(one("notices_read")?["title"], notice.notice.title.as_str());

        for stranger in [
            NEIGHBOUR,
            "13955556666",
            leader.user.phone.as_str(),
            OFFICER_PHONE,
            "邻居的秘密需要",
            "邻居家的地址",
            "邻居写的帖子",
            "老邻居",
            "argon2",
        ] {
            assert!(
                !page.body.contains(stranger),
                "nothing of anyone else: {stranger}"
            );
        }
        Ok(())
    })
}

#[test]
fn the_inbox_is_read_twenty_messages_a_page_and_exported_whole() -> TestResult {
    run(async {
        let portal = portal().await?;
        let db = domain::db::connect(&portal.db_url).await?;
        let mut browser = portal.browser();
        register(&mut browser).await?;
        let me = account_of(&db, PHONE).await?;
        // Registering left a welcome, the newest message; 45 older ones come in, one a minute.
        let welcome = domain::inbox::all(&db, me.user.id).await?.len();
        assert_eq!(welcome, 1);
        let start = chrono::Utc::now() - chrono::Duration::hours(1);
        for n in 1..=45 {
            let at = start + chrono::Duration::minutes(n);
            let subject = format!("JT-2026-{n:06}");
            domain::inbox::send(&db, me.user.id, "inbox-case-booked", &subject, "/me", at).await?;
        }
        let listed = |body: &str| body.matches("JT-2026-0").count();

        let first = browser.get("/me/inbox").await?;
        assert_eq!(first.status, StatusCode::OK);
        assert_eq!(listed(&first.body), 19, "the welcome and 19 of them");
        assert!(first.body.contains("JT-2026-000045"), "the newest first");
        assert!(
            !first.body.contains("JT-2026-000026"),
            "the 21st is on the next page"
        );
        assert!(first.body.contains("1 / 3"), "{}", first.body);
        assert!(first.body.contains("href=\"/me/inbox?page=2\""));

        let last = browser.get("/me/inbox?page=3").await?;
        assert!(last.body.contains("JT-2026-000001") && last.body.contains("JT-2026-000006"));
        assert!(!last.body.contains("JT-2026-000007"));
        assert!(last.body.contains("href=\"/me/inbox?page=2\""));
        assert_eq!(listed(&last.body), 6);

        // A page past the end is the last one; one that is no number is the first.
        let past = browser.get("/me/inbox?page=99").await?;
        assert!(past.body.contains("3 / 3") && past.body.contains("JT-2026-000001"));
        let odd = browser.get("/me/inbox?page=abc").await?;
        assert!(odd.body.contains("1 / 3") && odd.body.contains("JT-2026-000045"));

        let data = browser.get("/me/data.json").await?;
        let json: serde_json::Value = serde_json::from_str(&data.body)?;
        let exported = json["inbox"].as_array().map(Vec::len);
        assert_eq!(
            exported,
            Some(46),
            "my data holds every message, not a page"
        );
        Ok(())
    })
}
