"""``ProviderEmbeddings``: batching to the provider's max batch size, governed, sync and async.

Partners implement ``_embed_batch`` / ``_aembed_batch`` (one request) and
``_map_error``; batching, concurrency, error naming and governance live here.
Each batch request goes through ``call_hooks`` (a ``Governor``: limits,
budgets, ledger, metrics) exactly like a chat call.
"""

from __future__ import annotations

import asyncio
import time
from abc import abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Self

from langchain_core.embeddings import Embeddings
from langchain_core.messages import UsageMetadata
from pydantic import BaseModel, ConfigDict, Field, model_validator

from polyport_core.auth import RedactedURL
from polyport_core.errors import with_origin
from polyport_core.governance import CallHooks, CallInfo, CallOutcome
from polyport_core.spec import TLSSpec
from polyport_core.tokens import count_text_tokens

__all__ = ["EmbeddingBatch", "ProviderEmbeddings"]


@dataclass
class EmbeddingBatch:
    """One batch's vectors plus what the server reported about it (for governance)."""

    vectors: list[list[float]]
    input_tokens: int | None = None
    """Tokens the server says it embedded; None when it does not say (then estimated)."""
    headers: Mapping[str, str] | None = None
    """Response headers (rate-limit quota snapshots)."""


def _as_batch(result: list[list[float]] | EmbeddingBatch) -> EmbeddingBatch:
    return result if isinstance(result, EmbeddingBatch) else EmbeddingBatch(result)


class ProviderEmbeddings(BaseModel, Embeddings):
    """Base class of every polyport embedder."""

    model_config = ConfigDict(populate_by_name=True, arbitrary_types_allowed=True)

    model: str
    provider: str = ""
    """Provider id (the spec's ``id``); keys limits, budgets, records and metrics. Defaults to ``_llm_type``."""
    batch_size: int = Field(default=512, gt=0, alias="chunk_size")
    """Most texts in one request (the provider's max batch)."""
    max_concurrency: int = Field(default=4, gt=0)
    """Batches in flight at once on the async path."""
    call_hooks: CallHooks | None = Field(default=None, exclude=True)
    tls: TLSSpec | None = Field(default=None, exclude=True)
    """TLS of the connection (a spec's ``tls``), turned into an ``ssl.SSLContext`` by the transport."""
    proxy: RedactedURL | None = Field(default=None, exclude=True)
    """HTTP(S) proxy of every request (a spec's ``proxy``; userinfo masked in repr)."""
    """Governance around each batch request (e.g. a ``Governor``); None = ungoverned."""

    @property
    def _llm_type(self) -> str:
        """Engine id, as a chat model's ``_llm_type`` (e.g. ``openai``); partners override."""
        return type(self).__name__.removesuffix("Embeddings").lower()

    @model_validator(mode="after")
    def _default_provider(self) -> Self:
        """``provider`` defaults to the engine id (``_llm_type``), so one id keys limits, records and metrics."""
        if not self.provider:
            self.provider = self._llm_type
        return self

    @abstractmethod
    def _embed_batch(self, texts: list[str]) -> list[list[float]] | EmbeddingBatch:
        """Embed one batch (at most ``batch_size`` texts) in one request."""

    @abstractmethod
    async def _aembed_batch(self, texts: list[str]) -> list[list[float]] | EmbeddingBatch:
        """Async twin of ``_embed_batch``."""

    def _map_error(self, error: BaseException) -> BaseException:
        """A vendor SDK error as a polyport error; partners override."""
        return error

    def _named(self, error: BaseException) -> BaseException:
        return with_origin(self._map_error(error), self.provider, self.model)

    def _batches(self, texts: list[str]) -> list[list[str]]:
        size = self.batch_size
        return [texts[start : start + size] for start in range(0, len(texts), size)]

    # ----------------------------------------------------------- governance
    def _call_info(self, texts: list[str]) -> CallInfo:
        return CallInfo(
            provider=self.provider,
            model=self.model,
            payload={"model": self.model, "input": texts},
            estimate_input_tokens=lambda: sum(count_text_tokens(text, self.model) for text in texts),
            max_output_tokens=0,
            stream=False,
        )

    @staticmethod
    def _outcome(call: CallInfo, batch: EmbeddingBatch) -> CallOutcome:
        estimated = batch.input_tokens is None
        tokens = call.estimated_input_tokens if batch.input_tokens is None else batch.input_tokens
        return CallOutcome(
            usage=UsageMetadata(input_tokens=tokens, output_tokens=0, total_tokens=tokens),
            usage_estimated=estimated,
            latency_s=time.perf_counter() - call.started_at,
            response_headers=dict(batch.headers) if batch.headers else None,
        )

    @staticmethod
    def _failed(call: CallInfo, error: BaseException) -> CallOutcome:
        return CallOutcome(error=error, latency_s=time.perf_counter() - call.started_at)

    def _failure(self, error: BaseException) -> BaseException:
        """What a failed batch raises: a vendor error mapped and named; a cancellation as it is."""
        return self._named(error) if isinstance(error, Exception) else error

    # The twins differ only in their I/O (hooks, the request); what a call, an outcome and a
    # failure are is decided once above. A failure, cancellation included, frees limits and holds.
    def _run(self, texts: list[str]) -> list[list[float]]:
        """One batch request, governed by ``call_hooks`` when set."""
        hooks, call = self.call_hooks, self._call_info(texts)
        if hooks is not None:
            hooks.before_call(call)
        try:
            batch = _as_batch(self._embed_batch(texts))
        except BaseException as error:
            failure = self._failure(error)
            if hooks is not None:
                hooks.after_call(call, self._failed(call, failure))
            if failure is error:
                raise
            raise failure from error
        if hooks is not None:
            hooks.after_call(call, self._outcome(call, batch))
        return batch.vectors

    async def _arun(self, texts: list[str]) -> list[list[float]]:
        """Async twin of ``_run`` (a cancelled batch is still settled, shielded from a second cancel)."""
        hooks, call = self.call_hooks, self._call_info(texts)
        if hooks is not None:
            await hooks.abefore_call(call)
        try:
            batch = _as_batch(await self._aembed_batch(texts))
        except BaseException as error:
            failure = self._failure(error)
            if hooks is not None:
                await asyncio.shield(hooks.aafter_call(call, self._failed(call, failure)))
            if failure is error:
                raise
            raise failure from error
        if hooks is not None:
            await hooks.aafter_call(call, self._outcome(call, batch))
        return batch.vectors

    # ----------------------------------------------------------- Embeddings API
    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        """Embed texts in batches of at most ``batch_size``."""
        vectors: list[list[float]] = []
        for batch in self._batches(list(texts)):
            vectors.extend(self._run(batch))
        return vectors

    def embed_query(self, text: str) -> list[float]:
        """Embed one text."""
        return self.embed_documents([text])[0]

    async def aembed_documents(self, texts: list[str]) -> list[list[float]]:
        """Embed texts in batches, up to ``max_concurrency`` requests at once, order kept."""
        gate = asyncio.Semaphore(self.max_concurrency)

        async def run(batch: list[str]) -> list[list[float]]:
            async with gate:
                return await self._arun(batch)

        results = await asyncio.gather(*(run(batch) for batch in self._batches(list(texts))))
        return [vector for batch in results for vector in batch]

    async def aembed_query(self, text: str) -> list[float]:
        """Embed one text (async)."""
        return (await self.aembed_documents([text]))[0]
