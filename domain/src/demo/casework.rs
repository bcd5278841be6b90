//! 警网融合 demo: the people of the mutual-aid stations and the police offices who work
//! cases, a loop case for every demo mediation case, and four months of walk-ins, calls and
//! patrol findings spread over every stage and every kind of organisation, some of them
//! overdue, some escalated once, a quarter closed by the police, and ten households whose
//! repeat disputes show all three colours of 三色.
//!
//! The station members are 13900000501 onward: two at the first mutual-aid station of each
//! of the first three communities, one at each other station there; the police offices'
//! staff are 13900000591 onward. They sign in with the demo password and hold no role but
//! resident: what they may do with a case comes from their organisation (`org_members`).
//!
//! Rows are written directly and in batches, as in the other steps: the casework functions
//! refuse the past and each opens its own transaction, while this step must land whole or
//! not at all. They keep the loop's invariants: every move has its history row, the latest
//! of which is the case's stage and `stage_since`; `due_at` is `stage_since` plus the
//! stage's hours in `case_deadlines`. An open case is overdue only where the escalation job
//! leaves it be (intake, triage, feedback, or at the station, the top), so the board keeps
//! the story it was loaded with until time moves on.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Duration, Utc};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, DatabaseConnection, DatabaseTransaction, EntityTrait,
    QueryFilter, QueryOrder, QuerySelect, TransactionTrait,
};

use super::{OFFICER_PHONE, Outcome};
use crate::accounts::{self, Role};
use crate::casework::{Action, Kind, Org, OrgKind, Stage, escalation};
use crate::entities::{
    aid_station, case_deadline, case_entry, case_event, case_record, community, mediation_case,
    mediation_room, org_member, police_office, room_mediator, squad, squad_member, user, user_role,
};
use crate::mediation::{EventKind, Outcome as MediationOutcome, Status};
use crate::{Error, Result, settings};

/// The setting that records when this step ran.
pub const DEMO_CASEWORK_LOADED_AT: &str = "demo_casework_loaded_at";
/// The first member of the first mutual-aid station, and that station: whom the end-to-end
/// tests sign in as to work a station's cases.
pub const STATION_MEMBER_PHONE: &str = "13900000501";
pub const STATION_MEMBER_STATION: &str = "总浦桥·海晏花园自治互助站";

/// How many communities' stations get members.
const STATION_COMMUNITIES: usize = 3;
/// The station members' names, in the order of their numbers.
const STATION_NAMES: [&str; 18] = [
    "互助站老周",
    "互助站老吴",
    "互助站老郑",
    "互助站老冯",
    "互助站老蒋",
    "互助站老沈",
    "互助站老韩",
    "互助站老朱",
    "互助站老秦",
    "互助站老许",
    "互助站老吕",
    "互助站老施",
    "互助站老孔",
    "互助站老曹",
    "互助站老严",
    "互助站老华",
    "互助站老金",
    "互助站老魏",
];
/// One person per police office, in the directory's order.
const OFFICE_NAMES: [&str; 3] = ["警务室小林", "警务室小马", "警务室小罗"];
const CONSENT: &str = "demo";
const INSERT_BATCH: usize = 200;
const HISTORY_BATCH: usize = 500;

fn station_phone(index: usize) -> String {
    format!("13900000{}", 501 + index)
}

fn office_phone(index: usize) -> String {
    format!("13900000{}", 591 + index)
}

/// Every demo phone number this step gives out.
pub fn phones() -> Vec<String> {
    (0..STATION_NAMES.len())
        .map(station_phone)
        .chain((0..OFFICE_NAMES.len()).map(office_phone))
        .collect()
}

/// How many people the `index`th station of a community gets: the first is the busiest.
fn members_of_station(index: usize) -> usize {
    if index == 0 { 2 } else { 1 }
}

/// What a walk-in, a call or a patrol finding is about, and what was done.
struct Template {
    kind: Kind,
    title: &'static str,
    summary: &'static str,
    outcome: &'static str,
}

const fn template(
    kind: Kind,
    title: &'static str,
    summary: &'static str,
    outcome: &'static str,
) -> Template {
    Template {
        kind,
        title,
        summary,
        outcome,
    }
}

const TEMPLATES: [Template; 20] = [
    template(
        Kind::WalkIn,
        "楼道堆物堵塞消防通道",
        "单元楼道里堆满纸箱、旧家具和花盆，消防通道只剩一条缝，邻居劝过几次都没有用。",
        "已上门劝导，住户三天内清走杂物，物业每周复查楼道。",
    ),
    template(
        Kind::Phone,
        "楼上深夜噪音扰民",
        "来电反映楼上住户每晚十一点后还在拖动桌椅、大声放音乐，家里老人孩子休息不好。",
        "已约双方当面沟通，楼上加装桌脚垫，承诺晚上十点后注意声响。",
    ),
    template(
        Kind::Patrol,
        "电动车违规充电",
        "巡逻发现单元门口有电动车从二楼窗户拉线充电，电线垂在门口，雨天有触电和起火隐患。",
        "已当场劝导拆除飞线，告知住户小区集中充电点的位置，次日复查未再发现。",
    ),
    template(
        Kind::WalkIn,
        "邻里漏水纠纷",
        "楼上卫生间漏水，自家天花板渗水发霉，找楼上协商维修，对方说不是他家的问题。",
        "请物业检测确认漏点在楼上，楼上一周内重做防水并承担天花板修复费用。",
    ),
    template(
        Kind::Phone,
        "小区停车纠纷",
        "自家固定车位长期被一辆外来车辆占用，挪车电话不接，双方在停车场发生争执。",
        "已联系车主挪车，物业加装地锁并登记外来车辆，双方互相道歉。",
    ),
    template(
        Kind::WalkIn,
        "宠物扰民",
        "邻居家的狗整夜吠叫，还在楼道里随地便溺，多次上门沟通都没有改善。",
        "已上门劝导，养犬人承诺遛狗牵绳、及时清理，夜里把狗关在里屋。",
    ),
    template(
        Kind::Phone,
        "独居老人求助",
        "独居老人来电说家中水管爆裂、地上全是水，自己腿脚不便，子女都在外地。",
        "志愿者当晚上门关闭总阀、联系维修，并把老人登记为重点关爱对象。",
    ),
    template(
        Kind::Patrol,
        "小区围墙破损",
        "巡逻发现小区北侧围墙倒塌一段，外来人员和车辆可随意进出，夜间存在安全隐患。",
        "已通知物业设置临时围挡，一周内完成修复，修复前加强夜间巡逻。",
    ),
    template(
        Kind::WalkIn,
        "租房押金纠纷",
        "退租时房东以墙面有污渍为由扣下全部押金，双方各执一词，差点动手。",
        "经调解房东退还大部分押金，墙面清洁费由双方分担。",
    ),
    template(
        Kind::Phone,
        "广场舞音响扰民",
        "小区广场舞音响音量太大，每晚持续到九点多，附近几栋楼的居民意见很大。",
        "已与广场舞队协商，音量控制在约定范围内，晚上八点半前结束。",
    ),
    template(
        Kind::Patrol,
        "江边护栏缺失",
        "巡查发现江边步道一段护栏缺失，放学后常有孩子在这里玩水，存在溺水风险。",
        "已设置警示牌和临时围挡，联系街道补装护栏，水上安全小分队增加巡查。",
    ),
    template(
        Kind::WalkIn,
        "装修噪音影响休息",
        "楼下装修周末一早就开始电钻作业，和装修队说了也不改，家里有上夜班的人。",
        "已告知装修管理规定，施工改在工作日上午八点以后，周末不再施工。",
    ),
    template(
        Kind::Phone,
        "高空抛物",
        "来电反映有人从楼上往下扔垃圾和烟头，险些砸到楼下的行人和车辆。",
        "已调取监控确认抛物住户，民警上门教育，住户签下承诺书。",
    ),
    template(
        Kind::WalkIn,
        "公共走廊被占用",
        "邻居在公共走廊装了一道铁门，把走廊圈进自家，其他住户进出很不方便。",
        "已督促住户拆除铁门，恢复公共走廊通行。",
    ),
    template(
        Kind::Patrol,
        "夜间可疑人员徘徊",
        "夜巡发现有陌生男子多次在车棚附近徘徊、查看电动车电瓶，疑似踩点盗窃。",
        "已加强车棚夜间巡逻并加装照明，物业增设监控。",
    ),
    template(
        Kind::Phone,
        "家庭矛盾求助",
        "来电称与儿子因为赡养和房子的事情争吵激烈，希望有人上门劝一劝。",
        "老娘舅上门调解，母子约定赡养安排，由社区跟进。",
    ),
    template(
        Kind::WalkIn,
        "拖欠工资求助",
        "在附近工地干了两个多月，包工头一直拖欠工资，说要等工程款下来才给。",
        "已联系总包单位督促结清工资，包工头一周内付清。",
    ),
    template(
        Kind::Phone,
        "楼道灯损坏致老人摔倒",
        "楼道灯坏了很久没人修，昨晚楼里一位老人下楼时摔了一跤。",
        "已督促物业当天换上声控灯，并排查了全小区的楼道灯。",
    ),
    // The two the anti-fraud demo counts as fraud-related (无库存): `FRAUD_TITLES`.
    template(
        Kind::Phone,
        "老人接到冒充公检法电话",
        "家属来电说父亲接到自称公安局的电话，称其涉嫌洗钱，要求把存款转到“安全账户”，老人已去银行取了两万元。",
        "民警赶到银行劝阻，款项未转出；已向老人和家属讲解冒充公检法诈骗的套路，帮老人装好国家反诈中心 App。",
    ),
    template(
        Kind::WalkIn,
        "刷单返利被骗求助",
        "一名租住小区的务工人员来警务室，说在网上做“刷单”兼职，前几单返了佣金，后来垫付的八千元再也要不回来。",
        "已指导报案并固定聊天记录和转账凭证，案件移交反诈中心；社区把刷单返利列入下一轮入户宣传重点。",
    ),
];

/// The titles of the demo's fraud-related cases.
pub const FRAUD_TITLES: [&str; 2] = ["老人接到冒充公检法电话", "刷单返利被骗求助"];

/// Who came or called, as they gave it.
const CONTACTS: [&str; 10] = [
    "陈女士",
    "周先生",
    "吴阿姨",
    "郑师傅",
    "冯女士",
    "蒋先生",
    "沈阿姨",
    "韩先生",
    "朱女士",
    "秦师傅",
];

/// What residents said when called back, with the rating they gave.
const FEEDBACK: [(&str, i32); 5] = [
    ("问题已经解决了，谢谢社区和民警", 5),
    ("处理很及时，态度也好", 5),
    ("基本解决了，希望以后多来看看", 4),
    ("对方已经改了，满意", 5),
    ("解决得慢了点，结果还满意", 4),
];
/// Every sixth resident could not be reached for feedback.
const NO_FEEDBACK: &str = "回访电话多次无人接听";

/// Which organisation of the case's community takes a case.
#[derive(Clone, Copy, Debug)]
enum Pick {
    /// The community's `n`th mutual-aid station.
    Aid(usize),
    /// The community's branch of 老何调解室.
    Room,
    /// The `n`th squad of 老王帮帮团.
    Squad(usize),
    /// The community's police office.
    Office,
    Station,
}

/// A walk-in, call or patrol finding: what it is, how many hours ago it came, where it is
/// now, the organisation it was first assigned to and whether it was escalated from there.
struct Hand {
    template: usize,
    hours: i64,
    stage: Stage,
    org: Option<Pick>,
    escalated: bool,
}

const fn hand(
    template: usize,
    hours: i64,
    stage: Stage,
    org: Option<Pick>,
    escalated: bool,
) -> Hand {
    Hand {
        template,
        hours,
        stage,
        org,
        escalated,
    }
}

const fn days(n: i64) -> i64 {
    n * 24
}

use Pick::{Aid, Office, Room, Squad, Station as AtStation};
use Stage::{Assigned, Closed, Feedback, InProgress, Intake, Triage};

/// Cases without a household, by community index (the directory's order). Newest first:
/// the fresh ones still at intake, the old ones closed.
const SINGLES: [(usize, Hand); 36] = [
    (0, hand(6, 2, Intake, None, false)),
    (4, hand(12, 9, Intake, None, false)),
    // Nobody looked at it for two days: overdue at intake.
    (8, hand(1, 52, Intake, None, false)),
    (1, hand(8, 5, Triage, None, false)),
    (6, hand(15, 30, Triage, None, false)),
    (9, hand(11, 14, Triage, None, false)),
    (0, hand(0, 20, Assigned, Some(Aid(0)), false)),
    (2, hand(2, 30, Assigned, Some(Squad(1)), false)),
    (7, hand(9, 60, Assigned, Some(Room), false)),
    // Left at the office past its deadline, escalated to the station, overdue there too.
    (3, hand(13, 130, Assigned, Some(Office), true)),
    (5, hand(18, 70, Assigned, Some(Office), false)),
    (1, hand(7, 80, InProgress, Some(Squad(1)), false)),
    (3, hand(10, 150, InProgress, Some(Squad(4)), false)),
    (1, hand(16, 200, InProgress, Some(Room), true)),
    (0, hand(3, 120, InProgress, Some(Aid(1)), false)),
    (2, hand(19, 300, InProgress, Some(AtStation), false)),
    (4, hand(5, 90, InProgress, Some(Aid(2)), false)),
    (2, hand(4, 180, Feedback, Some(Aid(0)), false)),
    (0, hand(0, 260, Feedback, Some(Aid(0)), false)),
    (5, hand(12, 240, Feedback, Some(Office), false)),
    (7, hand(15, 320, Feedback, Some(Squad(0)), false)),
    (8, hand(8, 400, Feedback, Some(Aid(0)), true)),
    (0, hand(1, days(18), Closed, Some(Aid(0)), false)),
    (3, hand(2, days(25), Closed, Some(Squad(1)), false)),
    (9, hand(6, days(31), Closed, Some(Squad(5)), false)),
    (6, hand(12, days(38), Closed, Some(AtStation), false)),
    (0, hand(4, days(44), Closed, Some(Room), false)),
    (4, hand(10, days(52), Closed, Some(Squad(4)), false)),
    (1, hand(16, days(58), Closed, Some(Room), false)),
    (2, hand(5, days(65), Closed, Some(Aid(1)), false)),
    (7, hand(19, days(73), Closed, Some(Office), false)),
    (8, hand(3, days(81), Closed, Some(Aid(0)), true)),
    (9, hand(9, days(90), Closed, Some(Aid(0)), false)),
    (5, hand(11, days(98), Closed, Some(Aid(1)), false)),
    (6, hand(13, days(108), Closed, Some(Room), true)),
    (3, hand(7, days(118), Closed, Some(Squad(1)), false)),
];

/// Households with repeat cases (三色): community index, the address after the
/// community's name, and their cases. A case closes 3 to 11 days after it came, so:
/// the first three keep coming back unhandled (red), the next four came back after
/// handling (yellow), the last three stopped over 90 days ago (green).
const HOUSEHOLDS: [(usize, &str, &[Hand]); 10] = [
    (
        0,
        "3幢201",
        &[
            hand(1, days(40), Closed, Some(Aid(0)), false),
            hand(1, days(39), Feedback, Some(Aid(0)), false),
        ],
    ),
    (
        3,
        "7幢502",
        &[
            hand(3, days(21), Feedback, Some(Room), false),
            hand(3, days(9), InProgress, Some(Aid(0)), false),
            hand(3, 50, Triage, None, false),
        ],
    ),
    (
        2,
        "12幢103",
        &[
            hand(2, days(15), Feedback, Some(Squad(1)), false),
            hand(2, days(4), Assigned, Some(Office), false),
        ],
    ),
    (
        1,
        "5幢302",
        &[
            hand(4, days(80), Closed, Some(Office), false),
            hand(4, 40, Assigned, Some(Aid(0)), false),
        ],
    ),
    (
        4,
        "2幢601",
        &[
            hand(5, days(100), Closed, Some(Aid(1)), false),
            hand(5, days(50), Closed, Some(Aid(1)), true),
            hand(5, 20, Intake, None, false),
        ],
    ),
    (
        5,
        "9幢204",
        &[
            hand(0, days(70), Closed, Some(Aid(2)), false),
            hand(0, days(35), Closed, Some(Office), false),
        ],
    ),
    (
        6,
        "4幢110",
        &[
            hand(1, days(88), Closed, Some(Room), false),
            hand(11, days(44), Closed, Some(Room), false),
            hand(1, days(16), Closed, Some(Office), true),
            hand(3, 60, Triage, None, false),
        ],
    ),
    (
        7,
        "6幢402",
        &[
            hand(9, days(117), Closed, Some(Aid(0)), false),
            hand(1, days(103), Closed, Some(Room), false),
        ],
    ),
    (
        8,
        "1幢305",
        &[
            hand(6, days(119), Closed, Some(Squad(5)), false),
            hand(17, days(105), Closed, Some(Squad(5)), false),
        ],
    ),
    (
        9,
        "8幢201",
        &[
            hand(4, days(115), Closed, Some(Office), false),
            hand(4, days(112), Closed, Some(AtStation), false),
        ],
    ),
];

/// The moves of the `v`th hand case after it was opened, in minutes after opening, up to
/// `stage`; an escalation `escalate_after` hours after the assignment when it has one.
/// `v` varies the pace from case to case.
fn timeline(v: usize, stage: Stage, escalate_after: Option<i64>) -> Vec<(Action, i64)> {
    let v = v as i64;
    let mut at = 0;
    let mut moves = Vec::new();
    let mut step = |action, minutes: i64| {
        at += minutes;
        moves.push((action, at));
    };
    if stage >= Triage {
        step(Action::Triaged, (1 + v % 3) * 60);
    }
    if stage >= Assigned {
        step(Action::Assigned, (2 + v % 4) * 60);
        if let Some(hours) = escalate_after {
            // The job's sweep comes round a little after the deadline.
            step(Action::Escalated, hours * 60 + 20);
        }
    }
    if stage >= InProgress {
        step(Action::Started, (18 + v % 5 * 6) * 60);
    }
    if stage >= Feedback {
        step(Action::Feedback, (30 + v % 4 * 22) * 60);
    }
    if stage >= Closed {
        step(Action::Closed, (20 + v % 3 * 26) * 60);
    }
    moves
}

/// A history row before its case has an id.
struct Entry {
    at: DateTime<Utc>,
    action: Action,
    from: Option<Stage>,
    to: Stage,
    org: Option<Org>,
    actor: Option<i32>,
    note: String,
}

/// A case's moves as they are written: the case's organisation follows them.
struct Story {
    opened: DateTime<Utc>,
    entries: Vec<Entry>,
    org: Option<Org>,
    escalations: i32,
}

impl Story {
    fn open(at: DateTime<Utc>, stage: Stage, org: Option<Org>, actor: Option<i32>) -> Story {
        Story {
            opened: at,
            entries: vec![Entry {
                at,
                action: Action::Opened,
                from: None,
                to: stage,
                org,
                actor,
                note: String::new(),
            }],
            org,
            escalations: 0,
        }
    }

    fn stage(&self) -> Stage {
        self.entries.last().map_or(Stage::Intake, |e| e.to)
    }

    /// When it reached its stage.
    fn since(&self) -> DateTime<Utc> {
        self.entries.last().map_or(self.opened, |e| e.at)
    }

    fn push(
        &mut self,
        at: DateTime<Utc>,
        action: Action,
        to: Stage,
        org: Option<Org>,
        actor: Option<i32>,
        note: &str,
    ) {
        let from = Some(self.stage());
        self.entries.push(Entry {
            at,
            action,
            from,
            to,
            org,
            actor,
            note: note.to_owned(),
        });
    }

    /// A move within the case's organisation.
    fn go(&mut self, at: DateTime<Utc>, action: Action, to: Stage, actor: Option<i32>, note: &str) {
        self.push(at, action, to, self.org, actor, note);
    }

    /// To `org`, at assigned: an assignment or an escalation.
    fn assign(
        &mut self,
        at: DateTime<Utc>,
        action: Action,
        org: Org,
        actor: Option<i32>,
        note: &str,
    ) {
        self.push(at, action, Stage::Assigned, Some(org), actor, note);
        self.org = Some(org);
        if action == Action::Escalated {
            self.escalations += 1;
        }
    }

    /// The organisation hands it back to the officers (as `sources` does for a room that
    /// declines).
    fn give_back(&mut self, at: DateTime<Utc>, actor: Option<i32>, note: &str) {
        self.push(at, Action::Returned, Stage::Triage, self.org, actor, note);
        self.org = None;
    }

    /// Moves the latest step to `floor` when it came earlier.
    fn not_before(&mut self, floor: DateTime<Utc>) {
        if let Some(last) = self.entries.last_mut() {
            last.at = Ord::max(last.at, floor);
        }
    }
}

/// A case ready to be written, but for its code and id.
struct Plan {
    opened: DateTime<Utc>,
    case: case_record::ActiveModel,
    entries: Vec<Entry>,
}

/// The directory as the cases need it.
struct Places {
    officer: i32,
    /// A community's mutual-aid stations, its branch room and its police office.
    stations: HashMap<i32, Vec<i32>>,
    rooms: HashMap<i32, i32>,
    offices: HashMap<i32, i32>,
    squads: Vec<i32>,
    /// Who starts and reports a case of an organisation.
    people: HashMap<Org, i32>,
    /// (kind, stage) → (hours, escalates)
    deadlines: HashMap<(String, String), (i64, bool)>,
}

impl Places {
    /// The organisation `pick` names for a case of `community`; the station when the
    /// directory lacks it (an admin removed it).
    fn org(&self, pick: Pick, community: i32) -> Org {
        let id = match pick {
            Pick::Aid(n) => self
                .stations
                .get(&community)
                .filter(|s| !s.is_empty())
                .map(|s| (OrgKind::AidStation, s[n % s.len()])),
            Pick::Room => self
                .rooms
                .get(&community)
                .map(|r| (OrgKind::MediationRoom, *r)),
            Pick::Squad(n) => (!self.squads.is_empty())
                .then(|| (OrgKind::Squad, self.squads[n % self.squads.len()])),
            Pick::Office => self
                .offices
                .get(&community)
                .map(|o| (OrgKind::PoliceOffice, *o)),
            Pick::Station => None,
        };
        match id {
            Some((kind, id)) => Org { kind, id: Some(id) },
            None => Org::STATION,
        }
    }

    fn person(&self, org: Option<Org>) -> Option<i32> {
        match org {
            Some(Org {
                kind: OrgKind::Station,
                ..
            })
            | None => Some(self.officer),
            Some(org) => self.people.get(&org).copied(),
        }
    }

    fn deadline(&self, kind: Kind, stage: Stage) -> Option<(i64, bool)> {
        self.deadlines
            .get(&(kind.as_str().to_owned(), stage.as_str().to_owned()))
            .copied()
    }

    /// The case row for `story`: its stage, organisation, deadline and close as its moves
    /// left them.
    fn finish(&self, mut case: case_record::ActiveModel, kind: Kind, story: Story) -> Plan {
        let stage = story.stage();
        let since = story.since();
        case.created_at = Set(story.opened);
        case.stage_since = Set(since);
        case.due_at = Set(match self.deadline(kind, stage) {
            Some((hours, _)) if stage != Stage::Closed => Some(since + Duration::hours(hours)),
            _ => None,
        });
        case.closed_at = Set((stage == Stage::Closed).then_some(since));
        case.kind = Set(kind);
        case.stage = Set(stage);
        case.org_kind = Set(story.org.map(|o| o.kind));
        case.org_id = Set(story.org.and_then(|o| o.id));
        case.escalations = Set(story.escalations);
        case.is_demo = Set(true);
        Plan {
            opened: story.opened,
            case,
            entries: story.entries,
        }
    }
}

/// Loads the step unless it ran before. Refuses, changing nothing, when a demo account's
/// number already belongs to someone.
pub(super) async fn load(db: &DatabaseConnection, now: DateTime<Utc>) -> Result<Outcome> {
    if settings::get(db, DEMO_CASEWORK_LOADED_AT).await?.is_some() {
        return Ok(Outcome::AlreadyLoaded);
    }
    let communities = community::Entity::find()
        .filter(community::Column::IsDemo.eq(true))
        .order_by_asc(community::Column::Id)
        .all(db)
        .await?;
    // The cases hang on the demo directory and are worked by the officer, whose password
    // hash the members share: the earlier steps.
    let Some(officer) = accounts::find_by_phone(db, OFFICER_PHONE).await? else {
        return Ok(Outcome::AlreadyLoaded);
    };
    if communities.is_empty() {
        return Ok(Outcome::AlreadyLoaded);
    }
    super::phones_free(db, phones()).await?;
    let stations = aid_station::Entity::find()
        .order_by_asc(aid_station::Column::Id)
        .all(db)
        .await?;
    let offices = police_office::Entity::find()
        .filter(police_office::Column::IsDemo.eq(true))
        .order_by_asc(police_office::Column::Id)
        .all(db)
        .await?;

    let txn = db.begin().await?;
    if !super::claim(&txn, DEMO_CASEWORK_LOADED_AT, now).await? {
        return Ok(Outcome::AlreadyLoaded);
    }
    let people = add_members(
        &txn,
        &communities,
        &stations,
        &offices,
        &officer.password_hash,
        now,
    )
    .await?;
    let places = places(&txn, officer.id, &communities, &stations, people).await?;

    let mut plans = mediation_plans(&txn, &places, now).await?;
    let households = HOUSEHOLDS
        .iter()
        .enumerate()
        .flat_map(|(h, (c, unit, cases))| {
            cases.iter().map(move |case| (*c, Some((h, *unit)), case))
        });
    let singles = SINGLES.iter().map(|(c, case)| (*c, None, case));
    // Collected first: an iterator of closures held across the awaits below would make this
    // future `Send` only for some lifetimes, and the server needs it `Send` for all.
    let hand: Vec<_> = singles.chain(households).collect();
    for (v, (c, household, case)) in hand.into_iter().enumerate() {
        let Some(community) = communities.get(c % communities.len()) else {
            continue;
        };
        plans.push(hand_plan(&txn, &places, v, community, household, case, now).await?);
    }
    // Oldest first, so that ids follow time as they do in use.
    plans.sort_by_key(|p| p.opened);
    write(&txn, plans).await?;
    txn.commit().await?;
    Ok(Outcome::Loaded)
}

/// A station member or an office's staff, before they have an account.
struct Member {
    phone: String,
    name: &'static str,
    org: Org,
    community: Option<i32>,
    /// Station members live in the station's compound.
    compound: Option<i32>,
}

/// The station members and the offices' staff, with their organisations; returns who works
/// the cases of each organisation (the first member).
async fn add_members(
    txn: &DatabaseTransaction,
    communities: &[community::Model],
    stations: &[aid_station::Model],
    offices: &[police_office::Model],
    hash: &str,
    now: DateTime<Utc>,
) -> Result<HashMap<Org, i32>> {
    let mut wanted: Vec<Member> = Vec::new();
    let mut names = STATION_NAMES.iter();
    for community in communities.iter().take(STATION_COMMUNITIES) {
        let theirs = stations.iter().filter(|s| s.community_id == community.id);
        for (index, station) in theirs.enumerate() {
            for _ in 0..members_of_station(index) {
                let Some(name) = names.next() else { break };
                wanted.push(Member {
                    phone: station_phone(wanted.len()),
                    name,
                    org: Org {
                        kind: OrgKind::AidStation,
                        id: Some(station.id),
                    },
                    community: Some(community.id),
                    compound: station.compound_id,
                });
            }
        }
    }
    for (index, (office, name)) in offices.iter().zip(OFFICE_NAMES).enumerate() {
        let community = communities
            .iter()
            .find(|c| c.police_office_id == Some(office.id))
            .map(|c| c.id);
        wanted.push(Member {
            phone: office_phone(index),
            name,
            org: Org {
                kind: OrgKind::PoliceOffice,
                id: Some(office.id),
            },
            community,
            compound: None,
        });
    }
    if wanted.is_empty() {
        return Ok(HashMap::new());
    }
    let users = user::Entity::insert_many(wanted.iter().map(|m| user::ActiveModel {
        phone: Set(m.phone.clone()),
        password_hash: Set(hash.to_owned()),
        community_id: Set(m.community),
        compound_id: Set(m.compound),
        consent_version: Set(CONSENT.to_owned()),
        consent_at: Set(now),
        created_at: Set(now),
        display_name: Set(Some(m.name.to_owned())),
        ..Default::default()
    }))
    .exec_with_returning(txn)
    .await?;
    let ids: HashMap<String, i32> = users.into_iter().map(|u| (u.phone, u.id)).collect();
    let mut roles = Vec::new();
    let mut members = Vec::new();
    let mut people = HashMap::new();
    for Member { phone, org, .. } in &wanted {
        let (Some(user_id), Some(org_id)) = (ids.get(phone).copied(), org.id) else {
            continue;
        };
        roles.push(user_role::ActiveModel {
            user_id: Set(user_id),
            role: Set(Role::Resident.as_str().to_owned()),
        });
        members.push(org_member::ActiveModel {
            kind: Set(org.kind.as_str().to_owned()),
            org_id: Set(org_id),
            user_id: Set(user_id),
        });
        people.entry(*org).or_insert(user_id);
    }
    if !members.is_empty() {
        user_role::Entity::insert_many(roles)
            .exec_without_returning(txn)
            .await?;
        org_member::Entity::insert_many(members)
            .exec_without_returning(txn)
            .await?;
    }
    Ok(people)
}

/// Reads the rest of the directory: rooms, squads and their people, and the deadlines.
async fn places(
    txn: &DatabaseTransaction,
    officer: i32,
    communities: &[community::Model],
    stations: &[aid_station::Model],
    mut people: HashMap<Org, i32>,
) -> Result<Places> {
    let mut by_community: HashMap<i32, Vec<i32>> = HashMap::new();
    for s in stations {
        by_community.entry(s.community_id).or_default().push(s.id);
    }
    let mut rooms = HashMap::new();
    for room in mediation_room::Entity::find()
        .order_by_asc(mediation_room::Column::Id)
        .all(txn)
        .await?
    {
        if let Some(c) = room.community_id {
            rooms.entry(c).or_insert(room.id);
        }
    }
    for m in room_mediator::Entity::find()
        .order_by_asc(room_mediator::Column::UserId)
        .all(txn)
        .await?
    {
        let org = Org {
            kind: OrgKind::MediationRoom,
            id: Some(m.room_id),
        };
        people.entry(org).or_insert(m.user_id);
    }
    let squads: Vec<i32> = squad::Entity::find()
        .order_by_asc(squad::Column::Id)
        .all(txn)
        .await?
        .into_iter()
        .map(|s| s.id)
        .collect();
    for m in squad_member::Entity::find()
        .filter(squad_member::Column::IsLeader.eq(true))
        .all(txn)
        .await?
    {
        let org = Org {
            kind: OrgKind::Squad,
            id: Some(m.squad_id),
        };
        people.entry(org).or_insert(m.user_id);
    }
    let deadlines = case_deadline::Entity::find()
        .all(txn)
        .await?
        .into_iter()
        .map(|d| ((d.kind, d.stage), (i64::from(d.hours), d.escalate)))
        .collect();
    Ok(Places {
        officer,
        stations: by_community,
        rooms,
        offices: communities
            .iter()
            .filter_map(|c| Some((c.id, c.police_office_id?)))
            .collect(),
        squads,
        people,
        deadlines,
    })
}

/// What the room reported, in words.
fn outcome_of(case: &mediation_case::Model) -> String {
    let agreement = case.agreement.as_deref().unwrap_or_default();
    match case.outcome {
        Some(MediationOutcome::Reached) => format!("达成调解协议：{agreement}"),
        Some(MediationOutcome::Partly) => format!("部分达成协议：{agreement}"),
        Some(MediationOutcome::NotReached) => {
            "调解未达成协议，已告知当事人诉讼等其他途径。".to_owned()
        }
        Some(MediationOutcome::Referred) => "已转介法院或相关部门处理。".to_owned(),
        None => "调解已结束。".to_owned(),
    }
}

/// A loop case for every demo mediation case that has none, following its timeline as
/// `sources` would have: assigned to its room when requested, in progress once accepted,
/// waiting for feedback once the outcome is in, closed by the follow-up call or the
/// resident's withdrawal. A case the room declined went back to the officers, who told the
/// resident where to turn through the community's police office.
async fn mediation_plans(
    txn: &DatabaseTransaction,
    places: &Places,
    now: DateTime<Utc>,
) -> Result<Vec<Plan>> {
    let linked: HashSet<i32> = case_record::Entity::find()
        .select_only()
        .column(case_record::Column::MediationCaseId)
        .into_tuple::<Option<i32>>()
        .all(txn)
        .await?
        .into_iter()
        .flatten()
        .collect();
    let cases: Vec<mediation_case::Model> = mediation_case::Entity::find()
        .filter(mediation_case::Column::IsDemo.eq(true))
        .order_by_asc(mediation_case::Column::Id)
        .all(txn)
        .await?
        .into_iter()
        .filter(|c| !linked.contains(&c.id))
        .collect();
    let mut events: HashMap<i32, Vec<case_event::Model>> = HashMap::new();
    for chunk in cases.chunks(INSERT_BATCH) {
        for e in case_event::Entity::find()
            .filter(case_event::Column::CaseId.is_in(chunk.iter().map(|c| c.id)))
            .order_by_asc(case_event::Column::Id)
            .all(txn)
            .await?
        {
            events.entry(e.case_id).or_default().push(e);
        }
    }
    let mut plans = Vec::with_capacity(cases.len());
    for case in &cases {
        let timeline = events.get(&case.id).map(Vec::as_slice).unwrap_or_default();
        plans.push(mediation_plan(places, case, timeline, now));
    }
    Ok(plans)
}

fn mediation_plan(
    places: &Places,
    case: &mediation_case::Model,
    events: &[case_event::Model],
    now: DateTime<Utc>,
) -> Plan {
    let event = |kind: EventKind| events.iter().find(|e| e.kind == kind);
    let room = Org {
        kind: OrgKind::MediationRoom,
        id: Some(case.room_id),
    };
    let opener = event(EventKind::Requested)
        .and_then(|e| e.actor_id)
        .or(case.resident_id);
    let mut story = Story::open(case.created_at, Stage::Assigned, Some(room), opener);
    if let Some(accepted) = event(EventKind::Accepted) {
        story.go(
            accepted.at,
            Action::Started,
            Stage::InProgress,
            accepted.actor_id,
            "",
        );
    }
    let mut row = case_record::ActiveModel {
        title: Set(crate::casework::sources::title_of(&case.account)),
        summary: Set(case.account.clone()),
        resident_id: Set(case.resident_id),
        resident_raised: Set(true),
        contact_name: Set(String::new()),
        community_id: Set(case.community_id),
        household: Set(None),
        assignee_id: Set(None),
        outcome: Set(None),
        feedback: Set(None),
        rating: Set(None),
        no_feedback_reason: Set(None),
        solved_without_police: Set(None),
        mediation_case_id: Set(Some(case.id)),
        thread_id: Set(None),
        help_request_id: Set(None),
        created_by: Set(opener),
        ..Default::default()
    };
    let status = case.status;
    match status {
        Status::Requested | Status::Booked | Status::Accepted => {}
        Status::Resolved | Status::Closed => {
            let reported = event(EventKind::Outcome);
            let outcome = outcome_of(case);
            story.go(
                case.outcome_at
                    .or(reported.map(|e| e.at))
                    .unwrap_or(case.updated_at),
                Action::Feedback,
                Stage::Feedback,
                reported.and_then(|e| e.actor_id).or(case.mediator_id),
                &outcome,
            );
            row.outcome = Set(Some(outcome));
            if status == Status::Closed {
                let call = event(EventKind::FollowUp);
                let feedback = case
                    .follow_up_comment
                    .clone()
                    .filter(|c| !c.is_empty())
                    .unwrap_or_else(|| {
                        format!("回访满意度 {}", case.satisfaction.unwrap_or_default())
                    });
                story.go(
                    case.follow_up_at
                        .or(call.map(|e| e.at))
                        .unwrap_or(case.updated_at),
                    Action::Closed,
                    Stage::Closed,
                    call.and_then(|e| e.actor_id),
                    &feedback,
                );
                row.feedback = Set(Some(feedback));
                row.rating = Set(case.satisfaction);
                row.solved_without_police = Set(Some(true));
            }
        }
        Status::Cancelled => {
            let withdrawn = event(EventKind::Cancelled);
            story.go(
                withdrawn.map_or(case.updated_at, |e| e.at),
                Action::Closed,
                Stage::Closed,
                withdrawn.and_then(|e| e.actor_id),
                "cancelled",
            );
            row.outcome = Set(Some("cancelled".to_owned()));
            // Withdrawn, not solved: neither by a room nor by the police.
            row.no_feedback_reason = Set(Some("当事人撤回了调解申请".to_owned()));
        }
        Status::Declined | Status::Escalated => {
            let handed = event(EventKind::Declined).or(event(EventKind::Escalated));
            // Early enough for the officers' steps below to lie in the past.
            let at = Ord::min(
                handed.map_or(case.updated_at, |e| e.at),
                now - Duration::hours(8),
            );
            let why = handed
                .and_then(|e| e.note.clone())
                .unwrap_or_else(|| "调解室不予受理".to_owned());
            story.give_back(at, handed.and_then(|e| e.actor_id), status.as_str());
            let office = match case.community_id {
                Some(c) => places.org(Pick::Office, c),
                None => Org::STATION,
            };
            let officer = Some(places.officer);
            story.assign(
                at + Duration::hours(1),
                Action::Assigned,
                office,
                officer,
                "",
            );
            let staff = places.person(Some(office));
            story.go(
                at + Duration::hours(2),
                Action::Started,
                Stage::InProgress,
                staff,
                "",
            );
            let outcome = format!("{why}；民警已向当事人说明其他解决途径。");
            story.go(
                at + Duration::hours(4),
                Action::Feedback,
                Stage::Feedback,
                staff,
                &outcome,
            );
            let reason = "已转其他途径办理，当事人不再回访";
            story.go(
                at + Duration::hours(6),
                Action::Closed,
                Stage::Closed,
                officer,
                reason,
            );
            row.outcome = Set(Some(outcome));
            row.no_feedback_reason = Set(Some(reason.to_owned()));
            row.solved_without_police = Set(Some(false));
        }
    }
    places.finish(row, Kind::Mediation, story)
}

/// The `v`th walk-in, call or patrol finding.
async fn hand_plan(
    txn: &DatabaseTransaction,
    places: &Places,
    v: usize,
    community: &community::Model,
    household: Option<(usize, &str)>,
    hand: &Hand,
    now: DateTime<Utc>,
) -> Result<Plan> {
    let template = &TEMPLATES[hand.template % TEMPLATES.len()];
    let kind = template.kind;
    let first = hand.org.map(|pick| places.org(pick, community.id));
    let next = match first.filter(|_| hand.escalated) {
        Some(org) => escalation::next_level(txn, org, Some(community.id)).await?,
        None => None,
    };
    let escalate_after = next
        .and(places.deadline(kind, Stage::Assigned))
        .map(|(hours, _)| hours);
    let moves = timeline(v, hand.stage, escalate_after);
    let opened = now - Duration::hours(hand.hours);
    // A case younger than its usual pace moved faster, ending half an hour ago.
    let age = hand.hours * 60 - 30;
    let last = moves.last().map_or(0, |m| m.1);
    let at = |minute: i64| {
        let minute = if last > age {
            minute * age / last
        } else {
            minute
        };
        opened + Duration::minutes(minute)
    };
    let officer = Some(places.officer);
    let resident_raised = kind != Kind::Patrol;
    let closing = (resident_raised && v % 6 != 5).then(|| FEEDBACK[v % FEEDBACK.len()]);
    let mut story = Story::open(opened, Stage::Intake, None, officer);
    for (action, minute) in moves {
        let when = at(minute);
        match action {
            Action::Triaged => story.go(when, action, Stage::Triage, officer, ""),
            Action::Assigned => {
                let org = first.unwrap_or(Org::STATION);
                story.assign(when, action, org, officer, "");
            }
            Action::Escalated => {
                if let (Some(from), Some(to)) = (story.org, next) {
                    story.assign(when, action, to, None, from.kind.as_str());
                }
            }
            Action::Started => {
                let staff = places.person(story.org);
                story.go(when, action, Stage::InProgress, staff, "");
            }
            Action::Feedback => {
                let staff = places.person(story.org);
                story.go(when, action, Stage::Feedback, staff, template.outcome);
            }
            _ => {
                let note = match (closing, resident_raised) {
                    (Some((feedback, _)), _) => feedback,
                    (None, true) => NO_FEEDBACK,
                    (None, false) => "",
                };
                story.go(when, Action::Closed, Stage::Closed, officer, note);
            }
        }
    }
    // An assigned or started case below the station is not left past a deadline that
    // escalates, as the job would move it at once: it got there within the last 30–70% of
    // the stage's hours.
    let stage = story.stage();
    if let Some((hours, true)) = places.deadline(kind, stage)
        && story.org.is_some_and(|o| o.kind != OrgKind::Station)
    {
        let share = 3 + (v % 5) as i64;
        story.not_before(now - Duration::minutes(hours * 60 * share / 10));
    }
    let closed = stage == Stage::Closed;
    let reported = stage >= Stage::Feedback;
    let row = case_record::ActiveModel {
        title: Set(template.title.to_owned()),
        summary: Set(template.summary.to_owned()),
        resident_id: Set(None),
        resident_raised: Set(resident_raised),
        contact_name: Set(if resident_raised {
            CONTACTS[household.map_or(v, |(h, _)| h) % CONTACTS.len()].to_owned()
        } else {
            String::new()
        }),
        community_id: Set(Some(community.id)),
        household: Set(household.map(|(_, unit)| format!("{} {unit}", community.name))),
        assignee_id: Set(None),
        outcome: Set(reported.then(|| template.outcome.to_owned())),
        feedback: Set(closing
            .filter(|_| closed)
            .map(|(feedback, _)| feedback.to_owned())),
        rating: Set(closing.filter(|_| closed).map(|(_, rating)| rating)),
        no_feedback_reason: Set(
            (closed && resident_raised && closing.is_none()).then(|| NO_FEEDBACK.to_owned())
        ),
        solved_without_police: Set(closed.then(|| story.org.is_some_and(|o| !o.is_police()))),
        mediation_case_id: Set(None),
        thread_id: Set(None),
        help_request_id: Set(None),
        created_by: Set(officer),
        ..Default::default()
    };
    Ok(places.finish(row, kind, story))
}

/// Gives the cases their codes and writes them, then their history, in batches.
async fn write(txn: &DatabaseTransaction, mut plans: Vec<Plan>) -> Result<()> {
    let mut taken: HashSet<String> = case_record::Entity::find()
        .select_only()
        .column(case_record::Column::Code)
        .into_tuple::<String>()
        .all(txn)
        .await?
        .into_iter()
        .collect();
    let mut codes = Vec::with_capacity(plans.len());
    for plan in &mut plans {
        let opened = plan.opened;
        // Six characters of a 32-letter alphabet: a clash is very unlikely, and one more
        // draw settles it.
        let mut code = crate::mediation::cases::new_code_with("JW", opened)?;
        while !taken.insert(code.clone()) {
            code = crate::mediation::cases::new_code_with("JW", opened)?;
        }
        plan.case.code = Set(code.clone());
        codes.push(code);
    }
    let mut ids: HashMap<String, i32> = HashMap::with_capacity(plans.len());
    let cases: Vec<case_record::ActiveModel> = plans.iter().map(|p| p.case.clone()).collect();
    for batch in cases.chunks(INSERT_BATCH) {
        let inserted = case_record::Entity::insert_many(batch.to_vec())
            .exec_with_returning(txn)
            .await?;
        ids.extend(inserted.into_iter().map(|c| (c.code, c.id)));
    }
    let mut history = Vec::new();
    for (plan, code) in plans.into_iter().zip(&codes) {
        let case_id = *ids.get(code).ok_or(Error::NotFound)?;
        history.extend(plan.entries.into_iter().map(|e| case_entry::ActiveModel {
            case_id: Set(case_id),
            at: Set(e.at),
            actor_id: Set(e.actor),
            action: Set(e.action),
            from_stage: Set(e.from),
            to_stage: Set(e.to),
            org_kind: Set(e.org.map(|o| o.kind)),
            org_id: Set(e.org.and_then(|o| o.id)),
            note: Set(e.note),
            ..Default::default()
        }));
    }
    for batch in history.chunks(HISTORY_BATCH) {
        case_entry::Entity::insert_many(batch.to_vec())
            .exec_without_returning(txn)
            .await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::casework::colours::{Colour, DEFAULT_WINDOW_DAYS, Visit, colour_of};

    #[test]
    fn phones_are_distinct_valid_and_apart_from_the_other_steps() {
        let phones = phones();
        let distinct: HashSet<&String> = phones.iter().collect();
        assert_eq!(distinct.len(), phones.len());
        assert_eq!(
            phones.first().map(String::as_str),
            Some(STATION_MEMBER_PHONE)
        );
        for p in &phones {
            assert!(accounts::phone::is_valid(p), "{p}");
            assert!(
                p.as_str() > "13900000500" && p.as_str() < "13900000600",
                "{p}"
            );
        }
        // Two at each first station and one at each other of the first three communities'
        // five stations.
        let wanted: usize = (0..5).map(members_of_station).sum::<usize>() * STATION_COMMUNITIES;
        assert_eq!(wanted, STATION_NAMES.len());
        assert!(STATION_NAMES.iter().all(|n| n.chars().count() <= 20));
    }

    fn all_cases() -> Vec<&'static Hand> {
        SINGLES
            .iter()
            .map(|(_, h)| h)
            .chain(HOUSEHOLDS.iter().flat_map(|(_, _, cases)| cases.iter()))
            .collect()
    }

    #[test]
    fn the_cases_are_sixty_and_well_formed() {
        let cases = all_cases();
        assert_eq!(cases.len(), 60);
        for (v, case) in cases.iter().enumerate() {
            assert!(case.template < TEMPLATES.len(), "{v}");
            assert_eq!(
                case.org.is_some(),
                case.stage >= Stage::Assigned,
                "{v}: an assigned case names its organisation"
            );
            assert!(!case.escalated || case.org.is_some(), "{v}");
            assert!(case.hours > 0 && case.hours <= days(120), "{v}");
            // Closed and escalated cases keep their usual pace: times of their closing
            // and escalation are what the colours and the job expect.
            let moves = timeline(v, case.stage, case.escalated.then_some(48));
            if case.stage == Stage::Closed || case.escalated {
                let last = moves.last().map_or(0, |m| m.1);
                assert!(last <= case.hours * 60 - 30, "{v} fits its age");
            }
        }
        for t in &TEMPLATES {
            assert!((4..=80).contains(&t.title.chars().count()), "{}", t.title);
        }
        for (c, unit, cases) in &HOUSEHOLDS {
            assert!(*c < 10 && !unit.is_empty() && (2..=4).contains(&cases.len()));
        }
    }

    #[test]
    fn the_households_show_every_colour() {
        let now = DateTime::from_timestamp(1_790_000_000, 0).unwrap_or_default();
        let window = Duration::days(DEFAULT_WINDOW_DAYS);
        let mut v = SINGLES.len();
        let mut colours = Vec::new();
        for (_, unit, cases) in &HOUSEHOLDS {
            let visits: Vec<Visit> = cases
                .iter()
                .map(|case| {
                    let opened = now - Duration::hours(case.hours);
                    let moves = timeline(v, case.stage, case.escalated.then_some(48));
                    v += 1;
                    let closed = (case.stage == Stage::Closed)
                        .then(|| opened + Duration::minutes(moves.last().map_or(0, |m| m.1)));
                    Visit { opened, closed }
                })
                .collect();
            colours.push((*unit, colour_of(&visits, window, now)));
        }
        let count = |c: Colour| colours.iter().filter(|(_, k)| *k == Some(c)).count();
        assert_eq!(
            (
                count(Colour::Red),
                count(Colour::Yellow),
                count(Colour::Green)
            ),
            (3, 4, 3),
            "{colours:?}"
        );
    }
}
