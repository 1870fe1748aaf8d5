"""What the dashboard shows, computed where the records are.

On a SQLite ledger the figures are SQL aggregates over the records table (a
read-only connection; indexes on time, provider and user keep a million records
fast). Any other ledger (Redis) has its records read for the date range and
aggregated here. Both give the same shapes, and usage rows are the same as
``polyport usage --json`` (day, provider, model, calls, errors, tokens, unpriced,
cost_usd — None when any call of the group had no price).
"""

from __future__ import annotations

import sqlite3
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from polyport_core.dashboard._rollup import DAY_S, Rollup
from polyport_core.ledger import UsageRecord, nano_to_usd

__all__ = ["DASHBOARD_INDEXES", "Filters", "RecordQueries", "SQLiteQueries", "day_label"]

DASHBOARD_INDEXES = (
    "CREATE INDEX IF NOT EXISTS records_provider_ts ON records (provider, ts)",
    "CREATE INDEX IF NOT EXISTS records_user_ts ON records (user, ts) WHERE user IS NOT NULL",
)
"""Indexes the dashboard's filters use; created by ``polyport dashboard`` on a SQLite ledger (once)."""


def day_label(day_index: int) -> str:
    """``YYYY-MM-DD`` of a UTC day number (POSIX seconds // 86400)."""
    return datetime.fromtimestamp(day_index * DAY_S, UTC).strftime("%Y-%m-%d")


@dataclass(frozen=True, slots=True)
class Filters:
    """Date range ``[since, until)`` (POSIX seconds) and optional provider, model, user and tag."""

    since: float
    until: float
    provider: str | None = None
    model: str | None = None
    user: str | None = None
    tag: str | None = None

    def matches(self, r: UsageRecord) -> bool:
        """Whether a record passes every filter."""
        return (
            self.since <= r.ts < self.until
            and (self.provider is None or r.provider == self.provider)
            and (self.model is None or r.model == self.model)
            and (self.user is None or r.user == self.user)
            and (self.tag is None or self.tag in r.tags)
        )


def _cost(nano: int, unpriced: int) -> str | None:
    return None if unpriced else str(nano_to_usd(nano))


def _usage_row(day: int, provider: str, model: str, g: dict[str, int]) -> dict[str, Any]:
    return {"day": day_label(day), "provider": provider, "model": model, "calls": g["calls"], "errors": g["errors"],
            "input_tokens": g["input_tokens"], "output_tokens": g["output_tokens"], "unpriced": g["unpriced"],
            "cost_usd": _cost(g["cost_nano"], g["unpriced"])}  # fmt: skip


class SQLiteQueries:
    """Aggregates in SQL over a SQLite ledger file (read-only)."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._db = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True, check_same_thread=False)
        self._db.execute("PRAGMA query_only=1")
        self.rollup = Rollup(self._db)

    def _rolled(self, f: Filters, *, by_user: bool = False) -> tuple[int, int] | None:
        """The day range when the daily rollup answers ``f`` exactly (no user or tag filter), else None."""
        if f.user is not None or f.tag is not None or (by_user and (f.provider or f.model)):
            return None
        self.rollup.refresh()
        return self.rollup.days(f.since, f.until)

    def close(self) -> None:
        """Close the read connection."""
        self._db.close()

    @staticmethod
    def ensure_indexes(path: str | Path) -> None:
        """Create the dashboard's indexes (a write: done once, before serving)."""
        db = sqlite3.connect(path, timeout=30)
        try:
            for sql in DASHBOARD_INDEXES:
                db.execute(sql)
            db.commit()
        finally:
            db.close()

    def _where(self, f: Filters) -> tuple[str, list[Any]]:
        clauses: list[str] = ["ts >= ?", "ts < ?"]
        params: list[Any] = [f.since, f.until]
        for column in ("provider", "model", "user"):
            value = getattr(f, column)
            if value is not None:
                clauses.append(f"{column} = ?")
                params.append(value)
        if f.tag is not None:
            clauses.append("id IN (SELECT id FROM record_tags WHERE tag = ? AND ts >= ? AND ts < ?)")
            params += [f.tag, f.since, f.until]
        return " AND ".join(clauses), params

    def totals(self, f: Filters) -> dict[str, Any]:
        """Calls, errors, tokens and spend over the filter."""
        if (span := self._rolled(f)) is not None:
            sums = [sum(col) for col in zip(*(g[3:] for g in self.rollup.usage_groups(*span, f.provider, f.model)),
                                            strict=True)] or [0] * 6  # fmt: skip
            calls, errors, tin, tout, nano, unpriced = sums
            return {"calls": calls, "errors": errors, "input_tokens": tin, "output_tokens": tout,
                    "cost_usd": str(nano_to_usd(nano)), "unpriced": unpriced}  # fmt: skip
        where, params = self._where(f)
        calls, errors, tin, tout, nano, unpriced = self._db.execute(
            "SELECT COUNT(*), COALESCE(SUM(outcome != 'ok'), 0), COALESCE(SUM(input_tokens), 0), "
            "COALESCE(SUM(output_tokens), 0), COALESCE(SUM(cost_nano), 0), COALESCE(SUM(cost_nano IS NULL), 0) "
            f"FROM records WHERE {where}", params,
        ).fetchone()  # fmt: skip
        return {"calls": calls, "errors": errors, "input_tokens": tin, "output_tokens": tout,
                "cost_usd": str(nano_to_usd(nano)), "unpriced": unpriced}  # fmt: skip

    def usage(self, f: Filters, page: int, size: int) -> dict[str, Any]:
        """Usage rows per day, provider and model (newest day first), one page of them."""
        keys = ("calls", "errors", "input_tokens", "output_tokens", "cost_nano", "unpriced")
        if (span := self._rolled(f)) is not None:
            groups = sorted(self.rollup.usage_groups(*span, f.provider, f.model), key=lambda g: (-g[0], g[1], g[2]))
            chunk = groups[page * size:(page + 1) * size]
            rolled = [_usage_row(g[0], g[1], g[2], dict(zip(keys, g[3:], strict=True))) for g in chunk]
            return {"rows": rolled, "total": len(groups), "page": page, "page_size": size}
        where, params = self._where(f)
        group = (
            f"SELECT CAST(ts / {DAY_S} AS INTEGER) AS d, provider, model, COUNT(*), SUM(outcome != 'ok'), "
            "SUM(input_tokens), SUM(output_tokens), COALESCE(SUM(cost_nano), 0), SUM(cost_nano IS NULL) "
            f"FROM records WHERE {where} GROUP BY d, provider, model"
        )
        total = self._db.execute(f"SELECT COUNT(*) FROM ({group})", params).fetchone()[0]
        rows = self._db.execute(f"{group} ORDER BY d DESC, provider, model LIMIT ? OFFSET ?",
                                [*params, size, page * size]).fetchall()  # fmt: skip
        out = [_usage_row(d, p, m, dict(zip(keys, rest, strict=True))) for d, p, m, *rest in rows]
        return {"rows": out, "total": total, "page": page, "page_size": size}

    def spend_daily(self, f: Filters, stack: str) -> dict[str, Any]:
        """Spend per UTC day, one series per provider, model or user (``stack``)."""
        if (span := self._rolled(f, by_user=stack == "user")) is not None:
            if stack == "user":
                return _series(self.rollup.spend_by_user(*span), f)
            sums: Counter[tuple[int, str]] = Counter()
            for d, p, m, *rest in self.rollup.usage_groups(*span, f.provider, f.model):
                sums[(d, p if stack == "provider" else f"{p}:{m}")] += rest[4]
            return _series([(d, k, v) for (d, k), v in sorted(sums.items())], f)
        column = {"provider": "provider", "model": "provider || ':' || model", "user": "COALESCE(user, '-')"}[stack]
        where, params = self._where(f)
        rows = self._db.execute(
            f"SELECT CAST(ts / {DAY_S} AS INTEGER) AS d, {column} AS k, COALESCE(SUM(cost_nano), 0) "
            f"FROM records WHERE {where} GROUP BY d, k ORDER BY d", params,
        ).fetchall()  # fmt: skip
        return _series(rows, f)

    def records(self, f: Filters, page: int, size: int) -> dict[str, Any]:
        """The newest records first, one page."""
        where, params = self._where(f)
        total = self._db.execute(f"SELECT COUNT(*) FROM records WHERE {where}", params).fetchone()[0]
        rows = self._db.execute(
            "SELECT id, ts, provider, model, user, tags, input_tokens, output_tokens, cost_nano, latency_s, outcome "
            f"FROM records WHERE {where} ORDER BY ts DESC LIMIT ? OFFSET ?", [*params, size, page * size],
        ).fetchall()  # fmt: skip
        return {"rows": [_record_row(*r) for r in rows], "total": total, "page": page, "page_size": size}

    def options(self, f: Filters) -> dict[str, list[str]]:
        """Values the filters can take within the date range (providers, models, users, tags)."""
        self.rollup.refresh()
        days = self.rollup.days(f.since, f.until)
        if days is not None:
            groups = self.rollup.usage_groups(*days, None, None)
            return {"providers": sorted({g[1] for g in groups}), "models": sorted({g[2] for g in groups}),
                    "users": self.rollup.users_in(*days), "tags": self.rollup.tags_in(*days)}  # fmt: skip
        span = [f.since, f.until]
        pairs = self._db.execute("SELECT DISTINCT provider, model FROM records WHERE ts >= ? AND ts < ?", span)
        providers, models = set(), set()
        for p, m in pairs:
            providers.add(p)
            models.add(m)
        users = [u for (u,) in self._db.execute(
            "SELECT DISTINCT user FROM records WHERE user IS NOT NULL AND ts >= ? AND ts < ? LIMIT 1000", span)]
        tags = [t for (t,) in self._db.execute(
            "SELECT DISTINCT tag FROM record_tags WHERE ts >= ? AND ts < ? LIMIT 1000", span)]  # fmt: skip
        return {"providers": sorted(providers), "models": sorted(models), "users": sorted(users), "tags": sorted(tags)}


class RecordQueries:
    """The same figures from ``ledger.records()`` (any ledger, e.g. Redis), aggregated in Python."""

    def __init__(self, ledger: Any) -> None:
        self.ledger = ledger

    def close(self) -> None:
        """Nothing to release (the ledger is closed by its owner)."""

    def _records(self, f: Filters) -> list[UsageRecord]:
        return [r for r in self.ledger.records(since=f.since, until=f.until) if f.matches(r)]

    def totals(self, f: Filters) -> dict[str, Any]:
        """Calls, errors, tokens and spend over the filter."""
        rs = self._records(f)
        nano = sum(r.cost_nano or 0 for r in rs)
        return {"calls": len(rs), "errors": sum(r.outcome != "ok" for r in rs),
                "input_tokens": sum(r.input_tokens for r in rs), "output_tokens": sum(r.output_tokens for r in rs),
                "cost_usd": str(nano_to_usd(nano)), "unpriced": sum(r.cost_nano is None for r in rs)}  # fmt: skip

    def usage(self, f: Filters, page: int, size: int) -> dict[str, Any]:
        """Usage rows per day, provider and model (newest day first), one page of them."""
        groups: dict[tuple[int, str, str], Counter[str]] = defaultdict(Counter)
        for r in self._records(f):
            g = groups[(int(r.ts // DAY_S), r.provider, r.model)]
            g.update(calls=1, errors=int(r.outcome != "ok"), input_tokens=r.input_tokens,
                     output_tokens=r.output_tokens, cost_nano=r.cost_nano or 0, unpriced=int(r.cost_nano is None))
        ordered = sorted(groups.items(), key=lambda kv: (-kv[0][0], kv[0][1], kv[0][2]))
        chunk = ordered[page * size:(page + 1) * size]
        rows = [_usage_row(d, p, m, dict(g)) for (d, p, m), g in chunk]  # Counter: missing keys read as 0
        return {"rows": rows, "total": len(ordered), "page": page, "page_size": size}

    def spend_daily(self, f: Filters, stack: str) -> dict[str, Any]:
        """Spend per UTC day, one series per provider, model or user (``stack``)."""
        sums: Counter[tuple[int, str]] = Counter()
        for r in self._records(f):
            key = {"provider": r.provider, "model": f"{r.provider}:{r.model}", "user": r.user or "-"}[stack]
            sums[(int(r.ts // DAY_S), key)] += r.cost_nano or 0
        return _series([(d, k, v) for (d, k), v in sorted(sums.items())], f)

    def records(self, f: Filters, page: int, size: int) -> dict[str, Any]:
        """The newest records first, one page."""
        rs = sorted(self._records(f), key=lambda r: -r.ts)
        chunk = rs[page * size:(page + 1) * size]
        rows = [_record_row(r.id, r.ts, r.provider, r.model, r.user, list(r.tags), r.input_tokens, r.output_tokens,
                            r.cost_nano, r.latency_s, r.outcome) for r in chunk]  # fmt: skip
        return {"rows": rows, "total": len(rs), "page": page, "page_size": size}

    def options(self, f: Filters) -> dict[str, list[str]]:
        """Values the filters can take within the date range."""
        rs = self.ledger.records(since=f.since, until=f.until)
        return {"providers": sorted({r.provider for r in rs}), "models": sorted({r.model for r in rs}),
                "users": sorted({r.user for r in rs if r.user}), "tags": sorted({t for r in rs for t in r.tags})}


def _record_row(id_: str, ts: float, provider: str, model: str, user: str | None, tags: Any, tin: int, tout: int,
                cost_nano: int | None, latency_s: float, outcome: str) -> dict[str, Any]:  # fmt: skip
    import json

    tag_list = json.loads(tags) if isinstance(tags, str) else list(tags or [])
    return {"id": id_, "ts": ts, "provider": provider, "model": model, "user": user, "tags": tag_list,
            "input_tokens": tin, "output_tokens": tout,
            "cost_usd": None if cost_nano is None else str(nano_to_usd(cost_nano)),
            "latency_s": round(latency_s, 6), "outcome": outcome}  # fmt: skip


def _series(rows: Iterable[tuple[int, str, int]], f: Filters) -> dict[str, Any]:
    """``{"days": [...], "series": {name: [usd per day]}}`` over every day of the range with data."""
    by_key: dict[str, dict[int, int]] = defaultdict(dict)
    days: set[int] = set()
    for d, k, nano in rows:
        by_key[k][d] = nano
        days.add(d)
    ordered = sorted(days)
    series = {k: [float(nano_to_usd(v.get(d, 0))) for d in ordered] for k, v in sorted(by_key.items())}
    return {"days": [day_label(d) for d in ordered], "series": series}
