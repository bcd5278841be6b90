//! The outbox's worker, in every serving process: claims due messages under a lease, writes
//! each in the person's words, sends it through the configured channel and records what the
//! provider answered (`domain::outbox` holds the rules). Nothing is sent from inside a
//! request: a request only queues, in its own transaction.

pub mod aliyun;
pub mod email;
pub mod wechat;

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use app::i18n::{I18n, Locale};
use domain::DatabaseConnection;
use domain::entities::delivery;
use domain::outbox::{Answer, Channel, Kind, Receipt, RetryPolicy};
use futures_util::future::BoxFuture;

/// A text ready to go: whom to, and what it says in the portal's words and as a provider's
/// template arguments.
#[derive(Clone, Debug)]
pub struct Outgoing {
    /// The full phone number.
    pub to: String,
    pub kind: Kind,
    /// The whole text, with the station's signature and the opt-out, as the log shows it.
    pub text: String,
    /// The template's arguments: `code` (a case code, a notice's title) and `time`.
    pub code: String,
    pub time: String,
}

/// A provider of SMS. Each answers every try, also when it cannot reach its provider: a
/// timeout or an answer it cannot read is a failed try, never a lost message.
pub trait SmsProvider: Send + Sync {
    /// The name kept with each try: "log", "aliyun".
    fn via(&self) -> &'static str;
    fn send<'a>(&'a self, sms: &'a Outgoing) -> BoxFuture<'a, Answer>;
    /// What the carrier reported of the text `reference` (the provider's name for it) sent
    /// to `phone` on `sent_on` (Ningbo's date): `None` while there is no receipt, and from a
    /// provider that gives none.
    fn receipt<'a>(
        &'a self,
        _phone: &'a str,
        _reference: &'a str,
        _sent_on: chrono::NaiveDate,
    ) -> BoxFuture<'a, Option<Receipt>> {
        Box::pin(async { None })
    }
}

/// The default: each text is written to the log (masked) instead of sent, so a portal with
/// no provider shows the outbox at work; officers read the same on 消息外发.
pub struct LogSms;

impl SmsProvider for LogSms {
    fn via(&self) -> &'static str {
        "log"
    }

    fn send<'a>(&'a self, sms: &'a Outgoing) -> BoxFuture<'a, Answer> {
        Box::pin(async move {
            tracing::info!(
                to = %domain::accounts::phone::mask(&sms.to),
                text = %sms.text,
                "SMS (log channel, no provider configured)"
            );
            Answer {
                via: "log".to_owned(),
                ok: true,
                text: "written to the log".to_owned(),
                reference: None,
            }
        })
    }
}

/// Everything the worker needs, built from the settings at start.
pub struct Outbox {
    pub sms: Box<dyn SmsProvider>,
    /// The station's WeChat Official Account, when configured.
    pub wechat: Option<wechat::Wechat>,
    /// The station's mail relay, when configured.
    pub email: Option<email::Email>,
    /// The station's SMS signature, without the brackets: 【招宝山派出所】.
    pub sign_name: String,
    /// Non-urgent SMS a day.
    pub daily_budget: u32,
    pub retry: RetryPolicy,
    /// How long a claimed message stays with its worker: far longer than a provider's
    /// timeout, so that only a dead worker's messages are taken over.
    pub lease: chrono::Duration,
    /// Messages claimed at a time.
    pub batch: u64,
    /// How long a provider may take to answer.
    pub timeout: Duration,
    /// Where people reach the portal, for the links in texts.
    pub public_url: String,
}

impl Outbox {
    /// The log channel with the default policies.
    pub fn logging(public_url: String) -> Outbox {
        Outbox {
            sms: Box::new(LogSms),
            wechat: None,
            email: None,
            sign_name: "家警务".to_owned(),
            daily_budget: 500,
            retry: RetryPolicy::default(),
            lease: chrono::Duration::minutes(5),
            batch: 20,
            timeout: Duration::from_secs(15),
            public_url,
        }
    }

    /// The text of a message in Chinese (texts go to Chinese phone numbers; the provider's
    /// approved templates are Chinese too), signed and with the opt-out the rules require.
    pub fn write(&self, message: &delivery::Model, to: String) -> Outgoing {
        let (said, time) = self.said(message);
        let code: String = message.subject.chars().take(20).collect();
        // A code's text is the code and nothing to click: a link in it is what a scam
        // text looks like.
        let text = if message.kind == Kind::Code {
            format!("【{}】{said}", self.sign_name)
        } else {
            let opt_out = I18n {
                locale: Locale::ZhCn,
            }
            .t("outbox-opt-out");
            format!(
                "【{}】{said} {} {opt_out}",
                self.sign_name,
                self.link(message)
            )
        };
        Outgoing {
            to,
            kind: message.kind,
            text,
            code,
            time,
        }
    }

    /// The page a message is about, as an absolute address.
    fn link(&self, message: &delivery::Model) -> String {
        format!("{}{}", self.public_url.trim_end_matches('/'), message.link)
    }

    /// What the message says, in Chinese, and when its session or shift starts.
    fn said(&self, message: &delivery::Model) -> (String, String) {
        let i18n = I18n {
            locale: Locale::ZhCn,
        };
        let time = message
            .starts_at
            .map(domain::time::format_local)
            .unwrap_or_default();
        let code: String = message.subject.chars().take(20).collect();
        (
            i18n.args(&message.topic, &[("code", &code), ("time", &time)]),
            time,
        )
    }

    /// A message as a WeChat template card: the template's "thing" holds 20 characters.
    pub fn card(&self, message: &delivery::Model, openid: String, now: DateTime) -> wechat::Card {
        let (said, time) = self.said(message);
        let mut what: String = said.chars().take(20).collect();
        if said.chars().count() > 20 {
            what = what.chars().take(19).chain(['…']).collect();
        }
        wechat::Card {
            openid,
            kind: message.kind,
            what,
            when: if time.is_empty() {
                domain::time::format_local(now)
            } else {
                time
            },
            url: self.link(message),
        }
    }

    /// A message as a mail: the whole sentence, the page, and how to stop such mail.
    pub fn mail(&self, message: &delivery::Model, to: String) -> email::Mail {
        let i18n = I18n {
            locale: Locale::ZhCn,
        };
        let (said, _) = self.said(message);
        let subject: String = format!("【{}】{said}", self.sign_name)
            .chars()
            .take(60)
            .collect();
        let body = if message.kind == Kind::Code {
            format!("{said}\n")
        } else {
            format!(
                "{said}\n\n{}\n\n{}\n",
                self.link(message),
                i18n.args(
                    "outbox-mail-opt-out",
                    &[(
                        "link",
                        &format!("{}/me#channels", self.public_url.trim_end_matches('/'))
                    )]
                )
            )
        };
        let host = self
            .public_url
            .split("://")
            .nth(1)
            .unwrap_or("localhost")
            .split([':', '/'])
            .next()
            .unwrap_or("localhost");
        email::Mail {
            to,
            subject,
            body,
            message_id: format!("<delivery-{}@{host}>", message.id),
        }
    }
}

type DateTime = chrono::DateTime<chrono::Utc>;

/// Asks every `interval` for the receipts of texts sent in the last two days, for as long
/// as the server runs.
pub async fn check_receipts_every(db: DatabaseConnection, outbox: Arc<Outbox>, interval: Duration) {
    let (db, outbox) = (&db, &*outbox);
    crate::jobs::every(
        "receipts",
        "asking for receipts",
        interval,
        || check_receipts(db, outbox, chrono::Utc::now()),
        |_| {},
    )
    .await;
}

/// One round: asks the provider for the receipt of each text still without one (a hundred
/// at most, the oldest first) and records those that came. Returns how many did.
pub async fn check_receipts(
    db: &DatabaseConnection,
    outbox: &Outbox,
    now: chrono::DateTime<chrono::Utc>,
) -> domain::Result<usize> {
    let mut recorded = 0;
    for message in domain::outbox::awaiting_receipts(db, now, 100).await? {
        let (Some(reference), Some(sent_at)) = (&message.provider_ref, message.sent_at) else {
            continue;
        };
        let phone = domain::outbox::phone_of(db, &message).await?;
        let sent_on = domain::time::local_date(sent_at);
        let asking = outbox.sms.receipt(&phone, reference, sent_on);
        if let Ok(Some(receipt)) = tokio::time::timeout(outbox.timeout, asking).await {
            domain::outbox::record_receipt(db, message.id, receipt, now).await?;
            recorded += 1;
        }
    }
    Ok(recorded)
}

/// Sends due messages every `interval`, for as long as the server runs.
pub async fn send_every(db: DatabaseConnection, outbox: Arc<Outbox>, interval: Duration) {
    let holder = crate::jobs::holder();
    let (db, outbox, holder) = (&db, &*outbox, &holder);
    crate::jobs::every(
        "outbox",
        "sending the outbox",
        interval,
        || send_due(db, outbox, holder, chrono::Utc::now()),
        |tally| {
            if tally.values().any(|n| *n > 0) {
                tracing::info!(?tally, "outbox");
            }
        },
    )
    .await;
}

/// One round: claims what is due at `now` and sends it, with `now` as the time of every
/// try (the clock is the caller's, so that `portal outbox --at` and the tests can move it).
/// Returns how many messages ended in each state ("sent", "queued" again, "failed",
/// "postponed" by the budget, "held" by an error of the database until their lease runs
/// out).
pub async fn send_due(
    db: &DatabaseConnection,
    outbox: &Outbox,
    holder: &str,
    now: chrono::DateTime<chrono::Utc>,
) -> domain::Result<BTreeMap<&'static str, usize>> {
    let mut tally = BTreeMap::new();
    let claimed = domain::outbox::claim(
        db,
        holder,
        now,
        chrono::Utc::now(),
        outbox.lease,
        outbox.batch,
    )
    .await?;
    for message in claimed {
        let sent = match message.channel {
            Channel::Sms => send_sms(db, outbox, holder, &message, now).await,
            Channel::Wechat => send_wechat(db, outbox, holder, &message, now).await,
            Channel::Email => send_email(db, outbox, holder, &message, now).await,
        };
        // One message the database failed on waits out its lease and is tried again; the
        // others of the round still go.
        let state = sent.unwrap_or_else(|e| {
            tracing::warn!(%e, id = message.id, "sending one message");
            "held"
        });
        *tally.entry(state).or_insert(0) += 1;
    }
    Ok(tally)
}

async fn send_sms(
    db: &DatabaseConnection,
    outbox: &Outbox,
    holder: &str,
    message: &delivery::Model,
    now: chrono::DateTime<chrono::Utc>,
) -> domain::Result<&'static str> {
    if !domain::outbox::take_sms_budget(db, message.urgent, outbox.daily_budget, now).await? {
        let tomorrow = domain::outbox::next_budget_day(now);
        domain::outbox::postpone(db, message, holder, tomorrow).await?;
        return Ok("postponed");
    }
    let phone = domain::outbox::phone_of(db, message).await?;
    let sms = outbox.write(message, phone);
    let answer = in_time(outbox, outbox.sms.via(), outbox.sms.send(&sms)).await;
    let status = domain::outbox::record(db, message, holder, &answer, now, outbox.retry).await?;
    Ok(status.as_str())
}

/// The provider's answer, or a failed try named "timeout" when it took too long.
async fn in_time(
    outbox: &Outbox,
    via: &str,
    sending: impl std::future::Future<Output = Answer>,
) -> Answer {
    tokio::time::timeout(outbox.timeout, sending)
        .await
        .unwrap_or_else(|_| Answer {
            via: via.to_owned(),
            ok: false,
            text: "timeout".to_owned(),
            reference: None,
        })
}

/// A try that could not be made (the channel is no longer configured, the person unlinked
/// it): recorded as failed at once, as no later try would go better, and officers see it
/// among the failures.
fn not_sent(via: &str, why: &str) -> (Answer, RetryPolicy) {
    let answer = Answer {
        via: via.to_owned(),
        ok: false,
        text: why.to_owned(),
        reference: None,
    };
    let last_try = RetryPolicy {
        max_tries: 1,
        ..RetryPolicy::default()
    };
    (answer, last_try)
}

async fn send_wechat(
    db: &DatabaseConnection,
    outbox: &Outbox,
    holder: &str,
    message: &delivery::Model,
    now: chrono::DateTime<chrono::Utc>,
) -> domain::Result<&'static str> {
    let openid = match message.user_id {
        Some(id) => domain::outbox::addresses::wechat_of(db, id)
            .await?
            .map(|link| link.openid),
        None => None,
    };
    let (answer, retry) = match (&outbox.wechat, openid) {
        (None, _) => not_sent("wechat", "WeChat is not configured"),
        (_, None) => not_sent("wechat", "no WeChat linked"),
        (Some(wechat), Some(openid)) => {
            let card = outbox.card(message, openid, now);
            (
                in_time(outbox, "wechat", wechat.send(&card)).await,
                outbox.retry,
            )
        }
    };
    let status = domain::outbox::record(db, message, holder, &answer, now, retry).await?;
    Ok(status.as_str())
}

async fn send_email(
    db: &DatabaseConnection,
    outbox: &Outbox,
    holder: &str,
    message: &delivery::Model,
    now: chrono::DateTime<chrono::Utc>,
) -> domain::Result<&'static str> {
    let address = match message.user_id {
        Some(id) => domain::outbox::addresses::email_of(db, id).await?,
        None => None,
    };
    // Only its code goes to an address not yet proven.
    let address = address
        .filter(|a| a.verified_at.is_some() || message.kind == Kind::Code)
        .map(|a| a.address);
    let (answer, retry) = match (&outbox.email, address) {
        (None, _) => not_sent("email", "e-mail is not configured"),
        (_, None) => not_sent("email", "no proven address"),
        (Some(email), Some(to)) => {
            let mail = outbox.mail(message, to);
            (
                in_time(outbox, "email", email.send(&mail)).await,
                outbox.retry,
            )
        }
    };
    let status = domain::outbox::record(db, message, holder, &answer, now, retry).await?;
    Ok(status.as_str())
}
