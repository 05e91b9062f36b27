"""The request headers that switch on OpenRouter features outside the request body.

- Response caching (https://openrouter.ai/docs/guides/features/response-caching):
  ``X-OpenRouter-Cache: true|false``, ``X-OpenRouter-Cache-TTL: <seconds>``,
  ``X-OpenRouter-Cache-Clear: true``.
- Router metadata (https://openrouter.ai/docs/guides/features/router-metadata):
  ``X-OpenRouter-Metadata: enabled``.
"""

from __future__ import annotations

from dataclasses import dataclass

from langchain_openrouter._preflight import InvalidArgumentError

CACHE = "X-OpenRouter-Cache"
CACHE_TTL = "X-OpenRouter-Cache-TTL"
CACHE_CLEAR = "X-OpenRouter-Cache-Clear"
METADATA = "X-OpenRouter-Metadata"


@dataclass(frozen=True)
class FeatureSettings:
    """One call's feature settings, the model's fields overridden by the call's arguments."""

    response_cache: bool | int | None = None
    """None: no header (a preset may still cache); True/False: on/off; an int: on, TTL."""
    response_cache_clear: bool = False
    router_metadata: bool = False
    preset: object = None
    """The request's preset, which may switch caching on without the header."""


def feature_headers(settings: FeatureSettings) -> dict[str, str] | None:
    """The headers for ``settings``; None when there are none (the common case)."""
    cache = settings.response_cache
    if cache is None and not settings.response_cache_clear and not settings.router_metadata:
        return None
    _check_clear(settings)
    headers: dict[str, str] = {}
    if cache is not None:
        headers[CACHE] = "true" if cache is not False else "false"
        if not isinstance(cache, bool):
            headers[CACHE_TTL] = str(cache)
    if settings.response_cache_clear:
        headers[CACHE_CLEAR] = "true"
    if settings.router_metadata:
        headers[METADATA] = "enabled"
    return headers


def _check_clear(settings: FeatureSettings) -> None:
    """Refuse a cache clear that OpenRouter would ignore.

    The clear "has no effect unless caching is enabled for the request" (header or
    preset), so asking for it with caching off or unset (and no preset) is a mistake.
    """
    if not settings.response_cache_clear:
        return
    if settings.response_cache is False or (
        settings.response_cache is None and settings.preset is None
    ):
        msg = (
            "response_cache_clear=True refreshes a cached response, but response caching is "
            f"off for this call (response_cache={settings.response_cache!r}): OpenRouter "
            "would ignore the clear. Pass response_cache=True (or a TTL in seconds) as well."
        )
        raise InvalidArgumentError(msg)
