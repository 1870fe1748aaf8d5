"""polyport demo: a streamed chat, a tool call and a structured output, with usage and cost.

Runs against OpenAI when ``OPENAI_API_KEY`` is set, otherwise against the embedded
local model (llama.cpp's llama-server with Gemma 3 270M, started here on loopback).
Every call goes through governance, so ``polyport usage`` shows it afterwards.
"""

from __future__ import annotations

import os
import sys
from contextlib import ExitStack
from decimal import Decimal
from typing import Any

from langchain_core.messages import HumanMessage, ToolMessage
from langchain_core.tools import tool
from polyport_core.governance import Governor, Price, StaticPrices
from polyport_core.ledger import SQLiteLedger
from polyport_openai import ChatOpenAI
from pydantic import BaseModel, Field
from rich.console import Console
from rich.table import Table

console = Console()


@tool
def get_weather(city: str) -> str:
    """Current weather for a city."""
    return f"It is 21°C and sunny in {city}."


class CityFacts(BaseModel):
    """Structured facts about a city."""

    city: str = Field(description="The city's name")
    country: str = Field(description="The country it is in")


def build_model(stack: ExitStack) -> tuple[ChatOpenAI, str]:
    """OpenAI when a key is set, else the local llama.cpp server."""
    if os.environ.get("OPENAI_API_KEY"):
        governor = Governor(ledger=SQLiteLedger())  # prices from the bundled catalog
        return ChatOpenAI(model="gpt-4o-mini", max_tokens=200, temperature=0, call_hooks=governor), "OpenAI"
    # A local model costs nothing: say so explicitly (an unknown price is reported as unknown, never $0).
    free = Price(input=Decimal(0), output=Decimal(0), provenance="spec")
    governor = Governor(ledger=SQLiteLedger(), prices=StaticPrices({"llamacpp/gemma": free}))
    from polyport_core.testing import LlamaServer

    console.print(
        "[dim]No OPENAI_API_KEY: starting the embedded local model (llama-server, Gemma 3 270M)…[/]"
    )
    server = stack.enter_context(LlamaServer())
    model = ChatOpenAI(
        model="gemma",
        provider="llamacpp",
        base_url=server.openai_base_url,
        max_tokens=48,
        temperature=0,
        # The base model has no chat template; stop at the ChatML turn markers.
        stop=["<|im_end|>", "<|im_start|>"],
        # llama-server accepts tool_choice but a small base model never obeys it:
        # force the call with grammar-constrained JSON instead (a provider-spec quirk).
        forced_tool_calls="json_schema",
        call_hooks=governor,
    )
    return model, f"local llama-server at {server.base_url}"


def show_usage(title: str, metadata: dict[str, Any], usage: Any) -> None:
    """A one-row table: tokens (reported or estimated) and cost with its provenance."""
    table = Table(title=title, show_header=True)
    for column in ("input tok", "output tok", "estimated?", "cost USD", "price from"):
        table.add_column(column)
    cost = metadata.get("cost_usd")
    table.add_row(
        str(usage["input_tokens"]) if usage else "-",
        str(usage["output_tokens"]) if usage else "-",
        str(metadata.get("usage_estimated", False)),
        "unknown" if cost is None else f"{cost:.6f}",
        str(metadata.get("price_provenance", "-")),
    )
    console.print(table)


def main() -> int:
    """Run the three calls and print what each cost."""
    with ExitStack() as stack:
        model, where = build_model(stack)
        console.rule(f"[bold]polyport demo[/] — {where}")

        console.print("[bold]1. Streamed chat[/]")
        full = None
        for chunk in model.stream("Write one sentence about the sea."):
            console.print(chunk.content, end="")
            full = chunk if full is None else full + chunk
        console.print()
        assert full is not None
        show_usage("streamed chat", full.response_metadata, full.usage_metadata)

        console.print("[bold]2. Tool call[/]")
        question = HumanMessage("What is the weather in Lisbon?")
        ai = model.bind_tools([get_weather], tool_choice="get_weather").invoke([question])
        for call in ai.tool_calls:
            result = get_weather.invoke(call["args"])
            console.print(f"  model called [cyan]{call['name']}[/]({call['args']}) → {result}")
            ToolMessage(result, tool_call_id=call["id"])
        show_usage("tool call", ai.response_metadata, ai.usage_metadata)

        console.print("[bold]3. Structured output (JSON schema)[/]")
        roomy = model.model_copy(update={"max_tokens": 160})
        structured = roomy.with_structured_output(CityFacts, method="json_schema", include_raw=True)
        out = structured.invoke("Paris is the capital of France. Give the city and its country.")
        console.print(f"  parsed: {out['parsed']!r}")
        show_usage("structured output", out["raw"].response_metadata, out["raw"].usage_metadata)
    console.print("[dim]Spend and tokens are in the ledger: run `uv run polyport usage`.[/]")
    return 0


if __name__ == "__main__":
    sys.exit(main())
