"""Test kit for polyport and for provider authors: real local servers and conformance helpers.

The pytest conformance classes live in ``polyport_core.testing.conformance`` (they
import pytest and langchain-tests); their names are also reachable from here,
imported on first access so that ``import polyport_core.testing`` stays light.
"""

from typing import Any

from polyport_core.testing.local_server import LlamaServer, free_port, gemma_model_path, llama_server_binary

__all__ = [
    "LlamaServer",
    "PolyportChatChecks",
    "PolyportChatModelIntegrationTests",
    "PolyportChatModelUnitTests",
    "RecordingHooks",
    "free_port",
    "gemma_model_path",
    "llama_server_binary",
]

_CONFORMANCE = frozenset(
    {"PolyportChatChecks", "PolyportChatModelIntegrationTests", "PolyportChatModelUnitTests", "RecordingHooks"}
)


def __getattr__(name: str) -> Any:
    if name in _CONFORMANCE:
        from polyport_core.testing import conformance

        return getattr(conformance, name)
    raise AttributeError(f"module 'polyport_core.testing' has no attribute {name!r}")
