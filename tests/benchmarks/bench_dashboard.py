"""Dashboard at scale: first paint and filter response times over a SQLite ledger of 1,000,000 records.

    uv run python tests/benchmarks/bench_dashboard.py [--records 1000000] [--ledger PATH]

Seeds the ledger once (90 days, 4 providers × 3 models, 500 users, 20 tags on a third of the calls,
and the fleet metrics those calls would have flushed), serves ``polyport dashboard`` with uvicorn,
times each JSON endpoint unfiltered and filtered, and loads the page in Debian's headless Chromium
(selenium): first contentful paint, all panels loaded, and a filter applied. Results go to
``tests/benchmarks/results/dashboard-latest.json``.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import socket
import sqlite3
import threading
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

import httpx

DAY_S = 86400
PROVIDERS = ["openai", "anthropic", "groq", "local"]
MODELS = ["small", "medium", "large"]
RESULTS = Path(__file__).parent / "results" / "dashboard-latest.json"


def seed(path: Path, n: int) -> None:
    """Records straight into the ledger's tables (what n settles leave), plus their fleet metrics."""
    from polyport_core.ledger import SQLiteLedger
    from polyport_core.metrics import MetricMinute

    ledger = SQLiteLedger(path)
    rng = random.Random(7)
    now = time.time()
    db = sqlite3.connect(path)
    minutes: dict[tuple[int, str, str], MetricMinute] = {}
    batch: list[tuple[Any, ...]] = []
    tag_rows: list[tuple[Any, ...]] = []
    insert = ("INSERT INTO records (id, ts, provider, model, input_tokens, output_tokens, cache_read_tokens, "
              "cache_write_tokens, cost_nano, price_provenance, latency_s, outcome, usage_estimated, user, tags, "
              "profile) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)")  # fmt: skip
    for i in range(n):
        ts = now - rng.random() * 90 * DAY_S
        provider, model = rng.choice(PROVIDERS), rng.choice(MODELS)
        tin, tout = rng.randint(20, 2000), rng.randint(1, 800)
        ok = rng.random() > 0.02
        latency = rng.lognormvariate(-0.5, 0.6)
        cost = (tin * 150 + tout * 600) if provider != "local" else None
        tags = [f"team:{rng.randint(1, 20)}"] if rng.random() < 0.33 else []
        rid = f"{int(ts * 1e9):016x}{i:016x}"
        batch.append((rid, ts, provider, model, tin, tout, 0, 0, cost, "spec" if cost is not None else "unknown",
                      latency, "ok" if ok else "unavailable", 0, f"user{rng.randint(1, 500)}",
                      json.dumps(tags) if tags else None, None))  # fmt: skip
        tag_rows += [(t, ts, rid) for t in tags]
        if ts > now - 30 * DAY_S:
            key = (int(ts // 60), provider, model)
            m = minutes.get(key) or minutes.setdefault(key, MetricMinute(*key))
            m.add_call(error_kind=None if ok else "unavailable", latency_s=latency, ttft_s=latency / 3,
                       input_tokens=tin, output_tokens=tout, cost_nano=cost)  # fmt: skip
        if len(batch) >= 50_000:
            db.executemany(insert, batch)
            db.executemany("INSERT INTO record_tags VALUES (?, ?, ?)", tag_rows)
            db.commit()
            batch, tag_rows = [], []
    db.executemany(insert, batch)
    db.executemany("INSERT INTO record_tags VALUES (?, ?, ?)", tag_rows)
    db.commit()
    db.close()
    ledger.add_metrics([m.as_tuple() for m in minutes.values()])
    ledger.close()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _timed(client: httpx.Client, path: str, params: dict[str, Any]) -> float:
    started = time.perf_counter()
    response = client.get(path, params=params)
    response.raise_for_status()
    return round((time.perf_counter() - started) * 1000, 1)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--ledger", type=Path, default=Path("/tmp/polyport-dashboard-bench.sqlite3"))
    args = parser.parse_args()
    out: dict[str, Any] = {"records": args.records}
    if not args.ledger.exists():
        started = time.perf_counter()
        seed(args.ledger, args.records)
        out["seed_s"] = round(time.perf_counter() - started, 1)
    import uvicorn
    from polyport_core.cli._dashboard import build_dashboard

    started = time.perf_counter()
    app = build_dashboard(str(args.ledger), None, None, ["user:*=day:5", "provider:openai=month:500"])
    out["open_and_indexes_ms"] = round((time.perf_counter() - started) * 1000, 1)
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    base = f"http://127.0.0.1:{port}"
    filters = {"unfiltered (30 days)": {}, "provider": {"provider": "openai"}, "user": {"user": "user42"},
               "tag": {"tag": "team:7"}, "90 days": {"days": 90}}  # fmt: skip
    endpoints = ["/api/overview", "/api/usage", "/api/records", "/api/spend", "/api/metrics", "/api/health"]
    api: dict[str, dict[str, float]] = defaultdict(dict)
    with httpx.Client(base_url=base, timeout=120) as client:
        for name, params in filters.items():
            for path in endpoints:
                api[name][path] = _timed(client, path, params)
        api["usage page 200 (deep page)"]["/api/records"] = _timed(client, "/api/records", {"page": 200})
    out["api_ms"] = api
    RESULTS.write_text(json.dumps(out, indent=2) + "\n")
    out["browser"] = browser(base)
    server.should_exit = True
    thread.join(timeout=10)
    RESULTS.write_text(json.dumps(out, indent=2) + "\n")
    print(json.dumps(out, indent=2))


def browser(base: str) -> dict[str, Any]:
    """First contentful paint, all panels loaded, and a filter applied, in headless Chromium."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select, WebDriverWait

    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium") or "chromium"
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--window-size=1400,2400"):  # fmt: skip
        options.add_argument(arg)
    driver = webdriver.Chrome(service=Service(executable_path=shutil.which("chromedriver")), options=options)
    ready = lambda d: d.find_element(By.TAG_NAME, "body").get_attribute("data-ready") == "yes"  # noqa: E731
    try:
        driver.get(base + "/")
        WebDriverWait(driver, 300).until(ready)
        paint = driver.execute_script(
            "const p = performance.getEntriesByType('paint').find(e => e.name === 'first-contentful-paint');"
            "return p ? p.startTime : null;"
        )
        loaded = float(driver.find_element(By.TAG_NAME, "body").get_attribute("data-load-ms") or 0)
        nav = driver.execute_script("return performance.getEntriesByType('navigation')[0].domContentLoadedEventEnd;")
        Select(driver.find_element(By.ID, "f-provider")).select_by_value("openai")
        loads = lambda d: int(d.find_element(By.TAG_NAME, "body").get_attribute("data-loads") or 0)  # noqa: E731
        before = loads(driver)
        started = time.perf_counter()
        driver.find_element(By.ID, "apply").click()
        WebDriverWait(driver, 300, poll_frequency=0.02).until(lambda d: loads(d) > before and ready(d))
        filtered_wall = (time.perf_counter() - started) * 1000
        filtered = float(driver.find_element(By.TAG_NAME, "body").get_attribute("data-load-ms") or 0)
        calls = driver.find_element(By.ID, "total-calls").text
    finally:
        driver.quit()
    return {"first_contentful_paint_ms": round(paint or 0, 1), "dom_content_loaded_ms": round(nav, 1),
            "all_panels_loaded_ms": loaded, "filter_provider_ms": filtered,
            "filter_provider_wall_ms": round(filtered_wall, 1), "filtered_calls_shown": calls}  # fmt: skip


if __name__ == "__main__":
    main()
