"""Benchmark ChatOpenRouter against the raw ``openai`` SDK and ``ChatOpenAI`` on loopback.

Run it with ``make bench``. The script starts an OpenRouter-shaped HTTP server in a separate
process (``bench.py --serve``) on 127.0.0.1, so the server's CPU time is not charged to the
client being measured, and prints a Markdown table. Every figure is measured in the same run,
side by side with the raw SDK (rounds interleaved, median of the rounds), so a noisy machine
moves both columns together and the ratios keep their meaning. No network access is needed.

The "LangChain floor" column is a bare ``BaseChatModel`` over one raw ``httpx2`` call (core's
machinery and nothing else, see :func:`make_floor`): the ``invoke`` and 200-chunk ``stream`` rows
against it show what ChatOpenRouter (the SDK's request pipeline included) adds to what every
LangChain chat model pays.

A soak follows the table (``bench.py --soak`` runs only that): one ``ChatOpenRouter`` makes
10,000 invokes and 2,000 streams, then 1,500 ``asyncio.run(ainvoke)`` and 600
``asyncio.run`` over ``astream`` under a descriptor limit of 256; the resident memory and the
open descriptors at the end must stay within a small bound of the start.

``bench.py --profile invoke|stream`` prints the top functions (cProfile, cumulative time) of
``ChatOpenRouter.invoke`` or ``ChatOpenRouter.stream`` against the same server;
``bench.py --profile import`` prints where import time goes (``-X importtime``).
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import gc
import json
import os
import platform
import pstats
import resource
import statistics
import subprocess
import sys
import time
import tracemalloc
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from langchain_openrouter.testing import (
    CHAT_PATH,
    Completion,
    Plan,
    RecordedRequest,
    StreamShape,
    usage,
)

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable, Iterator

    from langchain_core.language_models import BaseChatModel

MODEL = "openai/gpt-4o-mini"
API_KEY = "bench-key"
PROMPT = "Say hello."
MESSAGES: list[Any] = [{"role": "user", "content": PROMPT}]
GEN_ID = "gen-1764031697-vqvW0uz7ouT4gsp3FYqp"

INVOKE_CALLS = 100
INVOKE_ROUNDS = 7
STREAM_CHUNKS = 2_000
STREAM_ROUNDS = 7
CONCURRENCY = 200
CONCURRENT_STREAM_CHUNKS = 50
CONCURRENT_ROUNDS = 5
CONSTRUCTIONS = 500
RAW_CONSTRUCTIONS = 50
IMPORT_ROUNDS = 7
MEMORY_SMALL = 2_000
MEMORY_LARGE = 20_000

INVOKE_TARGET = 1.15
STREAM_TARGET = 1.0
# Against the LangChain floor (see make_floor): what ChatOpenRouter adds to core's own cost.
FLOOR_STREAM_CHUNKS = 200
FLOOR_INVOKE_TARGET = 1.5
FLOOR_STREAM_TARGET = 1.3
THROUGHPUT_TARGET = 0.9
CONSTRUCTION_TARGET_MS = 0.2
IMPORT_TARGET_MS = 30.0
# "Flat": each extra streamed chunk may add at most this many bytes to the peak. The text the
# stream adds up to is ~3 bytes a chunk here; keeping one chunk object alive costs over 1 KiB.
MEMORY_TARGET_BYTES_PER_CHUNK = 64.0

# --- the loopback OpenRouter ----------------------------------------------------------------


REPLY_TEXT = "Hello! How can I help you today?"


def _plan(body: dict[str, Any]) -> Plan:
    """The emulator's answer to a request with this body (one chunk per piece when streamed)."""
    request = RecordedRequest("POST", CHAT_PATH, {}, {}, json.dumps(body).encode(), GEN_ID)
    if not body.get("stream"):
        return Completion(content=REPLY_TEXT, usage=usage(10, 9)).plan(request)
    chunks = int(body.get("max_tokens") or body.get("max_completion_tokens") or 1)
    content = "Hi " + "".join(f"w{i % 10} " for i in range(1, chunks))
    shape = StreamShape(chunk_size=3, keepalives=0)
    return Completion(content=content, usage=usage(10, chunks), stream=shape).plan(request)


def _http_response(plan: Plan) -> bytes:
    """The plan as one HTTP/1.1 response with a length, written in one go."""
    body = b"".join(part for part in plan.parts if isinstance(part, bytes))
    headers = {**plan.headers, "content-length": str(len(body)), "x-generation-id": GEN_ID}
    head = "".join(f"{name}: {value}\r\n" for name, value in headers.items())
    return f"HTTP/1.1 {plan.status} OK\r\n{head}\r\n".encode() + body


class Replies:
    """Prebuilt responses: the completion, and one SSE stream per requested chunk count."""

    def __init__(self) -> None:
        self._completion = _http_response(_plan({"model": MODEL, "messages": MESSAGES}))
        self._streams: dict[int, bytes] = {}

    def for_request(self, raw_body: bytes) -> bytes:
        request = json.loads(raw_body)
        if not request.get("stream"):
            return self._completion
        chunks = int(request.get("max_tokens") or request.get("max_completion_tokens") or 1)
        if chunks not in self._streams:
            self._streams[chunks] = _http_response(_plan(request))
        return self._streams[chunks]


def _content_length(head: bytes) -> int:
    for line in head.split(b"\r\n"):
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            return int(value)
    return 0


async def _serve_connection(
    replies: Replies, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
) -> None:
    try:
        while True:
            head = await reader.readuntil(b"\r\n\r\n")
            body = await reader.readexactly(_content_length(head))
            writer.write(replies.for_request(body))
            await writer.drain()
    except (asyncio.IncompleteReadError, ConnectionError):
        pass
    finally:
        writer.close()


async def _serve() -> None:
    replies = Replies()
    server = await asyncio.start_server(
        lambda r, w: _serve_connection(replies, r, w), "127.0.0.1", 0, backlog=1024
    )
    print(server.sockets[0].getsockname()[1], flush=True)
    async with server:
        await server.serve_forever()


class ServerProcess:
    """The loopback server, run as a child process of this script."""

    def __init__(self) -> None:
        self._proc = subprocess.Popen(  # noqa: S603 - our own interpreter and script
            [sys.executable, __file__, "--serve"], stdout=subprocess.PIPE, text=True
        )
        assert self._proc.stdout is not None  # noqa: S101 - stdout=PIPE above
        self.port = int(self._proc.stdout.readline())

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/v1"

    def stop(self) -> None:
        self._proc.terminate()
        self._proc.wait(timeout=10)


# --- the contenders ---------------------------------------------------------------------------


@dataclass
class Contenders:
    """The clients pointed at the loopback server, and the LangChain floor."""

    base_url: str
    raw: Any
    router: BaseChatModel
    floor: BaseChatModel
    chat_openai: BaseChatModel | None
    chat_openai_skip: str


def make_router(base_url: str) -> BaseChatModel:
    from langchain_openrouter import ChatOpenRouter  # noqa: PLC0415 - timed import elsewhere

    return ChatOpenRouter(model=MODEL, api_key=API_KEY, base_url=base_url, max_retries=0)


def make_chat_openai(base_url: str) -> BaseChatModel:
    from langchain_openai import ChatOpenAI  # noqa: PLC0415 - optional dependency

    return ChatOpenAI(model=MODEL, api_key=API_KEY, base_url=base_url, max_retries=0)


def make_floor(base_url: str) -> BaseChatModel:
    """The LangChain floor: a bare ``BaseChatModel`` over one raw ``httpx2`` call.

    Core's machinery (callbacks, run managers, message coercion) and nothing else: a
    minimal body, one POST, the JSON read into an ``AIMessage``; for a stream, SSE lines
    read into ``AIMessageChunk``s. No chat model can do less per call.
    """
    import httpx2  # noqa: PLC0415 - timed import elsewhere
    from langchain_core.language_models import BaseChatModel  # noqa: PLC0415
    from langchain_core.messages import AIMessage, AIMessageChunk  # noqa: PLC0415
    from langchain_core.outputs import (  # noqa: PLC0415
        ChatGeneration,
        ChatGenerationChunk,
        ChatResult,
    )

    http = httpx2.Client(base_url=base_url, headers={"Authorization": f"Bearer {API_KEY}"})

    def body(messages: list[Any], **extra: Any) -> dict[str, Any]:
        turns = [{"role": "user", "content": m.content} for m in messages]
        return {"model": MODEL, "messages": turns, **extra}

    class LangChainFloor(BaseChatModel):
        @property
        def _llm_type(self) -> str:
            return "langchain-floor"

        def _generate(self, messages: list[Any], stop: Any = None, **kw: Any) -> ChatResult:  # noqa: ARG002
            reply = http.post("/chat/completions", json=body(messages, **kw)).json()
            message = AIMessage(content=reply["choices"][0]["message"]["content"] or "")
            return ChatResult(generations=[ChatGeneration(message=message)])

        def _stream(self, messages: list[Any], stop: Any = None, **kw: Any) -> Iterator[Any]:  # noqa: ARG002
            request = body(messages, stream=True, **kw)
            with http.stream("POST", "/chat/completions", json=request) as response:
                for line in response.iter_lines():
                    if not line.startswith("data: ") or line == "data: [DONE]":
                        continue
                    choices = json.loads(line[6:])["choices"]
                    text = choices[0]["delta"].get("content") or "" if choices else ""
                    yield ChatGenerationChunk(message=AIMessageChunk(content=text))

    return LangChainFloor()


def make_contenders(base_url: str) -> Contenders:
    import openai  # noqa: PLC0415 - timed import elsewhere

    raw = openai.OpenAI(api_key=API_KEY, base_url=base_url, max_retries=0)
    try:
        chat_openai: BaseChatModel | None = make_chat_openai(base_url)
        skip = ""
    except ImportError as exc:
        chat_openai, skip = None, f"langchain-openai not importable: {exc}"
    return Contenders(base_url, raw, make_router(base_url), make_floor(base_url), chat_openai, skip)


# --- timing helpers ---------------------------------------------------------------------------


def time_rounds(batches: dict[str, Callable[[], int]], rounds: int) -> dict[str, float]:
    """Median seconds per unit of each batch; rounds interleave the batches, order rotated."""
    names = list(batches)
    for name in names:  # warm-up: imports, pools, caches
        batches[name]()
    samples: dict[str, list[float]] = {name: [] for name in names}
    for i in range(rounds):
        for name in names[i % len(names) :] + names[: i % len(names)]:
            gc.collect()
            start = time.perf_counter()
            units = batches[name]()
            samples[name].append((time.perf_counter() - start) / units)
    return {name: statistics.median(values) for name, values in samples.items()}


async def time_rounds_async(
    batches: dict[str, Callable[[], Awaitable[int]]], rounds: int
) -> dict[str, float]:
    """:func:`time_rounds` for coroutines, all on the running event loop."""
    names = list(batches)
    for name in names:
        await batches[name]()
    samples: dict[str, list[float]] = {name: [] for name in names}
    for i in range(rounds):
        for name in names[i % len(names) :] + names[: i % len(names)]:
            gc.collect()
            start = time.perf_counter()
            units = await batches[name]()
            samples[name].append((time.perf_counter() - start) / units)
    return {name: statistics.median(values) for name, values in samples.items()}


def _with_optional(
    batches: dict[str, Any], contenders: Contenders, make: Callable[[BaseChatModel], Any]
) -> dict[str, Any]:
    if contenders.chat_openai is not None:
        batches["chat_openai"] = make(contenders.chat_openai)
    return batches


# --- rows 1 and 2: invoke and stream ----------------------------------------------------------


def raw_invoke(client: Any, calls: int) -> int:
    for _ in range(calls):
        client.chat.completions.create(model=MODEL, messages=MESSAGES).choices[0].message.content  # noqa: B018
    return calls


def model_invoke(model: BaseChatModel, calls: int) -> int:
    for _ in range(calls):
        model.invoke(PROMPT).content  # noqa: B018
    return calls


def _checked(seen: int, chunks: int) -> int:
    if seen != chunks:
        msg = f"expected {chunks} content chunks, got {seen}"
        raise RuntimeError(msg)
    return chunks


def raw_stream(client: Any, chunks: int) -> int:
    stream = client.chat.completions.create(
        model=MODEL, messages=MESSAGES, stream=True, max_tokens=chunks
    )
    seen = 0
    for chunk in stream:
        if chunk.choices and chunk.choices[0].delta.content:
            seen += 1
    return _checked(seen, chunks)


def model_stream(model: BaseChatModel, chunks: int) -> int:
    seen = 0
    for chunk in model.stream(PROMPT, max_tokens=chunks):
        if chunk.content:
            seen += 1
    return _checked(seen, chunks)


def bench_invoke(c: Contenders) -> dict[str, float]:
    batches: dict[str, Callable[[], int]] = {
        "raw": lambda: raw_invoke(c.raw, INVOKE_CALLS),
        "router": lambda: model_invoke(c.router, INVOKE_CALLS),
        "floor": lambda: model_invoke(c.floor, INVOKE_CALLS),
    }
    _with_optional(batches, c, lambda m: lambda: model_invoke(m, INVOKE_CALLS))
    return time_rounds(batches, INVOKE_ROUNDS)


def bench_stream(c: Contenders, chunks: int) -> dict[str, float]:
    """Seconds per chunk of a ``chunks``-chunk stream; the floor too for a short stream."""
    batches: dict[str, Callable[[], int]] = {
        "raw": lambda: raw_stream(c.raw, chunks),
        "router": lambda: model_stream(c.router, chunks),
    }
    if chunks == FLOOR_STREAM_CHUNKS:
        batches["floor"] = lambda: model_stream(c.floor, chunks)
    _with_optional(batches, c, lambda m: lambda: model_stream(m, chunks))
    return time_rounds(batches, STREAM_ROUNDS)


# --- row 3: concurrency -----------------------------------------------------------------------


async def raw_ainvoke_many(client: Any, n: int) -> int:
    await asyncio.gather(
        *(client.chat.completions.create(model=MODEL, messages=MESSAGES) for _ in range(n))
    )
    return n


async def model_ainvoke_many(model: BaseChatModel, n: int) -> int:
    await asyncio.gather(*(model.ainvoke(PROMPT) for _ in range(n)))
    return n


async def _raw_astream_one(client: Any, chunks: int) -> None:
    stream = await client.chat.completions.create(
        model=MODEL, messages=MESSAGES, stream=True, max_tokens=chunks
    )
    async for chunk in stream:
        if chunk.choices:
            chunk.choices[0].delta.content  # noqa: B018


async def _model_astream_one(model: BaseChatModel, chunks: int) -> None:
    async for chunk in model.astream(PROMPT, max_tokens=chunks):
        chunk.content  # noqa: B018


async def raw_astream_many(client: Any, n: int) -> int:
    await asyncio.gather(*(_raw_astream_one(client, CONCURRENT_STREAM_CHUNKS) for _ in range(n)))
    return n


async def model_astream_many(model: BaseChatModel, n: int) -> int:
    await asyncio.gather(*(_model_astream_one(model, CONCURRENT_STREAM_CHUNKS) for _ in range(n)))
    return n


async def _bench_concurrent(c: Contenders) -> tuple[dict[str, float], dict[str, float]]:
    import openai  # noqa: PLC0415 - timed import elsewhere

    raw = openai.AsyncOpenAI(api_key=API_KEY, base_url=c.base_url, max_retries=0)
    invokes: dict[str, Callable[[], Awaitable[int]]] = {
        "raw": lambda: raw_ainvoke_many(raw, CONCURRENCY),
        "router": lambda: model_ainvoke_many(c.router, CONCURRENCY),
    }
    _with_optional(invokes, c, lambda m: lambda: model_ainvoke_many(m, CONCURRENCY))
    streams: dict[str, Callable[[], Awaitable[int]]] = {
        "raw": lambda: raw_astream_many(raw, CONCURRENCY),
        "router": lambda: model_astream_many(c.router, CONCURRENCY),
    }
    _with_optional(streams, c, lambda m: lambda: model_astream_many(m, CONCURRENCY))
    invoke_times = await time_rounds_async(invokes, CONCURRENT_ROUNDS)
    stream_times = await time_rounds_async(streams, CONCURRENT_ROUNDS)
    await raw.close()
    return invoke_times, stream_times


def bench_concurrent(c: Contenders) -> tuple[dict[str, float], dict[str, float]]:
    """Seconds per request (the inverse of throughput) for ``ainvoke`` and ``astream``."""
    return asyncio.run(_bench_concurrent(c))


# --- row 4: construction and import -----------------------------------------------------------


def _per_instance(make: Callable[[], object], n: int) -> float:
    make()
    start = time.perf_counter()
    for _ in range(n):
        make()
    return (time.perf_counter() - start) / n


def bench_construction(c: Contenders) -> dict[str, float]:
    import openai  # noqa: PLC0415 - timed import elsewhere

    url = c.base_url
    times = {
        "raw": _per_instance(
            lambda: openai.OpenAI(api_key=API_KEY, base_url=url, max_retries=0),
            RAW_CONSTRUCTIONS,
        ),
        "router": _per_instance(lambda: make_router(url), CONSTRUCTIONS),
    }
    if c.chat_openai is not None:
        times["chat_openai"] = _per_instance(lambda: make_chat_openai(url), CONSTRUCTIONS)
    return times


IMPORT_BASELINES = {
    "base": "import langchain_core, openai",
    "floor": "import openai; from langchain_core.language_models import BaseChatModel",
}
IMPORT_PACKAGES = {"router": "langchain_openrouter", "chat_openai": "langchain_openai"}


def _fresh_python(*args: str) -> subprocess.CompletedProcess[str]:
    """Our interpreter in a fresh process, allowed to write ``.pyc`` files.

    An installed wheel ships compiled bytecode; an editable install gets it on its first
    import, unless PYTHONDONTWRITEBYTECODE is set, when every import compiles the sources
    again (about 20 ms for this package). The warm-up runs write the ``.pyc`` files, so
    every package is timed as users run it.
    """
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    return subprocess.run(  # noqa: S603 - fixed statements, our own interpreter
        [sys.executable, *args], check=True, capture_output=True, text=True, env=env
    )


def _import_seconds(baseline: str, package: str) -> tuple[float, float]:
    """In a fresh interpreter: seconds to run ``baseline``, then to import ``package`` on top."""
    code = (
        "import time; t0 = time.perf_counter(); "
        f"{baseline}; t1 = time.perf_counter(); "
        f"import {package}; t2 = time.perf_counter(); print(t1 - t0, t2 - t1)"
    )
    base, added = _fresh_python("-c", code).stdout.split()
    return float(base), float(added)


def bench_import(baseline: str, *, with_chat_openai: bool) -> dict[str, float]:
    """Median seconds of ``baseline`` ("raw") and of each package imported on top of it."""
    names = [n for n in IMPORT_PACKAGES if with_chat_openai or n != "chat_openai"]
    samples: dict[str, list[float]] = {name: [] for name in ["raw", *names]}
    for name in names:  # warm the file-system cache and the .pyc files
        _import_seconds(IMPORT_BASELINES[baseline], IMPORT_PACKAGES[name])
    for _ in range(IMPORT_ROUNDS):
        for name in names:
            base, added = _import_seconds(IMPORT_BASELINES[baseline], IMPORT_PACKAGES[name])
            samples["raw"].append(base)
            samples[name].append(added)
    return {name: statistics.median(values) for name, values in samples.items()}


# --- row 5: streaming memory ------------------------------------------------------------------


def _peak_bytes(stream: Callable[[int], int], chunks: int) -> int:
    gc.collect()
    tracemalloc.reset_peak()
    before = tracemalloc.get_traced_memory()[0]
    stream(chunks)
    return tracemalloc.get_traced_memory()[1] - before


def bench_memory(c: Contenders) -> dict[str, tuple[int, int]]:
    """Peak traced bytes above the starting point for a small and a large stream."""
    streams: dict[str, Callable[[int], int]] = {
        "raw": lambda n: raw_stream(c.raw, n),
        "router": lambda n: model_stream(c.router, n),
    }
    _with_optional(streams, c, lambda m: lambda n: model_stream(m, n))
    peaks: dict[str, tuple[int, int]] = {}
    tracemalloc.start()
    try:
        for name, stream in streams.items():
            stream(MEMORY_SMALL)  # warm-up, so lazy caches are not charged to one size
            small = _peak_bytes(stream, MEMORY_SMALL)
            peaks[name] = (small, _peak_bytes(stream, MEMORY_LARGE))
    finally:
        tracemalloc.stop()
    return peaks


# --- the soak -----------------------------------------------------------------------------------

SOAK_INVOKES = 10_000
SOAK_STREAMS = 2_000
SOAK_STREAM_CHUNKS = 20
SOAK_LOOP_INVOKES = 1_500
SOAK_LOOP_STREAMS = 600
SOAK_FD_LIMIT = 256
SOAK_RSS_TARGET_MIB = 8.0
SOAK_FD_TARGET = 4


def resident_mib() -> float:
    """Resident memory now (not the peak), from /proc; the peak where /proc is missing."""
    statm = Path("/proc/self/statm")
    if statm.exists():
        pages = int(statm.read_text().split()[1])
        return pages * os.sysconf("SC_PAGE_SIZE") / 2**20
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def open_descriptors() -> int:
    listing = Path("/proc/self/fd")
    return len(list((listing if listing.exists() else Path("/dev/fd")).iterdir()))


@dataclass(frozen=True)
class SoakRow:
    label: str
    rss: tuple[float, float]
    fds: tuple[int, int]
    seconds: float

    def render(self) -> str:
        (rss0, rss1), (fd0, fd1) = self.rss, self.fds
        ok = rss1 - rss0 <= SOAK_RSS_TARGET_MIB and fd1 - fd0 <= SOAK_FD_TARGET
        return (
            f"| {self.label} | {rss0:.1f} -> {rss1:.1f} MiB ({rss1 - rss0:+.1f}) "
            f"| {fd0} -> {fd1} ({fd1 - fd0:+d}) | {self.seconds:.0f} s "
            f"| {'PASS' if ok else 'MISS'} |"
        )


def _soaked(label: str, work: Callable[[], None]) -> SoakRow:
    gc.collect()
    rss, fds, start = resident_mib(), open_descriptors(), time.perf_counter()
    work()
    seconds = time.perf_counter() - start
    gc.collect()
    return SoakRow(label, (rss, resident_mib()), (fds, open_descriptors()), seconds)


def _one_model_soak(model: BaseChatModel) -> None:
    model_invoke(model, SOAK_INVOKES)
    for _ in range(SOAK_STREAMS):
        model_stream(model, SOAK_STREAM_CHUNKS)


def _event_loops_soak(model: BaseChatModel) -> None:
    async def streamed() -> None:
        await _model_astream_one(model, SOAK_STREAM_CHUNKS)

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(SOAK_FD_LIMIT, hard), hard))
    try:
        for _ in range(SOAK_LOOP_INVOKES):
            asyncio.run(model.ainvoke(PROMPT))
        for _ in range(SOAK_LOOP_STREAMS):
            asyncio.run(streamed())
    finally:
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))


def soak(base_url: str) -> list[SoakRow]:
    """Long runs on one model: memory and descriptors at the end against the start."""
    model = make_router(base_url)
    model_invoke(model, 200)  # warm-up: imports, pools, caches
    model_stream(model, SOAK_STREAM_CHUNKS)
    asyncio.run(model.ainvoke(PROMPT))
    return [
        _soaked(
            f"{SOAK_INVOKES:,} `invoke` + {SOAK_STREAMS:,} `stream` "
            f"({SOAK_STREAM_CHUNKS} chunks) on one model",
            lambda: _one_model_soak(model),
        ),
        _soaked(
            f"{SOAK_LOOP_INVOKES:,} `asyncio.run(ainvoke)` + {SOAK_LOOP_STREAMS} `asyncio.run` "
            f"over `astream`, `ulimit -n {SOAK_FD_LIMIT}`",
            lambda: _event_loops_soak(model),
        ),
    ]


def render_soak(rows: list[SoakRow]) -> str:
    target = f"<= +{SOAK_RSS_TARGET_MIB:.0f} MiB and <= +{SOAK_FD_TARGET} descriptors"
    lines = [
        f"| soak (ChatOpenRouter) | resident memory | open descriptors | time | {target} |",
        "|---|---|---|---|---|",
    ]
    return "\n".join(lines + [row.render() for row in rows])


# --- the table --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Cell:
    text: str
    ok: bool | None = None

    def render(self) -> str:
        if self.ok is None:
            return self.text
        return f"{self.text} {'PASS' if self.ok else 'MISS'}"


@dataclass(frozen=True)
class Row:
    label: str
    raw: str
    router: Cell
    chat_openai: Cell
    target: str
    floor: str = ""


def _skipped(c: Contenders) -> Cell:
    return Cell(f"skipped ({c.chat_openai_skip})")


def ratio_row(  # noqa: PLR0913 - one row is this many facts
    label: str,
    times: dict[str, float],
    c: Contenders,
    *,
    scale: float,
    unit: str,
    target: float,
    throughput: bool = False,
    base: str = "raw",
) -> Row:
    """A row of per-unit times (or throughputs) as ratios to ``base``: the raw SDK, or the floor.

    Against the floor, the raw SDK's cell shows its ratio too, without a verdict.
    """

    def text(name: str) -> str:
        if throughput:
            return f"{1 / times[name]:,.0f} {unit}"
        return f"{times[name] * scale:.3g} {unit}"

    def cell(name: str) -> Cell:
        if name not in times:
            return _skipped(c)
        if throughput:
            ratio = times[base] / times[name]
            return Cell(f"{text(name)} ({ratio:.2f}x)", ratio >= target)
        ratio = times[name] / times[base]
        return Cell(f"{text(name)} ({ratio:.2f}x)", ratio <= target)

    raw = text("raw") if base == "raw" else Cell(cell("raw").text).render()
    floor = text("floor") if "floor" in times else ""
    sign = ">=" if throughput else "<="
    target_text = f"{sign} {target}x {'raw' if base == 'raw' else 'floor'}"
    return Row(label, raw, cell("router"), cell("chat_openai"), target_text, floor)


def floor_rows(invoke: dict[str, float], stream: dict[str, float], c: Contenders) -> list[Row]:
    """``invoke`` and a short ``stream`` as ratios to the LangChain floor of the same run."""
    return [
        ratio_row(
            "`invoke`, short completion, against the LangChain floor",
            invoke,
            c,
            scale=1e3,
            unit="ms/call",
            target=FLOOR_INVOKE_TARGET,
            base="floor",
        ),
        ratio_row(
            f"`stream`, {FLOOR_STREAM_CHUNKS} chunks, against the LangChain floor",
            stream,
            c,
            scale=1e3 * FLOOR_STREAM_CHUNKS,
            unit="ms/stream",
            target=FLOOR_STREAM_TARGET,
            base="floor",
        ),
    ]


def construction_row(times: dict[str, float], c: Contenders) -> Row:
    def cell(name: str) -> Cell:
        if name not in times:
            return _skipped(c)
        ms = times[name] * 1e3
        return Cell(f"{ms:.3f} ms", ms <= CONSTRUCTION_TARGET_MS)

    return Row(
        "construct an instance (after the first)",
        f"{times['raw'] * 1e3:.3f} ms (`openai.OpenAI`)",
        cell("router"),
        cell("chat_openai"),
        f"<= {CONSTRUCTION_TARGET_MS} ms",
    )


def import_row(times: dict[str, float], c: Contenders, baseline: str) -> Row:
    """Import time a package adds on top of a baseline, both in the same fresh process."""

    def cell(name: str) -> Cell:
        if name not in times:
            return _skipped(c)
        added = times[name] * 1e3
        return Cell(f"+{added:.0f} ms", added <= IMPORT_TARGET_MS)

    return Row(
        f"import in a fresh process, on top of `{IMPORT_BASELINES[baseline]}`",
        f"{times['raw'] * 1e3:.0f} ms (the baseline itself)",
        cell("router"),
        cell("chat_openai"),
        f"<= +{IMPORT_TARGET_MS:.0f} ms",
    )


def memory_row(peaks: dict[str, tuple[int, int]], c: Contenders) -> Row:
    def growth(name: str) -> float:
        small, large = peaks[name]
        return (large - small) / (MEMORY_LARGE - MEMORY_SMALL)

    def text(name: str) -> str:
        small, large = peaks[name]
        return f"{small / 1024:,.0f} / {large / 1024:,.0f} KiB, {growth(name):+.1f} B/chunk"

    def cell(name: str) -> Cell:
        if name not in peaks:
            return _skipped(c)
        return Cell(text(name), growth(name) <= MEMORY_TARGET_BYTES_PER_CHUNK)

    return Row(
        f"peak memory streaming {MEMORY_SMALL:,} / {MEMORY_LARGE:,} chunks",
        text("raw"),
        cell("router"),
        cell("chat_openai"),
        f"flat: <= {MEMORY_TARGET_BYTES_PER_CHUNK:.0f} B per extra chunk",
    )


def render(rows: list[Row]) -> str:
    header = [
        "measure",
        "raw openai SDK",
        "LangChain floor",
        "ChatOpenRouter",
        "ChatOpenAI",
        "target",
    ]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for row in rows:
        router, chat_openai = row.router.render(), row.chat_openai.render()
        cells = [row.label, row.raw, row.floor, router, chat_openai, row.target]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


# --- main -------------------------------------------------------------------------------------


@contextmanager
def step(name: str) -> Iterator[None]:
    start = time.perf_counter()
    print(f"  {name} ...", end="", flush=True, file=sys.stderr)
    yield
    print(f" {time.perf_counter() - start:.1f} s", file=sys.stderr)


def measure(c: Contenders) -> list[Row]:
    rows: list[Row] = []
    with step("invoke"):
        invoke = bench_invoke(c)
    rows.append(
        ratio_row(
            "`invoke`, short completion", invoke, c, scale=1e3, unit="ms/call", target=INVOKE_TARGET
        )
    )
    with step("stream"):
        stream = bench_stream(c, STREAM_CHUNKS)
        short_stream = bench_stream(c, FLOOR_STREAM_CHUNKS)
    rows.append(
        ratio_row(
            f"`stream`, {STREAM_CHUNKS:,} chunks",
            stream,
            c,
            scale=1e6,
            unit="µs/chunk",
            target=STREAM_TARGET,
        )
    )
    rows += floor_rows(invoke, short_stream, c)
    with step("concurrency"):
        ainvoke, astream = bench_concurrent(c)
    rows.append(
        ratio_row(
            f"{CONCURRENCY} concurrent `ainvoke`",
            ainvoke,
            c,
            scale=1,
            unit="calls/s",
            target=THROUGHPUT_TARGET,
            throughput=True,
        )
    )
    rows.append(
        ratio_row(
            f"{CONCURRENCY} concurrent `astream` ({CONCURRENT_STREAM_CHUNKS} chunks each)",
            astream,
            c,
            scale=1,
            unit="streams/s",
            target=THROUGHPUT_TARGET,
            throughput=True,
        )
    )
    with step("construction"):
        rows.append(construction_row(bench_construction(c), c))
    with step("import"):
        for baseline in IMPORT_BASELINES:
            imports = bench_import(baseline, with_chat_openai=c.chat_openai is not None)
            rows.append(import_row(imports, c, baseline))
    with step("memory"):
        rows.append(memory_row(bench_memory(c), c))
    return rows


def machine() -> str:
    cpu = "unknown CPU"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break

    return f"{cpu}, {os.cpu_count()} CPUs, Python {platform.python_version()}"


def _importtime(statement: str) -> list[tuple[int, str]]:
    """``-X importtime`` of ``statement`` in a fresh process: (self µs, module) per module."""
    rows = []
    for line in _fresh_python("-X", "importtime", "-c", statement).stderr.splitlines():
        if line.startswith("import time:") and "[us]" not in line:
            own, _, name = line.removeprefix("import time:").split("|")
            rows.append((int(own), name.strip()))
    return rows


def profile_import(top: int = 12) -> None:
    """Where import time goes: the modules each step loads, by their own (self) time."""
    steps = [
        (
            "import langchain_core, openai",
            "from langchain_core.language_models import BaseChatModel",
        ),
        (IMPORT_BASELINES["floor"], "import langchain_openrouter"),
    ]
    for baseline, statement in steps:
        _importtime(f"{baseline}; {statement}")  # warm-up: writes the .pyc files
        loaded = {name for _, name in _importtime(baseline)}
        added = sorted(
            (row for row in _importtime(f"{baseline}; {statement}") if row[1] not in loaded),
            reverse=True,
        )
        by_package: dict[str, int] = {}
        for own, name in added:
            by_package[name.split(".")[0]] = by_package.get(name.split(".")[0], 0) + own
        total = sum(own for own, _ in added)
        print(f"\n`{statement}` on top of `{baseline}`: {len(added)} modules, {total / 1e3:.1f} ms")
        packages = sorted(by_package.items(), key=lambda item: -item[1])
        shown = ", ".join(f"{name} {us / 1e3:.1f} ms" for name, us in packages[:6])
        print(f"  by package: {shown}, ...")
        for own, name in added[:top]:
            print(f"  {own / 1e3:7.1f} ms  {name}")
    print("\n(-X importtime self times, one run each; they include the tool's own overhead.)")


def profile(c: Contenders, what: str) -> None:
    """Print the top functions by cumulative time of ``invoke`` or ``stream``."""
    run = {
        "invoke": lambda: model_invoke(c.router, INVOKE_CALLS * 5),
        "stream": lambda: model_stream(c.router, STREAM_CHUNKS * 5),
    }[what]
    run()
    profiler = cProfile.Profile()
    profiler.runcall(run)
    pstats.Stats(profiler).sort_stats("cumulative").print_stats(30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--serve", action="store_true", help="run the loopback server only")
    parser.add_argument(
        "--profile", choices=["invoke", "stream", "import"], help="profile one path"
    )
    parser.add_argument("--soak", action="store_true", help="run the soak only")
    args = parser.parse_args()
    if args.serve:
        asyncio.run(_serve())
        return
    if args.profile == "import":
        profile_import()
        return
    server = ServerProcess()
    try:
        contenders = make_contenders(server.base_url)
        if args.profile:
            profile(contenders, args.profile)
            return
        print(f"Loopback OpenRouter server in a separate process on {server.base_url}", flush=True)
        print(f"Machine: {machine()}", flush=True)
        rows = [] if args.soak else measure(contenders)
        with step("soak"):
            soaked = soak(server.base_url)
    finally:
        server.stop()
    if rows:
        print()
        print(render(rows))
        print()
        print("Ratios are to the raw SDK column (or, where the target says so, to the", end=" ")
        print("LangChain floor), measured side by side in this run (median of rounds).")
    print()
    print(render_soak(soaked))


if __name__ == "__main__":
    main()
