"""langchain-tests standard integration suites against a REAL llama.cpp ``llama-server``
(Gemma 3 270M base model, started on loopback by the ``llama_server`` fixture).

Two configurations of the chat model: with the ``llamacpp`` preset's quirk (forced tool calls held
to their JSON shape by a grammar), and with the settings a user switching from langchain-openai
writes by hand, no quirk flags. Side by side with langchain-openai on the same server:
tests/benchmarks/results/suite-table.md (``scripts/suite_table.py``).
"""

from __future__ import annotations

from typing import Any

import pytest
from langchain_core.language_models import BaseChatModel
from langchain_tests.integration_tests import ChatModelIntegrationTests, EmbeddingsIntegrationTests
from polyport_core.testing import LlamaServer
from polyport_core.testing.conformance import LocalGemmaToolLimits
from polyport_openai import ChatOpenAI, OpenAIEmbeddings


@pytest.fixture(autouse=True)
def _server_url(request: pytest.FixtureRequest, llama_server: LlamaServer) -> None:
    request.cls.base_url = llama_server.openai_base_url


class TestChatOpenAILocal(LocalGemmaToolLimits):
    """``ChatOpenAI`` with the ``forced_tool_calls`` quirk the ``llamacpp`` preset declares (built
    directly; ``init_chat_model("llamacpp:gemma")`` runs in tests/suite_compare/suites.py)."""

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

    @property
    def supports_anthropic_inputs(self) -> bool:
        # An Anthropic history (thinking block, tool_use, tool_result) replays: the thinking block
        # is left out of the assistant turn, as no Chat Completions server accepts it.
        return True

    # Besides the shared LocalGemmaToolLimits, two more tool tests fail on what the 270M base model
    # writes, not on the protocol (checked against the same server in test_compat_local.py and
    # test_forced_cutoff_local.py): run with --runxfail, both answers use all 64 output tokens and
    # carry an invalid (cut-off) call instead of a valid one, so tool_calls is empty.
    _CUT_OFF = (
        "Gemma 3 270M base model: the forced call's JSON runs to max_tokens=64 (a string argument that "
        "never closes), so it comes back as an invalid (cut-off) tool call and tool_calls is empty"
    )

    @pytest.mark.xfail(reason=_CUT_OFF, strict=True, raises=AssertionError)
    def test_bind_runnables_as_tools(self, model: Any) -> None:
        super().test_bind_runnables_as_tools(model)

    @pytest.mark.xfail(reason=_CUT_OFF, strict=True, raises=AssertionError)
    def test_tool_choice(self, model: Any) -> None:
        super().test_tool_choice(model)


class TestChatOpenAIDefaultsLocal(ChatModelIntegrationTests):
    """``ChatOpenAI(base_url=..., model=..., api_key=..., temperature=0, max_tokens=128)``: what a
    user switching from langchain-openai writes, with no quirk flags (forced tool calls are sent
    as ``tool_choice``, structured output takes the class default)."""

    base_url: str

    @property
    def chat_model_class(self) -> type[ChatOpenAI]:
        return ChatOpenAI

    @property
    def chat_model_params(self) -> dict[str, Any]:
        return {"model": "gemma", "base_url": self.base_url, "api_key": "x", "temperature": 0, "max_tokens": 128}

    @property
    def has_tool_calling(self) -> bool:
        return True

    @property
    def has_tool_choice(self) -> bool:
        return True

    @property
    def has_structured_output(self) -> bool:
        return True

    @property
    def supports_json_mode(self) -> bool:
        return False  # as on TestChatOpenAILocal: json_object mode does not carry the keys

    @property
    def returns_usage_metadata(self) -> bool:
        return True

    @property
    def supports_image_inputs(self) -> bool:
        return False  # text-only model, no multimodal projector

    @property
    def supports_anthropic_inputs(self) -> bool:
        return True  # as on TestChatOpenAILocal: foreign thinking blocks are left out

    # Without the preset's forced_tool_calls quirk, tool_choice travels as the request asks and
    # llama-server does not enforce it; the base model then answers in text, with no tool call.
    # The same tests pass or fail the same way on langchain-openai (suite-table.md).
    _NOT_ENFORCED = (
        "no forced_tool_calls quirk: llama-server accepts tool_choice without enforcing it, and Gemma 3 270M "
        "base answers in text instead of calling the tool (the llamacpp preset's quirk forces the call)"
    )

    @pytest.mark.xfail(reason=_NOT_ENFORCED, strict=True, raises=AssertionError)
    @pytest.mark.parametrize("model", [{}, {"output_version": "v1"}], indirect=True)
    def test_tool_calling(self, model: BaseChatModel) -> None:
        super().test_tool_calling(model)

    @pytest.mark.xfail(reason=_NOT_ENFORCED, strict=True, raises=AssertionError)
    async def test_tool_calling_async(self, model: BaseChatModel) -> None:
        await super().test_tool_calling_async(model)

    @pytest.mark.xfail(reason=_NOT_ENFORCED, strict=True, raises=AssertionError)
    def test_bind_runnables_as_tools(self, model: BaseChatModel) -> None:
        super().test_bind_runnables_as_tools(model)

    @pytest.mark.xfail(reason=_NOT_ENFORCED, strict=True, raises=AssertionError)
    def test_tool_choice(self, model: BaseChatModel) -> None:
        super().test_tool_choice(model)

    @pytest.mark.xfail(reason=_NOT_ENFORCED, strict=True, raises=AssertionError)
    def test_tool_calling_with_no_arguments(self, model: BaseChatModel) -> None:
        super().test_tool_calling_with_no_arguments(model)

    @pytest.mark.xfail(reason=_NOT_ENFORCED, strict=True, raises=AssertionError)
    @pytest.mark.parametrize("model", [{}, {"output_version": "v1"}], indirect=True)
    def test_agent_loop(self, model: BaseChatModel) -> None:
        super().test_agent_loop(model)

    @pytest.mark.xfail(reason=_NOT_ENFORCED, strict=True, raises=AssertionError)
    def test_unicode_tool_call_integration(self, model: BaseChatModel) -> None:
        super().test_unicode_tool_call_integration(model)


class TestOpenAIEmbeddingsLocal(EmbeddingsIntegrationTests):
    base_url: str

    @property
    def embeddings_class(self) -> type[OpenAIEmbeddings]:
        return OpenAIEmbeddings

    @property
    def embedding_model_params(self) -> dict[str, Any]:
        return {"model": "gemma", "base_url": self.base_url}
