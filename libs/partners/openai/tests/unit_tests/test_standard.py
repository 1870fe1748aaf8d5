"""langchain-tests standard unit suites for every polyport-openai class.

The unit suites read no media flags (``supports_image_inputs`` and the like); those belong on the
integration classes against llama-server (integration_tests/test_standard_local.py).
"""

from __future__ import annotations

from typing import Any

from langchain_tests.unit_tests import ChatModelUnitTests, EmbeddingsUnitTests
from polyport_openai import AzureChatOpenAI, AzureOpenAIEmbeddings, ChatOpenAI, OpenAIEmbeddings


class TestChatOpenAIStandard(ChatModelUnitTests):
    @property
    def chat_model_class(self) -> type[ChatOpenAI]:
        return ChatOpenAI

    @property
    def chat_model_params(self) -> dict[str, Any]:
        return {"model": "gpt-4o-mini", "api_key": "sk-test"}

    @property
    def init_from_env_params(self) -> tuple[dict[str, str], dict[str, Any], dict[str, Any]]:
        return (
            {"OPENAI_API_KEY": "sk-env", "OPENAI_BASE_URL": "http://env.test/v1"},
            {"model": "gpt-4o-mini"},
            {"api_key": "sk-env", "base_url": "http://env.test/v1"},
        )


class TestAzureChatOpenAIStandard(ChatModelUnitTests):
    @property
    def chat_model_class(self) -> type[AzureChatOpenAI]:
        return AzureChatOpenAI

    @property
    def chat_model_params(self) -> dict[str, Any]:
        return {
            "model": "gpt-4o",
            "api_key": "azure-key",
            "azure_endpoint": "https://example.openai.azure.com",
            "api_version": "2024-10-21",
        }

    @property
    def init_from_env_params(self) -> tuple[dict[str, str], dict[str, Any], dict[str, Any]]:
        return (
            {"AZURE_OPENAI_API_KEY": "azure-env", "AZURE_OPENAI_ENDPOINT": "https://e.openai.azure.com"},
            {"model": "gpt-4o", "api_version": "2024-10-21"},
            {"api_key": "azure-env", "azure_endpoint": "https://e.openai.azure.com"},
        )


class TestOpenAIEmbeddingsStandard(EmbeddingsUnitTests):
    @property
    def embeddings_class(self) -> type[OpenAIEmbeddings]:
        return OpenAIEmbeddings

    @property
    def embedding_model_params(self) -> dict[str, Any]:
        return {"model": "text-embedding-3-small", "api_key": "sk-test"}

    @property
    def init_from_env_params(self) -> tuple[dict[str, str], dict[str, Any], dict[str, Any]]:
        return ({"OPENAI_API_KEY": "sk-env"}, {"model": "text-embedding-3-small"}, {"api_key": "sk-env"})


class TestAzureOpenAIEmbeddingsStandard(EmbeddingsUnitTests):
    @property
    def embeddings_class(self) -> type[AzureOpenAIEmbeddings]:
        return AzureOpenAIEmbeddings

    @property
    def embedding_model_params(self) -> dict[str, Any]:
        return {
            "model": "text-embedding-3-small",
            "api_key": "azure-key",
            "azure_endpoint": "https://example.openai.azure.com",
            "api_version": "2024-10-21",
        }
