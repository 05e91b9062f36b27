"""LangChain integration for OpenRouter: ``ChatOpenRouter`` and its typed settings."""

import langchain_openrouter._content_blocks  # noqa: F401 - registers the v1 block translator
from langchain_openrouter._caching import CacheRule, cache_point
from langchain_openrouter._errors import (
    OpenRouterAuthenticationError,
    OpenRouterBadRequestError,
    OpenRouterConnectionError,
    OpenRouterContextOverflowError,
    OpenRouterError,
    OpenRouterInsufficientCreditsError,
    OpenRouterNotFoundError,
    OpenRouterPermissionDeniedError,
    OpenRouterRateLimitError,
    OpenRouterRequestTimeoutError,
    OpenRouterResponseError,
    OpenRouterServerError,
    OpenRouterTimeoutError,
)
from langchain_openrouter._types import (
    CacheControl,
    CacheTTL,
    MaxPrice,
    Plugin,
    ProviderPreferences,
    ProviderSort,
    ReasoningConfig,
    ReasoningEffort,
    TraceConfig,
    UsageConfig,
)
from langchain_openrouter.chat_models import ChatOpenRouter

__all__ = [
    "CacheControl",
    "CacheRule",
    "CacheTTL",
    "ChatOpenRouter",
    "MaxPrice",
    "OpenRouterAuthenticationError",
    "OpenRouterBadRequestError",
    "OpenRouterConnectionError",
    "OpenRouterContextOverflowError",
    "OpenRouterError",
    "OpenRouterInsufficientCreditsError",
    "OpenRouterNotFoundError",
    "OpenRouterPermissionDeniedError",
    "OpenRouterRateLimitError",
    "OpenRouterRequestTimeoutError",
    "OpenRouterResponseError",
    "OpenRouterServerError",
    "OpenRouterTimeoutError",
    "Plugin",
    "ProviderPreferences",
    "ProviderSort",
    "ReasoningConfig",
    "ReasoningEffort",
    "TraceConfig",
    "UsageConfig",
    "cache_point",
]
