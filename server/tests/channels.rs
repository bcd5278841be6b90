//! WeChat and e-mail against fakes on loopback that speak the providers' protocols
//! (`scripts/fake_wechat.py`, `scripts/fake_smtp.py`, the same the browser journey uses): a
//! resident links their WeChat through the Official Account's web authorisation and gets an
//! urgent notice as a template message, through an expired token and a failing API; another
//! proves an e-mail address with a mailed code over STARTTLS and gets only the kinds they
//! ticked for mail.

mod common;

use axum::http::StatusCode;
use chrono::{Duration, Utc};
use common::{Error, TestResult, portal_with, publish_urgent, run};
use domain::demo::DEMO_PASSWORD;
use domain::entities::delivery;
use domain::outbox::{Channel, Kind, Status};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use server::outbox::Outbox;

const RESIDENT: &str = "13900000001";
const PUBLIC: &str = "https://jjw.example.cn";

/// A fake provider in a child process, stopped when the test ends.
struct Fake {
    child: std::process::Child,
    /// Its HTTP address, `http://127.0.0.1:PORT`.
    url: String,
}

impl Drop for Fake {
    fn drop(&mut self) {
        let _stopped = self.child.kill();
        let _reaped = self.child.wait();
    }
}

fn free_port() -> Result<u16, Error> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port())
}

/// Starts `scripts/<script> <args>` and waits until its HTTP side on `port` answers.
async fn start(script: &str, args: &[String], port: u16) -> Result<Fake, Error> {
    let path = format!("{}/../scripts/{script}", env!("CARGO_MANIFEST_DIR"));
    let child = std::process::Command::new("python3")
        .arg(path)
        .args(args)
        .spawn()?;
    let fake = Fake {
        child,
        url: format!("http://127.0.0.1:{port}"),
    };
    for _ in 0..200 {
        if let Ok(answer) = reqwest::get(format!("{}/healthz", fake.url)).await
            && answer.status().is_success()
        {
            return Ok(fake);
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    Err(format!("{script} did not start").into())
}

async fn fake_json(url: &str) -> Result<serde_json::Value, Error> {
    Ok(serde_json::from_str(
        &reqwest::get(url).await?.text().await?,
    )?)
}

async fn fake_post(url: &str) -> Result<(), Error> {
    reqwest::Client::new().post(url).send().await?;
    Ok(())
}

/// Rounds of the worker at `now` until nothing more is due.
async fn send_all(
    db: &domain::DatabaseConnection,
    outbox: &Outbox,
    now: chrono::DateTime<Utc>,
) -> Result<(), Error> {
    for _ in 0..100 {
        if server::outbox::send_due(db, outbox, "worker", now)
            .await?
            .is_empty()
        {
            return Ok(());
        }
    }
    Err("the outbox never emptied".into())
}

/// The one message of `channel` for a notice to the resident.
async fn delivery_of(
    db: &domain::DatabaseConnection,
    notice: i32,
    channel: Channel,
) -> Result<Option<delivery::Model>, Error> {
    let user = domain::accounts::find_by_phone(db, RESIDENT)
        .await?
        .ok_or("the resident")?;
    Ok(delivery::Entity::find()
        .filter(delivery::Column::NoticeId.eq(notice))
        .filter(delivery::Column::UserId.eq(user.id))
        .filter(delivery::Column::Channel.eq(channel))
        .one(db)
        .await?)
}

#[test]
fn a_resident_links_wechat_and_gets_an_urgent_notice_there() -> TestResult {
    run(async {
        let port = free_port()?;
        let args = [port.to_string(), "wxportal".into(), "wx-secret".into()];
        let fake = start("fake_wechat.py", &args, port).await?;
        let app = app::state::WechatApp {
            app_id: "wxportal".into(),
            secret: "wx-secret".into(),
            api_url: fake.url.clone(),
            authorize_url: format!("{}/connect/oauth2/authorize", fake.url),
        };
        let web = server::config::WebSettings {
            wechat: Some(app.clone()),
            public_url: Some(PUBLIC.into()),
            ..Default::default()
        };
        let portal = portal_with(web).await?;
        let db = domain::db::connect(&portal.db_url).await?;
        let mut resident = portal.sign_in(RESIDENT, DEMO_PASSWORD).await?;
        let me = resident.get("/me").await?;
        assert!(
            me.body.contains(r#"href="/me/wechat""#),
            "a link to link it"
        );

        // 我的 → WeChat, which asks the person and sends them back with a code.
        let to_wechat = resident.get("/me/wechat").await?;
        assert_eq!(to_wechat.status, StatusCode::SEE_OTHER);
        let asked = to_wechat.location().to_owned();
        assert!(asked.starts_with(&app.authorize_url) && asked.contains("appid=wxportal"));
        assert!(asked.contains("scope=snsapi_base") && asked.ends_with("#wechat_redirect"));
        let phone = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()?;
        let back = phone.get(&asked).send().await?;
        let back = back
            .headers()
            .get("location")
            .and_then(|l| l.to_str().ok())
            .ok_or("WeChat sends the person back")?
            .strip_prefix(PUBLIC)
            .ok_or("to the portal's public address")?
            .to_owned();
        assert!(back.starts_with("/me/wechat/done?code="));

        // The answer is good only in the browser that asked.
        let mut stranger = portal.sign_in("13900000002", DEMO_PASSWORD).await?;
        let stolen = stranger.get(&back).await?;
        assert_eq!(stolen.location(), "/me?wechat=failed#wechat");
        let linked = resident.get(&back).await?;
        assert_eq!(linked.location(), "/me?done=linked#wechat");
        let me = resident.get("/me?done=linked").await?;
        assert!(me.body.contains("微信已绑定") && me.body.contains("已绑定微信（"));
        assert!(me.body.contains(r#"name="pick[urgent-wechat]""#));
        let replayed = resident.get(&back).await?;
        assert_eq!(
            replayed.location(),
            "/me?wechat=failed#wechat",
            "a code and its state work once"
        );

        let mut outbox = Outbox::logging(PUBLIC.into());
        outbox.timeout = std::time::Duration::from_secs(5);
        outbox.retry.max_tries = 2;
        let templates = Kind::CHOOSABLE
            .iter()
            .map(|k| (*k, format!("TPL_{k}")))
            .collect();
        outbox.wechat = Some(server::outbox::wechat::Wechat::new(app, templates)?);
        let notice = publish_urgent(&portal).await?;
        send_all(&db, &outbox, Utc::now()).await?;
        let openid =
            fake_json(&format!("{}/fake/openid?name=resident-1", fake.url)).await?["openid"]
                .as_str()
                .ok_or("the fake's openid")?
                .to_owned();
        let messages = fake_json(&format!("{}/messages", fake.url)).await?;
        let messages = messages.as_array().ok_or("a list")?;
        assert_eq!(messages.len(), 1, "one template message: {messages:?}");
        assert_eq!(messages[0]["touser"], openid.as_str());
        assert_eq!(messages[0]["template_id"], "TPL_urgent");
        assert!(
            messages[0]["url"]
                .as_str()
                .is_some_and(|u| u.starts_with(&format!("{PUBLIC}/notices/")))
        );
        let sent = delivery_of(&db, notice, Channel::Wechat)
            .await?
            .ok_or("queued for WeChat")?;
        assert_eq!(sent.status, Status::Sent);
        assert!(
            delivery_of(&db, notice, Channel::Sms).await?.is_some(),
            "and by text, as before"
        );
        let mut officer = portal.sign_in("13900000201", DEMO_PASSWORD).await?;
        let desk = officer.get("/notices/desk").await?;
        assert!(
            desk.body.contains("微信：已发 1 · 排队 0 · 失败 0"),
            "the desk counts per channel"
        );
        assert!(desk.body.contains("短信：已发 "));
        let sent = officer.get("/notices/outbox").await?;
        assert!(sent.body.contains("<small>微信</small>"));

        // A token WeChat let expire is fetched again, once.
        fake_post(&format!("{}/fake/expire", fake.url)).await?;
        let notice = publish_urgent(&portal).await?;
        send_all(&db, &outbox, Utc::now()).await?;
        let sent = delivery_of(&db, notice, Channel::Wechat)
            .await?
            .ok_or("queued for WeChat")?;
        assert_eq!(sent.status, Status::Sent, "{:?}", sent.answer);

        // WeChat failing: tried again later, then given up and shown to officers.
        fake_post(&format!("{}/fake/fail?n=5", fake.url)).await?;
        let notice = publish_urgent(&portal).await?;
        send_all(&db, &outbox, Utc::now()).await?;
        let once = delivery_of(&db, notice, Channel::Wechat)
            .await?
            .ok_or("queued for WeChat")?;
        assert_eq!((once.status, once.tries), (Status::Queued, 1));
        assert_eq!(once.answer.as_deref(), Some("errcode -1 system error"));
        send_all(&db, &outbox, Utc::now() + Duration::hours(2)).await?;
        let failed = delivery_of(&db, notice, Channel::Wechat)
            .await?
            .ok_or("queued for WeChat")?;
        assert_eq!((failed.status, failed.tries), (Status::Failed, 2));

        // Unlinked: nothing more is queued for WeChat.
        let unlinked = resident
            .post_form("/me", "/api/outbox/wechat-unlink", &[])
            .await?;
        assert_eq!(unlinked.location(), "/me?done=unlinked#wechat");
        let notice = publish_urgent(&portal).await?;
        assert!(delivery_of(&db, notice, Channel::Wechat).await?.is_none());
        Ok(())
    })
}

#[test]
fn a_resident_proves_an_email_address_and_gets_the_kinds_ticked_for_mail() -> TestResult {
    run(async {
        let (smtp_port, http_port) = (free_port()?, free_port()?);
        let dir = std::env::temp_dir().join(format!("portal-smtp-{smtp_port}"));
        std::fs::create_dir_all(&dir)?;
        let ca = dir.join("ca.pem");
        let args = [
            smtp_port.to_string(),
            http_port.to_string(),
            ca.to_string_lossy().into_owned(),
            "portal".into(),
            "mail-secret".into(),
        ];
        let fake = start("fake_smtp.py", &args, http_port).await?;
        let settings = server::outbox::email::EmailSettings {
            host: "127.0.0.1".into(),
            port: smtp_port,
            user: Some("portal".into()),
            password: Some("mail-secret".into()),
            from: "招宝山派出所 <noreply@jjw.example.cn>".into(),
            ca_file: Some(ca.to_string_lossy().into_owned()),
        };
        let mut outbox = Outbox::logging(PUBLIC.into());
        outbox.sign_name = "招宝山派出所".into();
        outbox.timeout = std::time::Duration::from_secs(10);
        outbox.email = Some(server::outbox::email::Email::new(&settings)?);
        let web = server::config::WebSettings {
            email: true,
            phone_codes: true,
            public_url: Some(PUBLIC.into()),
            ..Default::default()
        };
        let portal = portal_with(web).await?;
        let db = domain::db::connect(&portal.db_url).await?;
        let mut resident = portal.sign_in(RESIDENT, DEMO_PASSWORD).await?;

        let refused = resident
            .post_form(
                "/me",
                "/api/outbox/email-code",
                &[("address", "not-an-address")],
            )
            .await?;
        assert!(
            refused.location().contains("__err"),
            "{}",
            refused.location()
        );
        let asked = resident
            .post_form(
                "/me",
                "/api/outbox/email-code",
                &[("address", " Wang.Li@Example.CN ")],
            )
            .await?;
        assert_eq!(asked.location(), "/me?done=mail-sent#email");
        send_all(&db, &outbox, Utc::now()).await?;
        let mails = fake_json(&format!("{}/mails", fake.url)).await?;
        let mail = &mails.as_array().ok_or("a list")?[0];
        assert_eq!(mail["envelope_to"][0], "Wang.Li@example.cn");
        assert_eq!(mail["tls"], true, "STARTTLS before anything else");
        assert_eq!(mail["user"], "portal");
        let text = mail["text"].as_str().ok_or("a body")?;
        let code: String = text
            .split(|c: char| !c.is_ascii_digit())
            .find(|w| w.len() == 6)
            .ok_or(format!("a code in {text:?}"))?
            .to_owned();
        assert!(!text.contains("http"), "a code's mail has nothing to click");

        let wrong = if code == "000000" { "111111" } else { "000000" };
        let refused = resident
            .post_form("/me", "/api/outbox/email-verify", &[("code", wrong)])
            .await?;
        assert!(refused.location().contains("__err"));
        let proven = resident
            .post_form("/me", "/api/outbox/email-verify", &[("code", &code)])
            .await?;
        assert_eq!(proven.location(), "/me?done=address-proven#email");
        let me = resident.get("/me?done=address-proven").await?;
        assert!(me.body.contains("邮箱已验证") && me.body.contains("Wang.Li@example.cn"));
        assert!(
            !me.body.contains("手机号已验证。"),
            "the phone's notice stays quiet"
        );
        assert!(me.body.contains(r#"name="pick[urgent-email]""#));

        // Urgent notices by mail only, not by text.
        let saved = resident
            .post_form(
                "/me",
                "/api/outbox/choices",
                &[("shown", "sms,email"), ("pick[urgent-email]", "on")],
            )
            .await?;
        assert_eq!(saved.location(), "/me?done=saved#channels");
        let notice = publish_urgent(&portal).await?;
        assert!(delivery_of(&db, notice, Channel::Sms).await?.is_none());
        send_all(&db, &outbox, Utc::now()).await?;
        let mails = fake_json(&format!("{}/mails", fake.url)).await?;
        let mail = &mails.as_array().ok_or("a list")?[1];
        assert!(
            mail["subject"]
                .as_str()
                .is_some_and(|s| s.starts_with("【招宝山派出所】"))
        );
        let text = mail["text"].as_str().ok_or("a body")?;
        assert!(text.contains(&format!("{PUBLIC}/notices/")) && text.contains("/me#channels"));
        assert_eq!(
            delivery_of(&db, notice, Channel::Email)
                .await?
                .map(|d| d.status),
            Some(Status::Sent)
        );

        // The relay refusing for now: the mail waits for its next try.
        fake_post(&format!("{}/fail?n=1", fake.url)).await?;
        let notice = publish_urgent(&portal).await?;
        send_all(&db, &outbox, Utc::now()).await?;
        let held = delivery_of(&db, notice, Channel::Email)
            .await?
            .ok_or("queued for mail")?;
        assert_eq!(held.status, Status::Queued);
        assert!(held.answer.as_deref().is_some_and(|a| a.contains("451")));
        send_all(&db, &outbox, Utc::now() + Duration::hours(1)).await?;
        assert_eq!(
            delivery_of(&db, notice, Channel::Email)
                .await?
                .map(|d| d.status),
            Some(Status::Sent)
        );

        // A relay whose certificate the portal cannot check gets nothing.
        let mut untrusting = settings.clone();
        untrusting.ca_file = None;
        outbox.email = Some(server::outbox::email::Email::new(&untrusting)?);
        let notice = publish_urgent(&portal).await?;
        send_all(&db, &outbox, Utc::now()).await?;
        let refused = delivery_of(&db, notice, Channel::Email)
            .await?
            .ok_or("queued for mail")?;
        assert_eq!(refused.status, Status::Queued);
        assert_eq!(refused.answer.as_deref(), Some("connection or TLS failed"));
        assert_eq!(
            fake_json(&format!("{}/mails", fake.url))
                .await?
                .as_array()
                .map(Vec::len),
            Some(3)
        );
        let _removed = std::fs::remove_dir_all(&dir);
        Ok(())
    })
}
