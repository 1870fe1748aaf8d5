"""langchain-tests standard integration suites against a REAL llama.cpp ``llama-server``
(Gemma 3 270M base model, started on loopback by the ``llama_server`` fixture)."""

from __future__ import annotations

from typing import Any

import pytest
from langchain_tests.integration_tests import ChatModelIntegrationTests, EmbeddingsIntegrationTests

from polyport_core.testing import LlamaServer
from polyport_openai import ChatOpenAI, OpenAIEmbeddings


@pytest.fixture(autouse=True)
def _server_url(request: pytest.FixtureRequest, llama_server: LlamaServer) -> None:
    request.cls.base_url = llama_server.openai_base_url


class TestChatOpenAILocal(ChatModelIntegrationTests):
    base_url: str

    @property
    def chat_model_class(self) -> type[ChatOpenAI]:
        return ChatOpenAI

    @property
    def chat_model_params(self) -> dict[str, Any]:
        # A tiny base model rarely stops on its own: cap output, and temperature 0
        # keeps grammar-constrained JSON from wandering into whitespace runs.
        return {"model": "gemma", "base_url": self.base_url, "max_tokens": 48, "temperature": 0}

    @property
    def has_tool_calling(self) -> bool:
        # Gemma 3 270M is a base model without a chat template: llama-server falls back to
        # ChatML without tools and never emits a tool call. Tool calling is proven against
        # llama-cpp-python's grammar-forcing server in test_tools_local.py instead.
        return False

    @property
    def has_structured_output(self) -> bool:
        # json_schema is grammar-constrained by llama-server, so it works on any model.
        return True

    @property
    def structured_output_kwargs(self) -> dict[str, Any]:
        return {"method": "json_schema"}

    @property
    def supports_json_mode(self) -> bool:
        return True

    @property
    def returns_usage_metadata(self) -> bool:
        return True

    @property
    def supports_image_inputs(self) -> bool:
        # The server runs without a multimodal projector (text-only model).
        return False


class TestOpenAIEmbeddingsLocal(EmbeddingsIntegrationTests):
    base_url: str

    @property
    def embeddings_class(self) -> type[OpenAIEmbeddings]:
        return OpenAIEmbeddings

    @property
    def embedding_model_params(self) -> dict[str, Any]:
        return {"model": "gemma", "base_url": self.base_url}
