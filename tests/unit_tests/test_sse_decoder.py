"""The lean SSE decoder yields what the openai SDK's own decoder yields, however the bytes
are cut, on the framings SSE allows (LF, CRLF, CR), comments, multi-line data and fields."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

import pytest
from openai._streaming import SSEDecoder

from langchain_openrouter._http.sse import LeanSSEDecoder

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

    from openai._streaming import ServerSentEvent

BODIES = {
    "openrouter": (
        b": OPENROUTER PROCESSING\n\n"
        b'data: {"id":"gen-1","choices":[{"delta":{"content":"h\xc3\xa9llo"}}]}\n\n'
        b": OPENROUTER PROCESSING\n\n"
        b'data: {"id":"gen-1","choices":[{"delta":{"content":" \xe2\x9c\x93"}}]}\n\n'
        b"data: [DONE]\n\n"
    ),
    "crlf": b"data: one\r\n\r\n: comment\r\n\r\ndata: two\r\n\r\ndata: [DONE]\r\n\r\n",
    "cr": b"data: one\r\rdata: two\r\r",
    "multi-line data": b"data: first\ndata: second\ndata:third\n\n",
    "fields": b"event: delta\nid: 7\nretry: 1500\ndata: x\n\nevent: ping\n\n",
    "no space after colon": b"data:{}\n\n",
    "unterminated last event": b"data: one\n\ndata: two",
    "empty data line": b"data:\n\n",
}


def sdk(pieces: list[bytes]) -> list[ServerSentEvent]:
    return list(SSEDecoder().iter_bytes(iter(pieces)))


def same(left: list[ServerSentEvent], right: list[ServerSentEvent]) -> bool:
    def key(event: ServerSentEvent) -> tuple[object, ...]:
        return (event.event, event.data, event.id, event.retry)

    return [key(e) for e in left] == [key(e) for e in right]


@pytest.mark.parametrize("name", BODIES)
@pytest.mark.parametrize("size", [1, 2, 3, 7, 64, 100_000])
def test_events_match_the_sdk_decoders_however_the_bytes_are_cut(name: str, size: int) -> None:
    body = BODIES[name]
    pieces = [body[i : i + size] for i in range(0, len(body), size)]
    expected = sdk([body])
    assert expected  # the oracle sees events in every body
    assert same(list(LeanSSEDecoder().iter_bytes(iter(pieces))), expected)
    assert same(sdk(pieces), expected)


@pytest.mark.parametrize("name", BODIES)
def test_async_decoding_matches_sync(name: str) -> None:
    body = BODIES[name]

    async def pieces() -> AsyncIterator[bytes]:
        for i in range(0, len(body), 5):
            yield body[i : i + 5]

    async def decode() -> list[ServerSentEvent]:
        return [event async for event in LeanSSEDecoder().aiter_bytes(pieces())]

    assert same(asyncio.run(decode()), sdk([body]))


def test_a_comment_only_stream_has_no_events() -> None:
    assert list(LeanSSEDecoder().iter_bytes(iter([b": OPENROUTER PROCESSING\n\n"]))) == []
