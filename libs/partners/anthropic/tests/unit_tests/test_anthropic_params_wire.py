"""langchain-anthropic's parameters reach the documented Messages API request fields.

Fixtures follow Anthropic's API reference for ``POST /v1/messages`` (body fields
``max_tokens``, ``output_config.effort``, ``mcp_servers``, ``context_management``,
``container``, ``inference_geo``; the ``anthropic-beta`` header); the real anthropic SDK does
the transport through ``httpx2.MockTransport``.
"""

from __future__ import annotations

import pytest
from anthropic_wire import MODEL, Recorder, json_response, message
from polyport_anthropic import ChatAnthropic
from polyport_core.errors import InvalidConfigError


def make(rec: Recorder, **kwargs: object) -> ChatAnthropic:
    params: dict[str, object] = {"model": MODEL, "api_key": "sk-ant-test", "max_retries": 0}
    return ChatAnthropic(http_client=rec.client(), http_async_client=rec.async_client(), **{**params, **kwargs})


MCP = [{"type": "url", "url": "https://mcp.example.com/sse", "name": "example"}]


def test_langchain_anthropic_parameters_reach_the_request(recwarn: pytest.WarningsRecorder) -> None:
    rec = Recorder(json_response(message()))
    model = make(
        rec,
        max_tokens_to_sample=77,
        default_request_timeout=30.0,
        effort="low",
        mcp_servers=MCP,
        context_management={"edits": [{"type": "clear_tool_uses_20250919"}]},
        container="container_011",
        inference_geo="us",
        betas=["extended-cache-ttl-2025-04-11"],
    )
    assert model.timeout == 30.0
    model.invoke("hi")
    body = rec.bodies[0]
    assert body["max_tokens"] == 77
    assert body["output_config"] == {"effort": "low"}
    assert body["mcp_servers"] == MCP
    assert body["context_management"] == {"edits": [{"type": "clear_tool_uses_20250919"}]}
    assert (body["container"], body["inference_geo"]) == ("container_011", "us")
    betas = rec.requests[0].headers["anthropic-beta"].split(",")
    assert betas == ["extended-cache-ttl-2025-04-11", "mcp-client-2025-04-04", "context-management-2025-06-27"]
    assert not [w for w in recwarn.list if "has no parameter" in str(w.message)]


def test_reasoning_effort_is_effort() -> None:
    rec = Recorder(json_response(message()))
    make(rec, reasoning_effort="high").invoke("hi")
    assert rec.bodies[0]["output_config"] == {"effort": "high"}


def test_reuse_last_container_raises_naming_container() -> None:
    with pytest.raises(InvalidConfigError, match=r"reuse_last_container=True.*container="):
        ChatAnthropic(model=MODEL, api_key="k", reuse_last_container=True)
    assert ChatAnthropic(model=MODEL, api_key="k", reuse_last_container=False).model_kwargs == {}


def test_proxy_cannot_be_combined_with_own_http_clients() -> None:
    rec = Recorder(json_response(message()))
    with pytest.raises(InvalidConfigError, match="anthropic_proxy cannot be combined"):
        make(rec, anthropic_proxy="http://127.0.0.1:3128").invoke("hi")
