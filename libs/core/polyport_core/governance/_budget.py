"""Budgets: daily/monthly USD caps per provider, per model or globally, with an alert threshold.

Reserve-then-settle: before a call the worst-case cost is held on every
matching cap in one atomic ledger operation; after the call the actual cost
is settled and the hold dropped. So concurrent calls — threads, tasks,
processes, machines sharing a Redis ledger — can never spend past a cap.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal

from polyport_core.errors import InvalidConfigError
from polyport_core.ledger import Bucket, Cap, CapCheck, nano_to_usd, period_keys, usd_to_nano

__all__ = ["Budget", "BudgetAlert", "scopes_for"]

logger = logging.getLogger("polyport.governance")


@dataclass(frozen=True)
class Budget:
    """A spend cap; ``provider``/``model`` narrow its scope (neither = global)."""

    daily_usd: Decimal | float | str | None = None
    monthly_usd: Decimal | float | str | None = None
    alert_threshold: float | None = None
    """Fraction (0–1] of a cap at which ``on_alert`` fires, once per period."""
    provider: str | None = None
    model: str | None = None

    def __post_init__(self) -> None:
        if self.model is not None and self.provider is None:
            raise InvalidConfigError(f"Budget for model {self.model!r} needs its provider")
        if self.alert_threshold is not None and not 0 < self.alert_threshold <= 1:
            raise InvalidConfigError(f"Budget alert_threshold must be in (0, 1], got {self.alert_threshold}")
        for name in ("daily_usd", "monthly_usd"):
            value = getattr(self, name)
            if value is not None and Decimal(str(value)) <= 0:
                raise InvalidConfigError(f"Budget {name} must be > 0, got {value}")

    @property
    def scope(self) -> str:
        """``global``, ``provider:<p>`` or ``model:<p>/<m>``."""
        if self.model is not None:
            return f"model:{self.provider}/{self.model}"
        if self.provider is not None:
            return f"provider:{self.provider}"
        return "global"

    def applies(self, provider: str, model: str) -> bool:
        """Whether a call to ``provider``/``model`` counts against this budget."""
        if self.provider is not None and self.provider != provider:
            return False
        return self.model is None or self.model == model

    def caps(self, day: str, month: str) -> list[Cap]:
        """This budget's caps in the given periods."""
        key = (day, month)
        cached = self.__dict__.get("_caps")
        if cached is None or cached[0] != key:
            out = []
            if self.daily_usd is not None:
                out.append(Cap(Bucket(self.scope, day), usd_to_nano(self.daily_usd), f"{self.scope} daily"))
            if self.monthly_usd is not None:
                out.append(Cap(Bucket(self.scope, month), usd_to_nano(self.monthly_usd), f"{self.scope} monthly"))
            cached = (key, out)
            object.__setattr__(self, "_caps", cached)  # a cache, not a field: Budget stays frozen
        return list(cached[1])


@dataclass(frozen=True, slots=True)
class BudgetAlert:
    """Spend on a cap crossed its alert threshold (sent once per period)."""

    budget: str
    period: str
    spent_usd: Decimal
    cap_usd: Decimal
    threshold: float


_scopes: dict[tuple[str, str, str, str], list[Bucket]] = {}


def scopes_for(provider: str, model: str, ts: float | None = None) -> tuple[list[Bucket], str, str]:
    """Every spend bucket a call adds to (global, provider, model × day, month) and the periods."""
    day, month = period_keys(ts)
    key = (provider, model, day, month)
    buckets = _scopes.get(key)
    if buckets is None:
        if len(_scopes) > 4096:  # periods roll over: keep the cache bounded
            _scopes.clear()
        scopes = ("global", f"provider:{provider}", f"model:{provider}/{model}")
        buckets = _scopes[key] = [Bucket(s, p) for s in scopes for p in (day, month)]
    return list(buckets), day, month


def matching_caps(budgets: Iterable[Budget], provider: str, model: str, day: str, month: str) -> list[Cap]:
    """Caps of every budget that applies to the call."""
    return [cap for b in budgets if b.applies(provider, model) for cap in b.caps(day, month)]


def exceeded_message(check: CapCheck, amount_nano: int) -> str:
    """Names the budget with spent, reserved, requested and cap figures."""
    cap = check.cap
    return (
        f"Budget {cap.name!r} ({cap.bucket.period}) would be exceeded: "
        f"spent ${nano_to_usd(check.spent_nano):.6f}, "
        f"reserved ${nano_to_usd(check.reserved_nano):.6f}, this call needs up to "
        f"${nano_to_usd(amount_nano):.6f}, cap ${nano_to_usd(cap.limit_nano):.6f}"
    )


def alert_due(budget: Budget, cap: Cap, spent_nano: int) -> bool:
    """Whether spend on ``cap`` is at or past the budget's alert threshold."""
    return budget.alert_threshold is not None and spent_nano >= cap.limit_nano * budget.alert_threshold


def log_alert(alert: BudgetAlert) -> None:
    """The default alert sink: one warning log event."""
    logger.warning(
        "Budget %s (%s) at $%s of $%s (threshold %.0f%%)",
        alert.budget,
        alert.period,
        alert.spent_usd,
        alert.cap_usd,
        alert.threshold * 100,
    )


AlertCallback = Callable[[BudgetAlert], None]
