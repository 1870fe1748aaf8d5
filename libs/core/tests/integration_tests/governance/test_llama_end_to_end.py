"""Governance end to end: polyport-openai's ChatOpenAI on the real llama.cpp server."""

from __future__ import annotations

from decimal import Decimal

import pytest
from polyport_core.governance import Budget, Governor, Price, StaticPrices
from polyport_core.ledger import SQLiteLedger

pytestmark = pytest.mark.local_server


def test_governed_chat_openai_records_real_usage(llama_server, tmp_path):
    from polyport_openai import ChatOpenAI

    ledger = SQLiteLedger(tmp_path / "ledger.sqlite3")
    gov = Governor(
        ledger=ledger,
        prices=StaticPrices({"llama/gemma": Price(Decimal("0.1"), Decimal("0.2"))}),
        budgets=[Budget(daily_usd=1, provider="llama")],
    )
    model = ChatOpenAI(
        model="gemma", provider="llama", base_url=f"{llama_server.base_url}/v1", api_key="x",
        max_tokens=16, temperature=0, max_retries=0, call_hooks=gov,
    )  # fmt: skip
    message = model.invoke("The capital of France is")
    chunks = list(model.stream("One, two,"))
    [record, streamed] = ledger.records()
    assert record.outcome == "ok"
    assert record.input_tokens > 0
    assert 0 < record.output_tokens <= 16
    assert record.cost_nano is not None
    assert record.cost_nano > 0
    assert message.response_metadata["cost_usd"] == pytest.approx(record.cost_nano / 1e9)
    assert streamed.output_tokens > 0
    assert chunks[-1].response_metadata["price_provenance"] == "spec"
    assert gov.metrics.get("llama", "gemma").successes == 2
