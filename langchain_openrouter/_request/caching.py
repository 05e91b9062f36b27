"""Prompt caching: where ``cache_control`` breakpoints go, vendor by vendor.

OpenRouter forwards Anthropic-style ``cache_control`` breakpoints to the downstream
provider, but what a provider does with them differs (OpenRouter's prompt-caching guide,
summed up in docs/openrouter-wire-notes.md#prompt-caching). All of that knowledge lives
here, in one table of `CacheRule`s keyed by model slug, and one function,
`apply_prompt_caching`, that turns a request body whose messages may hold cache-point
markers into the body that is sent.

Breakpoints come from three places:

* ``cache_control`` the user wrote on a content part or a tool: sent as written, never
  overwritten; only the vendor's breakpoint limit may remove it (else the request fails).
* cache-point markers, ``{"type": "cache_point", "ttl": "5m" | "1h"}`` content blocks: a
  breakpoint on the content part just before the marker. Markers are never sent.
* the settings ``cache_instructions``, ``cache_messages``, ``cache_tool_definitions``
  (`CacheSettings`), and ``automatic_cache`` for the top-level ``cache_control``.

Breakpoints are ordered as the prompt is: tool definitions, then system messages, then
the other messages. Markers and settings only act where the rule allows; elsewhere they
are dropped and nothing a provider could reject is sent.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from langchain_openrouter._types import CacheTTL

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

CacheSetting = bool | CacheTTL
"""``False`` (off), ``True`` (on, 5-minute TTL), or a TTL: ``"5m"`` or ``"1h"``."""

CACHE_POINT = "cache_point"
DEFAULT_TTL: CacheTTL = "5m"
_TTLS: tuple[CacheTTL, ...] = ("5m", "1h")
_SYSTEM_ROLES = frozenset({"system", "developer"})
_SETTINGS_HINT = (
    "To cache system instructions, the conversation so far or tool definitions, use "
    "cache_instructions=True, cache_messages=True or cache_tool_definitions=True instead."
)


@dataclass(frozen=True)
class CacheRule:
    """What a downstream vendor does with ``cache_control``.

    Pass one (or a dict of its fields) as ``ChatOpenRouter(cache_rule=...)`` to override
    the vendor table for a model, e.g. for a new model or a custom route.

    Attributes:
        explicit_breakpoints: Per-part ``cache_control`` is honoured, so cache-point
            markers and the ``cache_*`` settings place breakpoints. If False they are
            dropped (the provider caches automatically, or not at all).
        ttl: ``cache_control`` may carry a ``ttl`` (``"5m"`` or ``"1h"``); if False the
            TTL is left out of the breakpoints this package writes.
        tool_definitions: Tool definitions can be cached (``cache_tool_definitions``).
        last_breakpoint_only: Only the last breakpoint is used, so earlier ones this
            package would place are not sent.
        max_breakpoints: The most breakpoints a request may hold, or None for no limit.
        automatic: The top-level ``cache_control`` (``automatic_cache``) is honoured.
    """

    explicit_breakpoints: bool = False
    ttl: bool = False
    tool_definitions: bool = False
    last_breakpoint_only: bool = False
    max_breakpoints: int | None = None
    automatic: bool = False


ANTHROPIC = CacheRule(
    explicit_breakpoints=True, ttl=True, tool_definitions=True, max_breakpoints=4, automatic=True
)
"""Claude on every provider: explicit breakpoints with TTLs, at most 4, and automatic."""
GEMINI = CacheRule(explicit_breakpoints=True, last_breakpoint_only=True)
"""Gemini: explicit breakpoints, no TTL (Google manages it), only the last one is used."""
ALIBABA = CacheRule(explicit_breakpoints=True)
"""Alibaba's explicit-caching models: Anthropic syntax, fixed 5-minute TTL, no tools."""
NO_EXPLICIT_CACHING = CacheRule()
"""Every other vendor: caching is automatic (OpenAI, DeepSeek, xAI, ...) or absent."""

VENDOR_CACHE_RULES: Mapping[str, CacheRule] = MappingProxyType(
    {"anthropic/": ANTHROPIC, "google/gemini": GEMINI}
)
"""Rules by model-slug prefix; the longest matching prefix wins."""
MODEL_CACHE_RULES: Mapping[str, CacheRule] = MappingProxyType(
    dict.fromkeys(
        (
            "deepseek/deepseek-v3.2",
            "qwen/qwen3-max",
            "qwen/qwen-plus",
            "qwen/qwen3.6-plus",
            "qwen/qwen3-coder-plus",
            "qwen/qwen3-coder-flash",
        ),
        ALIBABA,
    )
)
"""Rules for exact slugs (Alibaba's snapshots such as ``qwen/qwen3.5-plus-02-15`` lack it)."""


@dataclass(frozen=True)
class CacheSettings:
    """The caching settings of one call (each `CacheSetting`)."""

    instructions: CacheSetting = False
    """Cache the leading system message(s): a breakpoint on their last part."""
    messages: CacheSetting = False
    """Cache the conversation: a breakpoint on the last part of the last message."""
    tool_definitions: CacheSetting = False
    """Cache the tool definitions: a breakpoint on the last function tool."""
    automatic: CacheSetting = False
    """Send the top-level ``cache_control`` (automatic caching, Anthropic-family routes)."""


def cache_point(ttl: CacheTTL | None = None) -> dict[str, Any]:
    """A cache-point marker: put it in a message's content after what should be cached.

    Args:
        ttl: ``"5m"`` (the default) or ``"1h"``; used only where the vendor takes TTLs.
    """
    if ttl is None:
        return {"type": CACHE_POINT}
    return {"type": CACHE_POINT, "ttl": _checked_ttl(ttl, "cache_point ttl")}


def base_slug(model: str) -> str:
    """``model`` without a ``~`` alias prefix or a ``:variant`` suffix, lower-cased."""
    return model.strip().lower().removeprefix("~").split(":", 1)[0]


def model_vendor(model: str) -> str:
    """The vendor part of a model slug: ``"anthropic"`` for ``"~anthropic/claude:nitro"``."""
    return base_slug(model).split("/", 1)[0]


def cache_rule_for(model: str) -> CacheRule:
    """The vendor table's rule for a model slug (``~`` aliases and ``:variant``s included)."""
    slug = base_slug(model)
    if slug in MODEL_CACHE_RULES:
        return MODEL_CACHE_RULES[slug]
    prefixes = [prefix for prefix in VENDOR_CACHE_RULES if slug.startswith(prefix)]
    return VENDOR_CACHE_RULES[max(prefixes, key=len)] if prefixes else NO_EXPLICIT_CACHING


def to_cache_rule(value: CacheRule | Mapping[str, Any]) -> CacheRule:
    """A `CacheRule` from itself or from a dict of its fields."""
    if isinstance(value, CacheRule):
        return value
    known = {field.name for field in fields(CacheRule)}
    if unknown := sorted(set(value) - known):
        msg = f"cache_rule has unknown field(s) {unknown}; its fields are {sorted(known)}."
        raise ValueError(msg)
    return CacheRule(**value)


# --- breakpoints ---------------------------------------------------------------------------

_TOOLS, _SYSTEM, _MESSAGES = 0, 1, 2


@dataclass(frozen=True, order=True)
class _Spot:
    """Where a breakpoint sits, ordered as the prompt is: tools, system, then messages."""

    section: int
    index: int  # of the tool or the message
    part: int = 0  # of the content part (0 for tools and string content)

    def describe(self) -> str:
        if self.section == _TOOLS:
            return f"tool {self.index}"
        return f"message {self.index}, content part {self.part}"


@dataclass(frozen=True)
class _Breakpoint:
    spot: _Spot
    ttl: CacheTTL
    by_user: bool


def apply_prompt_caching(
    body: Mapping[str, Any], settings: CacheSettings, rule: CacheRule
) -> dict[str, Any]:
    """``body`` with its cache-point markers resolved and the settings applied.

    ``body["messages"]`` are wire messages that may hold markers; ``body["tools"]`` are
    converted tools. The input is not modified.

    Raises:
        ValueError: for a marker with nothing before it, a setting or TTL that is not
            one, tool and system breakpoints beyond the vendor's limit, or a longer TTL
            after a shorter one where the vendor takes TTLs.
    """
    messages, markers = _take_markers(body.get("messages") or [])
    tools: list[dict[str, Any]] = list(body.get("tools") or [])
    written = _written_breakpoints(messages, tools)
    placed = markers + _setting_breakpoints(messages, tools, settings, rule)
    if not rule.explicit_breakpoints:
        placed = []
    planned = _first_per_spot(written + placed)
    if rule.last_breakpoint_only:
        planned = _last_placed_only(planned)
    automatic = _automatic_cache_control(body, settings, rule)
    if rule.max_breakpoints is not None:
        planned = _within_limit(planned, rule.max_breakpoints, reserved=automatic is not None)
    if rule.ttl:
        _check_ttl_order(planned, automatic)
    sent = dict(body)
    if "messages" in body:
        changes = _changes(written, planned, rule, section=None)
        sent["messages"] = _written(messages, changes, _with_part_cache_control)
    if tools:
        changes = _changes(written, planned, rule, section=_TOOLS)
        sent["tools"] = _written(tools, changes, _with_tool_cache_control)
    if automatic is not None:
        sent["cache_control"] = automatic
    return sent


def _take_markers(
    messages: list[dict[str, Any]],
) -> tuple[list[dict[str, Any]], list[_Breakpoint]]:
    """Messages without markers, and a breakpoint for each marker."""
    cleaned: list[dict[str, Any]] = []
    breakpoints: list[_Breakpoint] = []
    for index, message in enumerate(messages):
        content = message.get("content")
        if not isinstance(content, list) or not any(_is_marker(part) for part in content):
            cleaned.append(message)
            continue
        parts: list[Any] = []
        for part in content:
            if not _is_marker(part):
                parts.append(part)
                continue
            if not parts:
                msg = (
                    f"A cache_point marker caches the content before it, but it opens the "
                    f"content of message {index} (role {message.get('role')!r}). "
                    f"{_SETTINGS_HINT}"
                )
                raise ValueError(msg)
            ttl = _checked_ttl(part.get("ttl", DEFAULT_TTL), "cache_point ttl")
            spot = _Spot(_section_of(message), index, len(parts) - 1)
            breakpoints.append(_Breakpoint(spot, ttl, by_user=False))
        cleaned.append({**message, "content": parts})
    return cleaned, breakpoints


def _is_marker(part: object) -> bool:
    return isinstance(part, dict) and part.get("type") == CACHE_POINT


def _section_of(message: Mapping[str, Any]) -> int:
    return _SYSTEM if message.get("role") in _SYSTEM_ROLES else _MESSAGES


def _written_breakpoints(
    messages: list[dict[str, Any]], tools: list[dict[str, Any]]
) -> list[_Breakpoint]:
    """The ``cache_control`` the user wrote on tools and content parts."""
    found = [
        _Breakpoint(_Spot(_TOOLS, index), _ttl_written(tool), by_user=True)
        for index, tool in enumerate(tools)
        if "cache_control" in tool
    ]
    for index, message in enumerate(messages):
        content = message.get("content")
        if not isinstance(content, list):
            continue
        found += [
            _Breakpoint(
                _Spot(_section_of(message), index, part_index), _ttl_written(part), by_user=True
            )
            for part_index, part in enumerate(content)
            if isinstance(part, dict) and "cache_control" in part
        ]
    return found


def _ttl_written(holder: Mapping[str, Any]) -> CacheTTL:
    cache_control = holder["cache_control"]
    ttl = cache_control.get("ttl") if isinstance(cache_control, dict) else None
    return "1h" if ttl == "1h" else DEFAULT_TTL


def _setting_breakpoints(
    messages: list[dict[str, Any]],
    tools: list[dict[str, Any]],
    settings: CacheSettings,
    rule: CacheRule,
) -> list[_Breakpoint]:
    """Breakpoints asked for by the settings, most specific first (messages, instructions)."""
    wanted: list[tuple[_Spot | None, CacheTTL | None]] = [
        (_last_message_spot(messages), _setting_ttl(settings.messages, "cache_messages")),
        (
            _instructions_spot(messages),
            _setting_ttl(settings.instructions, "cache_instructions"),
        ),
    ]
    tools_ttl = _setting_ttl(settings.tool_definitions, "cache_tool_definitions")
    if rule.tool_definitions:
        wanted.append((_last_function_tool_spot(tools), tools_ttl))
    return [
        _Breakpoint(spot, ttl, by_user=False)
        for spot, ttl in wanted
        if spot is not None and ttl is not None
    ]


def _last_message_spot(messages: list[dict[str, Any]]) -> _Spot | None:
    if not messages:
        return None
    return _last_part_spot(messages, len(messages) - 1)


def _instructions_spot(messages: list[dict[str, Any]]) -> _Spot | None:
    """The last part of the last of the leading system messages."""
    leading = 0
    while leading < len(messages) and messages[leading].get("role") in _SYSTEM_ROLES:
        leading += 1
    return _last_part_spot(messages, leading - 1) if leading else None


def _last_part_spot(messages: list[dict[str, Any]], index: int) -> _Spot | None:
    content = messages[index].get("content")
    if not content:  # None, "" or []: nothing to cache
        return None
    part = len(content) - 1 if isinstance(content, list) else 0
    return _Spot(_section_of(messages[index]), index, part)


def _last_function_tool_spot(tools: list[dict[str, Any]]) -> _Spot | None:
    functions = [index for index, tool in enumerate(tools) if tool.get("type") == "function"]
    return _Spot(_TOOLS, functions[-1]) if functions else None


def _setting_ttl(value: object, name: str) -> CacheTTL | None:
    """The TTL a ``cache_*`` setting asks for, or None when it is off."""
    if value is None or value is False:
        return None
    if value is True:
        return DEFAULT_TTL
    return _checked_ttl(value, name)


def _checked_ttl(value: object, name: str) -> CacheTTL:
    if value in _TTLS:
        return value
    msg = f"{name} must be True, False, '5m' or '1h', got {value!r}."
    raise ValueError(msg)


def _first_per_spot(breakpoints: list[_Breakpoint]) -> list[_Breakpoint]:
    """One breakpoint per spot, the first given winning, sorted in prompt order."""
    by_spot: dict[_Spot, _Breakpoint] = {}
    for breakpoint_ in breakpoints:
        by_spot.setdefault(breakpoint_.spot, breakpoint_)
    return sorted(by_spot.values(), key=lambda b: b.spot)


def _last_placed_only(planned: list[_Breakpoint]) -> list[_Breakpoint]:
    """Drop placed breakpoints before the last one: the vendor would ignore them."""
    if not planned:
        return planned
    last = planned[-1]
    return [b for b in planned if b.by_user or b is last]


def _automatic_cache_control(
    body: Mapping[str, Any], settings: CacheSettings, rule: CacheRule
) -> dict[str, Any] | None:
    """The top-level ``cache_control`` to send (the user's own if in the body already)."""
    if body.get("cache_control") is not None:
        return dict(body["cache_control"])
    ttl = _setting_ttl(settings.automatic, "automatic_cache")
    if ttl is None or not rule.automatic:
        return None
    return _cache_control(ttl, rule)


def _cache_control(ttl: CacheTTL, rule: CacheRule) -> dict[str, Any]:
    return {"type": "ephemeral", "ttl": ttl} if rule.ttl else {"type": "ephemeral"}


def _within_limit(planned: list[_Breakpoint], limit: int, *, reserved: bool) -> list[_Breakpoint]:
    """At most ``limit`` breakpoints: tool and system ones kept, the oldest others dropped.

    The top-level ``cache_control`` (``reserved``) takes one of the slots.
    """
    kept = [b for b in planned if b.spot.section != _MESSAGES]
    others = [b for b in planned if b.spot.section == _MESSAGES]
    budget = limit - len(kept) - int(reserved)
    if budget < 0:
        automatic = " plus the top-level cache_control (automatic_cache)" if reserved else ""
        msg = (
            f"Too many prompt-cache breakpoints: tool definitions and system messages hold "
            f"{len(kept)}{automatic}, but this model allows at most {limit} per request. "
            "Remove cache_control or cache_point markers from the system messages or tools, "
            "or turn off cache_instructions / cache_tool_definitions / automatic_cache."
        )
        raise ValueError(msg)
    oldest_dropped = max(len(others) - budget, 0)
    return kept + others[oldest_dropped:]


def _check_ttl_order(planned: list[_Breakpoint], automatic: Mapping[str, Any] | None) -> None:
    """Refuse a 1-hour breakpoint after a 5-minute one (the provider would reject it)."""
    shorter: _Breakpoint | None = None
    for breakpoint_ in planned:
        if breakpoint_.ttl == DEFAULT_TTL:
            shorter = shorter or breakpoint_
        elif shorter is not None:
            _raise_ttl_order(shorter.spot.describe(), breakpoint_.spot.describe())
    if shorter is not None and automatic is not None and automatic.get("ttl") == "1h":
        _raise_ttl_order(shorter.spot.describe(), "the top-level cache_control")


def _raise_ttl_order(five_minutes: str, one_hour: str) -> None:
    msg = (
        f"Prompt-cache TTLs out of order: a '1h' breakpoint ({one_hour}) comes after a "
        f"'5m' one ({five_minutes}). Longer TTLs must come first, in the order tool "
        "definitions, system messages, messages: give the earlier breakpoint '1h' too, or "
        "the later one '5m'."
    )
    raise ValueError(msg)


# --- writing -------------------------------------------------------------------------------


def _written(
    items: list[dict[str, Any]],
    changes: dict[tuple[int, int], dict[str, Any] | None],
    write: Callable[[dict[str, Any], int, dict[str, Any] | None], dict[str, Any]],
) -> list[dict[str, Any]]:
    """``items`` (messages or tools) with each change written by ``write``."""
    if not changes:
        return items
    result = list(items)
    for (index, part), cache_control in changes.items():
        result[index] = write(result[index], part, cache_control)
    return result


def _with_tool_cache_control(
    tool: dict[str, Any], _part: int, cache_control: dict[str, Any] | None
) -> dict[str, Any]:
    return _with_cache_control(tool, cache_control)


def _changes(
    written: list[_Breakpoint],
    planned: list[_Breakpoint],
    rule: CacheRule,
    *,
    section: int | None,
) -> dict[tuple[int, int], dict[str, Any] | None]:
    """By (index, part): the ``cache_control`` to write, or None to remove the user's."""

    def wanted(b: _Breakpoint) -> bool:
        return (b.spot.section == _TOOLS) == (section == _TOOLS)

    kept = {b.spot for b in planned}
    changes: dict[tuple[int, int], dict[str, Any] | None] = {
        (b.spot.index, b.spot.part): None for b in written if wanted(b) and b.spot not in kept
    }
    for b in planned:
        if wanted(b) and not b.by_user:
            changes[b.spot.index, b.spot.part] = _cache_control(b.ttl, rule)
    return changes


def _with_part_cache_control(
    message: dict[str, Any], part: int, cache_control: dict[str, Any] | None
) -> dict[str, Any]:
    content = message["content"]
    parts = [{"type": "text", "text": content}] if isinstance(content, str) else list(content)
    parts[part] = _with_cache_control(parts[part], cache_control)
    return {**message, "content": parts}


def _with_cache_control(
    holder: dict[str, Any], cache_control: dict[str, Any] | None
) -> dict[str, Any]:
    without = {key: value for key, value in holder.items() if key != "cache_control"}
    return without if cache_control is None else {**without, "cache_control": cache_control}


__all__ = [
    "ALIBABA",
    "ANTHROPIC",
    "CACHE_POINT",
    "GEMINI",
    "MODEL_CACHE_RULES",
    "NO_EXPLICIT_CACHING",
    "VENDOR_CACHE_RULES",
    "CacheRule",
    "CacheSetting",
    "CacheSettings",
    "apply_prompt_caching",
    "cache_point",
    "cache_rule_for",
    "to_cache_rule",
]
