"""The store against real SQLite: files in tmp_path and :memory:."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from bot.errors import ConfigError
from bot.migrations import MIGRATIONS, Migration, apply_migrations
from bot.models import Alert
from bot.store import SqliteStore, Store, connect_sqlite, open_store

T0 = datetime(2025, 9, 1, 7, 27, tzinfo=UTC)


def make_alert(key: str = "k1", **changes: object) -> Alert:
    fields: dict[str, object] = {
        "key": key,
        "ticker": "AAPL",
        "events": ("acquisition", "earnings"),
        "url": "https://example.com/apple-buys",
        "title": "Apple buys a company",
        "published": datetime(2025, 9, 1, 9, 27, tzinfo=timezone(timedelta(hours=2))),
        "evidence": "Apple said on Monday it would buy the company.",
        "lang": "en",
        "source": "example.com",
        "channel": "#aapl",
    }
    fields.update(changes)
    return Alert(**fields)  # type: ignore[arg-type]


@pytest.fixture(params=["file", "memory"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    url = f"sqlite:///{tmp_path}/bot.db" if request.param == "file" else "sqlite:///:memory:"
    opened = open_store(url)
    yield opened
    opened.close()


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "nested" / "dir" / "bot.db"


def test_open_store_creates_parent_dirs_for_relative_paths(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    open_store("sqlite:///data/deep/bot.db").close()
    assert (tmp_path / "data" / "deep" / "bot.db").is_file()


def test_open_store_absolute_path(db_path: Path) -> None:
    open_store(f"sqlite:///{db_path}").close()  # sqlite:////abs/…
    assert db_path.is_file()


def test_unsupported_url_is_a_config_error_that_hides_the_password() -> None:
    with pytest.raises(ConfigError) as caught:
        open_store("postgresql://bot:s3cret@db.internal/bot")
    assert "postgresql" in str(caught.value)
    assert "s3cret" not in str(caught.value)


def test_wal_mode_enabled(db_path: Path) -> None:
    open_store(f"sqlite:///{db_path}").close()
    # WAL is a property of the file: a plain connection sees it too.
    plain = sqlite3.connect(db_path)
    assert plain.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    plain.close()
    conn = connect_sqlite(str(db_path))
    assert conn.execute("PRAGMA busy_timeout").fetchone() == (5000,)
    conn.close()


def test_migrations_are_applied_once(db_path: Path) -> None:
    for _ in range(2):
        open_store(f"sqlite:///{db_path}").close()
    conn = connect_sqlite(str(db_path))
    names = [row[0] for row in conn.execute("SELECT name FROM applied_migrations")]
    assert names == [m.name for m in MIGRATIONS]
    assert apply_migrations(conn) == []
    extra = Migration("0099_extra", ("CREATE TABLE extra (x INTEGER)",))
    assert apply_migrations(conn, (*MIGRATIONS, extra)) == ["0099_extra"]
    assert apply_migrations(conn, (*MIGRATIONS, extra)) == []
    conn.close()


def test_failed_migration_leaves_neither_schema_nor_record(tmp_path: Path) -> None:
    conn = connect_sqlite(str(tmp_path / "bot.db"))
    broken = Migration("0002_broken", ("CREATE TABLE half (x INTEGER)", "NOT SQL"))
    with pytest.raises(sqlite3.OperationalError):
        apply_migrations(conn, (*MIGRATIONS, broken))
    tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master")}
    assert "half" not in tables
    assert "outbox" in tables  # the good step before it stays applied
    assert apply_migrations(conn) == []
    conn.close()


def test_poll_state_tracks_validators_and_keeps_them_on_errors(store: Store) -> None:
    url = "https://example.com/news"
    assert not store.source_known(url)
    assert store.poll_state(url) is None

    store.record_poll(url, T0, etag='"abc"', last_modified="Mon, 01 Sep 2025 07:00:00 GMT")
    assert store.source_known(url)
    assert store.poll_state(url) == ('"abc"', "Mon, 01 Sep 2025 07:00:00 GMT")

    store.record_poll(url, T0 + timedelta(minutes=5), error="HTTP 503")
    assert store.poll_state(url) == ('"abc"', "Mon, 01 Sep 2025 07:00:00 GMT")

    store.record_poll(url, T0 + timedelta(minutes=10))
    assert store.poll_state(url) == (None, None)


def test_record_article_is_insert_if_absent(store: Store) -> None:
    url = "https://example.com/a"
    assert not store.article_known(url)
    assert store.record_article(url, "fp1", "example.com", "Title", T0, alerted=True)
    assert not store.record_article(url, "fp2", "example.com", "Other", None, alerted=False)
    assert store.article_known(url)
    assert store.content_known("fp1")
    assert not store.content_known("fp2")  # the losing insert changed nothing


def test_alert_key_is_claimed_once_across_connections(db_path: Path) -> None:
    url = f"sqlite:///{db_path}"
    first, second = open_store(url), open_store(url)
    assert first.enqueue_alert(make_alert("k1"))
    assert not second.enqueue_alert(make_alert("k1"))

    # Many threads on two connections race for one new key: exactly one wins.
    barrier = threading.Barrier(8)
    wins: list[bool] = []

    def claim(store: Store) -> None:
        barrier.wait()
        wins.append(store.enqueue_alert(make_alert("k2")))

    threads = [threading.Thread(target=claim, args=(s,)) for s in [first, second] * 4]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(wins) == [False] * 7 + [True]
    assert first.counts()["queued"] == 2
    first.close()
    second.close()


def test_queued_alert_survives_restart(db_path: Path) -> None:
    alert = make_alert()
    store = open_store(f"sqlite:///{db_path}")
    store.enqueue_alert(alert)
    store.close()

    reopened = open_store(f"sqlite:///{db_path}")
    [rebuilt] = reopened.queued_alerts()
    reopened.close()
    assert rebuilt == alert
    assert rebuilt.published is not None
    assert rebuilt.published.utcoffset() == timedelta(0)  # stored as UTC


def test_outbox_lifecycle(store: Store) -> None:
    for key in ("k1", "k2", "k3", "k4"):
        store.enqueue_alert(make_alert(key))
    assert [a.key for a in store.queued_alerts()] == ["k1", "k2", "k3", "k4"]
    assert [a.key for a in store.queued_alerts(limit=2)] == ["k1", "k2"]

    store.mark_sent("k1", T0, "1700000000.000001")
    store.mark_failed("k2", "channel_not_found")
    assert [a.key for a in store.queued_alerts()] == ["k3", "k4"]
    assert store.counts() == {"queued": 2, "sent": 1, "failed": 1}
    # A sent key stays claimed: the same story is never queued again.
    assert not store.enqueue_alert(make_alert("k1"))


def test_sent_time_is_stored_as_iso_utc(db_path: Path) -> None:
    store = open_store(f"sqlite:///{db_path}")
    store.enqueue_alert(make_alert())
    store.mark_sent("k1", datetime(2025, 9, 1, 9, 27, tzinfo=timezone(timedelta(hours=2))), "1.2")
    store.close()
    conn = sqlite3.connect(db_path)
    row = conn.execute("SELECT sent_at, ref, status FROM outbox").fetchone()
    conn.close()
    assert row == ("2025-09-01T07:27:00+00:00", "1.2", "sent")


def test_marking_an_unknown_key_is_an_error(store: Store) -> None:
    with pytest.raises(KeyError):
        store.mark_sent("missing", T0, None)
    with pytest.raises(KeyError):
        store.mark_failed("missing", "boom")


def test_naive_datetimes_are_rejected(store: Store) -> None:
    with pytest.raises(ValueError, match="naive"):
        store.record_poll("https://example.com", datetime(2025, 9, 1, 7, 27))


def test_store_needs_an_autocommit_connection(tmp_path: Path) -> None:
    conn = sqlite3.connect(tmp_path / "x.db")
    with pytest.raises(ValueError, match="isolation_level"):
        SqliteStore(conn)
    conn.close()
