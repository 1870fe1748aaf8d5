"""Find model servers already running on this machine (loopback only) and say what each one is.

Each well-known server is identified by an endpoint only it answers, never by
its port alone (llama.cpp and LocalAI both default to 8080): Ollama's
``/api/version``, llama.cpp's ``/props``, LocalAI's ``/.well-known/localai.json``,
LM Studio's ``/api/v0/models``, SGLang's ``/get_model_info`` and vLLM's
``/version`` with ``owned_by: "vllm"`` models. A server that answers only
``/v1/models`` is reported as a generic OpenAI-compatible one. Nothing but
``127.0.0.1`` is ever contacted.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import httpx

__all__ = ["KNOWN_SERVERS", "LocalServer", "ServerKind", "discover_local_servers", "probe_port"]

LOOPBACK = "127.0.0.1"


@dataclass(frozen=True)
class ServerKind:
    """One kind of local server: its usual port, the preset that speaks to it, and how it is recognised."""

    name: str
    """The polyport preset id for it (``ollama``, ``llamacpp``...)."""
    label: str
    port: int
    engine: str
    api_path: str
    """Appended to the server root to make the provider's ``base_url`` (``/v1`` or nothing)."""
    identify_path: str
    """The endpoint that tells this server apart from the others."""


KNOWN_SERVERS: tuple[ServerKind, ...] = (
    ServerKind("ollama", "Ollama", 11434, "ollama", "", "/api/version"),
    ServerKind("llamacpp", "llama.cpp server", 8080, "openai", "/v1", "/props"),
    ServerKind("localai", "LocalAI", 8080, "openai", "/v1", "/.well-known/localai.json"),
    ServerKind("lmstudio", "LM Studio", 1234, "openai", "/v1", "/api/v0/models"),
    ServerKind("sglang", "SGLang", 30000, "openai", "/v1", "/get_model_info"),
    ServerKind("vllm", "vLLM", 8000, "openai", "/v1", "/version"),
)
"""In the order they are tried on a port (the most specific endpoints first)."""

_GENERIC = ServerKind("openai-compatible", "OpenAI-compatible server", 0, "openai", "/v1", "/v1/models")


@dataclass
class LocalServer:
    """A server found on loopback: what it is, where, its version (when it says) and its models."""

    kind: str
    label: str
    port: int
    engine: str
    base_url: str
    version: str | None = None
    models: list[str] = field(default_factory=list)
    evidence: str = ""
    """Which answer identified it, e.g. ``GET /props → 200``."""
    models_error: str | None = None
    """Why the model list could not be read (a key needed, say), when it could not."""

    @property
    def root_url(self) -> str:
        """``http://127.0.0.1:PORT``."""
        return f"http://{LOOPBACK}:{self.port}"

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready fields."""
        return {
            "kind": self.kind,
            "label": self.label,
            "port": self.port,
            "engine": self.engine,
            "base_url": self.base_url,
            "version": self.version,
            "models": list(self.models),
            "models_error": self.models_error,
            "evidence": self.evidence,
        }


def _json(client: httpx.Client, url: str) -> Any:
    """The JSON body of ``GET url`` when it answers 200 with JSON, else None."""
    try:
        response = client.get(url)
    except httpx.HTTPError:
        return None
    if response.status_code != 200:
        return None
    try:
        return response.json()
    except ValueError:
        return None


def _is_kind(kind: ServerKind, body: Any, client: httpx.Client, root: str) -> bool:
    if not isinstance(body, dict):
        return False
    checks: dict[str, Callable[[], bool]] = {
        "ollama": lambda: isinstance(body.get("version"), str),
        "llamacpp": lambda: "default_generation_settings" in body or "total_slots" in body,
        "localai": lambda: "endpoints" in body,
        "lmstudio": lambda: isinstance(body.get("data"), list),
        "sglang": lambda: "model_path" in body,
        "vllm": lambda: isinstance(body.get("version"), str) and _owned_by(client, root, "vllm"),
    }
    return checks[kind.name]()


def _owned_by(client: httpx.Client, root: str, owner: str) -> bool:
    body = _json(client, f"{root}/v1/models")
    data = body.get("data") if isinstance(body, dict) else None
    return isinstance(data, list) and any(isinstance(m, dict) and m.get("owned_by") == owner for m in data)


def _version(kind: ServerKind, body: Any) -> str | None:
    if not isinstance(body, dict):
        return None
    value = body.get("version") or body.get("build_info")
    return str(value) if isinstance(value, str | int) and value != "" else None


def _models(kind: ServerKind, client: httpx.Client, root: str, identify_body: Any) -> tuple[list[str], str | None]:
    """Model ids the server lists (Ollama ``/api/tags``, LM Studio's own list, else ``/v1/models``)."""
    if kind.name == "lmstudio" and isinstance(identify_body, dict):
        body: Any = identify_body
    else:
        path = "/api/tags" if kind.name == "ollama" else "/v1/models"
        try:
            response = client.get(f"{root}{path}")
        except httpx.HTTPError as exc:
            return [], f"GET {path}: {type(exc).__name__}"
        if response.status_code in (401, 403):
            return [], f"GET {path} → {response.status_code}: the server wants an API key"
        if response.status_code != 200:
            return [], f"GET {path} → {response.status_code}"
        try:
            body = response.json()
        except ValueError:
            return [], f"GET {path}: not JSON"
    items = body.get("models") or body.get("data") or [] if isinstance(body, dict) else []
    ids = []
    for item in items if isinstance(items, list) else []:
        if isinstance(item, dict):
            model = item.get("id") or item.get("name") or item.get("model")
            if isinstance(model, str) and model not in ids:
                ids.append(model)
    return ids, None


def probe_port(
    port: int,
    *,
    kinds: Sequence[ServerKind] = KNOWN_SERVERS,
    timeout: float = 1.0,
    transport: httpx.BaseTransport | None = None,
) -> LocalServer | None:
    """What answers on ``127.0.0.1:port``: the first kind whose identifying endpoint answers as it
    would, else a generic OpenAI-compatible server, else None (nothing, or nothing we know)."""
    root = f"http://{LOOPBACK}:{port}"
    with httpx.Client(timeout=timeout, transport=transport, follow_redirects=False, trust_env=False) as client:
        try:
            client.get(f"{root}/")
        except httpx.ConnectError:
            return None  # nothing listens: skip every probe
        except httpx.HTTPError:
            pass
        for kind in (*kinds, _GENERIC):
            body = _json(client, f"{root}{kind.identify_path}")
            if body is None or (kind is not _GENERIC and not _is_kind(kind, body, client, root)):
                continue
            models, problem = _models(kind, client, root, body)
            return LocalServer(
                kind=kind.name,
                label=kind.label,
                port=port,
                engine=kind.engine,
                base_url=f"{root}{kind.api_path}",
                version=_version(kind, body),
                models=models,
                evidence=f"GET {kind.identify_path} → 200",
                models_error=problem,
            )
    return None


def discover_local_servers(
    ports: Iterable[int] | None = None,
    *,
    kinds: Sequence[ServerKind] = KNOWN_SERVERS,
    timeout: float = 1.0,
    transport: httpx.BaseTransport | None = None,
) -> list[LocalServer]:
    """Servers listening on loopback, identified by what they answer.

    ``ports`` defaults to every kind's well-known port (Ollama 11434, LM Studio
    1234, vLLM 8000, SGLang 30000, llama.cpp/LocalAI 8080); any port is tried
    against every kind. Ports are probed in parallel; order of the result
    follows ``ports``.
    """
    wanted = list(dict.fromkeys(ports if ports is not None else (k.port for k in kinds)))
    if not wanted:
        return []
    with ThreadPoolExecutor(max_workers=min(8, len(wanted))) as pool:
        found = pool.map(lambda p: probe_port(p, kinds=kinds, timeout=timeout, transport=transport), wanted)
        return [server for server in found if server is not None]
