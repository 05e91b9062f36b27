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
    return RecordedRequest(request.method, path, query, headers, body)


def _response(
    plan: Plan, request: httpx2.Request, body: httpx2.SyncByteStream | httpx2.AsyncByteStream
) -> httpx2.Response:
    if plan.parts[:1] and isinstance(plan.parts[0], Drop):
        raise httpx2.RemoteProtocolError(_NO_RESPONSE, request=request)
    return httpx2.Response(plan.status, headers=plan.headers, stream=body, request=request)


class _PlanBody(httpx2.SyncByteStream):
    def __init__(self, plan: Plan, request: httpx2.Request) -> None:
        self._plan = plan
        self._request = request

    def __iter__(self) -> Iterator[bytes]:
        for part in self._plan.parts:
            if isinstance(part, Drop):
                raise httpx2.RemoteProtocolError(_CUT_BODY, request=self._request)
            if isinstance(part, bytes):
                yield part
            else:
                time.sleep(part)


class _AsyncPlanBody(httpx2.AsyncByteStream):
    def __init__(self, plan: Plan, request: httpx2.Request) -> None:
        self._plan = plan
        self._request = request

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for part in self._plan.parts:
            if isinstance(part, Drop):
                raise httpx2.RemoteProtocolError(_CUT_BODY, request=self._request)
            if isinstance(part, bytes):
                yield part
            else:
                await asyncio.sleep(part)


class InProcessTransport(httpx2.BaseTransport):
    """A sync httpx2 transport that asks the emulator instead of opening a socket."""

    def __init__(self, serve: Serve, root: str) -> None:
        self._serve = serve
        self._root = root

    def handle_request(self, request: httpx2.Request) -> httpx2.Response:
        """The emulator's answer to ``request``."""
        plan = self._serve(recorded(request, self._root))
        time.sleep(plan.delay)
        return _response(plan, request, _PlanBody(plan, request))


class AsyncInProcessTransport(httpx2.AsyncBaseTransport):
    """An async httpx2 transport that asks the emulator instead of opening a socket."""

    def __init__(self, serve: Serve, root: str) -> None:
        self._serve = serve
        self._root = root

    async def handle_async_request(self, request: httpx2.Request) -> httpx2.Response:
        """The emulator's answer to ``request``."""
        await request.aread()
        plan = self._serve(recorded(request, self._root))
        await asyncio.sleep(plan.delay)
        return _response(plan, request, _AsyncPlanBody(plan, request))
