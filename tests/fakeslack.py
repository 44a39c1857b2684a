"""A fake Slack (Web API + incoming webhook) over real HTTP on 127.0.0.1, for tests.

slack-sdk talks to it through `base_url`, so requests go through the SDK's real
encoding, headers and error handling. `fail_next` injects faults.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

TOKEN = "xoxb-fake-0123456789-secret"
CHANNELS = frozenset({"#alerts", "#aapl", "#msft", "C0ALERTS01"})
_LIMITS = {"header": 150, "section": 3000}


@dataclass(frozen=True)
class _Fault:
    error: str | None
    status: int | None
    retry_after: int | None
    disconnect: bool


class FakeSlack:
    def __init__(self, token: str = TOKEN, channels: frozenset[str] = CHANNELS) -> None:
        self.token = token
        self.channels = channels
        self.posts: list[dict[str, Any]] = []  # accepted chat.postMessage calls
        self.webhook_posts: list[dict[str, Any]] = []
        self.requests: list[str] = []  # the path of every request, faults included
        self._faults: list[_Fault] = []
        self._lock = threading.Lock()
        handler = type("Handler", (_Handler,), {"fake": self})
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True
        )

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_port}/api/"

    @property
    def webhook_url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_port}/webhook/T0/B0/hooksecret42"

    def __enter__(self) -> FakeSlack:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()

    def fail_next(
        self,
        n: int = 1,
        *,
        error: str | None = None,
        status: int | None = None,
        retry_after: int | None = None,
        disconnect: bool = False,
    ) -> None:
        """Fault the next `n` requests.

        error="channel_not_found" -> {"ok": false, "error": ...} (webhook: HTTP 404 + error)
        status=500 / status=429 (with Retry-After: retry_after) -> that HTTP status
        disconnect=True -> the post is accepted and recorded, then the connection is
        dropped before any reply (what makes a naive client post twice).
        """
        with self._lock:
            self._faults.extend([_Fault(error, status, retry_after, disconnect)] * n)

    # request handling, called on the server's threads

    def handle(self, request: _Handler) -> None:
        parts = urlsplit(request.path)
        raw = request.rfile.read(int(request.headers.get("Content-Length") or 0))
        body = _parse(request.headers.get_content_type(), raw.decode("utf-8"))
        body.update(_parse("application/x-www-form-urlencoded", parts.query))
        with self._lock:
            self.requests.append(parts.path)
            fault = self._faults.pop(0) if self._faults else None
        if parts.path.startswith("/webhook/"):
            self._webhook(request, body, fault)
            return
        if fault is not None and not fault.disconnect:
            request.reply_fault(fault)
            return
        if request.headers.get("Authorization") != f"Bearer {self.token}":
            request.reply(200, {"ok": False, "error": "invalid_auth"})
        elif parts.path == "/api/chat.postMessage":
            self._post_message(request, body, fault)
        elif parts.path == "/api/conversations.history":
            self._history(request, body)
        else:
            request.reply(404, {"ok": False, "error": "unknown_method"})

    def _post_message(self, request: _Handler, body: dict[str, Any], fault: _Fault | None) -> None:
        channel, text, blocks = body.get("channel"), body.get("text"), body.get("blocks")
        problem = None
        if channel not in self.channels:
            problem = "channel_not_found"
        elif not text and not blocks:
            problem = "no_text"
        elif blocks is not None and not _blocks_ok(blocks):
            problem = "invalid_blocks"
        if problem:
            request.reply(200, {"ok": False, "error": problem})
            return
        with self._lock:
            ts = f"1700000000.{len(self.posts) + 1:06d}"
            post = {**body, "ts": ts}
            post.setdefault("metadata", None)
            self.posts.append(post)
        if fault is not None:  # disconnect: accepted, but the client never hears so
            request.close_connection = True
            return
        message = {"type": "message", "text": text, "blocks": blocks, "ts": ts}
        request.reply(200, {"ok": True, "channel": channel, "ts": ts, "message": message})

    def _history(self, request: _Handler, body: dict[str, Any]) -> None:
        channel = body.get("channel")
        if channel not in self.channels:
            request.reply(200, {"ok": False, "error": "channel_not_found"})
            return
        # Like Slack: metadata only when asked for with include_all_metadata.
        with_metadata = str(body.get("include_all_metadata", "")).lower() in ("1", "true")
        with self._lock:
            posts = [p for p in self.posts if p["channel"] == channel]
        messages = [
            {"type": "message", "text": p["text"], "blocks": p["blocks"], "ts": p["ts"]}
            | ({"metadata": p["metadata"]} if with_metadata and p["metadata"] else {})
            for p in reversed(posts)
        ]
        request.reply(200, {"ok": True, "messages": messages, "has_more": False})

    def _webhook(self, request: _Handler, body: dict[str, Any], fault: _Fault | None) -> None:
        if fault is not None and not fault.disconnect:
            status = fault.status or 404
            request.reply_text(status, fault.error or "server_error", fault.retry_after)
            return
        if not body.get("text") and not body.get("blocks"):
            request.reply_text(400, "no_text")
            return
        if body.get("blocks") is not None and not _blocks_ok(body["blocks"]):
            request.reply_text(400, "invalid_blocks")
            return
        with self._lock:
            self.webhook_posts.append(body)
        if fault is not None:
            request.close_connection = True
            return
        request.reply_text(200, "ok")


class _Handler(BaseHTTPRequestHandler):
    fake: FakeSlack

    def do_POST(self) -> None:
        self.fake.handle(self)

    def do_GET(self) -> None:
        self.fake.handle(self)

    def log_message(self, format: str, *args: Any) -> None:
        """Silence the per-request stderr line."""

    def reply(self, status: int, payload: dict[str, Any], retry_after: int | None = None) -> None:
        self._send(status, json.dumps(payload).encode(), "application/json", retry_after)

    def reply_text(self, status: int, text: str, retry_after: int | None = None) -> None:
        self._send(status, text.encode(), "text/plain", retry_after)

    def reply_fault(self, fault: _Fault) -> None:
        if fault.status is not None and fault.status >= 500:
            self.reply_text(fault.status, "<html>upstream error</html>")
        elif fault.status == 429:
            self.reply(429, {"ok": False, "error": "ratelimited"}, fault.retry_after)
        else:
            self.reply(fault.status or 200, {"ok": False, "error": fault.error or "fatal_error"})

    def _send(self, status: int, data: bytes, kind: str, retry_after: int | None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", f"{kind}; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        if retry_after is not None:
            self.send_header("Retry-After", str(retry_after))
        self.end_headers()
        self.wfile.write(data)


def _parse(content_type: str, text: str) -> dict[str, Any]:
    """JSON bodies as they are; form bodies with their JSON-valued fields decoded."""
    if not text:
        return {}
    if content_type == "application/json":
        parsed: dict[str, Any] = json.loads(text)
        return parsed
    form: dict[str, Any] = {k: v[0] for k, v in parse_qs(text, keep_blank_values=True).items()}
    for key in ("blocks", "metadata"):
        if isinstance(form.get(key), str):
            form[key] = json.loads(form[key])
    return form


def _blocks_ok(blocks: Any) -> bool:
    if not isinstance(blocks, list) or not 0 < len(blocks) <= 50:
        return False
    for block in blocks:
        if not isinstance(block, dict) or "type" not in block:
            return False
        limit = _LIMITS.get(block["type"])
        if limit is not None and len(block.get("text", {}).get("text", "")) > limit:
            return False
    return True


@pytest.fixture
def fake_slack(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeSlack]:
    # slack-sdk honours HTTP(S)_PROXY but not NO_PROXY: keep 127.0.0.1 traffic local.
    for name in ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy"):
        monkeypatch.delenv(name, raising=False)
    with FakeSlack() as fake:
        yield fake
