"""What the fake providers' HTTP sides share: a handler that answers JSON (as the providers
and the tests' readers expect) or plain text, and keeps quiet in the test's output."""

import json
from http.server import BaseHTTPRequestHandler


class QuietHandler(BaseHTTPRequestHandler):
    def send(self, status, data, content_type):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def answer(self, status, body):
        self.send(status, json.dumps(body, ensure_ascii=False).encode(), "application/json;charset=utf-8")

    def plain(self, status, text):
        self.send(status, text.encode(), "text/plain; charset=utf-8")

    def log_message(self, *args):
        pass
