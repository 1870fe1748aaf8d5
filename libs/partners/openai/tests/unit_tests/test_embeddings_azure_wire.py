"""OpenAIEmbeddings and the Azure classes against wire fixtures in OpenAI's / Azure OpenAI's
documented formats (``/embeddings`` list object; Azure deployment URLs with ``api-version``)."""

from __future__ import annotations

import base64
import json
import struct

import httpx2
import pytest
from polyport_core.errors import RateLimitError
from polyport_openai import AzureChatOpenAI, AzureOpenAIEmbeddings, OpenAIEmbeddings

from ._wire import Recorder, completion, error_body, json_response


def embedding_list(vectors: list[list[float]], *, as_base64: bool = False) -> dict[str, object]:
    data = []
    for index, vector in enumerate(vectors):
        value: object = vector
        if as_base64:
            value = base64.b64encode(struct.pack(f"<{len(vector)}f", *vector)).decode()
        data.append({"object": "embedding", "index": index, "embedding": value})
    return {
        "object": "list",
        "data": data,
        "model": "text-embedding-3-small",
        "usage": {"prompt_tokens": 8, "total_tokens": 8},
    }


def embedder(recorder: Recorder, **kwargs: object) -> OpenAIEmbeddings:
    params: dict[str, object] = {
        "model": "text-embedding-3-small",
        "api_key": "sk-test",
        "max_retries": 0,
        "http_client": recorder.client(),
        "http_async_client": recorder.async_client(),
    }
    params.update(kwargs)
    return OpenAIEmbeddings(**params)  # type: ignore[arg-type]


def test_compatible_server_gets_strings_as_floats_in_batches() -> None:
    recorder = Recorder(
        json_response(embedding_list([[1.0, 0.0], [0.0, 1.0]])), json_response(embedding_list([[0.5, 0.5]]))
    )
    vectors = embedder(recorder, base_url="http://vllm.test/v1", batch_size=2).embed_documents(["a", "b", "c"])
    assert vectors == [[1.0, 0.0], [0.0, 1.0], [0.5, 0.5]]
    assert [body["input"] for body in recorder.bodies] == [["a", "b"], ["c"]]
    assert all(body["encoding_format"] == "float" for body in recorder.bodies)


def test_openai_gets_base64_and_dimensions_and_decodes_them() -> None:
    recorder = Recorder(json_response(embedding_list([[0.25, -1.5, 2.0]], as_base64=True)))
    vectors = embedder(recorder, dimensions=3).embed_documents(["hello"])
    assert vectors == [[0.25, -1.5, 2.0]]
    body = recorder.bodies[0]
    assert body == {"model": "text-embedding-3-small", "input": ["hello"], "encoding_format": "base64", "dimensions": 3}


def test_out_of_order_items_are_sorted_by_index() -> None:
    body = embedding_list([[1.0], [2.0]])
    body["data"] = list(reversed(body["data"]))  # type: ignore[call-overload]
    assert embedder(Recorder(json_response(body)), base_url="http://x.test/v1").embed_documents(["a", "b"]) == [
        [1.0],
        [2.0],
    ]


async def test_async_embeddings_keep_order_across_concurrent_batches() -> None:
    def handler(request: httpx2.Request) -> httpx2.Response:
        texts = json.loads(request.content)["input"]
        return json_response(embedding_list([[float(len(t))] for t in texts]))

    client = httpx2.AsyncClient(transport=httpx2.MockTransport(handler))
    model = OpenAIEmbeddings(
        model="m", base_url="http://x.test/v1", api_key="k", batch_size=1, http_async_client=client
    )
    assert await model.aembed_documents(["a", "bb", "ccc"]) == [[1.0], [2.0], [3.0]]


def test_embedding_errors_are_mapped_and_named() -> None:
    limited = json_response(error_body("slow down", "requests"), 429, {"retry-after": "2"})
    with pytest.raises(RateLimitError) as info:
        embedder(Recorder(limited), provider="together").embed_query("x")
    assert info.value.retry_after == 2.0
    assert "provider=together" in str(info.value)
    assert "model=text-embedding-3-small" in str(info.value)


def test_azure_chat_routes_to_the_deployment_with_api_version_and_key_header() -> None:
    recorder = Recorder(json_response(completion("from azure")))
    model = AzureChatOpenAI(
        model="gpt-4o",
        azure_endpoint="https://acme.openai.azure.com",
        azure_deployment="prod-gpt4o",
        api_version="2024-10-21",
        api_key="azure-secret",
        max_retries=0,
        http_client=recorder.client(),
    )
    assert model.invoke("hi").content == "from azure"
    request = recorder.requests[0]
    assert request.url.path == "/openai/deployments/prod-gpt4o/chat/completions"
    assert request.url.params["api-version"] == "2024-10-21"
    assert request.headers["api-key"] == "azure-secret"


def test_azure_ad_token_provider_is_called_and_sent_as_bearer() -> None:
    calls: list[int] = []

    def token_provider() -> str:
        calls.append(1)
        return "aad-token-123"

    recorder = Recorder(json_response(completion()))
    model = AzureChatOpenAI(
        model="gpt-4o",
        azure_endpoint="https://acme.openai.azure.com",
        api_version="2024-10-21",
        azure_ad_token_provider=token_provider,
        max_retries=0,
        http_client=recorder.client(),
    )
    model.invoke("hi")
    assert calls
    assert recorder.requests[0].headers["authorization"] == "Bearer aad-token-123"
    assert "api-key" not in recorder.requests[0].headers
    assert recorder.requests[0].url.path == "/openai/deployments/gpt-4o/chat/completions"


def test_azure_embeddings_use_the_deployment() -> None:
    recorder = Recorder(json_response(embedding_list([[1.0, 2.0]], as_base64=True)))
    model = AzureOpenAIEmbeddings(
        model="text-embedding-3-small",
        azure_endpoint="https://acme.openai.azure.com",
        azure_deployment="emb",
        api_version="2024-10-21",
        api_key="azure-secret",
        max_retries=0,
        http_client=recorder.client(),
    )
    assert model.embed_query("hi") == [1.0, 2.0]
    assert recorder.requests[0].url.path == "/openai/deployments/emb/embeddings"
    assert "azure-secret" not in repr(model)
