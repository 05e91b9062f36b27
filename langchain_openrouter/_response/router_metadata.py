"""Types of ``openrouter_metadata``: what OpenRouter's router did with a request.

Sent when the request opts in (``router_metadata=True``: ``X-OpenRouter-Metadata:
enabled``) and put as it came into ``response_metadata["openrouter_metadata"]``. The shape
is additive (https://openrouter.ai/docs/guides/features/router-metadata#stability): every
key is optional here and unknown keys and stage types are kept.
"""

from __future__ import annotations

from typing import Any

from typing_extensions import TypedDict


class EndpointCandidate(TypedDict, total=False):
    """One provider endpoint the router considered."""

    provider: str
    model: str
    selected: bool


class EndpointsMetadata(TypedDict, total=False):
    """The endpoint candidates, and which one served."""

    total: int
    available: list[EndpointCandidate]


class Attempt(TypedDict, total=False):
    """One attempt, when the router fell back."""

    provider: str
    model: str
    status: int


class PipelineStage(TypedDict, total=False):
    """A plugin that changed the request or response (guardrail, compression, ...)."""

    type: str
    name: str
    summary: str
    data: dict[str, Any]
    """Free-form, per plugin."""


class RouterMetadata(TypedDict, total=False):
    """``response_metadata["openrouter_metadata"]``.

    https://openrouter.ai/docs/guides/features/router-metadata#field-reference
    """

    requested: str
    """The model slug (or alias) sent."""
    strategy: str
    """``direct``, ``auto``, ``free``, ``latest``, ``alias``, ``fallback``, ..."""
    region: str | None
    summary: str
    attempt: int
    """1-based attempt that succeeded; 0 on an error before any provider."""
    is_byok: bool
    endpoints: EndpointsMetadata
    params: dict[str, Any]
    attempts: list[Attempt]
    pipeline: list[PipelineStage]
