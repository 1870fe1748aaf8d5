"""Discovery and resolution of providers: presets, plugins, user and project spec folders.

``init_chat_model("groq:llama-3.1-8b-instant")`` returns the engine's partner
class configured from the provider's spec; ``list_models(..., live=True)``
merges what the server reports with what was declared.
"""

from polyport_core.registry._discovery import Registry, get_registry, project_paths, reload_registry, user_dir
from polyport_core.registry._engines import embeddings_class, engine_class
from polyport_core.registry._init import build_kwargs, init_chat_model, init_embeddings, split_model
from polyport_core.registry._listing import (
    ModelInfo,
    declared_price,
    fetch_live_models,
    list_models,
    list_providers,
)
from polyport_core.registry._plugins import PLUGIN_GROUP, ProviderPlugin

__all__ = [
    "PLUGIN_GROUP",
    "ModelInfo",
    "ProviderPlugin",
    "Registry",
    "build_kwargs",
    "declared_price",
    "embeddings_class",
    "engine_class",
    "fetch_live_models",
    "get_registry",
    "init_chat_model",
    "init_embeddings",
    "list_models",
    "list_providers",
    "project_paths",
    "reload_registry",
    "split_model",
    "user_dir",
]
