"""Daily rollups of a SQLite ledger, kept in the dashboard's memory and brought up to date per request.

Aggregating a million records per page view is seconds even on an index (each row a
random read). The dashboard reads the records once, grouped by UTC day × provider ×
model and by day × user and day × tag, then only the rows added since (``rowid`` above
the last one seen: records are appended, never rewritten). Questions a rollup answers
exactly — whole-day ranges, no user or tag filter for usage and spend — never touch the
records again; the rest (a user or tag filter) go to the records through their indexes.
"""

from __future__ import annotations

import sqlite3
import threading
from collections import defaultdict
from typing import Any

__all__ = ["DAY_S", "Rollup"]

DAY_S = 86400

_FIELDS = ("calls", "errors", "input_tokens", "output_tokens", "cost_nano", "unpriced")


class Rollup:
    """Per-day sums of one ledger file; ``refresh`` adds the records appended since the last call."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self._db = db
        self._lock = threading.Lock()
        self.watermark = 0
        self.max_ts = float("-inf")
        self.daily: dict[tuple[int, str, str], list[int]] = defaultdict(lambda: [0] * len(_FIELDS))
        self.users: dict[tuple[int, str], int] = defaultdict(int)  # day, user → spend (nano)
        self.tags: dict[tuple[int, str], int] = defaultdict(int)  # day, tag → calls

    def refresh(self) -> None:
        """Fold in every record with a rowid above the watermark (one grouped read per table)."""
        with self._lock:
            top = self._db.execute("SELECT COALESCE(MAX(rowid), 0) FROM records").fetchone()[0]
            if top <= self.watermark:
                return
            low = self.watermark
            newest = self._db.execute("SELECT MAX(ts) FROM records WHERE rowid > ? AND rowid <= ?", (low, top))
            self.max_ts = max(self.max_ts, newest.fetchone()[0] or float("-inf"))
            for d, p, m, *sums in self._db.execute(
                f"SELECT CAST(ts / {DAY_S} AS INTEGER) AS d, provider, model, COUNT(*), SUM(outcome != 'ok'), "
                "SUM(input_tokens), SUM(output_tokens), COALESCE(SUM(cost_nano), 0), SUM(cost_nano IS NULL) "
                "FROM records WHERE rowid > ? AND rowid <= ? GROUP BY d, provider, model", (low, top),
            ):  # fmt: skip
                row = self.daily[(d, p, m)]
                for i, value in enumerate(sums):
                    row[i] += value
            for d, user, nano in self._db.execute(
                f"SELECT CAST(ts / {DAY_S} AS INTEGER) AS d, COALESCE(user, '-'), COALESCE(SUM(cost_nano), 0) "
                "FROM records WHERE rowid > ? AND rowid <= ? GROUP BY d, user", (low, top),
            ):  # fmt: skip
                self.users[(d, user)] += nano
            for d, tag, n in self._db.execute(
                f"SELECT CAST(t.ts / {DAY_S} AS INTEGER) AS d, t.tag, COUNT(*) FROM record_tags AS t "
                "JOIN records AS r ON r.id = t.id WHERE r.rowid > ? AND r.rowid <= ? GROUP BY d, t.tag", (low, top),
            ):  # fmt: skip
                self.tags[(d, tag)] += n
            self.watermark = top

    def days(self, since: float, until: float) -> tuple[int, int] | None:
        """The day range ``[first, last)`` when ``[since, until)`` is whole days (or ends after the newest
        record), else None."""
        if since % DAY_S:
            return None
        first = int(since // DAY_S)
        if until % DAY_S == 0:
            return first, int(until // DAY_S)
        return (first, int(until // DAY_S) + 1) if until > self.max_ts else None

    def usage_groups(self, first: int, last: int, provider: str | None, model: str | None) -> list[tuple[Any, ...]]:
        """``(day, provider, model, calls, errors, input, output, cost_nano, unpriced)`` in range, filtered."""
        with self._lock:
            items = list(self.daily.items())
        return [(d, p, m, *sums) for (d, p, m), sums in items
                if first <= d < last and provider in (None, p) and model in (None, m)]  # fmt: skip

    def users_in(self, first: int, last: int) -> list[str]:
        """Users with a call in the day range."""
        with self._lock:
            keys = list(self.users)
        return sorted({u for d, u in keys if first <= d < last and u != "-"})

    def tags_in(self, first: int, last: int) -> list[str]:
        """Tags seen in the day range."""
        with self._lock:
            keys = list(self.tags)
        return sorted({t for d, t in keys if first <= d < last})

    def spend_by_user(self, first: int, last: int) -> list[tuple[int, str, int]]:
        """``(day, user, cost_nano)`` in the day range."""
        with self._lock:
            items = list(self.users.items())
        return sorted((d, u, v) for (d, u), v in items if first <= d < last)
