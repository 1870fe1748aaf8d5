"""OllamaEmbeddings under a Governor: one ledger record per ``/api/embed`` request, with the
tokens Ollama reports (``prompt_eval_count``). Wire fixtures follow Ollama's docs/api.md format."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from polyport_core.errors import NotFoundError
from polyport_core.governance import Governor, Price, StaticPrices
from polyport_core.ledger import SQLiteLedger
from polyport_ollama import OllamaEmbeddings
from pytest_httpx import HTTPXMock

EMBED = "http://127.0.0.1:11434/api/embed"


@pytest.fixture(autouse=True)
def _hermetic(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OLLAMA_HOST", raising=False)
    monkeypatch.setenv("POLYPORT_OUTBOX", str(tmp_path / "outbox.sqlite3"))


def test_each_batch_is_one_priced_record(httpx_mock: HTTPXMock, tmp_path: Path) -> None:
    for vectors, tokens in (([[0.1, 0.2], [0.3, 0.4]], 8), ([[0.5, 0.6]], 3)):
        httpx_mock.add_response(
            url=EMBED,
            json={
                "model": "all-minilm",
                "embeddings": vectors,
                "total_duration": 14143917,
                "prompt_eval_count": tokens,
            },
        )
    ledger = SQLiteLedger(tmp_path / "ledger.sqlite3")
    gov = Governor(ledger=ledger, prices=StaticPrices({"ollama/all-minilm": Price(input=Decimal(2))}))
    emb = OllamaEmbeddings(model="all-minilm", batch_size=2, call_hooks=gov)
    assert emb.embed_documents(["a", "b", "c"]) == [[0.1, 0.2], [0.3, 0.4], [0.5, 0.6]]
    records = sorted(ledger.records(), key=lambda r: r.input_tokens)
    assert [(r.input_tokens, r.output_tokens, r.usage_estimated, r.outcome) for r in records] == [
        (3, 0, False, "ok"),
        (8, 0, False, "ok"),
    ]
    assert [r.cost_nano for r in records] == [6000, 16000]  # tokens x $2/M in nano-dollars


def test_a_failed_batch_is_recorded_and_mapped(httpx_mock: HTTPXMock, tmp_path: Path) -> None:
    httpx_mock.add_response(url=EMBED, status_code=404, json={"error": 'model "nomic" not found'})
    ledger = SQLiteLedger(tmp_path / "ledger.sqlite3")
    gov = Governor(ledger=ledger)
    with pytest.raises(NotFoundError):
        OllamaEmbeddings(model="nomic", call_hooks=gov).embed_query("x")
    (record,) = ledger.records()
    assert (record.provider, record.model, record.outcome) == ("ollama", "nomic", NotFoundError.kind)
    assert record.price_provenance == "unknown"  # a local model with no declared price: unknown, not $0
