"""LangChain integration for OpenRouter: ``ChatOpenRouter``, ``OpenRouterEmbeddings``.

``OpenRouterEmbeddings`` and the catalogue types are imported on first access: a chat-only
program does not pay for them at import time.
"""

from importlib import import_module
from typing import TYPE_CHECKING, Any

import langchain_openrouter._response.content_blocks  # noqa: F401 - registers the v1 block translator
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
    OpenRouterStreamTruncatedError,
    OpenRouterTimeoutError,
)
from langchain_openrouter._preflight import InvalidArgumentError
from langchain_openrouter._request.caching import CacheRule, cache_point
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
from langchain_openrouter._version import __version__
from langchain_openrouter.chat_models import ChatOpenRouter

if TYPE_CHECKING:
    from langchain_openrouter._catalog import GenerationStats, ModelInfo
    from langchain_openrouter._http.response_headers import ResponseCacheInfo
    from langchain_openrouter._key_info import Credits, KeyInfo
    from langchain_openrouter._response.router_metadata import RouterMetadata
    from langchain_openrouter.embeddings import (
        EmbeddingsResult,
        EmbeddingsUsage,
        OpenRouterEmbeddings,
    )
    from langchain_openrouter.profiles import refresh_profiles
    from langchain_openrouter.rerank import (
        OpenRouterRerank,
        RerankedDocument,
        RerankResult,
        RerankUsage,
    )

_LAZY = {
    "EmbeddingsResult": "langchain_openrouter.embeddings",
    "EmbeddingsUsage": "langchain_openrouter.embeddings",
    "OpenRouterEmbeddings": "langchain_openrouter.embeddings",
    "GenerationStats": "langchain_openrouter._catalog",
    "ModelInfo": "langchain_openrouter._catalog",
    "refresh_profiles": "langchain_openrouter.profiles",
    "Credits": "langchain_openrouter._key_info",
    "KeyInfo": "langchain_openrouter._key_info",
    "ResponseCacheInfo": "langchain_openrouter._http.response_headers",
    "RouterMetadata": "langchain_openrouter._response.router_metadata",
    "OpenRouterRerank": "langchain_openrouter.rerank",
    "RerankResult": "langchain_openrouter.rerank",
    "RerankUsage": "langchain_openrouter.rerank",
    "RerankedDocument": "langchain_openrouter.rerank",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(import_module(_LAZY[name]), name)
    msg = f"module {__name__!r} has no attribute {name!r}"
    raise AttributeError(msg)


def __dir__() -> list[str]:
    return sorted({*globals(), *_LAZY})


__all__ = [
    "CacheControl",
    "CacheRule",
    "CacheTTL",
    "ChatOpenRouter",
    "Credits",
    "EmbeddingsResult",
    "EmbeddingsUsage",
    "GenerationStats",
    "InvalidArgumentError",
    "KeyInfo",
    "MaxPrice",
    "ModelInfo",
    "OpenRouterAuthenticationError",
    "OpenRouterBadRequestError",
    "OpenRouterConnectionError",
    "OpenRouterContextOverflowError",
    "OpenRouterEmbeddings",
    "OpenRouterError",
    "OpenRouterInsufficientCreditsError",
    "OpenRouterNotFoundError",
    "OpenRouterPermissionDeniedError",
    "OpenRouterRateLimitError",
    "OpenRouterRequestTimeoutError",
    "OpenRouterRerank",
    "OpenRouterResponseError",
    "OpenRouterServerError",
    "OpenRouterStreamTruncatedError",
    "OpenRouterTimeoutError",
    "Plugin",
    "ProviderPreferences",
    "ProviderSort",
    "ReasoningConfig",
    "ReasoningEffort",
    "RerankResult",
    "RerankUsage",
    "RerankedDocument",
    "ResponseCacheInfo",
    "RouterMetadata",
    "TraceConfig",
    "UsageConfig",
    "__version__",
    "cache_point",
    "refresh_profiles",
]
