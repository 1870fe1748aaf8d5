"""Checks of what a model can do: chat, streaming, tools, structured output, embeddings, latency.

Every check asserts protocol, not wisdom: a tiny model may answer badly, but
the answer must arrive in the shape LangChain expects.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from typing import Any

from langchain_core.messages import AIMessage, AIMessageChunk
from langchain_core.tools import tool
from pydantic import BaseModel

from polyport_core.doctor._auth_checks import describe_error
from polyport_core.doctor._result import CheckResult, Status
from polyport_core.doctor._target import DoctorTarget
from polyport_core.errors import PolyportError

__all__ = [
    "STRUCTURED_METHODS",
    "check_chat",
    "check_embeddings",
    "check_latency",
    "check_parallel_tools",
    "check_stream",
    "check_structured",
    "check_tools_auto",
    "check_tools_forced",
]

STRUCTURED_METHODS = ("function_calling", "json_mode", "json_schema")


@tool
def get_weather(city: str) -> str:
    """Current weather in a city."""
    return f"sunny in {city}"


@tool
def get_time(city: str) -> str:
    """Current local time in a city."""
    return f"noon in {city}"


class Answer(BaseModel):
    """A short answer."""

    answer: str


def check_chat(target: DoctorTarget) -> CheckResult:
    """One plain call: an ``AIMessage`` with text, usage and a finish reason."""
    message = target.chat(max_tokens=16).invoke("Say hello.")
    if not isinstance(message, AIMessage) or not isinstance(message.content, str | list):
        return CheckResult("basic chat", Status.FAIL, f"expected an AIMessage, got {type(message).__name__}")
    usage = message.usage_metadata
    finish = message.response_metadata.get("finish_reason")
    detail = f"{len(message.text)} chars, finish={finish}, usage={'reported' if usage else 'missing'}"
    return CheckResult("basic chat", Status.PASS if usage else Status.WARN, detail)


def check_stream(target: DoctorTarget) -> CheckResult:
    """Streams arrive in pieces; usage is reported on the stream or estimated (and marked so)."""
    started = time.perf_counter()
    first: float | None = None
    merged: AIMessageChunk | None = None
    count = 0
    for chunk in target.chat(max_tokens=16).stream("Count: one, two,"):
        if not isinstance(chunk, AIMessageChunk):
            return CheckResult("streaming", Status.FAIL, f"chunk is a {type(chunk).__name__}")
        first = first if first is not None else time.perf_counter() - started
        merged = chunk if merged is None else merged + chunk
        count += 1
    if merged is None:
        return CheckResult("streaming", Status.FAIL, "the stream yielded no chunks")
    estimated = merged.response_metadata.get("usage_estimated")
    on_stream = merged.usage_metadata is not None and estimated is not True
    usage = "usage on stream" if on_stream else "usage estimated" if merged.usage_metadata else "no usage"
    data = {"chunks": count, "ttft_s": first, "usage_on_stream": on_stream}
    return CheckResult(
        "streaming", Status.PASS, f"{count} chunks, {usage}", observed={"streaming_usage": on_stream}, data=data
    )


def _valid_calls(message: Any) -> list[dict[str, Any]]:
    calls = getattr(message, "tool_calls", None) or []
    return [c for c in calls if c.get("name") in ("get_weather", "get_time") and isinstance(c.get("args"), dict)]


def check_tools_auto(target: DoctorTarget) -> CheckResult:
    """Tools bound with ``tool_choice`` auto are accepted; a call, if made, is well formed."""
    bound = target.chat(max_tokens=min(32, target.max_tokens)).bind_tools([get_weather])
    message = bound.invoke("What is the weather in Paris? Use the get_weather tool.")
    calls = _valid_calls(message)
    if calls:
        return CheckResult(
            "tool calling (auto)",
            Status.PASS,
            f"called {calls[0]['name']}({calls[0]['args']})",
            observed={"tools": True},
        )
    bad = getattr(message, "invalid_tool_calls", None)
    if bad:
        return CheckResult("tool calling (auto)", Status.FAIL, f"malformed tool call: {bad[0].get('error')}")
    return CheckResult("tool calling (auto)", Status.WARN, "request accepted; the model answered in text")


def check_tools_forced(target: DoctorTarget) -> CheckResult:
    """A tool forced by name must come back as a valid call to that tool."""
    bound = target.chat().bind_tools([get_weather], tool_choice="get_weather")
    message = bound.invoke("What is the weather in Paris?")
    calls = _valid_calls(message)
    if calls and calls[0]["name"] == "get_weather":
        detail = f"called get_weather({calls[0]['args']})"
        return CheckResult("tool calling (forced)", Status.PASS, detail, observed={"tools": True, "tool_choice": True})
    bad = getattr(message, "invalid_tool_calls", None)
    reason = f"malformed call: {bad[0].get('error')}" if bad else "no tool call although one was forced"
    return CheckResult("tool calling (forced)", Status.FAIL, reason, observed={"tool_choice": False})


def check_parallel_tools(target: DoctorTarget) -> CheckResult:
    """Two tools, a question needing both: does one response carry several calls?"""
    bound = target.chat().bind_tools([get_weather, get_time], tool_choice="required", parallel_tool_calls=True)
    message = bound.invoke("Call get_weather and get_time for Paris, both at once.")
    calls = _valid_calls(message)
    names = ", ".join(c["name"] for c in calls) or "none"
    if len(calls) >= 2:
        return CheckResult(
            "parallel tool calls", Status.PASS, f"{len(calls)} calls: {names}", observed={"parallel_tool_calls": True}
        )
    return CheckResult(
        "parallel tool calls",
        Status.WARN,
        f"{len(calls)} call(s) in one response: {names}",
        observed={"parallel_tool_calls": False},
    )


def check_structured(method: str) -> Callable[[DoctorTarget], CheckResult]:
    """A check of ``with_structured_output(method=...)`` (JSON mode: any JSON object passes).

    Output cut off by ``max_tokens`` is a warning, not a failure: the server kept
    the protocol, the (tiny) model just ran long.
    """
    name = f"structured output ({method})"
    is_schema = method == "json_schema"

    def run(target: DoctorTarget) -> CheckResult:
        model: Any = target.chat()
        schema: Any = None if method == "json_mode" else Answer
        prompt = (
            'Reply with the JSON object {"answer": "Paris"}.'
            if method == "json_mode"
            else "What is the capital of France?"
        )
        out = model.with_structured_output(schema, method=method, include_raw=True).invoke(prompt)
        parsed, raw = out["parsed"], out["raw"]
        if isinstance(parsed, Answer) or (method == "json_mode" and isinstance(parsed, dict)):
            return CheckResult(
                name, Status.PASS, f"parsed {parsed!r}"[:120], observed={"json_schema": True} if is_schema else {}
            )
        if raw.response_metadata.get("finish_reason") == "length":
            return CheckResult(name, Status.WARN, "the output hit max_tokens before the JSON closed")
        error = out.get("parsing_error")
        reason = describe_error(error) if error is not None else f"got {type(parsed).__name__}"
        return CheckResult(name, Status.FAIL, reason, observed={"json_schema": False} if is_schema else {})

    run.__name__ = f"check_structured_{method}"
    return run


def check_embeddings(target: DoctorTarget) -> CheckResult:
    """``embed_query``/``embed_documents`` return equal-length float vectors."""
    try:
        embedder = target.embeddings()
    except PolyportError as exc:
        return CheckResult("embeddings", Status.SKIP, describe_error(exc))
    try:
        query = embedder.embed_query("hello")
        docs = embedder.embed_documents(["hello", "world"])
    except PolyportError as exc:
        return CheckResult("embeddings", Status.FAIL, describe_error(exc), observed={"embeddings": False})
    dims = {len(query), *(len(d) for d in docs)}
    if len(docs) != 2 or len(dims) != 1 or not query or not isinstance(query[0], float):
        return CheckResult("embeddings", Status.FAIL, f"inconsistent vectors (dims {sorted(dims)})")
    return CheckResult(
        "embeddings", Status.PASS, f"{len(query)} dimensions", observed={"embeddings": True, "dimensions": len(query)}
    )


def check_latency(target: DoctorTarget, calls: int = 3) -> CheckResult:
    """Wall time of a few tiny calls (p50 and max), after warm-up by the earlier checks."""
    model = target.chat(max_tokens=4)
    times = []
    for _ in range(calls):
        started = time.perf_counter()
        model.invoke("Hi")
        times.append(time.perf_counter() - started)
    p50 = statistics.median(times)
    data = {"samples_s": times, "p50_s": p50, "max_s": max(times)}
    return CheckResult(
        "latency",
        Status.PASS,
        f"p50 {p50 * 1000:.0f} ms, max {max(times) * 1000:.0f} ms ({calls} calls, 4 tokens)",
        latency_s=p50,
        data=data,
    )
