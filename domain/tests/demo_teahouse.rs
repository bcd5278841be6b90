//! The 警事茶楼 demo: every board has threads whose counts, times and answers agree with
//! their posts; the liaisons sign in and answer with their room's badge; the demo residents
//! can still post; loading again changes nothing. On whichever engine TEST_DATABASE_URL
//! names.

use std::collections::{HashMap, HashSet};

use chrono::{Duration, Utc};
use domain::accounts::{self, Account, Role, SessionPolicy};
use domain::demo::{self, DEMO_PASSWORD, OFFICER_PHONE, Outcome, RESIDENT_PHONES};
use domain::entities::{
    board, liaison_member, liaison_room, police_office, post, setting, thread, user, user_role,
};
use domain::teahouse::{self, Limits, NewBoard, NewReply, NewThread};
use domain::testing;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, DatabaseConnection, EntityTrait,
    PaginatorTrait, QueryFilter, QueryOrder,
};

type TestResult = Result<(), Box<dyn std::error::Error>>;

async fn loaded() -> Result<DatabaseConnection, Box<dyn std::error::Error>> {
    let db = testing::fresh_db().await?;
    assert_eq!(demo::load(&db).await?, Outcome::Loaded);
    Ok(db)
}

async fn sign_in(db: &DatabaseConnection, phone: &str) -> Result<Account, domain::Error> {
    let policy = SessionPolicy::default();
    let (account, _token) =
        accounts::login(db, phone, DEMO_PASSWORD, "192.0.2.1", policy, Utc::now()).await?;
    Ok(account)
}

async fn rooms(db: &DatabaseConnection) -> Result<Vec<liaison_room::Model>, sea_orm::DbErr> {
    liaison_room::Entity::find()
        .order_by_asc(liaison_room::Column::Id)
        .all(db)
        .await
}

#[tokio::test]
async fn every_board_has_threads_whose_figures_are_those_of_their_posts() -> TestResult {
    let db = loaded().await?;
    let now = Utc::now();
    let rooms = rooms(&db).await?;
    let lines = teahouse::boards(&db, now).await?;
    let names: Vec<&str> = lines.iter().map(|l| l.board.name.as_str()).collect();
    let expected: Vec<&str> = std::iter::once("茶叙")
        .chain(rooms.iter().map(|r| r.name.as_str()))
        .collect();
    assert_eq!(names, expected);
    let first_office = police_office::Entity::find()
        .order_by_asc(police_office::Column::Id)
        .one(&db)
        .await?
        .ok_or("an office")?;
    assert_eq!(lines[0].office, "总浦桥警务室");
    assert_eq!(lines[0].board.police_office_id, first_office.id);
    assert_eq!(lines[0].board.liaison_room_id, None);
    assert_eq!(lines[0].board.description, "邻里茶叙，什么都可以聊");
    for (line, room) in lines[1..].iter().zip(&rooms) {
        assert_eq!(line.board.liaison_room_id, Some(room.id));
        assert_eq!(line.board.police_office_id, room.police_office_id);
        assert_eq!(line.board.description, room.description);
    }
    for line in &lines {
        let name = &line.board.name;
        assert!(line.board.is_demo, "{name}");
        assert_eq!(line.board.answer_hours, 48, "{name}");
        assert!(line.threads >= 20, "{name}: {} threads", line.threads);
        assert!(line.overdue > 0, "{name} has overdue threads");
        assert!(
            line.waiting > line.overdue,
            "{name} has threads within the deadline"
        );
    }
    assert!(
        lines
            .windows(2)
            .all(|w| w[0].board.position < w[1].board.position)
    );

    let boards: HashMap<i32, board::Model> = lines
        .iter()
        .map(|l| (l.board.id, l.board.clone()))
        .collect();
    let members: HashSet<(i32, i32)> = liaison_member::Entity::find()
        .all(&db)
        .await?
        .into_iter()
        .map(|m| (m.liaison_room_id, m.user_id))
        .collect();
    let officer = accounts::find_by_phone(&db, OFFICER_PHONE)
        .await?
        .ok_or("the demo officer")?;
    let threads = thread::Entity::find().all(&db).await?;
    let mut posts: HashMap<i32, Vec<post::Model>> = HashMap::new();
    for p in post::Entity::find()
        .order_by_asc(post::Column::Id)
        .all(&db)
        .await?
    {
        posts.entry(p.thread_id).or_default().push(p);
    }
    let mut statuses: HashMap<(i32, &str), usize> = HashMap::new();
    let mut titles = HashSet::new();
    let mut fresh = 0;
    for t in &threads {
        let title = &t.title;
        let board = boards.get(&t.board_id).ok_or("the thread's board")?;
        assert!(t.is_demo && !t.hidden && !t.locked, "{title}");
        assert!(titles.insert((t.board_id, title.clone())), "{title} twice");
        assert!((4..=60).contains(&title.chars().count()), "{title}");
        assert!(t.author_id.is_some() && t.community_id.is_some(), "{title}");
        assert!(t.created_at > now - Duration::days(60) && t.created_at < now);
        *statuses.entry((t.board_id, t.status.as_str())).or_default() += 1;

        let thread_posts = posts.get(&t.id).ok_or("the thread's posts")?;
        let opening = &thread_posts[0];
        assert!(opening.is_opening, "{title}: the opening post comes first");
        assert_eq!(thread_posts.iter().filter(|p| p.is_opening).count(), 1);
        assert_eq!(opening.created_at, t.created_at, "{title}");
        assert_eq!(opening.author_id, t.author_id, "{title}");
        assert_eq!(opening.anonymous, t.anonymous, "{title}");
        assert!(opening.official.is_none());
        let replies = &thread_posts[1..];
        assert_eq!(t.reply_count as usize, replies.len(), "{title}");
        assert!(replies.len() <= 6, "{title}");
        if replies.is_empty() && t.created_at > now - Duration::days(1) {
            fresh += 1;
        }
        assert!(
            thread_posts
                .windows(2)
                .all(|w| w[0].created_at < w[1].created_at),
            "{title}: posts in order"
        );
        let last = thread_posts.last().ok_or("a post")?;
        assert_eq!(t.last_post_at, last.created_at, "{title}");
        for p in thread_posts {
            assert!(p.is_demo && !p.hidden && !p.deleted);
            assert!((2..=5000).contains(&p.body.chars().count()), "{title}");
            assert!(!p.body.contains('{'), "{title}: {}", p.body);
            assert!(p.created_at < now);
            match p.official.as_deref() {
                Some("liaison") => {
                    let room = board.liaison_room_id.ok_or("liaisons answer on rooms")?;
                    assert_eq!(p.official_room_id, Some(room), "{title}");
                    let author = p.author_id.ok_or("the liaison")?;
                    assert!(members.contains(&(room, author)), "{title}");
                    assert!(!p.anonymous);
                }
                Some("officer") => {
                    assert_eq!(p.author_id, Some(officer.id), "{title}");
                    assert_eq!(p.official_room_id, None);
                }
                None => assert_eq!(p.official_room_id, None),
                Some(other) => return Err(format!("badge {other}").into()),
            }
        }
        let first_official = replies.iter().find(|p| p.official.is_some());
        assert_eq!(
            t.official_reply_at,
            first_official.map(|p| p.created_at),
            "{title}"
        );
        if let Some(accepted) = t.accepted_post_id {
            let answer = replies
                .iter()
                .find(|p| p.id == accepted)
                .ok_or("the accepted post is a reply of the thread")?;
            assert!(answer.official.is_some(), "{title}: an official answer");
            assert_ne!(answer.author_id, t.author_id);
        }
        match t.status.as_str() {
            "answered" => assert!(t.accepted_post_id.is_some(), "{title}"),
            "resolved" => assert!(t.official_reply_at.is_some(), "{title}"),
            "open" => {}
            other => return Err(format!("status {other}").into()),
        }
    }
    assert!(fresh > 0, "a few fresh threads without replies");
    for line in &lines {
        for status in ["open", "answered", "resolved"] {
            let count = statuses.get(&(line.board.id, status)).copied().unwrap_or(0);
            assert!(count > 0, "{} has {status} threads", line.board.name);
        }
    }
    let answered = threads
        .iter()
        .filter(|t| t.status.as_str() == "answered")
        .count();
    let resolved = threads
        .iter()
        .filter(|t| t.status.as_str() == "resolved")
        .count();
    assert!(
        answered * 4 > threads.len() && resolved * 4 > threads.len(),
        "about a third each: {answered} answered, {resolved} resolved of {}",
        threads.len()
    );
    assert!(threads.iter().any(|t| t.anonymous));
    assert!(
        threads
            .iter()
            .any(|t| t.status.as_str() == "resolved" && t.accepted_post_id.is_none())
    );
    Ok(())
}

#[tokio::test]
async fn the_liaisons_sign_in_and_answer_with_their_rooms_badge() -> TestResult {
    let db = loaded().await?;
    let now = Utc::now();
    let limits = Limits::default();
    let rooms = rooms(&db).await?;
    let phones = demo::liaison_phones();
    assert_eq!(phones.len(), rooms.len() * 2);
    let mut names = HashSet::new();
    for (index, phone) in phones.iter().enumerate() {
        let liaison = sign_in(&db, phone).await?;
        assert_eq!(liaison.roles, vec![Role::Liaison], "{phone}");
        assert_eq!(
            teahouse::rooms_of(&db, &liaison).await?,
            vec![rooms[index / 2].id],
            "{phone}"
        );
        assert!(liaison.user.community_id.is_some(), "{phone}");
        let name = liaison.user.display_name.clone().ok_or("a name")?;
        assert!(names.insert(name), "{phone}");
    }

    // A liaison of the first room answers a waiting thread on its board.
    let liaison = sign_in(&db, &phones[0]).await?;
    let room_board = board::Entity::find()
        .filter(board::Column::LiaisonRoomId.eq(rooms[0].id))
        .one(&db)
        .await?
        .ok_or("the first room's board")?;
    let waiting = thread::Entity::find()
        .filter(thread::Column::BoardId.eq(room_board.id))
        .filter(thread::Column::Status.eq("open"))
        .filter(thread::Column::OfficialReplyAt.is_null())
        .one(&db)
        .await?
        .ok_or("a thread waiting for an answer")?;
    let answer = teahouse::reply(
        &db,
        &liaison,
        NewReply {
            thread_id: waiting.id,
            body: "已收到，我们明天上午到现场看看。".into(),
            ..Default::default()
        },
        &limits,
        now,
    )
    .await?;
    assert_eq!(answer.official.as_deref(), Some("liaison"));
    assert_eq!(answer.official_room_id, Some(rooms[0].id));

    // The officer and the residents have names now and nothing else changed.
    let officer = sign_in(&db, OFFICER_PHONE).await?;
    assert_eq!(officer.roles, vec![Role::Officer]);
    assert_eq!(officer.user.display_name.as_deref(), Some("王警官"));
    for (phone, name) in RESIDENT_PHONES.iter().zip(["陈阿姨", "刘师傅"]) {
        let resident = sign_in(&db, phone).await?;
        assert_eq!(resident.roles, vec![Role::Resident], "{phone}");
        assert_eq!(resident.user.display_name.as_deref(), Some(name));
        assert!(
            resident.user.created_at > now - Duration::hours(1),
            "{phone}"
        );
        // One thread of their own, answered by staff, theirs to accept.
        let own = thread::Entity::find()
            .filter(thread::Column::AuthorId.eq(resident.user.id))
            .all(&db)
            .await?;
        assert_eq!(own.len(), 1, "{phone}");
        assert_eq!(own[0].status.as_str(), "open");
        let answer = post::Entity::find()
            .filter(post::Column::ThreadId.eq(own[0].id))
            .filter(post::Column::Official.is_not_null())
            .one(&db)
            .await?
            .ok_or("an official answer")?;
        teahouse::accept(&db, &resident, own[0].id, answer.id, now).await?;
        // The demo history does not use up a new account's first-day allowance.
        let started = teahouse::start(
            &db,
            &resident,
            NewThread {
                board_id: room_board.id,
                title: "小区门口的路灯又坏了".into(),
                body: "晚上路过很黑，麻烦看看。".into(),
                community_id: resident.user.community_id,
                ..Default::default()
            },
            &limits,
            now,
        )
        .await?;
        assert_eq!(started.author_id, Some(resident.user.id));
    }
    let answered = thread::Entity::find()
        .filter(thread::Column::Status.eq("answered"))
        .count(&db)
        .await?;
    assert!(answered > 0);

    // The volunteers who wrote the threads post under their roster names, as members of
    // long standing.
    let laowang = sign_in(&db, "13900000301").await?;
    assert_eq!(laowang.user.display_name.as_deref(), Some("老王"));
    assert!(laowang.user.created_at < now - Duration::days(60));
    teahouse::start(
        &db,
        &laowang,
        NewThread {
            board_id: room_board.id,
            title: "夜间巡逻发现的安全隐患".into(),
            body: "江边步道有一段护栏松动了。".into(),
            ..Default::default()
        },
        &limits,
        now,
    )
    .await?;
    Ok(())
}

async fn counts(db: &DatabaseConnection) -> Result<[u64; 6], sea_orm::DbErr> {
    Ok([
        user::Entity::find().count(db).await?,
        user_role::Entity::find().count(db).await?,
        board::Entity::find().count(db).await?,
        liaison_member::Entity::find().count(db).await?,
        thread::Entity::find().count(db).await?,
        post::Entity::find().count(db).await?,
    ])
}

/// Back to a database from before the tea-house step.
async fn remove_the_teahouse_demo(db: &DatabaseConnection) -> TestResult {
    board::Entity::delete_many().exec(db).await?;
    user::Entity::delete_many()
        .filter(user::Column::Phone.is_in(demo::liaison_phones()))
        .exec(db)
        .await?;
    setting::Entity::delete_by_id(demo::DEMO_TEAHOUSE_LOADED_AT.to_owned())
        .exec(db)
        .await?;
    assert_eq!(thread::Entity::find().count(db).await?, 0);
    assert_eq!(liaison_member::Entity::find().count(db).await?, 0);
    Ok(())
}

#[tokio::test]
async fn loading_again_changes_nothing_and_an_older_database_gets_the_tea_house() -> TestResult {
    let db = loaded().await?;
    let before = counts(&db).await?;
    assert_eq!(demo::load(&db).await?, Outcome::AlreadyLoaded);
    assert_eq!(counts(&db).await?, before);

    // A portal whose admin opened the second room's board before the step existed: the
    // board is filled, not doubled.
    remove_the_teahouse_demo(&db).await?;
    let room = rooms(&db).await?.into_iter().nth(1).ok_or("a room")?;
    let officer = accounts::find_by_phone(&db, OFFICER_PHONE)
        .await?
        .ok_or("the demo officer")?;
    let admin = Account {
        user: officer,
        roles: vec![Role::Admin],
    };
    let opened = teahouse::open_board(
        &db,
        &admin,
        NewBoard {
            police_office_id: room.police_office_id,
            liaison_room_id: Some(room.id),
            name: room.name.clone(),
            description: room.description.clone(),
            answer_hours: 48,
        },
    )
    .await?;
    assert_eq!(demo::load(&db).await?, Outcome::Loaded);
    assert_eq!(counts(&db).await?, before);
    assert!(
        thread::Entity::find()
            .filter(thread::Column::BoardId.eq(opened.id))
            .count(&db)
            .await?
            >= 20
    );
    assert_eq!(demo::load(&db).await?, Outcome::AlreadyLoaded);
    assert_eq!(counts(&db).await?, before);
    Ok(())
}

#[tokio::test]
async fn the_liaisons_never_take_over_an_existing_number() -> TestResult {
    let db = loaded().await?;
    remove_the_teahouse_demo(&db).await?;
    let taken = demo::liaison_phones()[3].clone();
    user::ActiveModel {
        phone: Set(taken.clone()),
        password_hash: Set("not-a-hash".into()),
        consent_version: Set("test".into()),
        consent_at: Set(Utc::now()),
        created_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(&db)
    .await?;
    let before = counts(&db).await?;
    assert!(matches!(
        demo::load(&db).await,
        Err(domain::Error::Invalid(_))
    ));
    assert_eq!(counts(&db).await?, before, "nothing was added");
    assert_eq!(board::Entity::find().count(&db).await?, 0);
    assert!(
        setting::Entity::find_by_id(demo::DEMO_TEAHOUSE_LOADED_AT.to_owned())
            .one(&db)
            .await?
            .is_none()
    );
    let owner = accounts::find_by_phone(&db, &taken)
        .await?
        .ok_or("the owner")?;
    assert!(accounts::roles_of(&db, owner.id).await?.is_empty());
    Ok(())
}
