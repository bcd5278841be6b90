// The video mediation room (/mediation/video/{code}): checks the camera and microphone,
// then joins a WebRTC mesh of at most four through the signalling socket of the portal's
// server. Loaded on this page only. Every word shown comes from the page's data-t-*
// attributes, which the server filled in the reader's language.

const root = document.getElementById("video-room");
root.querySelector(".needs-js")?.remove();
const say = (key) => root.dataset[`t${key.replace(/(^|-)(\w)/g, (_, __, c) => c.toUpperCase())}`] ?? "";
const $ = (selector) => root.querySelector(selector);

const preview = $("#preview");
const errorLine = $(".media-error");
const joinButton = $("#join");
const textButton = $("#join-text");
const roomPanel = $(".in-room");
const status = $(".status");
const videos = $("#videos");
const chatLog = $("#chat-log");
const chatForm = $("#chat-form");
const isMediator = root.dataset.part === "mediator";

let local = null;
let socket = null;
let me = null;
const peers = new Map();
let ice = [];

function showError(text) {
  errorLine.textContent = text;
  errorLine.hidden = false;
}

// The pre-join check: permission, a preview, a clear sentence when it fails.
async function check() {
  textButton.disabled = false;
  if (!navigator.mediaDevices?.getUserMedia || !window.RTCPeerConnection) {
    showError(say("insecure"));
    return;
  }
  try {
    local = await navigator.mediaDevices.getUserMedia({
      audio: true,
      video: { facingMode: "user", width: { ideal: 640 }, height: { ideal: 480 } },
    });
    preview.srcObject = local;
    joinButton.disabled = false;
  } catch (error) {
    const name = error?.name ?? "";
    if (name === "NotAllowedError" || name === "SecurityError") {
      showError(say("denied"));
    } else if (name === "NotFoundError" || name === "OverconstrainedError" || name === "NotReadableError") {
      showError(say("no-device"));
    } else {
      showError(say("failed"));
    }
  }
}

function send(message) {
  if (socket?.readyState === WebSocket.OPEN) {
    socket.send(JSON.stringify(message));
  }
}

function tile(id, part) {
  let figure = videos.querySelector(`[data-peer="${id}"]`);
  if (!figure) {
    figure = document.createElement("figure");
    figure.className = "tile remote";
    figure.dataset.peer = String(id);
    const video = document.createElement("video");
    video.autoplay = true;
    video.playsInline = true;
    const caption = document.createElement("figcaption");
    caption.textContent = say(part);
    figure.append(video, caption);
    if (isMediator) {
      const remove = document.createElement("button");
      remove.type = "button";
      remove.className = "button secondary";
      remove.textContent = say("remove");
      remove.addEventListener("click", () => send({ type: "remove", peer: id }));
      figure.append(remove);
    }
    videos.append(figure);
  }
  return figure;
}

function connection(id, part) {
  let peer = peers.get(id);
  if (peer) return peer;
  const pc = new RTCPeerConnection({ iceServers: ice });
  peer = { pc, part };
  peers.set(id, peer);
  for (const track of local?.getTracks() ?? []) pc.addTrack(track, local);
  // Without a camera this side still receives the others' audio and video.
  if (!local) {
    pc.addTransceiver("audio", { direction: "recvonly" });
    pc.addTransceiver("video", { direction: "recvonly" });
  }
  pc.onicecandidate = (event) => {
    if (event.candidate) send({ type: "signal", to: id, data: { candidate: event.candidate } });
  };
  pc.ontrack = (event) => {
    const video = tile(id, part).querySelector("video");
    if (video.srcObject !== event.streams[0]) video.srcObject = event.streams[0];
  };
  return peer;
}

async function offer(id, part) {
  const { pc } = connection(id, part);
  await pc.setLocalDescription(await pc.createOffer());
  send({ type: "signal", to: id, data: { description: pc.localDescription } });
}

async function signal(from, data) {
  const { pc } = connection(from, peers.get(from)?.part ?? "");
  if (data.description) {
    await pc.setRemoteDescription(data.description);
    if (data.description.type === "offer") {
      await pc.setLocalDescription(await pc.createAnswer());
      send({ type: "signal", to: from, data: { description: pc.localDescription } });
    }
  } else if (data.candidate) {
    await pc.addIceCandidate(data.candidate).catch(() => {});
  }
}

function drop(id) {
  peers.get(id)?.pc.close();
  peers.delete(id);
  videos.querySelector(`[data-peer="${id}"]`)?.remove();
}

function chatLine(line) {
  const item = document.createElement("li");
  const who = document.createElement("strong");
  who.textContent = say(line.author);
  const when = document.createElement("span");
  when.className = "meta";
  when.textContent = ` ${line.at}`;
  item.append(who, when, document.createElement("br"), document.createTextNode(line.body));
  chatLog.append(item);
  item.scrollIntoView({ block: "nearest" });
}

function finish(text) {
  for (const id of [...peers.keys()]) drop(id);
  for (const track of local?.getTracks() ?? []) track.stop();
  status.textContent = text;
  chatForm.hidden = true;
  for (const button of root.querySelectorAll(".in-room .controls button")) button.disabled = true;
}

function join(withMedia) {
  if (!withMedia) {
    for (const track of local?.getTracks() ?? []) track.stop();
    local = null;
  }
  root.querySelector(".prejoin").hidden = true;
  roomPanel.hidden = false;
  chatForm.hidden = false;
  status.textContent = say("connecting");
  $("#local").srcObject = local;
  const scheme = location.protocol === "https:" ? "wss:" : "ws:";
  socket = new WebSocket(`${scheme}//${location.host}${root.dataset.ws}`);
  let ended = false;
  socket.addEventListener("message", async (event) => {
    const message = JSON.parse(event.data);
    switch (message.type) {
      case "welcome":
        me = message.id;
        ice = message.ice ?? [];
        status.textContent = "";
        chatLog.replaceChildren();
        for (const line of message.chat) chatLine(line);
        // The newcomer calls everyone already in the room.
        for (const peer of message.peers) await offer(peer.id, peer.part);
        break;
      case "joined":
        connection(message.id, message.part);
        tile(message.id, message.part);
        break;
      case "signal":
        await signal(message.from, message.data);
        break;
      case "left":
        drop(message.id);
        break;
      case "chat":
        chatLine(message);
        break;
      case "error":
        status.textContent = say(message.code.replace(/^video-/, ""));
        break;
      case "removed":
        ended = true;
        finish(say("removed"));
        break;
      case "ended":
        ended = true;
        finish(say("ended"));
        break;
      // Let go by the server: replaced by this person's newer tab, signed out, too many
      // messages, the room closed.
      case "closed":
        ended = true;
        finish(say(message.code.replace(/^video-/, "")) || say("refused"));
        break;
    }
  });
  socket.addEventListener("close", () => {
    if (!ended) finish(me === null ? say("refused") : say("lost"));
  });
}

$("#mute").addEventListener("click", (event) => {
  const track = local?.getAudioTracks()[0];
  if (!track) return;
  track.enabled = !track.enabled;
  event.target.textContent = say(track.enabled ? "mute" : "unmute");
});
$("#camera").addEventListener("click", (event) => {
  const track = local?.getVideoTracks()[0];
  if (!track) return;
  track.enabled = !track.enabled;
  event.target.textContent = say(track.enabled ? "camera-off" : "camera-on");
});
$("#leave").addEventListener("click", () => {
  socket?.close();
  finish(say("left"));
});
$("#end")?.addEventListener("click", () => send({ type: "end" }));
chatForm.addEventListener("submit", (event) => {
  event.preventDefault();
  const input = chatForm.elements.text;
  const text = input.value.trim();
  if (text) send({ type: "chat", text });
  input.value = "";
});
joinButton.addEventListener("click", () => join(true));
textButton.addEventListener("click", () => join(false));
check();
