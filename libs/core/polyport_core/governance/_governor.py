"""``Governor``: rate limits, budgets, the ledger, metrics and quota snapshots as one ``CallHooks``.

Pass it as ``call_hooks=`` to any polyport chat model. Before the call it
waits for the rate limits and reserves the worst-case cost on every matching
budget; after the call (success or failure) it settles the actual cost,
writes the usage record, records metrics and keeps the vendor's quota
snapshot. A settle the ledger refuses goes to a durable local outbox and is
replayed when the ledger is back, in this process or the next (settles are
idempotent by record id), so a ledger outage loses no record of a call that
happened. Calls under a budget still need the ledger to reserve, and refuse
with ``LedgerUnavailableError`` while it is down.
"""

from __future__ import annotations

import asyncio
import logging
import os
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path
from types import MappingProxyType
from typing import Any

from polyport_core.catalog import unpriced_message
from polyport_core.errors import BudgetExceededError, LedgerUnavailableError, RateLimitWaitExceededError
from polyport_core.governance._budget import (
    AlertCallback,
    Budget,
    BudgetAlert,
    alert_due,
    exceeded_message,
    log_alert,
    matching_caps,
    scopes_for,
)
from polyport_core.governance._hooks import CallHooks, CallInfo, CallOutcome
from polyport_core.governance._limits import Grant, Limiter, RateLimit
from polyport_core.governance._prices import CatalogPrices, Price, PriceLookup, cost_nano, worst_case_nano
from polyport_core.governance._quota import QuotaSnapshot, parse_quota_headers
from polyport_core.governance._scopes import CallScope, call_scope
from polyport_core.governance._settlement import Settlement
from polyport_core.ledger import Bucket, Cap, CapCheck, Ledger, Outbox, UsageRecord, nano_to_usd
from polyport_core.metrics import Metrics

__all__ = ["Governor"]

logger = logging.getLogger("polyport.governance")
_KEY = "polyport.governor"


class _CallState:
    __slots__ = ("caps", "cost", "grant", "held", "price", "res_id", "scope", "spend")

    def __init__(self) -> None:
        self.res_id = _record_id()
        self.grant: Grant | None = None
        self.price: Price | None = None
        self.caps: list[Cap] = []
        self.held: list[Bucket] = []
        self.spend: list[Bucket] = []
        self.cost: int | None = None
        self.scope: CallScope | None = None


class Governor(CallHooks):
    """Limits, budgets, ledger and metrics for every call of the models it is given to."""

    def __init__(
        self,
        *,
        ledger: Ledger | None = None,
        budgets: Sequence[Budget] = (),
        limits: Sequence[RateLimit] = (),
        prices: PriceLookup | None = None,
        allow_unpriced: bool = False,
        on_alert: AlertCallback | None = None,
        metrics: Metrics | None = None,
        max_wait_s: float = 60.0,
        fail_fast: bool = False,
        limits_storage: str = "memory://",
        reservation_ttl_s: float = 900.0,
        default_max_output_tokens: int = 4096,
        input_margin: float = 1.25,
        record_usage: bool = True,
        outbox: Outbox | str | Path | None = None,
    ) -> None:
        self.budgets = list(budgets)
        self.limiter = Limiter(limits, storage_uri=limits_storage, max_wait_s=max_wait_s, fail_fast=fail_fast)
        self.prices: PriceLookup = prices if prices is not None else CatalogPrices()
        self.allow_unpriced = allow_unpriced
        self.on_alert = on_alert or log_alert
        self.metrics = metrics if metrics is not None else Metrics()
        if self.metrics.sink is None and record_usage:  # fleet metrics: per minute into the ledger's backend
            self.metrics.sink = self._store_metrics
        self.reservation_ttl_s = reservation_ttl_s
        self.default_max_output_tokens = default_max_output_tokens
        self.input_margin = input_margin
        self.record_usage = record_usage
        self.quotas: dict[tuple[str, str], QuotaSnapshot] = {}
        self._ledger = ledger
        self.settlement = Settlement(
            lambda: self.ledger, outbox if isinstance(outbox, Outbox) else Outbox(outbox)
        )
        self._has_limits = bool(self.limiter.rules)
        self._alerts = any(b.alert_threshold is not None for b in self.budgets)
        self._alerted: set[Bucket] = set()
        """Budget buckets whose alert this process has seen go out (by any process, once each)."""

    @property
    def ledger(self) -> Ledger:
        """The ledger (``default_ledger()``, chosen by ``POLYPORT_LEDGER``, is opened on first use)."""
        if self._ledger is None:
            from polyport_core.ledger import default_ledger

            self._ledger = default_ledger()
        return self._ledger

    @classmethod
    def from_spec(cls, spec: Any, **kwargs: Any) -> Governor:
        """A governor from a ``ProviderSpec``'s ``limits``/``budget`` sections (and its models' limits)."""
        from polyport_core.governance._spec import (
            budgets_from_spec,
            limits_from_spec,
            prices_from_spec,
            wait_policy_from_spec,
        )

        kwargs.setdefault("limits", limits_from_spec(spec))
        for name, value in wait_policy_from_spec(spec).items():
            kwargs.setdefault(name, value)
        kwargs.setdefault("budgets", budgets_from_spec(spec))
        kwargs.setdefault("prices", prices_from_spec(spec))
        return cls(**kwargs)

    # ------------------------------------------------------------ before
    def _plan(self, call: CallInfo) -> _CallState:
        state = _CallState()
        call.state[_KEY] = state
        if call.tags or call.metadata or call.profile:
            state.scope = call_scope(call.provider, call.model, call.tags, call.metadata, call.profile)
        state.spend, day, month = scopes_for(call.provider, call.model, scope=state.scope)
        if self.budgets:
            state.caps = matching_caps(self.budgets, call.provider, call.model, day, month, state.scope)
            state.spend += [c.bucket for c in state.caps if c.bucket not in state.spend]  # e.g. provider:p|user:u
        if self.budgets or self.record_usage:
            state.price = self._price(call)
        if state.caps and state.price is None and not self.allow_unpriced:
            source = getattr(self.prices, "source", None)
            raise BudgetExceededError(
                f"{unpriced_message(call.provider, call.model, source)}, or pass allow_unpriced=True; "
                "a budget applies to this call",
                provider=call.provider,
                model=call.model,
            )
        return state

    def _price(self, call: CallInfo) -> Price | None:
        """The call's price from the one lookup; None when a rate this call needs is unknown."""
        price = self.prices.price(call.provider, call.model)
        if price is not None and price.output is None and call.max_output_tokens != 0:
            return None  # output tokens could not be priced (0 for embeddings)
        return price

    def _worst_case(self, call: CallInfo, price: Price) -> int:
        output = call.max_output_tokens
        if output is None:
            output = self._catalog_max_output(call) or self.default_max_output_tokens
        amount = worst_case_nano(price, int(call.estimated_input_tokens * self.input_margin) + 16, output)
        return 0 if amount is None else amount  # never None: _price checked the rates this call needs

    @staticmethod
    def _catalog_max_output(call: CallInfo) -> int | None:
        from polyport_core.catalog import catalog_entry

        value = (catalog_entry(call.model, call.provider) or {}).get("max_output_tokens")
        return int(value) if value else None

    def _refuse(self, call: CallInfo, state: _CallState, error: BaseException) -> None:
        if state.grant is not None:
            self.limiter.release(state.grant)
        self.metrics.record_refusal(call.provider, call.model, getattr(error, "kind", "error"))  # not a failure

    def _quota_wait(self, call: CallInfo) -> float:
        """Seconds the vendor said an exhausted window needs (raises past the allowed wait)."""
        snapshot = self.quotas.get((call.provider, call.model)) if self.quotas else None
        wait = snapshot.blocked_for() if snapshot is not None else 0.0
        if wait > 0 and (self.limiter.fail_fast or wait > self.limiter.max_wait_s):
            raise RateLimitWaitExceededError(
                f"The provider's quota is exhausted until its reset (its rate-limit headers said "
                f"remaining=0); fail_fast={self.limiter.fail_fast}, max_wait_s={self.limiter.max_wait_s}",
                retry_after=round(wait, 3),
                provider=call.provider,
                model=call.model,
            )
        return wait

    # The twins below differ only in their I/O (sleeping, the limiter's shared storage, the ledger);
    # planning, pricing, refusing, the record and what must be written are decided once, above and
    # in ``_record``/``_to_store``. On the async path every ledger or Redis call is awaited or runs
    # on a worker thread: a busy SQLite file or a slow Redis never stalls the event loop.
    def before_call(self, call: CallInfo) -> None:
        """Wait for the rate limits, then reserve the worst-case cost (refuse if it cannot fit)."""
        self.settlement.replay()  # never raises: budgets should see the spend kept during an outage
        if (wait := self._quota_wait(call)) > 0:
            time.sleep(wait)
        state = self._plan(call)
        with self._refusing(call, state):
            if self._has_limits:
                tokens = call.estimated_input_tokens
                state.grant = self.limiter.acquire(call.provider, call.model, tokens, state.scope)
            if (amount := self._reservation(call, state)) is not None:
                check = self.ledger.reserve(state.res_id, amount, state.caps, self.reservation_ttl_s)
                self._hold(call, state, amount, check)

    async def abefore_call(self, call: CallInfo) -> None:
        """Async twin of ``before_call``."""
        await self.settlement.areplay()
        if (wait := self._quota_wait(call)) > 0:
            await asyncio.sleep(wait)
        state = self._plan(call)
        with self._refusing(call, state):
            if self._has_limits:
                tokens = call.estimated_input_tokens
                state.grant = await self.limiter.aacquire(call.provider, call.model, tokens, state.scope)
            if (amount := self._reservation(call, state)) is not None:
                check = await self.ledger.areserve(state.res_id, amount, state.caps, self.reservation_ttl_s)
                self._hold(call, state, amount, check)

    @contextmanager
    def _refusing(self, call: CallInfo, state: _CallState) -> Iterator[None]:
        """A local refusal inside (rate limit, budget, ledger down) frees what the call took and is counted."""
        try:
            yield
        except (RateLimitWaitExceededError, BudgetExceededError, LedgerUnavailableError) as refused:
            self._refuse(call, state, refused)
            raise

    def _reservation(self, call: CallInfo, state: _CallState) -> int | None:
        """The worst-case cost to hold on the call's budget caps; None when no budget applies."""
        return self._worst_case(call, state.price) if state.caps and state.price is not None else None

    def _hold(self, call: CallInfo, state: _CallState, amount: int, check: CapCheck | None) -> None:
        """The ledger's answer to the reservation: the holds are the call's, or the budget refuses it."""
        if check is not None:
            raise BudgetExceededError(exceeded_message(check, amount), provider=call.provider, model=call.model)
        state.held = [c.bucket for c in state.caps]

    # ------------------------------------------------------------ after
    def _record(self, call: CallInfo, state: _CallState, outcome: CallOutcome) -> UsageRecord:
        """The call's record; frees its slots, prices it, records metrics and the quota snapshot (no I/O)."""
        if state.grant is not None:
            self.limiter.release(state.grant)
        usage = outcome.usage
        details: Mapping[str, Any] = (usage.get("input_token_details") or _NO_DETAILS) if usage else _NO_DETAILS
        if usage is not None and state.price is not None:
            state.cost = cost_nano(state.price, usage)
        elif usage is None and outcome.error is not None:
            state.cost = 0  # nothing came back, nothing is billed
        kind = None if outcome.error is None else str(getattr(outcome.error, "kind", "cancelled"))
        record = UsageRecord(
            id=state.res_id,
            provider=call.provider,
            model=call.model,
            input_tokens=int(usage.get("input_tokens", 0)) if usage else 0,
            output_tokens=int(usage.get("output_tokens", 0)) if usage else 0,
            cache_read_tokens=int(details.get("cache_read") or 0),
            cache_write_tokens=int(details.get("cache_creation") or 0),
            cost_nano=state.cost,
            price_provenance=state.price.provenance if state.price is not None else "unknown",
            latency_s=outcome.latency_s,
            outcome=kind or "ok",
            usage_estimated=outcome.usage_estimated,
            user=state.scope.user if state.scope else None,
            tags=state.scope.tags if state.scope else (),
            profile=state.scope.profile if state.scope else None,
        )
        self.metrics.record(
            call.provider,
            call.model,
            error_kind=kind,
            latency_s=outcome.latency_s,
            ttft_s=outcome.time_to_first_token_s,
            input_tokens=record.input_tokens,
            output_tokens=record.output_tokens,
            cost_nano=state.cost,
        )
        if outcome.response_headers:
            snapshot = parse_quota_headers(outcome.response_headers, call.provider, call.model)
            if snapshot is not None:
                self.quotas[(call.provider, call.model)] = snapshot
        return record

    def _to_store(self, state: _CallState) -> bool:
        """Whether the record goes to the ledger (usage recording on, or a budget hold to release)."""
        return self.record_usage or bool(state.held)

    def _alert_due(self, state: _CallState) -> bool:
        """Whether a settled call may have crossed a budget's alert threshold (it spent money on a cap)."""
        return self._alerts and bool(state.caps) and bool(state.cost)

    def after_call(self, call: CallInfo, outcome: CallOutcome) -> None:
        """Release limits, settle the cost, store the record, record metrics; never raises."""
        try:
            if (state := call.state.get(_KEY)) is None:
                return
            record = self._record(call, state, outcome)
            if state.grant is not None and outcome.usage is not None:
                self.limiter.settle_tokens(state.grant, int(outcome.usage.get("total_tokens", 0)))
            stored = self._to_store(state) and self.settlement.settle(record, state.held, state.spend)
            if stored and self._alert_due(state):
                self._check_alerts(call, state)
        except Exception:  # after_call must not raise: the call itself already happened
            logger.exception("polyport governance after_call failed")

    async def aafter_call(self, call: CallInfo, outcome: CallOutcome) -> None:
        """Async twin of ``after_call``."""
        try:
            if (state := call.state.get(_KEY)) is None:
                return
            record = self._record(call, state, outcome)
            if state.grant is not None and outcome.usage is not None:
                await self.limiter.asettle_tokens(state.grant, int(outcome.usage.get("total_tokens", 0)))
            stored = self._to_store(state) and await self.settlement.asettle(record, state.held, state.spend)
            if stored and self._alert_due(state):
                await asyncio.to_thread(self._check_alerts, call, state)  # ledger reads and a write
        except Exception:
            logger.exception("polyport governance aafter_call failed")

    def _check_alerts(self, call: CallInfo, state: _CallState) -> None:
        for budget in self.budgets:
            if not budget.applies(call.provider, call.model, state.scope) or budget.alert_threshold is None:
                continue
            for cap in budget.caps(*_periods(state.caps), state.scope):
                if cap.bucket in self._alerted:
                    continue  # this period's alert is already out: no more reads for it
                spent = self.ledger.spent(cap.bucket)
                if not alert_due(budget, cap, spent):
                    continue
                self._alerted.add(cap.bucket)
                if self.ledger.mark_alert(cap.bucket):
                    self.on_alert(
                        BudgetAlert(
                            cap.name, cap.bucket.period, nano_to_usd(spent), nano_to_usd(cap.limit_nano),
                            budget.alert_threshold,
                        )
                    )  # fmt: skip

    def _store_metrics(self, minutes: list[tuple[int, str, str, dict[str, int]]]) -> None:
        add = getattr(self.ledger, "add_metrics", None)  # a ledger of one's own may not keep metrics
        if add is not None:
            add(minutes)

    def flush_outbox(self) -> int:
        """Replay the outbox now (one batch, no back-off); how many settles the ledger took."""
        return self.settlement.replay(force=True)

    @property
    def pending_settlements(self) -> int:
        """Settles of this governor's ledger waiting in the outbox (from any process)."""
        return self.settlement.pending()

    def response_metadata(self, call: CallInfo, outcome: CallOutcome) -> dict[str, Any]:
        """``cost_usd`` (None when the price is unknown) and its ``price_provenance``."""
        state: _CallState | None = call.state.get(_KEY)
        if state is None:
            return {}
        cost = None if state.cost is None else _usd_float(state.cost)
        provenance = state.price.provenance if state.price is not None else "unknown"
        return {"cost_usd": cost, "price_provenance": provenance, "ledger_id": state.res_id}

    def spent_usd(self, budget: Budget, period: str = "day") -> Decimal:
        """Settled spend of a budget's scope in the current day or month."""
        _, day, month = scopes_for("", "")
        return nano_to_usd(self.ledger.spent(Bucket(budget.scope, day if period == "day" else month)))


def _record_id() -> str:
    """32 hex digits like ``uuid4().hex``: the clock in ns, then 64 random bits.

    Cheaper than ``uuid4``, and time-ordered: the ledger's id index grows at its right edge
    instead of at random pages (fewer page splits, fewer pages written per commit).
    """
    return f"{time.time_ns():016x}{os.urandom(8).hex()}"


_NO_DETAILS: Mapping[str, Any] = MappingProxyType({})
_EXACT_FLOAT = 2**53


def _usd_float(nano: int) -> float:
    """``float(nano_to_usd(nano))``: the same correctly rounded float (both sides are exact below 2**53)."""
    return nano / 1e9 if -_EXACT_FLOAT < nano < _EXACT_FLOAT else float(nano_to_usd(nano))


def _periods(caps: list[Cap]) -> tuple[str, str]:
    day = next((c.bucket.period for c in caps if c.bucket.period.startswith("day:")), "")
    month = next((c.bucket.period for c in caps if c.bucket.period.startswith("month:")), "")
    if not day or not month:
        _, d, m = scopes_for("", "")
        return day or d, month or m
    return day, month
