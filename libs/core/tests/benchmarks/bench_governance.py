"""Governance overhead: per-call cost of ``Governor`` on vs off, and Redis reserve+settle/s.

Not a pytest test. Run: ``uv run python libs/core/tests/benchmarks/bench_governance.py``
(needs ../shared/bench/fake_server.py beside the repository, or --fake-server PATH, and redis-server
for the Redis rows).
Uses polyport-openai's ``ChatOpenAI`` against the loopback fake OpenAI server.
"""

from __future__ import annotations

import argparse
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

from polyport_core.governance import Budget, Governor, Price, RateLimit, StaticPrices
from polyport_core.ledger import Bucket, Cap, RedisLedger, SQLiteLedger, UsageRecord

FAKE_SERVER = Path(__file__).resolve().parents[5] / "shared" / "bench" / "fake_server.py"
"""The shared loopback fake server, beside the repository (``../shared/bench``)."""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_port(port: int) -> None:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"nothing listening on {port}")


def per_call_us(models: dict, n: int, repeats: int) -> dict[str, tuple[float, float]]:
    """Best (wall µs, this process's CPU µs) per call of each model; rounds interleave the models
    (in a rotating order) so a burst of load from other work on the machine hits every setup alike."""
    for model in models.values():
        for _ in range(50):
            model.invoke("hi")
    best = {name: (float("inf"), float("inf")) for name in models}
    names = list(models)
    for round_ in range(repeats):
        for name in names[round_ % len(names) :] + names[: round_ % len(names)]:  # rotate the order
            model = models[name]
            start, cpu = time.perf_counter(), time.process_time()
            for _ in range(n):
                model.invoke("hi")
            wall_us = (time.perf_counter() - start) / n * 1e6
            cpu_us = (time.process_time() - cpu) / n * 1e6
            best[name] = (min(best[name][0], wall_us), min(best[name][1], cpu_us))
    return best


def one_line_models(tmp: Path, http_port: int, durability: str = "budgets") -> dict:
    """The product path: a provider file (limits, budget, pricing) → ``init_chat_model``, with its
    default governance on the ``POLYPORT_LEDGER`` SQLite ledger, and the same with ``governance=False``."""
    import json
    import os

    from polyport_core.registry import Registry, init_chat_model

    folder = tmp / "providers"
    folder.mkdir()
    spec = {
        "id": "benchp", "engine": "openai", "base_url": f"http://127.0.0.1:{http_port}/v1",
        "auth": {"type": "none"}, "max_retries": 0,
        "limits": {"requests_per_minute": 10**7, "tokens_per_minute": 10**9},
        "budget": {"daily_usd": 10_000, "monthly_usd": 100_000},
        "models": [{"id": "gpt-4o-mini", "pricing": {"input": 0.15, "output": 0.6}}],
    }  # fmt: skip
    (folder / "benchp.json").write_text(json.dumps(spec))
    plain = {k: v for k, v in spec.items() if k not in ("limits", "budget")}  # prices only: record-only
    (folder / "benchq.json").write_text(json.dumps({**plain, "id": "benchq"}))
    os.environ["POLYPORT_LEDGER"] = f"sqlite:///{tmp / 'default.sqlite3'}?durability={durability}"
    registry = Registry.discover(presets=False, plugins=False, user=False, project=[folder])
    return {
        "init_chat_model, governance=False": init_chat_model(
            "benchp:gpt-4o-mini", registry=registry, governance=False, max_tokens=16
        ),
        "init_chat_model, default governance (SQLite)": init_chat_model(
            "benchp:gpt-4o-mini", registry=registry, max_tokens=16
        ),
        "init_chat_model, default governance, no limits/budget": init_chat_model(
            "benchq:gpt-4o-mini", registry=registry, max_tokens=16
        ),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--fake-server", default=str(FAKE_SERVER))
    parser.add_argument("-n", type=int, default=500)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--durability", default="budgets", choices=("budgets", "all", "none"),
                        help="SQLite durability of the one-line path's default ledger")  # fmt: skip
    args = parser.parse_args()

    from polyport_openai import ChatOpenAI

    tmp = Path(tempfile.mkdtemp())
    procs: list[subprocess.Popen[bytes]] = []
    http_port = free_port()
    procs.append(subprocess.Popen([sys.executable, args.fake_server, "--port", str(http_port)],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))  # fmt: skip
    redis_url = None
    if shutil.which("redis-server"):
        rport = free_port()
        procs.append(subprocess.Popen(["redis-server", "--port", str(rport), "--save", "", "--dir", str(tmp)],
                                      stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))  # fmt: skip
        wait_port(rport)
        redis_url = f"redis://127.0.0.1:{rport}/0"
    try:
        wait_port(http_port)
        prices = StaticPrices({"openai/gpt-4o-mini": Price(Decimal("0.15"), Decimal("0.6"))})

        def model(hooks=None):
            return ChatOpenAI(model="gpt-4o-mini", base_url=f"http://127.0.0.1:{http_port}/v1", api_key="x",
                              max_tokens=16, max_retries=0, call_hooks=hooks)  # fmt: skip

        budgets = [Budget(daily_usd=10_000), Budget(monthly_usd=100_000, provider="openai")]
        limits = [RateLimit(requests_per_minute=10**7, tokens_per_minute=10**9, max_concurrency=64)]
        configs = {
            "off (call_hooks=None)": None,
            "Governor, no ledger use (record_usage=False)": Governor(prices=prices, record_usage=False),
            "Governor + SQLite (record only)": Governor(
                prices=prices, ledger=SQLiteLedger(tmp / "a.sqlite3")
            ),
            "Governor + SQLite + budgets + limits": Governor(
                prices=prices, ledger=SQLiteLedger(tmp / "b.sqlite3"), budgets=budgets, limits=limits
            ),
            # the same without the fsync of each budget settle: what the durability decision costs
            "... same, SQLite durability='none'": Governor(
                prices=prices,
                ledger=SQLiteLedger(tmp / "c.sqlite3", durability="none"),
                budgets=budgets,
                limits=limits,
            ),
        }
        models = {name: model(h) for name, h in configs.items()}
        models.update(one_line_models(tmp, http_port, args.durability))
        if redis_url:
            configs["Governor + Redis + budgets + limits"] = Governor(
                prices=prices, ledger=RedisLedger(redis_url), budgets=budgets, limits=limits
            )
        if redis_url:
            models["Governor + Redis + budgets + limits"] = model(configs["Governor + Redis + budgets + limits"])
        results = per_call_us(models, args.n, args.repeats)
        base_wall, base_cpu = results["off (call_hooks=None)"]
        print(
            f"\nper sequential call, ChatOpenAI on loopback fake server (best of {args.repeats} x {args.n};"
            " wall, and CPU of this process):"
        )
        for name, (wall, cpu) in results.items():
            print(
                f"  {name:48s} wall {wall:6.0f} us ({(wall / base_wall - 1) * 100:+5.1f}%)"
                f"   cpu {cpu:6.0f} us ({(cpu / base_cpu - 1) * 100:+5.1f}%)"
            )

        print()
        off = results["init_chat_model, governance=False"]
        on = results["init_chat_model, default governance (SQLite)"]
        plain = results["init_chat_model, default governance, no limits/budget"]
        for label, row in (("file with limits+budget+prices", on), ("file with prices only", plain)):
            print(f"one-line path, {label}: default governance adds {(row[0] / off[0] - 1) * 100:+.1f}% wall, "
                  f"{(row[1] / off[1] - 1) * 100:+.1f}% CPU per call over governance=False")  # fmt: skip

        if redis_url:
            led = RedisLedger(redis_url)
            caps = [Cap(Bucket("global", "day:bench"), 10**18, "bench")]
            spend = [Bucket("global", "day:bench"), Bucket("global", "month:bench")]
            rates = []
            for rep in range(3):
                n = 2000
                start = time.perf_counter()
                for i in range(n):
                    rid = f"b{rep}-{i}"
                    led.reserve(rid, 1000, caps, 60)
                    led.settle(
                        UsageRecord(id=rid, provider="p", model="m", cost_nano=900), caps and spend[:1], spend
                    )
                rates.append(n / (time.perf_counter() - start))
            print(f"\nRedis reserve+settle pairs/s from one process (sync): {max(rates):,.0f} "
                  f"(median {statistics.median(rates):,.0f})")  # fmt: skip
    finally:
        for p in procs:
            p.terminate()
            p.wait()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
