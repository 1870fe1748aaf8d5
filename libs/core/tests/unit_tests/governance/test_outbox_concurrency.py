"""The outbox is written exactly when the ledger is down — often by several threads at once, on a
file that does not exist yet. Every one of those settles must land (real SQLite files, real threads)."""

from __future__ import annotations

import threading
from pathlib import Path

from polyport_core.ledger import SQLiteLedger, UsageRecord
from polyport_core.ledger._outbox import Outbox


def test_writers_and_readers_on_a_fresh_outbox_lose_nothing(tmp_path: Path) -> None:
    """Three threads add while three read the count, on a new file; 100 fresh files. Before the
    WAL switch was serialised, ~5% of such rounds lost a settle to "database is locked"."""
    failures: list[BaseException] = []
    for round_ in range(100):
        outbox = Outbox(tmp_path / f"outbox-{round_}.sqlite3")
        start = threading.Barrier(6)

        def add(i: int, outbox: Outbox = outbox, start: threading.Barrier = start) -> None:
            start.wait()
            try:
                for j in range(3):
                    outbox.add("sqlite:/l", UsageRecord(id=f"r{i}-{j}", provider="p", model="m"), [], [])
            except Exception as error:  # the assertion below names it
                failures.append(error)

        def read(outbox: Outbox = outbox, start: threading.Barrier = start) -> None:
            start.wait()
            try:
                for _ in range(20):
                    outbox.count("sqlite:/l")
            except Exception as error:
                failures.append(error)

        workers = [threading.Thread(target=add, args=(i,)) for i in range(3)]
        workers += [threading.Thread(target=read) for _ in range(3)]
        for w in workers:
            w.start()
        for w in workers:
            w.join()
        assert failures == [], f"round {round_}"
        assert outbox.count("sqlite:/l") == 9
        outbox.close()


def test_threads_opening_a_fresh_ledger_at_once(tmp_path: Path) -> None:
    ledger = SQLiteLedger(tmp_path / "ledger.sqlite3")
    start, errors = threading.Barrier(8), []

    def settle(i: int) -> None:
        start.wait()
        try:
            ledger.settle(UsageRecord(id=f"s{i}", provider="p", model="m"), [], [])
        except Exception as error:
            errors.append(error)

    workers = [threading.Thread(target=settle, args=(i,)) for i in range(8)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    assert errors == []
    assert len(ledger.records()) == 8


def test_a_settle_neither_ledger_nor_outbox_can_take_is_held_until_one_can(tmp_path: Path, make_model) -> None:
    import sqlite3

    from polyport_core.governance import Governor

    ledger = SQLiteLedger(tmp_path / "ledger.sqlite3", busy_timeout_s=0.05)
    (tmp_path / "not-a-dir").write_text("a file where the outbox's folder should be")
    gov = Governor(ledger=ledger, outbox=tmp_path / "not-a-dir" / "outbox.sqlite3")
    model = make_model(gov)
    lock = sqlite3.connect(tmp_path / "ledger.sqlite3", isolation_level=None)
    lock.execute("BEGIN EXCLUSIVE")  # another writer holds the ledger past its busy timeout
    model.invoke("while the ledger is locked and the outbox cannot be written")
    assert gov.pending_settlements == 1
    lock.execute("COMMIT")
    model.invoke("the ledger is back")
    assert len(ledger.records()) == 2
    assert gov.pending_settlements == 0
