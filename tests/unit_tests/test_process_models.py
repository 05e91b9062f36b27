"""Every process model at the HTTP boundary: event loops, forks, threads, pickling, spawn.

Each test talks to the emulator over a real socket. Where the point is a process model
(a descriptor limit, a fork), the client runs in a subprocess of its own, against the
emulator served from this one.
"""

from __future__ import annotations

import asyncio
import copy
import gc
import json
import logging
import os
import pickle
import subprocess
import sys
import textwrap
import weakref
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from multiprocessing import get_context
from typing import TYPE_CHECKING, Any

import cloudpickle
import httpx2
import pytest
from pydantic import BaseModel, SecretStr

from langchain_openrouter import ChatOpenRouter, OpenRouterEmbeddings
from langchain_openrouter._http.connection import _POOLS
from langchain_openrouter.testing import (
    Completion,
    JSONReply,
    OpenRouterEmulator,
    RecordedRequest,
    tool_call,
)
from tests.unit_tests import process_workers

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from langchain_core.runnables import Runnable

SAID = "(OpenRouter emulator) You said: "


@pytest.fixture
def emulator() -> Iterator[OpenRouterEmulator]:
    with OpenRouterEmulator() as server:
        yield server


def run_python(script: str, *args: str, timeout: float = 120) -> dict[str, Any]:
    """Run ``script`` in a fresh interpreter, warnings as errors; the JSON it prints last."""
    done = subprocess.run(  # noqa: S603 - our own interpreter and a fixed script
        [sys.executable, "-W", "error", "-c", textwrap.dedent(script), *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""  # nothing warned
    result: dict[str, Any] = json.loads(done.stdout.splitlines()[-1])
    return result


# --- event loops ---------------------------------------------------------------------

LOOPS = """
import asyncio, json, os, resource, sys
from langchain_openrouter import ChatOpenRouter

resource.setrlimit(resource.RLIMIT_NOFILE, (64, 64))
base_url, key, invokes, streams = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
model = ChatOpenRouter(model="openai/gpt-4o-mini", base_url=base_url, api_key=key)
said = "(OpenRouter emulator) You said: "

async def streamed(prompt):
    return "".join([chunk.text async for chunk in model.astream(prompt)])

def descriptors():
    return len(os.listdir("/proc/self/fd"))

start = descriptors()
crossed = 0
for i in range(invokes):
    crossed += asyncio.run(model.ainvoke(f"call {i}")).content != f"{said}call {i}"
after_invokes = descriptors()
for i in range(streams):
    crossed += asyncio.run(streamed(f"stream {i}")) != f"{said}stream {i}"
print(json.dumps({"start": start, "after_invokes": after_invokes, "end": descriptors(),
                  "crossed": crossed}))
"""


def test_asyncio_run_per_call_keeps_the_descriptor_count_flat(
    emulator: OpenRouterEmulator,
) -> None:
    # Under a limit of 64 descriptors: a pool left open per loop would run out after ~55
    # calls. (make bench runs the full 1,500 + 600 under 256.)
    key = emulator.api_key or ""
    counts = run_python(LOOPS, emulator.base_url, key, "200", "80")
    assert counts["crossed"] == 0
    assert counts["after_invokes"] <= counts["start"] + 2
    assert counts["end"] <= counts["start"] + 2
    assert len(emulator.requests) == 280
    assert emulator.wait_for_connections(at_most=0)  # every connection was closed


def test_the_pool_of_a_finished_loop_is_closed_and_the_loop_freed(
    emulator: OpenRouterEmulator,
) -> None:
    model = emulator.chat_model()
    loops: list[weakref.ref[asyncio.AbstractEventLoop]] = []

    async def call() -> str:
        loops.append(weakref.ref(asyncio.get_running_loop()))
        reply = await model.ainvoke("hi")
        assert asyncio.get_running_loop() in _POOLS._loops
        return str(reply.content)

    assert asyncio.run(call()) == f"{SAID}hi"
    gc.collect()
    assert loops[0]() is None  # nothing holds the finished loop
    assert all(not loop.is_closed() for loop in _POOLS._loops)
    assert emulator.wait_for_connections(at_most=0)


def test_aclose_closes_the_loop_pool_when_the_last_model_leaves(
    emulator: OpenRouterEmulator,
) -> None:
    first, second = emulator.chat_model(), emulator.chat_model(model="a/b")

    async def main() -> tuple[bool, bool]:
        await first.ainvoke("one")
        await second.ainvoke("two")
        await first.aclose()
        kept = emulator.connections.open == 1
        await second.aclose()
        return kept, emulator.wait_for_connections(at_most=0, timeout=2)

    assert asyncio.run(main()) == (True, True)


def test_a_loop_closed_without_shutdown_is_forgotten(emulator: OpenRouterEmulator) -> None:
    model = emulator.chat_model()
    loop = asyncio.new_event_loop()
    assert loop.run_until_complete(model.ainvoke("manual")).content == f"{SAID}manual"
    loop.close()  # no shutdown_asyncgens(): nothing can close its pool on it now
    assert asyncio.run(model.ainvoke("next")).content == f"{SAID}next"
    assert loop not in _POOLS._loops


def test_a_long_lived_loop_keeps_its_pool(emulator: OpenRouterEmulator) -> None:
    model = emulator.chat_model()
    before = emulator.connections.total

    async def calls() -> list[str]:
        return [str((await model.ainvoke(f"n{i}")).content) for i in range(5)]

    assert asyncio.run(calls()) == [f"{SAID}n{i}" for i in range(5)]
    assert emulator.connections.total == before + 1  # one keep-alive connection for all


# --- forks ---------------------------------------------------------------------------

FORKS = """
import asyncio, json, multiprocessing, os, sys
from langchain_openrouter import ChatOpenRouter
from langchain_openrouter._http.connection import _POOLS

base_url, key = sys.argv[1], sys.argv[2]
model = ChatOpenRouter(model="openai/gpt-4o-mini", base_url=base_url, api_key=key)
said = "(OpenRouter emulator) You said: "
loop = asyncio.new_event_loop()  # the parent's async pool stays open across the fork

def answer(prompt):
    try:
        kind = int(prompt.split()[-1]) % 3
        if kind == 0:
            reply = model.invoke(prompt).content
        elif kind == 1:
            reply = asyncio.run(model.ainvoke(prompt)).content
        else:
            reply = "".join(chunk.text for chunk in model.stream(prompt))
        return os.getpid(), prompt, reply, None
    except Exception as exc:
        return os.getpid(), prompt, None, repr(exc)

def fresh_pool():
    return model._connection.sync_client()._client is not parent_pool

def parent_calls(tag):
    sync = model.invoke(f"parent sync {tag}").content == f"{said}parent sync {tag}"
    reply = loop.run_until_complete(model.ainvoke(f"parent async {tag}")).content
    return sync and reply == f"{said}parent async {tag}"

warm = parent_calls("before")
parent_pool = model._connection.sync_client()._client
loop.run_until_complete(loop.shutdown_default_executor())  # no threads across the fork
results = []
with multiprocessing.get_context("fork").Pool(4) as workers:
    for round in range(3):
        prompts = [f"round {round} prompt {i}" for i in range(240)]
        results += workers.map(answer, prompts, chunksize=4)
    child_pool_fresh = all(workers.starmap(fresh_pool, [()] * 8, chunksize=1))
crossed = sum(1 for _, prompt, reply, _ in results if reply is not None and reply != said + prompt)
print(json.dumps({
    "answered": len(results),
    "crossed": crossed,
    "errors": [error for *_, error in results if error is not None][:5],
    "workers": len({pid for pid, *_ in results} - {os.getpid()}),
    "child_pool_fresh": child_pool_fresh,
    "parent_ok": warm and parent_calls("after"),
    "parent_pool_kept": model._connection.sync_client()._client is parent_pool,
    "parent_generation": _POOLS.generation,
}))
"""


@pytest.mark.skipif(sys.platform == "win32", reason="Windows cannot fork")
def test_forked_workers_never_share_the_parents_connections(
    emulator: OpenRouterEmulator,
) -> None:
    result = run_python(FORKS, emulator.base_url, emulator.api_key or "")
    assert result == {
        "answered": 720,
        "crossed": 0,
        "errors": [],
        "workers": 4,
        "child_pool_fresh": True,
        "parent_ok": True,
        "parent_pool_kept": True,
        "parent_generation": 0,
    }
    assert len(emulator.requests) == 720 + 4


FORK_WHILE_LOCKED = """
import json, os, signal, sys, threading, warnings
from langchain_openrouter import ChatOpenRouter
from langchain_openrouter._http.connection import _POOLS

# Forking with a thread running is the point here (Python 3.12+ warns about it).
warnings.filterwarnings("ignore", "This process .* is multi-threaded", DeprecationWarning)

model = ChatOpenRouter(model="openai/gpt-4o-mini", base_url=sys.argv[1], api_key=sys.argv[2])
model.invoke("warm")
release = threading.Event()

def hold_the_locks():
    with _POOLS.build_lock, _POOLS._lock:
        release.wait()

holder = threading.Thread(target=hold_the_locks)
holder.start()
while not _POOLS._lock.locked():
    pass
pid = os.fork()
if pid == 0:
    signal.alarm(10)  # a deadlock ends the child with SIGALRM
    reply = model.invoke("in the child").content
    os._exit(0 if reply.endswith("in the child") else 1)
release.set()
holder.join()
_, status = os.waitpid(pid, 0)
print(json.dumps({"child_status": status}))
"""


@pytest.mark.skipif(sys.platform == "win32", reason="Windows cannot fork")
def test_a_fork_while_another_thread_holds_the_pool_locks_does_not_deadlock(
    emulator: OpenRouterEmulator,
) -> None:
    result = run_python(FORK_WHILE_LOCKED, emulator.base_url, emulator.api_key or "")
    assert result == {"child_status": 0}


# --- threads -------------------------------------------------------------------------


def test_sixteen_threads_share_one_model(emulator: OpenRouterEmulator) -> None:
    model = emulator.chat_model()

    def calls(thread: int) -> list[bool]:
        matched = []
        for i in range(50):
            prompt = f"thread {thread} call {i}"
            if i % 5 == 0:
                reply = "".join(chunk.text for chunk in model.stream(prompt))
            else:
                reply = str(model.invoke(prompt).content)
            matched.append(reply == SAID + prompt)
        return matched

    with ThreadPoolExecutor(16) as pool:
        matched = [ok for thread in pool.map(calls, range(16)) for ok in thread]
    assert len(matched) == 800
    assert all(matched)
    assert len(emulator.requests) == 800


def test_threads_each_running_asyncio_run(emulator: OpenRouterEmulator) -> None:
    model = emulator.chat_model()

    def call(i: int) -> bool:
        return asyncio.run(model.ainvoke(f"t{i}")).content == f"{SAID}t{i}"

    with ThreadPoolExecutor(8) as pool:
        assert all(pool.map(call, range(64)))
    assert emulator.wait_for_connections(at_most=0)


# --- pickling ------------------------------------------------------------------------


class Joke(BaseModel):
    """A joke."""

    setup: str
    punchline: str


JOKE = {"setup": "Why?", "punchline": "Because."}
PICKLERS: dict[str, Callable[[object], bytes]] = {
    "pickle": pickle.dumps,
    "cloudpickle": cloudpickle.dumps,
}


def joke_reply(request: RecordedRequest) -> Completion:
    """A joke as JSON content, or as a tool call when the request forces one."""
    body = request.body
    if body.get("tools"):
        return Completion(content=None, tool_calls=[tool_call("Joke", JOKE)])
    return Completion(content=json.dumps(JOKE))


RUNNABLES: dict[str, Callable[[ChatOpenRouter], Runnable[Any, Any]]] = {
    "model": lambda model: model,
    "bind_tools": lambda model: model.bind_tools([Joke], tool_choice="Joke"),
    "structured_output": lambda model: model.with_structured_output(Joke),
    "structured_output_raw": lambda model: model.with_structured_output(Joke, include_raw=True),
    "function_calling": lambda model: model.with_structured_output(Joke, method="function_calling"),
    "with_retry": lambda model: model.with_retry(stop_after_attempt=2),
    "with_fallbacks": lambda model: model.with_fallbacks([model.bind(temperature=0)]),
}


def joke_of(output: Any) -> dict[str, Any]:
    """The joke in whatever the runnable returns."""
    if isinstance(output, dict) and "parsed" in output:
        output = output["parsed"]
    if isinstance(output, Joke):
        return output.model_dump()
    if output.tool_calls:
        args: dict[str, Any] = output.tool_calls[0]["args"]
        return args
    loaded: dict[str, Any] = json.loads(output.content)
    return loaded


@pytest.mark.parametrize("pickler", PICKLERS)
@pytest.mark.parametrize("name", RUNNABLES)
def test_runnables_round_trip_and_work_on_arrival(
    name: str, pickler: str, emulator: OpenRouterEmulator
) -> None:
    emulator.route("/chat/completions", joke_reply)
    model = emulator.chat_model(api_key=SecretStr(emulator.api_key or ""))
    runnable = RUNNABLES[name](model)
    runnable.invoke("warm up")  # live pools must not stop it from pickling

    arrived = pickle.loads(PICKLERS[pickler](runnable))  # noqa: S301 - our own bytes

    assert joke_of(arrived.invoke("tell me one")) == JOKE
    assert joke_of(runnable.invoke("and the original")) == JOKE


def test_the_copy_rebuilds_its_pools_lazily_and_keeps_the_key_secret(
    emulator: OpenRouterEmulator, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    model = emulator.chat_model(app_title="Pickled", temperature=0.2)
    model.invoke("warm")
    arrived = pickle.loads(pickle.dumps(model))  # noqa: S301 - our own bytes

    assert arrived._connection is not model._connection
    assert arrived._connection._sync is None  # nothing built until the first call
    assert isinstance(arrived.api_key, SecretStr)
    assert arrived.api_key.get_secret_value() == emulator.api_key
    key = emulator.api_key or ""
    for shown in (
        repr(arrived),
        str(arrived),
        repr(arrived._connection),
        str(arrived.model_dump()),
    ):
        assert key not in shown
    assert arrived.invoke("on arrival").content == f"{SAID}on arrival"
    assert caplog.records  # the SDK and httpx logged the calls at DEBUG, without the key
    assert key not in caplog.text
    sent = emulator.requests[-1]
    assert sent.headers["x-openrouter-title"] == "Pickled"
    assert sent.body["temperature"] == 0.2


def test_a_deep_copy_has_its_own_connection(emulator: OpenRouterEmulator) -> None:
    model = emulator.chat_model()
    model.invoke("warm")
    twin = copy.deepcopy(model)
    assert twin._connection is not model._connection
    assert twin._connection._sync is None
    assert twin.invoke("twin").content == f"{SAID}twin"
    assert model.invoke("original").content == f"{SAID}original"


def embeddings_reply(request: RecordedRequest) -> JSONReply:
    texts = request.body["input"]
    data = [{"index": i, "embedding": [float(len(text)), 1.0]} for i, text in enumerate(texts)]
    usage = {"prompt_tokens": len(texts), "total_tokens": len(texts), "cost": 1e-8}
    return JSONReply(body={"data": data, "model": request.body["model"], "usage": usage})


@pytest.mark.parametrize("pickler", PICKLERS)
def test_embeddings_round_trip(pickler: str, emulator: OpenRouterEmulator) -> None:
    emulator.route("/embeddings", embeddings_reply)
    embeddings = OpenRouterEmbeddings(
        model="openai/text-embedding-3-small",
        api_key=emulator.api_key,
        base_url=emulator.base_url,
    )
    assert embeddings.embed_query("abc") == [3.0, 1.0]
    arrived = pickle.loads(PICKLERS[pickler](embeddings))  # noqa: S301 - our own bytes
    assert arrived.embed_documents(["a", "bcde"]) == [[1.0, 1.0], [4.0, 1.0]]
    assert isinstance(arrived.api_key, SecretStr)


@pytest.mark.parametrize("field", ["http_client", "http_async_client"])
@pytest.mark.parametrize("cls", [ChatOpenRouter, OpenRouterEmbeddings])
def test_a_model_with_its_own_http_client_says_how_to_pickle_it(
    field: str, cls: type[ChatOpenRouter | OpenRouterEmbeddings]
) -> None:
    client = httpx2.Client() if field == "http_client" else httpx2.AsyncClient()
    model = cls(model="a/b", api_key="sk-or-1", **{field: client})
    for dumps in PICKLERS.values():
        with pytest.raises(TypeError, match="http_client or http_async_client cannot be pickled"):
            dumps(model)
    with pytest.raises(TypeError, match=f"Build the {cls.__name__} without them"):
        pickle.dumps([model])  # also inside whatever holds it


# --- spawn ---------------------------------------------------------------------------


def test_a_spawn_process_pool_takes_the_model_as_an_argument(
    emulator: OpenRouterEmulator,
) -> None:
    emulator.route("/embeddings", embeddings_reply)
    model = emulator.chat_model()
    model.invoke("warm")
    embeddings = OpenRouterEmbeddings(
        model="openai/text-embedding-3-small",
        api_key=emulator.api_key,
        base_url=emulator.base_url,
    )
    prompts = [f"spawned {i}" for i in range(8)]
    with ProcessPoolExecutor(2, mp_context=get_context("spawn")) as pool:
        replies = list(pool.map(process_workers.answer, [model] * 8, prompts))
        emulator.enqueue(Completion(content=json.dumps(JOKE)))
        joke = pool.submit(process_workers.answer, model.with_structured_output(Joke), "joke")
        vector = pool.submit(process_workers.embed, embeddings, "four")
        assert joke.result()[1] == str(Joke(**JOKE))
        assert vector.result() == [4.0, 1.0]
    assert [reply for _, reply in replies] == [SAID + prompt for prompt in prompts]
    assert os.getpid() not in {pid for pid, _ in replies}
