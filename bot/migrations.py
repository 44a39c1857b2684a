"""Named schema steps for the SQLite store, each applied once and recorded with it.

Like sqlite-utils' migrations: a step and the row saying it ran commit together, so a
crash mid-step leaves neither behind and the next start simply retries it.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime


@dataclass(frozen=True)
class Migration:
    name: str
    statements: tuple[str, ...]  # one statement each: sqlite3 runs them one by one


MIGRATIONS: tuple[Migration, ...] = (
    Migration(
        "0001_initial",
        (
            """CREATE TABLE sources (
                url TEXT PRIMARY KEY,
                last_polled TEXT NOT NULL,
                last_error TEXT,
                etag TEXT,
                last_modified TEXT
            )""",
            """CREATE TABLE articles (
                url TEXT PRIMARY KEY,
                fingerprint TEXT NOT NULL,
                source TEXT NOT NULL,
                title TEXT NOT NULL,
                published TEXT,
                alerted INTEGER NOT NULL,
                first_seen TEXT NOT NULL
            )""",
            "CREATE INDEX articles_fingerprint ON articles (fingerprint)",
            # `id` only orders the queue; `key` is the claim.
            """CREATE TABLE outbox (
                id INTEGER PRIMARY KEY,
                key TEXT NOT NULL UNIQUE,
                ticker TEXT NOT NULL,
                alert TEXT NOT NULL,
                status TEXT NOT NULL CHECK (status IN ('queued', 'sent', 'failed')),
                created_at TEXT NOT NULL,
                sent_at TEXT,
                ref TEXT,
                error TEXT
            )""",
            "CREATE INDEX outbox_status ON outbox (status, id)",
        ),
    ),
)

_TABLE = "applied_migrations"


def apply_migrations(
    conn: sqlite3.Connection, migrations: tuple[Migration, ...] = MIGRATIONS
) -> list[str]:
    """Apply the steps not yet recorded, in order; return the names applied now.

    `conn` must be in autocommit mode (isolation_level=None) so that the explicit
    BEGIN IMMEDIATE below is the only transaction.
    """
    conn.execute(
        f"CREATE TABLE IF NOT EXISTS {_TABLE} (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)"
    )
    applied: list[str] = []
    for migration in migrations:
        # The check sits inside the write lock: two processes starting together
        # cannot both run the same step.
        conn.execute("BEGIN IMMEDIATE")
        try:
            done = conn.execute(
                f"SELECT 1 FROM {_TABLE} WHERE name = ?", (migration.name,)
            ).fetchone()
            if done is None:
                for statement in migration.statements:
                    conn.execute(statement)
                conn.execute(
                    f"INSERT INTO {_TABLE} (name, applied_at) VALUES (?, ?)",
                    (migration.name, datetime.now(UTC).isoformat()),
                )
                applied.append(migration.name)
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
    return applied
