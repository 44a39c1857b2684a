"""What the bot remembers between polls: sources, seen articles and the alert outbox.

`Store` is the interface; `SqliteStore` is the default backend. The SQL sticks to what
PostgreSQL also accepts (`INSERT … ON CONFLICT … DO NOTHING/UPDATE`, `excluded.`), so a
second backend can implement the same Protocol with the same statements.
"""

from __future__ import annotations

import dataclasses
import json
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import urlsplit

from bot.errors import ConfigError
from bot.migrations import apply_migrations
from bot.models import Alert

STATUSES = ("queued", "sent", "failed")
_SQLITE_PREFIX = "sqlite:///"


class Store(Protocol):
    def source_known(self, source_url: str) -> bool: ...

    def record_poll(
        self,
        source_url: str,
        at: datetime,
        error: str | None = None,
        etag: str | None = None,
        last_modified: str | None = None,
    ) -> None: ...

    def poll_state(self, source_url: str) -> tuple[str | None, str | None] | None: ...

    def article_known(self, url: str) -> bool: ...

    def content_known(self, fingerprint: str) -> bool: ...

    def record_article(
        self,
        url: str,
        fingerprint: str,
        source: str,
        title: str,
        published: datetime | None,
        alerted: bool,
    ) -> bool: ...

    def enqueue_alert(self, alert: Alert) -> bool: ...

    def queued_alerts(self, limit: int = 100) -> list[Alert]: ...

    def mark_sent(self, key: str, at: datetime, ref: str | None) -> None: ...

    def mark_failed(self, key: str, reason: str) -> None: ...

    def counts(self) -> dict[str, int]: ...

    def close(self) -> None: ...


def open_store(url: str) -> Store:
    """`sqlite:///relative.db`, `sqlite:////absolute.db` or `sqlite:///:memory:`."""
    if not url.startswith(_SQLITE_PREFIX) or url == _SQLITE_PREFIX:
        # Only the scheme is echoed: a database URL may carry a password.
        scheme = urlsplit(url).scheme or "no scheme"
        raise ConfigError(
            [f"environment: DATABASE_URL: unsupported ({scheme}); use sqlite:///path/to/bot.db"]
        )
    target = url.removeprefix(_SQLITE_PREFIX)
    if target != ":memory:":
        Path(target).parent.mkdir(parents=True, exist_ok=True)
    return SqliteStore(connect_sqlite(target))


def connect_sqlite(target: str) -> sqlite3.Connection:
    """The one connection a SqliteStore uses, shared by the scheduler's threads."""
    conn = sqlite3.connect(target, timeout=5.0, isolation_level=None, check_same_thread=False)
    conn.execute("PRAGMA busy_timeout = 5000")  # before WAL: switching modes takes a lock
    conn.execute("PRAGMA journal_mode = WAL")  # readers never wait for the writer
    return conn


class SqliteStore:
    def __init__(self, conn: sqlite3.Connection) -> None:
        if conn.isolation_level is not None:
            # sqlite3's implicit transactions would wrap our BEGIN IMMEDIATE.
            raise ValueError("SqliteStore needs a connection with isolation_level=None")
        self._conn = conn
        self._lock = threading.Lock()
        with self._lock:
            apply_migrations(conn)

    # sources

    def source_known(self, source_url: str) -> bool:
        return self._exists("SELECT 1 FROM sources WHERE url = ?", (source_url,))

    def record_poll(
        self,
        source_url: str,
        at: datetime,
        error: str | None = None,
        etag: str | None = None,
        last_modified: str | None = None,
    ) -> None:
        # A failed poll keeps the validators of the last good one.
        with self._write() as conn:
            conn.execute(
                """INSERT INTO sources (url, last_polled, last_error, etag, last_modified)
                VALUES (?, ?, ?, ?, ?)
                ON CONFLICT (url) DO UPDATE SET
                    last_polled = excluded.last_polled,
                    last_error = excluded.last_error,
                    etag = CASE WHEN excluded.last_error IS NULL
                        THEN excluded.etag ELSE sources.etag END,
                    last_modified = CASE WHEN excluded.last_error IS NULL
                        THEN excluded.last_modified ELSE sources.last_modified END""",
                (source_url, _iso(at), error, etag, last_modified),
            )

    def poll_state(self, source_url: str) -> tuple[str | None, str | None] | None:
        rows = self._read("SELECT etag, last_modified FROM sources WHERE url = ?", (source_url,))
        return (rows[0][0], rows[0][1]) if rows else None

    # articles

    def article_known(self, url: str) -> bool:
        return self._exists("SELECT 1 FROM articles WHERE url = ?", (url,))

    def content_known(self, fingerprint: str) -> bool:
        return self._exists("SELECT 1 FROM articles WHERE fingerprint = ?", (fingerprint,))

    def record_article(
        self,
        url: str,
        fingerprint: str,
        source: str,
        title: str,
        published: datetime | None,
        alerted: bool,
    ) -> bool:
        with self._write() as conn:
            cursor = conn.execute(
                """INSERT INTO articles
                    (url, fingerprint, source, title, published, alerted, first_seen)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (url) DO NOTHING""",
                (
                    url,
                    fingerprint,
                    source,
                    title,
                    _iso(published) if published else None,
                    int(alerted),
                    _iso(datetime.now(UTC)),
                ),
            )
            return cursor.rowcount == 1

    # outbox

    def enqueue_alert(self, alert: Alert) -> bool:
        # The insert is the claim: whichever connection inserts the key first owns it.
        with self._write() as conn:
            cursor = conn.execute(
                """INSERT INTO outbox (key, ticker, alert, status, created_at)
                VALUES (?, ?, ?, 'queued', ?)
                ON CONFLICT (key) DO NOTHING""",
                (alert.key, alert.ticker, alert_to_json(alert), _iso(datetime.now(UTC))),
            )
            return cursor.rowcount == 1

    def queued_alerts(self, limit: int = 100) -> list[Alert]:
        rows = self._read(
            "SELECT alert FROM outbox WHERE status = 'queued' ORDER BY id LIMIT ?", (limit,)
        )
        return [alert_from_json(row[0]) for row in rows]

    def mark_sent(self, key: str, at: datetime, ref: str | None) -> None:
        self._update(
            "UPDATE outbox SET status = 'sent', sent_at = ?, ref = ?, error = NULL WHERE key = ?",
            (_iso(at), ref, key),
        )

    def mark_failed(self, key: str, reason: str) -> None:
        self._update("UPDATE outbox SET status = 'failed', error = ? WHERE key = ?", (reason, key))

    def counts(self) -> dict[str, int]:
        counts = dict.fromkeys(STATUSES, 0)
        for status, count in self._read("SELECT status, COUNT(*) FROM outbox GROUP BY status"):
            counts[status] = count
        return counts

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    # plumbing

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        # BEGIN IMMEDIATE takes the write lock up front, so a competing process waits
        # (busy_timeout) instead of failing halfway through.
        with self._lock:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield self._conn
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            self._conn.execute("COMMIT")

    def _read(self, sql: str, params: tuple[Any, ...] = ()) -> list[Any]:
        with self._lock:
            return self._conn.execute(sql, params).fetchall()

    def _exists(self, sql: str, params: tuple[Any, ...]) -> bool:
        return bool(self._read(sql, params))

    def _update(self, sql: str, params: tuple[Any, ...]) -> None:
        with self._write() as conn:
            if conn.execute(sql, params).rowcount == 0:
                raise KeyError(f"no alert with key {params[-1]!r}")


def alert_to_json(alert: Alert) -> str:
    """The whole Alert, so the outbox can be replayed after a restart."""
    data = dataclasses.asdict(alert)
    data["published"] = _iso(alert.published) if alert.published else None
    return json.dumps(data, ensure_ascii=False, sort_keys=True)


def alert_from_json(text: str) -> Alert:
    data: dict[str, Any] = json.loads(text)
    data["events"] = tuple(data["events"])
    if data["published"] is not None:
        data["published"] = datetime.fromisoformat(data["published"])
    return Alert(**data)


def _iso(moment: datetime) -> str:
    if moment.utcoffset() is None:
        raise ValueError(f"naive datetime {moment.isoformat()}: pass a timezone-aware one")
    return moment.astimezone(UTC).isoformat()
