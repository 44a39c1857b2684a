"""Fetching pages: http(s) through one shared httpx client, file:// from disk, bytes to text."""

from __future__ import annotations

import codecs
import mimetypes
import re
from datetime import UTC, datetime
from email.utils import format_datetime
from pathlib import Path
from urllib.parse import urlsplit
from urllib.request import url2pathname

import charset_normalizer
import httpx

from bot.errors import FetchError
from bot.models import Page

USER_AGENT = "ticker-news-bot/0.1 (+https://github.com/ticker-news-bot)"
MAX_BYTES = 5 * 1024 * 1024
_TIMEOUT = httpx.Timeout(20.0, connect=10.0)
_ACCEPT = (
    "text/html,application/xhtml+xml,application/rss+xml,application/atom+xml,"
    "application/xml;q=0.9,text/plain;q=0.8,*/*;q=0.1"
)
_XML_TYPES = frozenset({"application/xml", "application/rss+xml", "application/atom+xml"})
_EXTENSION_TYPES = {
    ".html": "text/html",
    ".htm": "text/html",
    ".xhtml": "application/xhtml+xml",
    ".xml": "application/xml",
    ".rss": "application/xml",
    ".atom": "application/xml",
    ".txt": "text/plain",
}
_CHARSET_PARAM = re.compile(r"charset\s*=\s*[\"']?([\w.:-]+)", re.IGNORECASE)
_META_CHARSET = re.compile(rb"<meta[^>]+charset\s*=\s*[\"']?\s*([\w.:-]+)", re.IGNORECASE)
_XML_ENCODING = re.compile(rb"^\s*<\?xml[^>]+encoding\s*=\s*[\"']([\w.:-]+)", re.IGNORECASE)
_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# Servers label pages with these when nobody configured a charset, UTF-8 ones included.
_DEFAULT_LABELS = frozenset({"ascii", "iso8859-1", "cp1252"})


def make_client(user_agent: str = USER_AGENT) -> httpx.Client:
    """The one client the bot's fetches share (connection pooling, redirects capped at 5)."""
    return httpx.Client(
        headers={"User-Agent": user_agent, "Accept": _ACCEPT},
        timeout=_TIMEOUT,
        follow_redirects=True,
        max_redirects=5,
    )


class Fetcher:
    """Fetches http(s) URLs and file:// URIs as decoded `Page`s; raises FetchError only."""

    def __init__(self, client: httpx.Client, *, max_bytes: int = MAX_BYTES) -> None:
        self._client = client
        self._max_bytes = max_bytes

    def fetch(self, url: str, *, etag: str | None = None, last_modified: str | None = None) -> Page:
        scheme = urlsplit(url).scheme.lower()
        if scheme in ("http", "https"):
            return self._fetch_http(url, etag, last_modified)
        if scheme == "file":
            return self._fetch_file(url, etag, last_modified)
        raise FetchError(url, f"unsupported URL scheme {scheme!r}")

    def _fetch_http(self, url: str, etag: str | None, last_modified: str | None) -> Page:
        headers = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        try:
            with self._client.stream("GET", url, headers=headers) as response:
                final_url = str(response.url)
                new_etag = response.headers.get("etag", etag)
                new_modified = response.headers.get("last-modified", last_modified)
                if response.status_code == 304:
                    return _page(url, final_url, 304, "", "", new_etag, new_modified)
                if not response.is_success:
                    raise FetchError(url, f"HTTP {response.status_code} {response.reason_phrase}")
                header = response.headers.get("content-type")
                media_type = _check_text(url, header.split(";")[0] if header else "")
                body = self._read_body(url, response)
        except httpx.TimeoutException:
            raise FetchError(url, "timed out") from None
        except httpx.TooManyRedirects:
            raise FetchError(url, "too many redirects") from None
        except (httpx.HTTPError, httpx.InvalidURL) as error:
            raise FetchError(url, f"{type(error).__name__}: {error}") from None
        text = decode_body(body, header)
        return _page(url, final_url, response.status_code, media_type, text, new_etag, new_modified)

    def _read_body(self, url: str, response: httpx.Response) -> bytes:
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > self._max_bytes:
            raise FetchError(url, f"body of {declared} bytes exceeds {self._max_bytes}")
        # Counted on decompressed bytes while streaming: the length header may be absent,
        # wrong, or describe a small gzip body that inflates to gigabytes.
        chunks: list[bytes] = []
        size = 0
        for chunk in response.iter_bytes():
            size += len(chunk)
            if size > self._max_bytes:
                raise FetchError(url, f"body exceeds {self._max_bytes} bytes")
            chunks.append(chunk)
        return b"".join(chunks)

    def _fetch_file(self, url: str, etag: str | None, last_modified: str | None) -> Page:
        parts = urlsplit(url)
        if parts.netloc not in ("", "localhost"):
            raise FetchError(url, f"file URI on another host {parts.netloc!r}")
        path = Path(url2pathname(parts.path))
        media_type = _check_text(
            url, _EXTENSION_TYPES.get(path.suffix.lower()) or mimetypes.guess_type(path.name)[0]
        )
        try:
            stat = path.stat()
            if stat.st_size > self._max_bytes:
                raise FetchError(url, f"file of {stat.st_size} bytes exceeds {self._max_bytes}")
            # Validators as a web server derives them: the tag sees sub-second rewrites
            # that the one-second HTTP date would miss.
            tag = f'"{stat.st_mtime_ns:x}-{stat.st_size:x}"'
            modified = format_datetime(datetime.fromtimestamp(int(stat.st_mtime), UTC), usegmt=True)
            if tag == etag or (etag is None and modified == last_modified):
                return _page(url, url, 304, "", "", tag, modified)
            body = path.read_bytes()
        except OSError as error:
            raise FetchError(url, error.strerror or str(error)) from None
        return _page(url, url, 200, media_type, decode_body(body, None), tag, modified)


def decode_body(body: bytes, content_type_header: str | None) -> str:
    """Text of `body`: BOM, header charset, <meta> or XML declaration, then detection."""
    for bom, encoding in _BOMS:
        if body.startswith(bom):
            return body.decode(encoding, errors="replace")
    for label in _declared_charsets(body, content_type_header):
        try:
            encoding = codecs.lookup(label).name
        except LookupError:
            continue
        if encoding in _DEFAULT_LABELS:
            # WHATWG reads Latin-1 labels as windows-1252; and bytes that are valid UTF-8
            # beyond ASCII are UTF-8 text whatever a server's default label says.
            encoding = "utf-8" if _is_utf8(body) else "cp1252"
        try:
            return body.decode(encoding)
        except UnicodeDecodeError:
            continue  # a wrong declaration: try the next clue
    if _is_utf8(body):
        return body.decode("utf-8")
    matches = charset_normalizer.from_bytes(body)
    best = matches.best()
    if best is None:
        return body.decode("utf-8", errors="replace")
    # Short Western texts often tie (cp1250 reads "après" as "aprčs"); the web's legacy
    # default, windows-1252, breaks the tie.
    western = [m for m in matches if m.encoding == "cp1252" and m.chaos <= best.chaos]
    return str(western[0] if western else best)


def _declared_charsets(body: bytes, content_type_header: str | None) -> list[str]:
    labels = []
    if content_type_header and (param := _CHARSET_PARAM.search(content_type_header)):
        labels.append(param.group(1))
    head = body[:2048]
    for pattern in (_META_CHARSET, _XML_ENCODING):
        if declared := pattern.search(head):
            labels.append(declared.group(1).decode("ascii"))
    return labels


def _is_utf8(body: bytes) -> bool:
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _check_text(url: str, media_type: str | None) -> str:
    """The lower-case media type, or FetchError when it is not a text document."""
    media_type = (media_type or "").strip().lower()
    textual = (
        not media_type  # unlabelled: let decoding and parsing judge
        or media_type.startswith("text/")
        or media_type in _XML_TYPES
        or media_type.endswith("+xml")
    )
    if not textual:
        raise FetchError(url, f"not a text document ({media_type})")
    return media_type


def _page(
    url: str,
    final_url: str,
    status: int,
    content_type: str,
    text: str,
    etag: str | None,
    last_modified: str | None,
) -> Page:
    return Page(
        url=url,
        final_url=final_url,
        status=status,
        content_type=content_type,
        text=text,
        fetched_at=datetime.now(UTC),
        etag=etag,
        last_modified=last_modified,
    )
