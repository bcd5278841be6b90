#!/usr/bin/env python3
"""Proxy suite driver (see scripts/proxy-test.sh): nginx with deploy/nginx/portal.conf in
front of two portal processes on one PostgreSQL, reached over TLS from several loopback
addresses as different people. Checks what an operator is promised behind the proxy:

  * each process records the client's address: neither nginx's nor a forged one;
  * the sign-in throttle and the write limit count per client, in every process;
  * cookies are Secure with the __Host- prefix, HSTS is sent, http:// goes to https://,
    /metrics is not public, while Prometheus reads it from each process on loopback;
  * a POST from a sibling site (Sec-Fetch-Site: same-site) is refused;
  * a video room works across the two processes: all sockets of one case reach one process
    (whatever address they come from) while ordinary pages go to both;
  * the directory and the public pages each process keeps follow a write at the SQL prompt.

Every check runs, each failure is reported, and the exit status is 1 if any failed.
Standard library only.
"""

import argparse
import base64
import hashlib
import http.client
import json
import os
import random
import re
import socket
import ssl
import struct
import subprocess
import sys
import time
import urllib.parse
import zlib

DEMO_PASSWORD = "demo-2026-zbs"
RESIDENT = "13900000001"
OTHER_RESIDENT = "13900000002"
MEDIATOR = "13900000101"  # 老何, mediator of the main room 老何调解室
FORGED = "203.0.113.9"
WAIT = 20.0  # seconds any answer may take

# The certificate is a throwaway self-signed one: nothing to verify it against.
TLS = ssl.create_default_context()
TLS.check_hostname = False
TLS.verify_mode = ssl.CERT_NONE


class Failure(Exception):
    pass


def check(condition, message):
    if not condition:
        raise Failure(message)


def log(*parts):
    print("[proxy]", *parts, flush=True)


class Answer:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers  # list of (name, value)
        self.body = body

    def header(self, name):
        return next((v for k, v in self.headers if k.lower() == name.lower()), None)

    def all(self, name):
        return [v for k, v in self.headers if k.lower() == name.lower()]

    @property
    def location(self):
        return self.header("Location") or ""

    def __repr__(self):
        return f"{self.status} {self.location} {self.body[:200]!r}"


class Browser:
    """One person's browser at one source address, speaking https to nginx."""

    def __init__(self, site, source):
        self.site = site
        self.source = source
        self.cookies = {}

    def request(self, method, path, body=None, headers=None):
        connection = http.client.HTTPSConnection(
            "127.0.0.1",
            self.site.port,
            timeout=WAIT,
            source_address=(self.source, 0),
            context=TLS,
        )
        sent = {"User-Agent": f"proxy-test/{self.source}"}
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        sent.update(headers or {})
        try:
            connection.request(method, path, body=body, headers=sent)
            response = connection.getresponse()
            answer = Answer(
                response.status,
                response.getheaders(),
                response.read().decode("utf-8", "replace"),
            )
        finally:
            connection.close()
        for line in answer.all("Set-Cookie"):
            name, _, rest = line.partition("=")
            value = rest.split(";", 1)[0]
            if value == "" or "Max-Age=0" in line:
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = value
        return answer

    def get(self, path):
        return self.request("GET", path, headers={"Accept": "text/html"})

    def csrf(self):
        return self.cookies.get("__Host-csrf")

    def post_form(self, page, action, fields, fetch_site="same-origin"):
        """A form on `page` posted to `action` as a browser without JavaScript does."""
        if self.csrf() is None:
            self.get(page)
        check(self.csrf() is not None, f"{page} set no __Host-csrf cookie: {self.cookies}")
        body = urllib.parse.urlencode([("csrf", self.csrf())] + list(fields))
        return self.request(
            "POST",
            action,
            body=body.encode(),
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "Accept": "text/html",
                "Origin": self.site.origin,
                "Referer": self.site.origin + page,
                "Sec-Fetch-Site": fetch_site,
            },
        )

    def sign_in(self, phone, password, extra_headers=None):
        if self.csrf() is None:
            self.get("/login")
        body = urllib.parse.urlencode(
            [("csrf", self.csrf()), ("phone", phone), ("password", password)]
        )
        headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            "Accept": "text/html",
            "Origin": self.site.origin,
            "Referer": self.site.origin + "/login",
            "Sec-Fetch-Site": "same-origin",
        }
        headers.update(extra_headers or {})
        return self.request("POST", "/api/login", body=body.encode(), headers=headers)

    def session(self):
        return self.cookies.get("__Host-sid")


class Site:
    def __init__(self, args):
        self.port = args.port
        self.http_port = args.http_port
        self.origin = f"https://127.0.0.1:{args.port}"
        self.upstreams = {f"127.0.0.1:{p}" for p in args.upstreams.split(",")}
        self.access_log = args.access_log
        self.database_url = args.database_url

    def sql(self, query):
        done = subprocess.run(
            ["psql", self.database_url, "-AtX", "-v", "ON_ERROR_STOP=1", "-c", query],
            capture_output=True,
            text=True,
            timeout=WAIT,
        )
        check(done.returncode == 0, f"psql: {done.stderr.strip()}")
        return [line.split("|") for line in done.stdout.splitlines() if line]

    def served(self, request_pattern):
        """(status, upstream) of every logged request whose request line matches."""
        pattern = re.compile(request_pattern)
        found = []
        with open(self.access_log, encoding="utf-8", errors="replace") as log_file:
            for line in log_file:
                request = re.search(r'"([A-Z]+ \S+) HTTP/[0-9.]+" (\d{3})', line)
                upstream = re.search(r"upstream=(\S+)", line)
                if request and upstream and pattern.search(request.group(1)):
                    found.append((int(request.group(2)), upstream.group(1)))
        return found


# ----------------------------------------------------------------------------------------
# A minimal WebSocket client (RFC 6455) over TLS, as a browser opens the video room's socket.

GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"


class Socket:
    def __init__(self, site, source, path, cookie):
        raw = socket.create_connection(
            ("127.0.0.1", site.port), timeout=WAIT, source_address=(source, 0)
        )
        self.tls = TLS.wrap_socket(raw)
        key = base64.b64encode(os.urandom(16)).decode()
        handshake = (
            f"GET {path} HTTP/1.1\r\n"
            f"Host: 127.0.0.1:{site.port}\r\n"
            "Upgrade: websocket\r\n"
            "Connection: Upgrade\r\n"
            f"Sec-WebSocket-Key: {key}\r\n"
            "Sec-WebSocket-Version: 13\r\n"
            f"Origin: {site.origin}\r\n"
            f"Cookie: {cookie}\r\n"
            f"User-Agent: proxy-test/{source}\r\n\r\n"
        )
        self.tls.sendall(handshake.encode())
        self.buffer = b""
        while b"\r\n\r\n" not in self.buffer:
            self._fill()
        head, self.buffer = self.buffer.split(b"\r\n\r\n", 1)
        lines = head.decode("latin-1").split("\r\n")
        status = lines[0].split(" ", 2)
        if len(status) < 2 or status[1] != "101":
            # The refusal's body, for the message.
            try:
                self.tls.settimeout(1)
                self._fill()
            except (OSError, Failure):
                pass
            self.tls.close()
            raise Failure(f"{path} from {source} was refused: {lines[0]} {self.buffer[:200]!r}")
        headers = {k.strip().lower(): v.strip() for k, _, v in (l.partition(":") for l in lines[1:])}
        accept = base64.b64encode(hashlib.sha1((key + GUID).encode()).digest()).decode()
        check(headers.get("sec-websocket-accept") == accept, f"{path}: a wrong Sec-WebSocket-Accept")

    def _fill(self):
        chunk = self.tls.recv(65536)
        if not chunk:
            raise Failure("the socket closed")
        self.buffer += chunk

    def _take(self, n):
        while len(self.buffer) < n:
            self._fill()
        taken, self.buffer = self.buffer[:n], self.buffer[n:]
        return taken

    def _send_frame(self, opcode, payload):
        mask = os.urandom(4)
        head = bytes([0x80 | opcode])
        n = len(payload)
        if n < 126:
            head += bytes([0x80 | n])
        elif n < 1 << 16:
            head += bytes([0x80 | 126]) + struct.pack("!H", n)
        else:
            head += bytes([0x80 | 127]) + struct.pack("!Q", n)
        masked = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
        self.tls.sendall(head + mask + masked)

    def send(self, message):
        self._send_frame(0x1, json.dumps(message).encode())

    def receive(self):
        """The next text message, as JSON; pings are answered, fragments joined."""
        deadline = time.monotonic() + WAIT
        message = b""
        while True:
            self.tls.settimeout(max(0.1, deadline - time.monotonic()))
            try:
                first, second = self._take(2)
            except socket.timeout:
                raise Failure(f"nothing arrived within {WAIT} s") from None
            fin, opcode = first & 0x80, first & 0x0F
            n = second & 0x7F
            if n == 126:
                (n,) = struct.unpack("!H", self._take(2))
            elif n == 127:
                (n,) = struct.unpack("!Q", self._take(8))
            payload = self._take(n)
            if opcode == 0x8:
                raise Failure(f"the server closed the socket: {payload[2:]!r}")
            if opcode == 0x9:
                self._send_frame(0xA, payload)
                continue
            if opcode in (0x1, 0x0):
                message += payload
                if fin:
                    return json.loads(message.decode())

    def expect(self, kind):
        message = self.receive()
        check(message.get("type") == kind, f"expected a `{kind}` message, got {message}")
        return message

    def close(self):
        try:
            self._send_frame(0x8, struct.pack("!H", 1000))
            self.tls.settimeout(2)
            while True:  # until the server's close frame or the end of the stream
                first = self._take(2)[0]
                if first & 0x0F == 0x8:
                    break
                self.buffer = b""
        except (OSError, Failure):
            pass
        finally:
            self.tls.close()


# ----------------------------------------------------------------------------------------
# The checks.


def signed_in(answer, browser):
    return answer.status in (302, 303) and browser.session() is not None


def secure_host_cookie(line):
    name = line.split("=", 1)[0]
    attributes = [a.strip().lower() for a in line.split(";")[1:]]
    return (
        name.startswith("__Host-")
        and "secure" in attributes
        and "path=/" in attributes
        and not any(a.startswith("domain") for a in attributes)
    )


def https_headers_and_cookies(site):
    browser = Browser(site, "127.0.0.4")
    page = browser.get("/login")
    check(page.status == 200, f"GET /login: {page}")
    hsts = page.header("Strict-Transport-Security")
    check(hsts == "max-age=31536000; includeSubDomains", f"HSTS header: {hsts!r}")
    cookies = page.all("Set-Cookie")
    check(cookies, "the sign-in page set no cookie")
    for line in cookies:
        check(secure_host_cookie(line), f"a cookie that is not Secure with __Host-: {line}")
    answer = browser.sign_in(RESIDENT, DEMO_PASSWORD)
    check(signed_in(answer, browser), f"the demo resident could not sign in: {answer}")
    session = [c for c in answer.all("Set-Cookie") if c.startswith("__Host-sid=")]
    check(session and secure_host_cookie(session[0]) and "httponly" in session[0].lower(),
          f"the session cookie: {session}")

    plain = http.client.HTTPConnection(
        "127.0.0.1", site.http_port, timeout=WAIT, source_address=("127.0.0.4", 0)
    )
    try:
        plain.request("GET", "/login?next=/me")
        response = plain.getresponse()
        response.read()
        location = response.getheader("Location", "")
    finally:
        plain.close()
    check(response.status == 301 and location == "https://127.0.0.1/login?next=/me",
          f"http:// answered {response.status} {location!r}, not a redirect to https://")

    metrics = Browser(site, "127.0.0.4").get("/metrics")
    check(metrics.status == 404, f"/metrics through the proxy answered {metrics.status}")
    return "Secure __Host- cookies, HSTS, http:// → https://, /metrics not public"


def scrape(upstream):
    """(status, body) of one process's /metrics, straight on loopback."""
    host, port = upstream.split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=WAIT)
    try:
        connection.request("GET", "/metrics")
        response = connection.getresponse()
        return response.status, response.read().decode("utf-8", "replace")
    finally:
        connection.close()


def metrics_on_loopback(site):
    """What deploy/prometheus.yml scrapes: each process's /metrics, straight on loopback."""
    for upstream in sorted(site.upstreams):
        status, body = scrape(upstream)
        check(status == 200 and "# TYPE" in body,
              f"Prometheus scraping {upstream}/metrics got {status} {body[:200]!r}")
    return "each process answers Prometheus on loopback"


def addresses_and_sign_in_throttle(site):
    guesser = Browser(site, "127.0.0.2")
    for attempt in range(6):
        answer = guesser.sign_in(
            OTHER_RESIDENT, f"wrong-{attempt}", {"X-Forwarded-For": FORGED}
        )
        check(answer.status in (302, 303) and "__err" in answer.location,
              f"failed sign-in {attempt + 1} answered {answer}")
    rows = site.sql("SELECT address, count(*) FROM login_attempts GROUP BY address ORDER BY 1")
    check(rows == [["127.0.0.2", "6"]],
          f"login_attempts should hold 6 failures of 127.0.0.2 and nothing else, holds {rows}")
    by = {upstream for _, upstream in site.served(r"^POST /api/login$")}
    check(by == site.upstreams, f"the failed sign-ins reached {by}, not both processes")

    answer = guesser.sign_in(RESIDENT, DEMO_PASSWORD)
    check(not signed_in(answer, guesser),
          f"127.0.0.2 signed in after 6 failures in a minute: {answer}")
    neighbour = Browser(site, "127.0.0.3")
    answer = neighbour.sign_in(RESIDENT, DEMO_PASSWORD)
    check(signed_in(answer, neighbour) and answer.location.endswith("/me"),
          f"127.0.0.3 was refused because of 127.0.0.2's failures: {answer}")
    return ("both processes recorded the client 127.0.0.2 (not nginx, not the forged "
            f"{FORGED}); its throttle left 127.0.0.3 signing in")


def writes_limit_per_client(site):
    flooder = Browser(site, "127.0.0.2")
    answers = [flooder.post_form("/", "/api/prefs", [("lang", "zh-CN")]) for _ in range(24)]
    refused = [a for a in answers if a.status == 429]
    check(refused, f"24 writes from 127.0.0.2 met no 429: {[a.status for a in answers]}")
    check(refused[0].header("Retry-After"), "the 429 carries no Retry-After")
    by = {u for status, u in site.served(r"^POST /api/prefs$") if status == 429}
    check(by == site.upstreams, f"429 came from {by}: each process must count the client")
    neighbour = Browser(site, "127.0.0.3")
    for _ in range(2):
        answer = neighbour.post_form("/", "/api/prefs", [("lang", "zh-CN")])
        check(answer.status < 400, f"127.0.0.3's write during 127.0.0.2's flood: {answer}")
    return f"127.0.0.2 met 429 after {answers.index(refused[0])} writes, in both processes; 127.0.0.3 was served"


def same_site_post_refused(site):
    browser = Browser(site, "127.0.0.6")
    answer = browser.post_form("/", "/api/prefs", [("lang", "en")], fetch_site="same-site")
    check(answer.status == 403, f"a POST with Sec-Fetch-Site: same-site answered {answer.status}")
    answer = browser.post_form("/", "/api/prefs", [("lang", "en")], fetch_site="same-origin")
    check(answer.status < 400, f"the same POST from the same origin answered {answer}")
    return "Sec-Fetch-Site: same-site refused with 403, same-origin served"


def new_case(site, source, mode, account):
    """A new resident at `source` asks the main room for mediation. Returns (code, resident)."""
    resident = Browser(site, source)
    phone = f"139{random.randrange(10_000_000, 99_999_999)}"
    answer = resident.post_form(
        "/register",
        "/api/register",
        [("phone", phone), ("password", "haitian-xiongzhen-2026"), ("community", "1"),
         ("consent", "on")],
    )
    check(signed_in(answer, resident), f"registering {phone}: {answer}")
    [[room]] = site.sql("SELECT id FROM mediation_rooms WHERE parent_id IS NULL ORDER BY id LIMIT 1")
    answer = resident.post_form(
        "/mediation/new",
        "/api/mediation/request",
        [
            ("request[dispute_type]", "neighbours"),
            ("request[account]", account),
            ("request[other_party]", "楼上 601 住户"),
            ("request[other_relation]", "邻居"),
            ("request[other_phone]", ""),
            ("request[amount]", ""),
            ("request[tried_aid_station]", "no"),
            ("request[mode]", mode),
            ("request[room]", room),
        ],
    )
    found = re.search(r"/mediation/cases/(ZBS-[0-9A-Z-]+)\?done=requested", answer.location)
    check(found, f"the {mode} request: {answer}")
    return found.group(1), resident


def video_case(site):
    """A new resident asks for video mediation at the main room and books a slot; the room
    is open at once (PORTAL_VIDEO_EARLY_MINUTES is a month). Returns (code, resident)."""
    code, resident = new_case(site, "127.0.0.4", "video", "楼上装修天天打墙，中午也不停，老人休息不好。")
    page = resident.get(f"/mediation/cases/{code}")
    slots = re.findall(r'name="starts_at" value="([^"]+)"', page.body)
    check(len(slots) >= 2, f"the case page of {code} offers {len(slots)} slots ({page.status})")
    # Not the first: its booking cut-off may pass between the page and the post.
    answer = resident.post_form(
        f"/mediation/cases/{code}",
        "/api/mediation/book",
        [("code", code), ("starts_at", slots[1].replace("&#x2B;", "+"))],
    )
    check("done=booked" in answer.location, f"booking {code}: {answer}")
    return code, resident


def video_room_across_processes(site):
    code, resident = video_case(site)
    mediator = Browser(site, "127.0.0.5")
    answer = mediator.sign_in(MEDIATOR, DEMO_PASSWORD)
    check(signed_in(answer, mediator), f"the mediator could not sign in: {answer}")
    path = f"/mediation/video/{code}/ws"
    resident_cookie = f"__Host-sid={resident.session()}"
    mediator_cookie = f"__Host-sid={mediator.session()}"
    sources = ["127.0.0.2", "127.0.0.3", "127.0.0.4", "127.0.0.5"]
    rounds = 8
    for n in range(rounds):
        r = Socket(site, sources[n % 4], path, resident_cookie)
        m = None
        try:
            welcome = r.expect("welcome")
            check(welcome.get("part") == "resident", f"round {n}: the resident's welcome {welcome}")
            m = Socket(site, sources[(n + 1 + n // 4) % 4], path, mediator_cookie)
            welcome = m.expect("welcome")
            parts = [p.get("part") for p in welcome.get("peers", [])]
            check("resident" in parts,
                  f"round {n}: the mediator's room does not hold the resident: {welcome}")
            joined = r.expect("joined")
            check(joined.get("part") == "mediator", f"round {n}: {joined}")
            line = f"第 {n + 1} 次：听得到吗？"
            m.send({"type": "chat", "text": line})
            for peer in (r, m):
                chat = peer.expect("chat")
                check(chat.get("body") == line, f"round {n}: the chat line arrived as {chat}")
        finally:
            r.close()
            if m is not None:
                m.close()
        # The server forgets a peer when it reads the close; the next round starts after.
        time.sleep(0.3)

    sockets = site.served("^GET " + re.escape(path) + "$")
    check(len(sockets) == 2 * rounds, f"the access log shows {len(sockets)} sockets, not {2 * rounds}")
    check(all(status == 101 for status, _ in sockets), f"socket answers: {sockets}")
    by = {upstream for _, upstream in sockets}
    check(len(by) == 1, f"the sockets of {code} went to {by}: its room would be split")
    pages = {upstream for status, upstream in site.served(r"^GET /") if status == 200}
    check(pages == site.upstreams, f"ordinary pages came from {pages}, not both processes")
    lowercase = Browser(site, "127.0.0.5").get(f"/mediation/video/{code.lower()}/ws")
    check(lowercase.status == 404, f"a lower-case socket path answered {lowercase.status}")
    return (f"{rounds} rounds from 4 addresses met in one room of {by.pop()}; "
            "pages were served by both processes")


def noise_png(width, height):
    """A photo that does not compress: its bytes are about its pixels' (3 bytes each)."""
    rows = b"".join(b"\0" + os.urandom(width * 3) for _ in range(height))

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows, 1)) + chunk(b"IEND", b""))


def photos_through_the_proxy(site):
    """A resident sends a 3 MB photo (nginx's default limit is 1 MB) to their case through
    nginx; both processes serve it from the shared bucket, to them and to nobody else."""
    code, resident = new_case(site, "127.0.0.7", "in_person", "楼上漏水，车库里的车被泡了，照片为证。")
    photo = noise_png(1200, 900)
    check(len(photo) > 3_000_000, f"the photo is {len(photo)} bytes")
    boundary = "proxy-test-boundary"
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{resident.csrf()}\r\n"
            f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"car.png\"\r\n"
            "Content-Type: image/png\r\n\r\n").encode() + photo + f"\r\n--{boundary}--\r\n".encode()
    answer = resident.request("POST", f"/files/case/{code}", body=body, headers={
        "Content-Type": f"multipart/form-data; boundary={boundary}",
        "Origin": site.origin, "Sec-Fetch-Site": "same-origin", "Accept": "text/html"})
    check(answer.status == 303 and "files=added" in answer.location, f"the upload through nginx: {answer}")
    page = resident.get(f"/mediation/cases/{code}")
    keys = re.findall(r'src="/files/([0-9a-f]{32})/thumb"', page.body)
    check(len(keys) == 1, f"the case page shows {len(keys)} photos")
    for _ in range(4):
        thumb = resident.request("GET", f"/files/{keys[0]}/thumb")
        check(thumb.status == 200 and thumb.header("Content-Type") == "image/jpeg", f"the thumbnail: {thumb}")
    stranger = Browser(site, "127.0.0.8")
    check(stranger.get(f"/files/{keys[0]}").status == 404, "a stranger is told there is no such file")
    return f"{len(photo)} bytes through nginx into the bucket, served by both processes"


def directory_across_processes(site):
    """Both processes keep the directory in memory (the list of communities is read from it);
    a rename at the SQL prompt, which no portal process sees, reaches both at their next
    request through the version triggers."""
    visitor = Browser(site, "127.0.0.9")

    def names_served():
        found = set()
        for _ in range(6):
            page = visitor.get("/communities")
            check(page.status == 200, f"/communities: {page}")
            found.update(re.findall(r'href="/communities/1" class="card"><strong>([^<]*)</strong>', page.body))
        return found

    before = names_served()
    check(len(before) == 1, f"the two processes name community 1 differently: {before}")
    upstreams = {upstream for _, upstream in site.served(r"^GET /communities$")}
    check(upstreams == site.upstreams, f"/communities was served by {upstreams} only")
    (old_name,) = before
    new_name = old_name + "（更名）"
    site.sql(f"UPDATE communities SET name = '{new_name}' WHERE id = 1")
    try:
        after = names_served()
    finally:
        site.sql(f"UPDATE communities SET name = '{old_name}' WHERE id = 1")
    check(after == {new_name}, f"after the rename the processes served {after}")
    return f"{old_name} → {new_name} on both processes at their next request"


def kept_pages_across_processes(site):
    """Both processes keep the public pages they rendered for visitors (server::page_cache):
    each visit still gets its own script nonce and its own __Host-csrf token in the forms, and
    a write at the SQL prompt reaches both processes' next visitor."""
    visitors = [Browser(site, f"127.0.0.{n}") for n in (10, 11)]
    nonces = []
    for _ in range(4):
        for visitor in visitors:
            page = visitor.get("/notices")
            check(page.status == 200, f"/notices: {page}")
            nonce = re.search(r"'nonce-([^']+)'", page.header("Content-Security-Policy") or "")
            check(nonce is not None and f'nonce="{nonce.group(1)}"' in page.body,
                  "the page's scripts carry the nonce of its policy")
            nonces.append(nonce.group(1))
            check(visitor.csrf() is not None and visitor.csrf() in page.body,
                  "the forms carry the visitor's own token")
    check(len(set(nonces)) == len(nonces), f"a nonce was served twice: {nonces}")
    upstreams = {upstream for _, upstream in site.served(r"^GET /notices$")}
    check(upstreams == site.upstreams, f"/notices was served by {upstreams} only")
    hits = [re.search(r'^portal_page_cache_total\{outcome="hit"\} (\d+)', scrape(u)[1], re.M)
            for u in sorted(site.upstreams)]
    check(all(hits), f"a process served no kept page: {hits}")
    site.sql("UPDATE notices SET title = title || '（已更正）'")
    try:
        fresh = [visitors[0].get("/notices").body for _ in range(4)]
    finally:
        site.sql("UPDATE notices SET title = replace(title, '（已更正）', '')")
    check(all("（已更正）" in body for body in fresh), "a process served the notices as before the write")
    kept = sum(int(h.group(1)) for h in hits)
    return f"{kept} visits served kept, each with its own nonce; a write reached both processes"


CHECKS = [
    ("https", https_headers_and_cookies),
    ("metrics", metrics_on_loopback),
    ("addresses and sign-in throttle", addresses_and_sign_in_throttle),
    ("write limit per client", writes_limit_per_client),
    ("Sec-Fetch-Site", same_site_post_refused),
    ("video across processes", video_room_across_processes),
    ("photos through the proxy", photos_through_the_proxy),
    ("directory across processes", directory_across_processes),
    ("kept pages across processes", kept_pages_across_processes),
]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, required=True, help="nginx's https port")
    parser.add_argument("--http-port", type=int, required=True, help="nginx's http port")
    parser.add_argument("--upstreams", required=True, help="the portal ports, comma-separated")
    parser.add_argument("--access-log", required=True)
    parser.add_argument("--database-url", required=True)
    site = Site(parser.parse_args())
    failed = []
    for name, run in CHECKS:
        try:
            log(f"ok   {name}: {run(site)}")
        except (Failure, OSError, http.client.HTTPException, ValueError) as e:
            log(f"FAIL {name}: {e}")
            failed.append(name)
    if failed:
        log(f"{len(failed)} of {len(CHECKS)} checks failed: {', '.join(failed)}")
        return 1
    log(f"all {len(CHECKS)} checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
