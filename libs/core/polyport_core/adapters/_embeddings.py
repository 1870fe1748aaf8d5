"""``AdapterEmbeddings``: an ``HTTPAdapter`` that implements the embedding pair, as ``Embeddings``."""

from __future__ import annotations

from typing import ClassVar

import httpx
from pydantic import Field, PrivateAttr, SecretStr

from polyport_core.adapters._http import HTTPAdapter
from polyport_core.auth import RedactedURL, SecretHeaders, SecretQuery
from polyport_core.embeddings import ProviderEmbeddings
from polyport_core.transport import tls_verify

__all__ = ["AdapterEmbeddings"]


class AdapterEmbeddings(ProviderEmbeddings):
    """Embeddings through ``adapter_class`` (batching and concurrency from ``ProviderEmbeddings``)."""

    adapter_class: ClassVar[type[HTTPAdapter]] = HTTPAdapter

    base_url: RedactedURL
    api_key: SecretStr | None = None
    default_headers: SecretHeaders | None = Field(default=None, repr=False)
    default_query: SecretQuery | None = Field(default=None, repr=False)
    timeout: float | None = None
    max_retries: int = 2
    http_auth: httpx.Auth | None = Field(default=None, exclude=True, repr=False)
    transport: httpx.BaseTransport | None = Field(default=None, exclude=True, repr=False)
    async_transport: httpx.AsyncBaseTransport | None = Field(default=None, exclude=True, repr=False)

    _adapter: HTTPAdapter | None = PrivateAttr(default=None)

    @property
    def _llm_type(self) -> str:
        return self.adapter_class.name

    @property
    def adapter(self) -> HTTPAdapter:
        """The adapter (created on first use, then reused with its connection pool)."""
        if self._adapter is None:
            self._adapter = self.adapter_class(
                self.base_url,
                api_key=self.api_key,
                headers=self.default_headers,
                query=self.default_query,
                timeout=self.timeout,
                max_retries=self.max_retries,
                http_auth=self.http_auth,
                provider=self.provider,
                model=self.model,
                transport=self.transport,
                async_transport=self.async_transport,
                verify=tls_verify(self.tls, provider=self.provider),
                proxy=self.proxy,
            )
        return self._adapter

    def _embed_batch(self, texts: list[str]) -> list[list[float]]:
        return self.adapter.embed(texts, self.model)

    async def _aembed_batch(self, texts: list[str]) -> list[list[float]]:
        return await self.adapter.aembed(texts, self.model)

    def _map_error(self, error: BaseException) -> BaseException:
        return self.adapter.map_error(error)
