"""Durable settlement: a call that happened always leaves its usage record.

The ledger may refuse a settle (Redis restarting, another process holding the
SQLite write lock past the busy timeout). The settle then goes to the local
``Outbox`` (fsynced) and is replayed when the ledger answers again: before
the next reservation (so budgets see the spend), after the next successful
settle, and in a new process on the same outbox. Replays back off after a
failure so a dead ledger costs one attempt per call, not one per pending row.
Replays are idempotent by record id; holds of a replayed record are released
by the settle itself.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import Callable, Sequence

from polyport_core.auth import redact_text
from polyport_core.ledger import Bucket, Ledger, Outbox, OutboxEntry, UsageRecord, ledger_identity

__all__ = ["Settlement"]

logger = logging.getLogger("polyport.governance")


class Settlement:
    """Settle into the ledger, else into the outbox; replay the outbox when the ledger is back."""

    def __init__(
        self,
        ledger: Callable[[], Ledger],
        outbox: Outbox,
        *,
        retry_s: float = 0.5,
        max_retry_s: float = 30.0,
        recheck_s: float = 60.0,
        batch: int = 256,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._ledger = ledger
        self.outbox = outbox
        self._retry_s = retry_s
        self._max_retry_s = max_retry_s
        self._recheck_s = recheck_s
        self._batch = batch
        self._clock = clock
        self._identity: str | None = None
        self._maybe_pending = True  # unknown until the outbox is read once (a previous process may have left rows)
        self._check_at = 0.0
        self._retry_at = 0.0
        self._failures = 0
        self._replaying = threading.Lock()
        self._held_lock = threading.Lock()
        self._in_memory: list[OutboxEntry] = []
        """Last resort when the outbox itself cannot be written (disk full, locked past its timeout)."""

    @property
    def identity(self) -> str:
        """The ledger's key in the outbox."""
        if self._identity is None:
            self._identity = ledger_identity(self._ledger())
        return self._identity

    # ------------------------------------------------------------ state
    def _failed(self, error: BaseException, what: str) -> None:
        self._failures += 1
        wait = min(self._max_retry_s, self._retry_s * 2 ** (self._failures - 1))
        self._retry_at = self._clock() + wait
        logger.warning(
            "Ledger unavailable (%s), %s kept in the outbox %s; retrying in %.1fs: %s",
            type(error).__name__, what, self.outbox.path, wait, redact_text(str(error)),
        )  # fmt: skip

    def _succeeded(self) -> None:
        if self._failures:
            self._failures = 0
            self._retry_at = 0.0

    def _due(self) -> bool:
        """Whether a replay may find work and the ledger is not in its back-off."""
        now = self._clock()
        return (self._maybe_pending or now >= self._check_at) and now >= self._retry_at

    # ------------------------------------------------------------ replay
    def replay(self, *, force: bool = False) -> int:
        """Settle what waits in the outbox (one batch); the number taken by the ledger. Never raises."""
        if not (force or self._due()):
            return 0
        if not self._replaying.acquire(blocking=force):
            return 0  # another thread is replaying
        try:
            return self._replay_batch()
        finally:
            self._replaying.release()

    def _replay_batch(self) -> int:
        if self._in_memory:
            self._place_in_memory()
        try:
            entries = self.outbox.pending(self.identity, self._batch)
        except Exception:
            logger.exception("polyport could not read the outbox %s", self.outbox.path)
            return 0
        self._check_at = self._clock() + self._recheck_s
        ledger = self._ledger()
        taken = 0
        for entry in entries:
            try:
                ledger.settle(entry.record, entry.held, entry.spend)
            except Exception as error:
                self._maybe_pending = True
                self._failed(error, f"{len(entries) - taken} earlier settle(s)")
                return taken
            try:
                self.outbox.done(self.identity, entry.record.id)
            except Exception:  # settled; a later replay is a no-op (idempotent by id)
                logger.exception("polyport could not update the outbox %s", self.outbox.path)
            taken += 1
        self._succeeded()
        self._maybe_pending = len(entries) >= self._batch
        return taken

    async def areplay(self) -> int:
        """Async twin of ``replay`` (runs on a worker thread only when there may be work)."""
        if not self._due():
            return 0
        return await asyncio.to_thread(self.replay)

    def pending(self) -> int:
        """Settles of this ledger waiting in the outbox (or, if it could not be written, in memory)."""
        return self.outbox.count(self.identity) + len(self._in_memory)

    # ------------------------------------------------------------ settle
    def settle(self, record: UsageRecord, held: Sequence[Bucket], spend: Sequence[Bucket]) -> bool:
        """Settle in the ledger (True) or keep it in the outbox (False)."""
        try:
            self._ledger().settle(record, held, spend)
        except Exception as error:
            self._keep(record, held, spend, error)
            return False
        self._succeeded()
        self.replay()
        return True

    async def asettle(self, record: UsageRecord, held: Sequence[Bucket], spend: Sequence[Bucket]) -> bool:
        """Async twin of ``settle``."""
        try:
            await self._ledger().asettle(record, held, spend)
        except Exception as error:
            await asyncio.to_thread(self._keep, record, held, spend, error)
            return False
        self._succeeded()
        await self.areplay()
        return True

    def _keep(self, record: UsageRecord, held: Sequence[Bucket], spend: Sequence[Bucket], error: Exception) -> None:
        try:
            self.outbox.add(self.identity, record, held, spend)
        except Exception:  # the local disk failed too: hold it in memory until a replay can place it
            logger.exception("polyport could not write the outbox %s; settle of %s held in memory",
                             self.outbox.path, record.id)  # fmt: skip
            with self._held_lock:
                self._in_memory.append(OutboxEntry(record, tuple(held), tuple(spend)))
        self._maybe_pending = True
        self._failed(error, f"settle of {record.id}")

    def _place_in_memory(self) -> None:
        """Settles the outbox could not take: into the ledger, else into the outbox, else kept."""
        with self._held_lock:
            waiting, self._in_memory = self._in_memory, []
        for index, entry in enumerate(waiting):
            try:
                self._ledger().settle(entry.record, entry.held, entry.spend)
            except Exception:
                try:
                    self.outbox.add(self.identity, entry.record, entry.held, entry.spend)
                except Exception:
                    with self._held_lock:
                        self._in_memory.extend(waiting[index:])
                    return
