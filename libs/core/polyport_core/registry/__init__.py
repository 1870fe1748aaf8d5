"""Discovery and resolution of providers: presets, plugins, user and project spec folders.

``init_chat_model("groq:llama-3.1-8b-instant")`` returns the engine's partner
class built from the provider's spec (its ``from_spec``), governed by the
spec's limits, budget and pricing; ``list_models(..., live=True)`` merges what
the server reports with what was declared. ``SpecSettings`` is the shared half
of every engine's ``from_spec``.
"""

from polyport_core.registry._build import NO_KEY, QUIRK_NAMES, SpecSettings, accepted_fields
from polyport_core.registry._discovery import (
    Registry,
    get_registry,
    goose_dir,
    project_paths,
    reload_registry,
    user_dir,
)
from polyport_core.registry._engines import embeddings_class, engine_class
from polyport_core.registry._init import init_chat_model, init_embeddings, resolve_model, split_model
from polyport_core.registry._listing import (
    ModelInfo,
    declared_price,
    fetch_live_models,
    list_models,
    list_providers,
)
from polyport_core.registry._patching import patch_provider
from polyport_core.registry._plugins import PLUGIN_GROUP, ProviderPlugin
from polyport_core.registry._presets import ollama_host

__all__ = [
    "NO_KEY",
    "PLUGIN_GROUP",
    "QUIRK_NAMES",
    "ModelInfo",
    "ProviderPlugin",
    "Registry",
    "SpecSettings",
    "accepted_fields",
    "declared_price",
    "embeddings_class",
    "engine_class",
    "fetch_live_models",
    "get_registry",
    "goose_dir",
    "init_chat_model",
    "init_embeddings",
    "list_models",
    "list_providers",
    "ollama_host",
    "patch_provider",
    "project_paths",
    "reload_registry",
    "resolve_model",
    "split_model",
    "user_dir",
]
