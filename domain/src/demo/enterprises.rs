//! 警企共建 demo: the two enterprises of 后海塘's park (安德机械, 传化物流) with their contacts
//! and a few months of service requests at every stage.
//!
//! The contacts are 13900000701 (安德机械's 何经理), 13900000702 (安德机械's 许联络员) and
//! 13900000703 (传化物流's 周主管); they sign in with the demo password.

use chrono::{DateTime, Duration, Utc};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, TransactionTrait,
};

use super::{OFFICER_PHONE, Outcome};
use crate::accounts::{self, Role};
use crate::casework::steps::{Start, Step, insert, write_history};
use crate::casework::{Action, Kind, Org, OrgKind, Stage};
use crate::entities::{
    case_record, community, enterprise, enterprise_contact, enterprise_request, user, user_role,
};
use crate::{Error, Result, settings};

/// The setting that records when this step ran.
pub const DEMO_ENTERPRISES_LOADED_AT: &str = "demo_enterprises_loaded_at";
/// 安德机械's first contact: whom the end-to-end tests sign in as.
pub const CONTACT_PHONE: &str = "13900000701";

const PARK: &str = "后海塘社区";
/// (name, address)
const ENTERPRISES: [(&str, &str); 2] = [
    ("安德机械", "后海塘企业社区园区东路 8 号（演示地址）"),
    ("传化物流", "后海塘企业社区物流园 2 号门（演示地址）"),
];
/// (phone, name, enterprise index)
const CONTACTS: [(&str, &str, usize); 3] = [
    (CONTACT_PHONE, "何经理", 0),
    ("13900000702", "许联络员", 0),
    ("13900000703", "周主管", 1),
];

/// A request and how far it came: filed `days` ago by contact `by`, last at `stage`, with
/// the outcome the office reported. The open ones are within the deadlines that move a case
/// up a level, as the demo's other cases are.
struct Request {
    by: usize,
    days: i64,
    title: &'static str,
    body: &'static str,
    stage: Stage,
    outcome: &'static str,
}

const REQUESTS: [Request; 5] = [
    Request {
        by: 0,
        days: 75,
        title: "下班高峰园区东门人车混行",
        body: "下午五点半下班时，东门电动车、汽车和接人的车挤在一起，上周发生了两起剐蹭，希望派人疏导。",
        stage: Stage::Closed,
        outcome: "与企业行政部商定东门只出不进、电动车走北侧通道；高峰时段辅警现场疏导两周，已无剐蹭。",
    },
    Request {
        by: 1,
        days: 4,
        title: "车间班组因加班排班多次争吵",
        body: "二车间一个班组因为加班排班不均，几名工友多次争吵，差点动手，班长压不住，想请民警和调解员一起来。",
        stage: Stage::InProgress,
        outcome: "",
    },
    Request {
        by: 0,
        days: 2,
        title: "新入职员工反诈宣讲",
        body: "本月新入职四十多名员工，大多是外省来的年轻人，想请民警来园区做一次防刷单、防冒充客服的宣讲。",
        stage: Stage::Intake,
        outcome: "",
    },
    Request {
        by: 2,
        days: 1,
        title: "物流园夜间货车油箱被盗",
        body: "近一个月有三辆夜间停在园区外侧道路的货车油箱被撬，司机损失不小，希望加强夜间巡逻。",
        stage: Stage::Assigned,
        outcome: "",
    },
    Request {
        by: 2,
        days: 95,
        title: "外来务工人员居住登记集中办理",
        body: "园区新来了一批装卸工，住在附近出租房，想请警务室到园区集中办理居住登记。",
        stage: Stage::Closed,
        outcome: "警务室于每月第一个周三到园区服务中心集中受理，首次办理 36 人。",
    },
];

/// Every demo phone number this step gives out.
pub fn phones() -> Vec<String> {
    CONTACTS
        .iter()
        .map(|(phone, _, _)| phone.to_string())
        .collect()
}

/// Loads the step unless it ran before, or the park's community is not in the directory.
pub(super) async fn load(db: &DatabaseConnection, now: DateTime<Utc>) -> Result<Outcome> {
    if settings::get(db, DEMO_ENTERPRISES_LOADED_AT)
        .await?
        .is_some()
    {
        return Ok(Outcome::AlreadyLoaded);
    }
    let park = community::Entity::find()
        .filter(community::Column::Name.eq(PARK))
        .filter(community::Column::IsDemo.eq(true))
        .one(db)
        .await?;
    let (Some(park), Some(officer)) = (park, accounts::find_by_phone(db, OFFICER_PHONE).await?)
    else {
        return Ok(Outcome::AlreadyLoaded);
    };
    super::phones_free(db, phones()).await?;
    let txn = db.begin().await?;
    if !super::claim(&txn, DEMO_ENTERPRISES_LOADED_AT, now).await? {
        return Ok(Outcome::AlreadyLoaded);
    }
    let mut enterprises = Vec::new();
    for (name, address) in ENTERPRISES {
        let row = enterprise::Entity::insert(enterprise::ActiveModel {
            community_id: Set(park.id),
            name: Set(name.to_owned()),
            address: Set(address.to_owned()),
            is_demo: Set(true),
            ..Default::default()
        })
        .exec_with_returning(&txn)
        .await?;
        enterprises.push(row.id);
    }
    let mut contacts = Vec::new();
    for (phone, name, at) in CONTACTS {
        let contact = user::Entity::insert(user::ActiveModel {
            phone: Set(phone.to_owned()),
            password_hash: Set(officer.password_hash.clone()),
            community_id: Set(Some(park.id)),
            consent_version: Set("demo".to_owned()),
            consent_at: Set(now),
            created_at: Set(now),
            display_name: Set(Some(name.to_owned())),
            ..Default::default()
        })
        .exec_with_returning(&txn)
        .await?;
        for role in [Role::Resident, Role::EnterpriseContact] {
            user_role::Entity::insert(user_role::ActiveModel {
                user_id: Set(contact.id),
                role: Set(role.as_str().to_owned()),
            })
            .exec_without_returning(&txn)
            .await?;
        }
        enterprise_contact::Entity::insert(enterprise_contact::ActiveModel {
            user_id: Set(contact.id),
            enterprise_id: Set(enterprises[at]),
        })
        .exec_without_returning(&txn)
        .await?;
        contacts.push((contact.id, enterprises[at]));
    }
    let office = park.police_office_id.map(|id| Org {
        kind: OrgKind::PoliceOffice,
        id: Some(id),
    });
    for request in &REQUESTS {
        let (contact, enterprise_id) = contacts[request.by];
        let filed = now - Duration::days(request.days);
        let name = ENTERPRISES[CONTACTS[request.by].2].0;
        // Triaged after an hour, assigned to the park's office after two, started the next
        // day, reported and closed within the week.
        let moves = [
            (Action::Triaged, Stage::Triage, None, 1),
            (Action::Assigned, Stage::Assigned, office, 2),
            (Action::Started, Stage::InProgress, office, 26),
            (Action::Feedback, Stage::Feedback, office, 72),
            (Action::Closed, Stage::Closed, office, 120),
        ];
        let reached: Vec<_> = moves
            .into_iter()
            .filter(|(_, stage, _, _)| *stage <= request.stage)
            .collect();
        let closed = request.stage == Stage::Closed;
        let last_at = reached
            .last()
            .map_or(filed, |(_, _, _, hours)| filed + Duration::hours(*hours));
        let row = case_record::ActiveModel {
            title: Set(request.title.to_owned()),
            summary: Set(request.body.to_owned()),
            resident_id: Set(Some(contact)),
            resident_raised: Set(true),
            contact_name: Set(name.to_owned()),
            community_id: Set(Some(park.id)),
            created_by: Set(Some(contact)),
            outcome: Set((!request.outcome.is_empty()).then(|| request.outcome.to_owned())),
            feedback: Set(closed.then(|| "处理及时，谢谢民警。".to_owned())),
            rating: Set(closed.then_some(5)),
            solved_without_police: Set(closed.then_some(false)),
            closed_at: Set(closed.then_some(last_at)),
            is_demo: Set(true),
            ..Default::default()
        };
        let start = Start {
            kind: Kind::Enterprise,
            stage: Stage::Intake,
            org: None,
            actor: Some(contact),
            action: Action::Opened,
        };
        let Some(case) = insert(&txn, row, start, filed).await? else {
            return Err(Error::Internal("a demo case code clashed"));
        };
        let mut from = Stage::Intake;
        for (action, to, org, hours) in reached {
            let step = Step {
                action,
                from: Some(from),
                to,
                org,
                actor: Some(officer.id),
                note: "",
            };
            write_history(&txn, case.id, step, filed + Duration::hours(hours)).await?;
            from = to;
        }
        let last_org = if request.stage >= Stage::Assigned {
            office
        } else {
            None
        };
        let (due, _) =
            crate::casework::deadlines::deadline(&txn, Kind::Enterprise, request.stage, last_at)
                .await?;
        case_record::Entity::update(case_record::ActiveModel {
            id: Set(case.id),
            stage: Set(request.stage),
            stage_since: Set(last_at),
            org_kind: Set(last_org.map(|o| o.kind)),
            org_id: Set(last_org.and_then(|o| o.id)),
            due_at: Set(due),
            ..Default::default()
        })
        .exec(&txn)
        .await?;
        enterprise_request::Entity::insert(enterprise_request::ActiveModel {
            case_id: Set(case.id),
            enterprise_id: Set(enterprise_id),
            filed_by: Set(Some(contact)),
        })
        .exec_without_returning(&txn)
        .await?;
    }
    txn.commit().await?;
    Ok(Outcome::Loaded)
}
