"""The emulator in process: the same replies through httpx2 transports, with no socket."""

from __future__ import annotations

import asyncio

import httpx2
import pytest

from langchain_openrouter import OpenRouterConnectionError
from langchain_openrouter.testing import (
    EMULATOR_API_KEY,
    Completion,
    DropConnection,
    HTTPError,
    JSONReply,
    OpenRouterEmulator,
    StreamShape,
    TruncatedStream,
)


def test_invoke_is_answered_and_recorded_without_a_socket() -> None:
    emulator = OpenRouterEmulator()
    emulator.enqueue(HTTPError(status=503, retry_after=0), Completion(content="Hi!"))
    model = emulator.chat_model(model="anthropic/claude-sonnet-4.5", max_retries=1)
    assert model.invoke("Hello").content == "Hi!"
    assert [r.path for r in emulator.requests] == ["/chat/completions"] * 2
    assert emulator.requests[-1].body["model"] == "anthropic/claude-sonnet-4.5"
    assert emulator.connections.total == 0


def test_stream_pieces_match_the_stream_shape() -> None:
    emulator = OpenRouterEmulator()
    emulator.enqueue(
        Completion(content="abcdef", stream=StreamShape(chunk_size=2, chunk_delay=0.001))
    )
    pieces = [chunk.content for chunk in emulator.chat_model().stream("hi")]
    assert "".join(str(p) for p in pieces) == "abcdef"
    assert pieces[:3] == ["ab", "cd", "ef"]
    assert emulator.requests[0].stream is True


def test_async_stream_and_invoke() -> None:
    emulator = OpenRouterEmulator()
    emulator.enqueue(Completion(content="one"), Completion(content="two", delay=0.001))
    model = emulator.chat_model()

    async def run() -> tuple[str, str]:
        invoked = await model.ainvoke("a")
        streamed = "".join([str(chunk.content) async for chunk in model.astream("b")])
        return str(invoked.content), streamed

    assert asyncio.run(run()) == ("one", "two")


def test_a_dropped_connection_raises_as_over_a_socket() -> None:
    emulator = OpenRouterEmulator()
    emulator.enqueue(DropConnection(), DropConnection(after_chunks=1))
    model = emulator.chat_model(max_retries=0)
    with pytest.raises(OpenRouterConnectionError):
        model.invoke("hi")
    with pytest.raises(OpenRouterConnectionError, match="part-way"):
        list(model.stream("hi"))


def test_a_truncated_stream_raises() -> None:
    emulator = OpenRouterEmulator()
    emulator.enqueue(TruncatedStream(after_chunks=1))
    with pytest.raises(OpenRouterConnectionError):
        list(emulator.chat_model(max_retries=0).stream("hi"))


def test_transports_serve_any_host_and_check_the_key() -> None:
    emulator = OpenRouterEmulator().route("/models", JSONReply(body={"data": []}))
    with httpx2.Client(transport=emulator.transport()) as client:
        listed = client.get(
            "https://anywhere.example/api/v1/models?category=x",
            headers={"Authorization": f"Bearer {EMULATOR_API_KEY}"},
        )
        refused = client.get("https://anywhere.example/api/v1/models")
    assert (listed.status_code, listed.json()) == (200, {"data": []})
    assert refused.status_code == 401
    assert emulator.requests[0].query == {"category": "x"}
    assert emulator.requests[0].headers["authorization"] == f"Bearer {EMULATOR_API_KEY}"


def test_async_transport_answers_unknown_paths_with_404() -> None:
    emulator = OpenRouterEmulator(api_key=None)

    async def get() -> httpx2.Response:
        async with httpx2.AsyncClient(transport=emulator.transport()) as client:
            return await client.get("https://openrouter.ai/api/v1/nowhere")

    response = asyncio.run(get())
    assert response.status_code == 404
    assert "No route for GET /nowhere" in response.text


def test_a_started_emulator_hands_out_socket_models() -> None:
    with OpenRouterEmulator() as emulator:
        emulator.enqueue(Completion(content="over the socket"))
        assert emulator.chat_model().invoke("hi").content == "over the socket"
        assert emulator.connections.total >= 1
