"""LangChain messages → the Responses API's ``input`` items.

System and user turns become ``message`` items with ``input_*`` content; an assistant
turn becomes its output items again — text as an assistant ``message`` with
``output_text``, reasoning items, built-in tool call items and ``function_call`` items
(from its content blocks, else from ``tool_calls``) — and a ``ToolMessage`` a
``function_call_output``. Item ids LangChain made up (``lc_...``) are never sent, and
with ``store=False`` nothing that only the server could resolve (plain reasoning item
ids, image-generation references) is sent either.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any

from langchain_core.messages import (
    AIMessage,
    BaseMessage,
    ChatMessage,
    HumanMessage,
    SystemMessage,
    ToolMessage,
    is_data_content_block,
)
from langchain_core.messages.block_translators.openai import convert_to_openai_data_block

__all__ = ["OUTPUT_ITEM_TYPES", "messages_to_responses_input"]

OUTPUT_ITEM_TYPES = frozenset(
    {
        "function_call",
        "custom_tool_call",
        "web_search_call",
        "file_search_call",
        "computer_call",
        "code_interpreter_call",
        "image_generation_call",
        "local_shell_call",
        "shell_call",
        "mcp_call",
        "mcp_list_tools",
        "mcp_approval_request",
        "tool_search_call",
        "tool_search_output",
        "apply_patch_call",
        "apply_patch_call_output",
        "compaction",
    }
)
"""Output items an assistant turn may carry in its content and that go back as input items."""

STANDALONE_INPUT_ITEMS = frozenset(
    {"mcp_approval_response", "tool_search_output", "apply_patch_call_output", "item_reference"}
)
"""Blocks a user turn may carry that the Responses API takes as input items of their own."""

_INPUT_BLOCKS = frozenset({"input_text", "input_image", "input_file", "input_audio"})
_TOOL_OUTPUT_BLOCKS = frozenset({"text", "image_url", "file", "image", *_INPUT_BLOCKS})


def _without_index(block: dict[str, Any]) -> dict[str, Any]:
    """A content block as an item: LangChain's streaming ``index`` keys removed (also from the parts of
    a reasoning summary or content)."""
    item = {k: v for k, v in block.items() if k != "index"}
    for key in ("summary", "content"):
        parts = item.get(key)
        if isinstance(parts, list):
            item[key] = [
                {k: v for k, v in part.items() if k != "index"} if isinstance(part, dict) else part for part in parts
            ]
    return item


def _input_block(block: Any) -> dict[str, Any]:
    """One user/system/tool content block in the Responses ``input_*`` form."""
    if isinstance(block, str):
        return {"type": "input_text", "text": block}
    kind = block.get("type")
    if kind == "text":
        return {"type": "input_text", "text": block["text"]}
    if kind == "image_url":
        image = block["image_url"]
        url = image if isinstance(image, str) else image["url"]
        converted = {"type": "input_image", "image_url": url}
        if isinstance(image, dict) and image.get("detail"):
            converted["detail"] = image["detail"]
        return converted
    if kind == "file" and isinstance(block.get("file"), dict):
        return {"type": "input_file", **block["file"]}
    if kind == "non_standard" and isinstance(block.get("value"), dict):
        return dict(block["value"])
    if is_data_content_block(block):
        return convert_to_openai_data_block(block, api="responses")
    return dict(block)


def _content(content: str | list[Any]) -> str | list[dict[str, Any]]:
    return content if isinstance(content, str) else [_input_block(block) for block in content]


def _role(message: BaseMessage, developer_as_system: bool) -> str:
    if isinstance(message, SystemMessage):
        developer = message.additional_kwargs.get("__openai_role__") == "developer"
        return "developer" if developer and not developer_as_system else "system"
    if isinstance(message, HumanMessage):
        return "user"
    if isinstance(message, ChatMessage):
        return "system" if developer_as_system and message.role == "developer" else message.role
    raise TypeError(f"{type(message).__name__} cannot be sent to the Responses API")


def _tool_output(message: ToolMessage) -> dict[str, Any]:
    content = message.content
    if message.additional_kwargs.get("type") == "computer_call_output" and isinstance(content, str):
        return {
            "type": "computer_call_output",
            "call_id": message.tool_call_id,
            "output": {"type": "input_image", "image_url": content},
        }
    if isinstance(content, list) and all(
        isinstance(block, dict) and block.get("type") in _TOOL_OUTPUT_BLOCKS for block in content
    ):
        output: Any = [_input_block(block) for block in content]
    elif isinstance(content, str):
        output = content
    else:
        output = json.dumps(content, default=str)
    return {"type": "function_call_output", "call_id": message.tool_call_id, "output": output}


def _sent_id(item_id: Any, store: bool | None) -> bool:
    return store is not False and isinstance(item_id, str) and bool(item_id) and not item_id.startswith("lc_")


class _AssistantTurn:
    """The input items of one assistant turn, text blocks grouped into one message item per id."""

    def __init__(self, store: bool | None) -> None:
        self.store = store
        self.items: list[dict[str, Any]] = []
        self._messages: dict[str, dict[str, Any]] = {}

    def text(self, part: dict[str, Any], message_id: Any, phase: Any = None) -> None:
        key = message_id if isinstance(message_id, str) and message_id else None
        item = self._messages.get(key) if key else None
        if item is None:
            item = {"type": "message", "role": "assistant", "content": []}
            if _sent_id(message_id, self.store):
                item["id"] = message_id
            if phase is not None:
                item["phase"] = phase
            self.items.append(item)
            if key:
                self._messages[key] = item
        item["content"].append(part)

    def block(self, block: Any) -> None:
        if isinstance(block, str):
            if block:
                self.text({"type": "output_text", "text": block, "annotations": []}, None)
            return
        if not isinstance(block, dict):
            return
        kind = block.get("type")
        if kind in ("text", "output_text") and isinstance(block.get("text"), str):
            annotations = [_annotation_to_wire(a) for a in block.get("annotations") or ()]
            part = {"type": "output_text", "text": block["text"], "annotations": annotations}
            self.text(part, block.get("id"), block.get("phase"))
        elif kind == "refusal":
            self.text({"type": "refusal", "refusal": block.get("refusal", "")}, block.get("id"), block.get("phase"))
        elif kind == "reasoning":
            self.reasoning(block)
        elif kind == "image_generation_call":
            self.image_generation(block)
        elif kind in OUTPUT_ITEM_TYPES:
            self.items.append(_without_index(block))
        elif kind == "non_standard" and isinstance(block.get("value"), dict):
            self.block(block["value"])

    def reasoning(self, block: dict[str, Any]) -> None:
        item = _without_index(block)
        if "summary" not in item and isinstance(item.get("reasoning"), str):  # a standard (v1) reasoning block
            summary = [{"type": "summary_text", "text": item["reasoning"]}]
            item = {"type": "reasoning", "id": item.get("id"), "summary": summary}
        item.setdefault("summary", [])
        if item.get("id") is None or str(item["id"]).startswith("lc_"):
            item.pop("id", None)  # made up by LangChain: not the server's
        if (self.store is not False and "id" in item) or item.get("encrypted_content"):
            self.items.append(item)

    def image_generation(self, block: dict[str, Any]) -> None:
        if self.store is not False and block.get("id"):
            self.items.append({"type": "image_generation_call", "id": block["id"]})
        elif set(block) - {"type", "id", "index"}:
            self.items.append(_without_index(block))

    def tool_calls(self, message: AIMessage) -> None:
        calls = ("function_call", "custom_tool_call")
        present = {item.get("call_id") for item in self.items if item.get("type") in calls}
        for call in message.tool_calls:
            if call.get("id") in present:
                continue
            self.items.append(
                {
                    "type": "function_call",
                    "call_id": call.get("id"),
                    "name": call["name"],
                    "arguments": json.dumps(call["args"], ensure_ascii=False),
                }
            )


def _assistant_items(message: AIMessage, store: bool | None) -> list[dict[str, Any]]:
    turn = _AssistantTurn(store)
    legacy_reasoning = message.additional_kwargs.get("reasoning")  # output_version="v0"
    if isinstance(legacy_reasoning, dict):
        turn.reasoning({"type": "reasoning", **legacy_reasoning})
    content = message.content
    for block in [content] if isinstance(content, str) else content:
        turn.block(block)
    for block in message.additional_kwargs.get("tool_outputs") or ():  # output_version="v0"
        turn.block(block)
    turn.tool_calls(message)
    return turn.items


def _annotation_to_wire(annotation: Any) -> Any:
    """LangChain keeps a file citation's ``index`` as ``file_index`` (``index`` is its merge key)."""
    if isinstance(annotation, dict) and "file_index" in annotation:
        wire = dict(annotation)
        wire["index"] = wire.pop("file_index")
        return wire
    return annotation


def messages_to_responses_input(
    messages: Sequence[BaseMessage] | Iterable[BaseMessage],
    *,
    store: bool | None = None,
    developer_as_system: bool = False,
) -> list[dict[str, Any]]:
    """The Responses ``input`` for ``messages`` (``store``: the request's; ``False`` sends no item
    a stateless server could not resolve)."""
    items: list[dict[str, Any]] = []
    for message in messages:
        if isinstance(message, AIMessage):
            items.extend(_assistant_items(message, store))
        elif isinstance(message, ToolMessage):
            items.append(_tool_output(message))
        else:
            items.extend(_turn_items(message, _role(message, developer_as_system)))
    return items


def _turn_items(message: BaseMessage, role: str) -> list[dict[str, Any]]:
    """A user/system turn as a ``message`` item; blocks that are items of their own (an MCP
    approval, a tool-search or apply-patch output) go beside it, in order."""
    content = message.content
    if isinstance(content, str):
        return [{"type": "message", "role": role, "content": content}]
    standalone = [b for b in content if isinstance(b, dict) and b.get("type") in STANDALONE_INPUT_ITEMS]
    rest = [b for b in content if not (isinstance(b, dict) and b.get("type") in STANDALONE_INPUT_ITEMS)]
    message_item = [{"type": "message", "role": role, "content": _content(rest)}] if rest or not standalone else []
    return message_item + [_without_index(block) for block in standalone]
