"""The declarative ``engine: "http"`` drives llama.cpp's native ``/completion`` endpoint from
``specs/llamacpp-native.json`` alone (no Python adapter), against the REAL ``llama-server``.

Gemma 3 270M is a tiny base model: output is capped (<= 48 tokens) at temperature 0 and the
assertions are about protocol, never wisdom.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage
from polyport_core.adapters import ChatHTTP
from polyport_core.registry import Registry, init_chat_model
from polyport_core.testing import LlamaServer
from polyport_core.testing.conformance import LocalGemmaToolLimits, answer_from_prompt_cache

pytestmark = pytest.mark.local_server

SPECS = Path(__file__).parent / "specs"


def _registry(server: LlamaServer) -> Registry:
    registry = Registry.discover(
        presets=False, plugins=False, user=False, project=[SPECS], env={"LLAMACPP_BASE_URL": server.base_url}
    )
    assert not registry.errors, registry.errors
    return registry


class TestHTTPEngineLlamaCpp(LocalGemmaToolLimits):
    _server: LlamaServer | None = None

    @pytest.fixture(autouse=True)
    def _bind_server(self, llama_server: LlamaServer) -> None:
        type(self)._server = llama_server

    @property
    def chat_model_class(self) -> type[BaseChatModel]:
        return ChatHTTP

    @property
    def chat_model_params(self) -> dict[str, Any]:
        params: dict[str, Any] = {"max_tokens": 48, "temperature": 0}
        if self._server is not None:  # what init_chat_model passes (for tests that build the class directly)
            spec = _registry(self._server).get("llamacpp-native")
            params.update(model="gemma", provider=spec.id, base_url=spec.base_url, http=spec.http)
        return params

    @pytest.fixture
    def model(self, llama_server: LlamaServer, request: Any) -> BaseChatModel:
        extra = getattr(request, "param", None) or {}
        model: BaseChatModel = init_chat_model(
            "llamacpp-native:gemma", registry=_registry(llama_server), max_tokens=48, temperature=0, **extra
        )
        return model

    @property
    def has_tool_calling(self) -> bool:
        return True  # tools in the prompt; a forced call through the body's {json_schema} (a grammar)

    @property
    def has_tool_choice(self) -> bool:
        return True

    @property
    def has_structured_output(self) -> bool:
        return True  # the spec maps {json_schema} onto llama.cpp's grammar-constrained json_schema

    @property
    def structured_output_kwargs(self) -> dict[str, Any]:
        return {"method": "json_schema"}

    @property
    def supports_json_mode(self) -> bool:
        return True

    @property
    def supports_image_inputs(self) -> bool:
        return False  # text-only model; the prompt template is text

    @property
    def supports_model_override(self) -> bool:
        return False  # a plain llama-server answers with the model it loaded

    @property
    def supports_anthropic_inputs(self) -> bool:
        return True  # the prompt template renders each turn's text; thinking and tool_use blocks are not text

    @property
    def returns_usage_metadata(self) -> bool:
        return True

    @property
    def supported_usage_metadata_details(self) -> dict[str, list[Any]]:
        return {"invoke": ["cache_read_input"], "stream": ["cache_read_input"]}  # response.cache_read_tokens

    def invoke_with_cache_read_input(self, *, stream: bool = False) -> AIMessage:
        """The same prompt twice: the second reuses the slot's KV cache (``timings.cache_n``)."""
        assert self._server is not None
        llm = init_chat_model("llamacpp-native:gemma", registry=_registry(self._server), max_tokens=1, temperature=0)
        return answer_from_prompt_cache(llm, stream=stream)


def test_spec_gives_a_chat_http_with_profile_usage_and_timings(llama_server: LlamaServer) -> None:
    model = init_chat_model("llamacpp-native:gemma", registry=_registry(llama_server), max_tokens=8, temperature=0)
    assert isinstance(model, ChatHTTP)
    assert model.profile is not None
    assert model.profile["max_input_tokens"] == 4096
    message = model.invoke("1, 2, 3,")
    assert message.usage_metadata is not None
    assert message.usage_metadata["output_tokens"] == message.response_metadata["timings"]["predicted_n"] > 0
    assert message.response_metadata["finish_reason"] in {"length", "stop"}
    assert message.response_metadata["provider"] == "llamacpp-native"
    assert [m["id"] for m in model.list_models()] == [llama_server.alias]
