"""The auth package loads httpx only when something that needs it is used.

Every chat model imports ``polyport_core.auth`` (field types, redaction) and the SDK transport;
a model on a vendor SDK must not pay for httpx and the CLI libraries it imports at import time.
"""

from __future__ import annotations

import subprocess
import sys

import pytest


def _run(code: str) -> str:
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()


def test_chat_models_and_the_sdk_transport_do_not_import_httpx() -> None:
    code = (
        "import sys\n"
        "import polyport_core.auth, polyport_core.transport\n"
        "from polyport_core.chat import ProviderChatModel\n"
        "from polyport_core.auth import RedactedURL, SecretHeaders, refresher_for\n"
        "print(sorted(m for m in ('httpx', 'polyport_core.auth._refresh', 'polyport_core.auth._login') "
        "if m in sys.modules))"
    )
    assert _run(code) == "[]"


def test_lazy_names_resolve_to_their_modules() -> None:
    from polyport_core import auth
    from polyport_core.auth import _material, _refresh

    assert auth.build_auth is _material.build_auth
    assert auth.RefreshingBearer is _refresh.RefreshingBearer
    assert auth.refresher_for is _refresh.refresher_for


def test_an_unknown_name_is_an_attribute_error() -> None:
    from polyport_core import auth

    with pytest.raises(AttributeError, match="no_such_name"):
        auth.no_such_name  # noqa: B018
