"""The session's environment carries no provider settings from the shell (root conftest.py)."""

from __future__ import annotations

import os

import pytest
from polyport_core.testing import clear_provider_env, is_provider_setting

PROVIDER_SETTINGS = [
    "OPENAI_BASE_URL", "OPENAI_API_KEY", "OPENAI_ORG_ID", "AZURE_OPENAI_ENDPOINT", "ANTHROPIC_API_KEY",
    "ANTHROPIC_BASE_URL", "ANTHROPIC_AUTH_TOKEN", "ANTHROPIC_VERTEX_PROJECT_ID", "OLLAMA_HOST", "LLAMACPP_BASE_URL",
    "POLYPORT_LEDGER", "POLYPORT_PROVIDERS_PATH", "POLYPORT_OUTBOX", "POLYPORT_STORE_PASSPHRASE", "GOOSE_PROVIDER",
    "GOOSE_MODEL", "GROQ_API_KEY", "VLLM_BASE_URL", "HF_TOKEN", "AWS_REGION", "CLOUD_ML_REGION", "HTTP_PROXY",
    "HTTPS_PROXY", "https_proxy", "ALL_PROXY", "NO_PROXY", "LANGSMITH_TRACING",
]  # fmt: skip
KEPT = ["PATH", "HOME", "CI", "POLYPORT_LLAMA_SERVER", "POLYPORT_CACHE_DIR", "POLYPORT_BENCH_HARNESS", "XDG_DATA_HOME"]


@pytest.mark.parametrize("name", PROVIDER_SETTINGS)
def test_provider_settings_are_recognised(name: str) -> None:
    assert is_provider_setting(name)


@pytest.mark.parametrize("name", KEPT)
def test_toolchain_and_system_settings_are_kept(name: str) -> None:
    assert not is_provider_setting(name)


def test_clear_removes_exactly_the_provider_settings() -> None:
    environ = dict.fromkeys([*PROVIDER_SETTINGS, *KEPT], "x")
    assert clear_provider_env(environ) == sorted(PROVIDER_SETTINGS)
    assert sorted(environ) == sorted(KEPT)


def test_this_session_started_without_provider_settings() -> None:
    """Fails when the shell had, say, OLLAMA_HOST set and the root conftest.py let it through."""
    assert [name for name in os.environ if is_provider_setting(name)] == []
