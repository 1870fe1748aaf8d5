"""``OpenAIEmbeddings``: OpenAI and OpenAI-compatible ``/embeddings`` endpoints."""

from __future__ import annotations

import base64
import os
from array import array
from typing import TYPE_CHECKING, Any, ClassVar, Literal, Self

from langchain_core.utils.utils import secret_from_env
from polyport_core.auth import RedactedURL, SecretHeaders, SecretQuery
from polyport_core.chat import ParamRoute, apply_param_routes
from polyport_core.embeddings import EmbeddingBatch, ProviderEmbeddings
from polyport_core.errors import BadResponseError
from polyport_core.transport import apost_json, post_json
from pydantic import Field, PrivateAttr, SecretStr, model_validator

from polyport_openai._clients import ClientPair, client_kwargs, connection_options, is_official_openai, make_clients
from polyport_openai._errors import map_openai_error
from polyport_openai._params import EMBEDDINGS_ROUTES

if TYPE_CHECKING:
    from polyport_core.spec import ProviderSpec

__all__ = ["OpenAIEmbeddings"]


def _decode(item: dict[str, Any]) -> list[float]:
    vector = item.get("embedding")
    if isinstance(vector, str):
        return array("f", base64.b64decode(vector)).tolist()
    if isinstance(vector, list) and vector and isinstance(vector[0], list):
        # Servers that return one vector per token (llama-cpp-python without pooling): mean-pool.
        width = len(vector[0])
        return [sum(row[i] for row in vector) / len(vector) for i in range(width)]
    if isinstance(vector, list):
        return vector
    raise BadResponseError(f"Embedding item has no vector (keys: {sorted(item)})")


class OpenAIEmbeddings(ProviderEmbeddings):
    """Embeddings from OpenAI or any OpenAI-compatible server.

    Texts are always sent as strings (never pre-tokenized id arrays), so
    servers with other tokenizers embed what the user wrote.
    """

    api_key: SecretStr | None = Field(
        alias="openai_api_key", default_factory=secret_from_env("OPENAI_API_KEY", default=None)
    )
    base_url: RedactedURL | None = Field(
        alias="openai_api_base",
        default_factory=lambda: os.environ.get("OPENAI_BASE_URL") or None,
        validate_default=True,
    )
    organization: str | None = None
    dimensions: int | None = None
    encoding_format: Literal["float", "base64"] | None = None
    """Wire encoding; default base64 for OpenAI (smaller), float elsewhere (universally supported)."""
    default_headers: SecretHeaders | None = Field(default=None, repr=False)
    default_query: SecretQuery | None = Field(default=None, repr=False)
    timeout: float | None = Field(default=None, alias="request_timeout")
    max_retries: int = 2
    http_client: Any = Field(default=None, exclude=True)
    http_async_client: Any = Field(default=None, exclude=True)
    batch_size: int = Field(default=1000, gt=0, alias="chunk_size")
    openai_proxy: RedactedURL | None = None
    """Proxy URL for the SDK's HTTP clients (as in langchain-openai); wins over a provider file's
    ``proxy``. Userinfo is masked in repr and dumps."""

    _param_routes: ClassVar[dict[str, ParamRoute]] = EMBEDDINGS_ROUTES

    @model_validator(mode="before")
    @classmethod
    def _langchain_keywords(cls, values: Any) -> Any:
        """langchain-openai's keywords work the same or are refused by name (never dropped)."""
        return apply_param_routes(cls, values)

    _clients: ClientPair | None = PrivateAttr(default=None)

    @classmethod
    def from_spec(cls, spec: ProviderSpec, model: str, **overrides: Any) -> Self:
        """An ``OpenAIEmbeddings`` for ``model`` as the provider spec describes it (``overrides`` win)."""
        from polyport_core.registry import NO_KEY, SpecSettings

        settings = SpecSettings.resolve(spec, model, overrides)
        kwargs = settings.common(chat=False)
        kwargs.update(base_url=settings.base_url, api_key=settings.sdk_key or NO_KEY)
        if settings.headers:
            kwargs["default_headers"] = settings.headers
        if settings.query:
            kwargs["default_query"] = settings.query
        if settings.declared is not None and settings.declared.dimensions:
            kwargs["dimensions"] = settings.declared.dimensions
        return settings.build(cls, kwargs, params=False)

    @property
    def _llm_type(self) -> str:
        return "openai"

    def _sdk_clients(self) -> ClientPair:
        if self._clients is None:
            self._clients = self._make_clients(client_kwargs(self, self.model))
        return self._clients

    def _make_clients(self, kwargs: dict[str, Any]) -> ClientPair:
        return make_clients(kwargs, self.http_client, self.http_async_client, connection_options(self))

    def _is_official_openai(self) -> bool:
        return is_official_openai(self.base_url)

    def _body(self, texts: list[str]) -> dict[str, Any]:
        fmt = self.encoding_format or ("base64" if self._is_official_openai() else "float")
        body: dict[str, Any] = {"model": self.model, "input": texts, "encoding_format": fmt}
        if self.dimensions is not None:
            body["dimensions"] = self.dimensions
        return body

    @staticmethod
    def _vectors(body: dict[str, Any]) -> list[list[float]]:
        data = body.get("data")
        if not isinstance(data, list):
            raise BadResponseError(f"Embeddings response has no data list (keys: {sorted(body)})")
        ordered = sorted(data, key=lambda item: item.get("index", 0))
        return [_decode(item) for item in ordered]

    @classmethod
    def _batch(cls, body: dict[str, Any], headers: Any) -> EmbeddingBatch:
        """Vectors plus the reported ``usage.prompt_tokens`` (None when the server omits it)."""
        usage = body.get("usage")
        tokens = usage.get("prompt_tokens", usage.get("total_tokens")) if isinstance(usage, dict) else None
        return EmbeddingBatch(
            cls._vectors(body), tokens if isinstance(tokens, int) else None, dict(headers or {})
        )

    def _embed_batch(self, texts: list[str]) -> EmbeddingBatch:
        body, headers = post_json(self._sdk_clients().sync, "/embeddings", self._body(texts))
        return self._batch(body, headers)

    async def _aembed_batch(self, texts: list[str]) -> EmbeddingBatch:
        body, headers = await apost_json(self._sdk_clients().async_client, "/embeddings", self._body(texts))
        return self._batch(body, headers)

    def _map_error(self, error: BaseException) -> BaseException:
        return map_openai_error(error, self.provider, self.model)
