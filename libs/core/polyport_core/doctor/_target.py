"""What the doctor checks: one provider and model, and how to build its LangChain objects.

Built from the registry (``DoctorTarget.from_registry("local:gemma")``) so the
doctor exercises exactly what ``init_chat_model`` gives users. ``overrides`` go
to every chat model (e.g. an ``http_client`` in tests); the doctor always adds
temperature 0, a small ``max_tokens`` and no retries, so checks are cheap and a
rejected key fails at once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from langchain_core.embeddings import Embeddings
from langchain_core.language_models import BaseChatModel
from pydantic import SecretStr

from polyport_core.auth import build_auth
from polyport_core.errors import PolyportError
from polyport_core.registry import (
    Registry,
    fetch_live_models,
    get_registry,
    init_chat_model,
    init_embeddings,
    split_model,
)
from polyport_core.spec import ProviderSpec

__all__ = ["BAD_KEY", "UNKNOWN_MODEL", "DoctorTarget", "resolve_target"]

BAD_KEY = "polyport-doctor-invalid-key"
UNKNOWN_MODEL = "polyport-doctor-no-such-model"


@dataclass
class DoctorTarget:
    """A provider spec plus a model id, and factories for the objects the checks call."""

    spec: ProviderSpec
    model: str
    registry: Registry
    max_tokens: int = 64
    timeout: float = 60.0
    overrides: dict[str, Any] = field(default_factory=dict)
    """Extra constructor arguments for every chat model (tests pass an ``http_client``)."""
    embeddings_overrides: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_registry(cls, target: str, registry: Registry | None = None, **kwargs: Any) -> DoctorTarget:
        """``"provider[:model]"`` resolved against ``registry`` (the default one if omitted)."""
        registry = registry or get_registry()
        provider, model = resolve_target(target, registry)
        return cls(spec=registry.get(provider), model=model, registry=registry, **kwargs)

    @property
    def provider(self) -> str:
        """The provider id."""
        return self.spec.id

    def _defaults(self) -> dict[str, Any]:
        return {
            "temperature": 0,
            "max_tokens": self.max_tokens,
            "max_retries": 0,
            "timeout": self.timeout,
            **self.overrides,
        }

    def chat(self, model: str | None = None, **overrides: Any) -> BaseChatModel:
        """A chat model for this provider (``model`` defaults to the target's)."""
        kwargs = {**self._defaults(), **overrides}
        chat: BaseChatModel = init_chat_model(
            model or self.model, provider=self.provider, registry=self.registry, **kwargs
        )
        return chat

    def needs_key(self) -> bool:
        """Whether the provider declares an authentication scheme with a key to get wrong."""
        return self.spec.auth.type != "none"

    def has_key(self) -> bool:
        """Whether a credential is actually there to send (an ``api_key=`` override, or the spec's
        key, header or token resolving now); an optional key that is not set is not one."""
        if self.overrides.get("api_key"):
            return True
        try:
            material = build_auth(self.spec.auth, provider=self.provider, proxy=self.spec.proxy)
        except PolyportError:
            return False
        return bool(material.api_key is not None or material.headers or material.query or material.httpx_auth)

    def bad_key_chat(self, **extra: Any) -> BaseChatModel:
        """A chat model sending an invalid key everywhere the real key would go."""
        real = build_auth(self.spec.auth, provider=self.provider, proxy=self.spec.proxy).api_key
        secret = real.get_secret_value() if real is not None else None
        overrides: dict[str, Any] = {"api_key": SecretStr(BAD_KEY)}
        if secret:
            for name in ("default_headers", "default_query"):
                base = self.overrides.get(name) or _spec_mapping(self.spec, name)
                if base:
                    overrides[name] = {k: str(v).replace(secret, BAD_KEY) for k, v in base.items()}
        return self.chat(**overrides, **extra)

    def embeddings(self) -> Embeddings:
        """The provider's embeddings object for this model (raises when the engine has none)."""
        kwargs = {"max_retries": 0, **self.embeddings_overrides}
        emb: Embeddings = init_embeddings(self.model, provider=self.provider, registry=self.registry, **kwargs)
        return emb

    def live_models(self) -> list[str]:
        """Model ids the server lists (OpenAI ``/models`` or Ollama ``/api/tags``)."""
        return sorted(fetch_live_models(self.spec, timeout=self.timeout))


def _spec_mapping(spec: ProviderSpec, name: str) -> dict[str, str]:
    from polyport_core.registry import SpecSettings

    settings = SpecSettings.resolve(spec, "x")
    return dict(settings.headers if name == "default_headers" else settings.query)


def resolve_target(target: str, registry: Registry) -> tuple[str, str]:
    """``provider:model`` → both; ``provider`` alone → its first declared model, else the first
    model the server lists."""
    if target in registry.specs or (":" not in target and "/" not in target):
        spec = registry.get(target)
        if spec.models:
            return spec.id, spec.models[0].id
        live = sorted(fetch_live_models(spec))
        if not live:
            from polyport_core.errors import InvalidConfigError

            raise InvalidConfigError(
                f"provider {spec.id!r} declares no models and its server lists none; "
                f"name one: polyport test {spec.id}:MODEL",
                provider=spec.id,
            )
        return spec.id, live[0]
    return split_model(target, registry=registry)
