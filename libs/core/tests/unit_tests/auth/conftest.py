"""Auth tests register odd values as secrets (``os:getcwd`` as a token provider): forget them."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from polyport_core.redaction import forget_secrets


@pytest.fixture(autouse=True)
def _forget_registered_secrets() -> Iterator[None]:
    yield
    forget_secrets()
