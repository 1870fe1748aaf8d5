"""ChatLlamaCpp against a REAL router-mode ``llama-server`` (``--models-preset``, two aliases of
the bundled Gemma 3 270M): the model named at call time is the one that answers.

A router answers ``400 model name is missing from the request`` to a ``/completion`` without
``model``, so this also proves every request names its model. One model is loaded at a time
(``--models-max 1``); calls cap output at 4 tokens, temperature 0.
"""

from __future__ import annotations

import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from polyport_core.testing import free_port, gemma_model_path, llama_server_binary
from polyport_llamacpp import ChatLlamaCpp

pytestmark = pytest.mark.local_server


@pytest.fixture(scope="module")
def router_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("router")
    preset = folder / "presets.ini"
    section = f"model = {gemma_model_path()}\nc = 1024\nt = 2\n"
    preset.write_text(f"[gemma-a]\n{section}\n[gemma-b]\n{section}")
    port = free_port()
    log = (folder / "router.log").open("wb")
    args = [str(llama_server_binary()), "--models-preset", str(preset), "--models-max", "1",
            "--host", "127.0.0.1", "--port", str(port), "--jinja", "--no-webui"]  # fmt: skip
    process = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"router llama-server exited: {Path(log.name).read_text()[-2000:]}")
            try:
                if httpx.get(f"{url}/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("router llama-server did not become healthy in 60 s")
            time.sleep(0.2)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


def test_call_time_model_selects_the_router_model(router_url: str) -> None:
    llm = ChatLlamaCpp(model="gemma-a", base_url=router_url, max_tokens=4, temperature=0, timeout=120)
    assert llm.invoke("Hello").response_metadata["model_name"] == "gemma-a"
    assert llm.invoke("Hello", model="gemma-b").response_metadata["model_name"] == "gemma-b"


def test_stream_names_its_model_too(router_url: str) -> None:
    llm = ChatLlamaCpp(model="gemma-b", base_url=router_url, max_tokens=4, temperature=0, timeout=120)
    chunks = list(llm.stream("Hello"))
    final = chunks[-1]
    assert final.response_metadata.get("model_name") == "gemma-b"
