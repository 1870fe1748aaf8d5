"""langchain-tests' chat suite per engine, side by side, on one llama-server.

The script starts one ``llama-server`` (Gemma 3 270M, as the test fixture does) and runs each
engine in its own pytest process, one after another, all attached to that server:

- ``tests/suite_compare/suites.py``: upstream's ``ChatModelIntegrationTests`` unchanged for every
  polyport engine as a user builds it by default and for langchain-openai / langchain-anthropic,
  all at temperature 0 and max_tokens 128, each langchain-* class with the capability flags of
  the polyport suite it is compared with;
- with ``--make-test``, also the polyport suites as ``make test`` runs them (their own settings and
  strict xfails); these start a server of their own (the root conftest's fixture), one at a time.

One junit XML per engine goes to ``--junit-dir``; the markdown is rewritten after every engine.

    uv run python scripts/suite_table.py                      # writes tests/benchmarks/results/suite-table.md
    uv run python scripts/suite_table.py --only TestPolyportLlamaCpp -k invoke --out -   # a check
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import signal
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
COMPARE = "tests/suite_compare/suites.py"
OUT = ROOT / "tests/benchmarks/results/suite-table.md"

COMPARED: tuple[tuple[str, str], ...] = (
    ("TestPolyportOpenAIDefaults", "polyport-openai `ChatOpenAI(...)`, default settings"),
    ("TestLangchainOpenAI", "langchain-openai `ChatOpenAI(...)`"),
    ("TestPolyportLlamaCpp", "polyport-llamacpp `ChatLlamaCpp(...)`"),
    ("TestPolyportHTTPEngine", 'polyport `http` engine `init_chat_model("llamacpp-native:gemma")`'),
    ("TestPolyportAnthropic", "polyport-anthropic `ChatAnthropic(...)`"),
    ("TestPolyportAnthropicQuirk", 'polyport-anthropic `ChatAnthropic(..., forced_tool_calls="json_schema")`'),
    ("TestLangchainAnthropic", "langchain-anthropic `ChatAnthropic(...)`"),
    ("TestPolyportOpenAIPreset", 'polyport-openai `init_chat_model("llamacpp:gemma")`'),
)
"""Classes of tests/suite_compare/suites.py, in table order, with the row label."""

_OPENAI = "libs/partners/openai/tests/integration_tests/test_standard_local.py"
MAKE_TEST: tuple[tuple[str, str], ...] = (
    (f"{_OPENAI}::TestChatOpenAIDefaultsLocal", "make test: polyport-openai, default settings"),
    (f"{_OPENAI}::TestChatOpenAILocal", "make test: polyport-openai, `llamacpp` preset"),
    (
        "libs/partners/anthropic/tests/integration_tests/test_anthropic_llama_server.py::TestChatAnthropicLlamaServer",
        "make test: polyport-anthropic",
    ),
    (
        "libs/partners/llamacpp/tests/integration_tests/test_llamacpp_server.py::TestChatLlamaCppServer",
        "make test: polyport-llamacpp `ChatLlamaCpp`",
    ),
    (
        "libs/core/tests/integration_tests/test_http_engine_local.py::TestHTTPEngineLlamaCpp",
        "make test: polyport `http` engine",
    ),
)
"""The standard chat suites ``make test`` runs against llama-server (node id, row label)."""

DISTS = ("langchain-tests", "langchain-core", "langchain-openai", "langchain-anthropic")
COLUMNS = ("passed", "failed", "skipped", "xfailed", "xpassed")
NO_OLLAMA = (
    "polyport-ollama: not run. No Ollama-compatible server on this machine: no `ollama` binary, nothing on "
    "port 11434, and llama-server answers 404 to Ollama's `/api/chat` and `/api/tags`."
)


@dataclass(frozen=True)
class Outcome:
    test: str
    result: str  # one of COLUMNS


def outcomes(junit: Path) -> dict[str, list[Outcome]]:
    """Class name → the outcome of each of its tests, from pytest's junit XML."""
    by_class: dict[str, list[Outcome]] = {}
    for case in ET.parse(junit).getroot().iter("testcase"):
        cls = case.get("classname", "").rsplit(".", 1)[-1]
        by_class.setdefault(cls, []).append(Outcome(case.get("name", ""), _result(case)))
    return by_class


def _result(case: ET.Element) -> str:
    failed = case.find("failure")
    if failed is None:
        failed = case.find("error")
    if failed is not None:
        return "xpassed" if "XPASS(strict)" in (failed.get("message") or "") else "failed"
    skipped = case.find("skipped")
    if skipped is not None:
        return "xfailed" if skipped.get("type") == "pytest.xfail" else "skipped"
    return "passed"


def counts_table(rows: list[tuple[str, list[Outcome]]]) -> list[str]:
    lines = ["| engine | " + " | ".join(COLUMNS) + " |", "| --- |" + " ---: |" * len(COLUMNS)]
    for label, results in rows:
        counted = Counter(o.result for o in results)
        lines.append(f"| {label} | " + " | ".join(str(counted[c]) for c in COLUMNS) + " |")
    return lines


_MARK = {"passed": "pass", "failed": "**FAIL**", "skipped": "skip", "xfailed": "xfail", "xpassed": "**XPASS**"}


def matrix(rows: list[tuple[str, list[Outcome]]]) -> list[str]:
    """Test × engine, so a difference between two rows is one look away."""
    tests = sorted({o.test for _, results in rows for o in results})
    heads = [f"({i})" for i in range(1, len(rows) + 1)]
    lines = ["| test | " + " | ".join(heads) + " |", "| --- |" + " --- |" * len(rows)]
    for test in tests:
        cells = []
        for _, results in rows:
            found = [o.result for o in results if o.test == test]
            cells.append(_MARK[found[0]] if found else "")
        lines.append(f"| `{test}` | " + " | ".join(cells) + " |")
    return lines


def server_version() -> str:
    from polyport_core.testing import llama_server_binary

    done = subprocess.run([str(llama_server_binary()), "--version"], capture_output=True, text=True, check=False)
    text = (done.stdout + done.stderr).strip().splitlines()
    line = next((line.strip() for line in text if line.startswith("version")), "version: unknown")
    return line.removeprefix("version:").strip()


def model_name() -> str:
    from polyport_core.testing import gemma_model_path

    return gemma_model_path().name


def run_rows(
    nodes: list[tuple[str, str]],
    junit_dir: Path,
    extra: list[str],
    deadline: dt.datetime | None,
    server: str,
    resume: bool = False,
) -> Iterator[tuple[str, list[Outcome]]]:
    """Each node id in its own pytest process (so each sees the code as it is when its turn comes);
    at ``deadline`` the running one is interrupted and the rest are not started. ``resume`` keeps
    the junit of engines a previous run finished instead of running them again."""
    for node, label in nodes:
        cls = node.rsplit("::", 1)[-1]
        junit = junit_dir / f"{cls}.xml"
        if resume and junit.exists():
            yield f"{label} (†)", outcomes(junit).get(cls, [])
            continue
        junit.unlink(missing_ok=True)
        command = [sys.executable, "-m", "pytest", "-q", "-p", "no:randomly", "-rfE", f"--junitxml={junit}", node]
        if node.startswith(COMPARE):  # tests/suite_compare/conftest.py attaches to the server
            command.append(f"--suite-server={server}")
        print(f"== {label}: {' '.join(command[3:] + extra)}", flush=True)
        left = None if deadline is None else (deadline - dt.datetime.now(dt.UTC)).total_seconds()
        if left is not None and left <= 0:
            return
        process = subprocess.Popen([*command, *extra], cwd=ROOT)
        cut = False
        try:
            process.wait(timeout=left)
        except subprocess.TimeoutExpired:  # pytest writes the junit of what ran when interrupted
            process.send_signal(signal.SIGINT)
            process.wait()
            cut = True
        results = outcomes(junit).get(cls, []) if junit.exists() else []
        if cut and junit.exists():  # --resume runs a cut-short engine again, whole
            junit.rename(junit.with_suffix(".cut.xml"))
        yield (f"{label} (cut short at the deadline after {len(results)} tests)" if cut else label), results
        if cut:
            return


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--only", nargs="*", help="class names of suites.py to run (default: all, in table order)")
    parser.add_argument("--make-test", action="store_true", help="also run the make-test suites (on the same server)")
    parser.add_argument("-k", dest="keyword", help="pytest -k expression, to check the script on a few tests")
    parser.add_argument(
        "--deadline",
        type=lambda text: dt.datetime.fromisoformat(text).replace(tzinfo=dt.UTC),
        help="UTC time (YYYY-MM-DDTHH:MM) to stop at; the table keeps what finished",
    )
    parser.add_argument(
        "--threads",
        type=int,
        default=1,
        help="llama-server threads (1: no spinning thread barrier, several times faster on a busy machine)",
    )
    parser.add_argument(
        "--resume",
        action="store_true",
        help="keep the results of engines whose junit a previous run left in --junit-dir (marked †)",
    )
    parser.add_argument("--junit-dir", type=Path, default=ROOT / "build/suite-table")
    parser.add_argument("--out", default=str(OUT), help="markdown file, or - for stdout")
    args = parser.parse_args(argv)

    compared = [(f"{COMPARE}::{c}", label) for c, label in COMPARED if not args.only or c in args.only]
    make_test = list(MAKE_TEST) if args.make_test else []
    extra = ["-k", args.keyword] if args.keyword else []
    args.junit_dir.mkdir(parents=True, exist_ok=True)
    started = dt.datetime.now(dt.UTC)
    clock = time.monotonic()
    done: list[tuple[str, list[Outcome]]] = []
    text = ""
    from polyport_core.testing import LlamaServer

    with LlamaServer(alias="gemma", threads=args.threads) as server:
        for row in run_rows(compared + make_test, args.junit_dir, extra, args.deadline, server.base_url, args.resume):
            done.append(row)  # the table is rewritten after every engine: a cut-short run keeps what finished
            rows = (done[: len(compared)], done[len(compared) :])
            text = render(*rows, started, clock, argv, pending(compared, make_test, done), args.threads)
            _write(text, args.out)
    print(text)
    return 0


def pending(compared: list[tuple[str, str]], make_test: list[tuple[str, str]], done: list[Any]) -> list[str]:
    return [label for _, label in (compared + make_test)[len(done) :]]


def _write(text: str, out: str) -> None:
    if out != "-":
        Path(out).write_text(text)


def render(
    compared: list[tuple[str, list[Outcome]]],
    make_test: list[tuple[str, list[Outcome]]],
    started: dt.datetime,
    clock: float,
    argv: list[str] | None,
    not_run: list[str],
    threads: int,
) -> str:
    minutes = (time.monotonic() - clock) / 60
    shown = " ".join(sys.argv[1:] if argv is None else argv)
    lines = [
        "# langchain-tests chat suite per engine, on one llama-server",
        "",
        f"- Command: `uv run python scripts/suite_table.py{' ' + shown if shown else ''}` "
        f"({minutes:.0f} min on a shared 2-core machine)",
        f"- Date: {started:%Y-%m-%d %H:%M} UTC",
        f"- Server: llama-server {server_version()}, model `{model_name()}` (Gemma 3 270M base), "
        f"one server for every row this invocation ran (`--jinja`, 4096 context, 1 slot, {threads} thread(s)); "
        f"load average at the last write {os.getloadavg()[0]:.1f}",
        "- " + ", ".join(f"{dist} {_version(dist)}" for dist in DISTS),
        "",
        "## Upstream suite, same settings for every class",
        "",
        "`ChatModelIntegrationTests` as published (no xfails, no test overridden), temperature 0, "
        "max_tokens 128. Each polyport row is built as a user gets it by default; each langchain-* row gets "
        "the same constructor arguments and the same capability flags as the polyport row above it (the flags "
        "are read from the polyport suite in `make test`). Classes: `tests/suite_compare/suites.py`.",
        "",
        *counts_table(compared),
        "",
        NO_OLLAMA,
        "",
    ]
    if any(label.endswith("(†)") for label, _ in compared + make_test):
        lines += [
            "(†) run by an earlier invocation of the script (same arguments, a server started the same way: "
            "same binary, model and flags; temperature 0), kept by `--resume`.",
            "",
        ]
    if not_run:
        lines += [
            "Not run (the run had not reached them, or stopped at its `--deadline`): " + "; ".join(not_run) + ".",
            "",
        ]
    if make_test:
        lines += [
            "## The suites `make test` runs",
            "",
            "The same server, each suite with its own settings (max_tokens 48–128) and its strict xfails "
            "(`raises=AssertionError`, each with its reason in the suite file). An xpassed strict xfail "
            "fails the run.",
            "",
            *counts_table(make_test),
            "",
        ]
    rows = compared + make_test
    lines += [
        "## Per test",
        "",
        "Columns: " + "; ".join(f"({i}) {label}" for i, (label, _) in enumerate(rows, 1)) + ".",
        "",
        *matrix(rows),
        "",
    ]
    return "\n".join(lines)


def _version(dist: str) -> str:
    from importlib.metadata import version

    return version(dist)


if __name__ == "__main__":
    raise SystemExit(main())
