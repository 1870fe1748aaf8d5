"""Keep secrets out of messages: redact key-like query parameters from URLs and text."""

from __future__ import annotations

import re
from collections.abc import Iterable
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

__all__ = ["SECRET_PARAM_NAMES", "redact_text", "redact_url"]

SECRET_PARAM_NAMES = frozenset(
    {
        "key",
        "api_key",
        "apikey",
        "api-key",
        "token",
        "access_token",
        "sig",
        "signature",
        "secret",
        "client_secret",
        "password",
        "code",
        "x-api-key",
        "auth",
    }
)
_URL_RE = re.compile(r"https?://[^\s\"'<>]+")


def redact_url(url: str, extra_names: Iterable[str] = ()) -> str:
    """``url`` with the values of secret-looking query parameters (and userinfo) replaced by ``***``."""
    names = SECRET_PARAM_NAMES | {n.lower() for n in extra_names}
    try:
        parts = urlsplit(url)
    except ValueError:
        return "<unparseable url>"
    netloc = parts.netloc
    if "@" in netloc:
        netloc = "***@" + netloc.rsplit("@", 1)[1]
    if not parts.query:
        return urlunsplit(parts._replace(netloc=netloc))
    pairs = parse_qsl(parts.query, keep_blank_values=True)
    safe = [(k, "***" if k.lower() in names else v) for k, v in pairs]
    return urlunsplit(parts._replace(netloc=netloc, query=urlencode(safe, safe="*")))


def redact_text(text: str, secrets: Iterable[str] = (), extra_names: Iterable[str] = ()) -> str:
    """``text`` with every URL redacted and every known secret value replaced by ``***``."""
    extra = list(extra_names)
    out = _URL_RE.sub(lambda m: redact_url(m.group(0), extra), text)
    for secret in secrets:
        if secret and len(secret) >= 4:
            out = out.replace(secret, "***")
    return out
