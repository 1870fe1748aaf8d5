"""Vendor usage fetchers against wire fixtures shaped exactly as each vendor documents its answer.

Sources (the response examples/schemas these bodies follow):
- OpenAI costs: https://platform.openai.com/docs/api-reference/usage/costs (CostsResult object)
- OpenAI completions usage: https://platform.openai.com/docs/api-reference/usage/completions
- Anthropic cost report: https://platform.claude.com/docs/en/api/admin/cost_report ("amount": lowest
  currency units as a decimal string — "123.45" USD is $1.23)
- Anthropic messages usage report: https://platform.claude.com/docs/en/api/admin/usage_report
- OpenRouter current key: https://openrouter.ai/docs/api/api-reference/api-keys/get-current-key
- DeepSeek balance: https://api-docs.deepseek.com/api/get-user-balance
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import httpx
import pytest
from polyport_core.errors import AuthenticationError, BadResponseError, InvalidConfigError
from polyport_core.spec import ProviderSpec
from polyport_core.vendor_usage import fetch_vendor_usage, usage_endpoint

SINCE, UNTIL = 1730419200.0, 1730592000.0  # two UTC days

OPENAI_COSTS = {
    "object": "page",
    "data": [
        {
            "object": "bucket",
            "start_time": 1730419200,
            "end_time": 1730505600,
            "results": [
                {"object": "organization.costs.result", "amount": {"value": 0.06, "currency": "usd"},
                 "line_item": None, "project_id": None}
            ],
        },
        {
            "object": "bucket",
            "start_time": 1730505600,
            "end_time": 1730592000,
            "results": [
                {"object": "organization.costs.result", "amount": {"value": 1.5, "currency": "usd"},
                 "line_item": None, "project_id": None}
            ],
        },
    ],
    "has_more": False,
    "next_page": None,
}  # fmt: skip
OPENAI_USAGE_PAGE_1 = {
    "object": "page",
    "data": [
        {
            "object": "bucket",
            "start_time": 1730419200,
            "end_time": 1730505600,
            "results": [
                {"object": "organization.usage.completions.result", "input_tokens": 1000, "output_tokens": 500,
                 "input_cached_tokens": 800, "num_model_requests": 5, "project_id": None, "user_id": None,
                 "api_key_id": None, "model": None, "batch": None}
            ],
        }
    ],
    "has_more": True,
    "next_page": "AAAAAGdGxdEiJdKOAAAAAGcqsYA=",
}  # fmt: skip
OPENAI_USAGE_PAGE_2 = {
    "object": "page",
    "data": [
        {
            "object": "bucket",
            "start_time": 1730505600,
            "end_time": 1730592000,
            "results": [
                {"object": "organization.usage.completions.result", "input_tokens": 200, "output_tokens": 100,
                 "input_cached_tokens": 0, "num_model_requests": 2, "project_id": None, "user_id": None,
                 "api_key_id": None, "model": None, "batch": None}
            ],
        }
    ],
    "has_more": False,
    "next_page": None,
}  # fmt: skip
ANTHROPIC_COSTS = {
    "data": [
        {
            "starting_at": "2024-11-01T00:00:00Z",
            "ending_at": "2024-11-02T00:00:00Z",
            "results": [
                {"currency": "USD", "amount": "123.45", "workspace_id": None, "description": None, "cost_type": None,
                 "context_window": None, "model": None, "service_tier": None, "token_type": None}
            ],
        }
    ],
    "has_more": False,
    "next_page": None,
}  # fmt: skip
ANTHROPIC_USAGE = {
    "data": [
        {
            "starting_at": "2024-11-01T00:00:00Z",
            "ending_at": "2024-11-02T00:00:00Z",
            "results": [
                {"uncached_input_tokens": 1500, "cache_creation": {"ephemeral_1h_input_tokens": 1000,
                 "ephemeral_5m_input_tokens": 500}, "cache_read_input_tokens": 200, "output_tokens": 500,
                 "server_tool_use": {"web_search_requests": 10}, "api_key_id": None, "workspace_id": None,
                 "model": None, "service_tier": None, "context_window": None}
            ],
        }
    ],
    "has_more": False,
    "next_page": None,
}  # fmt: skip
OPENROUTER_KEY = {
    "data": {
        "byok_usage": 17.38, "byok_usage_daily": 17.38, "byok_usage_monthly": 17.38, "byok_usage_weekly": 17.38,
        "creator_user_id": "user_2dHFtVWx2n56w6HkM0000000000", "expires_at": "2027-12-31T23:59:59Z",
        "include_byok_in_limit": False, "is_free_tier": False, "is_management_key": False,
        "is_provisioning_key": False, "label": "sk-or-v1-au7...890", "limit": 100, "limit_remaining": 74.5,
        "limit_reset": "monthly",
        "rate_limit": {"interval": "1h", "note": "This field is deprecated and safe to ignore.", "requests": 1000},
        "usage": 25.5, "usage_daily": 25.5, "usage_monthly": 25.5, "usage_weekly": 25.5,
    }
}  # fmt: skip
DEEPSEEK_BALANCE = {
    "is_available": True,
    "balance_infos": [
        {"currency": "CNY", "total_balance": "110.00", "granted_balance": "10.00", "topped_up_balance": "100.00"}
    ],
}


def _spec(base_url: str, **extra: Any) -> ProviderSpec:
    return ProviderSpec.model_validate(
        {"id": "acme", "engine": "openai", "base_url": base_url, "auth": {"api_key_env": "ACME_KEY"}, **extra}
    )


class Vendor:
    """A MockTransport that answers each documented path and keeps the requests."""

    def __init__(self, answers: dict[str, Any]) -> None:
        self.answers = answers
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        answer = self.answers[request.url.path]
        if callable(answer):
            answer = answer(request)
        return httpx.Response(200, json=answer)


def test_openai_costs_and_paged_completions_usage() -> None:
    vendor = Vendor(
        {
            "/v1/organization/costs": OPENAI_COSTS,
            "/v1/organization/usage/completions": lambda r: (
                OPENAI_USAGE_PAGE_2 if r.url.params.get("page") else OPENAI_USAGE_PAGE_1
            ),
        }
    )
    spec = _spec("https://api.openai.com/v1")
    got = fetch_vendor_usage(
        spec, SINCE, UNTIL, env={"OPENAI_ADMIN_KEY": "sk-admin-123456789"}, transport=httpx.MockTransport(vendor)
    )
    assert got.cost_usd == Decimal("1.56")
    assert (got.input_tokens, got.output_tokens, got.requests) == (1200, 600, 7)
    first = vendor.requests[0]
    assert first.headers["authorization"] == "Bearer sk-admin-123456789"
    assert first.url.params["start_time"] == str(int(SINCE))
    assert first.url.params["end_time"] == str(int(UNTIL))
    assert vendor.requests[-1].url.params["page"] == "AAAAAGdGxdEiJdKOAAAAAGcqsYA="


def test_openai_needs_an_admin_key() -> None:
    with pytest.raises(InvalidConfigError, match=r"OPENAI_ADMIN_KEY.*admin key"):
        fetch_vendor_usage(_spec("https://api.openai.com/v1"), SINCE, UNTIL, env={"ACME_KEY": "sk-project"})


def test_anthropic_cost_report_in_cents_and_usage_report() -> None:
    vendor = Vendor(
        {"/v1/organizations/cost_report": ANTHROPIC_COSTS, "/v1/organizations/usage_report/messages": ANTHROPIC_USAGE}
    )
    got = fetch_vendor_usage(
        _spec("https://api.anthropic.com"),
        SINCE,
        UNTIL,
        env={"ANTHROPIC_ADMIN_KEY": "sk-ant-admin-0123456789"},
        transport=httpx.MockTransport(vendor),
    )
    assert got.cost_usd == Decimal("1.2345")  # "123.45" cents
    assert (got.input_tokens, got.output_tokens) == (3200, 500)
    sent = vendor.requests[0]
    assert sent.headers["x-api-key"] == "sk-ant-admin-0123456789"
    assert sent.headers["anthropic-version"] == "2023-06-01"
    assert sent.url.params["starting_at"] == "2024-11-01T00:00:00Z"


def test_openrouter_key_credits_with_the_providers_own_key() -> None:
    vendor = Vendor({"/api/v1/key": OPENROUTER_KEY})
    got = fetch_vendor_usage(
        _spec("https://openrouter.ai/api/v1"),
        UNTIL - 3 * 86400,
        UNTIL,
        env={"ACME_KEY": "sk-or-v1-0123456789"},
        transport=httpx.MockTransport(vendor),
    )
    assert got.cost_usd == Decimal("25.5")
    assert got.balance_usd == Decimal("74.5")
    assert "usage_weekly" in got.source
    assert vendor.requests[0].headers["authorization"] == "Bearer sk-or-v1-0123456789"


def test_deepseek_balance_per_currency() -> None:
    vendor = Vendor({"/user/balance": DEEPSEEK_BALANCE})
    got = fetch_vendor_usage(
        _spec("https://api.deepseek.com"), SINCE, UNTIL, env={"ACME_KEY": "sk-ds-0123456789"},
        transport=httpx.MockTransport(vendor),
    )  # fmt: skip
    assert got.balances == {"CNY": Decimal("110.00")}
    assert got.balance_usd is None
    assert got.cost_usd is None
    assert any("balance, not spend" in n for n in got.notes)


def test_a_provider_file_names_its_own_usage_endpoint() -> None:
    answer = {"period": {"items": [{"cost_cents": 250, "tokens_in": 10}, {"cost_cents": 50, "tokens_in": 5}]}}
    vendor = Vendor({"/v2/usage": answer})
    spec = _spec(
        "https://llm.acme.test/v1",
        usage={
            "kind": "http", "url": "https://llm.acme.test/v2/usage", "since_param": "from", "until_param": "to",
            "time_format": "rfc3339", "cost_usd": "period.items.*.cost_cents", "cost_divisor": 100,
            "input_tokens": "period.items[*].tokens_in",
        },
    )  # fmt: skip
    got = fetch_vendor_usage(
        spec, SINCE, UNTIL, env={"ACME_KEY": "acme-key-0123456789"}, transport=httpx.MockTransport(vendor)
    )
    assert got.cost_usd == Decimal(3)
    assert got.input_tokens == 15
    assert got.output_tokens is None
    assert vendor.requests[0].url.params["from"] == "2024-11-01T00:00:00Z"
    assert vendor.requests[0].headers["authorization"] == "Bearer acme-key-0123456789"


def test_declared_path_missing_from_the_answer_names_the_field() -> None:
    spec = _spec(
        "https://llm.acme.test/v1", usage={"kind": "http", "url": "https://llm.acme.test/u", "cost_usd": "total"}
    )
    vendor = Vendor({"/u": {"sum": 1}})
    with pytest.raises(BadResponseError, match=r"usage.cost_usd: nothing at .total."):
        fetch_vendor_usage(spec, SINCE, UNTIL, env={"ACME_KEY": "k-0123456789"}, transport=httpx.MockTransport(vendor))


def test_a_refused_admin_key_is_an_authentication_error_without_the_key() -> None:
    transport = httpx.MockTransport(
        lambda r: httpx.Response(401, json={"error": {"message": "bad key sk-admin-zzzz9999"}})
    )
    with pytest.raises(AuthenticationError) as caught:
        fetch_vendor_usage(
            _spec("https://api.openai.com/v1"), SINCE, UNTIL, env={"OPENAI_ADMIN_KEY": "sk-admin-zzzz9999"},
            transport=transport,
        )  # fmt: skip
    assert "sk-admin-zzzz9999" not in str(caught.value)


def test_no_endpoint_known_is_a_clear_error() -> None:
    spec = _spec("https://llm.acme.test/v1")
    assert usage_endpoint(spec) is None
    with pytest.raises(InvalidConfigError, match="names no usage endpoint: add a 'usage' section"):
        fetch_vendor_usage(spec, SINCE, UNTIL, env={})
