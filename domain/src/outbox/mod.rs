//! 消息外发 — the outbox. What the portal tells a person outside it (an SMS today) is written
//! here in the same transaction as the change that causes it: an inbox message of a kind the
//! person wants by that channel, or a reminder the sweep finds due. A worker in every server
//! process claims due messages under a lease, sends them and records each try; this module
//! holds the rules (who wants what, quiet hours, back-off, the SMS budget) and the server
//! holds the providers.

pub mod addresses;
pub mod reminders;

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Duration, Utc};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, EntityTrait,
    QueryFilter, QueryOrder, QuerySelect, TransactionTrait, sea_query::Expr,
};

pub use vocab::outbox::{Channel, Kind, Receipt, Status};

use crate::accounts::{Account, Role};
use crate::entities::{delivery, delivery_attempt, delivery_choice, sms_day, user, user_role};
use crate::time::{at_local, local, local_date};
use crate::{Error, Result};

/// Every code this module refuses with; each is a translation key.
pub const REFUSAL_CODES: &[&str] = &["outbox-not-failed"];

/// The inbox topic officers get when the day's SMS budget is spent.
pub const INBOX_TOPICS: &[&str] = &["inbox-sms-budget"];

/// Quiet hours, local time: from 22:00 to 07:00 only urgent notices go out.
const QUIET_FROM_HOUR: u32 = 22;
const QUIET_UNTIL_MINUTE: i32 = 7 * 60;

/// The longest wait between two tries of one message.
const LONGEST_BACKOFF: Duration = Duration::hours(1);

/// How a worker retries: `max_tries` in all, waiting `first_backoff`, then twice as long
/// each time (at most an hour).
#[derive(Clone, Copy, Debug)]
pub struct RetryPolicy {
    pub max_tries: u32,
    pub first_backoff: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_tries: 5,
            first_backoff: Duration::seconds(30),
        }
    }
}

/// The kind of message an inbox topic is, when it is one that may leave the portal.
pub fn kind_of(topic: &str) -> Option<Kind> {
    if topic == "inbox-notice-urgent" {
        Some(Kind::Urgent)
    } else if topic.starts_with("inbox-case-") {
        Some(Kind::Case)
    } else if topic.starts_with("inbox-volunteer-") || topic.starts_with("inbox-help-") {
        Some(Kind::Volunteer)
    } else if topic.starts_with("inbox-thread-") {
        Some(Kind::Teahouse)
    } else {
        None
    }
}

/// Whether `at` falls in quiet hours (22:00–07:00 in Ningbo).
pub fn is_quiet(at: DateTime<Utc>) -> bool {
    use chrono::Timelike;
    let hour = local(at).hour();
    hour >= QUIET_FROM_HOUR || i64::from(hour) * 60 < i64::from(QUIET_UNTIL_MINUTE)
}

/// The first moment from `at` on that is outside quiet hours.
pub fn after_quiet(at: DateTime<Utc>) -> DateTime<Utc> {
    if !is_quiet(at) {
        return at;
    }
    let today = local_date(at);
    let morning = if local(at).time() < chrono::NaiveTime::MIN + Duration::hours(12) {
        today
    } else {
        today.succ_opt().unwrap_or(today)
    };
    at_local(morning, QUIET_UNTIL_MINUTE).unwrap_or(at)
}

/// The channels each of `user_ids` wants messages of `kind` by: their choice where they
/// made one, the kind's default where not.
pub async fn wanting(
    db: &impl ConnectionTrait,
    user_ids: &[i32],
    kind: Kind,
) -> Result<Vec<(i32, Channel)>> {
    // A code the person asked for is no choice: it comes by text.
    if kind == Kind::Code {
        return Ok(user_ids.iter().map(|&id| (id, Channel::Sms)).collect());
    }
    let reached = addresses::reachable(db, user_ids).await?;
    let mut chosen: BTreeMap<(i32, Channel), bool> = BTreeMap::new();
    for chunk in user_ids.chunks(500) {
        for choice in delivery_choice::Entity::find()
            .filter(delivery_choice::Column::Kind.eq(kind))
            .filter(delivery_choice::Column::UserId.is_in(chunk.iter().copied()))
            .all(db)
            .await?
        {
            chosen.insert((choice.user_id, choice.channel), choice.wanted);
        }
    }
    let mut wanted = Vec::new();
    for &user_id in user_ids {
        for &channel in Channel::ALL {
            if !reached.contains(&(user_id, channel)) {
                continue;
            }
            let yes = chosen
                .get(&(user_id, channel))
                .copied()
                .unwrap_or_else(|| kind.wanted_by_default());
            if yes {
                wanted.push((user_id, channel));
            }
        }
    }
    Ok(wanted)
}

/// What one message says, before it is addressed.
#[derive(Clone, Debug)]
pub struct Message<'a> {
    pub kind: Kind,
    pub topic: &'a str,
    pub subject: &'a str,
    pub link: &'a str,
    pub starts_at: Option<DateTime<Utc>>,
    pub notice_id: Option<i32>,
}

impl Message<'_> {
    fn row(&self, user_id: i32, channel: Channel, now: DateTime<Utc>) -> delivery::ActiveModel {
        // A code was asked for a moment ago: it goes at night and past the budget too.
        let urgent = matches!(self.kind, Kind::Urgent | Kind::Code);
        delivery::ActiveModel {
            user_id: Set(Some(user_id)),
            phone: Set(None),
            channel: Set(channel),
            kind: Set(self.kind),
            topic: Set(self.topic.to_owned()),
            subject: Set(crate::text::truncate_chars(self.subject, 200)),
            link: Set(self.link.to_owned()),
            starts_at: Set(self.starts_at),
            urgent: Set(urgent),
            notice_id: Set(self.notice_id),
            dedupe: Set(None),
            status: Set(Status::Queued),
            tries: Set(0),
            // Held till morning here, so that quiet hours need no look at the clock when
            // the message is claimed.
            next_try_at: Set(if urgent { now } else { after_quiet(now) }),
            lease_holder: Set(None),
            lease_until: Set(None),
            created_at: Set(now),
            sent_at: Set(None),
            answer: Set(None),
            ..Default::default()
        }
    }
}

/// Queues `message` for every channel each of `user_ids` wants it by; called with the
/// transaction of the change it tells of. Returns how many were queued.
pub async fn enqueue(
    db: &impl ConnectionTrait,
    user_ids: &[i32],
    message: &Message<'_>,
    now: DateTime<Utc>,
) -> Result<usize> {
    let wanted = wanting(db, user_ids, message.kind).await?;
    for chunk in wanted.chunks(500) {
        delivery::Entity::insert_many(
            chunk
                .iter()
                .map(|&(user_id, channel)| message.row(user_id, channel, now)),
        )
        .exec_without_returning(db)
        .await?;
    }
    Ok(wanted.len())
}

/// Queues `message` to one person by `channel`, whatever they chose (a code they asked for
/// by that channel).
pub async fn enqueue_by(
    db: &impl ConnectionTrait,
    user_id: i32,
    channel: Channel,
    message: &Message<'_>,
    now: DateTime<Utc>,
) -> Result<()> {
    delivery::Entity::insert(message.row(user_id, channel, now))
        .exec_without_returning(db)
        .await?;
    Ok(())
}

/// Queues a text to a number that has no account (a registration's verification code).
pub async fn enqueue_to_number(
    db: &impl ConnectionTrait,
    phone: &str,
    message: &Message<'_>,
    now: DateTime<Utc>,
) -> Result<()> {
    let mut row = message.row(0, Channel::Sms, now);
    row.user_id = Set(None);
    row.phone = Set(Some(phone.to_owned()));
    delivery::Entity::insert(row)
        .exec_without_returning(db)
        .await?;
    Ok(())
}

/// Queues a reminder once however often (and by however many processes) it is found due:
/// `dedupe` names it, and the database keeps one row per name.
pub async fn enqueue_once(
    db: &impl ConnectionTrait,
    user_id: i32,
    message: &Message<'_>,
    dedupe: &str,
    now: DateTime<Utc>,
) -> Result<usize> {
    let mut queued = 0;
    for (_, channel) in wanting(db, &[user_id], message.kind).await? {
        let mut row = message.row(user_id, channel, now);
        row.dedupe = Set(Some(format!("{dedupe}-{channel}")));
        let inserted = delivery::Entity::insert(row)
            .on_conflict_do_nothing_on([delivery::Column::Dedupe])
            .exec_without_returning(db)
            .await?;
        if matches!(inserted, sea_orm::TryInsertResult::Inserted(1)) {
            queued += 1;
        }
    }
    Ok(queued)
}

/// Claims up to `limit` messages due at `due_at` for `holder`, leased until `now + lease`.
/// Each row is taken by a guarded update that succeeds for one claimant only, so processes
/// claiming at once never share a message; a holder that dies leaves its lease to run out.
/// The lease runs on the real clock (`now`) even in a run as of another time (`portal
/// outbox --at`), so that the servers' workers beside that run never take what it holds.
pub async fn claim(
    db: &impl ConnectionTrait,
    holder: &str,
    due_at: DateTime<Utc>,
    now: DateTime<Utc>,
    lease: Duration,
    limit: u64,
) -> Result<Vec<delivery::Model>> {
    let free = Condition::any()
        .add(delivery::Column::LeaseUntil.is_null())
        .add(delivery::Column::LeaseUntil.lt(now));
    let mut due = delivery::Entity::find()
        .filter(delivery::Column::Status.eq(Status::Queued))
        .filter(delivery::Column::NextTryAt.lte(due_at))
        .filter(free.clone());
    // A retry may come due at night; only urgent notices are sent then.
    if is_quiet(due_at) {
        due = due.filter(delivery::Column::Urgent.eq(true));
    }
    let candidates = due
        .order_by_desc(delivery::Column::Urgent)
        .order_by_asc(delivery::Column::NextTryAt)
        .order_by_asc(delivery::Column::Id)
        .limit(limit)
        .all(db)
        .await?;
    let until = now + lease;
    let mut claimed = Vec::new();
    for mut candidate in candidates {
        let taken = delivery::Entity::update_many()
            .col_expr(delivery::Column::LeaseHolder, Expr::value(holder))
            .col_expr(delivery::Column::LeaseUntil, Expr::value(until))
            .filter(delivery::Column::Id.eq(candidate.id))
            .filter(delivery::Column::Status.eq(Status::Queued))
            .filter(free.clone())
            .exec(db)
            .await?;
        if taken.rows_affected == 1 {
            candidate.lease_holder = Some(holder.to_owned());
            candidate.lease_until = Some(until);
            claimed.push(candidate);
        }
    }
    Ok(claimed)
}

/// What a provider made of one try.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Answer {
    /// The adapter that tried: "log", "aliyun", …
    pub via: String,
    pub ok: bool,
    /// The provider's answer (its request id, or its error), kept short.
    pub text: String,
    /// The provider's name for the message it took, when it gives receipts for it.
    pub reference: Option<String>,
}

/// Records a try of a message `holder` claimed: sent, or queued again after its back-off,
/// or failed for good after the last try. Returns where the message now is. A holder whose
/// lease ran out (and whose message someone else took) records its try and changes nothing
/// else.
pub async fn record(
    db: &DatabaseConnection,
    message: &delivery::Model,
    holder: &str,
    answer: &Answer,
    now: DateTime<Utc>,
    policy: RetryPolicy,
) -> Result<Status> {
    let text = crate::text::truncate_chars(&answer.text, 300);
    let txn = db.begin().await?;
    delivery_attempt::Entity::insert(delivery_attempt::ActiveModel {
        delivery_id: Set(message.id),
        at: Set(now),
        holder: Set(crate::text::truncate_chars(holder, 64)),
        via: Set(crate::text::truncate_chars(&answer.via, 16)),
        ok: Set(answer.ok),
        answer: Set(text.clone()),
        ..Default::default()
    })
    .exec_without_returning(&txn)
    .await?;
    let tries = message.tries + 1;
    let (status, next) = if answer.ok {
        (Status::Sent, now)
    } else if u32::try_from(tries).unwrap_or(u32::MAX) >= policy.max_tries {
        (Status::Failed, now)
    } else {
        let wait = backoff(policy.first_backoff, tries);
        let next = now + wait;
        (
            Status::Queued,
            if message.urgent {
                next
            } else {
                after_quiet(next)
            },
        )
    };
    let mut update = hand_back(next)
        .col_expr(delivery::Column::Status, Expr::value(status.as_str()))
        .col_expr(delivery::Column::Tries, Expr::value(tries))
        .col_expr(delivery::Column::Answer, Expr::value(text));
    if answer.ok {
        update = update
            .col_expr(delivery::Column::SentAt, Expr::value(now))
            .col_expr(
                delivery::Column::ProviderRef,
                Expr::value(
                    answer
                        .reference
                        .as_deref()
                        .map(|r| crate::text::truncate_chars(r, 64)),
                ),
            );
    }
    // A verification code is kept only until its text is out (or given up).
    if message.kind == Kind::Code && status != Status::Queued {
        update = update.col_expr(delivery::Column::Subject, Expr::value(""));
    }
    let moved = update
        .filter(delivery::Column::Id.eq(message.id))
        .filter(delivery::Column::LeaseHolder.eq(holder))
        .filter(delivery::Column::Status.eq(Status::Queued))
        .exec(&txn)
        .await?;
    txn.commit().await?;
    Ok(if moved.rows_affected == 1 {
        status
    } else {
        Status::Queued
    })
}

/// An update that hands a claimed message back: due at `next`, leased to nobody.
fn hand_back(next: DateTime<Utc>) -> sea_orm::UpdateMany<delivery::Entity> {
    delivery::Entity::update_many()
        .col_expr(delivery::Column::NextTryAt, Expr::value(next))
        .col_expr(
            delivery::Column::LeaseHolder,
            Expr::value(Option::<String>::None),
        )
        .col_expr(
            delivery::Column::LeaseUntil,
            Expr::value(Option::<DateTime<Utc>>::None),
        )
}

/// The wait before try number `tries + 1`: `first`, doubled for each try after the first.
pub fn backoff(first: Duration, tries: i32) -> Duration {
    let doublings = u32::try_from(tries.saturating_sub(1)).unwrap_or(0).min(16);
    (first * 2_i32.pow(doublings)).min(LONGEST_BACKOFF)
}

/// Gives a claimed message back untried, to be sent at `at` (the SMS budget is spent).
pub async fn postpone(
    db: &impl ConnectionTrait,
    message: &delivery::Model,
    holder: &str,
    at: DateTime<Utc>,
) -> Result<()> {
    hand_back(at)
        .filter(delivery::Column::Id.eq(message.id))
        .filter(delivery::Column::LeaseHolder.eq(holder))
        .exec(db)
        .await?;
    Ok(())
}

/// Takes one SMS from today's budget of `budget`. Urgent notices always get theirs (and
/// count); anything else is refused once the day's count has reached the budget, and the
/// first refusal of the day tells the officers. The count is a guarded increment in the
/// database, so processes sending at once cannot pass the budget together.
pub async fn take_sms_budget(
    db: &DatabaseConnection,
    urgent: bool,
    budget: u32,
    now: DateTime<Utc>,
) -> Result<bool> {
    let day = local_date(now).to_string();
    let txn = db.begin().await?;
    sms_day::Entity::insert(sms_day::ActiveModel {
        day: Set(day.clone()),
        sent: Set(0),
        alerted: Set(false),
    })
    .on_conflict_do_nothing_on([sms_day::Column::Day])
    .exec_without_returning(&txn)
    .await?;
    let mut take = sms_day::Entity::update_many()
        .col_expr(
            sms_day::Column::Sent,
            sea_orm::sea_query::ExprTrait::add(Expr::col(sms_day::Column::Sent), 1),
        )
        .filter(sms_day::Column::Day.eq(&day));
    if !urgent {
        take = take.filter(sms_day::Column::Sent.lt(i64::from(budget)));
    }
    let taken = take.exec(&txn).await?.rows_affected == 1;
    if !taken {
        let first = sms_day::Entity::update_many()
            .col_expr(sms_day::Column::Alerted, Expr::value(true))
            .filter(sms_day::Column::Day.eq(&day))
            .filter(sms_day::Column::Alerted.eq(false))
            .exec(&txn)
            .await?
            .rows_affected
            == 1;
        if first {
            let staff = staff_ids(&txn).await?;
            crate::inbox::send_many(
                &txn,
                staff,
                "inbox-sms-budget",
                &day,
                "/notices/outbox",
                now,
            )
            .await?;
        }
    }
    txn.commit().await?;
    Ok(taken)
}

/// The next morning after `now`'s day, when a new day's budget begins (07:00, after quiet
/// hours).
pub fn next_budget_day(now: DateTime<Utc>) -> DateTime<Utc> {
    let today = local_date(now);
    at_local(today.succ_opt().unwrap_or(today), QUIET_UNTIL_MINUTE).unwrap_or(now)
}

async fn staff_ids(db: &impl ConnectionTrait) -> Result<BTreeSet<i32>> {
    Ok(user_role::Entity::find()
        .filter(user_role::Column::Role.is_in([Role::Officer.as_str(), Role::Admin.as_str()]))
        .all(db)
        .await?
        .into_iter()
        .map(|r| r.user_id)
        .collect())
}

/// The SMS sent today against the budget (for the officers' outbox page).
pub async fn sms_sent_today(db: &impl ConnectionTrait, now: DateTime<Utc>) -> Result<i32> {
    Ok(sms_day::Entity::find_by_id(local_date(now).to_string())
        .one(db)
        .await?
        .map_or(0, |d| d.sent))
}

/// The phone number a message goes to: its own, or its person's (every account has one).
pub async fn phone_of(db: &impl ConnectionTrait, message: &delivery::Model) -> Result<String> {
    if let Some(phone) = &message.phone {
        return Ok(phone.clone());
    }
    let user_id = message.user_id.ok_or(Error::NotFound)?;
    Ok(user::Entity::find_by_id(user_id)
        .one(db)
        .await?
        .ok_or(Error::NotFound)?
        .phone)
}

/// How far one notice's messages got, per channel.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Reach {
    pub queued: i64,
    pub sent: i64,
    pub failed: i64,
    /// Of the sent, those the carrier reported reaching the phone, and those it did not.
    pub delivered: i64,
    pub undelivered: i64,
}

/// A notice, a channel, a state and a receipt, with how many messages share them.
type ReachRow = (Option<i32>, Channel, Status, Option<Receipt>, i64);

/// Per notice and channel, how many of its messages are queued, sent and failed.
pub async fn reach_of_notices(
    db: &impl ConnectionTrait,
    notice_ids: &[i32],
) -> Result<BTreeMap<(i32, Channel), Reach>> {
    let mut reach: BTreeMap<(i32, Channel), Reach> = BTreeMap::new();
    if notice_ids.is_empty() {
        return Ok(reach);
    }
    let rows: Vec<ReachRow> = delivery::Entity::find()
        .select_only()
        .column(delivery::Column::NoticeId)
        .column(delivery::Column::Channel)
        .column(delivery::Column::Status)
        .column(delivery::Column::Receipt)
        .column_as(delivery::Column::Id.count(), "n")
        .filter(delivery::Column::NoticeId.is_in(notice_ids.iter().copied()))
        .group_by(delivery::Column::NoticeId)
        .group_by(delivery::Column::Channel)
        .group_by(delivery::Column::Status)
        .group_by(delivery::Column::Receipt)
        .into_tuple()
        .all(db)
        .await?;
    for (notice, channel, status, receipt, n) in rows {
        let Some(notice) = notice else { continue };
        let line = reach.entry((notice, channel)).or_default();
        match status {
            Status::Queued => line.queued += n,
            Status::Sent => line.sent += n,
            Status::Failed => line.failed += n,
        }
        match receipt {
            Some(Receipt::Delivered) => line.delivered += n,
            Some(Receipt::Undelivered) => line.undelivered += n,
            None => {}
        }
    }
    Ok(reach)
}

/// How long after it was sent a text's receipt is asked for; carriers report within
/// minutes, or (a phone switched off) within two days, or never.
pub const RECEIPT_WAIT: Duration = Duration::days(2);

/// Texts the provider took that have no receipt yet, oldest first, sent within
/// [`RECEIPT_WAIT`] of `now`.
pub async fn awaiting_receipts(
    db: &impl ConnectionTrait,
    now: DateTime<Utc>,
    limit: u64,
) -> Result<Vec<delivery::Model>> {
    Ok(delivery::Entity::find()
        .filter(delivery::Column::Channel.eq(Channel::Sms))
        .filter(delivery::Column::Status.eq(Status::Sent))
        .filter(delivery::Column::Receipt.is_null())
        .filter(delivery::Column::ProviderRef.is_not_null())
        .filter(delivery::Column::SentAt.gt(now - RECEIPT_WAIT))
        .order_by_asc(delivery::Column::SentAt)
        .limit(limit)
        .all(db)
        .await?)
}

/// Records what the carrier reported of a sent message; a receipt already recorded stays.
pub async fn record_receipt(
    db: &impl ConnectionTrait,
    id: i32,
    receipt: Receipt,
    now: DateTime<Utc>,
) -> Result<()> {
    delivery::Entity::update_many()
        .col_expr(delivery::Column::Receipt, Expr::value(receipt.as_str()))
        .col_expr(delivery::Column::ReceiptAt, Expr::value(now))
        .filter(delivery::Column::Id.eq(id))
        .filter(delivery::Column::Receipt.is_null())
        .exec(db)
        .await?;
    Ok(())
}

#[derive(Clone, Debug)]
pub struct Line {
    pub delivery: delivery::Model,
    /// The recipient's number, masked.
    pub to: String,
}

/// The newest messages, or only the failed ones, for officers.
pub async fn recent(
    db: &impl ConnectionTrait,
    officer: &Account,
    only_failed: bool,
    limit: u64,
) -> Result<Vec<Line>> {
    officer.require(Role::Officer)?;
    let mut query = delivery::Entity::find();
    if only_failed {
        query = query.filter(delivery::Column::Status.eq(Status::Failed));
    }
    let rows = query
        .order_by_desc(delivery::Column::Id)
        .limit(limit)
        .all(db)
        .await?;
    let ids: BTreeSet<i32> = rows.iter().filter_map(|d| d.user_id).collect();
    let phones: BTreeMap<i32, String> = user::Entity::find()
        .filter(user::Column::Id.is_in(ids))
        .all(db)
        .await?
        .into_iter()
        .map(|u| (u.id, crate::accounts::phone::mask(&u.phone)))
        .collect();
    Ok(rows
        .into_iter()
        .map(|mut delivery| {
            let to = match (&delivery.phone, delivery.user_id) {
                (Some(phone), _) => crate::accounts::phone::mask(phone),
                (None, Some(id)) => phones.get(&id).cloned().unwrap_or_default(),
                (None, None) => String::new(),
            };
            // Not even officers read a code that is still on its way.
            if delivery.kind == Kind::Code {
                delivery.subject = String::new();
            }
            Line { to, delivery }
        })
        .collect())
}

/// An officer sends a failed message again: it is queued with its tries reset.
pub async fn retry(
    db: &impl ConnectionTrait,
    officer: &Account,
    id: i32,
    now: DateTime<Utc>,
) -> Result<()> {
    officer.require(Role::Officer)?;
    let moved = delivery::Entity::update_many()
        .col_expr(
            delivery::Column::Status,
            Expr::value(Status::Queued.as_str()),
        )
        .col_expr(delivery::Column::Tries, Expr::value(0))
        .col_expr(delivery::Column::NextTryAt, Expr::value(now))
        .filter(delivery::Column::Id.eq(id))
        .filter(delivery::Column::Status.eq(Status::Failed))
        .exec(db)
        .await?;
    if moved.rows_affected == 1 {
        Ok(())
    } else {
        Err(Error::Invalid("outbox-not-failed"))
    }
}

/// A person's channel for each kind: what they chose, or the default.
pub async fn choices_of(
    db: &impl ConnectionTrait,
    user_id: i32,
) -> Result<Vec<(Kind, Channel, bool)>> {
    let chosen: BTreeMap<(Kind, Channel), bool> = delivery_choice::Entity::find()
        .filter(delivery_choice::Column::UserId.eq(user_id))
        .all(db)
        .await?
        .into_iter()
        .map(|c| ((c.kind, c.channel), c.wanted))
        .collect();
    let mut all = Vec::new();
    for &kind in Kind::CHOOSABLE {
        for &channel in Channel::ALL {
            let wanted = chosen
                .get(&(kind, channel))
                .copied()
                .unwrap_or_else(|| kind.wanted_by_default());
            all.push((kind, channel, wanted));
        }
    }
    Ok(all)
}

/// Saves a person's choices for the `channels` their form showed: `wanted` holds every
/// (kind, channel) they ticked; every other pair of those channels is recorded as not wanted.
/// A channel the form did not show (one they had no address for) keeps its defaults.
pub async fn choose(
    db: &DatabaseConnection,
    user_id: i32,
    channels: &[Channel],
    wanted: &BTreeSet<(Kind, Channel)>,
) -> Result<()> {
    let txn = db.begin().await?;
    delivery_choice::Entity::delete_many()
        .filter(delivery_choice::Column::UserId.eq(user_id))
        .filter(delivery_choice::Column::Channel.is_in(channels.iter().copied()))
        .exec(&txn)
        .await?;
    let rows: Vec<delivery_choice::ActiveModel> = Kind::CHOOSABLE
        .iter()
        .flat_map(|&kind| channels.iter().map(move |&channel| (kind, channel)))
        .map(|(kind, channel)| delivery_choice::ActiveModel {
            user_id: Set(user_id),
            kind: Set(kind),
            channel: Set(channel),
            wanted: Set(wanted.contains(&(kind, channel))),
        })
        .collect();
    if !rows.is_empty() {
        delivery_choice::Entity::insert_many(rows)
            .exec_without_returning(&txn)
            .await?;
    }
    txn.commit().await?;
    Ok(())
}

/// The person's part of the outbox for their personal-data download: their choices, and
/// every message sent (or meant) to them with its state.
pub async fn export_for(
    db: &impl ConnectionTrait,
    user_id: i32,
) -> Result<serde_json::Map<String, serde_json::Value>> {
    let mut data = serde_json::Map::new();
    data.insert(
        "text_message_choices".into(),
        choices_of(db, user_id)
            .await?
            .into_iter()
            .map(|(kind, channel, wanted)| {
                serde_json::json!({"kind": kind, "channel": channel, "wanted": wanted})
            })
            .collect(),
    );
    if let Some(link) = addresses::wechat_of(db, user_id).await? {
        data.insert(
            "wechat".into(),
            serde_json::json!({"openid": link.openid, "linked_at": link.linked_at}),
        );
    }
    if let Some(email) = addresses::email_of(db, user_id).await? {
        data.insert(
            "email".into(),
            serde_json::json!({"address": email.address, "verified_at": email.verified_at}),
        );
    }
    let sent = delivery::Entity::find()
        .filter(delivery::Column::UserId.eq(user_id))
        .order_by_asc(delivery::Column::Id)
        .all(db)
        .await?;
    data.insert(
        "messages_sent_out".into(),
        sent.iter()
            .map(|d| {
                serde_json::json!({
                    "channel": d.channel, "topic": d.topic, "subject": d.subject,
                    "queued_at": d.created_at, "status": d.status, "sent_at": d.sent_at,
                })
            })
            .collect(),
    );
    Ok(data)
}
