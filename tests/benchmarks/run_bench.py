"""Run polyport's layers beside the raw SDKs and the langchain-* packages in ONE harness run.

Uses the shared loopback harness (``../shared/bench``, beside the repository) and writes
``tests/benchmarks/results/latest.{json,md}``. Figures are ratios against the raw SDK row
of the same run; nothing here asserts on time.

    uv sync --group bench && uv run python tests/benchmarks/run_bench.py [--quick] [extra harness args]
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HARNESS = ROOT.parent / "shared" / "bench" / "bench_clients.py"
RESULTS = ROOT / "tests" / "benchmarks" / "results"
QUICK = [
    "--seq-n", "300", "--stream-chunks", "300", "--async-n", "300", "--embed-n", "2000",
    "--repeats", "1", "--import-n", "3", "--first-n", "1", "--wrk-seconds", "1",
]  # fmt: skip


def main(argv: list[str]) -> int:
    """Build the harness command line and run it."""
    if not HARNESS.exists():
        print(f"bench harness not found at {HARNESS}", file=sys.stderr)
        return 2
    python = sys.executable
    here = Path(__file__).resolve().parent
    RESULTS.mkdir(parents=True, exist_ok=True)
    quick = "--quick" in argv
    extra = [a for a in argv if a != "--quick"]
    layer = "{name}={path}:{cls};python={python}"
    cmd = [
        python, str(HARNESS),
        "--layers", "httpx,openai-sdk,langchain-openai,httpx-anth,anthropic-sdk,langchain-anthropic",
        "--layer", layer.format(name="polyport-openai", path=here / "layers_openai.py", cls="PolyportOpenAI",
                                python=python),
        "--layer", layer.format(name="polyport-anthropic", path=here / "layers_anthropic.py",
                                cls="PolyportAnthropic", python=python),
        "--out", str(RESULTS / "latest.json"), "--md", str(RESULTS / "latest.md"),
        *(QUICK if quick else []), *extra,
    ]  # fmt: skip
    return subprocess.call(cmd, cwd=HARNESS.parent)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
