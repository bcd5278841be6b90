//! The demo N times over, for measuring pages at a district's size (`portal demo-data
//! --scale N`, issue #23): copy k (1 … N − 1) repeats the demo's communities, compounds,
//! people, threads, notices, closed cases, shifts, visits and inbox k weeks earlier, so that
//! 100 copies are about two years of a district. Copies share the demo's boards, rooms and
//! squads, so the busiest board and room grow a hundredfold while the quiet ones stay
//! quiet: the skew of the demo, at scale.
//!
//! Only what is over is copied (closed cases, finished mediations, past shifts): an open
//! case two years old would be escalated by the first sweep, and a booking would take a
//! slot somebody else holds. Each copy is one transaction, remembered in a setting, so a
//! second run adds only the copies that are missing.

use chrono::{DateTime, Duration, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
};

use crate::entities::{
    case_entry, case_event, case_record, community, compound, household, household_visit,
    inbox_message, mediation_case, notice, notice_community, notice_read, notice_version, post,
    shift, shift_signup, thread, user, user_role,
};

/// Copy k's rows have the demo's ids plus k × STRIDE: the demo stays far below a million
/// rows per table, and a thousand copies stay within 32-bit ids.
const STRIDE: i32 = 1_000_000;

/// The largest scale: ids stay below 2³¹.
pub const MAX_SCALE: u32 = 1_000;

/// Rows per INSERT: within SQLite's and PostgreSQL's limits on bound values for the widest
/// table (30 columns).
const CHUNK: usize = 500;

/// The mediation statuses and case stages that are over.
const FINISHED: [&str; 3] = ["closed", "cancelled", "declined"];

/// What `scale` did.
pub struct Scaled {
    pub copies_added: u32,
    pub copies_present: u32,
}

/// Makes the demo `n` times its size: adds the copies 1 … n − 1 that are not there yet.
pub async fn scale(db: &DatabaseConnection, n: u32) -> crate::Result<Scaled> {
    if !(1..=MAX_SCALE).contains(&n) {
        return Err(crate::Error::Invalid(
            "the scale is a whole number from 1 to 1000",
        ));
    }
    if !super::is_loaded(db).await? {
        return Err(crate::Error::Invalid("the demo data is not loaded"));
    }
    let demo = Demo::load(db).await?;
    let mut added = 0;
    for k in 1..n {
        let txn = crate::db::begin_writing(db).await?;
        if super::claim(&txn, &format!("demo_scale_copy_{k}"), Utc::now()).await? {
            demo.copy(&txn, k).await?;
            added += 1;
        }
        txn.commit().await?;
        tracing::info!(copy = k, of = n - 1, "demo copy in place");
    }
    if db.get_database_backend() == sea_orm::DbBackend::Postgres {
        restart_sequences(db).await?;
    }
    Ok(Scaled {
        copies_added: added,
        copies_present: n - 1,
    })
}

/// The demo's own rows (ids below STRIDE), read once.
struct Demo {
    communities: Vec<community::Model>,
    compounds: Vec<compound::Model>,
    users: Vec<user::Model>,
    roles: Vec<user_role::Model>,
    threads: Vec<thread::Model>,
    posts: Vec<post::Model>,
    notices: Vec<notice::Model>,
    versions: Vec<notice_version::Model>,
    notice_communities: Vec<notice_community::Model>,
    mediations: Vec<mediation_case::Model>,
    events: Vec<case_event::Model>,
    cases: Vec<case_record::Model>,
    history: Vec<case_entry::Model>,
    inbox: Vec<inbox_message::Model>,
    shifts: Vec<shift::Model>,
    signups: Vec<shift_signup::Model>,
    households: Vec<household::Model>,
    visits: Vec<household_visit::Model>,
}

impl Demo {
    async fn load(db: &DatabaseConnection) -> crate::Result<Self> {
        let now = Utc::now();
        let mediations = mediation_case::Entity::find()
            .filter(mediation_case::Column::Id.lt(STRIDE))
            .filter(mediation_case::Column::Status.is_in(FINISHED))
            .all(db)
            .await?;
        let mediation_ids: Vec<i32> = mediations.iter().map(|m| m.id).collect();
        let cases = case_record::Entity::find()
            .filter(case_record::Column::Id.lt(STRIDE))
            .filter(case_record::Column::Stage.eq(vocab::casework::Stage::Closed))
            .all(db)
            .await?;
        let case_ids: Vec<i32> = cases.iter().map(|c| c.id).collect();
        let shifts = shift::Entity::find()
            .filter(shift::Column::Id.lt(STRIDE))
            .filter(shift::Column::EndsAt.lt(now))
            .all(db)
            .await?;
        let shift_ids: Vec<i32> = shifts.iter().map(|s| s.id).collect();
        Ok(Self {
            communities: community::Entity::find()
                .filter(community::Column::Id.lt(STRIDE))
                .all(db)
                .await?,
            compounds: compound::Entity::find()
                .filter(compound::Column::Id.lt(STRIDE))
                .all(db)
                .await?,
            users: user::Entity::find()
                .filter(user::Column::Id.lt(STRIDE))
                .all(db)
                .await?,
            roles: user_role::Entity::find()
                .filter(user_role::Column::UserId.lt(STRIDE))
                .all(db)
                .await?,
            threads: thread::Entity::find()
                .filter(thread::Column::Id.lt(STRIDE))
                .all(db)
                .await?,
            posts: post::Entity::find()
                .filter(post::Column::Id.lt(STRIDE))
                .all(db)
                .await?,
            notices: notice::Entity::find()
                .filter(notice::Column::Id.lt(STRIDE))
                .all(db)
                .await?,
            versions: notice_version::Entity::find()
                .filter(notice_version::Column::NoticeId.lt(STRIDE))
                .all(db)
                .await?,
            notice_communities: notice_community::Entity::find()
                .filter(notice_community::Column::NoticeId.lt(STRIDE))
                .all(db)
                .await?,
            events: case_event::Entity::find()
                .filter(case_event::Column::CaseId.is_in(mediation_ids))
                .all(db)
                .await?,
            mediations,
            history: case_entry::Entity::find()
                .filter(case_entry::Column::CaseId.is_in(case_ids))
                .all(db)
                .await?,
            cases,
            inbox: inbox_message::Entity::find()
                .filter(inbox_message::Column::Id.lt(STRIDE))
                .all(db)
                .await?,
            signups: shift_signup::Entity::find()
                .filter(shift_signup::Column::ShiftId.is_in(shift_ids))
                .all(db)
                .await?,
            shifts,
            households: household::Entity::find()
                .filter(household::Column::Id.lt(STRIDE))
                .all(db)
                .await?,
            visits: household_visit::Entity::find()
                .filter(household_visit::Column::Id.lt(STRIDE))
                .all(db)
                .await?,
        })
    }

    /// Copy k, in the order the foreign keys ask for.
    async fn copy(&self, txn: &impl ConnectionTrait, k: u32) -> crate::Result<()> {
        let k = k as i32;
        let o = k * STRIDE;
        let id = |v: i32| v + o;
        let opt = |v: Option<i32>| v.map(|v| v + o);
        let weeks = Duration::weeks(i64::from(k));
        let at = |t: DateTime<Utc>| t - weeks;
        let at_opt = |t: Option<DateTime<Utc>>| t.map(|t| t - weeks);
        let copied_mediations: std::collections::HashSet<i32> =
            self.mediations.iter().map(|m| m.id).collect();

        insert(
            txn,
            active(self.communities.iter().map(|c| community::Model {
                id: id(c.id),
                name: format!("{}·{k}", c.name),
                ..c.clone()
            })),
        )
        .await?;
        insert(
            txn,
            active(self.compounds.iter().map(|c| compound::Model {
                id: id(c.id),
                community_id: id(c.community_id),
                ..c.clone()
            })),
        )
        .await?;
        insert(
            txn,
            active(self.users.iter().map(|u| user::Model {
                id: id(u.id),
                phone: copy_phone(&u.phone, k),
                community_id: opt(u.community_id),
                compound_id: opt(u.compound_id),
                consent_at: at(u.consent_at),
                created_at: at(u.created_at),
                phone_verified_at: at_opt(u.phone_verified_at),
                ..u.clone()
            })),
        )
        .await?;
        insert(
            txn,
            active(self.roles.iter().map(|r| user_role::Model {
                user_id: id(r.user_id),
                ..r.clone()
            })),
        )
        .await?;

        insert(
            txn,
            active(self.mediations.iter().map(|m| mediation_case::Model {
                id: id(m.id),
                code: format!("{}-{k}", m.code),
                resident_id: opt(m.resident_id),
                community_id: opt(m.community_id),
                mediator_id: opt(m.mediator_id),
                created_at: at(m.created_at),
                updated_at: at(m.updated_at),
                outcome_at: at_opt(m.outcome_at),
                follow_up_at: at_opt(m.follow_up_at),
                ..m.clone()
            })),
        )
        .await?;
        insert(
            txn,
            active(self.events.iter().map(|e| case_event::Model {
                id: id(e.id),
                case_id: id(e.case_id),
                at: at(e.at),
                actor_id: opt(e.actor_id),
                slot_at: at_opt(e.slot_at),
                ..e.clone()
            })),
        )
        .await?;
        let mediation = |m: Option<i32>| m.filter(|m| copied_mediations.contains(m)).map(id);

        insert(
            txn,
            active(self.threads.iter().map(|t| thread::Model {
                id: id(t.id),
                author_id: opt(t.author_id),
                community_id: opt(t.community_id),
                accepted_post_id: opt(t.accepted_post_id),
                mediation_case_id: mediation(t.mediation_case_id),
                official_reply_at: at_opt(t.official_reply_at),
                created_at: at(t.created_at),
                last_post_at: at(t.last_post_at),
                ..t.clone()
            })),
        )
        .await?;
        insert(
            txn,
            active(self.posts.iter().map(|p| post::Model {
                id: id(p.id),
                thread_id: id(p.thread_id),
                author_id: opt(p.author_id),
                created_at: at(p.created_at),
                ..p.clone()
            })),
        )
        .await?;

        insert(
            txn,
            active(self.cases.iter().map(|c| case_record::Model {
                id: id(c.id),
                code: format!("{}-{k}", c.code),
                resident_id: opt(c.resident_id),
                community_id: opt(c.community_id),
                assignee_id: opt(c.assignee_id),
                stage_since: at(c.stage_since),
                due_at: at_opt(c.due_at),
                mediation_case_id: mediation(c.mediation_case_id),
                thread_id: opt(c.thread_id),
                // Help requests are not copied: the case stands without its request.
                help_request_id: None,
                created_by: opt(c.created_by),
                created_at: at(c.created_at),
                closed_at: at_opt(c.closed_at),
                ..c.clone()
            })),
        )
        .await?;
        insert(
            txn,
            active(self.history.iter().map(|e| case_entry::Model {
                id: id(e.id),
                case_id: id(e.case_id),
                at: at(e.at),
                actor_id: opt(e.actor_id),
                ..e.clone()
            })),
        )
        .await?;

        insert(
            txn,
            active(self.notices.iter().map(|n| notice::Model {
                id: id(n.id),
                author_id: opt(n.author_id),
                starts_at: at(n.starts_at),
                expires_at: at(n.expires_at),
                created_at: at(n.created_at),
                updated_at: at(n.updated_at),
                published_at: at_opt(n.published_at),
                cancelled_at: at_opt(n.cancelled_at),
                ..n.clone()
            })),
        )
        .await?;
        insert(
            txn,
            active(self.versions.iter().map(|v| notice_version::Model {
                notice_id: id(v.notice_id),
                at: at(v.at),
                ..v.clone()
            })),
        )
        .await?;
        insert(
            txn,
            active(
                self.notice_communities
                    .iter()
                    .map(|n| notice_community::Model {
                        notice_id: id(n.notice_id),
                        community_id: id(n.community_id),
                    }),
            ),
        )
        .await?;
        // Every resident of the copy has read every notice of the copy it was shown.
        let residents = self.users.iter().filter(|u| u.community_id.is_some());
        let reads = residents.flat_map(|u| {
            self.notices
                .iter()
                .filter(|n| n.published_at.is_some())
                .map(move |n| notice_read::Model {
                    notice_id: n.id + o,
                    user_id: u.id + o,
                    read_at: n.starts_at - weeks + Duration::hours(1 + i64::from(u.id % 48)),
                })
        });
        insert(txn, active(reads)).await?;

        // The inbox of a copy's people, and the demo's own people a week's worth more each:
        // a resident of some years has a long inbox.
        insert(
            txn,
            active(self.inbox.iter().map(|m| inbox_message::Model {
                id: id(m.id),
                user_id: id(m.user_id),
                at: at(m.at),
                read_at: at_opt(m.read_at),
                ..m.clone()
            })),
        )
        .await?;
        insert(
            txn,
            active(self.inbox.iter().map(|m| inbox_message::Model {
                id: id(m.id) + STRIDE / 2,
                at: at(m.at),
                read_at: Some(at(m.at)),
                ..m.clone()
            })),
        )
        .await?;

        insert(
            txn,
            active(self.shifts.iter().map(|s| shift::Model {
                id: id(s.id),
                starts_at: at(s.starts_at),
                ends_at: at(s.ends_at),
                signup_deadline: at(s.signup_deadline),
                created_by: opt(s.created_by),
                created_at: at(s.created_at),
                ..s.clone()
            })),
        )
        .await?;
        insert(
            txn,
            active(self.signups.iter().map(|s| shift_signup::Model {
                id: id(s.id),
                shift_id: id(s.shift_id),
                user_id: id(s.user_id),
                signed_at: at(s.signed_at),
                withdrawn_at: at_opt(s.withdrawn_at),
                check_in_at: at_opt(s.check_in_at),
                check_out_at: at_opt(s.check_out_at),
                ..s.clone()
            })),
        )
        .await?;

        insert(
            txn,
            active(self.households.iter().map(|h| household::Model {
                id: id(h.id),
                compound_id: id(h.compound_id),
                created_by: opt(h.created_by),
                created_at: at(h.created_at),
                ..h.clone()
            })),
        )
        .await?;
        insert(
            txn,
            active(self.visits.iter().map(|v| household_visit::Model {
                id: id(v.id),
                household_id: id(v.household_id),
                visited_on: v.visited_on - weeks,
                visitor_id: opt(v.visitor_id),
                follow_up_on: v.follow_up_on.map(|d| d - weeks),
                created_at: at(v.created_at),
                ..v.clone()
            })),
        )
        .await?;
        Ok(())
    }
}

/// A copy's phone number: the demo's plus k × 100,000 (13900000001 → 13900700001 for copy
/// 7). The demo's numbers lie within 100,000 of each other, so copies never collide, and
/// stay eleven digits up to MAX_SCALE.
fn copy_phone(phone: &str, k: i32) -> String {
    match phone.parse::<i64>() {
        Ok(number) => (number + i64::from(k) * 100_000).to_string(),
        Err(_) => format!("{phone}{k}"),
    }
}

/// Rows as active models with every column set: made before the insert's first await, so
/// that the future does not hold the iterators and their closures.
fn active<M, A>(rows: impl Iterator<Item = M>) -> Vec<A>
where
    M: sea_orm::ModelTrait + sea_orm::IntoActiveModel<A>,
    A: ActiveModelTrait<Entity = M::Entity>,
{
    rows.map(|m| m.into_active_model().reset_all()).collect()
}

async fn insert<A>(txn: &impl ConnectionTrait, rows: Vec<A>) -> crate::Result<()>
where
    A: ActiveModelTrait + Send,
{
    for chunk in rows.chunks(CHUNK) {
        A::Entity::insert_many(chunk.to_vec())
            .exec_without_returning(txn)
            .await?;
    }
    Ok(())
}

/// PostgreSQL's sequences do not see ids written by hand: each restarts above its table's
/// largest id, so that rows the portal adds later do not collide with the copies'.
async fn restart_sequences(db: &DatabaseConnection) -> crate::Result<()> {
    for table in [
        "communities",
        "compounds",
        "users",
        "threads",
        "posts",
        "notices",
        "mediation_cases",
        "case_events",
        "cases",
        "case_history",
        "inbox_messages",
        "shifts",
        "shift_signups",
        "households",
        "household_visits",
    ] {
        db.execute_unprepared(&format!(
            "SELECT setval(pg_get_serial_sequence('{table}', 'id'), \
             (SELECT COALESCE(MAX(id), 1) FROM {table}))"
        ))
        .await?;
    }
    Ok(())
}
