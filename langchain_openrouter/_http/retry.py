"""The retry policy: one tenacity configuration for sync and async, invoke and stream.

The ``openai`` SDK's own retries are turned off (its clients are built with
``max_retries=0``), so ``max_retries`` here is the only count: 0 means exactly one attempt.
Only errors marked retryable are retried (408, 429, 5xx/524/529, connection failures,
client timeouts, empty 200 bodies); 400/401/402/403/404 never are.
"""

from __future__ import annotations

import asyncio
import copy
import logging
from typing import TYPE_CHECKING, Any

from tenacity import (
    AsyncRetrying,
    RetryCallState,
    Retrying,
    retry_if_exception,
    stop_after_attempt,
    wait_exponential,
    wait_random,
)
from tenacity.wait import wait_base

from langchain_openrouter._errors import OpenRouterError

if TYPE_CHECKING:
    from langchain_core.callbacks import AsyncCallbackManagerForLLMRun, CallbackManagerForLLMRun

logger = logging.getLogger("langchain_openrouter")

MAX_HINTED_WAIT = 60.0
"""Longest wait we accept from a ``Retry-After`` or ``retry_after`` hint, in seconds."""
BACKOFF_INITIAL = 0.5
BACKOFF_MAX = 8.0
JITTER = 0.5
"""Without a hint, attempt n waits ``min(BACKOFF_INITIAL * 2**(n-1), BACKOFF_MAX)``
seconds plus up to ``JITTER``. Read when each request starts, so tests may lower them."""


class _HonourRetryAfter(wait_base):
    """Exponential backoff with jitter, unless the server said how long to wait."""

    def __init__(self) -> None:
        self._backoff = wait_exponential(multiplier=BACKOFF_INITIAL, max=BACKOFF_MAX) + wait_random(
            0, JITTER
        )

    def __call__(self, retry_state: RetryCallState) -> float:
        outcome = retry_state.outcome
        error = outcome.exception() if outcome is not None else None
        hint = getattr(error, "retry_after", None)
        if isinstance(hint, (int, float)):
            return min(max(float(hint), 0.0), MAX_HINTED_WAIT)
        return float(self._backoff(retry_state))


def _is_retryable(error: BaseException) -> bool:
    return isinstance(error, OpenRouterError) and error.is_retryable


def _log_retry(retry_state: RetryCallState) -> None:
    if logger.isEnabledFor(logging.DEBUG):
        outcome = retry_state.outcome
        error = outcome.exception() if outcome is not None else None
        wait = retry_state.next_action.sleep if retry_state.next_action else 0.0
        logger.debug(
            "OpenRouter request failed (attempt %d: %r); retrying in %.2fs",
            retry_state.attempt_number,
            error,
            wait,
        )


def _policy(max_retries: int) -> dict[str, Any]:
    return {
        "stop": stop_after_attempt(max_retries + 1),
        "wait": _HonourRetryAfter(),
        "retry": retry_if_exception(_is_retryable),
        "reraise": True,
    }


def retrying(max_retries: int, run_manager: CallbackManagerForLLMRun | None) -> Retrying:
    """Tenacity iterator for a sync request."""

    def before_sleep(retry_state: RetryCallState) -> None:
        _log_retry(retry_state)
        if run_manager is not None:
            run_manager.on_retry(retry_state)

    return Retrying(before_sleep=before_sleep, **_policy(max_retries))


def async_retrying(
    max_retries: int, run_manager: AsyncCallbackManagerForLLMRun | None
) -> AsyncRetrying:
    """Tenacity iterator for an async request.

    ``on_retry`` is awaited in the sleep between attempts rather than in ``before_sleep``:
    tenacity before 8.3 calls ``before_sleep`` without awaiting it, and the sleep it awaits
    in every release.
    """
    retried: list[RetryCallState] = []

    def before_sleep(retry_state: RetryCallState) -> None:
        _log_retry(retry_state)
        retried.append(copy.copy(retry_state))  # as it is now: tenacity resets it to sleep

    async def sleep(seconds: float) -> None:
        while retried:
            retry_state = retried.pop(0)
            if run_manager is not None:
                await run_manager.on_retry(retry_state)
        await asyncio.sleep(seconds)

    return AsyncRetrying(before_sleep=before_sleep, sleep=sleep, **_policy(max_retries))
