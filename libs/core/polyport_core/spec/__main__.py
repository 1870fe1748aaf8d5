"""``python -m polyport_core.spec`` regenerates ``provider.schema.json``."""

from polyport_core.spec._schema import write_json_schema

print(write_json_schema())
