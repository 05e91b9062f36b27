"""How close the offline token estimate is to the prompt tokens OpenRouter reported.

Reads VCR cassettes of real OpenRouter traffic from a folder given on the command line (read
in place, never copied), estimates the prompt tokens of every recorded chat request with
``langchain_openrouter._token_counting`` and compares them with the response's
``usage.prompt_tokens``::

    .venv/bin/python scripts/measure_token_estimates.py PATH/TO/CASSETTES

Prints one line per request and a summary per vendor and overall: mean absolute error in
percent, the median error, and the share of requests within 10% and 25%. Requests to which
OpenRouter adds context the client cannot see (web search and other server tools, plugins,
presets) are summarised apart, as "server adds".
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from langchain_openrouter._token_counting import wire_messages_tokens

if TYPE_CHECKING:
    from collections.abc import Iterator, Sequence


def recorded_requests(folder: Path) -> Iterator[tuple[str, dict[str, Any], int]]:
    """(cassette name, request body, reported prompt tokens) of every chat request."""
    for path in sorted(folder.rglob("*.yaml")):
        cassette = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for interaction in cassette.get("interactions") or ():
            body = interaction["request"].get("parsed_body") or {}
            reported = _prompt_tokens(interaction["response"])
            if isinstance(body, dict) and body.get("messages") and reported:
                yield path.stem, body, reported


def _prompt_tokens(response: dict[str, Any]) -> int | None:
    parsed = response.get("parsed_body")
    if isinstance(parsed, dict):
        return (parsed.get("usage") or {}).get("prompt_tokens")
    text = (response.get("body") or {}).get("string") or ""
    for line in reversed(text.splitlines()):
        if line.startswith("data: {") and '"usage"' in line:
            usage = json.loads(line[len("data: ") :]).get("usage") or {}
            if usage.get("prompt_tokens"):
                return int(usage["prompt_tokens"])
    return None


def _server_adds_context(body: dict[str, Any]) -> bool:
    tools = body.get("tools") or ()
    return bool(
        body.get("plugins")
        or body.get("preset")
        or "web_search_options" in body
        or "@" in str(body.get("model"))
        or any(str(tool.get("type", "")).startswith("openrouter:") for tool in tools)
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folder", type=Path, help="a folder of VCR cassettes")
    args = parser.parse_args(argv)
    errors: dict[str, list[float]] = {}
    for name, body, reported in recorded_requests(args.folder):
        model = str(body.get("model") or "")
        estimate = wire_messages_tokens(body["messages"], model, body.get("tools"))
        error = (estimate - reported) / reported * 100
        group = "server adds" if _server_adds_context(body) else model.split("/", 1)[0]
        errors.setdefault(group, []).append(error)
        print(f"{error:+7.1f}%  estimate {estimate:6d}  reported {reported:6d}  {model}  {name}")
    every = [error for group, found in errors.items() if group != "server adds" for error in found]
    if not every:
        print("No chat request with usage found.", file=sys.stderr)
        return 1
    print()
    for vendor, found in [*sorted(errors.items()), ("all others", every)]:
        print(_summary(vendor, found))
    return 0


def _summary(label: str, errors: list[float]) -> str:
    absolute = [abs(error) for error in errors]
    within = [sum(e <= limit for e in absolute) / len(absolute) * 100 for limit in (10, 25)]
    return (
        f"{label:>10}: n={len(errors):3d}  mean |error| {statistics.mean(absolute):5.1f}%  "
        f"median {statistics.median(errors):+5.1f}%  within 10%: {within[0]:3.0f}%  "
        f"within 25%: {within[1]:3.0f}%"
    )


if __name__ == "__main__":
    sys.exit(main())
