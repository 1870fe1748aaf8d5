"""langchain-tests standard integration suites against a REAL llama.cpp ``llama-server``
(Gemma 3 270M base model, started on loopback by the ``llama_server`` fixture)."""

from __future__ import annotations

from typing import Any

import pytest
from langchain_tests.integration_tests import EmbeddingsIntegrationTests
from polyport_core.testing import LlamaServer
from polyport_core.testing.conformance import LocalGemmaToolLimits
from polyport_openai import ChatOpenAI, OpenAIEmbeddings


@pytest.fixture(autouse=True)
def _server_url(request: pytest.FixtureRequest, llama_server: LlamaServer) -> None:
    request.cls.base_url = llama_server.openai_base_url


class TestChatOpenAILocal(LocalGemmaToolLimits):
    base_url: str

    @property
    def chat_model_class(self) -> type[ChatOpenAI]:
        return ChatOpenAI

    @property
    def chat_model_params(self) -> dict[str, Any]:
        # A tiny base model rarely stops on its own: cap output, and temperature 0
        # keeps grammar-constrained JSON from wandering into whitespace runs.
        # forced_tool_calls: llama-server accepts tool_choice but does not enforce it, and this
        # base model never calls a tool unprompted; the quirk forces calls with a JSON grammar.
        return {
            "model": "gemma",
            "base_url": self.base_url,
            "max_tokens": 64,
            "temperature": 0,
            "forced_tool_calls": "json_schema",
        }

    @property
    def has_tool_calling(self) -> bool:
        return True

    @property
    def has_tool_choice(self) -> bool:
        return True

    @property
    def tool_choice_value(self) -> str | None:
        return "any"

    @property
    def has_structured_output(self) -> bool:
        # json_schema is grammar-constrained by llama-server, so it works on any model.
        return True

    @property
    def structured_output_kwargs(self) -> dict[str, Any]:
        return {"method": "json_schema"}

    @property
    def supports_json_mode(self) -> bool:
        # json_object mode is grammar-constrained to *some* JSON object; a 270M base model
        # does not follow the keys the prompt asks for. json_schema (tested) enforces them.
        return False

    @property
    def returns_usage_metadata(self) -> bool:
        return True

    @property
    def supports_image_inputs(self) -> bool:
        # The server runs without a multimodal projector (text-only model).
        return False


    # Besides the shared LocalGemmaToolLimits, two more tool tests judge what the 270M base model
    # decides (argument values), not the protocol; the protocol is checked against the same server
    # in test_compat_local.py (tool round trips) and test_forced_cutoff_local.py (forced calls).
    _ARGUMENT_VALUES = "Gemma 3 270M base model: the argument values are beyond it"

    @pytest.mark.xfail(reason=_ARGUMENT_VALUES, strict=True, raises=AssertionError)
    def test_bind_runnables_as_tools(self, model: Any) -> None:
        super().test_bind_runnables_as_tools(model)

    @pytest.mark.xfail(reason=_ARGUMENT_VALUES, strict=True, raises=AssertionError)
    def test_tool_choice(self, model: Any) -> None:
        super().test_tool_choice(model)


class TestOpenAIEmbeddingsLocal(EmbeddingsIntegrationTests):
    base_url: str

    @property
    def embeddings_class(self) -> type[OpenAIEmbeddings]:
        return OpenAIEmbeddings

    @property
    def embedding_model_params(self) -> dict[str, Any]:
        return {"model": "gemma", "base_url": self.base_url}
