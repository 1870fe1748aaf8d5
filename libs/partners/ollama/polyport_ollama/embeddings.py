"""``OllamaEmbeddings``: Ollama's ``/api/embed`` on the official ollama SDK."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any, ClassVar, Self

from polyport_core.auth import RedactedURL, SecretHeaders
from polyport_core.chat import ParamRoute, apply_param_routes
from polyport_core.embeddings import EmbeddingBatch, ProviderEmbeddings
from pydantic import Field, PrivateAttr, model_validator

from polyport_ollama._clients import ollama_clients
from polyport_ollama._errors import map_ollama_error
from polyport_ollama._params import EMBEDDINGS_ROUTES

if TYPE_CHECKING:
    from polyport_core.spec import ProviderSpec

__all__ = ["OllamaEmbeddings"]


class OllamaEmbeddings(ProviderEmbeddings):
    """Embeddings from an Ollama server (batched ``/api/embed`` calls).

    Example:
        ```python
        emb = OllamaEmbeddings(model="nomic-embed-text")
        emb.embed_query("hello")
        ```
    """

    base_url: RedactedURL = Field(
        default_factory=lambda: os.environ.get("OLLAMA_HOST") or "http://127.0.0.1:11434", validate_default=True
    )
    headers: SecretHeaders | None = Field(default=None, repr=False)
    keep_alive: float | str | None = None
    truncate: bool | None = None
    dimensions: int | None = None
    options: dict[str, Any] | None = None
    """Ollama runtime options for the embedding model (``num_ctx``, ``num_thread``, ...)."""
    client_kwargs: dict[str, Any] | None = Field(default=None, repr=False, exclude=True)
    """Extra ``ollama.Client``/``AsyncClient`` keywords (passed on to httpx), as in langchain-ollama;
    kept out of repr and dumps (they may carry headers or auth)."""
    sync_client_kwargs: dict[str, Any] | None = Field(default=None, repr=False, exclude=True)
    """Keywords for the sync client only (over ``client_kwargs``)."""
    async_client_kwargs: dict[str, Any] | None = Field(default=None, repr=False, exclude=True)
    """Keywords for the async client only (over ``client_kwargs``)."""

    _param_routes: ClassVar[dict[str, ParamRoute]] = EMBEDDINGS_ROUTES

    @model_validator(mode="before")
    @classmethod
    def _langchain_keywords(cls, values: Any) -> Any:
        """langchain-ollama's keywords work the same or are refused by name (never dropped)."""
        return apply_param_routes(cls, values)
    _clients: tuple[Any, Any] | None = PrivateAttr(default=None)

    @classmethod
    def from_spec(cls, spec: ProviderSpec, model: str, **overrides: Any) -> Self:
        """An ``OllamaEmbeddings`` for ``model`` as the provider spec describes it (``overrides`` win).

        Like ``ChatOllama.from_spec``: server root, key as a bearer header, TLS and proxy,
        declared ``dimensions``. The spec's ``timeout``/``max_retries`` do not apply (the ollama
        client's own defaults).
        """
        from polyport_core.registry import SpecSettings

        from polyport_ollama.chat_models import _server_kwargs

        settings = SpecSettings.resolve(spec, model, overrides)
        settings.reject_query("ollama")
        kwargs: dict[str, Any] = {
            "model": model,
            "provider": spec.id,
            **settings.connection(),
            **_server_kwargs(settings),
        }
        if settings.declared is not None and settings.declared.dimensions:
            kwargs["dimensions"] = settings.declared.dimensions
        return settings.build(cls, kwargs, params=False)

    def _sdk_clients(self) -> tuple[Any, Any]:
        if self._clients is None:
            self._clients = ollama_clients(
                host=self.base_url,
                headers=self.headers,
                provider=self.provider,
                tls=self.tls,
                proxy=self.proxy,
                timeout=None,  # the ollama client's own default, as langchain-ollama
                client_kwargs=self.client_kwargs,
                sync_client_kwargs=self.sync_client_kwargs,
                async_client_kwargs=self.async_client_kwargs,
            )
        return self._clients

    def _body(self, texts: list[str]) -> dict[str, Any]:
        body: dict[str, Any] = {"model": self.model, "input": texts}
        for key in ("keep_alive", "truncate", "dimensions", "options"):
            value = getattr(self, key)
            if value is not None:
                body[key] = value
        return body

    @staticmethod
    def _batch(result: dict[str, Any]) -> EmbeddingBatch:
        """Vectors plus ``prompt_eval_count`` (the tokens Ollama embedded), when reported."""
        tokens = result.get("prompt_eval_count")
        return EmbeddingBatch(list(result["embeddings"]), tokens if isinstance(tokens, int) else None)

    def _embed_batch(self, texts: list[str]) -> EmbeddingBatch:
        result = self._sdk_clients()[0]._request(dict, "POST", "/api/embed", json=self._body(texts))
        return self._batch(result)

    async def _aembed_batch(self, texts: list[str]) -> EmbeddingBatch:
        result = await self._sdk_clients()[1]._request(dict, "POST", "/api/embed", json=self._body(texts))
        return self._batch(result)

    def _map_error(self, error: BaseException) -> BaseException:
        return map_ollama_error(error, self.provider, self.model, self.base_url)
