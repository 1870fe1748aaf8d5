"""Worker processes for the per-user budget race (spawned; importable by name)."""

from __future__ import annotations

import asyncio
from decimal import Decimal

from _loopback import HttpChat
from _workers import PRICES, make_ledger
from polyport_core.errors import BudgetExceededError
from polyport_core.governance import Budget, Governor

USERS = ("u0", "u1", "u2", "u3", "u4")


def run_user_worker(kind: str, where: str, url: str, cap: str, n: int, seed: int) -> int:
    """Fire ``n`` async calls (ten at a time) spread over the five users; return how many were allowed."""
    gov = Governor(ledger=make_ledger(kind, where), prices=PRICES, budgets=[Budget(daily_usd=Decimal(cap), user="*")])
    model = HttpChat(model="m", provider="loop", base_url=url, max_tokens=5, call_hooks=gov)

    gate = asyncio.Semaphore(10)  # ten in flight per process: a race, without flooding the stdlib test server

    async def one(i: int) -> bool:
        async with gate:
            try:
                await model.ainvoke("hi", config={"metadata": {"user_id": USERS[(i + seed) % len(USERS)]}})
                return True
            except BudgetExceededError:
                return False

    async def main() -> int:
        return sum(await asyncio.gather(*(one(i) for i in range(n))))

    return asyncio.run(main())
