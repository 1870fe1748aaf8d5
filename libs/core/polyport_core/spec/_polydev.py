"""Polydev's ``ProviderConfig`` (camelCase JSON) as its documentation writes it.

``type`` picks the engine: ``openai-compatible`` → ``openai``, ``azure-openai`` →
``azure-openai``, ``aws-bedrock`` → ``anthropic-bedrock`` (Claude on Bedrock),
``vertex-ai`` → ``anthropic-vertex`` (Claude on Vertex), ``custom-adapter`` → the
registered engine its ``adapterConfig.requestFormat`` names. ``rateLimit``,
``budget``, ``security`` and the cloud fields become polyport's sections.

Polydev does not state the unit of ``models[].pricing``; its examples
(0.001 / 0.002) are the familiar per-1K-token list prices, so polyport reads them
as **USD per 1K tokens** and stores USD per million (×1000). Per token would make
those examples $1,000-$2,000 per million tokens, per million would make them a
thousand times cheaper than any hosted model. ``PRICE_NOTE`` says so wherever
prices were read.
"""

from __future__ import annotations

import re
from typing import Any

from polyport_core.spec._aliases import Loc, Origins, original_loc
from polyport_core.spec._dialect import DialectError, scale_price

__all__ = ["PRICE_NOTE", "TYPES", "is_polydev", "rewrite"]

TYPES = {
    "openai-compatible": "openai",
    "azure-openai": "azure-openai",
    "aws-bedrock": "anthropic-bedrock",
    "vertex-ai": "anthropic-vertex",
    "custom-adapter": "",
}
"""Polydev ``type`` → polyport engine (``custom-adapter``: the one ``adapterConfig`` names)."""
PRICE_NOTE = "Polydev prices read as USD per 1K tokens (stored as USD per million tokens: x1000)"
_PER_1K = 1000
_MAX_SECONDS = 600
"""A larger ``timeout`` is milliseconds (JavaScript's unit, e.g. 30000)."""
_RATE_LIMIT = {
    "rpm": "requests_per_minute",
    "rph": "requests_per_hour",
    "tpm": "tokens_per_minute",
    "tph": "tokens_per_hour",
    "concurrent": "max_concurrency",
}
_BUDGET = {"daily": "daily_usd", "monthly": "monthly_usd", "alertThreshold": "alert_threshold"}
_SECURITY = {
    "tlsVersion": "min_version",
    "caBundle": "ca_bundle",
    "caCert": "ca_bundle",
    "ca": "ca_bundle",
}
_TOP = {
    "defaultModel": "default_model",
    "apiVersion": "api_version",
    "projectId": "project_id",
    "serviceAccountKey": "credentials_file",
}
_AWS = {"accessKeyId": "access_key_id", "secretAccessKey": "secret_access_key", "sessionToken": "session_token"}
_TLS_VERSION = re.compile(r"^(?:tls\s*v?)?(1\.[0-3])$", re.I)


def is_polydev(raw: dict[str, Any]) -> bool:
    """A Polydev ``ProviderConfig``: a ``type`` and no polyport/goose ``engine``."""
    return isinstance(raw.get("type"), str) and "engine" not in raw and "api" not in raw


def rewrite(out: dict[str, Any], origins: Origins) -> list[str]:
    """Rewrite a normalized Polydev document in place; the notes on what was assumed."""
    notes: list[str] = []
    kind = out.pop("type")
    if kind not in TYPES:
        raise DialectError(("type",), f"a Polydev type ({', '.join(TYPES)})", repr(kind))
    if kind == "custom-adapter":
        _adapter(out, origins)
    else:
        out["engine"] = TYPES[kind]
        origins[("engine",)] = ("type",)
    _rename(out, _TOP, (), origins)
    _section(out, "rateLimit", "limits", _RATE_LIMIT, origins)
    _section(out, "budget", "budget", _BUDGET, origins)
    _security(out, origins)
    _aws(out, origins)
    _key_header(out)
    if kind == "vertex-ai":
        _claude_only(out, origins)
    if kind in ("aws-bedrock", "vertex-ai") and "base_url" not in out:
        out["base_url"] = _cloud_url(kind, out.get("region"))
    if "base_url" not in out:
        example = "https://NAME.openai.azure.com" if kind == "azure-openai" else "https://api.example.com/v1"
        raise DialectError(("baseUrl",), f"the server's URL (e.g. {example})", "nothing")
    if kind == "azure-openai" and "api_version" not in out:
        raise DialectError(("apiVersion",), "the Azure OpenAI api-version (e.g. 2024-10-21)", "nothing")
    threshold = (out.get("budget") or {}).get("alert_threshold")
    if isinstance(threshold, int | float) and not isinstance(threshold, bool) and 1 < threshold <= 100:
        out["budget"]["alert_threshold"] = threshold / 100
        notes.append(f"budget.alertThreshold {threshold} read as a percentage ({threshold / 100:g})")
    timeout = out.get("timeout")
    if isinstance(timeout, int | float) and not isinstance(timeout, bool) and timeout > _MAX_SECONDS:
        out["timeout"] = timeout / 1000
        notes.append(f"timeout {timeout} read as milliseconds ({timeout / 1000:g} s)")
    if _prices(out):
        notes.append(PRICE_NOTE)
    return notes


def _adapter(out: dict[str, Any], origins: Origins) -> None:
    config = out.pop("adapterConfig", None)
    if not isinstance(config, dict) or not isinstance(config.get("requestFormat"), str):
        raise DialectError(
            ("adapterConfig", "requestFormat"),
            "the name of a registered adapter (an engine such as openai, anthropic, ollama or http)",
            "nothing",
        )
    response = config.get("responseFormat")
    if response is not None and response != config["requestFormat"]:
        raise DialectError(
            ("adapterConfig", "responseFormat"),
            f"the same format as requestFormat ({config['requestFormat']!r}): an engine reads answers "
            "in the format it sends (a different pair needs an adapter class registered under 'polyport.engines')",
            repr(response),
        )
    out["engine"] = config["requestFormat"]
    origins[("engine",)] = ("adapterConfig", "requestFormat")
    adapter: dict[str, Any] = {"request_format": config["requestFormat"]}
    if "responseFormat" in config:
        adapter["response_format"] = config["responseFormat"]
    if "streamingSupport" in config:
        adapter["streaming"] = config["streamingSupport"]
        out.setdefault("streaming", config["streamingSupport"])
        origins[("streaming",)] = ("adapterConfig", "streamingSupport")
    out["adapter"] = adapter
    origins[("adapter",)] = ("adapterConfig",)
    for key, name in (("request_format", "requestFormat"), ("response_format", "responseFormat")):
        origins[("adapter", key)] = ("adapterConfig", name)
    origins[("adapter", "streaming")] = ("adapterConfig", "streamingSupport")


def _rename(data: dict[str, Any], names: dict[str, str], loc: Loc, origins: Origins) -> None:
    for old, new in names.items():
        if old in data and new not in data:
            data[new] = data.pop(old)
            origins[(*loc, new)] = (*original_loc(loc, origins), old)


def _section(out: dict[str, Any], old: str, new: str, names: dict[str, str], origins: Origins) -> None:
    section = out.pop(old, None)
    if section is None:
        return
    out[new] = section
    origins[(new,)] = (old,)
    if isinstance(section, dict):
        _rename(section, names, (new,), origins)


def _security(out: dict[str, Any], origins: Origins) -> None:
    security = out.pop("security", None)
    if not isinstance(security, dict):
        if security is not None:
            out["tls"] = security  # validation names the wrong type
            origins[("tls",)] = ("security",)
        return
    tls = dict(security)
    origins[("tls",)] = ("security",)
    verify = True
    for name in ("certificateValidation", "allowInsecure"):
        if name in tls:
            value = tls.pop(name)
            if not isinstance(value, bool):
                raise DialectError(("security", name), "true or false", repr(value))
            verify = verify and (value if name == "certificateValidation" else not value)
    _rename(tls, _SECURITY, ("tls",), origins)
    version = tls.get("min_version")
    if isinstance(version, str) and (match := _TLS_VERSION.match(version.strip())):
        tls["min_version"] = match.group(1)
    if not verify:
        tls["verify"] = False
    out["tls"] = tls


def _aws(out: dict[str, Any], origins: Origins) -> None:
    aws = {new: out.pop(old) for old, new in _AWS.items() if old in out}
    if not aws:
        return
    out["aws"] = aws
    for old, new in _AWS.items():
        origins[("aws", new)] = (old,)


def _key_header(out: dict[str, Any]) -> None:
    """A header carrying ``{api_key}`` is where the key goes (not also ``Authorization: Bearer``)."""
    headers = out.get("headers")
    auth = out.get("auth")
    if not isinstance(headers, dict) or not isinstance(auth, dict) or auth.get("type") != "bearer":
        return
    for name, value in headers.items():
        if isinstance(value, str) and "{api_key}" in value:
            auth.update(type="header", header_name=name, header_value=headers.pop(name))
            return


def _claude_only(out: dict[str, Any], origins: Origins) -> None:
    """Vertex AI through polyport is Claude (Anthropic's SDK); Gemini has no engine here."""
    models = out.get("models")
    ids: list[tuple[Loc, Any]] = [(("default_model",), out.get("default_model"))]
    if isinstance(models, list):
        ids += [(("models", i, "id"), m.get("id")) for i, m in enumerate(models) if isinstance(m, dict)]
    for loc, model in ids:
        if isinstance(model, str) and not model.lower().startswith("claude"):
            raise DialectError(
                original_loc(loc, origins),
                "a Claude model: polyport serves Vertex AI through Anthropic's Claude "
                "(for Gemini use Vertex AI's OpenAI-compatible endpoint with type 'openai-compatible')",
                repr(model),
            )


def _cloud_url(kind: str, region: Any) -> str:
    if not isinstance(region, str) or not region:
        raise DialectError(("region",), f"a region for {kind} (e.g. us-east-1)", "nothing")
    if kind == "aws-bedrock":
        return f"https://bedrock-runtime.{region}.amazonaws.com"
    if region == "global":
        return "https://aiplatform.googleapis.com/v1"
    return f"https://{region}-aiplatform.googleapis.com/v1"


def _prices(out: dict[str, Any]) -> bool:
    """Scale every model's pricing from USD per 1K to per million tokens; whether any was given."""
    found = False
    for index, model in enumerate(out.get("models") or []):
        pricing = model.get("pricing") if isinstance(model, dict) else None
        if not isinstance(pricing, dict):
            continue
        for key in ("input", "output", "cache_read", "cache_write"):
            if key in pricing:
                loc = ("models", index, "pricing", key)
                pricing[key] = scale_price(pricing[key], _PER_1K, loc, "Polydev prices are USD per 1K tokens")
                found = True
    return found
