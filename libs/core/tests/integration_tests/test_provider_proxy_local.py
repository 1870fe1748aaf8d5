"""A provider file's ``proxy`` carries every request of the provider through a real forwarding
proxy (``polyport_core.testing.LoopbackProxy``) in front of the REAL llama-server: the one-line
path ``init_chat_model("p:m")`` on each engine llama-server speaks (OpenAI, Anthropic, native
``/completion`` through ChatLlamaCpp and the declarative ``http`` engine), embeddings, the
live model listing and the doctor (``polyport test``). The proxy counts what it forwarded; the
answer must come back through it.

Gemma 3 270M is a tiny base model: output is capped and assertions are about the route, never wisdom.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from polyport_core.cli import app
from polyport_core.registry import Registry, init_chat_model, init_embeddings, list_models, reload_registry
from polyport_core.testing import LlamaServer, LoopbackProxy
from typer.testing import CliRunner

pytestmark = pytest.mark.local_server

SPECS = Path(__file__).parent / "specs"
USER, PASSWORD = "corp-user", "proxy-pass-5c1e"


@pytest.fixture
def proxy() -> Iterator[LoopbackProxy]:
    with LoopbackProxy() as running:
        yield running


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A providers folder the default registry reads (``$POLYPORT_PROVIDERS_PATH``)."""
    path = tmp_path / "providers"
    path.mkdir()
    monkeypatch.setenv("POLYPORT_PROVIDERS_PATH", str(path))
    monkeypatch.setenv("POLYPORT_LEDGER", f"sqlite:///{tmp_path / 'ledger.sqlite3'}")
    yield path
    reload_registry(Registry())


def _write(folder: Path, doc: dict[str, Any]) -> None:
    (folder / f"{doc['id']}.json").write_text(json.dumps(doc))
    reload_registry(Registry.discover(plugins=False, user=False))


def _basic(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


def test_one_line_path_goes_through_the_proxy_with_its_credentials(
    llama_server: LlamaServer, proxy: LoopbackProxy, folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CORP_PROXY_PASSWORD", PASSWORD)
    proxy_url = proxy.url.replace("http://", f"http://{USER}:${{CORP_PROXY_PASSWORD}}@")
    doc = {"id": "viaproxy", "engine": "openai", "base_url": llama_server.openai_base_url, "proxy": proxy_url}
    _write(folder, doc)

    answer = init_chat_model("viaproxy:gemma", max_tokens=8, temperature=0).invoke("Say hi")

    assert isinstance(answer.content, str)
    assert answer.content
    assert answer.usage_metadata is not None
    assert answer.usage_metadata["output_tokens"] > 0
    assert proxy.paths() == ["/v1/chat/completions"]
    assert proxy.requests[0].status == 200
    assert proxy.requests[0].proxy_authorization == _basic(USER, PASSWORD)  # userinfo → Proxy-Authorization


def test_streams_and_async_calls_go_through_the_proxy(
    llama_server: LlamaServer, proxy: LoopbackProxy, folder: Path
) -> None:
    _write(folder, {"id": "viaproxy", "engine": "openai", "base_url": llama_server.openai_base_url, "proxy": proxy.url})
    model = init_chat_model("viaproxy:gemma", max_tokens=8, temperature=0)

    chunks = list(model.stream("Count: 1, 2,"))

    assert len(chunks) > 1  # the proxy passed the event stream on as it came
    assert "".join(str(c.content) for c in chunks)
    assert proxy.paths() == ["/v1/chat/completions"]


async def test_async_invoke_goes_through_the_proxy(
    llama_server: LlamaServer, proxy: LoopbackProxy, folder: Path
) -> None:
    _write(folder, {"id": "viaproxy", "engine": "openai", "base_url": llama_server.openai_base_url, "proxy": proxy.url})

    answer = await init_chat_model("viaproxy:gemma", max_tokens=8, temperature=0).ainvoke("Say hi")

    assert isinstance(answer.content, str)
    assert answer.content
    assert proxy.paths() == ["/v1/chat/completions"]


def test_live_model_listing_goes_through_the_proxy(
    llama_server: LlamaServer, proxy: LoopbackProxy, folder: Path
) -> None:
    _write(folder, {"id": "viaproxy", "engine": "openai", "base_url": llama_server.openai_base_url, "proxy": proxy.url})

    models = {m.id: m.source for m in list_models("viaproxy", live=True)}

    assert models.get("gemma") == "discovered"  # the alias only llama-server knows
    assert proxy.paths() == ["/v1/models"]


def test_embeddings_go_through_the_proxy(llama_server: LlamaServer, proxy: LoopbackProxy, folder: Path) -> None:
    _write(folder, {"id": "viaproxy", "engine": "openai", "base_url": llama_server.openai_base_url, "proxy": proxy.url})

    vector = init_embeddings("viaproxy:gemma").embed_query("hello")

    assert len(vector) > 0
    assert proxy.paths() == ["/v1/embeddings"]


def test_native_llamacpp_embeddings_go_through_the_proxy(
    llama_server: LlamaServer, proxy: LoopbackProxy, folder: Path
) -> None:
    _write(folder, {"id": "viaproxy", "engine": "llamacpp", "base_url": llama_server.base_url, "proxy": proxy.url})

    vector = init_embeddings("viaproxy:gemma").embed_query("hello")

    assert len(vector) > 0
    assert proxy.paths() == ["/embedding"]


@pytest.mark.parametrize(
    ("engine", "path"),
    [("anthropic", "/v1/messages"), ("llamacpp", "/completion")],
)
def test_other_engines_go_through_the_proxy(
    engine: str, path: str, llama_server: LlamaServer, proxy: LoopbackProxy, folder: Path
) -> None:
    _write(folder, {"id": "viaproxy", "engine": engine, "base_url": llama_server.base_url, "proxy": proxy.url})

    answer = init_chat_model("viaproxy:gemma", max_tokens=8, temperature=0).invoke("Say hi")

    assert isinstance(answer.text, str)
    assert answer.text
    assert path in proxy.paths()
    assert all(r.status == 200 for r in proxy.requests)


def test_declarative_http_engine_goes_through_the_proxy(
    llama_server: LlamaServer, proxy: LoopbackProxy, folder: Path
) -> None:
    doc = json.loads((SPECS / "llamacpp-native.json").read_text())
    doc.pop("$schema")
    doc.update(id="viaproxy", base_url=llama_server.base_url, proxy=proxy.url)
    _write(folder, doc)

    answer = init_chat_model("viaproxy:gemma", max_tokens=8, temperature=0).invoke("Say hi")

    assert isinstance(answer.content, str)
    assert answer.content
    assert proxy.paths() == ["/completion"]


def test_the_file_proxy_wins_over_proxy_variables_and_no_proxy(
    llama_server: LlamaServer, proxy: LoopbackProxy, folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with LoopbackProxy() as from_env:
        for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"):
            monkeypatch.setenv(name, from_env.url)
        monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
        monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")
        base = llama_server.openai_base_url
        _write(folder, {"id": "viaproxy", "engine": "openai", "base_url": base, "proxy": proxy.url})
        _write(folder, {"id": "llamahttp", "engine": "llamacpp", "base_url": llama_server.base_url, "proxy": proxy.url})

        init_chat_model("viaproxy:gemma", max_tokens=4, temperature=0).invoke("hi")
        init_chat_model("llamahttp:gemma", max_tokens=4, temperature=0).invoke("hi")
        list_models("viaproxy", live=True)

        assert from_env.requests == []
    assert proxy.paths() == ["/v1/chat/completions", "/apply-template", "/completion", "/v1/models"]


def test_the_doctor_goes_through_the_proxy(llama_server: LlamaServer, proxy: LoopbackProxy, folder: Path) -> None:
    _write(folder, {"id": "viaproxy", "engine": "openai", "base_url": llama_server.openai_base_url, "proxy": proxy.url})

    result = CliRunner().invoke(
        app,
        ["test", "viaproxy:gemma", "--only", "models,chat,stream", "--max-tokens", "8", "--timeout", "300", "--json"],
    )

    assert result.exit_code == 0, result.output
    checks = {c["name"]: c["status"] for c in json.loads(result.output)["checks"]}
    assert checks == {"model listing": "pass", "basic chat": "pass", "streaming": "pass"}
    assert proxy.paths() == ["/v1/models", "/v1/chat/completions", "/v1/chat/completions"]
