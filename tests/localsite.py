"""A local news site over real HTTP on loopback, for tests that fetch like the bot does.

    with LocalSite() as site:
        site.put("/news/a.html", "<html>…</html>")
        fetcher.fetch(site.url("/news/a.html"))
        assert site.requests[-1].status == 200

Pages live in memory. Each has a strong ETag (hash of its bytes) and a Last-Modified
that moves forward on every `put`, and answers conditional GETs with 304 like a real
server. `set_status`, `redirect` and `set_delay` simulate a misbehaving site.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType

import pytest


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    status: int
    headers: Mapping[str, str]  # names lower-cased


@dataclass
class _Resource:
    body: bytes
    content_type: str
    etag: str
    modified: int  # epoch seconds
    headers: dict[str, str] = field(default_factory=dict)


class LocalSite:
    def __init__(self) -> None:
        self.requests: list[Request] = []
        self._resources: dict[str, _Resource] = {}
        self._statuses: dict[str, int] = {}
        self._redirects: dict[str, tuple[int, str]] = {}
        self._delays: dict[str, float] = {}
        self._clock = 0
        self._lock = threading.Lock()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle -------------------------------------------------------------
    def start(self) -> LocalSite:
        self._server = _Server(self)
        # A short poll interval keeps stop() (and so each test's teardown) quick.
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join()
            self._thread = None

    def __enter__(self) -> LocalSite:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # -- content ---------------------------------------------------------------
    def url(self, path: str) -> str:
        if self._server is None:
            raise RuntimeError("LocalSite is not started")
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}{_normalize(path)}"

    def put(
        self,
        path: str,
        body: bytes | str,
        content_type: str = "text/html; charset=utf-8",
        *,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        """Serve `body` at `path` (a str is sent as UTF-8); replaces any earlier page."""
        data = body.encode("utf-8") if isinstance(body, str) else body
        with self._lock:
            # Strictly increasing, so a change within the same second still counts as newer.
            self._clock = max(int(time.time()), self._clock + 1)
            self._resources[_normalize(path)] = _Resource(
                body=data,
                content_type=content_type,
                etag='"' + hashlib.sha256(data).hexdigest()[:20] + '"',
                modified=self._clock,
                headers=dict(headers or {}),
            )

    def remove(self, path: str) -> None:
        with self._lock:
            self._resources.pop(_normalize(path), None)

    def set_status(self, path: str, code: int | None) -> None:
        """Answer `path` with this error status (None: serve the page again)."""
        with self._lock:
            if code is None:
                self._statuses.pop(_normalize(path), None)
            else:
                self._statuses[_normalize(path)] = code

    def redirect(self, path: str, target: str, code: int = 302) -> None:
        with self._lock:
            self._redirects[_normalize(path)] = (code, target)

    def set_delay(self, path: str, seconds: float) -> None:
        """Wait this long before answering `path` (to provoke client timeouts)."""
        with self._lock:
            self._delays[_normalize(path)] = seconds

    # -- serving (called from the server's threads) ------------------------------
    def _respond(self, handler: _Handler) -> None:
        path = handler.path
        with self._lock:
            delay = self._delays.get(path, 0.0)
            status = self._statuses.get(path)
            redirect = self._redirects.get(path)
            resource = self._resources.get(path)
        if delay:
            time.sleep(delay)
        headers: dict[str, str] = {}
        body = b""
        if status is not None:
            body = f"error {status}".encode()
            headers["Content-Type"] = "text/plain; charset=utf-8"
        elif redirect is not None:
            status, headers["Location"] = redirect
        elif resource is None:
            status, body = 404, b"not found"
            headers["Content-Type"] = "text/plain; charset=utf-8"
        else:
            headers["ETag"] = resource.etag
            headers["Last-Modified"] = _http_date(resource.modified)
            if _not_modified(handler, resource):
                status = 304
            else:
                status, body = 200, resource.body
                headers["Content-Type"] = resource.content_type
                headers.update(resource.headers)
        request_headers = {k.lower(): v for k, v in handler.headers.items()}
        with self._lock:
            self.requests.append(Request(handler.command, path, status, request_headers))
        handler.send_response(status)
        for name, value in headers.items():
            handler.send_header(name, value)
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        if handler.command != "HEAD":
            handler.wfile.write(body)


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, site: LocalSite) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.site = site

    def handle_error(self, request: object, client_address: object) -> None:
        pass  # a client that gave up (timeout tests) is not a failure of the site


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as real news sites serve
    server: _Server

    def do_GET(self) -> None:
        self.server.site._respond(self)

    def do_HEAD(self) -> None:
        self.server.site._respond(self)

    def log_message(self, format: str, *args: object) -> None:
        pass  # tests assert on `site.requests` instead


def _not_modified(handler: BaseHTTPRequestHandler, resource: _Resource) -> bool:
    # RFC 9110: If-None-Match wins; If-Modified-Since only counts without it.
    if_none_match = handler.headers.get("If-None-Match")
    if if_none_match is not None:
        tags = [tag.strip() for tag in if_none_match.split(",")]
        return "*" in tags or resource.etag in tags
    if_modified_since = handler.headers.get("If-Modified-Since")
    if if_modified_since is None:
        return False
    try:
        since = parsedate_to_datetime(if_modified_since).timestamp()
    except (TypeError, ValueError):
        return False
    return resource.modified <= since


def _http_date(epoch: int) -> str:
    return format_datetime(datetime.fromtimestamp(epoch, UTC), usegmt=True)


def _normalize(path: str) -> str:
    return path if path.startswith("/") else "/" + path


@pytest.fixture
def local_site() -> Iterator[LocalSite]:
    """A started LocalSite, stopped after the test."""
    with LocalSite() as site:
        yield site
