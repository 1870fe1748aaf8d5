"""Build the official openai SDK clients (imported lazily: the SDK costs ~0.8 s to import)."""

from __future__ import annotations

import os
import ssl
from typing import TYPE_CHECKING, Any

from polyport_core.auth import protect, reveal
from polyport_core.errors import InvalidConfigError
from polyport_core.transport import ClientPair, client_pair
from pydantic import SecretStr

if TYPE_CHECKING:
    pass

__all__ = [
    "ClientPair",
    "client_kwargs",
    "fresh_async_http_client",
    "is_official_openai",
    "make_clients",
    "resolve_api_key",
    "tls_http_client",
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


def _http_options(verify: ssl.SSLContext | bool, proxy: str | None) -> dict[str, Any]:
    options: dict[str, Any] = {} if verify is True else {"verify": verify}
    if proxy:
        options["proxy"] = proxy
    return options


def fresh_async_http_client(verify: ssl.SSLContext | bool = True, proxy: str | None = None) -> Any:
    """The openai SDK's default async HTTP client (see ``client_pair``), with the spec's TLS and a proxy."""
    import openai

    return openai.DefaultAsyncHttpxClient(**_http_options(verify, proxy))


def tls_http_client(http_client: Any, verify: ssl.SSLContext | bool, proxy: str | None = None) -> Any:
    """``http_client``, or the SDK's default sync client with ``verify``/``proxy`` when either is set."""
    options = _http_options(verify, proxy)
    if http_client is not None or not options:
        return http_client
    import openai

    return openai.DefaultHttpxClient(**options)


def make_clients(
    kwargs: dict[str, Any],
    http_client: Any,
    http_async_client: Any,
    verify: ssl.SSLContext | bool = True,
    proxy: str | None = None,
) -> ClientPair:
    """A sync OpenAI client and per-loop async ones, from shared kwargs (``verify``: the spec's TLS;
    ``proxy``: langchain-openai's ``openai_proxy``, ignored when the caller passes its own HTTP clients)."""
    import openai

    if proxy and (http_client is not None or http_async_client is not None):
        raise InvalidConfigError(
            "openai_proxy cannot be combined with http_client/http_async_client; set the proxy on those clients"
        )
    return client_pair(
        openai.OpenAI,
        openai.AsyncOpenAI,
        kwargs,
        http_client=tls_http_client(http_client, verify, proxy),
        http_async_client=http_async_client,
        default_async_http_client=lambda: fresh_async_http_client(verify, proxy),
    )
