"""Build the official openai SDK clients (imported lazily: the SDK costs ~0.8 s to import)."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

from polyport_core.errors import InvalidConfigError
from pydantic import SecretStr

if TYPE_CHECKING:
    import openai

__all__ = ["client_kwargs", "resolve_api_key"]

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


def client_kwargs(owner: Any, model: str) -> dict[str, Any]:
    """Constructor kwargs shared by the sync and async clients of a chat model or embedder."""
    kwargs: dict[str, Any] = {
        "api_key": resolve_api_key(owner.api_key, owner.base_url, owner._provider_id, model),
        "base_url": owner.base_url,
        "organization": owner.organization,
        "max_retries": owner.max_retries,
        "default_headers": owner.default_headers,
        "default_query": owner.default_query,
    }
    if owner.timeout is not None:
        kwargs["timeout"] = owner.timeout
    return kwargs


class ClientPair:
    """A sync client and one async client per event loop.

    An async connection pool is bound to the loop that opened it; scripts and
    notebooks that call ``asyncio.run`` repeatedly would otherwise reuse a pool
    whose loop is closed ("Event loop is closed").
    """

    __slots__ = ("_async", "_async_factory", "_loop", "sync")

    def __init__(self, sync: Any, async_factory: Any) -> None:
        self.sync = sync
        self._async_factory = async_factory
        self._async: Any = None
        self._loop: Any = None

    @property
    def async_client(self) -> Any:
        """The async client for the running loop."""
        import asyncio

        loop = asyncio.get_running_loop()
        if self._async is None or self._loop is not loop:
            self._async = self._async_factory()
            self._loop = loop
        return self._async


def fresh_async_http_client() -> Any:
    """The SDK's default async HTTP client, owned by us.

    The SDK's own wrapper closes its pool in ``__del__`` on whatever loop is
    running then, which fails loudly once the pool's loop has closed.
    """
    import openai

    return openai.DefaultAsyncHttpxClient()


def make_clients(kwargs: dict[str, Any], http_client: Any, http_async_client: Any) -> ClientPair:
    """A sync OpenAI client and a factory of async ones, from shared kwargs."""
    import openai

    def make_async() -> openai.AsyncOpenAI:
        return openai.AsyncOpenAI(**kwargs, http_client=http_async_client or fresh_async_http_client())

    return ClientPair(openai.OpenAI(**kwargs, http_client=http_client), make_async)
