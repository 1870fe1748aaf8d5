"""``init_chat_model`` / ``init_embeddings``: a spec plus a model id → a configured partner object."""

from __future__ import annotations

from typing import Any

from pydantic import SecretStr

from polyport_core.auth import build_auth
from polyport_core.catalog import profile_for
from polyport_core.errors import InvalidConfigError
from polyport_core.registry._discovery import Registry, get_registry
from polyport_core.registry._engines import embeddings_class, engine_class, filter_kwargs
from polyport_core.spec import ProviderSpec

__all__ = ["build_kwargs", "init_chat_model", "init_embeddings", "split_model"]

_NO_KEY = SecretStr("polyport-no-key")
"""Sent when a server needs no key, so an SDK never falls back to e.g. $OPENAI_API_KEY."""


def split_model(model: str, provider: str | None = None, registry: Registry | None = None) -> tuple[str, str]:
    """``"provider:model"`` or ``"provider/model"`` → ``(provider, model)``.

    The model part may itself contain ``/`` or ``:`` (``together:meta-llama/...``,
    ``ollama:llama3:8b``); the provider is the part before the first separator.
    """
    if provider:
        return provider, model
    known = (registry or get_registry()).specs
    for sep in (":", "/"):
        head, found, tail = model.partition(sep)
        if found and head in known and tail:
            return head, tail
    head, found, tail = model.partition(":")
    if found and head and tail and "/" not in head:
        return head, tail  # unknown provider: let the registry say so
    raise InvalidConfigError(f"expected 'provider:model' (e.g. 'groq:llama-3.1-8b-instant'), found {model!r}")


def build_kwargs(spec: ProviderSpec, model: str, *, for_embeddings: bool = False) -> dict[str, Any]:
    """Every keyword an engine might take, from the spec (filtered per engine later)."""
    declared = spec.model(model)
    auth = build_auth(spec.auth, provider=spec.id)
    key = auth.api_key
    headers = {
        name: value.replace("{api_key}", key.get_secret_value() if key else "")
        for name, value in spec.headers.items()
    }
    headers.update(auth.headers)
    query = {**spec.query_params, **auth.query}
    kwargs: dict[str, Any] = {
        "model": model,
        "provider": spec.id,
        "base_url": spec.base_url,
        "api_key": key or _NO_KEY,
    }
    if headers:
        kwargs["default_headers"] = headers
    if query:
        kwargs["default_query"] = query
    if spec.timeout is not None:
        kwargs["timeout"] = spec.timeout
    if spec.max_retries is not None:
        kwargs["max_retries"] = spec.max_retries
    if for_embeddings:
        if declared and declared.dimensions:
            kwargs["dimensions"] = declared.dimensions
        return kwargs
    kwargs["profile"] = profile_for(spec.id, model, declared)
    quirks = spec.quirks.merged(declared.quirks if declared else None)
    kwargs["drop_params"] = list(quirks.drop_params)
    kwargs["unsupported_tool_choice"] = list(quirks.unsupported_tool_choice)
    for name in ("developer_as_system", "send_reasoning", "stream_usage", "forced_tool_calls"):
        value = getattr(quirks, name)
        if value is not None:
            kwargs[name] = value
    if spec.engine == "ollama":
        kwargs["base_url"] = spec.base_url.removesuffix("/v1")
        if declared and declared.context_window:
            kwargs["num_ctx"] = declared.context_window
    if spec.engine == "anthropic":
        kwargs["base_url"] = spec.base_url.removesuffix("/v1")
    if spec.http is not None:
        kwargs["http"] = spec.http  # the declarative http engine's template
    kwargs["_params"] = {**spec.default_params, **(declared.default_params if declared else {})}
    return kwargs


def _instantiate(
    cls: type[Any], kwargs: dict[str, Any], overrides: dict[str, Any], spec: ProviderSpec
) -> Any:
    params: dict[str, Any] = kwargs.pop("_params", {})
    accepted = filter_kwargs(cls, {**kwargs, **params})
    extra = {k: v for k, v in params.items() if k not in accepted}
    if extra and "model_kwargs" in filter_kwargs(cls, {"model_kwargs": 1}):
        accepted["model_kwargs"] = {**extra, **accepted.get("model_kwargs", {})}
    accepted.update(overrides)
    try:
        return cls(**accepted)
    except (TypeError, ValueError) as exc:
        first = str(exc).splitlines()[0:3]
        raise InvalidConfigError(
            f"{cls.__name__} rejected the configuration from {spec.source or spec.id}: {' '.join(first)}",
            provider=spec.id,
            model=str(kwargs.get("model")),
        ) from None


def init_chat_model(
    model: str, *, provider: str | None = None, registry: Registry | None = None, **overrides: Any
) -> Any:
    """A LangChain chat model for ``"provider:model"``, configured from its provider spec.

    ``overrides`` are passed to the engine class last (e.g. ``temperature=0``,
    ``max_tokens=128``, ``call_hooks=...``).
    """
    registry = registry or get_registry()
    provider_id, model_id = split_model(model, provider, registry)
    spec = registry.get(provider_id)
    if not spec.enabled:
        raise InvalidConfigError(f"provider {spec.id!r} is disabled (enabled: false in {spec.source})")
    cls = engine_class(spec.engine, provider=spec.id)
    return _instantiate(cls, build_kwargs(spec, model_id), overrides, spec)


def init_embeddings(
    model: str, *, provider: str | None = None, registry: Registry | None = None, **overrides: Any
) -> Any:
    """A LangChain ``Embeddings`` for ``"provider:model"``, configured from its provider spec."""
    registry = registry or get_registry()
    provider_id, model_id = split_model(model, provider, registry)
    spec = registry.get(provider_id)
    cls = embeddings_class(spec.engine, provider=spec.id)
    return _instantiate(cls, build_kwargs(spec, model_id, for_embeddings=True), overrides, spec)
