"""The fleet ledger: Redis shared by many workers on many machines.

Reserve, settle and release are Lua scripts (see ``_redis_scripts``) so a
fleet shares one budget without races. Records go to a Redis stream; settle
is idempotent by reservation id, so a worker may retry a settle after a
Redis restart without double counting. Durability is Redis's: run it with
``appendonly yes`` (and ``appendfsync always`` if no settled record may be
lost on a crash). Connection failures raise ``LedgerUnavailableError``.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import fields
from typing import Any, TypeVar
from urllib.parse import urlsplit

from polyport_core.errors import LedgerUnavailableError
from polyport_core.ledger import _fleet_redis as fleet
from polyport_core.ledger import _redis_scripts as lua
from polyport_core.ledger._fleet_sqlite import MinuteCounts
from polyport_core.ledger._types import Bucket, Cap, CapCheck, UsageRecord
from polyport_core.redaction import redact_url

__all__ = ["RedisLedger"]

T = TypeVar("T")
_SETTLED_TTL_S = 40 * 86400
_RECORD_FIELDS = tuple(f.name for f in fields(UsageRecord))
_CLOCK_SKEW_S = 300.0  # stream ids are Redis time, record ts the worker's: widen, then filter on ts


class RedisLedger:
    """Ledger in Redis (redis-py sync and asyncio clients over the same URL)."""

    def __init__(
        self, url: str = "redis://127.0.0.1:6379/0", *, prefix: str = "polyport", **options: Any
    ) -> None:
        try:
            import redis
            import redis.asyncio as aredis
        except ImportError as error:  # pragma: no cover - extra not installed
            raise ImportError("RedisLedger needs redis-py: pip install 'polyport-core[redis]'") from error
        self.url = url
        self._p = "{" + prefix + "}"  # one hash slot: scripts touch several keys
        options.setdefault("socket_timeout", 5.0)
        options.setdefault("socket_connect_timeout", 2.0)
        self._client = redis.Redis.from_url(url, **options)
        self._options = options
        self._aclients: dict[int, Any] = {}
        self._aredis = aredis
        self._errors: tuple[type[BaseException], ...] = (redis.ConnectionError, redis.TimeoutError)
        self._reserve = self._client.register_script(lua.RESERVE)
        self._settle = self._client.register_script(lua.SETTLE)
        self._release = self._client.register_script(lua.RELEASE)
        self._reserved = self._client.register_script(lua.RESERVED)

    def __repr__(self) -> str:
        return f"RedisLedger({redact_url(self.url)!r})"

    @property
    def identity(self) -> str:
        """Which ledger this is, for the outbox: server, database and key prefix (never the password)."""
        parts = urlsplit(self.url)
        return f"redis:{parts.hostname}:{parts.port or 6379}{parts.path or '/0'}#{self._p}"

    # ------------------------------------------------------------ keys
    def _spend_key(self, b: Bucket) -> str:
        return f"{self._p}:spend:{b.scope}:{b.period}"

    def _hold_keys(self, b: Bucket) -> tuple[str, str]:
        return f"{self._p}:holdz:{b.scope}:{b.period}", f"{self._p}:holdh:{b.scope}:{b.period}"

    @property
    def _stream(self) -> str:
        return f"{self._p}:records"

    def _ascripts(self) -> tuple[Any, Any]:
        """(reserve, settle) scripts on one asyncio client per event loop (pools are loop-bound)."""
        import asyncio

        loop = asyncio.get_running_loop()
        scripts = self._aclients.get(id(loop))
        if scripts is None or scripts[0] is not loop:
            client = self._aredis.Redis.from_url(self.url, **self._options)
            scripts = (loop, client.register_script(lua.RESERVE), client.register_script(lua.SETTLE))
            self._aclients[id(loop)] = scripts
        return scripts[1], scripts[2]

    def _guard(self, fn: Callable[[], T]) -> T:
        try:
            return fn()
        except self._errors as error:
            raise LedgerUnavailableError(f"Redis ledger at {redact_url(self.url)} is unreachable: {error}") from error

    # ------------------------------------------------------------ argument packing
    def _reserve_args(
        self, reservation_id: str, amount_nano: int, caps: Sequence[Cap], ttl_s: float
    ) -> tuple[list[str], list[Any]]:
        keys: list[str] = []
        for cap in caps:
            keys.append(self._spend_key(cap.bucket))
            keys.extend(self._hold_keys(cap.bucket))
        args: list[Any] = [reservation_id, str(amount_nano), ttl_s, *(str(c.limit_nano) for c in caps)]
        return keys, args

    @staticmethod
    def _check(result: Any, caps: Sequence[Cap]) -> CapCheck | None:
        index = int(result[0])
        if index == 0:
            return None
        return CapCheck(caps[index - 1], int(result[1]), int(result[2]))

    def _settle_args(
        self, record: UsageRecord, held: Sequence[Bucket], spend: Sequence[Bucket]
    ) -> tuple[list[str], list[Any]]:
        keys = [f"{self._p}:settled:{record.id}", self._stream]
        for bucket in held:
            keys.extend(self._hold_keys(bucket))
        keys.extend(self._spend_key(b) for b in spend)
        cost = record.cost_nano or 0
        fields = {name: getattr(record, name) for name in _RECORD_FIELDS}  # dataclasses.asdict, minus its deep copy
        args = [record.id, str(cost), len(held), len(spend), _SETTLED_TTL_S, json.dumps(fields)]
        return keys, args

    def _release_keys(self, held: Sequence[Bucket]) -> list[str]:
        return [key for bucket in held for key in self._hold_keys(bucket)]

    # ------------------------------------------------------------ protocol
    def reserve(
        self, reservation_id: str, amount_nano: int, caps: Sequence[Cap], ttl_s: float
    ) -> CapCheck | None:
        """Hold ``amount_nano`` on every cap in one Lua script."""
        keys, args = self._reserve_args(reservation_id, amount_nano, caps, ttl_s)
        return self._check(self._guard(lambda: self._reserve(keys=keys, args=args)), caps)

    async def areserve(
        self, reservation_id: str, amount_nano: int, caps: Sequence[Cap], ttl_s: float
    ) -> CapCheck | None:
        """Async twin of ``reserve``."""
        keys, args = self._reserve_args(reservation_id, amount_nano, caps, ttl_s)
        try:
            result = await self._ascripts()[0](keys=keys, args=args)
        except self._errors as error:
            raise LedgerUnavailableError(f"Redis ledger at {redact_url(self.url)} is unreachable: {error}") from error
        return self._check(result, caps)

    def settle(self, record: UsageRecord, held: Sequence[Bucket], spend: Sequence[Bucket]) -> bool:
        """Drop holds, add the cost, append the record; once per id."""
        keys, args = self._settle_args(record, held, spend)
        return bool(self._guard(lambda: self._settle(keys=keys, args=args)))

    async def asettle(self, record: UsageRecord, held: Sequence[Bucket], spend: Sequence[Bucket]) -> bool:
        """Async twin of ``settle``."""
        keys, args = self._settle_args(record, held, spend)
        try:
            return bool(await self._ascripts()[1](keys=keys, args=args))
        except self._errors as error:
            raise LedgerUnavailableError(f"Redis ledger at {redact_url(self.url)} is unreachable: {error}") from error

    def release(self, reservation_id: str, held: Sequence[Bucket]) -> None:
        """Drop a reservation's holds."""
        if held:
            keys = self._release_keys(held)
            self._guard(lambda: self._release(keys=keys, args=[reservation_id]))

    def spent(self, bucket: Bucket) -> int:
        """Settled spend of ``bucket`` (nano-dollars)."""
        value = self._guard(lambda: self._client.get(self._spend_key(bucket)))
        return int(value) if value else 0

    def reserved(self, bucket: Bucket) -> int:
        """Live holds on ``bucket`` (nano-dollars)."""
        keys = list(self._hold_keys(bucket))
        return int(self._guard(lambda: self._reserved(keys=keys, args=[])))

    def records(self, since: float | None = None, until: float | None = None) -> list[UsageRecord]:
        """Records in time order within ``[since, until)`` (stream ids are ms timestamps)."""
        low = "-" if since is None else str(max(0, int((since - _CLOCK_SKEW_S) * 1000)))
        high = "+"  # a record settles after its timestamp: filter the upper bound on ts
        entries = self._guard(lambda: self._client.xrange(self._stream, low, high))
        out = [UsageRecord.from_dict(json.loads(fields[b"r"])) for _, fields in entries]
        return [r for r in out if (since is None or r.ts >= since) and (until is None or r.ts < until)]

    def mark_alert(self, bucket: Bucket) -> bool:
        """True only for the first caller per bucket, fleet-wide."""
        key = f"{self._p}:alert:{bucket.scope}:{bucket.period}"
        return bool(self._guard(lambda: self._client.set(key, "1", nx=True, ex=_SETTLED_TTL_S * 10)))

    def close(self) -> None:
        """Close the sync client (asyncio clients close with their loops)."""
        self._client.close()

    # ------------------------------------------------------------ fleet metrics and health (ledger/_fleet_redis)
    def add_metrics(self, minutes: Sequence[MinuteCounts]) -> None:
        """Add per provider/model/minute metric counters (every worker adds to the same hashes)."""
        self._guard(lambda: fleet.add_metric_minutes(self._client, self._p, minutes))

    def metric_minutes(self, since_minute: int, until_minute: int, provider: str | None = None,
                       model: str | None = None, per_hour: bool = False,
                       step: int = 1) -> list[MinuteCounts]:  # fmt: skip
        """Stored metric minutes in ``[since_minute, until_minute)`` (``per_hour``: hourly sums; ``step`` is
        applied by the caller on Redis)."""
        return self._guard(lambda: fleet.read_metric_minutes(self._client, self._p, since_minute, until_minute,
                                                             provider, model, per_hour))  # fmt: skip

    def add_health(self, result: dict[str, Any]) -> None:
        """Store one health check result."""
        self._guard(lambda: fleet.write_health(self._client, self._p, result))

    def health(self, since: float, provider: str | None = None) -> list[dict[str, Any]]:
        """Health check results since ``since``."""
        return self._guard(lambda: fleet.read_health(self._client, self._p, since, provider))
