"""The emulator without a socket: httpx2 transports that answer from the same replies.

As ``httpx2.MockTransport`` does, they hand each request straight to the emulator and
turn its :class:`~._replies.Plan` into a response: bodies as written, pauses as sleeps
while the body is read, and a cut connection as the ``RemoteProtocolError`` httpx2
raises when a real server hangs up.
"""

from __future__ import annotations

import asyncio
import time
from typing import TYPE_CHECKING

import httpx2

from langchain_openrouter.testing._replies import Drop
from langchain_openrouter.testing._server import RecordedRequest

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Callable, Iterator

    from langchain_openrouter.testing._replies import Plan

    Serve = Callable[[RecordedRequest], Plan]

_NO_RESPONSE = "Server disconnected without sending a response."
_CUT_BODY = "peer closed connection without sending complete message body"


def recorded(request: httpx2.Request, root: str) -> RecordedRequest:
    """An httpx2 request as the emulator records one arriving on its socket."""
    body = request.read()
    path = request.url.path.removeprefix(root) or "/"
    query = dict(request.url.params.multi_items())
    headers = {name.lower(): value for name, value in request.headers.items()}
    return RecordedRequest(
        request.method,
        path,
        query,
        headers,
        body,
        url=str(request.url),
        extensions=dict(request.extensions),
    )


class _PlanBody(httpx2.SyncByteStream, httpx2.AsyncByteStream):
    """A plan's body parts, read with pauses where the plan has them."""

    def __init__(self, plan: Plan, request: httpx2.Request) -> None:
        self._plan = plan
        self._request = request

    def _parts(self) -> Iterator[bytes | float]:
        """Body bytes and pauses; a cut connection raises where the plan cuts it."""
        for part in self._plan.parts:
            if isinstance(part, Drop):
                raise httpx2.RemoteProtocolError(_CUT_BODY, request=self._request)
            yield part

    def __iter__(self) -> Iterator[bytes]:
        for part in self._parts():
            if isinstance(part, bytes):
                yield part
            else:
                time.sleep(part)

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for part in self._parts():
            if isinstance(part, bytes):
                yield part
            else:
                await asyncio.sleep(part)


class InProcessTransport(httpx2.BaseTransport, httpx2.AsyncBaseTransport):
    """An httpx2 transport, sync and async, that asks the emulator instead of a socket."""

    def __init__(self, serve: Serve, root: str) -> None:
        self._serve = serve
        self._root = root

    def _response(self, plan: Plan, request: httpx2.Request) -> httpx2.Response:
        if plan.parts[:1] and isinstance(plan.parts[0], Drop):
            raise httpx2.RemoteProtocolError(_NO_RESPONSE, request=request)
        body = _PlanBody(plan, request)
        return httpx2.Response(plan.status, headers=plan.headers, stream=body, request=request)

    def handle_request(self, request: httpx2.Request) -> httpx2.Response:
        """The emulator's answer to ``request``."""
        plan = self._serve(recorded(request, self._root))
        time.sleep(plan.delay)
        return self._response(plan, request)

    async def handle_async_request(self, request: httpx2.Request) -> httpx2.Response:
        """The emulator's answer to ``request``, on the event loop."""
        await request.aread()
        plan = self._serve(recorded(request, self._root))
        await asyncio.sleep(plan.delay)
        return self._response(plan, request)
