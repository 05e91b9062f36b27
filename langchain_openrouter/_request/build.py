"""The one request builder: (model settings, messages, call arguments) -> :class:`Request`.

:func:`build_request` is all ``ChatOpenRouter`` calls: it checks the call's arguments and
messages, converts the messages, merges the body, places prompt-cache breakpoints and
Anthropic's eager input streaming, and returns the finished request: for chat completions,
or rewritten for the Responses API when ``use_responses_api`` is on.

Precedence, lowest first: the model's fields, ``model_kwargs``, then the call's keyword
arguments (which reach the body verbatim). Nothing the user passes is dropped; the few
inconsistent combinations OpenRouter would reject raise here, before anything is sent.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from langchain_openrouter._http.connection import normalize_timeout
from langchain_openrouter._http.transport import Request
from langchain_openrouter._preflight import (
    InvalidArgumentError,
    check_call_arguments,
    check_combination,
    check_messages,
)
from langchain_openrouter._request.caching import (
    CacheSettings,
    apply_prompt_caching,
    cache_rule_for,
    model_vendor,
    to_cache_rule,
)
from langchain_openrouter._request.feature_headers import FeatureSettings, feature_headers
from langchain_openrouter._request.messages import convert_messages
from langchain_openrouter._request.responses import responses_request
from langchain_openrouter._request.tools import with_eager_input_streaming

if TYPE_CHECKING:
    from collections.abc import Mapping

    from langchain_core.messages import BaseMessage

    from langchain_openrouter.chat_models import ChatOpenRouter

# Fields whose request-body key differs from the field name.
BODY_KEY_OF_FIELD = {"openrouter_provider": "provider", "openrouter_metadata": "metadata"}
# The reasoning keys a per-call reasoning_effort replaces.
_EFFORT_KEYS = ("effort", "max_tokens")
# Prompt-caching settings (fields, and per-call arguments of the same names; never sent as
# is) -> the CacheSettings field each sets; cache_rule picks the vendor rule instead.
_CACHE_SETTING_OF_FIELD = {
    "cache_instructions": "instructions",
    "cache_messages": "messages",
    "cache_tool_definitions": "tool_definitions",
    "automatic_cache": "automatic",
}
CACHE_FIELDS = (*_CACHE_SETTING_OF_FIELD, "cache_rule")
# Per-call settings sent as request headers (see feature_headers), not as body keys.
HEADER_SETTINGS = ("response_cache", "response_cache_clear", "router_metadata")
# Per-call arguments that configure this integration; never sent as body keys.
CALL_SETTINGS = (
    *CACHE_FIELDS,
    "anthropic_eager_input_streaming",
    "use_responses_api",
    *HEADER_SETTINGS,
)
# Call arguments LangChain uses internally; never sent.
_INTERNAL_CALL_ARGS = ("ls_structured_output_format",)


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


def build_request(
    model: ChatOpenRouter,
    messages: list[BaseMessage],
    stop: list[str] | None,
    call_kwargs: Mapping[str, Any],
    *,
    stream: bool,
) -> Request:
    """The request for one call of ``model``: everything checked before anything is sent.

    Precedence, lowest first: the model's fields, ``model_kwargs``, ``stop``, then the
    call's keyword arguments.
    """
    call = _checked_call(model, stop, call_kwargs)
    tool_results = call.pop("check_tool_results", None)
    check_messages(
        messages, tool_results=model.check_tool_results if tool_results is None else tool_results
    )
    settings = {name: call.pop(name) for name in CALL_SETTINGS if name in call}
    for name in _INTERNAL_CALL_ARGS:
        call.pop(name, None)
    timeout = normalize_timeout(call.pop("timeout", model.timeout))
    max_retries = _checked_max_retries(call.pop("max_retries", model.max_retries))
    body = _body(model._default_params, convert_messages(messages), call, stream=stream)  # noqa: SLF001
    check_n(body.get("n", 1), stream=stream)
    body = _with_prompt_caching(body, model, settings)
    body = _with_eager_input_streaming(body, model, settings)
    headers = _feature_headers(model, settings, body)
    request = Request(body=body, timeout=timeout, max_retries=max_retries, headers=headers)
    if _setting(model, settings, "use_responses_api"):
        return responses_request(request, messages)
    return request


def _setting(model: ChatOpenRouter, overrides: Mapping[str, Any], name: str) -> Any:
    """The call's value of the setting ``name`` (None: not given), else the model's."""
    value = overrides.get(name)
    return getattr(model, name) if value is None else value


def _checked_call(
    model: ChatOpenRouter, stop: list[str] | None, call_kwargs: Mapping[str, Any]
) -> dict[str, Any]:
    """The call's keyword arguments (``stop`` among them) after the constructor's checks."""
    call = dict(call_kwargs)
    if stop is not None:
        call["stop"] = stop
    if call.get("session_id") == "":  # empty means unset, as for the field
        del call["session_id"]
    return check_call_arguments(call, type(model))


def _checked_max_retries(max_retries: object) -> int:
    if isinstance(max_retries, bool) or not isinstance(max_retries, int) or max_retries < 0:
        msg = f"max_retries must be a whole number >= 0, got {max_retries!r}."
        raise ValueError(msg)
    return max_retries


def _body(
    defaults: Mapping[str, Any],
    messages: list[dict[str, Any]],
    call: dict[str, Any],
    *,
    stream: bool,
) -> dict[str, Any]:
    """The body: the model's parameters (``model_kwargs`` merged) under the call's."""
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
    return body


def check_n(n: object, *, stream: bool) -> None:
    """``n`` as 0.2.x checked it: a whole number >= 1, and 1 when streaming."""
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        msg = f"n must be a whole number >= 1 (the choices to generate), got {n!r}."
        raise ValueError(msg)
    if n > 1 and stream:
        msg = (
            f"n must be 1 when streaming (got n={n}): a stream carries one choice. Set n=1, "
            "or do not stream (streaming=False, invoke instead of stream)."
        )
        raise ValueError(msg)


def _with_prompt_caching(
    body: dict[str, Any], model: ChatOpenRouter, overrides: Mapping[str, Any]
) -> dict[str, Any]:
    """``body`` with cache breakpoints placed by this call's caching settings."""
    setting = {name: overrides.get(name, getattr(model, name)) for name in CACHE_FIELDS}
    rule = setting["cache_rule"]
    settings = {field: setting[name] for name, field in _CACHE_SETTING_OF_FIELD.items()}
    return apply_prompt_caching(
        body,
        CacheSettings(**settings),
        cache_rule_for(body["model"]) if rule is None else to_cache_rule(rule),
    )


def _with_eager_input_streaming(
    body: dict[str, Any], model: ChatOpenRouter, overrides: Mapping[str, Any]
) -> dict[str, Any]:
    """``body`` with Anthropic's eager input streaming on its function tools, if asked."""
    eager = _setting(model, overrides, "anthropic_eager_input_streaming")
    if eager and body.get("tools") and model_vendor(body["model"]) == "anthropic":
        return {**body, "tools": with_eager_input_streaming(body["tools"])}
    return body


def _feature_headers(
    model: ChatOpenRouter, overrides: Mapping[str, Any], body: Mapping[str, Any]
) -> dict[str, str] | None:
    """The response-cache and router-metadata headers of one call (None, on most calls)."""
    if (
        model.response_cache is None
        and not model.router_metadata
        and not any(name in overrides for name in HEADER_SETTINGS)
    ):
        return None
    return feature_headers(
        FeatureSettings(
            response_cache=_setting(model, overrides, "response_cache"),
            response_cache_clear=bool(overrides.get("response_cache_clear")),
            router_metadata=_setting(model, overrides, "router_metadata"),
            preset=body.get("preset"),
        )
    )
