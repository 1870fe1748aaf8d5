"""Parameter parity with langchain-openai, langchain-anthropic and langchain-ollama.

The table comes from the installed langchain classes' pydantic fields (``scripts/parity_table.py``):
a field upstream adds that polyport neither declares nor routes fails here, and so does a
README table that no longer matches. Every route is exercised: a refused keyword raises an
error naming it and the way out; a mapped one is accepted without the unknown-keyword warning.
The proxy settings are checked on the wire, through a real loopback HTTP proxy.
"""

from __future__ import annotations

import importlib.util
import json
import re
import sys
import threading
import warnings
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import ModuleType
from typing import Any, ClassVar

import pytest
from polyport_core.errors import InvalidConfigError

ROOT = Path(__file__).parents[1]


def _script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("parity_table", ROOT / "scripts" / "parity_table.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["parity_table"] = module  # dataclasses look their module up while the class is built
    spec.loader.exec_module(module)
    return module


parity = _script()
UPSTREAM = [pair[0] for pair in parity.PAIRS]


@pytest.fixture(scope="module")
def generated() -> dict[str, Any]:
    return parity.generated()  # type: ignore[no-any-return]


@pytest.mark.parametrize("upstream", UPSTREAM)
def test_every_upstream_field_is_the_same_mapped_or_refused(generated: dict[str, Any], upstream: str) -> None:
    _readme, table, _block = generated[upstream]
    assert len(table) > 10, f"{upstream}: too few fields read; is the langchain package installed?"
    missing = [row.field for row in table if row.status == "missing"]
    assert not missing, f"{upstream} fields neither declared nor routed in _params.py: {missing}"


@pytest.mark.parametrize("upstream", UPSTREAM)
def test_readme_table_is_the_generated_one(generated: dict[str, Any], upstream: str) -> None:
    readme, _table, block = generated[upstream]
    published = parity.published((ROOT / readme).read_text(), upstream)
    assert published == block, f"{readme} is stale: run `uv run python scripts/parity_table.py --write`"


SAMPLES: dict[str, Any] = {
    "reasoning": {"effort": "low"},
    "openai_organization": "org-1",
    "headers": {"x-a": "b"},
    "default_request_timeout": 5.0,
    "mcp_servers": [{"type": "url", "url": "https://mcp.example.com", "name": "m"}],
    "context_management": {"edits": []},
    "output_config": {"effort": "low"},
    "effort": "low",
    "reasoning_effort": "low",
    "container": "c1",
    "inference_geo": "us",
    "user_profile_id": "u1",
    "format": "json",
    "stop": ["x"],
    "service_tier": "flex",
    "verbosity": "low",
    "logit_bias": {"1": 1},
}
OLLAMA_SAMPLES = {"reasoning": True}


def _routes() -> Iterator[tuple[str, str, Any]]:
    for _upstream, ours, _readme in parity.PAIRS:
        cls = parity.load(ours)
        for name, route in cls._param_routes.items():
            yield ours, name, route


def _build(ours: str, **kwargs: Any) -> Any:
    cls = parity.load(ours)
    creds = {} if "ollama" in ours else {"api_key": "sk-test"}
    return cls(**{"model": "m", **creds, **kwargs})


@pytest.mark.parametrize(("ours", "name", "route"), list(_routes()), ids=lambda v: v if isinstance(v, str) else "")
def test_every_route_does_what_the_table_says(ours: str, name: str, route: Any) -> None:
    if route.kind == "error":
        with pytest.raises(InvalidConfigError, match=f"does not support {name}=.*{re.escape(route.note)}"):
            _build(ours, **{name: "refused-value"})
        return
    sample = OLLAMA_SAMPLES.get(name, SAMPLES.get(name, 1)) if "ollama" in ours else SAMPLES.get(name, 1)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # an unknown-keyword warning would mean the route was skipped
        model = _build(ours, **{name: sample})
    dumped = model.model_dump()
    assert name not in dumped or name in type(model).model_fields


# --------------------------------------------------------------------- proxies, on the wire
class _Proxy(BaseHTTPRequestHandler):
    """A loopback HTTP proxy stand-in: records the absolute-form request line and answers itself."""

    seen: ClassVar[list[str]] = []
    answer: ClassVar[dict[str, Any]] = {}

    def do_POST(self) -> None:
        type(self).seen.append(self.path)
        self.rfile.read(int(self.headers.get("content-length") or 0))
        data = json.dumps(type(self).answer).encode()
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: Any) -> None:
        return


@pytest.fixture
def proxy() -> Iterator[tuple[str, type[_Proxy]]]:
    handler = type("Handler", (_Proxy,), {"seen": [], "answer": {}})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", handler
    finally:
        server.shutdown()
        server.server_close()


def test_openai_proxy_routes_requests_through_the_proxy(proxy: tuple[str, type[_Proxy]]) -> None:
    from polyport_openai import ChatOpenAI

    url, handler = proxy
    handler.answer = {
        "id": "c1", "object": "chat.completion", "created": 1, "model": "m",
        "choices": [{"index": 0, "message": {"role": "assistant", "content": "via proxy"}, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 1, "completion_tokens": 2, "total_tokens": 3},
    }  # fmt: skip
    model = ChatOpenAI(model="m", api_key="k", base_url="http://upstream.invalid/v1", openai_proxy=url, max_retries=0)
    assert model.invoke("hi").content == "via proxy"
    assert handler.seen == ["http://upstream.invalid/v1/chat/completions"]


def test_anthropic_proxy_routes_requests_through_the_proxy(proxy: tuple[str, type[_Proxy]]) -> None:
    from polyport_anthropic import ChatAnthropic

    url, handler = proxy
    handler.answer = {
        "id": "msg_1", "type": "message", "role": "assistant", "model": "m", "stop_reason": "end_turn",
        "stop_sequence": None, "content": [{"type": "text", "text": "via proxy"}],
        "usage": {"input_tokens": 1, "output_tokens": 2},
    }  # fmt: skip
    model = ChatAnthropic(
        model="m", api_key="k", base_url="http://upstream.invalid", anthropic_proxy=url, max_retries=0
    )
    assert model.invoke("hi").content == "via proxy"
    assert handler.seen == ["http://upstream.invalid/v1/messages"]
