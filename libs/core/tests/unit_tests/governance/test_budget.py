from __future__ import annotations

import asyncio
import threading
from decimal import Decimal

import pytest
from polyport_core.errors import BudgetExceededError, ProviderUnavailableError
from polyport_core.governance import Budget, BudgetAlert, Governor, StaticPrices
from polyport_core.ledger import Bucket, period_keys

WORST = Decimal("0.005000001")  # 5 output tokens at $0.001 + 1 nano-dollar of rounding headroom
CAP_FOR_10 = WORST * 10


def test_calls_run_until_the_budget_is_spent_then_refused(ledger, prices, make_model):
    gov = Governor(ledger=ledger, prices=prices, budgets=[Budget(daily_usd=CAP_FOR_10, provider="scripted")])
    model = make_model(gov)
    for _ in range(10):
        message = model.invoke("hi")
        assert message.response_metadata["cost_usd"] == pytest.approx(0.005)
        assert message.response_metadata["price_provenance"] == "spec"
    with pytest.raises(BudgetExceededError) as info:
        model.invoke("hi")
    text = str(info.value)
    assert "provider:scripted daily" in text
    assert "spent $0.050000" in text
    assert "reserved $0.000000" in text
    assert "cap $0.050000" in text
    day, _ = period_keys()
    assert ledger.spent(Bucket("provider:scripted", day)) == 50_000_000
    assert len(ledger.records()) == 10


def test_exactly_ten_of_100_async_and_20_threaded_calls_fit(ledger, prices, make_model):
    gov = Governor(ledger=ledger, prices=prices, budgets=[Budget(daily_usd=CAP_FOR_10)])
    model = make_model(gov)
    outcomes: list[str] = []
    lock = threading.Lock()

    def worker() -> None:
        try:
            model.invoke("hi")
            result = "ok"
        except BudgetExceededError:
            result = "refused"
        with lock:
            outcomes.append(result)

    async def one() -> str:
        try:
            await model.ainvoke("hi")
            return "ok"
        except BudgetExceededError:
            return "refused"

    async def main() -> list[str]:
        threads = [threading.Thread(target=worker) for _ in range(20)]
        for t in threads:
            t.start()
        results = await asyncio.gather(*(one() for _ in range(100)))
        for t in threads:
            t.join()
        return list(results)

    outcomes.extend(asyncio.run(main()))
    assert len(outcomes) == 120
    assert outcomes.count("ok") == 10
    day, _ = period_keys()
    spent = ledger.spent(Bucket("global", day))
    assert spent <= int(CAP_FOR_10 * 1_000_000_000)
    assert spent == sum(r.cost_nano or 0 for r in ledger.records())
    assert ledger.reserved(Bucket("global", day)) == 0


def test_unknown_price_under_a_budget_is_refused_unless_allowed(ledger, make_model):
    budget = Budget(daily_usd=1)
    with pytest.raises(BudgetExceededError, match="No known price"):
        make_model(Governor(ledger=ledger, prices=StaticPrices({}), budgets=[budget])).invoke("hi")
    gov = Governor(ledger=ledger, prices=StaticPrices({}), budgets=[budget], allow_unpriced=True)
    message = make_model(gov).invoke("hi")
    assert message.response_metadata["cost_usd"] is None
    assert message.response_metadata["price_provenance"] == "unknown"
    assert ledger.records()[-1].cost_nano is None


def test_alert_fires_once_per_period(ledger, prices, make_model):
    alerts: list[BudgetAlert] = []
    budget = Budget(daily_usd=Decimal("0.1"), alert_threshold=0.1, provider="scripted", model="m")
    model = make_model(Governor(ledger=ledger, prices=prices, budgets=[budget], on_alert=alerts.append))
    model.invoke("hi")  # $0.005 < $0.01
    assert alerts == []
    for _ in range(4):
        model.invoke("hi")
    assert len(alerts) == 1
    assert alerts[0].budget == "model:scripted/m daily"
    assert alerts[0].spent_usd == Decimal("0.01")


async def test_async_alert_fires_once_and_reads_the_ledger_off_the_event_loop(ledger, prices, make_model):
    import threading

    loop_thread = threading.get_ident()
    reads: list[int] = []
    spent = ledger.spent

    def watched_spent(bucket: Bucket) -> int:
        reads.append(threading.get_ident())
        return spent(bucket)

    ledger.spent = watched_spent  # the real SQLite read, observed: which thread runs it
    alerts: list[BudgetAlert] = []
    budget = Budget(daily_usd=Decimal("0.1"), alert_threshold=0.1, provider="scripted", model="m")
    model = make_model(Governor(ledger=ledger, prices=prices, budgets=[budget], on_alert=alerts.append))
    for _ in range(5):
        await model.ainvoke("hi")
    assert len(alerts) == 1
    assert reads
    assert loop_thread not in reads
    before = len(reads)
    await model.ainvoke("hi")  # the alert is out for this period: no more ledger reads for it
    assert len(reads) == before


def test_failed_call_releases_its_hold_and_is_recorded(ledger, prices, make_model):
    gov = Governor(ledger=ledger, prices=prices, budgets=[Budget(daily_usd=WORST)])
    model = make_model(gov, script=[ProviderUnavailableError("boom")])
    with pytest.raises(ProviderUnavailableError):
        model.invoke("hi")
    day, _ = period_keys()
    assert ledger.reserved(Bucket("global", day)) == 0
    assert [r.outcome for r in ledger.records()] == ["unavailable"]
    model.invoke("hi")  # the whole budget is still available
    assert gov.metrics.get("scripted", "m").failures["unavailable"] == 1


def test_stream_closed_early_releases_its_hold_and_charges_what_was_streamed(ledger, prices, make_model):
    from polyport_core.tokens import count_text_tokens

    gov = Governor(ledger=ledger, prices=prices, budgets=[Budget(daily_usd=WORST * 2)])
    model = make_model(gov)
    for _chunk in model.stream("hi"):
        break
    day, _ = period_keys()
    assert ledger.reserved(Bucket("global", day)) == 0
    [closed] = ledger.records()
    streamed = count_text_tokens("w0 ", "m")  # the one chunk the caller received
    assert (closed.outcome, closed.usage_estimated, closed.output_tokens) == ("cancelled", True, streamed)
    assert ledger.spent(Bucket("global", day)) == streamed * 1_000_000  # $0.001 per output token
    chunks = list(model.stream("hi"))  # the hold was freed: a full worst case fits again
    assert chunks[-1].response_metadata["cost_usd"] == pytest.approx(0.005)


def test_budget_validation():
    from polyport_core.errors import InvalidConfigError

    with pytest.raises(InvalidConfigError):
        Budget(daily_usd=-1)
    with pytest.raises(InvalidConfigError):
        Budget(model="m")
    with pytest.raises(InvalidConfigError):
        Budget(daily_usd=1, alert_threshold=1.5)
