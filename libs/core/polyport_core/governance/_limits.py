"""Rate limits: requests and tokens per minute/hour and max concurrency, per provider or model.

Windows are counted by the ``limits`` library (sliding window counter: O(1) per hit
whatever the token amounts, unlike a moving window log): in process
memory by default, or in Redis (``storage_uri="redis://…"``) so a fleet shares
one limit. Waiting is the default, bounded by ``max_wait_s``; past that — or
at once with ``fail_fast`` — ``RateLimitWaitExceededError`` is raised.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass

from limits import RateLimitItem, RateLimitItemPerHour, RateLimitItemPerMinute
from limits.storage import storage_from_string
from limits.strategies import SlidingWindowCounterRateLimiter

from polyport_core.errors import InvalidConfigError, RateLimitWaitExceededError

__all__ = ["Limiter", "RateLimit"]


@dataclass(frozen=True)
class RateLimit:
    """Limits for a provider (``model=None``: all its models share them) or one model."""

    requests_per_minute: int | None = None
    requests_per_hour: int | None = None
    tokens_per_minute: int | None = None
    tokens_per_hour: int | None = None
    max_concurrency: int | None = None
    provider: str | None = None
    model: str | None = None

    @property
    def scope(self) -> str:
        """Identifier of the counters this limit uses."""
        return f"{self.provider or '*'}/{self.model or '*'}"

    def applies(self, provider: str, model: str) -> bool:
        """Whether calls to ``provider``/``model`` count against this limit."""
        return (self.provider is None or self.provider == provider) and (
            self.model is None or self.model == model
        )


class _Slots:
    """A concurrency counter shared by threads and event loops of one process."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.used = 0
        self.cond = threading.Condition()

    def try_take(self) -> bool:
        with self.cond:
            if self.used < self.size:
                self.used += 1
                return True
            return False

    def take(self, timeout: float) -> bool:
        with self.cond:
            return self.cond.wait_for(self._grab, timeout)

    def _grab(self) -> bool:
        if self.used < self.size:
            self.used += 1
            return True
        return False

    def give(self) -> None:
        with self.cond:
            self.used -= 1
            self.cond.notify()


@dataclass(slots=True)
class Grant:
    """What a call acquired: concurrency slots to give back, tokens to settle."""

    slots: list[_Slots]
    token_rules: list[tuple[RateLimitItem, str]]
    estimated_tokens: int


class Limiter:
    """Enforces ``RateLimit`` rules; sync and async callers share the same counters."""

    def __init__(
        self,
        rules: Sequence[RateLimit],
        *,
        storage_uri: str = "memory://",
        max_wait_s: float = 60.0,
        fail_fast: bool = False,
    ) -> None:
        self.rules = list(rules)
        self.max_wait_s = max_wait_s
        self.fail_fast = fail_fast
        self.storage_uri = storage_uri
        self._limiter = SlidingWindowCounterRateLimiter(storage_from_string(storage_uri))
        self._slots = {r.scope: _Slots(r.max_concurrency) for r in self.rules if r.max_concurrency}
        self._plans: dict[tuple[str, str], list[tuple[RateLimitItem, str, RateLimit | None]]] = {}
        for rule in self.rules:
            for name in ("requests_per_minute", "requests_per_hour", "tokens_per_minute", "tokens_per_hour"):
                value = getattr(rule, name)
                if value is not None and value <= 0:
                    raise InvalidConfigError(f"RateLimit {name} must be > 0, got {value}")

    def _items(self, provider: str, model: str) -> list[tuple[RateLimitItem, str, RateLimit | None]]:
        """Windows that apply to a provider/model (cached): (item, identifier, rule if tokens)."""
        cached = self._plans.get((provider, model))
        if cached is None:
            cached = []
            for rule in self.rules:
                if not rule.applies(provider, model):
                    continue
                ident = f"polyport:{rule.scope}"
                if rule.requests_per_minute:
                    cached.append((RateLimitItemPerMinute(rule.requests_per_minute), ident + ":req", None))
                if rule.requests_per_hour:
                    cached.append((RateLimitItemPerHour(rule.requests_per_hour), ident + ":req", None))
                cached.extend((item, ident + ":tok", rule) for item in _token_items(rule))
            self._plans[(provider, model)] = cached
        return cached

    def _plan(
        self, provider: str, model: str, tokens: int
    ) -> tuple[list[tuple[RateLimitItem, str, int]], Grant]:
        hits: list[tuple[RateLimitItem, str, int]] = []
        grant = Grant([], [], tokens)
        for item, ident, token_rule in self._items(provider, model):
            if token_rule is None:
                hits.append((item, ident, 1))
                continue
            if tokens > item.amount:
                raise RateLimitWaitExceededError(
                    f"A call of ~{tokens} tokens can never fit the limit of {item.amount} tokens "
                    f"per {item.GRANULARITY.name} for {token_rule.scope}",
                    provider=provider,
                    model=model,
                )
            hits.append((item, ident, max(tokens, 1)))
            grant.token_rules.append((item, ident))
        return hits, grant

    def _try_hits(self, hits: list[tuple[RateLimitItem, str, int]]) -> float:
        """Hit every window (0.0) or none, returning seconds until the first blocker frees."""
        for item, ident, cost in hits:
            if not self._limiter.test(item, ident, cost=cost):
                stats = self._limiter.get_window_stats(item, ident)
                return max(0.001, stats.reset_time - time.time())
        for item, ident, cost in hits:
            self._limiter.hit(item, ident, cost=cost)
        return 0.0

    def _refuse(self, provider: str, model: str, wait: float, waited: float) -> RateLimitWaitExceededError:
        why = (
            "fail_fast is set" if self.fail_fast else f"waited {waited:.2f}s of max_wait_s={self.max_wait_s}"
        )
        return RateLimitWaitExceededError(
            f"Local rate limit reached ({why})", retry_after=round(wait, 3), provider=provider, model=model
        )

    def acquire(self, provider: str, model: str, tokens: int) -> Grant:
        """Wait (bounded) until every applicable window and a concurrency slot are free."""
        hits, grant = self._plan(provider, model, tokens)
        start = time.monotonic()
        while hits and (wait := self._try_hits(hits)) > 0:
            waited = time.monotonic() - start
            if self.fail_fast or waited + wait > self.max_wait_s:
                raise self._refuse(provider, model, wait, waited)
            time.sleep(wait)
        for slots in self._slots_for(provider, model):
            if not slots.try_take():
                left = 0.0 if self.fail_fast else self.max_wait_s - (time.monotonic() - start)
                if left <= 0 or not slots.take(left):
                    self.release(grant)
                    raise self._refuse(provider, model, 0.0, time.monotonic() - start)
            grant.slots.append(slots)
        return grant

    async def aacquire(self, provider: str, model: str, tokens: int) -> Grant:
        """Async twin of ``acquire``: sleeps with ``asyncio.sleep`` instead of blocking."""
        hits, grant = self._plan(provider, model, tokens)
        start = time.monotonic()
        while hits and (wait := self._try_hits(hits)) > 0:
            waited = time.monotonic() - start
            if self.fail_fast or waited + wait > self.max_wait_s:
                raise self._refuse(provider, model, wait, waited)
            await asyncio.sleep(wait)
        for slots in self._slots_for(provider, model):
            pause = 0.001
            while not slots.try_take():
                waited = time.monotonic() - start
                if self.fail_fast or waited + pause > self.max_wait_s:
                    self.release(grant)
                    raise self._refuse(provider, model, 0.0, waited)
                await asyncio.sleep(pause)
                pause = min(pause * 2, 0.05)
            grant.slots.append(slots)
        return grant

    def _slots_for(self, provider: str, model: str) -> list[_Slots]:
        return [self._slots[r.scope] for r in self.rules if r.max_concurrency and r.applies(provider, model)]

    def release(self, grant: Grant) -> None:
        """Give back concurrency slots (idempotent)."""
        while grant.slots:
            grant.slots.pop().give()

    def settle_tokens(self, grant: Grant, actual_tokens: int) -> None:
        """Count tokens beyond the estimate (a full window simply stays full until it resets)."""
        extra = actual_tokens - grant.estimated_tokens
        if extra > 0:
            for item, ident in grant.token_rules:
                self._limiter.hit(item, ident, cost=min(extra, item.amount))


def _token_items(rule: RateLimit) -> list[RateLimitItem]:
    items: list[RateLimitItem] = []
    if rule.tokens_per_minute:
        items.append(RateLimitItemPerMinute(rule.tokens_per_minute))
    if rule.tokens_per_hour:
        items.append(RateLimitItemPerHour(rule.tokens_per_hour))
    return items
