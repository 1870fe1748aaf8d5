"""Panels built from the ledger's other stores: fleet metrics over time, health history, budget headroom."""

from __future__ import annotations

import time
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

from polyport_core.governance import Budget, CallScope
from polyport_core.ledger import Bucket, nano_to_usd, period_keys
from polyport_core.metrics import fleet_rows, minute_of, percentile_from_buckets

__all__ = ["budget_rows", "health_panel", "metrics_panel"]

_MAX_POINTS = 240


def _histogram(counts: Counter[str], prefix: str) -> dict[int, int]:
    n = len(prefix)
    return {int(k[n:]): v for k, v in counts.items() if k.startswith(prefix) and k[n:].isdigit()}


def metrics_panel(ledger: Any, since: float, until: float, provider: str | None = None,
                  model: str | None = None) -> dict[str, Any]:  # fmt: skip
    """Latency p50/p95/p99 and TTFT per model over time, failures by kind, availability (fleet metrics)."""
    read = getattr(ledger, "metric_minutes", None)
    span = max(1, minute_of(until) - minute_of(since) + 1)
    step = max(1, -(-span // _MAX_POINTS))  # minutes per point: at most _MAX_POINTS points per series
    per_hour = step >= 60  # long ranges read the hourly sums (a month of minutes is millions of rows)
    if per_hour:
        step = -(-step // 60) * 60
    minutes = read(minute_of(since), minute_of(until) + 1, provider, model, per_hour, step) if read is not None else []
    buckets: dict[str, dict[int, Counter[str]]] = defaultdict(lambda: defaultdict(Counter))
    failures: Counter[str] = Counter()
    refused: Counter[str] = Counter()
    for minute, prov, mod, counts in minutes:
        buckets[f"{prov}:{mod}"][minute - minute % step].update(counts)
        for name, value in counts.items():
            if name.startswith("fail:"):
                failures[name[5:]] += value
            elif name.startswith("refused:"):
                refused[name[8:]] += value
    series = {}
    for name, points in sorted(buckets.items()):
        ordered = sorted(points)
        lat = [_histogram(points[m], "lat:") for m in ordered]
        ttft = [_histogram(points[m], "ttft:") for m in ordered]
        series[name] = {
            "t": [m * 60 for m in ordered],
            "p50": [percentile_from_buckets(h, 0.50) for h in lat],
            "p95": [percentile_from_buckets(h, 0.95) for h in lat],
            "p99": [percentile_from_buckets(h, 0.99) for h in lat],
            "ttft_p50": [percentile_from_buckets(h, 0.50) for h in ttft],
            "requests": [points[m]["requests"] for m in ordered],
        }
    return {"step_minutes": step, "series": series, "failures": dict(failures), "refused": dict(refused),
            "models": fleet_rows(minutes, span_minutes=span)}  # fmt: skip


def health_panel(ledger: Any, since: float, provider: str | None = None) -> dict[str, Any]:
    """Health check history and each provider's latest status."""
    read = getattr(ledger, "health", None)
    history = read(since, provider) if read is not None else []
    latest: dict[str, dict[str, Any]] = {}
    for row in history:
        latest[row["provider"]] = row
    return {"history": history[-2000:], "latest": [latest[p] for p in sorted(latest)]}


def _expand(budget: Budget, users: Iterable[str], tags: Iterable[str]) -> list[CallScope | None]:
    """One call scope per value a per-user/per-tag budget has seen (None: a fixed budget)."""
    if budget.user == "*":
        return [CallScope(budget.provider or "", budget.model or "", user=u) for u in users]
    if budget.tag == "*":
        return [CallScope(budget.provider or "", budget.model or "", tags=(t,)) for t in tags]
    return [None]


def budget_rows(ledger: Any, budgets: Sequence[Budget], users: Iterable[str] = (),
                tags: Iterable[str] = (), now: float | None = None) -> list[dict[str, Any]]:  # fmt: skip
    """Headroom of every cap (per-user and per-tag budgets: per user or tag seen) in this day and month."""
    day, month = period_keys(now if now is not None else time.time())
    users, tags = list(users), list(tags)
    rows = []
    seen: set[Bucket] = set()
    for budget in budgets:
        for scope in _expand(budget, users, tags):
            for cap in budget.caps(day, month, scope):
                if cap.bucket in seen:
                    continue
                seen.add(cap.bucket)
                spent, held = ledger.spent(cap.bucket), ledger.reserved(cap.bucket)
                rows.append({
                    "scope": cap.bucket.scope, "period": cap.bucket.period, "cap_usd": str(nano_to_usd(cap.limit_nano)),
                    "spent_usd": str(nano_to_usd(spent)), "reserved_usd": str(nano_to_usd(held)),
                    "remaining_usd": str(nano_to_usd(max(0, cap.limit_nano - spent - held))),
                    "used_pct": round(100 * (spent + held) / cap.limit_nano, 2) if cap.limit_nano else None,
                    "alert_threshold_pct": None if budget.alert_threshold is None else budget.alert_threshold * 100,
                })  # fmt: skip
    return rows
