"""Retries you can see, timeouts in seconds, cancellation that frees connections, load, secrets.

All against the emulator on a real socket, so connections are counted where they live:
on the server.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import TYPE_CHECKING, Any

import httpx2
import pytest
from langchain_core.callbacks import AsyncCallbackHandler, BaseCallbackHandler
from langchain_core.load import dumpd, dumps

from langchain_openrouter import (
    ChatOpenRouter,
    OpenRouterAuthenticationError,
    OpenRouterError,
    OpenRouterTimeoutError,
)
from langchain_openrouter.testing import (
    Completion,
    DropConnection,
    ErrorIn200,
    HTTPError,
    MidStreamError,
    OpenRouterEmulator,
    StreamShape,
)

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

SLOW = Completion(content="x" * 2000, stream=StreamShape(chunk_size=1, chunk_delay=0.02))
"""A stream that would take 40 s to finish: only cancelling ends it early."""


@pytest.fixture
def emulator() -> Iterator[OpenRouterEmulator]:
    with OpenRouterEmulator() as server:
        yield server


@pytest.fixture
def no_backoff(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("langchain_openrouter._http.retry.BACKOFF_INITIAL", 0.0)
    monkeypatch.setattr("langchain_openrouter._http.retry.JITTER", 0.0)


def eventually(condition: Callable[[], bool], timeout: float = 5.0) -> bool:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.01)
    return True


# --- each retry is visible -------------------------------------------------------------


class RetryRecorder(BaseCallbackHandler):
    def __init__(self) -> None:
        self.waits: list[float] = []

    def on_retry(self, retry_state: Any, **_: Any) -> None:
        self.waits.append(retry_state.next_action.sleep)


class AsyncRetryRecorder(AsyncCallbackHandler):
    def __init__(self) -> None:
        self.waits: list[float] = []

    async def on_retry(self, retry_state: Any, **_: Any) -> None:
        self.waits.append(retry_state.next_action.sleep)


@pytest.mark.usefixtures("no_backoff")
@pytest.mark.parametrize("path", ["invoke", "stream"])
def test_each_retry_reaches_on_retry_and_the_debug_log(
    emulator: OpenRouterEmulator, caplog: pytest.LogCaptureFixture, path: str
) -> None:
    emulator.enqueue(HTTPError(status=503, retry_after=0), ErrorIn200(code=502), Completion())
    recorder = RetryRecorder()
    model = emulator.chat_model(max_retries=2)

    with caplog.at_level(logging.DEBUG, logger="langchain_openrouter"):
        if path == "invoke":
            model.invoke("hi", config={"callbacks": [recorder]})
        else:
            list(model.stream("hi", config={"callbacks": [recorder]}))

    assert len(recorder.waits) == 2
    retries = [r for r in caplog.records if "retrying in" in r.getMessage()]
    assert [r.getMessage().split(":")[0] for r in retries] == [
        "OpenRouter request failed (attempt 1",
        "OpenRouter request failed (attempt 2",
    ]
    assert "HTTP 503" in retries[0].getMessage()


@pytest.mark.parametrize("path", ["ainvoke", "astream"])
async def test_async_retries_reach_async_callbacks(emulator: OpenRouterEmulator, path: str) -> None:
    emulator.enqueue(HTTPError(status=429, retry_after=0), Completion(content="ok"))
    recorder = AsyncRetryRecorder()
    model = emulator.chat_model(max_retries=1)
    config: Any = {"callbacks": [recorder]}

    if path == "ainvoke":
        content = (await model.ainvoke("hi", config=config)).content
    else:
        content = "".join(
            [str(chunk.content) async for chunk in model.astream("hi", config=config)]
        )

    assert content == "ok"
    assert recorder.waits == [0.0]


@pytest.mark.parametrize(("hint", "wait"), [(0.25, 0.25), (3600, 60.0)])
def test_retry_after_header_sets_the_wait_capped_at_a_minute(
    emulator: OpenRouterEmulator, monkeypatch: pytest.MonkeyPatch, hint: float, wait: float
) -> None:
    monkeypatch.setattr("tenacity.nap.time.sleep", lambda _seconds: None)
    emulator.enqueue(HTTPError(status=429, retry_after=hint), Completion())
    recorder = RetryRecorder()

    emulator.chat_model(max_retries=1).invoke("hi", config={"callbacks": [recorder]})

    assert recorder.waits == [wait]


def test_without_a_hint_backoff_is_exponential_with_jitter(
    emulator: OpenRouterEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("tenacity.nap.time.sleep", lambda _seconds: None)
    emulator.enqueue(*[HTTPError(status=502)] * 4, Completion())
    recorder = RetryRecorder()

    emulator.chat_model(max_retries=4).invoke("hi", config={"callbacks": [recorder]})

    for attempt, wait in enumerate(recorder.waits):
        base = min(0.5 * 2**attempt, 8.0)
        assert base <= wait <= base + 0.5


@pytest.mark.usefixtures("no_backoff")
def test_auth_errors_are_never_retried(emulator: OpenRouterEmulator) -> None:
    model = emulator.chat_model(api_key="sk-or-v1-wrong", max_retries=5)

    with pytest.raises(OpenRouterAuthenticationError, match=r"User not found\. \(HTTP 401\)"):
        model.invoke("hi")

    assert len(emulator.requests) == 1


# --- timeouts are seconds, per model and per call --------------------------------------


@pytest.mark.parametrize("path", ["invoke", "stream"])
def test_timeout_is_seconds_and_per_call_overrides_it(
    emulator: OpenRouterEmulator, path: str
) -> None:
    emulator.enqueue(Completion(delay=0.5, content="late"), Completion(delay=0.5, content="late"))
    model = emulator.chat_model(timeout=0.1, max_retries=0)

    def run(**kwargs: Any) -> str:
        if path == "invoke":
            return str(model.invoke("hi", **kwargs).content)
        return "".join(str(chunk.content) for chunk in model.stream("hi", **kwargs))

    with pytest.raises(OpenRouterTimeoutError, match="timed out"):
        run()
    assert run(timeout=5) == "late"


# --- cancellation closes the response; the server sees the connection go ---------------


def test_breaking_out_of_a_stream_closes_the_connection(emulator: OpenRouterEmulator) -> None:
    emulator.enqueue(SLOW)
    model = emulator.chat_model(max_retries=0)

    for index, _ in enumerate(model.stream("hi")):
        if index == 2:
            break

    assert eventually(lambda: emulator.connections.open == 0)
    assert emulator.connections.cut_short == 1


def test_closing_a_stream_closes_the_connection(emulator: OpenRouterEmulator) -> None:
    emulator.enqueue(SLOW)
    stream = emulator.chat_model(max_retries=0).stream("hi")
    next(stream), next(stream)

    stream.close()

    assert eventually(lambda: emulator.connections.open == 0)
    assert emulator.connections.cut_short == 1


async def test_closing_an_async_stream_closes_the_connection(
    emulator: OpenRouterEmulator,
) -> None:
    emulator.enqueue(SLOW)
    model = emulator.chat_model(max_retries=0)
    stream = model.astream("hi")
    await stream.__anext__()
    await stream.__anext__()

    await stream.aclose()

    assert await asyncio.to_thread(eventually, lambda: emulator.connections.open == 0)
    assert emulator.connections.cut_short == 1
    await model.aclose()


async def test_cancelling_a_streaming_task_closes_the_connection(
    emulator: OpenRouterEmulator,
) -> None:
    emulator.enqueue(SLOW)
    model = emulator.chat_model(max_retries=0)
    received = asyncio.Event()

    async def consume() -> None:
        async for _ in model.astream("hi"):
            received.set()

    task = asyncio.create_task(consume())
    await received.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task

    assert await asyncio.to_thread(eventually, lambda: emulator.connections.open == 0)
    assert emulator.connections.cut_short == 1
    await model.aclose()


async def test_cancelling_a_waiting_ainvoke_closes_the_connection(
    emulator: OpenRouterEmulator,
) -> None:
    emulator.enqueue(Completion(delay=30))
    model = emulator.chat_model(max_retries=0)

    with pytest.raises(asyncio.TimeoutError):  # not the builtin TimeoutError before 3.11
        await asyncio.wait_for(model.ainvoke("hi"), timeout=0.2)

    assert await asyncio.to_thread(eventually, lambda: emulator.connections.open == 0)
    assert emulator.connections.cut_short == 1
    await model.aclose()


def test_the_pool_is_usable_after_a_cancelled_stream(emulator: OpenRouterEmulator) -> None:
    emulator.enqueue(SLOW, Completion(content="still here"))
    model = emulator.chat_model(max_retries=0)
    for _ in model.stream("hi"):
        break

    assert model.invoke("again").content == "still here"


def test_failed_requests_release_their_connection(emulator: OpenRouterEmulator) -> None:
    failures = [MidStreamError(after_chunks=1), HTTPError(status=400), DropConnection()]
    emulator.enqueue(*failures * 2)
    with httpx2.Client() as client:
        model = emulator.chat_model(http_client=client, max_retries=0)
        for _ in range(6):
            with pytest.raises(OpenRouterError):
                list(model.stream("hi"))

        # A failed response left open would pin its connection while the next request
        # opens another: at most one connection may ever be open at a time.
        assert emulator.connections.peak == 1
        assert emulator.connections.total >= 2
    assert eventually(lambda: emulator.connections.open == 0)


# --- load: 500 concurrent streams --------------------------------------------------------


async def stream_all(model: ChatOpenRouter, count: int) -> list[list[str]]:
    async def one(number: int) -> list[str]:
        return [str(chunk.content) async for chunk in model.astream(f"request {number}")]

    return await asyncio.gather(*(one(number) for number in range(count)))


def assert_complete(results: list[list[str]]) -> None:
    for number, chunks in enumerate(results):
        assert "".join(chunks) == f"(OpenRouter emulator) You said: request {number}"
        assert chunks[-1] == ""  # the final metadata chunk arrives once, last


async def test_500_concurrent_astreams_complete_on_the_shared_pool(
    emulator: OpenRouterEmulator,
) -> None:
    model = emulator.chat_model(max_retries=0)

    results = await stream_all(model, 500)

    assert_complete(results)
    assert len(emulator.requests) == 500
    assert emulator.connections.peak <= 500  # never more than one per stream in flight
    # Idle connections are trimmed to the pool's keep-alive limit (100 for openai's pool).
    assert await asyncio.to_thread(eventually, lambda: emulator.connections.open <= 100)
    await model.aclose()
    assert await asyncio.to_thread(eventually, lambda: emulator.connections.open == 0)


async def test_500_concurrent_astreams_stay_within_a_small_pool(
    emulator: OpenRouterEmulator,
) -> None:
    limits = httpx2.Limits(max_connections=20, max_keepalive_connections=20)
    async with httpx2.AsyncClient(limits=limits, timeout=60) as client:
        model = emulator.chat_model(http_async_client=client, max_retries=0)

        results = await stream_all(model, 500)

    assert_complete(results)
    assert emulator.connections.peak <= 20
    assert emulator.connections.total <= 20


# --- the API key never leaks -------------------------------------------------------------

SECRET = "sk-or-v1-0123456789abcdef0123456789abcdef-leak-canary"  # noqa: S105


@pytest.mark.usefixtures("no_backoff")
def test_the_api_key_appears_nowhere(caplog: pytest.LogCaptureFixture) -> None:
    texts: list[str] = []
    with OpenRouterEmulator(api_key=SECRET) as emulator, caplog.at_level(logging.DEBUG):
        emulator.enqueue(
            HTTPError(status=429, retry_after=0),
            Completion(),
            MidStreamError(after_chunks=1),
            DropConnection(),
            ErrorIn200(code=400, message="bad"),
        )
        model = emulator.chat_model(api_key=SECRET, max_retries=1)
        texts.append(str(model.invoke("hi").content))
        for call in (lambda: list(model.stream("hi")), lambda: model.invoke("hi")):
            with pytest.raises(OpenRouterError) as info:
                call()
            texts += [str(info.value), repr(info.value), repr(info.value.__dict__)]
        wrong = emulator.chat_model(api_key=SECRET + "x", max_retries=0)
        with pytest.raises(OpenRouterAuthenticationError) as denied:
            wrong.invoke("hi")
        texts += [str(denied.value), repr(denied.value)]
        texts += [repr(model), str(model), dumps(model), str(dumpd(model)), str(model.model_dump())]
        texts += [repr(emulator.requests), repr(emulator)]
        assert emulator.requests[0].headers["authorization"] == f"Bearer {SECRET}"
    texts.append(caplog.text)
    assert caplog.records  # the debug logs were captured: the check below means something
    for text in texts:
        assert SECRET not in text
