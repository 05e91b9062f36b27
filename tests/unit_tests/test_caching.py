"""Prompt caching, judged by the request body OpenRouter receives."""

from __future__ import annotations

import json
from functools import reduce
from operator import add
from typing import Any

import pytest
from langchain_core.messages import (
    AIMessage,
    BaseMessage,
    HumanMessage,
    SystemMessage,
    ToolMessage,
)
from pydantic import BaseModel

from langchain_openrouter import CacheRule, cache_point
from langchain_openrouter.testing import (
    JSONReply,
    OpenRouterEmulator,
    completion_body,
    text_stream,
)
from langchain_openrouter.testing import (
    usage as default_usage,
)

CLAUDE = "anthropic/claude-sonnet-4.5"
GEMINI = "google/gemini-2.5-pro"
FIVE_MINUTES = {"type": "ephemeral", "ttl": "5m"}
ONE_HOUR = {"type": "ephemeral", "ttl": "1h"}
EPHEMERAL = {"type": "ephemeral"}
CACHE_FIELDS = (
    "cache_instructions",
    "cache_messages",
    "cache_tool_definitions",
    "automatic_cache",
    "cache_rule",
)
PNG_URL = "https://i.example/chart.png"


def text(value: str, **extra: Any) -> dict[str, Any]:
    return {"type": "text", "text": value, **extra}


def send(
    fake: OpenRouterEmulator,
    messages: list[BaseMessage],
    *,
    model: str = CLAUDE,
    call: dict[str, Any] | None = None,
    **settings: Any,
) -> dict[str, Any]:
    """The request body sent for ``messages`` by a model with ``settings``."""
    fake.script(JSONReply(body=completion_body()))
    fake.chat_model(model=model, **settings).invoke(messages, **(call or {}))
    return fake.requests[-1].body


def marks(body: dict[str, Any]) -> list[tuple[int, int, Any]]:
    """Every content-part breakpoint as (message index, part index, cache_control)."""
    return [
        (index, part_index, part["cache_control"])
        for index, message in enumerate(body["messages"])
        if isinstance(message["content"], list)
        for part_index, part in enumerate(message["content"])
        if "cache_control" in part
    ]


def assert_no_marker_sent(body: dict[str, Any]) -> None:
    assert "cache_point" not in json.dumps(body)


def assert_no_cache_setting_sent(body: dict[str, Any]) -> None:
    assert not set(CACHE_FIELDS) & set(body)


LONG_DOC = "HUGE TEXT BODY " * 50
TOOL_A = {
    "type": "function",
    "function": {"name": "alpha", "description": "A.", "parameters": {"type": "object"}},
}
TOOL_B = {
    "type": "function",
    "function": {"name": "beta", "description": "B.", "parameters": {"type": "object"}},
}
WEB_SEARCH = {"type": "openrouter:web_search", "parameters": {"max_results": 3}}


# --- cache-point markers -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("message", "role"),
    [
        (SystemMessage([text(LONG_DOC), cache_point(), text("Be brief.")]), "system"),
        (HumanMessage([text(LONG_DOC), cache_point(), text("Summarize.")]), "user"),
        (AIMessage([text(LONG_DOC), cache_point(), text("Anything else?")]), "assistant"),
        (
            ToolMessage([text(LONG_DOC), cache_point(), text("done")], tool_call_id="call_1"),
            "tool",
        ),
    ],
)
def test_marker_caches_the_part_before_it_in_every_role(
    fake: OpenRouterEmulator, message: BaseMessage, role: str
) -> None:
    body = send(fake, [message], check_tool_results=False)  # a lone tool message
    (sent,) = body["messages"]
    assert sent["role"] == role
    assert sent["content"] == [text(LONG_DOC, cache_control=FIVE_MINUTES), text(sent_tail(sent))]
    assert_no_marker_sent(body)


def sent_tail(message: dict[str, Any]) -> str:
    return str(message["content"][-1]["text"])


def test_image_before_a_marker_is_cached(fake: OpenRouterEmulator) -> None:
    message = HumanMessage(
        [text("Look:"), {"type": "image", "url": PNG_URL}, cache_point(), text("Describe it.")]
    )
    body = send(fake, [message])
    assert body["messages"][0]["content"] == [
        text("Look:"),
        {"type": "image_url", "image_url": {"url": PNG_URL}, "cache_control": FIVE_MINUTES},
        text("Describe it."),
    ]


def test_markers_in_order_of_ttl(fake: OpenRouterEmulator) -> None:
    message = HumanMessage([text("one"), cache_point("1h"), text("two"), cache_point()])
    body = send(fake, [message])
    assert marks(body) == [(0, 0, ONE_HOUR), (0, 1, FIVE_MINUTES)]
    assert_no_marker_sent(body)


@pytest.mark.parametrize(
    ("marker", "expected"),
    [
        (cache_point(), FIVE_MINUTES),
        (cache_point("5m"), FIVE_MINUTES),
        (cache_point("1h"), ONE_HOUR),
        ({"type": "cache_point"}, FIVE_MINUTES),
        ({"type": "cache_point", "ttl": "1h"}, ONE_HOUR),
    ],
)
def test_marker_ttl_forms(fake: OpenRouterEmulator, marker: dict[str, Any], expected: Any) -> None:
    body = send(fake, [HumanMessage([text(LONG_DOC), marker])])
    assert body["messages"][0]["content"] == [text(LONG_DOC, cache_control=expected)]


def test_cache_point_helper() -> None:
    assert cache_point() == {"type": "cache_point"}
    assert cache_point("1h") == {"type": "cache_point", "ttl": "1h"}
    with pytest.raises(ValueError, match="'5m' or '1h'"):
        cache_point("2h")  # type: ignore[arg-type]


def test_marker_with_a_bad_ttl_raises_before_any_request(fake: OpenRouterEmulator) -> None:
    with pytest.raises(ValueError, match="'5m' or '1h', got '1d'"):
        fake.chat_model(model=CLAUDE).invoke(
            [HumanMessage([text("x"), {"type": "cache_point", "ttl": "1d"}])]
        )
    assert fake.requests == []


@pytest.mark.parametrize("model", [CLAUDE, "openai/gpt-4o"])
def test_marker_with_nothing_before_it_raises(fake: OpenRouterEmulator, model: str) -> None:
    with pytest.raises(ValueError, match="cache_instructions=True") as caught:
        fake.chat_model(model=model).invoke([SystemMessage([cache_point(), text("rules")])])
    assert "opens the content of message 0 (role 'system')" in str(caught.value)
    assert fake.requests == []


# --- cache_control written by the user -----------------------------------------------------


def test_written_cache_control_passes_through_and_is_not_overwritten(
    fake: OpenRouterEmulator,
) -> None:
    message = HumanMessage([text(LONG_DOC, cache_control=ONE_HOUR), cache_point()])
    body = send(fake, [message], cache_messages=True)
    assert body["messages"][0]["content"] == [text(LONG_DOC, cache_control=ONE_HOUR)]


def test_written_cache_control_is_kept_where_nothing_is_placed(fake: OpenRouterEmulator) -> None:
    message = HumanMessage([text(LONG_DOC, cache_control=ONE_HOUR), text("q")])
    body = send(fake, [message], model="openai/gpt-4o")
    assert marks(body) == [(0, 0, ONE_HOUR)]


# --- settings ------------------------------------------------------------------------------


def test_cache_messages_turns_string_content_into_one_text_part(fake: OpenRouterEmulator) -> None:
    body = send(fake, [SystemMessage("sys"), HumanMessage("Hi")], cache_messages=True)
    assert body["messages"] == [
        {"role": "system", "content": "sys"},
        {"role": "user", "content": [text("Hi", cache_control=FIVE_MINUTES)]},
    ]


def test_cache_messages_marks_a_trailing_tool_result(fake: OpenRouterEmulator) -> None:
    call = {"name": "alpha", "args": {}, "id": "call_1"}
    messages = [
        HumanMessage("Go"),
        AIMessage("", tool_calls=[call]),
        ToolMessage("result", tool_call_id="call_1"),
    ]
    body = send(fake, messages, cache_messages="1h")
    assert body["messages"][2] == {
        "role": "tool",
        "tool_call_id": "call_1",
        "content": [text("result", cache_control=ONE_HOUR)],
    }
    assert marks(body) == [(2, 0, ONE_HOUR)]


def test_cache_messages_marks_the_last_part_of_a_multipart_message(
    fake: OpenRouterEmulator,
) -> None:
    message = HumanMessage([text("a"), {"type": "image", "url": PNG_URL}])
    body = send(fake, [message], cache_messages=True)
    assert marks(body) == [(0, 1, FIVE_MINUTES)]


def test_cache_instructions_marks_the_last_leading_system_message(fake: OpenRouterEmulator) -> None:
    messages = [
        SystemMessage("Rules."),
        SystemMessage([text("More rules."), text(LONG_DOC)]),
        HumanMessage("Hi"),
        SystemMessage("A late system note."),
    ]
    body = send(fake, messages, cache_instructions=True)
    assert marks(body) == [(1, 1, FIVE_MINUTES)]
    assert body["messages"][0]["content"] == "Rules."
    assert body["messages"][3]["content"] == "A late system note."


def test_cache_instructions_covers_developer_messages(fake: OpenRouterEmulator) -> None:
    developer = SystemMessage("Rules.", additional_kwargs={"__openai_role__": "developer"})
    body = send(fake, [developer, HumanMessage("Hi")], cache_instructions="1h")
    assert body["messages"][0] == {
        "role": "developer",
        "content": [text("Rules.", cache_control=ONE_HOUR)],
    }


def test_cache_instructions_without_system_messages_does_nothing(fake: OpenRouterEmulator) -> None:
    body = send(fake, [HumanMessage("Hi")], cache_instructions=True)
    assert marks(body) == []
    assert body["messages"] == [{"role": "user", "content": "Hi"}]


def test_cache_tool_definitions_marks_the_last_function_tool(fake: OpenRouterEmulator) -> None:
    fake.script(JSONReply(body=completion_body()))
    llm = fake.chat_model(model=CLAUDE, cache_tool_definitions=True)
    llm.bind_tools([TOOL_A, TOOL_B, WEB_SEARCH]).invoke("Hi")
    alpha, beta, web_search = fake.requests[-1].body["tools"]
    assert "cache_control" not in alpha
    assert beta["cache_control"] == FIVE_MINUTES
    assert web_search == WEB_SEARCH


def test_cache_tool_definitions_leaves_bound_tools_unchanged(fake: OpenRouterEmulator) -> None:
    fake.script(JSONReply(body=completion_body()))
    bound = fake.chat_model(model=CLAUDE).bind_tools([TOOL_A])
    bound.invoke("Hi", cache_tool_definitions="1h")
    assert fake.requests[-1].body["tools"][0]["cache_control"] == ONE_HOUR
    bound.invoke("Hi")
    assert "cache_control" not in fake.requests[-1].body["tools"][0]


def test_cache_tool_definitions_on_structured_output(fake: OpenRouterEmulator) -> None:
    class Answer(BaseModel):
        """An answer."""

        answer: str

    call = {"name": "Answer", "args": {"answer": "4"}, "id": "call_1", "type": "function"}
    tool_call = {
        "id": call["id"],
        "type": "function",
        "function": {"name": "Answer", "arguments": json.dumps(call["args"])},
    }
    fake.script(JSONReply(body=completion_body(None, tool_calls=[tool_call])))
    llm = fake.chat_model(model=CLAUDE, cache_tool_definitions=True, cache_messages=True)
    result = llm.with_structured_output(Answer, method="function_calling").invoke("2+2?")
    assert result == Answer(answer="4")
    assert fake.requests[-1].body["tools"][0]["cache_control"] == FIVE_MINUTES
    assert marks(fake.requests[-1].body) == [(0, 0, FIVE_MINUTES)]


def test_all_settings_together(fake: OpenRouterEmulator) -> None:
    fake.script(JSONReply(body=completion_body()))
    llm = fake.chat_model(
        model=CLAUDE,
        cache_instructions="1h",
        cache_tool_definitions="1h",
        cache_messages=True,
    )
    llm.bind_tools([TOOL_A]).invoke([SystemMessage("Rules."), HumanMessage("Hi")])
    assert fake.requests[-1].body["tools"][0]["cache_control"] == ONE_HOUR
    assert marks(fake.requests[-1].body) == [(0, 0, ONE_HOUR), (1, 0, FIVE_MINUTES)]
    assert_no_cache_setting_sent(fake.requests[-1].body)


def test_settings_are_never_sent(fake: OpenRouterEmulator) -> None:
    body = send(
        fake,
        [HumanMessage("Hi")],
        cache_instructions=True,
        cache_messages=True,
        cache_tool_definitions=True,
        automatic_cache=True,
        cache_rule={"explicit_breakpoints": True},
    )
    assert_no_cache_setting_sent(body)


def test_invalid_setting_in_a_call_raises_before_any_request(fake: OpenRouterEmulator) -> None:
    words = "cache_messages='forever' is invalid: cache_messages must be one of False, True"
    with pytest.raises(ValueError, match=words):
        fake.chat_model(model=CLAUDE).invoke("Hi", cache_messages="forever")
    assert fake.requests == []


# --- automatic caching ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("setting", "expected"), [(True, FIVE_MINUTES), ("5m", FIVE_MINUTES), ("1h", ONE_HOUR)]
)
def test_automatic_cache_sends_top_level_cache_control(
    fake: OpenRouterEmulator, setting: Any, expected: Any
) -> None:
    body = send(fake, [HumanMessage("Hi")], automatic_cache=setting)
    assert body["cache_control"] == expected
    assert marks(body) == []


@pytest.mark.parametrize("model", ["openai/gpt-4o", GEMINI, "qwen/qwen3-max"])
def test_automatic_cache_only_for_anthropic(fake: OpenRouterEmulator, model: str) -> None:
    body = send(fake, [HumanMessage("Hi")], model=model, automatic_cache=True)
    assert "cache_control" not in body


def test_automatic_cache_from_model_kwargs_passes_through(fake: OpenRouterEmulator) -> None:
    body = send(fake, [HumanMessage("Hi")], model_kwargs={"cache_control": ONE_HOUR})
    assert body["cache_control"] == ONE_HOUR


# --- the Anthropic breakpoint limit --------------------------------------------------------


def test_limit_drops_the_oldest_message_breakpoints(fake: OpenRouterEmulator) -> None:
    messages = [
        SystemMessage([text("sys"), cache_point()]),
        HumanMessage([text("m1", cache_control=FIVE_MINUTES), text("m2"), cache_point()]),
        AIMessage([text("m3"), cache_point()]),
        HumanMessage([text("m4"), cache_point(), text("m5")]),
    ]
    body = send(fake, messages, cache_messages=True)
    # Asked for: system, m1 (written), m2, m3, m4, m5 (cache_messages) = 6 > 4.
    assert marks(body) == [
        (0, 0, FIVE_MINUTES),
        (2, 0, FIVE_MINUTES),
        (3, 0, FIVE_MINUTES),
        (3, 1, FIVE_MINUTES),
    ]
    assert body["messages"][1]["content"] == [text("m1"), text("m2")]


def test_limit_counts_tools_and_the_automatic_breakpoint(fake: OpenRouterEmulator) -> None:
    fake.script(JSONReply(body=completion_body()))
    llm = fake.chat_model(model=CLAUDE, cache_tool_definitions=True, automatic_cache=True)
    messages = [HumanMessage([text("a"), cache_point(), text("b"), cache_point()])]
    llm.bind_tools([TOOL_A]).invoke([SystemMessage([text("s"), cache_point()]), *messages])
    assert fake.requests[-1].body["tools"][0]["cache_control"] == FIVE_MINUTES
    assert fake.requests[-1].body["cache_control"] == FIVE_MINUTES
    assert marks(fake.requests[-1].body) == [(0, 0, FIVE_MINUTES), (1, 1, FIVE_MINUTES)]


def test_tool_and_system_breakpoints_beyond_the_limit_raise(fake: OpenRouterEmulator) -> None:
    system = SystemMessage(
        [text("a"), cache_point(), text("b"), cache_point(), text("c"), cache_point()]
    )
    system_2 = SystemMessage([text("d"), cache_point()])
    llm = fake.chat_model(model=CLAUDE, cache_tool_definitions=True).bind_tools([TOOL_A])
    with pytest.raises(ValueError, match="hold 5, but this model allows at most 4") as caught:
        llm.invoke([system, system_2, HumanMessage("Hi")])
    assert "cache_tool_definitions" in str(caught.value)
    assert fake.requests == []


def test_no_limit_for_gemini_and_written_breakpoints_stay(fake: OpenRouterEmulator) -> None:
    parts = [text(f"p{i}", cache_control=EPHEMERAL) for i in range(6)]
    body = send(fake, [HumanMessage(parts)], model=GEMINI)
    assert len(marks(body)) == 6


# --- TTL order -----------------------------------------------------------------------------


def test_ttl_order_longer_after_shorter_raises(fake: OpenRouterEmulator) -> None:
    messages = [SystemMessage("Rules."), HumanMessage([text(LONG_DOC), cache_point("1h")])]
    llm = fake.chat_model(model=CLAUDE, cache_instructions=True)
    with pytest.raises(ValueError, match="TTLs out of order") as caught:
        llm.invoke(messages)
    assert "message 1, content part 0" in str(caught.value)
    assert "message 0, content part 0" in str(caught.value)
    assert fake.requests == []


def test_ttl_order_within_one_message_raises(fake: OpenRouterEmulator) -> None:
    message = HumanMessage([text("one"), cache_point(), text("two"), cache_point("1h")])
    with pytest.raises(ValueError, match="TTLs out of order"):
        fake.chat_model(model=CLAUDE).invoke([message])
    assert fake.requests == []


def test_ttl_order_tools_before_system(fake: OpenRouterEmulator) -> None:
    llm = fake.chat_model(model=CLAUDE, cache_tool_definitions=True, cache_instructions="1h")
    with pytest.raises(ValueError, match=r"'1h' breakpoint \(message 0"):
        llm.bind_tools([TOOL_A]).invoke([SystemMessage("Rules."), HumanMessage("Hi")])
    assert fake.requests == []


def test_ttl_order_counts_the_automatic_breakpoint(fake: OpenRouterEmulator) -> None:
    llm = fake.chat_model(model=CLAUDE, cache_messages=True, automatic_cache="1h")
    with pytest.raises(ValueError, match="the top-level cache_control"):
        llm.invoke("Hi")
    assert fake.requests == []


def test_ttl_order_counts_written_cache_control(fake: OpenRouterEmulator) -> None:
    message = HumanMessage([text("a", cache_control=EPHEMERAL), text("b"), cache_point("1h")])
    with pytest.raises(ValueError, match="TTLs out of order"):
        fake.chat_model(model=CLAUDE).invoke([message])


def test_longer_ttls_first_are_sent(fake: OpenRouterEmulator) -> None:
    messages = [SystemMessage("Rules."), HumanMessage([text(LONG_DOC), cache_point()])]
    body = send(fake, messages, cache_instructions="1h", cache_messages=True)
    assert marks(body) == [(0, 0, ONE_HOUR), (1, 0, FIVE_MINUTES)]


# --- vendors -------------------------------------------------------------------------------


def test_gemini_uses_only_the_last_breakpoint_without_ttl(fake: OpenRouterEmulator) -> None:
    messages = [
        SystemMessage([text("sys"), cache_point("1h")]),
        HumanMessage([text(LONG_DOC), cache_point(), text("q")]),
    ]
    body = send(fake, messages, model=GEMINI)
    assert marks(body) == [(1, 0, EPHEMERAL)]
    assert_no_marker_sent(body)


def test_gemini_cache_instructions_has_no_ttl(fake: OpenRouterEmulator) -> None:
    body = send(
        fake, [SystemMessage("sys"), HumanMessage("Hi")], model=GEMINI, cache_instructions="1h"
    )
    assert marks(body) == [(0, 0, EPHEMERAL)]


def test_gemini_does_not_cache_tool_definitions(fake: OpenRouterEmulator) -> None:
    fake.script(JSONReply(body=completion_body()))
    fake.chat_model(model=GEMINI, cache_tool_definitions=True).bind_tools([TOOL_A]).invoke("Hi")
    assert "cache_control" not in json.dumps(fake.requests[-1].body)


@pytest.mark.parametrize(
    ("model", "expected"),
    [
        ("anthropic/claude-haiku-4.5", FIVE_MINUTES),
        ("~anthropic/claude-sonnet-latest", FIVE_MINUTES),
        ("anthropic/claude-3.7-sonnet:thinking", FIVE_MINUTES),
        ("google/gemini-2.5-flash", EPHEMERAL),
        ("google/gemini-3-pro-preview:free", EPHEMERAL),
        ("qwen/qwen3-coder-plus", EPHEMERAL),
        ("deepseek/deepseek-v3.2", EPHEMERAL),
    ],
)
def test_vendor_table_explicit_caching(fake: OpenRouterEmulator, model: str, expected: Any) -> None:
    body = send(fake, [HumanMessage([text(LONG_DOC), cache_point()])], model=model)
    assert marks(body) == [(0, 0, expected)]


@pytest.mark.parametrize(
    "model",
    [
        "openai/gpt-4o",
        "deepseek/deepseek-chat",
        "x-ai/grok-4",
        "google/gemma-3-27b-it",
        "qwen/qwen3.5-plus-02-15",
        "openrouter/auto",
    ],
)
def test_unsupported_vendor_sends_no_breakpoint_and_no_marker(
    fake: OpenRouterEmulator, model: str
) -> None:
    fake.script(JSONReply(body=completion_body()))
    llm = fake.chat_model(
        model=model,
        cache_instructions=True,
        cache_messages="1h",
        cache_tool_definitions=True,
        automatic_cache=True,
    )
    messages = [
        SystemMessage([text("sys"), cache_point()]),
        HumanMessage([text(LONG_DOC), cache_point("1h"), text("q")]),
    ]
    llm.bind_tools([TOOL_A]).invoke(messages)
    sent = json.dumps(fake.requests[-1].body)
    assert "cache_control" not in sent
    assert "cache_point" not in sent
    assert fake.requests[-1].body["messages"][1]["content"] == [text(LONG_DOC), text("q")]


def test_qwen_explicit_caching_has_no_ttl_and_no_tool_caching(fake: OpenRouterEmulator) -> None:
    fake.script(JSONReply(body=completion_body()))
    llm = fake.chat_model(model="qwen/qwen3-max", cache_tool_definitions=True, cache_messages="1h")
    llm.bind_tools([TOOL_A]).invoke("Hi")
    assert "cache_control" not in fake.requests[-1].body["tools"][0]
    assert marks(fake.requests[-1].body) == [(0, 0, EPHEMERAL)]


# --- rule override -------------------------------------------------------------------------


def test_rule_override_enables_caching_for_another_vendor(fake: OpenRouterEmulator) -> None:
    rule = CacheRule(explicit_breakpoints=True, ttl=True)
    body = send(
        fake,
        [HumanMessage([text(LONG_DOC), cache_point("1h")])],
        model="openai/gpt-5.6",
        cache_rule=rule,
    )
    assert marks(body) == [(0, 0, ONE_HOUR)]


def test_rule_override_as_a_dict(fake: OpenRouterEmulator) -> None:
    messages = [HumanMessage([text("a"), cache_point(), text("b"), cache_point()])]
    body = send(
        fake,
        messages,
        cache_rule={"explicit_breakpoints": True, "max_breakpoints": 1},
    )
    assert marks(body) == [(0, 1, EPHEMERAL)]


def test_rule_override_can_turn_caching_off(fake: OpenRouterEmulator) -> None:
    body = send(fake, [HumanMessage([text(LONG_DOC), cache_point()])], cache_rule=CacheRule())
    assert marks(body) == []
    assert_no_marker_sent(body)


def test_rule_override_with_an_unknown_field_raises(fake: OpenRouterEmulator) -> None:
    with pytest.raises(ValueError, match=r"unknown field\(s\) \['tll'\]"):
        fake.chat_model(cache_rule={"tll": True})


def test_rule_override_per_call(fake: OpenRouterEmulator) -> None:
    fake.script(JSONReply(body=completion_body()))
    llm = fake.chat_model(model="openai/gpt-4o")
    llm.invoke(
        [HumanMessage([text(LONG_DOC), cache_point()])], cache_rule={"explicit_breakpoints": True}
    )
    assert marks(fake.requests[-1].body) == [(0, 0, EPHEMERAL)]
    assert_no_cache_setting_sent(fake.requests[-1].body)


# --- paths and per-call settings -----------------------------------------------------------


def test_per_call_settings_override_the_model(fake: OpenRouterEmulator) -> None:
    fake.script(JSONReply(body=completion_body()))
    llm = fake.chat_model(model=CLAUDE, cache_messages=True)
    llm.invoke("Hi", cache_messages=False)
    assert marks(fake.requests[-1].body) == []
    llm.invoke("Hi", cache_messages="1h")
    assert marks(fake.requests[-1].body) == [(0, 0, ONE_HOUR)]
    llm.bind(cache_instructions=True).invoke([SystemMessage("s"), HumanMessage("Hi")])
    assert marks(fake.requests[-1].body) == [(0, 0, FIVE_MINUTES), (1, 0, FIVE_MINUTES)]
    for body in [request.body for request in fake.requests]:
        assert_no_cache_setting_sent(body)


def test_stream_applies_caching(fake: OpenRouterEmulator) -> None:
    fake.script(text_stream("ok"))
    llm = fake.chat_model(model=CLAUDE, cache_messages=True)
    reduce(add, llm.stream([HumanMessage([text(LONG_DOC), cache_point("1h"), text("q")])]))
    assert fake.requests[-1].body["stream"] is True
    assert marks(fake.requests[-1].body) == [(0, 0, ONE_HOUR), (0, 1, FIVE_MINUTES)]
    assert_no_marker_sent(fake.requests[-1].body)


def test_streaming_flag_applies_caching(fake: OpenRouterEmulator) -> None:
    fake.script(text_stream("ok"))
    fake.chat_model(model=CLAUDE, streaming=True, cache_messages=True).invoke("Hi")
    assert marks(fake.requests[-1].body) == [(0, 0, FIVE_MINUTES)]


async def test_async_paths_apply_caching(fake: OpenRouterEmulator) -> None:
    fake.script(JSONReply(body=completion_body()))
    llm = fake.chat_model(model=CLAUDE)
    message = HumanMessage([text(LONG_DOC), cache_point(), text("q")])
    await llm.ainvoke([message], cache_messages=True)
    assert marks(fake.requests[-1].body) == [(0, 0, FIVE_MINUTES), (0, 1, FIVE_MINUTES)]
    fake.script(text_stream("ok"))
    chunks = [chunk async for chunk in llm.astream("Hi", automatic_cache="1h")]
    assert chunks
    assert fake.requests[-1].body["stream"] is True
    assert fake.requests[-1].body["cache_control"] == ONE_HOUR
    with pytest.raises(ValueError, match="TTLs out of order"):
        await llm.ainvoke([message], automatic_cache="1h", cache_messages=True)
    assert len(fake.requests) == 2


# --- usage ---------------------------------------------------------------------------------


def cache_usage() -> dict[str, Any]:
    return {
        **default_usage(),
        "prompt_tokens": 25612,
        "completion_tokens": 20,
        "total_tokens": 25632,
        "cost": 0.0323,
        "prompt_tokens_details": {"cached_tokens": 0, "cache_write_tokens": 25600},
    }


def read_usage() -> dict[str, Any]:
    return {
        **cache_usage(),
        "cost": 0.0034,
        "prompt_tokens_details": {"cached_tokens": 25600, "cache_write_tokens": 0},
    }


def test_cache_usage_and_cost_on_invoke(fake: OpenRouterEmulator) -> None:
    fake.script(JSONReply(body=completion_body(usage=cache_usage()))).script(
        JSONReply(body=completion_body(usage=read_usage()))
    )
    llm = fake.chat_model(model=CLAUDE, cache_messages=True)
    written = llm.invoke([HumanMessage([text(LONG_DOC), cache_point(), text("q")])])
    read = llm.invoke([HumanMessage([text(LONG_DOC), cache_point(), text("q")])])
    assert written.usage_metadata is not None
    assert read.usage_metadata is not None
    assert written.usage_metadata["input_tokens"] == 25612  # writes are not added on top
    assert written.usage_metadata["total_tokens"] == 25632
    assert written.usage_metadata["input_token_details"] == {
        "cache_read": 0,
        "cache_creation": 25600,
    }
    assert read.usage_metadata["input_tokens"] == 25612  # reads are not added on top
    assert read.usage_metadata["input_token_details"]["cache_read"] == 25600
    assert written.response_metadata["cost"] == 0.0323
    assert read.response_metadata["cost"] == 0.0034


def test_cache_usage_and_cost_on_stream(fake: OpenRouterEmulator) -> None:
    fake.script(text_stream("o", "k", usage=read_usage()))
    llm = fake.chat_model(model=CLAUDE, cache_messages=True)
    streamed = reduce(add, llm.stream("Hi"))
    assert streamed.usage_metadata is not None
    assert streamed.usage_metadata["input_tokens"] == 25612
    assert streamed.usage_metadata["total_tokens"] == 25632
    assert streamed.usage_metadata["input_token_details"] == {
        "cache_read": 25600,
        "cache_creation": 0,
    }
    assert streamed.response_metadata["cost"] == 0.0034
