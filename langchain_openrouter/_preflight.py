"""Argument checks run before anything is sent: one table for the constructor and each call.

:data:`ARGUMENT_CHECKS` says, per argument, what a valid value is. The same table checks
``ChatOpenRouter(...)`` (a before-validator on each field), ``model_kwargs`` and every
per-call keyword argument (``invoke``, ``stream``, ``batch``, ``bind``; configured fields
rebuild the model, so they pass through the constructor). A field added to the model joins
with one line here. ``None`` always means "not set". Ranges follow OpenRouter's parameter
reference: https://openrouter.ai/docs/api-reference/parameters
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated, Any, get_args
from urllib.parse import urlsplit

from langchain_core.messages import AIMessage, HumanMessage, ToolMessage
from pydantic import BaseModel, PydanticSchemaGenerationError, TypeAdapter, ValidationError

from langchain_openrouter._types import ReasoningEffort

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping, Sequence

    from langchain_core.messages import BaseMessage


class InvalidArgumentError(ValueError):
    """An argument OpenRouter would refuse (or misread), caught before the request."""


@dataclass(frozen=True)
class Check:
    """What a valid value of one argument is.

    ``test`` returns None when the value is fine, else what is wrong with it (an empty
    string: just "not ``rule``"). ``clean`` gives the value to keep (e.g. a trimmed slug).
    """

    rule: str
    example: str
    test: Callable[[Any], str | None]
    clean: Callable[[Any], Any] = lambda value: value


def _is_whole(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: object) -> bool:
    return (
        isinstance(value, (int, float))
        and not isinstance(value, bool)
        and math.isfinite(float(value))
    )


def _fails(ok: bool) -> str | None:  # noqa: FBT001 - a predicate's result
    return None if ok else ""


def whole(minimum: int | None = None, maximum: int | None = None, example: int = 1) -> Check:
    """An integer (not a bool) within ``[minimum, maximum]``."""
    bounds = _bounds_text(minimum, maximum)
    return Check(
        f"a whole number{bounds}",
        str(example),
        lambda v: _fails(
            _is_whole(v) and (minimum is None or v >= minimum) and (maximum is None or v <= maximum)
        ),
    )


def number(low: float, high: float, *, open_low: bool = False, example: float = 0.7) -> Check:
    """A finite number from ``low`` (excluded when ``open_low``) to ``high``."""
    bounds = (
        f"greater than {low:g} and at most {high:g}" if open_low else f"from {low:g} to {high:g}"
    )
    return Check(
        f"a number {bounds}",
        f"{example:g}",
        lambda v: _fails(_is_number(v) and (v > low if open_low else v >= low) and v <= high),
    )


def _bounds_text(minimum: int | None, maximum: int | None) -> str:
    if minimum is not None and maximum is not None:
        return f" from {minimum} to {maximum}"
    if minimum is not None:
        return f" >= {minimum}"
    return ""


def one_of(*choices: object, example: object = None) -> Check:
    """One of ``choices`` (compared with ``==``; bools are never numbers here)."""
    listed = ", ".join(repr(choice) for choice in choices)
    return Check(
        f"one of {listed}",
        repr(choices[0] if example is None else example),
        lambda v: _fails(any(v == c and type(v) is type(c) for c in choices)),
    )


def _of_type(kind: type, rule: str, example: str) -> Check:
    return Check(rule, example, lambda v: _fails(isinstance(v, kind)))


def list_of(item: Check, rule: str, example: str) -> Check:
    """A list (or tuple) whose every item passes ``item``."""

    def test(value: object) -> str | None:
        if not isinstance(value, (list, tuple)):
            return ""
        for position, entry in enumerate(value):
            problem = item.test(entry)
            if problem is not None:
                return f"item {position} ({entry!r}) is not {item.rule}{_colon(problem)}"
        return None

    return Check(rule, example, test, lambda v: [item.clean(entry) for entry in v])


def _colon(problem: str) -> str:
    return f": {problem}" if problem else ""


BOOL = _of_type(bool, "True or False", "True")
TEXT = _of_type(str, "a string", "'...'")
DICT = _of_type(dict, "a dict", "{}")

# --- model slugs ------------------------------------------------------------------------

# vendor/model[:variant][@preset/...], ~vendor/model-latest, or @preset/name
# (https://openrouter.ai/docs/guides/routing/model-variants, .../features/presets).
_SLUG = re.compile(r"^(~?[^/@\s]+/[^\s]+|@[^\s]+)$")


def _slug_problem(value: object) -> str | None:
    if not isinstance(value, str):
        return ""
    slug = value.strip()
    if not slug:
        return "it is empty"
    if re.search(r"\s", slug):
        return "it contains whitespace; OpenRouter slugs have none"
    if not _SLUG.match(slug):
        return f"it has no vendor prefix{_did_you_mean(slug)}"
    return None


def _did_you_mean(slug: str) -> str:
    """A known slug ending in ``/slug``, from the model profiles (error path only)."""
    from langchain_openrouter._profiles import known_models  # noqa: PLC0415 - error path

    base = slug.lower().split(":", 1)[0]
    matches = sorted(name for name in known_models() if name.endswith(f"/{base}"))
    return f" (did you mean {matches[0]!r}?)" if matches else ""


def _clean_slug(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


SLUG = Check(
    "an OpenRouter model slug: 'vendor/model', 'vendor/model:variant', "
    "'~vendor/model-latest', 'openrouter/auto' or '@preset/name'",
    "'openai/gpt-4o-mini'",
    _slug_problem,
    _clean_slug,
)

# --- structured settings ----------------------------------------------------------------

_EFFORTS = get_args(ReasoningEffort)


def _reasoning_problem(value: object) -> str | None:
    if isinstance(value, str):
        hint = f"reasoning_effort={value!r} or " if value in _EFFORTS else ""
        return f"it is a string; for the effort alone pass {hint}reasoning={{'effort': ...}}"
    if not isinstance(value, dict):
        return ""
    entries: dict[str, Check] = {
        "effort": one_of(*_EFFORTS),
        "max_tokens": whole(0, example=2000),
        "exclude": BOOL,
        "enabled": BOOL,
        "summary": one_of("auto", "concise", "detailed"),
    }
    return _entries_problem(value, entries)


def _entries_problem(value: Mapping[str, Any], entries: Mapping[str, Check]) -> str | None:
    for key, check in entries.items():
        entry = value.get(key)
        if entry is not None and check.test(entry) is not None:
            return f"[{key!r}]={entry!r} is not {check.rule}"
    return None


def _plugin_problem(value: object) -> str | None:
    if not isinstance(value, dict) or not isinstance(value.get("id"), str):
        return "a plugin is a dict with a string 'id'"
    return None


def _string_map_problem(limit: int) -> Callable[[Any], str | None]:
    def test(value: object) -> str | None:
        if not isinstance(value, dict):
            return ""
        if len(value) > limit:
            return f"it has {len(value)} entries, more than {limit}"
        if not all(isinstance(k, str) and isinstance(v, str) for k, v in value.items()):
            return "every key and value must be a string"
        return None

    return test


def _logit_bias_problem(value: object) -> str | None:
    if not isinstance(value, dict):
        return ""
    for token, bias in value.items():
        if not (_is_number(bias) and -100 <= bias <= 100):  # noqa: PLR2004 - documented range
            return f"the bias of token {token!r} is {bias!r}, outside -100 to 100"
    return None


def _stop_problem(value: object) -> str | None:
    if isinstance(value, str):
        return None
    return TEXT_LIST.test(value)


def _base_url_problem(value: object) -> str | None:
    if not isinstance(value, str):
        return ""
    parts = urlsplit(value.strip())
    if parts.scheme not in ("http", "https"):
        return "it does not start with http:// or https://"
    if not parts.hostname:
        return "it has no host"
    return None


TEXT_LIST = list_of(TEXT, "a list of strings", "['...']")
CACHE_SETTING = one_of(*(False, True, "5m", "1h"))


def _response_cache_problem(value: object) -> str | None:
    if isinstance(value, bool):
        return None
    if not _is_whole(value):
        return ""
    if not 1 <= value <= _MAX_CACHE_TTL:  # type: ignore[operator]
        return "a TTL is 1 to 86400 seconds (OpenRouter clamps other values)"
    return None


# https://openrouter.ai/docs/guides/features/response-caching#ttl-time-to-live
_MAX_CACHE_TTL = 86400

# The checks, by argument name (the field name; a body key such as `provider` is checked
# as its field). Keep README.md's "Argument checks" table in step (tests compare them).
ARGUMENT_CHECKS: dict[str, Check] = {
    "model": SLUG,
    "models": list_of(SLUG, "a list of OpenRouter model slugs", "['openai/gpt-4o-mini']"),
    "base_url": Check(
        "an http(s) URL with a host", "'https://openrouter.ai/api/v1'", _base_url_problem
    ),
    "max_retries": whole(0, example=2),
    "streaming": BOOL,
    "stream_usage": BOOL,
    "check_tool_results": BOOL,
    "temperature": number(0, 2),
    "top_p": number(0, 1, open_low=True, example=0.9),
    "top_k": whole(0, example=40),
    "min_p": number(0, 1, example=0.1),
    "top_a": number(0, 1, example=0.1),
    "frequency_penalty": number(-2, 2, example=0.5),
    "presence_penalty": number(-2, 2, example=0.5),
    "repetition_penalty": number(0, 2, open_low=True, example=1.1),
    "max_tokens": whole(1, example=1024),
    "max_completion_tokens": whole(1, example=1024),
    "n": whole(1, example=1),
    "anthropic_eager_input_streaming": BOOL,
    "seed": whole(example=42),
    "stop": Check("a string or a list of strings", "['END']", _stop_problem),
    "logit_bias": Check(
        "a dict of token id to a bias from -100 to 100", "{'50256': -100}", _logit_bias_problem
    ),
    "logprobs": BOOL,
    "top_logprobs": whole(0, 20, example=5),
    "reasoning": Check(
        "a dict such as {'effort': 'high'} or {'max_tokens': 2000}",
        "{'effort': 'high'}",
        _reasoning_problem,
    ),
    "reasoning_effort": one_of(*_EFFORTS, example="high"),
    "verbosity": one_of("low", "medium", "high", "xhigh", "max"),
    "service_tier": one_of("auto", "default", "fast", "flex", "priority", "scale"),
    "modalities": list_of(
        one_of("text", "image", "audio"), "a list of 'text', 'image', 'audio'", "['image', 'text']"
    ),
    "openrouter_provider": Check(
        "a dict of provider preferences (ProviderPreferences: its keys' types are checked)",
        "{'sort': 'price'}",
        lambda v: _fails(isinstance(v, dict)),
    ),
    "plugins": list_of(
        Check("a plugin dict", "{'id': 'web'}", _plugin_problem),
        "a list of plugin dicts",
        "[{'id': 'web'}]",
    ),
    "transforms": TEXT_LIST,
    "route": TEXT,
    "preset": TEXT,
    "user": TEXT,
    "session_id": Check(
        "a string of at most 256 characters",
        "'chat-42'",
        lambda v: _fails(isinstance(v, str) and len(v) <= 256),  # noqa: PLR2004 - API limit
    ),
    "prompt_cache_key": TEXT,
    "openrouter_metadata": Check(
        "a dict of at most 16 string pairs", "{'team': 'search'}", _string_map_problem(16)
    ),
    "trace": Check(
        "a dict (TraceConfig: its keys' types are checked)",
        "{'trace_id': 't-1'}",
        lambda v: _fails(isinstance(v, dict)),
    ),
    "usage": Check("a dict such as {'include': True}", "{'include': True}", DICT.test),
    "image_config": Check("a dict", "{'aspect_ratio': '16:9'}", DICT.test),
    "cache_instructions": CACHE_SETTING,
    "cache_messages": CACHE_SETTING,
    "cache_tool_definitions": CACHE_SETTING,
    "automatic_cache": CACHE_SETTING,
    "parallel_tool_calls": BOOL,
    "response_cache": Check(
        "True, False or a TTL in seconds from 1 to 86400", "300", _response_cache_problem
    ),
    "response_cache_clear": BOOL,
    "router_metadata": BOOL,
    "top_n": whole(1, example=3),
}
# Request-body keys checked as the field they stand for.
FIELD_OF_BODY_KEY = {"provider": "openrouter_provider", "metadata": "openrouter_metadata"}


def check_argument(name: str, value: Any, *, checked_as: str | None = None) -> Any:
    """``value`` as kept (cleaned), or :class:`InvalidArgumentError` naming the fix.

    ``checked_as`` is the argument whose check applies, when ``name`` is another spelling.
    """
    check = ARGUMENT_CHECKS.get(checked_as or name)
    if check is None or value is None:
        return value
    problem = check.test(value)
    if problem is None:
        return check.clean(value)
    reason = f"{problem}. " if problem else ""
    msg = (
        f"{name}={value!r} is invalid: {reason}{name} must be {check.rule}, "
        f"for example {name}={check.example}."
    )
    raise InvalidArgumentError(msg)


def check_call_arguments(values: Mapping[str, Any], model: type[BaseModel]) -> dict[str, Any]:
    """A call's keyword arguments, checked (table, then field types) and cleaned.

    Body keys (``provider``, ``metadata``) are checked as the fields they stand for.
    """
    checked = {}
    for name, value in values.items():
        field = FIELD_OF_BODY_KEY.get(name, name)
        checked[name] = check_argument(name, value, checked_as=field)
        check_field_type(name, checked[name], model, field)
    return checked


def check_combination(body: Mapping[str, Any]) -> None:
    """Checks across arguments of the merged request body."""
    if body.get("top_logprobs") is not None and body.get("logprobs") is not True:
        msg = (
            f"top_logprobs={body['top_logprobs']!r} needs logprobs=True "
            "(https://openrouter.ai/docs/api-reference/parameters#top-logprobs): "
            "pass logprobs=True too, or drop top_logprobs."
        )
        raise InvalidArgumentError(msg)


# --- message lists ----------------------------------------------------------------------

_TOOL_RESULTS_OPT_OUT = (
    "If you mean it, pass check_tool_results=False (on the model or for this call)."
)


def check_messages(messages: Sequence[BaseMessage], *, tool_results: bool = True) -> None:
    """Refuse an empty list and, unless ``tool_results`` is False, unpaired tool turns.

    Providers reject a ``tool`` message whose ``tool_call_id`` answers no earlier call, and
    a tool call left without its result when the conversation moves on (OpenAI: "An
    assistant message with 'tool_calls' must be followed by tool messages responding to
    each 'tool_call_id'"; Anthropic: "tool_use ids were found without tool_result blocks").
    """
    if not messages:
        msg = "messages is empty: pass at least one message, e.g. llm.invoke('Hello')."
        raise InvalidArgumentError(msg)
    if tool_results:
        _check_tool_pairs(messages)


def _check_tool_pairs(messages: Sequence[BaseMessage]) -> None:
    called: set[str] = set()
    pending: list[str] = []
    for position, message in enumerate(messages):
        if isinstance(message, ToolMessage):
            if message.tool_call_id not in called:
                msg = (
                    f"messages[{position}] is a ToolMessage with tool_call_id="
                    f"{message.tool_call_id!r}, which answers no tool call of an earlier "
                    "AIMessage. Give it the id of the call it answers, or remove it. "
                    f"{_TOOL_RESULTS_OPT_OUT}"
                )
                raise InvalidArgumentError(msg)
            pending = [call for call in pending if call != message.tool_call_id]
            continue
        if pending and isinstance(message, (HumanMessage, AIMessage)):
            msg = (
                f"messages[{position}] ({message.type}) follows tool call(s) without a "
                f"result: tool_call_id {', '.join(map(repr, pending))}. Add a ToolMessage "
                f"with each tool_call_id before it. {_TOOL_RESULTS_OPT_OUT}"
            )
            raise InvalidArgumentError(msg)
        if isinstance(message, AIMessage):
            pending = _call_ids(message)
            called.update(pending)


def _call_ids(message: AIMessage) -> list[str]:
    calls = [*message.tool_calls, *message.invalid_tool_calls]
    return [str(call["id"]) for call in calls if call.get("id")]


# --- field types, per call --------------------------------------------------------------

_ADAPTERS: dict[tuple[type, str], TypeAdapter[Any] | None] = {}


def check_field_type(
    name: str, value: Any, model: type[BaseModel], field_name: str | None = None
) -> None:
    """``value`` checked against the declared type of ``model``'s field (``name``'s own).

    The constructor gets this from pydantic as well; a call's keyword arguments get it
    only here. The value is sent as given: this only checks it.
    """
    field_name = field_name or name
    field = model.model_fields.get(field_name)
    if field is None or value is None:
        return
    adapter = _adapter(model, field_name)
    if adapter is None:
        return
    try:
        adapter.validate_python(value)
    except ValidationError as error:
        first = error.errors()[0]
        where = f"[{first['loc'][0]!r}]" if first["loc"] else ""
        msg = (
            f"{name}={value!r} is invalid: {name}{where}: {first['msg']}. "
            f"Pass a value of type {_type_name(field.annotation)}."
        )
        raise InvalidArgumentError(msg) from None


def _adapter(model: type[BaseModel], field_name: str) -> TypeAdapter[Any] | None:
    """The validator of a field's type, built once; None for types pydantic cannot check."""
    key = (model, field_name)
    if key not in _ADAPTERS:
        field = model.model_fields[field_name]
        parts = (field.annotation, *field.metadata)
        annotated: Any = Annotated[parts] if field.metadata else field.annotation
        try:
            _ADAPTERS[key] = TypeAdapter(annotated)
        except PydanticSchemaGenerationError:  # an arbitrary type: the constructor checks it
            _ADAPTERS[key] = None
    return _ADAPTERS[key]


def _type_name(annotation: object) -> str:
    return re.sub(r"\b[\w.]+\.", "", getattr(annotation, "__name__", None) or str(annotation))
