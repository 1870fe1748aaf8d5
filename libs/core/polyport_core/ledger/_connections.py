"""SQLite plumbing the ledger and the outbox share: WAL connections, one per thread, closable at once."""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path

__all__ = ["PerThreadConnections", "connect_wal"]


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


_wal_switch = threading.Lock()


def connect_wal(
    path: Path, *, busy_timeout_s: float, synchronous: str, before_wal: Sequence[str] = ()
) -> sqlite3.Connection:
    """A connection in WAL mode with ``synchronous`` set.

    Switching a new file to WAL needs an exclusive lock and SQLite does not wait for it (no busy
    handler): two threads opening a fresh file at once would see "database is locked". Threads of
    this process take turns; another process's lock is waited for up to ``busy_timeout_s``.
    """
    db = sqlite3.connect(path, timeout=busy_timeout_s, isolation_level=None, check_same_thread=False)
    try:
        for pragma in before_wal:
            db.execute(pragma)
        deadline = time.monotonic() + busy_timeout_s
        while True:
            try:
                with _wal_switch:
                    db.execute("PRAGMA journal_mode=WAL")
                break
            except sqlite3.OperationalError as error:
                if "locked" not in str(error) or time.monotonic() >= deadline:
                    raise
                time.sleep(0.005)
        db.execute(f"PRAGMA synchronous={synchronous}")
    except BaseException:
        db.close()
        raise
    return db
