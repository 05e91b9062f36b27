"""Typed settings for OpenRouter's request features.

Every ``TypedDict`` here is ``total=False`` and accepts keys it does not declare:
OpenRouter adds options without notice, and a key we do not know yet is still sent
verbatim. Declared keys are type-checked when the model is built.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import ConfigDict, with_config
from typing_extensions import Required, TypedDict

_OPEN = ConfigDict(extra="allow")

ReasoningEffort = Literal["max", "xhigh", "high", "medium", "low", "minimal", "none"]
CacheTTL = Literal["5m", "1h"]


@with_config(_OPEN)
class MaxPrice(TypedDict, total=False):
    """Highest price accepted, USD per million tokens (``request``/``image``: per unit)."""

    prompt: float | str
    completion: float | str
    request: float | str
    image: float | str
    audio: float | str


@with_config(_OPEN)
class ProviderSort(TypedDict, total=False):
    """The object form of ``provider.sort``."""

    by: Literal["price", "throughput", "latency", "exacto"]
    partition: Literal["model", "none"]


@with_config(_OPEN)
class ProviderPreferences(TypedDict, total=False):
    """Provider routing preferences: the request body's ``provider`` object."""

    order: list[str]
    allow_fallbacks: bool
    require_parameters: bool
    data_collection: Literal["allow", "deny"]
    zdr: bool
    enforce_distillable_text: bool
    only: list[str]
    ignore: list[str]
    quantizations: list[str]
    sort: Literal["price", "throughput", "latency", "exacto"] | ProviderSort
    preferred_min_throughput: float | dict[str, float]
    preferred_max_latency: float | dict[str, float]
    max_price: MaxPrice


@with_config(_OPEN)
class ReasoningConfig(TypedDict, total=False):
    """Unified reasoning settings: the request body's ``reasoning`` object.

    Use ``effort`` or ``max_tokens``, not both.
    """

    effort: ReasoningEffort
    max_tokens: int
    exclude: bool
    enabled: bool
    summary: Literal["auto", "concise", "detailed"]
    context: Literal["auto", "all_turns", "current_turn"]
    mode: Literal["standard", "pro"]


@with_config(_OPEN)
class Plugin(TypedDict, total=False):
    """One entry of ``plugins``, e.g. ``{"id": "file-parser", "pdf": {"engine": "native"}}``."""

    id: Required[str]
    enabled: bool


@with_config(_OPEN)
class TraceConfig(TypedDict, total=False):
    """Observability fields forwarded to OpenRouter Broadcast destinations."""

    trace_id: str
    trace_name: str
    span_name: str
    generation_name: str
    parent_span_id: str


@with_config(_OPEN)
class UsageConfig(TypedDict, total=False):
    """Legacy ``usage`` option (OpenRouter now always reports usage and cost)."""

    include: bool


@with_config(_OPEN)
class CacheControl(TypedDict, total=False):
    """An Anthropic-style cache breakpoint: ``{"type": "ephemeral", "ttl": "1h"}``."""

    type: Required[Literal["ephemeral"]]
    ttl: CacheTTL


ImageConfig = dict[str, Any]
