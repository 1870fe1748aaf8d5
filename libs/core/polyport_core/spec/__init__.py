"""The declarative provider format: models, loader, ``${ENV}`` interpolation, errors, JSON Schema.

A provider is one JSON file. The canonical spelling is documented by
``provider.schema.json``; goose (``host``, ``context_limit``, ``api_key_env``)
and Polydev (``baseUrl``, ``contextWindow``, ``apiKey``, ``cost``) spellings
load too, so users' existing files work unchanged.

The small parts every chat model needs (``TLSSpec``, the params checks, ``${ENV}`` interpolation)
load with the package; the spec models, loader, patcher and schema load on first use.
"""

from typing import TYPE_CHECKING

from polyport_core._lazy import lazy_getattr
from polyport_core.spec._aliases import normalize as canonicalize
from polyport_core.spec._env import MissingEnvError, interpolate_value, variable_label
from polyport_core.spec._params import ParamCheck, compile_params
from polyport_core.spec._platform import AdapterSpec, AWSSpec, EnvVarSpec, TLSSpec

if TYPE_CHECKING:
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
    from polyport_core.spec._patch import ConfigPatch, PatchResult, SpecPatchError, editable_path, write_spec_file
    from polyport_core.spec._schema import SCHEMA_PATH, provider_json_schema, write_json_schema
    from polyport_core.spec._usage import UsageEndpointSpec

_LAZY = {
    "SpecError": "_errors",
    "format_loc": "_errors",
    "LoadResult": "_loader",
    "known_engines": "_loader",
    "load_file": "_loader",
    "load_paths": "_loader",
    "load_spec": "_loader",
    "parse_spec": "_loader",
    "AuthSpec": "_models",
    "BudgetSpec": "_models",
    "HTTPEngineSpec": "_models",
    "HTTPPromptSpec": "_models",
    "HTTPResponseSpec": "_models",
    "HTTPStreamSpec": "_models",
    "LimitsSpec": "_models",
    "ModelSpec": "_models",
    "PricingSpec": "_models",
    "ProviderSpec": "_models",
    "QuirksSpec": "_models",
    "check_url": "_models",
    "ConfigPatch": "_patch",
    "PatchResult": "_patch",
    "SpecPatchError": "_patch",
    "editable_path": "_patch",
    "write_spec_file": "_patch",
    "SCHEMA_PATH": "_schema",
    "provider_json_schema": "_schema",
    "write_json_schema": "_schema",
    "UsageEndpointSpec": "_usage",
}
__getattr__ = lazy_getattr(__name__, globals(), _LAZY)

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
