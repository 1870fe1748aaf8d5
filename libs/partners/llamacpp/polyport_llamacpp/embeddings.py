"""``LlamaCppEmbeddings``: ``llama-server``'s native ``/embedding`` endpoint."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any, ClassVar, Self

from langchain_core.utils.utils import secret_from_env
from polyport_core.adapters import AdapterEmbeddings, HTTPAdapter
from polyport_core.auth import RedactedURL
from pydantic import Field, SecretStr, field_validator

from polyport_llamacpp._adapter import LlamaCppAdapter
from polyport_llamacpp.chat_models import DEFAULT_BASE_URL, _root

if TYPE_CHECKING:
    from polyport_core.spec import ProviderSpec

__all__ = ["LlamaCppEmbeddings"]


class LlamaCppEmbeddings(AdapterEmbeddings):
    """Embeddings from a ``llama-server`` started with ``--embeddings --pooling mean`` (or cls/last).

    Example:
        ```python
        emb = LlamaCppEmbeddings(model="gemma", base_url="http://127.0.0.1:8080")
        emb.embed_query("hello")
        ```
    """

    adapter_class: ClassVar[type[HTTPAdapter]] = LlamaCppAdapter

    model: str = "default"
    """Informational: a plain llama-server embeds with the model it loaded."""
    base_url: RedactedURL = Field(
        default_factory=lambda: _root(os.environ.get("LLAMACPP_BASE_URL") or DEFAULT_BASE_URL), validate_default=True
    )
    api_key: SecretStr | None = Field(default_factory=secret_from_env("LLAMACPP_API_KEY", default=None))

    _validate_base_url = field_validator("base_url", mode="before")(lambda cls, value: _root(value))

    @classmethod
    def from_spec(cls, spec: ProviderSpec, model: str, **overrides: Any) -> Self:
        """A ``LlamaCppEmbeddings`` for the server a provider spec describes (``overrides`` win)."""
        from polyport_core.registry import SpecSettings

        settings = SpecSettings.resolve(spec, model, overrides)
        kwargs = {**settings.common(chat=False), **settings.adapter_connection()}
        return settings.build(cls, kwargs, params=False)
