"""What providers and models exist: declared, discovered live from ``/models``, and from the catalog."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import httpx
from langchain_core.language_models import ModelProfile

from polyport_core.auth import redact_url
from polyport_core.catalog import (
    Price,
    catalog_models,
    facts_for,
    price_for,
    profile_from_facts,
    set_declared_pricing_lookup,
)
from polyport_core.errors import PolyportError, ProviderUnavailableError, error_for_status
from polyport_core.registry._discovery import Registry, get_registry
from polyport_core.spec import ProviderSpec

__all__ = ["ModelInfo", "declared_price", "declared_source", "fetch_live_models", "list_models", "list_providers"]


@dataclass
class ModelInfo:
    """One model of a provider, with where we learned of it (``declared``/``discovered``/``catalog``)."""

    id: str
    provider: str
    source: str
    display_name: str | None = None
    profile: ModelProfile = field(default_factory=lambda: ModelProfile())
    price: Price = field(default_factory=Price)
    facts: dict[str, Any] = field(default_factory=dict)


def list_providers(*, include_disabled: bool = False, registry: Registry | None = None) -> list[ProviderSpec]:
    """Known provider specs, highest priority first."""
    return (registry or get_registry()).providers(include_disabled=include_disabled)


def list_models(
    provider: str, *, live: bool = False, registry: Registry | None = None, timeout: float = 10.0
) -> list[ModelInfo]:
    """Models of ``provider``. With ``live=True`` the server's model list is merged in.

    Facts: declared beat discovered beat catalog; a model only the server lists
    shows up as ``discovered``.
    """
    spec = (registry or get_registry()).get(provider)
    discovered = fetch_live_models(spec, timeout=timeout) if live else {}
    ids: dict[str, str] = {m: "catalog" for m in catalog_models(spec.id)}
    ids.update({m: "discovered" for m in discovered})
    ids.update({m.id: "declared" for m in spec.models})
    out = []
    for model_id, source in ids.items():
        declared = spec.model(model_id)
        facts = facts_for(spec.id, model_id, declared, discovered.get(model_id))
        out.append(
            ModelInfo(
                id=model_id,
                provider=spec.id,
                source=source,
                display_name=declared.display_name if declared else None,
                profile=profile_from_facts(facts),
                price=price_for(spec.id, model_id),
                facts=facts,
            )
        )
    order = {"declared": 0, "discovered": 1, "catalog": 2}
    return sorted(out, key=lambda m: (order[m.source], m.id))


def fetch_live_models(spec: ProviderSpec, *, timeout: float = 10.0) -> dict[str, dict[str, Any]]:
    """``{model_id: facts}`` from the server: OpenAI ``GET /models`` or Ollama ``GET /api/tags``.

    Headers, query and key are resolved as for a model (``{api_key}`` templates filled); the
    spec's ``tls`` and ``proxy`` apply as on the model's own requests.
    """
    from polyport_core.registry._build import SpecSettings

    settings = SpecSettings.resolve(spec, spec.default_model or "")
    headers = dict(settings.headers)
    key = settings.api_key
    if key is not None and spec.auth.type not in ("header", "query") and settings.http_auth is None:
        headers.setdefault("Authorization", f"Bearer {key.get_secret_value()}")
    params = dict(settings.query)
    if spec.engine == "ollama":
        url = f"{spec.base_url.removesuffix('/v1')}/api/tags"
    else:
        url = f"{spec.base_url}/models"
    try:
        with httpx.Client(timeout=timeout, auth=settings.http_auth, **settings.http_options()) as client:
            response = client.get(url, headers=headers, params=params)
    except httpx.HTTPError as exc:
        raise ProviderUnavailableError(
            f"cannot list models at {redact_url(url)}: {type(exc).__name__}", provider=spec.id
        ) from None
    if response.status_code >= 400:
        raise error_for_status(
            response.status_code,
            f"listing models at {redact_url(url)} failed",
            provider=spec.id,
            model=None,
        )
    try:
        payload = response.json()
    except ValueError:
        raise PolyportError(f"{redact_url(url)} did not return JSON", provider=spec.id) from None
    return _parse_models(payload)


def _parse_models(payload: Any) -> dict[str, dict[str, Any]]:
    items = payload.get("data") or payload.get("models") or [] if isinstance(payload, dict) else payload
    out: dict[str, dict[str, Any]] = {}
    for item in items if isinstance(items, list) else []:
        if not isinstance(item, dict):
            continue
        model_id = item.get("id") or item.get("name") or item.get("model")
        if not isinstance(model_id, str):
            continue
        facts: dict[str, Any] = {}
        window = item.get("context_length") or item.get("context_window") or item.get("max_model_len")
        if isinstance(window, int) and window > 0:
            facts["max_input_tokens"] = window
        out[model_id] = facts
    return out


_declared_cache: dict[tuple[str, str], tuple[ProviderSpec, Price | None]] = {}


def declared_price(provider: str, model: str) -> Price | None:
    """The price the process registry's spec for ``provider`` declares for ``model`` (provenance ``spec``)."""
    spec = get_registry().specs.get(provider)
    if spec is None:
        return None
    key = (provider, model)
    cached = _declared_cache.get(key)
    if cached is not None and cached[0] is spec:  # a reloaded or replaced spec is a new object
        return cached[1]
    declared = spec.model(model)
    price = None
    if declared is not None and declared.pricing is not None:
        price = Price.from_mapping(declared.pricing.model_dump(exclude={"currency"}), "spec")
    if len(_declared_cache) > 4096:
        _declared_cache.clear()
    _declared_cache[key] = (spec, price)
    return price


def declared_source(provider: str) -> str | None:
    """The file (or preset/plugin) the process registry loaded ``provider``'s spec from."""
    spec = get_registry().specs.get(provider)
    return (spec.source or None) if spec is not None else None


# The registry feeds spec-declared prices into the catalog's one lookup (the catalog never imports us).
set_declared_pricing_lookup(declared_price, declared_source)
