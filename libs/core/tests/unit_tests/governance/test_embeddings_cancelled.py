"""A cancelled or failed embedding batch still frees its budget hold and leaves its record.

The 'vendor' is an in-process stand-in (no sockets); the governor, the SQLite ledger and the
batching in ``ProviderEmbeddings`` are the real ones.
"""

from __future__ import annotations

import asyncio
from decimal import Decimal

import pytest
from polyport_core.embeddings import EmbeddingBatch, ProviderEmbeddings
from polyport_core.errors import ProviderUnavailableError
from polyport_core.governance import Budget, Governor, StaticPrices
from polyport_core.ledger import Bucket, SQLiteLedger, period_keys
from pydantic import PrivateAttr


class StalledEmbeddings(ProviderEmbeddings):
    """Answers the sync path at once; the async path waits until cancelled, or fails when told."""

    fail: bool = False
    _started: asyncio.Event = PrivateAttr(default_factory=asyncio.Event)

    def _embed_batch(self, texts: list[str]) -> EmbeddingBatch:
        return EmbeddingBatch([[1.0, 0.0] for _ in texts], input_tokens=4 * len(texts))

    async def _aembed_batch(self, texts: list[str]) -> EmbeddingBatch:
        self._started.set()
        if self.fail:
            raise ConnectionError("connection reset by peer")
        await asyncio.Event().wait()  # never answers
        raise AssertionError("unreachable")

    def _map_error(self, error: BaseException) -> BaseException:
        return ProviderUnavailableError(str(error))


def embedder(ledger: SQLiteLedger, prices: StaticPrices, **kwargs: object) -> StalledEmbeddings:
    governor = Governor(ledger=ledger, prices=prices, budgets=[Budget(daily_usd=Decimal(1))])
    return StalledEmbeddings(model="m", provider="scripted", call_hooks=governor, **kwargs)  # type: ignore[arg-type]


async def test_a_cancelled_async_batch_frees_its_hold_and_is_recorded(
    ledger: SQLiteLedger, prices: StaticPrices
) -> None:
    model = embedder(ledger, prices)
    task = asyncio.create_task(model.aembed_documents(["a", "b"]))
    await model._started.wait()
    day = Bucket("global", period_keys()[0])
    assert ledger.reserved(day) > 0  # the hold is taken while the request is out
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert ledger.reserved(day) == 0
    assert [(r.outcome, r.cost_nano) for r in ledger.records()] == [("cancelled", 0)]


async def test_a_failed_async_batch_is_mapped_named_and_recorded(ledger: SQLiteLedger, prices: StaticPrices) -> None:
    model = embedder(ledger, prices, fail=True)
    with pytest.raises(ProviderUnavailableError, match="connection reset") as caught:
        await model.aembed_documents(["a"])
    assert (caught.value.provider, caught.value.model) == ("scripted", "m")
    assert isinstance(caught.value.__cause__, ConnectionError)
    assert [r.outcome for r in ledger.records()] == ["unavailable"]
    assert ledger.reserved(Bucket("global", period_keys()[0])) == 0
