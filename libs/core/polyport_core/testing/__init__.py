"""Test kit for polyport and for provider authors: real local servers, a loopback forwarding
proxy and conformance helpers.

The pytest conformance classes live in ``polyport_core.testing.conformance`` (they
import pytest and langchain-tests); their names are also reachable from here,
imported on first access so that ``import polyport_core.testing`` stays light.
"""

from polyport_core._lazy import lazy_getattr
from polyport_core.testing.hermetic import clear_provider_env, is_provider_setting
from polyport_core.testing.local_server import LlamaServer, free_port, gemma_model_path, llama_server_binary
from polyport_core.testing.loopback_proxy import LoopbackProxy, ProxiedRequest

__all__ = [
    "LlamaServer",
    "LoopbackProxy",
    "PolyportChatChecks",
    "PolyportChatModelIntegrationTests",
    "PolyportChatModelUnitTests",
    "ProxiedRequest",
    "RecordingHooks",
    "clear_provider_env",
    "free_port",
    "gemma_model_path",
    "is_provider_setting",
    "llama_server_binary",
]

__getattr__ = lazy_getattr(
    __name__,
    globals(),
    dict.fromkeys(
        ("PolyportChatChecks", "PolyportChatModelIntegrationTests", "PolyportChatModelUnitTests", "RecordingHooks"),
        "conformance",
    ),
)
