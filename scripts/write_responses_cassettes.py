"""Write the cassettes of the standard suite's Responses API class, offline.

    .venv/bin/python scripts/write_responses_cassettes.py [pytest arguments]

Runs ``TestResponsesApi`` (tests/integration_tests/test_standard.py) in record mode
against the bundled emulator (``langchain_openrouter.testing``), whose ``/responses`` route
answers with :func:`answer`: a small rule set over OpenRouter's documented Responses shapes
(https://openrouter.ai/docs/api-reference/responses/overview). Content is computed by the
rules below, token counts are estimates, costs use list prices; the cassettes' header says
so. With a real key, ``RECORD=1 make integration_tests`` records OpenRouter itself instead.
"""

from __future__ import annotations

import json
import re
import secrets
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from write_cassettes import record  # noqa: E402

from langchain_openrouter.testing import (  # noqa: E402
    RESPONSES_PATH,
    OpenRouterEmulator,
    RecordedRequest,
    ResponsesReply,
    function_call,
    responses_usage,
)
from tests.integration_tests import recording  # noqa: E402

Json = dict[str, Any]
# OpenAI caches prompts of 1,024 tokens and more by itself (cached in steps of 128).
CACHE_MINIMUM = 1024
MEANINGFUL = 4  # letters of a word that tells tools apart ("what", "weather"; not "is")
JOKE = {
    "setup": "Why did the cat sit on the computer?",
    "punchline": "To keep an eye on the mouse.",
}


def text_of(content: object) -> str:
    """The text of an input message's content (a string or input parts)."""
    if isinstance(content, str):
        return content
    parts = content if isinstance(content, list) else []
    return " ".join(str(part.get("text", "")) for part in parts if isinstance(part, dict))


def tokens(text: str) -> int:
    return max(1, len(text) // 4)


class Rules:
    """Answers ``/responses`` requests; remembers long prefixes, as a prompt cache does."""

    def __init__(self) -> None:
        self.cached: set[str] = set()
        self.answered = 0

    def __call__(self, request: RecordedRequest) -> ResponsesReply:
        """The reply to one request."""
        self.answered += 1
        body: Json = request.body
        items = [item for item in body.get("input") or [] if isinstance(item, dict)]
        last = items[-1] if items else {}
        usage = self.usage(items)
        call = choose_call(body, last)
        if call is not None:
            return ResponsesReply(text=None, function_calls=[call], usage=usage)
        return ResponsesReply(text=text_answer(body, last), usage=usage)

    def usage(self, items: list[Json]) -> Json:
        """Estimated usage; a long leading system message is a cache read the second time."""
        prompt = tokens(json.dumps(items))
        first = items[0] if items else {}
        prefix = text_of(first.get("content")) if first.get("role") == "system" else ""
        cached = 0
        if tokens(prefix) >= CACHE_MINIMUM:
            if prefix in self.cached:
                cached = tokens(prefix) // 128 * 128
            self.cached.add(prefix)
        return responses_usage(prompt, 12, cached_tokens=cached)


def function_tools(body: Json) -> list[Json]:
    return [tool for tool in body.get("tools") or [] if tool.get("type") == "function"]


def choose_call(body: Json, last: Json) -> Json | None:
    """A function call when the user's turn asks for a tool (or ``tool_choice`` forces one)."""
    tools = function_tools(body)
    choice = body.get("tool_choice", "auto")
    if not tools or choice == "none" or last.get("type") != "message" or last.get("role") != "user":
        return None
    question = text_of(last.get("content"))
    if isinstance(choice, dict):
        tools = [tool for tool in tools if tool.get("name") == choice.get("name")] or tools
    tool = max(tools, key=lambda tool: relevance(tool, question))
    if (
        relevance(tool, question) == 0
        and choice not in ("required", "any")
        and not isinstance(choice, dict)
    ):
        return None
    return function_call(tool["name"], arguments(tool, question), f"call_{tool['name']}")


def words(text: str) -> set[str]:
    return {word for word in re.findall(r"[a-z]+", text.lower()) if len(word) >= MEANINGFUL}


def relevance(tool: Json, question: str) -> int:
    named = words(tool.get("name", "").replace("_", " ")) | words(tool.get("description") or "")
    return len(named & words(question)) + (5 if tool.get("name", "") in question else 0)


def arguments(tool: Json, question: str) -> Json:
    """Arguments from the question: its numbers in order, its quoted text, else the question."""
    numbers = [int(n) for n in re.findall(r"-?\d+", question)]
    quoted = re.findall(r"'([^']+)'", question)
    args: Json = {}
    for name, spec in ((tool.get("parameters") or {}).get("properties") or {}).items():
        kind = spec.get("type") if isinstance(spec, dict) else None
        if kind in ("integer", "number"):
            args[name] = numbers.pop(0) if numbers else 1
        else:
            args[name] = quoted[0] if quoted else question
    return args


def text_answer(body: Json, last: Json) -> str:
    """Structured output as asked, an answer from a tool's output, or a greeting."""
    text_format = (body.get("text") or {}).get("format") or {}
    if text_format.get("type") == "json_schema":
        return json.dumps(filled(text_format.get("schema") or {}))
    if text_format.get("type") == "json_object":
        return json.dumps(JOKE)
    if last.get("type") == "function_call_output":
        return f"The tool says: {text_of(last.get('output'))}"
    question = text_of(last.get("content"))
    return f"Hello! You asked: {question[:200]}" if question else "Hello!"


def filled(schema: Json) -> Any:
    """A value of ``schema``: a joke's fields, else a filler of each type."""
    kind = schema.get("type")
    if kind == "object" or "properties" in schema:
        return {
            name: JOKE.get(name) or filled(spec)
            for name, spec in (schema.get("properties") or {}).items()
        }
    return {"integer": 1, "number": 1, "boolean": True, "array": []}.get(str(kind), "text")


def main(pytest_args: list[str]) -> int:
    rules = Rules()
    with OpenRouterEmulator(api_key=None) as emulator:
        emulator.route(RESPONSES_PATH, rules)
        key = "sk-or-v1-" + secrets.token_hex(32)
        only = ["-k", "TestResponsesApi", *pytest_args]
        code = record(emulator, key, recording.RESPONSES_RULES_ORIGIN, only)
    print(f"{rules.answered} requests answered by the emulator's rules.")
    return code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
