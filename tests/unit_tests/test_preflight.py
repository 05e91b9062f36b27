"""Bad input is refused before anything is sent, on every path (the emulator sees nothing)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from langchain_core.messages import AIMessage, HumanMessage, SystemMessage, ToolMessage
from langchain_core.runnables import ConfigurableField

from langchain_openrouter import ChatOpenRouter
from langchain_openrouter._preflight import ARGUMENT_CHECKS, InvalidArgumentError
from langchain_openrouter.testing import Completion, OpenRouterEmulator

if TYPE_CHECKING:
    from collections.abc import Callable

# (arguments, words the error must contain: the argument, its value, the fix)
REFUSED: list[tuple[dict[str, Any], str]] = [
    ({"max_tokens": 0}, "max_tokens=0 is invalid: max_tokens must be a whole number >= 1"),
    ({"max_tokens": -5}, "max_tokens=-5"),
    ({"max_tokens": "ten"}, "max_tokens='ten' is invalid"),
    ({"max_tokens": True}, "max_tokens=True"),
    ({"temperature": -1}, "temperature=-1 is invalid: temperature must be a number from 0 to 2"),
    ({"temperature": 2.5}, "temperature=2.5"),
    ({"temperature": float("nan")}, "temperature=nan"),
    ({"top_p": 0}, "top_p must be a number greater than 0 and at most 1"),
    ({"top_p": 1.5}, "top_p=1.5"),
    ({"top_k": -1}, "top_k=-1"),
    ({"min_p": 2}, "min_p=2"),
    ({"top_a": -0.1}, "top_a=-0.1"),
    ({"frequency_penalty": 3}, "frequency_penalty=3"),
    ({"presence_penalty": -2.5}, "presence_penalty=-2.5"),
    ({"repetition_penalty": 0}, "repetition_penalty=0"),
    ({"seed": 1.5}, "seed=1.5"),
    ({"stop": [1, 2]}, "stop=[1, 2] is invalid: item 0 (1) is not a string"),
    ({"logit_bias": {"50256": -200}}, "the bias of token '50256' is -200"),
    ({"logprobs": "yes"}, "logprobs='yes'"),
    ({"top_logprobs": 30, "logprobs": True}, "top_logprobs=30"),
    ({"top_logprobs": 5}, "top_logprobs=5 needs logprobs=True"),
    ({"reasoning": "high"}, "for the effort alone pass reasoning_effort='high'"),
    ({"reasoning": {"effort": "extreme"}}, "['effort']='extreme' is not one of 'max'"),
    ({"reasoning": {"max_tokens": "lots"}}, "['max_tokens']='lots'"),
    ({"reasoning": {"effort": "high", "max_tokens": 100}}, "either 'effort' or 'max_tokens'"),
    ({"reasoning": {"effort": "high"}, "reasoning_effort": "low"}, "conflicts"),
    ({"reasoning": {"max_tokens": 4000}, "max_tokens": 1000}, "must be greater than"),
    ({"reasoning_effort": "extreme"}, "reasoning_effort='extreme'"),
    ({"verbosity": "loud"}, "verbosity='loud'"),
    ({"service_tier": "gold"}, "service_tier='gold'"),
    ({"modalities": ["smell"]}, "item 0 ('smell')"),
    ({"models": ["gpt-4o"]}, "no vendor prefix"),
    ({"plugins": [{"name": "web"}]}, "a plugin is a dict with a string 'id'"),
    ({"openrouter_provider": {"sort": "cheapest"}}, "openrouter_provider['sort']"),
    ({"openrouter_metadata": {"n": 1}}, "every key and value must be a string"),
    ({"session_id": "x" * 300}, "session_id must be a string of at most 256 characters"),
    ({"cache_messages": "forever"}, "cache_messages='forever'"),
    ({"max_retries": -1}, "max_retries"),
]
IDS = [next(iter(arguments)) + f"-{position}" for position, (arguments, _) in enumerate(REFUSED)]


def refused(words: str) -> Any:
    return pytest.raises(ValueError, match=re.escape(words))


@pytest.mark.parametrize(("arguments", "words"), REFUSED, ids=IDS)
def test_constructor_refuses(emulator: OpenRouterEmulator, arguments: Any, words: str) -> None:
    with refused(words):
        emulator.chat_model(**arguments).invoke("hi")
    assert emulator.requests == []


def _invoke(llm: ChatOpenRouter, arguments: dict[str, Any]) -> Any:
    return llm.invoke("hi", **arguments)


def _stream(llm: ChatOpenRouter, arguments: dict[str, Any]) -> Any:
    return list(llm.stream("hi", **arguments))


def _batch(llm: ChatOpenRouter, arguments: dict[str, Any]) -> Any:
    return llm.batch(["hi", "there"], **arguments)


def _bind(llm: ChatOpenRouter, arguments: dict[str, Any]) -> Any:
    return llm.bind(**arguments).invoke("hi")


def _bind_tools(llm: ChatOpenRouter, arguments: dict[str, Any]) -> Any:
    return llm.bind_tools([{"type": "openrouter:web_search"}], **arguments).invoke("hi")


PATHS: dict[str, Callable[[ChatOpenRouter, dict[str, Any]], Any]] = {
    "invoke": _invoke,
    "stream": _stream,
    "batch": _batch,
    "bind": _bind,
    "bind_tools": _bind_tools,
}


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize(("arguments", "words"), REFUSED, ids=IDS)
def test_every_call_path_refuses(
    emulator: OpenRouterEmulator, path: str, arguments: Any, words: str
) -> None:
    llm = emulator.chat_model()
    with refused(words):
        PATHS[path](llm, arguments)
    assert emulator.requests == []


@pytest.mark.parametrize(("arguments", "words"), REFUSED[:8], ids=IDS[:8])
async def test_async_paths_refuse(emulator: OpenRouterEmulator, arguments: Any, words: str) -> None:
    llm = emulator.chat_model()
    with refused(words):
        await llm.ainvoke("hi", **arguments)
    with refused(words):
        _ = [chunk async for chunk in llm.astream("hi", **arguments)]
    with refused(words):
        await llm.abatch(["hi"], **arguments)
    assert emulator.requests == []


def test_configured_field_is_checked(emulator: OpenRouterEmulator) -> None:
    llm = emulator.chat_model().configurable_fields(
        temperature=ConfigurableField(id="temperature"),
        max_tokens=ConfigurableField(id="max_tokens"),
    )
    with refused("temperature=7 is invalid"):
        llm.with_config(configurable={"temperature": 7}).invoke("hi")
    with refused("max_tokens=0 is invalid"):
        llm.invoke("hi", config={"configurable": {"max_tokens": 0}})
    assert emulator.requests == []
    emulator.enqueue(Completion(content="ok"))
    assert llm.with_config(configurable={"temperature": 0.2}).invoke("hi").content == "ok"
    assert emulator.requests[-1].body["temperature"] == 0.2


def test_body_key_spelling_is_checked_as_its_field(emulator: OpenRouterEmulator) -> None:
    with refused("provider['sort']"):
        emulator.chat_model().invoke("hi", provider={"sort": "cheapest"})
    with refused("provider={'sort': 'cheapest'} is invalid: provider['sort']"):
        emulator.chat_model(model_kwargs={"provider": {"sort": "cheapest"}})
    assert emulator.requests == []


def test_model_kwargs_are_checked(emulator: OpenRouterEmulator) -> None:
    with refused("parallel_tool_calls='yes'"):
        emulator.chat_model(model_kwargs={"parallel_tool_calls": "yes"})
    assert emulator.requests == []


def test_valid_boundaries_are_sent(emulator: OpenRouterEmulator) -> None:
    emulator.enqueue(Completion(content="ok"))
    emulator.chat_model(
        temperature=0, top_p=1, max_tokens=1, top_k=0, frequency_penalty=-2, seed=0
    ).invoke("hi", temperature=2, presence_penalty=2, top_logprobs=0, logprobs=True)
    body = emulator.requests[-1].body
    assert (body["temperature"], body["top_p"], body["max_tokens"]) == (2, 1, 1)
    assert (body["presence_penalty"], body["top_logprobs"]) == (2, 0)


def test_unknown_arguments_are_sent_unchecked(emulator: OpenRouterEmulator) -> None:
    emulator.enqueue(Completion(content="ok"))
    emulator.chat_model().invoke("hi", web_search_options={"search_context_size": "low"})
    assert emulator.requests[-1].body["web_search_options"] == {"search_context_size": "low"}


def test_every_checked_argument_is_a_field_or_a_body_parameter() -> None:
    from langchain_openrouter import OpenRouterRerank  # noqa: PLC0415 - a lazy export

    body_only = {"parallel_tool_calls"}
    call_only = {"response_cache_clear"}  # a request header, per call
    rerank_only = set(OpenRouterRerank.model_fields) - set(ChatOpenRouter.model_fields)
    unexplained = set(ARGUMENT_CHECKS) - set(ChatOpenRouter.model_fields) - rerank_only
    assert unexplained == body_only | call_only


def test_error_is_a_value_error_subclass() -> None:
    assert issubclass(InvalidArgumentError, ValueError)


# --- per-call values replace the model's -------------------------------------------------


def test_per_call_effort_replaces_model_reasoning(emulator: OpenRouterEmulator) -> None:
    emulator.enqueue(Completion(content="ok"))
    llm = emulator.chat_model(reasoning={"effort": "high", "exclude": True}, max_tokens=500)
    llm.invoke("hi", reasoning_effort="low")
    body = emulator.requests[-1].body
    assert body["reasoning"] == {"exclude": True}
    assert body["reasoning_effort"] == "low"


def test_per_call_max_tokens_is_checked_against_the_models_budget(
    emulator: OpenRouterEmulator,
) -> None:
    llm = emulator.chat_model(reasoning={"max_tokens": 2000}, max_tokens=4000)
    with refused("max_tokens=1000 must be greater than the reasoning budget"):
        llm.invoke("hi", max_tokens=1000)
    assert emulator.requests == []


# --- base URL and model slugs --------------------------------------------------------------


@pytest.mark.parametrize(
    ("base_url", "words"),
    [
        ("openrouter.ai/api/v1", "it does not start with http:// or https://"),
        ("ftp://openrouter.ai/api/v1", "base_url='ftp://openrouter.ai/api/v1'"),
        ("https:///api/v1", "it has no host"),
    ],
)
def test_base_url_is_checked_at_construction(base_url: str, words: str) -> None:
    with refused(words):
        ChatOpenRouter(model="openai/gpt-4o-mini", api_key="k", base_url=base_url)


def test_base_url_from_the_environment_is_checked(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENROUTER_API_BASE", "localhost:8080")
    with refused("base_url='localhost:8080'"):
        ChatOpenRouter(model="openai/gpt-4o-mini", api_key="k")


def test_slug_is_trimmed_before_it_is_sent(emulator: OpenRouterEmulator) -> None:
    emulator.enqueue(Completion(content="ok"), Completion(content="ok"))
    llm = emulator.chat_model(model="  anthropic/claude-sonnet-4.5\n")
    assert llm.model == "anthropic/claude-sonnet-4.5"
    assert llm.profile
    llm.invoke("hi", model=" openai/gpt-4o-mini ")
    assert emulator.requests[-1].body["model"] == "openai/gpt-4o-mini"


@pytest.mark.parametrize(
    ("model", "words"),
    [
        ("openai/gpt 4o", "it contains whitespace"),
        ("gpt-4o-mini", "no vendor prefix (did you mean 'openai/gpt-4o-mini'?)"),
        ("totally-unknown-model", "no vendor prefix. model must be an OpenRouter model slug"),
        ("   ", "it is empty"),
    ],
)
def test_bad_slug_is_refused(emulator: OpenRouterEmulator, model: str, words: str) -> None:
    with refused(words):
        emulator.chat_model(model=model)
    with refused(words):
        emulator.chat_model().invoke("hi", model=model)
    assert emulator.requests == []


@pytest.mark.parametrize(
    "model",
    [
        "openrouter/auto",
        "@preset/my-preset",
        "openai/gpt-4o-mini@preset/my-preset",
        "~anthropic/claude-sonnet-latest",
        "meta-llama/llama-3.3-70b-instruct:free",
    ],
)
def test_special_slugs_pass(emulator: OpenRouterEmulator, model: str) -> None:
    emulator.enqueue(Completion(content="ok"))
    emulator.chat_model(model=model).invoke("hi")
    assert emulator.requests[-1].body["model"] == model


# --- message lists -------------------------------------------------------------------------


def _call(call_id: str) -> AIMessage:
    return AIMessage("", tool_calls=[{"name": "lookup", "args": {}, "id": call_id}])


def test_empty_message_list_is_refused(emulator: OpenRouterEmulator) -> None:
    llm = emulator.chat_model()
    with refused("messages is empty"):
        llm.invoke([])
    with refused("messages is empty"):
        list(llm.stream([]))
    assert emulator.requests == []


def test_tool_message_without_its_call_is_refused(emulator: OpenRouterEmulator) -> None:
    history = [HumanMessage("hi"), _call("call_a"), ToolMessage("r", tool_call_id="call_b")]
    with refused("tool_call_id='call_b', which answers no tool call"):
        emulator.chat_model().invoke(history)
    assert emulator.requests == []


def test_tool_call_without_result_before_the_next_turn_is_refused(
    emulator: OpenRouterEmulator,
) -> None:
    two_calls = AIMessage(
        "",
        tool_calls=[
            {"name": "lookup", "args": {}, "id": "call_a"},
            {"name": "lookup", "args": {}, "id": "call_b"},
        ],
    )
    history = [HumanMessage("hi"), two_calls, ToolMessage("r", tool_call_id="call_a")]
    with refused("tool_call_id 'call_b'. Add a ToolMessage"):
        emulator.chat_model().invoke([*history, HumanMessage("and?")])
    with refused("check_tool_results=False"):
        emulator.chat_model().invoke([*history, AIMessage("done"), HumanMessage("and?")])
    assert emulator.requests == []


def test_paired_tool_turns_are_sent(emulator: OpenRouterEmulator) -> None:
    emulator.enqueue(Completion(content="ok"))
    history = [
        SystemMessage("be brief"),
        HumanMessage("hi"),
        _call("call_a"),
        ToolMessage("r", tool_call_id="call_a"),
        AIMessage("found it"),
        HumanMessage("thanks"),
    ]
    emulator.chat_model().invoke(history)
    assert len(emulator.requests[-1].body["messages"]) == 6


def test_tool_check_opt_out_on_the_model_and_per_call(emulator: OpenRouterEmulator) -> None:
    emulator.enqueue(Completion(content="ok"), Completion(content="ok"))
    orphan = [HumanMessage("hi"), ToolMessage("r", tool_call_id="call_z")]
    emulator.chat_model(check_tool_results=False).invoke(orphan)
    emulator.chat_model().invoke(orphan, check_tool_results=False)
    assert len(emulator.requests) == 2
    assert "check_tool_results" not in emulator.requests[-1].body


def test_the_readme_table_lists_every_check() -> None:
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    for name, check in ARGUMENT_CHECKS.items():
        row = f"| `{name}` | {check.rule} | `{name}={check.example}` |"
        assert row in readme, f"README.md's 'Argument checks' table lacks: {row}"


def test_embeddings_check_their_base_url_too(monkeypatch: pytest.MonkeyPatch) -> None:
    from langchain_openrouter import OpenRouterEmbeddings  # noqa: PLC0415 - a lazy export

    with refused("base_url='openrouter.ai/api/v1' is invalid"):
        OpenRouterEmbeddings(
            model="openai/text-embedding-3-small", api_key="k", base_url="openrouter.ai/api/v1"
        )
    monkeypatch.setenv("OPENROUTER_API_BASE", "no-scheme")
    with refused("base_url='no-scheme'"):
        OpenRouterEmbeddings(model="openai/text-embedding-3-small", api_key="k")
