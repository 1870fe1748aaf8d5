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

    gc.collect()  # a garbage collection pass is not I/O: keep it out of the measured window
    gc.disable()
    ticker = asyncio.create_task(probe())
    await asyncio.sleep(0)  # the probe is running before the work starts
    try:
        result = await work()
    finally:
        done.set()
        await ticker
        gc.enable()
    return worst, result


@contextmanager
def sqlite_write_locked(path: Path, seconds: float, after: Callable[[], bool] | None = None) -> Iterator[None]:
    """Another connection takes the file's write lock for ``seconds``: at once, or once ``after()`` is true."""
    taken = threading.Event()

    def hold() -> None:
        deadline = time.monotonic() + 5
        while after is not None and not after() and time.monotonic() < deadline:
            time.sleep(0.001)
        db = sqlite3.connect(path, isolation_level=None)
        db.execute("BEGIN IMMEDIATE")
        taken.set()
        time.sleep(seconds)  # this thread stands in for another process's long transaction
        db.execute("ROLLBACK")
        db.close()

    holder = threading.Thread(target=hold)
    holder.start()
    if after is None:
        taken.wait(5)
    try:
        yield
    finally:
        holder.join()
    assert taken.is_set()


async def answer_of(model: Any, stream: bool) -> str:
    if not stream:
        return str((await model.ainvoke("hi")).content)
    return "".join([str(chunk.content) async for chunk in model.astream("hi")])


@pytest.mark.parametrize(
    ("phase", "stream"),
    [("reserve", False), ("settle", False), ("settle", True), ("record-only", False)],
)
async def test_a_write_locked_sqlite_ledger_does_not_stall_the_loop(tmp_path: Path, phase: str, stream: bool) -> None:
    """reserve: the lock is held when the call starts (budget); settle: it is taken once the
    request reached the server (budget: the durable settle and the alert); record-only: no budget."""
    ledger = SQLiteLedger(tmp_path / "ledger.sqlite3")
    with FaultServer(delay_s=0.05 if phase == "settle" else 0.0) as server:
        alerts: list[BudgetAlert] = []
        model = faulty(server.url, call_hooks=governor(ledger, alerts, budget=phase != "record-only"))
        await model.ainvoke("warm up")  # tokenizer, HTTP client, connections: first-call costs
        assert alerts == []

        def request_arrived() -> bool:
            return len(server.requests) >= 2

        started = time.monotonic()
        with sqlite_write_locked(ledger.path, HOLD_S, after=request_arrived if phase == "settle" else None):
            stall, text = await max_stall(lambda: answer_of(model, stream))
        took = time.monotonic() - started
    assert text.split() == (["w0", "w1", "w2"] if stream else ["hello", "world"])
    assert took >= HOLD_S * 0.8, "the call never met the lock: the test proves nothing"
    records = ledger.records()
    assert [r.outcome for r in records] == ["ok", "ok"]
    assert ledger.spent(Bucket("global", period_keys()[0])) == sum(r.cost_nano or 0 for r in records)
    assert [a.budget for a in alerts] == ([] if phase == "record-only" else ["global daily"])
    assert stall < MAX_STALL_S, f"the event loop stalled {stall * 1000:.0f} ms on ledger I/O"
    ledger.close()


@contextmanager
def redis_paused(url: str, seconds: float, after: Callable[[], bool] | None = None) -> Iterator[None]:
    """Redis answers no client for ``seconds`` (``CLIENT PAUSE … ALL``): at once, or once ``after()`` is true."""
    import redis

    admin = redis.Redis.from_url(url)
    paused = threading.Event()

    def pause() -> None:
        deadline = time.monotonic() + 5
        while after is not None and not after() and time.monotonic() < deadline:
            time.sleep(0.001)
        admin.execute_command("CLIENT", "PAUSE", int(seconds * 1000), "ALL")
        paused.set()

    pauser = threading.Thread(target=pause)
    pauser.start()
    if after is None:
        paused.wait(5)
    try:
        yield
    finally:
        pauser.join()
        admin.close()
    assert paused.is_set()


@pytest.mark.redis
@pytest.mark.parametrize("phase", ["reserve", "settle"])
async def test_a_paused_redis_ledger_and_limiter_do_not_stall_the_loop(redis_server: Any, phase: str) -> None:
    """Redis (the ledger and the shared rate limits) answers nobody for 300 ms: before the call, or
    once the request reached the server (the settle, the token count and the alert)."""
    ledger = RedisLedger(redis_server.url)
    with FaultServer(delay_s=0.05 if phase == "settle" else 0.0) as server:
        alerts: list[BudgetAlert] = []
        model = faulty(server.url, call_hooks=governor(ledger, alerts, budget=True, limits_storage=redis_server.url))
        await model.ainvoke("warm up")
        assert alerts == []

        def request_arrived() -> bool:
            return len(server.requests) >= 2

        started = time.monotonic()
        with redis_paused(redis_server.url, HOLD_S, after=request_arrived if phase == "settle" else None):
            stall, text = await max_stall(lambda: answer_of(model, False))
        took = time.monotonic() - started
    assert text.split() == ["hello", "world"]
    assert took >= HOLD_S * 0.8, "the call never met the pause: the test proves nothing"
    assert [r.outcome for r in ledger.records()] == ["ok", "ok"]
    assert [a.budget for a in alerts] == ["global daily"]
    assert stall < MAX_STALL_S, f"the event loop stalled {stall * 1000:.0f} ms on Redis I/O"
    ledger.close()
