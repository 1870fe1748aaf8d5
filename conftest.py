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
from polyport_core.testing import LlamaServer, clear_provider_env, is_provider_setting


def pytest_configure(config: pytest.Config) -> None:
    """Hermetic session: no provider settings from the caller's shell, and no writes to the
    user's real config/data dirs (default ledger, outbox, user providers) — notebook kernels
    and CLI subprocesses inherit this environment too."""
    clear_provider_env()  # OPENAI_*, ANTHROPIC_*, OLLAMA_HOST, POLYPORT_*, GOOSE_*, *_API_KEY, HTTP(S)_PROXY...
    home = Path(tempfile.mkdtemp(prefix="polyport-test-home-"))
    os.environ["XDG_DATA_HOME"] = str(home / "data")
    os.environ["XDG_CONFIG_HOME"] = str(home / "config")


@pytest.fixture(autouse=True)
def _no_provider_setting_leaks() -> Iterator[None]:
    """A test that leaves a provider setting in the environment (``os.environ[...] =`` instead of
    ``monkeypatch.setenv``) would change every later test: it fails here, named, and the setting is
    removed. Runs after the test's own fixtures (monkeypatch included) are undone."""
    before = {name: value for name, value in os.environ.items() if is_provider_setting(name)}
    yield
    after = {name: value for name, value in os.environ.items() if is_provider_setting(name)}
    if after != before:
        leaked = sorted(name for name in after.keys() | before.keys() if after.get(name) != before.get(name))
        for name in leaked:
            if name in before:
                os.environ[name] = before[name]
            else:
                os.environ.pop(name, None)
        pytest.fail(f"the test changed provider settings in os.environ and left them: {', '.join(leaked)}")


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
