"""Sending a chat-completions request: the one seam every call goes through.

Bodies are posted with the ``openai`` SDK's low-level ``post`` and returned as plain
JSON (``cast_to=object``): no SDK request transform and no SDK response model per call
or per chunk. Every failure (HTTP status, transport, timeout, malformed JSON, an error
chunk in the stream) leaves this module as an :class:`OpenRouterError`, and each attempt
runs under the retry policy of :mod:`._retry`. A stream is retried only until its first
event has been read; after that a failure is raised, never replayed. A stream whose body
ends without ``[DONE]`` is followed by :data:`ENDED_WITHOUT_DONE`, so that the reader, who
knows whether a ``finish_reason`` came, can tell a cut stream from a complete one.
"""

from __future__ import annotations

import json
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from typing import TYPE_CHECKING, Any, Final

import httpx2
import openai

from langchain_openrouter._errors import (
    OpenRouterConnectionError,
    OpenRouterError,
    OpenRouterResponseError,
    OpenRouterTimeoutError,
    error_from_openai,
    error_from_payload,
    malformed,
)
from langchain_openrouter._response import checked_completion, json_object, raise_for_failed_choice
from langchain_openrouter._responses_reader import checked_response
from langchain_openrouter._responses_request import RESPONSES_PATH
from langchain_openrouter._responses_stream import raise_for_failure
from langchain_openrouter._retry import async_retrying, retrying

if TYPE_CHECKING:
    from collections.abc import (
        AsyncGenerator,
        AsyncIterator,
        Awaitable,
        Callable,
        Iterator,
        Mapping,
    )

    from langchain_core.callbacks import AsyncCallbackManagerForLLMRun, CallbackManagerForLLMRun
    from openai._streaming import ServerSentEvent

    from langchain_openrouter._clients import Connection
    from langchain_openrouter._payload import Request

PATH = "/chat/completions"
ENDED_WITHOUT_DONE: Final[dict[str, Any]] = {}
"""Yielded, by identity, after the last event of a stream that ended without ``[DONE]``."""


class _EventStream(openai.Stream[object]):
    """The SDK's SSE stream, noting whether ``[DONE]`` arrived (the SDK consumes it).

    ``_iter_events`` is the SDK's one source of decoded events; should it ever be renamed,
    tests/unit_tests/test_truncated_streams.py fails (``[DONE]`` without a finish reason).
    """

    saw_done = False

    def _iter_events(self) -> Iterator[ServerSentEvent]:
        for event in super()._iter_events():
            self.saw_done = event.data.startswith("[DONE]")
            yield event


class _AsyncEventStream(openai.AsyncStream[object]):
    """Async :class:`_EventStream`."""

    saw_done = False

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


def _post_kwargs(request: Request, *, stream: bool, endpoint: Endpoint) -> dict[str, Any]:
    options: dict[str, Any] = {} if request.timeout is None else {"timeout": request.timeout}
    if endpoint.headers:
        options["headers"] = dict(endpoint.headers)
    kwargs: dict[str, Any] = {"cast_to": object, "body": request.body, "options": options}
    if stream:
        kwargs.update(stream=True, stream_cls=_EventStream)
    return kwargs


def _ended_empty() -> OpenRouterResponseError:
    error = malformed("the stream ended before any chunk")
    error.is_retryable = True
    return error


def _checked_first(event: Any) -> Any:
    """The first event, unless it already says the generation failed (then retryable)."""
    if isinstance(event, dict):
        choices = event.get("choices")
        if choices and isinstance(choices[0], dict):
            raise_for_failed_choice(choices[0], event.get("id"))
    return event


def _retried(
    send: Callable[[], object],
    check: Callable[[object], dict[str, Any]],
    max_retries: int,
    run_manager: CallbackManagerForLLMRun | None,
) -> dict[str, Any]:
    """``check(send())`` under the retry policy, every failure translated."""
    for attempt in retrying(max_retries, run_manager):
        with attempt, translated_errors():
            return check(send())
    raise AssertionError  # pragma: no cover - tenacity re-raises the last error


async def _aretried(
    send: Callable[[], Awaitable[object]],
    check: Callable[[object], dict[str, Any]],
    max_retries: int,
    run_manager: AsyncCallbackManagerForLLMRun | None,
) -> dict[str, Any]:
    """Async :func:`_retried`."""
    async for attempt in async_retrying(max_retries, run_manager):
        with attempt, translated_errors():
            return check(await send())
    raise AssertionError  # pragma: no cover


@dataclass(frozen=True)
class Endpoint:
    """Where a generation request goes, and how its answer is checked."""

    path: str
    check: Callable[[object], dict[str, Any]]
    """The whole (non-streamed) body: validated, or the typed error it stands for."""
    check_first: Callable[[Any], Any]
    """A stream's first event: returned, or the (retryable) error it stands for."""
    headers: Mapping[str, str] = field(default_factory=dict)
    """Headers this endpoint's requests carry besides the connection's."""


CHAT: Final = Endpoint(PATH, checked_completion, _checked_first)
RESPONSES: Final = Endpoint(
    RESPONSES_PATH,
    checked_response,
    raise_for_failure,
    # A response object names no provider; the opt-in router metadata does
    # (https://openrouter.ai/docs/guides/features/router-metadata).
    headers={"X-OpenRouter-Metadata": "enabled"},
)
"""OpenRouter's Responses API (https://openrouter.ai/docs/api-reference/responses/overview)."""


def _generation_id(first: object) -> str | None:
    """The id a stream's first event names: a chunk's own, or a ``response.*`` event's."""
    if not isinstance(first, dict):
        return None
    response = first.get("response")
    return first.get("id") or (response.get("id") if isinstance(response, dict) else None)


def complete(
    connection: Connection,
    request: Request,
    run_manager: CallbackManagerForLLMRun | None,
    endpoint: Endpoint = CHAT,
) -> dict[str, Any]:
    """POST a non-streaming request; the validated completion body."""
    client = connection.sync_client()
    kwargs = _post_kwargs(request, stream=False, endpoint=endpoint)
    send = partial(client.post, endpoint.path, **kwargs)
    return _retried(send, endpoint.check, request.max_retries, run_manager)


async def acomplete(
    connection: Connection,
    request: Request,
    run_manager: AsyncCallbackManagerForLLMRun | None,
    endpoint: Endpoint = CHAT,
) -> dict[str, Any]:
    """Async :func:`complete`."""
    client = connection.async_client()
    kwargs = _post_kwargs(request, stream=False, endpoint=endpoint)
    send = partial(client.post, endpoint.path, **kwargs)
    return await _aretried(send, endpoint.check, request.max_retries, run_manager)


def stream(
    connection: Connection,
    request: Request,
    run_manager: CallbackManagerForLLMRun | None,
    endpoint: Endpoint = CHAT,
) -> Iterator[dict[str, Any]]:
    """POST a streaming request; its SSE chunks as dicts. Closes the response when left."""
    client = connection.sync_client()
    kwargs = _post_kwargs(request, stream=True, endpoint=endpoint)
    for attempt in retrying(request.max_retries, run_manager):
        with attempt, translated_errors():
            events = client.post(endpoint.path, **kwargs)
            try:
                first = endpoint.check_first(next(events))
            except StopIteration:
                events.close()
                raise _ended_empty() from None
            except BaseException:
                events.close()
                raise
    generation_id = _generation_id(first)
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
    run_manager: AsyncCallbackManagerForLLMRun | None,
    endpoint: Endpoint = CHAT,
) -> AsyncGenerator[dict[str, Any], None]:
    """Async :func:`stream`."""
    client = connection.async_client()
    kwargs = _post_kwargs(request, stream=True, endpoint=endpoint) | {
        "stream_cls": _AsyncEventStream
    }
    async for attempt in async_retrying(request.max_retries, run_manager):
        with attempt, translated_errors():
            events = await client.post(endpoint.path, **kwargs)
            try:
                first = endpoint.check_first(await events.__anext__())
            except StopAsyncIteration:
                await events.close()
                raise _ended_empty() from None
            except BaseException:
                await events.close()
                raise
    generation_id = _generation_id(first)
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


def checked_json(data: object) -> dict[str, Any]:
    """The response object, or the typed error it stands for.

    Every such endpoint answers ``{"data": ...}``; an HTTP 200 body carrying ``error``
    instead is an error, as on the chat path.
    """
    data = json_object(data)
    if "data" not in data:
        if isinstance(data.get("error"), dict):
            raise error_from_payload(data["error"])
        msg = f"the response has no 'data' (keys: {sorted(data)[:10]})"
        raise malformed(msg)
    return data


def _send_json(client: openai.OpenAI | openai.AsyncOpenAI, request: JsonRequest) -> Any:
    """The SDK call for ``request``: its result, or the awaitable of it for an async client."""
    options: Any = {"params": dict(request.query)} if request.query else {}
    if request.body is None:
        return client.get(request.path, cast_to=object, options=options)
    return client.post(request.path, cast_to=object, body=request.body, options=options)


def fetch_json(connection: Connection, request: JsonRequest, max_retries: int) -> dict[str, Any]:
    """Send ``request`` under the retry policy; the checked response object."""
    client = connection.sync_client()
    return _retried(partial(_send_json, client, request), checked_json, max_retries, None)


async def afetch_json(
    connection: Connection, request: JsonRequest, max_retries: int
) -> dict[str, Any]:
    """Async :func:`fetch_json`."""
    client = connection.async_client()
    send = partial(_send_json, client, request)
    return await _aretried(send, checked_json, max_retries, None)
