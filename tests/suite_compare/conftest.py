"""The comparison suites attach to the llama-server ``scripts/suite_table.py`` started, so every
engine (each run in its own pytest process, in turn) talks to the same server."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
from polyport_core.testing import LlamaServer

SERVER_OPTION = "--suite-server"
"""Root URL of a running llama-server (passed by scripts/suite_table.py); absent: start one here.
An option, not a variable: the test session clears provider and polyport variables at start."""


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(SERVER_OPTION, default=None, help="root URL of a running llama-server to attach to")


@pytest.fixture(scope="session")
def llama_server(pytestconfig: pytest.Config) -> Iterator[LlamaServer]:
    url = pytestconfig.getoption(SERVER_OPTION)
    if not url:
        with LlamaServer(alias="gemma") as server:
            yield server
        return
    port = urlsplit(url).port
    if port is None:
        raise pytest.UsageError(f"{SERVER_OPTION}={url!r}: expected http://127.0.0.1:PORT")
    yield LlamaServer(alias="gemma", port=port)  # attached, not started: stop() leaves it running


_FIRST = ("tool", "structured", "json_mode", "agent_loop", "stop_sequence")
"""Tests where engines differ most run first in each class, so a run cut short by
``scripts/suite_table.py --deadline`` still has them; every test is independent of the others."""


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    items.sort(key=lambda item: (getattr(item, "cls", None) is None, not any(w in item.name for w in _FIRST)))
