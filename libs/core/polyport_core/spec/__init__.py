"""The declarative provider format: models, loader, ``${ENV}`` interpolation, errors, JSON Schema.

A provider is one JSON file. The canonical spelling is documented by
``provider.schema.json``; goose (``host``, ``context_limit``, ``api_key_env``)
and Polydev (``baseUrl``, ``contextWindow``, ``apiKey``, ``cost``) spellings
load too, so users' existing files work unchanged.
"""

from polyport_core.spec._aliases import normalize as canonicalize
from polyport_core.spec._env import MissingEnvError, interpolate_value, variable_label
from polyport_core.spec._errors import SpecError, format_loc
from polyport_core.spec._loader import LoadResult, known_engines, load_file, load_paths, load_spec, parse_spec
from polyport_core.spec._models import (
    AuthSpec,
    BudgetSpec,
    HTTPEngineSpec,
    HTTPPromptSpec,
    HTTPResponseSpec,
    HTTPStreamSpec,
    LimitsSpec,
    ModelSpec,
    PricingSpec,
    ProviderSpec,
    QuirksSpec,
    check_url,
)
from polyport_core.spec._params import ParamCheck, compile_params
from polyport_core.spec._patch import ConfigPatch, PatchResult, SpecPatchError, editable_path, write_spec_file
from polyport_core.spec._platform import AdapterSpec, AWSSpec, EnvVarSpec, TLSSpec
from polyport_core.spec._schema import SCHEMA_PATH, provider_json_schema, write_json_schema
from polyport_core.spec._usage import UsageEndpointSpec

__all__ = [
    "SCHEMA_PATH",
    "AWSSpec",
    "AdapterSpec",
    "AuthSpec",
    "BudgetSpec",
    "ConfigPatch",
    "EnvVarSpec",
    "HTTPEngineSpec",
    "HTTPPromptSpec",
    "HTTPResponseSpec",
    "HTTPStreamSpec",
    "LimitsSpec",
    "LoadResult",
    "MissingEnvError",
    "ModelSpec",
    "ParamCheck",
    "PatchResult",
    "PricingSpec",
    "ProviderSpec",
    "QuirksSpec",
    "SpecError",
    "SpecPatchError",
    "TLSSpec",
    "UsageEndpointSpec",
    "canonicalize",
    "check_url",
    "compile_params",
    "editable_path",
    "format_loc",
    "interpolate_value",
    "known_engines",
    "load_file",
    "load_paths",
    "load_spec",
    "parse_spec",
    "provider_json_schema",
    "variable_label",
    "write_json_schema",
    "write_spec_file",
]
