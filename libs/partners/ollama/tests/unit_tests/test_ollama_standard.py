"""langchain-tests' standard unit suites for ChatOllama and OllamaEmbeddings (no network)."""

from __future__ import annotations

from typing import Any

from langchain_tests.unit_tests import ChatModelUnitTests, EmbeddingsUnitTests
from polyport_ollama import ChatOllama, OllamaEmbeddings


class TestChatOllamaStandard(ChatModelUnitTests):
    @property
    def chat_model_class(self) -> type[ChatOllama]:
        return ChatOllama

    @property
    def chat_model_params(self) -> dict[str, Any]:
        return {"model": "llama3.2"}

    @property
    def has_tool_choice(self) -> bool:
        return False  # Ollama ignores tool_choice

    @property
    def init_from_env_params(self) -> tuple[dict[str, str], dict[str, Any], dict[str, Any]]:
        return (
            {"OLLAMA_HOST": "http://gpu-box.test:11500"},
            {"model": "llama3.2"},
            {"base_url": "http://gpu-box.test:11500"},
        )


class TestOllamaEmbeddingsStandard(EmbeddingsUnitTests):
    @property
    def embeddings_class(self) -> type[OllamaEmbeddings]:
        return OllamaEmbeddings

    @property
    def embedding_model_params(self) -> dict[str, Any]:
        return {"model": "all-minilm"}

    @property
    def init_from_env_params(self) -> tuple[dict[str, str], dict[str, Any], dict[str, Any]]:
        return (
            {"OLLAMA_HOST": "http://gpu-box.test:11500"},
            {"model": "all-minilm"},
            {"base_url": "http://gpu-box.test:11500"},
        )
