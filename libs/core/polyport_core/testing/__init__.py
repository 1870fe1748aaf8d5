"""Test kit for polyport and for provider authors: real local servers and conformance helpers."""

from polyport_core.testing.local_server import LlamaServer, free_port, gemma_model_path, llama_server_binary

__all__ = ["LlamaServer", "free_port", "gemma_model_path", "llama_server_binary"]
