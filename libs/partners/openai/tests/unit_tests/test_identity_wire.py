"""The identity vocabulary (docs/design.md "Identity") on real ChatOpenAI calls against wire fixtures.

``provider`` keys records and metadata and defaults to the engine id (``_llm_type``);
``model_provider`` selects langchain-core's block translator. Bodies follow OpenAI's
documented Chat Completions format (see _wire.py).
"""

from __future__ import annotations

from polyport_openai import AzureChatOpenAI, ChatOpenAI, OpenAIEmbeddings

from ._wire import Recorder, completion, json_response


def chat(recorder: Recorder, **kwargs: object) -> ChatOpenAI:
    params: dict[str, object] = {
        "model": "gpt-4o-mini",
        "api_key": "sk-test",
        "max_retries": 0,
        "http_client": recorder.client(),
        "http_async_client": recorder.async_client(),
    }
    params.update(kwargs)
    return ChatOpenAI(**params)  # type: ignore[arg-type]


def test_a_hand_built_model_reports_its_engine_as_provider() -> None:
    model = chat(Recorder(json_response(completion("Hi"))))
    result = model.invoke("Hello")
    assert (model.provider, model._llm_type) == ("openai", "openai")
    assert result.response_metadata["provider"] == "openai"
    assert result.response_metadata["model_provider"] == "openai"


def test_a_named_provider_on_a_compatible_server_keeps_its_id_and_the_compatible_translator() -> None:
    model = chat(Recorder(json_response(completion("Hi"))), provider="acme", base_url="http://acme.test/v1")
    result = model.invoke("Hello")
    assert (model.provider, model._llm_type) == ("acme", "openai")
    assert result.response_metadata["provider"] == "acme"
    assert result.response_metadata["model_provider"] == "openai-compatible"


def test_azure_keeps_its_declared_default_provider_and_its_own_engine_id() -> None:
    model = AzureChatOpenAI(
        model="gpt-4o", api_key="azure-key", azure_endpoint="https://example.openai.azure.com", api_version="2024-10-21"
    )
    assert (model.provider, model._llm_type) == ("azure", "azure-openai")
    assert model._model_provider == "openai"


def test_embedders_use_the_same_words() -> None:
    embedder = OpenAIEmbeddings(model="text-embedding-3-small", api_key="sk-test")
    named = OpenAIEmbeddings(model="text-embedding-3-small", api_key="sk-test", provider="acme")
    assert (embedder.provider, embedder._llm_type) == ("openai", "openai")
    assert (named.provider, named._llm_type) == ("acme", "openai")
