"""A real ``ProviderChatModel`` subclass whose 'vendor' is an in-process script (no sockets).

It stands in for a vendor SDK only; the whole polyport lifecycle and the
governance under test run for real.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from langchain_core.messages import BaseMessage
from polyport_core.chat import ChatTransport, ParsedResponse, ProviderChatModel, RawResponse, StreamState, VendorRequest
from polyport_core.errors import PolyportError, ProviderUnavailableError
from polyport_core.governance import Price, StaticPrices
from polyport_core.ledger import SQLiteLedger
from polyport_core.wire.openai import OpenAIStreamState, parse_chat_completion
from pydantic import Field


def completion(text: str = "ok", prompt_tokens: int = 10, completion_tokens: int = 5) -> dict[str, Any]:
    return {
        "id": "x",
        "object": "chat.completion",
        "model": "scripted",
        "choices": [{"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}],
        "usage": {
            "prompt_tokens": prompt_tokens,
            "completion_tokens": completion_tokens,
            "total_tokens": prompt_tokens + completion_tokens,
        },
    }


class ScriptedChat(ProviderChatModel):
    """Answers from ``script`` (a dict body or an exception per call), else a default completion."""

    script: list[Any] = Field(default_factory=list)
    output_tokens: int = 5
    headers: dict[str, str] | None = None
    chunks: int = 3

    @property
    def _llm_type(self) -> str:
        return "scripted"

    def _build_payload(
        self, messages: list[BaseMessage], stop: list[str] | None, stream: bool, **kwargs: Any
    ) -> dict[str, Any]:
        return {
            "model": self.model_name,
            "messages": [{"role": m.type, "content": m.content} for m in messages],
            "max_tokens": kwargs.get("max_tokens", self.max_tokens),
            "stream": stream,
        }

    def _next(self) -> dict[str, Any]:
        item = self.script.pop(0) if self.script else completion(completion_tokens=self.output_tokens)
        if isinstance(item, BaseException):
            raise item
        return item

    def _events(self, state: StreamState) -> Iterator[dict[str, Any]]:
        body = self._next()
        state.headers = self.headers
        for i in range(self.chunks):
            yield {"id": "x", "model": "scripted", "choices": [{"index": 0, "delta": {"content": f"w{i} "}}]}
        yield {
            "id": "x",
            "model": "scripted",
            "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}],
        }
        yield {"id": "x", "model": "scripted", "choices": [], "usage": body["usage"]}

    def _chat_transport(self) -> ChatTransport:
        return _ScriptTransport(self)

    def _parse_response(self, raw: RawResponse, request: VendorRequest) -> ParsedResponse:
        parsed = parse_chat_completion(raw.body)
        parsed.headers = self.headers
        return parsed

    def _stream_state(self, request: VendorRequest) -> StreamState:
        return OpenAIStreamState()

    def _map_error(self, error: BaseException) -> BaseException:
        if isinstance(error, PolyportError):
            return error
        return ProviderUnavailableError(str(error))


class _ScriptTransport:
    """The script of a ``ScriptedChat`` as its transport."""

    def __init__(self, chat: ScriptedChat) -> None:
        self.chat = chat

    def send(self, request: VendorRequest) -> RawResponse:
        return RawResponse(self.chat._next())

    async def asend(self, request: VendorRequest) -> RawResponse:
        return RawResponse(self.chat._next())

    def stream(self, request: VendorRequest, state: StreamState) -> Iterator[Any]:
        yield from self.chat._events(state)

    async def astream(self, request: VendorRequest, state: StreamState) -> AsyncIterator[Any]:
        for event in self.chat._events(state):
            yield event


PRICE = Price(input=Decimal(0), output=Decimal(1000), provenance="spec")
"""$1000 per million output tokens = $0.001 per token; input free (exact worst case)."""


@pytest.fixture
def prices() -> StaticPrices:
    return StaticPrices({"scripted/m": PRICE})


@pytest.fixture
def ledger(tmp_path: Path) -> Iterator[SQLiteLedger]:
    led = SQLiteLedger(tmp_path / "ledger.sqlite3")
    yield led
    led.close()


@pytest.fixture
def make_model():
    def make(hooks: Any, **kwargs: Any) -> ScriptedChat:
        kwargs.setdefault("max_tokens", 5)
        return ScriptedChat(model="m", provider="scripted", call_hooks=hooks, **kwargs)

    return make


@pytest.fixture(autouse=True)
def _outbox_in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Settles the ledger refuses go to an outbox in the test's tmp dir, never the user's."""
    monkeypatch.setenv("POLYPORT_OUTBOX", str(tmp_path / "outbox.sqlite3"))
    monkeypatch.delenv("POLYPORT_LEDGER", raising=False)


@pytest.fixture
def scripted_chat() -> type[ScriptedChat]:
    """The scripted chat class itself, for tests that build several models."""
    return ScriptedChat
