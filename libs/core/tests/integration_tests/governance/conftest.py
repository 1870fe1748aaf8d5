"""Real Redis (Debian ``redis-server``) on a free loopback port, and a real SQLite file."""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from polyport_core.ledger import RedisLedger, SQLiteLedger


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class RedisServer:
    """One redis-server process with AOF fsync on every write (so a kill loses no settled record)."""

    def __init__(self, directory: Path, port: int | None = None) -> None:
        self.dir = directory
        self.port = port or free_port()
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> RedisServer:
        binary = shutil.which("redis-server")
        if binary is None:
            # A missing real component fails: the suite proves the fleet ledger against real Redis.
            pytest.fail("redis-server not installed: run scripts/bootstrap.sh (apt-get install -y redis-server)")
        self.proc = subprocess.Popen(
            [binary, "--port", str(self.port), "--bind", "127.0.0.1", "--dir", str(self.dir),
             "--appendonly", "yes", "--appendfsync", "always", "--save", "", "--daemonize", "no"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2) as s:
                    s.sendall(b"PING\r\n")
                    if s.recv(16).startswith(b"+PONG"):
                        return self
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def kill(self) -> None:
        if self.proc is not None:
            self.proc.kill()
            self.proc.wait()
            self.proc = None

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.terminate()
            self.proc.wait(timeout=10)
            self.proc = None


@pytest.fixture
def redis_server(tmp_path: Path) -> Iterator[RedisServer]:
    server = RedisServer(tmp_path).start()
    yield server
    server.stop()


@pytest.fixture(params=["sqlite", "redis"])
def any_ledger(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[SQLiteLedger | RedisLedger]:
    if request.param == "sqlite":
        led: SQLiteLedger | RedisLedger = SQLiteLedger(tmp_path / "ledger.sqlite3")
        yield led
        led.close()
    else:
        server = RedisServer(tmp_path).start()
        led = RedisLedger(server.url)
        yield led
        led.close()
        server.stop()


@pytest.fixture(autouse=True)
def _outbox_in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Settles the ledger refuses go to an outbox in the test's tmp dir, never the user's."""
    monkeypatch.setenv("POLYPORT_OUTBOX", str(tmp_path / "outbox.sqlite3"))
    monkeypatch.delenv("POLYPORT_LEDGER", raising=False)
