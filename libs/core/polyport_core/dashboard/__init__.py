"""The spend and health dashboard: ``polyport dashboard`` or ``create_app(ledger)`` (Starlette).

One HTML page (charts by uPlot, shipped inside the package: no CDN, works offline)
and the JSON endpoints it reads: ``/api/overview`` (totals, filter values, budget
headroom), ``/api/usage`` and ``/api/records`` (server-side pages), ``/api/spend``
(per day, stacked by provider, model or user), ``/api/metrics`` (latency and TTFT
over time, failures by kind, availability), ``/api/health``. Needs the
``dashboard`` extra (``pip install 'polyport-core[dashboard]'``).
"""

from polyport_core.dashboard._app import create_app, filters_from
from polyport_core.dashboard._queries import DASHBOARD_INDEXES, Filters, RecordQueries, SQLiteQueries

__all__ = ["DASHBOARD_INDEXES", "Filters", "RecordQueries", "SQLiteQueries", "create_app", "filters_from"]
