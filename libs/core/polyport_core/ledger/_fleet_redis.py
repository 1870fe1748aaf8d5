"""Fleet metrics and health results in the Redis ledger (hashes per provider/model/minute).

A minute is one hash (``HINCRBY`` per counter, so every worker adds to it) and a
member of an index sorted set scored by minute, for range reads. Health results
are a sorted set per ledger scored by time. Both expire after ``KEEP_S``.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from polyport_core.ledger._fleet_sqlite import MinuteCounts

__all__ = ["KEEP_S", "add_metric_minutes", "read_health", "read_metric_minutes", "write_health"]

KEEP_S = 90 * 86400


def _key(prefix: str, minute: int, provider: str, model: str, kind: str = "metric") -> str:
    return f"{prefix}:{kind}:" + json.dumps([minute, provider, model])


def add_metric_minutes(client: Any, prefix: str, minutes: Sequence[MinuteCounts]) -> None:
    """Add the counters in one pipeline (MULTI/EXEC)."""
    pipe = client.pipeline(transaction=True)
    index = f"{prefix}:metric:index"
    for minute, provider, model, counts in minutes:
        key = _key(prefix, minute, provider, model)
        for name, value in counts.items():
            if value:
                pipe.hincrby(key, name, int(value))
        pipe.expire(key, KEEP_S)
        pipe.zadd(index, {json.dumps([minute, provider, model]): minute})
        hour = _key(prefix, minute // 60 * 60, provider, model, "metrichour")  # hourly sums for long ranges
        for name, value in counts.items():
            if value:
                pipe.hincrby(hour, name, int(value))
        pipe.expire(hour, KEEP_S)
        pipe.zadd(f"{prefix}:metrichour:index", {json.dumps([minute // 60 * 60, provider, model]): minute // 60 * 60})
    pipe.execute()


def read_metric_minutes(client: Any, prefix: str, since_minute: int, until_minute: int,
                        provider: str | None = None, model: str | None = None,
                        per_hour: bool = False) -> list[MinuteCounts]:  # fmt: skip
    """Minutes in ``[since_minute, until_minute)``, optionally of one provider/model (``per_hour``: hourly sums)."""
    kind = "metrichour" if per_hour else "metric"
    low = since_minute // 60 * 60 if per_hour else since_minute
    members = client.zrangebyscore(f"{prefix}:{kind}:index", low, f"({until_minute}")
    wanted = []
    for raw in members:
        minute, prov, mod = json.loads(raw)
        if (provider is None or prov == provider) and (model is None or mod == model):
            wanted.append((minute, prov, mod))
    pipe = client.pipeline(transaction=False)
    for minute, prov, mod in wanted:
        pipe.hgetall(_key(prefix, minute, prov, mod, kind))
    out: list[MinuteCounts] = []
    for (minute, prov, mod), counts in zip(wanted, pipe.execute(), strict=True):
        if counts:
            out.append((minute, prov, mod, {k.decode(): int(v) for k, v in counts.items()}))
    return out


def write_health(client: Any, prefix: str, result: dict[str, Any]) -> None:
    """Store one health check result."""
    key = f"{prefix}:health"
    client.zadd(key, {json.dumps(result, sort_keys=True): result["ts"]})
    client.expire(key, KEEP_S)


def read_health(client: Any, prefix: str, since: float, provider: str | None = None) -> list[dict[str, Any]]:
    """Health results since ``since`` in time order."""
    rows = [json.loads(raw) for raw in client.zrangebyscore(f"{prefix}:health", since, "+inf")]
    return [r for r in rows if provider is None or r["provider"] == provider]
