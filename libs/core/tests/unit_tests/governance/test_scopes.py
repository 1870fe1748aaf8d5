"""Budgets and rate limits per user, tag and profile: the scope comes from LangChain's run config."""

from __future__ import annotations

import json
import sqlite3
from decimal import Decimal

import pytest
from polyport_core.errors import BudgetExceededError, InvalidConfigError, RateLimitWaitExceededError
from polyport_core.governance import Budget, Governor, RateLimit
from polyport_core.governance._policy import load_policy
from polyport_core.governance._scopes import CallScope, Selector, call_scope
from polyport_core.governance._spec import budgets_from_spec, limits_from_spec
from polyport_core.ledger import Bucket, SQLiteLedger, period_keys

THREE_CALLS = Decimal("0.015000003")  # each call: worst case $0.005000001, actual $0.005 (5 output tokens)


def as_user(user: str, *tags: str) -> dict[str, object]:
    return {"metadata": {"user_id": user}, "tags": list(tags)}


def test_run_config_metadata_and_tags_become_the_call_scope():
    scope = call_scope("p", "m", ["team:search", "team:search", "x"], {"user_id": "u1", "profile": "work"})
    assert scope == CallScope("p", "m", "u1", ("team:search", "x"), "work")


def test_selector_keys_each_value_its_own_counter():
    scope = CallScope("p", "m", "u1", ("a", "b"), None)
    assert list(Selector(user="*").keys(scope)) == ["user:u1"]
    assert list(Selector(provider="p", tag="*").keys(scope)) == ["provider:p|tag:a", "provider:p|tag:b"]
    assert list(Selector(tag="c").keys(scope)) == []
    assert list(Selector(profile="*").keys(scope)) == []  # no profile on the call: a per-profile rule skips it
    assert list(Selector(provider="p", model="m").keys(scope)) == ["model:p/m"]  # the scope names stay as before


def test_per_user_budget_caps_each_user_separately(ledger, prices, make_model):
    model = make_model(Governor(ledger=ledger, prices=prices, budgets=[Budget(daily_usd=THREE_CALLS, user="*")]))
    for _ in range(3):
        model.invoke("hi", config=as_user("alice"))
    with pytest.raises(BudgetExceededError, match="user:alice daily"):
        model.invoke("hi", config=as_user("alice"))
    model.invoke("hi", config=as_user("bob"))  # bob has his own cap
    model.invoke("hi")  # no user: a per-user budget has nobody to charge
    day, _ = period_keys()
    assert ledger.spent(Bucket("user:alice", day)) == 15_000_000
    assert ledger.spent(Bucket("user:bob", day)) == 5_000_000


def test_with_config_carries_the_scope_and_records_keep_it(ledger, prices, make_model):
    gov = Governor(ledger=ledger, prices=prices, budgets=[Budget(daily_usd=THREE_CALLS, tag="team:search")])
    model = make_model(gov).with_config(metadata={"user_id": "carol"}, tags=["team:search"])
    for _ in range(3):
        model.invoke("hi")
    with pytest.raises(BudgetExceededError, match="tag:team:search daily"):
        model.invoke("hi")
    records = ledger.records()
    assert [(r.user, r.tags) for r in records] == [("carol", ("team:search",))] * 3


def test_stream_and_async_paths_carry_the_scope(ledger, prices, make_model):
    import asyncio

    model = make_model(Governor(ledger=ledger, prices=prices, budgets=[Budget(daily_usd=THREE_CALLS, user="*")]))
    list(model.stream("hi", config=as_user("dan")))
    asyncio.run(model.ainvoke("hi", config=as_user("dan")))
    asyncio.run(_drain(model.astream("hi", config=as_user("dan"))))
    with pytest.raises(BudgetExceededError):
        model.invoke("hi", config=as_user("dan"))
    assert {r.user for r in ledger.records()} == {"dan"}


async def _drain(stream):
    async for _ in stream:
        pass


def test_per_user_rate_limit_refuses_only_that_user(ledger, prices, make_model):
    gov = Governor(ledger=ledger, prices=prices, limits=[RateLimit(requests_per_minute=2, user="*")], fail_fast=True)
    model = make_model(gov)
    model.invoke("hi", config=as_user("erin"))
    model.invoke("hi", config=as_user("erin"))
    with pytest.raises(RateLimitWaitExceededError):
        model.invoke("hi", config=as_user("erin"))
    model.invoke("hi", config=as_user("frank"))


def test_provider_file_budget_and_limits_take_a_scope():
    spec = {"id": "acme", "budget": {"daily_usd": 1, "scope": "user"},
            "limits": {"requests_per_minute": 5, "scope": "tag:team:search"}}  # fmt: skip
    (budget,) = budgets_from_spec(spec)
    assert (budget.provider, budget.user, budget.scope) == ("acme", "*", "provider:acme user:*")
    (limit,) = limits_from_spec(spec)
    assert (limit.provider, limit.tag) == ("acme", "team:search")
    with pytest.raises(InvalidConfigError, match=r"provider 'acme' budget.scope: scope 'team'"):
        budgets_from_spec({"id": "acme", "budget": {"daily_usd": 1, "scope": "team"}})


def test_policy_file_rules_and_errors_name_file_and_field(tmp_path):
    path = tmp_path / "policy.json"
    path.write_text(json.dumps({"budgets": [{"scope": "user", "daily_usd": 0.5}, {"scope": "tag:ops", "provider": "a",
                                                                                 "monthly_usd": 9}],
                                "limits": [{"scope": "profile", "requests_per_minute": 3}]}))  # fmt: skip
    policy = load_policy(path)
    assert [b.scope for b in policy.budgets_for("a")] == ["user:*", "provider:a|tag:ops"]
    assert [b.scope for b in policy.budgets_for("b")] == ["user:*"]
    assert policy.limits_for("b")[0].profile == "*"
    path.write_text(json.dumps({"budgets": [{"scope": "user", "daily_usd": -1}]}))
    with pytest.raises(InvalidConfigError, match=r"policy.json: field budgets.0.daily_usd"):
        load_policy(path)


def test_policy_from_env_reaches_models_built_by_the_registry(tmp_path, monkeypatch):
    from polyport_core.registry._governance import default_hooks

    path = tmp_path / "policy.json"
    path.write_text(json.dumps({"budgets": [{"scope": "user", "daily_usd": 0.5}]}))
    monkeypatch.setenv("POLYPORT_POLICY", str(path))
    monkeypatch.setenv("POLYPORT_LEDGER", f"sqlite:///{tmp_path / 'l.sqlite3'}")

    class _Registry:
        def __init__(self) -> None:
            self.governors: dict[str, object] = {}

    from polyport_core.spec import ProviderSpec

    spec = ProviderSpec.model_validate({"id": "acme", "engine": "openai", "base_url": "http://127.0.0.1:1/v1",
                                        "auth": {"type": "none"}, "budget": {"daily_usd": 2}})  # fmt: skip
    gov = default_hooks(spec, _Registry())  # type: ignore[arg-type]
    assert [b.scope for b in gov.budgets] == ["provider:acme", "user:*"]


def test_a_ledger_file_from_before_scopes_is_migrated(tmp_path):
    path = tmp_path / "old.sqlite3"
    db = sqlite3.connect(path)
    db.executescript(
        """CREATE TABLE records (id TEXT PRIMARY KEY, ts REAL NOT NULL, provider TEXT NOT NULL, model TEXT NOT NULL,
        input_tokens INTEGER NOT NULL, output_tokens INTEGER NOT NULL, cache_read_tokens INTEGER NOT NULL,
        cache_write_tokens INTEGER NOT NULL, cost_nano INTEGER, price_provenance TEXT NOT NULL,
        latency_s REAL NOT NULL, outcome TEXT NOT NULL, usage_estimated INTEGER NOT NULL);
        INSERT INTO records VALUES ('old1', 1.0, 'p', 'm', 1, 2, 0, 0, 5, 'spec', 0.1, 'ok', 0);"""
    )
    db.commit()
    db.close()
    ledger = SQLiteLedger(path)
    from polyport_core.ledger import UsageRecord

    ledger.settle(UsageRecord(id="new1", provider="p", model="m", ts=2.0, user="u", tags=("t",)), [], [])
    got = [(r.id, r.user, r.tags) for r in ledger.records()]
    assert got == [("old1", None, ()), ("new1", "u", ("t",))]
    ledger.close()
