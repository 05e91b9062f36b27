"""A stream that ends with neither ``[DONE]`` nor a ``finish_reason`` is an incomplete answer.

A proxy cutting a close-delimited response leaves a body that ends normally; only the
missing terminator tells. Served by the emulator over a real socket, on every call path.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

import pytest
from langchain_core import exceptions as lc

from langchain_openrouter import (
    OpenRouterConnectionError,
    OpenRouterResponseError,
    OpenRouterStreamTruncatedError,
)
from langchain_openrouter.testing import (
    Completion,
    OpenRouterEmulator,
    StreamShape,
    TruncatedStream,
)

if TYPE_CHECKING:
    from collections.abc import Iterator

    from langchain_openrouter import ChatOpenRouter

TEXT = Completion(content="abcdefghijklmnop", stream=StreamShape(chunk_size=4))


@pytest.fixture
def emulator() -> Iterator[OpenRouterEmulator]:
    with OpenRouterEmulator() as server:
        yield server


def collect(model: ChatOpenRouter, path: str, received: list[str]) -> str:
    """Run one call path, noting each chunk's text as it arrives; the whole text."""
    if path == "stream":
        for chunk in model.stream("hi"):
            received.append(chunk.text)  # noqa: PERF401 - noted as it arrives: it raises later
        return "".join(received)
    if path == "invoke":
        return model.invoke("hi").text

    async def run() -> str:
        if path == "ainvoke":
            return (await model.ainvoke("hi")).text
        async for chunk in model.astream("hi"):
            received.append(chunk.text)  # noqa: PERF401 - noted as it arrives: it raises later
        return "".join(received)

    return asyncio.run(run())


PATHS = ("stream", "astream", "invoke", "ainvoke")


@pytest.mark.parametrize("close_delimited", [True, False], ids=["close-delimited", "chunked"])
@pytest.mark.parametrize("path", PATHS)
def test_a_cut_stream_raises_after_the_chunks_it_delivered(
    path: str,
    close_delimited: bool,  # noqa: FBT001 - a pytest parameter
    emulator: OpenRouterEmulator,
) -> None:
    emulator.enqueue(
        TruncatedStream(after_chunks=2, completion=TEXT, close_delimited=close_delimited)
    )
    model = emulator.chat_model(streaming=True, max_retries=2)
    received: list[str] = []

    with pytest.raises(OpenRouterStreamTruncatedError) as caught:
        collect(model, path, received)

    error = caught.value
    assert isinstance(error, OpenRouterConnectionError)
    assert isinstance(error, lc.ModelConnectionError)
    generation_id = emulator.requests[0].generation_id
    assert error.generation_id == generation_id
    assert error.error_type == "stream_truncated"
    assert f"The stream of generation {generation_id} ended before" in str(error)
    assert "The answer is incomplete" in str(error)
    if path in {"stream", "astream"}:
        assert received == ["abcd", "efgh"]  # delivered, and not taken back
    assert len(emulator.requests) == 1  # not retried after the first chunk


@pytest.mark.parametrize("path", PATHS)
def test_a_finish_reason_without_done_is_a_complete_answer(
    path: str, emulator: OpenRouterEmulator
) -> None:
    without_done = Completion(content="abcdefghijklmnop", stream=StreamShape(done=False))
    emulator.enqueue(without_done)
    model = emulator.chat_model(streaming=True)
    assert collect(model, path, []) == "abcdefghijklmnop"


@pytest.mark.parametrize("path", PATHS)
def test_done_without_a_finish_reason_is_a_complete_answer(
    path: str, emulator: OpenRouterEmulator
) -> None:
    emulator.enqueue(TruncatedStream(after_chunks=4, completion=TEXT, then_done=True))
    model = emulator.chat_model(streaming=True)
    assert collect(model, path, []) == "abcdefghijklmnop"


@pytest.mark.parametrize("path", PATHS)
def test_done_ends_a_stream_normally(path: str, emulator: OpenRouterEmulator) -> None:
    emulator.enqueue(TEXT)
    model = emulator.chat_model(streaming=True)
    assert collect(model, path, []) == "abcdefghijklmnop"


def test_a_cut_before_any_chunk_is_retried_as_an_empty_stream(
    emulator: OpenRouterEmulator,
) -> None:
    emulator.enqueue(TruncatedStream(after_chunks=0, completion=TEXT), TEXT)
    model = emulator.chat_model(max_retries=1)
    assert "".join(chunk.text for chunk in model.stream("hi")) == "abcdefghijklmnop"
    assert len(emulator.requests) == 2


def test_a_plain_request_cut_the_same_way_is_malformed(emulator: OpenRouterEmulator) -> None:
    emulator.enqueue(TruncatedStream(completion=TEXT))
    model = emulator.chat_model(max_retries=0)
    with pytest.raises(OpenRouterResponseError, match="malformed response"):
        model.invoke("hi")
