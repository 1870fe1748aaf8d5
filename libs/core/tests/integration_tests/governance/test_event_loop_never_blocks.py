"""The async governance path never stalls the event loop, even when the ledger is slow.

A real ledger is made slow the way it is in production: another connection holds the SQLite
write lock (so the ledger's busy wait is real), or Redis is paused (``CLIENT PAUSE``, as during
a failover). While an ``ainvoke`` goes through a real ``Governor`` (limits, a budget with an
alert threshold, the ledger, the outbox), a probe task ticks every 5 ms and records the longest
gap. Any synchronous ledger or limiter I/O on the loop thread shows up as a gap of the whole
wait (~300 ms); the test allows 20 ms.
"""

from __future__ import annotations

import asyncio
import gc
import sqlite3
import threading
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from _faults import FaultServer, faulty
from polyport_core.governance import Budget, BudgetAlert, Governor, Price, RateLimit, StaticPrices
from polyport_core.ledger import Bucket, Ledger, RedisLedger, SQLiteLedger, period_keys

HOLD_S = 0.3
"""How long the ledger stays unavailable to writers (a real wait, well above the allowed stall)."""
MAX_STALL_S = 0.020
TRIES = 3
"""Best of three: a real block recurs on every call, a scheduling hiccup on a busy machine does not."""
TICK_S = 0.005

PRICES = StaticPrices({"acme/fault-1": Price(input=Decimal(0), output=Decimal(1000), provenance="spec")})


def governor(ledger: Ledger, alerts: list[BudgetAlert], *, budget: bool, limits_storage: str = "memory://") -> Governor:
    """Limits, and (with ``budget``) a cap whose alert fires on the second call.

    A call costs $0.002 (2 output tokens at $1000 per million) and holds $0.016 first (16 tokens
    of ``max_tokens``); the alert is due at 6% of $0.05 = $0.003.
    """
    budgets = [Budget(daily_usd=Decimal("0.05"), alert_threshold=0.06)] if budget else []
    return Governor(
        ledger=ledger,
        prices=PRICES,
        budgets=budgets,
        limits=[RateLimit(requests_per_minute=1000, tokens_per_minute=10**6, max_concurrency=4)],
        limits_storage=limits_storage,
        on_alert=alerts.append,
    )


async def max_stall(work: Callable[[], Awaitable[Any]]) -> tuple[float, Any]:
    """Run ``work`` beside a probe task; the longest the loop went without running the probe."""
    loop = asyncio.get_running_loop()
    done = asyncio.Event()
    worst = 0.0

    async def probe() -> None:
        nonlocal worst
        last = loop.time()
        while not done.is_set():
            await asyncio.sleep(TICK_S)
            now = loop.time()
            worst = max(worst, now - last - TICK_S)
            last = now

    gc.disable()  # a garbage collection pass is not I/O: keep it out of the measured window
    ticker = asyncio.create_task(probe())
    await asyncio.sleep(0)  # the probe is running before the work starts
    try:
        result = await work()
    finally:
        done.set()
        await ticker
        gc.enable()
    return worst, result


Slowdown = Callable[[threading.Event], None]
"""Makes the ledger unavailable for a while, on a thread; sets the event once it is."""


def sqlite_write_locked(path: Path, seconds: float) -> Slowdown:
    """Another connection holds the file's write lock for ``seconds`` (a concurrent writer)."""

    def hold(ready: threading.Event) -> None:
        db = sqlite3.connect(path, isolation_level=None)
        db.execute("BEGIN IMMEDIATE")
        ready.set()
        time.sleep(seconds)  # this thread stands in for another process's long transaction
        db.execute("ROLLBACK")
        db.close()

    return hold


def redis_paused(url: str, seconds: float) -> Slowdown:
    """Redis answers no client for ``seconds`` (``CLIENT PAUSE … ALL``)."""

    def pause(ready: threading.Event) -> None:
        import redis

        with redis.Redis.from_url(url) as admin:
            admin.execute_command("CLIENT", "PAUSE", int(seconds * 1000), "ALL")
        ready.set()

    return pause


@contextmanager
def meanwhile(slowdown: Slowdown, after: Callable[[], bool] | None) -> Iterator[None]:
    """``slowdown`` on a thread: in effect before the block starts, or once ``after()`` is true."""
    ready = threading.Event()

    def run() -> None:
        deadline = time.monotonic() + 5
        while after is not None and not after() and time.monotonic() < deadline:
            time.sleep(0.001)
        slowdown(ready)

    thread = threading.Thread(target=run)
    thread.start()
    if after is None:
        ready.wait(5)
    try:
        yield
    finally:
        thread.join()
    assert ready.is_set()


def requests_reached(server: FaultServer, count: int) -> Callable[[], bool]:
    """Whether the server has received ``count`` requests (the call under test is out)."""
    return lambda: len(server.requests) >= count


async def answer_of(model: Any, stream: bool) -> str:
    if not stream:
        return str((await model.ainvoke("hi")).content)
    return "".join([str(chunk.content) async for chunk in model.astream("hi")])


@pytest.mark.parametrize(
    ("backend", "phase", "stream"),
    [
        ("sqlite", "reserve", False),
        ("sqlite", "settle", False),
        ("sqlite", "settle", True),
        ("sqlite", "record-only", False),
        pytest.param("redis", "reserve", False, marks=pytest.mark.redis),
        pytest.param("redis", "settle", False, marks=pytest.mark.redis),
    ],
)
async def test_a_slow_ledger_never_stalls_the_event_loop(
    request: pytest.FixtureRequest, tmp_path: Path, backend: str, phase: str, stream: bool
) -> None:
    """reserve: the ledger is slow when the call starts (the budget's reserve, the shared limits);
    settle: it turns slow once the request reached the server (the settle, the token count, the
    alert); record-only: no budget, only the record. SQLite's write lock is held by another
    connection; Redis (the ledger and the shared rate limits) is paused."""
    if backend == "sqlite":
        ledger: Ledger = SQLiteLedger(tmp_path / "ledger.sqlite3")
        storage, slowdown = "memory://", sqlite_write_locked(tmp_path / "ledger.sqlite3", HOLD_S)
    else:
        url = request.getfixturevalue("redis_server").url
        ledger, storage, slowdown = RedisLedger(url), url, redis_paused(url, HOLD_S)
    alerts: list[BudgetAlert] = []
    with FaultServer(delay_s=0.05 if phase == "settle" else 0.0) as server:
        gov = governor(ledger, alerts, budget=phase != "record-only", limits_storage=storage)
        model = faulty(server.url, call_hooks=gov)
        await model.ainvoke("warm up")  # tokenizer, HTTP client, connections: first-call costs
        assert alerts == []

        stalls: list[float] = []
        for _ in range(TRIES):
            gc.collect()  # now, not inside the measured window (where collection is off)
            after = requests_reached(server, len(server.requests) + 1) if phase == "settle" else None
            started = time.monotonic()
            with meanwhile(slowdown, after):
                stall, text = await max_stall(lambda: answer_of(model, stream))
            assert text.split() == (["w0", "w1", "w2"] if stream else ["hello", "world"])
            assert time.monotonic() - started >= HOLD_S * 0.8, "the call never met the slow ledger: it proves nothing"
            stalls.append(stall)
            if stall < MAX_STALL_S:
                break
    records = ledger.records()
    assert [r.outcome for r in records] == ["ok"] * (1 + len(stalls))
    assert ledger.spent(Bucket("global", period_keys()[0])) == sum(r.cost_nano or 0 for r in records)
    assert [a.budget for a in alerts] == ([] if phase == "record-only" else ["global daily"])
    shown = ", ".join(f"{stall * 1000:.0f} ms" for stall in stalls)
    assert min(stalls) < MAX_STALL_S, f"the event loop stalled on {backend} I/O in every try: {shown}"
    ledger.close()
