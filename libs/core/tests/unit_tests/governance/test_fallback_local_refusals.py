"""A refusal made locally (declared facts, budget, local rate limit) moves on to the next model but
never counts against the refused provider's circuit breaker: nothing was sent, so nothing is known
about its health."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from langchain_core.tools import tool
from polyport_core.errors import BudgetExceededError, RequestValidationError
from polyport_core.governance import Budget, Governor, Price, StaticPrices
from polyport_core.ledger import SQLiteLedger
from polyport_core.routing import FallbackChatModel


@tool
def lookup(city: str) -> str:
    """Look a city up."""
    return city


def test_a_model_declared_without_tools_hands_a_tool_call_to_the_next(scripted_chat) -> None:
    ScriptedChat = scripted_chat
    no_tools = ScriptedChat(model="m", provider="plain", profile={"tool_calling": False}, facts_source="plain.json")
    capable = ScriptedChat(model="m", provider="capable", profile={"tool_calling": True})
    router = FallbackChatModel(models=[no_tools, capable], failure_threshold=1)
    for _ in range(3):  # a breaker that counted refusals would open after the first
        answer = router.bind_tools([lookup]).invoke("where?")
        route = answer.response_metadata["fallback"]
        assert route["used"] == "capable:m"
        assert [s["error"] for s in route["failed"]] == [RequestValidationError.kind]
        assert route["failed"][0]["cooldown_started"] is False
    assert router.invoke("no tools needed").response_metadata["fallback"]["used"] == "plain:m"


def test_a_budget_refusal_falls_back_without_opening_the_breaker(tmp_path: Path, scripted_chat) -> None:
    ScriptedChat = scripted_chat
    price = Price(input=Decimal(1000), output=Decimal(1000), provenance="spec")
    broke = Governor(
        ledger=SQLiteLedger(tmp_path / "l.sqlite3"),
        prices=StaticPrices({"broke/m": price}),
        budgets=[Budget(daily_usd="0.000001", provider="broke")],
    )
    first = ScriptedChat(model="m", provider="broke", call_hooks=broke, max_tokens=5)
    second = ScriptedChat(model="m", provider="spare", max_tokens=5)
    router = FallbackChatModel(models=[first, second], failure_threshold=1)
    for _ in range(2):
        route = router.invoke("hi").response_metadata["fallback"]
        assert route["used"] == "spare:m"
        assert route["failed"][0]["error"] == BudgetExceededError.kind
    assert router._breaker.available(0)


def test_a_provider_failure_still_opens_the_breaker(scripted_chat) -> None:
    ScriptedChat = scripted_chat
    from polyport_core.errors import ProviderUnavailableError

    down = ScriptedChat(model="m", provider="down", script=[ProviderUnavailableError("503")])
    router = FallbackChatModel(models=[down, ScriptedChat(model="m", provider="up")], failure_threshold=1)
    route = router.invoke("hi").response_metadata["fallback"]
    assert route["failed"][0]["cooldown_started"] is True
    assert not router._breaker.available(0)


@pytest.mark.parametrize("error", [RequestValidationError, BudgetExceededError])
def test_local_refusals_are_in_the_default_fallback_set(error: type[BaseException]) -> None:
    from polyport_core.routing._fallback import DEFAULT_FALLBACK_ON, LOCAL_REFUSALS

    assert issubclass(error, DEFAULT_FALLBACK_ON)
    assert issubclass(error, LOCAL_REFUSALS)
