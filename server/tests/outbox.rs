//! 消息外发 against a fake 阿里云短信 on loopback that speaks the provider's protocol: it
//! checks every request's parameters and HMAC-SHA1 signature (the signer reproduces the
//! documentation's worked example, see `server::outbox::aliyun`), refuses a reused nonce,
//! and answers as the provider does — OK, a business error, garbage, or nothing in time.
//! Two workers with their own connections (as two processes) send an officer's urgent
//! notice; the desk counts it, the outbox page lists it masked, a failure is retried by an
//! officer, and a resident turns a kind off on 我的.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex};

use axum::Form;
use axum::extract::State;
use axum::http::StatusCode;
use chrono::{Duration, Utc};
use common::{Error, Portal, TestResult, portal, publish_urgent, run};
use domain::demo::DEMO_PASSWORD;
use domain::entities::delivery;
use domain::outbox::{Kind, Status};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use server::outbox::Outbox;
use server::outbox::aliyun::{Aliyun, sign};

const OFFICER: &str = "13900000201";
const KEY_ID: &str = "LTAI-test";
const SECRET: &str = "fake-secret";

#[derive(Default)]
struct Fake {
    /// Every accepted text: (phone, template, its arguments as JSON).
    texts: Vec<(String, String, String)>,
    nonces: BTreeSet<String>,
    /// Requests refused for their signature or parameters.
    refused: Vec<String>,
    /// Numbers that get a business error on their first request only.
    limited_once: BTreeSet<String>,
    /// Numbers answered with garbage, or not answered in time.
    garbage: BTreeSet<String>,
    slow: BTreeSet<String>,
    /// Numbers whose texts the carrier reports undelivered.
    undelivered: BTreeSet<String>,
}

type Shared = Arc<Mutex<Fake>>;

/// `QuerySendDetails`, signed as a text is: what the carrier reported of one text.
fn query_details(
    fake: &Shared,
    params: &BTreeMap<String, String>,
    signature: &str,
) -> (StatusCode, String) {
    let well_formed = params.get("Version").map(String::as_str) == Some("2017-05-25")
        && params.get("AccessKeyId").map(String::as_str) == Some(KEY_ID)
        && params.get("BizId").map(String::as_str) == Some("900619746936498440^0")
        && params
            .get("SendDate")
            .is_some_and(|d| chrono::NaiveDate::parse_from_str(d, "%Y%m%d").is_ok())
        && params.contains_key("PageSize")
        && params.contains_key("CurrentPage");
    if sign(SECRET, "POST", params) != signature || !well_formed {
        return (
            StatusCode::BAD_REQUEST,
            r#"{"RequestId":"r","Message":"refused","Code":"MissingParameter"}"#.to_owned(),
        );
    }
    let phone = params.get("PhoneNumber").cloned().unwrap_or_default();
    let failed = fake
        .lock()
        .expect("the fake's state")
        .undelivered
        .contains(&phone);
    let (status, code) = if failed {
        (2, "MK:0001")
    } else {
        (3, "DELIVERED")
    };
    (
        StatusCode::OK,
        format!(
            r#"{{"Code":"OK","Message":"OK","RequestId":"r","TotalCount":1,"SmsSendDetailDTOs":{{"SmsSendDetailDTO":[{{"PhoneNum":"{phone}","SendStatus":{status},"ErrCode":"{code}","TemplateCode":"SMS_urgent"}}]}}}}"#
        ),
    )
}

async fn send_sms(
    State(fake): State<Shared>,
    Form(mut params): Form<BTreeMap<String, String>>,
) -> (StatusCode, String) {
    let signature = params.remove("Signature").unwrap_or_default();
    if params.get("Action").map(String::as_str) == Some("QuerySendDetails") {
        return query_details(&fake, &params, &signature);
    }
    let wanted = [
        ("Action", "SendSms"),
        ("Version", "2017-05-25"),
        ("Format", "JSON"),
        ("SignatureMethod", "HMAC-SHA1"),
        ("SignatureVersion", "1.0"),
        ("AccessKeyId", KEY_ID),
        ("SignName", "招宝山派出所"),
    ];
    let phone = params.get("PhoneNumbers").cloned().unwrap_or_default();
    let (slow, garbage) = {
        let mut f = fake.lock().expect("the fake's state");
        let nonce = params.get("SignatureNonce").cloned().unwrap_or_default();
        let stamp_ok = params.get("Timestamp").is_some_and(|t| {
            chrono::NaiveDateTime::parse_from_str(t, "%Y-%m-%dT%H:%M:%SZ").is_ok()
        });
        let bad = if sign(SECRET, "POST", &params) != signature {
            Some("SignatureDoesNotMatch")
        } else if wanted
            .iter()
            .any(|(k, v)| params.get(*k).map(String::as_str) != Some(*v))
        {
            Some("MissingParameter")
        } else if !stamp_ok {
            Some("InvalidTimeStamp.Format")
        } else if !f.nonces.insert(nonce) {
            Some("SignatureNonceUsed")
        } else {
            None
        };
        if let Some(code) = bad {
            f.refused.push(code.to_owned());
            return (
                StatusCode::BAD_REQUEST,
                format!(
                    r#"{{"RequestId":"r","Message":"refused","HostId":"dysmsapi.aliyuncs.com","Code":"{code}"}}"#
                ),
            );
        }
        if f.limited_once.remove(&phone) {
            return (
                StatusCode::OK,
                r#"{"Message":"触发分钟级流控Permits:1","RequestId":"r","Code":"isv.BUSINESS_LIMIT_CONTROL"}"#
                    .to_owned(),
            );
        }
        (f.slow.contains(&phone), f.garbage.contains(&phone))
    };
    if slow {
        tokio::time::sleep(std::time::Duration::from_secs(3)).await;
    }
    if garbage {
        return (
            StatusCode::BAD_GATEWAY,
            "<html>502 Bad Gateway</html>".to_owned(),
        );
    }
    let template = params.get("TemplateCode").cloned().unwrap_or_default();
    let param = params.get("TemplateParam").cloned().unwrap_or_default();
    fake.lock()
        .expect("the fake's state")
        .texts
        .push((phone, template, param));
    (
        StatusCode::OK,
        r#"{"Message":"OK","RequestId":"r","BizId":"900619746936498440^0","Code":"OK"}"#.to_owned(),
    )
}

/// The fake on a free loopback port; its address.
async fn fake_provider(fake: Shared) -> Result<String, Error> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let app = axum::Router::new()
        .route("/", axum::routing::post(send_sms))
        .with_state(fake);
    tokio::spawn(async move { axum::serve(listener, app).await });
    Ok(format!("http://{addr}/"))
}

fn outbox(endpoint: &str, max_tries: u32) -> Result<Outbox, Error> {
    let mut outbox = Outbox::logging("https://jjw.example.cn".to_owned());
    outbox.sign_name = "招宝山派出所".to_owned();
    outbox.timeout = std::time::Duration::from_secs(1);
    outbox.retry.max_tries = max_tries;
    let templates = Kind::ALL
        .iter()
        .map(|k| (*k, format!("SMS_{}", k.as_str())))
        .collect();
    outbox.sms = Box::new(Aliyun {
        endpoint: endpoint.to_owned(),
        access_key_id: KEY_ID.to_owned(),
        access_key_secret: SECRET.to_owned(),
        sign_name: "招宝山派出所".to_owned(),
        templates,
        client: reqwest::Client::new(),
    });
    Ok(outbox)
}

async fn queued(db: &domain::DatabaseConnection) -> Result<usize, Error> {
    Ok(delivery::Entity::find()
        .filter(delivery::Column::Status.eq(Status::Queued))
        .all(db)
        .await?
        .len())
}

#[test]
fn two_workers_send_an_urgent_notice_once_to_each_resident_through_the_provider() -> TestResult {
    run(async {
        let portal = portal().await?;
        let fake: Shared = Arc::default();
        let endpoint = fake_provider(fake.clone()).await?;
        let db = domain::db::connect(&portal.db_url).await?;
        let id = publish_urgent(&portal).await?;
        let expected: BTreeSet<String> = {
            let rows = delivery::Entity::find()
                .filter(delivery::Column::NoticeId.eq(id))
                .all(&db)
                .await?;
            let mut phones = BTreeSet::new();
            for row in rows {
                phones.insert(domain::outbox::phone_of(&db, &row).await?);
            }
            phones
        };
        assert!(
            expected.len() > 10,
            "the demo's residents: {}",
            expected.len()
        );
        let mut numbers = expected.iter();
        let limited = numbers.next().ok_or("a resident")?.clone();
        let garbage = numbers.next().ok_or("a second")?.clone();
        let slow = numbers.next().ok_or("a third")?.clone();
        {
            let mut f = fake.lock().map_err(|_| "the fake's state")?;
            f.limited_once.insert(limited.clone());
            f.garbage.insert(garbage.clone());
            f.slow.insert(slow.clone());
        }

        // Two workers, each with its own pool, as two processes; rounds at moving times so
        // that retries come due.
        let (db1, db2) = (
            domain::db::connect(&portal.db_url).await?,
            domain::db::connect(&portal.db_url).await?,
        );
        let workers = [
            (outbox(&endpoint, 2)?, db1, "p1"),
            (outbox(&endpoint, 2)?, db2, "p2"),
        ];
        let workers = Arc::new(workers);
        let mut at = Utc::now();
        for _ in 0..6 {
            let mut rounds = Vec::new();
            for i in 0..2 {
                let workers = workers.clone();
                rounds.push(tokio::spawn(async move {
                    let (outbox, db, holder) = &workers[i];
                    server::outbox::send_due(db, outbox, holder, at).await
                }));
            }
            for round in rounds {
                round.await??;
            }
            if queued(&db).await? == 0 {
                break;
            }
            at += Duration::hours(2);
        }
        assert_eq!(queued(&db).await?, 0, "nothing left waiting");

        let (refused, texts) = {
            let f = fake.lock().map_err(|_| "the fake's state")?;
            (f.refused.clone(), f.texts.clone())
        };
        assert!(
            refused.is_empty(),
            "every request signed right: {refused:?}"
        );
        let mut got: BTreeMap<&str, usize> = BTreeMap::new();
        for (phone, template, param) in &texts {
            *got.entry(phone.as_str()).or_default() += 1;
            assert_eq!(template, "SMS_urgent");
            assert!(param.contains("冒充公检法诈骗预警"), "{param}");
        }
        let reached: BTreeSet<String> = got.keys().map(|p| (*p).to_owned()).collect();
        let mut should: BTreeSet<String> = expected.clone();
        should.remove(&garbage);
        should.remove(&slow);
        assert_eq!(
            reached, should,
            "each resident once, the limited one after a retry"
        );
        assert!(got.values().all(|n| *n == 1), "never twice: {got:?}");

        let failed = delivery::Entity::find()
            .filter(delivery::Column::Status.eq(Status::Failed))
            .all(&db)
            .await?;
        let answers: BTreeSet<String> = failed.iter().filter_map(|d| d.answer.clone()).collect();
        assert_eq!(failed.len(), 2, "garbage and silence fail after two tries");
        assert!(answers.contains("timeout"), "{answers:?}");
        assert!(
            answers
                .iter()
                .any(|a| a.contains("not the provider's answer")),
            "{answers:?}"
        );

        // The desk counts, the outbox page lists masked numbers, an officer retries.
        let mut officer = portal.sign_in(OFFICER, DEMO_PASSWORD).await?;
        let desk = officer.get("/notices/desk").await?;
        let line = format!(
            "短信：已发 {}（送达 0，未送达 0） · 排队 0 · 失败 2",
            should.len()
        );
        assert!(desk.body.contains(&line), "the desk says {line}");
        let page = officer.get("/notices/outbox?failed=1").await?;
        assert!(page.body.contains("发送失败"));
        assert!(!page.body.contains(&garbage), "numbers are masked");
        assert!(
            page.body
                .contains(&format!("{}****{}", &garbage[..3], &garbage[7..]))
        );
        let retried = officer
            .post_form(
                "/notices/outbox?failed=1",
                "/api/outbox/retry",
                &[("id", &failed[0].id.to_string())],
            )
            .await?;
        assert_eq!(retried.location(), "/notices/outbox?done=retried");
        assert_eq!(queued(&db).await?, 1);
        let again = officer
            .post_form(
                "/notices/outbox",
                "/api/outbox/retry",
                &[("id", &failed[0].id.to_string())],
            )
            .await?;
        assert!(again.location().contains("__err"), "{}", again.location());
        Ok(())
    })
}

#[test]
fn a_resident_chooses_which_messages_come_by_text() -> TestResult {
    run(async {
        let portal = portal().await?;
        let mut resident = portal.sign_in("13900000001", DEMO_PASSWORD).await?;
        let me = resident.get("/me").await?;
        assert!(me.body.contains("消息提醒"));
        assert_eq!(ticked(&me.body, "urgent-sms"), Some(true), "on by default");
        assert_eq!(
            ticked(&me.body, "urgent-wechat"),
            None,
            "no column for a channel that does not reach them"
        );
        let page = resident
            .post_form(
                "/me",
                "/api/outbox/choices",
                &[("shown", "sms"), ("pick[reminder-sms]", "on")],
            )
            .await?;
        assert_eq!(page.location(), "/me?done=saved#channels");
        let me = resident.get("/me?done=saved").await?;
        assert!(me.body.contains("消息提醒的选择已保存"));
        assert_eq!(ticked(&me.body, "urgent-sms"), Some(false));
        assert_eq!(ticked(&me.body, "reminder-sms"), Some(true));

        // Turned off: an urgent notice reaches the inbox and not the phone.
        let id = publish_urgent(&portal).await?;
        let db = domain::db::connect(&portal.db_url).await?;
        let user = domain::accounts::find_by_phone(&db, "13900000001")
            .await?
            .ok_or("the resident")?;
        let mine = delivery::Entity::find()
            .filter(delivery::Column::NoticeId.eq(id))
            .filter(delivery::Column::UserId.eq(user.id))
            .all(&db)
            .await?;
        assert!(mine.is_empty());
        let data: serde_json::Value =
            serde_json::from_str(&resident.get("/me/data.json").await?.body)?;
        let choices = data["text_message_choices"]
            .as_array()
            .ok_or("the choices are in the download")?;
        assert!(
            choices.contains(
                &serde_json::json!({"kind": "reminder", "channel": "sms", "wanted": true})
            )
        );
        assert!(data["messages_sent_out"].is_array());
        Ok(())
    })
}

/// Whether the box `pick[<key>]` on a page is ticked; `None` when the page has no such box.
fn ticked(body: &str, key: &str) -> Option<bool> {
    let at = body.find(&format!(r#"name="pick[{key}]""#))?;
    let tag = &body[at..];
    Some(tag[..tag.find('>')?].contains("checked"))
}

/// The code the fake provider last received for `phone`, after one round of the worker.
async fn code_texted_to(
    portal: &Portal,
    fake: &Shared,
    endpoint: &str,
    phone: &str,
) -> Result<String, Error> {
    let db = domain::db::connect(&portal.db_url).await?;
    let worker = outbox(endpoint, 2)?;
    server::outbox::send_due(&db, &worker, "p1", Utc::now()).await?;
    let texts = fake.lock().map_err(|_| "the fake's state")?.texts.clone();
    let (_, template, param) = texts
        .iter()
        .rev()
        .find(|(to, _, _)| to == phone)
        .ok_or(format!("a text to {phone}"))?;
    assert_eq!(template, "SMS_code");
    let param: serde_json::Value = serde_json::from_str(param)?;
    Ok(param["code"].as_str().ok_or("a code")?.to_owned())
}

/// With an SMS provider, a newcomer registers with a texted code; a resident whose number
/// is not proven is held back from mediation until they prove it on 我的; a forgotten
/// password is reset by text.
#[test]
fn with_texts_a_number_is_proven_before_it_registers_or_books() -> TestResult {
    run(async {
        let web = server::config::WebSettings {
            phone_codes: true,
            ..Default::default()
        };
        let portal = common::portal_with(web).await?;
        let fake: Shared = Arc::default();
        let endpoint = fake_provider(fake.clone()).await?;

        let mut newcomer = portal.browser();
        let page = newcomer.get("/register").await?;
        assert!(page.body.contains("第一步：获取验证码"));
        assert!(page.body.contains(r#"name="code""#));
        let sent = newcomer
            .post_form(
                "/register",
                "/api/register/code",
                &[("phone", "13700000009")],
            )
            .await?;
        assert_eq!(sent.location(), "/register?done=code-sent#code");
        let code = code_texted_to(&portal, &fake, &endpoint, "13700000009").await?;
        let mut fields = vec![
            ("phone", "13700000009"),
            ("password", "lantern-harbour-42"),
            ("community", "3"),
            ("consent", "on"),
            ("code", "000000"),
        ];
        if code == "000000" {
            fields[4].1 = "111111";
        }
        let wrong = newcomer
            .post_form("/register", "/api/register", &fields)
            .await?;
        assert!(wrong.location().contains("__err"), "{}", wrong.location());
        fields[4].1 = &code;
        let page = newcomer
            .post_form("/register", "/api/register", &fields)
            .await?;
        assert_eq!(
            page.location(),
            "/communities/3",
            "registered and signed in"
        );
        assert!(newcomer.get("/me").await?.body.contains("您的手机号已验证"));

        // A resident from before codes were in use: no booking until the number is proven.
        let mut resident = portal.sign_in("13900000001", DEMO_PASSWORD).await?;
        let refused = resident
            .post_form(
                "/mediation/new",
                "/api/mediation/request",
                &[
                    ("request[dispute_type]", "neighbours"),
                    (
                        "request[account]",
                        "楼上每天夜里十二点以后还在拖椅子，说过两次没有用。",
                    ),
                    ("request[other_party]", "楼上 502 住户"),
                    ("request[other_relation]", "邻居"),
                    ("request[other_phone]", ""),
                    ("request[amount]", ""),
                    ("request[tried_aid_station]", "yes"),
                    ("request[mode]", "in_person"),
                    ("request[room]", "2"),
                ],
            )
            .await?;
        assert!(
            refused.location().contains("__err"),
            "{}",
            refused.location()
        );
        let form = resident.get(refused.location()).await?;
        assert!(form.body.contains("请先在“我的”页面验证手机号"));
        let sent = resident
            .post_form("/me", "/api/me/verify-code", &[])
            .await?;
        assert_eq!(sent.location(), "/me?done=code-sent#verify");
        let code = code_texted_to(&portal, &fake, &endpoint, "13900000001").await?;
        let done = resident
            .post_form("/me", "/api/me/verify", &[("code", &code)])
            .await?;
        assert_eq!(done.location(), "/me?done=verified#verify");
        assert!(resident.get("/me").await?.body.contains("您的手机号已验证"));

        // Forgot the password: a code by text, then a new password with it.
        let mut forgetful = portal.browser();
        let sent = forgetful
            .post_form("/reset", "/api/reset/code", &[("phone", "13700000009")])
            .await?;
        assert_eq!(sent.location(), "/reset?done=code-sent");
        let code = code_texted_to(&portal, &fake, &endpoint, "13700000009").await?;
        let reset = forgetful
            .post_form(
                "/reset",
                "/api/reset",
                &[
                    ("phone", "13700000009"),
                    ("code", &code),
                    ("password", "new-harbour-lantern-7"),
                ],
            )
            .await?;
        assert_eq!(reset.location(), "/login?done=reset");
        portal
            .sign_in("13700000009", "new-harbour-lantern-7")
            .await?;
        let f = fake.lock().map_err(|_| "the fake's state")?;
        assert!(f.refused.is_empty(), "{:?}", f.refused);
        Ok(())
    })
}

/// Without an SMS provider none of it is offered: registration works as it always did.
#[test]
fn without_texts_registration_needs_no_code() -> TestResult {
    run(async {
        let portal = portal().await?;
        let mut newcomer = portal.browser();
        let page = newcomer.get("/register").await?;
        assert!(!page.body.contains(r#"name="code""#));
        let sent = newcomer
            .post_form(
                "/register",
                "/api/register/code",
                &[("phone", "13700000009")],
            )
            .await?;
        assert!(sent.location().contains("__err") || sent.status == StatusCode::NOT_FOUND);
        let page = newcomer
            .post_form(
                "/register",
                "/api/register",
                &[
                    ("phone", "13700000009"),
                    ("password", "lantern-harbour-42"),
                    ("community", "3"),
                    ("consent", "on"),
                ],
            )
            .await?;
        assert_eq!(page.location(), "/communities/3");
        Ok(())
    })
}

/// The carrier's receipts: asked for each text the provider took, recorded, and counted on
/// the desk and the outbox page — delivered, and one number whose carrier gave up.
#[test]
fn receipts_say_which_texts_reached_the_phone() -> TestResult {
    run(async {
        let portal = portal().await?;
        let fake: Shared = Arc::default();
        let endpoint = fake_provider(fake.clone()).await?;
        let db = domain::db::connect(&portal.db_url).await?;
        let worker = outbox(&endpoint, 3)?;
        let id = publish_urgent(&portal).await?;
        while !server::outbox::send_due(&db, &worker, "p1", Utc::now())
            .await?
            .is_empty()
        {}
        let sent = delivery::Entity::find()
            .filter(delivery::Column::NoticeId.eq(id))
            .all(&db)
            .await?;
        assert!(sent.len() > 1 && sent.iter().all(|d| d.receipt.is_none()));
        let off = domain::outbox::phone_of(&db, &sent[0]).await?;
        fake.lock()
            .map_err(|_| "the fake's state")?
            .undelivered
            .insert(off.clone());

        let recorded = server::outbox::check_receipts(&db, &worker, Utc::now()).await?;
        assert_eq!(recorded, sent.len(), "a receipt for every text");
        assert_eq!(
            server::outbox::check_receipts(&db, &worker, Utc::now()).await?,
            0,
            "and none asked for twice"
        );
        let after = delivery::Entity::find()
            .filter(delivery::Column::NoticeId.eq(id))
            .all(&db)
            .await?;
        for d in &after {
            let expected = if domain::outbox::phone_of(&db, d).await? == off {
                domain::outbox::Receipt::Undelivered
            } else {
                domain::outbox::Receipt::Delivered
            };
            assert_eq!(d.receipt, Some(expected));
        }
        let mut officer = portal.sign_in(OFFICER, DEMO_PASSWORD).await?;
        let desk = officer.get("/notices/desk").await?;
        let line = format!(
            "短信：已发 {}（送达 {}，未送达 1） · 排队 0 · 失败 0",
            after.len(),
            after.len() - 1
        );
        assert!(desk.body.contains(&line), "{line}");
        let page = officer.get("/notices/outbox").await?;
        assert!(page.body.contains("已送达手机") && page.body.contains("运营商未能送达"));
        Ok(())
    })
}
