"""``streaming=True`` is honoured as in langchain-*: ``invoke`` streams under the hood and
callbacks get every token (wire fixtures in OpenAI's SSE chunk format, see _wire.py)."""

from __future__ import annotations

from typing import Any

from langchain_core.callbacks import AsyncCallbackHandler, BaseCallbackHandler, CallbackManager
from langchain_core.messages import HumanMessage
from polyport_openai import ChatOpenAI

from ._wire import Recorder, chunk, completion, json_response, sse, sse_response, usage_chunk

PIECES = ["Hel", "lo", " there"]


def stream_body() -> bytes:
    deltas = [chunk({"role": "assistant", "content": ""})]
    deltas += [chunk({"content": piece}) for piece in PIECES]
    return sse([*deltas, chunk({}, "stop"), usage_chunk(9, 3)])


class Tokens(BaseCallbackHandler):
    def __init__(self) -> None:
        self.tokens: list[str] = []

    def on_llm_new_token(self, token: str, **kwargs: Any) -> None:
        self.tokens.append(token)


class AsyncTokens(AsyncCallbackHandler):
    def __init__(self) -> None:
        self.tokens: list[str] = []

    async def on_llm_new_token(self, token: str, **kwargs: Any) -> None:
        self.tokens.append(token)


def make(recorder: Recorder, **kwargs: Any) -> ChatOpenAI:
    return ChatOpenAI(
        model="gpt-4o-mini",
        api_key="sk-test-1234567890",
        max_retries=0,
        http_client=recorder.client(),
        http_async_client=recorder.async_client(),
        **kwargs,
    )


def test_invoke_streams_and_callbacks_get_each_token() -> None:
    recorder = Recorder(sse_response(stream_body()))
    tokens = Tokens()
    answer = make(recorder, streaming=True).invoke("hi", config={"callbacks": [tokens]})
    assert recorder.bodies[0]["stream"] is True
    assert [t for t in tokens.tokens if t] == PIECES
    assert answer.content == "Hello there"
    assert answer.usage_metadata is not None
    assert answer.usage_metadata["output_tokens"] == 3


async def test_ainvoke_streams_and_callbacks_get_each_token() -> None:
    recorder = Recorder(sse_response(stream_body()))
    tokens = AsyncTokens()
    answer = await make(recorder, streaming=True).ainvoke("hi", config={"callbacks": [tokens]})
    assert recorder.bodies[0]["stream"] is True
    assert [t for t in tokens.tokens if t] == PIECES
    assert answer.content == "Hello there"


def test_generate_called_directly_streams_too() -> None:
    """Callers that reach ``_generate`` themselves (wrappers, routers) get the same behaviour."""
    recorder = Recorder(sse_response(stream_body()))
    tokens = Tokens()
    run = CallbackManager(handlers=[tokens]).on_chat_model_start({}, [[HumanMessage("hi")]])[0]
    result = make(recorder, streaming=True)._generate([HumanMessage("hi")], run_manager=run)
    assert recorder.bodies[0]["stream"] is True
    assert result.generations[0].message.content == "Hello there"
    assert [t for t in tokens.tokens if t] == PIECES


def test_default_and_stream_false_do_not_stream() -> None:
    recorder = Recorder(json_response(completion("Hi")))
    assert make(recorder).invoke("hi").content == "Hi"
    assert make(recorder, streaming=True).invoke("hi", stream=False).content == "Hi"
    assert [body.get("stream") for body in recorder.bodies] == [None, None]
