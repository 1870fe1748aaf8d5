"""OpenAIEmbeddings under a Governor, on wire fixtures in the OpenAI embeddings format
(``{"object": "list", "data": [...], "usage": {"prompt_tokens", "total_tokens"}}``)."""

from __future__ import annotations

import asyncio
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from polyport_core.errors import RateLimitError
from polyport_core.governance import Governor, RateLimit
from polyport_core.ledger import SQLiteLedger
from polyport_openai import OpenAIEmbeddings

from ._wire import Recorder, json_response


def body(count: int, usage: bool = True) -> dict[str, Any]:
    out: dict[str, Any] = {
        "object": "list",
        "data": [{"object": "embedding", "index": i, "embedding": [0.5, float(i)]} for i in range(count)],
        "model": "text-embedding-3-small",
    }
    if usage:
        out["usage"] = {"prompt_tokens": 7 * count, "total_tokens": 7 * count}
    return out


@pytest.fixture
def ledger(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> SQLiteLedger:
    monkeypatch.setenv("POLYPORT_OUTBOX", str(tmp_path / "outbox.sqlite3"))
    return SQLiteLedger(tmp_path / "ledger.sqlite3")


def embedder(recorder: Recorder, governor: Governor, **kwargs: Any) -> OpenAIEmbeddings:
    params: dict[str, Any] = {
        "model": "text-embedding-3-small",
        "api_key": "sk-test",
        "max_retries": 0,
        "http_client": recorder.client(),
        "http_async_client": recorder.async_client(),
        "call_hooks": governor,
    }
    params.update(kwargs)
    return OpenAIEmbeddings(**params)


def test_openai_batches_are_billed_at_the_catalog_rate_with_reported_tokens(ledger: SQLiteLedger) -> None:
    recorder = Recorder(json_response(body(2)), json_response(body(1)))
    emb = embedder(recorder, Governor(ledger=ledger), batch_size=2)
    assert len(emb.embed_documents(["a", "b", "c"])) == 3
    records = sorted(ledger.records(), key=lambda r: r.input_tokens)
    assert [r.input_tokens for r in records] == [7, 14]
    assert all(r.price_provenance.startswith("catalog:") and not r.usage_estimated for r in records)
    assert [r.cost_usd for r in records] == [Decimal("0.02") * 7 / 10**6, Decimal("0.02") * 14 / 10**6]


def test_a_compatible_server_without_usage_is_estimated_and_marked(ledger: SQLiteLedger) -> None:
    recorder = Recorder(json_response(body(1, usage=False)))
    emb = embedder(recorder, Governor(ledger=ledger), base_url="http://127.0.0.1:8080/v1", provider="mylocal")
    asyncio.run(emb.aembed_query("hello world"))
    (record,) = ledger.records()
    assert record.usage_estimated
    assert record.input_tokens > 0
    assert (record.cost_nano, record.price_provenance) == (None, "unknown")  # never OpenAI's rate


def test_a_rate_limit_refuses_before_sending(ledger: SQLiteLedger) -> None:
    recorder = Recorder(json_response(body(1)))
    limits = [RateLimit(requests_per_minute=1, provider="openai")]
    emb = embedder(recorder, Governor(ledger=ledger, limits=limits, fail_fast=True))
    emb.embed_query("one")
    with pytest.raises(RateLimitError):
        emb.embed_query("two")
    assert len(recorder.requests) == 1
