"""The outbox: settles the ledger refused, kept on local disk until the ledger takes them.

A call that already happened must not lose its usage record because Redis was
restarting or another process held the SQLite ledger's write lock. The
governor writes such a settle here (one SQLite file, ``synchronous=FULL``: on
disk before the call returns) and replays it when the ledger answers again,
in this process or in the next one. Settles are idempotent by record id, so a
replay that races another process, or one cut by a crash after the ledger
took it, never counts twice; the outbox row is keyed by that id too.

One file may serve several ledgers (the default is shared by every process of
the user): each row carries its ledger's identity and is replayed only there.
"""

from __future__ import annotations

import dataclasses
import json
import os
import sqlite3
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from polyport_core.ledger._connections import PerThreadConnections, connect_wal
from polyport_core.ledger._types import Bucket, UsageRecord

__all__ = ["OUTBOX_ENV", "Outbox", "OutboxEntry", "default_outbox_path", "ledger_identity"]

OUTBOX_ENV = "POLYPORT_OUTBOX"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS outbox (
    ledger TEXT NOT NULL, id TEXT NOT NULL, added_at REAL NOT NULL, entry TEXT NOT NULL,
    PRIMARY KEY (ledger, id)) WITHOUT ROWID;
"""


def default_outbox_path() -> Path:
    """``$POLYPORT_OUTBOX``, else ``<user data dir>/polyport/outbox.sqlite3``."""
    configured = os.environ.get(OUTBOX_ENV, "").strip()
    if configured:
        return Path(configured).expanduser()
    from platformdirs import user_data_path

    return user_data_path("polyport", appauthor=False) / "outbox.sqlite3"


def ledger_identity(ledger: Any) -> str:
    """Which ledger an outbox row belongs to (``identity`` when the ledger has one)."""
    identity = getattr(ledger, "identity", None)
    if isinstance(identity, str) and identity:
        return identity
    return f"{type(ledger).__module__}.{type(ledger).__qualname__}"


@dataclass(frozen=True, slots=True)
class OutboxEntry:
    """One settle waiting for its ledger: the record and the buckets it holds and spends."""

    record: UsageRecord
    held: tuple[Bucket, ...]
    spend: tuple[Bucket, ...]

    def to_json(self) -> str:
        return json.dumps(
            {
                "record": dataclasses.asdict(self.record),
                "held": [[b.scope, b.period] for b in self.held],
                "spend": [[b.scope, b.period] for b in self.spend],
            }
        )

    @classmethod
    def from_json(cls, text: str) -> OutboxEntry:
        data = json.loads(text)
        return cls(
            record=UsageRecord.from_dict(data["record"]),
            held=tuple(Bucket(s, p) for s, p in data["held"]),
            spend=tuple(Bucket(s, p) for s, p in data["spend"]),
        )


class Outbox:
    """A durable queue of settles in one SQLite file, shared safely by threads and processes."""

    def __init__(self, path: str | Path | None = None, *, busy_timeout_s: float = 10.0) -> None:
        self.path = Path(path) if path is not None else default_outbox_path()
        self._busy_timeout_s = busy_timeout_s
        self._connections = PerThreadConnections(self._open)

    def __repr__(self) -> str:
        return f"Outbox({str(self.path)!r})"

    def _open(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        # FULL: a row is on disk when add() returns
        db = connect_wal(self.path, busy_timeout_s=self._busy_timeout_s, synchronous="FULL")
        db.executescript(_SCHEMA)
        return db

    def _conn(self) -> sqlite3.Connection:
        return self._connections.get()

    def add(self, ledger: str, record: UsageRecord, held: Sequence[Bucket], spend: Sequence[Bucket]) -> None:
        """Keep one settle for ``ledger`` (a second add of the same record id replaces it)."""
        entry = OutboxEntry(record, tuple(held), tuple(spend))
        self._conn().execute(
            "INSERT OR REPLACE INTO outbox (ledger, id, added_at, entry) VALUES (?, ?, ?, ?)",
            (ledger, record.id, time.time(), entry.to_json()),
        )

    def pending(self, ledger: str, limit: int = 256) -> list[OutboxEntry]:
        """The oldest ``limit`` settles waiting for ``ledger`` (none when the file does not exist)."""
        if not self.path.exists():
            return []
        rows = (
            self._conn()
            .execute("SELECT entry FROM outbox WHERE ledger = ? ORDER BY added_at LIMIT ?", (ledger, limit))
            .fetchall()
        )
        return [OutboxEntry.from_json(row[0]) for row in rows]

    def count(self, ledger: str) -> int:
        """How many settles wait for ``ledger``."""
        if not self.path.exists():
            return 0
        row = self._conn().execute("SELECT COUNT(*) FROM outbox WHERE ledger = ?", (ledger,)).fetchone()
        return int(row[0])

    def done(self, ledger: str, record_id: str) -> None:
        """Forget a settle the ledger has taken."""
        self._conn().execute("DELETE FROM outbox WHERE ledger = ? AND id = ?", (ledger, record_id))

    def close(self) -> None:
        """Close every connection this outbox opened."""
        self._connections.close_all()
