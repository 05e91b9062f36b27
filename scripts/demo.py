"""Run ChatOpenRouter against OpenRouter: invoke, stream, a tool call, reasoning, and cost.

Run it with ``make demo``. It needs ``OPENROUTER_API_KEY``: without one it says what is
missing and exits with status 0; with one it exits with status 1 if any step failed.
``OPENROUTER_DEMO_MODEL`` and ``OPENROUTER_DEMO_REASONING_MODEL`` choose the models.
"""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING

from langchain_core.messages import BaseMessage, HumanMessage, ToolMessage
from pydantic import BaseModel, Field

from langchain_openrouter import ChatOpenRouter, OpenRouterError

if TYPE_CHECKING:
    from collections.abc import Callable

    from langchain_core.messages import AIMessageChunk

DEFAULT_MODEL = "openai/gpt-4o-mini"
DEFAULT_REASONING_MODEL = "anthropic/claude-sonnet-4.5"
REASONING_BUDGET = 1024
REASONING_MAX_TOKENS = 2048
REASONING_PREVIEW_CHARS = 300

NO_KEY_MESSAGE = """\
OPENROUTER_API_KEY is not set, so the demo cannot call OpenRouter.

To run it against OpenRouter:

    export OPENROUTER_API_KEY=sk-or-...    # create a key at https://openrouter.ai/keys
    make demo

Optional: OPENROUTER_DEMO_MODEL (default {model}) and
OPENROUTER_DEMO_REASONING_MODEL (default {reasoning_model}) pick the models.

An offline run of this demo, against a bundled local OpenRouter emulator, is coming.
Until then, `make test` exercises the package offline."""


class Multiply(BaseModel):
    """Multiply two integers."""

    a: int = Field(description="The first factor")
    b: int = Field(description="The second factor")


def run_multiply(args: dict[str, object]) -> str:
    """Execute the Multiply tool locally."""
    call = Multiply.model_validate(args)
    return str(call.a * call.b)


def cost_of(message: BaseMessage) -> float:
    """The USD cost OpenRouter reported for a response (0.0 when absent)."""
    cost = message.response_metadata.get("cost")
    return float(cost) if isinstance(cost, (int, float)) else 0.0


def print_facts(message: BaseMessage) -> None:
    """Print which model and provider served the response, its usage and its cost."""
    metadata = message.response_metadata
    print(f"  model:    {metadata.get('model_name')}")
    print(f"  provider: {metadata.get('provider')}")
    usage = getattr(message, "usage_metadata", None)
    if usage:
        details = usage.get("input_token_details", {})
        reasoning = usage.get("output_token_details", {}).get("reasoning", 0)
        print(
            f"  usage:    {usage['input_tokens']} in "
            f"(cache read {details.get('cache_read', 0)}, "
            f"cache write {details.get('cache_creation', 0)}), "
            f"{usage['output_tokens']} out (reasoning {reasoning}), "
            f"{usage['total_tokens']} total"
        )
    print(f"  cost:     ${cost_of(message):.6f}")


def step_invoke(llm: ChatOpenRouter) -> float:
    """Invoke a short prompt and show the answer and its metadata."""
    message = llm.invoke("In one sentence: what is OpenRouter?")
    print(f"  answer:   {message.text}")
    print_facts(message)
    return cost_of(message)


def step_stream(llm: ChatOpenRouter) -> float:
    """Stream a short answer as it arrives, then show the summed message's usage and cost."""
    full: AIMessageChunk | None = None
    try:
        for chunk in llm.stream("Write a four-line poem about routers."):
            if full is None:
                print("  ", end="")
            print(chunk.text.replace("\n", "\n  "), end="", flush=True)
            full = chunk if full is None else full + chunk
    finally:
        if full is not None:
            print()
    if full is None:
        print("  (the stream was empty)")
        return 0.0
    print_facts(full)
    return cost_of(full)


def step_tool_call(llm: ChatOpenRouter) -> float:
    """Have the model call a tool, run it, send the result back and show the final answer."""
    question = HumanMessage("What is 1234 times 5678? Use the Multiply tool.")
    first = llm.bind_tools([Multiply], tool_choice="Multiply").invoke([question])
    cost = cost_of(first)
    if not first.tool_calls:
        print(f"  the model answered without calling the tool: {first.text}")
        return cost
    history: list[BaseMessage] = [question, first]
    for call in first.tool_calls:
        result = run_multiply(call["args"])
        print(f"  tool call: {call['name']}({call['args']}) -> {result}")
        history.append(ToolMessage(content=result, tool_call_id=call["id"] or ""))
    final = llm.bind_tools([Multiply]).invoke(history)
    print(f"  answer:   {final.text}")
    print_facts(final)
    return cost + cost_of(final)


def step_reasoning(model: str) -> float:
    """Ask a reasoning model a puzzle and show part of its reasoning and its answer."""
    with ChatOpenRouter(
        model=model,
        reasoning={"max_tokens": REASONING_BUDGET},
        max_tokens=REASONING_MAX_TOKENS,
    ) as thinker:
        message = thinker.invoke(
            "A bat and a ball cost $1.10 in total. The bat costs $1.00 more than the ball. "
            "How much does the ball cost? Answer in one sentence."
        )
    reasoning = str(message.additional_kwargs.get("reasoning_content") or "")
    preview = " ".join(reasoning.split())
    if len(preview) > REASONING_PREVIEW_CHARS:
        preview = preview[:REASONING_PREVIEW_CHARS] + "..."
    print(f"  reasoning: {preview or '(none returned)'}")
    print(f"  answer:    {message.text}")
    print_facts(message)
    return cost_of(message)


def run_step(title: str, step: Callable[[], float]) -> float | None:
    """Run one demo step: its cost, or None when OpenRouter failed (the demo goes on)."""
    print(f"\n== {title}")
    try:
        return step()
    except OpenRouterError as exc:
        print(f"  FAILED: {type(exc).__name__}: {exc}")
        return None


def missing_key() -> bool:
    """Whether no usable OPENROUTER_API_KEY is set."""
    return not os.environ.get("OPENROUTER_API_KEY", "").strip()


def main() -> int:
    """Run the demo: exit status 0, or 1 when a step failed."""
    model = os.environ.get("OPENROUTER_DEMO_MODEL") or DEFAULT_MODEL
    reasoning_model = os.environ.get("OPENROUTER_DEMO_REASONING_MODEL") or DEFAULT_REASONING_MODEL
    if missing_key():
        print(NO_KEY_MESSAGE.format(model=DEFAULT_MODEL, reasoning_model=DEFAULT_REASONING_MODEL))
        return 0
    print(f"ChatOpenRouter demo: model {model}, reasoning model {reasoning_model}")
    with ChatOpenRouter(model=model, temperature=0, max_tokens=300) as llm:
        costs = [
            run_step("1. invoke", lambda: step_invoke(llm)),
            run_step("2. stream", lambda: step_stream(llm)),
            run_step("3. tool call", lambda: step_tool_call(llm)),
        ]
    costs.append(run_step("4. reasoning", lambda: step_reasoning(reasoning_model)))
    total = sum(cost for cost in costs if cost is not None)
    print(f"\nTotal cost reported by OpenRouter: ${total:.6f}")
    failed = sum(cost is None for cost in costs)
    if failed:
        print(f"{failed} of {len(costs)} steps failed; see the errors above.")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
