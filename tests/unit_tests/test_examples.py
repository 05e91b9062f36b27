"""The examples in examples/, run offline against the emulator with their scripted replies."""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from langchain_core.messages import AIMessage, HumanMessage, ToolMessage

from langchain_openrouter.testing import JSONReply, OpenRouterEmulator, anthropic_reasoning

if TYPE_CHECKING:
    from collections.abc import Iterator
    from types import ModuleType

EXAMPLES = Path(__file__).parents[2] / "examples"
NAMES = sorted(path.stem for path in EXAMPLES.glob("*.py") if not path.stem.startswith("_"))


def load(name: str, monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    """Import an example as ``python examples/<name>.py`` would see it."""
    monkeypatch.syspath_prepend(str(EXAMPLES))
    spec = importlib.util.spec_from_file_location(name, EXAMPLES / f"{name}.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    # Registered so that pydantic resolves the example's postponed annotations, and under
    # its own name so that worker processes (which get this sys.path) can import what
    # they are sent by reference, such as a Dask task's function.
    monkeypatch.setitem(sys.modules, name, module)
    monkeypatch.setitem(sys.modules, f"example_{name}", module)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def offline(monkeypatch: pytest.MonkeyPatch) -> Iterator[OpenRouterEmulator]:
    """An emulator that every ChatOpenRouter built in the test talks to, via the env vars."""
    with OpenRouterEmulator() as emulator:
        monkeypatch.setenv("OPENROUTER_API_BASE", emulator.base_url)
        monkeypatch.setenv("OPENROUTER_API_KEY", emulator.api_key or "")
        yield emulator


def run_scripted(
    name: str, emulator: OpenRouterEmulator, monkeypatch: pytest.MonkeyPatch
) -> tuple[Any, list[dict[str, Any]]]:
    """Run an example's ``run()`` on its own scripted replies: its result and request bodies."""
    example = load(name, monkeypatch)
    emulator.enqueue(*example.emulator_replies())
    result = example.run()
    assert emulator.pending == 0, "the example made fewer calls than it scripted"
    return result, [request.body for request in emulator.requests]


def test_every_example_is_listed_in_the_readme() -> None:
    readme = (EXAMPLES.parent / "README.md").read_text()
    assert NAMES == [
        "agent_with_tools",
        "caching_long_document",
        "dask_batch",
        "provider_routing",
        "rerank_retrieved_documents",
        "structured_output_chain",
    ]
    for name in NAMES:
        assert f"(examples/{name}.py)" in readme


@pytest.mark.parametrize("name", NAMES)
def test_main_without_a_key_runs_on_the_emulator_and_says_so(
    name: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("OPENROUTER_API_KEY", raising=False)
    monkeypatch.delenv("OPENROUTER_API_BASE", raising=False)

    load(name, monkeypatch).main()

    out = capsys.readouterr().out
    assert f"{name}.py runs against the LOCAL\n OPENROUTER EMULATOR" in out
    # The emulator's address and key do not outlive the run.
    assert "OPENROUTER_API_KEY" not in os.environ
    assert "OPENROUTER_API_BASE" not in os.environ


def test_main_with_a_key_uses_openrouter_not_the_emulator(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    example = load("structured_output_chain", monkeypatch)
    monkeypatch.setenv("OPENROUTER_API_KEY", "sk-or-v1-real-looking-key")
    monkeypatch.setenv("OPENROUTER_API_BASE", "http://127.0.0.1:9/api/v1")  # nothing listens
    runs: list[str | None] = []
    monkeypatch.setattr(example, "run", lambda: runs.append(os.environ.get("OPENROUTER_API_BASE")))

    example.main()

    assert capsys.readouterr().out == "structured_output_chain.py: running against OpenRouter.\n\n"
    assert runs == ["http://127.0.0.1:9/api/v1"]  # the user's settings, not an emulator's
    assert os.environ["OPENROUTER_API_BASE"] == "http://127.0.0.1:9/api/v1"


def test_structured_output_chain_returns_tickets(
    offline: OpenRouterEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    tickets, bodies = run_scripted("structured_output_chain", offline, monkeypatch)

    example = sys.modules["example_structured_output_chain"]
    assert tickets == [example.SCRIPTED_TICKETS[email] for email in example.EMAILS]
    assert all(type(ticket) is example.Ticket for ticket in tickets)
    assert len(bodies) == 3
    for body in bodies:
        assert body["provider"] == {"require_parameters": True}
        response_format = body["response_format"]
        assert response_format["type"] == "json_schema"
        assert response_format["json_schema"]["name"] == "Ticket"
        assert response_format["json_schema"]["strict"] is True
        schema = response_format["json_schema"]["schema"]
        assert schema["properties"]["category"]["enum"] == [
            "billing",
            "bug",
            "feature_request",
            "other",
        ]
        assert body["messages"][0]["role"] == "system"
    assert sorted(body["messages"][1]["content"] for body in bodies) == sorted(example.EMAILS)


def test_agent_replays_the_first_turn_with_its_signed_reasoning(
    offline: OpenRouterEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    turns, bodies = run_scripted("agent_with_tools", offline, monkeypatch)

    example = sys.modules["example_agent_with_tools"]
    assert len(bodies) == 4  # two model calls per turn
    first = bodies[0]
    assert first["model"] == "anthropic/claude-sonnet-4.5"
    assert first["reasoning"] == {"max_tokens": 1024}
    assert first["max_tokens"] == 2048
    assert [tool["function"]["name"] for tool in first["tools"]] == ["get_weather"]

    # The second turn's first request carries the whole first turn from the checkpointer.
    second_turn = bodies[2]["messages"]
    assert [m["role"] for m in second_turn] == [
        "system",
        "user",
        "assistant",
        "tool",
        "assistant",
        "user",
    ]
    tool_turn, tool_result, answer = second_turn[2], second_turn[3], second_turn[4]
    paris_thought = anthropic_reasoning(example.PARIS_THINKING, "sig-paris-1==")
    assert tool_turn["reasoning_details"] == paris_thought
    assert tool_turn["reasoning_details"][0]["signature"] == "sig-paris-1=="
    assert tool_turn["tool_calls"][0]["id"] == "toolu_paris"
    assert tool_turn["tool_calls"][0]["function"]["name"] == "get_weather"
    assert tool_result == {
        "role": "tool",
        "tool_call_id": "toolu_paris",
        "content": "14°C, light rain until evening",
    }
    assert answer["reasoning_details"] == anthropic_reasoning(
        example.PARIS_ANSWER_THINKING, "sig-paris-2=="
    )
    assert second_turn[5]["content"] == example.QUESTIONS[1]
    # And the tool loop within the second turn sends its own signed thought back too.
    berlin_turn = bodies[3]["messages"][6]
    assert berlin_turn["reasoning_details"][0]["signature"] == "sig-berlin-1=="

    first_turn, second = turns
    assert [type(m) for m in first_turn] == [HumanMessage, AIMessage, ToolMessage, AIMessage]
    assert second[-1].text.startswith("No umbrella for Berlin")


def test_caching_marks_the_document_and_reports_creation_then_read(
    offline: OpenRouterEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    answers, bodies = run_scripted("caching_long_document", offline, monkeypatch)

    example = sys.modules["example_caching_long_document"]
    document = example.build_inventory()
    for body, question in zip(bodies, example.QUESTIONS, strict=True):
        assert body["model"] == "anthropic/claude-sonnet-4.5"
        system, user = body["messages"]
        assert system["content"][1] == {
            "type": "text",
            "text": document,
            "cache_control": {"type": "ephemeral", "ttl": "5m"},
        }
        assert len(system["content"]) == 2  # the marker itself is never sent
        assert "cache_control" not in system["content"][0]
        assert user == {"role": "user", "content": question}
        assert body["session_id"] == "inventory-questions"

    written, read = (answer.usage_metadata["input_token_details"] for answer in answers)
    cached = len(document) // 4
    assert written == {"cache_read": 0, "cache_creation": cached}
    assert read == {"cache_read": cached, "cache_creation": 0}


def test_provider_routing_sends_preferences_verbatim_and_reports_who_served(
    offline: OpenRouterEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    (pinned, fastest), (pinned_body, fastest_body) = run_scripted(
        "provider_routing", offline, monkeypatch
    )

    assert pinned_body["model"] == "meta-llama/llama-3.3-70b-instruct"
    assert pinned_body["provider"] == {
        "order": ["groq", "cerebras"],
        "allow_fallbacks": False,
        "data_collection": "deny",
    }
    assert "models" not in pinned_body
    assert "route" not in pinned_body
    assert fastest_body["model"] == "anthropic/claude-haiku-4.5"
    assert fastest_body["provider"] == {"sort": "throughput"}
    assert fastest_body["models"] == ["google/gemini-2.5-flash", "openai/gpt-4o-mini"]
    assert fastest_body["route"] == "fallback"

    assert pinned.response_metadata["model_name"] == "meta-llama/llama-3.3-70b-instruct"
    assert pinned.response_metadata["provider"] == "Groq"
    assert fastest.response_metadata["model_name"] == "google/gemini-2.5-flash"
    assert fastest.response_metadata["provider"] == "Google AI Studio"
    example = sys.modules["example_provider_routing"]
    assert example.describe("anthropic/claude-haiku-4.5", fastest) == (
        "asked for anthropic/claude-haiku-4.5; served by google/gemini-2.5-flash "
        "(a fallback model) via Google AI Studio"
    )


def test_dask_batch_answers_in_order_with_usage_and_cost_summed(
    offline: OpenRouterEmulator,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    batch, bodies = run_scripted("dask_batch", offline, monkeypatch)

    example = sys.modules["example_dask_batch"]
    labels = {"Five": "positive", "Broke": "negative", "Great": "mixed"}
    expected = [labels[review.split()[0].rstrip(",")] for review in example.REVIEWS]
    assert batch.answers == expected  # in the prompts' order, whatever order they came in
    assert len(expected) == 24
    assert batch.input_tokens == 24 * 40
    assert batch.output_tokens == 24
    assert batch.cost == pytest.approx(24 * 4.2e-6)
    assert batch.workers  # answered in worker processes, not here
    assert os.getpid() not in batch.workers
    assert sorted(body["messages"][-1]["content"] for body in bodies) == sorted(example.REVIEWS)
    for body in bodies:
        assert body["model"] == "openai/gpt-4o-mini"
        assert body["max_tokens"] == 5
        assert body["messages"][0] == {"role": "system", "content": example.INSTRUCTION}
    captured = capsys.readouterr()
    assert captured.err.endswith(f"] 24/24  ${batch.cost:.6f}\n")  # the progress bar
    assert "] 1/24  $" in captured.err
    assert f"24 reviews on {len(batch.workers)} worker processes" in captured.out


def test_rerank_keeps_the_three_most_relevant_after_a_budget_check(
    offline: OpenRouterEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    answers, _ = run_scripted("rerank_retrieved_documents", offline, monkeypatch)

    example = sys.modules["example_rerank_retrieved_documents"]
    assert [request.path for request in offline.requests] == [
        "/key",
        "/rerank",
        "/rerank",
        "/rerank",
    ]
    capital, museum = (answers[question] for question in example.QUESTIONS)
    assert capital[0].page_content == "Paris is the capital and largest city of France."
    assert museum[0].page_content.startswith("The Louvre in Paris")
    for best in (capital, museum):
        assert len(best) == 3
        scores = [doc.metadata["relevance_score"] for doc in best]
        assert scores == sorted(scores, reverse=True)
    first = offline.requests_to("/rerank")[0].body
    assert first["model"] == "cohere/rerank-v3.5"
    assert first["top_n"] == 3
    assert first["query"] == example.QUESTIONS[0]
    assert len(first["documents"]) > 3  # the retriever returned more than were kept


def test_rerank_example_stops_when_the_key_cannot_cover_the_batch(
    offline: OpenRouterEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    example = load("rerank_retrieved_documents", monkeypatch)
    offline.enqueue(JSONReply(body={"data": {"limit": 1.0, "limit_remaining": 0.005}}), path="/key")
    with pytest.raises(SystemExit, match=r"The key has \$0.01 left"):
        example.run()
    assert [request.path for request in offline.requests] == ["/key"]
