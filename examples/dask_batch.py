"""A batch of prompts over a Dask cluster of worker processes, answers in order, cost summed.

The model is built once, here, and shipped to the workers (``client.scatter``): it
pickles as its settings, API key included as a ``SecretStr``, and each worker process
builds its own connection pool on first use. Each worker runs ``THREADS`` calls at a
time on that one pool, so ``WORKERS * THREADS`` requests are in flight. Answers come
back in the prompts' order, with the tokens and the cost (USD, as OpenRouter reports it)
summed, and a progress bar with the running cost while the batch runs.

A ``LocalCluster`` stands in for a real one: point ``Client`` at your scheduler's address
instead and nothing else changes. Install with ``pip install "langchain-openrouter[dask]"``.

Run it with ``python examples/dask_batch.py``: against OpenRouter when
``OPENROUTER_API_KEY`` is set, otherwise against the local emulator.
"""

from __future__ import annotations

import logging
import os
import sys
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from _offline import openrouter_or_emulator
from dask.distributed import Client, LocalCluster, as_completed

from langchain_openrouter import ChatOpenRouter
from langchain_openrouter.testing import Completion, usage

if TYPE_CHECKING:
    from collections.abc import Sequence

    from _offline import Responder

    from langchain_openrouter.testing import RecordedRequest

MODEL = "openai/gpt-4o-mini"
WORKERS = 2
THREADS = 4
BAR_WIDTH = 30
INSTRUCTION = "Classify the sentiment of this product review: positive, negative or mixed."

REVIEWS = tuple(
    f"{opening} {item}."
    for item in (
        "the blender",
        "the hiking boots",
        "the noise-cancelling headphones",
        "the standing desk",
        "the espresso machine",
        "the e-reader",
        "the robot vacuum",
        "the rain jacket",
    )
    for opening in (
        "Five stars, I use it every day and love",
        "Broke after a week, I want a refund for",
        "Great design, but the battery disappoints me on",
    )
)


@dataclass(frozen=True)
class Answer:
    """One reply, as a worker sends it back."""

    text: str
    input_tokens: int
    output_tokens: int
    cost: float
    worker: int
    """The pid of the worker process that asked."""


@dataclass
class Batch:
    """The answers in the prompts' order, and the totals."""

    answers: list[str]
    input_tokens: int = 0
    output_tokens: int = 0
    cost: float = 0.0
    seconds: float = 0.0
    workers: set[int] = field(default_factory=set)


def classify(review: str, model: ChatOpenRouter) -> Answer:
    """Runs on a worker, with the model that was shipped to it."""
    reply = model.invoke([("system", INSTRUCTION), ("human", review)])
    tokens = reply.usage_metadata or {"input_tokens": 0, "output_tokens": 0}
    return Answer(
        text=reply.text.strip(),
        input_tokens=tokens["input_tokens"],
        output_tokens=tokens["output_tokens"],
        cost=float(reply.response_metadata.get("cost") or 0.0),
        worker=os.getpid(),
    )


class ProgressBar:
    """``[#######-------] 12/24  $0.000123`` on stderr, redrawn as answers arrive."""

    def __init__(self, total: int) -> None:
        self.total = total

    def show(self, done: int, cost: float) -> None:
        """Redraw the bar: ``done`` answers so far, ``cost`` spent on them."""
        filled = BAR_WIDTH * done // self.total
        bar = "#" * filled + "-" * (BAR_WIDTH - filled)
        end = "\n" if done == self.total else ""
        print(f"\r[{bar}] {done}/{self.total}  ${cost:.6f}", end=end, file=sys.stderr)


def run_batch(client: Client, model: ChatOpenRouter, prompts: Sequence[str]) -> Batch:
    """Send every prompt to the cluster; collect the answers in order as they complete."""
    started = time.perf_counter()
    shipped = client.scatter(model, broadcast=True)  # pickled once, one copy per worker
    futures = client.map(classify, prompts, model=shipped, pure=False)
    position = {future.key: index for index, future in enumerate(futures)}
    batch = Batch(answers=[""] * len(prompts))
    bar = ProgressBar(len(prompts))
    for done, (future, answer) in enumerate(as_completed(futures, with_results=True), 1):
        batch.answers[position[future.key]] = answer.text
        batch.input_tokens += answer.input_tokens
        batch.output_tokens += answer.output_tokens
        batch.cost += answer.cost
        batch.workers.add(answer.worker)
        bar.show(done, batch.cost)
    batch.seconds = time.perf_counter() - started
    return batch


def run(prompts: Sequence[str] = REVIEWS) -> Batch:
    """Classify the reviews on a local cluster of worker processes and print the results."""
    model = ChatOpenRouter(model=MODEL, temperature=0, max_tokens=5)
    with (
        LocalCluster(
            n_workers=WORKERS,
            threads_per_worker=THREADS,
            processes=True,
            dashboard_address=None,
            silence_logs=logging.ERROR,
        ) as cluster,
        Client(cluster) as client,
    ):
        batch = run_batch(client, model, prompts)
    for prompt, answer in zip(prompts, batch.answers, strict=True):
        print(f"{answer:<9} {prompt}")
    rate = len(prompts) / batch.seconds
    print(
        f"\n{len(prompts)} reviews on {len(batch.workers)} worker processes in "
        f"{batch.seconds:.2f} s ({rate:.1f}/s): {batch.input_tokens} input and "
        f"{batch.output_tokens} output tokens, ${batch.cost:.6f}"
    )
    return batch


def main() -> None:
    """Run against OpenRouter, or against the emulator without a key."""
    with openrouter_or_emulator("dask_batch.py", emulator_replies()):
        run()


# --- Offline: what the emulator answers ------------------------------------------------

SCRIPTED_SENTIMENT = {"Five": "positive", "Broke": "negative", "Great": "mixed"}


def answer_by_review(request: RecordedRequest) -> Completion:
    """The scripted label for the review in the request (workers ask in any order)."""
    review = request.body["messages"][-1]["content"]
    label = SCRIPTED_SENTIMENT[review.split()[0].rstrip(",")]
    return Completion(content=label, model=MODEL, usage=usage(40, 1, cost=4.2e-6))


def emulator_replies() -> list[Responder]:
    """One reply per review."""
    return [answer_by_review] * len(REVIEWS)


if __name__ == "__main__":
    main()
