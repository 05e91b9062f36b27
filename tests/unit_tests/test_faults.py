"""The fault matrix: every failure form OpenRouter produces, through all four call paths.

Each row is served by the emulator over a real socket. For each path (invoke, ainvoke,
stream, astream) a test asserts the exception's classes, attributes and message, the
number of requests the server saw with ``max_retries`` 0 and 2, and that the chunks
which reached the caller before a failure are exactly the scripted ones: none lost,
none repeated.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import openai
import pytest
from langchain_core import exceptions as lc

from langchain_openrouter import (
    OpenRouterAuthenticationError,
    OpenRouterBadRequestError,
    OpenRouterConnectionError,
    OpenRouterContextOverflowError,
    OpenRouterError,
    OpenRouterInsufficientCreditsError,
    OpenRouterNotFoundError,
    OpenRouterPermissionDeniedError,
    OpenRouterRateLimitError,
    OpenRouterRequestTimeoutError,
    OpenRouterResponseError,
    OpenRouterServerError,
    OpenRouterTimeoutError,
)
from langchain_openrouter.testing import (
    Completion,
    DropConnection,
    EmptyChoices,
    ErrorIn200,
    FinishError,
    HTTPError,
    Malformed,
    MidStreamError,
    NestedCompletion,
    OpenRouterEmulator,
    Reply,
    StreamShape,
)

if TYPE_CHECKING:
    from collections.abc import Iterator

    from langchain_core.messages import BaseMessage

    from langchain_openrouter import ChatOpenRouter

PATHS = ("invoke", "ainvoke", "stream", "astream")
PARTIAL = Completion(content="abcdefghijklmnop", stream=StreamShape(chunk_size=4))
"""Streams as "abcd", "efgh", "ijkl", "mnop": mid-stream faults cut it after two."""


@dataclass
class Fault:
    """A matrix row: what the server does and what the caller must see."""

    name: str
    reply: Reply
    error: type[OpenRouterError]
    also: tuple[type[BaseException], ...]
    message: str
    retried: bool
    attrs: dict[str, Any] = field(default_factory=dict)
    streamed_before_error: tuple[str, ...] = ()
    """Content chunks a stream delivers before raising (then it is never retried)."""

    def retried_on(self, path: str) -> bool:
        return self.retried and not (path.endswith("stream") and self.streamed_before_error)


MODERATION = {
    "reasons": ["harassment"],
    "flagged_input": "you are...",
    "provider_name": "OpenAI",
    "model_slug": "openai/gpt-4o-mini",
}
UPSTREAM_429 = {
    "raw": "z-ai/glm-5.3-flash is temporarily rate-limited upstream. Please retry shortly",
    "provider_name": "BaseTen",
}
CAPACITY = {
    "code": "temporarily_unavailable",
    "retryable": True,
    "retry_after": 0,
    "requested_models": ["openai/gpt-4o-mini"],
}

FAULTS = [
    Fault(
        "400 invalid request",
        HTTPError(status=400, message="Invalid model specified"),
        OpenRouterBadRequestError,
        (lc.ModelInvalidRequestError, openai.BadRequestError),
        "Invalid model specified (HTTP 400)",
        retried=False,
        attrs={"status_code": 400, "code": "400"},
    ),
    Fault(
        "400 context length",
        HTTPError(
            status=400,
            message="This endpoint's maximum context length is 128000 tokens",
            error_type="context_length_exceeded",
        ),
        OpenRouterContextOverflowError,
        (lc.ContextOverflowError, openai.BadRequestError),
        "maximum context length",
        retried=False,
        attrs={"error_type": "context_length_exceeded"},
    ),
    Fault(
        "401 bad key",
        HTTPError(status=401, message="User not found."),
        OpenRouterAuthenticationError,
        (lc.ModelAuthenticationError, openai.AuthenticationError),
        "User not found. (HTTP 401)",
        retried=False,
        attrs={"status_code": 401},
    ),
    Fault(
        "402 credits",
        HTTPError(
            status=402,
            message="This request requires more credits, or fewer max_tokens.",
            metadata={"provider_name": None},
        ),
        OpenRouterInsufficientCreditsError,
        (openai.APIStatusError,),
        "fewer max_tokens",
        retried=False,
        attrs={"status_code": 402},
    ),
    Fault(
        "403 moderation",
        HTTPError(status=403, message="Input flagged", metadata=MODERATION),
        OpenRouterPermissionDeniedError,
        (lc.ModelPermissionDeniedError, openai.PermissionDeniedError),
        "flagged for harassment",
        retried=False,
        attrs={"provider_name": "OpenAI", "metadata": MODERATION},
    ),
    Fault(
        "404 no endpoints",
        HTTPError(status=404, message="No endpoints found matching your data policy"),
        OpenRouterNotFoundError,
        (lc.ModelNotFoundError, openai.NotFoundError),
        "No endpoints found",
        retried=False,
    ),
    Fault(
        "408 timeout",
        HTTPError(status=408, message="Operation timed out. Please try again later."),
        OpenRouterRequestTimeoutError,
        (lc.ModelTimeoutError, openai.APITimeoutError, openai.APIStatusError),
        "Operation timed out",
        retried=True,
        attrs={"status_code": 408},
    ),
    Fault(
        "429 with Retry-After",
        HTTPError(
            status=429,
            message="Rate limit exceeded",
            error_type="rate_limit_exceeded",
            retry_after=0,
        ),
        OpenRouterRateLimitError,
        (lc.ModelRateLimitError, openai.RateLimitError),
        "Rate limit exceeded (HTTP 429, rate_limit_exceeded)",
        retried=True,
        attrs={"retry_after": 0.0, "error_type": "rate_limit_exceeded", "is_retryable": True},
    ),
    Fault(
        "429 upstream, metadata.raw",
        HTTPError(status=429, metadata=UPSTREAM_429),
        OpenRouterRateLimitError,
        (lc.ModelRateLimitError, openai.RateLimitError),
        "Provider returned error: [BaseTen] z-ai/glm-5.3-flash is temporarily rate-limited",
        retried=True,
        attrs={"provider_name": "BaseTen"},
    ),
    Fault(
        "500 internal",
        HTTPError(status=500, message="Internal Server Error", error_type="server"),
        OpenRouterServerError,
        (lc.ModelAPIError, openai.InternalServerError),
        "Internal Server Error (HTTP 500, server)",
        retried=True,
    ),
    Fault(
        "502 provider",
        HTTPError(status=502),
        OpenRouterServerError,
        (lc.ModelAPIError, openai.InternalServerError),
        "Provider returned error (HTTP 502)",
        retried=True,
    ),
    Fault(
        "503 availability",
        HTTPError(status=503, message="No provider available", availability=CAPACITY),
        OpenRouterServerError,
        (lc.ModelAPIError, openai.InternalServerError),
        "No provider available",
        retried=True,
        attrs={"retry_after": 0},
    ),
    Fault(
        "524 edge timeout",
        HTTPError(status=524, message="A timeout occurred"),
        OpenRouterServerError,
        (lc.ModelAPIError, openai.InternalServerError),
        "HTTP 524",
        retried=True,
    ),
    Fault(
        "529 overloaded",
        HTTPError(status=529, message="Provider overloaded"),
        OpenRouterServerError,
        (lc.ModelAPIError, openai.InternalServerError),
        "HTTP 529",
        retried=True,
    ),
    Fault(
        "200 body with error (retryable)",
        ErrorIn200(code=429, metadata={"raw": "error code: 1015", "provider_name": "Kluster"}),
        OpenRouterRateLimitError,
        (lc.ModelRateLimitError, openai.RateLimitError),
        "Provider returned error: [Kluster] error code: 1015",
        retried=True,
        attrs={"status_code": 429},
    ),
    Fault(
        "200 body with error (final)",
        ErrorIn200(code=400, message="Invalid prompt", error_type="invalid_prompt"),
        OpenRouterBadRequestError,
        (lc.ModelInvalidRequestError,),
        "Invalid prompt (HTTP 400, invalid_prompt)",
        retried=False,
    ),
    Fault(
        "200 with choices null",
        EmptyChoices(),
        OpenRouterResponseError,
        (lc.ModelAPIError, openai.APIError),
        "malformed response",
        retried=True,
    ),
    Fault(
        "mid-stream error chunk",
        MidStreamError(completion=PARTIAL, after_chunks=2),
        OpenRouterServerError,
        (lc.ModelAPIError,),
        "Provider disconnected unexpectedly (HTTP 502, provider_unavailable, generation gen-",
        retried=True,
        streamed_before_error=("abcd", "efgh"),
    ),
    Fault(
        "finish_reason error, no error object",
        FinishError(),
        OpenRouterResponseError,
        (lc.ModelAPIError,),
        "native_finish_reason 'MALFORMED_FUNCTION_CALL'",
        retried=True,
    ),
    Fault(
        "malformed JSON",
        Malformed(),
        OpenRouterResponseError,
        (lc.ModelAPIError,),
        "malformed response: invalid JSON",
        retried=False,
    ),
    Fault(
        "connection dropped before the response",
        DropConnection(),
        OpenRouterConnectionError,
        (lc.ModelConnectionError, openai.APIConnectionError),
        "Could not reach OpenRouter at http://127.0.0.1:",
        retried=True,
    ),
    Fault(
        "connection dropped mid-stream",
        DropConnection(after_chunks=2, completion=PARTIAL),
        OpenRouterConnectionError,
        (lc.ModelConnectionError, openai.APIConnectionError),
        "",  # the message differs by path: checked in test_dropped_stream_message
        retried=True,
        streamed_before_error=("abcd", "efgh"),
    ),
    Fault(
        "client timeout",
        Completion(delay=2.0),
        OpenRouterTimeoutError,
        (lc.ModelTimeoutError, openai.APITimeoutError),
        "timed out",
        retried=True,
        attrs={"error_type": "timeout"},
    ),
]


@dataclass
class Outcome:
    """What a call delivered before it ended, and how it ended."""

    delivered: list[BaseMessage]
    error: BaseException | None

    @property
    def contents(self) -> tuple[str, ...]:
        return tuple(str(message.content) for message in self.delivered if message.content)


def call(model: ChatOpenRouter, path: str, prompt: str = "Hello") -> Outcome:
    """Run one call on ``path``, keeping every chunk that reached the caller."""
    delivered: list[BaseMessage] = []

    async def run_async() -> None:
        if path == "ainvoke":
            delivered.append(await model.ainvoke(prompt))
        else:
            async for chunk in model.astream(prompt):
                delivered.append(chunk)  # noqa: PERF401 - keep what arrived before a failure

    try:
        if path == "invoke":
            delivered.append(model.invoke(prompt))
        elif path == "stream":
            for chunk in model.stream(prompt):
                delivered.append(chunk)  # noqa: PERF402 - keep what arrived before a failure
        else:
            asyncio.run(run_async())
    except OpenRouterError as exc:
        return Outcome(delivered, exc)
    return Outcome(delivered, None)


@pytest.fixture(scope="module")
def emulator() -> Iterator[OpenRouterEmulator]:
    with OpenRouterEmulator() as server:
        yield server


@pytest.fixture(autouse=True)
def fresh(emulator: OpenRouterEmulator, monkeypatch: pytest.MonkeyPatch) -> None:
    emulator.reset()
    monkeypatch.setattr("langchain_openrouter._http.retry.BACKOFF_INITIAL", 0.0)
    monkeypatch.setattr("langchain_openrouter._http.retry.JITTER", 0.0)


def assert_fault(fault: Fault, outcome: Outcome, path: str) -> None:
    error = outcome.error
    assert isinstance(error, fault.error), repr(error)
    assert isinstance(error, lc.ModelError)
    for cls in fault.also:
        assert isinstance(error, cls), cls
    assert fault.message in str(error)
    for name, value in fault.attrs.items():
        assert getattr(error, name) == value, name
    expected = fault.streamed_before_error if path.endswith("stream") else ()
    assert outcome.contents == expected


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize("fault", FAULTS, ids=lambda fault: fault.name)
def test_fault_without_retries(emulator: OpenRouterEmulator, fault: Fault, path: str) -> None:
    emulator.enqueue(fault.reply)
    model = emulator.chat_model(max_retries=0, timeout=0.5)

    outcome = call(model, path)

    assert_fault(fault, outcome, path)
    assert len(emulator.requests) == 1


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize("fault", FAULTS, ids=lambda fault: fault.name)
def test_fault_with_two_retries(emulator: OpenRouterEmulator, fault: Fault, path: str) -> None:
    emulator.enqueue(fault.reply, fault.reply, fault.reply)
    model = emulator.chat_model(max_retries=2, timeout=0.5)

    outcome = call(model, path)

    assert_fault(fault, outcome, path)
    assert len(emulator.requests) == (3 if fault.retried_on(path) else 1)


RECOVERABLE = [fault for fault in FAULTS if fault.retried]


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize("fault", RECOVERABLE, ids=lambda fault: fault.name)
def test_retry_then_success_delivers_once(
    emulator: OpenRouterEmulator, fault: Fault, path: str
) -> None:
    emulator.enqueue(fault.reply, PARTIAL)
    model = emulator.chat_model(max_retries=2, timeout=0.5)

    outcome = call(model, path)

    if fault.retried_on(path):
        assert outcome.error is None
        assert "".join(outcome.contents) == "abcdefghijklmnop"
        assert len(emulator.requests) == 2
    else:  # output already reached the caller: raised, never replayed
        assert isinstance(outcome.error, fault.error)
        assert outcome.contents == fault.streamed_before_error
        assert len(emulator.requests) == 1


@pytest.mark.parametrize("path", ["stream", "astream"])
def test_dropped_stream_message_says_mid_stream(emulator: OpenRouterEmulator, path: str) -> None:
    emulator.enqueue(DropConnection(after_chunks=2, completion=PARTIAL))

    outcome = call(emulator.chat_model(max_retries=3), path)

    message = str(outcome.error)
    assert "dropped the stream of generation gen-emulator-" in message
    assert "not sent again" in message
    assert outcome.error.generation_id.startswith("gen-emulator-")  # type: ignore[union-attr]


@pytest.mark.parametrize("path", PATHS)
def test_nested_completion_is_unwrapped_not_an_error(
    emulator: OpenRouterEmulator, path: str
) -> None:
    emulator.enqueue(NestedCompletion(completion=PARTIAL))

    outcome = call(emulator.chat_model(max_retries=0), path)

    assert outcome.error is None
    assert "".join(outcome.contents) == "abcdefghijklmnop"
