"""Provider settings a test run must not inherit from the shell that started it.

A developer's ``OPENAI_BASE_URL``, ``OLLAMA_HOST`` or ``HTTPS_PROXY`` changes where a model
sends its requests and which key it sends: a unit test that passes on one machine and fails on
another. ``clear_provider_env`` removes them once, before the session starts (the repository's
root ``conftest.py`` calls it in ``pytest_configure``; subprocesses and notebook kernels inherit
the cleaned environment).
"""

from __future__ import annotations

import os
from collections.abc import MutableMapping

__all__ = ["clear_provider_env", "is_provider_setting"]

_PREFIXES = (
    "OPENAI_", "AZURE_OPENAI_", "ANTHROPIC_", "OLLAMA_", "LLAMACPP_", "POLYPORT_", "GOOSE_",
    "AWS_", "CLOUD_ML_", "LANGSMITH_", "LANGCHAIN_",
)  # fmt: skip
"""Vendor SDK settings (``OPENAI_BASE_URL``, ``ANTHROPIC_AUTH_TOKEN``, Bedrock's ``AWS_REGION``,
Vertex's ``CLOUD_ML_REGION``), polyport's and goose's own, and LangSmith tracing."""

_SUFFIXES = ("_API_KEY", "_BASE_URL", "_API_BASE", "_AUTH_TOKEN")
"""Keys and endpoints any provider file may read (``GROQ_API_KEY``, ``VLLM_BASE_URL``)."""

_NAMES = frozenset({"HF_TOKEN", "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY"})
"""Proxy variables (httpx and the vendor SDKs honour them, in either case) and HF's token."""

_TOOLCHAIN = frozenset({"POLYPORT_LLAMA_SERVER", "POLYPORT_CACHE_DIR", "POLYPORT_BENCH_HARNESS"})
"""Where the test kit finds its binaries and caches: kept, they choose no provider."""


def is_provider_setting(name: str) -> bool:
    """Whether the variable ``name`` can change which provider, key, endpoint or proxy a call uses."""
    upper = name.upper()
    if upper in _TOOLCHAIN:
        return False
    return upper in _NAMES or upper.startswith(_PREFIXES) or upper.endswith(_SUFFIXES)


def clear_provider_env(environ: MutableMapping[str, str] | None = None) -> list[str]:
    """Remove every provider setting from ``environ`` (the process environment by default);
    returns the names removed, sorted."""
    env = os.environ if environ is None else environ
    removed = sorted(name for name in env if is_provider_setting(name))
    for name in removed:
        del env[name]
    return removed
