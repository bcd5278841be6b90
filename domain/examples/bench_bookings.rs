//! Write throughput of 你点我调 bookings, through the domain API the server functions call.
//!
//!     cargo run --release -p domain --example bench_bookings -- DATABASE_URL [PER_ROUND]
//!
//! On a fresh database (migrated here, with the demo data loaded): residents are inserted
//! directly with one precomputed argon2 hash (argon2 would otherwise be the whole cost),
//! then, after a few bookings that open the pool's connections, for C = 1, 2, …, 128
//! concurrent clients a fixed number of bookings (300 by default) is made,
//! each by a new resident: file a request (`mediation::request`), list the room's free slots
//! (`schedule::free_slots`, as the booking page does) and book one (`mediation::book`). Every
//! booking gets a slot no other booking takes, spread over the twelve demo rooms, so a
//! refusal is a failure of the system, not a lost race. The first error stops the run.
//!
//! Each round prints one line `RESULT c=… bookings=… seconds=… per_second=… p50_ms=…
//! p99_ms=…`; an error prints `ERROR c=… …` (bench/run.sh reads both).
//! The rooms' horizon is raised from 28 to 90 days (the most a room may publish) so the
//! rounds do not run out of free slots; the room windows stay those of the demo.
//! Examples are not part of the `portal` binary.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chrono::Utc;
use domain::accounts::{Account, Role, password};
use domain::entities::{community, mediation_room, user, user_role};
use domain::mediation::schedule::{self, Slot};
use domain::mediation::{self, CaseRequest, Policy};
use sea_orm::{ActiveValue::Set, EntityTrait, QueryOrder, TransactionTrait};

const CONCURRENCY: [usize; 8] = [1, 2, 4, 8, 16, 32, 64, 128];
const DEFAULT_PER_ROUND: usize = 300;
/// Bookings made first and not counted: they open the pool's connections.
const WARM_UP: usize = 16;

type BoxError = Box<dyn std::error::Error + Send + Sync>;

struct Job {
    account: Account,
    room_id: i32,
    slot: Slot,
}

#[tokio::main]
async fn main() -> Result<(), BoxError> {
    let mut args = std::env::args().skip(1);
    let url = args
        .next()
        .ok_or("usage: bench_bookings DATABASE_URL [PER_ROUND]")?;
    let per_round: usize = match args.next() {
        Some(n) => n.parse()?,
        None => DEFAULT_PER_ROUND,
    };
    let policy = Policy::default();

    let started = Instant::now();
    let db = domain::db::connect_and_migrate(&url).await?;
    domain::demo::load(&db).await?;
    eprintln!(
        "[bench_bookings] migrated and loaded the demo data in {:.1} s",
        started.elapsed().as_secs_f64()
    );

    // Every room publishes 90 days ahead, and every free slot of every room is listed,
    // taken in turn from each room so that concurrent bookings spread over the rooms.
    let rooms = mediation_room::Entity::find()
        .order_by_asc(mediation_room::Column::Id)
        .all(&db)
        .await?;
    let now = Utc::now();
    let mut per_room = Vec::new();
    for room in &rooms {
        let mut s = schedule::schedule_of(&db, room.id).await?;
        s.horizon_days = 90;
        schedule::save_schedule(&db, room.id, s).await?;
        let free = schedule::free_slots(
            &db,
            room.id,
            now + policy.cutoff + chrono::Duration::minutes(30),
            now,
        )
        .await?;
        per_room.push((room.id, free.into_iter()));
    }
    let mut plan = Vec::new();
    loop {
        let before = plan.len();
        for (room_id, slots) in per_room.iter_mut() {
            if let Some(slot) = slots.next() {
                plan.push((*room_id, slot));
            }
        }
        if plan.len() == before {
            break;
        }
    }
    let per_round = per_round.min(plan.len().saturating_sub(WARM_UP) / CONCURRENCY.len());
    let total = WARM_UP + per_round * CONCURRENCY.len();
    eprintln!(
        "[bench_bookings] {} rooms, {} free slots; {per_round} bookings per round",
        rooms.len(),
        plan.len()
    );
    if per_round == 0 {
        return Err("no free slots to book".into());
    }

    // One resident per booking (a resident may file three requests a day), inserted
    // directly with one argon2 hash, as the demo data does for its accounts.
    let hash = password::hash("bench-2026-bookings").await?;
    let community_id = community::Entity::find()
        .order_by_asc(community::Column::Id)
        .one(&db)
        .await?
        .map(|c| c.id);
    let txn = db.begin().await?;
    let mut residents = Vec::with_capacity(total);
    for n in 0..total {
        let user = user::Entity::insert(user::ActiveModel {
            phone: Set(format!("171{n:08}")),
            password_hash: Set(hash.clone()),
            community_id: Set(community_id),
            compound_id: Set(None),
            consent_version: Set("bench".to_owned()),
            consent_at: Set(now),
            created_at: Set(now),
            display_name: Set(None),
            ..Default::default()
        })
        .exec_with_returning(&txn)
        .await?;
        user_role::Entity::insert(user_role::ActiveModel {
            user_id: Set(user.id),
            role: Set(Role::Resident.as_str().to_owned()),
        })
        .exec(&txn)
        .await?;
        residents.push(Account {
            user,
            roles: vec![Role::Resident],
        });
    }
    txn.commit().await?;
    eprintln!(
        "[bench_bookings] {total} residents inserted ({:.1} s since start)",
        started.elapsed().as_secs_f64()
    );

    let mut jobs = residents
        .into_iter()
        .zip(plan)
        .map(|(account, (room_id, slot))| Job {
            account,
            room_id,
            slot,
        });
    let rounds = std::iter::once((8, WARM_UP)).chain(CONCURRENCY.map(|c| (c, per_round)));
    for (n, (c, size)) in rounds.enumerate() {
        let warm_up = n == 0;
        let round: Arc<Vec<Job>> = Arc::new(jobs.by_ref().take(size).collect());
        let next = Arc::new(AtomicUsize::new(0));
        let failed = Arc::new(AtomicBool::new(false));
        let first_error: Arc<Mutex<Option<String>>> = Arc::new(Mutex::new(None));
        let began = Instant::now();
        let mut workers = Vec::new();
        for _ in 0..c {
            let (db, round, next, failed, first_error) = (
                db.clone(),
                round.clone(),
                next.clone(),
                failed.clone(),
                first_error.clone(),
            );
            workers.push(tokio::spawn(async move {
                let mut latencies = Vec::new();
                while !failed.load(Ordering::Relaxed) {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(job) = round.get(i) else { break };
                    let t = Instant::now();
                    match one_booking(&db, job, &policy).await {
                        Ok(()) => latencies.push(t.elapsed()),
                        Err(e) => {
                            failed.store(true, Ordering::Relaxed);
                            let mut slot = first_error.lock().unwrap_or_else(|e| e.into_inner());
                            if slot.is_none() {
                                *slot = Some(format!(
                                    "booking {i} (room {}, {}): {e}",
                                    job.room_id, job.slot.starts_at
                                ));
                            }
                        }
                    }
                }
                latencies
            }));
        }
        let mut latencies: Vec<Duration> = Vec::new();
        for worker in workers {
            latencies.extend(worker.await?);
        }
        let seconds = began.elapsed().as_secs_f64();
        let error = first_error.lock().unwrap_or_else(|e| e.into_inner()).take();
        if let Some(error) = error {
            let c = if warm_up {
                "warm-up".to_owned()
            } else {
                c.to_string()
            };
            println!(
                "ERROR c={c} after={} seconds={seconds:.2} error={}",
                latencies.len(),
                error.replace('\n', " ")
            );
            return Ok(());
        }
        if warm_up {
            eprintln!(
                "[bench_bookings] warm-up: {} bookings in {seconds:.2} s",
                latencies.len()
            );
            continue;
        }
        latencies.sort();
        let pct = |p: f64| {
            let i = ((latencies.len() as f64 * p).ceil() as usize).clamp(1, latencies.len());
            latencies[i - 1].as_secs_f64() * 1000.0
        };
        println!(
            "RESULT c={c} bookings={} seconds={seconds:.2} per_second={:.1} p50_ms={:.1} p99_ms={:.1}",
            latencies.len(),
            latencies.len() as f64 / seconds,
            pct(0.50),
            pct(0.99)
        );
    }
    Ok(())
}

/// What a resident does to book: file the request, see the room's free slots, take one.
async fn one_booking(
    db: &sea_orm::DatabaseConnection,
    job: &Job,
    policy: &Policy,
) -> Result<(), BoxError> {
    let form = CaseRequest {
        dispute_type: "neighbours".to_owned(),
        account: "楼上漏水，渗到我家天花板，协商了两次没有结果。".to_owned(),
        other_party: "楼上住户".to_owned(),
        other_relation: "邻居".to_owned(),
        other_phone: String::new(),
        amount_claimed: Some(2000),
        tried_aid_station: true,
        mode: "in_person".to_owned(),
        room_id: job.room_id,
    };
    let case = mediation::request(db, &job.account, form, policy, Utc::now()).await?;
    let now = Utc::now();
    let free = schedule::free_slots(db, job.room_id, now + policy.cutoff, now).await?;
    if !free.contains(&job.slot) {
        return Err(format!("slot {} is not free", job.slot.starts_at).into());
    }
    mediation::book(
        db,
        &job.account,
        &case.code,
        job.slot.starts_at,
        policy,
        Utc::now(),
    )
    .await?;
    Ok(())
}
