"""A minimal HTTP/1.1 server on asyncio, run in a thread of its own.

It reads requests (``Content-Length`` bodies, keep-alive), records each one, asks a
callback for a :class:`~._replies.Plan` and writes it: plain bodies with a length,
streams with chunked transfer encoding so that pauses and cut connections happen where
the plan puts them. It counts connections as the server sees them, which is how tests
tell that a client closed what it opened.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import threading
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlsplit

from langchain_openrouter.testing._replies import Drop

if TYPE_CHECKING:
    from collections.abc import Callable

    from langchain_openrouter.testing._replies import Plan

_MAX_HEAD = 64 * 1024
_POLL = 0.01
_REASONS = {status.value: status.phrase for status in HTTPStatus} | {524: "A Timeout Occurred"}
_ids = itertools.count(1)


@dataclass(frozen=True)
class RecordedRequest:
    """One request as the emulator received it."""

    method: str
    path: str
    """The path below the API root, such as ``/chat/completions``."""
    query: dict[str, str]
    headers: dict[str, str] = field(repr=False)
    """Header names are lower-case. Kept out of ``repr``: they carry the API key."""
    raw_body: bytes = field(repr=False)
    generation_id: str = field(default_factory=lambda: f"gen-emulator-{next(_ids)}")
    url: str = ""
    """The full URL requested, host included (from the ``Host`` header over the socket)."""
    extensions: dict[str, Any] = field(default_factory=dict, repr=False)
    """The client's httpx2 request extensions, such as ``timeout`` (in process only)."""

    @property
    def body(self) -> Any:
        """The JSON body (``None`` when there is none or it is not JSON)."""
        try:
            return json.loads(self.raw_body) if self.raw_body else None
        except ValueError:
            return None

    @property
    def stream(self) -> bool:
        """Whether the client asked for an SSE stream."""
        body = self.body
        return isinstance(body, dict) and body.get("stream") is True

    @property
    def model(self) -> str | None:
        """The requested model slug."""
        body = self.body
        model = body.get("model") if isinstance(body, dict) else None
        return model if isinstance(model, str) else None

    @property
    def prompt_tokens(self) -> int:
        """A rough token count of the request's messages (4 characters a token)."""
        body = self.body
        messages = (body.get("messages") or body.get("input")) if isinstance(body, dict) else None
        return max(1, len(json.dumps(messages or [])) // 4)


@dataclass
class ConnectionStats:
    """Connections as the server sees them."""

    open: int = 0
    peak: int = 0
    total: int = 0
    cut_short: int = 0
    """Responses the client went away from before they were fully written."""

    def opened(self) -> None:
        self.open += 1
        self.total += 1
        self.peak = max(self.peak, self.open)

    def closed(self) -> None:
        self.open -= 1


class _ClientGone(Exception):  # noqa: N818 - a signal, not an error
    """The client closed the connection while a response was being written."""


class HTTPServerThread:
    """The server, its event loop and the thread it runs in."""

    def __init__(
        self,
        respond: Callable[[RecordedRequest], Plan],
        record: Callable[[RecordedRequest], None],
        root: str,
    ) -> None:
        self._respond = respond
        self._record = record
        self._root = root
        self.stats = ConnectionStats()
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._server: asyncio.Server | None = None
        self._handlers: set[asyncio.Task[None]] = set()

    def start(self, host: str, port: int) -> tuple[str, int]:
        """Start serving; the bound address."""
        self._thread.start()
        starting = asyncio.start_server(self._serve, host, port, backlog=2048)
        self._server = asyncio.run_coroutine_threadsafe(starting, self._loop).result()
        address: tuple[str, int] = self._server.sockets[0].getsockname()[:2]
        return address

    def stop(self) -> None:
        """Close every connection and stop the thread."""
        if self._server is None:
            return
        asyncio.run_coroutine_threadsafe(self._shutdown(), self._loop).result()
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join()
        self._loop.close()
        self._server = None

    async def _shutdown(self) -> None:
        assert self._server is not None  # noqa: S101 - only called once started
        self._server.close()
        for task in list(self._handlers):
            task.cancel()
        await asyncio.gather(*self._handlers, return_exceptions=True)

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None  # noqa: S101 - always inside a task
        self._handlers.add(task)
        self.stats.opened()
        try:
            while await self._serve_one(reader, writer):
                pass
        except (_ClientGone, ConnectionError, asyncio.IncompleteReadError):
            pass
        except asyncio.CancelledError:  # the server is stopping: end quietly
            pass
        finally:
            writer.transport.abort()
            self.stats.closed()
            self._handlers.discard(task)

    async def _serve_one(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> bool:
        """Answer one request; whether the connection stays open for another."""
        try:
            head = await reader.readuntil(b"\r\n\r\n")
        except asyncio.IncompleteReadError:
            return False
        if len(head) > _MAX_HEAD:
            return False
        try:
            method, target, headers = _parse_head(head)
        except ValueError:  # not HTTP (two clients writing to one socket garble it)
            return False
        body = await reader.readexactly(int(headers.get("content-length", "0")))
        url = urlsplit(target)
        path = url.path.removeprefix(self._root) or "/"
        query = dict(parse_qsl(url.query))
        full_url = f"http://{headers.get('host', '')}{target}"
        request = RecordedRequest(method, path, query, headers, body, url=full_url)
        self._record(request)
        plan = self._respond(request)
        return (
            await _write_plan(reader, writer, plan, self.stats)
            and headers.get("connection") != "close"
        )


def _parse_head(head: bytes) -> tuple[str, str, dict[str, str]]:
    lines = head.decode("latin-1").split("\r\n")
    method, target, _ = lines[0].split(" ", 2)
    headers = {}
    for line in lines[1:]:
        if ":" in line:
            name, value = line.split(":", 1)
            headers[name.strip().lower()] = value.strip()
    return method, target, headers


async def _pause(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, seconds: float
) -> None:
    """Wait, noticing a client that hangs up meanwhile (a cancelled request)."""
    deadline = asyncio.get_running_loop().time() + seconds
    while (left := deadline - asyncio.get_running_loop().time()) > 0:
        if reader.at_eof() or writer.transport.is_closing():
            raise _ClientGone
        await asyncio.sleep(min(left, _POLL))


async def _write_plan(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, plan: Plan, stats: ConnectionStats
) -> bool:
    """Write a plan; ``False`` when it cut the connection."""
    try:
        await _pause(reader, writer, plan.delay)
    except _ClientGone:
        stats.cut_short += 1
        raise
    if plan.parts[:1] and isinstance(plan.parts[0], Drop):
        return False
    headers = dict(plan.headers)
    if plan.streamed:
        headers["transfer-encoding"] = "chunked"
    elif plan.close_delimited:
        headers["connection"] = "close"
    else:
        headers["content-length"] = str(sum(len(p) for p in plan.parts if isinstance(p, bytes)))
    reason = _REASONS.get(plan.status, "Unknown")
    head = [f"HTTP/1.1 {plan.status} {reason}", *(f"{k}: {v}" for k, v in headers.items())]
    writer.write(("\r\n".join(head) + "\r\n\r\n").encode("latin-1"))
    try:
        return await _write_parts(reader, writer, plan)
    except (ConnectionError, _ClientGone):
        stats.cut_short += 1
        raise _ClientGone from None


async def _write_parts(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, plan: Plan
) -> bool:
    for part in plan.parts:
        if isinstance(part, Drop):
            await writer.drain()
            return False
        if not isinstance(part, bytes):
            await writer.drain()
            await _pause(reader, writer, part)
            continue
        writer.write(b"%x\r\n%s\r\n" % (len(part), part) if plan.streamed else part)
        if writer.transport.is_closing():
            raise _ClientGone
        await writer.drain()
    if plan.streamed:
        writer.write(b"0\r\n\r\n")
    await writer.drain()
    return not plan.close_delimited
