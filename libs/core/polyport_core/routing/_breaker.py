"""A per-model circuit breaker: after N consecutive failures, skip the model for a cool-down."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

__all__ = ["CircuitBreaker"]


class CircuitBreaker:
    """Counts consecutive failures per slot; open (skipped) until ``cooldown_s`` has passed."""

    def __init__(
        self,
        size: int,
        failure_threshold: int,
        cooldown_s: float,
        down: Callable[[int], bool] | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.down = down
        self.clock = clock
        """Seconds on a monotonic scale (injectable, so a cool-down can be tested without sleeping)."""
        """Whether the scheduled health checks found a slot's provider down (then it is skipped too)."""
        self.failure_threshold = failure_threshold
        self.cooldown_s = cooldown_s
        self._failures = [0] * size
        self._open_until = [0.0] * size
        self._lock = threading.Lock()

    def available(self, index: int, now: float | None = None) -> bool:
        """False while the slot cools down (half-open afterwards: one success closes it) or its provider is down."""
        if self.down is not None and self.down(index):
            return False
        return (self.clock() if now is None else now) >= self._open_until[index]

    def cooling_for(self, index: int) -> float:
        """Seconds of cool-down left for a slot (0 when available)."""
        return max(0.0, self._open_until[index] - self.clock())

    def success(self, index: int) -> None:
        """A success closes the breaker."""
        with self._lock:
            self._failures[index] = 0
            self._open_until[index] = 0.0

    def failure(self, index: int) -> bool:
        """Count a failure; True when this one opened the breaker."""
        with self._lock:
            self._failures[index] += 1
            if self._failures[index] >= self.failure_threshold:
                self._failures[index] = 0
                self._open_until[index] = self.clock() + self.cooldown_s
                return True
            return False
