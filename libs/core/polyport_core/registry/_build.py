"""The half of ``from_spec`` every engine shares: a spec plus a model id, resolved once.

Each engine class owns a ``from_spec(spec, model, **overrides)`` classmethod
(so adding an engine touches only its package); what they all need — the key,
headers and query from ``auth``, timeout, retries, the model profile, default
parameters, the quirks it must honour — is resolved here, the same way for all.
"""

from __future__ import annotations

import os
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

import httpx
from pydantic import BaseModel, SecretStr, ValidationError

from polyport_core.auth import build_auth
from polyport_core.catalog import profile_for
from polyport_core.errors import InvalidConfigError
from polyport_core.spec import AuthSpec, ModelSpec, ProviderSpec, QuirksSpec

__all__ = ["NO_KEY", "QUIRK_NAMES", "SpecSettings", "accepted_fields"]

T = TypeVar("T")

NO_KEY = SecretStr("polyport-no-key")
"""Sent when a server needs no key, so an SDK never falls back to e.g. ``$OPENAI_API_KEY``."""

QUIRK_NAMES: tuple[str, ...] = tuple(QuirksSpec.model_fields)
"""Every quirk a spec may declare; each engine names the ones it implements."""

_OVERRIDE_ENV = "POLYPORT_API_KEY_OVERRIDE"
_KEYLESS_AUTH = ("oauth2_client_credentials", "oauth2_pkce", "oauth2_device", "token_provider")


def accepted_fields(cls: type[Any]) -> set[str]:
    """Constructor keyword names a pydantic engine class accepts, aliases included."""
    if isinstance(cls, type) and issubclass(cls, BaseModel):
        names = set(cls.model_fields)
        names |= {f.alias for f in cls.model_fields.values() if f.alias}
        return names
    import inspect

    return set(inspect.signature(cls).parameters)


@dataclass
class SpecSettings:
    """What a provider spec says about one model, ready for an engine's constructor.

    Secrets stay ``SecretStr`` (``api_key``); ``headers`` and ``query`` may carry
    them in clear, so engines must keep those fields out of ``repr``.
    """

    spec: ProviderSpec
    model: str
    declared: ModelSpec | None
    base_url: str
    api_key: SecretStr | None
    headers: dict[str, str] = field(default_factory=dict, repr=False)
    query: dict[str, str] = field(default_factory=dict, repr=False)
    http_auth: httpx.Auth | None = field(default=None, repr=False)
    auth_profile: str | None = None
    """The credential profile in force (``auth_profile=``, ``$POLYPORT_AUTH_PROFILE``, ``auth.profile``);
    models carry it in their run metadata so budgets, limits and ledger records split by it."""
    quirks: QuirksSpec = field(default_factory=QuirksSpec)
    params: dict[str, Any] = field(default_factory=dict)
    """The provider's ``default_params`` overlaid by the model's."""
    overrides: dict[str, Any] = field(default_factory=dict, repr=False)
    """The caller's keywords (``api_key``/``base_url`` already applied above); win over the spec."""

    @classmethod
    def resolve(
        cls,
        spec: ProviderSpec,
        model: str,
        overrides: Mapping[str, Any] | None = None,
        *,
        env: Mapping[str, str] | None = None,
    ) -> SpecSettings:
        """Resolve ``spec`` for ``model``; ``api_key=`` / ``base_url=`` in ``overrides`` replace the spec's.

        An ``api_key`` override satisfies the spec's auth (no environment variable
        needed) and fills ``{api_key}`` header templates like a key from the spec would.
        """
        rest = dict(overrides or {})
        key_override = rest.pop("api_key", None)
        profile = rest.pop("auth_profile", None)
        base_url = rest.pop("base_url", None) or spec.base_url
        environ: Mapping[str, str] = os.environ if env is None else env
        auth_spec = spec.auth
        if key_override is not None:
            raw = key_override.get_secret_value() if isinstance(key_override, SecretStr) else str(key_override)
            auth_spec, environ = _with_key(spec.auth, raw, environ)
        material = build_auth(
            auth_spec, provider=spec.id, env=environ, profile=profile, saved=key_override is None, proxy=spec.proxy
        )
        key = material.api_key
        raw_key = key.get_secret_value() if key is not None else ""
        headers = {name: value.replace("{api_key}", raw_key) for name, value in spec.headers.items()}
        headers.update(material.headers)
        declared = spec.model(model)
        return cls(
            spec=spec,
            model=model,
            declared=declared,
            base_url=str(base_url).rstrip("/"),
            api_key=key,
            headers=headers,
            query={**spec.query_params, **material.query},
            http_auth=material.httpx_auth,
            auth_profile=material.profile,
            quirks=spec.quirks.merged(declared.quirks if declared else None),
            params={**spec.default_params, **(declared.default_params if declared else {})},
            overrides=rest,
        )

    @property
    def provider(self) -> str:
        """The provider id."""
        return self.spec.id

    @property
    def sdk_key(self) -> SecretStr | None:
        """The key for an engine's own auth (Bearer): ``NO_KEY`` when the spec places the key
        itself (``auth.type`` query or header), so it is sent only where declared."""
        if self.api_key is not None and self.spec.auth.type in ("query", "header"):
            return NO_KEY
        return self.api_key

    def http_options(self) -> dict[str, Any]:
        """httpx client keywords for this provider's side requests (model listing): the ``tls``
        section's ``verify`` and the ``proxy``, as every engine's own transport gets them."""
        from polyport_core.transport import http_options

        return http_options(self.spec.tls, self.spec.proxy, provider=self.spec.id)

    @property
    def where(self) -> str:
        """Where the spec came from, for error messages."""
        return self.spec.source or self.spec.id

    def connection(self) -> dict[str, Any]:
        """The spec's ``tls`` section and ``proxy`` as engine fields (only those set): how every
        connection of the model is made, whatever else the engine takes from the spec."""
        kwargs: dict[str, Any] = {}
        if self.spec.tls is not None:
            kwargs["tls"] = self.spec.tls
        if self.spec.proxy is not None:
            kwargs["proxy"] = self.spec.proxy
        return kwargs

    def common(self, *, chat: bool = True) -> dict[str, Any]:
        """``model``, ``provider``, ``timeout``, ``max_retries``, the ``connection`` (tls, proxy) and (chat) the
        declared facts and ``disable_streaming`` for a server that cannot stream (``streaming: false``)."""
        kwargs: dict[str, Any] = {"model": self.model, "provider": self.spec.id}
        if self.spec.timeout is not None:
            kwargs["timeout"] = self.spec.timeout
        if self.spec.max_retries is not None:
            kwargs["max_retries"] = self.spec.max_retries
        kwargs.update(self.connection())
        if chat and not self.spec.streaming:
            kwargs["disable_streaming"] = True  # stream() falls back to one non-streamed call
        if chat:
            kwargs["profile"] = profile_for(self.spec.id, self.model, self.declared)
            kwargs["facts_source"] = self.where  # named when a call contradicts a declared fact
            if self.declared is not None and self.declared.params:
                kwargs["params_schema"] = self.declared.params
        return kwargs

    def adapter_connection(self) -> dict[str, Any]:
        """Connection fields of adapter-based classes (``polyport_core.adapters``): ``base_url``,
        ``api_key``, ``default_headers``, ``default_query`` and an ``http_auth`` refresh flow."""
        kwargs: dict[str, Any] = {"base_url": self.base_url, "api_key": self.sdk_key}
        if self.headers:
            kwargs["default_headers"] = self.headers
        if self.query:
            kwargs["default_query"] = self.query
        if self.http_auth is not None:
            kwargs["http_auth"] = self.http_auth
        return kwargs

    def set_quirks(self) -> dict[str, Any]:
        """The quirks this model declares (provider's overlaid by the model's), by name; unset ones left out."""
        out: dict[str, Any] = {}
        for name in QUIRK_NAMES:
            value = getattr(self.quirks, name)
            if value is None or value == []:
                continue
            out[name] = list(value) if isinstance(value, list) else value
        return out

    def quirks_for(self, engine: str, accepted: Collection[str]) -> dict[str, Any]:
        """The declared quirks, checked against those ``engine`` implements.

        A quirk the engine cannot honour is an ``InvalidConfigError`` (never silently
        dropped): the spec promised a behaviour this engine would not deliver.
        """
        quirks = self.set_quirks()
        unsupported = sorted(set(quirks) - set(accepted))
        if unsupported:
            supported = ", ".join(sorted(accepted)) or "none"
            raise InvalidConfigError(
                f"quirk {', '.join(repr(q) for q in unsupported)} in {self.where} is not supported by "
                f"engine {engine!r} (it supports: {supported}); remove it from the spec's quirks",
                provider=self.spec.id,
                model=self.model,
            )
        return quirks

    def reject_query(self, engine: str) -> None:
        """Raise when the spec needs query parameters (``query_params``, ``auth.type: query``)
        and ``engine`` cannot send them."""
        if self.query:
            raise InvalidConfigError(
                f"{self.where}: engine {engine!r} cannot send query parameters "
                f"({', '.join(sorted(self.query))}); use headers or another auth type",
                provider=self.spec.id,
                model=self.model,
            )

    def build(self, cls: type[T], kwargs: Mapping[str, Any], *, params: bool = True) -> T:
        """``cls(**kwargs)`` with the default params and the caller's overrides on top.

        A default param the class declares becomes that field; others go to
        ``model_kwargs`` (sent with every request). A class without
        ``model_kwargs`` cannot take them: ``InvalidConfigError``. So does a
        configuration the class rejects, naming the spec and the field (never a value).
        """
        accepted = accepted_fields(cls)
        unknown = sorted(set(kwargs) - accepted)
        if unknown:
            raise self._rejected(cls, f"no field {', '.join(unknown)} (the spec sets it; the engine cannot take it)")
        final = dict(kwargs)
        if params and self.params:
            extra = {k: v for k, v in self.params.items() if k not in accepted}
            final.update({k: v for k, v in self.params.items() if k in accepted})
            if extra:
                if "model_kwargs" not in accepted:
                    raise InvalidConfigError(
                        f"default_params {', '.join(sorted(extra))} in {self.where}: {cls.__name__} "
                        "has no such fields and no model_kwargs to send them with",
                        provider=self.spec.id,
                        model=self.model,
                    )
                final["model_kwargs"] = {**extra, **dict(final.get("model_kwargs") or {})}
        final.update(self.overrides)
        if self.http_auth is not None and "client_kwargs" in accepted and "http_auth" not in accepted:
            # an engine whose SDK client takes httpx keywords (ollama) gets the token-renewal flow too
            final["client_kwargs"] = {"auth": self.http_auth, **dict(final.get("client_kwargs") or {})}
        if self.auth_profile is not None and "metadata" in accepted:
            final["metadata"] = {"profile": self.auth_profile, **dict(final.get("metadata") or {})}
        try:
            return cls(**final)
        except ValidationError as exc:
            problems = "; ".join(
                f"{'.'.join(str(p) for p in err['loc']) or '(model)'}: {err['msg']}" for err in exc.errors()[:3]
            )
            raise self._rejected(cls, problems) from None
        except (TypeError, ValueError) as exc:
            raise self._rejected(cls, " ".join(str(exc).splitlines()[:3])) from None

    def _rejected(self, cls: type[Any], detail: str) -> InvalidConfigError:
        return InvalidConfigError(
            f"{cls.__name__} rejected the configuration from {self.where}: {detail}",
            provider=self.spec.id,
            model=self.model,
        )


def _with_key(auth: AuthSpec, raw: str, env: Mapping[str, str]) -> tuple[AuthSpec, Mapping[str, str]]:
    """``auth`` reading its key from the caller's ``api_key=`` (through a private env entry, so
    header/query placement and ``{api_key}`` templates work as for a key from the spec)."""
    update: dict[str, Any] = {"api_key": None, "api_key_env": _OVERRIDE_ENV, "required": True}
    if auth.type in _KEYLESS_AUTH or auth.type == "none":
        update["type"] = "bearer"
    if auth.header_value is not None and "{api_key}" not in auth.header_value.get_secret_value():
        update["header_value"] = None  # goose-style "Bearer ${KEY}": the override replaces it
    return auth.model_copy(update=update), {**env, _OVERRIDE_ENV: raw}
