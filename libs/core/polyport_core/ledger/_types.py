"""The ledger's value types and protocol, shared by the SQLite and Redis backends.

Money is kept as integer nano-dollars (1e-9 USD) inside the ledger so that
sums are exact and atomic increments work in SQLite and Redis alike; the
public API converts to ``Decimal`` dollars.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any, Protocol, runtime_checkable

NANO = Decimal(1_000_000_000)


def usd_to_nano(usd: Decimal | float | int | str) -> int:
    """Dollars as integer nano-dollars (rounded half-up)."""
    return int((Decimal(str(usd)) * NANO).to_integral_value())


def nano_to_usd(nano: int) -> Decimal:
    """Integer nano-dollars as ``Decimal`` dollars."""
    return Decimal(nano) / NANO


_DAY_S = 86400  # a UTC day in POSIX time (no leap seconds)
_periods: tuple[float, float, str, str] = (0.0, -1.0, "", "")
"""The last day computed: (start, end, day key, month key); every call of that day reuses it."""


def period_keys(ts: float | None = None) -> tuple[str, str]:
    """The UTC ``day:YYYY-MM-DD`` and ``month:YYYY-MM`` periods containing ``ts``."""
    global _periods
    t = time.time() if ts is None else ts
    start, end, day, month = _periods
    if start <= t < end:
        return day, month
    now = datetime.fromtimestamp(t, UTC)
    day, month = f"day:{now:%Y-%m-%d}", f"month:{now:%Y-%m}"
    start = float(int(t // _DAY_S) * _DAY_S)
    _periods = (start, start + _DAY_S, day, month)  # one tuple: threads see old or new, whole
    return day, month


@dataclass(frozen=True, slots=True)
class Bucket:
    """One spend counter: a scope (``global``, ``provider:x``, ``model:x/y``) in one period."""

    scope: str
    period: str


@dataclass(frozen=True, slots=True)
class Cap:
    """A budget limit on one bucket, checked atomically by ``reserve``."""

    bucket: Bucket
    limit_nano: int
    name: str


@dataclass(slots=True)
class UsageRecord:
    """One settled call: what it used, what it cost (and how the price was known), how it went."""

    id: str
    provider: str
    model: str
    ts: float = field(default_factory=time.time)
    input_tokens: int = 0
    output_tokens: int = 0
    cache_read_tokens: int = 0
    cache_write_tokens: int = 0
    cost_nano: int | None = None
    """None when the price is unknown (never reported as $0)."""
    price_provenance: str = "unknown"
    latency_s: float = 0.0
    outcome: str = "ok"
    """``ok`` or the error kind (``rate_limit``, ``unavailable``…)."""
    usage_estimated: bool = False
    user: str | None = None
    """Who the call was for (run config ``metadata.user_id``), if it said."""
    tags: tuple[str, ...] = ()
    """The run config's tags (``team:search``…)."""
    profile: str | None = None
    """The credential profile the call used, if any."""

    @property
    def cost_usd(self) -> Decimal | None:
        """The cost in dollars, or None when the price is unknown."""
        return None if self.cost_nano is None else nano_to_usd(self.cost_nano)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> UsageRecord:
        """A record from its JSON form (tags come back as a list; older records lack the scope fields)."""
        if "tags" in data:
            data = {**data, "tags": tuple(data["tags"] or ())}
        return cls(**data)


@dataclass(frozen=True, slots=True)
class CapCheck:
    """Why a reservation failed: which cap, and the figures at that moment."""

    cap: Cap
    spent_nano: int
    reserved_nano: int


@runtime_checkable
class Ledger(Protocol):
    """Where spend, holds and usage records live; every method is atomic.

    ``reserve`` holds ``amount`` against every cap at once or not at all and
    returns the first cap that would overflow (None on success). ``settle``
    is idempotent by reservation id: it drops the holds, adds the actual cost
    to every spend bucket and appends the record exactly once. Holds expire
    after ``ttl_s`` so a crashed worker cannot pin a budget forever.
    """

    def reserve(
        self, reservation_id: str, amount_nano: int, caps: Sequence[Cap], ttl_s: float
    ) -> CapCheck | None:
        """Hold ``amount_nano`` on every cap, or nothing and the failing cap."""
        ...

    async def areserve(
        self, reservation_id: str, amount_nano: int, caps: Sequence[Cap], ttl_s: float
    ) -> CapCheck | None:
        """Async twin of ``reserve``."""
        ...

    def settle(self, record: UsageRecord, held: Sequence[Bucket], spend: Sequence[Bucket]) -> bool:
        """Release holds of ``record.id``, add its cost to ``spend``, store it; False if already settled."""
        ...

    async def asettle(self, record: UsageRecord, held: Sequence[Bucket], spend: Sequence[Bucket]) -> bool:
        """Async twin of ``settle``."""
        ...

    def release(self, reservation_id: str, held: Sequence[Bucket]) -> None:
        """Drop the holds of a reservation without recording anything."""
        ...

    def spent(self, bucket: Bucket) -> int:
        """Settled spend of a bucket in nano-dollars."""
        ...

    def reserved(self, bucket: Bucket) -> int:
        """Live (unexpired) holds on a bucket in nano-dollars."""
        ...

    def records(self, since: float | None = None, until: float | None = None) -> list[UsageRecord]:
        """Usage records in time order, optionally within ``[since, until)``."""
        ...

    def mark_alert(self, bucket: Bucket) -> bool:
        """True the first time it is called for a bucket (alert once per period, fleet-wide)."""
        ...

    def close(self) -> None:
        """Release connections."""
        ...
