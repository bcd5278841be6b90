#!/usr/bin/env python3
"""A fake 阿里云短信 (dysmsapi SendSms) on loopback for the browser journey.

It checks what the real service checks first — the parameters, the timestamp, that no
nonce comes twice, and the HMAC-SHA1 signature over the sorted, RFC 3986-encoded
parameters (written here from the provider's documentation, independently of the portal's
Rust) — and answers as the service does. QuerySendDetails answers
that each text it took was delivered. GET /texts lists the texts it accepted (phone,
template, arguments) for the test to read; GET /healthz says it is up.

    fake_aliyun_sms.py PORT ACCESS_KEY_ID ACCESS_KEY_SECRET
"""

import base64
import hashlib
import hmac
import json
import sys
import threading
from http.server import ThreadingHTTPServer
from urllib.parse import parse_qsl, quote

from fake_http import QuietHandler

PORT, KEY_ID, SECRET = int(sys.argv[1]), sys.argv[2], sys.argv[3]
texts = []
nonces = set()
lock = threading.Lock()


def encode(text):
    return quote(text, safe="-_.~")


def signature(method, params):
    canonical = "&".join(f"{encode(k)}={encode(v)}" for k, v in sorted(params.items()))
    to_sign = f"{method}&{encode('/')}&{encode(canonical)}"
    digest = hmac.new(f"{SECRET}&".encode(), to_sign.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


def receipt(params):
    """QuerySendDetails: every text this fake took reached its phone (status 3)."""
    number = params.get("PhoneNumber")
    taken = [i for i, t in enumerate(texts) if t["phone"] == number and f"{i + 1}^0" == params.get("BizId")]
    records = [{"PhoneNum": number, "SendStatus": 3, "ErrCode": "DELIVERED"} for _ in taken]
    return {
        "Code": "OK",
        "Message": "OK",
        "RequestId": "r",
        "TotalCount": len(records),
        "SmsSendDetailDTOs": {"SmsSendDetailDTO": records},
    }


class Handler(QuietHandler):
    def do_GET(self):
        if self.path == "/healthz":
            self.answer(200, {"ok": True})
        elif self.path == "/texts":
            with lock:
                self.answer(200, list(texts))
        else:
            self.answer(404, {"Code": "NotFound"})

    def do_POST(self):
        length = int(self.headers.get("Content-Length", "0"))
        params = dict(parse_qsl(self.rfile.read(length).decode(), keep_blank_values=True))
        sent = params.pop("Signature", "")
        action = params.get("Action")
        wanted = {
            "Action": action if action in ("SendSms", "QuerySendDetails") else "SendSms",
            "Version": "2017-05-25",
            "Format": "JSON",
            "SignatureMethod": "HMAC-SHA1",
            "SignatureVersion": "1.0",
            "AccessKeyId": KEY_ID,
        }
        refusal = None
        if any(params.get(k) != v for k, v in wanted.items()):
            refusal = "MissingParameter"
        elif not hmac.compare_digest(signature("POST", params), sent):
            refusal = "SignatureDoesNotMatch"
        with lock:
            if refusal is None and params.get("SignatureNonce") in nonces:
                refusal = "SignatureNonceUsed"
            if refusal:
                return self.answer(400, {"Code": refusal, "Message": "refused", "RequestId": "r"})
            nonces.add(params["SignatureNonce"])
            if action == "QuerySendDetails":
                return self.answer(200, receipt(params))
            texts.append(
                {
                    "phone": params.get("PhoneNumbers"),
                    "sign": params.get("SignName"),
                    "template": params.get("TemplateCode"),
                    "param": json.loads(params.get("TemplateParam") or "{}"),
                }
            )
        self.answer(200, {"Code": "OK", "Message": "OK", "BizId": f"{len(texts)}^0", "RequestId": "r"})



ThreadingHTTPServer(("127.0.0.1", PORT), Handler).serve_forever()
