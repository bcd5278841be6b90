//! Video mediation's signalling over real sockets: who the server lets into a case's room
//! (`/mediation/video/{code}/ws`), that offers, answers and candidates reach only peers of
//! the same room, that leaving peers are forgotten and a room holds four, the chat beside the
//! video, and the mediator's powers to remove a peer and to end the session. Runs on SQLite,
//! or PostgreSQL when TEST_DATABASE_URL says so.
//!
//! A WebSocket needs a real connection: each test serves the portal's router on a loopback
//! port and connects with tokio-tungstenite, sending the cookies a browser would. Every
//! receive waits at most `WAIT`, so a message that never comes fails the test instead of
//! hanging it.

mod common;

use std::collections::BTreeSet;
use std::net::SocketAddr;
use std::time::Duration;

use axum::http::{HeaderValue, StatusCode, header};
use chrono::Utc;
use common::{Error, Portal, TestResult, portal_with, run};
use domain::DatabaseConnection;
use domain::accounts::{Account, Role};
use domain::demo::DEMO_PASSWORD;
use domain::entities::{booking, mediation_case, mediation_room};
use domain::mediation::video;
use futures_util::{SinkExt, StreamExt};
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter};
use serde_json::{Value, json};
use server::video::MAX_PEERS;
use tokio_tungstenite::tungstenite::{self, Message, client::IntoClientRequest};

const RESIDENT: &str = "13900000001";
const OTHER_RESIDENT: &str = "13900000002";
/// 老何, mediator of the main room (老何调解室).
const MEDIATOR: &str = "13900000101";
const OFFICER: &str = "13900000201";

/// How long a message may take to arrive.
const WAIT: Duration = Duration::from_secs(20);
/// How long a peer listens to be sure nothing comes.
const QUIET: Duration = Duration::from_millis(800);

type Ws =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// The portal served on a loopback port, as a browser reaches it.
struct Live {
    portal: Portal,
    db: DatabaseConnection,
    address: SocketAddr,
    server: tokio::task::JoinHandle<()>,
}

impl Drop for Live {
    fn drop(&mut self) {
        self.server.abort();
    }
}

async fn live() -> Result<Live, Error> {
    live_with(Default::default()).await
}

async fn live_with(web: server::config::WebSettings) -> Result<Live, Error> {
    let portal = portal_with(web).await?;
    let db = domain::db::connect(&portal.db_url).await?;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let address = listener.local_addr()?;
    let app = portal
        .router
        .clone()
        .into_make_service_with_connect_info::<SocketAddr>();
    let server = tokio::spawn(async move {
        if let Err(e) = axum::serve(listener, app).await {
            eprintln!("the test server stopped: {e}");
        }
    });
    Ok(Live {
        portal,
        db,
        address,
        server,
    })
}

impl Live {
    /// The `Cookie` header of a browser signed in as `phone`: its session cookie.
    async fn session(&self, phone: &str) -> Result<String, Error> {
        let browser = self.portal.sign_in(phone, DEMO_PASSWORD).await?;
        let name = app::accounts::ssr::SESSION_COOKIE;
        let token = browser
            .cookies
            .get(name)
            .ok_or_else(|| format!("signing in as {phone} set no {name} cookie"))?;
        Ok(format!("{name}={token}"))
    }

    /// Signs in as `phone` and joins the room.
    async fn join_as(&self, code: &str, phone: &str) -> Result<(Ws, Value), Error> {
        let cookie = self.session(phone).await?;
        self.join(code, &cookie).await
    }

    async fn handshake(
        &self,
        code: &str,
        cookie: &str,
    ) -> Result<Result<Ws, tungstenite::Error>, Error> {
        handshake(self.address, code, cookie).await
    }

    /// Joins the room and returns the socket with its `welcome`.
    async fn join(&self, code: &str, cookie: &str) -> Result<(Ws, Value), Error> {
        let mut ws = match self.handshake(code, cookie).await? {
            Ok(ws) => ws,
            Err(tungstenite::Error::Http(response)) => {
                return Err(format!(
                    "joining {code} was refused: {} {}",
                    response.status(),
                    String::from_utf8_lossy(response.body().as_deref().unwrap_or_default())
                )
                .into());
            }
            Err(e) => return Err(format!("joining {code}: {e}").into()),
        };
        let welcome = expect(&mut ws, "welcome").await?;
        Ok((ws, welcome))
    }

    /// The status and body the handshake is refused with.
    async fn refused(&self, code: &str, cookie: &str) -> Result<(StatusCode, String), Error> {
        match self.handshake(code, cookie).await? {
            Ok(_) => Err(format!("joining {code} was let through").into()),
            Err(tungstenite::Error::Http(response)) => Ok((
                response.status(),
                String::from_utf8_lossy(response.body().as_deref().unwrap_or_default())
                    .into_owned(),
            )),
            Err(e) => Err(format!("joining {code} failed otherwise: {e}").into()),
        }
    }
}

/// The handshake with the `Cookie` header `cookie` (none when empty), as it went: the
/// socket, or tungstenite's error.
async fn handshake(
    address: SocketAddr,
    code: &str,
    cookie: &str,
) -> Result<Result<Ws, tungstenite::Error>, Error> {
    let mut request = format!("ws://{address}/mediation/video/{code}/ws").into_client_request()?;
    if !cookie.is_empty() {
        request
            .headers_mut()
            .insert(header::COOKIE, HeaderValue::from_str(cookie)?);
    }
    let connected = tokio::time::timeout(WAIT, tokio_tungstenite::connect_async(request))
        .await
        .map_err(|_| format!("the handshake for {code} took more than {WAIT:?}"))?;
    Ok(connected.map(|(ws, _response)| ws))
}

/// The next message a peer receives, as JSON.
async fn receive(ws: &mut Ws) -> Result<Value, Error> {
    loop {
        let message = tokio::time::timeout(WAIT, ws.next())
            .await
            .map_err(|_| format!("nothing arrived within {WAIT:?}"))?
            .ok_or("the socket closed")??;
        match message {
            Message::Text(text) => return Ok(serde_json::from_str(text.as_str())?),
            Message::Ping(_) | Message::Pong(_) => continue,
            other => return Err(format!("expected a text message, got {other:?}").into()),
        }
    }
}

/// The next message, which must be of type `kind`.
async fn expect(ws: &mut Ws, kind: &str) -> Result<Value, Error> {
    let message = receive(ws).await?;
    if message["type"] != kind {
        return Err(format!("expected a `{kind}` message, got {message}").into());
    }
    Ok(message)
}

/// Nothing arrives for a while.
async fn quiet(ws: &mut Ws) -> TestResult {
    let deadline = tokio::time::Instant::now() + QUIET;
    loop {
        match tokio::time::timeout_at(deadline, ws.next()).await {
            Err(_elapsed) => return Ok(()),
            Ok(Some(Ok(Message::Ping(_) | Message::Pong(_)))) => continue,
            Ok(other) => return Err(format!("expected nothing, got {other:?}").into()),
        }
    }
}

/// The server closes the socket (a close frame, or the end of the stream).
async fn closes(ws: &mut Ws) -> TestResult {
    loop {
        match tokio::time::timeout(WAIT, ws.next()).await {
            Err(_elapsed) => return Err(format!("the socket stayed open for {WAIT:?}").into()),
            Ok(None | Some(Ok(Message::Close(_)))) => return Ok(()),
            Ok(Some(Ok(Message::Ping(_) | Message::Pong(_)))) => continue,
            Ok(Some(Ok(message))) => {
                return Err(format!("expected the socket to close, got {message:?}").into());
            }
            Ok(Some(Err(e))) => {
                return Err(format!("the socket broke instead of closing: {e}").into());
            }
        }
    }
}

async fn send(ws: &mut Ws, message: Value) -> TestResult {
    ws.send(Message::text(message.to_string())).await?;
    Ok(())
}

fn id_of(message: &Value) -> Result<u64, Error> {
    message["id"]
        .as_u64()
        .ok_or_else(|| format!("no id in {message}").into())
}

/// The ids and parts of the peers a `welcome` lists.
fn peers_of(welcome: &Value) -> Result<BTreeSet<(u64, String)>, Error> {
    welcome["peers"]
        .as_array()
        .ok_or_else(|| format!("no peers in {welcome}"))?
        .iter()
        .map(|peer| {
            Ok((
                id_of(peer)?,
                peer["part"].as_str().unwrap_or_default().to_owned(),
            ))
        })
        .collect()
}

fn peer(id: u64, part: &str) -> (u64, String) {
    (id, part.to_owned())
}

async fn account(db: &DatabaseConnection, phone: &str) -> Result<Account, Error> {
    let user = domain::accounts::find_by_phone(db, phone)
        .await?
        .ok_or_else(|| format!("no account {phone}"))?;
    let roles = domain::accounts::roles_of(db, user.id).await?;
    Ok(Account { user, roles })
}

/// 老何调解室, the room without a parent.
async fn main_room(db: &DatabaseConnection) -> Result<i32, Error> {
    Ok(mediation_room::Entity::find()
        .filter(mediation_room::Column::ParentId.is_null())
        .one(db)
        .await?
        .ok_or("no main room")?
        .id)
}

/// A case `phone` asks for at the main room, in `mode`, with an hour booked from
/// `starts_in` on.
async fn case(
    db: &DatabaseConnection,
    phone: &str,
    mode: &str,
    starts_in: chrono::Duration,
) -> Result<mediation_case::Model, Error> {
    let resident = account(db, phone).await?;
    let room_id = main_room(db).await?;
    let now = Utc::now();
    let case = domain::mediation::request(
        db,
        &resident,
        domain::mediation::CaseRequest {
            mode: mode.to_owned(),
            room_id,
            dispute_type: "neighbours".to_owned(),
            account: "楼上漏水，把我家厨房的天花板泡坏了，找过两次没有结果。".to_owned(),
            other_party: "楼上住户".to_owned(),
            ..Default::default()
        },
        // The demo history already holds requests of the demo residents from the last day.
        &domain::mediation::Policy {
            requests_per_day: 100,
            ..Default::default()
        },
        now,
    )
    .await?;
    booking::ActiveModel {
        case_id: Set(case.id),
        room_id: Set(room_id),
        starts_at: Set(now + starts_in),
        ends_at: Set(now + starts_in + chrono::Duration::hours(1)),
        created_at: Set(now),
        cancelled_at: Set(None),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(case)
}

/// A video case of `phone` whose room is open: its slot starts in five minutes.
async fn open_case(db: &DatabaseConnection, phone: &str) -> Result<mediation_case::Model, Error> {
    case(db, phone, "video", chrono::Duration::minutes(5)).await
}

/// The mediator invites the other party, who opens the invitation: the invitation token
/// and the `Cookie` header of the guest's browser.
async fn invited_guest(db: &DatabaseConnection, code: &str) -> Result<(String, String), Error> {
    let mediator = account(db, MEDIATOR).await?;
    let token = video::invite(db, &mediator, code, Utc::now()).await?;
    let key = video::redeem(db, code, &token, Utc::now()).await?;
    Ok((token, format!("{}={key}", server::video::GUEST_COOKIE)))
}

// 1. Who gets in.

#[test]
fn the_people_of_the_case_get_in_and_nobody_else() -> TestResult {
    run(async {
        let ice = r#"[{"urls":"stun:stun.example.cn:3478"}]"#;
        let live = live_with(server::config::WebSettings {
            ice_servers: ice.to_owned(),
            ..Default::default()
        })
        .await?;
        let db = &live.db;
        let open = open_case(db, RESIDENT).await?;
        let code = open.code.as_str();

        let resident = live.session(RESIDENT).await?;
        let (mut resident_ws, welcome) = live.join(code, &resident).await?;
        assert_eq!(welcome["part"], "resident", "{welcome}");
        assert_eq!(welcome["peers"], json!([]), "{welcome}");
        assert_eq!(welcome["chat"], json!([]), "{welcome}");
        assert_eq!(
            welcome["ice"],
            serde_json::from_str::<Value>(ice)?,
            "the ICE servers of the settings"
        );
        let resident_id = id_of(&welcome)?;

        let mediator = live.session(MEDIATOR).await?;
        let (_mediator_ws, welcome) = live.join(code, &mediator).await?;
        assert_eq!(welcome["part"], "mediator", "{welcome}");
        let mediator_id = id_of(&welcome)?;
        assert_ne!(mediator_id, resident_id);
        assert_eq!(
            peers_of(&welcome)?,
            BTreeSet::from([peer(resident_id, "resident")])
        );
        let joined = expect(&mut resident_ws, "joined").await?;
        assert_eq!(joined["id"], mediator_id, "{joined}");
        assert_eq!(joined["part"], "mediator", "{joined}");

        // Nobody signed in, another resident, an officer.
        assert_eq!(
            live.refused(code, "").await?.0,
            StatusCode::UNAUTHORIZED,
            "a visitor without cookies"
        );
        let other = live.session(OTHER_RESIDENT).await?;
        assert_eq!(
            live.refused(code, &other).await?.0,
            StatusCode::NOT_FOUND,
            "another resident is told the case does not exist"
        );
        let officer = live.session(OFFICER).await?;
        assert_eq!(
            live.refused(code, &officer).await?.0,
            StatusCode::FORBIDDEN,
            "an officer sees the case but does not enter the room"
        );
        let forged = format!("{}={}", server::video::GUEST_COOKIE, "ab".repeat(32));
        assert_eq!(
            live.refused(code, &forged).await?.0,
            StatusCode::NOT_FOUND,
            "a guest key nobody was given"
        );

        // The other party, by invitation; one invitation lets one person in.
        let (token, guest) = invited_guest(db, code).await?;
        let (_guest_ws, welcome) = live.join(code, &guest).await?;
        assert_eq!(welcome["part"], "other_party", "{welcome}");
        let guest_id = id_of(&welcome)?;
        assert_eq!(
            peers_of(&welcome)?,
            BTreeSet::from([peer(resident_id, "resident"), peer(mediator_id, "mediator")])
        );
        let joined = expect(&mut resident_ws, "joined").await?;
        assert_eq!(joined["id"], guest_id, "{joined}");
        assert_eq!(joined["part"], "other_party", "{joined}");
        match video::redeem(db, code, &token, Utc::now()).await {
            Err(domain::Error::Invalid("video-invite-used")) => {}
            other => panic!("a used invitation redeemed again: {other:?}"),
        }
        match video::redeem(db, code, "not-a-code-anyone-made", Utc::now()).await {
            Err(domain::Error::Invalid("video-invite-unknown")) => {}
            other => panic!("a made-up invitation: {other:?}"),
        }

        // A guest key lets its holder into that case only.
        let second = open_case(db, OTHER_RESIDENT).await?;
        assert_eq!(
            live.refused(&second.code, &guest).await?.0,
            StatusCode::NOT_FOUND,
            "the guest of one case at another"
        );

        // Rooms open ten minutes before the slot, and only for video mediations.
        let later = case(db, RESIDENT, "video", chrono::Duration::hours(3)).await?;
        assert_eq!(
            live.refused(&later.code, &resident).await?,
            (StatusCode::CONFLICT, "video-too-early".to_owned())
        );
        let in_person = case(db, RESIDENT, "in_person", chrono::Duration::minutes(7)).await?;
        assert_eq!(
            live.refused(&in_person.code, &resident).await?,
            (StatusCode::CONFLICT, "video-not-video".to_owned())
        );
        assert_eq!(
            live.refused("NO-SUCH-CASE", &resident).await?.0,
            StatusCode::NOT_FOUND
        );
        Ok(())
    })
}

// 2. Signals stay within their room.

#[test]
fn signals_reach_only_the_peer_of_the_same_room() -> TestResult {
    run(async {
        let live = live().await?;
        let db = &live.db;
        let room_a = open_case(db, RESIDENT).await?;
        let room_b = case(db, OTHER_RESIDENT, "video", chrono::Duration::minutes(6)).await?;

        let (mut mediator_ws, welcome) = live.join_as(&room_a.code, MEDIATOR).await?;
        let mediator_id = id_of(&welcome)?;
        let (mut outsider_ws, welcome) = live.join_as(&room_b.code, OTHER_RESIDENT).await?;
        let outsider_id = id_of(&welcome)?;
        let (mut resident_ws, welcome) = live.join_as(&room_a.code, RESIDENT).await?;
        let resident_id = id_of(&welcome)?;
        expect(&mut mediator_ws, "joined").await?;

        // Addressed to a peer of another room: dropped.
        let stolen = json!({ "type": "offer", "sdp": "v=0 for the other room" });
        send(
            &mut resident_ws,
            json!({ "type": "signal", "to": outsider_id, "data": stolen }),
        )
        .await?;
        send(
            &mut outsider_ws,
            json!({ "type": "signal", "to": resident_id, "data": stolen }),
        )
        .await?;
        // Addressed to a peer of the same room: relayed as it was, with who sent it.
        let offer = json!({ "type": "offer", "sdp": "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\n" });
        send(
            &mut resident_ws,
            json!({ "type": "signal", "to": mediator_id, "data": offer }),
        )
        .await?;
        let signal = expect(&mut mediator_ws, "signal").await?;
        assert_eq!(signal["from"], resident_id, "{signal}");
        assert_eq!(signal["data"], offer, "{signal}");
        let candidate =
            json!({ "candidate": "candidate:1 1 udp 2122260223 10.0.0.2 54321 typ host" });
        send(
            &mut mediator_ws,
            json!({ "type": "signal", "to": resident_id, "data": candidate }),
        )
        .await?;
        let signal = expect(&mut resident_ws, "signal").await?;
        assert_eq!(signal["from"], mediator_id, "{signal}");
        assert_eq!(signal["data"], candidate, "{signal}");

        quiet(&mut outsider_ws).await?;
        quiet(&mut resident_ws).await?;
        quiet(&mut mediator_ws).await?;
        Ok(())
    })
}

// 3. Leaving, and the limit of four.

#[test]
fn leaving_peers_are_forgotten_and_a_room_holds_four() -> TestResult {
    run(async {
        let live = live().await?;
        let db = &live.db;
        let case = open_case(db, RESIDENT).await?;
        let code = case.code.as_str();
        let room_id = main_room(db).await?;
        let second_mediator = domain::accounts::add_user(
            db,
            "13900000150",
            Some(DEMO_PASSWORD),
            &[Role::Mediator],
            Utc::now(),
        )
        .await?;
        domain::mediation::schedule::assign(db, room_id, second_mediator.user.id).await?;

        let resident = live.session(RESIDENT).await?;
        let (mut resident_ws, welcome) = live.join(code, &resident).await?;
        let resident_id = id_of(&welcome)?;
        let (mut mediator_ws, welcome) = live.join_as(code, MEDIATOR).await?;
        let mediator_id = id_of(&welcome)?;
        let (_token, guest) = invited_guest(db, code).await?;
        let (guest_ws, welcome) = live.join(code, &guest).await?;
        let guest_id = id_of(&welcome)?;
        let (mut colleague_ws, welcome) = live.join_as(code, "13900000150").await?;
        let colleague_id = id_of(&welcome)?;
        assert_eq!(welcome["part"], "mediator", "{welcome}");
        assert_eq!(peers_of(&welcome)?.len(), 3, "{welcome}");
        for _ in 0..3 {
            expect(&mut resident_ws, "joined").await?;
        }
        for _ in 0..2 {
            expect(&mut mediator_ws, "joined").await?;
        }

        // Four are in: a fifth is turned away, whoever it is.
        assert_eq!(
            live.refused(code, &resident).await?,
            (StatusCode::CONFLICT, "video-room-full".to_owned()),
            "the resident's second tab"
        );
        let (_token, second_guest) = invited_guest(db, code).await?;
        assert_eq!(
            live.refused(code, &second_guest).await?,
            (StatusCode::CONFLICT, "video-room-full".to_owned()),
            "a second invited guest"
        );

        // The guest's connection drops without a goodbye; the colleague closes politely.
        drop(guest_ws);
        for ws in [&mut resident_ws, &mut mediator_ws, &mut colleague_ws] {
            let left = expect(ws, "left").await?;
            assert_eq!(left["id"], guest_id, "{left}");
        }
        colleague_ws.close(None).await?;
        for ws in [&mut resident_ws, &mut mediator_ws] {
            let left = expect(ws, "left").await?;
            assert_eq!(left["id"], colleague_id, "{left}");
        }

        // A newcomer sees only those still there, and there is room for them again.
        let (mut newcomer_ws, welcome) = live.join(code, &second_guest).await?;
        assert_eq!(
            peers_of(&welcome)?,
            BTreeSet::from([peer(resident_id, "resident"), peer(mediator_id, "mediator")])
        );
        let newcomer_id = id_of(&welcome)?;
        for ws in [&mut resident_ws, &mut mediator_ws] {
            let joined = expect(ws, "joined").await?;
            assert_eq!(joined["id"], newcomer_id, "{joined}");
        }

        // When everyone has gone the room is empty.
        drop(resident_ws);
        drop(mediator_ws);
        expect(&mut newcomer_ws, "left").await?;
        expect(&mut newcomer_ws, "left").await?;
        drop(newcomer_ws);
        let mut welcome = Value::Null;
        for _ in 0..50 {
            // The last peer's leaving is noticed a moment after its socket drops.
            let (ws, fresh) = live.join(code, &resident).await?;
            welcome = fresh;
            if welcome["peers"] == json!([]) {
                break;
            }
            drop(ws);
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        assert_eq!(welcome["peers"], json!([]), "{welcome}");
        Ok(())
    })
}

// 4. The chat.

#[test]
fn chat_reaches_every_peer_and_is_kept_with_the_case() -> TestResult {
    run(async {
        let live = live().await?;
        let db = &live.db;
        let case = open_case(db, RESIDENT).await?;
        let code = case.code.as_str();
        let resident = live.session(RESIDENT).await?;
        let (mut resident_ws, _) = live.join(code, &resident).await?;
        let (mut mediator_ws, _) = live.join_as(code, MEDIATOR).await?;
        let (_token, guest) = invited_guest(db, code).await?;
        let (mut guest_ws, _) = live.join(code, &guest).await?;
        expect(&mut resident_ws, "joined").await?;
        expect(&mut resident_ws, "joined").await?;
        expect(&mut mediator_ws, "joined").await?;

        let lines = [
            ("resident", "您好，我是楼下的住户。"),
            ("mediator", "大家好，我们开始吧。"),
            ("other_party", "我是楼上的，水管已经修了。"),
        ];
        for (author, body) in lines {
            let speaker = match author {
                "resident" => &mut resident_ws,
                "mediator" => &mut mediator_ws,
                _ => &mut guest_ws,
            };
            send(speaker, json!({ "type": "chat", "text": body })).await?;
            for ws in [&mut resident_ws, &mut mediator_ws, &mut guest_ws] {
                let chat = expect(ws, "chat").await?;
                assert_eq!(chat["author"], author, "{chat}");
                assert_eq!(chat["body"], body, "{chat}");
                assert!(
                    chat["at"].as_str().is_some_and(|at| !at.is_empty()),
                    "{chat}"
                );
            }
        }

        // Nothing, or too much, is refused to the sender only and not kept.
        send(&mut resident_ws, json!({ "type": "chat", "text": "  \n " })).await?;
        let error = expect(&mut resident_ws, "error").await?;
        assert_eq!(error["code"], "video-chat-length", "{error}");
        send(
            &mut mediator_ws,
            json!({ "type": "chat", "text": "长".repeat(501) }),
        )
        .await?;
        let error = expect(&mut mediator_ws, "error").await?;
        assert_eq!(error["code"], "video-chat-length", "{error}");
        quiet(&mut guest_ws).await?;
        quiet(&mut resident_ws).await?;

        let kept = video::chat(db, case.id).await?;
        let kept: Vec<(&str, &str)> = kept
            .iter()
            .map(|line| (line.author.as_str(), line.body.as_str()))
            .collect();
        assert_eq!(kept, lines.to_vec());
        let resident_user = account(db, RESIDENT).await?.user.id;
        let authors: Vec<Option<i32>> = video::chat(db, case.id)
            .await?
            .iter()
            .map(|line| line.user_id)
            .collect();
        assert_eq!(authors[0], Some(resident_user));
        assert_eq!(authors[2], None, "the guest has no account");

        // Whoever joins later reads what was said.
        drop(resident_ws);
        expect(&mut mediator_ws, "left").await?;
        let (_again, welcome) = live.join(code, &resident).await?;
        let shown: Vec<(&str, &str)> = welcome["chat"]
            .as_array()
            .ok_or("no chat in the welcome")?
            .iter()
            .map(|line| {
                (
                    line["author"].as_str().unwrap_or_default(),
                    line["body"].as_str().unwrap_or_default(),
                )
            })
            .collect();
        assert_eq!(shown, lines.to_vec());
        Ok(())
    })
}

// 5. The mediator's powers.

#[test]
fn the_mediator_removes_a_peer_and_a_resident_cannot() -> TestResult {
    run(async {
        let live = live().await?;
        let db = &live.db;
        let case = open_case(db, RESIDENT).await?;
        let code = case.code.as_str();
        let resident = live.session(RESIDENT).await?;
        let (mut resident_ws, welcome) = live.join(code, &resident).await?;
        let resident_id = id_of(&welcome)?;
        let (mut mediator_ws, welcome) = live.join_as(code, MEDIATOR).await?;
        let mediator_id = id_of(&welcome)?;
        let (_token, guest) = invited_guest(db, code).await?;
        let (mut guest_ws, welcome) = live.join(code, &guest).await?;
        let guest_id = id_of(&welcome)?;
        expect(&mut resident_ws, "joined").await?;
        expect(&mut resident_ws, "joined").await?;
        expect(&mut mediator_ws, "joined").await?;

        // A resident may neither remove nor end.
        send(
            &mut resident_ws,
            json!({ "type": "remove", "peer": guest_id }),
        )
        .await?;
        send(&mut resident_ws, json!({ "type": "end" })).await?;
        quiet(&mut guest_ws).await?;
        quiet(&mut mediator_ws).await?;
        quiet(&mut resident_ws).await?;
        assert!(
            !video::ended(db, case.id).await?,
            "a resident ended the session"
        );
        // All three are still in the room and still hear each other.
        for (ws, to) in [(&mut mediator_ws, guest_id), (&mut guest_ws, resident_id)] {
            send(ws, json!({ "type": "signal", "to": to, "data": "ping" })).await?;
        }
        assert_eq!(expect(&mut guest_ws, "signal").await?["from"], mediator_id);
        assert_eq!(expect(&mut resident_ws, "signal").await?["from"], guest_id);

        // The mediator removes the guest, who is told and let go, and may not come back.
        send(
            &mut mediator_ws,
            json!({ "type": "remove", "peer": guest_id }),
        )
        .await?;
        expect(&mut guest_ws, "removed").await?;
        closes(&mut guest_ws).await?;
        for ws in [&mut resident_ws, &mut mediator_ws] {
            let left = expect(ws, "left").await?;
            assert_eq!(left["id"], guest_id, "{left}");
        }
        quiet(&mut resident_ws).await?;
        assert_eq!(
            live.refused(code, &guest).await?,
            (StatusCode::CONFLICT, "video-removed".to_owned())
        );
        // The others stay.
        send(
            &mut resident_ws,
            json!({ "type": "chat", "text": "他走了。" }),
        )
        .await?;
        expect(&mut mediator_ws, "chat").await?;
        expect(&mut resident_ws, "chat").await?;
        Ok(())
    })
}

#[test]
fn the_mediator_ends_the_session_for_everyone() -> TestResult {
    run(async {
        let live = live().await?;
        let db = &live.db;
        let case = open_case(db, RESIDENT).await?;
        let code = case.code.as_str();
        let resident = live.session(RESIDENT).await?;
        let mediator = live.session(MEDIATOR).await?;
        let (mut resident_ws, _) = live.join(code, &resident).await?;
        let (mut mediator_ws, _) = live.join(code, &mediator).await?;
        let (_token, guest) = invited_guest(db, code).await?;
        let (mut guest_ws, _) = live.join(code, &guest).await?;
        expect(&mut resident_ws, "joined").await?;
        expect(&mut resident_ws, "joined").await?;
        expect(&mut mediator_ws, "joined").await?;

        send(&mut mediator_ws, json!({ "type": "end" })).await?;
        for (who, ws) in [("resident", &mut resident_ws), ("guest", &mut guest_ws)] {
            expect(ws, "ended")
                .await
                .map_err(|e| format!("the {who} is told the session ended: {e}"))?;
            closes(ws)
                .await
                .map_err(|e| format!("the {who}'s socket: {e}"))?;
        }
        assert!(video::ended(db, case.id).await?);
        for (who, cookie) in [
            ("resident", &resident),
            ("mediator", &mediator),
            ("guest", &guest),
        ] {
            assert_eq!(
                live.refused(code, cookie).await?,
                (StatusCode::CONFLICT, "video-ended".to_owned()),
                "the {who} after the end"
            );
        }
        Ok(())
    })
}

/// A removed peer is not heard any more, even before its browser answers the close: its
/// chat is not kept, its signals go nowhere, and the server does not wait for its answer.
#[test]
fn a_removed_peer_is_not_heard_any_more() -> TestResult {
    run(async {
        let live = live().await?;
        let db = &live.db;
        let case = open_case(db, RESIDENT).await?;
        let code = case.code.as_str();
        let (mut resident_ws, welcome) = live.join_as(code, RESIDENT).await?;
        let resident_id = id_of(&welcome)?;
        let (mut mediator_ws, _) = live.join_as(code, MEDIATOR).await?;
        let (_token, guest) = invited_guest(db, code).await?;
        let (mut guest_ws, welcome) = live.join(code, &guest).await?;
        let guest_id = id_of(&welcome)?;
        expect(&mut resident_ws, "joined").await?;
        expect(&mut resident_ws, "joined").await?;
        expect(&mut mediator_ws, "joined").await?;

        send(
            &mut mediator_ws,
            json!({ "type": "remove", "peer": guest_id }),
        )
        .await?;
        expect(&mut resident_ws, "left").await?;
        expect(&mut mediator_ws, "left").await?;
        // The guest's browser has not read the close frame yet (or ignores it) and keeps
        // talking; the server lets go of the connection, so a send may fail outright.
        let _sent = send(
            &mut guest_ws,
            json!({ "type": "chat", "text": "我还没走，还在说话。" }),
        )
        .await
        .is_ok();
        let _sent = send(
            &mut guest_ws,
            json!({ "type": "signal", "to": resident_id, "data": "still here" }),
        )
        .await
        .is_ok();
        quiet(&mut resident_ws).await?;
        quiet(&mut mediator_ws).await?;
        let kept = video::chat(db, case.id).await?;
        assert!(
            kept.iter().all(|line| line.author != "other_party"),
            "a removed guest's chat was kept: {kept:?}"
        );
        Ok(())
    })
}

/// Peers joining at the same moment all pass the check before the upgrade; the limit of four
/// holds because it is checked again as each is added.
#[test]
fn the_limit_of_four_holds_when_peers_join_at_once() -> TestResult {
    run(async {
        let live = live().await?;
        let db = &live.db;
        let resident = live.session(RESIDENT).await?;
        let mediator = live.session(MEDIATOR).await?;
        // The race is lost only now and then: several rooms, ten at once into each.
        for round in 0..5 {
            let case = open_case(db, RESIDENT).await?;
            let tasks: Vec<_> = (0..10)
                .map(|n| {
                    let cookie = if n % 2 == 0 { &resident } else { &mediator }.clone();
                    let (address, code) = (live.address, case.code.clone());
                    // Welcomed (the socket kept open), or turned away: a 409 before the
                    // upgrade, or "room full" after it. Anything else (a slow answer on a
                    // loaded machine included) fails the test rather than counting as a
                    // refusal.
                    tokio::spawn(async move {
                        let outcome = handshake(address, &code, &cookie)
                            .await
                            .map_err(|e| e.to_string())?;
                        match outcome {
                            Ok(mut ws) => {
                                let first = receive(&mut ws).await.map_err(|e| e.to_string())?;
                                if first["type"] == "welcome" {
                                    Ok(Some(ws))
                                } else if first["code"] == "video-room-full" {
                                    Ok(None)
                                } else {
                                    Err(format!("neither welcomed nor turned away: {first}"))
                                }
                            }
                            Err(tungstenite::Error::Http(response))
                                if response.status() == StatusCode::CONFLICT =>
                            {
                                Ok(None)
                            }
                            Err(e) => Err(format!("an attempt failed otherwise: {e}")),
                        }
                    })
                })
                .collect();
            let mut welcomed = Vec::new();
            for task in tasks {
                if let Some(ws) = task.await?? {
                    welcomed.push(ws);
                }
            }
            assert_eq!(
                welcomed.len(),
                MAX_PEERS,
                "round {round}: ten joined at once, a room holds {MAX_PEERS}"
            );
        }
        Ok(())
    })
}

/// The mediator who ends the session is told it ended, like everyone else (not "connection
/// lost").
#[test]
fn the_mediator_who_ends_the_session_is_told_it_ended() -> TestResult {
    run(async {
        let live = live().await?;
        let db = &live.db;
        let case = open_case(db, RESIDENT).await?;
        let code = case.code.as_str();
        let (mut resident_ws, _) = live.join_as(code, RESIDENT).await?;
        let (mut mediator_ws, _) = live.join_as(code, MEDIATOR).await?;
        expect(&mut resident_ws, "joined").await?;

        send(&mut mediator_ws, json!({ "type": "end" })).await?;
        expect(&mut resident_ws, "ended").await?;
        expect(&mut mediator_ws, "ended").await?;
        closes(&mut mediator_ws).await?;
        Ok(())
    })
}

/// Once the session has ended, a peer whose browser has not yet read `ended` (or ignores it)
/// is not heard: nothing more is kept with the case.
#[test]
fn nothing_is_said_after_the_end() -> TestResult {
    run(async {
        let live = live().await?;
        let db = &live.db;
        let case = open_case(db, RESIDENT).await?;
        let code = case.code.as_str();
        let (mut resident_ws, _) = live.join_as(code, RESIDENT).await?;
        let (mut mediator_ws, _) = live.join_as(code, MEDIATOR).await?;
        let (_token, guest) = invited_guest(db, code).await?;
        let (mut guest_ws, _) = live.join(code, &guest).await?;
        expect(&mut mediator_ws, "joined").await?;

        send(&mut mediator_ws, json!({ "type": "end" })).await?;
        expect(&mut guest_ws, "ended").await?;
        assert!(video::ended(db, case.id).await?);
        // The resident's browser has not read `ended` yet.
        send(
            &mut resident_ws,
            json!({ "type": "chat", "text": "等一下，我还有话要说。" }),
        )
        .await?;
        tokio::time::sleep(QUIET).await;
        let kept = video::chat(db, case.id).await?;
        assert!(kept.is_empty(), "chat kept after the end: {kept:?}");
        Ok(())
    })
}
