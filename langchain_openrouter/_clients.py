"""The ``openai`` clients a model talks through, and the connection pools they share.

Building an ``openai.OpenAI`` without an ``http_client`` gives it a fresh connection pool
and SSL context; doing that per model instance is slow and leaks connections. Here every
model without an injected client shares one sync pool per process and one async pool per
event loop, reference-counted so that :meth:`Connection.close` closes a pool once no
model uses it. The SDK's own retries are off: :mod:`._retry` is the only retry policy.
"""

from __future__ import annotations

import asyncio
import os
import threading
import weakref
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Annotated, Any, Protocol

import openai
from langchain_core.utils import from_env, secret_from_env
from pydantic import AfterValidator, AliasChoices, BeforeValidator, Field, SecretStr

from langchain_openrouter._payload import normalize_timeout
from langchain_openrouter._preflight import check_argument

if TYPE_CHECKING:
    from typing_extensions import Self

DEFAULT_BASE_URL = "https://openrouter.ai/api/v1"

# Field types of the connection settings ChatOpenRouter and OpenRouterEmbeddings share:
# one place for their aliases and environment variables.
ModelSlug = Annotated[str, Field(validation_alias=AliasChoices("model", "model_name"))]


def _key_from_env_if_none(value: Any) -> Any:
    """``api_key=None`` means "not given": the environment variable, as when it is left out.

    ``langchain_core.load.loads`` passes None for a secret it was not given.
    """
    return os.environ.get("OPENROUTER_API_KEY") if value is None else value


ApiKey = Annotated[
    SecretStr | None,
    BeforeValidator(_key_from_env_if_none),
    Field(
        validation_alias=AliasChoices("api_key", "openrouter_api_key"),
        default_factory=secret_from_env("OPENROUTER_API_KEY", default=None),
    ),
]


def _checked_base_url(value: str) -> str:
    return str(check_argument("base_url", value))


BaseURL = Annotated[
    str,
    AfterValidator(_checked_base_url),
    Field(
        validation_alias=AliasChoices("base_url", "openrouter_api_base"),
        default_factory=from_env("OPENROUTER_API_BASE", default=DEFAULT_BASE_URL),
        validate_default=True,  # OPENROUTER_API_BASE is checked too
    ),
]
AppURL = Annotated[str | None, Field(default_factory=from_env("OPENROUTER_APP_URL", default=None))]
AppTitle = Annotated[
    str | None, Field(default_factory=from_env("OPENROUTER_APP_TITLE", default=None))
]
SessionId = Annotated[
    str | None,
    # An empty value (or an empty OPENROUTER_SESSION_ID) means "no session", as in 0.2.x.
    AfterValidator(lambda value: value or None),
    Field(default_factory=from_env("OPENROUTER_SESSION_ID", default=None), validate_default=True),
]
Timeout = Annotated[
    Any, Field(default=None, validation_alias=AliasChoices("timeout", "request_timeout"))
]

MISSING_KEY = (
    "No OpenRouter API key: set the OPENROUTER_API_KEY environment variable "
    "or pass api_key=... (keys: https://openrouter.ai/keys)."
)


class _SharedPools:
    """One sync httpx pool per process and one async pool per running event loop."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._sync: openai.DefaultHttpxClient | None = None
        self._sync_users = 0
        self._async: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, list[Any]] = (
            weakref.WeakKeyDictionary()
        )

    def acquire_sync(self) -> openai.DefaultHttpxClient:
        with self._lock:
            if self._sync is None or self._sync.is_closed:
                self._sync = openai.DefaultHttpxClient()
            self._sync_users += 1
            return self._sync

    def release_sync(self) -> None:
        with self._lock:
            self._sync_users -= 1
            if self._sync_users <= 0 and self._sync is not None:
                self._sync.close()
                self._sync, self._sync_users = None, 0

    def acquire_async(self) -> openai.DefaultAsyncHttpxClient:
        loop = asyncio.get_running_loop()
        with self._lock:
            entry = self._async.get(loop)
            if entry is None or entry[0].is_closed:
                entry = self._async[loop] = [openai.DefaultAsyncHttpxClient(), 0]
            entry[1] += 1
            client: openai.DefaultAsyncHttpxClient = entry[0]
            return client

    async def release_async(self, loop: asyncio.AbstractEventLoop) -> None:
        with self._lock:
            entry = self._async.get(loop)
            if entry is None:
                return
            entry[1] -= 1
            if entry[1] > 0:
                return
            del self._async[loop]
        await entry[0].aclose()


_POOLS = _SharedPools()


def request_headers(
    *,
    app_url: str | None,
    app_title: str | None,
    app_categories: list[str] | None,
    default_headers: dict[str, str] | None,
    session_id: str | None = None,
) -> dict[str, str]:
    """App attribution headers (NOTES.md section 6), then the user's own headers."""
    headers: dict[str, str] = {}
    if app_url:
        headers["HTTP-Referer"] = app_url
    if app_title:
        headers["X-OpenRouter-Title"] = headers["X-Title"] = app_title
    if app_categories:
        headers["X-OpenRouter-Categories"] = ",".join(app_categories)
    if session_id:
        headers["x-session-id"] = session_id
    headers.update(default_headers or {})
    return headers


class ConnectionSettings(Protocol):
    """The connection fields ``ChatOpenRouter`` and ``OpenRouterEmbeddings`` share."""

    api_key: SecretStr | None
    base_url: str
    timeout: Any
    http_client: Any
    http_async_client: Any


@dataclass
class Connection:
    """Connection settings of one model, and the SDK clients built from them on first use."""

    api_key: str
    base_url: str
    headers: dict[str, str]
    timeout: Any
    http_client: Any = None
    http_async_client: Any = None
    _sync: openai.OpenAI | None = field(default=None, init=False, repr=False)
    _async: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, openai.AsyncOpenAI] = field(
        default_factory=weakref.WeakKeyDictionary, init=False, repr=False
    )

    @classmethod
    def from_settings(cls, settings: ConnectionSettings, headers: dict[str, str]) -> Self:
        """The connection a model's fields describe; a missing key is a ``ValueError``."""
        if settings.api_key is None or not settings.api_key.get_secret_value():
            raise ValueError(MISSING_KEY)
        return cls(
            api_key=settings.api_key.get_secret_value(),
            base_url=settings.base_url,
            headers=headers,
            timeout=normalize_timeout(settings.timeout),
            http_client=settings.http_client,
            http_async_client=settings.http_async_client,
        )

    def __repr__(self) -> str:  # never show the key
        return f"Connection(base_url={self.base_url!r})"

    def _options(self) -> dict[str, Any]:
        return {
            "api_key": self.api_key,
            "base_url": self.base_url,
            "default_headers": self.headers,
            "timeout": self.timeout,
            "max_retries": 0,
        }

    def sync_client(self) -> openai.OpenAI:
        """The sync SDK client, built on first use."""
        if self._sync is None:
            http_client = self.http_client or _POOLS.acquire_sync()
            self._sync = openai.OpenAI(http_client=http_client, **self._options())
        return self._sync

    def async_client(self) -> openai.AsyncOpenAI:
        """The async SDK client for the running event loop, built on first use."""
        loop = asyncio.get_running_loop()
        client = self._async.get(loop)
        if client is None:
            http_client = self.http_async_client or _POOLS.acquire_async()
            client = self._async[loop] = openai.AsyncOpenAI(
                http_client=http_client, **self._options()
            )
        return client

    def close(self) -> None:
        """Release the sync client; its pool closes once no other model uses it."""
        if self._sync is not None and self.http_client is None:
            _POOLS.release_sync()
        self._sync = None

    async def aclose(self) -> None:
        """Release the async client of the running loop; see :meth:`close`."""
        loop = asyncio.get_running_loop()
        if self._async.pop(loop, None) is not None and self.http_async_client is None:
            await _POOLS.release_async(loop)
