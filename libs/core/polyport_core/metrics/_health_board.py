"""What the scheduled health checks last said about each provider, for the router to read.

The health checker (``polyport_core.health``) sets a provider's status here and
stores it in the ledger; a process that only routes calls reads the ledger's
latest results through ``source`` (polled at most every ``refresh_s``), so a
checker running elsewhere — ``polyport health --every 5m`` beside a fleet on one
Redis ledger — steers every fallback router sharing that ledger.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping

__all__ = ["HealthBoard", "default_board"]

HealthSource = Callable[[], Mapping[str, str]]
"""Latest status per provider (``healthy`` / ``degraded`` / ``down``), e.g. read from the ledger."""


class HealthBoard:
    """Provider → last health status; local updates win until the source says something newer."""

    def __init__(self, source: HealthSource | None = None, *, refresh_s: float = 30.0,
                 clock: Callable[[], float] = time.monotonic) -> None:  # fmt: skip
        self.source = source
        self.refresh_s = refresh_s
        self._clock = clock
        self._status: dict[str, str] = {}
        self._read_at: float | None = None
        self._lock = threading.Lock()

    def set(self, provider: str, status: str) -> None:
        """Record a status this process observed (the health checker calls it)."""
        with self._lock:
            self._status[provider] = status

    def clear(self) -> None:
        """Forget every status and the source (tests; a process switching ledgers)."""
        with self._lock:
            self._status.clear()
            self.source = None
            self._read_at = None

    def status(self, provider: str) -> str:
        """``healthy``, ``degraded``, ``down`` or ``unknown`` (never raises: an unreadable source is ignored)."""
        self._refresh()
        return self._status.get(provider, "unknown")

    def is_down(self, provider: str) -> bool:
        """Whether the checks last found ``provider`` down."""
        return self.status(provider) == "down"

    def _refresh(self) -> None:
        if self.source is None:
            return
        now = self._clock()
        if self._read_at is not None and now - self._read_at < self.refresh_s:
            return
        self._read_at = now
        try:
            latest = dict(self.source())
        except Exception:  # a ledger outage must not break routing: keep what is known
            return
        with self._lock:
            self._status.update(latest)


_board = HealthBoard()


def default_board() -> HealthBoard:
    """The process-wide board the fallback router reads and the health checker writes."""
    return _board
