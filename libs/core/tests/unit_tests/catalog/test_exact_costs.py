"""Costs from integer rates equal the Decimal computation to the nano-dollar."""

from __future__ import annotations

import random
from decimal import Decimal
from typing import Any

import pytest
from polyport_core.catalog import Price, cost_nano, worst_case_nano
from polyport_core.catalog._pricing import _NANO_PER_USD, _amount, _token_counts


def _decimal_nano(price: Price, usage: dict[str, Any]) -> int | None:
    amount = _amount(price, _token_counts(usage))
    return None if amount is None else int((amount * _NANO_PER_USD).to_integral_value())


def _rate(rng: random.Random) -> Decimal | None:
    if rng.random() < 0.15:
        return None
    return Decimal(rng.randrange(0, 100_000_000)).scaleb(-rng.randrange(0, 10))


def test_integer_rates_match_decimal_costs() -> None:
    rng = random.Random(20261130)
    checked = 0
    for _ in range(4000):
        price = Price(_rate(rng), _rate(rng), _rate(rng), _rate(rng), provenance="spec")
        assert price._exact is not None  # every rate has at most 9 fractional digits
        usage: dict[str, Any] = {
            "input_tokens": rng.randrange(0, 2_000_000),
            "output_tokens": rng.choice([0, rng.randrange(0, 200_000)]),
            "input_token_details": {
                "cache_read": rng.choice([0, rng.randrange(0, 2_000_000)]),
                "cache_creation": rng.choice([0, rng.randrange(0, 500_000)]),
            },
        }
        expected = _decimal_nano(price, usage) if price.known else None
        assert cost_nano(price, usage) == expected
        inputs, outputs = usage["input_tokens"], usage["output_tokens"]
        bound = _decimal_nano(price, {"input_tokens": inputs, "output_tokens": outputs})
        assert worst_case_nano(price, inputs, outputs) == (None if bound is None else bound + 1)
        checked += expected is not None
    assert checked > 1000


@pytest.mark.parametrize(
    ("rate", "tokens", "nano"),
    [
        ("0.0000015", 1, 0),  # 1.5e-3 nano: rounds to 0
        ("0.0005", 1, 0),  # exactly half a nano-dollar: half to even → 0
        ("0.0015", 1, 2),  # 1.5 nano → 2
        ("0.0025", 1, 2),  # 2.5 nano → 2
        ("0.00105", 1, 1),  # 1.05 nano → 1
        ("0.15", 7, 1050),  # 0.15 USD per million × 7 tokens
        ("0.0025", 3, 8),  # 7.5 nano → 8
    ],
)
def test_rounding_is_half_even_like_decimal(rate: str, tokens: int, nano: int) -> None:
    price = Price(Decimal(rate), Decimal(0))
    usage = {"input_tokens": tokens, "output_tokens": 0}
    assert cost_nano(price, usage) == nano == _decimal_nano(price, usage)


def test_rates_beyond_nine_fractional_digits_take_the_decimal_path() -> None:
    price = Price(Decimal("0.0000000001"), Decimal("1"))
    assert price._exact is None
    usage = {"input_tokens": 10**7, "output_tokens": 1000}
    assert cost_nano(price, usage) == _decimal_nano(price, usage) == 1_000_001


def test_integer_rates_do_not_change_equality_or_repr() -> None:
    a, b = Price(Decimal("0.15"), Decimal("0.6")), Price(Decimal("0.150"), Decimal("0.60"))
    assert a == b
    assert hash(a) == hash(b)
    assert "_exact" not in repr(a)
