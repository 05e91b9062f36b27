"""Pydantic models for the parts of OpenRouter's responses that go beyond OpenAI's.

They validate the fields we read (usage with cost and cache counts, error bodies) and
tolerate everything else: OpenRouter ships new fields and enum values without notice.
Token counts may arrive as floats, so they are typed ``float`` and cast by the reader.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict


class _Open(BaseModel):
    model_config = ConfigDict(extra="allow", frozen=True)


class PromptTokensDetails(_Open):
    cached_tokens: float | None = None
    cache_write_tokens: float | None = None
    audio_tokens: float | None = None


class CompletionTokensDetails(_Open):
    reasoning_tokens: float | None = None
    audio_tokens: float | None = None
    image_tokens: float | None = None


class Usage(_Open):
    """``usage`` of a completion (or of a stream's final chunk)."""

    prompt_tokens: float = 0
    completion_tokens: float = 0
    total_tokens: float | None = None
    cost: float | None = None
    is_byok: bool | None = None
    cost_details: dict[str, Any] | None = None
    prompt_tokens_details: PromptTokensDetails | None = None
    completion_tokens_details: CompletionTokensDetails | None = None
    server_tool_use_details: dict[str, Any] | None = None
    server_tool_use: dict[str, Any] | None = None


class Availability(_Open):
    """``error.availability``: why no endpoint could serve the request."""

    code: str | None = None
    retryable: bool | None = None
    retry_after: float | None = None


class ErrorObject(_Open):
    """An ``error`` object, top-level, in a choice, or in an SSE chunk.

    ``code`` is usually the HTTP status but may be a string (``"server_error"``) or absent
    (availability errors carry ``http_status`` instead).
    """

    code: int | str | None = None
    message: str | None = None
    metadata: dict[str, Any] | None = None
    error_type: str | None = None
    http_status: int | None = None
    availability: Availability | None = None
    retry_after: float | None = None
