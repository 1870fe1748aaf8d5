"""``ProviderEmbeddings``: batching to the provider's max batch size, sync and async.

Partners implement ``_embed_batch`` / ``_aembed_batch`` (one request) and
``_map_error``; batching, concurrency and error naming live here.
"""

from __future__ import annotations

import asyncio
from abc import abstractmethod

from langchain_core.embeddings import Embeddings
from pydantic import BaseModel, ConfigDict, Field

from polyport_core.errors import with_origin

__all__ = ["ProviderEmbeddings"]


class ProviderEmbeddings(BaseModel, Embeddings):
    """Base class of every polyport embedder."""

    model_config = ConfigDict(populate_by_name=True, arbitrary_types_allowed=True)

    model: str
    provider: str = ""
    batch_size: int = Field(default=512, gt=0, alias="chunk_size")
    """Most texts in one request (the provider's max batch)."""
    max_concurrency: int = Field(default=4, gt=0)
    """Batches in flight at once on the async path."""

    @property
    def _engine(self) -> str:
        return type(self).__name__.removesuffix("Embeddings").lower()

    @property
    def _provider_id(self) -> str:
        return self.provider or self._engine

    @abstractmethod
    def _embed_batch(self, texts: list[str]) -> list[list[float]]:
        """Embed one batch (at most ``batch_size`` texts) in one request."""

    @abstractmethod
    async def _aembed_batch(self, texts: list[str]) -> list[list[float]]:
        """Async twin of ``_embed_batch``."""

    def _map_error(self, error: BaseException) -> BaseException:
        """A vendor SDK error as a polyport error; partners override."""
        return error

    def _named(self, error: BaseException) -> BaseException:
        return with_origin(self._map_error(error), self._provider_id, self.model)

    def _batches(self, texts: list[str]) -> list[list[str]]:
        size = self.batch_size
        return [texts[start : start + size] for start in range(0, len(texts), size)]

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        """Embed texts in batches of at most ``batch_size``."""
        vectors: list[list[float]] = []
        for batch in self._batches(list(texts)):
            try:
                vectors.extend(self._embed_batch(batch))
            except Exception as error:
                raise self._named(error) from error
        return vectors

    def embed_query(self, text: str) -> list[float]:
        """Embed one text."""
        return self.embed_documents([text])[0]

    async def aembed_documents(self, texts: list[str]) -> list[list[float]]:
        """Embed texts in batches, up to ``max_concurrency`` requests at once, order kept."""
        gate = asyncio.Semaphore(self.max_concurrency)

        async def run(batch: list[str]) -> list[list[float]]:
            async with gate:
                try:
                    return await self._aembed_batch(batch)
                except Exception as error:
                    raise self._named(error) from error

        results = await asyncio.gather(*(run(batch) for batch in self._batches(list(texts))))
        return [vector for batch in results for vector in batch]

    async def aembed_query(self, text: str) -> list[float]:
        """Embed one text (async)."""
        return (await self.aembed_documents([text]))[0]
