"""Import → first response in CPU seconds: what a user waits for, measured so a busy machine does not blur it.

The shared harness's ``first`` scenario times wall clock in one fresh process; on a shared machine the
wait for a CPU swamps the figure. Here each layer's ``first`` worker (import + construct + first call,
the harness's own code) runs ``--rounds`` times in fresh processes, in rotating order, and the report
gives the median child CPU time (user + system, from ``wait4``) beside the median wall time.

    uv run python tests/benchmarks/first_cpu.py [--rounds 5] [--out tests/benchmarks/results/first-cpu.md]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
HARNESS_DIR = ROOT.parent / "shared" / "bench"
LAYERS = {
    "langchain-openai": "layers_builtin.py:LangChainOpenAI",
    "polyport-openai": f"{HERE / 'layers_openai.py'}:PolyportOpenAI",
    "langchain-anthropic": "layers_builtin.py:LangChainAnthropic",
    "polyport-anthropic": f"{HERE / 'layers_anthropic.py'}:PolyportAnthropic",
    "langchain-ollama": f"{HERE / 'layers_ollama.py'}:LangChainOllama",
    "polyport-ollama": f"{HERE / 'layers_ollama.py'}:PolyportOllama",
}
PAIRS = [("polyport-openai", "langchain-openai"), ("polyport-anthropic", "langchain-anthropic"),
         ("polyport-ollama", "langchain-ollama")]  # fmt: skip


def first_response(server_url: str, target: str) -> tuple[float, float]:
    """(wall s, child CPU s) of one fresh worker: import + construct + first call."""
    job = {"scenario": "first", "target": target, "ctx": {"server_url": server_url}, "params": {"max_tokens": 16}}
    cmd = [sys.executable, str(HARNESS_DIR / "bench_clients.py"), "--worker", json.dumps(job)]
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "ANTHROPIC_", "LANGSMITH_", "OLLAMA_"))}
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=HARNESS_DIR, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    out = proc.stdout.read() if proc.stdout else ""
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    result = next((json.loads(line[7:]) for line in out.splitlines() if line.startswith("RESULT ")), None)
    if status != 0 or not result or "error" in result:
        raise RuntimeError(f"{target}: worker failed: {result}")
    return wall, usage.ru_utime + usage.ru_stime


def main() -> None:
    """Start the fake server, run the rounds, print (and write) the report."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--out", default=None)
    args = parser.parse_args()
    server = subprocess.Popen(
        [sys.executable, str(HERE / "fake_ollama.py"), "--port", "0"], stdout=subprocess.PIPE, text=True
    )
    try:
        _, host, port = (server.stdout.readline() if server.stdout else "").split()
        url = f"http://{host}:{port}"
        names = list(LAYERS)
        runs: dict[str, list[tuple[float, float]]] = {name: [] for name in names}
        for _ in range(1):  # untimed: warm the .pyc and page caches
            for name in names:
                first_response(url, LAYERS[name])
        for round_ in range(args.rounds):
            for name in names[round_ % len(names) :] + names[: round_ % len(names)]:
                runs[name].append(first_response(url, LAYERS[name]))
    finally:
        server.terminate()
        server.wait()
    wall = {n: statistics.median(w for w, _ in r) for n, r in runs.items()}
    cpu = {n: statistics.median(c for _, c in r) for n, r in runs.items()}
    lines = [
        "# Import → first response (CPU seconds)\n",
        f"{time.strftime('%Y-%m-%d %H:%M:%S')} · `python tests/benchmarks/first_cpu.py --rounds {args.rounds}` · "
        f"median of {args.rounds} fresh processes per layer (rotating order) · load average "
        f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs\n",
        "| layer | CPU s | wall s | CPU s per round |",
        "|---|---:|---:|---|",
    ]
    lines += [f"| {n} | {cpu[n]:.2f} | {wall[n]:.2f} | {', '.join(f'{c:.2f}' for _, c in runs[n])} |" for n in names]
    lines.append("\n| polyport vs langchain | CPU | wall |\n|---|---:|---:|")
    lines += [f"| {a} / {b} | {cpu[a] / cpu[b]:.2f}x | {wall[a] / wall[b]:.2f}x |" for a, b in PAIRS]
    report = "\n".join(lines) + "\n"
    print(report)
    if args.out:
        Path(args.out).write_text(report)


if __name__ == "__main__":
    main()
