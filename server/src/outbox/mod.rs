//! The outbox's worker, in every serving process: claims due messages under a lease, writes
//! each in the person's words, sends it through the configured channel and records what the
//! provider answered (`domain::outbox` holds the rules). Nothing is sent from inside a
//! request: a request only queues, in its own transaction.

pub mod aliyun;

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use app::i18n::{I18n, Locale};
use domain::DatabaseConnection;
use domain::entities::delivery;
use domain::outbox::{Answer, Channel, Kind, RetryPolicy};
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
            }
        })
    }
}

/// Everything the worker needs, built from the settings at start.
pub struct Outbox {
    pub sms: Box<dyn SmsProvider>,
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
        let i18n = I18n {
            locale: Locale::ZhCn,
        };
        let time = message
            .starts_at
            .map(domain::time::format_local)
            .unwrap_or_default();
        let code: String = message.subject.chars().take(20).collect();
        let said = i18n.args(&message.topic, &[("code", &code), ("time", &time)]);
        // A code's text is the code and nothing to click: a link in it is what a scam
        // text looks like.
        let text = if message.kind == Kind::Code {
            format!("【{}】{said}", self.sign_name)
        } else {
            let link = format!("{}{}", self.public_url.trim_end_matches('/'), message.link);
            let opt_out = i18n.t("outbox-opt-out");
            format!("【{}】{said} {link} {opt_out}", self.sign_name)
        };
        Outgoing {
            to,
            kind: message.kind,
            text,
            code,
            time,
        }
    }
}

/// Sends due messages every `interval`, for as long as the server runs.
pub async fn send_every(db: DatabaseConnection, outbox: Arc<Outbox>, interval: Duration) {
    let holder = crate::jobs::holder();
    let mut ticks = crate::jobs::steady(interval);
    loop {
        ticks.tick().await;
        match send_due(&db, &outbox, &holder, chrono::Utc::now()).await {
            Ok(tally) => {
                crate::metrics::job_ran("outbox", false);
                if tally.values().any(|n| *n > 0) {
                    tracing::info!(?tally, "outbox");
                }
            }
            Err(e) => {
                crate::metrics::job_ran("outbox", true);
                tracing::warn!(%e, "sending the outbox");
            }
        }
    }
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
    let answer = tokio::time::timeout(outbox.timeout, outbox.sms.send(&sms))
        .await
        .unwrap_or_else(|_| Answer {
            via: outbox.sms.via().to_owned(),
            ok: false,
            text: "timeout".to_owned(),
        });
    let status = domain::outbox::record(db, message, holder, &answer, now, outbox.retry).await?;
    Ok(status.as_str())
}
