"""Embeddings are governed like chat: limits, budgets, ledger records and metrics, per batch request.

Against the real llama.cpp server (``/v1/embeddings`` through polyport-openai's
``OpenAIEmbeddings`` and the native ``/embedding`` through polyport-llamacpp).
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from polyport_core.errors import BudgetExceededError, ProviderUnavailableError, RateLimitError
from polyport_core.governance import Budget, Governor, Price, RateLimit, StaticPrices
from polyport_core.ledger import SQLiteLedger
from polyport_core.testing import LlamaServer
from polyport_core.testing.local_server import free_port
from polyport_openai import OpenAIEmbeddings

pytestmark = pytest.mark.local_server

RATE = Decimal("0.1")  # USD per million input tokens; embeddings have no output price
TEXTS = ["The capital of France is Paris.", "One, two, three.", "Embeddings are vectors."]


@pytest.fixture
def ledger(tmp_path: Path) -> Iterator[SQLiteLedger]:
    led = SQLiteLedger(tmp_path / "ledger.sqlite3")
    yield led
    led.close()


def priced(rate: Decimal = RATE) -> StaticPrices:
    return StaticPrices({"llama/gemma": Price(input=rate)})


def embedder(server: LlamaServer, governor: Governor, **kwargs: object) -> OpenAIEmbeddings:
    params: dict[str, object] = {
        "model": "gemma",
        "provider": "llama",
        "base_url": server.openai_base_url,
        "api_key": "x",
        "max_retries": 0,
        "call_hooks": governor,
    }
    params.update(kwargs)
    return OpenAIEmbeddings(**params)  # type: ignore[arg-type]


def test_each_batch_is_recorded_with_tokens_cost_latency_and_outcome(
    llama_server: LlamaServer, ledger: SQLiteLedger
) -> None:
    gov = Governor(ledger=ledger, prices=priced(), budgets=[Budget(daily_usd=1, provider="llama")])
    vectors = embedder(llama_server, gov, batch_size=2).embed_documents(TEXTS)
    assert len(vectors) == 3
    assert len(vectors[0]) > 0
    records = ledger.records()
    assert len(records) == 2  # one per batch request
    for record in records:
        assert (record.provider, record.model, record.outcome) == ("llama", "gemma", "ok")
        assert record.input_tokens > 0
        assert record.output_tokens == 0
        assert not record.usage_estimated  # the server reported usage.prompt_tokens
        assert record.cost_nano == int(record.input_tokens * RATE * 1000)
        assert record.price_provenance == "spec"
        assert record.latency_s > 0
    stats = gov.metrics.get("llama", "gemma")
    assert stats is not None
    assert (stats.requests, stats.successes) == (2, 2)
    assert stats.input_tokens == sum(r.input_tokens for r in records)
    spent = gov.spent_usd(Budget(daily_usd=1, provider="llama"))
    assert spent == sum((r.cost_usd or Decimal(0)) for r in records)
    assert spent > 0


def test_async_batches_are_governed_too(llama_server: LlamaServer, ledger: SQLiteLedger) -> None:
    gov = Governor(ledger=ledger, prices=priced())
    vectors = asyncio.run(embedder(llama_server, gov, batch_size=1).aembed_documents(TEXTS))
    assert len(vectors) == 3
    records = ledger.records()
    assert len(records) == 3
    assert all(r.outcome == "ok" and r.input_tokens > 0 and r.cost_nano for r in records)


def test_a_failed_batch_is_recorded_with_its_outcome(ledger: SQLiteLedger) -> None:
    gov = Governor(ledger=ledger, prices=priced())
    closed = OpenAIEmbeddings(  # type: ignore[call-arg]
        model="gemma", provider="llama", base_url=f"http://127.0.0.1:{free_port()}/v1", api_key="x",
        max_retries=0, call_hooks=gov,
    )  # fmt: skip
    with pytest.raises(ProviderUnavailableError):
        closed.embed_query("hello")
    (record,) = ledger.records()
    assert record.outcome == ProviderUnavailableError.kind
    assert record.cost_nano == 0  # nothing came back, nothing is billed
    stats = gov.metrics.get("llama", "gemma")
    assert stats is not None
    assert stats.failures[ProviderUnavailableError.kind] == 1


def test_budget_refuses_once_spent_and_sends_nothing(llama_server: LlamaServer, ledger: SQLiteLedger) -> None:
    cap = Decimal("0.05")
    budget = Budget(daily_usd=cap, provider="llama")
    gov = Governor(ledger=ledger, prices=priced(Decimal(1000)), budgets=[budget])
    model = embedder(llama_server, gov)
    refused: BudgetExceededError | None = None
    # ~8 tokens at $1000/M is ~$0.008 a call; the hold is the padded estimate (~$0.026): a few calls fit
    for _ in range(20):
        try:
            model.embed_query(TEXTS[0])
        except BudgetExceededError as error:
            refused = error
            break
    assert refused is not None, "the budget never refused"
    assert "provider:llama daily" in str(refused)
    records = ledger.records()
    assert 1 <= len(records) < 20
    assert all(r.outcome == "ok" for r in records)  # the refused call left no record: it was never sent
    assert gov.spent_usd(budget) <= cap


def test_budget_on_an_unpriced_embedding_model_refuses_naming_the_field(
    llama_server: LlamaServer, ledger: SQLiteLedger
) -> None:
    gov = Governor(ledger=ledger, budgets=[Budget(daily_usd=1, provider="llama")])
    with pytest.raises(BudgetExceededError, match=r"'llama', model 'gemma'.*models\[\]\.pricing\.input/output"):
        embedder(llama_server, gov).embed_query("hello")
    assert ledger.records() == []


def test_rate_limit_refuses_the_call_past_the_limit(llama_server: LlamaServer, ledger: SQLiteLedger) -> None:
    gov = Governor(
        ledger=ledger, prices=priced(), limits=[RateLimit(requests_per_minute=1, provider="llama")], fail_fast=True
    )
    model = embedder(llama_server, gov)
    model.embed_query("first")
    with pytest.raises(RateLimitError) as refused:
        model.embed_query("second")
    assert (refused.value.provider, refused.value.model) == ("llama", "gemma")
    assert len(ledger.records()) == 1  # the refused call was never sent


def test_native_llamacpp_embeddings_are_governed_with_estimated_usage(
    llama_server: LlamaServer, ledger: SQLiteLedger
) -> None:
    from polyport_llamacpp import LlamaCppEmbeddings

    gov = Governor(ledger=ledger, prices=priced())
    model = LlamaCppEmbeddings(model="gemma", provider="llama", base_url=llama_server.base_url, call_hooks=gov)
    assert len(model.embed_documents(TEXTS[:2])) == 2
    (record,) = ledger.records()
    assert record.outcome == "ok"
    assert record.usage_estimated  # the native endpoint reports no usage: estimated offline, marked so
    assert record.input_tokens > 0
    assert record.cost_nano == int(record.input_tokens * RATE * 1000)
