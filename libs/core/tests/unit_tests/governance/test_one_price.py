"""A ``Governor`` prices through the catalog's one lookup (declared → own-provider catalog → unknown).

The vendor is a wire fixture: ``httpx2.MockTransport`` (the transport the openai SDK uses
here; pytest-httpx patches ``httpx`` only) answering with a Chat Completions body in the
format of OpenAI's API reference, so the real SDK and the whole polyport lifecycle run.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx2
import pytest
from polyport_core.errors import BudgetExceededError
from polyport_core.governance import Budget, Governor
from polyport_core.ledger import SQLiteLedger
from polyport_core.registry import Registry, get_registry, reload_registry
from polyport_openai import ChatOpenAI

PROMPT, COMPLETION = 19, 10
BODY: dict[str, Any] = {
    "id": "chatcmpl-abc123",
    "object": "chat.completion",
    "created": 1741569952,
    "model": "gpt-4o-mini-2024-07-18",
    "choices": [
        {
            "index": 0,
            "message": {"role": "assistant", "content": "Hello!", "refusal": None},
            "logprobs": None,
            "finish_reason": "stop",
        }
    ],
    "usage": {
        "prompt_tokens": PROMPT,
        "completion_tokens": COMPLETION,
        "total_tokens": PROMPT + COMPLETION,
        "prompt_tokens_details": {"cached_tokens": 0, "audio_tokens": 0},
        "completion_tokens_details": {"reasoning_tokens": 0, "audio_tokens": 0},
    },
    "service_tier": "default",
    "system_fingerprint": "fp_06737a9306",
}
ACME = {
    "id": "acme",
    "engine": "openai",
    "base_url": "https://llm.acme.test/v1",
    "models": [{"id": "acme-1", "pricing": {"input": 2, "output": 8}}, {"id": "acme-nopx"}],
}


class Wire:
    """Records requests; answers each with ``BODY``."""

    def __init__(self) -> None:
        self.requests: list[httpx2.Request] = []

    def __call__(self, request: httpx2.Request) -> httpx2.Response:
        self.requests.append(request)
        return httpx2.Response(200, json=BODY)


@pytest.fixture
def spec_file(tmp_path: Path) -> Iterator[Path]:
    """The acme spec loaded into the process registry (the registry feeds its prices to the catalog)."""
    folder = tmp_path / "providers"
    folder.mkdir()
    path = folder / "acme.json"
    path.write_text(json.dumps(ACME))
    previous = get_registry()
    reload_registry(Registry.discover(plugins=False, user=False, project=[folder], env={}))
    yield path
    reload_registry(previous)


@pytest.fixture
def ledger(tmp_path: Path) -> Iterator[SQLiteLedger]:
    led = SQLiteLedger(tmp_path / "ledger.sqlite3")
    yield led
    led.close()


def chat(wire: Wire, governor: Governor, **kwargs: Any) -> ChatOpenAI:
    kwargs.setdefault("model", "gpt-4o-mini")
    return ChatOpenAI(  # type: ignore[call-arg]
        api_key="sk-test",
        max_retries=0,
        max_tokens=16,
        http_client=httpx2.Client(transport=httpx2.MockTransport(wire)),
        call_hooks=governor,
        **kwargs,
    )


def test_plain_governor_uses_the_price_a_spec_declares(spec_file: Path, ledger: SQLiteLedger) -> None:
    governor = Governor(ledger=ledger, budgets=[Budget(daily_usd=1, provider="acme")])
    wire = Wire()
    model = chat(wire, governor, model="acme-1", provider="acme", base_url="https://llm.acme.test/v1")
    message = model.invoke("hi")
    expected = (Decimal(PROMPT) * 2 + Decimal(COMPLETION) * 8) / 1_000_000
    assert message.response_metadata["price_provenance"] == "spec"
    assert message.response_metadata["cost_usd"] == pytest.approx(float(expected))
    (record,) = ledger.records()
    assert (record.provider, record.model, record.cost_usd) == ("acme", "acme-1", expected)
    assert len(wire.requests) == 1


def test_openai_model_on_another_provider_is_not_billed_at_openais_rate(ledger: SQLiteLedger) -> None:
    wire = Wire()
    local = chat(wire, Governor(ledger=ledger), base_url="http://127.0.0.1:8080/v1", provider="mylocal")
    message = local.invoke("hi")
    assert message.response_metadata["cost_usd"] is None
    assert message.response_metadata["price_provenance"] == "unknown"
    official = chat(wire, Governor(ledger=ledger))  # the same model at OpenAI: the catalog's rate
    paid = official.invoke("hi")
    assert paid.response_metadata["price_provenance"].startswith("catalog:")
    expected = (Decimal(PROMPT) * Decimal("0.15") + Decimal(COMPLETION) * Decimal("0.6")) / 1_000_000
    assert paid.response_metadata["cost_usd"] == pytest.approx(float(expected))
    records = {r.provider: r for r in ledger.records()}
    assert records["mylocal"].cost_nano is None
    assert records["mylocal"].price_provenance == "unknown"
    assert records["openai"].cost_usd == expected


def test_budget_on_an_unpriced_model_names_provider_model_field_and_file(
    spec_file: Path, ledger: SQLiteLedger
) -> None:
    wire = Wire()
    governor = Governor(ledger=ledger, budgets=[Budget(daily_usd=1, provider="acme")])
    model = chat(wire, governor, model="acme-nopx", provider="acme", base_url="https://llm.acme.test/v1")
    with pytest.raises(BudgetExceededError) as refused:
        model.invoke("hi")
    text = str(refused.value)
    for part in ("'acme'", "'acme-nopx'", "models[].pricing.input/output", str(spec_file)):
        assert part in text
    assert wire.requests == []  # refused before anything was sent


def test_budget_on_an_unpriced_model_without_a_spec(ledger: SQLiteLedger) -> None:
    wire = Wire()
    governor = Governor(ledger=ledger, budgets=[Budget(daily_usd=1)])
    local = chat(wire, governor, base_url="http://127.0.0.1:8080/v1", provider="mylocal")
    with pytest.raises(BudgetExceededError, match=r"'mylocal', model 'gpt-4o-mini'.*models\[\]\.pricing"):
        local.invoke("hi")
    assert wire.requests == []


def test_spec_governor_prices_from_its_own_spec(tmp_path: Path, ledger: SQLiteLedger) -> None:
    """``Governor.from_spec`` on a spec the process registry does not hold still prices from it."""
    path = tmp_path / "acme.json"
    path.write_text(json.dumps(ACME))
    spec = Registry.discover(presets=False, plugins=False, user=False, project=[tmp_path], env={}).get("acme")
    wire = Wire()
    governor = Governor.from_spec(spec, ledger=ledger, budgets=[Budget(daily_usd=1, provider="acme")])
    priced = chat(wire, governor, model="acme-1", provider="acme", base_url="https://llm.acme.test/v1")
    assert priced.invoke("hi").response_metadata["price_provenance"] == "spec"
    unpriced = chat(wire, governor, model="acme-nopx", provider="acme", base_url="https://llm.acme.test/v1")
    with pytest.raises(BudgetExceededError, match=re.escape(str(path))):
        unpriced.invoke("hi")


def test_usage_table_shows_unknown_spend_as_unknown_not_zero(ledger: SQLiteLedger) -> None:
    from polyport_core.cli._usage import usage_rows

    wire = Wire()
    chat(wire, Governor(ledger=ledger), base_url="http://127.0.0.1:8080/v1", provider="mylocal").invoke("hi")
    chat(wire, Governor(ledger=ledger)).invoke("hi")
    rows = {row["provider"]: row for row in usage_rows(ledger.records())}
    assert (rows["mylocal"]["cost_usd"], rows["mylocal"]["unpriced"]) == (None, 1)
    expected = (Decimal(PROMPT) * Decimal("0.15") + Decimal(COMPLETION) * Decimal("0.6")) / 1_000_000
    assert Decimal(rows["openai"]["cost_usd"]) == expected
