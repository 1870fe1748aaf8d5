"""Fleet metrics: per provider/model/minute counters that the ledger's backend stores.

Every process adds its counts (increments, never overwrites), so every worker
sharing a Redis ledger — or one SQLite file — feeds the same numbers. A minute
holds named counters: ``requests``, ``successes``, ``fail:<kind>``,
``refused:<kind>``, latency and time-to-first-token histograms (``lat:<i>``,
``ttft:<i>`` over ``LATENCY_BOUNDS_S``) with their sums, tokens, cost in
nano-dollars and unpriced calls. ``fleet_rows`` turns them into the same figures
the in-process snapshot has, plus request rate, mean latency and uptime %.
"""

from __future__ import annotations

import bisect
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

__all__ = ["LATENCY_BOUNDS_S", "MetricMinute", "bucket_index", "fleet_rows", "minute_of", "percentile_from_buckets"]

LATENCY_BOUNDS_S: tuple[float, ...] = (
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 25.0, 60.0, 120.0,
)  # fmt: skip
"""Upper bounds of the latency/TTFT histogram buckets (one more bucket: above the last)."""


def minute_of(ts: float) -> int:
    """The minute (POSIX seconds // 60) a timestamp falls in."""
    return int(ts // 60)


def bucket_index(seconds: float) -> int:
    """The histogram bucket of a duration."""
    return bisect.bisect_left(LATENCY_BOUNDS_S, seconds)


@dataclass(slots=True)
class MetricMinute:
    """Counters of one provider/model in one minute (the unit both backends store)."""

    minute: int
    provider: str
    model: str
    counts: Counter[str] = field(default_factory=Counter)

    def add_call(self, *, error_kind: str | None, latency_s: float, ttft_s: float | None, input_tokens: int,
                 output_tokens: int, cost_nano: int | None) -> None:  # fmt: skip
        """Count one call that reached the provider."""
        c = self.counts
        c["requests"] += 1
        if error_kind is None:
            c["successes"] += 1
        else:
            c[f"fail:{error_kind}"] += 1
        c[f"lat:{bucket_index(latency_s)}"] += 1
        c["lat_sum_us"] += int(latency_s * 1e6)
        if ttft_s is not None:
            c[f"ttft:{bucket_index(ttft_s)}"] += 1
            c["ttft_sum_us"] += int(ttft_s * 1e6)
            c["ttft_n"] += 1
        c["input_tokens"] += input_tokens
        c["output_tokens"] += output_tokens
        if cost_nano is None:
            c["unpriced"] += error_kind is None
        else:
            c["cost_nano"] += cost_nano

    def add_refusal(self, kind: str) -> None:
        """Count a call refused locally (not a request to the provider)."""
        self.counts[f"refused:{kind}"] += 1

    def as_tuple(self) -> tuple[int, str, str, dict[str, int]]:
        """``(minute, provider, model, counters)``: what a ledger's ``add_metrics`` takes."""
        return (self.minute, self.provider, self.model, dict(self.counts))


def percentile_from_buckets(buckets: Mapping[int, int], q: float) -> float | None:
    """The ``q`` quantile of a histogram, interpolated inside its bucket (None when empty)."""
    total = sum(buckets.values())
    if total == 0:
        return None
    rank = q * total
    seen = 0
    for index in sorted(buckets):
        count = buckets[index]
        if seen + count >= rank and count:
            low = LATENCY_BOUNDS_S[index - 1] if index > 0 else 0.0
            high = LATENCY_BOUNDS_S[index] if index < len(LATENCY_BOUNDS_S) else LATENCY_BOUNDS_S[-1] * 2
            return round(low + (high - low) * max(0.0, rank - seen) / count, 6)
        seen += count
    return LATENCY_BOUNDS_S[-1] * 2


def _histogram(counts: Mapping[str, int], prefix: str) -> dict[int, int]:
    n = len(prefix)
    return {int(k[n:]): int(v) for k, v in counts.items() if k.startswith(prefix) and k[n:].isdigit()}


def fleet_rows(
    minutes: Iterable[tuple[int, str, str, Mapping[str, int]]], *, span_minutes: int | None = None
) -> list[dict[str, Any]]:
    """Per provider/model figures over ``minutes``: the in-process snapshot's keys plus rate, mean and uptime.

    ``request_rate_per_min`` divides by ``span_minutes`` (default: first to last active minute);
    ``uptime_pct`` is the share of active minutes in which the provider answered at least once;
    ``availability`` reads the last active minute: ``down`` (no success), ``degraded`` (some failures), ``healthy``.
    """
    totals: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
    active: dict[tuple[str, str], list[int]] = defaultdict(list)
    up: Counter[tuple[str, str]] = Counter()
    last: dict[tuple[str, str], tuple[int, Mapping[str, int]]] = {}
    for minute, provider, model, counts in minutes:
        key = (provider, model)
        totals[key].update(counts)
        if counts.get("requests"):
            active[key].append(minute)
            up[key] += bool(counts.get("successes"))
            if key not in last or last[key][0] <= minute:
                last[key] = (minute, counts)
    rows = []
    for (provider, model), c in sorted(totals.items()):
        requests = int(c["requests"])
        spread = active[(provider, model)]
        span = span_minutes or ((max(spread) - min(spread) + 1) if spread else 1)
        lat, ttft = _histogram(c, "lat:"), _histogram(c, "ttft:")
        rows.append({
            "provider": provider,
            "model": model,
            "requests": requests,
            "successes": int(c["successes"]),
            "failures": {k[5:]: int(v) for k, v in sorted(c.items()) if k.startswith("fail:") and v},
            "refused": {k[8:]: int(v) for k, v in sorted(c.items()) if k.startswith("refused:") and v},
            "latency_p50_s": percentile_from_buckets(lat, 0.50),
            "latency_p95_s": percentile_from_buckets(lat, 0.95),
            "latency_p99_s": percentile_from_buckets(lat, 0.99),
            "latency_mean_s": round(c["lat_sum_us"] / requests / 1e6, 6) if requests else None,
            "ttft_p50_s": percentile_from_buckets(ttft, 0.50),
            "ttft_p95_s": percentile_from_buckets(ttft, 0.95),
            "ttft_mean_s": round(c["ttft_sum_us"] / c["ttft_n"] / 1e6, 6) if c["ttft_n"] else None,
            "input_tokens": int(c["input_tokens"]),
            "output_tokens": int(c["output_tokens"]),
            "cost_usd": str(Decimal(int(c["cost_nano"])) / Decimal(1_000_000_000)),
            "unpriced_calls": int(c["unpriced"]),
            "request_rate_per_min": round(requests / max(1, span), 4),
            "availability_pct": round(100 * c["successes"] / requests, 2) if requests else None,
            "uptime_pct": round(100 * up[(provider, model)] / len(spread), 2) if spread else None,
            "availability": _availability(last.get((provider, model))),
        })  # fmt: skip
    return rows


def _availability(last: tuple[int, Mapping[str, int]] | None) -> str:
    if last is None:
        return "unknown"
    counts = last[1]
    if not counts.get("successes"):
        return "down"
    return "healthy" if counts.get("successes") == counts.get("requests") else "degraded"
