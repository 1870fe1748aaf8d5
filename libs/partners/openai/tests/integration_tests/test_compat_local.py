"""polyport-openai's compatible-server features against a REAL llama.cpp ``llama-server``
(Gemma 3 270M base model, loopback). Assertions are on protocol, never on wisdom."""

from __future__ import annotations

import json
from typing import Any

import pytest
from langchain_core.messages import HumanMessage, ToolMessage
from langchain_core.tools import tool
from polyport_core.errors import BadRequestError, NotFoundError, ProviderUnavailableError
from polyport_core.testing import LlamaServer
from polyport_openai import ChatOpenAI, OpenAIEmbeddings
from pydantic import BaseModel


@tool
def get_weather(city: str) -> str:
    """Current weather for a city."""
    return f"sunny in {city}"


@tool
def add(a: int, b: int) -> int:
    """Add two integers."""
    return a + b


@pytest.fixture
def model(llama_server: LlamaServer) -> ChatOpenAI:
    return ChatOpenAI(
        model="gemma",
        base_url=llama_server.openai_base_url,
        max_tokens=64,
        temperature=0,
        forced_tool_calls="json_schema",
    )


def test_forced_named_tool_call_is_parsed(model: ChatOpenAI) -> None:
    message = model.bind_tools([get_weather, add], tool_choice="add").invoke("Add 2 and 3.")
    assert len(message.tool_calls) == 1
    call = message.tool_calls[0]
    assert call["name"] == "add"
    assert set(call["args"]) == {"a", "b"}
    assert all(isinstance(v, int) for v in call["args"].values())
    assert call["id"]


async def test_forced_tool_call_streams_and_round_trips(model: ChatOpenAI) -> None:
    bound = model.bind_tools([add], tool_choice="required")
    full = None
    async for chunk in bound.astream("Add 2 and 3."):
        full = chunk if full is None else full + chunk
    assert full is not None
    assert [c["name"] for c in full.tool_calls] == ["add"]
    assert full.usage_metadata is not None
    assert full.usage_metadata["input_tokens"] > 0
    result = add.invoke(full.tool_calls[0]["args"])
    history = [HumanMessage("Add 2 and 3."), full, ToolMessage(str(result), tool_call_id=full.tool_calls[0]["id"])]
    answer = await model.ainvoke(history)
    assert isinstance(answer.content, str)
    assert answer.usage_metadata is not None
    assert answer.usage_metadata["input_tokens"] > full.usage_metadata["input_tokens"]  # the round trip was sent


def test_native_mode_sends_tools_to_the_server(llama_server: LlamaServer) -> None:
    import openai

    sent: list[dict[str, Any]] = []
    client = openai.DefaultHttpxClient(event_hooks={"request": [lambda r: sent.append(json.loads(r.content))]})
    native = ChatOpenAI(
        model="gemma", base_url=llama_server.openai_base_url, max_tokens=16, temperature=0, http_client=client
    )
    message = native.bind_tools([get_weather], tool_choice="auto").invoke("Weather in Oslo?")
    # No quirk: the tools and the choice go to the server as OpenAI tools, and the server accepts them.
    assert len(sent) == 1
    assert [t["function"]["name"] for t in sent[0]["tools"]] == ["get_weather"]
    assert sent[0]["tool_choice"] == "auto"
    assert "response_format" not in sent[0]
    # Whether the base model calls is its choice; a call it returns is the bound tool, once.
    assert [call["name"] for call in message.tool_calls] in ([], ["get_weather"])
    assert message.response_metadata["finish_reason"] in ("stop", "length", "tool_calls")


class Person(BaseModel):
    name: str
    age: int


def test_json_schema_output_validates(model: ChatOpenAI) -> None:
    roomy = model.model_copy(update={"max_tokens": 160})
    out = roomy.with_structured_output(Person, method="json_schema", include_raw=True).invoke(
        "Bob is 30 years old. Extract the person."
    )
    # The grammar guarantees valid JSON of the schema once the object closes within the cap.
    assert out["raw"].response_metadata["finish_reason"] == "stop", out["raw"].content
    assert isinstance(out["parsed"], Person)
    json.loads(out["raw"].content)


def test_stream_usage_is_reported_by_llama_server(model: ChatOpenAI) -> None:
    full = None
    for chunk in model.stream("Count to five:"):
        full = chunk if full is None else full + chunk
    assert full is not None
    assert full.response_metadata["usage_estimated"] is False
    assert full.usage_metadata is not None
    assert full.usage_metadata["output_tokens"] > 0


def test_usage_estimated_when_server_is_told_not_to_send_it(llama_server: LlamaServer) -> None:
    silent = ChatOpenAI(
        model="gemma", base_url=llama_server.openai_base_url, max_tokens=8, temperature=0, stream_usage=False
    )
    full = None
    for chunk in silent.stream("Hello"):
        full = chunk if full is None else full + chunk
    assert full is not None
    # stream_usage=False means no usage is requested and none estimated.
    assert full.usage_metadata is None


def test_embeddings_are_strings_on_the_wire_and_batched(llama_server: LlamaServer) -> None:
    embedder = OpenAIEmbeddings(model="gemma", base_url=llama_server.openai_base_url, batch_size=2)
    vectors = embedder.embed_documents(["alpha", "beta", "gamma"])
    assert len(vectors) == 3
    assert len({len(v) for v in vectors}) == 1
    assert vectors[0] != vectors[1]


def test_context_overflow_maps_to_a_clear_error(llama_server: LlamaServer) -> None:
    tiny = ChatOpenAI(model="gemma", base_url=llama_server.openai_base_url, max_tokens=4, max_retries=0)
    with pytest.raises(BadRequestError) as info:
        tiny.invoke("word " * 6000)
    assert "model=gemma" in str(info.value)


def test_unknown_route_and_dead_server_errors(llama_server: LlamaServer) -> None:
    wrong = ChatOpenAI(model="gemma", base_url=f"{llama_server.base_url}/nope/v1", max_tokens=4, max_retries=0)
    with pytest.raises(NotFoundError):
        wrong.invoke("hi")
    dead = ChatOpenAI(model="gemma", base_url="http://127.0.0.1:9/v1", max_tokens=4, max_retries=0, timeout=5)
    with pytest.raises(ProviderUnavailableError, match=r"127\.0\.0\.1"):
        dead.invoke("hi")


def test_async_calls_survive_a_new_event_loop(llama_server: LlamaServer) -> None:
    """Scripts and notebooks call asyncio.run repeatedly; a pool bound to a closed loop must not be reused."""
    import asyncio

    llm = ChatOpenAI(model="gemma", base_url=llama_server.openai_base_url, max_tokens=4, temperature=0)
    first = asyncio.run(llm.ainvoke("One"))
    second = asyncio.run(llm.ainvoke("Two"))
    assert first.usage_metadata is not None
    assert second.usage_metadata is not None
    assert first.usage_metadata["output_tokens"] > 0
    assert second.usage_metadata["output_tokens"] > 0
