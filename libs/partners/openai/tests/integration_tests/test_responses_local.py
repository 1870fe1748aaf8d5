"""ChatOpenAI on the Responses API of the real llama-server (``POST /v1/responses``).

llama-server implements the Responses API statelessly: invoke and stream with usage,
``function_call`` / ``function_call_output`` input items, and a 400 for
``previous_response_id`` (it keeps no responses). Its stream events carry ``item_id``
but no ``output_index`` / ``content_index``, and it reports ``status: "completed"``
even when ``max_output_tokens`` cut the answer. It accepts ``tool_choice`` and
``text.format`` there but enforces neither (the base model answers in free text), so
forced tool calls and JSON-schema output are checked with wire fixtures instead
(``unit_tests/test_responses_wire.py``). Gemma 3 270M, temperature 0.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from langchain_core.messages import AIMessage, AIMessageChunk, HumanMessage, ToolMessage
from polyport_core.cli import app
from polyport_core.errors import BadRequestError
from polyport_core.ledger import SQLiteLedger
from polyport_core.registry import Registry, init_chat_model, reload_registry
from polyport_core.testing import LlamaServer
from polyport_openai import ChatOpenAI
from typer.testing import CliRunner

MAX_TOKENS = 8


@pytest.fixture
def model(llama_server: LlamaServer, monkeypatch: pytest.MonkeyPatch) -> ChatOpenAI:
    for name in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "POLYPORT_PROVIDERS_PATH"):
        monkeypatch.delenv(name, raising=False)
    return ChatOpenAI(
        model="gemma",
        base_url=llama_server.openai_base_url,
        max_tokens=MAX_TOKENS,
        temperature=0,
        use_responses_api=True,
    )


def _check_answer(message: AIMessage) -> None:
    assert str(message.response_metadata["id"]).startswith("resp_")
    assert message.response_metadata["status"] == "completed"
    assert message.response_metadata["finish_reason"] == "stop"
    assert isinstance(message.content, list)
    assert message.text
    usage = message.usage_metadata
    assert usage is not None
    assert usage["input_tokens"] > 0
    assert 0 < usage["output_tokens"] <= MAX_TOKENS
    assert message.response_metadata.get("usage_estimated") is not True


def test_invoke(model: ChatOpenAI) -> None:
    result = model.invoke("Say hi")
    _check_answer(result)
    assert result.content[0]["type"] == "text"
    assert str(result.content[0]["id"]).startswith("msg_")


def test_stream_matches_invoke(model: ChatOpenAI) -> None:
    invoked = model.invoke("The sky is")
    chunks = list(model.stream("The sky is"))
    total = chunks[0]
    for chunk in chunks[1:]:
        total = total + chunk
    assert isinstance(total, AIMessageChunk)
    _check_answer(total)
    assert total.text == invoked.text  # temperature 0: the same words, however they were delivered


async def test_astream(model: ChatOpenAI) -> None:
    total: Any = None
    async for chunk in model.astream("The sea is"):
        total = chunk if total is None else total + chunk
    assert isinstance(total, AIMessageChunk)
    _check_answer(total)


def test_tool_round_trip_items_are_accepted(model: ChatOpenAI) -> None:
    call = {"name": "get_weather", "args": {"city": "Paris"}, "id": "call_1", "type": "tool_call"}
    history = [
        HumanMessage("Weather in Paris?"),
        AIMessage("", tool_calls=[call]),
        ToolMessage("sunny", tool_call_id="call_1"),
    ]
    weather = {
        "type": "function",
        "function": {
            "name": "get_weather",
            "description": "Weather for a city",
            "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
        },
    }
    result = model.bind_tools([weather]).invoke(history)
    _check_answer(result)


def test_previous_response_id_is_refused_by_this_server(model: ChatOpenAI) -> None:
    first = model.invoke("Say hi")
    chained = model.model_copy(update={"use_previous_response_id": True})
    with pytest.raises(BadRequestError, match="previous_response_id") as info:
        chained.invoke([HumanMessage("Say hi"), first, HumanMessage("Again")])
    assert info.value.status_code == 400


def _provider_file(llama_server: LlamaServer, tmp_path: Path) -> Registry:
    """A provider file that turns the Responses API on for its model (``default_params``)."""
    folder = tmp_path / "providers"
    folder.mkdir()
    doc = {
        "id": "local-responses",
        "engine": "openai",
        "base_url": llama_server.openai_base_url,
        "default_params": {"use_responses_api": True, "temperature": 0, "max_tokens": MAX_TOKENS},
        "models": [{"id": "gemma"}],
    }
    (folder / "local-responses.json").write_text(json.dumps(doc))
    return Registry.discover(presets=False, plugins=False, user=False, project=[folder], env={})


def test_provider_file_path_records_usage(
    llama_server: LlamaServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ledger_path = tmp_path / "ledger.sqlite3"
    monkeypatch.setenv("POLYPORT_LEDGER", f"sqlite:///{ledger_path}")
    model = init_chat_model("local-responses:gemma", registry=_provider_file(llama_server, tmp_path))
    total: Any = None
    for chunk in model.stream("Say hi"):
        total = chunk if total is None else total + chunk
    assert isinstance(total, AIMessageChunk)
    _check_answer(total)
    assert total.usage_metadata is not None
    (record,) = SQLiteLedger(ledger_path).records()
    assert record.provider == "local-responses"
    assert record.usage_estimated is False
    assert (record.input_tokens, record.output_tokens) == (
        total.usage_metadata["input_tokens"],
        total.usage_metadata["output_tokens"],
    )


def test_cli_chat_streams_the_text_and_records_it(
    llama_server: LlamaServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ledger_path = tmp_path / "ledger.sqlite3"
    monkeypatch.setenv("POLYPORT_LEDGER", f"sqlite:///{ledger_path}")
    expected = init_chat_model("local-responses:gemma", registry=_provider_file(llama_server, tmp_path)).invoke(
        "Say hi"
    )
    reload_registry(
        Registry.discover(presets=False, plugins=False, user=False, project=[tmp_path / "providers"], env={})
    )
    try:
        result = CliRunner().invoke(app, ["chat", "local-responses:gemma", "Say hi"])
    finally:
        reload_registry(Registry.discover(plugins=False))
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == expected.text.strip()  # the text, not a repr of content blocks
    assert "tokens: " in result.stderr
    assert "(estimated)" not in result.stderr
    assert len(SQLiteLedger(ledger_path).records()) == 2
