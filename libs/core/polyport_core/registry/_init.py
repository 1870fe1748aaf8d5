"""``init_chat_model`` / ``init_embeddings``: a model string → a configured, governed partner object.

Resolution: ``"provider:model"`` (or ``model_provider=``) names one provider; a
bare model id goes to every enabled provider that declares it, in priority
order (a ``FallbackChatModel`` when several do); a list is a fallback chain in
the given order. Each engine class builds itself (``from_spec``); the registry
only adds the provider's shared default governance.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping, Sequence
from typing import Any

from langchain_core.embeddings import Embeddings
from langchain_core.language_models import BaseChatModel

from polyport_core.errors import InvalidConfigError
from polyport_core.registry._build import accepted_fields
from polyport_core.registry._defaults import default_target
from polyport_core.registry._discovery import Registry, get_registry
from polyport_core.registry._engines import embeddings_class, engine_class
from polyport_core.registry._governance import default_hooks
from polyport_core.spec import ProviderSpec

__all__ = ["init_chat_model", "init_embeddings", "resolve_model", "split_model"]

Target = tuple[ProviderSpec, str]


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


def resolve_model(
    model: str | Sequence[str], provider: str | None = None, registry: Registry | None = None
) -> list[Target]:
    """The (spec, model id) pairs a model string (or list of them) stands for, in fallback order.

    ``"p:m"`` → that provider; a bare id → every enabled provider declaring it,
    highest ``priority`` first (ties by id); a list → each entry in turn.
    """
    registry = registry or get_registry()
    entries = [model] if isinstance(model, str) else list(model)
    if not entries:
        raise InvalidConfigError("expected a model string or a non-empty list of them, found an empty list")
    targets: list[Target] = []
    for entry in entries:
        if not isinstance(entry, str):
            raise InvalidConfigError(f"expected model strings like 'groq:llama-3.1-8b-instant', found {entry!r}")
        for spec, model_id in _resolve_one(entry, provider, registry):
            if not any(s.id == spec.id and m == model_id for s, m in targets):
                targets.append((spec, model_id))
    return targets


def _resolve_one(model: str, provider: str | None, registry: Registry) -> list[Target]:
    if provider:
        return [(registry.get(provider), model)]
    for sep in (":", "/"):
        head, found, tail = model.partition(sep)
        if found and head in registry.specs and tail:
            return [(registry.get(head), tail)]
    declaring = [spec for spec in registry.providers() if spec.model(model) is not None]
    if declaring:
        return [(spec, model) for spec in declaring]
    head, found, tail = model.partition(":")
    if found and head and tail and "/" not in head:
        return [(registry.get(head), tail)]  # a plugin may resolve it; else "unknown provider"
    raise _unknown_model(model, registry)


def _unknown_model(model: str, registry: Registry) -> InvalidConfigError:
    declared: dict[str, list[str]] = {}
    for spec in registry.providers():
        for entry in spec.models:
            declared.setdefault(entry.id.lower(), []).append(f"{spec.id}:{entry.id}")
    close = difflib.get_close_matches(model.lower(), list(declared), n=5, cutoff=0.6)
    similar = [name for key in close for name in declared[key]]
    disabled = [s.id for s in registry.providers(include_disabled=True) if not s.enabled and s.model(model)]
    message = f"no enabled provider declares the model {model!r}"
    if disabled:
        message += f" (declared by disabled provider {', '.join(disabled)})"
    if similar:
        message += f"; similar declared models: {', '.join(similar)}"
    message += "; or name the provider: 'provider:model' (e.g. 'groq:llama-3.1-8b-instant')"
    return InvalidConfigError(message, model=model)


def _provider_arg(model_provider: str | None, provider: str | None) -> str | None:
    if model_provider and provider and model_provider != provider:
        raise InvalidConfigError(
            f"model_provider={model_provider!r} and provider={provider!r} disagree; pass one of them"
        )
    return model_provider or provider


def _enabled(spec: ProviderSpec) -> ProviderSpec:
    if not spec.enabled:
        raise InvalidConfigError(
            f"provider {spec.id!r} is disabled (enabled: false in {spec.source or spec.id})", provider=spec.id
        )
    return spec


def _allowed(spec: ProviderSpec, model: str) -> None:
    """Refuse a model id outside the provider's ``allowed_models`` (before anything is built or sent)."""
    if not spec.allows(model):
        allowed = ", ".join(spec.allowed_models or []) or "none"
        raise InvalidConfigError(
            f"model {model!r} is not allowed for provider {spec.id!r}: allowed_models in "
            f"{spec.source or spec.id} lists {allowed}",
            provider=spec.id,
            model=model,
        )


def _with_governance(
    cls: type[Any], spec: ProviderSpec, registry: Registry, governance: bool, overrides: Mapping[str, Any]
) -> dict[str, Any]:
    """``overrides`` plus the provider's shared default governance, unless opted out or the
    caller brings their own ``call_hooks`` (or the class has no governance seam yet)."""
    kwargs = dict(overrides)
    if governance and "call_hooks" not in kwargs and "call_hooks" in accepted_fields(cls):
        kwargs["call_hooks"] = default_hooks(spec, registry)
    return kwargs


def _from_spec(cls: type[Any], spec: ProviderSpec, model: str, kwargs: dict[str, Any], kind: type[Any]) -> Any:
    builder = getattr(cls, "from_spec", None)
    if not callable(builder):
        raise InvalidConfigError(
            f"engine {spec.engine!r} ({cls.__module__}.{cls.__qualname__}) has no "
            "from_spec(spec, model, **overrides) classmethod, so it cannot be built from a provider spec",
            provider=spec.id,
            model=model,
        )
    built = builder(spec, model, **kwargs)
    if not isinstance(built, kind):
        raise InvalidConfigError(
            f"engine {spec.engine!r}: {cls.__qualname__}.from_spec returned {type(built).__name__}, "
            f"not a {kind.__name__}",
            provider=spec.id,
            model=model,
        )
    return built


def _chat(
    spec: ProviderSpec, model: str, registry: Registry, governance: bool, overrides: Mapping[str, Any]
) -> BaseChatModel:
    cls = engine_class(_enabled(spec).engine, provider=spec.id)
    _allowed(spec, model)
    kwargs = _with_governance(cls, spec, registry, governance, overrides)
    chat: BaseChatModel = _from_spec(cls, spec, model, kwargs, BaseChatModel)
    return chat


def init_chat_model(
    model: str | Sequence[str] | None = None,
    *,
    model_provider: str | None = None,
    provider: str | None = None,
    registry: Registry | None = None,
    governance: bool = True,
    **overrides: Any,
) -> BaseChatModel:
    """A LangChain chat model for ``"provider:model"``, configured and governed from its provider spec.

    ``model`` may be ``"provider:model"``, a model id with ``model_provider=``
    (as in ``langchain.chat_models.init_chat_model``), a bare model id (every
    enabled provider declaring it, by priority: a ``FallbackChatModel`` when
    several do) or a list of them (a fallback chain in that order).

    ``overrides`` go to the engine class last (``temperature=0``, ``max_tokens=128``);
    ``api_key=`` and ``base_url=`` replace the spec's (no environment variable needed).
    Every model gets its provider's shared default governance (the spec's limits,
    budget, pricing, ledger) unless ``governance=False`` or ``call_hooks=`` is given.

    Without ``model``: ``$POLYPORT_MODEL`` / ``$POLYPORT_PROVIDER`` (else goose's
    ``$GOOSE_MODEL`` / ``$GOOSE_PROVIDER``), and a provider's ``default_model``.
    """
    registry = registry or get_registry()
    chosen = _provider_arg(model_provider, provider)
    if model is None:
        model, chosen = default_target(registry, chosen)
    targets = resolve_model(model, chosen, registry)
    members = [_chat(spec, model_id, registry, governance, overrides) for spec, model_id in targets]
    if len(members) == 1:
        return members[0]
    from polyport_core.routing import FallbackChatModel

    return FallbackChatModel(models=members)


def init_embeddings(
    model: str,
    *,
    model_provider: str | None = None,
    provider: str | None = None,
    registry: Registry | None = None,
    governance: bool = True,
    **overrides: Any,
) -> Embeddings:
    """A LangChain ``Embeddings`` for ``"provider:model"``, configured and governed from its provider spec.

    A bare model id goes to the highest-priority enabled provider declaring it.
    ``governance`` and ``overrides`` work as for ``init_chat_model``.
    """
    registry = registry or get_registry()
    spec, model_id = resolve_model(model, _provider_arg(model_provider, provider), registry)[0]
    cls = embeddings_class(_enabled(spec).engine, provider=spec.id)
    _allowed(spec, model_id)
    kwargs = _with_governance(cls, spec, registry, governance, overrides)
    embedder: Embeddings = _from_spec(cls, spec, model_id, kwargs, Embeddings)
    return embedder
