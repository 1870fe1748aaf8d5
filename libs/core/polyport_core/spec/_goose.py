"""goose's ``DeclarativeProviderConfig`` as goose itself writes it.

goose (``crates/goose/src/config/declarative_providers.rs``) serialises every
optional field, so its files carry ``"headers": null``, ``"timeout_seconds":
null``, ``"api_key_env": ""`` for keyless servers, and per model
``input_token_cost``/``output_token_cost`` in USD per token. Its engine names
are ``openai``/``anthropic``/``ollama`` or the ``*_compatible`` spellings of
its setup dialog, and ``base_url`` may be a full endpoint URL
(``…/v1/chat/completions``); an OpenAI-compatible URL without a path means
goose's default ``v1/chat/completions``.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from polyport_core.spec._dialect import DialectError, scale_price

__all__ = ["GOOSE_ONLY_FIELDS", "is_goose", "prepare"]

_MARKERS = frozenset(
    {
        "api_key_env",
        "supports_streaming",
        "timeout_seconds",
        "base_path",
        "catalog_provider_id",
        "env_vars",
        "requires_auth",
        "dynamic_models",
    }
)
GOOSE_ONLY_FIELDS = frozenset(
    {
        "dynamic_models",
        "skip_canonical_filtering",
        "model_doc_link",
        "setup_steps",
        "toolshim",
        "preserves_thinking",
        "emit_clear_thinking",
        "session_id_header_override",
        "setup",
        "config_keys",
    }
)
"""goose UI and agent settings with no meaning for a model call; read and left out."""
_MODEL_DROPPED = frozenset({"supports_cache_control", "resolved_model", "currency"})
_USD = ("$", "USD", "usd")
_OAUTH_NAMES = {"auth_url": "authorization_url", "authorize_url": "authorization_url", "scope": "scopes"}
_PER_TOKEN = 1_000_000
_ENDPOINTS = ("chat/completions", "messages", "api/chat")
_GOOSE_REQUIRED = frozenset({"name", "engine", "display_name", "base_url", "models"})
"""Fields goose always writes: a file with all of them (and no ``id``) gets goose's URL default."""


def is_goose(raw: dict[str, Any]) -> bool:
    """Whether ``raw`` looks like a goose file (its field names or engine spellings)."""
    engine = raw.get("engine")
    if isinstance(engine, str) and (engine.endswith("_compatible") or engine == "generic_http"):
        return True
    if _MARKERS & set(raw):
        return True
    models = raw.get("models")
    return isinstance(models, list) and any(
        isinstance(m, dict) and ("input_token_cost" in m or "output_token_cost" in m) for m in models
    )


def prepare(raw: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """A copy of a goose document that ``normalize`` reads, plus notes on what was assumed."""
    notes: list[str] = []
    out = {k: v for k, v in raw.items() if v is not None and k not in GOOSE_ONLY_FIELDS}
    engine = out.get("engine")
    if engine == "generic_http":
        raise DialectError(
            ("engine",),
            "openai, anthropic or ollama (polyport does not read goose's generic_http files: "
            "describe that API with polyport's 'http' engine, see docs/dialects.md)",
            repr(engine),
        )
    if isinstance(engine, str):
        out["engine"] = engine.removesuffix("_compatible")
    if out.get("api_key_env") == "":
        out.pop("api_key_env")
        if "auth" not in out and "api_key" not in out:
            out["auth"] = {"type": "none", "required": False}
    _sign_in(out)
    _endpoint(out)
    models = out.get("models")
    if isinstance(models, list):
        out["models"] = [_model(m, i) for i, m in enumerate(models)]
        if any(isinstance(m, dict) and "pricing" in m for m in out["models"]):
            notes.append("goose prices read as USD per token (stored as USD per million tokens)")
    return out, notes


def _sign_in(out: dict[str, Any]) -> None:
    """goose's OAuth sign-in (``auth.type: "oauth"``): its URL and scope spellings, and no
    ``api_key_env`` to read (the token comes from ``polyport auth login``)."""
    auth = out.get("auth")
    if not isinstance(auth, dict) or auth.get("type") != "oauth":
        return
    auth = dict(auth)
    for old, new in _OAUTH_NAMES.items():
        if old in auth and new not in auth:
            auth[new] = auth.pop(old)
    if isinstance(auth.get("scopes"), str):
        auth["scopes"] = auth["scopes"].split()
    out["auth"] = auth


def _endpoint(out: dict[str, Any]) -> None:
    """``base_url`` as a base: a full endpoint URL loses its endpoint; no path → ``/v1`` (OpenAI)."""
    url = out.get("base_url")
    if not isinstance(url, str) or "base_path" in out:
        return
    trimmed = url.rstrip("/")
    for suffix in _ENDPOINTS:
        if trimmed.endswith("/" + suffix):
            out["base_url"] = trimmed[: -len(suffix) - 1]
            return
    written_by_goose = set(out) >= _GOOSE_REQUIRED and "id" not in out
    if written_by_goose and out.get("engine") == "openai" and "${" not in url and not urlsplit(url).path.strip("/"):
        out["base_url"] = f"{trimmed}/v1"


def _model(raw: Any, index: int) -> Any:
    if not isinstance(raw, dict):
        return raw
    model = {k: v for k, v in raw.items() if v is not None and k not in _MODEL_DROPPED}
    pricing: dict[str, Any] = {}
    currency = raw.get("currency")
    if currency not in (None, *_USD):
        pricing["currency"] = currency  # not USD: validation names it
    for key, target in (("input_token_cost", "input"), ("output_token_cost", "output")):
        if key in model:
            loc = ("models", index, key)
            pricing[target] = scale_price(model.pop(key), _PER_TOKEN, loc, "USD per token")
    if pricing:
        model["pricing"] = pricing
    return model
