"""The one redaction layer: keep credentials out of reprs, logs, errors, callbacks and the CLI.

Secrets polyport resolves or is handed (API keys, credential header and query
values, URL passwords, OAuth tokens) are remembered here; ``redact_text`` then
masks them wherever they appear, together with URL userinfo and key-like query
parameters. ``install_log_redaction`` puts the same masking on the loggers of
the HTTP stacks and SDKs, and ``scrub_exception`` on an exception chain.
"""

from __future__ import annotations

import contextlib
import logging
import re
import threading
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import parse_qsl, quote, quote_plus, unquote, urlencode, urlsplit, urlunsplit

__all__ = [
    "LOGGERS",
    "MASK",
    "SECRET_PARAM_NAMES",
    "RedactingFilter",
    "forget_secrets",
    "install_log_redaction",
    "is_secret_name",
    "known_secrets",
    "looks_like_secret",
    "mask_secret",
    "protect",
    "redact_data",
    "redact_mapping",
    "redact_text",
    "redact_url",
    "remember_secrets",
    "scrub_exception",
]

MASK = "***"
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
_SECRET_NAME_RE = re.compile(r"key|secret|token|passw|auth|cookie|credential|signature|^sig$", re.I)
_URL_RE = re.compile(r"(?:https?|rediss?|unix|wss?)://[^\s\"'<>]+")
_BEARER_RE = re.compile(r"\b(Bearer|Basic|Token)\s+[A-Za-z0-9._~+/=\-]{8,}", re.I)
_KEYLIKE_RE = re.compile(
    r"^(?:sk|pk|rk|gsk|xai|key|api|tok|ghp|gho|glpat|hf|AIza|AKIA|eyJ)[-_A-Za-z0-9.]{12,}$"
    r"|^(?=.*[0-9])(?=.*[A-Za-z])[A-Za-z0-9_\-.+/=]{24,}$"
)
_MIN_SECRET_LEN = 6

_known: set[str] = set()
_known_lock = threading.Lock()
_pattern: re.Pattern[str] | None = None


# ---------------------------------------------------------------- known secrets
def remember_secrets(*values: Any) -> None:
    """Register secret values (str or ``SecretStr``) so every redaction masks them.

    Short values (under 6 characters) are ignored: masking them would mangle ordinary text.
    """
    global _pattern
    added = False
    for value in values:
        raw = value.get_secret_value() if hasattr(value, "get_secret_value") else value
        if not isinstance(raw, str):
            continue
        raw = raw.strip()
        if len(raw) < _MIN_SECRET_LEN:
            continue
        for form in (raw, quote(raw, safe=""), quote_plus(raw)):
            if form not in _known:
                with _known_lock:
                    _known.add(form)
                added = True
    if added:
        _pattern = None


def forget_secrets() -> None:
    """Drop every registered secret (tests that must not leak masks into each other)."""
    global _pattern
    with _known_lock:
        _known.clear()
        _pattern = None


def known_secrets() -> frozenset[str]:
    """Every secret registered so far (for tests and custom sinks)."""
    return frozenset(_known)


def _known_pattern() -> re.Pattern[str] | None:
    global _pattern
    if _pattern is None and _known:
        with _known_lock:
            ordered = sorted(_known, key=len, reverse=True)
        _pattern = re.compile("|".join(re.escape(s) for s in ordered))
    return _pattern


# ---------------------------------------------------------------- predicates
def is_secret_name(name: str) -> bool:
    """Whether a header, query parameter or field name usually carries a credential."""
    lowered = name.lower()
    return lowered in SECRET_PARAM_NAMES or bool(_SECRET_NAME_RE.search(lowered))


def looks_like_secret(value: str) -> bool:
    """Whether a string looks like a credential (``sk-…``, ``Bearer …``, a long random token)."""
    text = value.strip()
    if not text or (" " in text and not _BEARER_RE.search(text)):
        return False
    if _BEARER_RE.search(text):
        return True
    if any(s in text for s in known_secrets()):
        return True
    return bool(_KEYLIKE_RE.match(text))


def mask_secret(value: str) -> str:
    """A printable stand-in for a secret: its first two characters and its length."""
    text = value.strip()
    if len(text) < 8:
        return MASK
    return f"{text[:2]}{MASK} ({len(text)} chars)"


# ---------------------------------------------------------------- text, URLs, data
def redact_url(url: str, extra_names: Iterable[str] = ()) -> str:
    """``url`` with userinfo and the values of secret-looking query parameters replaced by ``***``."""
    names = SECRET_PARAM_NAMES | {n.lower() for n in extra_names}
    try:
        parts = urlsplit(url)
    except ValueError:
        return "<unparseable url>"
    netloc = parts.netloc
    if "@" in netloc:
        userinfo, host = netloc.rsplit("@", 1)
        remember_secrets(unquote(userinfo.partition(":")[2]) or unquote(userinfo))
        netloc = f"{MASK}@{host}"
    if not parts.query:
        return _mask_known(urlunsplit(parts._replace(netloc=netloc)))
    pairs = parse_qsl(parts.query, keep_blank_values=True)
    safe = [(k, MASK if k.lower() in names or is_secret_name(k) else v) for k, v in pairs]
    return _mask_known(urlunsplit(parts._replace(netloc=netloc, query=urlencode(safe, safe="*"))))


def _mask_known(text: str, extra: Iterable[str] = ()) -> str:
    for secret in extra:
        if secret and len(secret) >= 4:
            text = text.replace(secret, MASK)
    pattern = _known_pattern()
    return pattern.sub(MASK, text) if pattern is not None else text


def redact_text(text: str, secrets: Iterable[str] = (), extra_names: Iterable[str] = ()) -> str:
    """``text`` with URLs redacted, ``Bearer …`` tokens masked and every known secret replaced."""
    extra = list(extra_names)
    out = _URL_RE.sub(lambda m: redact_url(m.group(0), extra), text)
    out = _BEARER_RE.sub(lambda m: f"{m.group(1)} {MASK}", out)
    return _mask_known(out, secrets)


def redact_mapping(values: Mapping[str, Any] | None) -> dict[str, Any]:
    """Headers or query params for display: credential-named or key-looking values masked."""
    out: dict[str, Any] = {}
    for name, value in (values or {}).items():
        raw = value.get_secret_value() if hasattr(value, "get_secret_value") else value
        if is_secret_name(str(name)) or (isinstance(raw, str) and looks_like_secret(raw)):
            out[name] = MASK
        else:
            out[name] = redact_data(raw)
    return out


def redact_data(value: Any) -> Any:
    """A copy of JSON-like data (an error body) with every string passed through ``redact_text``."""
    if isinstance(value, str):
        return redact_text(value)
    if isinstance(value, Mapping):
        return {k: redact_data(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(redact_data(v) for v in value)
    return value


# ---------------------------------------------------------------- exceptions
_EXC_TEXT_ATTRS = ("message", "body", "error", "detail", "doc", "strerror")


def scrub_exception(error: BaseException | None) -> None:
    """Redact, in place, the messages of ``error`` and every exception chained to it.

    A traceback of a mapped error then shows the SDK's exception (useful when
    debugging) without the credential a server echoed or a URL carried.
    """
    seen: set[int] = set()
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        with contextlib.suppress(AttributeError, TypeError):
            error.args = tuple(redact_data(a) for a in error.args)
        for attr in _EXC_TEXT_ATTRS:
            value = error.__dict__.get(attr) if hasattr(error, "__dict__") else None
            if isinstance(value, str | Mapping | list):
                with contextlib.suppress(AttributeError, TypeError):
                    setattr(error, attr, redact_data(value))
        _scrub_next(error.__cause__, seen)
        error = error.__context__


def _scrub_next(cause: BaseException | None, seen: set[int]) -> None:
    if cause is not None and id(cause) not in seen:
        scrub_exception(cause)


# ---------------------------------------------------------------- logging
LOGGERS = ("httpx", "httpx2", "httpcore", "openai", "anthropic", "ollama", "polyport", "polyport_core", "urllib3")
"""Loggers (and their children) whose records pass through the redactor."""


class RedactingFilter(logging.Filter):
    """Rewrites a record's message (and formatted traceback) through ``redact_text``."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Mask the record in place; always keep it (only its text changes)."""
        if getattr(record, "_polyport_redacted", False):
            return True
        try:
            message = record.getMessage()
        except Exception:  # a broken format string: leave it to the handler to report
            return True
        record.msg = redact_text(message)
        record.args = None
        if record.exc_info and record.exc_info[1] is not None:
            scrub_exception(record.exc_info[1])
        if record.exc_text:
            record.exc_text = redact_text(record.exc_text)
        record._polyport_redacted = True
        return True


_FILTER = RedactingFilter()
_installed: set[str] = set()
_install_lock = threading.Lock()


def install_log_redaction() -> None:
    """Put the redacting filter on the HTTP/SDK/polyport loggers and their existing children.

    Called whenever polyport builds a client; idempotent and cheap. The root
    logger gets it too, for records logged on it directly.
    """
    manager = logging.Logger.manager
    names = [n for n in list(manager.loggerDict) if n.split(".", 1)[0] in LOGGERS]
    with _install_lock:
        for name in (*LOGGERS, *names, ""):
            if name in _installed:
                continue
            logger = logging.getLogger(name) if name else logging.getLogger()
            if _FILTER not in logger.filters:
                logger.addFilter(_FILTER)
            _installed.add(name)


def protect(*secrets: Any) -> None:
    """Call when building a client: remember its secrets and redact the HTTP/SDK loggers."""
    remember_secrets(*secrets)
    install_log_redaction()
