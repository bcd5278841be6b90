#!/usr/bin/env python3
"""A fake 微信公众号 API (WeChat Official Account) on loopback for the browser journey.

It answers as the real API does — always HTTP 200 with JSON, the documented errcodes — for
the stable access token (POST /cgi-bin/stable_token: the same token while it is valid, a new
one on force_refresh, the old one then refused), template messages (POST
/cgi-bin/message/template/send: the token, the template, an openid it gave out, and each
data field's shape and length checked as the service checks them) and web sign-in (GET
/connect/oauth2/authorize plays the WeChat app consenting on the phone and redirects with a
one-time code; GET /sns/oauth2/access_token trades the code for the openid). Written from
WeChat's documentation, independently of the portal's Rust.

Test hooks: POST /fake/holder?name=NAME says who holds the phone (default resident-1), and
a browser's cookie fake_wechat_holder=NAME says it for that browser alone (so that tests
running at once each link their own person);
GET /fake/openid?name=NAME gives that person's openid; POST /fake/expire expires the current
access token; POST /fake/fail?n=K makes the next K template sends a system error;
GET /messages lists the template messages accepted; GET /healthz says it is up.
FAKE_WECHAT_TOKEN_SECONDS sets the access token's lifetime (default 7200).

    fake_wechat.py PORT APPID APPSECRET
"""

import hashlib
import hmac
import json
import math
import os
import secrets
import signal
import sys
import threading
import time
from http.cookies import CookieError, SimpleCookie
from http.server import ThreadingHTTPServer
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from fake_http import QuietHandler

PORT, APPID, SECRET = int(sys.argv[1]), sys.argv[2], sys.argv[3]
TOKEN_SECONDS = int(os.environ.get("FAKE_WECHAT_TOKEN_SECONDS", "7200"))
CODE_SECONDS = 300
messages = []
tokens = {}  # every access token ever issued → when it expires (an old one is refused as 40001)
current = None  # the one valid access token, as stable_token keeps only one
codes = {}  # OAuth code → (openid, scope, expires); popped on use, so a code works once
issued = set()  # openids given out by the OAuth exchange: the only ones a template may go to
state = {"holder": "resident-1", "fail": 0, "msgid": 0}
lock = threading.Lock()


def openid(name):
    return "o" + hashlib.sha1(f"{APPID}:{name}".encode()).hexdigest()[:27]


def error(code, message):
    return {"errcode": code, "errmsg": message}


def matches(given, wanted):
    return hmac.compare_digest(str(given or "").encode(), wanted.encode())


def stable_token(body):
    global current
    if body.get("grant_type") != "client_credential":
        return error(40002, "invalid grant_type")
    if not body.get("appid"):
        return error(41002, "appid missing")
    if not matches(body["appid"], APPID):
        return error(40013, "invalid appid")
    if not body.get("secret"):
        return error(41004, "appsecret missing")
    if not matches(body["secret"], SECRET):
        return error(40125, "invalid appsecret")
    now = time.time()
    with lock:
        if body.get("force_refresh") is True or current is None or tokens[current] <= now:
            current = secrets.token_urlsafe(48)
            tokens[current] = now + TOKEN_SECONDS
        # The real one answers what is left of the current token's life, not the full span.
        left = max(1, math.ceil(tokens[current] - now))
        return {"access_token": current, "expires_in": left}


def template_send(token, raw):
    with lock:
        expires = tokens.get(token)
        if expires is not None and expires <= time.time():
            return error(42001, "access_token expired")
        if token != current or expires is None:
            return error(40001, "invalid credential, access_token is invalid or not latest")
        if state["fail"] > 0:
            state["fail"] -= 1
            return error(-1, "system error")
    try:
        body = json.loads(raw)
    except ValueError:
        return error(47001, "data format error")
    if not isinstance(body, dict):
        return error(47001, "data format error")
    if not body.get("template_id"):
        return error(40037, "invalid template_id")
    touser = body.get("touser")
    if not touser or not isinstance(touser, str):
        return error(40003, "invalid openid")
    with lock:
        if touser not in issued:
            return error(43004, "require subscribe")
    data = body.get("data", {})
    if not isinstance(data, dict):
        return error(47001, "data format error")
    flat = {}
    for key, field in data.items():
        if not isinstance(field, dict) or not isinstance(field.get("value"), str):
            return error(47001, "data format error")
        value = field["value"]
        # thing.DATA holds at most 20 characters (Chinese or not); time.DATA may not be empty.
        if key.startswith("thing") and not 0 < len(value) <= 20:
            return error(47003, f"argument invalid! data.{key}.value invalid")
        if key.startswith("time") and not value:
            return error(47003, f"argument invalid! data.{key}.value invalid")
        flat[key] = value
    with lock:
        state["msgid"] += 1
        messages.append(
            {"touser": touser, "template_id": body["template_id"], "url": body.get("url"), "data": flat}
        )
        return {"errcode": 0, "errmsg": "ok", "msgid": state["msgid"]}


def oauth_token(query):
    if not matches(query.get("appid"), APPID):
        return error(40013, "invalid appid")
    if not matches(query.get("secret"), SECRET):
        return error(40125, "invalid appsecret")
    if query.get("grant_type") != "authorization_code":
        return error(40002, "invalid grant_type")
    with lock:
        found = codes.pop(query.get("code", ""), None)
        if found is None or found[2] <= time.time():
            return error(40029, "invalid code")
        person, scope, _ = found
        issued.add(person)
    return {
        "access_token": secrets.token_urlsafe(48),
        "expires_in": 7200,
        "refresh_token": secrets.token_urlsafe(48),
        "openid": person,
        "scope": scope,
    }


class Handler(QuietHandler):
    def authorize(self, query):
        # What the WeChat app refuses shows as a page on the phone, never a redirect.
        if not matches(query.get("appid"), APPID):
            return self.plain(400, "appid 参数错误")
        if query.get("response_type") != "code":
            return self.plain(400, "response_type 参数错误")
        scope = query.get("scope")
        if scope not in ("snsapi_base", "snsapi_userinfo"):
            return self.plain(400, "scope 参数错误")
        target = urlsplit(query.get("redirect_uri", ""))
        if target.scheme not in ("http", "https") or not target.netloc:
            return self.plain(400, "redirect_uri 参数错误")
        code = secrets.token_urlsafe(24)
        jar = SimpleCookie()
        try:
            jar.load(self.headers.get("Cookie", ""))
        except CookieError:
            pass
        with lock:
            holder = jar["fake_wechat_holder"].value if "fake_wechat_holder" in jar else state["holder"]
            codes[code] = (openid(holder), scope, time.time() + CODE_SECONDS)
        back = parse_qsl(target.query, keep_blank_values=True)
        back += [("code", code), ("state", query.get("state", ""))]
        location = urlunsplit(target._replace(query=urlencode(back)))
        self.send_response(302)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def do_GET(self):
        url = urlsplit(self.path)
        query = dict(parse_qsl(url.query, keep_blank_values=True))
        if url.path == "/healthz":
            self.answer(200, {"ok": True})
        elif url.path == "/messages":
            with lock:
                self.answer(200, list(messages))
        elif url.path == "/fake/openid":
            with lock:
                name = query.get("name") or state["holder"]
            self.answer(200, {"openid": openid(name)})
        elif url.path == "/connect/oauth2/authorize":
            self.authorize(query)
        elif url.path == "/sns/oauth2/access_token":
            self.answer(200, oauth_token(query))
        elif url.path in ("/cgi-bin/stable_token", "/cgi-bin/message/template/send"):
            self.answer(200, error(43002, "require POST method"))
        else:
            self.answer(404, error(404, "not found"))

    def do_POST(self):
        url = urlsplit(self.path)
        query = dict(parse_qsl(url.query, keep_blank_values=True))
        length = int(self.headers.get("Content-Length", "0"))
        raw = self.rfile.read(length)
        if url.path == "/cgi-bin/stable_token":
            try:
                body = json.loads(raw)
            except ValueError:
                body = None
            if not isinstance(body, dict):
                return self.answer(200, error(47001, "data format error"))
            self.answer(200, stable_token(body))
        elif url.path == "/cgi-bin/message/template/send":
            self.answer(200, template_send(query.get("access_token", ""), raw))
        elif url.path == "/fake/holder":
            with lock:
                state["holder"] = query.get("name") or "resident-1"
                self.answer(200, {"ok": True, "openid": openid(state["holder"])})
        elif url.path == "/fake/expire":
            with lock:
                if current is not None:
                    tokens[current] = time.time() - 1
            self.answer(200, {"ok": True})
        elif url.path == "/fake/fail":
            with lock:
                state["fail"] = int(query.get("n", "1"))
            self.answer(200, {"ok": True})
        else:
            self.answer(404, error(404, "not found"))



# The test runner ends the fake with SIGTERM: leave quietly, with status 0.
signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
signal.signal(signal.SIGINT, lambda *_: sys.exit(0))
ThreadingHTTPServer(("127.0.0.1", PORT), Handler).serve_forever()
