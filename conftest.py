"""Shared fixtures for every package's tests, run from the repository root.

Unit tests never touch the network (pytest-socket blocks sockets; tests marked
``local_server`` or ``redis`` and those under ``integration_tests``/``tests/``
may use loopback only).
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from polyport_core.testing import LlamaServer

_PROVIDER_ENV = (
    "OPENAI_API_KEY", "OPENAI_BASE_URL", "OPENAI_ORG_ID", "OPENAI_PROJECT_ID", "AZURE_OPENAI_API_KEY",
    "AZURE_OPENAI_ENDPOINT", "OPENAI_API_VERSION", "ANTHROPIC_API_KEY", "ANTHROPIC_BASE_URL",
    "ANTHROPIC_AUTH_TOKEN", "OLLAMA_HOST", "POLYPORT_LEDGER", "POLYPORT_PROVIDERS_PATH",
    "POLYPORT_AUTH_PROFILE", "LLAMACPP_BASE_URL", "LLAMACPP_API_KEY",
    "POLYPORT_PROVIDER", "POLYPORT_MODEL", "GOOSE_PROVIDER", "GOOSE_MODEL",
)  # fmt: skip


def pytest_configure(config: pytest.Config) -> None:
    """Hermetic session: no provider settings from the caller's shell, and no writes to the
    user's real config/data dirs (default ledger, outbox, user providers) — notebook kernels
    and CLI subprocesses inherit this environment too."""
    for name in _PROVIDER_ENV:
        os.environ.pop(name, None)
    home = Path(tempfile.mkdtemp(prefix="polyport-test-home-"))
    os.environ["XDG_DATA_HOME"] = str(home / "data")
    os.environ["XDG_CONFIG_HOME"] = str(home / "config")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Block sockets in unit tests; allow only loopback everywhere else."""
    for item in items:
        path = str(item.path)
        if "/unit_tests/" in path and not item.get_closest_marker("local_server"):
            item.add_marker(pytest.mark.disable_socket)
        else:
            item.add_marker(pytest.mark.allow_hosts(["127.0.0.1", "::1", "localhost"]))


@pytest.fixture(scope="session")
def llama_server() -> Iterator[LlamaServer]:
    """A real llama.cpp server (Gemma 3 270M, chat + embeddings) for the whole session."""
    with LlamaServer(alias="gemma") as server:
        yield server


@pytest.fixture(scope="session")
def keyed_llama_server() -> Iterator[LlamaServer]:
    """A second real llama.cpp server that checks an API key (``--api-key``; chat only), for the
    paths a wrong key takes: the doctor's bad-key check, the conformance kit, the setup wizard."""
    with LlamaServer(alias="gemma", embeddings=False, api_key="sk-right-key-123456") as server:
        yield server
