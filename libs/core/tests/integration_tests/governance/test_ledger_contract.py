"""One suite, both backends: the Ledger protocol's guarantees."""

from __future__ import annotations

import asyncio
import time

from polyport_core.ledger import Bucket, Cap, RedisLedger, SQLiteLedger, UsageRecord

DAY = Bucket("global", "day:2030-01-01")
MONTH = Bucket("global", "month:2030-01")


def cap(bucket: Bucket, limit: int) -> Cap:
    return Cap(bucket, limit, f"{bucket.scope} {bucket.period}")


def record(rid: str, cost: int | None, ts: float | None = None) -> UsageRecord:
    return UsageRecord(id=rid, provider="p", model="m", ts=ts or time.time(), input_tokens=3, cost_nano=cost)


def test_reserve_holds_and_refuses_past_the_cap(any_ledger):
    caps = [cap(DAY, 100), cap(MONTH, 1000)]
    assert any_ledger.reserve("a", 60, caps, 60) is None
    assert any_ledger.reserved(DAY) == 60
    check = any_ledger.reserve("b", 50, caps, 60)
    assert check is not None
    assert check.cap.bucket == DAY
    assert check.reserved_nano == 60
    assert check.spent_nano == 0
    assert any_ledger.reserved(MONTH) == 60  # all or nothing: b held nothing


def test_settle_moves_hold_to_spend_once(any_ledger):
    caps = [cap(DAY, 100)]
    any_ledger.reserve("a", 60, caps, 60)
    assert any_ledger.settle(record("a", 40), [DAY], [DAY, MONTH]) is True
    assert any_ledger.settle(record("a", 40), [DAY], [DAY, MONTH]) is False  # idempotent
    assert any_ledger.reserved(DAY) == 0
    assert any_ledger.spent(DAY) == 40
    assert any_ledger.spent(MONTH) == 40
    assert any_ledger.reserve("b", 60, caps, 60) is None
    assert any_ledger.reserve("c", 1, caps, 60) is not None


def test_release_frees_the_hold(any_ledger):
    caps = [cap(DAY, 100)]
    any_ledger.reserve("a", 100, caps, 60)
    assert any_ledger.reserve("c", 100, caps, 60) is not None  # a's live hold blocks c
    any_ledger.release("a", [DAY])
    assert any_ledger.reserved(DAY) == 0
    assert any_ledger.reserve("c", 100, caps, 60) is None


def test_an_expired_hold_frees_its_amount_on_sqlite(tmp_path):
    now = [1_900_000_000.0]  # the ledger's injected clock: stepped, never slept
    ledger = SQLiteLedger(tmp_path / "ledger.sqlite3", clock=lambda: now[0])
    caps = [cap(DAY, 100)]
    assert ledger.reserve("b", 100, caps, 30) is None
    now[0] += 29.9
    assert ledger.reserved(DAY) == 100
    assert ledger.reserve("c", 100, caps, 60) is not None
    now[0] += 0.1
    assert ledger.reserved(DAY) == 0
    assert ledger.reserve("c", 100, caps, 60) is None
    ledger.close()


def test_an_expired_hold_frees_its_amount_on_redis(redis_server):
    """Redis times holds on its own clock (``TIME``, so workers with skewed clocks agree): this
    waits for the server to see a 50 ms hold expire, with a deadline instead of a margin."""
    ledger = RedisLedger(redis_server.url)
    caps = [cap(DAY, 100)]
    assert ledger.reserve("b", 100, caps, 0.05) is None
    deadline = time.monotonic() + 10
    while ledger.reserve("c", 100, caps, 60) is not None:
        assert time.monotonic() < deadline, "a 50 ms hold still blocks after 10 s"
        time.sleep(0.02)
    assert ledger.reserved(DAY) == 100  # c's hold alone
    ledger.close()


def test_records_round_trip_in_time_order(any_ledger):
    t0 = time.time()
    any_ledger.settle(record("r1", 5, t0), [], [DAY])
    any_ledger.settle(record("r2", None, t0 + 0.01), [], [DAY])
    got = any_ledger.records()
    assert [r.id for r in got] == ["r1", "r2"]
    assert got[0].input_tokens == 3
    assert got[0].cost_nano == 5
    assert got[1].cost_nano is None
    assert [r.id for r in any_ledger.records(since=t0 + 0.005)] == ["r2"]
    assert any_ledger.spent(DAY) == 5


def test_alert_marked_once(any_ledger):
    assert any_ledger.mark_alert(DAY) is True
    assert any_ledger.mark_alert(DAY) is False
    assert any_ledger.mark_alert(MONTH) is True


def test_async_reserve_is_atomic_under_concurrency(any_ledger):
    caps = [cap(DAY, 10 * 7)]

    async def main() -> list[object]:
        return list(await asyncio.gather(*(any_ledger.areserve(f"r{i}", 7, caps, 60) for i in range(50))))

    results = asyncio.run(main())
    assert sum(r is None for r in results) == 10
    assert any_ledger.reserved(DAY) == 70
