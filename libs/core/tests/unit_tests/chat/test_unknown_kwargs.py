"""No silent drops: an unknown constructor keyword on any polyport chat model warns and
becomes a request field (``model_kwargs``), as langchain-openai's ``build_extra`` does."""

from __future__ import annotations

import warnings
from typing import Any

import pytest
from langchain_core.language_models import BaseChatModel
from polyport_anthropic import ChatAnthropic
from polyport_core.chat import ProviderChatModel
from polyport_llamacpp import ChatLlamaCpp
from polyport_ollama import ChatOllama
from polyport_openai import AzureChatOpenAI, ChatOpenAI

CLASSES: list[tuple[type[BaseChatModel], dict[str, Any]]] = [
    (ChatOpenAI, {"model": "m", "api_key": "sk-test-123456"}),
    (AzureChatOpenAI, {"model": "m", "api_key": "k", "azure_endpoint": "https://x.test", "api_version": "v"}),
    (ChatAnthropic, {"model": "m", "api_key": "sk-ant-test-123456"}),
    (ChatOllama, {"model": "m"}),
    (ChatLlamaCpp, {"model": "m"}),
]


@pytest.mark.parametrize(("cls", "required"), CLASSES, ids=[c.__name__ for c, _ in CLASSES])
def test_an_unknown_keyword_warns_and_moves_to_model_kwargs(cls: type[BaseChatModel], required: dict[str, Any]) -> None:
    assert issubclass(cls, ProviderChatModel)
    with pytest.warns(UserWarning, match=f"{cls.__name__} has no parameter 'top_kk'") as caught:
        model = cls(**required, top_kk=7, model_kwargs={"seed_x": 1})
    moved = [w for w in caught if "top_kk" in str(w.message)]
    assert len(moved) == 1
    assert "moved to model_kwargs" in str(moved[0].message)
    assert moved[0].filename == __file__  # points at the caller, not at pydantic
    assert model.model_kwargs == {"seed_x": 1, "top_kk": 7}  # type: ignore[attr-defined]


def test_declared_fields_and_their_aliases_do_not_warn() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        model = ChatOpenAI(
            model="m",
            openai_api_key="sk-test-123456",
            max_completion_tokens=5,
            request_timeout=3,
            stop_sequences=["x"],
            streaming=True,
        )
    assert (model.max_tokens, model.timeout, model.stop, model.streaming) == (5, 3, ["x"], True)
    assert model.model_kwargs == {}


def test_a_keyword_given_twice_is_an_error() -> None:
    with pytest.raises(ValueError, match="'top_kk' was given twice"):
        ChatOpenAI(model="m", api_key="sk-test-123456", top_kk=1, model_kwargs={"top_kk": 2})


@pytest.mark.parametrize("name", ["api_key", "access_token", "client_secret"])
def test_an_unknown_credential_is_ignored_loudly_never_sent(name: str) -> None:
    with pytest.warns(UserWarning, match=f"ChatOllama has no parameter '{name}'; it looks like a credential"):
        model = ChatOllama(model="m", **{name: "sk-do-not-send-123456"})
    assert model.model_kwargs == {}
    assert "sk-do-not-send" not in repr(model)


def test_token_counts_are_not_mistaken_for_credentials() -> None:
    with pytest.warns(UserWarning, match="moved to model_kwargs"):
        model = ChatOllama(model="m", max_new_tokens=5)
    assert model.model_kwargs == {"max_new_tokens": 5}
