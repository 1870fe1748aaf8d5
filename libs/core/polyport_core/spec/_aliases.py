"""Rewrite goose and Polydev spellings to the canonical field names.

The rewrite records where each canonical field came from, so an error about
``base_url`` in a file that wrote ``baseUrl`` still names ``baseUrl``.
"""

from __future__ import annotations

from typing import Any

__all__ = ["Loc", "Origins", "normalize", "original_loc"]

Loc = tuple[str | int, ...]
Origins = dict[Loc, Loc]

_PROVIDER_ALIASES = {
    "host": "base_url",
    "baseUrl": "base_url",
    "baseURL": "base_url",
    "api_base": "base_url",
    "apiBase": "base_url",
    "displayName": "display_name",
    "timeout_seconds": "timeout",
    "timeoutSeconds": "timeout",
    "maxRetries": "max_retries",
    "defaultParams": "default_params",
    "queryParams": "query_params",
    "docsUrl": "docs_url",
    "supports_streaming": "streaming",
    "supportsStreaming": "streaming",
}
_PROVIDER_TO_AUTH = {
    "api_key_env": "api_key_env",
    "apiKeyEnv": "api_key_env",
    "api_key": "api_key",
    "apiKey": "api_key",
    "requires_auth": "required",
    "requiresAuth": "required",
}
_MODEL_ALIASES = {
    "displayName": "display_name",
    "contextWindow": "context_window",
    "context_limit": "context_window",
    "contextLimit": "context_window",
    "context_length": "context_window",
    "max_input_tokens": "context_window",
    "maxTokens": "max_output_tokens",
    "max_tokens": "max_output_tokens",
    "maxOutputTokens": "max_output_tokens",
    "supports_tools": "tools",
    "supportsTools": "tools",
    "tool_calling": "tools",
    "supports_vision": "vision",
    "supportsVision": "vision",
    "supports_json_schema": "json_schema",
    "structured_output": "json_schema",
    "supports_reasoning": "reasoning",
    "supports_parallel_tool_calls": "parallel_tool_calls",
    "parallelToolCalls": "parallel_tool_calls",
    "streamingUsage": "streaming_usage",
    "cost": "pricing",
    "defaultParams": "default_params",
}
_PRICING_ALIASES = {"cacheRead": "cache_read", "cacheWrite": "cache_write"}
_AUTH_ALIASES = {
    "apiKey": "api_key",
    "apiKeyEnv": "api_key_env",
    "headerName": "header_name",
    "headerValue": "header_value",
    "queryParam": "query_param",
    "tokenUrl": "token_url",
    "clientId": "client_id",
    "clientSecret": "client_secret",
    "tokenProvider": "token_provider",
}
_QUIRK_ALIASES = {
    "dropParams": "drop_params",
    "developerAsSystem": "developer_as_system",
    "unsupportedToolChoice": "unsupported_tool_choice",
    "sendReasoning": "send_reasoning",
    "streamUsage": "stream_usage",
}
_API_TO_ENGINE = {
    "openai-completions": "openai",
    "openai-chat": "openai",
    "anthropic-messages": "anthropic",
    "ollama": "ollama",
}


def normalize(raw: dict[str, Any]) -> tuple[dict[str, Any], Origins]:
    """Canonical copy of a provider document plus canonical→original locations."""
    origins: Origins = {}
    out = _rename(raw, _PROVIDER_ALIASES, (), origins)
    if "name" in out:
        target = "display_name" if "id" in out else "id"
        if target not in out:
            out[target] = out.pop("name")
            origins[(target,)] = ("name",)
    if "api" in out and "engine" not in out:
        api = out.pop("api")
        out["engine"] = _API_TO_ENGINE.get(api, api) if isinstance(api, str) else api
        origins[("engine",)] = ("api",)
    _fold_base_path(out, origins)
    _fold_auth(out, origins)
    if isinstance(out.get("quirks"), dict):
        out["quirks"] = _rename(out["quirks"], _QUIRK_ALIASES, ("quirks",), origins)
    models = out.get("models")
    if isinstance(models, list):
        out["models"] = [_model(m, i, origins) for i, m in enumerate(models)]
    return out, origins


def original_loc(loc: Loc, origins: Origins) -> Loc:
    """The location as the user spelled it, translating the longest renamed prefix."""
    for cut in range(len(loc), 0, -1):
        prefix = loc[:cut]
        if prefix in origins:
            return origins[prefix] + loc[cut:]
    return loc


def _rename(data: dict[str, Any], aliases: dict[str, str], loc: Loc, origins: Origins) -> dict[str, Any]:
    orig = original_loc(loc, origins)
    out: dict[str, Any] = {}
    for key, value in data.items():
        new = aliases.get(key, key)
        if new in out and new != key:
            continue  # the canonical spelling, given too, wins
        if new != key:
            origins[(*loc, new)] = (*orig, key)
        out[new] = value
    return out


def _fold_base_path(out: dict[str, Any], origins: Origins) -> None:
    """goose's ``base_path`` ("v1/chat/completions") joins the host as a base URL."""
    base_path = out.pop("base_path", None)
    if not isinstance(base_path, str) or not isinstance(out.get("base_url"), str):
        return
    path = base_path.strip("/")
    for suffix in ("chat/completions", "messages", "api/chat"):
        if path.endswith(suffix):
            path = path[: -len(suffix)].strip("/")
    if path and not out["base_url"].rstrip("/").endswith(path):
        out["base_url"] = f"{out['base_url'].rstrip('/')}/{path}"


def _fold_auth(out: dict[str, Any], origins: Origins) -> None:
    auth = out.get("auth")
    if auth is not None and not isinstance(auth, dict):
        return
    auth = _rename(auth or {}, _AUTH_ALIASES, ("auth",), origins)
    for key in [k for k in list(out) if k in _PROVIDER_TO_AUTH]:
        target = _PROVIDER_TO_AUTH[key]
        value = out.pop(key)
        if target not in auth:
            auth[target] = value
            origins[("auth", target)] = (key,)
    if auth:
        if "type" not in auth:
            auth["type"] = "header" if auth.get("header_value") or auth.get("header_name") else "bearer"
        if auth.get("type") == "api_key":  # a common spelling of a header key
            auth["type"] = "header"
        out["auth"] = auth


def _model(raw: Any, index: int, origins: Origins) -> Any:
    if isinstance(raw, str):
        return {"id": raw}
    if not isinstance(raw, dict):
        return raw
    loc: Loc = ("models", index)
    out = _rename(raw, _MODEL_ALIASES, loc, origins)
    if "name" in out:
        target = "display_name" if "id" in out else "id"
        if target not in out:
            out[target] = out.pop("name")
            origins[(*loc, target)] = (*loc, "name")
    modalities = out.get("input")
    if isinstance(modalities, list) and all(isinstance(m, str) for m in modalities):
        out.pop("input")
        out.setdefault("vision", "image" in modalities)
    if isinstance(out.get("pricing"), dict):
        out["pricing"] = _rename(out["pricing"], _PRICING_ALIASES, (*loc, "pricing"), origins)
    if isinstance(out.get("quirks"), dict):
        out["quirks"] = _rename(out["quirks"], _QUIRK_ALIASES, (*loc, "quirks"), origins)
    return out
