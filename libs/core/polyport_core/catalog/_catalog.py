"""Known facts about well-known models, from a versioned data file in the package.

The file is read lazily on first lookup and never fetched from the network.
"""

from __future__ import annotations

import json
from functools import lru_cache
from importlib.resources import files
from typing import Any

from langchain_core.language_models import ModelProfile

__all__ = ["catalog_entry", "catalog_models", "catalog_version", "exact_entry", "profile_from_facts"]

_PROFILE_KEYS = frozenset(ModelProfile.__annotations__)


@lru_cache(maxsize=1)
def _load() -> dict[str, Any]:
    raw = files("polyport_core.catalog").joinpath("data/models.json").read_text(encoding="utf-8")
    data: dict[str, Any] = json.loads(raw)
    return data


def catalog_version() -> str:
    """Version (date) of the shipped catalog data file."""
    return str(_load()["version"])


def exact_entry(key: str) -> dict[str, Any] | None:
    """The entry stored under exactly ``provider/model`` (prices are per host, never guessed)."""
    entry: dict[str, Any] | None = _load()["models"].get(key)
    return entry


def catalog_models(provider: str) -> list[str]:
    """Model ids the catalog lists for ``provider``."""
    prefix = f"{provider}/"
    return [key[len(prefix) :] for key in _load()["models"] if key.startswith(prefix)]


def catalog_entry(model: str, provider: str | None = None) -> dict[str, Any] | None:
    """Catalog facts for ``model`` (optionally qualified by ``provider``), or None."""
    models: dict[str, dict[str, Any]] = _load()["models"]
    bare = model.rsplit("/", 1)[-1] if provider is None else model
    candidates = [f"{provider}/{model}"] if provider else []
    candidates.append(model)
    for key in candidates:
        if key in models:
            return models[key]
    for key, entry in models.items():
        if key.rsplit("/", 1)[-1] == bare:
            return entry
    return None


def profile_from_facts(facts: dict[str, Any]) -> ModelProfile:
    """A langchain-core ``ModelProfile`` from a facts dict (keys outside the profile dropped)."""
    profile: dict[str, Any] = {k: v for k, v in facts.items() if k in _PROFILE_KEYS}
    profile.setdefault("text_inputs", True)
    profile.setdefault("text_outputs", True)
    result: ModelProfile = ModelProfile(**profile)  # type: ignore[typeddict-item]
    return result
