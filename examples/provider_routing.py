"""Provider routing and model fallbacks: choose who serves a request, and see who did.

Two models with different routing:

- ``pinned_model``: one model, served only by the providers you list, in your order, and
  only by providers that don't store prompts; an error rather than any other provider.
- ``fastest_model``: the fastest provider of the primary model, and other models to fall
  back on when the primary model fails.

``openrouter_provider`` is sent as the request's ``provider`` object, ``models`` and
``route`` as themselves. Every reply says in ``response_metadata`` which model served it
(``model_name``, billed as that model) and which provider (``provider``).

Run it with ``python examples/provider_routing.py``: against OpenRouter when
``OPENROUTER_API_KEY`` is set, otherwise against the local emulator.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from _offline import openrouter_or_emulator

from langchain_openrouter import ChatOpenRouter
from langchain_openrouter.testing import Completion

if TYPE_CHECKING:
    from langchain_core.messages import AIMessage

LLAMA = "meta-llama/llama-3.3-70b-instruct"
HAIKU = "anthropic/claude-haiku-4.5"
FALLBACKS = ["google/gemini-2.5-flash", "openai/gpt-4o-mini"]
QUESTION = "In one sentence: why route a request to a particular provider?"


def pinned_model() -> ChatOpenRouter:
    """Llama 3.3 70B on Groq, else Cerebras; never a provider that may store prompts."""
    return ChatOpenRouter(
        model=LLAMA,
        openrouter_provider={
            "order": ["groq", "cerebras"],  # provider slugs, tried in this order
            "allow_fallbacks": False,  # no other provider: fail instead
            "data_collection": "deny",  # skip providers that may store or train on data
        },
    )


def fastest_model() -> ChatOpenRouter:
    """Claude Haiku on its fastest provider, falling back to other models if it fails."""
    return ChatOpenRouter(
        model=HAIKU,
        openrouter_provider={"sort": "throughput"},  # fastest first, no load balancing
        models=FALLBACKS,  # tried in order when the primary model errors
        # Legacy alias of provider.sort.partition "model" (OpenRouter's default): each
        # model's providers are tried before the next model's
        # (docs/openrouter-wire-notes.md#legacy-route).
        route="fallback",
    )


def describe(requested: str, reply: AIMessage) -> str:
    """Which model and provider served ``reply``, from its response metadata."""
    served = reply.response_metadata.get("model_name")
    provider = reply.response_metadata.get("provider")
    note = "" if str(served).startswith(requested) else " (a fallback model)"
    return f"asked for {requested}; served by {served}{note} via {provider}"


def run() -> list[AIMessage]:
    """Ask both models the same question; print the answer and who served it."""
    replies = []
    for name, llm in (("pinned", pinned_model()), ("fastest", fastest_model())):
        reply = llm.invoke(QUESTION)
        print(f"{name}: {reply.text}\n  {describe(llm.model, reply)}\n")
        replies.append(reply)
    return replies


def main() -> None:
    """Run against OpenRouter, or against the emulator without a key."""
    with openrouter_or_emulator("provider_routing.py", emulator_replies()):
        run()


# --- Offline: what the emulator answers ------------------------------------------------


def emulator_replies() -> list[Completion]:
    """Groq serves the pinned Llama; the first fallback model serves the second request."""
    return [
        Completion(
            content="To control cost, speed and where your data goes.",
            model=LLAMA,
            provider="Groq",
        ),
        Completion(
            content="Providers differ in price, speed, uptime and data policy.",
            model=FALLBACKS[0],
            provider="Google AI Studio",
        ),
    ]


if __name__ == "__main__":
    main()
