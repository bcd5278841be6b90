//! Signalling for video mediation: a WebSocket per participant at
//! `/mediation/video/{code}/ws`. The server checks who joins (the resident, the room's
//! mediators, the other party with a redeemed invitation, in the room's opening hours), and
//! relays offers, answers and ICE candidates only between peers of the same room; audio and
//! video go browser to browser (WebRTC, a mesh of at most four) and never through here. The
//! text chat is kept with the case. Rooms live in this process: a deployment with several
//! processes routes one case's sockets to one of them.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Extension;
use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use domain::mediation::video::{self, Part, Participant};
use serde_json::{Value, json};
use tokio::sync::{mpsc, oneshot};

use app::state::AppState;

pub use app::mediation::video::GUEST_COOKIE;

/// Peers in one room at most: a mesh of four is what phones can carry.
pub const MAX_PEERS: usize = 4;

/// The largest message a peer may send: an offer with all its candidates is a
/// few kilobytes, a chat line 500 characters.
pub const MAX_MESSAGE_BYTES: usize = 64 * 1024;

/// Messages waiting for one peer. A peer this far behind has stopped reading (a frozen tab,
/// a phone out of signal): it is let go rather than the server holding more for it.
pub const QUEUE: usize = 64;

/// What a peer may send: a burst of `BURST` messages (the offers, answers and ICE
/// candidates of joining a full room), refilled by `PER_SECOND` each second. Beyond it the
/// peer is told (`video-too-fast`) and let go.
pub const BURST: u32 = 80;
pub const PER_SECOND: u32 = 20;

struct Peer {
    part: Part,
    /// Who it is, to keep a removed person out and to give each person one place: the user
    /// id, or the start of the guest key (cookie values are ASCII, so the cut falls between
    /// characters).
    identity: String,
    tx: mpsc::Sender<Message>,
    /// Dropped with the peer: its connection learns it has been let go (removed, replaced,
    /// fallen behind, the session ended) even while its own browser is silent.
    _in_room: oneshot::Sender<()>,
}

impl Peer {
    /// Queues a message; false when the queue is full. A closed queue is a peer already on
    /// its way out, which its own connection takes out of the room.
    fn queue(&self, message: &Value) -> bool {
        !matches!(
            self.tx.try_send(Message::text(message.to_string())),
            Err(mpsc::error::TrySendError::Full(_))
        )
    }

    /// The last word to a peer taken out of the room, then the close.
    fn dismiss(self, last: &Value) {
        if self.queue(last) {
            let _full_or_gone = self.tx.try_send(Message::Close(None));
        }
    }
}

#[derive(Default)]
struct Room {
    peers: HashMap<u64, Peer>,
    removed: HashSet<String>,
}

impl Room {
    /// Sends to every peer, or to one. Peers whose queue is full are let go, and the others
    /// told they left.
    fn tell(&mut self, to: Option<u64>, message: &Value) {
        let mut behind: Vec<u64> = self
            .peers
            .iter()
            .filter(|(id, peer)| to.is_none_or(|to| to == **id) && !peer.queue(message))
            .map(|(id, _)| *id)
            .collect();
        while let Some(gone) = behind.pop() {
            if self.peers.remove(&gone).is_none() {
                continue;
            }
            let left = json!({ "type": "left", "id": gone });
            behind.extend(
                self.peers
                    .iter()
                    .filter(|(_, peer)| !peer.queue(&left))
                    .map(|(id, _)| *id),
            );
        }
    }

    /// Takes a peer out of the room with a last word to it, and tells the others.
    fn let_go(&mut self, id: u64, last: &Value) -> Option<String> {
        let peer = self.peers.remove(&id)?;
        let identity = peer.identity.clone();
        peer.dismiss(last);
        self.tell(None, &json!({ "type": "left", "id": id }));
        Some(identity)
    }

    fn is_full_for(&self, identity: &str) -> bool {
        self.peers.len() >= MAX_PEERS && self.peers.values().all(|p| p.identity != identity)
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
            if let Some(room) = rooms.get_mut(code) {
                room.tell(Some(to), message);
            }
        });
    }

    fn broadcast(&self, code: &str, message: &Value) {
        self.with(|rooms| {
            if let Some(room) = rooms.get_mut(code) {
                room.tell(None, message);
            }
        });
    }

    /// Takes a peer out of its room with a last word (unless it has gone already).
    fn let_go(&self, code: &str, id: u64, last: &Value) {
        self.with(|rooms| {
            if let Some(room) = rooms.get_mut(code) {
                room.let_go(id, last);
            }
        });
    }

    /// Peers now in a room, for tests and the health of a deployment.
    pub fn count(&self, code: &str) -> usize {
        self.with(|rooms| rooms.get(code).map_or(0, |r| r.peers.len()))
    }
}

/// How a peer proved who it is; kept to check again while the socket lives.
enum Credential {
    Session(String),
    Guest(String),
}

impl Credential {
    fn identity(&self, participant: &Participant) -> String {
        match (participant.user_id, self) {
            (Some(user), _) => format!("user:{user}"),
            (None, Credential::Session(key) | Credential::Guest(key)) => {
                format!("guest:{}", &key[..key.len().min(16)])
            }
        }
    }
}

/// Whether the request comes from a page of the portal: its `Origin` is the public address.
/// A browser names the origin of every WebSocket it opens; another site's page could
/// otherwise open this socket with the visitor's cookies.
fn from_the_site(public_url: &str, headers: &HeaderMap) -> bool {
    fn parts(url: &str) -> Option<(String, String, u16)> {
        let uri: Uri = url.parse().ok()?;
        let scheme = uri.scheme_str()?.to_ascii_lowercase();
        let port = uri.port_u16().or(match scheme.as_str() {
            "http" => Some(80),
            "https" => Some(443),
            _ => None,
        })?;
        if uri.path_and_query().is_some_and(|p| p.as_str() != "/") {
            return None;
        }
        Some((scheme, uri.host()?.to_ascii_lowercase(), port))
    }
    headers
        .get(header::ORIGIN)
        .and_then(|origin| origin.to_str().ok())
        .and_then(parts)
        .is_some_and(|origin| parts(public_url).is_some_and(|site| site == origin))
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

/// Lets a peer in (again): the case's resident or mediator by their session, the other party
/// by their guest key — each only while the room is open.
async fn admit(
    state: &AppState,
    credential: &Credential,
    code: &str,
) -> Result<Participant, domain::Error> {
    let now = chrono::Utc::now();
    match credential {
        Credential::Session(token) => {
            let account = domain::accounts::session_account(&state.db, token, state.sessions, now)
                .await?
                .ok_or(domain::Error::Unauthorized)?;
            video::join(&state.db, &account, code, &state.video, now).await
        }
        Credential::Guest(key) => {
            video::join_as_guest(&state.db, code, key, &state.video, now).await
        }
    }
}

/// Who the request is: a signed-in participant, or the other party by their guest key.
async fn participant(
    state: &AppState,
    headers: &HeaderMap,
    code: &str,
) -> Result<(Participant, Credential), Response> {
    if let Some(token) = state
        .cookies
        .get(headers, app::accounts::ssr::SESSION_COOKIE)
    {
        let credential = Credential::Session(token);
        match admit(state, &credential, code).await {
            // A session that has ended leaves the guest key, if there is one.
            Err(domain::Error::Unauthorized) => {}
            joined => return joined.map(|p| (p, credential)).map_err(refusal),
        }
    }
    let guest = state
        .cookies
        .get(headers, GUEST_COOKIE)
        .ok_or_else(|| StatusCode::UNAUTHORIZED.into_response())?;
    let credential = Credential::Guest(guest);
    admit(state, &credential, code)
        .await
        .map(|p| (p, credential))
        .map_err(refusal)
}

pub async fn socket(
    State(state): State<AppState>,
    Extension(rooms): Extension<Arc<Rooms>>,
    Path(code): Path<String>,
    headers: HeaderMap,
    upgrade: WebSocketUpgrade,
) -> Response {
    if !from_the_site(&state.public_url, &headers) {
        tracing::warn!(origin = ?headers.get(header::ORIGIN), "a video socket from another origin");
        return StatusCode::FORBIDDEN.into_response();
    }
    let code = code.trim().to_ascii_uppercase();
    let (participant, credential) = match participant(&state, &headers, &code).await {
        Ok(found) => found,
        Err(response) => return response,
    };
    let identity = credential.identity(&participant);
    let refused = rooms.with(|all| {
        all.get(&code).and_then(|room| {
            if room.removed.contains(&identity) {
                Some("video-removed")
            } else if room.is_full_for(&identity) {
                Some("video-room-full")
            } else {
                None
            }
        })
    });
    if let Some(why) = refused {
        return (StatusCode::CONFLICT, why).into_response();
    }
    upgrade
        .max_message_size(MAX_MESSAGE_BYTES)
        .max_frame_size(MAX_MESSAGE_BYTES)
        .on_upgrade(move |socket| serve(socket, state, rooms, code, participant, credential))
}

/// A peer's allowance of messages (a token bucket).
struct Allowance {
    left: f64,
    at: Instant,
}

impl Allowance {
    fn new() -> Self {
        Allowance {
            left: f64::from(BURST),
            at: Instant::now(),
        }
    }

    fn take(&mut self) -> bool {
        let now = Instant::now();
        let earned = now.duration_since(self.at).as_secs_f64() * f64::from(PER_SECOND);
        self.left = (self.left + earned).min(f64::from(BURST));
        self.at = now;
        if self.left < 1.0 {
            return false;
        }
        self.left -= 1.0;
        true
    }
}

/// Why a peer is let go, as the last message it is sent.
fn closed(code: &str) -> Value {
    json!({ "type": "closed", "code": code })
}

/// The refusal of a peer checked again, as the code it is told; none for a fault of ours
/// (logged), which does not end anyone's call.
fn recheck_refusal(error: domain::Error) -> Option<&'static str> {
    match error {
        domain::Error::Unauthorized => Some("video-signed-out"),
        domain::Error::Invalid(code) => Some(code),
        domain::Error::NotFound | domain::Error::Forbidden | domain::Error::Throttled(_) => {
            Some("video-refused")
        }
        domain::Error::Db(e) => {
            tracing::error!(%e, "checking a video peer again");
            None
        }
        domain::Error::Internal(e) => {
            tracing::error!(e, "checking a video peer again");
            None
        }
    }
}

async fn serve(
    socket: WebSocket,
    state: AppState,
    rooms: Arc<Rooms>,
    code: String,
    participant: Participant,
    credential: Credential,
) {
    use futures_util::{SinkExt, StreamExt};

    let (mut outgoing, mut incoming) = socket.split();
    let (tx, mut rx) = mpsc::channel::<Message>(QUEUE);
    let (in_room, mut let_go) = oneshot::channel::<()>();
    let identity = credential.identity(&participant);
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
    // or hears it join afterwards — never a "joined" before its own welcome. The same
    // person's earlier connection gives its place to this one.
    let joined: Result<(), &str> = rooms.with(|all| {
        let room = all.entry(code.clone()).or_default();
        if room.removed.contains(&identity) {
            return Err("video-removed");
        }
        if room.is_full_for(&identity) {
            return Err("video-room-full");
        }
        let earlier: Vec<u64> = room
            .peers
            .iter()
            .filter(|(_, p)| p.identity == identity)
            .map(|(peer, _)| *peer)
            .collect();
        for peer in earlier {
            room.let_go(peer, &closed("video-replaced"));
        }
        let others: Vec<Value> = room
            .peers
            .iter()
            .map(|(peer, p)| json!({ "id": peer, "part": p.part.as_str() }))
            .collect();
        let welcome = json!({
            "type": "welcome",
            "id": id,
            "part": participant.part.as_str(),
            "peers": others,
            "chat": chat,
            "ice": ice,
        });
        let _queued = tx.try_send(Message::text(welcome.to_string()));
        room.tell(
            None,
            &json!({ "type": "joined", "id": id, "part": participant.part.as_str() }),
        );
        room.peers.insert(
            id,
            Peer {
                part: participant.part,
                identity: identity.clone(),
                tx: tx.clone(),
                _in_room: in_room,
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

    let mut allowance = Allowance::new();
    let mut recheck = tokio::time::interval_at(
        tokio::time::Instant::now() + state.video.recheck,
        state.video.recheck,
    );
    recheck.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut written_out = false;
    loop {
        let message = tokio::select! {
            next = incoming.next() => match next {
                Some(Ok(message)) => message,
                // Closed, broken, or a message over the limit.
                _ => break,
            },
            // Taken out of the room by someone else: what was queued for it goes out (the
            // writer has a second for that below), nothing more comes in.
            _ = &mut let_go => break,
            // The writer stops after a close (the peer was removed, or the session ended):
            // the peer is done even if its browser never answers.
            _ = &mut writer => {
                written_out = true;
                break;
            }
            _ = recheck.tick() => {
                if let Err(error) = admit(&state, &credential, &code).await
                    && let Some(why) = recheck_refusal(error)
                {
                    rooms.let_go(&code, id, &closed(why));
                    break;
                }
                continue;
            }
        };
        if !allowance.take() {
            rooms.let_go(&code, id, &closed("video-too-fast"));
            break;
        }
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
        // Nothing is relayed or kept for a peer who may no longer be there: signed out,
        // password changed, account gone, the room closed.
        let now_there = match admit(&state, &credential, &code).await {
            Ok(there) => there,
            Err(error) => match recheck_refusal(error) {
                Some(why) => {
                    rooms.let_go(&code, id, &closed(why));
                    break;
                }
                None => continue,
            },
        };
        if !handle(&state, &rooms, &code, id, &now_there, &message).await {
            break;
        }
    }

    let left = rooms.with(|all| {
        let Some(room) = all.get_mut(&code) else {
            return false;
        };
        let left = room.peers.remove(&id).is_some();
        if left {
            room.tell(None, &json!({ "type": "left", "id": id }));
        }
        if room.peers.is_empty() && room.removed.is_empty() {
            all.remove(&code);
        }
        left
    });
    if left {
        tracing::debug!(id, "a video peer left");
    }
    // The writer ends once every sender is gone; what is queued (such as "ended" for the
    // mediator who ended the session) is delivered first, within a second.
    if !written_out
        && tokio::time::timeout(Duration::from_secs(1), &mut writer)
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
                rooms.with(|all| {
                    if let Some(room) = all.get_mut(code)
                        && let Some(identity) = room.let_go(peer, &json!({ "type": "removed" }))
                    {
                        room.removed.insert(identity);
                    }
                });
            }
            true
        }
        Some("end") if participant.part == Part::Mediator => {
            if let Err(e) = video::end(&state.db, participant, now).await {
                tracing::warn!(%e, "ending a video session");
                return true;
            }
            let peers = rooms.with(|all| all.remove(code).map(|r| r.peers).unwrap_or_default());
            for peer in peers.into_values() {
                peer.dismiss(&json!({ "type": "ended" }));
            }
            false
        }
        _ => true,
    }
}
