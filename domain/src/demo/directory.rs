//! The demo directory (the first step of `demo::load`): 10 communities and their compounds,
//! police offices, mutual-aid stations, liaison rooms, mediation rooms and squads; then the
//! later steps in order.

use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ConnectionTrait, DatabaseConnection, EntityTrait,
    PaginatorTrait, TransactionTrait,
};

use crate::entities::{
    aid_station, community, compound, liaison_room, mediation_room, police_office, squad,
};
use crate::settings;

use super::{antifraud, casework, enterprises, mediation, notices, school, teahouse, volunteers};

/// What `demo-data` did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Loaded,
    AlreadyLoaded,
}

/// (community, police office index, compounds, mutual-aid stations)
const COMMUNITIES: [(&str, usize, usize, usize); 10] = [
    ("总浦桥社区", 0, 6, 5),
    ("后海塘社区", 1, 6, 5),
    ("城东社区", 2, 6, 5),
    ("甬江社区", 0, 6, 5),
    ("海天社区", 0, 6, 5),
    ("鼓楼社区", 0, 6, 5),
    ("俞范社区", 1, 6, 5),
    ("城河社区", 1, 6, 5),
    ("梓荫社区", 2, 6, 4),
    ("招宝社区", 2, 5, 4),
];

const OFFICES: [(&str, &str, &str); 3] = [
    (
        "总浦桥警务室",
        "招宝山街道总浦桥路（演示地址）",
        "五星级警务室，创办“警事茶楼”，设四个联络室",
    ),
    (
        "后海塘企业社区警务室",
        "后海塘企业社区园区服务中心（演示地址）",
        "警企共建：警企联络、矛盾调解、驻企服务",
    ),
    (
        "城东社区警务室",
        "城东社区镇海中学旁（演示地址）",
        "“招宝好管家护苗队”护校护学",
    ),
];

const LIAISON_ROOMS: [(usize, &str, &str); 6] = [
    (0, "人大代表联络室", "人大代表倾听民意、协商议事"),
    (0, "联合执法联络室", "多部门联合执法，解决身边的治理难题"),
    (0, "妇女儿童维权联络室", "妇女儿童权益保护与家庭纠纷疏导"),
    (0, "巾帼宣传联络室", "巾帼志愿者开展平安宣传"),
    (1, "安德机械警企联络室", "驻企服务与警企沟通"),
    (1, "传化物流警企联络室", "物流园区治安巡控与矛盾调解"),
];

const SQUADS: [(&str, &str); 6] = [
    (
        "老娘舅调解小分队",
        "用老乡的身份和家乡话调解邻里、家庭小矛盾",
    ),
    ("义务巡逻小分队", "平安巡防，守护小区和园区"),
    ("法治宣传小分队", "快板、说唱、歌舞里讲法治"),
    ("反诈宣传小分队", "“异乡人大舞台”反诈宣传，守好老乡的钱袋子"),
    ("水上安全小分队", "防溺水宣传、演练与水边巡查"),
    (
        "重见光明关爱小分队",
        "“重见光明”关怀计划，陪伴流动人口中的特殊对象",
    ),
];

const COMPOUND_STEMS: [&str; 20] = [
    "海晏", "朝阳", "东河", "金湾", "锦绣", "明珠", "翠柏", "阳光", "和美", "书香", "港城", "望海",
    "听涛", "甬安", "春晖", "桂园", "兴业", "文昌", "清水", "江枫",
];
const COMPOUND_SUFFIXES: [&str; 3] = ["花园", "新村", "家园"];

// The same hours as the rooms' bookable availability (`mediation`).
pub(super) const MAIN_ROOM_HOURS: &str =
    "周一至周五 9:00–11:30、14:00–17:00，周六 9:00–11:30；“你点我调”视频调解可预约";
pub(super) const BRANCH_HOURS: &str = "周一至周五 9:00–11:30、14:00–17:00";

/// Loads the demo data into an empty database. Running it again changes nothing; running it
/// on a database that already holds a real directory is refused, so demo rows never mix
/// silently with real ones.
pub async fn load(db: &DatabaseConnection) -> crate::Result<Outcome> {
    let directory = load_directory(db).await?;
    let mediation = mediation::load(db, chrono::Utc::now()).await?;
    // After the accounts, so that the officer signs the notices and the residents are told.
    let notices = notices::load(db, chrono::Utc::now()).await?;
    // After the accounts, so that it reuses their password hash.
    let volunteers = volunteers::load(db, chrono::Utc::now()).await?;
    // After the volunteers, who write the threads.
    let teahouse = teahouse::load(db, chrono::Utc::now()).await?;
    // After the mediation cases, which it gives loop cases, and the squads, who work some.
    let casework = casework::load(db, chrono::Utc::now()).await?;
    // After the loop's cases, some of which it counts as fraud-related.
    let antifraud = antifraud::load(db, chrono::Utc::now()).await?;
    let enterprises = enterprises::load(db, chrono::Utc::now()).await?;
    let school = school::load(db, chrono::Utc::now()).await?;
    // 招宝山's identity beside its directory, also on a demo database from before the
    // station had one; never over a station's own.
    let station = if crate::station::save_demo(db, chrono::Utc::now()).await? {
        Outcome::Loaded
    } else {
        Outcome::AlreadyLoaded
    };
    // The article's totals for 老何调解室, beside the live figures of /stats.
    let reported = if crate::reported::save_demo(db, chrono::Utc::now()).await? {
        Outcome::Loaded
    } else {
        Outcome::AlreadyLoaded
    };
    Ok(
        if [
            directory,
            mediation,
            notices,
            volunteers,
            teahouse,
            casework,
            antifraud,
            enterprises,
            school,
            station,
            reported,
        ]
        .contains(&Outcome::Loaded)
        {
            Outcome::Loaded
        } else {
            Outcome::AlreadyLoaded
        },
    )
}

/// The directory step alone: places without people, for test fixtures that want no
/// accounts or cases beside their own.
pub async fn load_directory(db: &DatabaseConnection) -> crate::Result<Outcome> {
    if settings::get(db, settings::DEMO_LOADED_AT).await?.is_some() {
        return Ok(Outcome::AlreadyLoaded);
    }
    if community::Entity::find().count(db).await? > 0 {
        return Err(crate::Error::Invalid(
            "the directory already holds data that is not demo data",
        ));
    }
    let txn = db.begin().await?;
    let mut office_ids = Vec::new();
    for (name, address, speciality) in OFFICES {
        let office = police_office::ActiveModel {
            name: Set(name.into()),
            address: Set(address.into()),
            speciality: Set(speciality.into()),
            is_demo: Set(true),
            ..Default::default()
        }
        .insert(&txn)
        .await?;
        office_ids.push(office.id);
    }
    for (office, name, description) in LIAISON_ROOMS {
        liaison_room::ActiveModel {
            police_office_id: Set(office_ids[office]),
            name: Set(name.into()),
            description: Set(description.into()),
            is_demo: Set(true),
            ..Default::default()
        }
        .insert(&txn)
        .await?;
    }
    let main_room = mediation_room::ActiveModel {
        name: Set("老何调解室".into()),
        address: Set("招宝山派出所一楼（演示地址）".into()),
        hours: Set(MAIN_ROOM_HOURS.into()),
        is_demo: Set(true),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    let mut compound_index = 0;
    for (name, office, compounds, stations) in COMMUNITIES {
        let community = community::ActiveModel {
            name: Set(name.into()),
            police_office_id: Set(Some(office_ids[office])),
            is_demo: Set(true),
            ..Default::default()
        }
        .insert(&txn)
        .await?;
        let short = name.trim_end_matches("社区");
        for n in 0..compounds {
            let compound_name = format!(
                "{}{}",
                COMPOUND_STEMS[compound_index % COMPOUND_STEMS.len()],
                COMPOUND_SUFFIXES[compound_index / COMPOUND_STEMS.len()]
            );
            compound_index += 1;
            let compound = compound::ActiveModel {
                community_id: Set(community.id),
                name: Set(compound_name.clone()),
                is_demo: Set(true),
                ..Default::default()
            }
            .insert(&txn)
            .await?;
            if n < stations {
                aid_station::ActiveModel {
                    community_id: Set(community.id),
                    compound_id: Set(Some(compound.id)),
                    name: Set(format!("{short}·{compound_name}自治互助站")),
                    is_demo: Set(true),
                    ..Default::default()
                }
                .insert(&txn)
                .await?;
            }
        }
        insert_branch(
            &txn,
            main_room.id,
            community.id,
            format!("老何调解室·{short}分室"),
            format!("{name}党群服务中心（演示地址）"),
        )
        .await?;
        // 后海塘 also hosts the enterprise-park branch: the eleventh.
        if office == 1 && short == "后海塘" {
            insert_branch(
                &txn,
                main_room.id,
                community.id,
                "老何调解室·后海塘园区分室".into(),
                "后海塘企业社区园区服务中心（演示地址）".into(),
            )
            .await?;
        }
    }
    for (name, description) in SQUADS {
        squad::ActiveModel {
            name: Set(name.into()),
            description: Set(description.into()),
            is_demo: Set(true),
            ..Default::default()
        }
        .insert(&txn)
        .await?;
    }
    settings::get_or_insert(
        &txn,
        settings::DEMO_LOADED_AT,
        &chrono::Utc::now().to_rfc3339(),
    )
    .await?;
    txn.commit().await?;
    Ok(Outcome::Loaded)
}

async fn insert_branch(
    txn: &impl ConnectionTrait,
    parent: i32,
    community: i32,
    name: String,
    address: String,
) -> crate::Result<()> {
    mediation_room::ActiveModel {
        name: Set(name),
        community_id: Set(Some(community)),
        parent_id: Set(Some(parent)),
        address: Set(address),
        hours: Set(BRANCH_HOURS.into()),
        is_demo: Set(true),
        ..Default::default()
    }
    .insert(txn)
    .await?;
    Ok(())
}
