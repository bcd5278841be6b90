#!/usr/bin/env python3
"""A fake SMTP submission server with STARTTLS on loopback for the browser journey.

It holds a client to what a real submission server requires — RFC 5321 command order,
STARTTLS before anything else (RFC 3207; the session starts over after it), AUTH PLAIN or
LOGIN only over TLS and before MAIL (RFC 4954), dot-stuffing undone, and a message that
parses and carries From, To or Cc, Date and Message-ID — and answers with the usual reply
and enhanced status codes. Its certificate is a leaf signed by a throwaway CA made with the
openssl command at start (webpki refuses a self-signed CA as the server's own certificate);
the CA is written to CA_OUT for the portal to trust, and nothing else.

GET /mails on HTTP_PORT lists the mails it accepted (envelope, headers, the text/plain body,
TLS and the signed-in user); POST /fail?n=K makes the next K DATA end in 451; GET /healthz
says it is up.

    fake_smtp.py SMTP_PORT HTTP_PORT CA_OUT USER PASSWORD
"""

import base64
import binascii
import hmac
import os
import re
import secrets
import signal
import socketserver
import ssl
import subprocess
import sys
import tempfile
import threading
from email import policy
from email.parser import BytesParser
from http.server import ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit

from fake_http import QuietHandler

SMTP_PORT, HTTP_PORT, CA_OUT = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
USER, PASSWORD = sys.argv[4], sys.argv[5]
SIZE = 10485760
mails = []
state = {"fail": 0}
lock = threading.Lock()

OPENSSL_CONFIG = """\
[req]
distinguished_name = dn
prompt = no
[dn]
CN = localhost
[ca]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
[leaf]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = IP:127.0.0.1, DNS:localhost
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
"""


def openssl(*args, cwd):
    done = subprocess.run(["openssl", *args], cwd=cwd, capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"fake_smtp: openssl {args[0]} failed:\n{done.stderr}")


def make_certificates():
    """The TLS context for the leaf, and the CA's PEM; the key files never outlive this."""
    with tempfile.TemporaryDirectory(prefix="fake-smtp-") as work:
        with open(os.path.join(work, "openssl.cnf"), "w") as f:
            f.write(OPENSSL_CONFIG)
        common = ["-config", "openssl.cnf", "-newkey", "rsa:2048", "-nodes"]
        openssl("req", "-x509", *common, "-keyout", "ca.key", "-out", "ca.pem", "-days", "30",
                "-subj", "/CN=fake_smtp throwaway CA", "-extensions", "ca", cwd=work)
        openssl("req", "-new", *common, "-keyout", "leaf.key", "-out", "leaf.csr",
                "-subj", "/CN=localhost", cwd=work)
        openssl("x509", "-req", "-in", "leaf.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
                "-set_serial", "0x" + secrets.token_hex(16), "-days", "30",
                "-extfile", "openssl.cnf", "-extensions", "leaf", "-out", "leaf.pem", cwd=work)
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(os.path.join(work, "leaf.pem"), os.path.join(work, "leaf.key"))
        with open(os.path.join(work, "ca.pem")) as f:
            return context, f.read()


class Quit(Exception):
    pass


class Session(socketserver.BaseRequestHandler):
    def setup(self):
        self.sock = self.request
        self.sock.settimeout(300)  # a client that goes quiet does not hold a thread forever
        self.buffer = bytearray()
        self.tls = False
        self.user = None
        self.greeted = False
        self.reset()

    def finish(self):
        self.sock.close()  # after STARTTLS the handler's own socket is this TLS one

    def reset(self):
        self.sender = None
        self.recipients = []

    def reply(self, *lines):
        code, last = lines[0][:3], len(lines) - 1
        text = "".join(f"{code}{' ' if i == last else '-'}{line[4:]}\r\n" for i, line in enumerate(lines))
        self.sock.sendall(text.encode())

    def line(self, limit=16384, data=False):
        """The next line through its CRLF: SMTP's only line ending (RFC 5321 §2.3.8)."""
        while True:
            end, lf = self.buffer.find(b"\r\n"), self.buffer.find(b"\n")
            # A bare LF ends no line; in a command it is refused and the session ended, as
            # Postfix does, rather than left waiting. In data it is just a byte of the line.
            if not data and lf != -1 and (end == -1 or lf < end + 1):
                self.reply("500 5.5.2 Bare <LF> received")
                raise Quit
            if end != -1:
                got = bytes(self.buffer[: end + 2])
                del self.buffer[: end + 2]
                return got
            if len(self.buffer) > limit:
                self.reply("500 5.5.2 Line too long")
                raise Quit
            chunk = self.sock.recv(65536)
            if not chunk:
                raise Quit
            self.buffer += chunk

    def handle(self):
        try:
            self.reply("220 localhost ESMTP fake")
            while True:
                raw = self.line().rstrip(b"\r\n")
                try:
                    command = raw.decode()
                except UnicodeDecodeError:
                    self.reply("500 5.5.2 Invalid UTF-8 in command")
                    continue
                verb, _, arg = command.partition(" ")
                getattr(self, "smtp_" + verb.upper(), self.unknown)(verb.upper(), arg.strip())
        except (Quit, OSError, ssl.SSLError):
            pass

    def unknown(self, verb, arg):
        if verb in ("VRFY", "EXPN", "HELP", "TURN", "ETRN", "BDAT", "ATRN"):
            self.reply("502 5.5.1 Command not implemented")
        else:
            self.reply("500 5.5.2 Command not recognized")

    def smtp_EHLO(self, verb, arg):
        if not arg:
            return self.reply("501 5.5.4 EHLO needs a domain or address literal")
        self.greeted = True
        self.reset()
        # STARTTLS is offered only in the clear and AUTH only under TLS, as submission servers do.
        security = ["250 AUTH PLAIN LOGIN"] if self.tls else ["250 STARTTLS"]
        self.reply(f"250 localhost greets {arg}", "250 8BITMIME", "250 SMTPUTF8",
                   f"250 SIZE {SIZE}", "250 ENHANCEDSTATUSCODES", *security)

    def smtp_HELO(self, verb, arg):
        if not arg:
            return self.reply("501 5.5.4 HELO needs a domain")
        self.greeted = True
        self.reset()
        self.reply("250 localhost")

    def smtp_STARTTLS(self, verb, arg):
        if arg:
            return self.reply("501 5.5.4 STARTTLS takes no parameters")
        if self.tls:
            return self.reply("503 5.5.1 TLS already active")
        if not self.greeted:
            return self.reply("503 5.5.1 Send EHLO first")
        self.reply("220 2.0.0 Ready to start TLS")
        # Anything pipelined after STARTTLS came in the clear and must not count (RFC 3207 §4.2).
        self.buffer.clear()
        self.sock = CONTEXT.wrap_socket(self.sock, server_side=True)
        self.tls = True
        self.greeted = False
        self.user = None
        self.reset()

    def smtp_AUTH(self, verb, arg):
        if not self.tls:
            return self.reply("538 5.7.11 Encryption required")
        if not self.greeted:
            return self.reply("503 5.5.1 Send EHLO first")
        if self.user is not None:
            return self.reply("503 5.5.1 Already authenticated")
        if self.sender is not None:
            return self.reply("503 5.5.1 AUTH not allowed during a mail transaction")
        mechanism, _, initial = arg.partition(" ")
        mechanism, initial = mechanism.upper(), initial.strip()
        if mechanism == "PLAIN":
            response = self.challenge("", initial)
            if response is None:
                return
            parts = response.split(b"\0")
            if len(parts) != 3:
                return self.reply("535 5.7.8 Authentication credentials invalid")
            identity, user, password = parts
            if identity and identity != user:
                return self.reply("535 5.7.8 Authentication credentials invalid")
        elif mechanism == "LOGIN":
            user = self.challenge("VXNlcm5hbWU6", initial)  # "Username:"
            if user is None:
                return
            password = self.challenge("UGFzc3dvcmQ6", "")  # "Password:"
            if password is None:
                return
        else:
            return self.reply("504 5.5.4 Unrecognized authentication type")
        if hmac.compare_digest(user, USER.encode()) and hmac.compare_digest(password, PASSWORD.encode()):
            self.user = USER
            self.reply("235 2.7.0 Authentication successful")
        else:
            self.reply("535 5.7.8 Authentication credentials invalid")

    def challenge(self, prompt, initial):
        """The client's answer, decoded; None once the failure has been answered."""
        if not initial:
            self.sock.sendall(f"334 {prompt}\r\n".encode())
            initial = self.line().rstrip(b"\r\n").decode(errors="replace")
            if initial == "*":
                self.reply("501 5.7.0 Authentication aborted")
                return None
        if initial == "=":  # RFC 4954: an empty initial response
            return b""
        try:
            return base64.b64decode(initial, validate=True)
        except (binascii.Error, ValueError):
            self.reply("501 5.5.2 Cannot decode response")
            return None

    def smtp_MAIL(self, verb, arg):
        if not self.greeted:
            return self.reply("503 5.5.1 Send EHLO first")
        if not self.tls:
            return self.reply("530 5.7.0 Must issue a STARTTLS command first")
        if self.user is None:
            return self.reply("530 5.7.0 Authentication required")
        if self.sender is not None:
            return self.reply("503 5.5.1 Nested MAIL command")
        found = re.fullmatch(r"FROM:\s*<([^<>]*)>((?:\s+\S+)*)\s*", arg, re.IGNORECASE)
        if not found:
            return self.reply("501 5.5.4 Syntax: MAIL FROM:<address>")
        for param in found.group(2).split():
            key, _, value = param.upper().partition("=")
            if key == "SIZE" and value.isdigit():
                if int(value) > SIZE:
                    return self.reply("552 5.3.4 Message size exceeds fixed limit")
            elif key == "BODY" and value in ("7BIT", "8BITMIME"):
                pass
            elif key == "SMTPUTF8" and not value:
                pass
            elif key == "AUTH" and value:
                pass
            else:
                return self.reply(f"555 5.5.4 Unsupported MAIL parameter {param}")
        self.sender = found.group(1)
        self.reply("250 2.1.0 Ok")

    def smtp_RCPT(self, verb, arg):
        if self.sender is None:
            return self.reply("503 5.5.1 Need MAIL command")
        found = re.fullmatch(r"TO:\s*<([^<>]+)>\s*", arg, re.IGNORECASE)
        if not found:
            return self.reply("501 5.1.3 Syntax: RCPT TO:<address>")
        self.recipients.append(found.group(1))
        self.reply("250 2.1.5 Ok")

    def smtp_DATA(self, verb, arg):
        if arg:
            return self.reply("501 5.5.4 DATA takes no parameters")
        if self.sender is None:
            return self.reply("503 5.5.1 Need MAIL command")
        if not self.recipients:
            return self.reply("554 5.5.1 No valid recipients")
        self.reply("354 End data with <CR><LF>.<CR><LF>")
        body, size = [], 0
        while True:
            got = self.line(limit=SIZE + 1024, data=True)
            if got == b".\r\n":  # only CRLF.CRLF ends the data, never a bare LF (smuggling)
                break
            if got.startswith(b"."):
                got = got[1:]
            size += len(got)
            if size <= SIZE:
                body.append(got)
        envelope = (self.sender, list(self.recipients))
        self.reset()
        if size > SIZE:
            return self.reply("552 5.3.4 Message size exceeds fixed limit")
        raw = b"".join(body)
        try:
            message = BytesParser(policy=policy.default).parsebytes(raw)
            header = {name: message[name] for name in ("From", "To", "Cc", "Subject", "Date", "Message-ID")}
            text = message.get_body(preferencelist=("plain",))
            if text is None:
                text = next((p for p in message.walk() if p.get_content_type() == "text/plain"), None)
            # The wire's CRLF is SMTP's, not the writer's: the test compares the text with \n.
            text = text.get_content().replace("\r\n", "\n") if text is not None else None
            content_type = message.get_content_type()
        except Exception:  # a header or charset the parser cannot read
            return self.reply("550 5.6.0 message cannot be parsed")
        if not (header["From"] and (header["To"] or header["Cc"]) and header["Date"] and header["Message-ID"]):
            return self.reply("550 5.6.0 message lacks a required header")
        queued = secrets.token_hex(5).upper()
        with lock:
            if state["fail"] > 0:
                state["fail"] -= 1
                return self.reply("451 4.3.0 Try again later")
            mails.append(
                {
                    "id": queued,
                    "envelope_from": envelope[0],
                    "envelope_to": envelope[1],
                    "from": str(header["From"]),
                    "to": str(header["To"] or ""),
                    "cc": str(header["Cc"] or ""),
                    "subject": str(header["Subject"] or ""),
                    "date": str(header["Date"]),
                    "message_id": str(header["Message-ID"]),
                    "content_type": content_type,
                    "text": text,
                    "tls": self.tls,
                    "user": self.user,
                    "raw": raw.decode(errors="replace"),
                }
            )
        self.reply(f"250 2.0.0 Ok: queued as {queued}")

    def smtp_RSET(self, verb, arg):
        self.reset()
        self.reply("250 2.0.0 Ok")

    def smtp_NOOP(self, verb, arg):
        self.reply("250 2.0.0 Ok")

    def smtp_QUIT(self, verb, arg):
        self.reply("221 2.0.0 Bye")
        raise Quit


class Handler(QuietHandler):
    def do_GET(self):
        if self.path == "/healthz":
            self.answer(200, {"ok": True})
        elif self.path == "/mails":
            with lock:
                self.answer(200, list(mails))
        else:
            self.answer(404, {"error": "not found"})

    def do_POST(self):
        url = urlsplit(self.path)
        if url.path == "/fail":
            with lock:
                state["fail"] = int(dict(parse_qsl(url.query)).get("n", "1"))
            self.answer(200, {"ok": True})
        else:
            self.answer(404, {"error": "not found"})



class SmtpServer(socketserver.ThreadingTCPServer):
    allow_reuse_address = True
    daemon_threads = True


# The test runner ends the fake with SIGTERM: leave quietly, with status 0.
signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
signal.signal(signal.SIGINT, lambda *_: sys.exit(0))
CONTEXT, ca_pem = make_certificates()
smtp = SmtpServer(("127.0.0.1", SMTP_PORT), Session)
http = ThreadingHTTPServer(("127.0.0.1", HTTP_PORT), Handler)
# The CA appears whole, and only once both ports listen, so its file can be waited for.
with open(CA_OUT + ".tmp", "w") as f:
    f.write(ca_pem)
os.replace(CA_OUT + ".tmp", CA_OUT)
threading.Thread(target=smtp.serve_forever, daemon=True).start()
http.serve_forever()
