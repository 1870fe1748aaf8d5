"""Wire fixtures in the exact format of OpenAI's Responses API, served through ``httpx2.MockTransport``.

They follow the API reference: the ``response`` object and its output items
(https://platform.openai.com/docs/api-reference/responses/object) and the streaming
events (https://platform.openai.com/docs/api-reference/responses-streaming), as
typed by the openai Python SDK 3.54 (``openai.types.responses``: ``Response``,
``ResponseOutputItem``, ``ResponseStreamEvent``): every event carries ``type`` and
``sequence_number``; item events carry ``output_index`` (and ``item_id``), text
events ``content_index``. SSE frames name the event (``event: <type>``) as OpenAI's
server does, and a Responses stream ends with ``response.completed`` (no ``[DONE]``).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

import httpx2

RESPONSE_ID = "resp_67ccd2bed1ec8190b14f964abc0542670bb6a6b452d3795b"
MESSAGE_ID = "msg_67ccd2bf17f0819081ff3bb2cf6508e60bb6a6b452d3795b"
REASONING_ID = "rs_6820f383d7c08191846711c5df8233bc0ac5ba57aafcbac7"
CALL_ITEM_ID = "fc_12345xyz"
CALL_ID = "call_12345xyz"
MODEL = "gpt-4.1-2025-04-14"

WEATHER_TOOL = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "Weather for a city",
        "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
    },
}


def usage(input_tokens: int = 36, output_tokens: int = 87, *, cached: int = 0, reasoning: int = 0) -> dict[str, Any]:
    return {
        "input_tokens": input_tokens,
        "input_tokens_details": {"cached_tokens": cached},
        "output_tokens": output_tokens,
        "output_tokens_details": {"reasoning_tokens": reasoning},
        "total_tokens": input_tokens + output_tokens,
    }


def message_item(text: str = "Hello!", *, annotations: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    return {
        "type": "message",
        "id": MESSAGE_ID,
        "status": "completed",
        "role": "assistant",
        "content": [{"type": "output_text", "text": text, "annotations": annotations or [], "logprobs": []}],
    }


def reasoning_item(*summaries: str, encrypted: str | None = None) -> dict[str, Any]:
    item: dict[str, Any] = {
        "type": "reasoning",
        "id": REASONING_ID,
        "summary": [{"type": "summary_text", "text": text} for text in summaries],
    }
    if encrypted is not None:
        item["encrypted_content"] = encrypted
    return item


def function_call_item(arguments: str = '{"city":"Paris"}', *, name: str = "get_weather") -> dict[str, Any]:
    return {
        "type": "function_call",
        "id": CALL_ITEM_ID,
        "call_id": CALL_ID,
        "name": name,
        "arguments": arguments,
        "status": "completed",
    }


WEB_SEARCH_ITEM = {
    "type": "web_search_call",
    "id": "ws_67ccf18f64008190a39b619f4c8455ef087bb177ab789d5c",
    "status": "completed",
    "action": {"type": "search", "query": "positive news story today"},
}

URL_CITATION = {
    "type": "url_citation",
    "start_index": 0,
    "end_index": 6,
    "url": "https://example.com/news",
    "title": "Good news",
}


def response(
    output: list[dict[str, Any]],
    *,
    status: str = "completed",
    incomplete_reason: str | None = None,
    usage_: dict[str, Any] | None = None,
    response_id: str = RESPONSE_ID,
    extra: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """A ``response`` object as the API returns it."""
    body: dict[str, Any] = {
        "id": response_id,
        "object": "response",
        "created_at": 1741476542,
        "status": status,
        "error": None,
        "incomplete_details": {"reason": incomplete_reason} if incomplete_reason else None,
        "instructions": None,
        "max_output_tokens": None,
        "model": MODEL,
        "output": output,
        "parallel_tool_calls": True,
        "previous_response_id": None,
        "reasoning": {"effort": None, "summary": None},
        "store": True,
        "temperature": 1.0,
        "text": {"format": {"type": "text"}},
        "tool_choice": "auto",
        "tools": [],
        "top_p": 1.0,
        "truncation": "disabled",
        "usage": usage() if usage_ is None else usage_,
        "user": None,
        "metadata": {},
    }
    body.update(extra or {})
    return body


class EventStream:
    """Builds a stream's events in order, numbering them (``sequence_number``) as the server does."""

    def __init__(self) -> None:
        self.events: list[dict[str, Any]] = []

    def add(self, type_: str, **fields: Any) -> EventStream:
        self.events.append({"type": type_, "sequence_number": len(self.events), **fields})
        return self

    def created(self, response_id: str = RESPONSE_ID) -> EventStream:
        shell = response([], status="in_progress", usage_=None, response_id=response_id)
        shell["usage"] = None
        self.add("response.created", response=shell)
        return self.add("response.in_progress", response=shell)

    def text(self, output_index: int, *pieces: str, annotations: Iterable[dict[str, Any]] = ()) -> EventStream:
        empty = {"type": "message", "id": MESSAGE_ID, "status": "in_progress", "role": "assistant", "content": []}
        self.add("response.output_item.added", output_index=output_index, item=empty)
        part = {"type": "output_text", "text": "", "annotations": [], "logprobs": []}
        where = {"item_id": MESSAGE_ID, "output_index": output_index, "content_index": 0}
        self.add("response.content_part.added", **where, part=part)
        for piece in pieces:
            self.add("response.output_text.delta", **where, delta=piece, logprobs=[])
        notes = list(annotations)
        for position, note in enumerate(notes):
            self.add("response.output_text.annotation.added", **where, annotation_index=position, annotation=note)
        text = "".join(pieces)
        self.add("response.output_text.done", **where, text=text, logprobs=[])
        done_part = {"type": "output_text", "text": text, "annotations": notes, "logprobs": []}
        self.add("response.content_part.done", **where, part=done_part)
        return self.add(
            "response.output_item.done", output_index=output_index, item=message_item(text, annotations=notes)
        )

    def reasoning(self, output_index: int, *pieces: str) -> EventStream:
        self.add("response.output_item.added", output_index=output_index, item={**reasoning_item(), "summary": []})
        where = {"item_id": REASONING_ID, "output_index": output_index, "summary_index": 0}
        self.add("response.reasoning_summary_part.added", **where, part={"type": "summary_text", "text": ""})
        for piece in pieces:
            self.add("response.reasoning_summary_text.delta", **where, delta=piece)
        text = "".join(pieces)
        self.add("response.reasoning_summary_text.done", **where, text=text)
        self.add("response.reasoning_summary_part.done", **where, part={"type": "summary_text", "text": text})
        return self.add("response.output_item.done", output_index=output_index, item=reasoning_item(text))

    def function_call(self, output_index: int, *pieces: str) -> EventStream:
        added = {**function_call_item(""), "status": "in_progress"}
        self.add("response.output_item.added", output_index=output_index, item=added)
        for piece in pieces:
            self.add(
                "response.function_call_arguments.delta", item_id=CALL_ITEM_ID, output_index=output_index, delta=piece
            )
        arguments = "".join(pieces)
        self.add(
            "response.function_call_arguments.done",
            item_id=CALL_ITEM_ID,
            output_index=output_index,
            arguments=arguments,
            name="get_weather",
        )
        return self.add("response.output_item.done", output_index=output_index, item=function_call_item(arguments))

    def web_search(self, output_index: int) -> EventStream:
        started = {**WEB_SEARCH_ITEM, "status": "in_progress"}
        self.add("response.output_item.added", output_index=output_index, item=started)
        where = {"item_id": WEB_SEARCH_ITEM["id"], "output_index": output_index}
        self.add("response.web_search_call.in_progress", **where)
        self.add("response.web_search_call.searching", **where)
        self.add("response.web_search_call.completed", **where)
        return self.add("response.output_item.done", output_index=output_index, item=WEB_SEARCH_ITEM)

    def completed(self, output: list[dict[str, Any]], **kwargs: Any) -> EventStream:
        body = response(output, **kwargs)
        kind = "response.incomplete" if body["status"] == "incomplete" else "response.completed"
        return self.add(kind, response=body)

    def sse(self) -> bytes:
        return "".join(f"event: {e['type']}\ndata: {json.dumps(e)}\n\n" for e in self.events).encode()


def sse_response(payload: bytes) -> httpx2.Response:
    return httpx2.Response(200, content=payload, headers={"content-type": "text/event-stream"})
