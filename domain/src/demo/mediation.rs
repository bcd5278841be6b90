//! 你点我调 demo: accounts to sign in with, every room's availability, a year of cases
//! behind the 调解成效 figures, and a few open cases so the queues have work in them.
//!
//! The cases are invented by a small seeded generator, so a run gives the same story every
//! time it is loaded on the same day. They are written as rows, not through the case
//! functions: those refuse past slots (rightly) and each opens its own transaction, while
//! this step must land whole or not at all.

use std::collections::HashMap;

use chrono::{DateTime, Datelike, Duration, Utc};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection,
    EntityTrait, QueryFilter, QueryOrder, TransactionTrait, sea_query::Expr,
};

use super::{BRANCH_HOURS, DEMO_PASSWORD, MAIN_ROOM_HOURS, Outcome};
use crate::accounts::{self, Role, password};
use crate::entities::{booking, case_event, community, mediation_case, mediation_room, user};
use crate::mediation::schedule::{self, Schedule, Slot, Window};
use crate::mediation::{
    DisputeType, EventKind, Level, Mode, Outcome as CaseOutcome, ReferralResult, ReferralTarget,
    Status,
};
use crate::time::{at_local, local_date};
use crate::{Error, Result, inbox, settings};

/// 老何 of 老何调解室. The branch rooms' mediators follow: 13900000102, 13900000103, …
pub const MAIN_MEDIATOR_PHONE: &str = "13900000101";
pub const OFFICER_PHONE: &str = "13900000201";
/// A resident of the first demo community (总浦桥社区) and one of the second.
pub const RESIDENT_PHONES: [&str; 2] = ["13900000001", "13900000002"];
/// The setting that records when this step ran.
pub const DEMO_MEDIATION_LOADED_AT: &str = "demo_mediation_loaded_at";

const CONSENT: &str = "demo";
/// How far back the history reaches: a little under a year, so that the requests filed a
/// few days before the oldest sessions still fall within the last twelve months.
const PAST_DAYS: i64 = 355;
const MAIN_ROOM_CASES: usize = 96;
const BRANCH_CASES: i64 = 24;
/// Branch rooms are not all equally busy; the spread sums to nothing, so the history holds
/// 96 + 11 × 24 = 360 cases.
const BRANCH_SPREAD: [i64; 11] = [4, -3, 6, -5, 1, -2, 3, -6, 5, -1, -2];
const INSERT_BATCH: usize = 200;

const MORNING: (i32, i32) = (9 * 60, 11 * 60 + 30);
const AFTERNOON: (i32, i32) = (14 * 60, 17 * 60);
const SATURDAY: u32 = 6;

fn mediator_phone(index: usize) -> String {
    format!("139000001{:02}", index + 1)
}

/// xorshift64*: enough to scatter invented cases, and the same scatter every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % (n.max(1) as u64)) as usize
    }

    fn between(&mut self, low: i64, high: i64) -> i64 {
        low + (self.next() % ((high - low).max(0) as u64 + 1)) as i64
    }

    fn per_mille(&mut self, chance: usize) -> bool {
        self.below(1000) < chance
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// One kind of dispute as residents tell it, with the other party and what a successful
/// session agrees, kept together so that the story of a case hangs together.
struct Scenario {
    account: &'static str,
    other_party: &'static str,
    relation: &'static str,
    agreement: &'static str,
    /// Yuan at stake, when money is.
    money: Option<(i64, i64)>,
}

const fn scenario(
    account: &'static str,
    other_party: &'static str,
    relation: &'static str,
    agreement: &'static str,
    money: Option<(i64, i64)>,
) -> Scenario {
    Scenario {
        account,
        other_party,
        relation,
        agreement,
        money,
    }
}

/// (dispute, weight in an ordinary room, weight in the enterprise park, scenarios)
type Kind = (DisputeType, usize, usize, &'static [Scenario]);

const KINDS: [Kind; 7] = [
    (
        DisputeType::Neighbours,
        30,
        8,
        &[
            scenario(
                "楼上住户每天深夜拖动桌椅、走路声很重，多次上门沟通无果，影响老人和孩子休息。",
                "楼上住户",
                "邻居",
                "对方加装桌脚垫，承诺晚上十点后注意声响，双方握手言和。",
                None,
            ),
            scenario(
                "楼上卫生间漏水，我家天花板发霉掉皮，对方不愿维修也不愿赔偿。",
                "楼上住户",
                "邻居",
                "对方一周内重做卫生间防水，并承担我家天花板的修复费用。",
                Some((800, 6000)),
            ),
            scenario(
                "邻居在楼道里堆放杂物、给电动车充电，消防通道被堵，沟通几次都没有改。",
                "对门邻居",
                "邻居",
                "杂物三日内清走，电动车改到小区车棚充电，物业负责督促。",
                None,
            ),
            scenario(
                "邻居家的狗不拴绳，在小区里咬伤了我家孩子，打疫苗的费用对方不愿承担。",
                "隔壁住户",
                "邻居",
                "对方承担疫苗和就诊费用并当面道歉，今后遛狗一律牵绳。",
                Some((500, 3000)),
            ),
        ],
    ),
    (
        DisputeType::Family,
        12,
        4,
        &[
            scenario(
                "老人年纪大了需要照顾，兄弟几个为赡养费和轮流照看的安排争执不下。",
                "兄弟",
                "家人",
                "兄弟三人按月分担赡养费，每人轮流照看老人一个月，协议交社区存档。",
                Some((6000, 24000)),
            ),
            scenario(
                "离婚后孩子跟我生活，对方拖欠了半年的抚养费，电话也不接。",
                "前夫",
                "前配偶",
                "对方一次性补齐所欠抚养费，今后每月十日前按时转账。",
                Some((6000, 18000)),
            ),
            scenario(
                "婆媳之间因为带孩子的方式经常吵架，家里气氛很僵，希望有人帮忙劝一劝。",
                "婆婆",
                "家人",
                "双方各退一步，约定带孩子的分工，每周一起吃一顿饭。",
                None,
            ),
        ],
    ),
    (
        DisputeType::Property,
        14,
        6,
        &[
            scenario(
                "物业收了停车管理费，小区车位却经常被外来车辆占用，业主的车没地方停。",
                "小区物业公司",
                "物业",
                "物业加装道闸、登记外来车辆，当年停车管理费减免一个月。",
                Some((300, 1500)),
            ),
            scenario(
                "租房合同到期退房，房东以墙面有污渍为由扣下全部押金。",
                "房东",
                "房东",
                "房东退还大部分押金，墙面清洁费由双方分担。",
                Some((1500, 6000)),
            ),
            scenario(
                "电梯频繁故障，物业一直拖着不修，老人上下楼很困难。",
                "物业服务中心",
                "物业",
                "物业两周内完成电梯维修并公开维保记录，业主按时缴纳物业费。",
                None,
            ),
        ],
    ),
    (
        DisputeType::Debt,
        16,
        14,
        &[
            scenario(
                "老乡向我借钱时说好半年归还，一年多了一直推脱不还。",
                "老乡",
                "朋友",
                "对方写下还款计划，分期在三个月内还清借款。",
                Some((3000, 50000)),
            ),
            scenario(
                "合伙开的小吃店关门后，合伙人一直不肯结算剩余的货款和押金。",
                "合伙人",
                "生意伙伴",
                "双方核对账目，对方分两次结清应付款项。",
                Some((5000, 60000)),
            ),
            scenario(
                "同事借钱周转，约定的还款日过了很久也没还，现在连消息都不回。",
                "同事",
                "同事",
                "对方当场归还一部分，余款约定下月发工资后还清。",
                Some((2000, 20000)),
            ),
        ],
    ),
    (
        DisputeType::Consumer,
        10,
        4,
        &[
            scenario(
                "装修公司拖延工期两个多月，还用了合同之外的便宜材料。",
                "装修公司",
                "商家",
                "装修公司更换不合格材料，并按合同赔偿延期违约金。",
                Some((2000, 30000)),
            ),
            scenario(
                "在小区门口的店里办了健身卡，没几个月店就关门了，余额不退。",
                "健身房",
                "商家",
                "经营者退还剩余卡费，双方解除合同。",
                Some((800, 5000)),
            ),
            scenario(
                "买的二手电动车骑了一周就坏了，卖家说不包修也不退。",
                "二手车行",
                "商家",
                "卖家免费维修，并把保修期延长三个月。",
                Some((500, 3000)),
            ),
        ],
    ),
    (
        DisputeType::Wages,
        12,
        50,
        &[
            scenario(
                "在工地干了四个月，包工头拖欠工资，一直说等工程款下来再给。",
                "包工头",
                "雇主",
                "包工头一周内付清拖欠的工资，由总包单位担保。",
                Some((8000, 50000)),
            ),
            scenario(
                "物流公司辞退我时，没有结清最后一个月的工资和加班费。",
                "物流公司",
                "雇主",
                "公司结清工资和加班费，并出具离职证明。",
                Some((3000, 15000)),
            ),
            scenario(
                "在厂里上班受了工伤，老板只付了医药费，误工费不肯给。",
                "机械厂",
                "雇主",
                "企业支付误工费和营养费，双方签订和解协议。",
                Some((5000, 40000)),
            ),
        ],
    ),
    (
        DisputeType::Other,
        6,
        4,
        &[
            scenario(
                "小区里骑电动自行车的人撞到了我家老人，手臂擦伤，双方对赔偿有争议。",
                "骑车人",
                "路人",
                "骑车人赔偿医药费并道歉，双方不再追究。",
                Some((300, 3000)),
            ),
            scenario(
                "外卖骑手送餐时撞坏了我停在路边的电动车，平台和骑手互相推诿。",
                "外卖骑手",
                "路人",
                "骑手承担修车费用，平台另给补贴。",
                Some((200, 2000)),
            ),
            scenario(
                "广场舞音响声音太大，附近居民晚上休息受影响，双方多次争吵。",
                "广场舞队",
                "其他",
                "跳舞改到晚上八点半前结束，音量控制在约定范围内。",
                None,
            ),
        ],
    ),
];

const DECLINE_REASONS: [&str; 3] = [
    "对方已起诉至法院，调解室不再受理",
    "属于劳动仲裁受理范围，已告知申请途径",
    "双方都不在本辖区，已转介当地调解委员会",
];

const FOLLOW_UP_COMMENTS: [&str; 5] = [
    "调解员很耐心，问题解决了",
    "老何讲理又讲情，谢谢！",
    "对方已经按约定履行",
    "处理很及时",
    "希望以后常来小区讲讲法",
];

/// A demo room as the generator needs it.
struct Room {
    id: i32,
    community_id: Option<i32>,
    mediator: i32,
    in_park: bool,
    past_slots: Vec<Slot>,
}

#[derive(Clone, Copy)]
struct Resident {
    id: i32,
    community_id: Option<i32>,
}

struct Event {
    at: DateTime<Utc>,
    kind: EventKind,
    actor: Option<i32>,
    note: Option<String>,
    slot_at: Option<DateTime<Utc>>,
}

fn event(at: DateTime<Utc>, kind: EventKind, actor: Option<i32>) -> Event {
    Event {
        at,
        kind,
        actor,
        note: None,
        slot_at: None,
    }
}

struct Booking {
    slot: Slot,
    created_at: DateTime<Utc>,
    cancelled_at: Option<DateTime<Utc>>,
}

/// A case before it has a code and an id.
struct Plan {
    case: mediation_case::ActiveModel,
    created_at: DateTime<Utc>,
    booking: Option<Booking>,
    events: Vec<Event>,
    /// (recipient, topic, when)
    inbox: Vec<(i32, &'static str, DateTime<Utc>)>,
}

fn new_case(
    room: &Room,
    community_id: Option<i32>,
    resident: Option<Resident>,
    scenario: &Scenario,
    dispute: DisputeType,
    created_at: DateTime<Utc>,
) -> mediation_case::ActiveModel {
    mediation_case::ActiveModel {
        resident_id: Set(resident.map(|r| r.id)),
        community_id: Set(community_id),
        room_id: Set(room.id),
        mediator_id: Set(None),
        dispute_type: Set(dispute),
        account: Set(scenario.account.to_owned()),
        other_party: Set(scenario.other_party.to_owned()),
        other_relation: Set(scenario.relation.to_owned()),
        other_phone: Set(None),
        amount_claimed: Set(None),
        tried_aid_station: Set(false),
        mode: Set(Mode::InPerson),
        level: Set(Level::Room),
        status: Set(Status::Requested),
        outcome: Set(None),
        agreement: Set(None),
        amount_settled: Set(None),
        satisfaction: Set(None),
        follow_up_comment: Set(None),
        follow_up_channel: Set(None),
        created_at: Set(created_at),
        updated_at: Set(created_at),
        outcome_at: Set(None),
        follow_up_at: Set(None),
        is_demo: Set(true),
        ..Default::default()
    }
}

fn round_to_hundred(yuan: i64) -> i64 {
    ((yuan + 50) / 100) * 100
}

/// `minute` after local midnight, `days` after the local date of `at`.
fn local_time(at: DateTime<Utc>, days: i64, minute: i64) -> DateTime<Utc> {
    at_local(local_date(at) + Duration::days(days), minute as i32)
        .unwrap_or(at + Duration::days(days))
}

struct Generator {
    rng: Rng,
    /// Every demo community, for the main room's walk-ins who come from all over.
    communities: Vec<i32>,
}

impl Generator {
    fn kind(&mut self, room: &Room) -> (DisputeType, &'static Scenario) {
        let weight = |k: &Kind| if room.in_park { k.2 } else { k.1 };
        let mut roll = self.rng.below(KINDS.iter().map(weight).sum());
        for kind in &KINDS {
            if roll < weight(kind) {
                return (kind.0, self.rng.pick(kind.3));
            }
            roll -= weight(kind);
        }
        (KINDS[0].0, &KINDS[0].3[0])
    }

    /// A concluded (or withdrawn) case of the past, its session in `slot`.
    fn past_case(
        &mut self,
        room: &Room,
        slot: Slot,
        resident: Option<Resident>,
        now: DateTime<Utc>,
    ) -> Plan {
        let (dispute, scenario) = self.kind(room);
        let community_id = match (resident, room.community_id) {
            (Some(r), _) => r.community_id,
            (None, Some(c)) => Some(c),
            (None, None) => Some(*self.rng.pick(&self.communities)),
        };
        let mediator = Some(room.mediator);
        // Residents file online; walk-ins are written down by the room's mediator.
        let filer = resident.map(|r| r.id).or(mediator);
        let created_at = local_time(
            slot.starts_at,
            -self.rng.between(1, 7),
            self.rng.between(8 * 60, 21 * 60),
        );
        let booked_at = created_at + Duration::minutes(self.rng.between(2, 30));
        let mut case = new_case(room, community_id, resident, scenario, dispute, created_at);
        let claimed = scenario
            .money
            .map(|(low, high)| round_to_hundred(low + self.rng.between(0, high - low) / 10 * 10));
        case.amount_claimed = Set(claimed);
        case.tried_aid_station = Set(self.rng.per_mille(350));
        if self.rng.per_mille(120) {
            case.mode = Set(Mode::Video);
        }
        let mut booked = event(booked_at, EventKind::Booked, filer);
        booked.slot_at = Some(slot.starts_at);
        let mut events = vec![event(created_at, EventKind::Requested, filer), booked];
        let mut booking = Booking {
            slot,
            created_at: booked_at,
            cancelled_at: None,
        };
        let roll = self.rng.below(1000);
        if roll < 50 {
            // Withdrawn or declined well before the session, as the cut-off requires.
            let at = booked_at + Duration::minutes(self.rng.between(30, 480));
            booking.cancelled_at = Some(at);
            let (status, mut step) = if roll < 30 {
                (Status::Cancelled, event(at, EventKind::Cancelled, filer))
            } else {
                (Status::Declined, event(at, EventKind::Declined, mediator))
            };
            if status == Status::Declined {
                step.note = Some((*self.rng.pick(&DECLINE_REASONS)).to_owned());
            }
            events.push(step);
            case.status = Set(status);
            case.updated_at = Set(at);
            return Plan {
                case,
                created_at,
                booking: Some(booking),
                events,
                inbox: Vec::new(),
            };
        }
        let accepted_at = booked_at + Duration::minutes(self.rng.between(30, 600));
        events.push(event(accepted_at, EventKind::Accepted, mediator));
        events.push(event(slot.starts_at, EventKind::Held, mediator));
        let outcome_at = slot.starts_at + Duration::minutes(self.rng.between(60, 150));
        let roll = self.rng.below(1000);
        let outcome = match roll {
            0..940 => CaseOutcome::Reached,
            940..970 => CaseOutcome::Partly,
            970..985 => CaseOutcome::NotReached,
            _ => CaseOutcome::Referred,
        };
        let settled = match outcome {
            CaseOutcome::Reached => {
                claimed.map(|c| round_to_hundred(c * self.rng.between(60, 100) / 100))
            }
            CaseOutcome::Partly => {
                claimed.map(|c| round_to_hundred(c * self.rng.between(30, 60) / 100))
            }
            CaseOutcome::NotReached | CaseOutcome::Referred => None,
        };
        let agreement = match outcome {
            CaseOutcome::Reached => Some(scenario.agreement.to_owned()),
            CaseOutcome::Partly => Some(format!(
                "{}其余诉求双方仍有分歧，已告知其他解决途径。",
                scenario.agreement
            )),
            CaseOutcome::NotReached | CaseOutcome::Referred => None,
        };
        let mut outcome_event = event(outcome_at, EventKind::Outcome, mediator);
        outcome_event.note = Some(outcome.as_str().to_owned());
        events.push(outcome_event);
        // Where a referral went, from the same roll (no draw of its own, so the rest of the
        // demo stays as it was): mostly the court's 诉调对接 and the 司法所.
        if outcome == CaseOutcome::Referred {
            let (target, note) = match roll % 6 {
                0 | 1 => (ReferralTarget::Court, None),
                2 | 3 => (ReferralTarget::JudicialOffice, None),
                4 => (ReferralTarget::Police, None),
                _ => (ReferralTarget::Other, Some("区劳动保障监察大队".to_owned())),
            };
            case.referred_to = Set(Some(target));
            case.referral_note = Set(note);
            case.referral_result = Set(Some(if roll.is_multiple_of(2) {
                ReferralResult::Settled
            } else {
                ReferralResult::Accepted
            }));
        }
        case.mediator_id = Set(mediator);
        case.outcome = Set(Some(outcome));
        case.agreement = Set(agreement);
        case.amount_settled = Set(settled);
        case.outcome_at = Set(Some(outcome_at));
        case.status = Set(Status::Resolved);
        case.updated_at = Set(outcome_at);
        let follow_up_at = local_time(
            outcome_at,
            self.rng.between(3, 14),
            self.rng.between(9 * 60, 17 * 60 + 30),
        );
        // The most recent sessions are still waiting for their follow-up visit.
        if follow_up_at < now {
            let rating = match (outcome, self.rng.below(1000)) {
                (CaseOutcome::Reached | CaseOutcome::Partly, 0..800) => 5,
                (CaseOutcome::Reached | CaseOutcome::Partly, 800..970) => 4,
                (CaseOutcome::NotReached | CaseOutcome::Referred, 0..500) => 4,
                _ => 3,
            };
            let (channel, actor) = match resident {
                Some(r) => ("online", Some(r.id)),
                None => ("phone", mediator),
            };
            let comment = self
                .rng
                .per_mille(350)
                .then(|| (*self.rng.pick(&FOLLOW_UP_COMMENTS)).to_owned());
            let mut step = event(follow_up_at, EventKind::FollowUp, actor);
            step.note = Some(format!("{channel}:{rating}"));
            events.push(step);
            case.satisfaction = Set(Some(rating));
            case.follow_up_comment = Set(comment);
            case.follow_up_channel = Set(Some(channel.to_owned()));
            case.follow_up_at = Set(Some(follow_up_at));
            case.status = Set(Status::Closed);
            case.updated_at = Set(follow_up_at);
        }
        Plan {
            case,
            created_at,
            booking: Some(booking),
            events,
            inbox: Vec::new(),
        }
    }

    /// A case still in the room's hands: `slot` booked (and accepted by the room's mediator
    /// when `accepted`), or no slot chosen yet.
    fn open_case(
        &mut self,
        room: &Room,
        resident: Option<Resident>,
        slot: Option<Slot>,
        accepted: bool,
        created_at: DateTime<Utc>,
        mediators: &[i32],
    ) -> Plan {
        let (dispute, scenario) = self.kind(room);
        let community_id = resident.and_then(|r| r.community_id).or(room.community_id);
        let mut case = new_case(room, community_id, resident, scenario, dispute, created_at);
        case.amount_claimed = Set(scenario.money.map(|(_, high)| round_to_hundred(high / 2)));
        let filer = resident.map(|r| r.id).or(Some(room.mediator));
        let mut events = vec![event(created_at, EventKind::Requested, filer)];
        let mut inbox = Vec::new();
        if resident.is_some() {
            inbox.extend(mediators.iter().map(|m| (*m, "inbox-case-new", created_at)));
        }
        let mut booking = None;
        if let Some(slot) = slot {
            let booked_at = created_at + Duration::minutes(5);
            let mut booked = event(booked_at, EventKind::Booked, filer);
            booked.slot_at = Some(slot.starts_at);
            events.push(booked);
            booking = Some(Booking {
                slot,
                created_at: booked_at,
                cancelled_at: None,
            });
            case.status = Set(Status::Booked);
            case.updated_at = Set(booked_at);
            if let Some(resident) = resident {
                inbox.extend(
                    mediators
                        .iter()
                        .chain([&resident.id])
                        .map(|m| (*m, "inbox-case-booked", booked_at)),
                );
            }
            if accepted {
                let accepted_at = booked_at + Duration::minutes(10);
                events.push(event(accepted_at, EventKind::Accepted, Some(room.mediator)));
                case.status = Set(Status::Accepted);
                case.mediator_id = Set(Some(room.mediator));
                case.updated_at = Set(accepted_at);
                if let Some(resident) = resident {
                    inbox.push((resident.id, "inbox-case-accepted", accepted_at));
                }
            }
        }
        Plan {
            case,
            created_at,
            booking,
            events,
            inbox,
        }
    }
}

/// `n` different slots out of `slots`, in time order.
fn pick_slots(rng: &mut Rng, mut slots: Vec<Slot>, n: usize) -> Vec<Slot> {
    let n = n.min(slots.len());
    for i in 0..n {
        let j = i + rng.below(slots.len() - i);
        slots.swap(i, j);
    }
    slots.truncate(n);
    slots.sort();
    slots
}

/// Loads the step unless it ran before. Refuses, changing nothing, when a demo account's
/// number already belongs to someone.
pub(super) async fn load(db: &DatabaseConnection, now: DateTime<Utc>) -> Result<Outcome> {
    if settings::get(db, DEMO_MEDIATION_LOADED_AT).await?.is_some() {
        return Ok(Outcome::AlreadyLoaded);
    }
    let mut rooms = mediation_room::Entity::find()
        .filter(mediation_room::Column::IsDemo.eq(true))
        .order_by_asc(mediation_room::Column::Id)
        .all(db)
        .await?;
    // The main room first, so that 老何 gets the first number.
    rooms.sort_by_key(|r| (r.parent_id.is_some(), r.id));
    let communities: Vec<i32> = community::Entity::find()
        .filter(community::Column::IsDemo.eq(true))
        .order_by_asc(community::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(|c| c.id)
        .collect();
    if rooms.is_empty() || communities.len() < RESIDENT_PHONES.len() {
        // No demo directory to hang the cases on.
        return Ok(Outcome::AlreadyLoaded);
    }
    let mut phones: Vec<String> = (0..rooms.len()).map(mediator_phone).collect();
    phones.push(OFFICER_PHONE.to_owned());
    phones.extend(RESIDENT_PHONES.iter().map(|p| (*p).to_owned()));
    super::phones_free(db, phones).await?;
    // Hashed once, outside the transaction: argon2 is slow on purpose, and SQLite's write
    // lock should not wait for it.
    let hash = password::hash(DEMO_PASSWORD).await?;
    let txn = db.begin().await?;
    if !super::claim(&txn, DEMO_MEDIATION_LOADED_AT, now).await? {
        return Ok(Outcome::AlreadyLoaded);
    }
    let account = |phone: &str, community_id: Option<i32>| user::ActiveModel {
        phone: Set(phone.to_owned()),
        password_hash: Set(hash.clone()),
        community_id: Set(community_id),
        compound_id: Set(None),
        consent_version: Set(CONSENT.to_owned()),
        consent_at: Set(now),
        created_at: Set(now),
        ..Default::default()
    };
    let officer = account(OFFICER_PHONE, None).insert(&txn).await?;
    accounts::grant(&txn, officer.id, Role::Officer).await?;
    let mut residents = Vec::new();
    for (phone, community_id) in RESIDENT_PHONES.iter().zip(&communities) {
        let resident = account(phone, Some(*community_id)).insert(&txn).await?;
        accounts::grant(&txn, resident.id, Role::Resident).await?;
        residents.push(Resident {
            id: resident.id,
            community_id: resident.community_id,
        });
    }
    let first_day = local_date(now) - Duration::days(PAST_DAYS);
    let mut demo_rooms = Vec::new();
    for (index, room) in rooms.iter().enumerate() {
        let mediator = account(&mediator_phone(index), room.community_id)
            .insert(&txn)
            .await?;
        schedule::assign(&txn, room.id, mediator.id).await?;
        schedule::save_schedule(&txn, room.id, Schedule::default()).await?;
        let is_main = room.parent_id.is_none();
        for weekday in 1..=SATURDAY {
            if weekday == SATURDAY && !is_main {
                continue;
            }
            let windows: &[(i32, i32)] = if weekday == SATURDAY {
                &[MORNING]
            } else {
                &[MORNING, AFTERNOON]
            };
            for (start, end) in windows {
                let window = Window::Weekly {
                    weekday,
                    start: *start,
                    end: *end,
                };
                schedule::add_window(&txn, room.id, window).await?;
            }
        }
        let windows = schedule::windows(&txn, room.id).await?;
        let past_slots = schedule::cut_slots(&Schedule::default(), &windows, first_day, PAST_DAYS)
            .into_iter()
            .filter(|s| s.ends_at <= now - Duration::days(1))
            .collect();
        demo_rooms.push(Room {
            id: room.id,
            community_id: room.community_id,
            mediator: mediator.id,
            in_park: room.name.contains("园区"),
            past_slots,
        });
    }
    // The directory step's opening hours predate the availability; make them agree.
    for (is_main, hours) in [(true, MAIN_ROOM_HOURS), (false, BRANCH_HOURS)] {
        let parent = mediation_room::Column::ParentId;
        mediation_room::Entity::update_many()
            .col_expr(mediation_room::Column::Hours, Expr::value(hours))
            .filter(mediation_room::Column::IsDemo.eq(true))
            .filter(if is_main {
                parent.is_null()
            } else {
                parent.is_not_null()
            })
            .exec(&txn)
            .await?;
    }

    let mut generator = Generator {
        rng: Rng(0x5A42_5320_2611_2901),
        communities: communities.clone(),
    };
    let mut plans = Vec::new();
    for (index, room) in demo_rooms.iter_mut().enumerate() {
        let wanted = match index.checked_sub(1) {
            None => MAIN_ROOM_CASES,
            Some(branch) => (BRANCH_CASES + BRANCH_SPREAD.get(branch).unwrap_or(&0)) as usize,
        };
        let slots = pick_slots(
            &mut generator.rng,
            std::mem::take(&mut room.past_slots),
            wanted,
        );
        // The demo residents' own history: a few cases spread over the year in the branch
        // of their community.
        let resident = residents
            .iter()
            .find(|r| index > 0 && r.community_id == room.community_id)
            .copied();
        let every = (slots.len() / 3).max(1);
        for (n, slot) in slots.into_iter().enumerate() {
            let own = resident.filter(|_| n % every == every / 2);
            plans.push(generator.past_case(room, slot, own, now));
        }
    }
    plans.sort_by_key(|p| p.created_at);

    // Open cases: one booked by the first resident and waiting for the room to accept,
    // one request without a slot from the second, and a walk-in accepted for tomorrow.
    let room_of = |resident: &Resident| {
        demo_rooms
            .iter()
            .skip(1)
            .find(|r| r.community_id == resident.community_id)
    };
    let mut open = Vec::new();
    if let Some(resident) = residents.first()
        && let Some(room) = room_of(resident)
    {
        let slot = schedule::free_slots(&txn, room.id, now + Duration::hours(36), now)
            .await?
            .into_iter()
            .next();
        let mediators = schedule::mediators_of(&txn, room.id).await?;
        open.push(generator.open_case(
            room,
            Some(*resident),
            slot,
            false,
            now - Duration::minutes(50),
            &mediators,
        ));
    }
    if let Some(resident) = residents.get(1)
        && let Some(room) = room_of(resident)
    {
        let mediators = schedule::mediators_of(&txn, room.id).await?;
        open.push(generator.open_case(
            room,
            Some(*resident),
            None,
            false,
            now - Duration::hours(3),
            &mediators,
        ));
    }
    if let Some(main) = demo_rooms.first() {
        let slot = schedule::free_slots(&txn, main.id, now + Duration::hours(20), now)
            .await?
            .into_iter()
            .next();
        open.push(generator.open_case(main, None, slot, true, now - Duration::days(1), &[]));
    }
    plans.extend(open);
    insert(&txn, plans).await?;
    txn.commit().await?;
    Ok(Outcome::Loaded)
}

/// Writes the cases in batches, then their bookings, timelines and messages.
async fn insert(txn: &impl ConnectionTrait, mut plans: Vec<Plan>) -> Result<()> {
    // `D` and the leading zeros keep these codes apart from the random ones, whose
    // alphabet has no 0 or 1.
    let mut codes = Vec::with_capacity(plans.len());
    for (n, plan) in plans.iter_mut().enumerate() {
        let year = local_date(plan.created_at).year();
        let code = format!("ZBS-{year}-D{:05}", n + 1);
        plan.case.code = Set(code.clone());
        codes.push(code);
    }
    let mut ids: HashMap<String, i32> = HashMap::with_capacity(plans.len());
    let cases: Vec<mediation_case::ActiveModel> = plans.iter().map(|p| p.case.clone()).collect();
    for batch in cases.chunks(INSERT_BATCH) {
        let inserted = mediation_case::Entity::insert_many(batch.to_vec())
            .exec_with_returning(txn)
            .await?;
        ids.extend(inserted.into_iter().map(|c| (c.code, c.id)));
    }
    let mut bookings = Vec::new();
    let mut events = Vec::new();
    for (plan, code) in plans.iter().zip(&codes) {
        let case_id = *ids.get(code).ok_or(Error::NotFound)?;
        if let Some(b) = &plan.booking {
            bookings.push(booking::ActiveModel {
                case_id: Set(case_id),
                room_id: plan.case.room_id.clone(),
                starts_at: Set(b.slot.starts_at),
                ends_at: Set(b.slot.ends_at),
                created_at: Set(b.created_at),
                cancelled_at: Set(b.cancelled_at),
                ..Default::default()
            });
        }
        events.extend(plan.events.iter().map(|e| case_event::ActiveModel {
            case_id: Set(case_id),
            at: Set(e.at),
            kind: Set(e.kind),
            actor_id: Set(e.actor),
            note: Set(e.note.clone()),
            slot_at: Set(e.slot_at),
            from_level: Set(None),
            to_level: Set(None),
            ..Default::default()
        }));
        for (recipient, topic, at) in &plan.inbox {
            inbox::keep_past(
                txn,
                *recipient,
                topic,
                code,
                &crate::mediation::case_link(code),
                *at,
            )
            .await?;
        }
    }
    for batch in bookings.chunks(INSERT_BATCH * 2) {
        booking::Entity::insert_many(batch.to_vec())
            .exec_without_returning(txn)
            .await?;
    }
    for batch in events.chunks(INSERT_BATCH * 5) {
        case_event::Entity::insert_many(batch.to_vec())
            .exec_without_returning(txn)
            .await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn picked_slots_are_distinct_and_in_order() {
        let start = Utc::now();
        let slots: Vec<Slot> = (0..50)
            .map(|h| Slot {
                starts_at: start + Duration::hours(h),
                ends_at: start + Duration::hours(h) + Duration::minutes(60),
            })
            .collect();
        let mut rng = Rng(7);
        let picked = pick_slots(&mut rng, slots.clone(), 20);
        assert_eq!(picked.len(), 20);
        assert!(picked.windows(2).all(|w| w[0].starts_at < w[1].starts_at));
        assert_eq!(
            pick_slots(&mut rng, slots, 80).len(),
            50,
            "never more than offered"
        );
    }

    #[test]
    fn every_scenario_is_a_valid_request() {
        for (_, _, _, scenarios) in &KINDS {
            for s in *scenarios {
                assert!(
                    (10..=1000).contains(&s.account.chars().count()),
                    "{}",
                    s.account
                );
                assert!(s.relation.chars().count() <= 20);
                assert!(s.money.is_none_or(|(low, high)| 0 < low && low < high));
            }
        }
    }
}
