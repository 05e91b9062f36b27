"""Reading the response headers OpenRouter sends beside the body.

Response caching reports itself only in headers
(https://openrouter.ai/docs/guides/features/response-caching#response-headers). The facts
are read once per response, stored on the parsed body (or a stream's first chunk) under
:data:`HEADERS_KEY`, a key OpenRouter never sends, and merged into ``response_metadata``
by the one response reader. ``X-Generation-Id`` repeats the body's ``id`` on a success and
is read only for errors (:func:`._errors.error_from_openai`); ``X-RateLimit-*`` come only
with OpenRouter's own 429 (its error keeps the response: ``error.response.headers``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final, TypedDict

if TYPE_CHECKING:
    from collections.abc import Mapping

HEADERS_KEY: Final = "__openrouter_response_headers__"
"""Where the header facts ride on a parsed body (or a stream's first chunk)."""

_CACHE_STATUS = "x-openrouter-cache-status"
_CACHE_NUMBERS = (("x-openrouter-cache-age", "age"), ("x-openrouter-cache-ttl", "ttl"))


class ResponseCacheInfo(TypedDict, total=False):
    """``response_metadata["response_cache"]``: what OpenRouter's response cache did."""

    status: str
    """``"HIT"`` (served from the cache, not billed) or ``"MISS"`` (billed, now cached)."""
    age: int
    """Seconds the entry has been cached (on a HIT only)."""
    ttl: int
    """Seconds left on a HIT; the full TTL on a MISS."""
    source_generation_id: str
    """The generation that filled the cache entry (on a HIT only)."""


def response_header_facts(headers: Mapping[str, str]) -> dict[str, Any] | None:
    """The ``response_metadata`` entries the headers carry; None when there are none.

    One lookup on an ordinary response: this runs on every call.
    """
    status = headers.get(_CACHE_STATUS)
    if not status:
        return None
    return {"response_cache": _cache_info(status, headers)}


def _cache_info(status: str, headers: Mapping[str, str]) -> ResponseCacheInfo:
    info = ResponseCacheInfo(status=status.strip().upper())
    for header, key in _CACHE_NUMBERS:
        value = headers.get(header, "").strip()
        if value.isdigit():
            info[key] = int(value)  # type: ignore[literal-required]
    source = headers.get("x-openrouter-cache-source-id")
    if source:
        info["source_generation_id"] = source
    return info
