"""Shared fixtures for every package's tests, run from the repository root.

Unit tests never touch the network (pytest-socket blocks sockets; tests marked
``local_server`` or ``redis`` and those under ``integration_tests``/``tests/``
may use loopback only).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from polyport_core.testing import LlamaServer


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
