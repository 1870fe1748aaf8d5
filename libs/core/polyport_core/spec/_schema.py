"""The JSON Schema of the provider format, generated from the pydantic models."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from polyport_core.spec._models import ProviderSpec

__all__ = ["SCHEMA_PATH", "provider_json_schema", "write_json_schema"]

SCHEMA_PATH = Path(__file__).with_name("provider.schema.json")
SCHEMA_ID = "https://polyport.dev/schemas/provider.schema.json"


def provider_json_schema() -> dict[str, Any]:
    """JSON Schema (draft 2020-12) for one canonical provider spec file."""
    schema = ProviderSpec.model_json_schema(by_alias=True, mode="validation")
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        **schema,
        "title": "polyport provider spec",
    }


def write_json_schema(path: Path = SCHEMA_PATH) -> Path:
    """Regenerate the schema file shipped with the package (run after changing the models)."""
    text = json.dumps(provider_json_schema(), indent=2, sort_keys=False) + "\n"
    path.write_text(text, encoding="utf-8")
    return path
