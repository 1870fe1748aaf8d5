"""One SQLite connection per thread, all closable at once (the ledger and the outbox share this)."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable

__all__ = ["PerThreadConnections"]


class PerThreadConnections:
    """A connection per thread: a sqlite3 connection must not run two transactions at once."""

    def __init__(self, connect: Callable[[], sqlite3.Connection]) -> None:
        self._connect = connect
        self._local = threading.local()
        self._lock = threading.Lock()
        self._all: list[sqlite3.Connection] = []

    def get(self) -> sqlite3.Connection:
        """This thread's connection, opened on first use."""
        db: sqlite3.Connection | None = getattr(self._local, "db", None)
        if db is None:
            db = self._connect()
            self._local.db = db
            with self._lock:
                self._all.append(db)
        return db

    def close_all(self) -> None:
        """Close every connection opened so far (threads reopen on their next use)."""
        with self._lock:
            for db in self._all:
                db.close()
            self._all.clear()
        self._local = threading.local()
