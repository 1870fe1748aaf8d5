"""The "nothing answered" hint names a variable only when the whole address comes from it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from polyport_core.cli._hints import base_url_variable
from polyport_core.spec import load_spec


@pytest.mark.parametrize(
    ("base_url", "expected"),
    [
        ("${ACME_BASE_URL:-http://localhost:8080/v1}", "ACME_BASE_URL"),
        ("${ACME_BASE_URL}", "ACME_BASE_URL"),
        ("http://user:${ACME_KEY}@127.0.0.1:9/v1", None),  # a key in the userinfo never moves the address
        ("https://${REGION}.example.com/v1", None),
        ("http://127.0.0.1:8080/v1", None),
    ],
)
def test_only_a_whole_address_variable_is_suggested(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, base_url: str, expected: str | None
) -> None:
    for name in ("ACME_BASE_URL", "ACME_KEY", "REGION"):
        monkeypatch.setenv(name, "http://127.0.0.1:1/v1" if name.endswith("URL") else "x")
    path = tmp_path / "acme.json"
    path.write_text(json.dumps({"id": "acme", "engine": "openai", "base_url": base_url, "models": [{"id": "m1"}]}))
    spec = load_spec(path)
    assert base_url_variable(spec) == expected
