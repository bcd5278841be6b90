//! The counter over HTTP, as a phone without JavaScript uses it: an officer issues a reset
//! code, shown once; the resident sets a new password at /reset, every session of the
//! account ends, and the code works once; tried codes are throttled like sign-ins; an
//! officer registers a resident who takes the account over with the code. Runs on SQLite,
//! or PostgreSQL when TEST_DATABASE_URL says so.

mod common;

use axum::http::StatusCode;
use common::{Browser, Error, Page, Portal, TestResult, portal, run};
use domain::demo::DEMO_PASSWORD;

const OFFICER: &str = "13900000201";
const RESIDENT: &str = "13900000001";
const NEW_PASSWORD: &str = "zhaobao-shan-2027";

/// The code on the page, `K3Q9-M7XA`, if the page shows one.
fn code_on(page: &Page) -> Option<String> {
    let start = page.body.find("data-testid=\"reset-code\"")?;
    let chars: Vec<char> = page.body[start..].chars().take(200).collect();
    chars.windows(9).find_map(|w| {
        let code: String = w.iter().collect();
        let alphabet = |c: &char| ('2'..='9').contains(c) || c.is_ascii_uppercase();
        (w[4] == '-' && w[..4].iter().all(alphabet) && w[5..].iter().all(alphabet)).then_some(code)
    })
}

/// Issues a code for `phone` at the counter and reads it off the page it is shown on.
async fn issue(officer: &mut Browser, phone: &str) -> Result<String, Error> {
    let page = officer
        .post_form("/counter", "/api/counter/reset-code", &[("phone", phone)])
        .await?;
    assert_eq!(page.location(), "/counter?done=code", "{page:?}");
    let shown = officer.get(page.location()).await?;
    assert_eq!(shown.status, StatusCode::OK);
    code_on(&shown).ok_or_else(|| format!("no code on the page: {}", shown.body).into())
}

async fn reset(browser: &mut Browser, phone: &str, code: &str) -> Result<Page, Error> {
    browser
        .post_form(
            "/reset",
            "/api/reset",
            &[("phone", phone), ("code", code), ("password", NEW_PASSWORD)],
        )
        .await
}

/// The sentence the form shows after a refused post.
async fn refusal(browser: &mut Browser, page: &Page) -> Result<String, Error> {
    assert!(page.location().contains("__err="), "{page:?}");
    Ok(browser.get(page.location()).await?.body)
}

async fn signs_in(portal: &Portal, phone: &str, password: &str) -> Result<bool, Error> {
    let mut browser = portal.browser();
    let page = browser
        .post_form(
            "/login",
            "/api/login",
            &[("phone", phone), ("password", password)],
        )
        .await?;
    Ok(!page.location().contains("__err="))
}

#[test]
fn an_officer_issues_a_code_once_and_the_resident_resets_the_password_with_it() -> TestResult {
    run(async {
        let portal = portal().await?;
        let mut officer = portal.sign_in(OFFICER, DEMO_PASSWORD).await?;
        let mut signed_in = portal.sign_in(RESIDENT, DEMO_PASSWORD).await?;
        assert_eq!(
            signed_in.get("/mediation/new").await?.status,
            StatusCode::OK
        );
        assert!(officer.get("/me").await?.body.contains("/counter"));

        let code = issue(&mut officer, RESIDENT).await?;
        assert!(
            code_on(&officer.get("/counter?done=code").await?).is_none(),
            "shown once"
        );

        let mut phone = portal.browser();
        assert_eq!(phone.get("/reset").await?.status, StatusCode::OK);
        let page = reset(&mut phone, RESIDENT, &code.to_lowercase()).await?;
        assert_eq!(page.location(), "/login?done=reset", "{page:?}");
        assert!(
            phone
                .get(page.location())
                .await?
                .body
                .contains("新密码已设置")
        );
        assert!(signs_in(&portal, RESIDENT, NEW_PASSWORD).await?);
        assert!(!signs_in(&portal, RESIDENT, DEMO_PASSWORD).await?);
        assert_eq!(
            signed_in.get("/mediation/new").await?.status,
            StatusCode::UNAUTHORIZED,
            "the session from before the reset ended"
        );

        let again = reset(&mut phone, RESIDENT, &code).await?;
        assert!(refusal(&mut phone, &again).await?.contains("重置码不对"));

        let log = portal_log(&portal).await?;
        assert_eq!(log, ["reset_issued", "reset_used"]);
        Ok(())
    })
}

/// The acts of the counter in the admin log, oldest first.
async fn portal_log(portal: &Portal) -> Result<Vec<String>, Error> {
    use domain::entities::admin_log;
    use sea_orm::{EntityTrait, QueryOrder};
    let db = domain::db::connect(&portal.db_url).await?;
    Ok(admin_log::Entity::find()
        .order_by_asc(admin_log::Column::Id)
        .all(&db)
        .await?
        .into_iter()
        .map(|r| r.action.as_str().to_owned())
        .filter(|a| a.starts_with("reset") || a == "counter_signup")
        .collect())
}

#[test]
fn only_staff_issue_codes_and_guessing_one_is_throttled() -> TestResult {
    run(async {
        let portal = portal().await?;
        let mut resident = portal.sign_in("13900000002", DEMO_PASSWORD).await?;
        let page = resident
            .post_form("/", "/api/counter/reset-code", &[("phone", RESIDENT)])
            .await?;
        assert!(page.location().contains("__err="), "{page:?}");
        assert_eq!(
            resident.get("/counter").await?.status,
            StatusCode::FORBIDDEN
        );
        assert_eq!(
            portal.browser().get("/counter").await?.status,
            StatusCode::UNAUTHORIZED
        );

        let mut officer = portal.sign_in(OFFICER, DEMO_PASSWORD).await?;
        let code = issue(&mut officer, RESIDENT).await?;
        // One address: six wrong codes, then even the right one waits.
        let mut guesser = portal.browser();
        guesser.address = "127.0.0.9:50000".parse().ok();
        for _ in 0..6 {
            let page = reset(&mut guesser, RESIDENT, "ABCD-EFGH").await?;
            assert!(refusal(&mut guesser, &page).await?.contains("重置码不对"));
        }
        let page = reset(&mut guesser, RESIDENT, &code).await?;
        assert!(
            refusal(&mut guesser, &page).await?.contains("尝试太频繁"),
            "throttled as sign-ins are"
        );
        assert!(
            signs_in(&portal, RESIDENT, DEMO_PASSWORD).await?,
            "unchanged"
        );
        Ok(())
    })
}

#[test]
fn an_officer_registers_a_resident_who_takes_the_account_over_with_the_code() -> TestResult {
    run(async {
        let portal = portal().await?;
        let mut officer = portal.sign_in(OFFICER, DEMO_PASSWORD).await?;
        let form = |consent: bool| {
            let mut fields = vec![
                ("phone", "13800003333"),
                ("community", "1"),
                ("compound", ""),
                ("witness", "王警官"),
            ];
            if consent {
                fields.push(("consent", "on"));
            }
            fields
        };
        let page = officer
            .post_form("/counter", "/api/counter/register", &form(false))
            .await?;
        assert!(refusal(&mut officer, &page).await?.contains("同意"));
        let page = officer
            .post_form("/counter", "/api/counter/register", &form(true))
            .await?;
        assert_eq!(page.location(), "/counter?done=registered", "{page:?}");
        let shown = officer.get(page.location()).await?;
        let code = code_on(&shown).ok_or("the code")?;
        assert!(
            shown.body.contains("13800003333"),
            "staff see the whole number"
        );

        let mut phone = portal.browser();
        let page = reset(&mut phone, "13800003333", &code).await?;
        assert_eq!(page.location(), "/login?done=reset");
        assert!(signs_in(&portal, "13800003333", NEW_PASSWORD).await?);
        assert_eq!(
            portal_log(&portal).await?,
            ["counter_signup", "reset_issued", "reset_used"]
        );
        Ok(())
    })
}
