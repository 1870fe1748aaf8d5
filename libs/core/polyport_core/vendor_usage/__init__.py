"""The vendor's own account of usage and spend, to set beside the ledger (``polyport usage --remote``).

Fetchers read each vendor's documented endpoint — OpenAI's organization costs and usage
(admin key), Anthropic's Admin API cost and usage reports, OpenRouter's key credits,
DeepSeek's balance — or the endpoint a provider file names (``usage``, ``kind: http``).
"""

from polyport_core.vendor_usage._fetchers import FETCHERS
from polyport_core.vendor_usage._resolve import fetch_vendor_usage, usage_endpoint
from polyport_core.vendor_usage._types import VendorUsage

__all__ = ["FETCHERS", "VendorUsage", "fetch_vendor_usage", "usage_endpoint"]
