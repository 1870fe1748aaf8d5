"""Concurrency proofs: a budget that fits exactly 10 calls lets exactly 10 through."""

from __future__ import annotations

import asyncio
import multiprocessing
import sys
import threading
from pathlib import Path

import pytest
from _loopback import LoopbackServer
from _workers import WORST, governed_model, make_ledger, run_worker
from polyport_core.errors import BudgetExceededError, LedgerUnavailableError
from polyport_core.ledger import Bucket, period_keys

sys.path.insert(0, str(Path(__file__).parent))  # spawned workers import _workers by name
CAP = WORST * 10
CAP_NANO = int(CAP * 1_000_000_000)


def check_ledger(ledger) -> None:
    day, _ = period_keys()
    records = ledger.records()
    spent = ledger.spent(Bucket("global", day))
    assert sum(r.outcome == "ok" for r in records) == 10
    assert spent <= CAP_NANO
    assert spent == sum(r.cost_nano or 0 for r in records)
    assert ledger.reserved(Bucket("global", day)) == 0


def test_redis_100_async_and_20_threads_exactly_10(redis_server):
    ledger = make_ledger("redis", redis_server.url)
    with LoopbackServer() as server:
        model = governed_model(ledger, server.url, CAP)
        allowed: list[bool] = []

        def worker() -> None:
            try:
                model.invoke("hi")
                allowed.append(True)
            except BudgetExceededError:
                allowed.append(False)

        async def one() -> bool:
            try:
                await model.ainvoke("hi")
                return True
            except BudgetExceededError:
                return False

        async def main() -> list[bool]:
            threads = [threading.Thread(target=worker) for _ in range(20)]
            for t in threads:
                t.start()
            results = await asyncio.gather(*(one() for _ in range(100)))
            for t in threads:
                t.join()
            return list(results)

        allowed.extend(asyncio.run(main()))
    assert len(allowed) == 120
    assert sum(allowed) == 10
    check_ledger(ledger)


@pytest.mark.parametrize("kind", ["sqlite", "redis"])
def test_four_processes_share_one_budget(kind, tmp_path, request):
    if kind == "redis":
        server = request.getfixturevalue("redis_server")
        where = server.url
    else:
        where = str(tmp_path / "shared.sqlite3")
    make_ledger(kind, where)  # create the schema once before the race
    with LoopbackServer() as http:
        ctx = multiprocessing.get_context("spawn")
        with ctx.Pool(4) as pool:
            counts = pool.starmap(run_worker, [(kind, where, http.url, str(CAP), 30)] * 4)
    assert sum(counts) == 10, counts
    check_ledger(make_ledger(kind, where))


def test_killing_redis_gives_a_clear_error_and_loses_no_settled_record(redis_server):
    ledger = make_ledger("redis", redis_server.url)
    with LoopbackServer() as http:
        model = governed_model(ledger, http.url, WORST * 1000)
        for _ in range(5):
            model.invoke("hi")
        redis_server.kill()
        with pytest.raises(LedgerUnavailableError, match="unreachable"):
            model.invoke("hi")
        redis_server.start()  # same port, same dir: replays the append-only file
        for _ in range(3):
            model.invoke("hi")
    records = ledger.records()
    assert len(records) == 8
    day, _ = period_keys()
    assert ledger.spent(Bucket("global", day)) == sum(r.cost_nano or 0 for r in records)


def test_settle_during_outage_is_kept_and_flushed(redis_server):
    """The call got through, then Redis died before settle: the record is written after restart."""
    ledger = make_ledger("redis", redis_server.url)
    with LoopbackServer() as http:
        model = governed_model(ledger, http.url, WORST * 1000)
        gov = model.call_hooks
        object.__setattr__(model, "after_send", redis_server.kill)
        model.invoke("hi")  # succeeds; the settle fails and is kept
        assert gov.pending_settlements == 1
        object.__setattr__(model, "after_send", None)
        redis_server.start()
        model.invoke("hi")
        assert gov.pending_settlements == 0
    assert len(ledger.records()) == 2
