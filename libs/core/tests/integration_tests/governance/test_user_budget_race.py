"""The per-user budget race: 4 processes × 50 calls for 5 users, each user capped at 3 calls."""

from __future__ import annotations

import multiprocessing
import sys
from collections import Counter
from pathlib import Path

import pytest
from _loopback import LoopbackServer
from _scoped_workers import USERS, run_user_worker
from _workers import WORST, make_ledger
from polyport_core.ledger import Bucket, period_keys

sys.path.insert(0, str(Path(__file__).parent))  # spawned workers import the helpers by name
CAP = WORST * 3
CAP_NANO = int(CAP * 1_000_000_000)


@pytest.mark.parametrize("kind", ["sqlite", "redis"])
def test_four_processes_five_users_three_calls_each(kind, tmp_path, request):
    if kind == "redis":
        where = request.getfixturevalue("redis_server").url
    else:
        where = str(tmp_path / "shared.sqlite3")
    make_ledger(kind, where)  # the schema once, before the race
    with LoopbackServer() as http:
        ctx = multiprocessing.get_context("spawn")
        with ctx.Pool(4) as pool:
            counts = pool.starmap(run_user_worker, [(kind, where, http.url, str(CAP), 50, seed) for seed in range(4)])
    ledger = make_ledger(kind, where)
    records = [r for r in ledger.records() if r.outcome == "ok"]
    per_user = Counter(r.user for r in records)
    assert sum(counts) == len(records) <= 15, counts
    assert set(per_user) <= set(USERS)
    assert max(per_user.values()) <= 3, per_user
    day, _ = period_keys()
    for user in USERS:
        spent = ledger.spent(Bucket(f"user:{user}", day))
        assert spent <= CAP_NANO, (user, spent)
        assert spent == sum(r.cost_nano or 0 for r in records if r.user == user)
        assert ledger.reserved(Bucket(f"user:{user}", day)) == 0
    assert len(records) == 15  # 200 calls for 5 users: every user reaches its cap
