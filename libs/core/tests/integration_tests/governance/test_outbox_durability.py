"""No usage record lost: real Redis killed and restarted, real SQLite locked by another process.

The model is a real ``AdapterChatModel`` over the core HTTP transport, talking to a
loopback OpenAI-format server (``_faults.FaultServer``); the governor, the ledger and
the outbox are the real ones. "Restart the process" is a fresh Python process that
opens the same ledger and outbox.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
import threading
import time
from decimal import Decimal
from pathlib import Path

import pytest
from _faults import FaultServer, faulty
from polyport_core.errors import LedgerUnavailableError
from polyport_core.governance import Budget, Governor, Price, StaticPrices
from polyport_core.ledger import Bucket, RedisLedger, SQLiteLedger, period_keys

PRICES = StaticPrices({"acme/fault-1": Price(input=Decimal(1), output=Decimal(2), provenance="spec")})
"""$1 / $2 per million tokens: every record has a known, non-zero cost."""


def run_calls(model, n_threads: int, until: threading.Event) -> tuple[list[str], list[BaseException]]:
    """Call ``model`` from ``n_threads`` threads until ``until`` is set; (ledger ids of successes, errors)."""
    ok: list[str] = []
    errors: list[BaseException] = []

    def worker() -> None:
        while not until.is_set():
            try:
                ok.append(model.invoke("hi").response_metadata["ledger_id"])
            except Exception as error:
                errors.append(error)

    threads = [threading.Thread(target=worker) for _ in range(n_threads)]
    for t in threads:
        t.start()
    return ok, errors


def wait_for(predicate, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


REPLAY = textwrap.dedent(
    """
    import sys
    from polyport_core.governance import Governor
    from polyport_core.ledger import RedisLedger, SQLiteLedger
    kind, where, outbox = sys.argv[1:4]
    ledger = RedisLedger(where) if kind == "redis" else SQLiteLedger(where)
    gov = Governor(ledger=ledger, outbox=outbox)
    while gov.flush_outbox():
        pass
    print(gov.pending_settlements)
    """
)


def replay_in_new_process(kind: str, where: str, outbox: Path) -> int:
    """A new process with new Governor/ledger objects on the same outbox; its pending count after replay."""
    done = subprocess.run(
        [sys.executable, "-c", REPLAY, kind, where, str(outbox)], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    return int(done.stdout.strip())


def test_redis_killed_mid_run_then_a_new_process_replays_every_record(redis_server, tmp_path):
    outbox = tmp_path / "outbox.sqlite3"
    with FaultServer(delay_s=0.02) as server:  # 20 ms per answer: calls are in flight at the kill
        gov = Governor(ledger=RedisLedger(redis_server.url), prices=PRICES, outbox=outbox)
        model = faulty(server.url, call_hooks=gov)
        stop = threading.Event()
        ok, errors = run_calls(model, 4, stop)
        wait_for(lambda: len(ok) >= 20)
        redis_server.kill()
        killed_at = len(ok)
        wait_for(lambda: len(ok) >= killed_at + 20)  # calls without a budget keep working during the outage
        stop.set()
        time.sleep(0.3)
    assert errors == []
    kept = gov.pending_settlements
    assert kept >= 20  # every call after the kill (and those in flight) is in the outbox
    redis_server.start()  # same port and dir: the AOF brings back what was settled before the kill
    assert replay_in_new_process("redis", redis_server.url, outbox) == 0

    ledger = RedisLedger(redis_server.url)
    records = ledger.records()
    assert sorted(r.id for r in records) == sorted(ok)  # records == successful calls, none twice
    day, _ = period_keys()
    assert ledger.spent(Bucket("global", day)) == sum(r.cost_nano or 0 for r in records) > 0


def test_sqlite_locked_by_another_process_loses_no_record(tmp_path):
    path = tmp_path / "ledger.sqlite3"
    outbox = tmp_path / "outbox.sqlite3"
    ledger = SQLiteLedger(path, busy_timeout_s=0.05)
    gov = Governor(ledger=ledger, prices=PRICES, outbox=outbox)
    lock = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(
            f"""
            import sqlite3, sys, time
            db = sqlite3.connect({str(path)!r}, isolation_level=None)
            db.execute("BEGIN EXCLUSIVE")
            print("locked", flush=True)
            time.sleep(2.0)
            db.execute("COMMIT")
            """
        )],
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    with FaultServer(delay_s=0.01) as server:
        model = faulty(server.url, call_hooks=gov)
        assert lock.stdout is not None
        assert lock.stdout.readline().strip() == "locked"
        stop = threading.Event()
        ok, errors = run_calls(model, 2, stop)
        wait_for(lambda: gov.pending_settlements >= 5)  # the lock refused settles: they went to the outbox
        assert lock.wait(timeout=10) == 0
        during = len(ok)
        wait_for(lambda: len(ok) >= during + 10)  # the ledger is back: new settles and replays go through
        stop.set()
        time.sleep(0.2)
    assert errors == []
    gov.flush_outbox()
    assert gov.pending_settlements == 0
    assert sorted(r.id for r in ledger.records()) == sorted(ok)


def test_budgeted_calls_refuse_while_down_and_held_records_release_on_replay(redis_server, tmp_path):
    """A budgeted call reserved, got its answer, then Redis died before the settle."""
    outbox = tmp_path / "outbox.sqlite3"
    budget = Budget(daily_usd=Decimal("1"))
    gov = Governor(ledger=RedisLedger(redis_server.url), prices=PRICES, budgets=[budget], outbox=outbox)
    day, _ = period_keys()
    with FaultServer() as server:
        model = faulty(server.url, call_hooks=gov)
        original = model.adapter.chat

        def answer_then_kill(payload):
            out = original(payload)
            redis_server.kill()
            return out

        model.adapter.chat = answer_then_kill  # type: ignore[method-assign]
        answered = model.invoke("hi")  # succeeds; its settle (and hold release) goes to the outbox
        model.adapter.chat = original  # type: ignore[method-assign]
        assert gov.pending_settlements == 1
        with pytest.raises(LedgerUnavailableError, match=r"redis://127\.0\.0\.1"):
            model.invoke("hi")  # a budget needs the ledger to reserve: refused, nothing sent
        assert len(server.requests) == 1
    redis_server.start()
    ledger = RedisLedger(redis_server.url)
    assert ledger.reserved(Bucket("global", day)) > 0  # the hold survived the restart (AOF)
    assert replay_in_new_process("redis", redis_server.url, outbox) == 0
    assert ledger.reserved(Bucket("global", day)) == 0
    [record] = ledger.records()
    assert record.id == answered.response_metadata["ledger_id"]
    assert ledger.spent(Bucket("global", day)) == record.cost_nano > 0


def test_replay_is_idempotent_when_a_process_crashed_after_the_ledger_took_it(redis_server, tmp_path):
    """Outbox row still there although the ledger has the record: replay must not count it twice."""
    from polyport_core.ledger import UsageRecord
    from polyport_core.ledger._outbox import Outbox, ledger_identity

    ledger = RedisLedger(redis_server.url)
    day, _ = period_keys()
    record = UsageRecord(id="r1", provider="acme", model="fault-1", output_tokens=3, cost_nano=6000)
    spend = [Bucket("global", day)]
    ledger.settle(record, [], spend)
    box = Outbox(tmp_path / "outbox.sqlite3")
    box.add(ledger_identity(ledger), record, [], spend)
    gov = Governor(ledger=ledger, outbox=box)
    assert gov.pending_settlements == 1
    assert gov.flush_outbox() == 1
    assert gov.pending_settlements == 0
    assert [r.id for r in ledger.records()] == ["r1"]
    assert ledger.spent(Bucket("global", day)) == 6000


def test_an_outbox_row_replays_only_into_its_own_ledger(tmp_path):
    from polyport_core.ledger import UsageRecord

    outbox = tmp_path / "outbox.sqlite3"
    first, second = SQLiteLedger(tmp_path / "a.sqlite3"), SQLiteLedger(tmp_path / "b.sqlite3")
    Governor(ledger=first, outbox=outbox).settlement.outbox.add(
        first.identity, UsageRecord(id="only-a", provider="p", model="m"), [], []
    )
    assert Governor(ledger=second, outbox=outbox).flush_outbox() == 0
    assert second.records() == []
    assert Governor(ledger=first, outbox=outbox).flush_outbox() == 1
    assert [r.id for r in first.records()] == ["only-a"]
