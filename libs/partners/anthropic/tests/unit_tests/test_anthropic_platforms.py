"""Claude on Bedrock and Vertex: construction and request shape, against wire fixtures in the
exact formats those platforms document (Bedrock InvokeModel: ``POST /model/{id}/invoke`` with
``anthropic_version`` in the body and no ``model``; Vertex: ``:rawPredict`` /
``:streamRawPredict`` with ``anthropic_version`` in the body, Anthropic SSE events).
"""

from __future__ import annotations

from anthropic_wire import (
    Recorder,
    json_response,
    message,
    message_end,
    message_start,
    sse,
    sse_response,
    text_block,
)
from polyport_anthropic import ChatAnthropicBedrock, ChatAnthropicVertex

BEDROCK_MODEL = "anthropic.claude-sonnet-4-5-20250929-v1:0"


def test_bedrock_invoke_url_body_and_bearer_key() -> None:
    rec = Recorder(json_response(message()))
    llm = ChatAnthropicBedrock(
        model=BEDROCK_MODEL,
        aws_region="eu-west-1",
        api_key="bedrock-key-xyz",
        max_tokens=32,
        http_client=rec.client(),
        max_retries=0,
    )
    result = llm.invoke("Hi")
    request = rec.requests[0]
    assert request.url.host == "bedrock-runtime.eu-west-1.amazonaws.com"
    assert request.url.path == f"/model/{BEDROCK_MODEL}/invoke"
    body = rec.bodies[0]
    assert body["anthropic_version"]  # the SDK's pinned version (bedrock-2023-05-31 in older SDKs)
    assert "model" not in body
    assert body["max_tokens"] == 32
    assert request.headers["authorization"] == "Bearer bedrock-key-xyz"
    assert result.content == "Hello!"
    assert result.response_metadata["provider"] == "bedrock"
    assert "bedrock-key-xyz" not in repr(llm)


def test_bedrock_aws_keys_are_secret() -> None:
    llm = ChatAnthropicBedrock(
        model=BEDROCK_MODEL,
        aws_region="us-east-1",
        aws_access_key="AKIAEXAMPLE",
        aws_secret_key="wJalrXUtnFEMI/K7MDENG",
    )
    assert "wJalrXUtnFEMI" not in repr(llm)
    assert "AKIAEXAMPLE" not in repr(llm)
    client = llm._sdk_clients().sync
    assert client.aws_region == "us-east-1"
    assert client.aws_access_key == "AKIAEXAMPLE"


def test_vertex_invoke_and_stream_urls() -> None:
    events = [message_start(), *text_block(0, "Hi", "!"), *message_end()]
    rec = Recorder(json_response(message()), sse_response(sse(events)))
    llm = ChatAnthropicVertex(
        model="claude-sonnet-4-5@20250929",
        project_id="my-proj",
        region="us-east5",
        access_token="ya29.token",
        max_tokens=16,
        http_client=rec.client(),
        max_retries=0,
    )
    assert llm.invoke("Hi").content == "Hello!"
    streamed = "".join(str(c.content) for c in llm.stream("Hi"))
    first, second = rec.requests
    prefix = "/v1/projects/my-proj/locations/us-east5/publishers/anthropic/models/claude-sonnet-4-5@20250929"
    assert first.url.host == "us-east5-aiplatform.googleapis.com"
    assert first.url.path == prefix + ":rawPredict"
    assert second.url.path == prefix + ":streamRawPredict"
    assert rec.bodies[0]["anthropic_version"]
    assert "model" not in rec.bodies[0]
    assert first.headers["authorization"] == "Bearer ya29.token"
    assert streamed == "Hi!"
    assert "ya29.token" not in repr(llm)
