"""Prompt caching: ask several questions about one long document, paying for it once.

Anthropic caches only what the request marks with ``cache_control``. A ``cache_point()``
after the document marks it; ChatOpenRouter turns the marker into ``cache_control`` on the
document's content part. The first question writes the cache (``cache_creation``), the
next ones read it (``cache_read``, billed at a tenth of the input price). Both counts are
parts of ``usage_metadata["input_tokens"]``.

Run it with ``python examples/caching_long_document.py``: against OpenRouter when
``OPENROUTER_API_KEY`` is set, otherwise against the local emulator.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from _offline import openrouter_or_emulator
from langchain_core.messages import HumanMessage, SystemMessage

from langchain_openrouter import ChatOpenRouter, cache_point
from langchain_openrouter.testing import Completion, usage

if TYPE_CHECKING:
    from langchain_core.messages import AIMessage

MODEL = "anthropic/claude-sonnet-4.5"
QUESTIONS = (
    "Which rack is db-026 in, and which team owns it?",
    "How much RAM does cache-063 have, and what OS does it run?",
)


def build_model() -> ChatOpenRouter:
    """A Claude model for questions about one document."""
    return ChatOpenRouter(
        model=MODEL,
        max_tokens=300,
        # Keeps the questions on the provider that holds the cache from the first request
        # (OpenRouter docs: prompt-caching.mdx, sticky routing).
        session_id="inventory-questions",
    )


def ask_about(llm: ChatOpenRouter, document: str, question: str) -> AIMessage:
    """Ask about ``document``: the instructions and document are cached, the question not."""
    messages = [
        SystemMessage(
            [
                {"type": "text", "text": "Answer questions about this inventory. Be brief."},
                {"type": "text", "text": document},
                cache_point(),  # cache everything up to here (5 minutes; "1h" for an hour)
            ]
        ),
        HumanMessage(question),
    ]
    return llm.invoke(messages)


def build_inventory(hosts: int = 300) -> str:
    """A long document: a made-up server inventory, several thousand tokens long.

    Claude caches only prompts above a minimum length: 1024 to 4096 tokens, by model.
    """
    roles = ("web", "api", "db", "cache", "queue", "batch")
    teams = ("payments", "search", "identity", "growth", "platform")
    lines = ["# Server inventory, data centre FRA-2", "", "host | rack | owner | OS | RAM"]
    for number in range(hosts):
        host = f"{roles[number % len(roles)]}-{number:03d}"
        rack = f"R{number % 24 + 1:02d}"
        owner = teams[number * 7 % len(teams)]
        system = "Ubuntu 24.04" if number % 3 else "Debian 12"
        lines.append(f"{host} | {rack} | {owner} | {system} | {32 * (1 + number % 4)} GB")
    return "\n".join(lines)


def cache_counts(answer: AIMessage) -> str:
    """The input tokens of a reply and how many of them were written to or read from cache."""
    usage = answer.usage_metadata
    if usage is None:
        return "(no usage reported)"
    cache = usage.get("input_token_details", {})
    return (
        f"input tokens {usage['input_tokens']}: "
        f"cache_creation {cache.get('cache_creation', 0)}, "
        f"cache_read {cache.get('cache_read', 0)}"
    )


def run() -> list[AIMessage]:
    """Ask each question about the inventory; print the answer and the cache counts."""
    llm = build_model()
    document = build_inventory()
    answers = []
    for question in QUESTIONS:
        answer = ask_about(llm, document, question)
        print(f"Q: {question}\nA: {answer.text}\n   {cache_counts(answer)}\n")
        answers.append(answer)
    return answers


def main() -> None:
    """Run against OpenRouter, or against the emulator without a key."""
    with openrouter_or_emulator("caching_long_document.py", emulator_replies()):
        run()


# --- Offline: what the emulator answers ------------------------------------------------


def emulator_replies() -> list[Completion]:
    """The first answer writes the cache, the second reads it."""
    cached = len(build_inventory()) // 4  # roughly four characters a token
    return [
        Completion(
            content="db-026 is in rack R03, owned by the identity team.",
            model=MODEL,
            usage=usage(cached + 30, 16, cache_write_tokens=cached),
        ),
        Completion(
            content="cache-063 has 128 GB of RAM and runs Debian 12.",
            model=MODEL,
            usage=usage(cached + 32, 15, cached_tokens=cached),
        ),
    ]


if __name__ == "__main__":
    main()
