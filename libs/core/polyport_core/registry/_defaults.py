"""The model ``init_chat_model()`` builds when called without one.

``POLYPORT_PROVIDER`` / ``POLYPORT_MODEL`` name it; goose's ``GOOSE_PROVIDER`` /
``GOOSE_MODEL`` are read when neither polyport variable is set, so a goose user's
shell already picks the model. A provider without a model falls back to its
spec's ``default_model``.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

from polyport_core.errors import InvalidConfigError
from polyport_core.registry._discovery import Registry

__all__ = ["ENV_PAIRS", "default_target"]

ENV_PAIRS = (("POLYPORT_PROVIDER", "POLYPORT_MODEL"), ("GOOSE_PROVIDER", "GOOSE_MODEL"))


def default_target(
    registry: Registry, provider: str | None = None, env: Mapping[str, str] | None = None
) -> tuple[str, str | None]:
    """``(model, provider)`` for a call that named no model; raises naming what to set."""
    environ = os.environ if env is None else env
    source = "the call"
    if provider is None:
        for provider_var, model_var in ENV_PAIRS:
            env_provider = environ.get(provider_var, "").strip() or None
            env_model = environ.get(model_var, "").strip() or None
            if env_provider or env_model:
                if env_model:
                    if env_provider and env_model.startswith(f"{env_provider}:"):
                        env_model = env_model[len(env_provider) + 1 :]
                    return env_model, env_provider
                provider, source = env_provider, f"${provider_var}"
                break
    if provider is None:
        raise InvalidConfigError(
            "no model given: pass 'provider:model' (e.g. init_chat_model('groq:llama-3.1-8b-instant')), "
            "or set POLYPORT_PROVIDER and POLYPORT_MODEL (goose's GOOSE_PROVIDER/GOOSE_MODEL are read too), "
            "or set POLYPORT_PROVIDER to a provider whose file has a default_model"
        )
    spec = registry.get(provider)
    if spec.default_model:
        return spec.default_model, spec.id
    raise InvalidConfigError(
        f"no model given for provider {spec.id!r} (from {source}) and {spec.source or spec.id} has no "
        "default_model: name one ('provider:model'), set POLYPORT_MODEL, or add default_model to the file",
        provider=spec.id,
    )
