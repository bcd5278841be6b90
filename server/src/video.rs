//! Signalling for video mediation: a WebSocket per participant at
//! `/mediation/video/{code}/ws`. The server checks who joins (the resident, the room's
//! mediators, the other party with a redeemed invitation, in the room's opening hours), and
//! relays offers, answers and ICE candidates only between peers of the same room; audio and
//! video go browser to browser (WebRTC, a mesh of at most four) and never through here. The
//! text chat is kept with the case. Rooms live in this process: a deployment with several
//! processes routes one case's sockets to one of them.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};

use axum::Extension;
use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use domain::mediation::video::{self, Part, Participant};
use serde_json::{Value, json};
use tokio::sync::mpsc;

use app::state::AppState;

pub use app::mediation::video::GUEST_COOKIE;

/// Peers in one room at most: a mesh of four is what phones can carry.
pub const MAX_PEERS: usize = 4;

struct Peer {
    part: Part,
    /// Who it is, to keep a removed person out: the user id, or the start of the guest key
    /// (cookie values are ASCII, so the cut falls between characters).
    identity: String,
    tx: mpsc::UnboundedSender<Message>,
}

#[derive(Default)]
struct Room {
    peers: HashMap<u64, Peer>,
    removed: HashSet<String>,
}

impl Room {
    fn tell(&self, message: &Value) {
        for peer in self.peers.values() {
            let _gone = peer.tx.send(Message::text(message.to_string()));
        }
    }
}

/// Every room of this process.
#[derive(Default)]
pub struct Rooms {
    rooms: Mutex<HashMap<String, Room>>,
    next_id: std::sync::atomic::AtomicU64,
}

impl Rooms {
    fn with<T>(&self, f: impl FnOnce(&mut HashMap<String, Room>) -> T) -> T {
        // A panic while holding the lock cannot leave a room half-changed in a way that
        // matters more than losing the rooms: carry on with what is there.
        let mut rooms = match self.rooms.lock() {
            Ok(guard) => guard,
            Err(poisoned) => poisoned.into_inner(),
        };
        f(&mut rooms)
    }

    fn send(&self, code: &str, to: u64, message: &Value) {
        self.with(|rooms| {
            if let Some(peer) = rooms.get(code).and_then(|r| r.peers.get(&to)) {
                let _gone = peer.tx.send(Message::text(message.to_string()));
            }
        });
    }

    fn broadcast(&self, code: &str, message: &Value) {
        self.with(|rooms| {
            if let Some(room) = rooms.get(code) {
                room.tell(message);
            }
        });
    }

    /// Peers now in a room, for tests and the health of a deployment.
    pub fn count(&self, code: &str) -> usize {
        self.with(|rooms| rooms.get(code).map_or(0, |r| r.peers.len()))
    }
}

fn refusal(error: domain::Error) -> Response {
    match error {
        domain::Error::NotFound => StatusCode::NOT_FOUND.into_response(),
        domain::Error::Forbidden => StatusCode::FORBIDDEN.into_response(),
        domain::Error::Unauthorized => StatusCode::UNAUTHORIZED.into_response(),
        domain::Error::Invalid(code) | domain::Error::Throttled(code) => {
            (StatusCode::CONFLICT, code).into_response()
        }
        domain::Error::Db(e) => {
            tracing::error!(%e, "video join");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
        domain::Error::Internal(e) => {
            tracing::error!(e, "video join");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

/// Who the request is: a signed-in participant, or the other party by their guest key.
async fn participant(
    state: &AppState,
    headers: &HeaderMap,
    code: &str,
) -> Result<(Participant, String), Response> {
    let now = chrono::Utc::now();
    if let Ok(account) = crate::my_data::signed_in(state, headers).await {
        let identity = format!("user:{}", account.user.id);
        return video::join(&state.db, &account, code, &state.video, now)
            .await
            .map(|p| (p, identity))
            .map_err(refusal);
    }
    let guest = state
        .cookies
        .get(headers, GUEST_COOKIE)
        .ok_or_else(|| StatusCode::UNAUTHORIZED.into_response())?;
    let identity = format!("guest:{}", &guest[..guest.len().min(16)]);
    video::join_as_guest(&state.db, code, &guest, &state.video, now)
        .await
        .map(|p| (p, identity))
        .map_err(refusal)
}

pub async fn socket(
    State(state): State<AppState>,
    Extension(rooms): Extension<Arc<Rooms>>,
    Path(code): Path<String>,
    headers: HeaderMap,
    upgrade: WebSocketUpgrade,
) -> Response {
    let code = code.trim().to_ascii_uppercase();
    let (participant, identity) = match participant(&state, &headers, &code).await {
        Ok(found) => found,
        Err(response) => return response,
    };
    let refused = rooms.with(|all| {
        all.get(&code).and_then(|room| {
            if room.removed.contains(&identity) {
                Some("video-removed")
            } else if room.peers.len() >= MAX_PEERS {
                Some("video-room-full")
            } else {
                None
            }
        })
    });
    if let Some(why) = refused {
        return (StatusCode::CONFLICT, why).into_response();
    }
    upgrade.on_upgrade(move |socket| serve(socket, state, rooms, code, participant, identity))
}

async fn serve(
    socket: WebSocket,
    state: AppState,
    rooms: Arc<Rooms>,
    code: String,
    participant: Participant,
    identity: String,
) {
    use futures_util::{SinkExt, StreamExt};

    let (mut outgoing, mut incoming) = socket.split();
    let (tx, mut rx) = mpsc::unbounded_channel::<Message>();
    let id = rooms
        .next_id
        .fetch_add(1, std::sync::atomic::Ordering::Relaxed)
        + 1;
    let chat = video::chat(&state.db, participant.case.id)
        .await
        .unwrap_or_default()
        .into_iter()
        .map(|line| json!({ "author": line.author, "body": line.body, "at": domain::time::format_local(line.at) }))
        .collect::<Vec<_>>();
    let ice: Value = serde_json::from_str(&state.ice_servers).unwrap_or_else(|_| json!([]));
    // The limit is checked again as the peer is added: joins at the same moment all passed
    // the check before the upgrade. The welcome and the others' "joined" go out under the
    // same lock, so each of two peers joining at once either lists the other in its welcome
    // or hears it join afterwards — never a "joined" before its own welcome.
    let joined: Result<(), &str> = rooms.with(|all| {
        let room = all.entry(code.clone()).or_default();
        if room.removed.contains(&identity) {
            return Err("video-removed");
        }
        if room.peers.len() >= MAX_PEERS {
            return Err("video-room-full");
        }
        let others: Vec<Value> = room
            .peers
            .iter()
            .map(|(peer, p)| json!({ "id": peer, "part": p.part.as_str() }))
            .collect();
        let _gone = tx.send(Message::text(
            json!({
                "type": "welcome",
                "id": id,
                "part": participant.part.as_str(),
                "peers": others,
                "chat": chat,
                "ice": ice,
            })
            .to_string(),
        ));
        room.tell(&json!({ "type": "joined", "id": id, "part": participant.part.as_str() }));
        room.peers.insert(
            id,
            Peer {
                part: participant.part,
                identity: identity.clone(),
                tx: tx.clone(),
            },
        );
        Ok(())
    });
    if let Err(why) = joined {
        let refusal = json!({ "type": "error", "code": why }).to_string();
        let _closed = outgoing.send(Message::text(refusal)).await;
        let _closed = outgoing.send(Message::Close(None)).await;
        return;
    }

    let mut writer = tokio::spawn(async move {
        while let Some(message) = rx.recv().await {
            let close = matches!(message, Message::Close(_));
            if outgoing.send(message).await.is_err() || close {
                break;
            }
        }
    });
    drop(tx);

    let mut written_out = false;
    loop {
        let message = tokio::select! {
            next = incoming.next() => match next {
                Some(Ok(message)) => message,
                _ => break,
            },
            // The writer stops after a close (the peer was removed, or the session ended):
            // the peer is done even if its browser never answers.
            _ = &mut writer => {
                written_out = true;
                break;
            }
        };
        let Message::Text(text) = message else {
            continue;
        };
        let Ok(message) = serde_json::from_str::<Value>(text.as_str()) else {
            continue;
        };
        // A peer that was removed, or whose session ended, is not heard any more, even
        // before its browser answers the close.
        if !rooms.with(|all| all.get(&code).is_some_and(|r| r.peers.contains_key(&id))) {
            break;
        }
        if !handle(&state, &rooms, &code, id, &participant, &message).await {
            break;
        }
    }

    let left = rooms.with(|all| {
        let Some(room) = all.get_mut(&code) else {
            return false;
        };
        let left = room.peers.remove(&id).is_some();
        if room.peers.is_empty() && room.removed.is_empty() {
            all.remove(&code);
        }
        left
    });
    if left {
        rooms.broadcast(&code, &json!({ "type": "left", "id": id }));
    }
    // The writer ends once every sender is gone; what is queued (such as "ended" for the
    // mediator who ended the session) is delivered first, within a second.
    if !written_out
        && tokio::time::timeout(std::time::Duration::from_secs(1), &mut writer)
            .await
            .is_err()
    {
        tracing::debug!("a video peer's writer did not finish in time");
        writer.abort();
    }
}

/// One message from a peer; false when the peer's connection should close.
async fn handle(
    state: &AppState,
    rooms: &Rooms,
    code: &str,
    id: u64,
    participant: &Participant,
    message: &Value,
) -> bool {
    let now = chrono::Utc::now();
    match message["type"].as_str() {
        // Offers, answers and candidates go to one peer of this room, never elsewhere.
        Some("signal") => {
            if let Some(to) = message["to"].as_u64() {
                rooms.send(
                    code,
                    to,
                    &json!({ "type": "signal", "from": id, "data": message["data"] }),
                );
            }
            true
        }
        Some("chat") => {
            let text = message["text"].as_str().unwrap_or_default();
            match video::say(&state.db, participant, text, now).await {
                Ok(line) => rooms.broadcast(
                    code,
                    &json!({
                        "type": "chat",
                        "author": line.author,
                        "body": line.body,
                        "at": domain::time::format_local(line.at),
                    }),
                ),
                Err(domain::Error::Invalid(why)) => {
                    rooms.send(code, id, &json!({ "type": "error", "code": why }))
                }
                Err(e) => tracing::warn!(%e, "video chat"),
            }
            true
        }
        Some("remove") if participant.part == Part::Mediator => {
            if let Some(peer) = message["peer"].as_u64() {
                let gone = rooms.with(|all| {
                    let room = all.get_mut(code)?;
                    let peer = room.peers.remove(&peer)?;
                    room.removed.insert(peer.identity.clone());
                    Some(peer)
                });
                if let Some(gone) = gone {
                    let _closed = gone
                        .tx
                        .send(Message::text(json!({ "type": "removed" }).to_string()));
                    let _closed = gone.tx.send(Message::Close(None));
                    rooms.broadcast(code, &json!({ "type": "left", "id": peer }));
                }
            }
            true
        }
        Some("end") if participant.part == Part::Mediator => {
            if let Err(e) = video::end(&state.db, participant, now).await {
                tracing::warn!(%e, "ending a video session");
                return true;
            }
            let peers = rooms.with(|all| all.remove(code).map(|r| r.peers).unwrap_or_default());
            for peer in peers.values() {
                let _closed = peer
                    .tx
                    .send(Message::text(json!({ "type": "ended" }).to_string()));
                let _closed = peer.tx.send(Message::Close(None));
            }
            false
        }
        _ => true,
    }
}
