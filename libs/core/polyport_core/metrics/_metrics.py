"""In-process metrics per provider and model, cheap enough to record on every call.

Counters plus bounded windows (the last ``window`` latencies and outcomes),
so percentiles and availability reflect recent behaviour and memory stays
flat. Availability: ``down`` when the last ``down_after`` calls all failed or
most recent calls failed, ``degraded`` when some did, else ``healthy``.

A refusal made here (budget, local rate limit, request validation, ledger down)
is counted apart (``refused``): nothing reached the provider, so it says nothing
about the provider's health and never lowers availability.

Fleet metrics: with a ``sink`` (the ``Governor`` passes its ledger's
``add_metrics``) the same calls are also counted per provider/model/minute
(``metrics/_fleet``) and flushed to the ledger's backend every ``flush_every_s``
by a background thread (and at exit), so processes sharing a ledger feed one
set of numbers without a write per call.
"""

from __future__ import annotations

import atexit
import logging
import threading
import time
import weakref
from collections import Counter, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Literal

from polyport_core.metrics._fleet import MetricMinute, minute_of

__all__ = ["Availability", "Metrics", "MetricsSink", "ModelStats"]

logger = logging.getLogger("polyport.metrics")

MetricsSink = Callable[[list[tuple[int, str, str, dict[str, int]]]], None]
"""Takes ``(minute, provider, model, counters)`` increments (a ledger's ``add_metrics``)."""

Availability = Literal["healthy", "degraded", "down", "unknown"]


_NANO_PER_USD = Decimal(1_000_000_000)


def _nano_usd(nano: int) -> Decimal:
    return Decimal(nano) / _NANO_PER_USD if nano else _ZERO


_ZERO = Decimal(0)


def _percentile(values: list[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return ordered[index]


@dataclass
class ModelStats:
    """Running figures of one provider+model."""

    provider: str
    model: str
    window: int = 512
    requests: int = 0
    successes: int = 0
    failures: Counter[str] = field(default_factory=Counter)
    input_tokens: int = 0
    output_tokens: int = 0
    cost_usd: Decimal = Decimal(0)
    unpriced_calls: int = 0
    refused: Counter[str] = field(default_factory=Counter)
    """Calls refused locally, by kind; not requests to the provider."""
    latency_sum_s: float = 0.0
    first_ts: float | None = None
    last_ts: float | None = None
    latencies: deque[float] = field(default_factory=deque)
    ttfts: deque[float] = field(default_factory=deque)
    recent: deque[bool] = field(default_factory=deque)

    def __post_init__(self) -> None:
        # bounded windows: a full deque drops its oldest entry on append
        for name in ("latencies", "ttfts", "recent"):
            queue: deque[Any] = getattr(self, name)
            if queue.maxlen != self.window:
                setattr(self, name, deque(queue, maxlen=self.window))

    def availability(self, down_after: int = 3) -> Availability:
        """Health from recent outcomes."""
        if not self.recent:
            return "unknown"
        last = list(self.recent)[-20:]
        failed = last.count(False)
        if len(last) >= down_after and not any(last[-down_after:]):
            return "down"
        if failed * 2 > len(last):
            return "down"
        return "degraded" if failed else "healthy"

    def request_rate_per_min(self) -> float | None:
        """Requests per minute between the first and the last call (at least one minute)."""
        if self.first_ts is None or self.last_ts is None:
            return None
        return round(self.requests / max(1.0, (self.last_ts - self.first_ts) / 60), 4)

    def snapshot(self) -> dict[str, Any]:
        """Plain dict for JSON, tables and exporters."""
        lat = list(self.latencies)
        ttft = list(self.ttfts)
        return {
            "provider": self.provider,
            "model": self.model,
            "requests": self.requests,
            "successes": self.successes,
            "failures": dict(self.failures),
            "latency_p50_s": _percentile(lat, 0.50),
            "latency_p95_s": _percentile(lat, 0.95),
            "latency_p99_s": _percentile(lat, 0.99),
            "ttft_p50_s": _percentile(ttft, 0.50),
            "ttft_p95_s": _percentile(ttft, 0.95),
            "input_tokens": self.input_tokens,
            "output_tokens": self.output_tokens,
            "cost_usd": str(self.cost_usd),
            "unpriced_calls": self.unpriced_calls,
            "refused": dict(self.refused),
            "latency_mean_s": round(self.latency_sum_s / self.requests, 6) if self.requests else None,
            "request_rate_per_min": self.request_rate_per_min(),
            "uptime_pct": round(100 * self.successes / self.requests, 2) if self.requests else None,
            "availability": self.availability(),
        }


class Metrics:
    """Thread-safe metrics registry; ``Governor`` records every call here."""

    def __init__(
        self,
        window: int = 512,
        *,
        sink: MetricsSink | None = None,
        flush_every_s: float = 5.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.window = window
        self._stats: dict[tuple[str, str], ModelStats] = {}
        self._lock = threading.Lock()
        self._exporter: Any = None
        self.sink = sink
        self.flush_every_s = flush_every_s
        self._clock = clock
        self._pending: dict[tuple[int, str, str], MetricMinute] = {}
        self._flusher: threading.Thread | None = None
        self._wake = threading.Event()

    def record(
        self,
        provider: str,
        model: str,
        *,
        error_kind: str | None,
        latency_s: float,
        ttft_s: float | None = None,
        input_tokens: int = 0,
        output_tokens: int = 0,
        cost_usd: Decimal | None = None,
        cost_nano: int | None = None,
    ) -> None:
        """Add one call's outcome; its cost as ``cost_usd`` or (cheaper) integer ``cost_nano``."""
        if cost_nano is not None:
            cost_usd = _nano_usd(cost_nano)
        with self._lock:
            stats = self._stats.get((provider, model))
            if stats is None:
                stats = self._stats[(provider, model)] = ModelStats(provider, model, self.window)
            stats.requests += 1
            if error_kind is None:
                stats.successes += 1
            else:
                stats.failures[error_kind] += 1
            stats.input_tokens += input_tokens
            stats.output_tokens += output_tokens
            if cost_usd is None:
                stats.unpriced_calls += error_kind is None
            else:
                stats.cost_usd += cost_usd
            stats.latencies.append(latency_s)
            if ttft_s is not None:
                stats.ttfts.append(ttft_s)
            stats.recent.append(error_kind is None)
            stats.latency_sum_s += latency_s
            now = self._clock()
            stats.first_ts = now if stats.first_ts is None else stats.first_ts
            stats.last_ts = now
            if self.sink is not None:
                self._minute(provider, model, now).add_call(
                    error_kind=error_kind, latency_s=latency_s, ttft_s=ttft_s, input_tokens=input_tokens,
                    output_tokens=output_tokens, cost_nano=cost_nano if cost_nano is not None else (
                        None if cost_usd is None else int(cost_usd * 1_000_000_000)),
                )  # fmt: skip
        if self.sink is not None:
            self._start_flusher()
        if self._exporter is not None:
            self._exporter.record(provider, model, error_kind, latency_s, input_tokens, output_tokens)

    def record_refusal(self, provider: str, model: str, kind: str) -> None:
        """Count a call refused before it was sent (budget, local limit, validation): not a provider failure."""
        with self._lock:
            stats = self._stats.get((provider, model))
            if stats is None:
                stats = self._stats[(provider, model)] = ModelStats(provider, model, self.window)
            stats.refused[kind] += 1
            if self.sink is not None:
                self._minute(provider, model, self._clock()).add_refusal(kind)
        if self.sink is not None:
            self._start_flusher()

    # ------------------------------------------------------------ fleet (per minute, flushed to the sink)
    def _minute(self, provider: str, model: str, now: float) -> MetricMinute:
        """This minute's counters (caller holds the lock)."""
        key = (minute_of(now), provider, model)
        m = self._pending.get(key)
        if m is None:
            m = self._pending[key] = MetricMinute(*key)
        return m

    def flush(self) -> int:
        """Send the pending minute counters to the sink now; how many minutes went (kept on failure)."""
        sink = self.sink
        with self._lock:
            pending, self._pending = self._pending, {}
        if sink is None or not pending:
            return 0
        try:
            sink([m.as_tuple() for m in pending.values()])
        except Exception as error:  # the ledger is down: keep the counts for the next flush
            logger.warning("polyport metrics flush failed (kept for the next one): %s", type(error).__name__)
            with self._lock:
                for key, m in pending.items():
                    self._minute(key[1], key[2], key[0] * 60).counts.update(m.counts)
            return 0
        return len(pending)

    def _start_flusher(self) -> None:
        self._wake.set()
        if self._flusher is not None and self._flusher.is_alive():
            return
        with self._lock:
            if self._flusher is not None and self._flusher.is_alive():
                return
            ref = weakref.ref(self)
            self._flusher = threading.Thread(target=_flush_loop, args=(ref, self._wake), daemon=True,
                                             name="polyport-metrics-flush")  # fmt: skip
            self._flusher.start()
            _live.add(self)

    def get(self, provider: str, model: str) -> ModelStats | None:
        """Stats of one provider+model (None if never called)."""
        return self._stats.get((provider, model))

    def snapshot(self) -> list[dict[str, Any]]:
        """Every provider+model as plain dicts."""
        with self._lock:
            return [s.snapshot() for s in self._stats.values()]

    def availability(self, provider: str, model: str) -> Availability:
        """healthy / degraded / down / unknown for one provider+model."""
        stats = self.get(provider, model)
        return "unknown" if stats is None else stats.availability()

    def enable_opentelemetry(self, meter_name: str = "polyport") -> bool:
        """Also export to OpenTelemetry metrics when ``opentelemetry-api`` is installed."""
        try:
            from polyport_core.metrics._otel import OTelExporter
        except ImportError:
            return False
        self._exporter = OTelExporter(meter_name)
        return True


_live: weakref.WeakSet[Metrics] = weakref.WeakSet()


def _flush_loop(ref: weakref.ref[Metrics], wake: threading.Event) -> None:
    """Flush every ``flush_every_s`` while there is something to send; end when idle or collected."""
    while wake.wait(timeout=60.0):
        wake.clear()
        metrics = ref()
        if metrics is None:
            return
        interval = metrics.flush_every_s
        del metrics
        time.sleep(interval)
        metrics = ref()
        if metrics is None:
            return
        metrics.flush()
        del metrics


@atexit.register
def _flush_all() -> None:
    for metrics in list(_live):
        metrics.flush()
