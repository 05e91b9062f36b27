"""Reasoning end to end at the HTTP boundary: read, streamed, replayed across tool turns.

Bodies are written here from OpenRouter's documented wire shapes (see
docs/openrouter-wire-notes.md#reasoning-replay and #reasoning-fragments) for each vendor
family: which detail types and formats it returns, where the signature travels, what ids
look like. Nothing is copied from a recording.
"""

from __future__ import annotations

import json
import warnings
from functools import reduce
from operator import add
from typing import TYPE_CHECKING, Any

import pytest
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, ToolMessage

from langchain_openrouter.testing import (
    JSONReply,
    OpenRouterEmulator,
    SSEReply,
    chunk,
    completion_body,
)
from tests.unit_tests.test_streaming import assert_same_message, finish, without_none

if TYPE_CHECKING:
    from langchain_core.messages import AIMessageChunk

Detail = dict[str, Any]

# --- recorded-shape bodies per vendor family ---------------------------------------------


def _anthropic(turn: int) -> Detail:
    text = f"Turn {turn}: the user wants the weather, so I call the tool."
    return {
        "reasoning": text,
        "reasoning_details": [
            {
                "type": "reasoning.text",
                "text": text,
                "signature": f"EqQBCkgIARABGAIiQL{turn}...",
                "id": None,
                "format": "anthropic-claude-v1",
                "index": 0,
            }
        ],
    }


def _gemini(turn: int) -> Detail:
    # Gemini's thought signature rides a reasoning.encrypted entry whose id is the tool
    # call's id; its reasoning.text carries no signature (so it is not replayed).
    text = f"**Planning turn {turn}** I should look up the weather."
    return {
        "reasoning": text,
        "reasoning_details": [
            {"type": "reasoning.text", "text": text, "format": "google-gemini-v1", "index": 0},
            {
                "type": "reasoning.encrypted",
                "data": f"CiQB0e2Kb{turn}thoughtsignature==",
                "id": f"tool_get_weather_{turn}",
                "format": "google-gemini-v1",
                "index": 1,
            },
        ],
    }


def _openai(turn: int) -> Detail:
    summary = f"**Checking the weather (turn {turn})** I need the tool."
    return {
        "reasoning": summary,
        "reasoning_details": [
            {
                "type": "reasoning.summary",
                "summary": summary,
                "id": f"rs_0a1b2c{turn}",
                "format": "openai-responses-v1",
                "index": 0,
            },
            {
                "type": "reasoning.encrypted",
                "data": f"gAAAAABp{turn}encrypted-content",
                "id": f"rs_0a1b2c{turn}",
                "format": "openai-responses-v1",
                "index": 1,
            },
        ],
    }


def _xai(turn: int) -> Detail:
    return {
        "reasoning_details": [
            {
                "type": "reasoning.encrypted",
                "data": f"xai-encrypted-{turn}-Zm9vYmFy",
                "id": f"xai-rs-{turn}",
                "format": "xai-responses-v1",
                "index": 0,
            }
        ]
    }


def _deepseek(turn: int) -> Detail:
    return {"reasoning": f"Turn {turn}. Weather needed; call the tool.", "reasoning_details": []}


def _plain_text(turn: int) -> Detail:
    """Qwen, Kimi, GLM, MiniMax: reasoning text and unsigned reasoning.text, format unknown."""
    text = f"Turn {turn}: I will call get_weather."
    return {
        "reasoning": text,
        "reasoning_details": [
            {"type": "reasoning.text", "text": text, "format": "unknown", "index": 0}
        ],
    }


FAMILIES: dict[str, tuple[str, str, Any, str]] = {
    # name: (model, provider, reasoning of turn n, tool-call id prefix)
    "anthropic": ("anthropic/claude-sonnet-4.5", "Anthropic", _anthropic, "toolu_01A09q90qw9"),
    "gemini": ("google/gemini-3-pro-preview", "Google AI Studio", _gemini, "tool_get_weather_"),
    "openai": ("openai/gpt-5-mini", "OpenAI", _openai, "call_Xy7"),
    "xai": ("x-ai/grok-4", "xAI", _xai, "call_grok"),
    "deepseek": ("deepseek/deepseek-v3.2", "DeepSeek", _deepseek, "call_ds"),
    "qwen": ("qwen/qwen3-235b-a22b-thinking-2507", "Alibaba", _plain_text, "call_qw"),
    "kimi": ("moonshotai/kimi-k2-thinking", "Moonshot AI", _plain_text, "functions.get_weather:"),
    "glm": ("z-ai/glm-4.6", "Z.AI", _plain_text, "call_glm"),
    "minimax": ("minimax/minimax-m2", "MiniMax", _plain_text, "call_mm"),
}


def replayed(details: list[Detail]) -> list[Detail]:
    """What the next request must carry for ``details`` (the documented hazards applied)."""
    kept = []
    for detail in details:
        if (
            detail["type"] == "reasoning.text"
            and detail.get("format") in ("anthropic-claude-v1", "google-gemini-v1")
            and not detail.get("signature")
        ):
            continue
        if str(detail.get("id") or "").startswith("rs_"):
            detail = {k: v for k, v in detail.items() if k != "id"}  # noqa: PLW2901
        kept.append(detail)
    return kept


def turn_message(family: str, turn: int, *, final: bool) -> Detail:
    """The assistant message of one turn: reasoning, then a tool call or the answer."""
    _, _, reasoning, call_prefix = FAMILIES[family]
    message: Detail = {**reasoning(turn)}
    if final:
        message["content"] = f"It is sunny in Paris (turn {turn})."
    else:
        message["content"] = ""
        message["tool_calls"] = [
            {
                "id": f"{call_prefix}{turn}",
                "type": "function",
                "function": {"name": "get_weather", "arguments": '{"city": "Paris"}'},
            }
        ]
    return message


def completion_of(family: str, message: Detail, finish_reason: str) -> Detail:
    model, provider, _, _ = FAMILIES[family]
    body = completion_body(model=model, provider=provider, finish_reason=finish_reason)
    body["choices"][0]["message"].update(message)
    body["choices"][0]["native_finish_reason"] = finish_reason
    return body


def _fragments(detail: Detail) -> list[Detail]:
    """A detail as OpenRouter streams it: text in pieces, signature/id in a late fragment."""
    kind, index = detail["type"], detail.get("index")
    field = {"reasoning.text": "text", "reasoning.summary": "summary"}.get(kind)
    if field is None:
        return [{k: v for k, v in detail.items() if v is not None}]
    text = detail[field]
    half = len(text) // 2
    pieces = [
        {"type": kind, field: text[:half], "format": detail.get("format"), "index": index},
        {"type": kind, field: text[half:], "format": detail.get("format"), "index": index},
    ]
    late = {k: detail[k] for k in ("signature", "id") if detail.get(k)}
    if late:
        pieces.append({"type": kind, **late, "format": detail.get("format"), "index": index})
    return pieces


def stream_of(family: str, message: Detail, finish_reason: str) -> SSEReply:
    model, provider, _, _ = FAMILIES[family]
    envelope = {"model": model, "provider": provider}
    events = []
    details = message.get("reasoning_details")
    if details == []:  # DeepSeek: reasoning text, and an empty detail list
        text = message["reasoning"]
        events += [
            chunk({"reasoning": piece, "reasoning_details": []}, **envelope)
            for piece in (text[:9], text[9:])
        ]
    for detail in details or []:
        for fragment in _fragments(detail):
            delta: Detail = {"content": "", "reasoning_details": [fragment]}
            text = fragment.get("text") or fragment.get("summary")
            if message.get("reasoning") and text:
                delta["reasoning"] = text
            events.append(chunk(delta, **envelope))
    content = message.get("content") or ""
    events += [chunk({"content": p}, **envelope) for p in (content[:5], content[5:]) if p]
    for position, call in enumerate(message.get("tool_calls") or []):
        opening = {**call, "index": position, "function": {**call["function"], "arguments": ""}}
        args = call["function"]["arguments"]
        events.append(chunk({"tool_calls": [opening]}, **envelope))
        events += [
            chunk({"tool_calls": [{"index": position, "function": {"arguments": p}}]}, **envelope)
            for p in (args[:6], args[6:])
        ]
    events += finish(finish_reason, finish_reason, **envelope)
    return SSEReply(events=events)


def expected_reasoning_text(message: Detail) -> str:
    if message.get("reasoning"):
        return str(message["reasoning"])
    return "".join(d.get("text") or d.get("summary") or "" for d in message["reasoning_details"])


# --- invoke and stream give the same message ---------------------------------------------


@pytest.mark.parametrize("family", FAMILIES)
@pytest.mark.parametrize("final", [True, False], ids=["answer", "tool_call"])
def test_invoke_and_stream_agree(fake: OpenRouterEmulator, family: str, *, final: bool) -> None:
    message = turn_message(family, 1, final=final)
    reason = "stop" if final else "tool_calls"
    fake.script(JSONReply(body=completion_of(family, message, reason)))
    fake.script(stream_of(family, message, reason))
    llm = fake.chat_model(model=FAMILIES[family][0], reasoning={"effort": "high"})
    invoked = llm.invoke("Weather in Paris?")
    streamed: AIMessageChunk = reduce(add, llm.stream("Weather in Paris?"))
    assert_same_message(invoked, streamed)
    assert invoked.additional_kwargs["reasoning_details"] == message["reasoning_details"]
    assert invoked.additional_kwargs.get("reasoning_content", "") == expected_reasoning_text(
        message
    )
    assert streamed.additional_kwargs["reasoning_details"] == without_none(
        message["reasoning_details"]
    )
    assert all(
        body["reasoning"] == {"effort": "high"}
        for body in [request.body for request in fake.requests]
    )


async def test_async_paths_agree(fake: OpenRouterEmulator) -> None:
    message = turn_message("anthropic", 1, final=False)
    fake.script(JSONReply(body=completion_of("anthropic", message, "tool_calls")))
    fake.script(stream_of("anthropic", message, "tool_calls"))
    llm = fake.chat_model(model="anthropic/claude-sonnet-4.5")
    invoked = await llm.ainvoke("hi")
    streamed = reduce(add, [c async for c in llm.astream("hi")])
    assert_same_message(invoked, streamed)


# --- a 3-turn tool loop replays each turn's reasoning -------------------------------------


def _tool_loop(llm: Any, *, stream: bool) -> list[BaseMessage]:
    messages: list[BaseMessage] = [HumanMessage("Weather in Paris, twice, then answer.")]
    for _ in range(3):
        reply = reduce(add, llm.stream(messages)) if stream else llm.invoke(messages)
        messages.append(reply)
        if not reply.tool_calls:
            break
        call = reply.tool_calls[0]
        messages.append(ToolMessage("sunny, 24C", tool_call_id=call["id"]))
    return messages


@pytest.mark.parametrize("family", FAMILIES)
@pytest.mark.parametrize("stream", [False, True], ids=["invoke", "stream"])
def test_three_turn_tool_loop_replays_reasoning(
    fake: OpenRouterEmulator, family: str, *, stream: bool
) -> None:
    turns = [turn_message(family, n, final=n == 3) for n in (1, 2, 3)]
    for n, message in enumerate(turns, start=1):
        reason = "stop" if n == 3 else "tool_calls"
        if stream:
            fake.script(stream_of(family, message, reason))
        else:
            fake.script(JSONReply(body=completion_of(family, message, reason)))
    llm = fake.chat_model(model=FAMILIES[family][0], reasoning={"enabled": True})
    history = _tool_loop(llm, stream=stream)
    assert len(fake.requests) == 3
    assert history[-1].content == "It is sunny in Paris (turn 3)."
    for request, body in enumerate([request.body for request in fake.requests]):
        assistants = [m for m in body["messages"] if m["role"] == "assistant"]
        assert len(assistants) == request
        for turn, wire in zip(turns, assistants, strict=False):
            expected = replayed(turn["reasoning_details"])
            assert wire["reasoning_details"] == (without_none(expected) if stream else expected)
            assert "reasoning" not in wire
            assert "reasoning_content" not in wire
            assert wire["tool_calls"][0]["id"] == turn["tool_calls"][0]["id"]
            assert not wire["content"]
        tools = [m for m in body["messages"] if m["role"] == "tool"]
        assert [t["tool_call_id"] for t in tools] == [
            turn["tool_calls"][0]["id"] for turn in turns[:request]
        ]


# --- replay hazards ----------------------------------------------------------------------


def sent_assistants(fake: OpenRouterEmulator, messages: list[BaseMessage]) -> list[Detail]:
    fake.script(JSONReply(body=completion_body()))
    fake.chat_model().invoke(messages)
    return [m for m in fake.requests[-1].body["messages"] if m["role"] == "assistant"]


def ai(details: object = None, content: Any = "ok", **kwargs: Any) -> AIMessage:
    extra = {} if details is None else {"reasoning_details": details}
    return AIMessage(content=content, additional_kwargs={**extra, **kwargs})


def test_openai_rs_ids_are_stripped_entries_kept(fake: OpenRouterEmulator) -> None:
    details = _openai(1)["reasoning_details"]
    [wire] = sent_assistants(fake, [HumanMessage("q"), ai(details)])
    assert wire["reasoning_details"] == [{k: v for k, v in d.items() if k != "id"} for d in details]
    assert details[0]["id"] == "rs_0a1b2c1"  # the message itself is not changed


def test_other_ids_are_kept(fake: OpenRouterEmulator) -> None:
    details = _gemini(1)["reasoning_details"] + _xai(1)["reasoning_details"]
    [wire] = sent_assistants(fake, [HumanMessage("q"), ai(details)])
    assert [d.get("id") for d in wire["reasoning_details"]] == ["tool_get_weather_1", "xai-rs-1"]


def test_duplicates_across_the_request_keep_the_first(fake: OpenRouterEmulator) -> None:
    first = _openai(1)["reasoning_details"] + _anthropic(1)["reasoning_details"]
    again = [
        *first,
        {**first[1], "data": "different data, same id"},  # encrypted: keyed by id
        {"type": "reasoning.encrypted", "data": "no id, new data", "format": "unknown"},
        {"type": "reasoning.summary", "summary": first[0]["summary"], "id": "rs_other"},
        {**first[2], "signature": "another signature"},  # text: keyed by text
        {"type": "reasoning.text", "signature": "only-signature", "format": "anthropic-claude-v1"},
    ]
    wires = sent_assistants(fake, [HumanMessage("q"), ai(first), HumanMessage("q2"), ai(again)])
    assert wires[0]["reasoning_details"] == replayed(first)
    assert wires[1]["reasoning_details"] == [again[4], again[7]]


def test_duplicates_within_one_message(fake: OpenRouterEmulator) -> None:
    details = _xai(1)["reasoning_details"] * 2
    [wire] = sent_assistants(fake, [HumanMessage("q"), ai(details)])
    assert wire["reasoning_details"] == details[:1]


def test_unsigned_anthropic_and_gemini_text_is_dropped(fake: OpenRouterEmulator) -> None:
    details = [
        {"type": "reasoning.text", "text": "a", "format": "anthropic-claude-v1", "index": 0},
        {"type": "reasoning.text", "text": "b", "signature": None, "format": "google-gemini-v1"},
        {"type": "reasoning.text", "text": "c", "format": "unknown", "index": 2},
        {
            "type": "reasoning.text",
            "text": "d",
            "signature": "sig",
            "format": "anthropic-claude-v1",
        },
        {"type": "reasoning.server_tool_call", "tool_name": "web", "arguments": "{}", "result": ""},
    ]
    [wire] = sent_assistants(fake, [HumanMessage("q"), ai(details)])
    assert wire["reasoning_details"] == details[2:]


def test_details_all_dropped_are_not_sent(fake: OpenRouterEmulator) -> None:
    details = [{"type": "reasoning.text", "text": "a", "format": "anthropic-claude-v1"}]
    [wire] = sent_assistants(fake, [HumanMessage("q"), ai(details)])
    assert "reasoning_details" not in wire


def test_deepseek_empty_list_is_sent_back(fake: OpenRouterEmulator) -> None:
    message = ai([], reasoning_content="thinking")
    [wire] = sent_assistants(fake, [HumanMessage("q"), message, HumanMessage("again")])
    assert wire["reasoning_details"] == []
    assert "reasoning" not in wire
    assert "reasoning_content" not in wire


def test_reasoning_text_alone_is_never_sent(fake: OpenRouterEmulator) -> None:
    [wire] = sent_assistants(fake, [HumanMessage("q"), ai(None, reasoning_content="thinking")])
    assert set(wire) == {"role", "content"}


def test_order_and_unknown_entries_are_kept(fake: OpenRouterEmulator) -> None:
    details = [
        {"type": "reasoning.encrypted", "data": "e1", "format": "openai-responses-v1"},
        {"type": "reasoning.text", "text": "t", "signature": "s", "format": "anthropic-claude-v1"},
        {"type": "reasoning.future", "payload": {"x": 1}},
        {"type": "reasoning.encrypted", "data": "e2", "format": "openai-responses-v1"},
    ]
    [wire] = sent_assistants(fake, [HumanMessage("q"), ai(details)])
    assert wire["reasoning_details"] == details


# --- reasoning from other sources --------------------------------------------------------


def test_signed_thinking_block_becomes_a_detail(fake: OpenRouterEmulator) -> None:
    message = AIMessage(
        content=[
            {"type": "thinking", "thinking": "Let me add.", "signature": "EqQB-sig"},
            {"type": "thinking", "thinking": "Unsigned, dropped."},
            {"type": "redacted_thinking", "data": "opaque"},
            {"type": "text", "text": "4"},
        ]
    )
    [wire] = sent_assistants(fake, [HumanMessage("2+2?"), message])
    assert wire["reasoning_details"] == [
        {
            "type": "reasoning.text",
            "text": "Let me add.",
            "signature": "EqQB-sig",
            "format": "anthropic-claude-v1",
        }
    ]
    assert wire["content"] == [{"type": "text", "text": "4"}]


def test_unsigned_thinking_only_sends_no_details(fake: OpenRouterEmulator) -> None:
    message = AIMessage(
        content=[{"type": "thinking", "thinking": "hmm"}, {"type": "text", "text": "4"}]
    )
    [wire] = sent_assistants(fake, [HumanMessage("2+2?"), message])
    assert "reasoning_details" not in wire


def test_v1_reasoning_blocks_with_a_detail_are_replayed(fake: OpenRouterEmulator) -> None:
    detail = _anthropic(1)["reasoning_details"][0]
    message = AIMessage(
        content=[
            {"type": "reasoning", "reasoning": "x", "extras": {"openrouter_detail": detail}},
            {"type": "reasoning", "reasoning": "from elsewhere, no detail"},
            {"type": "text", "text": "4"},
        ]
    )
    [wire] = sent_assistants(fake, [HumanMessage("2+2?"), message])
    assert wire["reasoning_details"] == [detail]
    assert wire["content"] == [{"type": "text", "text": "4"}]


def test_additional_kwargs_win_over_blocks(fake: OpenRouterEmulator) -> None:
    details = _xai(1)["reasoning_details"]
    message = AIMessage(
        content=[{"type": "thinking", "thinking": "t", "signature": "s"}, "4"],
        additional_kwargs={"reasoning_details": details},
    )
    [wire] = sent_assistants(fake, [HumanMessage("q"), message])
    assert wire["reasoning_details"] == details


# --- output_version="v1" ------------------------------------------------------------------

CITATION = {
    "type": "url_citation",
    "url_citation": {
        "url": "https://example.com/paris",
        "title": "Paris weather",
        "content": "Sunny, 24C",
        "start_index": 0,
        "end_index": 5,
    },
}
IMAGE = {"type": "image_url", "image_url": {"url": "data:image/png;base64,iVBORw0KGgo="}}


def test_v1_content_blocks_on_invoke(fake: OpenRouterEmulator) -> None:
    message = turn_message("openai", 1, final=False)
    message.update(content="Sunny", annotations=[CITATION], images=[IMAGE])
    fake.script(JSONReply(body=completion_of("openai", message, "tool_calls")))
    reply = fake.chat_model(model="openai/gpt-5-mini", output_version="v1").invoke("q")
    details = message["reasoning_details"]
    assert reply.content == [
        {
            "type": "reasoning",
            "reasoning": details[0]["summary"],
            "extras": {"openrouter_detail": details[0]},
        },
        {"type": "reasoning", "extras": {"openrouter_detail": details[1]}},
        {
            "type": "text",
            "text": "Sunny",
            "annotations": [
                {
                    "type": "citation",
                    "url": "https://example.com/paris",
                    "title": "Paris weather",
                    "cited_text": "Sunny, 24C",
                    "start_index": 0,
                    "end_index": 5,
                }
            ],
        },
        {"type": "image", "base64": "iVBORw0KGgo=", "mime_type": "image/png"},
        {"type": "tool_call", "id": "call_Xy71", "name": "get_weather", "args": {"city": "Paris"}},
    ]
    assert reply.content_blocks == reply.content


def test_v0_message_gives_the_same_content_blocks(fake: OpenRouterEmulator) -> None:
    message = turn_message("anthropic", 1, final=True)
    message["annotations"] = [CITATION, {"type": "file", "file": {"hash": "h"}}]
    fake.script(JSONReply(body=completion_of("anthropic", message, "stop")))
    reply = fake.chat_model().invoke("q")
    blocks = reply.content_blocks
    assert [b["type"] for b in blocks] == ["reasoning", "text"]
    assert blocks[0]["extras"]["openrouter_detail"] == message["reasoning_details"][0]  # type: ignore[typeddict-item]
    annotations = blocks[1]["annotations"]  # type: ignore[typeddict-item]
    assert annotations[1] == {"type": "non_standard_annotation", "value": message["annotations"][1]}


def test_v1_reasoning_text_without_details(fake: OpenRouterEmulator) -> None:
    fake.script(
        JSONReply(body=completion_of("deepseek", turn_message("deepseek", 1, final=True), "stop"))
    )
    reply = fake.chat_model(output_version="v1").invoke("q")
    assert reply.content[0] == {
        "type": "reasoning",
        "reasoning": "Turn 1. Weather needed; call the tool.",
    }


def test_v1_stream_merges_reasoning_blocks(fake: OpenRouterEmulator) -> None:
    message = turn_message("anthropic", 1, final=True)
    fake.script(stream_of("anthropic", message, "stop"))
    streamed = reduce(add, fake.chat_model(output_version="v1").stream("q"))
    blocks = [b for b in streamed.content if isinstance(b, dict)]
    assert [b["type"] for b in blocks] == ["reasoning", "text"]
    assert blocks[0]["reasoning"] == message["reasoning"]
    assert (
        blocks[0]["extras"]["openrouter_detail"]["signature"]
        == (message["reasoning_details"][0]["signature"])
    )
    assert blocks[1]["text"] == message["content"]


@pytest.mark.parametrize("stream", [False, True], ids=["invoke", "stream"])
def test_v1_history_is_sent_like_v0_history(fake: OpenRouterEmulator, *, stream: bool) -> None:
    family = "openai"
    turns = [turn_message(family, 1, final=False), turn_message(family, 2, final=True)]
    bodies = []
    for output_version in ("v0", "v1"):
        local = OpenRouterEmulator(api_key=None)
        for n, message in enumerate(turns, start=1):
            reason = "stop" if n == 2 else "tool_calls"
            if stream:
                local.script(stream_of(family, message, reason))
            else:
                local.script(JSONReply(body=completion_of(family, message, reason)))
        local.script(JSONReply(body=completion_body()))
        llm = local.chat_model(model="openai/gpt-5-mini", output_version=output_version)
        history = _tool_loop(llm, stream=stream)
        history.append(HumanMessage("thanks"))
        llm.invoke(history)
        bodies.append(local.requests[-1].body["messages"])
    v0, v1 = bodies
    assert v1 == v0
    assert v1[1]["reasoning_details"] == without_none(replayed(turns[0]["reasoning_details"]))
    assert v1[3]["content"] == "It is sunny in Paris (turn 2)."


def test_v1_history_without_kwargs_replays_from_blocks(fake: OpenRouterEmulator) -> None:
    message = turn_message("anthropic", 1, final=True)
    fake.script(JSONReply(body=completion_of("anthropic", message, "stop")))
    reply = fake.chat_model(output_version="v1").invoke("q")
    stripped = AIMessage(content=reply.content)  # e.g. stored and reloaded without kwargs
    [wire] = sent_assistants(fake, [HumanMessage("q"), stripped])
    assert wire["reasoning_details"] == message["reasoning_details"]
    assert wire["content"] == [{"type": "text", "text": message["content"]}]


def test_v1_generated_images_are_not_resent_as_content(fake: OpenRouterEmulator) -> None:
    fake.script(JSONReply(body=completion_body("Here you go", images=[IMAGE])))
    reply = fake.chat_model(output_version="v1").invoke("draw")
    [wire] = sent_assistants(fake, [HumanMessage("draw"), reply])
    assert wire["content"] == "Here you go"
    assert wire["images"] == [IMAGE]


# --- reasoning that exhausts max_tokens ----------------------------------------------------


def _exhausted(content: str | None) -> Detail:
    body = completion_of("anthropic", {**_anthropic(1), "content": content}, "length")
    body["usage"]["completion_tokens_details"]["reasoning_tokens"] = 64
    return body


@pytest.mark.parametrize("content", ["", None])
def test_reasoning_that_exhausts_max_tokens_is_reported(
    fake: OpenRouterEmulator, content: str | None
) -> None:
    fake.script(JSONReply(body=_exhausted(content)))
    with pytest.warns(UserWarning, match="max_tokens"):
        reply = fake.chat_model(max_tokens=64).invoke("q")
    assert reply.content == ""
    assert reply.response_metadata["finish_reason"] == "length"
    assert reply.response_metadata["reasoning_exhausted_max_tokens"] is True


def test_reasoning_that_exhausts_max_tokens_on_stream(fake: OpenRouterEmulator) -> None:
    message = {**_anthropic(1), "content": ""}
    fake.script(stream_of("anthropic", message, "length"))
    with pytest.warns(UserWarning, match="max_tokens"):
        streamed = reduce(add, fake.chat_model(max_tokens=64).stream("q"))
    assert streamed.content == ""
    assert streamed.response_metadata["finish_reason"] == "length"
    assert streamed.response_metadata["reasoning_exhausted_max_tokens"] is True
    assert streamed.additional_kwargs["reasoning_details"][0]["signature"].startswith("EqQB")


def test_truncated_answer_is_not_flagged(fake: OpenRouterEmulator) -> None:
    fake.script(JSONReply(body=_exhausted("Partial answ")))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        reply = fake.chat_model().invoke("q")
    assert reply.response_metadata["finish_reason"] == "length"
    assert "reasoning_exhausted_max_tokens" not in reply.response_metadata


def test_length_without_reasoning_is_not_flagged(fake: OpenRouterEmulator) -> None:
    fake.script(JSONReply(body=completion_body("", finish_reason="length")))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        reply = fake.chat_model().invoke("q")
    assert "reasoning_exhausted_max_tokens" not in reply.response_metadata


# --- configuration -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "reasoning",
    [
        {"effort": "xhigh"},
        {"effort": "minimal", "summary": "auto"},
        {"effort": "none"},
        {"max_tokens": 2000, "exclude": True},
        {"enabled": True},
    ],
)
def test_reasoning_config_is_sent(fake: OpenRouterEmulator, reasoning: Detail) -> None:
    fake.script(JSONReply(body=completion_body()))
    fake.chat_model(reasoning=reasoning).invoke("q")
    assert fake.requests[-1].body["reasoning"] == reasoning


def test_per_call_reasoning_replaces_the_models_reasoning_and_shorthand(
    fake: OpenRouterEmulator,
) -> None:
    fake.script(JSONReply(body=completion_body())).script(JSONReply(body=completion_body()))
    llm = fake.chat_model(reasoning_effort="low")
    llm.invoke("q", reasoning={"max_tokens": 1024})
    assert fake.requests[-1].body["reasoning"] == {"max_tokens": 1024}
    assert "reasoning_effort" not in fake.requests[-1].body
    llm.invoke("q", reasoning={"effort": "high"})  # no conflict: the call's value wins
    assert fake.requests[-1].body["reasoning"] == {"effort": "high"}
    assert "reasoning_effort" not in fake.requests[-1].body


def test_per_call_effort_replaces_the_models_effort_or_budget(fake: OpenRouterEmulator) -> None:
    fake.script(JSONReply(body=completion_body())).script(JSONReply(body=completion_body()))
    llm = fake.chat_model(reasoning={"max_tokens": 2000, "exclude": True})
    llm.invoke("q", reasoning_effort="low")
    assert fake.requests[-1].body["reasoning"] == {"exclude": True}
    assert fake.requests[-1].body["reasoning_effort"] == "low"
    fake.chat_model(reasoning={"effort": "high"}).invoke("q", reasoning_effort="minimal")
    assert "reasoning" not in fake.requests[-1].body
    assert fake.requests[-1].body["reasoning_effort"] == "minimal"


def test_conflicting_reasoning_raises_before_sending(fake: OpenRouterEmulator) -> None:
    llm = fake.chat_model()
    with pytest.raises(ValueError, match="conflicts"):
        llm.invoke("q", reasoning={"effort": "high"}, reasoning_effort="low")
    with pytest.raises(ValueError, match="either 'effort' or 'max_tokens'"):
        fake.chat_model().invoke("q", reasoning={"effort": "high", "max_tokens": 10})
    assert fake.requests == []


def test_translator_is_registered_on_import() -> None:
    from langchain_core.messages.block_translators import get_translator  # noqa: PLC0415

    import langchain_openrouter  # noqa: F401, PLC0415

    assert get_translator("openrouter") is not None
    assert json.dumps(get_translator("openrouter"), default=str)
