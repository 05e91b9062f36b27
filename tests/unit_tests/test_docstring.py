"""The ChatOpenRouter class docstring's examples, run against the emulator.

Every ``.. code-block:: python`` block runs, in order and in one namespace, with
``OPENROUTER_API_KEY`` and ``OPENROUTER_API_BASE`` pointing ``ChatOpenRouter`` at the
emulator, on the replies scripted below for its section. A comment directly under a
statement (no blank line between) shows its result: an expression's value as ``repr``
shows it, or what the statement printed. Whitespace is ignored and ``...`` stands for
anything.
"""

from __future__ import annotations

import ast
import asyncio
import inspect
import io
import re
import textwrap
from contextlib import redirect_stdout
from itertools import takewhile
from typing import TYPE_CHECKING, Any

import pytest

from langchain_openrouter import ChatOpenRouter
from langchain_openrouter.testing import (
    Completion,
    OpenRouterEmulator,
    StreamShape,
    anthropic_reasoning,
    tool_call,
    usage,
)

if TYPE_CHECKING:
    from collections.abc import Callable

DIRECTIVE = ".. code-block:: python"
FRENCH = "J'adore la programmation."
REASONING = "17 * 23 = 17 * 20 + 17 * 3 = 340 + 51 = 391."
# What each section's code asks the emulator, in order (gpt-4o-mini's real prices).
TRANSLATION = Completion(content=FRENCH, usage=usage(28, 7, cost=8.4e-06), provider="OpenAI")
SCRIPTS: dict[str, list[Completion]] = {
    "Instantiate": [],
    "Invoke": [TRANSLATION],
    "Stream": [Completion(content=FRENCH, stream=StreamShape(chunk_size=4))] * 2,
    "Async": [TRANSLATION, Completion(content=FRENCH, stream=StreamShape(chunk_size=4))],
    "Tool calling": [
        Completion(
            content="",
            tool_calls=[
                tool_call("GetWeather", {"city": "Paris"}, "call_paris"),
                tool_call("GetWeather", {"city": "Lyon"}, "call_lyon"),
            ],
        )
    ],
    "Structured output": [
        Completion(
            content='{"setup": "Why was the cat sitting on the computer?", '
            '"punchline": "To keep an eye on the mouse!"}'
        )
    ],
    "Reasoning": [
        Completion(
            content="17 * 23 = 391.",
            reasoning_details=anthropic_reasoning(REASONING),
            usage=usage(16, 60, reasoning_tokens=41),
        )
    ],
    "Caching": [
        Completion(
            content="Acme Ltd and Globex Inc.", usage=usage(5020, 9, cache_write_tokens=5012)
        ),
        Completion(content="On 31 December 2027.", usage=usage(5019, 8, cached_tokens=5012)),
    ],
    "Provider routing": [Completion(content="Hello!", provider="Groq")],
    "Token usage": [TRANSLATION],
    "OpenRouter response caching and router metadata": [Completion(content="Hello!")],
    "Response metadata": [],
}


def check_caching(bodies: list[Any]) -> None:
    for body in bodies:
        document, question = body["messages"][0]["content"]
        assert document == {
            "type": "text",
            "text": "...",
            "cache_control": {"type": "ephemeral", "ttl": "5m"},
        }
        assert "cache_control" not in question


def check_routing(bodies: list[Any]) -> None:
    (body,) = bodies
    assert body["provider"] == {
        "order": ["groq", "cerebras"],
        "allow_fallbacks": True,
        "data_collection": "deny",
    }
    assert body["models"] == ["mistralai/mistral-small-3.2-24b-instruct"]


def check_reasoning(bodies: list[Any]) -> None:
    (body,) = bodies
    assert body["reasoning"] == {"max_tokens": 2000}
    assert body["max_tokens"] == 4000


# What a section's requests must carry, beyond what its shown outputs check.
REQUEST_CHECKS: dict[str, Callable[[list[Any]], None]] = {
    "Caching": check_caching,
    "Provider routing": check_routing,
    "Reasoning": check_reasoning,
}


def indent_of(line: str) -> int:
    return len(line) - len(line.lstrip())


def indented_block(lines: list[str], directive: int) -> str:
    """The code under the directive on line ``directive``: the lines indented deeper."""
    deeper = indent_of(lines[directive])
    body = takewhile(
        lambda text: not text.strip() or indent_of(text) > deeper, lines[directive + 1 :]
    )
    return textwrap.dedent("\n".join(body)).strip() + "\n"


def python_blocks(docstring: str) -> list[tuple[str, str]]:
    """(section title, code) of every python code block, in order."""
    lines = inspect.cleandoc(docstring).splitlines()
    blocks, section = [], ""
    for number, line in enumerate(lines):
        if re.fullmatch(r"\S.*:", line):
            section = line.removesuffix(":")
        if line.strip() == DIRECTIVE:
            blocks.append((section, indented_block(lines, number)))
    return blocks


def shown_result(lines: list[str], statement: ast.stmt) -> str | None:
    """The comment lines directly under a statement, without their ``#``; None if none."""
    assert statement.end_lineno is not None
    comments = takewhile(lambda text: text.lstrip().startswith("#"), lines[statement.end_lineno :])
    shown = [text.lstrip().removeprefix("#") for text in comments]
    return "\n".join(shown) if shown else None


def matches(shown: str, actual: str) -> bool:
    """Whether ``actual`` reads as ``shown``, ignoring whitespace; ``...`` matches anything."""
    parts = re.sub(r"\s+", "", shown).split("...")
    pattern = ".*".join(re.escape(part) for part in parts)
    return re.fullmatch(pattern, re.sub(r"\s+", "", actual), re.DOTALL) is not None


def run_statement(
    statement: ast.stmt, namespace: dict[str, Any], loop: asyncio.AbstractEventLoop
) -> tuple[Any, str]:
    """Run one top-level statement (``await`` allowed): its value if an expression, and stdout."""
    flags = ast.PyCF_ALLOW_TOP_LEVEL_AWAIT
    if isinstance(statement, ast.Expr):
        code = compile(ast.Expression(statement.value), "<docstring>", "eval", flags=flags)
    else:
        code = compile(ast.Module([statement], type_ignores=[]), "<docstring>", "exec", flags=flags)
    printed = io.StringIO()
    with redirect_stdout(printed):
        value = eval(code, namespace)  # noqa: S307 - the docstring's own examples
        if code.co_flags & inspect.CO_COROUTINE:
            value = loop.run_until_complete(value)
    return value, printed.getvalue()


def run_block(code: str, namespace: dict[str, Any], loop: asyncio.AbstractEventLoop) -> int:
    """Run a block statement by statement, checking each shown result; how many were shown."""
    lines = code.splitlines()
    checked = 0
    for statement in ast.parse(code).body:
        value, printed = run_statement(statement, namespace, loop)
        shown = shown_result(lines, statement)
        if shown is None:
            continue
        actual = repr(value) if isinstance(statement, ast.Expr) else printed
        assert matches(shown, actual), f"the docstring shows {shown!r}, the code gives {actual!r}"
        checked += 1
    return checked


BLOCKS = python_blocks(ChatOpenRouter.__doc__ or "")


def test_every_section_with_code_has_a_script() -> None:
    assert [section for section, _ in BLOCKS] == list(SCRIPTS)


@pytest.mark.filterwarnings("error")  # e.g. a misspelt field moved into model_kwargs
def test_the_docstring_examples_run_and_show_what_they_return(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    namespace: dict[str, Any] = {"__name__": "docstring"}
    loop = asyncio.new_event_loop()
    checked = 0
    with OpenRouterEmulator() as emulator:
        monkeypatch.setenv("OPENROUTER_API_KEY", emulator.api_key or "")
        monkeypatch.setenv("OPENROUTER_API_BASE", emulator.base_url)
        try:
            for section, code in BLOCKS:
                emulator.reset()
                emulator.enqueue(*SCRIPTS[section])
                checked += run_block(code, namespace, loop)
                assert emulator.pending == 0, f"{section}: fewer calls than scripted"
                bodies = [request.body for request in emulator.requests]
                assert len(bodies) == len(SCRIPTS[section]), f"{section}: more calls than scripted"
                if section in REQUEST_CHECKS:
                    REQUEST_CHECKS[section](bodies)
        finally:  # as asyncio.run ends a loop: the SDK's finished byte iterators closed first
            loop.run_until_complete(loop.shutdown_asyncgens())
            loop.close()
    assert checked == 17  # every result the docstring shows was compared


@pytest.mark.parametrize(
    ("shown", "actual", "expected"),
    [
        ("{'a': 1, 'b': '...'}", "{'a': 1, 'b': 'gen-123'}", True),
        ("{'a': 1,\n  'b': 2}", "{'a': 1, 'b': 2}", True),
        ("{'a': 1, ...}", "{'a': 1, 'b': 2}", True),
        ("{'a': 1}", "{'a': 2}", False),
        ("{'a': 1}", "{'a': 1, 'b': 2}", False),
    ],
)
def test_shown_results_are_compared_loosely_but_not_blindly(
    shown: str, actual: str, *, expected: bool
) -> None:
    assert matches(shown, actual) is expected
