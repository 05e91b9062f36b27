"""``use_responses_api=True``: OpenRouter's Responses API behind the chat path's contract.

Every test runs the real ``openai`` SDK against the emulator's ``/responses`` route over a
socket, and checks what was sent (the recorded body) and what came back.
"""

from __future__ import annotations

import asyncio
import base64
from functools import reduce
from operator import add
from typing import TYPE_CHECKING, Any

import pytest
from langchain_core.messages import (
    AIMessage,
    AIMessageChunk,
    ChatMessage,
    HumanMessage,
    SystemMessage,
    ToolMessage,
)
from pydantic import BaseModel

from langchain_openrouter import (
    OpenRouterConnectionError,
    OpenRouterRateLimitError,
    OpenRouterServerError,
    OpenRouterStreamTruncatedError,
    cache_point,
)
from langchain_openrouter._http import retry as _retry
from langchain_openrouter._preflight import InvalidArgumentError
from langchain_openrouter.testing import (
    CHAT_PATH,
    RESPONSES_PATH,
    HTTPError,
    OpenRouterEmulator,
    ResponseFailed,
    ResponsesErrorEvent,
    ResponsesReply,
    TruncatedResponses,
    anthropic_reasoning,
    function_call,
    openai_reasoning,
    reasoning_item,
    responses_usage,
)

if TYPE_CHECKING:
    from collections.abc import Iterator

    from langchain_openrouter import ChatOpenRouter

CITATION = {
    "type": "url_citation",
    "url": "https://openrouter.ai/docs",
    "title": "Docs",
    "start_index": 0,
    "end_index": 4,
}
OPENAI_REASONING = reasoning_item(summary="Compare the two cities.", encrypted="gAAAAEncrypted==")
CLAUDE_REASONING = reasoning_item(
    text="Paris first.",
    signature="SigClaude==",
    item_id="reasoning-1",
    reasoning_format="anthropic-claude-v1",
)


class Weather(BaseModel):
    """Get the weather in a city."""

    city: str


@pytest.fixture
def emulator() -> Iterator[OpenRouterEmulator]:
    with OpenRouterEmulator() as running:
        yield running


def responses_model(emulator: OpenRouterEmulator, **kwargs: Any) -> ChatOpenRouter:
    return emulator.chat_model(use_responses_api=True, **kwargs)


def sent(emulator: OpenRouterEmulator) -> dict[str, Any]:
    (request,) = emulator.requests_to(RESPONSES_PATH)[-1:]
    body: dict[str, Any] = request.body
    return body


def full_reply() -> ResponsesReply:
    return ResponsesReply(
        text="Paris is warmer.",
        reasoning=[OPENAI_REASONING],
        function_calls=[function_call("Weather", {"city": "Lyon"}, "call_1")],
        annotations=[CITATION],
        usage=responses_usage(
            30, 12, cached_tokens=10, cache_write_tokens=4, reasoning_tokens=7, cost=0.001
        ),
        provider="OpenAI",
    )


# --- routing ---------------------------------------------------------------------------


def test_default_stays_chat_completions(emulator: OpenRouterEmulator) -> None:
    emulator.chat_model().invoke("hi")
    assert [r.path for r in emulator.requests] == [CHAT_PATH]
    assert "x-openrouter-metadata" not in emulator.requests[0].headers


@pytest.mark.parametrize("how", ["field", "call", "bound"])
def test_flag_sends_to_responses(emulator: OpenRouterEmulator, how: str) -> None:
    model = emulator.chat_model(use_responses_api=how == "field")
    runnable: Any = model.bind(use_responses_api=True) if how == "bound" else model
    extra = {"use_responses_api": True} if how == "call" else {}
    reply = runnable.invoke("hello", **extra)
    assert reply.content == "(OpenRouter emulator) You said: hello"
    body = sent(emulator)
    # The router metadata names the provider, which a response object does not.
    assert emulator.requests[-1].headers["x-openrouter-metadata"] == "enabled"
    assert reply.response_metadata["provider"] == "OpenAI"
    assert body["store"] is False
    assert "previous_response_id" not in body
    assert "messages" not in body
    assert body["input"] == [{"type": "message", "role": "user", "content": "hello"}]


def test_per_call_false_overrides_field(emulator: OpenRouterEmulator) -> None:
    responses_model(emulator).invoke("hi", use_responses_api=False)
    assert [r.path for r in emulator.requests] == [CHAT_PATH]


def test_every_call_path(emulator: OpenRouterEmulator) -> None:
    model = responses_model(emulator)
    assert model.invoke("a").content.endswith("a")
    assert "".join(chunk.text for chunk in model.stream("b")).endswith("b")
    assert asyncio.run(model.ainvoke("c")).content.endswith("c")

    async def astreamed() -> str:
        return "".join([chunk.text async for chunk in model.astream("d")])

    assert asyncio.run(astreamed()).endswith("d")
    assert [m.content[-1] for m in model.batch(["e", "f"])] == ["e", "f"]
    assert [r.path for r in emulator.requests] == [RESPONSES_PATH] * 6
    assert [r.body.get("stream", False) for r in emulator.requests] == [
        False,
        True,
        False,
        True,
        False,
        False,
    ]


# --- the message contract ----------------------------------------------------------------


def test_invoke_reads_the_whole_contract(emulator: OpenRouterEmulator) -> None:
    emulator.enqueue(full_reply(), path=RESPONSES_PATH)
    reply = responses_model(emulator, reasoning={"effort": "high"}).invoke("Paris or Lyon?")
    assert reply.content == "Paris is warmer."
    assert reply.tool_calls == [
        {"name": "Weather", "args": {"city": "Lyon"}, "id": "call_1", "type": "tool_call"}
    ]
    assert reply.additional_kwargs["reasoning_content"] == "Compare the two cities."
    assert [d["type"] for d in reply.additional_kwargs["reasoning_details"]] == [
        "reasoning.summary",
        "reasoning.encrypted",
    ]
    assert reply.additional_kwargs["annotations"] == [
        {"type": "url_citation", "url_citation": {k: v for k, v in CITATION.items() if k != "type"}}
    ]
    assert reply.usage_metadata == {
        "input_tokens": 30,
        "output_tokens": 12,
        "total_tokens": 42,
        "input_token_details": {"cache_read": 10, "cache_creation": 4},
        "output_token_details": {"reasoning": 7},
    }
    meta = reply.response_metadata
    assert meta["id"] == reply.id
    assert reply.id is not None
    assert reply.id.startswith("resp-")
    assert (meta["model_name"], meta["provider"], meta["finish_reason"], meta["cost"]) == (
        "openai/gpt-4o-mini",
        "OpenAI",
        "tool_calls",
        0.001,
    )
    kinds = [block["type"] for block in reply.content_blocks]
    assert kinds == ["reasoning", "reasoning", "text", "tool_call"]
    assert reply.content_blocks[2]["annotations"][0]["url"] == CITATION["url"]  # type: ignore[typeddict-item]


def _same_contract(streamed: AIMessageChunk, invoked: AIMessage) -> None:
    assert streamed.content == invoked.content
    assert streamed.tool_calls == invoked.tool_calls
    assert streamed.additional_kwargs == invoked.additional_kwargs
    assert streamed.usage_metadata == invoked.usage_metadata
    for key in (
        "model_name",
        "provider",
        "finish_reason",
        "native_finish_reason",
        "cost",
        "status",
    ):
        assert streamed.response_metadata.get(key) == invoked.response_metadata.get(key), key


def test_stream_chunks_add_up_to_invoke(emulator: OpenRouterEmulator) -> None:
    emulator.enqueue(full_reply(), full_reply(), path=RESPONSES_PATH)
    model = responses_model(emulator)
    invoked = model.invoke("q")
    chunks = list(model.stream("q"))
    assert len(chunks) > 5
    streamed = reduce(add, chunks)
    assert streamed.id is not None
    assert streamed.id.startswith("resp-")
    streamed.id = invoked.id
    _same_contract(streamed, invoked)


def test_async_stream_adds_up_like_sync(emulator: OpenRouterEmulator) -> None:
    emulator.enqueue(
        ResponsesReply(text="x" * 40, reasoning=[CLAUDE_REASONING]), path=RESPONSES_PATH
    )
    emulator.enqueue(
        ResponsesReply(text="x" * 40, reasoning=[CLAUDE_REASONING]), path=RESPONSES_PATH
    )
    model = responses_model(emulator)

    async def both() -> tuple[AIMessage, AIMessageChunk]:
        invoked = await model.ainvoke("q")
        chunks = [chunk async for chunk in model.astream("q")]
        return invoked, reduce(add, chunks)

    invoked, streamed = asyncio.run(both())
    streamed.id = invoked.id
    _same_contract(streamed, invoked)
    assert invoked.additional_kwargs["reasoning_content"] == "Paris first."


def test_incomplete_is_finish_reason_length(emulator: OpenRouterEmulator) -> None:
    cut = ResponsesReply(
        text=None,
        reasoning=[OPENAI_REASONING],
        status="incomplete",
        incomplete_reason="max_output_tokens",
    )
    emulator.enqueue(cut, cut, path=RESPONSES_PATH)
    model = responses_model(emulator)
    with pytest.warns(UserWarning, match="whole output budget"):
        invoked = model.invoke("q")
    with pytest.warns(UserWarning, match="whole output budget"):
        streamed = reduce(add, model.stream("q"))
    for message in (invoked, streamed):
        assert message.response_metadata["finish_reason"] == "length"
        assert message.response_metadata["native_finish_reason"] == "max_output_tokens"
        assert message.response_metadata["reasoning_exhausted_max_tokens"] is True


# --- request building --------------------------------------------------------------------


def test_input_items_for_every_kind_of_message(emulator: OpenRouterEmulator) -> None:
    pdf = base64.b64encode(b"%PDF-1.4").decode()
    wav = base64.b64encode(b"RIFF").decode()
    user = HumanMessage(
        [
            {"type": "text", "text": "Look:"},
            {"type": "image", "url": "https://example.com/cat.png"},
            {"type": "file", "base64": pdf, "mime_type": "application/pdf", "filename": "a.pdf"},
            {"type": "audio", "base64": wav, "mime_type": "audio/wav"},
        ]
    )
    call = AIMessage(
        "", tool_calls=[{"name": "Weather", "args": {"city": "Paris"}, "id": "call_9"}]
    )
    history = [SystemMessage("Be brief."), user, call, ToolMessage("21C", tool_call_id="call_9")]
    responses_model(emulator).invoke(history)
    assert sent(emulator)["input"] == [
        {"type": "message", "role": "system", "content": "Be brief."},
        {
            "type": "message",
            "role": "user",
            "content": [
                {"type": "input_text", "text": "Look:"},
                {
                    "type": "input_image",
                    "image_url": "https://example.com/cat.png",
                    "detail": "auto",
                },
                {
                    "type": "input_file",
                    "filename": "a.pdf",
                    "file_data": f"data:application/pdf;base64,{pdf}",
                },
                {"type": "input_audio", "input_audio": {"data": wav, "format": "wav"}},
            ],
        },
        {
            "type": "function_call",
            "call_id": "call_9",
            "name": "Weather",
            "arguments": '{"city": "Paris"}',
        },
        {"type": "function_call_output", "call_id": "call_9", "output": "21C"},
    ]


def test_request_features_in_responses_form(emulator: OpenRouterEmulator) -> None:
    model = responses_model(
        emulator,
        max_tokens=300,
        temperature=0.2,
        top_p=0.9,
        reasoning={"effort": "low"},
        openrouter_provider={"order": ["openai"]},
        models=["openai/gpt-4.1-mini"],
        plugins=[{"id": "file-parser", "pdf": {"engine": "native"}}],
        preset="my-preset",
        verbosity="low",
    )
    bound = model.bind_tools([Weather, {"type": "openrouter:web_search"}], tool_choice="Weather")
    bound.invoke("weather?")
    body = sent(emulator)
    assert body["max_output_tokens"] == 300
    assert "max_tokens" not in body
    assert (body["temperature"], body["top_p"]) == (0.2, 0.9)
    assert body["reasoning"] == {"effort": "low"}
    assert body["include"] == ["reasoning.encrypted_content"]
    assert body["provider"] == {"order": ["openai"]}
    assert body["models"] == ["openai/gpt-4.1-mini"]
    assert body["plugins"] == [{"id": "file-parser", "pdf": {"engine": "native"}}]
    assert body["preset"] == "my-preset"
    assert body["text"] == {"verbosity": "low"}
    assert body["tools"][0]["type"] == "function"
    assert body["tools"][0]["name"] == "Weather"
    assert body["tools"][0]["parameters"]["properties"] == {"city": {"type": "string"}}
    assert body["tools"][1] == {"type": "openrouter:web_search"}
    assert body["tool_choice"] == {"type": "function", "name": "Weather"}


def test_reasoning_effort_shorthand(emulator: OpenRouterEmulator) -> None:
    responses_model(emulator, reasoning_effort="high").invoke("q")
    assert sent(emulator)["reasoning"] == {"effort": "high"}
    assert sent(emulator)["include"] == ["reasoning.encrypted_content"]
    responses_model(emulator).invoke("q")
    assert "include" not in sent(emulator)


def test_structured_output_is_text_format(emulator: OpenRouterEmulator) -> None:
    emulator.enqueue(ResponsesReply(text='{"city": "Paris"}'), path=RESPONSES_PATH)
    model = responses_model(emulator)
    parsed = model.with_structured_output(Weather, method="json_schema", strict=True).invoke("q")
    assert parsed == Weather(city="Paris")
    text_format = sent(emulator)["text"]["format"]
    assert (text_format["type"], text_format["name"], text_format["strict"]) == (
        "json_schema",
        "Weather",
        True,
    )
    assert text_format["schema"]["properties"] == {"city": {"type": "string"}}


def test_cache_point_becomes_prompt_cache_breakpoint(emulator: OpenRouterEmulator) -> None:
    content = [
        {"type": "text", "text": "long document"},
        cache_point(),
        {"type": "text", "text": "question"},
    ]
    responses_model(emulator, model="anthropic/claude-sonnet-4.5").invoke([HumanMessage(content)])
    parts = sent(emulator)["input"][0]["content"]
    assert parts[0] == {
        "type": "input_text",
        "text": "long document",
        "prompt_cache_breakpoint": {"mode": "explicit"},
    }
    assert parts[1] == {"type": "input_text", "text": "question"}


@pytest.mark.parametrize(
    ("kwargs", "named"),
    [
        ({"stop": ["END"]}, "stop"),
        ({"seed": 7}, "seed"),
        ({"logprobs": True}, "logprobs"),
        ({"repetition_penalty": 1.1}, "repetition_penalty"),
        ({"transforms": ["middle-out"]}, "transforms"),
        ({"store": True}, "store=True"),
        ({"previous_response_id": "resp_1"}, "previous_response_id"),
        (
            {
                "cache_tool_definitions": True,
                "tools": [{"type": "function", "function": {"name": "f", "parameters": {}}}],
            },
            "cache_tool_definitions",
        ),
        ({"cache_messages": "1h"}, "ttl='1h'"),
    ],
)
def test_what_responses_cannot_take_fails_before_sending(
    emulator: OpenRouterEmulator, kwargs: dict[str, Any], named: str
) -> None:
    model = responses_model(emulator, model="anthropic/claude-sonnet-4.5")
    with pytest.raises(InvalidArgumentError, match=named) as caught:
        model.invoke("q", **kwargs)
    assert "use_responses_api" in str(caught.value) or "Responses API" in str(caught.value)
    with pytest.raises(InvalidArgumentError, match=named):
        list(model.stream("q", **kwargs))
    assert emulator.requests == []


def test_several_choices_are_refused(emulator: OpenRouterEmulator) -> None:
    with pytest.raises(InvalidArgumentError, match=r"n is not available"):
        responses_model(emulator).invoke("q", n=2)
    assert emulator.requests == []


# --- failures ------------------------------------------------------------------------------


def test_http_errors_are_retried(emulator: OpenRouterEmulator) -> None:
    emulator.enqueue(
        HTTPError(status=503, retry_after=0), ResponsesReply(text="ok"), path=RESPONSES_PATH
    )
    assert responses_model(emulator, max_retries=1).invoke("q").content == "ok"
    assert len(emulator.requests) == 2


def test_failed_response_is_a_typed_error(emulator: OpenRouterEmulator) -> None:
    emulator.enqueue(ResponseFailed(), ResponseFailed(), path=RESPONSES_PATH)
    with pytest.raises(OpenRouterServerError) as caught:
        responses_model(emulator, max_retries=1).invoke("q")
    assert caught.value.error_type == "provider_unavailable"
    assert len(emulator.requests) == 2  # provider_unavailable is retryable


def test_failed_event_mid_stream(emulator: OpenRouterEmulator) -> None:
    emulator.enqueue(
        ResponseFailed(after_events=4, reply=ResponsesReply(text="partial text here")),
        path=RESPONSES_PATH,
    )
    received: list[str] = []
    with pytest.raises(OpenRouterServerError, match="Provider returned error"):
        received.extend(
            chunk.text for chunk in responses_model(emulator, max_retries=2).stream("q")
        )
    assert "".join(received) == "partial "
    assert len(emulator.requests) == 1  # never replayed once content has arrived


def test_error_event_mid_stream(emulator: OpenRouterEmulator) -> None:
    emulator.enqueue(ResponsesErrorEvent(after_events=4), path=RESPONSES_PATH)
    with pytest.raises(OpenRouterRateLimitError):
        list(responses_model(emulator, max_retries=2).stream("q"))
    assert len(emulator.requests) == 1


def test_error_as_first_event_is_retried(
    emulator: OpenRouterEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(_retry, "BACKOFF_INITIAL", 0.0)
    monkeypatch.setattr(_retry, "JITTER", 0.0)
    emulator.enqueue(
        ResponsesErrorEvent(after_events=0), ResponsesReply(text="ok"), path=RESPONSES_PATH
    )
    model = responses_model(emulator, max_retries=1)
    assert "".join(chunk.text for chunk in model.stream("q")) == "ok"
    assert len(emulator.requests) == 2


def test_error_status_on_plain_request(emulator: OpenRouterEmulator) -> None:
    emulator.enqueue(ResponsesErrorEvent(), path=RESPONSES_PATH)
    with pytest.raises(OpenRouterRateLimitError):
        responses_model(emulator, max_retries=0).invoke("q")


@pytest.mark.parametrize("drop", [False, True])
def test_truncated_stream(emulator: OpenRouterEmulator, *, drop: bool) -> None:
    emulator.enqueue(
        TruncatedResponses(
            after_events=4, drop=drop, reply=ResponsesReply(text="partial text here")
        ),
        path=RESPONSES_PATH,
    )
    received: list[str] = []
    expected = OpenRouterConnectionError if drop else OpenRouterStreamTruncatedError
    with pytest.raises(expected) as caught:
        received.extend(
            chunk.text for chunk in responses_model(emulator, max_retries=2).stream("q")
        )
    assert "".join(received) == "partial "
    assert caught.value.generation_id is not None
    assert caught.value.generation_id.startswith("resp-")  # named by response.created
    assert len(emulator.requests) == 1


def test_async_truncated_stream(emulator: OpenRouterEmulator) -> None:
    emulator.enqueue(TruncatedResponses(after_events=5), path=RESPONSES_PATH)

    async def run() -> None:
        async for _ in responses_model(emulator).astream("q"):
            pass

    with pytest.raises(OpenRouterStreamTruncatedError):
        asyncio.run(run())


# --- a three-turn tool loop with a reasoning model, stateless ----------------------------


def _turn(n: int) -> ResponsesReply:
    item = reasoning_item(
        summary=f"Step {n}.", encrypted=f"gAAAA-turn-{n}==", item_id=f"rs_turn{n}"
    )
    calls = [function_call("Weather", {"city": f"City{n}"}, f"call_{n}")] if n < 3 else []
    return ResponsesReply(text="Done." if n == 3 else None, reasoning=[item], function_calls=calls)


@pytest.mark.parametrize("streamed", [False, True])
def test_three_turn_tool_loop_replays_reasoning_items_exactly(
    emulator: OpenRouterEmulator, *, streamed: bool
) -> None:
    turns = [_turn(1), _turn(2), _turn(3)]
    emulator.enqueue(*turns, path=RESPONSES_PATH)
    model = responses_model(
        emulator, model="openai/o4-mini", reasoning={"effort": "medium"}
    ).bind_tools([Weather])
    history: list[Any] = [HumanMessage("Weather in City1, then City2?")]
    for _ in range(3):
        reply = reduce(add, model.stream(history)) if streamed else model.invoke(history)
        history.append(reply)
        history += [ToolMessage("sunny", tool_call_id=call["id"]) for call in reply.tool_calls]
    assert history[-1].content == "Done."
    requests = emulator.requests_to(RESPONSES_PATH)
    for n, request in enumerate(requests):
        body = request.body
        assert body["include"] == ["reasoning.encrypted_content"]
        assert body["store"] is False
        replayed = [item for item in body["input"] if item["type"] == "reasoning"]
        assert replayed == [turns[k].reasoning[0] for k in range(n)]
        calls = [
            item["call_id"] for item in body["input"] if item["type"] == "function_call_output"
        ]
        assert calls == [f"call_{k + 1}" for k in range(n)]
    kinds = [item["type"] for item in requests[2].body["input"]]
    assert kinds == ["message", "reasoning", "function_call", "function_call_output"] * 1 + [
        "reasoning",
        "function_call",
        "function_call_output",
    ]


def test_claude_reasoning_replays_signed_text(emulator: OpenRouterEmulator) -> None:
    emulator.enqueue(
        ResponsesReply(text="Paris.", reasoning=[CLAUDE_REASONING]), path=RESPONSES_PATH
    )
    model = responses_model(
        emulator,
        model="anthropic/claude-sonnet-4.5",
        reasoning={"max_tokens": 1024},
        max_tokens=2048,
    )
    first = model.invoke("Which city?")
    model.invoke([HumanMessage("Which city?"), first, HumanMessage("Why?")])
    replayed = [item for item in sent(emulator)["input"] if item["type"] == "reasoning"]
    assert replayed == [CLAUDE_REASONING]


def test_chat_history_reasoning_goes_to_responses(emulator: OpenRouterEmulator) -> None:
    """A turn answered on chat completions replays on the Responses path (one contract)."""
    details = openai_reasoning("S", encrypted="E")  # what chat completions gives
    earlier = AIMessage("A", additional_kwargs={"reasoning_details": details})
    responses_model(emulator).invoke([HumanMessage("Q"), earlier, HumanMessage("Q2")])
    assert sent(emulator)["input"][1] == {
        "type": "reasoning",
        "id": "rs_emulator",
        "summary": [{"type": "summary_text", "text": "S"}],
        "format": "openai-responses-v1",
        "encrypted_content": "E",
    }


def test_chat_anthropic_details_become_one_item_per_signature(emulator: OpenRouterEmulator) -> None:
    second = {**anthropic_reasoning("B", "S2")[0], "index": 1}
    details = [*anthropic_reasoning("A", "S1"), second]
    earlier = AIMessage("ok", additional_kwargs={"reasoning_details": details})
    responses_model(emulator).invoke([HumanMessage("Q"), earlier, HumanMessage("Q2")])
    items = [item for item in sent(emulator)["input"] if item["type"] == "reasoning"]
    assert items == [
        {
            "type": "reasoning",
            "id": f"rs_local_1_{n}",
            "summary": [],
            "format": "anthropic-claude-v1",
            "content": [{"type": "reasoning_text", "text": text}],
            "signature": signature,
        }
        for n, (text, signature) in enumerate((("A", "S1"), ("B", "S2")))
    ]


def test_chat_message_roles(emulator: OpenRouterEmulator) -> None:
    responses_model(emulator).invoke(
        [
            ChatMessage(role="developer", content="Rules."),
            ChatMessage(role="assistant", content="Hi."),
            HumanMessage("Q"),
        ]
    )
    kinds = [(item["type"], item["role"]) for item in sent(emulator)["input"]]
    assert kinds == [("message", "developer"), ("message", "assistant"), ("message", "user")]
    with pytest.raises(ValueError, match="role 'critic' cannot be sent"):
        responses_model(emulator).invoke([ChatMessage(role="critic", content="x")])


def test_reasoning_text_wins_over_summary_in_both_paths(emulator: OpenRouterEmulator) -> None:
    both = reasoning_item(
        text="Thinking in full.", summary="In short.", signature="Sig==", item_id="rs_b"
    )
    reply = ResponsesReply(text="ok", reasoning=[both, OPENAI_REASONING])
    emulator.enqueue(reply, reply, path=RESPONSES_PATH)
    model = responses_model(emulator)
    invoked = model.invoke("q")
    streamed = reduce(add, model.stream("q"))
    expected = "Thinking in full.Compare the two cities."
    assert invoked.additional_kwargs["reasoning_content"] == expected
    assert streamed.additional_kwargs["reasoning_content"] == expected
    assert (
        streamed.additional_kwargs["reasoning_details"]
        == invoked.additional_kwargs["reasoning_details"]
    )


def test_generated_images_as_on_the_chat_path(emulator: OpenRouterEmulator) -> None:
    png = base64.b64encode(b"\x89PNG fake").decode()
    reply = ResponsesReply(text="Here it is.", images=[png])
    emulator.enqueue(reply, reply, path=RESPONSES_PATH)
    model = responses_model(emulator, modalities=["image", "text"])
    invoked = model.invoke("draw")
    streamed = reduce(add, model.stream("draw"))
    expected = [{"type": "image_url", "image_url": {"url": f"data:image/png;base64,{png}"}}]
    assert invoked.additional_kwargs["images"] == expected
    assert streamed.additional_kwargs["images"] == expected
    assert sent(emulator)["modalities"] == ["image", "text"]
    image_blocks = [block for block in invoked.content_blocks if block["type"] == "image"]
    assert image_blocks == [{"type": "image", "base64": png, "mime_type": "image/png"}]


@pytest.mark.parametrize(
    ("kwargs", "named"),
    [
        ({"stop": ["END"]}, "stop"),
        ({"seed": 1}, "seed"),
        ({"n": 2}, "n is not"),
        ({"model_kwargs": {"store": True}}, "store=True"),
        ({"model_kwargs": {"previous_response_id": "resp_1"}}, "previous_response_id"),
    ],
)
def test_what_responses_cannot_take_fails_at_construction(
    emulator: OpenRouterEmulator, kwargs: dict[str, Any], named: str
) -> None:
    with pytest.raises(ValueError, match=named):
        responses_model(emulator, **kwargs)
    emulator.chat_model(**kwargs)  # fine on chat completions
    assert emulator.requests == []
