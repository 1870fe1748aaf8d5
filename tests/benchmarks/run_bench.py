"""Run polyport's layers beside the raw SDKs and the langchain-* packages in ONE harness run.

Uses the shared loopback harness (``../shared/bench``, beside the repository; not copied here), with
its fake server extended by ``fake_ollama.py`` (Ollama's ``/api/chat`` and ``/api/embed``), and writes
``tests/benchmarks/results/latest.{json,md}`` with paths relative to the repository. Figures are
ratios against the raw SDK row of the same run; nothing here asserts on time.

    uv sync --group bench && uv run python tests/benchmarks/run_bench.py [--quick] [extra harness args]

``--quick`` is the reference size of the issue tracker's figures (2 repeats of 300 calls);
``--only a,b`` keeps only those layers (e.g. more import→first samples of a few layers).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
# the team's loopback client-layer harness is not part of this repository: POLYPORT_BENCH_HARNESS names it
HARNESS_DIR = Path(os.environ.get("POLYPORT_BENCH_HARNESS") or ROOT.parent / "shared" / "bench")
RESULTS = HERE / "results"
QUICK = [
    "--seq-n", "300", "--stream-chunks", "300", "--async-n", "300", "--embed-n", "2000",
    "--repeats", "2", "--import-n", "3", "--first-n", "1", "--wrk-seconds", "0",
]  # fmt: skip
BUILTIN_LAYERS = "httpx,openai-sdk,langchain-openai,httpx-anth,anthropic-sdk,langchain-anthropic"
OURS = [
    ("polyport-openai", "layers_openai.py", "PolyportOpenAI", ""),
    ("polyport-anthropic", "layers_anthropic.py", "PolyportAnthropic", ""),
    ("httpx-ollama", "layers_ollama.py", "HttpxOllama", ""),
    ("ollama-sdk", "layers_ollama.py", "OllamaSDK", ";base=httpx-ollama"),
    ("langchain-ollama", "layers_ollama.py", "LangChainOllama", ";base=httpx-ollama"),
    ("polyport-ollama", "layers_ollama.py", "PolyportOllama", ";base=httpx-ollama"),
]


def _server_class(harness: Any) -> type:
    """The harness's ``Server``, started on ``fake_ollama.py`` (the shared fake plus Ollama's routes)."""

    class OllamaFakeServer(harness.Server):  # type: ignore[misc,name-defined]
        def __init__(self, python: str, cpu: int | None, max_seconds: int, extra: list[str]) -> None:
            self.port_file = os.path.join(tempfile.gettempdir(), f"bench_fake_ollama.{os.getpid()}.port")
            cmd = [python, str(HERE / "fake_ollama.py"), "--harness-dir", str(HARNESS_DIR),
                   "--port-file", self.port_file, "--max-seconds", str(max_seconds), *extra]  # fmt: skip
            if cpu is not None:
                cmd += ["--cpu", str(cpu)]
            self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            line = self.proc.stdout.readline() if self.proc.stdout else ""
            if not line.startswith("LISTENING"):
                stderr = self.proc.stderr.read() if self.proc.stderr else ""
                raise RuntimeError(f"fake server failed: {line}{stderr}")
            _, host, port = line.split()
            self.url = f"http://{host}:{port}"

    return OllamaFakeServer


def _relative(value: Any, swaps: list[tuple[str, str]]) -> Any:
    """``value`` with every absolute path of this machine written relative to the repository."""
    if isinstance(value, str):
        for old, new in swaps:
            value = value.replace(old, new)
        return value
    if isinstance(value, list):
        return [_relative(v, swaps) for v in value]
    if isinstance(value, dict):
        return {_relative(k, swaps): _relative(v, swaps) for k, v in value.items()}
    return value


def _option(argv: list[str], name: str) -> str | None:
    """The last value given to ``name`` on the command line, if any."""
    values = [argv[i + 1] for i, arg in enumerate(argv[:-1]) if arg == name]
    return values[-1] if values else None


def main(argv: list[str]) -> int:
    """Run the harness in this process (so its server can be swapped), then relativize the results."""
    if not (HARNESS_DIR / "bench_clients.py").exists():
        print(f"bench harness not found at {HARNESS_DIR}", file=sys.stderr)
        return 2
    sys.path.insert(0, str(HARNESS_DIR))
    import bench_clients as harness

    RESULTS.mkdir(parents=True, exist_ok=True)
    quick = "--quick" in argv
    only = _option(argv, "--only")
    extra = [a for i, a in enumerate(argv) if a != "--quick" and "--only" not in (a, argv[i - 1] if i else "")]
    wanted = set(only.split(",")) if only else None
    builtins = [n for n in BUILTIN_LAYERS.split(",") if wanted is None or n in wanted]
    ours = [entry for entry in OURS if wanted is None or entry[0] in wanted]
    out_json = Path(_option(extra, "--out") or RESULTS / "latest.json").resolve()
    out_md = Path(_option(extra, "--md") or RESULTS / "latest.md").resolve()
    python = sys.executable
    layers = [f"{name}={HERE / file}:{cls};python={python}{opts}" for name, file, cls, opts in ours]
    args = [
        "--layers", ",".join(builtins), *(x for layer in layers for x in ("--layer", layer)),
        *(QUICK if quick else []), *extra, "--out", str(out_json), "--md", str(out_md),
    ]  # fmt: skip
    harness.Server = _server_class(harness)
    sys.argv = ["bench_clients.py", *args]
    os.chdir(HARNESS_DIR)
    harness.main(args)

    swaps = [(python, "python"), (str(HARNESS_DIR), "../shared/bench"), (str(ROOT) + "/", "")]
    report = _relative(json.loads(out_json.read_text()), swaps)
    report["command"] = " ".join(["python", str(Path(__file__).resolve().relative_to(ROOT)), *argv])
    out_json.write_text(json.dumps(report, indent=1))
    out_md.write_text(harness.build_report(report))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
