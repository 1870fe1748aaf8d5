"""ChatAnthropic against a real llama.cpp ``llama-server`` speaking the Anthropic Messages API
(``/v1/messages``, SSE streaming, ``/v1/messages/count_tokens``) on loopback.

The model is Gemma 3 270M, a tiny *base* model: every call is capped (max_tokens <= 128,
temperature 0) and the tests assert on protocol, not on answers.
"""

from __future__ import annotations

from typing import Any

import pytest
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import HumanMessage
from langchain_tests.integration_tests import ChatModelIntegrationTests
from polyport_anthropic import ChatAnthropic
from polyport_core.testing import LlamaServer

pytestmark = pytest.mark.local_server


@pytest.fixture(scope="module")
def server(llama_server: LlamaServer) -> LlamaServer:
    return llama_server


class TestChatAnthropicLlamaServer(ChatModelIntegrationTests):
    @pytest.fixture(autouse=True)
    def _server(self, llama_server: LlamaServer) -> None:
        type(self)._base_url = llama_server.base_url

    _base_url: str = ""

    @property
    def chat_model_class(self) -> type[BaseChatModel]:
        return ChatAnthropic

    @property
    def chat_model_params(self) -> dict[str, Any]:
        return {
            "model": "gemma",
            "base_url": self._base_url,
            "api_key": "no-key",
            "max_tokens": 64,
            "temperature": 0,
            "max_retries": 2,  # the SDK's retry covers a keep-alive socket the server closed
        }

    @pytest.fixture
    def model(self, llama_server: LlamaServer, request: Any) -> BaseChatModel:
        params = {**self.chat_model_params, "base_url": llama_server.base_url}
        extra = getattr(request, "param", None) or {}
        return ChatAnthropic(**{**params, **extra})

    # --- capabilities the tiny base model (or llama-server) cannot show
    @property
    def has_tool_calling(self) -> bool:
        # Gemma 270M base has no tool-call template; it never emits a well-formed call
        # (tool request/response shapes are covered by wire fixtures in unit_tests).
        return False

    @property
    def has_structured_output(self) -> bool:
        # Needs tool calls or native output_config, which /v1/messages ignores (see ARCHITECTURE.md).
        return False

    @property
    def supports_image_inputs(self) -> bool:
        return False  # text-only GGUF, no mmproj loaded

    @property
    def supports_anthropic_inputs(self) -> bool:
        return True  # tool_use / tool_result / thinking blocks and cache_control go through /v1/messages

    @property
    def supports_model_override(self) -> bool:
        return False  # a plain llama-server always answers as its first alias

    @property
    def returns_usage_metadata(self) -> bool:
        return True

    @property
    def supported_usage_metadata_details(self) -> dict[str, list[Any]]:
        return {"invoke": [], "stream": []}  # no prompt cache/reasoning token details from llama-server


def test_stream_ends_with_usage_and_one_finish_reason(server: LlamaServer) -> None:
    llm = ChatAnthropic(model="gemma", base_url=server.base_url, max_tokens=16, temperature=0, max_retries=0)
    chunks = list(llm.stream("The capital of France is"))
    finishes = [c.response_metadata["finish_reason"] for c in chunks if c.response_metadata.get("finish_reason")]
    assert len(finishes) == 1
    assert finishes[0] in ("max_tokens", "end_turn", "stop_sequence")
    full = chunks[0]
    for chunk in chunks[1:]:
        full = full + chunk
    assert full.usage_metadata is not None
    assert full.usage_metadata["output_tokens"] > 0
    assert full.response_metadata["usage_estimated"] is False


def test_count_tokens_endpoint(server: LlamaServer) -> None:
    llm = ChatAnthropic(model="gemma", base_url=server.base_url, max_tokens=16, max_retries=0)
    assert llm.get_num_tokens_from_messages([HumanMessage("Hello, how are you today?")]) > 0


async def test_async_invoke(server: LlamaServer) -> None:
    llm = ChatAnthropic(model="gemma", base_url=server.base_url, max_tokens=8, temperature=0, max_retries=0)
    result = await llm.ainvoke("One, two, three,")
    assert isinstance(result.content, str)
    assert result.usage_metadata is not None
    assert 0 < result.usage_metadata["output_tokens"] <= 8


def test_async_calls_survive_a_new_event_loop(llama_server: LlamaServer) -> None:
    """asyncio.run twice with one model: each loop gets its own async client."""
    import asyncio

    llm = ChatAnthropic(model="gemma", base_url=llama_server.base_url, max_tokens=4, temperature=0)
    for prompt in ("One", "Two"):
        usage = asyncio.run(llm.ainvoke(prompt)).usage_metadata
        assert usage is not None
        assert usage["output_tokens"] > 0
