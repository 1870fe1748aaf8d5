"""`make demo` as a user runs it: the real script against the embedded llama-server, no API key."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.timeout(600)
def test_demo_runs_the_promise_end_to_end(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("OPENAI_API_KEY", "POLYPORT_LEDGER")}
    env["POLYPORT_LEDGER"] = f"sqlite:///{tmp_path / 'demo.sqlite3'}"
    env["COLUMNS"] = "200"
    done = subprocess.run(
        [sys.executable, str(ROOT / "examples" / "demo.py")],
        env=env, capture_output=True, text=True, timeout=540, check=False,
    )  # fmt: skip
    out = done.stdout
    assert done.returncode == 0, done.stderr[-3000:]
    for step in ("1. stream:", "2. tool round trip: get_weather(", "3. structured output:",
                 "4. declared limit refused the call:"):  # fmt: skip
        assert step in out, out
    # Four calls ran (stream, tool call, tool answer, structured) — all priced by the file ($0, "spec").
    assert re.search(r"demo-local\s+│\s+gemma\s+│\s+4\s+│\s+0\s+│", out), out
    assert "(spec)" in out
    assert (tmp_path / "demo.sqlite3").exists()
