"""Budgets: daily/monthly USD caps globally or per provider, model, user, tag or profile, with an alert threshold.

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
from polyport_core.governance._scopes import EACH, CallScope, Selector
from polyport_core.ledger import Bucket, Cap, CapCheck, nano_to_usd, period_keys, usd_to_nano

__all__ = ["Budget", "BudgetAlert", "scopes_for"]

logger = logging.getLogger("polyport.governance")


@dataclass(frozen=True)
class Budget:
    """A spend cap; ``provider``/``model``/``user``/``tag``/``profile`` narrow its scope (none = global).

    A field set to ``"*"`` gives each distinct value its own cap: ``Budget(daily_usd=1, user="*")``
    is one dollar a day per user (calls carry their user in the run config's ``metadata.user_id``).
    """

    daily_usd: Decimal | float | str | None = None
    monthly_usd: Decimal | float | str | None = None
    alert_threshold: float | None = None
    """Fraction (0–1] of a cap at which ``on_alert`` fires, once per period."""
    provider: str | None = None
    model: str | None = None
    user: str | None = None
    tag: str | None = None
    profile: str | None = None

    def __post_init__(self) -> None:
        if self.model is not None and self.provider is None:
            raise InvalidConfigError(f"Budget for model {self.model!r} needs its provider")
        selector = Selector(self.provider, self.model, self.user, self.tag, self.profile)
        object.__setattr__(self, "_selector", selector)
        object.__setattr__(self, "_each", EACH in (self.provider, self.model, self.user, self.tag, self.profile))
        if self.alert_threshold is not None and not 0 < self.alert_threshold <= 1:
            raise InvalidConfigError(f"Budget alert_threshold must be in (0, 1], got {self.alert_threshold}")
        for name in ("daily_usd", "monthly_usd"):
            value = getattr(self, name)
            if value is not None and Decimal(str(value)) <= 0:
                raise InvalidConfigError(f"Budget {name} must be > 0, got {value}")

    @property
    def selector(self) -> Selector:
        """Which calls this budget counts."""
        selector: Selector = self.__dict__["_selector"]
        return selector

    @property
    def scope(self) -> str:
        """The ledger scope: ``global``, ``provider:<p>``, ``model:<p>/<m>``, ``user:<u>``, ``provider:<p>|tag:<t>``…

        For a per-value budget (a field is ``"*"``) the pattern, e.g. ``user:*``; its buckets are per value.
        """
        if self.__dict__["_each"]:
            return self.selector.describe()
        fixed = CallScope(self.provider or "", self.model or "", self.user, (self.tag,) if self.tag else (),
                          self.profile)  # fmt: skip
        return next(self.selector.keys(fixed))

    def applies(self, provider: str, model: str, scope: CallScope | None = None) -> bool:
        """Whether a call to ``provider``/``model`` (by ``scope``'s user, tags, profile) counts against this budget."""
        if scope is None:
            if self.user is not None or self.tag is not None or self.profile is not None:
                return False
            scope = CallScope(provider, model)
        return self.selector.matches(scope)

    def caps(self, day: str, month: str, scope: CallScope | None = None) -> list[Cap]:
        """This budget's caps in the given periods (for a per-value budget: the buckets of ``scope``)."""
        if self.__dict__["_each"] or (scope is not None and self.tag is not None):
            if scope is None:
                return []
            return [cap for key in self.selector.keys(scope) for cap in self._caps_of(key, day, month)]
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

    def _caps_of(self, scope: str, day: str, month: str) -> list[Cap]:
        out = []
        if self.daily_usd is not None:
            out.append(Cap(Bucket(scope, day), usd_to_nano(self.daily_usd), f"{scope} daily"))
        if self.monthly_usd is not None:
            out.append(Cap(Bucket(scope, month), usd_to_nano(self.monthly_usd), f"{scope} monthly"))
        return out


@dataclass(frozen=True, slots=True)
class BudgetAlert:
    """Spend on a cap crossed its alert threshold (sent once per period)."""

    budget: str
    period: str
    spent_usd: Decimal
    cap_usd: Decimal
    threshold: float


_scopes: dict[tuple[str, str, str, str], list[Bucket]] = {}


def scopes_for(
    provider: str, model: str, ts: float | None = None, scope: CallScope | None = None
) -> tuple[list[Bucket], str, str]:
    """Every spend bucket a call adds to (global, provider, model, and the scope's user, each tag and
    profile × day, month) and the periods."""
    day, month = period_keys(ts)
    if scope is not None and (scope.user or scope.tags or scope.profile):
        plain, _, _ = scopes_for(provider, model, ts)
        extra = [f"user:{scope.user}"] if scope.user else []
        extra += [f"tag:{t}" for t in scope.tags]
        extra += [f"profile:{scope.profile}"] if scope.profile else []
        return plain + [Bucket(s, p) for s in extra for p in (day, month)], day, month
    key = (provider, model, day, month)
    buckets = _scopes.get(key)
    if buckets is None:
        if len(_scopes) > 4096:  # periods roll over: keep the cache bounded
            _scopes.clear()
        scopes = ("global", f"provider:{provider}", f"model:{provider}/{model}")
        buckets = _scopes[key] = [Bucket(s, p) for s in scopes for p in (day, month)]
    return list(buckets), day, month


def matching_caps(
    budgets: Iterable[Budget], provider: str, model: str, day: str, month: str, scope: CallScope | None = None
) -> list[Cap]:
    """Caps of every budget that applies to the call (one bucket per cap: no cap is held twice)."""
    caps = [cap for b in budgets if b.applies(provider, model, scope) for cap in b.caps(day, month, scope)]
    if len(caps) > 1 and len({c.bucket for c in caps}) < len(caps):
        caps = list({c.bucket: c for c in sorted(caps, key=lambda c: -c.limit_nano)}.values())  # tightest wins
    return caps


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
