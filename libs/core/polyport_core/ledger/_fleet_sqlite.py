"""Fleet metrics and health results in the SQLite ledger file (tables beside the records).

Counters are added with an UPSERT (``value = value + excluded.value``), so every
process writing to the file adds to the same minute. Tables are created on first use.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from typing import Any

__all__ = ["FLEET_SCHEMA", "MinuteCounts", "add_metric_minutes", "read_health", "read_metric_minutes", "write_health"]

MinuteCounts = tuple[int, str, str, dict[str, int]]
"""(minute, provider, model, counters): the unit of fleet metrics the ledger stores (``metrics`` counts them)."""

FLEET_SCHEMA = """
CREATE TABLE IF NOT EXISTS metric_minutes (
    minute INTEGER NOT NULL, provider TEXT NOT NULL, model TEXT NOT NULL, name TEXT NOT NULL,
    value INTEGER NOT NULL, PRIMARY KEY (minute, provider, model, name)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS metric_hours (
    hour INTEGER NOT NULL, provider TEXT NOT NULL, model TEXT NOT NULL, name TEXT NOT NULL,
    value INTEGER NOT NULL, PRIMARY KEY (hour, provider, model, name)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS health_checks (
    ts REAL NOT NULL, provider TEXT NOT NULL, model TEXT NOT NULL, ok INTEGER NOT NULL, status TEXT NOT NULL,
    latency_s REAL NOT NULL, detail TEXT NOT NULL, PRIMARY KEY (provider, ts)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS health_checks_ts ON health_checks (ts);
"""

_UPSERT = (
    "INSERT INTO metric_minutes VALUES (?, ?, ?, ?, ?) "
    "ON CONFLICT (minute, provider, model, name) DO UPDATE SET value = value + excluded.value"
)
_UPSERT_HOUR = (
    "INSERT INTO metric_hours VALUES (?, ?, ?, ?, ?) "
    "ON CONFLICT (hour, provider, model, name) DO UPDATE SET value = value + excluded.value"
)


def add_metric_minutes(db: sqlite3.Connection, minutes: Sequence[MinuteCounts]) -> None:
    """Add the counters (inside the caller's transaction)."""
    rows = [(minute, p, m, name, int(v)) for minute, p, m, counts in minutes for name, v in counts.items() if v]
    db.executemany(_UPSERT, rows)
    db.executemany(_UPSERT_HOUR, [(minute // 60, p, m, name, v) for minute, p, m, name, v in rows])  # long ranges


def read_metric_minutes(db: sqlite3.Connection, since_minute: int, until_minute: int,
                        provider: str | None = None, model: str | None = None,
                        per_hour: bool = False, step: int = 1) -> list[MinuteCounts]:  # fmt: skip
    """Minutes in ``[since_minute, until_minute)``, optionally of one provider/model; ``per_hour``: hourly
    sums (their first minute as the key), for long ranges; ``step`` > 1: summed per ``step`` minutes here."""
    if per_hour:
        key, table, unit = "hour * 60", "metric_hours", "hour"
        params: list[Any] = [since_minute // 60, -(-until_minute // 60)]
    else:
        key, table, unit = "minute", "metric_minutes", "minute"
        params = [since_minute, until_minute]
    if step > 1:
        key = f"({key} / {int(step)}) * {int(step)}"
    sql = f"SELECT {key} AS k, provider, model, name, SUM(value) FROM {table} WHERE {unit} >= ? AND {unit} < ?"
    if provider is not None:
        sql += " AND provider = ?"
        params.append(provider)
    if model is not None:
        sql += " AND model = ?"
        params.append(model)
    out: dict[tuple[int, str, str], dict[str, int]] = {}
    for minute, prov, mod, name, value in db.execute(sql + " GROUP BY k, provider, model, name", params):
        out.setdefault((minute, prov, mod), {})[name] = int(value)
    return [(minute, p, m, counts) for (minute, p, m), counts in sorted(out.items())]


def write_health(db: sqlite3.Connection, result: dict[str, Any]) -> None:
    """Store one health check result (inside the caller's transaction)."""
    db.execute(
        "INSERT OR REPLACE INTO health_checks VALUES (?, ?, ?, ?, ?, ?, ?)",
        (result["ts"], result["provider"], result.get("model") or "", int(bool(result["ok"])), result["status"],
         float(result.get("latency_s") or 0.0), json.dumps(result.get("checks") or {})),
    )  # fmt: skip


def read_health(db: sqlite3.Connection, since: float, provider: str | None = None) -> list[dict[str, Any]]:
    """Health results since ``since`` in time order."""
    sql = "SELECT ts, provider, model, ok, status, latency_s, detail FROM health_checks WHERE ts >= ?"
    params: list[Any] = [since]
    if provider is not None:
        sql += " AND provider = ?"
        params.append(provider)
    return [
        {"ts": ts, "provider": p, "model": m, "ok": bool(ok), "status": status, "latency_s": lat,
         "checks": json.loads(detail)}
        for ts, p, m, ok, status, lat, detail in db.execute(sql + " ORDER BY ts", params)
    ]  # fmt: skip
