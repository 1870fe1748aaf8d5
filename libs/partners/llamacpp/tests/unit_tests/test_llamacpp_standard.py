"""langchain-tests standard unit suites for polyport-llamacpp."""

from __future__ import annotations

from typing import Any

from langchain_tests.unit_tests import ChatModelUnitTests, EmbeddingsUnitTests
from polyport_llamacpp import ChatLlamaCpp, LlamaCppEmbeddings


class TestChatLlamaCppStandard(ChatModelUnitTests):
    @property
    def chat_model_class(self) -> type[ChatLlamaCpp]:
        return ChatLlamaCpp

    @property
    def chat_model_params(self) -> dict[str, Any]:
        return {"model": "gemma", "base_url": "http://127.0.0.1:8080"}

    @property
    def init_from_env_params(self) -> tuple[dict[str, str], dict[str, Any], dict[str, Any]]:
        return (
            {"LLAMACPP_BASE_URL": "http://env.test:8080/v1", "LLAMACPP_API_KEY": "env-key"},
            {"model": "gemma"},
            {"base_url": "http://env.test:8080", "api_key": "env-key"},
        )

    @property
    def has_tool_calling(self) -> bool:
        return True  # prompted tools; forced calls through the json_schema grammar

    @property
    def has_structured_output(self) -> bool:
        return True  # json_schema / json_mode via llama.cpp's grammar


class TestLlamaCppEmbeddingsStandard(EmbeddingsUnitTests):
    @property
    def embeddings_class(self) -> type[LlamaCppEmbeddings]:
        return LlamaCppEmbeddings

    @property
    def embedding_model_params(self) -> dict[str, Any]:
        return {"model": "gemma", "base_url": "http://127.0.0.1:8080"}

    @property
    def init_from_env_params(self) -> tuple[dict[str, str], dict[str, Any], dict[str, Any]]:
        return ({"LLAMACPP_BASE_URL": "http://env.test:8080"}, {"model": "gemma"}, {"base_url": "http://env.test:8080"})
