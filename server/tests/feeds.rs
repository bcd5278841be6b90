//! The feeds other systems read: Atom of the notices in force, and CAP 1.2 alerts with their
//! index. Runs on SQLite, or PostgreSQL when TEST_DATABASE_URL says so.
//!
//! `data/CAP-v1.2.xsd` is the OASIS Common Alerting Protocol 1.2 schema (Copyright OASIS
//! Open 2010), unchanged as OASIS publishes it at docs.oasis-open.org/emergency/cap/v1.2/.
//! Every alert is validated against it with xmllint (Debian package libxml2-utils).

mod common;

use std::path::Path;
use std::process::Command;
use std::sync::atomic::{AtomicU32, Ordering};

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use chrono::{Duration, Utc};
use common::{Error, Page, Portal, TestResult, run};
use domain::DatabaseConnection;
use domain::accounts::{Account, Role};
use domain::entities::notice;
use domain::notices::Draft;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

/// The host other systems reach the portal by (`PORTAL_PUBLIC_URL`); links in the feeds
/// are built on it.
const HOST: &str = "portal.test";
/// What a request says its host is: never put into a link.
const FORGED_HOST: &str = "evil.example";
const SENDER: &str = "zhaobaoshan.police@portal.example";

async fn get(portal: &Portal, uri: &str) -> Result<Page, Error> {
    let request = Request::get(uri)
        .header(header::HOST, FORGED_HOST)
        .body(Body::empty())?;
    let page = portal.browser().send(request).await?;
    assert!(
        !page.body.contains(FORGED_HOST),
        "links come from the configured public address"
    );
    Ok(page)
}

/// A portal whose public address is `http://portal.test`.
async fn portal() -> Result<Portal, Error> {
    common::portal_with(server::config::WebSettings {
        public_url: Some(format!("http://{HOST}")),
        ..Default::default()
    })
    .await
}

struct Desk {
    db: DatabaseConnection,
    officer: Account,
    /// Two communities of the demo directory: (id, name).
    communities: [(i32, String); 2],
}

async fn desk(portal: &Portal) -> Result<Desk, Error> {
    let db = domain::db::connect(&portal.db_url).await?;
    let officer = domain::accounts::add_user(
        &db,
        "13700000201",
        Some("a-long-pass-phrase"),
        &[Role::Officer],
        Utc::now(),
    )
    .await?;
    let mut communities = domain::directory::communities(&db)
        .await?
        .into_iter()
        .map(|c| (c.community.id, c.community.name));
    let (Some(first), Some(second)) = (communities.next(), communities.next()) else {
        return Err("the demo directory has two communities".into());
    };
    Ok(Desk {
        db,
        officer,
        communities: [first, second],
    })
}

fn draft(title: &str, category: &str, severity: &str, communities: Vec<i32>) -> Draft {
    let now = Utc::now();
    Draft {
        title: title.to_owned(),
        body: format!("{title}。\n\n- 不转账，不透露验证码\n- **拨打 110**"),
        category: category.to_owned(),
        severity: severity.to_owned(),
        communities,
        starts_at: now - Duration::hours(1),
        expires_at: now + Duration::days(7),
        pinned: false,
    }
}

impl Desk {
    async fn save(&self, draft: Draft) -> Result<i32, Error> {
        Ok(
            domain::notices::create(&self.db, &self.officer, draft, Utc::now())
                .await?
                .id,
        )
    }

    async fn publish(&self, draft: Draft) -> Result<i32, Error> {
        let id = self.save(draft).await?;
        domain::notices::publish(&self.db, &self.officer, id, Utc::now()).await?;
        Ok(id)
    }
}

fn content_type(page: &Page) -> &str {
    page.headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
}

fn text(t: &Option<feed_rs::model::Text>) -> &str {
    t.as_ref().map(|t| t.content.as_str()).unwrap_or("")
}

fn entry<'a>(feed: &'a feed_rs::model::Feed, title: &str) -> Option<&'a feed_rs::model::Entry> {
    feed.entries.iter().find(|e| text(&e.title) == title)
}

/// The text of the first `<name>` element.
fn field<'a>(xml: &'a str, name: &str) -> Option<&'a str> {
    let open = format!("<{name}>");
    let close = format!("</{name}>");
    let start = xml.find(&open)? + open.len();
    let end = xml[start..].find(&close)? + start;
    Some(&xml[start..end])
}

/// Runs xmllint on the document, against the CAP schema when asked.
fn xmllint(xml: &str, cap_schema: bool) -> TestResult {
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let path = std::env::temp_dir().join(format!(
        "portal-feed-{}-{}.xml",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    ));
    std::fs::write(&path, xml)?;
    let mut command = Command::new("xmllint");
    command.arg("--noout").arg("--nonet");
    if cap_schema {
        command
            .arg("--schema")
            .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/CAP-v1.2.xsd"));
    }
    let output = command.arg(&path).output();
    let _cleanup = std::fs::remove_file(&path);
    let output = output?;
    assert!(
        output.status.success(),
        "xmllint refuses the document:\n{}\n{xml}",
        String::from_utf8_lossy(&output.stderr)
    );
    Ok(())
}

/// The CAP alert of a notice, checked against the schema.
async fn alert(portal: &Portal, id: i32) -> Result<String, Error> {
    let page = get(portal, &format!("/feeds/cap/{id}.xml")).await?;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert_eq!(content_type(&page), "application/xml; charset=utf-8");
    xmllint(&page.body, true)?;
    Ok(page.body)
}

#[test]
fn the_atom_feed_lists_the_notices_in_force_overall_and_per_community() -> TestResult {
    run(async {
        let portal = portal().await?;
        let desk = desk(&portal).await?;
        let [(first, first_name), (second, _)] = desk.communities.clone();
        let everyone = "测试：冒充<客服>“退款”& 理赔诈骗";
        let everyone_id = desk
            .publish(draft(everyone, "fraud", "warning", vec![]))
            .await?;
        let first_only = desk
            .publish(draft(
                "测试：河边玩水危险",
                "drowning",
                "caution",
                vec![first],
            ))
            .await?;
        desk.publish(draft("测试：路口施工绕行", "traffic", "info", vec![second]))
            .await?;
        desk.save(draft("测试：尚未发布的草稿", "fire", "info", vec![]))
            .await?;
        let mut past = draft("测试：已经过期的提示", "weather", "info", vec![]);
        past.starts_at = Utc::now() - Duration::days(3);
        past.expires_at = Utc::now() - Duration::days(1);
        // Published while it was in force, two days ago.
        let id = desk.save(past).await?;
        domain::notices::publish(&desk.db, &desk.officer, id, Utc::now() - Duration::days(2))
            .await?;
        let withdrawn = desk
            .publish(draft("测试：已撤销的提示", "order", "info", vec![]))
            .await?;
        domain::notices::cancel(&desk.db, &desk.officer, withdrawn, Utc::now()).await?;

        let page = get(&portal, "/feeds/notices.atom").await?;
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);
        assert_eq!(content_type(&page), "application/atom+xml; charset=utf-8");
        xmllint(&page.body, false)?;
        let feed = feed_rs::parser::parse(page.body.as_bytes())?;
        assert!(feed.id.starts_with("tag:"), "{}", feed.id);
        assert!(feed.updated.is_some());
        assert!(
            feed.links.iter().any(|l| l.rel.as_deref() == Some("self")
                && l.href == format!("http://{HOST}/feeds/notices.atom")),
            "{:?}",
            feed.links
        );
        let all = entry(&feed, everyone).ok_or("the notice for everyone, its title intact")?;
        assert!(all.id.starts_with("tag:") && all.id.ends_with(&format!("/{everyone_id}")));
        assert!(all.updated.is_some() && all.published.is_some());
        assert_eq!(
            all.links.first().map(|l| l.href.as_str()),
            Some(format!("http://{HOST}/notices/{everyone_id}").as_str())
        );
        assert!(all.categories.iter().any(|c| c.term == "fraud"));
        assert!(all.categories.iter().any(|c| c.term == "warning"));
        let body = all
            .content
            .as_ref()
            .and_then(|c| c.body.as_deref())
            .unwrap_or("");
        assert!(
            body.contains("- 不转账，不透露验证码\n- 拨打 110"),
            "plain text: {body}"
        );
        assert!(entry(&feed, "测试：河边玩水危险").is_some());
        assert!(entry(&feed, "测试：路口施工绕行").is_some());
        for absent in [
            "测试：尚未发布的草稿",
            "测试：已经过期的提示",
            "测试：已撤销的提示",
        ] {
            assert!(entry(&feed, absent).is_none(), "{absent} is not in force");
        }
        let mut ids: Vec<&str> = feed.entries.iter().map(|e| e.id.as_str()).collect();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), feed.entries.len(), "entry ids are unique");

        let page = get(&portal, &format!("/feeds/notices.atom?community={first}")).await?;
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);
        let feed = feed_rs::parser::parse(page.body.as_bytes())?;
        assert!(text(&feed.title).contains(&first_name), "{:?}", feed.title);
        assert!(feed.links.iter().any(|l| l.rel.as_deref() == Some("self")
            && l.href == format!("http://{HOST}/feeds/notices.atom?community={first}")));
        assert!(entry(&feed, everyone).is_some(), "notices for all included");
        let own = entry(&feed, "测试：河边玩水危险").ok_or("the community's own notice")?;
        assert!(own.id.ends_with(&format!("/{first_only}")));
        assert!(
            entry(&feed, "测试：路口施工绕行").is_none(),
            "another community's notice left out"
        );

        let page = get(&portal, "/feeds/notices.atom?community=987654").await?;
        assert_eq!(page.status, StatusCode::NOT_FOUND);
        let page = get(&portal, "/feeds/notices.atom?community=first").await?;
        assert!(page.status.is_client_error(), "{}", page.status);
        Ok(())
    })
}

#[test]
fn cap_alerts_follow_the_versions_and_validate_against_the_schema() -> TestResult {
    run(async {
        let portal = portal().await?;
        let desk = desk(&portal).await?;
        let [(first, first_name), (second, second_name)] = desk.communities.clone();

        // An alert, then its update.
        let scam = desk
            .publish(draft(
                "测试：冒充公检法诈骗",
                "fraud",
                "urgent",
                vec![first],
            ))
            .await?;
        let v1 = alert(&portal, scam).await?;
        assert_eq!(
            field(&v1, "identifier"),
            Some(format!("zbs-notice-{scam}-v1").as_str())
        );
        assert_eq!(field(&v1, "sender"), Some(SENDER));
        assert_eq!(field(&v1, "status"), Some("Actual"));
        assert_eq!(field(&v1, "msgType"), Some("Alert"));
        assert_eq!(field(&v1, "scope"), Some("Public"));
        assert_eq!(field(&v1, "references"), None);
        assert_eq!(field(&v1, "language"), Some("zh-CN"));
        assert_eq!(field(&v1, "category"), Some("Security"));
        assert_eq!(field(&v1, "event"), Some("反诈"));
        assert_eq!(field(&v1, "urgency"), Some("Immediate"));
        assert_eq!(field(&v1, "severity"), Some("Extreme"));
        assert_eq!(field(&v1, "certainty"), Some("Observed"));
        assert_eq!(field(&v1, "senderName"), Some("招宝山派出所"));
        assert_eq!(field(&v1, "headline"), Some("测试：冒充公检法诈骗"));
        assert_eq!(
            field(&v1, "web"),
            Some(format!("http://{HOST}/notices/{scam}").as_str())
        );
        assert_eq!(field(&v1, "areaDesc"), Some(first_name.as_str()));
        let sent_v1 = field(&v1, "sent").ok_or("sent")?.to_owned();
        assert!(sent_v1.ends_with("+08:00"), "{sent_v1}");

        domain::notices::edit(
            &desk.db,
            &desk.officer,
            scam,
            draft(
                "测试：冒充公检法诈骗（更新）",
                "fraud",
                "warning",
                vec![first, second],
            ),
            Utc::now(),
        )
        .await?;
        let v2 = alert(&portal, scam).await?;
        assert_eq!(field(&v2, "msgType"), Some("Update"));
        assert_eq!(
            field(&v2, "identifier"),
            Some(format!("zbs-notice-{scam}-v2").as_str())
        );
        assert_eq!(
            field(&v2, "references"),
            Some(format!("{SENDER},zbs-notice-{scam}-v1,{sent_v1}").as_str()),
            "the update names the alert it replaces"
        );
        assert_eq!(field(&v2, "severity"), Some("Severe"));
        let area = field(&v2, "areaDesc").ok_or("areaDesc")?;
        assert!(
            area.contains(&first_name) && area.contains(&second_name) && area.contains('、'),
            "{area}"
        );

        // An alert for everyone, then its cancellation.
        let flood = desk
            .publish(draft("测试：台风天远离江边", "weather", "caution", vec![]))
            .await?;
        let published = alert(&portal, flood).await?;
        let sent_flood = field(&published, "sent").ok_or("sent")?.to_owned();
        assert_eq!(field(&published, "areaDesc"), Some("招宝山街道全域"));
        assert_eq!(field(&published, "category"), Some("Met"));
        domain::notices::cancel(&desk.db, &desk.officer, flood, Utc::now()).await?;
        let cancel = alert(&portal, flood).await?;
        assert_eq!(field(&cancel, "msgType"), Some("Cancel"));
        assert_eq!(
            field(&cancel, "identifier"),
            Some(format!("zbs-notice-{flood}-v2").as_str())
        );
        let references = field(&cancel, "references").ok_or("a cancel references")?;
        assert_eq!(
            references,
            format!("{SENDER},zbs-notice-{flood}-v1,{sent_flood}")
        );

        // Drafts and anything else are not found.
        let draft_id = desk
            .save(draft("测试：草稿不外发", "fire", "info", vec![]))
            .await?;
        for uri in [
            format!("/feeds/cap/{draft_id}.xml"),
            format!("/feeds/cap/{scam}.json"),
            format!("/feeds/cap/{scam}"),
            "/feeds/cap/+1.xml".to_owned(),
            "/feeds/cap/abc.xml".to_owned(),
            "/feeds/cap/987654.xml".to_owned(),
        ] {
            let page = get(&portal, &uri).await?;
            assert_eq!(page.status, StatusCode::NOT_FOUND, "{uri}");
        }

        // Demo rows are invented: alerting systems must not take them for real.
        notice::Entity::update_many()
            .col_expr(notice::Column::IsDemo, Expr::value(true))
            .filter(notice::Column::Id.eq(flood))
            .exec(&desk.db)
            .await?;
        let demo = alert(&portal, flood).await?;
        assert_eq!(field(&demo, "status"), Some("Test"));

        // The index lists the current alert of every published or cancelled notice.
        let page = get(&portal, "/feeds/cap.xml").await?;
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);
        assert_eq!(content_type(&page), "application/atom+xml; charset=utf-8");
        xmllint(&page.body, false)?;
        let index = feed_rs::parser::parse(page.body.as_bytes())?;
        let link_to = |id: i32| format!("http://{HOST}/feeds/cap/{id}.xml");
        for (id, current) in [(scam, 2), (flood, 2)] {
            let listed = index
                .entries
                .iter()
                .find(|e| e.links.iter().any(|l| l.href == link_to(id)))
                .ok_or(format!("notice {id} in the CAP index"))?;
            assert!(
                listed.id.ends_with(&format!("zbs-notice-{id}-v{current}")),
                "{}",
                listed.id
            );
        }
        assert!(
            !page.body.contains(&link_to(draft_id)),
            "no draft in the index"
        );
        assert!(page.body.contains("<cap:msgType>Cancel</cap:msgType>"));
        for listed in &index.entries {
            let href = listed
                .links
                .iter()
                .find(|l| l.media_type.as_deref() == Some("application/cap+xml"))
                .map(|l| l.href.clone())
                .ok_or("each entry links its alert")?;
            let path = href
                .strip_prefix(&format!("http://{HOST}"))
                .ok_or("absolute links")?;
            let page = get(&portal, path).await?;
            assert_eq!(page.status, StatusCode::OK, "{path}");
            xmllint(&page.body, true)?;
        }
        Ok(())
    })
}

/// A station's own identity, entered by its admin, is what its alerts and feeds carry: the
/// sender, the sender's name, the area of a notice for every community, and ids whose
/// authority is the sender.
#[test]
fn alerts_and_feeds_name_the_station_as_entered() -> TestResult {
    run(async {
        let portal = portal().await?;
        let desk = desk(&portal).await?;
        domain::station::save(
            &desk.db,
            domain::admin_log::Actor::CommandLine,
            domain::station::Identity {
                name: "蛟川派出所".into(),
                district: "蛟川街道".into(),
                address: "宁波市镇海区蛟川街道某路1号".into(),
                phone: "0574-86270110".into(),
                public_url: "https://jjw.example.cn".into(),
                sender: "jiaochuan.police@example.cn".into(),
                area_desc: String::new(),
            },
            Utc::now(),
        )
        .await?;
        let everywhere = desk
            .publish(draft("测试：台风来袭", "weather", "warning", vec![]))
            .await?;
        let cap = alert(&portal, everywhere).await?;
        assert_eq!(field(&cap, "sender"), Some("jiaochuan.police@example.cn"));
        assert_eq!(field(&cap, "senderName"), Some("蛟川派出所"));
        assert_eq!(field(&cap, "areaDesc"), Some("蛟川街道全域"));
        assert!(!cap.contains("招宝山"), "{cap}");

        let index = get(&portal, "/feeds/cap.xml").await?;
        xmllint(&index.body, false)?;
        assert!(
            index
                .body
                .contains("<id>tag:jiaochuan.police@example.cn,2026:cap</id>"),
            "{}",
            index.body
        );
        assert!(!index.body.contains(SENDER), "no trace of the demo sender");
        let atom = get(&portal, "/feeds/notices.atom").await?;
        xmllint(&atom.body, false)?;
        assert!(
            atom.body.contains(&format!(
                "<id>tag:jiaochuan.police@example.cn,2026:notice/{everywhere}</id>"
            )),
            "{}",
            atom.body
        );
        assert!(atom.body.contains("<name>蛟川派出所</name>"));
        Ok(())
    })
}

/// A demo database of 招宝山 keeps the ids its feeds have always had.
#[test]
fn the_demo_station_keeps_the_feed_ids_it_always_had() -> TestResult {
    run(async {
        let portal = portal().await?;
        let index = get(&portal, "/feeds/cap.xml").await?;
        assert!(
            index
                .body
                .contains("<id>tag:zhaobaoshan.police@portal.example,2026:cap</id>"),
            "{}",
            index.body
        );
        Ok(())
    })
}
