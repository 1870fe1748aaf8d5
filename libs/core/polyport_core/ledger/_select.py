"""The one default ledger, chosen by ``POLYPORT_LEDGER`` for the library and the CLI alike.

``sqlite:///path/to/file.sqlite3[?durability=budgets|all|none]`` or ``redis://…`` /
``rediss://…``; unset means
the SQLite file in the user data dir. One instance per process and setting, so
every governed model and ``polyport usage`` read and write the same place.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path
from urllib.parse import parse_qsl

from polyport_core.errors import InvalidConfigError
from polyport_core.ledger._types import Ledger

__all__ = ["LEDGER_ENV", "default_ledger", "ledger_from_url"]

LEDGER_ENV = "POLYPORT_LEDGER"

_lock = threading.Lock()
_opened: dict[str, Ledger] = {}


def ledger_from_url(url: str | None) -> Ledger:
    """A ledger for ``url`` (``sqlite:///…``, ``redis://…``, ``rediss://…``; None/empty = default SQLite)."""
    from polyport_core.ledger._redis import RedisLedger
    from polyport_core.ledger._sqlite import SQLiteLedger

    if not url:
        return SQLiteLedger()
    if url.startswith(("redis://", "rediss://", "unix://")):
        return RedisLedger(url)
    if url.startswith("sqlite://"):
        path, _, query = url.removeprefix("sqlite://").partition("?")
        path = path[1:] if path.startswith("/") else path  # sqlite:///abs → /abs (as SQLAlchemy spells it)
        options = dict(parse_qsl(query))
        durability = options.pop("durability", "budgets")
        if options or durability not in ("budgets", "all", "none"):
            raise InvalidConfigError(
                f"{LEDGER_ENV}: the only SQLite option is durability=budgets|all|none; "
                f"found {sorted(options) or durability!r}"
            )
        return SQLiteLedger(Path(path) if path else None, durability=durability)  # type: ignore[arg-type]
    scheme = url.split("://", 1)[0] if "://" in url else url[:16]
    raise InvalidConfigError(
        f"{LEDGER_ENV} must be 'sqlite:///path/to/ledger.sqlite3' or 'redis://host:port/db'; "
        f"found a value starting with {scheme!r}"
    )


def default_ledger() -> Ledger:
    """The process-wide ledger ``POLYPORT_LEDGER`` selects (opened once per distinct setting)."""
    url = os.environ.get(LEDGER_ENV, "").strip()
    if not url:  # the user data dir can move (XDG_DATA_HOME): key the instance by the real path
        from polyport_core.ledger._sqlite import default_ledger_path

        url = f"sqlite:///{default_ledger_path()}"
    with _lock:
        ledger = _opened.get(url)
        if ledger is None:
            ledger = _opened[url] = ledger_from_url(url)
        return ledger
