"""What to tell a user whose provider did not answer: its URL, the variable that moves it, how to start it."""

from __future__ import annotations

import json
import re
from pathlib import Path
from urllib.parse import urlsplit

from polyport_core.auth import redact_url
from polyport_core.errors import PolyportError, ProviderUnavailableError
from polyport_core.registry import Registry
from polyport_core.spec import ProviderSpec
from polyport_core.spec import canonicalize as normalize

__all__ = ["base_url_variable", "is_unreachable", "unreachable_hint"]

# the whole address is one variable (``${LLAMACPP_BASE_URL:-http://...}``); a variable inside it
# (a key in the userinfo, a region in the host) does not move the address, so it is never suggested
_VARIABLE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-[^}]*)?\}")
_LOOPBACK = ("127.0.0.1", "localhost", "::1", "0.0.0.0")
_START = {
    "llamacpp": "start one with `polyport serve-local` (llama.cpp with the bundled Gemma 3 270M model)",
    "ollama": "start it with `ollama serve`",
    "lmstudio": "start LM Studio's server (Developer tab, or `lms server start`)",
    "vllm": "start it with `vllm serve MODEL`",
    "sglang": "start it with `python -m sglang.launch_server --model-path MODEL`",
    "localai": "start it with `local-ai run`",
}


def is_unreachable(error: PolyportError) -> bool:
    """True when nothing answered at all (refused, unknown host), not when the server answered an error."""
    return (
        isinstance(error, ProviderUnavailableError)
        and error.status_code is None
        and (error.detail.startswith(("Could not connect", "Could not reach", "cannot list models")))
    )


def base_url_variable(spec: ProviderSpec) -> str | None:
    """The environment variable the spec's ``base_url`` is read from (``${LLAMACPP_BASE_URL:-...}``), if any."""
    raw = _raw_document(spec)
    url = raw.get("base_url") if raw else None
    match = _VARIABLE.fullmatch(url.strip()) if isinstance(url, str) else None
    return match.group(1) if match else None


def _raw_document(spec: ProviderSpec) -> dict[str, object] | None:
    try:
        if spec.source.startswith("preset:"):
            from polyport_core.cli._setup_steps import preset_document

            data: object = preset_document(spec)
        elif spec.source and not spec.source.startswith("plugin:"):
            data = json.loads(Path(spec.source).read_text(encoding="utf-8"))
        else:
            return None
    except (OSError, ValueError):
        return None
    if isinstance(data, dict) and isinstance(data.get("providers"), dict) and "engine" not in data:
        for key, entry in data["providers"].items():
            if isinstance(entry, dict) and spec.id in (entry.get("id"), entry.get("name"), key):
                data = entry
                break
    return normalize(data)[0] if isinstance(data, dict) else None


def unreachable_hint(provider: str, registry: Registry) -> str:
    """One paragraph: where polyport looked, how to point it elsewhere, how to start a local server."""
    spec = registry.specs.get(provider)
    if spec is None:
        return ""
    url = redact_url(spec.base_url)
    lines = [f"nothing answered at {url} (provider {spec.id!r}, from {spec.source or 'code'})"]
    variable = base_url_variable(spec)
    if variable:
        lines.append(f"set ${variable} to use another address, e.g. export {variable}=http://127.0.0.1:PORT/v1")
    else:
        lines.append(f"change base_url in {spec.source or 'the provider file'} to use another address")
    if (urlsplit(spec.base_url).hostname or "") in _LOOPBACK:
        start = _START.get(spec.id, "start the server")
        lines.append(f"this is a local server: {start}")
    return "\n".join(lines)
