"""Engines (partner classes) by name.

Engines are found through the ``polyport.engines`` entry-point group; core
never imports a partner by name. Each engine class builds itself from a spec
with its ``from_spec`` classmethod (see ``SpecSettings``).
"""

from __future__ import annotations

import importlib
import inspect
from importlib.metadata import entry_points
from typing import Any

from polyport_core.errors import InvalidConfigError

__all__ = ["EMBEDDINGS_GROUP", "ENGINE_GROUP", "embeddings_class", "engine_class"]

ENGINE_GROUP = "polyport.engines"
EMBEDDINGS_GROUP = "polyport.embeddings"
_PACKAGES = {"openai": "polyport-openai", "anthropic": "polyport-anthropic", "ollama": "polyport-ollama"}


def _package(engine: str) -> str:
    return _PACKAGES.get(engine, f"polyport-{engine}")


def engine_class(engine: str, *, provider: str | None = None) -> type[Any]:
    """The chat class registered for ``engine``; says which package to install when missing."""
    eps = [ep for ep in entry_points(group=ENGINE_GROUP) if ep.name == engine]
    install = f"pip install {_package(engine)}"
    if not eps:
        raise InvalidConfigError(f"engine {engine!r} is not installed; {install}", provider=provider)
    try:
        cls = eps[0].load()
    except (ImportError, AttributeError) as exc:
        raise InvalidConfigError(
            f"engine {engine!r} ({eps[0].value}) failed to import ({type(exc).__name__}: {exc}); "
            f"reinstall it: {install}",
            provider=provider,
        ) from None
    if not inspect.isclass(cls):
        raise InvalidConfigError(f"engine {engine!r} entry point is not a class", provider=provider)
    return cls


def embeddings_class(engine: str, *, provider: str | None = None) -> type[Any]:
    """The embeddings class for ``engine``: ``polyport.embeddings`` entry point, else
    the ``*Embeddings`` class exported next to the engine's chat class."""
    eps = [ep for ep in entry_points(group=EMBEDDINGS_GROUP) if ep.name == engine]
    if eps:
        loaded: type[Any] = eps[0].load()
        return loaded
    chat = engine_class(engine, provider=provider)
    module = importlib.import_module(chat.__module__.split(".")[0])
    names = [n for n in getattr(module, "__all__", dir(module)) if n.endswith("Embeddings")]
    twin = chat.__name__.removeprefix("Chat") + "Embeddings"  # ChatOpenAI -> OpenAIEmbeddings, not Azure*
    names.sort(key=lambda n: n != twin)
    if not names:
        raise InvalidConfigError(f"engine {engine!r} offers no embeddings class", provider=provider)
    found: type[Any] = getattr(module, names[0])
    return found
