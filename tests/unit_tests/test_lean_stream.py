"""``stream``/``astream`` keep a running sum, not every chunk, and otherwise behave as core's.

The parity tests run langchain-core's own ``BaseChatModel.stream``/``astream`` and ours on
the same model and the same HTTP replies, and compare what the caller and the callbacks see.
"""

from __future__ import annotations

import gc
import uuid
import warnings
import weakref
from dataclasses import dataclass, field
from functools import reduce
from operator import add
from typing import TYPE_CHECKING, Any

import httpx2
import langchain_core
import pytest
from langchain_core.callbacks import BaseCallbackHandler
from langchain_core.language_models.chat_models import BaseChatModel
from langchain_core.messages import AIMessageChunk
from langchain_core.outputs import ChatGenerationChunk, LLMResult
from langchain_core.rate_limiters import BaseRateLimiter

from langchain_openrouter import ChatOpenRouter
from langchain_openrouter import _flat_memory_stream as _lean_stream
from langchain_openrouter._flat_memory_stream import FOLD_EVERY
from langchain_openrouter.testing import (
    GENERATION_ID,
    JSONReply,
    OpenRouterEmulator,
    RecordedRequest,
    SSEReply,
    chunk,
    completion_body,
    text_stream,
    usage,
)

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Iterator

    from langchain_core.runnables import RunnableConfig

RUN_ID = uuid.UUID("0b5c3bd4-6f5c-4f0e-9d39-3f1c2b8a7e11")
LONG = [f" w{i}" for i in range(3 * FOLD_EVERY + 5)]  # several folds and a partial tail


class Recorder(BaseCallbackHandler):
    """Every LLM callback with its arguments, in order."""

    run_inline = True

    def __init__(self) -> None:
        self.events: list[tuple[Any, ...]] = []

    def on_chat_model_start(self, serialized: Any, messages: Any, **kwargs: Any) -> None:
        self.events.append(("start", serialized, messages, kwargs))

    def on_llm_new_token(self, token: Any, **kwargs: Any) -> None:
        self.events.append(("token", token, kwargs))

    def on_llm_end(self, response: LLMResult, **kwargs: Any) -> None:
        self.events.append(("end", response, kwargs))

    def on_llm_error(self, error: BaseException, **kwargs: Any) -> None:
        self.events.append(("error", type(error), str(error), kwargs))

    def only(self, name: str) -> list[tuple[Any, ...]]:
        return [event for event in self.events if event[0] == name]

    def merged(self) -> AIMessageChunk:
        """The message ``on_llm_end`` was handed."""
        ((_, response, _),) = self.only("end")
        ((generation,),) = response.generations
        assert isinstance(generation, ChatGenerationChunk)
        assert isinstance(generation.message, AIMessageChunk)
        return generation.message


def config_for(recorder: Recorder) -> RunnableConfig:
    return {
        "callbacks": [recorder],
        "run_id": RUN_ID,
        "run_name": "lean",
        "tags": ["t"],
        "metadata": {"caller": "test"},
    }


def run(llm: BaseChatModel, *, core: bool, **kwargs: Any) -> tuple[list[Any], Recorder, Any]:
    """Stream with ours or with core's method: the chunks, the callbacks, the error raised."""
    recorder = Recorder()
    stream = BaseChatModel.stream if core else type(llm).stream
    received: list[Any] = []
    try:
        received.extend(stream(llm, "hi", config_for(recorder), **kwargs))
    except Exception as error:  # noqa: BLE001 - compared below
        return received, recorder, (type(error), str(error))
    return received, recorder, None


async def arun(llm: BaseChatModel, *, core: bool, **kwargs: Any) -> tuple[list[Any], Recorder, Any]:
    """:func:`run` for ``astream``."""
    recorder = Recorder()
    stream = BaseChatModel.astream if core else type(llm).astream
    received: list[Any] = []
    try:
        async for piece in stream(llm, "hi", config_for(recorder), **kwargs):
            received.append(piece)  # noqa: PERF401 - keeps what arrived before an error
    except Exception as error:  # noqa: BLE001 - compared below
        return received, recorder, (type(error), str(error))
    return received, recorder, None


class _Reshaped(ChatOpenRouter):
    """Changes each chunk its ``_stream``/``_astream`` give, to reach paths ours never takes."""

    def reshape(self, piece: ChatGenerationChunk) -> None:
        raise NotImplementedError

    def _stream(self, *args: Any, **kwargs: Any) -> Iterator[ChatGenerationChunk]:
        for piece in super()._stream(*args, **kwargs):
            self.reshape(piece)
            yield piece

    async def _astream(self, *args: Any, **kwargs: Any) -> AsyncIterator[ChatGenerationChunk]:
        async for piece in super()._astream(*args, **kwargs):
            self.reshape(piece)
            yield piece


class _NoLastMarker(_Reshaped):
    """Ends its stream without ``chunk_position="last"``, as other integrations may."""

    def reshape(self, piece: ChatGenerationChunk) -> None:
        piece.message.chunk_position = None  # type: ignore[attr-defined]


class _NoProvider(_Reshaped):
    """No ``model_provider``: v1 output uses core's generic blocks, which have no index."""

    def reshape(self, piece: ChatGenerationChunk) -> None:
        piece.message.response_metadata.pop("model_provider", None)


def _call(arguments: str, **first: Any) -> dict[str, Any]:
    function = {"arguments": arguments, **({"name": first["name"]} if first else {})}
    fragment = {"index": 0, "function": function, **({"id": first["id"]} if first else {})}
    return chunk({"tool_calls": [fragment]})


@dataclass
class Scenario:
    """Scripted replies, model fields, call arguments; ``error`` is what the call must raise."""

    events: list[dict[str, Any]] | None  # None: a completion (the call does not stream)
    fields: dict[str, Any] = field(default_factory=dict)
    kwargs: dict[str, Any] = field(default_factory=dict)
    cls: type[ChatOpenRouter] = ChatOpenRouter
    error: str | None = None


MID_STREAM_ERROR = {
    **chunk({"content": ""}, finish_reason="error"),
    "error": {"code": 502, "message": "Upstream went away", "metadata": {}},
}
FINISH = [
    chunk({"content": ""}, finish_reason="stop", native_finish_reason="stop"),
    chunk({"content": ""}, usage=usage()),
]
LONG_TEXT = [chunk({"content": piece}) for piece in LONG]
MIXED = [
    chunk({"reasoning": "Think", "content": ""}),
    chunk({"reasoning": " more", "content": "Let me check."}),
    _call("", id="call_a", name="get_weather"),
    *[_call(piece) for piece in ('{"city"', ':"Paris"}')],
    *FINISH,
]
SCENARIOS = {
    "long text": Scenario([*LONG_TEXT, *FINISH]),
    "reasoning and tool call": Scenario(MIXED),
    "output_version v1": Scenario(MIXED, {"output_version": "v1"}),
    "v1 blocks without index": Scenario(MIXED, {"output_version": "v1"}, cls=_NoProvider),
    "no last marker": Scenario([*LONG_TEXT, *FINISH], cls=_NoLastMarker),
    "no generation id": Scenario([{**event, "id": None} for event in [*LONG_TEXT, *FINISH]]),
    "per-call arguments": Scenario(
        [*LONG_TEXT[:3], *FINISH],
        kwargs={
            "temperature": 0.5,
            "stop": ["\n"],
            "ls_structured_output_format": {
                "kwargs": {"method": "json_schema"},
                "schema": {"title": "A", "type": "object", "properties": {}},
            },
        },
    ),
    "error mid-stream": Scenario(
        [*LONG_TEXT, MID_STREAM_ERROR], {"max_retries": 0}, error="Upstream went away"
    ),
    "streaming disabled": Scenario(None, {"disable_streaming": True}),
}


def model_for(fake: OpenRouterEmulator, scenario: Scenario) -> ChatOpenRouter:
    """The scenario's model, its replies scripted on ``fake``."""
    if scenario.events is None:
        fake.script(JSONReply(body=completion_body("Hello!")))
    else:
        fake.script(SSEReply(events=scenario.events))
    transport = fake.transport()
    return scenario.cls(
        model="openai/gpt-4o-mini",
        api_key="sk-or-test-key",
        http_client=httpx2.Client(transport=transport),
        http_async_client=httpx2.AsyncClient(transport=transport),
        **scenario.fields,
    )


def check_outcome(scenario: Scenario, received: list[Any], error: Any) -> None:
    """Guards the comparisons against two runs that fail alike."""
    assert received
    if scenario.error is None:
        assert error is None
    else:
        assert error is not None
        assert scenario.error in error[1]


@pytest.mark.parametrize("name", SCENARIOS)
def test_stream_matches_core(fake: OpenRouterEmulator, name: str) -> None:
    scenario = SCENARIOS[name]
    llm = model_for(fake, scenario)
    ours, ours_seen, ours_error = run(llm, core=False, **scenario.kwargs)
    core, core_seen, core_error = run(llm, core=True, **scenario.kwargs)
    check_outcome(scenario, ours, ours_error)
    assert ours == core
    assert ours_seen.events == core_seen.events
    assert ours_error == core_error
    assert ours_seen.only("start")[0][3]["run_id"] == RUN_ID


@pytest.mark.parametrize("name", SCENARIOS)
async def test_astream_matches_core(fake: OpenRouterEmulator, name: str) -> None:
    scenario = SCENARIOS[name]
    llm = model_for(fake, scenario)
    ours, ours_seen, ours_error = await arun(llm, core=False, **scenario.kwargs)
    core, core_seen, core_error = await arun(llm, core=True, **scenario.kwargs)
    check_outcome(scenario, ours, ours_error)
    assert ours == core
    assert ours_seen.events == core_seen.events
    assert ours_error == core_error


def test_paths_the_parity_scenarios_reach(fake: OpenRouterEmulator) -> None:
    """The subclassed scenarios do reach core's closing chunk, run ids and block indexes."""
    closing = run(model_for(fake, SCENARIOS["no last marker"]), core=False)[0][-1]
    assert closing == AIMessageChunk(content="", chunk_position="last", id=f"lc_run--{RUN_ID}")
    unnamed = run(model_for(fake, SCENARIOS["no generation id"]), core=False)[0]
    assert {piece.id for piece in unnamed} == {f"lc_run--{RUN_ID}"}
    v1 = run(model_for(fake, SCENARIOS["v1 blocks without index"]), core=False)[0]
    indexes = [block["index"] for piece in v1 for block in piece.content]
    # reasoning, reasoning, text numbered by type change; tool-call chunks keep their own
    assert indexes == [0, 0, 1, 0, 0, 0]


def test_on_llm_end_gets_the_sum_of_the_chunks(fake: OpenRouterEmulator) -> None:
    fake.script(JSONReply(body=completion_body("".join(LONG))))
    fake.script(text_stream(*LONG))
    llm = fake.chat_model()
    invoked = llm.invoke("hi")
    recorder = Recorder()
    chunks = list(llm.stream("hi", {"callbacks": [recorder]}))
    summed = reduce(add, chunks)
    assert recorder.merged() == summed
    assert summed.content == invoked.content == "".join(LONG)
    assert summed.id == invoked.id == GENERATION_ID
    assert summed.usage_metadata == invoked.usage_metadata  # type: ignore[attr-defined]
    assert summed.response_metadata["finish_reason"] == "stop"
    assert [event[1] for event in recorder.only("token")] == [c.content for c in chunks]


async def test_on_llm_end_gets_the_sum_of_the_chunks_async(fake: OpenRouterEmulator) -> None:
    fake.script(text_stream(*LONG))
    recorder = Recorder()
    chunks = [c async for c in fake.chat_model().astream("hi", {"callbacks": [recorder]})]
    assert recorder.merged() == reduce(add, chunks)
    assert recorder.merged().content == "".join(LONG)


def test_error_reports_what_arrived(fake: OpenRouterEmulator) -> None:
    llm = model_for(fake, SCENARIOS["error mid-stream"])
    recorder = Recorder()
    with pytest.raises(Exception, match="Upstream went away"):
        for _ in llm.stream("hi", {"callbacks": [recorder]}):
            pass
    ((_, _, _, kwargs),) = recorder.only("error")
    partial = kwargs["response"].generations[0][0]
    assert partial.message.content == "".join(LONG)
    assert not recorder.only("end")


def test_chunks_are_not_kept_while_streaming(fake: OpenRouterEmulator) -> None:
    """The caller keeps nothing, so at most one fold's worth of chunks stays alive."""
    fake.script(text_stream(*LONG))
    seen: list[weakref.ref[AIMessageChunk]] = []
    alive_at_end = None
    for piece in fake.chat_model().stream("hi"):
        seen.append(weakref.ref(piece))
        if len(seen) == len(LONG):
            gc.collect()
            alive_at_end = sum(ref() is not None for ref in seen)
    assert alive_at_end is not None
    assert alive_at_end <= FOLD_EVERY + 1


@pytest.mark.parametrize(
    ("fields", "bind"),
    [
        ({"disable_streaming": True}, {}),
        ({"streaming": False}, {}),
        ({"disable_streaming": "tool_calling"}, {"tools": [{"type": "openrouter:web_search"}]}),
    ],
    ids=["disable_streaming", "streaming=False", "tool_calling"],
)
async def test_falls_back_to_invoke(
    fake: OpenRouterEmulator, fields: dict[str, Any], bind: dict[str, Any]
) -> None:
    fake.script(JSONReply(body=completion_body("Hello!")))
    llm = fake.chat_model(**fields).bind(**bind)
    assert [c.content for c in llm.stream("hi")] == ["Hello!"]
    assert [c.content async for c in llm.astream("hi")] == ["Hello!"]
    assert all(not body.get("stream") for body in [request.body for request in fake.requests])


def test_tool_calling_opt_out_still_streams_without_tools(fake: OpenRouterEmulator) -> None:
    fake.script(text_stream("a", "b"))
    chunks = list(fake.chat_model(disable_streaming="tool_calling").stream("hi"))
    assert reduce(add, chunks).content == "ab"
    assert fake.requests[-1].body["stream"] is True


class CountingLimiter(BaseRateLimiter):
    """A rate limiter that records when it was asked."""

    def __init__(self, log: list[str]) -> None:
        self.log = log

    def acquire(self, *, blocking: bool = True) -> bool:
        self.log.append(f"acquire blocking={blocking}")
        return True

    async def aacquire(self, *, blocking: bool = True) -> bool:
        self.log.append(f"aacquire blocking={blocking}")
        return True


async def test_rate_limiter_is_asked_before_each_stream(fake: OpenRouterEmulator) -> None:
    log: list[str] = []

    def logged(_: RecordedRequest) -> SSEReply:
        log.append("request")
        return text_stream("a")

    fake.script(logged)
    llm = fake.chat_model(rate_limiter=CountingLimiter(log))
    list(llm.stream("hi"))
    [c async for c in llm.astream("hi")]
    assert log == ["acquire blocking=True", "request", "aacquire blocking=True", "request"]


def test_core_series_of_a_version() -> None:
    assert _lean_stream.core_series("1.8.3") == "1.8"
    assert _lean_stream.core_series("1.10.0rc1") == "1.10"


def test_lean_path_is_taken_on_every_core_ci_tests(
    fake: OpenRouterEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The suite runs on the locked, the oldest and the newest langchain-core: on each of them
    the lean path must run (core's own stream never reached) without a warning.

    A new core release fails here, in CI's newest run, until someone has compared its
    ``BaseChatModel.stream``/``astream`` with ``_lean_stream`` and added its series.
    """
    version, series = langchain_core.__version__, _lean_stream.core_series()
    assert _lean_stream.LEAN_STREAM_ACTIVE, (
        f"langchain-core {version} is not checked: compare its BaseChatModel.stream/astream "
        f"with langchain_openrouter/_flat_memory_stream.py, "
        f"then add {series!r} to CHECKED_CORE_SERIES"
    )

    def core_stream(*args: Any, **kwargs: Any) -> Iterator[AIMessageChunk]:
        yield AIMessageChunk(content="core's stream ran")

    monkeypatch.setattr(BaseChatModel, "stream", core_stream)
    llm = model_for(fake, SCENARIOS["long text"])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        text = "".join(str(piece.content) for piece in llm.stream("hi"))
    assert text == "".join(LONG)
    assert caught == []


@pytest.mark.parametrize("api", ["sync", "async"])
async def test_unchecked_core_falls_back_to_core_with_one_warning(
    fake: OpenRouterEmulator, monkeypatch: pytest.MonkeyPatch, api: str
) -> None:
    monkeypatch.setattr(_lean_stream, "LEAN_STREAM_ACTIVE", False)
    monkeypatch.setattr(_lean_stream, "_warned", False)
    scenario = SCENARIOS["reasoning and tool call"]
    llm = model_for(fake, scenario)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        if api == "sync":
            first, _, _ = run(llm, core=False)
            second, _, _ = run(llm, core=False)
            expected, _, _ = run(llm, core=True)
        else:
            first, _, _ = await arun(llm, core=False)
            second, _, _ = await arun(llm, core=False)
            expected, _, _ = await arun(llm, core=True)
    assert first == second == expected
    messages = [str(warning.message) for warning in caught]
    assert len(messages) == 1
    assert "checked against langchain-core 1.6, 1.7, 1.8" in messages[0]
    assert "BaseChatModel.stream" in messages[0]
