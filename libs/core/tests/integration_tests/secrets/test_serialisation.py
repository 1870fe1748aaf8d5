"""No serialisation of any model class shows the planted key: repr, str, dumps, dict, dumpd, callbacks."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from _leak import assert_no_leak, log_text
from _leak_models import ENV, direct_models, registry_models, spec_files
from langchain_core.callbacks import BaseCallbackHandler
from langchain_core.load import dumpd
from polyport_core.errors import AuthenticationError

from conftest import EchoServer


def _every_serialisation(model: Any) -> list[str]:
    out = [repr(model), str(model), str(model.model_dump()), model.model_dump_json(), str(dict(model))]
    out.append(json.dumps(dumpd(model), default=str))
    out.append(str(model.model_dump(mode="json")))
    if hasattr(model, "_get_ls_params"):
        out.append(str(model._get_ls_params()))
        out.append(str(model._get_invocation_params()))
        out.append(str(model._identifying_params))
    return out


def _all_models(key: str, echo: EchoServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    monkeypatch.setenv(ENV, key)
    folder = spec_files(tmp_path / "specs", echo.url)
    return {**direct_models(key, echo.url), **registry_models(folder)}


def test_every_model_class_serialises_without_the_key(
    key: str, echo: EchoServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    factories = _all_models(key, echo, tmp_path, monkeypatch)
    assert len(factories) == 14
    for name, make in factories.items():
        model = make()
        texts = _every_serialisation(model)
        assert all(texts), name
        assert_no_leak(key, *texts)


def test_the_clients_still_get_the_real_values(key: str, echo: EchoServer) -> None:
    """Masking is for display only: the request carries the key where it was declared."""
    from polyport_openai import ChatOpenAI

    model = ChatOpenAI(model="m", api_key=key, base_url=f"{echo.url}/v1", default_headers={"X-Key": key},
                       default_query={"key": key}, max_retries=0)  # fmt: skip
    assert model.invoke("hi").content == "hi"
    sent = echo.requests[-1]
    assert {k.lower(): v for k, v in sent["headers"].items()}["x-key"] == key
    assert f"key={key}" in sent["path"]
    assert "**" not in json.dumps(sent["headers"])


@pytest.mark.parametrize("provider", ["qry", "hdr"])
def test_a_key_placed_in_query_or_header_is_not_also_sent_as_bearer(
    provider: str, key: str, echo: EchoServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(ENV, key)
    model = registry_models(spec_files(tmp_path / "specs", echo.url))[f"registry:{provider}"]()
    assert model.invoke("hi").content == "hi"
    sent = echo.requests[-1]
    authorization = {k.lower(): v for k, v in sent["headers"].items()}.get("authorization", "")
    assert key not in authorization
    if provider == "qry":
        assert f"key={key}" in sent["path"]
    else:
        assert {k.lower(): v for k, v in sent["headers"].items()}["x-key"] == key


class _Recorder(BaseCallbackHandler):
    """Records every argument of every callback (what a tracer such as LangSmith receives)."""

    def __init__(self) -> None:
        self.seen: list[str] = []

    def _keep(self, *args: Any, **kwargs: Any) -> None:
        self.seen.append(repr(args) + repr(kwargs))

    on_chat_model_start = on_llm_start = on_llm_end = on_llm_error = on_llm_new_token = _keep
    on_chain_start = on_chain_end = on_chain_error = _keep


@pytest.mark.parametrize("stream", [False, True])
def test_callback_payloads_carry_no_secret(
    stream: bool, key: str, echo: EchoServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, logs: Any
) -> None:
    monkeypatch.setenv(ENV, key)
    factories = registry_models(spec_files(tmp_path / "specs", echo.url))
    recorder = _Recorder()
    for name in ("registry:qry", "registry:hdr", "registry:tmpl"):
        model = factories[name]()
        echo.mode = "ok" if not stream else "401"
        config: Any = {"callbacks": [recorder], "metadata": {"case": name}}
        if stream:
            with pytest.raises(AuthenticationError):
                list(model.stream("hi", config=config))
        else:
            model.invoke("hi", config=config)
    assert len(recorder.seen) >= 6
    assert_no_leak(key, *recorder.seen, log_text(logs))
