"""A password planted in a provider file's ``proxy`` URL: used (it reaches the proxy as
``Proxy-Authorization``) and never shown — not by ``providers list/show/validate/models``,
``chat``, spec errors, connection errors, tracebacks, logs, nor any repr or dump of a model.

The proxy is a real forwarding proxy (``LoopbackProxy``) in front of the loopback vendor
stand-in of ``conftest.EchoServer`` (OpenAI, Anthropic and Ollama formats).
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from _leak import assert_no_leak, formatted, log_text
from polyport_core.cli import app
from polyport_core.errors import ProviderUnavailableError
from polyport_core.registry import Registry, get_registry, init_chat_model, reload_registry
from polyport_core.testing import LoopbackProxy
from typer.testing import CliRunner

from conftest import EchoServer

USER = "corp"


def _out(result: Any) -> str:
    try:
        stderr = result.stderr
    except ValueError:  # click without separate stderr capture
        stderr = ""
    return f"{result.output}\n{stderr}\n{result.exception!r}"


@pytest.fixture
def proxy(echo: EchoServer) -> Iterator[LoopbackProxy]:
    with LoopbackProxy(timeout=10) as running:
        yield running


@pytest.fixture
def cli(
    key: str, echo: EchoServer, proxy: LoopbackProxy, closed_port: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[CliRunner]:
    """Providers whose proxy URL carries the planted key as its password; two broken ones."""
    folder = tmp_path / "providers"
    folder.mkdir()
    through = proxy.url_with_credentials(USER, key)
    dead = f"http://{USER}:{key}@127.0.0.1:{closed_port}"
    docs: dict[str, dict[str, Any]] = {
        "viaproxy": {"engine": "openai", "base_url": f"{echo.url}/v1", "proxy": through},
        "anthproxy": {"engine": "anthropic", "base_url": echo.url, "proxy": through},
        "ollamaproxy": {"engine": "ollama", "base_url": echo.url, "proxy": through},
        "deadproxy": {"engine": "openai", "base_url": f"{echo.url}/v1", "proxy": dead},
        "bad-scheme": {"engine": "openai", "base_url": f"{echo.url}/v1", "proxy": f"ftp://{USER}:{key}@proxy:21"},
        "bad-port": {"engine": "openai", "base_url": f"{echo.url}/v1", "proxy": f"http://{USER}:{key}@proxy:x1"},
    }
    for name, doc in docs.items():
        body = {"id": name, "models": [{"id": "m"}], "auth": {"type": "none"}, **doc}
        (folder / f"{name}.json").write_text(json.dumps(body))
    monkeypatch.setenv("POLYPORT_PROVIDERS_PATH", str(folder))
    reload_registry(Registry.discover(plugins=False, user=False))
    yield CliRunner()
    reload_registry(Registry())


@pytest.mark.parametrize(
    "args",
    [
        ["providers", "list"],
        ["providers", "list", "--json"],
        ["providers", "show", "viaproxy"],
        ["providers", "show", "viaproxy", "--json"],
        ["providers", "show", "deadproxy", "--json"],
        ["providers", "validate"],
        ["providers", "validate", "--json"],
    ],
)
def test_providers_commands_never_show_the_proxy_password(args: list[str], key: str, cli: CliRunner) -> None:
    result = cli.invoke(app, args)
    out = _out(result)
    assert_no_leak(key, out)
    assert "Traceback" not in out
    if args[1] == "validate":
        assert result.exit_code == 1
        assert out.count("$.proxy") >= 2  # both broken files, each naming the field
        assert "not ftp://" in out
    else:
        assert result.exit_code == 0, out


def test_show_displays_the_proxy_with_its_userinfo_masked(cli: CliRunner, proxy: LoopbackProxy) -> None:
    result = cli.invoke(app, ["providers", "show", "viaproxy", "--json"])
    shown = json.loads(result.output)
    assert shown["proxy"] == proxy.url.replace("http://", "http://***@")


@pytest.mark.parametrize("provider", ["viaproxy", "anthproxy", "ollamaproxy"])
def test_calls_go_through_the_proxy_with_the_password(
    provider: str, key: str, cli: CliRunner, proxy: LoopbackProxy, logs: pytest.LogCaptureFixture
) -> None:
    answer = init_chat_model(f"{provider}:m", max_retries=0).invoke("hi")
    assert answer.content == "hi"  # the stand-in's answer, back through the proxy
    expected = "Basic " + base64.b64encode(f"{USER}:{key}".encode()).decode()
    assert len(proxy.requests) == 1
    assert proxy.requests[0].proxy_authorization == expected
    assert_no_leak(key, log_text(logs))


@pytest.mark.parametrize("provider", ["viaproxy", "anthproxy", "ollamaproxy"])
def test_chat_errors_through_the_proxy_never_print_its_password(
    provider: str, key: str, cli: CliRunner, echo: EchoServer, proxy: LoopbackProxy
) -> None:
    echo.mode = "401"  # the stand-in repeats the credentials it was sent in its error body
    result = cli.invoke(app, ["chat", f"{provider}:m", "hi", "--max-tokens", "8"])
    out = _out(result)
    assert result.exit_code == 1, out
    assert proxy.requests  # the failing call did go through the proxy
    assert_no_leak(key, out)


@pytest.mark.parametrize("args", [["chat", "deadproxy:m", "hi"], ["providers", "models", "deadproxy", "--live"]])
def test_an_unreachable_proxy_is_reported_without_its_password(args: list[str], key: str, cli: CliRunner) -> None:
    result = cli.invoke(app, args)
    out = _out(result)
    assert result.exit_code == 1, out
    assert "deadproxy" in out
    assert_no_leak(key, out)


def test_errors_tracebacks_and_logs_of_a_dead_proxy_hold_no_password(
    key: str, cli: CliRunner, logs: pytest.LogCaptureFixture
) -> None:
    model = init_chat_model("deadproxy:m", max_retries=0)
    with pytest.raises(ProviderUnavailableError) as caught:
        model.invoke("hi")
    assert_no_leak(key, str(caught.value), formatted(caught.value), log_text(logs))


@pytest.mark.parametrize("provider", ["viaproxy", "anthproxy", "ollamaproxy"])
def test_reprs_and_dumps_hold_no_password(provider: str, key: str, cli: CliRunner) -> None:
    spec = get_registry().get(provider)
    model = init_chat_model(f"{provider}:m")
    assert str.__str__(model.proxy) == spec.proxy  # the model got the proxy, unmasked for its client
    texts = [repr(spec), str(spec), repr(model), str(model), model.model_dump_json(), str(model.model_dump())]
    assert_no_leak(key, *texts)


def test_langchain_proxy_keywords_are_masked_too(key: str) -> None:
    from polyport_anthropic import ChatAnthropic
    from polyport_openai import ChatOpenAI

    url = f"http://{USER}:{key}@127.0.0.1:3128"
    openai_model = ChatOpenAI(model="m", api_key="k", base_url="http://127.0.0.1:9/v1", openai_proxy=url)
    anthropic_model = ChatAnthropic(model="m", api_key="k", base_url="http://127.0.0.1:9", anthropic_proxy=url)
    for model in (openai_model, anthropic_model):
        assert_no_leak(key, repr(model), model.model_dump_json())
