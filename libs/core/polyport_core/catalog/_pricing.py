"""The one price lookup of the project, and the cost of a usage record.

``price_for(provider, model)`` answers "what does this cost and where does the
price come from": a price declared for the model (in code or a provider spec;
the registry feeds spec prices in through ``set_declared_pricing_lookup``),
else the bundled catalog's entry for exactly ``provider/model`` (prices differ
between hosts of the same open model, so another host's price never counts),
else unknown. Provenance is ``"spec"`` (declared in a provider spec or in
code), ``"catalog:<version>"`` or ``"unknown"``. An unknown rate is ``None``, never
``0``: a free local model declares ``0`` explicitly.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from typing import Any, TypeVar

from polyport_core.catalog._catalog import catalog_version, exact_entry

__all__ = [
    "Cost",
    "Price",
    "cost_nano",
    "cost_of",
    "declared_source",
    "price_for",
    "set_declared_pricing_lookup",
    "unpriced_message",
    "worst_case_nano",
]

_MILLION = Decimal(1_000_000)
_NANO_PER_USD = Decimal(1_000_000_000)


def _dec(value: Any) -> Decimal | None:
    if value is None or isinstance(value, Decimal):
        return value
    return Decimal(str(value))


_SCALE_DIGITS = 9
"""Integer rates are in 1e-9 USD per million tokens (femto-dollars per token): exact for any rate
with up to 9 fractional digits, i.e. every real price list."""
_SCALE_DIV = 10**6
"""Integer-rate units per nano-dollar (1e-9 USD per million tokens × tokens → nano-dollars × 1e6)."""


def _scaled(rate: Decimal | None) -> int | None:
    """``rate`` × 10^9 as an exact integer, or None when unknown or not exactly representable."""
    if rate is None or not rate.is_finite():
        return None
    sign, digits, exponent = rate.as_tuple()
    if not isinstance(exponent, int) or exponent < -_SCALE_DIGITS:
        return None
    value: int = int("".join(map(str, digits)) or "0") * 10 ** (exponent + _SCALE_DIGITS)
    return -value if sign else value


def _round_half_even(numerator: int, denominator: int) -> int:
    """``numerator / denominator`` rounded half to even, as ``Decimal.to_integral_value`` does."""
    quotient, remainder = divmod(numerator, denominator)
    twice = 2 * remainder
    if twice > denominator or (twice == denominator and quotient % 2):
        quotient += 1
    return quotient


@dataclass(frozen=True, slots=True)
class Price:
    """USD per million tokens for one model; a ``None`` rate is unknown (never free).

    Cached input tokens are charged at ``cache_read``/``cache_write`` when known,
    else at ``input``. Provenance defaults to ``"spec"`` (declared) when a rate is
    given and ``"unknown"`` when none is.
    """

    input: Decimal | None = None
    output: Decimal | None = None
    cache_read: Decimal | None = None
    cache_write: Decimal | None = None
    provenance: str = ""
    _exact: tuple[int | None, int | None, int | None, int | None] | None = field(
        default=None, init=False, repr=False, compare=False
    )
    """The four rates × 10^9 as integers (None when a known rate has more than 9 fractional
    digits: costs then take the Decimal path). Derived once, so a call's cost is integer math."""

    def __post_init__(self) -> None:
        for name in ("input", "output", "cache_read", "cache_write"):
            value = getattr(self, name)
            if value is not None and not isinstance(value, Decimal):
                object.__setattr__(self, name, _dec(value))
        if not self.provenance:
            unknown = self.input is None and self.output is None
            object.__setattr__(self, "provenance", "unknown" if unknown else "spec")
        rates = (self.input, self.output, self.cache_read, self.cache_write)
        exact = tuple(_scaled(rate) for rate in rates)
        if all(e is not None or r is None for e, r in zip(exact, rates, strict=True)):
            object.__setattr__(self, "_exact", exact)

    @property
    def known(self) -> bool:
        """Whether the input rate is known (the output rate may still be missing, e.g. embeddings)."""
        return self.input is not None

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any], provenance: str) -> Price:
        """A price from a dict of per-million rates (numbers, strings or Decimals)."""
        return cls(
            _dec(data.get("input")),
            _dec(data.get("output")),
            _dec(data.get("cache_read")),
            _dec(data.get("cache_write")),
            provenance,
        )


UNKNOWN = Price()


@dataclass(frozen=True)
class Cost:
    """Money spent on a call: ``amount`` in USD (None = unknown) and its provenance."""

    amount: Decimal | None
    provenance: str
    currency: str = "USD"

    @property
    def known(self) -> bool:
        """Whether the amount is known (a known amount may be zero)."""
        return self.amount is not None


DeclaredLookup = Callable[[str, str], Price | None]
SourceLookup = Callable[[str], str | None]
_declared_lookup: DeclaredLookup | None = None
_source_lookup: SourceLookup | None = None


def set_declared_pricing_lookup(lookup: DeclaredLookup | None, source: SourceLookup | None = None) -> None:
    """Install where declared prices come from (the registry installs its specs' prices).

    ``source(provider)`` names where that provider's prices would be declared
    (a spec file), for the message of an unpriced call. The catalog never
    imports the registry: it is fed from above.
    """
    global _declared_lookup, _source_lookup
    _declared_lookup = lookup
    _source_lookup = source


def declared_source(provider: str) -> str | None:
    """Where ``provider``'s prices are declared (its spec's source), when known."""
    return _source_lookup(provider) if _source_lookup is not None else None


@lru_cache(maxsize=1024)
def _catalog_price(provider: str, model: str) -> Price:
    if not provider:
        return UNKNOWN
    pricing = (exact_entry(f"{provider}/{model}") or {}).get("pricing")
    return Price.from_mapping(pricing, f"catalog:{catalog_version()}") if pricing else UNKNOWN


def price_for(provider: str, model: str, *, declared: Price | None = None) -> Price:
    """The price of ``provider``/``model``: declared (``declared`` or a spec) → own-provider catalog → unknown."""
    if declared is not None and declared.known:
        return declared
    lookup = _declared_lookup
    if lookup is not None:
        found = lookup(provider, model)
        if found is not None and found.known:
            return found
    return _catalog_price(provider, model)


def unpriced_message(provider: str, model: str, source: str | None = None) -> str:
    """Why a call has no price and exactly what to declare (and where: ``source``) to give it one."""
    where = source or declared_source(provider) or f"the spec file of provider {provider!r}"
    return (
        f"No known price for provider {provider!r}, model {model!r} (none declared, and the "
        f"catalog has no entry for {provider}/{model}); add models[].pricing.input/output for "
        f"{model!r} in {where}"
    )


_Rate = TypeVar("_Rate", int, Decimal)


def _token_counts(usage: Mapping[str, Any]) -> tuple[int, int, int, int]:
    """``(input, output, cache_read, cache_write)`` tokens of a langchain-core usage record."""
    details: Mapping[str, Any] = usage.get("input_token_details") or {}
    return (
        int(usage.get("input_tokens") or 0),
        int(usage.get("output_tokens") or 0),
        int(details.get("cache_read") or 0),
        int(details.get("cache_creation") or 0),
    )


def _charge(
    rates: tuple[_Rate | None, _Rate | None, _Rate | None, _Rate | None], tokens: tuple[int, int, int, int]
) -> _Rate | int | None:
    """Σ rate × tokens per token class (cached input at the cache rates, else the input rate);
    None when tokens of some class have no known rate. Serves exact integer and Decimal rates."""
    rate_in, rate_out, rate_read, rate_write = rates
    fresh, output, cache_read, cache_write = tokens
    parts: list[tuple[int, _Rate | None]] = []
    if cache_read:
        parts.append((cache_read, rate_read if rate_read is not None else rate_in))
        fresh -= cache_read
    if cache_write:
        parts.append((cache_write, rate_write if rate_write is not None else rate_in))
        fresh -= cache_write
    parts += [(max(fresh, 0), rate_in), (output, rate_out)]
    total: _Rate | int = 0
    for count, rate in parts:
        if count == 0:
            continue
        if rate is None:
            return None
        total = total + rate * count
    return total


def _amount(price: Price, tokens: tuple[int, int, int, int]) -> Decimal | None:
    """USD for ``tokens`` at ``price``; None when tokens of some class have no known rate."""
    total = _charge((price.input, price.output, price.cache_read, price.cache_write), tokens)
    return None if total is None else Decimal(total) / _MILLION


def cost_of(
    usage: Mapping[str, Any] | None, provider: str, model: str, *, price: Price | None = None
) -> Cost:
    """Cost of a langchain-core ``UsageMetadata`` record for ``provider``/``model``.

    Any token class with tokens but no known rate makes the whole cost unknown
    rather than silently cheaper.
    """
    price = price if price is not None else price_for(provider, model)
    if usage is None or not price.known:
        return Cost(None, "unknown")
    amount = _amount(price, _token_counts(usage))
    return Cost(amount, price.provenance if amount is not None else "unknown")


def _nano(price: Price, tokens: tuple[int, int, int, int]) -> int | None:
    """Cost of ``tokens`` in nano-dollars, rounded half to even: integer math on the exact rates,
    Decimal when a rate has more fractional digits than they hold."""
    if price._exact is not None:
        total = _charge(price._exact, tokens)
        return None if total is None else _round_half_even(total, _SCALE_DIV)
    amount = _amount(price, tokens)
    return None if amount is None else int((amount * _NANO_PER_USD).to_integral_value())


def cost_nano(price: Price, usage: Mapping[str, Any]) -> int | None:
    """``cost_of`` in integer nano-dollars (the ledger's unit); None when unknown."""
    return _nano(price, _token_counts(usage)) if price.known else None


def worst_case_nano(price: Price, input_tokens: int, max_output_tokens: int) -> int | None:
    """Upper bound of a call's cost (input plus the full output cap); None when a needed rate is unknown."""
    amount_nano = _nano(price, (input_tokens, max_output_tokens, 0, 0))
    return None if amount_nano is None else amount_nano + 1
