"""Declared model facts are enforced before anything is sent (wire fixtures, see _wire.py).

Every refusal is checked against a ``Recorder`` that would have answered in
OpenAI's documented format: no request reaches it. The allowed twin of each call
goes through, so the refusal is the facts' doing, not a broken fixture.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from langchain_core.messages import HumanMessage
from polyport_core.errors import (
    ContextWindowExceededError,
    ContextWindowRefusedError,
    PolyportError,
    RequestValidationError,
)
from polyport_core.governance import Governor
from polyport_core.ledger import SQLiteLedger
from polyport_openai import ChatOpenAI
from pydantic import BaseModel

from ._wire import Recorder, chunk, completion, json_response, sse, sse_response

SPEC_PATH = "/etc/polyport/providers/acme.json"
FACTS: dict[str, Any] = {
    "max_output_tokens": 64,
    "max_input_tokens": 200,
    "tool_calling": False,
    "tool_choice": False,
    "image_inputs": False,
    "structured_output": False,
}
IMAGE = {"type": "image_url", "image_url": {"url": "https://img.acme.test/cat.png"}}
TOOL = {"type": "function", "function": {"name": "get_weather", "parameters": {"type": "object"}}}


class Weather(BaseModel):
    """Weather in a city."""

    city: str


def make(recorder: Recorder, profile: dict[str, Any] | None = None, **kwargs: Any) -> ChatOpenAI:
    params: dict[str, Any] = {
        "model": "acme-1",
        "provider": "acme",
        "api_key": "sk-test-1234567890",
        "base_url": "http://acme.test/v1",
        "max_retries": 0,
        "http_client": recorder.client(),
        "http_async_client": recorder.async_client(),
        "profile": FACTS if profile is None else profile,
        "facts_source": SPEC_PATH,
    }
    params.update(kwargs)
    return ChatOpenAI(**params)


def refused(recorder: Recorder, error: pytest.ExceptionInfo[PolyportError], fact: str) -> str:
    """The refusal's message after checking it names everything a user needs, and nothing was sent."""
    assert recorder.requests == []
    message = str(error.value)
    assert isinstance(error.value, RequestValidationError)
    assert error.value.fact == fact
    assert error.value.declared_in == SPEC_PATH
    assert (error.value.provider, error.value.model) == ("acme", "acme-1")
    assert "provider=acme" in message
    assert "model=acme-1" in message
    assert fact in message
    assert SPEC_PATH in message
    return message


def test_max_tokens_above_max_output_tokens_is_refused() -> None:
    recorder = Recorder(json_response(completion()))
    with pytest.raises(RequestValidationError) as error:
        make(recorder, max_tokens=500).invoke("hi")
    assert "max_tokens=500 is above max_output_tokens=64" in refused(recorder, error, "max_output_tokens")
    with pytest.raises(RequestValidationError):
        make(recorder).invoke("hi", max_tokens=65)  # call-time value, same refusal
    assert recorder.requests == []
    make(recorder).invoke("hi", max_tokens=64)
    assert recorder.bodies[0]["max_tokens"] == 64


def test_prompt_above_context_window_is_refused_as_a_context_overflow() -> None:
    recorder = Recorder(json_response(completion()))
    with pytest.raises(ContextWindowRefusedError) as error:
        make(recorder).invoke("lorem ipsum " * 200)
    message = refused(recorder, error, "context_window")
    assert "above context_window=200" in message
    assert "offline estimate" in message
    assert isinstance(error.value, ContextWindowExceededError)  # code catching overflows keeps working
    make(recorder).invoke("lorem ipsum " * 20)
    assert len(recorder.requests) == 1


def test_tools_on_a_tools_false_model_are_refused() -> None:
    recorder = Recorder(json_response(completion()))
    with pytest.raises(RequestValidationError) as error:
        make(recorder).bind_tools([Weather]).invoke("weather in Paris?")
    assert "tools: false" in refused(recorder, error, "tools")


@pytest.mark.parametrize("choice", ["required", "any", "Weather", True])
def test_forced_tool_choice_on_tool_choice_false_is_refused(choice: Any) -> None:
    recorder = Recorder(json_response(completion()))
    model = make(recorder, profile={**FACTS, "tool_calling": True})
    with pytest.raises(RequestValidationError) as error:
        model.bind_tools([Weather], tool_choice=choice).invoke("weather in Paris?")
    assert "forces a tool call" in refused(recorder, error, "tool_choice")
    model.bind_tools([Weather], tool_choice="auto").invoke("weather in Paris?")
    assert recorder.bodies[0]["tool_choice"] == "auto"


def test_images_to_a_vision_false_model_are_refused() -> None:
    recorder = Recorder(json_response(completion()))
    message = HumanMessage(content=[{"type": "text", "text": "what is this?"}, IMAGE])
    with pytest.raises(RequestValidationError) as error:
        make(recorder).invoke([message])
    assert "image content" in refused(recorder, error, "vision")


def test_json_schema_output_on_json_schema_false_is_refused() -> None:
    recorder = Recorder(json_response(completion('{"city": "Paris"}')))
    model = make(recorder)
    with pytest.raises(RequestValidationError) as error:
        model.with_structured_output(Weather, method="json_schema").invoke("weather?")
    assert "json_schema" in refused(recorder, error, "json_schema")
    with pytest.raises(RequestValidationError):
        model.invoke("weather?", response_format=Weather)
    assert recorder.requests == []
    assert model.with_structured_output(Weather, method="json_mode").invoke("weather?") == Weather(city="Paris")
    assert recorder.bodies[0]["response_format"] == {"type": "json_object"}


def test_unknown_facts_never_refuse() -> None:
    recorder = Recorder(json_response(completion('{"city": "Paris"}')))
    model = make(recorder, profile={}, facts_source=None, max_tokens=100_000)
    model.bind_tools([TOOL], tool_choice="required").invoke("x " * 5000)
    model.invoke([HumanMessage(content=[{"type": "text", "text": "what?"}, IMAGE])])
    model.with_structured_output(Weather, method="json_schema").invoke("weather?")
    assert len(recorder.requests) == 3


def test_a_catalog_fact_names_the_catalog() -> None:
    recorder = Recorder(json_response(completion()))
    model = ChatOpenAI(model="gpt-4o-mini", api_key="sk-test-1234567890", max_retries=0, http_client=recorder.client())
    with pytest.raises(RequestValidationError) as error:
        model.invoke("hi", max_tokens=1_000_000)
    assert recorder.requests == []
    assert error.value.declared_in == "the bundled catalog"
    assert "max_tokens=1000000 is above max_output_tokens=16384" in str(error.value)


PARAMS = {
    "temperature": {"type": "number", "minimum": 0, "maximum": 1},
    "reasoning_effort": {"enum": ["low", "high"]},
    "top_k": {"type": "integer", "maximum": 100},
}


@pytest.mark.parametrize(
    ("constructor", "call", "fact", "problem"),
    [
        ({"temperature": 1.5}, {}, "params.temperature", "1.5 is greater than the maximum of 1"),
        ({}, {"temperature": -0.1}, "params.temperature", "-0.1 is less than the minimum of 0"),
        ({}, {"reasoning_effort": "medium"}, "params.reasoning_effort", "'medium' is not one of ['low', 'high']"),
        ({"model_kwargs": {"top_k": 500}}, {}, "params.top_k", "500 is greater than the maximum of 100"),
        ({}, {"top_k": "many"}, "params.top_k", "'many' is not of type 'integer'"),
    ],
)
def test_values_outside_the_declared_params_are_refused(
    constructor: dict[str, Any], call: dict[str, Any], fact: str, problem: str
) -> None:
    recorder = Recorder(json_response(completion()))
    model = make(recorder, profile={}, params_schema=PARAMS, **constructor)
    with pytest.raises(RequestValidationError) as error:
        model.invoke("hi", **call)
    assert problem in refused(recorder, error, fact)


def test_values_inside_the_declared_params_are_sent() -> None:
    recorder = Recorder(json_response(completion()))
    model = make(recorder, profile={}, params_schema=PARAMS, temperature=0.5, model_kwargs={"top_k": 40})
    model.invoke("hi", reasoning_effort="high", stop=["\n"])  # stop is not declared: not checked
    body = recorder.bodies[0]
    assert (body["temperature"], body["top_k"], body["reasoning_effort"]) == (0.5, 40, "high")


def test_streams_and_async_calls_are_refused_before_sending() -> None:
    stream = sse([chunk({"role": "assistant", "content": "hi"}), chunk({}, "stop")])
    recorder = Recorder(sse_response(stream))
    model = make(recorder, max_tokens=500)
    with pytest.raises(RequestValidationError):
        next(iter(model.stream("hi")))
    assert recorder.requests == []


async def test_async_calls_are_refused_before_sending() -> None:
    recorder = Recorder(json_response(completion()))
    model = make(recorder, max_tokens=500)
    with pytest.raises(RequestValidationError):
        await model.ainvoke("hi")
    with pytest.raises(RequestValidationError):
        async for _ in model.astream("hi"):
            pass
    assert recorder.requests == []


def test_a_refused_call_reaches_no_governance_and_no_ledger(tmp_path: Path) -> None:
    recorder = Recorder(json_response(completion()))
    ledger = SQLiteLedger(tmp_path / "ledger.db")
    governor = Governor(ledger=ledger, allow_unpriced=True, outbox=tmp_path / "outbox")
    model = make(recorder, call_hooks=governor)
    with pytest.raises(RequestValidationError):
        model.invoke("hi", max_tokens=500)
    assert recorder.requests == []
    assert ledger.records() == []
    model.invoke("hi", max_tokens=10)
    assert [(r.provider, r.model) for r in ledger.records()] == [("acme", "acme-1")]
