"""Rate limits: requests and tokens per minute/hour and max concurrency, per provider or model.

Request windows are exact moving windows (a log of the last ``amount`` request
times): a declared "4 per hour" never lets a fifth through in any 3600 s, also
across a window boundary, where a sliding window counter would let the fading
previous window's weight slip one in. Token windows are sliding window counters
(O(1) per hit whatever the token amounts). In process memory (the default,
``memory://``) they are counted here, every window of a call checked and hit
under one lock so concurrent threads and event loops can never both take the
last unit. For a shared storage (``storage_uri="redis://…"``, so a fleet shares
one limit) the ``limits`` library counts them with the same two algorithms. Waiting is the
default, bounded by ``max_wait_s``; past that — or at once with
``fail_fast`` — ``RateLimitWaitExceededError`` is raised.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from polyport_core.errors import InvalidConfigError, RateLimitWaitExceededError
from polyport_core.governance._scopes import EACH, CallScope, Selector

__all__ = ["Limiter", "RateLimit"]

_PERIODS = {"minute": 60, "hour": 3600}


@dataclass(frozen=True)
class RateLimit:
    """Limits for a provider (``model=None``: all its models share them) or one model.

    ``user``/``tag``/``profile`` narrow it further; ``"*"`` in any field gives each distinct value its own
    counters (``RateLimit(requests_per_minute=10, user="*")``: ten a minute per user).
    """

    requests_per_minute: int | None = None
    requests_per_hour: int | None = None
    tokens_per_minute: int | None = None
    tokens_per_hour: int | None = None
    max_concurrency: int | None = None
    provider: str | None = None
    model: str | None = None
    user: str | None = None
    tag: str | None = None
    profile: str | None = None

    @property
    def scope(self) -> str:
        """Identifier of the counters this limit uses."""
        base = f"{self.provider or '*'}/{self.model or '*'}"
        return base if not self.scoped else f"{base}/{self.selector.describe()}"

    @property
    def scoped(self) -> bool:
        """Whether the counters depend on the call's scope (user, tag, profile, or a per-value field)."""
        return (self.user, self.tag, self.profile) != (None, None, None) or EACH in (self.provider, self.model)

    @property
    def selector(self) -> Selector:
        """Which calls this limit counts."""
        return Selector(self.provider, self.model, self.user, self.tag, self.profile)

    def applies(self, provider: str, model: str, scope: CallScope | None = None) -> bool:
        """Whether calls to ``provider``/``model`` (with ``scope``'s user, tags, profile) count against this limit."""
        if self.scoped:
            return self.selector.matches(scope or CallScope(provider, model))
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


@dataclass(frozen=True, slots=True, eq=False)
class _Window:
    """One limit window: ``amount`` requests or tokens per ``period`` for the counter ``ident``."""

    amount: int
    period: str
    ident: str
    tokens: RateLimit | None
    """The rule when this window counts tokens (None: requests).

    Windows are interned per limiter (one object per counter), so they hash by identity.
    """

    @property
    def expiry(self) -> int:
        return _PERIODS[self.period]


@dataclass(slots=True)
class Grant:
    """What a call acquired: concurrency slots to give back, tokens to settle."""

    slots: list[_Slots]
    token_rules: list[_Window]
    estimated_tokens: int


@dataclass(slots=True)
class _Plan:
    """What applies to one provider/model (cached): windows, token windows and slots."""

    windows: list[_Window]
    token_windows: list[_Window]
    slots: list[_Slots]


class _MemoryWindows:
    """Sliding window counters in this process; a call's check-and-hit is one locked step.

    A counter is ``[window index, previous count, current count]``; the
    weighted count is ``previous × (unelapsed fraction of the current window)
    + current``, the same approximation as the ``limits`` library's
    sliding window counter.
    """

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._lock = threading.Lock()
        self._clock = clock
        self._counters: dict[_Window, list[float]] = {}
        self._logs: dict[_Window, deque[float]] = {}

    def _log(self, window: _Window, now: float) -> deque[float]:
        """Times of the requests still inside ``window`` (older ones dropped)."""
        log = self._logs.get(window)
        if log is None:
            log = self._logs[window] = deque()
        horizon = now - window.expiry
        while log and log[0] <= horizon:
            log.popleft()
        return log

    def _counter(self, window: _Window, now: float) -> tuple[list[float], float]:
        """The counter rolled to ``now``, and the unelapsed fraction of its current window."""
        expiry = window.expiry
        position = now / expiry
        index = int(position)
        counter = self._counters.get(window)
        if counter is None:
            counter = self._counters[window] = [index, 0, 0]
        elif counter[0] != index:
            counter[1] = counter[2] if counter[0] == index - 1 else 0
            counter[2] = 0
            counter[0] = index
        return counter, 1.0 - (position - index)

    def try_hits(self, hits: Sequence[tuple[_Window, int]]) -> float:
        """Hit every window (0.0) or none, returning seconds until the first blocker frees."""
        now = self._clock()
        with self._lock:
            logged: list[tuple[deque[float], int]] = []
            counted: list[tuple[list[float], int]] = []
            for window, cost in hits:
                if window.tokens is None:  # requests: exact
                    log = self._log(window, now)
                    if len(log) + cost > window.amount:
                        return max(0.001, log[len(log) + cost - window.amount - 1] + window.expiry - now + 0.001)
                    logged.append((log, cost))
                    continue
                counter, left = self._counter(window, now)
                previous, current = counter[1], counter[2]
                room = window.amount - cost + 1  # fits while the weighted count stays below this
                if previous * left + current >= room:
                    return _wait(window.expiry, previous, current, left, room)
                counted.append((counter, cost))
            for log, cost in logged:
                log.extend([now] * cost)
            for counter, cost in counted:
                counter[2] += cost
        return 0.0

    async def atry_hits(self, hits: Sequence[tuple[_Window, int]]) -> float:
        """``try_hits`` (in memory, microseconds: no thread hop)."""
        return self.try_hits(hits)

    async def aadd(self, window: _Window, extra: int) -> None:
        """``add`` (in memory: no thread hop)."""
        self.add(window, extra)

    def add(self, window: _Window, extra: int) -> None:
        """Count ``extra`` units, filling the window at most to its limit."""
        with self._lock:
            counter, left = self._counter(window, self._clock())
            weighted = counter[1] * left + counter[2]
            counter[2] += max(0, min(extra, int(window.amount - weighted)))


def _wait(expiry: int, previous: float, current: float, left: float, room: int) -> float:
    """Seconds until ``previous × left' + current`` (rolling on) drops below ``room``."""
    remaining = left * expiry
    if current < room:  # the previous window's weight fades out during this one
        wait = remaining - (room - current) * expiry / previous
    else:  # only once this window became the previous one and faded enough
        wait = remaining + expiry * (1 - room / current)
    return max(0.001, wait + 0.001)


class _SharedWindows:
    """Windows kept by the ``limits`` library in a shared storage (e.g. Redis)."""

    def __init__(self, storage_uri: str) -> None:
        from limits import RateLimitItemPerHour, RateLimitItemPerMinute
        from limits.storage import storage_from_string
        from limits.strategies import MovingWindowRateLimiter, SlidingWindowCounterRateLimiter

        storage = storage_from_string(storage_uri)
        self._tokens = SlidingWindowCounterRateLimiter(storage)
        self._requests = MovingWindowRateLimiter(storage)
        self._kinds: dict[str, Any] = {"minute": RateLimitItemPerMinute, "hour": RateLimitItemPerHour}
        self._items: dict[_Window, Any] = {}

    def _item(self, window: _Window) -> Any:
        item = self._items.get(window)
        if item is None:
            item = self._items[window] = self._kinds[window.period](window.amount)
        return item

    def _limiter(self, window: _Window) -> Any:
        return self._requests if window.tokens is None else self._tokens

    def try_hits(self, hits: Sequence[tuple[_Window, int]]) -> float:
        for window, cost in hits:
            limiter = self._limiter(window)
            if not limiter.test(self._item(window), window.ident, cost=cost):
                stats = limiter.get_window_stats(self._item(window), window.ident)
                return max(0.001, float(stats.reset_time) - time.time())
        for window, cost in hits:
            self._limiter(window).hit(self._item(window), window.ident, cost=cost)
        return 0.0

    def add(self, window: _Window, extra: int) -> None:
        self._limiter(window).hit(self._item(window), window.ident, cost=min(extra, window.amount))

    async def atry_hits(self, hits: Sequence[tuple[_Window, int]]) -> float:
        """``try_hits`` on a worker thread: a slow or paused storage must not stall the event loop."""
        return await asyncio.to_thread(self.try_hits, hits)

    async def aadd(self, window: _Window, extra: int) -> None:
        """``add`` on a worker thread."""
        await asyncio.to_thread(self.add, window, extra)


class Limiter:
    """Enforces ``RateLimit`` rules; sync and async callers share the same counters."""

    def __init__(
        self,
        rules: Sequence[RateLimit],
        *,
        storage_uri: str = "memory://",
        max_wait_s: float = 60.0,
        fail_fast: bool = False,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.rules = list(rules)
        self.max_wait_s = max_wait_s
        self.fail_fast = fail_fast
        self.storage_uri = storage_uri
        for rule in self.rules:
            for name in ("requests_per_minute", "requests_per_hour", "tokens_per_minute", "tokens_per_hour"):
                value = getattr(rule, name)
                if value is not None and value <= 0:
                    raise InvalidConfigError(f"RateLimit {name} must be > 0, got {value}")
        self._windows: _MemoryWindows | _SharedWindows = (
            _MemoryWindows(clock) if storage_uri.startswith("memory://") else _SharedWindows(storage_uri)
        )
        self._slots = {r.scope: _Slots(r.max_concurrency) for r in self.rules if r.max_concurrency}
        self._plans: dict[tuple[Any, ...], _Plan] = {}
        self._scoped = any(r.scoped for r in self.rules)
        self._interned: dict[tuple[int, str, str], _Window] = {}

    def _window(self, amount: int, period: str, ident: str, tokens: RateLimit | None) -> _Window:
        """The one window object of a counter (same amount, period and identifier: same counter)."""
        window = self._interned.get((amount, period, ident))
        if window is None:
            window = self._interned[(amount, period, ident)] = _Window(amount, period, ident, tokens)
        return window

    def _plan_for(self, provider: str, model: str, scope: CallScope | None = None) -> _Plan:
        """Windows and slots that apply to a provider/model (and, for scoped rules, the call's scope; cached)."""
        key: tuple[Any, ...] = (provider, model, scope) if self._scoped and scope is not None else (provider, model)
        plan = self._plans.get(key)
        if plan is None:
            if len(self._plans) > 4096:  # one plan per user/tag seen: keep the cache bounded
                self._plans.clear()
            plan = _Plan([], [], [])
            for rule, ident, slot in self._applicable(provider, model, scope):
                if rule.requests_per_minute:
                    plan.windows.append(self._window(rule.requests_per_minute, "minute", ident + ":req", None))
                if rule.requests_per_hour:
                    plan.windows.append(self._window(rule.requests_per_hour, "hour", ident + ":req", None))
                if rule.tokens_per_minute:
                    plan.windows.append(self._window(rule.tokens_per_minute, "minute", ident + ":tok", rule))
                if rule.tokens_per_hour:
                    plan.windows.append(self._window(rule.tokens_per_hour, "hour", ident + ":tok", rule))
                if rule.max_concurrency:
                    plan.slots.append(self._slots.setdefault(slot, _Slots(rule.max_concurrency)))
            plan.token_windows = [w for w in plan.windows if w.tokens is not None]
            self._plans[key] = plan
        return plan

    def _applicable(
        self, provider: str, model: str, scope: CallScope | None
    ) -> list[tuple[RateLimit, str, str]]:
        """(rule, counter id, slot key) of every rule that applies; a scoped rule once per key of the call."""
        out = []
        for rule in self.rules:
            if not rule.scoped:
                if rule.applies(provider, model):
                    out.append((rule, f"polyport:{rule.scope}", rule.scope))
                continue
            for name in rule.selector.keys(scope or CallScope(provider, model)):
                out.append((rule, f"polyport:{rule.scope}:{name}", f"{rule.scope}:{name}"))
        return out

    def _hits(self, plan: _Plan, provider: str, model: str, tokens: int) -> list[tuple[_Window, int]]:
        hits: list[tuple[_Window, int]] = []
        for window in plan.windows:
            if window.tokens is None:
                hits.append((window, 1))
                continue
            if tokens > window.amount:
                raise RateLimitWaitExceededError(
                    f"A call of ~{tokens} tokens can never fit the limit of {window.amount} tokens "
                    f"per {window.period} for {window.tokens.scope}",
                    provider=provider,
                    model=model,
                )
            hits.append((window, max(tokens, 1)))
        return hits

    def _refuse(self, provider: str, model: str, wait: float, waited: float) -> RateLimitWaitExceededError:
        why = (
            "fail_fast is set" if self.fail_fast else f"waited {waited:.2f}s of max_wait_s={self.max_wait_s}"
        )
        return RateLimitWaitExceededError(
            f"Local rate limit reached ({why})", retry_after=round(wait, 3), provider=provider, model=model
        )

    # The twins below differ only in how they wait (and, for a shared storage, in asking it from a
    # worker thread); what applies, what a call costs and when waiting turns into a refusal is here.
    def _begin(
        self, provider: str, model: str, tokens: int, scope: CallScope | None
    ) -> tuple[Grant, list[_Slots], list[tuple[_Window, int]]]:
        """The call's grant (empty), the slots it needs and its hit on every window."""
        plan = self._plan_for(provider, model, scope)
        hits = self._hits(plan, provider, model, tokens) if plan.windows else []
        return Grant([], plan.token_windows, tokens), plan.slots, hits

    def _may_wait(self, provider: str, model: str, wait: float, start: float) -> float:
        """``wait``, when the call may still wait that long; else the refusal."""
        waited = time.monotonic() - start
        if self.fail_fast or waited + wait > self.max_wait_s:
            raise self._refuse(provider, model, wait, waited)
        return wait

    def _slot_refused(self, grant: Grant, provider: str, model: str, start: float) -> RateLimitWaitExceededError:
        self.release(grant)
        return self._refuse(provider, model, 0.0, time.monotonic() - start)

    def acquire(self, provider: str, model: str, tokens: int, scope: CallScope | None = None) -> Grant:
        """Wait (bounded) until every applicable window and a concurrency slot are free."""
        grant, slots, hits = self._begin(provider, model, tokens, scope)
        start = time.monotonic()
        while hits and (wait := self._windows.try_hits(hits)) > 0:
            time.sleep(self._may_wait(provider, model, wait, start))
        for slot in slots:
            left = 0.0 if self.fail_fast else self.max_wait_s - (time.monotonic() - start)
            if not (slot.try_take() or (left > 0 and slot.take(left))):
                raise self._slot_refused(grant, provider, model, start)
            grant.slots.append(slot)
        return grant

    async def aacquire(self, provider: str, model: str, tokens: int, scope: CallScope | None = None) -> Grant:
        """Async twin of ``acquire``: waits with ``asyncio.sleep``; a shared storage is asked off the loop."""
        grant, slots, hits = self._begin(provider, model, tokens, scope)
        start = time.monotonic()
        while hits and (wait := await self._windows.atry_hits(hits)) > 0:
            await asyncio.sleep(self._may_wait(provider, model, wait, start))
        for slot in slots:
            pause = 0.001
            while not slot.try_take():
                if self.fail_fast or time.monotonic() - start + pause > self.max_wait_s:
                    raise self._slot_refused(grant, provider, model, start)
                await asyncio.sleep(pause)
                pause = min(pause * 2, 0.05)
            grant.slots.append(slot)
        return grant

    def release(self, grant: Grant) -> None:
        """Give back concurrency slots (idempotent)."""
        while grant.slots:
            grant.slots.pop().give()

    def settle_tokens(self, grant: Grant, actual_tokens: int) -> None:
        """Count tokens beyond the estimate (a full window simply stays full until it resets)."""
        extra = actual_tokens - grant.estimated_tokens
        if extra > 0:
            for window in grant.token_rules:
                self._windows.add(window, extra)

    async def asettle_tokens(self, grant: Grant, actual_tokens: int) -> None:
        """Async twin of ``settle_tokens`` (a shared storage is asked off the loop)."""
        extra = actual_tokens - grant.estimated_tokens
        if extra > 0:
            for window in grant.token_rules:
                await self._windows.aadd(window, extra)
