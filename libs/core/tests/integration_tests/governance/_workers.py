"""Worker processes for the cross-process budget proofs (spawned; importable by name)."""

from __future__ import annotations

import asyncio
from decimal import Decimal

from _loopback import HttpChat
from polyport_core.errors import BudgetExceededError
from polyport_core.governance import Budget, Governor, Price, StaticPrices
from polyport_core.ledger import Ledger, RedisLedger, SQLiteLedger

PRICES = StaticPrices({"loop/m": Price(input=Decimal(0), output=Decimal(1000))})
WORST = Decimal("0.005000001")


def make_ledger(kind: str, where: str) -> Ledger:
    return SQLiteLedger(where) if kind == "sqlite" else RedisLedger(where)


def governed_model(ledger: Ledger, url: str, cap: Decimal) -> HttpChat:
    gov = Governor(ledger=ledger, prices=PRICES, budgets=[Budget(daily_usd=cap)])
    return HttpChat(model="m", provider="loop", base_url=url, max_tokens=5, call_hooks=gov)


def run_worker(kind: str, where: str, url: str, cap: str, n: int) -> int:
    """Fire ``n`` concurrent async calls; return how many were allowed."""
    model = governed_model(make_ledger(kind, where), url, Decimal(cap))

    async def one() -> bool:
        try:
            await model.ainvoke("hi")
            return True
        except BudgetExceededError:
            return False

    async def main() -> int:
        return sum(await asyncio.gather(*(one() for _ in range(n))))

    return asyncio.run(main())
