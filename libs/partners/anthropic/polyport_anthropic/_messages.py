"""LangChain messages → Anthropic Messages API ``system`` + ``messages``."""

from __future__ import annotations

import json
from typing import Any

from langchain_core.messages import AIMessage, BaseMessage, SystemMessage, ToolMessage

__all__ = ["convert_content_block", "messages_to_anthropic"]

_PASSTHROUGH = frozenset(
    {"text", "image", "document", "tool_result", "search_result", "redacted_thinking", "container_upload"}
)


def _data_url(url: str) -> tuple[str, str] | None:
    if not url.startswith("data:"):
        return None
    header, _, data = url.partition(",")
    return header[5:].split(";")[0] or "application/octet-stream", data


def _source(block: dict[str, Any]) -> dict[str, Any] | None:
    """An Anthropic ``source`` for LangChain's v0/v1 data blocks, or None."""
    mime = block.get("mime_type") or "application/octet-stream"
    if block.get("base64"):
        return {"type": "base64", "media_type": mime, "data": block["base64"]}
    if block.get("source_type") == "base64" and block.get("data"):
        return {"type": "base64", "media_type": mime, "data": block["data"]}
    url = block.get("url") or (block.get("data") if block.get("source_type") == "url" else None)
    if url:
        parsed = _data_url(url)
        if parsed is not None:
            return {"type": "base64", "media_type": parsed[0], "data": parsed[1]}
        return {"type": "url", "url": url}
    if block.get("file_id") or (block.get("id") and block.get("source_type") == "id"):
        return {"type": "file", "file_id": block.get("file_id") or block["id"]}
    return None


def _with_cache(out: dict[str, Any], block: dict[str, Any]) -> dict[str, Any]:
    cache = block.get("cache_control") or (block.get("extras") or {}).get("cache_control")
    if cache:
        out["cache_control"] = cache
    return out


def convert_content_block(block: Any) -> dict[str, Any] | None:
    """One LangChain content block (str, OpenAI, v0/v1 standard or native) as an Anthropic block."""
    if isinstance(block, str):
        return {"type": "text", "text": block} if block else None
    kind = block.get("type")
    if kind == "text":
        if not block.get("text"):
            return None
        return _with_cache({"type": "text", "text": block["text"]}, block)
    if kind == "image_url":
        image = block["image_url"]
        url = image["url"] if isinstance(image, dict) else image
        parsed = _data_url(url)
        source: dict[str, Any] = (
            {"type": "url", "url": url}
            if parsed is None
            else {"type": "base64", "media_type": parsed[0], "data": parsed[1]}
        )
        return _with_cache({"type": "image", "source": source}, block)
    if kind in ("image", "file") and "source" not in block:
        found = _source(block)
        if found is None:
            raise ValueError(f"Unsupported {kind} content block: no base64, url or file id")
        target = "image" if kind == "image" else "document"
        return _with_cache({"type": target, "source": found}, block)
    if kind == "thinking":
        out = {"type": "thinking", "thinking": block.get("thinking", "")}
        if "signature" in block:
            out["signature"] = block["signature"]
        return out
    if kind == "reasoning":  # v1 standard block echoing an Anthropic thinking block
        extras = block.get("extras") or {}
        out = {"type": "thinking", "thinking": block.get("reasoning", "")}
        if extras.get("signature") or block.get("signature"):
            out["signature"] = extras.get("signature") or block.get("signature")
        return out
    if kind == "tool_use":
        return None  # rebuilt from ``AIMessage.tool_calls``
    if kind in _PASSTHROUGH or kind is not None:  # native Anthropic block: drop stream bookkeeping
        return {k: v for k, v in block.items() if k != "index"}
    raise ValueError(f"Unsupported content block {block!r}")


def _blocks(content: str | list[Any]) -> list[dict[str, Any]]:
    if isinstance(content, str):
        return [{"type": "text", "text": content}] if content else []
    return [converted for block in content if (converted := convert_content_block(block)) is not None]


def _tool_use(call: dict[str, Any]) -> dict[str, Any]:
    args = call.get("args") or {}
    if isinstance(args, str):
        args = json.loads(args or "{}")
    return {"type": "tool_use", "id": call["id"], "name": call["name"], "input": args}


def _assistant(message: AIMessage) -> dict[str, Any]:
    if not message.tool_calls and isinstance(message.content, str):
        return {"role": "assistant", "content": message.content}
    blocks = _blocks(message.content)
    blocks.extend(_tool_use(dict(call)) for call in message.tool_calls)
    return {"role": "assistant", "content": blocks}


def _tool_result(message: ToolMessage) -> dict[str, Any]:
    content = message.content
    result: dict[str, Any] = {
        "type": "tool_result",
        "tool_use_id": message.tool_call_id,
        "content": content if isinstance(content, str) else _blocks(content),
    }
    if message.status == "error":
        result["is_error"] = True
    return result


def _system(messages: list[SystemMessage]) -> str | list[dict[str, Any]]:
    if all(isinstance(m.content, str) for m in messages):
        return "\n\n".join(str(m.content) for m in messages)
    blocks: list[dict[str, Any]] = []
    for message in messages:
        blocks.extend(_blocks(message.content))
    return blocks


def messages_to_anthropic(
    messages: list[BaseMessage],
) -> tuple[str | list[dict[str, Any]] | None, list[dict[str, Any]]]:
    """``(system, messages)`` for a Messages API request; consecutive user turns are merged."""
    systems: list[SystemMessage] = []
    out: list[dict[str, Any]] = []
    for message in messages:
        if isinstance(message, SystemMessage):
            systems.append(message)
            continue
        if isinstance(message, AIMessage):
            out.append(_assistant(message))
            continue
        if isinstance(message, ToolMessage):
            entry: dict[str, Any] = {"role": "user", "content": [_tool_result(message)]}
        elif message.type in ("human", "user", "chat", "generic"):
            entry = {
                "role": "user",
                "content": message.content if isinstance(message.content, str) else _blocks(message.content),
            }
        else:
            raise ValueError(f"Unsupported message type {message.type!r} for Anthropic")
        previous = out[-1] if out else None
        if previous is not None and previous["role"] == "user":
            previous["content"] = _as_list(previous["content"]) + _as_list(entry["content"])
        else:
            out.append(entry)
    return (_system(systems) if systems else None), out


def _as_list(content: str | list[dict[str, Any]]) -> list[dict[str, Any]]:
    if isinstance(content, str):
        return [{"type": "text", "text": content}] if content else []
    return content
