"""The emulator itself: what it serves, records and counts, seen through ChatOpenRouter."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

import httpx2
import pytest

from langchain_openrouter.testing import (
    EMULATOR_API_KEY,
    Completion,
    HTTPError,
    JSONReply,
    OpenRouterEmulator,
    StreamShape,
    anthropic_reasoning,
    gemini_reasoning,
    openai_reasoning,
    tool_call,
    usage,
)

if TYPE_CHECKING:
    from collections.abc import Iterator

    from langchain_core.messages import BaseMessage

CITATION = {
    "type": "url_citation",
    "url_citation": {"url": "https://openrouter.ai/docs", "title": "Docs", "start_index": 0},
}
IMAGE = {"type": "image_url", "image_url": {"url": "data:image/png;base64,iVBORw0KGgo="}}


@pytest.fixture(scope="module")
def emulator() -> Iterator[OpenRouterEmulator]:
    with OpenRouterEmulator() as server:
        yield server


@pytest.fixture(autouse=True)
def fresh(emulator: OpenRouterEmulator) -> None:
    emulator.reset()


def raw_stream(emulator: OpenRouterEmulator, reply: Completion) -> str:
    emulator.enqueue(reply)
    response = httpx2.post(
        f"{emulator.base_url}/chat/completions",
        json={"model": "openai/gpt-4o-mini", "messages": [], "stream": True},
        headers={"authorization": f"Bearer {EMULATOR_API_KEY}"},
    )
    return response.text


def summed(emulator: OpenRouterEmulator, reply: Completion, **kwargs: Any) -> BaseMessage:
    emulator.enqueue(reply)
    chunks = list(emulator.chat_model(**kwargs).stream("hi"))
    total = chunks[0]
    for chunk in chunks[1:]:
        total += chunk
    return total


def without_index(extras: dict[str, Any]) -> dict[str, Any]:
    """Streamed reasoning groups sharing an index are renumbered so LangChain keeps them apart."""
    details = [
        {key: value for key, value in detail.items() if key != "index"}
        for detail in extras.get("reasoning_details", [])
    ]
    return {**extras, "reasoning_details": details}


SCRIPTED = [
    Completion(content="Plain text."),
    Completion(content="", tool_calls=[tool_call("Multiply", {"a": 6, "b": 7}, "call_1")]),
    Completion(content="391", reasoning_details=anthropic_reasoning("17 * 23 = 391")),
    Completion(content="Paris", reasoning_details=openai_reasoning("Recalled the capital")),
    Completion(
        content="",
        reasoning_details=gemini_reasoning("Use the tool", "call_2"),
        tool_calls=[tool_call("lookup", {"q": "x"}, "call_2")],
    ),
    Completion(content="See the docs.", annotations=[CITATION]),
    Completion(content="Here it is.", images=[IMAGE]),
    Completion(content="cached", usage=usage(2000, 3, cached_tokens=1800, cache_write_tokens=0)),
]


@pytest.mark.parametrize("reply", SCRIPTED, ids=lambda reply: str(reply.content)[:12] or "empty")
def test_stream_sums_to_the_same_message_as_invoke(
    emulator: OpenRouterEmulator, reply: Completion
) -> None:
    emulator.enqueue(reply)
    invoked = emulator.chat_model().invoke("hi")
    streamed = summed(emulator, reply)

    assert streamed.content == invoked.content
    assert streamed.tool_calls == invoked.tool_calls  # type: ignore[attr-defined]
    assert without_index(streamed.additional_kwargs) == without_index(invoked.additional_kwargs)
    assert streamed.usage_metadata == invoked.usage_metadata  # type: ignore[attr-defined]
    assert streamed.response_metadata["cost"] == invoked.response_metadata["cost"]


def test_scripted_parts_arrive_intact(emulator: OpenRouterEmulator) -> None:
    reply = Completion(
        content="Answer",
        reasoning_details=anthropic_reasoning("thinking", signature="sig=="),
        annotations=[CITATION],
        usage=usage(100, 10, cached_tokens=80, cache_write_tokens=20, reasoning_tokens=4),
        provider="Amazon Bedrock",
    )
    message = summed(emulator, reply)

    assert message.additional_kwargs["reasoning_details"] == [
        {
            "index": 0,
            "type": "reasoning.text",
            "format": "anthropic-claude-v1",
            "text": "thinking",
            "signature": "sig==",
        }
    ]
    assert message.additional_kwargs["annotations"] == [CITATION]
    assert message.usage_metadata["input_token_details"] == {  # type: ignore[attr-defined]
        "cache_read": 80,
        "cache_creation": 20,
    }
    assert message.response_metadata["provider"] == "Amazon Bedrock"


def test_stream_framing_keepalives_and_usage_last(emulator: OpenRouterEmulator) -> None:
    text = raw_stream(emulator, Completion(content="abcdef", stream=StreamShape(keepalives=3)))

    events = text.split("\n\n")
    assert events[:3] == [": OPENROUTER PROCESSING"] * 3
    assert events[-2:] == ["data: [DONE]", ""]
    assert '"usage"' in events[-3]
    assert '"finish_reason":"stop"' in events[-4]


@pytest.mark.parametrize(
    "shape",
    [
        StreamShape(line_ending="\r\n"),
        StreamShape(fragment_bytes=7),
        StreamShape(usage_choices="empty"),
        StreamShape(keepalives=5, chunk_size=1),
    ],
    ids=["crlf", "fragmented", "docs-usage-chunk", "many-keepalives"],
)
def test_any_stream_shape_gives_the_same_message(
    emulator: OpenRouterEmulator, shape: StreamShape
) -> None:
    message = summed(emulator, Completion(content="Robust framing.", stream=shape))

    assert message.content == "Robust framing."
    assert message.usage_metadata["total_tokens"] > 0  # type: ignore[attr-defined]
    assert message.response_metadata["finish_reason"] == "stop"


def test_default_reply_echoes_and_reports_the_requested_model(
    emulator: OpenRouterEmulator,
) -> None:
    message = emulator.chat_model(model="anthropic/claude-sonnet-4.5").invoke("ping")

    assert message.content == "(OpenRouter emulator) You said: ping"
    assert message.response_metadata["model_name"] == "anthropic/claude-sonnet-4.5"
    assert message.response_metadata["provider"] == "Anthropic"


def test_requests_are_recorded(emulator: OpenRouterEmulator) -> None:
    emulator.chat_model(app_title="My App").invoke("hi", temperature=0.5)

    (request,) = emulator.requests
    assert (request.method, request.path) == ("POST", "/chat/completions")
    assert request.body["temperature"] == 0.5
    assert request.body["messages"] == [{"role": "user", "content": "hi"}]
    assert request.headers["x-title"] == "My App"
    assert request.generation_id.startswith("gen-emulator-")
    assert EMULATOR_API_KEY not in repr(request)


def test_queue_is_served_in_order_then_the_default(emulator: OpenRouterEmulator) -> None:
    emulator.enqueue(Completion(content="one"), Completion(content="two"))
    model = emulator.chat_model()

    assert [model.invoke("x").content for _ in range(3)] == [
        "one",
        "two",
        "(OpenRouter emulator) You said: x",
    ]
    assert emulator.pending == 0


def test_a_function_can_answer_from_the_request(emulator: OpenRouterEmulator) -> None:
    emulator.enqueue(lambda request: Completion(content=str(request.body["max_tokens"])))

    assert emulator.chat_model(max_tokens=42).invoke("x").content == "42"


@pytest.mark.parametrize(
    ("headers", "message"),
    [({}, "No cookie auth"), ({"authorization": "Bearer wrong"}, "User not")],
)
def test_wrong_or_missing_key_gets_openrouters_401(
    emulator: OpenRouterEmulator, headers: dict[str, str], message: str
) -> None:
    response = httpx2.post(f"{emulator.base_url}/chat/completions", json={}, headers=headers)

    assert response.status_code == 401
    assert response.json()["error"]["message"].startswith(message)


def test_other_endpoints_can_be_routed_and_unknown_ones_404(
    emulator: OpenRouterEmulator,
) -> None:
    emulator.route("/key", JSONReply(body={"data": {"label": "test"}}))
    headers = {"authorization": f"Bearer {EMULATOR_API_KEY}"}

    known = httpx2.get(f"{emulator.base_url}/key", headers=headers)
    unknown = httpx2.get(f"{emulator.base_url}/nowhere?x=1", headers=headers)

    assert known.json() == {"data": {"label": "test"}}
    assert unknown.status_code == 404
    assert emulator.requests_to("/nowhere")[0].query == {"x": "1"}


def test_retry_after_header(emulator: OpenRouterEmulator) -> None:
    emulator.enqueue(HTTPError(status=429, retry_after=2.5))
    response = httpx2.post(
        f"{emulator.base_url}/chat/completions",
        json={},
        headers={"authorization": f"Bearer {EMULATOR_API_KEY}"},
    )

    assert response.headers["retry-after"] == "2.5"


def test_base_url_before_start_says_how_to_start() -> None:
    with pytest.raises(RuntimeError, match="context manager or call start"):
        _ = OpenRouterEmulator().base_url


async def test_usable_from_async_code(emulator: OpenRouterEmulator) -> None:
    model = emulator.chat_model()
    answers = await asyncio.gather(*(model.ainvoke(f"n{i}") for i in range(5)))

    assert [a.content for a in answers] == [
        f"(OpenRouter emulator) You said: n{i}" for i in range(5)
    ]
    await model.aclose()
