"""langchain-openai's parameters reach the documented Chat Completions request fields.

Wire fixtures follow OpenAI's API reference for ``POST /v1/chat/completions`` (request body
fields ``logit_bias``, ``logprobs``/``top_logprobs``, ``service_tier``, ``store``,
``verbosity``, ``reasoning_effort``) and ``POST /v1/embeddings``; the real openai SDK does the
transport through ``httpx2.MockTransport``.
"""

from __future__ import annotations

import pytest
from polyport_core.errors import InvalidConfigError
from polyport_openai import ChatOpenAI, OpenAIEmbeddings

from ._wire import Recorder, chunk, completion, json_response, sse, sse_response, usage_chunk

KEY = "sk-test-params"


def make(recorder: Recorder, **kwargs: object) -> ChatOpenAI:
    params: dict[str, object] = {
        "model": "gpt-5-mini",
        "api_key": KEY,
        "max_retries": 0,
        "http_client": recorder.client(),
        "http_async_client": recorder.async_client(),
    }
    return ChatOpenAI(**{**params, **kwargs})  # type: ignore[arg-type]


def test_request_field_parameters_reach_the_body_without_a_warning(recwarn: pytest.WarningsRecorder) -> None:
    recorder = Recorder(json_response(completion("ok")))
    model = make(
        recorder,
        logit_bias={"50256": -100},
        logprobs=True,
        top_logprobs=2,
        service_tier="flex",
        store=False,
        verbosity="low",
        reasoning={"effort": "minimal"},
        use_responses_api=False,  # reasoning= alone selects the Responses API, as in langchain-openai
    )
    model.invoke("hi")
    body = recorder.bodies[0]
    assert body["logit_bias"] == {"50256": -100}
    assert (body["logprobs"], body["top_logprobs"]) == (True, 2)
    assert (body["service_tier"], body["store"], body["verbosity"]) == ("flex", False, "low")
    assert body["reasoning_effort"] == "minimal"
    assert "reasoning" not in body
    assert not [w for w in recwarn.list if "has no parameter" in str(w.message)]


def test_call_time_parameters_reach_the_body() -> None:
    recorder = Recorder(json_response(completion("ok")))
    make(recorder).invoke("hi", service_tier="priority", logit_bias={"1": 5})
    assert recorder.bodies[0]["service_tier"] == "priority"
    assert recorder.bodies[0]["logit_bias"] == {"1": 5}


def test_reasoning_summary_needs_the_responses_api() -> None:
    recorder = Recorder(json_response(completion("ok")))
    model = make(recorder, reasoning={"effort": "low", "summary": "auto"}, use_responses_api=False)
    with pytest.raises(InvalidConfigError, match=r"reasoning keys \['summary'\].*Responses API"):
        model.invoke("hi")
    assert recorder.requests == []


@pytest.mark.parametrize(
    ("name", "value", "hint"),
    [
        ("disabled_params", {"parallel_tool_calls": None}, "drop_params"),
        ("stream_chunk_timeout", 5.0, "timeout="),
    ],
)
def test_unsupported_parameters_raise_naming_the_alternative(name: str, value: object, hint: str) -> None:
    with pytest.raises(InvalidConfigError, match=f"ChatOpenAI does not support {name}=.*{hint}"):
        ChatOpenAI(model="gpt-5", api_key=KEY, **{name: value})


def test_use_responses_api_false_is_accepted_as_what_polyport_does() -> None:
    assert ChatOpenAI(model="gpt-5", api_key=KEY, use_responses_api=False).model_kwargs == {}


def test_include_response_headers_on_invoke_and_first_stream_chunk() -> None:
    headers = {"x-request-id": "req_123", "openai-processing-ms": "12"}
    recorder = Recorder(json_response(completion("ok"), headers=headers))
    message = make(recorder, include_response_headers=True).invoke("hi")
    assert message.response_metadata["headers"]["x-request-id"] == "req_123"
    assert "headers" not in make(recorder).invoke("hi").response_metadata

    events = sse([chunk({"role": "assistant", "content": "o"}), chunk({"content": "k"}, "stop"), usage_chunk()])
    streamed = Recorder(httpx2_response := sse_response(events))
    httpx2_response.headers["x-request-id"] = "req_456"
    chunks = list(make(streamed, include_response_headers=True).stream("hi"))
    with_headers = [c for c in chunks if "headers" in c.response_metadata]
    assert len(with_headers) == 1
    assert with_headers[0].response_metadata["headers"]["x-request-id"] == "req_456"


def test_embeddings_take_langchain_openai_names() -> None:
    body = {"object": "list", "data": [{"object": "embedding", "index": 0, "embedding": [0.5, 0.25]}],
            "model": "text-embedding-3-small", "usage": {"prompt_tokens": 1, "total_tokens": 1}}  # fmt: skip
    recorder = Recorder(json_response(body))
    embedder = OpenAIEmbeddings(
        model="text-embedding-3-small",
        api_key=KEY,
        base_url="http://embed.test/v1",
        openai_organization="org-1",
        headers={"x-team": "search"},
        check_embedding_ctx_length=False,
        http_client=recorder.client(),
    )
    assert embedder.embed_query("hi") == [0.5, 0.25]
    request = recorder.requests[0]
    assert request.headers["openai-organization"] == "org-1"
    assert request.headers["x-team"] == "search"


def test_embeddings_refuse_client_side_chunking_by_name() -> None:
    with pytest.raises(InvalidConfigError, match=r"embedding_ctx_length=.*split long texts"):
        OpenAIEmbeddings(model="m", api_key=KEY, embedding_ctx_length=512)
