#!/usr/bin/env python3
"""Crash test driver: load, SIGKILL, restart, check (see scripts/crash-test.sh).

Runs the portal binary on a SQLite file that already holds the demo data. Each round
starts the server, lets several threads register residents, start tea-house threads,
file mediation requests and book slots (several threads aiming at the same few slots),
kills the server with SIGKILL at a random moment and checks, on a copy of the files
the crash left (database and write-ahead log), that:

  * every write the client saw acknowledged is there: an account whose registration
    redirected to its community, a thread whose form redirected to /teahouse/t/{id}
    (with its opening post), a case whose request redirected to ?done=requested, a
    booking whose form redirected to ?done=booked (still held, case booked or accepted);
  * PRAGMA integrity_check says ok (and foreign_key_check finds nothing);
  * no slot is held twice, and no case holds two slots.

Then it restarts the server, which must come up healthy and serve a sample of the
acknowledged threads. Any 5xx (or a form sent back with a server error) is a failure
too. Standard library only.
"""

import argparse
import base64
import collections
import datetime
import http.client
import http.cookiejar
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

PASSWORD = "crash-test-2026-zbs"
COMMUNITIES = list(range(1, 11))
ROOMS = list(range(1, 13))
TEAHOUSE_BOARD = 1  # 茶叙, open to every resident
THREADS_PER_ACCOUNT = 3  # a new account may start 3 threads a day
REQUESTS_PER_ACCOUNT = 3  # and file 3 mediation requests a day
DISPUTES = ["neighbours", "family", "property", "debt", "consumer", "wages", "other"]
STORY = "楼上每天夜里十二点以后还在拖椅子，说过两次没有用，想请调解员帮忙沟通。"

SLOT_RE = re.compile(r'name="starts_at" value="([^"]+)"')
CASE_RE = re.compile(r"^/mediation/cases/([A-Z0-9-]+)\?done=requested$")
BOOKED_RE = re.compile(r"^/mediation/cases/([A-Z0-9-]+)\?done=booked$")
THREAD_RE = re.compile(r"^/teahouse/t/(\d+)$")


def log(*parts):
    print(*parts, flush=True)


# ----------------------------------------------------------------------------------------
# HTTP


class NoRedirect(urllib.request.HTTPRedirectHandler):
    """Redirects are answers to read, not to follow."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


class Answer:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers
        self.body = body

    @property
    def location(self):
        where = self.headers.get("Location", "") if self.headers else ""
        # A form sent back with an error names the whole address of the page it came from.
        return re.sub(r"^https?://[^/]+", "", where)

    def form_error(self):
        """The error a form post was sent back with (`__err`), decoded; None when none."""
        query = urllib.parse.urlsplit(self.location).query
        values = urllib.parse.parse_qs(query).get("__err")
        if not values:
            return None
        raw = values[0]
        try:
            decoded = base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4))
            value = json.loads(decoded)
        except ValueError:
            return "undecodable:" + raw
        if isinstance(value, dict):
            return ":".join(f"{k}:{v}" for k, v in value.items())
        return str(value)


class Browser:
    """A phone's browser without JavaScript: cookies, forms with the CSRF token."""

    def __init__(self, base):
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar), NoRedirect()
        )

    def cookie(self, name):
        for cookie in self.jar:
            if cookie.name == name:
                return cookie.value
        return None

    def send(self, request, timeout=20):
        try:
            with self.opener.open(request, timeout=timeout) as response:
                return Answer(response.status, response.headers, response.read().decode("utf-8", "replace"))
        except urllib.error.HTTPError as error:
            body = error.read().decode("utf-8", "replace")
            return Answer(error.code, error.headers, body)

    def get(self, path):
        request = urllib.request.Request(self.base + path, headers={"Accept": "text/html"})
        return self.send(request)

    def post_form(self, page, action, fields):
        if self.cookie("csrf") is None:
            self.get(page)
        body = urllib.parse.urlencode([("csrf", self.cookie("csrf") or "")] + list(fields))
        request = urllib.request.Request(
            self.base + action,
            data=body.encode(),
            method="POST",
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "Accept": "text/html",
                "Referer": self.base + page,
            },
        )
        return self.send(request)


# ----------------------------------------------------------------------------------------
# What the clients saw acknowledged, and what happened otherwise


class Ledger:
    def __init__(self):
        self.lock = threading.Lock()
        self.accounts = {}  # phone -> round
        self.threads = {}  # id -> title
        self.cases = {}  # code -> round
        self.bookings = {}  # code -> starts_at (as offered)
        self.outcomes = collections.Counter()
        self.server_errors = []  # (round, what, detail)
        self.unexpected = []  # (round, what, detail)

    def count(self, what):
        with self.lock:
            self.outcomes[what] += 1

    def server_error(self, round_no, what, detail):
        with self.lock:
            self.server_errors.append((round_no, what, detail[:300]))

    def strange(self, round_no, what, detail):
        with self.lock:
            self.unexpected.append((round_no, what, detail[:300]))

    def size(self):
        with self.lock:
            return len(self.accounts) + len(self.threads) + len(self.cases) + len(self.bookings)


class Worker(threading.Thread):
    """Registers residents and has them post and book until told to stop. Anything that
    fails to connect (the server is dead) ends the worker's round quietly: that write was
    never acknowledged."""

    def __init__(self, base, ledger, round_no, index, stop, seed):
        super().__init__(daemon=True)
        self.base = base
        self.ledger = ledger
        self.round_no = round_no
        self.index = index
        self.stop = stop
        self.random = random.Random(seed)
        self.made = 0
        self.person = None

    def run(self):
        try:
            while not self.stop.is_set():
                if self.person is None or (
                    self.person["threads"] >= THREADS_PER_ACCOUNT
                    and self.person["requests"] >= REQUESTS_PER_ACCOUNT
                ):
                    self.register()
                    continue
                wants_thread = self.person["threads"] < THREADS_PER_ACCOUNT and (
                    self.person["requests"] >= REQUESTS_PER_ACCOUNT or self.random.random() < 0.5
                )
                if wants_thread:
                    self.start_thread()
                else:
                    self.mediation()
        except (urllib.error.URLError, ConnectionError, OSError, http.client.HTTPException):
            self.ledger.count("connection lost")

    def judge(self, what, answer, ok):
        """Sorts an answer: acknowledged (True), refused, or a failure of the server."""
        if answer.status >= 500:
            self.ledger.server_error(self.round_no, what, f"{answer.status} {answer.body}")
            return False
        if answer.status not in (302, 303):
            self.ledger.strange(self.round_no, what, f"{answer.status} {answer.location} {answer.body}")
            return False
        error = answer.form_error()
        if error is None:
            if ok(answer.location):
                return True
            self.ledger.strange(self.round_no, what, f"redirect to {answer.location}")
            return False
        if error in ("Server", "Network") or error.startswith("undecodable"):
            self.ledger.server_error(self.round_no, what, f"sent back with {error}")
        else:
            self.ledger.count(f"{what} refused ({error})")
        return False

    def room(self):
        """One request in three goes to the round's busy room, so that bookings collide
        there; a different room each round, so that its first slots are still free."""
        if self.random.random() < 0.3:
            return ROOMS[self.round_no % len(ROOMS)]
        return self.random.choice(ROOMS)

    def register(self):
        self.made += 1
        phone = f"15{self.round_no:02d}{self.index:02d}{self.made:05d}"
        community = self.random.choice(COMMUNITIES)
        browser = Browser(self.base)
        answer = browser.post_form(
            "/register",
            "/api/register",
            [("phone", phone), ("password", PASSWORD), ("community", str(community)), ("consent", "on")],
        )
        if self.judge("register", answer, lambda at: at == f"/communities/{community}"):
            with self.ledger.lock:
                self.ledger.accounts[phone] = self.round_no
            self.ledger.count("register acknowledged")
            self.person = {"browser": browser, "phone": phone, "threads": 0, "requests": 0}
        else:
            self.person = None

    def start_thread(self):
        person = self.person
        person["threads"] += 1
        title = f"压测 r{self.round_no} w{self.index} {person['phone'][-5:]}-{person['threads']}"
        answer = person["browser"].post_form(
            f"/teahouse/b/{TEAHOUSE_BOARD}/new",
            "/api/teahouse/start",
            [
                ("thread[board_id]", str(TEAHOUSE_BOARD)),
                ("thread[title]", title),
                ("thread[body]", f"{title}：小区门口的路灯坏了一周，晚上出门不安全。"),
                ("thread[community_id]", ""),
                ("thread[display_name]", f"居民{self.index}号"),
            ],
        )
        if self.judge("thread", answer, lambda at: THREAD_RE.match(at) is not None):
            thread_id = int(THREAD_RE.match(answer.location).group(1))
            with self.ledger.lock:
                self.ledger.threads[thread_id] = title
            self.ledger.count("thread acknowledged")

    def mediation(self):
        person = self.person
        person["requests"] += 1
        browser = person["browser"]
        answer = browser.post_form(
            "/mediation/new",
            "/api/mediation/request",
            [
                ("request[dispute_type]", self.random.choice(DISPUTES)),
                ("request[account]", STORY),
                ("request[other_party]", "楼上住户"),
                ("request[other_relation]", "邻居"),
                ("request[other_phone]", ""),
                ("request[amount]", ""),
                ("request[tried_aid_station]", "no"),
                ("request[mode]", "in_person"),
                ("request[room]", str(self.room())),
            ],
        )
        if not self.judge("request", answer, lambda at: CASE_RE.match(at) is not None):
            return
        code = CASE_RE.match(answer.location).group(1)
        with self.ledger.lock:
            self.ledger.cases[code] = self.round_no
        self.ledger.count("request acknowledged")
        page = browser.get(f"/mediation/cases/{code}")
        if page.status >= 500:
            self.ledger.server_error(self.round_no, "case page", f"{page.status} {page.body}")
            return
        if page.status != 200:
            self.ledger.strange(self.round_no, "case page", f"{page.status}")
            return
        slots = [s.replace("&#x2B;", "+") for s in SLOT_RE.findall(page.body)]
        if not slots:
            self.ledger.count("no free slot")
            return
        # The first few slots of a room, so that workers collide on them.
        slot = self.random.choice(slots[:3])
        answer = browser.post_form(
            f"/mediation/cases/{code}",
            "/api/mediation/book",
            [("code", code), ("starts_at", slot)],
        )
        if self.judge("book", answer, lambda at: at == f"/mediation/cases/{code}?done=booked"):
            with self.ledger.lock:
                self.ledger.bookings[code] = slot
            self.ledger.count("booking acknowledged")


# ----------------------------------------------------------------------------------------
# The server


class Server:
    def __init__(self, binary, env, base, log_path):
        self.binary = binary
        self.env = env
        self.base = base
        self.log_path = log_path
        self.process = None

    def start(self, timeout=60):
        log_file = open(self.log_path, "ab")
        self.process = subprocess.Popen(
            [self.binary, "serve"], env=self.env, stdout=log_file, stderr=subprocess.STDOUT
        )
        log_file.close()
        began = time.monotonic()
        while time.monotonic() - began < timeout:
            if self.process.poll() is not None:
                raise RuntimeError(f"the server exited with {self.process.returncode}; see {self.log_path}")
            try:
                with urllib.request.urlopen(self.base + "/healthz", timeout=2) as answer:
                    if answer.status == 200:
                        return time.monotonic() - began
            except (urllib.error.URLError, ConnectionError, OSError):
                pass
            time.sleep(0.05)
        raise RuntimeError(f"the server did not become healthy in {timeout}s; see {self.log_path}")

    def tail(self, lines=3):
        with open(self.log_path, "rb") as log_file:
            text = log_file.read().decode("utf-8", "replace")
        return " | ".join(text.strip().splitlines()[-lines:])

    def kill(self):
        os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait()

    def stop(self):
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill()


# ----------------------------------------------------------------------------------------
# Checks


def sql(db, query):
    done = subprocess.run(["sqlite3", "-json", db, query], capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"sqlite3 failed on {query!r}: {done.stderr.strip()}")
    text = done.stdout.strip()
    return json.loads(text) if text else []


def quoted(values):
    return ",".join("'" + str(v).replace("'", "''") + "'" for v in values)


def instant(text):
    return datetime.datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(datetime.timezone.utc)


def check_files(db, ledger):
    """Checks the database as the crash left it; returns (writes checked, failures)."""
    failures = []
    integrity = sql(db, "PRAGMA integrity_check")
    if [row.get("integrity_check") for row in integrity] != ["ok"]:
        failures.append(f"integrity_check: {integrity}")
    foreign = sql(db, "PRAGMA foreign_key_check")
    if foreign:
        failures.append(f"foreign_key_check: {foreign[:5]}")
    doubled = sql(
        db,
        "SELECT room_id, starts_at, COUNT(*) AS n FROM bookings WHERE cancelled_at IS NULL "
        "GROUP BY 1,2 HAVING COUNT(*)>1",
    )
    if doubled:
        failures.append(f"double-booked slots: {doubled}")
    # The same check on instants rather than text, in case one instant were written two ways.
    held = collections.Counter(
        (row["room_id"], instant(row["starts_at"]))
        for row in sql(db, "SELECT room_id, starts_at FROM bookings WHERE cancelled_at IS NULL")
    )
    twice = [key for key, n in held.items() if n > 1]
    if twice and not doubled:
        failures.append(f"double-booked instants written differently: {twice[:5]}")
    per_case = sql(
        db,
        "SELECT case_id, COUNT(*) AS n FROM bookings WHERE cancelled_at IS NULL GROUP BY 1 HAVING COUNT(*)>1",
    )
    if per_case:
        failures.append(f"cases holding two slots: {per_case}")

    with ledger.lock:
        accounts = dict(ledger.accounts)
        threads = dict(ledger.threads)
        cases = dict(ledger.cases)
        bookings = dict(ledger.bookings)

    if accounts:
        found = {row["phone"] for row in sql(db, f"SELECT phone FROM users WHERE phone IN ({quoted(accounts)})")}
        for phone in sorted(set(accounts) - found):
            failures.append(f"acknowledged registration of {phone} (round {accounts[phone]}) is lost")
        roles = {
            row["phone"]
            for row in sql(
                db,
                "SELECT u.phone FROM users u JOIN user_roles r ON r.user_id = u.id AND r.role = 'resident' "
                f"WHERE u.phone IN ({quoted(accounts)})",
            )
        }
        for phone in sorted(found - roles):
            failures.append(f"account {phone} has no resident role")
    if threads:
        ids = ",".join(str(i) for i in threads)
        found = {row["id"]: row["title"] for row in sql(db, f"SELECT id, title FROM threads WHERE id IN ({ids})")}
        opened = {
            row["thread_id"]
            for row in sql(db, f"SELECT thread_id FROM posts WHERE is_opening = 1 AND thread_id IN ({ids})")
        }
        for thread_id, title in sorted(threads.items()):
            if found.get(thread_id) != title:
                failures.append(f"acknowledged thread {thread_id} ({title}) is lost: found {found.get(thread_id)!r}")
            elif thread_id not in opened:
                failures.append(f"thread {thread_id} lost its opening post")
    if cases:
        found = {row["code"] for row in sql(db, f"SELECT code FROM mediation_cases WHERE code IN ({quoted(cases)})")}
        for code in sorted(set(cases) - found):
            failures.append(f"acknowledged mediation request {code} (round {cases[code]}) is lost")
    if bookings:
        rows = sql(
            db,
            "SELECT c.code, c.status, b.starts_at FROM bookings b JOIN mediation_cases c ON c.id = b.case_id "
            f"WHERE b.cancelled_at IS NULL AND c.code IN ({quoted(bookings)})",
        )
        found = {row["code"]: row for row in rows}
        for code, slot in sorted(bookings.items()):
            row = found.get(code)
            if row is None:
                failures.append(f"acknowledged booking of {code} at {slot} is lost")
            elif instant(row["starts_at"]) != instant(slot):
                failures.append(f"booking of {code}: acknowledged {slot}, held {row['starts_at']}")
            elif row["status"] not in ("booked", "accepted"):
                failures.append(f"booked case {code} has status {row['status']}")
    checked = len(accounts) + len(threads) + len(cases) + len(bookings)
    return checked, failures


def snapshot(db, into):
    """A copy of the files a crash left (the database and its write-ahead log; the shared
    memory index is rebuilt by whoever opens it), so the checks do not touch the server's
    own recovery."""
    os.makedirs(into, exist_ok=True)
    copy = os.path.join(into, "portal.db")
    for suffix in ("", "-wal"):
        target = copy + suffix
        if os.path.exists(target):
            os.remove(target)
        if os.path.exists(db + suffix):
            shutil.copyfile(db + suffix, target)
    for leftover in (copy + "-shm", copy + "-journal"):
        if os.path.exists(leftover):
            os.remove(leftover)
    return copy


def check_pages(base, ledger, sample):
    """After the restart, acknowledged threads are served."""
    with ledger.lock:
        threads = list(ledger.threads.items())
    failures = []
    browser = Browser(base)
    for thread_id, title in random.sample(threads, min(sample, len(threads))):
        page = browser.get(f"/teahouse/t/{thread_id}")
        if page.status != 200 or title not in page.body:
            failures.append(f"after restart /teahouse/t/{thread_id} gives {page.status} without its title")
    return failures


# ----------------------------------------------------------------------------------------


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--binary", required=True)
    parser.add_argument("--db", required=True, help="the SQLite file (demo data loaded)")
    parser.add_argument("--port", type=int, default=3190)
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--workers", type=int, default=8)
    parser.add_argument("--min-load", type=float, default=0.3, help="shortest load before the kill (s)")
    parser.add_argument("--max-load", type=float, default=4.0, help="longest load before the kill (s)")
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--work-dir", required=True)
    args = parser.parse_args()

    seed = args.seed if args.seed is not None else random.SystemRandom().randrange(1 << 30)
    chance = random.Random(seed)
    base = f"http://127.0.0.1:{args.port}"
    env = dict(os.environ)
    env["DATABASE_URL"] = f"sqlite://{args.db}?mode=rwc"
    env["LEPTOS_SITE_ADDR"] = f"127.0.0.1:{args.port}"
    server = Server(args.binary, env, base, os.path.join(args.work_dir, "server.log"))
    ledger = Ledger()
    failures = []
    kills = 0
    checks = 0
    log(f"[crash] seed {seed}, {args.rounds} rounds of {args.workers} workers on {base}")
    try:
        for round_no in range(1, args.rounds + 1):
            up = server.start()
            stop = threading.Event()
            workers = [
                Worker(base, ledger, round_no, index, stop, chance.randrange(1 << 30))
                for index in range(args.workers)
            ]
            before = ledger.size()
            for worker in workers:
                worker.start()
            load = chance.uniform(args.min_load, args.max_load)
            time.sleep(load)
            ending = "killed"
            if server.process.poll() is not None:
                ending = "died by itself"
                # Nobody but this driver may end the server: a death of its own (a panic
                # that aborts, a stack overflow) is a failure, whatever the checks find.
                failures.append(
                    f"round {round_no}: the server died on its own ({server.process.returncode}): "
                    + server.tail()
                )
            else:
                server.kill()
                kills += 1
            stop.set()
            for worker in workers:
                worker.join(timeout=30)
            copy = snapshot(args.db, os.path.join(args.work_dir, "crash-copy"))
            checked, found = check_files(copy, ledger)
            checks += checked
            for failure in found:
                failures.append(f"round {round_no}: {failure}")
            log(
                f"[crash] round {round_no:2}: up in {up:4.1f}s, {ending} after {load:3.1f}s, "
                f"{ledger.size() - before:3} new acknowledged writes, {checked} checked, "
                f"{len(found)} failures"
            )
        # One more start: the server recovers from the last crash and serves what it held.
        server.start()
        failures.extend(check_pages(base, ledger, 20))
        server.stop()
        checked, found = check_files(args.db, ledger)
        checks += checked
        failures.extend(f"after a clean stop: {failure}" for failure in found)
    finally:
        if server.process is not None and server.process.poll() is None:
            server.kill()

    for round_no, what, detail in ledger.server_errors:
        failures.append(f"round {round_no}: server error on {what}: {detail}")
    for round_no, what, detail in ledger.unexpected:
        failures.append(f"round {round_no}: unexpected answer to {what}: {detail}")

    log("[crash] outcomes:")
    for what, n in sorted(ledger.outcomes.items()):
        log(f"[crash]   {n:6}  {what}")
    log(
        f"[crash] summary: {kills} kills (SIGKILL); {ledger.size()} acknowledged writes "
        f"({len(ledger.accounts)} registrations, {len(ledger.threads)} threads, "
        f"{len(ledger.cases)} mediation requests, {len(ledger.bookings)} bookings), each looked "
        f"up after every later kill ({checks} look-ups); {len(ledger.server_errors)} server "
        f"errors; {len(failures)} failures"
    )
    for failure in failures[:50]:
        log(f"[crash] FAIL {failure}")
    if len(failures) > 50:
        log(f"[crash] … and {len(failures) - 50} more")
    return 1 if failures or kills < args.rounds else 0


if __name__ == "__main__":
    sys.exit(main())
