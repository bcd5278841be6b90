//! 安全提示 demo: a handful of notices in every state the pages and the CAP feed know, so
//! that the list, the archive, the officers' desk and the feed all have something to show.
//!
//! - an urgent, pinned anti-fraud alert for every community, published yesterday;
//! - a 防溺水 warning for three communities by the water;
//! - an electric-bike fire notice for the enterprise park;
//! - a traffic notice for 城东社区, updated once (version 2);
//! - a burglary reminder for everyone;
//! - a weather warning from last month, long expired;
//! - a missing-person notice, cancelled the next morning when the man was found;
//! - a fireworks notice still in draft.
//!
//! They are written as rows, not through `notices::create` and `publish`: those cannot mark
//! a row as demo, tell every resident, and each opens its own transaction, while this step
//! must land whole or not at all. The rows keep the invariants the feed relies on:
//! `version` is the newest version's number, `updated_at` its time, `published_at` the
//! time of version 1 and `cancelled_at` that of the cancellation.
//!
//! Only the urgent alert reaches an inbox, and only those of the demo residents, as
//! publishing it would have; the first of them has read it, the second has not, so both
//! states show.

use chrono::{DateTime, Duration, Utc};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, DatabaseConnection, DatabaseTransaction,
    EntityTrait, QueryFilter, QueryOrder, TransactionTrait,
};

use super::{OFFICER_PHONE, Outcome, RESIDENT_PHONES};
use crate::entities::{
    community, inbox_message, notice, notice_community, notice_read, notice_version, user,
};
use crate::notices::{Category, Severity, Status, VersionKind};
use crate::time::{at_local, local_date};
use crate::{Result, settings};

/// The setting that records when this step ran.
pub const DEMO_NOTICES_LOADED_AT: &str = "demo_notices_loaded_at";

/// The topic publishing an urgent notice sends (`notices::INBOX_TOPICS`).
const URGENT_TOPIC: &str = "inbox-notice-urgent";

/// A local day relative to the day of loading, and minutes after its midnight.
type When = (i64, i32);

enum Audience {
    All,
    /// Demo communities by name.
    Named(&'static [&'static str]),
}

/// What became of a notice after it was written.
enum Story {
    Draft,
    /// Published at `starts` and left alone; it may have expired since.
    Published,
    /// Published at `starts` and changed once at this time; the row holds the change.
    Updated(When),
    /// Published at `starts` and withdrawn at this time.
    Cancelled(When),
}

struct Demo {
    title: &'static str,
    body: &'static str,
    category: Category,
    severity: Severity,
    audience: Audience,
    pinned: bool,
    /// When it comes into force, which is also when it was published.
    starts: When,
    expires: When,
    story: Story,
}

const fn hm(hour: i32, minute: i32) -> i32 {
    hour * 60 + minute
}

const FRAUD: Demo = Demo {
    title: "紧急提醒：冒充“公检法”、刷单返利诈骗高发",
    body: "近期辖区连续发生多起电信网络诈骗，受骗的有退休老人，也有在校学生和企业员工。骗子主要用两种套路：

- **冒充“公检法”**：来电称您的银行卡“涉嫌洗钱”，发来“通缉令”“冻结令”，要求下载会议软件、开启屏幕共享，把钱转到“安全账户”接受“资金核查”。
- **刷单返利**：在群里招“兼职点赞员”，先小额返利取得信任，再以“做任务”“解冻账户”为由要求不断垫付，越投越多，最后提不出现。

请记住：**公检法机关不会通过电话、微信办案，也没有所谓的“安全账户”**；凡是要先垫钱的刷单，都是诈骗。

接到可疑电话请立即挂断，拨打 **96110** 反诈专线咨询，或到就近的社区警务室求助。已经转账的，请马上拨打 **110** 报警，保存好聊天记录和转账凭证。也请把这条提醒转告家里的老人和孩子。",
    category: Category::Fraud,
    severity: Severity::Urgent,
    audience: Audience::All,
    pinned: true,
    starts: (-1, hm(9, 30)),
    expires: (8, 0),
    story: Story::Published,
};

const DROWNING: Demo = Demo {
    title: "防溺水安全提醒：远离江边、海塘和河道",
    body: "辖区内江河、海塘和鱼塘较多，水面看似平静，水下却可能有暗流、淤泥和深坑，每年都有溺水事故发生。请孩子们牢记“六不”：

- 不私自下水游泳
- 不擅自与他人结伴游泳
- 不在无家长或教师带领的情况下游泳
- 不到无安全设施、无救援人员的水域游泳
- 不到不熟悉的水域游泳
- 不熟悉水性的不擅自下水施救

家长请看护好孩子，节假日和放学后尤其要留意孩子的去向。在江边钓鱼、赶海的居民请穿好救生衣，关注潮汐时间，**涨潮前及时上岸**。

发现有人落水，请大声呼救并拨打 **110**，就近抛救生圈、递竹竿施救，**不要手拉手下水救人**。水上安全小分队每个周末在江边巡查，欢迎居民报名参加。",
    category: Category::Drowning,
    severity: Severity::Warning,
    audience: Audience::Named(&["总浦桥社区", "甬江社区", "招宝社区"]),
    pinned: false,
    starts: (-6, hm(10, 0)),
    expires: (24, 0),
    story: Story::Published,
};

const E_BIKE: Demo = Demo {
    title: "电动自行车消防安全：严禁进楼入户、飞线充电",
    body: "电动自行车电池一旦起火，几十秒内就会蹿出大火和有毒浓烟。后海塘企业社区的宿舍楼和厂区人员密集，请大家务必做到：

- **不把电动自行车和电池带进楼道、宿舍充电**
- 不私拉电线，不从窗口“飞线”充电
- 到园区集中充电车棚充电，充满后及时断电
- 不购买、不使用来路不明的改装电池

社区民警将会同园区物业和企业开展上门检查，发现隐患当场整改。发现火情请立即拨打 **119**。",
    category: Category::Fire,
    severity: Severity::Caution,
    audience: Audience::Named(&["后海塘社区"]),
    pinned: false,
    starts: (-2, hm(14, 30)),
    expires: (14, 0),
    story: Story::Published,
};

const TRAFFIC: Demo = Demo {
    title: "学校周边道路施工，上下学时段临时交通管制（已延期）",
    body: "**更新**：受连日降雨影响，施工工期延长至下周五，管制时段不变。

城东社区学校周边道路正在进行雨污管网改造，施工路段单向通行。上下学高峰（**7:00–8:00、16:30–17:30**）实行临时交通管制：

- 接送孩子的车辆请停在社区党群服务中心停车场，步行接送
- 电动自行车请减速慢行，不逆行，不载人抢行
- 施工围挡附近不要停留，看好身边的孩子

“招宝好管家护苗队”志愿者和辅警在路口执勤引导，请配合指挥。给大家出行带来不便，敬请谅解。",
    category: Category::Traffic,
    severity: Severity::Caution,
    audience: Audience::Named(&["城东社区"]),
    pinned: false,
    starts: (-4, hm(10, 0)),
    expires: (10, 0),
    story: Story::Updated((-1, hm(15, 0))),
};

const BURGLARY: Demo = Demo {
    title: "防盗提醒：出门锁好门窗，车内不留贵重物品",
    body: "近期个别小区发生入室盗窃和车内财物被盗。请大家：

- 出门随手锁门关窗，长时间外出请告诉邻居或网格员
- 车内不要存放现金、手机、包等贵重物品
- 发现陌生人在楼道徘徊、撬锁，请拨打 **110**

义务巡逻小分队每天晚上在小区巡逻，欢迎居民加入。",
    category: Category::Order,
    severity: Severity::Info,
    audience: Audience::All,
    pinned: false,
    starts: (-8, hm(9, 0)),
    expires: (22, 0),
    story: Story::Published,
};

const STORM: Demo = Demo {
    title: "暴雨大风天气预警：减少外出，远离江边海塘",
    body:
        "据气象部门预报，今天夜里到后天白天我区将出现较强降雨，局部暴雨，沿江沿海有 8 级以上大风。

- 减少外出，远离江边、海塘，不要在广告牌、大树和临时搭建物下避雨
- 收好阳台花盆和晾晒衣物，关好门窗
- 地下车库和低洼处的车辆请提前挪到高处
- 不要涉水行车，远离倒伏的电线杆

遇到险情请拨打 **110** 或 **119**，社区网格员和巡逻队通宵值守。",
    category: Category::Weather,
    severity: Severity::Warning,
    audience: Audience::All,
    pinned: false,
    starts: (-33, hm(16, 0)),
    expires: (-31, hm(20, 0)),
    story: Story::Published,
};

const MISSING: Demo = Demo {
    title: "寻人启事：七旬老人走失，请留意",
    body: "总浦桥社区一位 78 岁的老人（化名“陈阿公”）今天下午外出散步后没有回家，家属已经报警。老人患有轻度阿尔茨海默病，说宁波话，记不清家里的地址。

- 身高约 1.65 米，偏瘦，白发
- 穿深蓝色外套、灰色裤子、黑色布鞋
- 随身带一根木拐杖

如有看见，请先稳住老人，并立即拨打 **110** 或联系总浦桥警务室。谢谢大家！",
    category: Category::Missing,
    severity: Severity::Warning,
    audience: Audience::Named(&["总浦桥社区", "鼓楼社区"]),
    pinned: false,
    starts: (-3, hm(18, 20)),
    expires: (4, 0),
    story: Story::Cancelled((-2, hm(7, 40))),
};

const FIREWORKS: Demo = Demo {
    title: "燃放烟花爆竹安全提示：请到指定地点燃放",
    body: "节日将至，燃放烟花爆竹请遵守以下规定：

- 只在政府公布的指定地点和时段燃放
- 不在楼道、阳台、车棚和加油站附近燃放
- 不购买、不燃放“三无”产品，儿童燃放须有大人陪同

发现违规燃放或火情，请拨打 **110** 或 **119**。",
    category: Category::Fire,
    severity: Severity::Info,
    audience: Audience::All,
    pinned: false,
    starts: (20, 0),
    expires: (40, 0),
    story: Story::Draft,
};

/// Oldest first, so that ids follow the order they were written in.
const NOTICES: [&Demo; 8] = [
    &STORM, &BURGLARY, &DROWNING, &TRAFFIC, &MISSING, &E_BIKE, &FRAUD, &FIREWORKS,
];

/// `when` as an instant: local days after the day of `now`.
fn local_time(now: DateTime<Utc>, (days, minute): When) -> DateTime<Utc> {
    at_local(local_date(now) + Duration::days(days), minute)
        // Unreachable with a fixed UTC+8 offset; a day's drift would harm no one.
        .unwrap_or(now + Duration::days(days))
}

/// Loads the step unless it ran before, or there is no demo directory to aim at.
pub(super) async fn load(db: &DatabaseConnection, now: DateTime<Utc>) -> Result<Outcome> {
    if settings::get(db, DEMO_NOTICES_LOADED_AT).await?.is_some() {
        return Ok(Outcome::AlreadyLoaded);
    }
    let communities = community::Entity::find()
        .filter(community::Column::IsDemo.eq(true))
        .order_by_asc(community::Column::Id)
        .all(db)
        .await?;
    let Some(first_community) = communities.first().map(|c| c.id) else {
        return Ok(Outcome::AlreadyLoaded);
    };
    let txn = db.begin().await?;
    if !super::claim(&txn, DEMO_NOTICES_LOADED_AT, now).await? {
        return Ok(Outcome::AlreadyLoaded);
    }
    let author = user::Entity::find()
        .filter(user::Column::Phone.eq(OFFICER_PHONE))
        .one(&txn)
        .await?
        .map(|u| u.id);
    let mut residents = Vec::new();
    for phone in RESIDENT_PHONES {
        if let Some(resident) = user::Entity::find()
            .filter(user::Column::Phone.eq(phone))
            .one(&txn)
            .await?
        {
            residents.push(resident);
        }
    }
    for demo in NOTICES {
        let targets: Vec<i32> = match demo.audience {
            Audience::All => Vec::new(),
            Audience::Named(names) => {
                let found: Vec<i32> = communities
                    .iter()
                    .filter(|c| names.contains(&c.name.as_str()))
                    .map(|c| c.id)
                    .collect();
                // A renamed demo community must not turn a local notice into one for
                // everybody.
                if found.is_empty() {
                    vec![first_community]
                } else {
                    found
                }
            }
        };
        let id = insert(&txn, demo, &targets, author, now).await?;
        if demo.severity == Severity::Urgent && matches!(demo.story, Story::Published) {
            tell(&txn, demo, id, &targets, &residents, now).await?;
        }
    }
    txn.commit().await?;
    Ok(Outcome::Loaded)
}

/// One notice with its targets and versions; returns its id.
async fn insert(
    txn: &DatabaseTransaction,
    demo: &Demo,
    targets: &[i32],
    author: Option<i32>,
    now: DateTime<Utc>,
) -> Result<i32> {
    let starts = local_time(now, demo.starts);
    // Drafted shortly before it was published; the draft shortly before loading.
    let created = match demo.story {
        Story::Draft => now - Duration::minutes(30),
        _ => starts - Duration::minutes(45),
    };
    let mut versions = vec![(VersionKind::Published, starts)];
    match demo.story {
        Story::Draft => versions.clear(),
        Story::Published => {}
        Story::Updated(at) => versions.push((VersionKind::Updated, local_time(now, at))),
        Story::Cancelled(at) => versions.push((VersionKind::Cancelled, local_time(now, at))),
    }
    let status = match demo.story {
        Story::Draft => Status::Draft,
        Story::Cancelled(_) => Status::Cancelled,
        Story::Published | Story::Updated(_) => Status::Published,
    };
    let last = versions.last().map(|(_, at)| *at);
    let row = notice::ActiveModel {
        title: Set(demo.title.to_owned()),
        body: Set(demo.body.to_owned()),
        category: Set(demo.category),
        severity: Set(demo.severity),
        all_communities: Set(targets.is_empty()),
        starts_at: Set(starts),
        expires_at: Set(local_time(now, demo.expires)),
        pinned: Set(demo.pinned),
        status: Set(status),
        version: Set(versions.len() as i32),
        author_id: Set(author),
        created_at: Set(created),
        updated_at: Set(last.unwrap_or(created)),
        published_at: Set(versions.first().map(|(_, at)| *at)),
        cancelled_at: Set(match demo.story {
            Story::Cancelled(_) => last,
            _ => None,
        }),
        is_demo: Set(true),
        ..Default::default()
    }
    .insert(txn)
    .await?;
    if !targets.is_empty() {
        notice_community::Entity::insert_many(targets.iter().map(|c| {
            notice_community::ActiveModel {
                notice_id: Set(row.id),
                community_id: Set(*c),
            }
        }))
        .exec(txn)
        .await?;
    }
    for (number, (kind, at)) in (1..).zip(&versions) {
        notice_version::ActiveModel {
            notice_id: Set(row.id),
            version: Set(number),
            kind: Set(*kind),
            at: Set(*at),
        }
        .insert(txn)
        .await?;
    }
    Ok(row.id)
}

/// What publishing an urgent notice does, limited to the demo residents it is for: a
/// message in their inbox. The first of them opened it a few hours later, from the inbox.
async fn tell(
    txn: &DatabaseTransaction,
    demo: &Demo,
    id: i32,
    targets: &[i32],
    residents: &[user::Model],
    now: DateTime<Utc>,
) -> Result<()> {
    let published = local_time(now, demo.starts);
    let read = published + Duration::hours(3);
    let audience = residents
        .iter()
        .filter(|r| targets.is_empty() || r.community_id.is_some_and(|c| targets.contains(&c)));
    for (index, resident) in audience.enumerate() {
        let opened = index == 0;
        inbox_message::ActiveModel {
            user_id: Set(resident.id),
            at: Set(published),
            topic: Set(URGENT_TOPIC.to_owned()),
            subject: Set(demo.title.to_owned()),
            link: Set(format!("/notices/{id}")),
            read_at: Set(opened.then_some(read)),
            ..Default::default()
        }
        .insert(txn)
        .await?;
        if opened {
            notice_read::ActiveModel {
                notice_id: Set(id),
                user_id: Set(resident.id),
                read_at: Set(read),
            }
            .insert(txn)
            .await?;
        }
    }
    Ok(())
}
