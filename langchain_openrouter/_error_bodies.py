"""Pydantic models for OpenRouter's error bodies.

They validate the fields we read and tolerate everything else: OpenRouter ships new
fields and enum values without notice. (Usage, read on every response, is a plain dict
read in :mod:`._response.completion`.)
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict


class _Open(BaseModel):
    # Validators are built on the first error, not at import: most processes never see one.
    model_config = ConfigDict(extra="allow", frozen=True, defer_build=True)


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
