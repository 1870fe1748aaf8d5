"""LangChain messages ↔ Ollama ``/api/chat`` JSON (plain dicts)."""

from __future__ import annotations

import json
from typing import Any
from uuid import uuid4

from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage, ToolMessage
from langchain_core.messages.tool import tool_call

__all__ = ["messages_to_ollama", "parse_message", "tools_to_ollama"]

_ROLES = {"human": "user", "ai": "assistant", "system": "system", "tool": "tool"}


def _image(block: dict[str, Any]) -> str | None:
    if block.get("type") == "image_url":
        url = block["image_url"]["url"] if isinstance(block["image_url"], dict) else block["image_url"]
    elif block.get("type") == "image":
        url = block.get("base64") or block.get("data") or block.get("url") or ""
    else:
        return None
    return str(url).partition(",")[2] if str(url).startswith("data:") else str(url)


def _content(content: str | list[Any]) -> tuple[str, list[str]]:
    if isinstance(content, str):
        return content, []
    texts: list[str] = []
    images: list[str] = []
    for block in content:
        if isinstance(block, str):
            texts.append(block)
        elif block.get("type") == "text":
            texts.append(block.get("text", ""))
        elif (image := _image(block)) is not None:
            images.append(image)
    return "".join(texts), images


def messages_to_ollama(messages: list[BaseMessage]) -> list[dict[str, Any]]:
    """Ollama chat messages: text, base64 images, tool calls (arguments as objects), tool results."""
    out: list[dict[str, Any]] = []
    for message in messages:
        role = _ROLES.get(message.type, "user")
        text, images = _content(message.content)
        entry: dict[str, Any] = {"role": role, "content": text}
        if images:
            entry["images"] = images
        if isinstance(message, AIMessage):
            if message.tool_calls:
                entry["tool_calls"] = [
                    {"function": {"name": c["name"], "arguments": c["args"]}} for c in message.tool_calls
                ]
            reasoning = message.additional_kwargs.get("reasoning_content")
            if reasoning:
                entry["thinking"] = reasoning
        if isinstance(message, ToolMessage) and message.name:
            entry["tool_name"] = message.name
        out.append(entry)
    return out


def tools_to_ollama(tools: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Ollama takes OpenAI's function-tool format as-is (minus ``strict``)."""
    return [
        {"type": "function", "function": {k: v for k, v in t["function"].items() if k != "strict"}}
        if t.get("type") == "function"
        else t
        for t in tools
    ]


def _calls(raw: list[dict[str, Any]] | None) -> list[Any]:
    calls = []
    for entry in raw or ():
        function = entry.get("function") or {}
        args = function.get("arguments") or {}
        if isinstance(args, str):
            args = json.loads(args or "{}")
        calls.append(tool_call(name=function.get("name", ""), args=args, id=entry.get("id") or str(uuid4())))
    return calls


def parse_message(raw: dict[str, Any], *, chunk: bool, offset: int = 0) -> AIMessage | AIMessageChunk:
    """An Ollama ``message`` object as an AIMessage (or chunk); ``thinking`` → reasoning content."""
    if chunk and not raw.get("tool_calls") and not raw.get("thinking"):
        return AIMessageChunk(content=raw.get("content") or "")  # most stream lines: text only
    extra: dict[str, Any] = {}
    if raw.get("thinking"):
        extra["reasoning_content"] = raw["thinking"]
    calls = _calls(raw.get("tool_calls"))
    content = raw.get("content") or ""
    if not chunk:
        return AIMessage(content=content, tool_calls=calls, additional_kwargs=extra)
    chunks = [
        {
            "type": "tool_call_chunk",
            "name": c["name"],
            "args": json.dumps(c["args"]),
            "id": c["id"],
            "index": offset + i,
        }
        for i, c in enumerate(calls)
    ]
    return AIMessageChunk(content=content, tool_call_chunks=chunks, additional_kwargs=extra)
