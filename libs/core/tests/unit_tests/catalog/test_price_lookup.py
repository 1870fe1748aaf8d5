"""The one price lookup: declared → the catalog entry of the *same* provider → unknown.

Every consumer (``price_for``, ``cost_of``, the ``Governor``'s default prices and
``list_models``) must give the same answer for each row.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from polyport_core.catalog import Price, catalog_entry, catalog_version, cost_of, price_for
from polyport_core.governance import CatalogPrices, StaticPrices
from polyport_core.registry import Registry, get_registry, list_models, reload_registry

ACME = {
    "id": "acme",
    "engine": "openai",
    "base_url": "https://llm.acme.test/v1",
    "models": [
        {"id": "acme-1", "pricing": {"input": 1, "output": 3, "cache_read": 0.5}},
        {"id": "acme-free", "pricing": {"input": 0, "output": 0}},
        {"id": "acme-embed", "embeddings": True},
        # declared at a host the catalog also prices (under openai): the host's own word only
        {"id": "gpt-4o-mini"},
    ],
}
# A spec for a provider the catalog prices, declaring its own price for one catalog model.
GROQ = {
    "id": "groq",
    "engine": "openai",
    "base_url": "https://api.groq.com/openai/v1",
    "models": [{"id": "llama-3.1-8b-instant", "pricing": {"input": "0.01", "output": "0.02"}}],
}
CATALOG = f"catalog:{catalog_version()}"
UNKNOWN = (None, None, None, "unknown")

# provider, model, (input, output, cache_read, provenance)
CASES = [
    pytest.param("acme", "acme-1", ("1", "3", "0.5", "spec"), id="declared"),
    pytest.param("acme", "acme-free", ("0", "0", None, "spec"), id="declared-free-is-0-not-unknown"),
    pytest.param("acme", "acme-embed", UNKNOWN, id="declared-model-without-price"),
    pytest.param("openai", "gpt-4o-mini", ("0.15", "0.6", "0.075", CATALOG), id="catalog-own-provider"),
    pytest.param("mylocal", "gpt-4o-mini", UNKNOWN, id="other-provider-no-spec"),
    pytest.param("acme", "gpt-4o-mini", UNKNOWN, id="other-provider-declared-without-price"),
    pytest.param("groq", "gpt-4o-mini", UNKNOWN, id="other-provider-with-own-catalog-rows"),
    pytest.param("groq", "llama-3.1-8b-instant", ("0.01", "0.02", None, "spec"), id="declared-overrides-catalog"),
    pytest.param("together", "llama-3.1-8b-instant", UNKNOWN, id="same-open-model-other-host"),
    pytest.param("llamacpp", "gpt-4o-mini", UNKNOWN, id="local-llamacpp"),
    pytest.param("ollama", "llama-3.1-8b-instant", UNKNOWN, id="local-ollama"),
    pytest.param("lmstudio", "gpt-4o", UNKNOWN, id="local-lmstudio"),
]


@pytest.fixture
def registry(tmp_path: Path) -> Iterator[Registry]:
    """Presets plus the two specs above, installed as the process registry (which feeds the catalog)."""
    (tmp_path / "acme.json").write_text(json.dumps(ACME))
    (tmp_path / "groq.json").write_text(json.dumps(GROQ))
    previous = get_registry()
    registry = reload_registry(Registry.discover(plugins=False, user=False, project=[tmp_path], env={}))
    yield registry
    reload_registry(previous)


def _dec(value: str | None) -> Decimal | None:
    return None if value is None else Decimal(value)


@pytest.mark.parametrize(("provider", "model", "expected"), CASES)
def test_one_lookup(registry: Registry, provider: str, model: str, expected: tuple[str | None, ...]) -> None:
    price = price_for(provider, model)
    inp, out, cache_read, provenance = expected
    assert (price.input, price.output, price.cache_read, price.provenance) == (
        _dec(inp),
        _dec(out),
        _dec(cache_read),
        provenance,
    )
    # the governor's default source and a spec governor's source give the same answer
    governed = CatalogPrices().price(provider, model)
    assert governed == (price if price.known else None)
    assert StaticPrices({}).price(provider, model) == governed
    usage = {"input_tokens": 1_000_000, "output_tokens": 1_000_000, "total_tokens": 2_000_000}
    cost = cost_of(usage, provider, model)
    assert cost.amount == (None if inp is None else _dec(inp) + _dec(out))  # type: ignore[operator]
    assert cost.provenance == provenance


def test_the_table_covers_real_catalog_rows_and_real_local_presets(registry: Registry) -> None:
    """Guards the 'other provider' rows: the model IS priced in the catalog, just not for that host."""
    assert catalog_entry("gpt-4o-mini") is not None
    assert (catalog_entry("llama-3.1-8b-instant") or {}).get("pricing")
    assert (catalog_entry("gpt-4o") or {}).get("pricing")
    assert {"llamacpp", "ollama", "lmstudio"} <= set(registry.specs)
    for local in ("llamacpp", "ollama", "lmstudio"):  # no declared price: the local rows test the lookup alone
        assert [m.id for m in registry.specs[local].models if m.pricing is not None] == [], local


def test_list_models_shows_the_same_price(registry: Registry) -> None:
    models = {m.id: m for m in list_models("acme", registry=registry)}
    assert models["acme-1"].price == price_for("acme", "acme-1")
    assert models["acme-1"].price.provenance == "spec"
    assert models["gpt-4o-mini"].price.provenance == "unknown"


def test_an_explicit_declared_price_wins_and_an_empty_one_falls_through(registry: Registry) -> None:
    mine = Price(Decimal("9"), Decimal("9"))
    assert price_for("openai", "gpt-4o-mini", declared=mine) is mine
    assert mine.provenance == "spec"  # declared in code counts as declared
    assert price_for("openai", "gpt-4o-mini", declared=Price()).provenance == CATALOG
    assert StaticPrices({"gpt-4o-mini": mine}).price("mylocal", "gpt-4o-mini") is mine


CACHE = [
    # price, usage details, expected USD for 1M input (400k of them cached) + 0 output
    pytest.param(
        ("openai", "gpt-4o"),
        {"cache_read": 400_000},
        Decimal("2.5") * Decimal("0.6") + Decimal("1.25") * Decimal("0.4"),
        id="catalog-cache-read-rate",
    ),
    pytest.param(
        ("acme", "acme-1"),
        {"cache_read": 400_000},
        Decimal("1") * Decimal("0.6") + Decimal("0.5") * Decimal("0.4"),
        id="declared-cache-read-rate",
    ),
    pytest.param(
        Price(Decimal("2"), Decimal("4"), cache_write=Decimal("3")),
        {"cache_read": 250_000, "cache_creation": 250_000},
        Decimal("2") * Decimal("0.75") + Decimal("3") * Decimal("0.25"),
        id="cache-read-without-rate-at-input-rate",
    ),
]


@pytest.mark.parametrize(("source", "details", "expected"), CACHE)
def test_cache_rates(
    registry: Registry, source: Price | tuple[str, str], details: dict[str, int], expected: Decimal
) -> None:
    usage = {"input_tokens": 1_000_000, "output_tokens": 0, "total_tokens": 1_000_000}
    usage["input_token_details"] = details  # type: ignore[assignment]
    if isinstance(source, Price):
        cost = cost_of(usage, "x", "y", price=source)
    else:
        cost = cost_of(usage, *source)
    assert cost.amount == expected


def test_tokens_without_a_rate_make_the_cost_unknown_not_cheaper() -> None:
    input_only = Price(Decimal("1"))
    embed = {"input_tokens": 1_000_000, "output_tokens": 0, "total_tokens": 1_000_000}
    chat = {"input_tokens": 1_000_000, "output_tokens": 10, "total_tokens": 1_000_010}
    assert cost_of(embed, "x", "y", price=input_only).amount == Decimal("1")
    assert cost_of(chat, "x", "y", price=input_only).amount is None
    assert cost_of(chat, "x", "y", price=input_only).provenance == "unknown"


def test_one_price_type_and_the_catalog_never_imports_the_registry() -> None:
    import subprocess
    import sys

    from polyport_core.governance import Price as GovernancePrice

    assert GovernancePrice is Price
    code = (
        "import sys; from polyport_core.catalog import price_for, cost_of;"
        "price_for('openai', 'gpt-4o-mini'); cost_of({'input_tokens': 1}, 'acme', 'm');"
        "assert 'polyport_core.registry' not in sys.modules, 'catalog imported the registry'"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
