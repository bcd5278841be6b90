//! `/feeds/…`: the safety notices for other systems. Atom (RFC 4287) for feed readers and
//! the district's aggregators; CAP 1.2 (OASIS Common Alerting Protocol) for alerting
//! systems, with an Atom index of the alerts as CAP publishers commonly offer. Published
//! notices only: a draft is not found here, whoever asks.
//!
//! The XML is written by hand: the documents are small and fixed in shape, and every piece
//! of text from the database passes through `escape`.

use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, SecondsFormat, Utc};
use domain::entities::{notice, notice_version};
use domain::notices::{Category, Notice, Severity, Status, VersionKind};
use domain::time::local;
use serde::Deserialize;

use app::state::AppState;

/// Who the feeds speak for: the station's identity (`domain::station`). Its CAP sender is
/// also the authority of every `tag:` id, so ids stay the same whatever host name the portal
/// is reached by, as Atom requires, and stay the same for as long as the sender does:
/// changing the sender changes every feed id and starts a new line of CAP alerts.
pub struct Issuer {
    pub sender: String,
    pub name: String,
    /// CAP `areaDesc` of a notice for all communities.
    pub whole_area: String,
    tag: String,
}

impl Issuer {
    pub fn of(station: Option<domain::entities::station::Model>) -> Issuer {
        let (sender, name, whole_area) = match station {
            Some(s) => (s.sender, s.name, s.area_desc),
            // Before the first start: `.example` is reserved (RFC 2606), so these alerts can
            // be taken for no one else's, and no station's name is borrowed.
            None => (
                UNNAMED_SENDER.to_owned(),
                "家警务".to_owned(),
                "全域".to_owned(),
            ),
        };
        Issuer {
            tag: domain::station::tag_prefix(&sender),
            sender,
            name,
            whole_area,
        }
    }

    /// The station from the database, for one request.
    async fn load(db: &domain::DatabaseConnection) -> Result<Issuer, domain::Error> {
        Ok(Issuer::of(domain::station::get(db).await?))
    }
}

/// The sender of a portal whose station has not been entered yet.
pub const UNNAMED_SENDER: &str = "station@portal.example";
const ATOM: &str = "application/atom+xml; charset=utf-8";
/// Plain XML rather than `application/cap+xml`, which never left the IETF draft stage:
/// every client opens this, and the index's links still say what the document is.
const CAP: &str = "application/xml; charset=utf-8";
/// Short enough that an urgent notice or a cancellation reaches pollers within a minute.
const CACHE: &str = "public, max-age=60";

/// Text for an element or an attribute value: markup escaped, and the characters XML 1.0
/// cannot carry at all left out, so that no row can make a document ill-formed.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // A literal CR would be normalised away by the reader.
            '\r' => out.push_str("&#13;"),
            '\t' | '\n' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'.. => {
                out.push(c)
            }
            _ => {}
        }
    }
    out
}

/// An indented XML document, built element by element.
struct Xml {
    out: String,
    depth: usize,
}

impl Xml {
    fn new() -> Xml {
        Xml {
            out: String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"),
            depth: 0,
        }
    }

    fn start(&mut self, name: &str, attributes: &[(&str, &str)]) {
        for _ in 0..self.depth {
            self.out.push_str("  ");
        }
        self.out.push('<');
        self.out.push_str(name);
        for (key, value) in attributes {
            self.out.push(' ');
            self.out.push_str(key);
            self.out.push_str("=\"");
            self.out.push_str(&escape(value));
            self.out.push('"');
        }
    }

    fn open(&mut self, name: &str, attributes: &[(&str, &str)]) {
        self.start(name, attributes);
        self.out.push_str(">\n");
        self.depth += 1;
    }

    fn close(&mut self, name: &str) {
        self.depth = self.depth.saturating_sub(1);
        for _ in 0..self.depth {
            self.out.push_str("  ");
        }
        self.out.push_str("</");
        self.out.push_str(name);
        self.out.push_str(">\n");
    }

    fn empty(&mut self, name: &str, attributes: &[(&str, &str)]) {
        self.start(name, attributes);
        self.out.push_str("/>\n");
    }

    fn text_with(&mut self, name: &str, attributes: &[(&str, &str)], text: &str) {
        self.start(name, attributes);
        self.out.push('>');
        self.out.push_str(&escape(text));
        self.out.push_str("</");
        self.out.push_str(name);
        self.out.push_str(">\n");
    }

    fn text(&mut self, name: &str, text: &str) {
        self.text_with(name, &[], text);
    }

    fn finish(self) -> String {
        self.out
    }
}

/// Local time with its offset and whole seconds, e.g. `2026-11-29T20:00:00+08:00`: RFC 3339
/// for Atom, and the only form CAP's schema allows (it refuses `Z` and fractions).
pub fn timestamp(at: DateTime<Utc>) -> String {
    local(at).to_rfc3339_opts(SecondsFormat::Secs, false)
}

/// The CAP identifier of one version of a notice; CAP forbids spaces, commas, `<` and `&`.
pub fn identifier(notice_id: i32, version: i32) -> String {
    format!("zbs-notice-{notice_id}-v{version}")
}

/// Categories and severities as the pages name them (app/locales/zh-CN/notices.ftl):
/// residents meet the same words wherever a notice reaches them.
fn category_name(category: Category) -> &'static str {
    match category {
        Category::Fraud => "反诈",
        Category::Drowning => "防溺水",
        Category::Traffic => "交通",
        Category::Fire => "消防",
        Category::Weather => "天气",
        Category::Missing => "寻人",
        Category::Order => "治安",
        Category::Other => "其他",
    }
}

fn severity_name(severity: Severity) -> &'static str {
    match severity {
        Severity::Info => "提示",
        Severity::Caution => "注意",
        Severity::Warning => "警告",
        Severity::Urgent => "紧急",
    }
}

/// CAP's `<category>`: fraud and public order are crimes (Security); drowning is personal
/// safety (Safety); a missing person is a search (Rescue).
fn cap_category(category: Category) -> &'static str {
    match category {
        Category::Fraud | Category::Order => "Security",
        Category::Drowning => "Safety",
        Category::Traffic => "Transport",
        Category::Fire => "Fire",
        Category::Weather => "Met",
        Category::Missing => "Rescue",
        Category::Other => "Other",
    }
}

/// CAP's urgency, severity and certainty. Our one scale stands for all three: an urgent
/// notice is about something happening now (a missing child, a scam call wave), a mere
/// hint about a risk that may come.
fn assessment(severity: Severity) -> [&'static str; 3] {
    match severity {
        Severity::Urgent => ["Immediate", "Extreme", "Observed"],
        Severity::Warning => ["Expected", "Severe", "Likely"],
        Severity::Caution => ["Future", "Moderate", "Possible"],
        Severity::Info => ["Future", "Minor", "Possible"],
    }
}

fn msg_type(kind: VersionKind) -> &'static str {
    match kind {
        VersionKind::Published => "Alert",
        VersionKind::Updated => "Update",
        VersionKind::Cancelled => "Cancel",
    }
}

/// Demo rows are invented: alerting systems must be able to tell them from real warnings
/// (CAP's `Test`: "all recipients disregard").
fn cap_status(n: &notice::Model) -> &'static str {
    if n.is_demo { "Test" } else { "Actual" }
}

/// The latest version as the notice row records it: publishing, editing a published notice
/// and cancelling each set the version number and `updated_at` to the new version's own in
/// the same transaction. Lets the index skip a query per notice.
fn current_kind(n: &notice::Model) -> VersionKind {
    if n.status == Status::Cancelled {
        VersionKind::Cancelled
    } else if n.version > 1 {
        VersionKind::Updated
    } else {
        VersionKind::Published
    }
}

fn area(notice: &Notice, issuer: &Issuer) -> String {
    if notice.notice.all_communities || notice.communities.is_empty() {
        issuer.whole_area.clone()
    } else {
        notice
            .communities
            .iter()
            .map(|(_, name)| name.as_str())
            .collect::<Vec<_>>()
            .join("、")
    }
}

/// The body without its `**bold**` marks: feeds carry plain text.
fn plain(body: &str) -> String {
    body.replace("**", "")
}

fn document(content_type: &'static str, body: String) -> Response {
    (
        [
            (header::CONTENT_TYPE, content_type),
            (header::CACHE_CONTROL, CACHE),
        ],
        body,
    )
        .into_response()
}

fn not_found() -> Response {
    (StatusCode::NOT_FOUND, "not found\n").into_response()
}

fn failed(what: &str, error: &dyn std::fmt::Display) -> Response {
    tracing::error!(%error, what, "feed unavailable");
    (StatusCode::INTERNAL_SERVER_ERROR, "unavailable\n").into_response()
}

/// The head every Atom feed here shares; `links` are the feed's own address and the page
/// it stands for.
fn atom_head(
    xml: &mut Xml,
    id: &str,
    title: &str,
    [self_url, alternate]: [&str; 2],
    updated: DateTime<Utc>,
    cap_namespace: bool,
    issuer: &Issuer,
) {
    let mut attributes = vec![
        ("xmlns", "http://www.w3.org/2005/Atom"),
        ("xml:lang", "zh-CN"),
    ];
    if cap_namespace {
        attributes.push(("xmlns:cap", "urn:oasis:names:tc:emergency:cap:1.2"));
    }
    xml.open("feed", &attributes);
    xml.text("id", id);
    xml.text_with("title", &[("type", "text")], title);
    xml.text("updated", &timestamp(updated));
    xml.empty(
        "link",
        &[
            ("rel", "self"),
            ("type", "application/atom+xml"),
            ("href", self_url),
        ],
    );
    xml.empty(
        "link",
        &[
            ("rel", "alternate"),
            ("type", "text/html"),
            ("href", alternate),
        ],
    );
    xml.open("author", &[]);
    xml.text("name", &issuer.name);
    xml.close("author");
}

/// A feed changes when one of its entries does; an empty one is as new as the request.
fn latest(times: impl Iterator<Item = DateTime<Utc>>, now: DateTime<Utc>) -> DateTime<Utc> {
    times.max().unwrap_or(now)
}

/// The Atom feed of the notices in force: for every community, or for one (the notices
/// for all communities included).
pub fn notices_atom(
    issuer: &Issuer,
    notices: &[Notice],
    pictures: &[domain::entities::attachment::Model],
    community: Option<(i32, &str)>,
    base: &str,
    now: DateTime<Utc>,
) -> String {
    let (id, title, self_url) = match community {
        Some((community_id, name)) => (
            format!("{}notices/community/{community_id}", issuer.tag),
            format!("{}·安全提示·{name}", issuer.name),
            format!("{base}/feeds/notices.atom?community={community_id}"),
        ),
        None => (
            format!("{}notices", issuer.tag),
            format!("{}·安全提示", issuer.name),
            format!("{base}/feeds/notices.atom"),
        ),
    };
    let mut xml = Xml::new();
    atom_head(
        &mut xml,
        &id,
        &title,
        [&self_url, &format!("{base}/notices")],
        latest(notices.iter().map(|n| n.notice.updated_at), now),
        false,
        issuer,
    );
    for notice in notices {
        let n = &notice.notice;
        let category = n.category;
        let severity = notice.severity();
        xml.open("entry", &[]);
        xml.text("id", &format!("{}notice/{}", issuer.tag, n.id));
        xml.text_with("title", &[("type", "text")], &n.title);
        xml.text("updated", &timestamp(n.updated_at));
        if let Some(published) = n.published_at {
            xml.text("published", &timestamp(published));
        }
        xml.empty(
            "link",
            &[
                ("rel", "alternate"),
                ("type", "text/html"),
                ("href", &format!("{base}/notices/{}", n.id)),
            ],
        );
        for picture in pictures.iter().filter(|p| p.notice_id == Some(n.id)) {
            xml.empty(
                "link",
                &[
                    ("rel", "enclosure"),
                    ("type", "image/jpeg"),
                    ("length", &picture.bytes.to_string()),
                    ("href", &format!("{base}/files/{}", picture.key)),
                ],
            );
        }
        xml.empty(
            "category",
            &[
                ("term", category.as_str()),
                ("scheme", &format!("{}category", issuer.tag)),
                ("label", category_name(category)),
            ],
        );
        xml.empty(
            "category",
            &[
                ("term", severity.as_str()),
                ("scheme", &format!("{}severity", issuer.tag)),
                ("label", severity_name(severity)),
            ],
        );
        xml.text_with("content", &[("type", "text")], &plain(&n.body));
        xml.close("entry");
    }
    xml.close("feed");
    xml.finish()
}

/// The CAP alert for a notice's latest version, referencing every earlier one.
pub fn cap_alert(
    issuer: &Issuer,
    notice: &Notice,
    versions: &[notice_version::Model],
    base: &str,
) -> Result<String, String> {
    let n = &notice.notice;
    let (current, earlier) = versions
        .split_last()
        .ok_or_else(|| format!("notice {} has no published version", n.id))?;
    let kind = current.kind;
    let category = n.category;
    let [urgency, severity, certainty] = assessment(notice.severity());
    let mut xml = Xml::new();
    xml.open(
        "alert",
        &[("xmlns", "urn:oasis:names:tc:emergency:cap:1.2")],
    );
    xml.text("identifier", &identifier(n.id, current.version));
    xml.text("sender", &issuer.sender);
    xml.text("sent", &timestamp(current.at));
    xml.text("status", cap_status(n));
    xml.text("msgType", msg_type(kind));
    xml.text("scope", "Public");
    if n.is_demo {
        xml.text("note", "演示数据，并非真实警情。");
    }
    if !earlier.is_empty() {
        let references = earlier
            .iter()
            .map(|v| {
                format!(
                    "{},{},{}",
                    issuer.sender,
                    identifier(n.id, v.version),
                    timestamp(v.at)
                )
            })
            .collect::<Vec<_>>()
            .join(" ");
        xml.text("references", &references);
    }
    xml.open("info", &[]);
    xml.text("language", "zh-CN");
    xml.text("category", cap_category(category));
    xml.text("event", category_name(category));
    xml.text("urgency", urgency);
    xml.text("severity", severity);
    xml.text("certainty", certainty);
    xml.text("effective", &timestamp(n.starts_at));
    xml.text("expires", &timestamp(n.expires_at));
    xml.text("senderName", &issuer.name);
    xml.text("headline", &n.title);
    xml.text("description", &plain(&n.body));
    xml.text("web", &format!("{base}/notices/{}", n.id));
    xml.open("area", &[]);
    xml.text("areaDesc", &area(notice, issuer));
    xml.close("area");
    xml.close("info");
    xml.close("alert");
    Ok(xml.finish())
}

/// The index of CAP alerts: one entry per published or cancelled notice, for its current
/// alert. An entry's id is that alert's, so a reader sees an Update or a Cancel as new.
pub fn cap_index(issuer: &Issuer, notices: &[Notice], base: &str, now: DateTime<Utc>) -> String {
    let mut xml = Xml::new();
    atom_head(
        &mut xml,
        &format!("{}cap", issuer.tag),
        &format!("{}·CAP 预警", issuer.name),
        [
            &format!("{base}/feeds/cap.xml"),
            &format!("{base}/notices/archive"),
        ],
        latest(notices.iter().map(|n| n.notice.updated_at), now),
        true,
        issuer,
    );
    for notice in notices {
        let n = &notice.notice;
        let kind = current_kind(n);
        let category = n.category;
        let [urgency, severity, certainty] = assessment(notice.severity());
        let identifier = identifier(n.id, n.version);
        xml.open("entry", &[]);
        xml.text("id", &format!("{}{identifier}", issuer.tag));
        xml.text_with("title", &[("type", "text")], &n.title);
        xml.text("updated", &timestamp(n.updated_at));
        if let Some(published) = n.published_at {
            xml.text("published", &timestamp(published));
        }
        xml.empty(
            "link",
            &[
                ("rel", "alternate"),
                // What the document is, for CAP aggregators that pick links by it.
                ("type", "application/cap+xml"),
                ("href", &format!("{base}/feeds/cap/{}.xml", n.id)),
            ],
        );
        xml.empty(
            "link",
            &[
                ("rel", "related"),
                ("type", "text/html"),
                ("href", &format!("{base}/notices/{}", n.id)),
            ],
        );
        xml.text_with(
            "summary",
            &[("type", "text")],
            &format!(
                "{} · {} · {}",
                category_name(category),
                severity_name(notice.severity()),
                area(notice, issuer)
            ),
        );
        // The alert's key fields, so that an aggregator can filter without fetching it.
        xml.text("cap:identifier", &identifier);
        xml.text("cap:sender", &issuer.sender);
        xml.text("cap:sent", &timestamp(n.updated_at));
        xml.text("cap:status", cap_status(n));
        xml.text("cap:msgType", msg_type(kind));
        xml.text("cap:event", category_name(category));
        xml.text("cap:urgency", urgency);
        xml.text("cap:severity", severity);
        xml.text("cap:certainty", certainty);
        xml.text("cap:effective", &timestamp(n.starts_at));
        xml.text("cap:expires", &timestamp(n.expires_at));
        xml.text("cap:areaDesc", &area(notice, issuer));
        xml.close("entry");
    }
    xml.close("feed");
    xml.finish()
}

#[derive(Debug, Deserialize)]
pub struct NoticesQuery {
    community: Option<i32>,
}

/// `GET /feeds/notices.atom[?community={id}]`: the notices in force; 404 for a community
/// that does not exist.
pub async fn notices(State(state): State<AppState>, Query(query): Query<NoticesQuery>) -> Response {
    let now = Utc::now();
    let community = match query.community {
        None => None,
        Some(id) => match domain::directory::community(&state.db, id).await {
            Ok(detail) => Some(detail.community),
            Err(domain::Error::NotFound) => return not_found(),
            Err(e) => return failed("the community of a notice feed", &e),
        },
    };
    let active =
        match domain::notices::active(&state.db, community.as_ref().map(|c| c.id), now).await {
            Ok(active) => active,
            Err(e) => return failed("the notices in force", &e),
        };
    let issuer = match Issuer::load(&state.db).await {
        Ok(issuer) => issuer,
        Err(e) => return failed("the station", &e),
    };
    let ids: Vec<i32> = active.iter().map(|n| n.notice.id).collect();
    let pictures = match domain::files::of_notices(&state.db, &ids).await {
        Ok(pictures) => pictures,
        Err(e) => return failed("the notices' pictures", &e),
    };
    let body = notices_atom(
        &issuer,
        &active,
        &pictures,
        community.as_ref().map(|c| (c.id, c.name.as_str())),
        &state.public_url,
        now,
    );
    document(ATOM, body)
}

/// `GET /feeds/cap.xml`: the index of CAP alerts.
pub async fn cap_feed(State(state): State<AppState>) -> Response {
    let issuer = match Issuer::load(&state.db).await {
        Ok(issuer) => issuer,
        Err(e) => return failed("the station", &e),
    };
    match domain::notices::archive(&state.db, None, None).await {
        Ok(notices) => document(
            ATOM,
            cap_index(&issuer, &notices, &state.public_url, Utc::now()),
        ),
        Err(e) => failed("the CAP index", &e),
    }
}

/// `GET /feeds/cap/{id}.xml`: the CAP alert of a notice's latest version; 404 for drafts.
/// The router matches whole path segments only, so the `.xml` is taken off here.
pub async fn cap_document(State(state): State<AppState>, Path(file): Path<String>) -> Response {
    let Some(id) = file
        .strip_suffix(".xml")
        .filter(|id| !id.is_empty() && id.bytes().all(|b| b.is_ascii_digit()))
        .and_then(|id| id.parse::<i32>().ok())
    else {
        return not_found();
    };
    let notice = match domain::notices::get(&state.db, id, None).await {
        Ok(notice) => notice,
        Err(domain::Error::NotFound) => return not_found(),
        Err(e) => return failed("a notice for CAP", &e),
    };
    let versions = match domain::notices::versions(&state.db, id).await {
        Ok(versions) => versions,
        Err(e) => return failed("the versions of a notice", &e),
    };
    let issuer = match Issuer::load(&state.db).await {
        Ok(issuer) => issuer,
        Err(e) => return failed("the station", &e),
    };
    match cap_alert(&issuer, &notice, &versions, &state.public_url) {
        Ok(body) => document(CAP, body),
        Err(e) => failed("a CAP alert", &e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_drops_what_xml_cannot_carry() {
        assert_eq!(
            escape("a<b>&\"c\"'d'\u{1}\u{FFFE}\r\n"),
            "a&lt;b&gt;&amp;&quot;c&quot;&apos;d&apos;&#13;\n"
        );
        assert_eq!(escape("招宝山 🚓"), "招宝山 🚓");
    }

    #[test]
    fn times_carry_the_local_offset_and_whole_seconds() {
        let at =
            DateTime::parse_from_rfc3339("2026-11-29T12:00:00.123Z").map(|t| t.with_timezone(&Utc));
        assert_eq!(
            at.map(timestamp).as_deref(),
            Ok("2026-11-29T20:00:00+08:00")
        );
    }
}
