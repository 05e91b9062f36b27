"""Token counting works offline, for every model, with no tokenizer download."""

from __future__ import annotations

import base64
import importlib.util
import struct
import zlib

import pytest
from langchain.agents import create_agent
from langchain.agents.middleware import ClearToolUsesEdit, ContextEditingMiddleware
from langchain_core.messages import (
    AIMessage,
    HumanMessage,
    SystemMessage,
    ToolMessage,
    trim_messages,
)
from langchain_core.tools import tool

from langchain_openrouter import ChatOpenRouter, _token_counting
from langchain_openrouter._token_counting import image_tokens, text_tokens
from langchain_openrouter.testing import Completion, OpenRouterEmulator

MODELS = ["openai/gpt-4o-mini", "anthropic/claude-sonnet-4.5", "acme/unknown-model"]


def png(width: int, height: int) -> str:
    """A data URI of a PNG header of the given size (enough for the size rule)."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    chunk = (
        struct.pack(">I", len(ihdr))
        + b"IHDR"
        + ihdr
        + struct.pack(">I", zlib.crc32(b"IHDR" + ihdr))
    )
    return "data:image/png;base64," + base64.b64encode(b"\x89PNG\r\n\x1a\n" + chunk).decode()


def llm(model: str) -> ChatOpenRouter:
    return ChatOpenRouter(model=model, api_key="sk-or-test")


def test_transformers_is_not_needed() -> None:
    assert importlib.util.find_spec("transformers") is None  # the default would import it


@pytest.mark.parametrize("model", MODELS)
def test_get_num_tokens_works_for_every_model(model: str) -> None:
    assert llm(model).get_num_tokens("Hello, world!") == 4
    assert llm(model).get_num_tokens("") == 0
    long = "Analyze the architectural patterns used in distributed database systems. " * 20
    assert 200 <= llm(model).get_num_tokens(long) <= 300  # GPT-4o's tokenizer: 220


def test_cjk_counts_about_a_token_per_character() -> None:
    assert text_tokens("東京は日本の首都です") == 10


@pytest.mark.parametrize("model", MODELS)
def test_messages_count_their_overhead_and_tools(model: str) -> None:
    chat = llm(model)
    one = chat.get_num_tokens_from_messages([HumanMessage("Hello, world!")])
    assert one == 4 + 4 + 3  # text, per message, reply priming
    two = chat.get_num_tokens_from_messages(
        [SystemMessage("Be brief."), HumanMessage("Hello, world!")]
    )
    assert two == one + 4 + 3

    @tool
    def lookup(city: str) -> str:
        """Look a city up."""
        return city

    with_tools = chat.get_num_tokens_from_messages([HumanMessage("Hello, world!")], tools=[lookup])
    assert with_tools > one + 8


def test_anthropic_counts_its_tool_use_system_prompt() -> None:
    tools = [{"type": "function", "function": {"name": "f", "parameters": {"type": "object"}}}]
    messages = [HumanMessage("hi")]
    claude = llm("anthropic/claude-sonnet-4.5").get_num_tokens_from_messages(messages, tools)
    other = llm("acme/unknown-model").get_num_tokens_from_messages(messages, tools)
    assert claude - other == 346


def test_tool_calls_and_results_are_counted() -> None:
    call = AIMessage("", tool_calls=[{"name": "lookup", "args": {"city": "Paris"}, "id": "c1"}])
    history = [HumanMessage("Weather?"), call, ToolMessage("Sunny, 21 degrees", tool_call_id="c1")]
    chat = llm("acme/unknown-model")
    assert (
        chat.get_num_tokens_from_messages(history)
        > chat.get_num_tokens_from_messages(history[:1]) + 8 + 8
    )


@pytest.mark.parametrize(
    ("url", "detail", "tokens"),
    [
        (png(1, 1), None, 85 + 170),
        (png(1024, 1024), None, 85 + 170 * 4),  # scaled to 768x768: 4 tiles
        (png(4096, 2048), None, 85 + 170 * 6),  # 2048x1024, then 1536x768: 6 tiles
        (png(4096, 4096), "low", 85),
        ("https://img.example/cat.png", None, 765),  # size unknown: a 1024x1024 image
    ],
)
def test_images_follow_the_documented_rule(url: str, detail: str | None, tokens: int) -> None:
    assert image_tokens(url, detail) == tokens
    block = {
        "type": "image_url",
        "image_url": {"url": url, **({"detail": detail} if detail else {})},
    }
    counted = llm("acme/unknown-model").get_num_tokens_from_messages([HumanMessage([block])])
    assert counted == tokens + 4 + 3


def test_token_ids_without_a_tokenizer_say_what_to_do() -> None:
    # tiktoken may be installed (make bench brings it) yet have no encoding offline.
    if _token_counting._tiktoken_encoding("openai/gpt-4o-mini") is not None:
        assert llm("openai/gpt-4o-mini").get_token_ids("hi")
    else:
        with pytest.raises(NotImplementedError):
            llm("openai/gpt-4o-mini").get_token_ids("hi")
    with pytest.raises(
        NotImplementedError,
        match="get_num_tokens\\(\\) and get_num_tokens_from_messages\\(\\) estimate",
    ):
        llm("anthropic/claude-sonnet-4.5").get_token_ids("hi")


def test_custom_token_ids_are_honoured() -> None:
    chat = ChatOpenRouter(
        model="anthropic/claude-sonnet-4.5",
        api_key="k",
        custom_get_token_ids=lambda t: [1] * len(t),
    )
    assert chat.get_num_tokens("abc") == 3
    assert chat.get_token_ids("ab") == [1, 1]


def test_trim_messages_with_the_model_as_counter() -> None:
    history = [SystemMessage("Be brief.")] + [
        HumanMessage(f"Question {n}: what is the capital of country number {n}?") for n in range(30)
    ]
    trimmed = trim_messages(
        history,
        max_tokens=100,
        token_counter=llm("anthropic/claude-sonnet-4.5"),
        strategy="last",
        include_system=True,
    )
    assert trimmed[0] == history[0]
    assert 1 < len(trimmed) < len(history)
    assert trimmed[-1] == history[-1]


def test_context_editing_middleware_counts_with_the_model() -> None:
    with OpenRouterEmulator() as emulator:
        emulator.enqueue(Completion(content="Done."))
        agent = create_agent(
            model=emulator.chat_model(model="anthropic/claude-sonnet-4.5"),
            tools=[],
            middleware=[
                ContextEditingMiddleware(
                    edits=[ClearToolUsesEdit(trigger=10)],
                    token_count_method="model",  # noqa: S106 - not a password
                )
            ],
        )
        result = agent.invoke({"messages": [HumanMessage("Summarise our chat so far, please.")]})
    assert result["messages"][-1].content == "Done."
