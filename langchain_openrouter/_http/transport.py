"""Sending a chat-completions request: the one seam every call goes through.

Bodies are sent with the ``openai`` SDK's low-level ``request`` and returned as plain
JSON (``cast_to=object``): no SDK request transform and no SDK response model per call
or per chunk. Every failure (HTTP status, transport, timeout, malformed JSON, an error
chunk in the stream) leaves this module as an :class:`OpenRouterError`, and each attempt
runs under the retry policy of :mod:`.retry`. What a reply means is :mod:`.._response`'s
to say: callers pass its reader, which runs inside the retry loop (a 200 whose body says
the generation failed may be retried). A stream is retried only until its first
event has been read; after that a failure is raised, never replayed. A stream whose body
ends without ``[DONE]`` is followed by :data:`ENDED_WITHOUT_DONE`, so that the reader, who
knows whether a ``finish_reason`` came, can tell a cut stream from a complete one.
Request options are built once per connection and copied per call.
"""

from __future__ import annotations

import json
import weakref
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Any, Final, TypeVar, cast

import httpx2
import openai
from openai._models import FinalRequestOptions

from langchain_openrouter._errors import (
    OpenRouterConnectionError,
    OpenRouterError,
    OpenRouterResponseError,
    OpenRouterTimeoutError,
    error_from_openai,
    malformed,
)
from langchain_openrouter._http.response_headers import HEADERS_KEY, response_header_facts
from langchain_openrouter._http.retry import async_retrying, retrying
from langchain_openrouter._http.sse import LeanSSEDecoder

if TYPE_CHECKING:
    from collections.abc import (
        AsyncGenerator,
        AsyncIterator,
        Awaitable,
        Callable,
        Generator,
        Iterator,
        Mapping,
    )

    from langchain_core.callbacks import AsyncCallbackManagerForLLMRun, CallbackManagerForLLMRun
    from openai._streaming import ServerSentEvent

    from langchain_openrouter._http.connection import Connection

PATH = "/chat/completions"
ENDED_WITHOUT_DONE: Final[dict[str, Any]] = {}
"""Yielded, by identity, after the last event of a stream that ended without ``[DONE]``."""
_T = TypeVar("_T")


@dataclass(frozen=True)
class Request:
    """One chat-completions request: its body and the options of the HTTP exchange."""

    body: dict[str, Any]
    timeout: Any
    max_retries: int
    headers: Mapping[str, str] | None = None
    """Per-request headers (response caching, router metadata); None for none."""
    path: str = PATH
    """The endpoint: chat completions, or the Responses API's ``/responses``."""


class _EventStream(openai.Stream[object]):
    """The SDK's SSE stream, noting whether ``[DONE]`` arrived (the SDK consumes it).

    Its bytes are decoded by :class:`~.sse.LeanSSEDecoder`.

    ``_iter_events`` is the SDK's one source of decoded events; should it ever be renamed,
    tests/unit_tests/test_truncated_streams.py fails (``[DONE]`` without a finish reason).
    """

    saw_done = False

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._decoder = LeanSSEDecoder()

    def _iter_events(self) -> Iterator[ServerSentEvent]:
        events = super()._iter_events()
        for event in events:
            self.saw_done = event.data.startswith("[DONE]")
            if self.saw_done:
                _read_to_end(events)
            yield event


def _read_to_end(events: Iterator[ServerSentEvent]) -> None:
    """Read a finished stream to the end of its body, so that its connection is reused.

    The sync SDK stops reading at ``[DONE]`` and closes the response, and httpx closes a
    connection whose response was not read to the end: every sync stream then paid a new
    connection (a TLS handshake, against OpenRouter). The SDK's ``AsyncStream`` reads on
    after ``[DONE]`` for the same reason; after ``[DONE]`` a body has nothing left but its
    end. A failure there does not fail the completed stream.
    """
    try:
        for _ in events:
            pass
    except openai.APIConnectionError:
        pass


class _AsyncEventStream(openai.AsyncStream[object]):
    """Async :class:`_EventStream`."""

    saw_done = False

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._decoder = LeanSSEDecoder()

    async def _iter_events(self) -> AsyncIterator[ServerSentEvent]:
        async for event in super()._iter_events():
            self.saw_done = event.data.startswith("[DONE]")
            yield event


@contextmanager
def translated_errors(generation_id: str | None = None) -> Iterator[None]:
    """Re-raise any failure of a request as the matching :class:`OpenRouterError`."""
    try:
        yield
    except OpenRouterError:
        raise
    except openai.OpenAIError as exc:
        raise error_from_openai(exc, generation_id) from exc
    except httpx2.TimeoutException as exc:
        msg = f"OpenRouter stopped responding: {exc!r}"
        raise OpenRouterTimeoutError(msg) from exc
    except httpx2.TransportError as exc:
        message = f"The connection to OpenRouter failed: {exc!r}"
        raise OpenRouterConnectionError(message, generation_id=generation_id) from exc
    except json.JSONDecodeError as exc:
        msg = f"invalid JSON ({exc})"
        raise malformed(msg, generation_id) from exc


# The openai SDK's telemetry headers (its OS, architecture, runtime, retry count, read
# timeout) are not among the headers OpenRouter reads
# (https://openrouter.ai/docs/api-reference/overview#headers), and every header costs each
# request a share of httpx's header handling: 9% of an invoke's instructions for these
# nine. Left out unless the user's own headers set them.
_SDK_TELEMETRY_HEADERS: Final = (
    "X-Stainless-Lang",
    "X-Stainless-Package-Version",
    "X-Stainless-OS",
    "X-Stainless-Arch",
    "X-Stainless-Runtime",
    "X-Stainless-Runtime-Version",
    "X-Stainless-Async",
    "X-Stainless-Retry-Count",
    "X-Stainless-Read-Timeout",
)


def _without_sdk_telemetry(own_headers: Mapping[str, str]) -> dict[str, openai.Omit]:
    own = {name.lower() for name in own_headers}
    return {name: openai.Omit() for name in _SDK_TELEMETRY_HEADERS if name.lower() not in own}


_OPTIONS_OF: weakref.WeakKeyDictionary[Connection, FinalRequestOptions] = (
    weakref.WeakKeyDictionary()
)
"""Each connection's request options but for the body, built once.

``client.post`` builds them afresh per call (pydantic deep-copies their defaults, the
telemetry headers are merged in): 5% of an invoke's instructions. ``client.request``
copies the options it is given before it changes anything, so one copy per call, body
added, stands in for them. ``FinalRequestOptions`` is the SDK's own type for them.
"""


def _request_kwargs(connection: Connection, request: Request, *, stream: bool) -> dict[str, Any]:
    """The arguments of the SDK's ``client.request`` for ``request``."""
    template = _OPTIONS_OF.get(connection)
    if template is None:
        headers = _without_sdk_telemetry(connection.headers)
        template = FinalRequestOptions.construct(method="post", url=PATH, headers=headers)
        _OPTIONS_OF[connection] = template
    update: dict[str, Any] = {"json_data": request.body}
    if request.path != PATH:
        update["url"] = request.path
    if request.timeout is not None:
        update["timeout"] = request.timeout
    if request.headers:  # this call's feature headers (response caching, router metadata)
        update["headers"] = {**cast("dict[str, Any]", template.headers), **request.headers}
    options = template.model_copy(update=update)
    # A plain request returns the httpx response itself (the SDK's cheapest path), read
    # by _with_header_facts; a stream keeps its response as `events.response`.
    cast_to = object if stream else httpx2.Response
    kwargs: dict[str, Any] = {"cast_to": cast_to, "options": options}
    if stream:
        kwargs.update(stream=True, stream_cls=_EventStream)
    return kwargs


def _json_body(response: httpx2.Response) -> object:
    """The body as the SDK's ``cast_to=object`` reads it: JSON, else the text."""
    content_type = response.headers.get("content-type", "*").split(";", 1)[0]
    return response.json() if content_type.endswith("json") else response.text


def _with_header_facts(read: Callable[[object], _T]) -> Callable[[object], _T]:
    """``read`` of a plain response's body, the facts its headers carry noted in the body."""

    def read_response(response: object) -> _T:
        if not isinstance(response, httpx2.Response):
            return read(response)
        data = _json_body(response)
        _note_headers(data, response.headers)
        return read(data)

    return read_response


def _note_headers(data: object, headers: Mapping[str, str]) -> None:
    if isinstance(data, dict) and (facts := response_header_facts(headers)) is not None:
        data[HEADERS_KEY] = facts


def _generation_id(first: object) -> str | None:
    """The id a stream's first event names: a chunk's own, or a ``response.*`` event's."""
    if not isinstance(first, dict):
        return None
    response = first.get("response")
    return first.get("id") or (response.get("id") if isinstance(response, dict) else None)


def _ended_empty() -> OpenRouterResponseError:
    error = malformed("the stream ended before any chunk")
    error.is_retryable = True
    return error


def _retried(
    send: Callable[[], object],
    read: Callable[[object], _T],
    max_retries: int,
    run_manager: CallbackManagerForLLMRun | None,
) -> _T:
    """``read(send())`` under the retry policy, every failure translated."""
    for attempt in retrying(max_retries, run_manager):
        with attempt, translated_errors():
            return read(send())
    raise AssertionError  # pragma: no cover - tenacity re-raises the last error


async def _aretried(
    send: Callable[[], Awaitable[object]],
    read: Callable[[object], _T],
    max_retries: int,
    run_manager: AsyncCallbackManagerForLLMRun | None,
) -> _T:
    """Async :func:`_retried`."""
    async for attempt in async_retrying(max_retries, run_manager):
        with attempt, translated_errors():
            return read(await send())
    raise AssertionError  # pragma: no cover


def complete(
    connection: Connection,
    request: Request,
    read: Callable[[object], _T],
    run_manager: CallbackManagerForLLMRun | None,
) -> _T:
    """POST a non-streaming request; ``read`` of the reply body."""
    client = connection.sync_client()
    kwargs = _request_kwargs(connection, request, stream=False)
    send = partial(client.request, **kwargs)
    return _retried(send, _with_header_facts(read), request.max_retries, run_manager)


async def acomplete(
    connection: Connection,
    request: Request,
    read: Callable[[object], _T],
    run_manager: AsyncCallbackManagerForLLMRun | None,
) -> _T:
    """Async :func:`complete`."""
    client = connection.async_client()
    kwargs = _request_kwargs(connection, request, stream=False)
    send = partial(client.request, **kwargs)
    read_all = _with_header_facts(read)
    return await _aretried(send, read_all, request.max_retries, run_manager)


def stream(
    connection: Connection,
    request: Request,
    check_first: Callable[[Any], Any],
    run_manager: CallbackManagerForLLMRun | None,
) -> Generator[dict[str, Any], None, None]:
    """POST a streaming request; its SSE chunks as dicts. Closes the response when left.

    ``check_first`` reads the first event inside the retry loop: it raises for a stream
    that failed before it began.
    """
    client = connection.sync_client()
    kwargs = _request_kwargs(connection, request, stream=True)
    for attempt in retrying(request.max_retries, run_manager):
        with attempt, translated_errors():
            events = client.request(**kwargs)
            try:
                first = check_first(next(events))
            except StopIteration:
                events.close()
                raise _ended_empty() from None
            except BaseException:
                events.close()
                raise
    generation_id = _generation_id(first)
    _note_headers(first, events.response.headers)
    try:
        yield first
        with translated_errors(generation_id):
            yield from events
        if not events.saw_done:
            yield ENDED_WITHOUT_DONE
    finally:
        events.close()


async def astream(
    connection: Connection,
    request: Request,
    check_first: Callable[[Any], Any],
    run_manager: AsyncCallbackManagerForLLMRun | None,
) -> AsyncGenerator[dict[str, Any], None]:
    """Async :func:`stream`."""
    client = connection.async_client()
    kwargs = _request_kwargs(connection, request, stream=True) | {"stream_cls": _AsyncEventStream}
    async for attempt in async_retrying(request.max_retries, run_manager):
        with attempt, translated_errors():
            events = await client.request(**kwargs)
            try:
                first = check_first(await events.__anext__())
            except StopAsyncIteration:
                await events.close()
                raise _ended_empty() from None
            except BaseException:
                await events.close()
                raise
    generation_id = _generation_id(first)
    _note_headers(first, events.response.headers)
    try:
        yield first
        with translated_errors(generation_id):
            async for event in events:
                yield event
        if not events.saw_done:
            yield ENDED_WITHOUT_DONE
    finally:
        await events.close()


# --- other endpoints: one JSON request, one JSON object back ---------------------------


@dataclass(frozen=True)
class JsonRequest:
    """A request to one of OpenRouter's plain JSON endpoints (models, generation, embeddings).

    A ``body`` makes it a POST; without one it is a GET with ``query`` as its parameters.
    """

    path: str
    query: Mapping[str, str] | None = None
    body: dict[str, Any] | None = None


def _send_json(client: openai.OpenAI | openai.AsyncOpenAI, request: JsonRequest) -> Any:
    """The SDK call for ``request``: its result, or the awaitable of it for an async client."""
    options: Any = {"params": dict(request.query)} if request.query else {}
    if request.body is None:
        return client.get(request.path, cast_to=object, options=options)
    return client.post(request.path, cast_to=object, body=request.body, options=options)


def fetch_json(
    connection: Connection, request: JsonRequest, read: Callable[[object], _T], max_retries: int
) -> _T:
    """Send ``request`` under the retry policy; ``read`` of the response body."""
    client = connection.sync_client()
    return _retried(partial(_send_json, client, request), read, max_retries, None)


async def afetch_json(
    connection: Connection, request: JsonRequest, read: Callable[[object], _T], max_retries: int
) -> _T:
    """Async :func:`fetch_json`."""
    client = connection.async_client()
    send = partial(_send_json, client, request)
    return await _aretried(send, read, max_retries, None)
