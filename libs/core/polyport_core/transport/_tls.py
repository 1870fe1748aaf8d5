"""TLS of provider connections, from a spec's ``tls`` section, for httpx and the vendor SDKs.

Both transports (plain httpx and the SDKs' httpx2 clients) take ``verify=`` as
an ``ssl.SSLContext``; one context carries all three settings: certificate
checks on or off, the minimum protocol version, and the CA bundle trusted.
"""

from __future__ import annotations

import ssl
from typing import TYPE_CHECKING

from polyport_core.errors import InvalidConfigError

if TYPE_CHECKING:
    from polyport_core.spec import TLSSpec

__all__ = ["ssl_context", "tls_verify"]

_VERSIONS = {"1.2": ssl.TLSVersion.TLSv1_2, "1.3": ssl.TLSVersion.TLSv1_3}


def ssl_context(
    *, verify: bool = True, min_version: str | None = None, ca_bundle: str | None = None, provider: str | None = None
) -> ssl.SSLContext:
    """A client ``SSLContext``: the default CA bundle (certifi, as httpx uses) or ``ca_bundle``;
    ``verify=False`` skips certificate and host-name checks; ``min_version`` ``"1.2"``/``"1.3"``."""
    try:
        if ca_bundle:
            context = ssl.create_default_context(cafile=ca_bundle)
        else:
            import certifi

            context = ssl.create_default_context(cafile=certifi.where())
    except (OSError, ssl.SSLError) as exc:
        raise InvalidConfigError(
            f"tls.ca_bundle {ca_bundle}: not a readable PEM file of CA certificates ({type(exc).__name__})",
            provider=provider,
        ) from None
    if not verify:
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    if min_version is not None:
        context.minimum_version = _VERSIONS[min_version]
    return context


def tls_verify(tls: TLSSpec | None, *, provider: str | None = None) -> ssl.SSLContext | bool:
    """What to pass as httpx's ``verify=``: ``True`` (httpx defaults) without a ``tls`` section."""
    if tls is None:
        return True
    return ssl_context(verify=tls.verify, min_version=tls.min_version, ca_bundle=tls.ca_bundle, provider=provider)
