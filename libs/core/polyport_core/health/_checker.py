"""Scheduled health checks: the doctor's quick checks per provider, stored in the ledger, with alerts.

Each round runs ``auth`` (one tiny chat), ``models`` and ``chat`` against every
provider, stores one result per provider in the ledger (``add_health``), and moves
the provider's status: ``degraded`` after ``degraded_after`` failed rounds in a row,
``down`` after ``down_after``, back to ``healthy`` after ``recover_after`` good
rounds. A status change is published to the process-wide ``HealthBoard`` (the
fallback router skips a provider that is down) and sent to the alert sink once.
Checks the provider file's own limits or budget refuse count as skipped, not failed.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from polyport_core.errors import InvalidConfigError
from polyport_core.health._alerts import AlertSink, HealthChange
from polyport_core.metrics import HealthBoard, default_board

__all__ = ["QUICK_CHECKS", "HealthChecker", "HealthResult", "ProviderHealth"]

logger = logging.getLogger("polyport.health")

QUICK_CHECKS = ("auth", "models", "chat")


@dataclass(slots=True)
class HealthResult:
    """One round's verdict for one provider."""

    provider: str
    model: str
    ok: bool
    status: str
    ts: float
    latency_s: float
    checks: dict[str, str] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """The stored form (what the ledger's ``add_health`` takes)."""
        return {"provider": self.provider, "model": self.model, "ok": self.ok, "status": self.status, "ts": self.ts,
                "latency_s": self.latency_s, "checks": self.checks}  # fmt: skip


@dataclass(slots=True)
class ProviderHealth:
    """Running state of one provider: its status and the streaks that move it."""

    status: str = "unknown"
    failures: int = 0
    successes: int = 0


Probe = Callable[[str], tuple[str, bool, dict[str, str]]]
"""Runs the checks for a provider target; ``(model, ok, {check: status and detail})``."""


def doctor_probe(checks: Sequence[str] = QUICK_CHECKS, *, registry: Any = None, max_tokens: int = 8) -> Probe:
    """A probe running the doctor's ``checks`` through the registry (governed, recorded like any call)."""
    from polyport_core.doctor import DoctorTarget, Status, run_doctor

    def probe(target: str) -> tuple[str, bool, dict[str, str]]:
        doctor = DoctorTarget.from_registry(target, registry, max_tokens=max_tokens)
        report = run_doctor(doctor, only=checks)
        detail = {r.name: f"{r.status.value}: {r.detail}" for r in report.results}
        ok = not any(r.status is Status.FAIL for r in report.results)
        return doctor.model, ok, detail

    return probe


class HealthChecker:
    """Runs health rounds over ``providers`` (``provider`` or ``provider:model`` targets)."""

    def __init__(
        self,
        providers: Iterable[str],
        *,
        ledger: Any = None,
        alert: AlertSink | None = None,
        degraded_after: int = 1,
        down_after: int = 3,
        recover_after: int = 1,
        probe: Probe | None = None,
        board: HealthBoard | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.targets = list(providers)
        if not self.targets:
            raise InvalidConfigError("HealthChecker needs at least one provider to check")
        if not 1 <= degraded_after <= down_after or recover_after < 1:
            raise InvalidConfigError(
                f"health thresholds need 1 <= degraded_after ({degraded_after}) <= down_after ({down_after}) "
                f"and recover_after >= 1 ({recover_after})"
            )
        self._ledger = ledger
        self.alert = alert
        self.degraded_after = degraded_after
        self.down_after = down_after
        self.recover_after = recover_after
        self.probe = probe or doctor_probe()
        self.board = board or default_board()
        self._clock = clock
        self.state: dict[str, ProviderHealth] = {t.split(":", 1)[0]: ProviderHealth() for t in self.targets}

    @property
    def ledger(self) -> Any:
        """Where results go (``default_ledger()`` unless one was given)."""
        if self._ledger is None:
            from polyport_core.ledger import default_ledger

            self._ledger = default_ledger()
        return self._ledger

    def _next_status(self, health: ProviderHealth, ok: bool) -> str:
        if ok:
            health.failures, health.successes = 0, health.successes + 1
            if health.status in ("unknown", "healthy") or health.successes >= self.recover_after:
                return "healthy"
            return health.status
        health.failures, health.successes = health.failures + 1, 0
        if health.failures >= self.down_after:
            return "down"
        if health.failures >= self.degraded_after:
            return "degraded"
        return health.status if health.status != "unknown" else "healthy"

    def check_target(self, target: str) -> HealthResult:
        """One round for one target: probe, move the status, store, publish, alert on a change."""
        provider = target.split(":", 1)[0]
        started = time.perf_counter()
        try:
            model, ok, checks = self.probe(target)
        except Exception as error:  # an unloadable provider is a failed check, never a crashed scheduler
            model, ok, checks = target.partition(":")[2], False, {"probe": f"fail: {type(error).__name__}: {error}"}
        health = self.state.setdefault(provider, ProviderHealth())
        previous = health.status
        health.status = self._next_status(health, ok)
        result = HealthResult(provider, model, ok, health.status, self._clock(), time.perf_counter() - started, checks)
        self._store(result)
        self.board.set(provider, health.status)
        if health.status != previous and not (previous == "unknown" and health.status == "healthy"):
            self._send(HealthChange(provider, previous, health.status, result.ts, _summary(checks)))
        return result

    def _store(self, result: HealthResult) -> None:
        add = getattr(self.ledger, "add_health", None)
        if add is None:
            return
        try:
            add(result.to_dict())
        except Exception as error:  # the result still moved the status and the board
            logger.warning("polyport could not store a health result for %s: %s", result.provider, error)

    def _send(self, change: HealthChange) -> None:
        if self.alert is None:
            logger.warning("provider %s is %s (was %s)", change.provider, change.status, change.previous)
            return
        try:
            self.alert(change)
        except Exception:
            logger.exception("polyport alert sink failed for %s", change.provider)

    def run_once(self) -> list[HealthResult]:
        """One round over every target."""
        return [self.check_target(t) for t in self.targets]

    def run(self, every_s: float, *, rounds: int | None = None, stop: threading.Event | None = None,
            on_round: Callable[[list[HealthResult]], None] | None = None) -> None:  # fmt: skip
        """Run a round every ``every_s`` seconds until ``stop`` is set (or ``rounds`` rounds ran)."""
        stop = stop or threading.Event()
        done = 0
        while not stop.is_set():
            results = self.run_once()
            if on_round is not None:
                on_round(results)
            done += 1
            if rounds is not None and done >= rounds:
                return
            stop.wait(every_s)

    def start(self, every_s: float) -> threading.Event:
        """Run in a daemon thread; set the returned event to stop it."""
        stop = threading.Event()
        threading.Thread(target=self.run, args=(every_s,), kwargs={"stop": stop}, daemon=True,
                         name="polyport-health").start()  # fmt: skip
        return stop


def _summary(checks: dict[str, str]) -> str:
    failed = [f"{name}: {text}" for name, text in checks.items() if text.startswith("fail")]
    return "; ".join(failed)[:500]
