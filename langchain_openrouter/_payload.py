"""Assembling the request body from the model's settings and a call's arguments.

Precedence, lowest first: the model's fields, ``model_kwargs``, then the call's keyword
arguments (which reach the body verbatim). Nothing the user passes is dropped; the few
inconsistent combinations OpenRouter would reject raise here, before anything is sent.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import httpx2

from langchain_openrouter._preflight import InvalidArgumentError, check_combination

if TYPE_CHECKING:
    from collections.abc import Mapping

# Fields whose request-body key differs from the field name.
BODY_KEY_OF_FIELD = {"openrouter_provider": "provider", "openrouter_metadata": "metadata"}
# Call arguments that configure the HTTP request rather than the body.
REQUEST_OPTIONS = ("timeout", "max_retries")
# The reasoning keys a per-call reasoning_effort replaces.
_EFFORT_KEYS = ("effort", "max_tokens")
# Call arguments LangChain uses internally; never sent.
_INTERNAL_CALL_ARGS = ("ls_structured_output_format",)


@dataclass(frozen=True)
class Request:
    """One request: its body and the options of the HTTP exchange."""

    body: dict[str, Any]
    timeout: Any
    max_retries: int
    headers: Mapping[str, str] | None = None
    """Per-request headers (response caching, router metadata); None for none."""


def check_reasoning(
    reasoning: Mapping[str, Any] | None, effort: object, output_limit: object = None
) -> None:
    """Reject reasoning settings OpenRouter would refuse, naming the fix.

    ``output_limit`` is the request's ``max_tokens`` (or ``max_completion_tokens``): a
    reasoning budget counts inside it, so it must be larger
    (docs/openrouter-wire-notes.md#reasoning-budget).
    """
    if not reasoning:
        return
    budget = reasoning.get("max_tokens")
    if isinstance(budget, int) and isinstance(output_limit, int) and output_limit <= budget:
        msg = (
            f"max_tokens={output_limit} must be greater than the reasoning budget "
            f"reasoning['max_tokens']={budget}: the budget is spent inside max_tokens. "
            "Raise max_tokens or lower the budget."
        )
        raise InvalidArgumentError(msg)
    if reasoning.get("effort") is not None and reasoning.get("max_tokens") is not None:
        msg = (
            "reasoning: set either 'effort' or 'max_tokens', not both "
            f"(got effort={reasoning['effort']!r}, max_tokens={reasoning['max_tokens']!r})."
        )
        raise InvalidArgumentError(msg)
    if effort is not None and reasoning.get("effort") not in (None, effort):
        msg = (
            f"reasoning_effort={effort!r} conflicts with reasoning['effort']="
            f"{reasoning['effort']!r}: set only one of them."
        )
        raise InvalidArgumentError(msg)


def _reasoning_overridden(defaults: Mapping[str, Any], call: Mapping[str, Any]) -> dict[str, Any]:
    """The model's parameters, with its reasoning replaced by the call's.

    ``reasoning`` and ``reasoning_effort`` are one setting: a per-call ``reasoning``
    replaces both of the model's; a per-call ``reasoning_effort`` replaces the model's
    effort or budget and keeps its other reasoning options (``exclude``, ``summary``, ...).
    """
    params = dict(defaults)
    if call.get("reasoning") is not None:
        params.pop("reasoning_effort", None)
    elif call.get("reasoning_effort") is not None and isinstance(params.get("reasoning"), dict):
        kept = {k: v for k, v in params["reasoning"].items() if k not in _EFFORT_KEYS}
        if kept:
            params["reasoning"] = kept
        else:
            params.pop("reasoning")
    return params


def build_request(  # noqa: PLR0913 - three keyword-only request options
    defaults: Mapping[str, Any],
    messages: list[dict[str, Any]],
    call_kwargs: dict[str, Any],
    *,
    stream: bool,
    timeout: Any,
    max_retries: int,
) -> Request:
    """The request for one call.

    ``defaults`` are the model's body parameters (``model`` included), already merged
    with ``model_kwargs``; ``call_kwargs`` are the per-call keyword arguments.
    """
    call = dict(call_kwargs)
    for name in _INTERNAL_CALL_ARGS:
        call.pop(name, None)
    timeout = normalize_timeout(call.pop("timeout", timeout))
    max_retries = call.pop("max_retries", max_retries)
    for field_name, body_key in BODY_KEY_OF_FIELD.items():
        if field_name in call:
            call[body_key] = call.pop(field_name)
    body: dict[str, Any] = {"model": defaults["model"], "messages": messages}
    body.update(_reasoning_overridden(defaults, call))
    body.update({key: value for key, value in call.items() if value is not None})
    if stream:
        body["stream"] = True
    else:
        body.pop("stream", None)
    check_reasoning(
        body.get("reasoning"),
        body.get("reasoning_effort"),
        body.get("max_tokens", body.get("max_completion_tokens")),
    )
    check_combination(body)
    if isinstance(max_retries, bool) or not isinstance(max_retries, int) or max_retries < 0:
        msg = f"max_retries must be a whole number >= 0, got {max_retries!r}."
        raise ValueError(msg)
    return Request(body=body, timeout=timeout, max_retries=max_retries)


# A timeout this large (over 16 minutes) is most likely 0.2.x's milliseconds.
_LIKELY_MILLISECONDS = 1000
_warned_timeouts: set[float] = set()


def _warn_if_milliseconds(timeout: float) -> None:
    """Warn once per value about a timeout that looks like milliseconds; it stays seconds."""
    if timeout < _LIKELY_MILLISECONDS or timeout in _warned_timeouts:
        return
    _warned_timeouts.add(timeout)
    warnings.warn(
        f"timeout={timeout:g} is in seconds ({timeout / 3600:.1f} hours), not milliseconds as "
        f"in langchain-openrouter 0.2.x; for {timeout / 1000:g} seconds pass "
        f"timeout={timeout / 1000:g}.",
        UserWarning,
        stacklevel=2,
    )


def normalize_timeout(timeout: Any) -> Any:
    """Seconds as float, or an ``httpx2.Timeout`` (legacy ``httpx.Timeout`` converted)."""
    if timeout is None or isinstance(timeout, httpx2.Timeout):
        return timeout
    if isinstance(timeout, bool):
        msg = f"timeout must be seconds (a number) or an httpx.Timeout, got {timeout!r}."
        raise TypeError(msg)
    if isinstance(timeout, (int, float)):
        if timeout <= 0:
            msg = f"timeout must be a positive number of seconds, got {timeout!r}."
            raise ValueError(msg)
        _warn_if_milliseconds(timeout)
        return float(timeout)
    if all(hasattr(timeout, part) for part in ("connect", "read", "write", "pool")):
        return httpx2.Timeout(
            connect=timeout.connect, read=timeout.read, write=timeout.write, pool=timeout.pool
        )
    if isinstance(timeout, tuple):
        return httpx2.Timeout(*timeout)
    msg = f"timeout must be seconds (a number) or an httpx.Timeout, got {type(timeout).__name__}."
    raise TypeError(msg)
