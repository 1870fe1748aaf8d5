"""ChatLlamaCpp / LlamaCppEmbeddings against a REAL ``llama-server`` (Gemma 3 270M base model,
started on loopback by the session ``llama_server`` fixture).

Every call caps output (<= 48 tokens) at temperature 0; assertions are about the
protocol (content, exact usage, timings, valid JSON), never about wisdom.
"""

from __future__ import annotations

from typing import Any

import pytest
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, HumanMessage
from langchain_tests.integration_tests import EmbeddingsIntegrationTests
from polyport_core.errors import ContextWindowExceededError
from polyport_core.testing import LlamaServer
from polyport_core.testing.conformance import LocalGemmaToolLimits, answer_from_prompt_cache
from polyport_llamacpp import ChatLlamaCpp, LlamaCppEmbeddings

pytestmark = pytest.mark.local_server


class TestChatLlamaCppServer(LocalGemmaToolLimits):
    _base_url: str = ""

    @pytest.fixture(autouse=True)
    def _server(self, llama_server: LlamaServer) -> None:
        type(self)._base_url = llama_server.base_url

    @property
    def chat_model_class(self) -> type[BaseChatModel]:
        return ChatLlamaCpp

    @property
    def chat_model_params(self) -> dict[str, Any]:
        return {"model": "gemma", "base_url": self._base_url, "max_tokens": 48, "temperature": 0}

    @pytest.fixture
    def model(self, llama_server: LlamaServer, request: Any) -> BaseChatModel:
        extra = getattr(request, "param", None) or {}
        return ChatLlamaCpp(**{**self.chat_model_params, "base_url": llama_server.base_url, **extra})

    @property
    def has_tool_calling(self) -> bool:
        return True  # tools in the prompt; forced calls held to their JSON shape by a grammar

    @property
    def has_tool_choice(self) -> bool:
        return True

    @property
    def has_structured_output(self) -> bool:
        return True  # json_schema grammar works on any model, base models included

    @property
    def structured_output_kwargs(self) -> dict[str, Any]:
        return {"method": "json_schema"}

    @property
    def supports_json_mode(self) -> bool:
        return True

    @property
    def supports_image_inputs(self) -> bool:
        return False  # text-only GGUF, no multimodal projector loaded

    @property
    def supports_model_override(self) -> bool:
        return False  # a plain llama-server answers with the model it loaded

    @property
    def returns_usage_metadata(self) -> bool:
        return True

    @property
    def supports_anthropic_inputs(self) -> bool:
        return True  # thinking and tool_use blocks: assistant turns go to the template as their text

    @property
    def supported_usage_metadata_details(self) -> dict[str, list[Any]]:
        return {"invoke": ["cache_read_input"], "stream": ["cache_read_input"]}

    def invoke_with_cache_read_input(self, *, stream: bool = False) -> AIMessage:
        """The same prompt twice: the second reuses the slot's KV cache (``timings.cache_n``)."""
        llm = ChatLlamaCpp(**{**self.chat_model_params, "max_tokens": 1})
        return answer_from_prompt_cache(llm, stream=stream)


class TestLlamaCppEmbeddingsServer(EmbeddingsIntegrationTests):
    _base_url: str = ""

    @pytest.fixture(autouse=True)
    def _server(self, llama_server: LlamaServer) -> None:
        type(self)._base_url = llama_server.base_url

    @property
    def embeddings_class(self) -> type[LlamaCppEmbeddings]:
        return LlamaCppEmbeddings

    @property
    def embedding_model_params(self) -> dict[str, Any]:
        return {"model": "gemma", "base_url": self._base_url}


@pytest.fixture
def llm(llama_server: LlamaServer) -> ChatLlamaCpp:
    return ChatLlamaCpp(model="gemma", base_url=llama_server.base_url, max_tokens=8, temperature=0)


def test_timings_and_exact_usage_on_invoke_and_stream(llm: ChatLlamaCpp) -> None:
    message = llm.invoke("1, 2, 3,")
    timings = message.response_metadata["timings"]
    assert timings["predicted_n"] == message.usage_metadata["output_tokens"]  # type: ignore[index]
    assert timings["prompt_ms"] > 0
    full = None
    for chunk in llm.stream("1, 2, 3,"):
        full = chunk if full is None else full + chunk
    assert full is not None
    assert full.response_metadata["timings"]["predicted_per_second"] > 0
    assert full.response_metadata["usage_estimated"] is False
    assert full.usage_metadata is not None
    assert full.usage_metadata["input_tokens"] == message.usage_metadata["input_tokens"]  # type: ignore[index]


def test_tokenize_counts_match_the_server(llm: ChatLlamaCpp) -> None:
    text = "The quick brown fox jumps over the lazy dog."
    tokens = llm.llama.tokenize(text)
    assert llm.get_num_tokens(text) == len(tokens) > 5
    assert llm.llama.detokenize(tokens).strip() == text
    prompt = [HumanMessage("1, 2, 3,")]
    counted = llm.get_num_tokens_from_messages(prompt)
    reported = llm.invoke(prompt).usage_metadata
    assert reported is not None
    # The server adds <bos> when it evaluates the rendered prompt.
    assert counted <= reported["input_tokens"] <= counted + 1


def test_props_profile_health_and_slots(llm: ChatLlamaCpp, llama_server: LlamaServer) -> None:
    assert llm.load_profile()["max_input_tokens"] == llama_server.context
    assert "<|im_start|>" in llm.chat_template()
    assert llm.llama.health()["status"] == "ok"
    slots = llm.llama.slots()
    assert slots
    assert slots[0]["n_ctx"] == llama_server.context
    assert [m["id"] for m in llm.list_models()] == [llama_server.alias]


def test_context_overflow_is_mapped(llm: ChatLlamaCpp) -> None:
    with pytest.raises(ContextWindowExceededError):
        llm.invoke("hello " * 5000)


def test_a_repeated_prompt_is_read_from_the_kv_cache(llm: ChatLlamaCpp) -> None:
    prompt = "Name three colours of the rainbow."
    llm.invoke(prompt)
    again = llm.invoke(prompt)
    usage = again.usage_metadata
    assert usage is not None
    cached = usage["input_token_details"]["cache_read"]
    assert cached == again.response_metadata["timings"]["cache_n"]
    assert 0 < cached < usage["input_tokens"]
