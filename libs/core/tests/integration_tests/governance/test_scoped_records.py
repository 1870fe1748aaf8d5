"""Both ledgers keep a record's user, tags and profile (real SQLite file, real Redis)."""

from __future__ import annotations

from polyport_core.ledger import UsageRecord


def test_user_tags_and_profile_round_trip(any_ledger):
    record = UsageRecord(id="r1", provider="p", model="m", cost_nano=7, user="u1", tags=("team:a", "x"),
                         profile="work")  # fmt: skip
    assert any_ledger.settle(record, [], []) is True
    plain = UsageRecord(id="r2", provider="p", model="m", cost_nano=1)
    any_ledger.settle(plain, [], [])
    got = {r.id: (r.user, r.tags, r.profile) for r in any_ledger.records()}
    assert got == {"r1": ("u1", ("team:a", "x"), "work"), "r2": (None, (), None)}
