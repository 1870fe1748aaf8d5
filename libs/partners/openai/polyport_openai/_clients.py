"""Build the official openai SDK clients (imported lazily: the SDK costs ~0.8 s to import)."""

from __future__ import annotations

import os
from typing import Any

from polyport_core.auth import protect, reveal
from polyport_core.errors import InvalidConfigError
from polyport_core.transport import ClientPair, client_pair, model_http_options
from pydantic import SecretStr

__all__ = [
    "ClientPair",
    "client_kwargs",
    "connection_options",
    "fresh_async_http_client",
    "is_official_openai",
    "make_clients",
    "resolve_api_key",
    "sdk_http_client",
]

# Sent to servers that need no key (local servers): the SDK insists on one.
_NO_KEY = "no-key-required"


def resolve_api_key(api_key: SecretStr | None, base_url: str | None, provider: str, model: str) -> str:
    """The key to send; a placeholder for custom servers, a clear error for OpenAI itself."""
    if api_key is not None:
        return api_key.get_secret_value()
    from_env = os.environ.get("OPENAI_API_KEY")
    if from_env:
        return from_env
    if base_url:
        return _NO_KEY
    raise InvalidConfigError(
        "No API key: pass api_key= or set OPENAI_API_KEY", provider=provider, model=model
    )


def is_official_openai(base_url: str | None) -> bool:
    """Whether requests go to OpenAI itself (no custom ``base_url``), not a compatible server."""
    return not base_url or "api.openai.com" in base_url


def client_kwargs(owner: Any, model: str) -> dict[str, Any]:
    """Constructor kwargs shared by the sync and async clients of a chat model or embedder."""
    headers, query = reveal(owner.default_headers), reveal(owner.default_query)
    kwargs: dict[str, Any] = {
        "api_key": resolve_api_key(owner.api_key, owner.base_url, owner.provider, model),
        "base_url": owner.base_url,
        "organization": owner.organization,
        "max_retries": owner.max_retries,
        "default_headers": headers,
        "default_query": query,
    }
    protect(kwargs["api_key"])  # header/query credentials were registered when the fields validated
    if owner.timeout is not None:
        kwargs["timeout"] = owner.timeout
    return kwargs


def connection_options(owner: Any) -> dict[str, Any]:
    """httpx keywords of a model's SDK clients: its ``tls`` and its proxy (``openai_proxy``, else the
    provider file's ``proxy``); a proxy with the caller's own ``http_client`` is refused."""
    return model_http_options(owner, "openai_proxy")


def fresh_async_http_client(options: dict[str, Any]) -> Any:
    """The openai SDK's default async HTTP client (see ``client_pair``), with ``connection_options``."""
    import openai

    return openai.DefaultAsyncHttpxClient(**options)


def sdk_http_client(http_client: Any, options: dict[str, Any]) -> Any:
    """``http_client``, or the SDK's default sync client with ``options`` when there are any."""
    if http_client is not None or not options:
        return http_client
    import openai

    return openai.DefaultHttpxClient(**options)


def make_clients(
    kwargs: dict[str, Any], http_client: Any, http_async_client: Any, options: dict[str, Any]
) -> ClientPair:
    """A sync OpenAI client and per-loop async ones, from shared kwargs (``options``: the model's
    ``connection_options``, TLS and proxy, used unless the caller passes its own HTTP clients)."""
    import openai

    return client_pair(
        openai.OpenAI,
        openai.AsyncOpenAI,
        kwargs,
        http_client=sdk_http_client(http_client, options),
        http_async_client=http_async_client,
        default_async_http_client=lambda: fresh_async_http_client(options),
    )
