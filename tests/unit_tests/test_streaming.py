"""Streamed chunks, added up with ``+``, equal the message invoke() returns."""

from __future__ import annotations

from functools import reduce
from operator import add
from typing import TYPE_CHECKING, Any

import pytest

from langchain_openrouter.testing import (
    Comment,
    JSONReply,
    OpenRouterEmulator,
    SSEReply,
    StreamShape,
    chunk,
    completion_body,
    text_stream,
)
from langchain_openrouter.testing import (
    usage as default_usage,
)

if TYPE_CHECKING:
    from langchain_core.messages import AIMessageChunk, BaseMessage

ANTHROPIC = {"model": "anthropic/claude-sonnet-4.5", "provider": "Anthropic"}
OPENAI_REASONING = {"model": "openai/gpt-5-mini", "provider": "OpenAI"}


def finish(
    reason: str = "stop", native: str | None = None, **envelope: Any
) -> list[dict[str, Any]]:
    """The finish chunk, then the usage chunk (which carries finish_reason null)."""
    return [
        chunk(
            {"content": ""}, finish_reason=reason, native_finish_reason=native or reason, **envelope
        ),
        chunk({"content": ""}, usage=default_usage(), **envelope),
    ]


def invoke_and_stream(
    fake: OpenRouterEmulator, body: dict[str, Any], stream_body: SSEReply, **kwargs: Any
) -> tuple[BaseMessage, AIMessageChunk]:
    fake.script(JSONReply(body=body))
    fake.script(stream_body)
    llm = fake.chat_model(**kwargs)
    invoked = llm.invoke("hi")
    streamed = reduce(add, llm.stream("hi"))
    assert len(fake.requests) == 2
    return invoked, streamed


def without_none(
    details: list[dict[str, Any]] | None, *, drop: tuple[str, ...] = ()
) -> list[dict[str, Any]]:
    return [
        {k: v for k, v in entry.items() if v is not None and k not in drop}
        for entry in details or []
    ]


def assert_same_message(
    invoked: BaseMessage, streamed: AIMessageChunk, *, details_drop: tuple[str, ...] = ()
) -> None:
    assert streamed.content == invoked.content
    assert streamed.tool_calls == invoked.tool_calls  # type: ignore[attr-defined]
    for key in ("reasoning_content",):
        assert streamed.additional_kwargs.get(key, "") == invoked.additional_kwargs.get(key, "")
    assert without_none(
        streamed.additional_kwargs.get("reasoning_details"), drop=details_drop
    ) == without_none(invoked.additional_kwargs.get("reasoning_details"), drop=details_drop)
    assert streamed.usage_metadata == invoked.usage_metadata  # type: ignore[attr-defined]
    keys = ("finish_reason", "native_finish_reason", "model_name", "provider", "cost")
    for key in (*keys, "model_provider", "is_byok", "cost_details"):
        assert streamed.response_metadata.get(key) == invoked.response_metadata.get(key), key


def test_text(fake: OpenRouterEmulator) -> None:
    invoked, streamed = invoke_and_stream(
        fake, completion_body("Hello there!"), text_stream("Hel", "lo there", "!")
    )
    assert_same_message(invoked, streamed)
    assert streamed.content == "Hello there!"
    assert streamed.response_metadata["finish_reason"] == "stop"
    assert streamed.response_metadata["model_name"] == "openai/gpt-4o-mini"
    assert streamed.response_metadata["provider"] == "OpenAI"
    assert streamed.response_metadata["cost"] == 0.000022
    assert streamed.usage_metadata is not None
    assert streamed.usage_metadata["total_tokens"] == 17


TWO_CALLS = [
    {
        "id": "call_a",
        "type": "function",
        "function": {"name": "get_weather", "arguments": '{"city":"Paris"}'},
    },
    {
        "id": "call_b",
        "type": "function",
        "function": {"name": "get_time", "arguments": '{"tz":"CET"}'},
    },
]


def _call_fragment(
    index: int, arguments: str, call_id: str | None = None, name: str | None = None
) -> dict[str, Any]:
    fragment: dict[str, Any] = {"index": index, "function": {"arguments": arguments}}
    if call_id is not None:
        fragment.update(id=call_id, type="function")
    if name is not None:
        fragment["function"]["name"] = name
    return chunk({"tool_calls": [fragment]})


def test_parallel_tool_calls_by_index(fake: OpenRouterEmulator) -> None:
    events = [
        _call_fragment(0, "", "call_a", "get_weather"),
        _call_fragment(0, '{"city"'),
        _call_fragment(1, "", "call_b", "get_time"),
        _call_fragment(0, ':"Paris"}'),
        _call_fragment(1, '{"tz":'),
        _call_fragment(1, '"CET"}'),
        *finish("tool_calls", "tool_calls"),
    ]
    body = completion_body(
        None, finish_reason="tool_calls", native_finish_reason="tool_calls", tool_calls=TWO_CALLS
    )
    invoked, streamed = invoke_and_stream(fake, body, SSEReply(events=events))
    assert_same_message(invoked, streamed)
    assert [(c["id"], c["name"], c["args"]) for c in streamed.tool_calls] == [
        ("call_a", "get_weather", {"city": "Paris"}),
        ("call_b", "get_time", {"tz": "CET"}),
    ]
    assert streamed.invalid_tool_calls == []


def test_name_repeated_on_every_fragment_is_not_doubled(fake: OpenRouterEmulator) -> None:
    events = [
        _call_fragment(0, piece, "call_a", "get_weather") for piece in ('{"ci', 'ty":', '"Paris"}')
    ]
    body = completion_body(None, finish_reason="tool_calls", tool_calls=TWO_CALLS[:1])
    invoked, streamed = invoke_and_stream(
        fake, body, SSEReply(events=[*events, *finish("tool_calls")])
    )
    assert_same_message(invoked, streamed)
    assert streamed.tool_calls == [
        {"type": "tool_call", "name": "get_weather", "args": {"city": "Paris"}, "id": "call_a"}
    ]


def test_tool_call_without_arguments(fake: OpenRouterEmulator) -> None:
    call = {"id": "call_n", "type": "function", "function": {"name": "now"}}
    fragment = chunk({"tool_calls": [{"index": 0, **call}]})
    body = completion_body(None, finish_reason="tool_calls", tool_calls=[call])
    invoked, streamed = invoke_and_stream(
        fake, body, SSEReply(events=[fragment, *finish("tool_calls")])
    )
    assert_same_message(invoked, streamed)
    assert [(c["name"], c["args"]) for c in streamed.tool_calls] == [("now", {})]


@pytest.mark.parametrize("newline", ["\n", "\r\n"], ids=["lf", "crlf"])
def test_processing_comments_are_ignored(fake: OpenRouterEmulator, newline: str) -> None:
    events = [chunk({"content": "Hi"}), Comment(), chunk({"content": " you"}), *finish()]
    shape = StreamShape(keepalives=2, line_ending="\r\n" if newline == "\r\n" else "\n")
    fake.script(SSEReply(events=[*events, Comment()], stream=shape))
    streamed = reduce(add, fake.chat_model().stream("hi"))
    assert streamed.content == "Hi you"
    assert streamed.response_metadata["finish_reason"] == "stop"
    assert streamed.usage_metadata is not None
    assert streamed.usage_metadata["total_tokens"] == 17


def test_finish_reason_appears_exactly_once(fake: OpenRouterEmulator) -> None:
    fake.script(text_stream("a", "b"))
    chunks = list(fake.chat_model().stream("hi"))
    with_reason = [c for c in chunks if c.response_metadata.get("finish_reason")]
    assert len(with_reason) == 1
    assert reduce(add, chunks).response_metadata["finish_reason"] == "stop"
    assert reduce(add, chunks).response_metadata["native_finish_reason"] == "stop"


def test_anthropic_reasoning_fragments_merge(fake: OpenRouterEmulator) -> None:
    def fragment(**detail: Any) -> dict[str, Any]:
        return {"type": "reasoning.text", "format": "anthropic-claude-v1", "index": 0, **detail}

    events = [
        chunk(
            {"content": "", "reasoning": "Let", "reasoning_details": [fragment(text="Let")]},
            **ANTHROPIC,
        ),
        chunk(
            {
                "content": "",
                "reasoning": " me compute.",
                "reasoning_details": [fragment(text=" me compute.")],
            },
            **ANTHROPIC,
        ),
        chunk(
            {"content": "", "reasoning_details": [fragment(signature="Et8BCmUIDxgC")]}, **ANTHROPIC
        ),
        chunk({"content": "17 * 23 = 391."}, **ANTHROPIC),
        *finish("stop", "end_turn", **ANTHROPIC),
    ]
    details = [fragment(text="Let me compute.", signature="Et8BCmUIDxgC")]
    body = completion_body(
        "17 * 23 = 391.",
        native_finish_reason="end_turn",
        reasoning="Let me compute.",
        reasoning_details=details,
        **ANTHROPIC,
    )
    invoked, streamed = invoke_and_stream(
        fake, body, SSEReply(events=events), model=ANTHROPIC["model"]
    )
    assert_same_message(invoked, streamed)
    assert streamed.additional_kwargs["reasoning_details"] == details
    assert streamed.additional_kwargs["reasoning_content"] == "Let me compute."


def test_openai_summary_and_encrypted_reasoning(fake: OpenRouterEmulator) -> None:
    def detail(kind: str, **fields: Any) -> dict[str, Any]:
        return {
            "type": kind,
            "id": "rs_0e67",
            "format": "openai-responses-v1",
            "index": 0,
            **fields,
        }

    events = [
        chunk(
            {
                "reasoning": "**Plan**",
                "reasoning_details": [detail("reasoning.summary", summary="**Plan**")],
            },
            **OPENAI_REASONING,
        ),
        chunk(
            {"reasoning": " it", "reasoning_details": [detail("reasoning.summary", summary=" it")]},
            **OPENAI_REASONING,
        ),
        chunk({"content": "Done."}, **OPENAI_REASONING),
        chunk(
            {"reasoning_details": [detail("reasoning.encrypted", data="gAAAAABpAjHR")]},
            **OPENAI_REASONING,
        ),
        *finish("stop", "completed", **OPENAI_REASONING),
    ]
    details = [
        detail("reasoning.summary", summary="**Plan** it"),
        detail("reasoning.encrypted", data="gAAAAABpAjHR"),
    ]
    body = completion_body(
        "Done.",
        native_finish_reason="completed",
        reasoning="**Plan** it",
        reasoning_details=details,
        **OPENAI_REASONING,
    )
    stream = SSEReply(events=events)
    invoked, streamed = invoke_and_stream(fake, body, stream, model=OPENAI_REASONING["model"])
    # Both entries arrive with index 0 (as in real traffic). LangChain's `+` merges list
    # items by index, so the two entries can only stay apart if one is renumbered: the
    # index is the one key allowed to differ.
    assert_same_message(invoked, streamed, details_drop=("index",))
    assert streamed.additional_kwargs["reasoning_content"] == "**Plan** it"
    merged = streamed.additional_kwargs["reasoning_details"]
    assert without_none(merged, drop=("index",)) == without_none(details, drop=("index",))
    assert len({entry["index"] for entry in merged}) == 2


def test_usage_with_cache_tokens_on_summed_message(fake: OpenRouterEmulator) -> None:
    usage = {
        **default_usage(),
        "prompt_tokens": 10339,
        "completion_tokens": 60,
        "total_tokens": 10399,
        "prompt_tokens_details": {"cached_tokens": 10318, "cache_write_tokens": 7},
        "completion_tokens_details": {"reasoning_tokens": 41},
    }
    invoked, streamed = invoke_and_stream(
        fake, completion_body("ok", usage=usage), text_stream("o", "k", usage=usage)
    )
    assert_same_message(invoked, streamed)
    assert streamed.usage_metadata == {
        "input_tokens": 10339,
        "output_tokens": 60,
        "total_tokens": 10399,
        "input_token_details": {"cache_read": 10318, "cache_creation": 7},
        "output_token_details": {"reasoning": 41},
    }


def test_stream_usage_false_gives_no_usage(fake: OpenRouterEmulator) -> None:
    fake.script(text_stream("Hi"))
    streamed = reduce(add, fake.chat_model(stream_usage=False).stream("hi"))
    assert streamed.content == "Hi"
    assert not streamed.usage_metadata


async def test_astream_gives_the_same_as_stream(fake: OpenRouterEmulator) -> None:
    events = [
        chunk({"reasoning": "Think", "content": ""}),
        _call_fragment(0, "", "call_a", "get_weather"),
        _call_fragment(0, '{"city":"Paris"}'),
        *finish("tool_calls", "tool_calls"),
    ]
    fake.script(SSEReply(events=events))
    llm = fake.chat_model()
    streamed = reduce(add, llm.stream("hi"))
    astreamed = reduce(add, [c async for c in llm.astream("hi")])
    assert astreamed == streamed
    assert astreamed.tool_calls[0]["args"] == {"city": "Paris"}
    assert astreamed.additional_kwargs["reasoning_content"] == "Think"
    assert astreamed.response_metadata["finish_reason"] == "tool_calls"
    assert astreamed.usage_metadata is not None


def test_breaking_out_early(fake: OpenRouterEmulator) -> None:
    fake.script(text_stream("first", "second", "third"))
    llm = fake.chat_model()
    for piece in llm.stream("hi"):
        assert piece.content == "first"
        break
    stream = llm.stream("hi")
    assert next(stream).content == "first"
    stream.close()
    assert reduce(add, llm.stream("again")).content == "firstsecondthird"
    assert len(fake.requests) == 3


async def test_breaking_out_of_astream_early(fake: OpenRouterEmulator) -> None:
    fake.script(text_stream("first", "second"))
    llm = fake.chat_model()
    stream = llm.astream("hi")
    assert (await anext(stream)).content == "first"
    await stream.aclose()
    assert reduce(add, [c async for c in llm.astream("hi")]).content == "firstsecond"


def test_usage_chunk_with_empty_choices(fake: OpenRouterEmulator) -> None:
    usage_chunk = {**chunk(usage=default_usage()), "choices": []}
    events = [chunk({"content": "Hi"}), finish()[0], usage_chunk]
    invoked, streamed = invoke_and_stream(fake, completion_body("Hi"), SSEReply(events=events))
    assert_same_message(invoked, streamed)
    assert streamed.usage_metadata is not None
    assert streamed.usage_metadata["total_tokens"] == 17


def test_annotations_streamed_one_per_chunk(fake: OpenRouterEmulator) -> None:
    annotations = [
        {"type": "url_citation", "url_citation": {"url": f"https://{host}", "title": host}}
        for host in ("a.example", "b.example")
    ]
    events = [
        chunk({"content": "See a"}),
        chunk({"content": " and b", "annotations": annotations[:1]}),
        chunk({"content": "", "annotations": annotations[1:]}),
        *finish(),
    ]
    invoked, streamed = invoke_and_stream(
        fake, completion_body("See a and b", annotations=annotations), SSEReply(events=events)
    )
    assert_same_message(invoked, streamed)
    assert streamed.additional_kwargs["annotations"] == annotations
    assert invoked.additional_kwargs["annotations"] == annotations
